// Who wore which band when, in the database on every engine: the upgrade that backfills the
// periods from the data a database already holds, and a resident's hours when a band changed
// hands in the middle of one (positions_hourly is per band: the hour of a hand-over must not mix
// two wearers, on TimescaleDB's continuous aggregate as on plain PostgreSQL's view).
import { beforeAll, describe, expect, it } from 'vitest'
import { createLogger, migrate, type Db, type Engine } from '../infra/index.ts'
import { pgPositionStore, type Fix } from '../ingest/index.ts'
import { BACKENDS, useDatabase } from './support/databases.ts'

const log = createLogger('silent')
const MIN = 60_000
const HOUR = 3_600_000

describe.each(BACKENDS)('band wearers on $name', (backend) => {
  const database = useDatabase(backend)
  let db: Db
  let engine: Engine
  beforeAll(() => {
    db = database()
  })

  const resident = async (name: string) =>
    (await db.query<{ id: number }>('INSERT INTO residents (display_name) VALUES ($1) RETURNING id', [name])).rows[0]!
      .id
  const band = async (id: string, residentId: number | null) =>
    db.query(`INSERT INTO bands (id, secret_salt, secret_hash, resident_id) VALUES ($1, '\\x00', '\\x00', $2)`, [
      id,
      residentId,
    ])
  const alert = async (residentId: number, bandId: string, at: number) =>
    db.query(
      `INSERT INTO alerts (resident_id, band_id, kind, severity, status, fix_time, evidence)
     VALUES ($1, $2, 'sos', 'critical', 'resolved', to_timestamp($3 / 1000.0), '{}')`,
      [residentId, bandId, at],
    )
  /** A band's periods: [resident, from, to] in microseconds (a backfilled period ends 1 µs after its last alert). */
  type Period = { resident_id: number | null; f: number; t: number | null }
  const periods = async (bandId: string) =>
    (
      await db.query<Period>(
        `SELECT resident_id, (extract(epoch FROM from_time) * 1000000)::float8 AS f,
            (extract(epoch FROM to_time) * 1000000)::float8 AS t
     FROM band_wearers WHERE band_id = $1 ORDER BY from_time`,
        [bandId],
      )
    ).rows.map((p) => [p.resident_id, p.f, p.t])
  const us = (ms: number) => ms * 1000

  it('when a database of the last schema is upgraded, then who wore which band when comes from its data', async () => {
    await migrate(db, log, 14)
    const t = Date.now() - 10 * HOUR
    const a = await resident('A'),
      b = await resident('B'),
      c = await resident('C'),
      d = await resident('D')
    const e = await resident('E')
    await band('solo', a) // worn by A all along
    await alert(a, 'solo', t)
    await band('passed', b) // C's, then B's
    for (const at of [t, t + HOUR]) await alert(c, 'passed', at)
    await alert(b, 'passed', t + 3 * HOUR)
    await band('drawer', null) // D's, now worn by nobody
    await alert(d, 'drawer', t + 4 * HOUR)
    await band('fresh', e) // D's before, now E's, who has no alert yet
    await alert(d, 'fresh', t + 5 * HOUR)
    // What band_status shows of 'passed' is from between the two wearers: neither's to show.
    await db.query(
      `INSERT INTO band_status (band_id, fix_time, lat, lon, batt_time, batt) VALUES
      ('passed', to_timestamp($1 / 1000.0), 36.8, 118.0, to_timestamp($1 / 1000.0), 50),
      ('drawer', to_timestamp($2 / 1000.0), 36.8, 118.0, NULL, NULL),
      ('solo', to_timestamp($2 / 1000.0), 36.8, 118.0, NULL, NULL)`,
      [t + 2 * HOUR, t + 4 * HOUR],
    )

    const before = us(Date.now() - 1000)
    engine = (await migrate(db, log)).engine
    expect(await periods('solo')).toEqual([[a, -Infinity, null]])
    expect(await periods('passed')).toEqual([
      [c, -Infinity, us(t + HOUR) + 1],
      [b, us(t + 3 * HOUR), null],
    ])
    const drawer = await periods('drawer')
    expect(drawer).toMatchObject([[d, -Infinity, expect.any(Number)]])
    expect(drawer[0]![2]).toBeGreaterThanOrEqual(before)
    const fresh = await periods('fresh')
    expect(fresh).toMatchObject([
      [d, -Infinity, us(t + 5 * HOUR) + 1],
      [e, expect.any(Number), null],
    ])
    expect(fresh[1]![1]).toBeGreaterThanOrEqual(before)
    const status = await db.query('SELECT band_id, lat, batt FROM band_status ORDER BY band_id')
    expect(status.rows).toEqual([
      { band_id: 'drawer', lat: null, batt: null },
      { band_id: 'passed', lat: null, batt: null },
      { band_id: 'solo', lat: 36.8, batt: null },
    ])
  })

  it("when a band changes hands mid-hour, then each wearer's hours hold their reports only", async () => {
    const h = Math.floor(Date.now() / HOUR) * HOUR - 5 * HOUR
    const one = await resident('one'),
      two = await resident('two'),
      three = await resident('three')
    await band('handed', null)
    await band('exact', null)
    await db.query(
      `INSERT INTO band_wearers (band_id, resident_id, from_time, to_time) VALUES
      ('handed', $1, '-infinity', to_timestamp($4 / 1000.0)), ('handed', $2, to_timestamp($4 / 1000.0), NULL),
      ('exact', $3, to_timestamp($5 / 1000.0), to_timestamp($6 / 1000.0))`,
      [one, two, three, h + 20 * MIN, h, h + HOUR],
    )
    const fix = (bandId: string, seq: number, ts: number, lat: number): Fix => ({
      bandId,
      seq,
      ts,
      lat,
      lon: 118,
      acc: 10,
      src: 'gps',
      batt: 60,
      evt: [],
    })
    await pgPositionStore(db).insert([
      fix('handed', 1, h - 30 * MIN, 36.1),
      fix('handed', 2, h + 5 * MIN, 36.1),
      fix('handed', 3, h + 10 * MIN, 36.1),
      fix('handed', 4, h + 25 * MIN, 36.9),
      fix('handed', 5, h + 50 * MIN, 36.9),
      fix('handed', 6, h + 70 * MIN, 36.9),
      fix('exact', 1, h + 10 * MIN, 36.5),
      fix('exact', 2, h + HOUR + MIN, 36.5),
    ])
    // Whole hours come from positions_hourly: on TimescaleDB, from its materialised part.
    if (engine === 'timescale') await db.query(`CALL refresh_continuous_aggregate('positions_hourly', NULL, NULL)`)
    const hours = async (residentId: number) =>
      (
        await db.query<{ hour: Date; reports: number; lat: number }>(
          `SELECT hour, sum(reports)::int AS reports, sum(lat * located) / sum(located) AS lat
       FROM resident_hourly WHERE resident_id = $1 GROUP BY hour ORDER BY hour`,
          [residentId],
        )
      ).rows.map((r) => [r.hour.getTime() - h, r.reports, Math.round(r.lat * 10) / 10])
    expect(await hours(one)).toEqual([
      [-HOUR, 1, 36.1],
      [0, 2, 36.1],
    ])
    expect(await hours(two)).toEqual([
      [0, 2, 36.9],
      [HOUR, 1, 36.9],
    ])
    expect(await hours(three)).toEqual([[0, 1, 36.5]]) // a period of exactly one hour: counted once
  })
})
