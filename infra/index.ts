// infra/: database access, migrations, the embedded database, config, logging.
export { createDb, type Db, type Queryable, type Row } from './db.ts'
export { startEmbeddedDb, runningEmbeddedDb, type EmbeddedDb, type ServableDb } from './embedded-db.ts'
export { migrate, detectEngine, listMigrations, type Engine } from './migrate.ts'
export { loadConfig, CONFIG_KEYS, type Config, type ConfigKey } from './config.ts'
export { createLogger, type Logger } from './log.ts'
export { retryForever } from './retry.ts'
export { cached } from './cached.ts'
export { createBus, notifyChunks, NOTIFY_MAX_BYTES, type Bus } from './bus.pg.ts'
