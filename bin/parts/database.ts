// The database every role starts with: the configured server, or the embedded PGlite under
// DATA_DIR; migrated; and, where bands are stored, the retention and compression settings.
import {
  applyLifecycle,
  createDb,
  migrate,
  startEmbeddedDb,
  startLifecycleJob,
  type Config,
  type Db,
  type Logger,
} from '../../infra/index.ts'
import type { Stack } from './stack.ts'

export async function openDatabase(
  config: Config,
  log: Logger,
  stack: Stack,
): Promise<{ db: Db; databaseUrl: string }> {
  let databaseUrl = config.databaseUrl
  if (!databaseUrl) {
    const embedded = await startEmbeddedDb({ dataDir: config.dataDir, role: 'service', waitMs: 60_000 })
    stack.defer(() => embedded.stop())
    databaseUrl = embedded.connectionString
    // PGlite runs PostgreSQL with fsync=off and its WASM runtime never syncs (docs/durability.md).
    log.warn(
      { dataDir: config.dataDir },
      'embedded database (PGlite): an acknowledged report survives a crash of this ' +
        'process but not a power cut (it is never fsynced); production runs on a PostgreSQL or TimescaleDB server ' +
        '(DATABASE_URL)',
    )
  }
  // PGlite runs one session; one connection to it keeps statements from interleaving.
  const db = createDb({
    connectionString: databaseUrl,
    log: log.child({ part: 'db' }),
    max: config.databaseUrl ? config.dbPoolSize : 1,
    prepare: config.databaseUrl !== undefined,
  })
  stack.defer(() => db.close())
  const { engine } = await migrate(db, log)
  if (config.role !== 'dashboard') {
    const lifecycle = { retentionDays: config.retentionDays, compressAfterDays: config.compressAfterDays }
    await applyLifecycle(db, engine, lifecycle)
    const job = startLifecycleJob(db, engine, lifecycle, log)
    stack.defer(() => job.stop())
  }
  log.info({ engine, role: config.role }, 'database ready')
  return { db, databaseUrl }
}
