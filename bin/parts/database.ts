// The database every role starts with: the configured server, or the embedded PGlite under
// DATA_DIR; migrated; and, where bands are stored, the retention and compression settings.
import {
  applyLifecycle,
  createDb,
  isEmbeddedServer,
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
  // PGlite runs one session, passed between connections and reset when it is (infra/pglite-session.ts):
  // one connection to it, and no statements kept prepared. So too when DATABASE_URL names another
  // process's embedded database.
  const oneSession = !config.databaseUrl || (await isEmbeddedServer(databaseUrl))
  if (config.databaseUrl && oneSession)
    log.warn('DATABASE_URL is an embedded database another process serves: one connection, shared with that process')
  const db = createDb({
    connectionString: databaseUrl,
    log: log.child({ part: 'db' }),
    max: oneSession ? 1 : config.dbPoolSize,
    prepare: !oneSession,
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
