// An erasure is final on every engine: a band's late backlog (fixes stored on the band while it
// was out of reach, sent after the erasure) with fix times inside the erased resident's period is
// not stored again, and TimescaleDB's hourly aggregate keeps none of the erased hours.
import { beforeAll, describe, expect, it } from 'vitest'
import { eraseResident } from '../dashboard/personal-data.pg.ts'
import { createLogger, migrate, type Db, type Engine } from '../infra/index.ts'
import { pgPositionStore, type Fix } from '../ingest/index.ts'
import { BACKENDS, useDatabase } from './support/databases.ts'

const log = createLogger('silent')
const HOUR = 3_600_000

describe.each(BACKENDS)('erasure on $name', (backend) => {
  const database = useDatabase(backend)
  let db: Db
  let engine: Engine
  beforeAll(async () => {
    db = database()
    engine = (await migrate(db, log)).engine
  })

  const fix = (bandId: string, seq: number, ts: number): Fix => ({
    bandId,
    seq,
    ts,
    lat: 36.8,
    lon: 118.05,
    acc: 10,
    src: 'gps',
    batt: 60,
    evt: [],
  })
  const count = async (sql: string, params: unknown[]) =>
    (await db.query<{ n: number }>(`SELECT count(*)::int AS n FROM ${sql}`, params)).rows[0]!.n

  const resident = async (name: string) =>
    (await db.query<{ id: number }>('INSERT INTO residents (display_name) VALUES ($1) RETURNING id', [name])).rows[0]!
      .id
  const band = (residentId: number) =>
    db.query(
      `INSERT INTO bands (id, secret_salt, secret_hash, resident_id)
    VALUES ('late', '\\x00', '\\x00', $1)`,
      [residentId],
    )
  const before = (t: number) => [`band_id = 'late' AND fix_time < to_timestamp($1 / 1000.0)`, [t]] as const

  it("when a backlog from an erased resident's time arrives after the erasure, then none is stored", async () => {
    const wang = await resident('Wang')
    await band(wang)
    const now = Date.now()
    const store = pgPositionStore(db)
    expect(await store.insert([fix('late', 1, now - 5 * HOUR), fix('late', 2, now - 4 * HOUR)])).toBe(2)
    if (engine === 'timescale') await db.query(`CALL refresh_continuous_aggregate('positions_hourly', NULL, NULL)`)
    expect(await count(`positions_hourly WHERE band_id = 'late'`, [])).toBe(2) // the check below can fail

    expect(await eraseResident(db, wang, null as never)).toBeDefined()
    // What the band held while Wang wore it, sent now; and a fix from after the erasure (nobody's, not Wang's).
    const backlog = [fix('late', 3, now - 3 * HOUR), fix('late', 4, now - 60_000), fix('late', 5, Date.now() + 1000)]
    expect(await store.insert(backlog)).toBe(1)
    const [where, params] = before(Date.now())
    expect(await count(`positions WHERE ${where}`, [...params])).toBe(0)
    // The hourly aggregate holds none of Wang's hours (TimescaleDB's materialised part included).
    expect(
      await count(`positions_hourly WHERE band_id = 'late' AND hour < to_timestamp($1 / 1000.0)`, [now - HOUR]),
    ).toBe(0)
    // What is kept of the erased period names nobody.
    const kept = await db.query(`SELECT * FROM erased_periods WHERE band_id = 'late'`)
    expect(kept.rows.length).toBe(1)
    expect(Object.keys(kept.rows[0]!).sort()).toEqual(['band_id', 'from_time', 'to_time'])
  })

  it("when the band is deleted and provisioned again after the erasure, then that time stays nobody's", async () => {
    await db.query(`DELETE FROM bands WHERE id = 'late'`)
    const li = await resident('Li')
    await band(li)
    expect(await pgPositionStore(db).insert([fix('late', 6, Date.now() - 3 * HOUR)])).toBe(0)
    const earlier = 'resident_positions WHERE resident_id = $1 AND fix_time < to_timestamp($2 / 1000.0)'
    expect(await count(earlier, [li, Date.now() - HOUR])).toBe(0)
  })
})
