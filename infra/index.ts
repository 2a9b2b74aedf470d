// infra/: database access, migrations, the embedded database, config, logging.
export { createDb, type Db, type Queryable, type Row } from './db.ts'
export {
  startEmbeddedDb,
  runningEmbeddedDb,
  isEmbeddedServer,
  type EmbeddedDb,
  type ServableDb,
} from './embedded-db.ts'
export { DataDirBusy, type LockInfo } from './data-dir-lock.ts'
export { migrate, detectEngine, listMigrations, type Engine } from './migrate.ts'
export { loadConfig, envFileText, configTableText, CONFIG_KEYS, type Config, type ConfigKey } from './config.ts'
export { createLogger, type Logger } from './log.ts'
export { retryForever } from './retry.ts'
export { periodic, type PeriodicTask } from './periodic.ts'
export { cached } from './cached.ts'
export { within } from './within.ts'
export { createBus, notifyChunks, NOTIFY_MAX_BYTES, type Bus } from './bus.pg.ts'
export { applyLifecycle, startLifecycleJob, type Lifecycle } from './lifecycle.ts'
