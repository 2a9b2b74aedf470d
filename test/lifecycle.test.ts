// How positions age on each engine: TimescaleDB compresses them per band and drops them by
// policy, with an hourly continuous aggregate; plain PostgreSQL partitions them by day and its
// maintenance job makes the coming days' partitions and drops the expired ones. Both serve the
// same positions_hourly shape.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { applyLifecycle, createDb, createLogger, migrate, type Db, type Engine } from '../infra/index.ts'
import { pgPositionStore, type Fix } from '../ingest/index.ts'
import { BACKENDS, useDatabase, type TestDatabase } from './support/databases.ts'

const log = createLogger('silent')
const DAY = 86_400_000
const fix = (bandId: string, seq: number, ts: number): Fix => ({
  bandId,
  seq,
  ts,
  lat: 36.8,
  lon: 118.05,
  acc: 10,
  src: 'gps',
  batt: 70,
  evt: [],
})

describe.each(BACKENDS)('position lifecycle on $name', (backend) => {
  const database = useDatabase(backend)
  let db: Db
  let engine: Engine

  beforeAll(async () => {
    db = database()
    engine = (await migrate(db, log)).engine
  })

  const count = async (sql: string, params: unknown[] = []) => (await db.query<{ n: number }>(sql, params)).rows[0]!.n

  it('when the settings are applied twice with new values, then one policy or job of each kind carries the newest values', async () => {
    await applyLifecycle(db, engine, { retentionDays: 180, compressAfterDays: 7 })
    await applyLifecycle(db, engine, { retentionDays: 90, compressAfterDays: 3 })
    if (engine === 'timescale') {
      const jobs = (
        await db.query<{ proc_name: string; hypertable_name: string; config: Record<string, string> }>(
          `SELECT proc_name, hypertable_name, config FROM timescaledb_information.jobs ` +
            `WHERE hypertable_name IS NOT NULL ORDER BY proc_name, hypertable_name`,
        )
      ).rows
      expect(
        jobs.map((j) => [j.proc_name, j.hypertable_name, j.config.compress_after ?? j.config.drop_after ?? 'refresh']),
      ).toEqual([
        ['policy_compression', 'positions', '3 days'],
        ['policy_refresh_continuous_aggregate', 'positions_hourly', 'refresh'],
        ['policy_retention', 'positions', '90 days'],
        ['policy_retention', 'positions_hourly', '90 days'],
      ])
      const seg = await db.query(
        `SELECT attname FROM timescaledb_information.compression_settings WHERE ` +
          `hypertable_name = 'positions' AND segmentby_column_index = 1`,
      )
      expect(seg.rows).toEqual([{ attname: 'band_id' }])
    } else {
      // Today and the next seven days have their partitions.
      expect(
        await count(
          `SELECT count(*)::int AS n FROM pg_inherits WHERE inhparent = 'positions'::regclass ` +
            `AND inhrelid::regclass::text ~ '^positions_[0-9]{8}$'`,
        ),
      ).toBe(8)
    }
  })

  it('when reports are stored, then positions_hourly sums them per band and hour on either engine', async () => {
    const hour = Math.floor(Date.now() / 3_600_000) * 3_600_000 - 3 * 3_600_000
    await pgPositionStore(db).insert([
      fix('h1', 1, hour + 60_000),
      fix('h1', 2, hour + 120_000),
      { bandId: 'h1', seq: 3, ts: hour + 180_000, evt: ['sos'] },
      fix('h1', 4, hour + 3_700_000),
    ])
    if (engine === 'timescale') await db.query(`CALL refresh_continuous_aggregate('positions_hourly', NULL, NULL)`)
    const r = await db.query<{ hour: Date; reports: number; located: number; sos_or_fall: number }>(
      `SELECT hour, reports::int, located::int, sos_or_fall::int FROM positions_hourly ` +
        `WHERE band_id = 'h1' ORDER BY hour`,
    )
    expect(r.rows.map((x) => [x.hour.getTime() - hour, x.reports, x.located, x.sos_or_fall])).toEqual([
      [0, 3, 2, 1],
      [3_600_000, 1, 1, 0],
    ])
  })

  it('when positions are older than the retention, then they are dropped and younger ones stay', async () => {
    const now = Date.now()
    if (engine === 'plain') {
      // A day partition made a month ago, and an old backlog that went to the default partition.
      const d = new Date(now - 30 * DAY).toISOString().slice(0, 10)
      await db.query(
        `CREATE TABLE positions_${d.replaceAll('-', '')} PARTITION OF positions FOR VALUES FROM ('${d} 00:00Z') TO ('${d} 00:00Z'::timestamptz + interval '1 day')`,
      )
    }
    await pgPositionStore(db).insert([
      fix('r1', 1, now - 30 * DAY + 3_600_000),
      fix('r1', 2, now - 60 * DAY),
      fix('r1', 3, now - DAY),
    ])
    if (engine === 'timescale') {
      await applyLifecycle(db, engine, { retentionDays: 20, compressAfterDays: 3 })
      const job = await db.query<{ job_id: number }>(
        `SELECT job_id FROM timescaledb_information.jobs WHERE proc_name = 'policy_retention' ` +
          `AND hypertable_name = 'positions'`,
      )
      await db.query(`CALL run_job($1)`, [job.rows[0]!.job_id])
    } else {
      await applyLifecycle(db, engine, { retentionDays: 20, compressAfterDays: 3 })
      expect(
        await count(
          `SELECT count(*)::int AS n FROM pg_class WHERE relname = 'positions_${new Date(now - 30 * DAY).toISOString().slice(0, 10).replaceAll('-', '')}'`,
        ),
      ).toBe(0)
    }
    expect(
      (await db.query<{ seq: number }>(`SELECT seq::int FROM positions WHERE band_id = 'r1' ORDER BY seq`)).rows,
    ).toEqual([{ seq: 3 }])
  })
})

describe('compressed positions on TimescaleDB (PGlite build)', () => {
  let database: TestDatabase
  let db: Db
  const count = async (sql: string) => (await db.query<{ n: number }>(sql)).rows[0]!.n

  beforeAll(async () => {
    const backend = BACKENDS.find((b) => b.name.startsWith('TimescaleDB'))!
    database = await backend.start()
    db = createDb({ connectionString: database.url, log, max: 1 })
    await migrate(db, log)
  })
  afterAll(async () => {
    await db?.close()
    await database?.stop()
  })

  it('when an old chunk is compressed, then a late backlog still lands in it once and reads back', async () => {
    const old = Date.now() - 5 * DAY
    const store = pgPositionStore(db)
    expect(await store.insert([fix('c1', 1, old), fix('c1', 2, old + 10_000)])).toBe(2)
    const compressed = await count(
      `SELECT count(*)::int AS n FROM (SELECT compress_chunk(c, if_not_compressed ` +
        `=> true) FROM show_chunks('positions', older_than => interval '4 days') c) x`,
    )
    expect(compressed).toBeGreaterThan(0)
    expect(await store.insert([fix('c1', 2, old + 10_000), fix('c1', 3, old + 20_000)])).toBe(1)
    expect(
      (await db.query<{ seq: number }>(`SELECT seq::int FROM positions WHERE band_id = 'c1' ORDER BY seq`)).rows,
    ).toEqual([{ seq: 1 }, { seq: 2 }, { seq: 3 }])
  })
})
