// How a command-line tool reaches the database: DATABASE_URL; else the embedded database a
// running service is serving for DATA_DIR; else the embedded database opened here.
import { createDb, migrate, runningEmbeddedDb, startEmbeddedDb, type Config, type Db, type Logger } from '../infra/index.ts'

export async function withDatabase<T>(config: Config, log: Logger, fn: (db: Db) => Promise<T>): Promise<T> {
  const served = config.databaseUrl || (await runningEmbeddedDb(config.dataDir))
  const embedded = served ? undefined : await startEmbeddedDb({ dataDir: config.dataDir })
  const db = createDb({ connectionString: served || embedded!.connectionString, log, max: 1 })
  try {
    await migrate(db, log)
    return await fn(db)
  } finally {
    await db.close()
    await embedded?.stop()
  }
}
