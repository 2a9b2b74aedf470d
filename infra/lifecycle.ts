// How long positions live and when they are compressed, from the configuration. TimescaleDB runs
// its own policies (set here at start-up, replacing earlier settings); on plain PostgreSQL the
// service runs the maintenance function of migration 014 at start and every hour.
import type { Db } from './db.ts'
import type { Logger } from './log.ts'
import type { Engine } from './migrate.ts'
import { periodic, type PeriodicTask } from './periodic.ts'

export interface Lifecycle {
  /** Positions older than this are dropped; 0 keeps them forever. */
  retentionDays: number
  /** TimescaleDB compresses chunks older than this. */
  compressAfterDays: number
}

export async function applyLifecycle(db: Db, engine: Engine, l: Lifecycle): Promise<void> {
  if (engine === 'plain') {
    await db.query('SELECT tongxing_positions_maintain($1)', [l.retentionDays])
    return
  }
  await db.tx(async (c) => {
    await c.query(`SELECT remove_compression_policy('positions', if_exists => true)`)
    await c.query(`SELECT add_compression_policy('positions', compress_after => make_interval(days => $1))`, [
      l.compressAfterDays,
    ])
    for (const table of ['positions', 'positions_hourly']) {
      await c.query(`SELECT remove_retention_policy($1, if_exists => true)`, [table])
      if (l.retentionDays > 0)
        await c.query(`SELECT add_retention_policy($1, drop_after => make_interval(days => $2))`, [
          table,
          l.retentionDays,
        ])
    }
  })
}

/** Plain PostgreSQL: the hourly partition and retention job, every `everyMs`. */
export function startLifecycleJob(
  db: Db,
  engine: Engine,
  l: Lifecycle,
  log: Logger,
  everyMs = 3_600_000,
): PeriodicTask {
  const job = periodic({
    everyMs,
    log,
    what: 'position partition maintenance',
    run: async () => {
      if (engine === 'plain') await applyLifecycle(db, engine, l)
    },
  })
  if (engine === 'plain') job.start()
  return job
}
