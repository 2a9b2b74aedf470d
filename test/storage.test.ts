// Migrations and position storage on every backend: the schema is versioned and applied once,
// TimescaleDB gets a hypertable, and a redelivered report is stored once.
import { beforeAll, describe, expect, it } from 'vitest'
import { createLogger, listMigrations, migrate, type Db } from '../infra/index.ts'
import { pgPositionStore, type Fix } from '../ingest/index.ts'
import { BACKENDS, useDatabase } from './support/databases.ts'

const log = createLogger('silent')

describe.each(BACKENDS)('storage on $name', (backend) => {
  const database = useDatabase(backend)
  let db: Db
  beforeAll(() => {
    db = database()
  })

  it('when migrations run twice, then each version is applied once and recorded with the engine', async () => {
    const first = await migrate(db, log)
    const versions = (await listMigrations(first.engine)).map((m) => m.version)
    expect(versions.slice(0, 9)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9]) // numbered without gaps
    expect(first.applied).toEqual(versions)
    expect(first.engine).toBe(backend.name.startsWith('TimescaleDB') ? 'timescale' : 'plain')
    expect((await migrate(db, log)).applied).toEqual([])
    const r = await db.query('SELECT version, engine FROM schema_migrations ORDER BY version')
    expect(r.rows).toEqual(versions.map((version) => ({ version, engine: first.engine })))
  })

  it('when the engine is TimescaleDB, then positions is a hypertable on fix time; otherwise a plain table', async () => {
    const hyper = await db.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
       WHERE c.relname = 'hypertable' AND n.nspname = '_timescaledb_catalog'`,
    )
    if (backend.name.startsWith('TimescaleDB')) {
      const r = await db.query(`SELECT hypertable_name, primary_dimension FROM timescaledb_information.hypertables`)
      expect(r.rows).toEqual([{ hypertable_name: 'positions', primary_dimension: 'fix_time' }])
    } else {
      expect(hyper.rows[0]!.n).toBe(0)
    }
  })

  it('when a batch holds a fix, an event without a fix and a repeat of an earlier fix, then the repeat is skipped', async () => {
    const store = pgPositionStore(db)
    const ts = Date.UTC(2026, 10, 28, 3, 0, 0)
    const fix: Fix = {
      bandId: 'b1',
      seq: 1,
      ts,
      lat: 36.8,
      lon: 118.05,
      acc: 12,
      src: 'gps',
      batt: 76,
      chg: false,
      spd: 0.9,
      hdg: 215,
      evt: [],
    }
    const sos: Fix = { bandId: 'b1', seq: 2, ts: ts + 1500, evt: ['sos', 'fall'] }
    expect(await store.insert([fix, sos])).toBe(2)
    expect(await store.insert([fix, { ...fix, seq: 3, ts: ts + 3000 }])).toBe(1)
    const r =
      await db.query(`SELECT seq, extract(epoch FROM fix_time)::float8 * 1000 AS ts, lat, acc, src, batt, chg, evt
                              FROM positions WHERE band_id = 'b1' ORDER BY seq`)
    expect(r.rows).toEqual([
      { seq: 1, ts, lat: 36.8, acc: 12, src: 'gps', batt: 76, chg: false, evt: null },
      { seq: 2, ts: ts + 1500, lat: null, acc: null, src: null, batt: null, chg: null, evt: ['sos', 'fall'] },
      { seq: 3, ts: ts + 3000, lat: 36.8, acc: 12, src: 'gps', batt: 76, chg: false, evt: null },
    ])
  })

  it('when positions are stored many times, then a server keeps the statement prepared on its connections and the embedded session keeps none', async () => {
    const store = pgPositionStore(db)
    const ts = Date.UTC(2026, 10, 28, 4, 0, 0)
    for (let i = 0; i < 6; i++)
      await store.insert([{ bandId: 'b2', seq: i, ts: ts + i * 1000, lat: 36.8, lon: 118, evt: [] }])
    // Every connection of the pool that stored a batch holds it; ask each of them.
    const held = await Promise.all(
      Array.from({ length: 4 }, () =>
        db.query<{ n: number }>(
          "SELECT count(*)::int AS n FROM pg_prepared_statements WHERE name = 'tongxing_insert_positions'",
        ),
      ),
    )
    const prepared = held.some((r) => r.rows[0]!.n === 1)
    expect(prepared).toBe(backend.name === 'PostgreSQL server')
  })
})
