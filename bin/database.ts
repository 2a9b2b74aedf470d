// How a command-line tool reaches the database: DATABASE_URL; else the embedded database a
// running service is serving for DATA_DIR (waiting while it starts); else the embedded database
// opened here, under DATA_DIR's lock. Never a second opening of the same files.
import {
  createDb,
  DataDirBusy,
  migrate,
  runningEmbeddedDb,
  startEmbeddedDb,
  type Config,
  type Db,
  type EmbeddedDb,
  type Logger,
} from '../infra/index.ts'

/** How long a command waits for a service to start serving, or another command to finish. */
const WAIT_MS = 120_000

async function reach(config: Config): Promise<{ url: string; embedded?: EmbeddedDb }> {
  if (config.databaseUrl) return { url: config.databaseUrl }
  const deadline = Date.now() + WAIT_MS
  for (;;) {
    const owner = await runningEmbeddedDb(config.dataDir)
    if (owner?.url && owner.role === 'service') return { url: owner.url }
    if (!owner) {
      try {
        const embedded = await startEmbeddedDb({ dataDir: config.dataDir, role: 'command' })
        return { url: embedded.connectionString, embedded }
      } catch (err) {
        if (!(err instanceof DataDirBusy)) throw err // taken meanwhile: look again
      }
    }
    if (Date.now() > deadline) {
      throw new Error(`DATA_DIR ${config.dataDir} stayed in use by process ${owner?.pid} for ${WAIT_MS / 1000} s`)
    }
    await new Promise((r) => setTimeout(r, 100)) // a service starting, or another command running
  }
}

export async function withDatabase<T>(config: Config, log: Logger, fn: (db: Db) => Promise<T>): Promise<T> {
  const { url, embedded } = await reach(config)
  const db = createDb({ connectionString: url, log, max: 1 })
  try {
    await migrate(db, log)
    return await fn(db)
  } finally {
    await db.close()
    await embedded?.stop()
  }
}
