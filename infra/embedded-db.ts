// The embedded database: PGlite (Postgres compiled to WASM) persisted under DATA_DIR and
// served on a loopback port by pglite-socket, so the service talks `pg` to it exactly as it
// talks to a PostgreSQL server. PGlite allows one process per data directory, so a lock file
// names the owner and the address it serves on; the CLI uses that address while the service runs.
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises'
import { join, resolve } from 'node:path'
import { PGlite } from '@electric-sql/pglite'
import { PGLiteSocketServer } from '@electric-sql/pglite-socket'

/** What pglite-socket needs of a PGlite instance (lets tests serve other PGlite builds). */
export type ServableDb = ConstructorParameters<typeof PGLiteSocketServer>[0]['db']

export interface EmbeddedDb {
  connectionString: string
  stop(): Promise<void>
}

export interface EmbeddedDbOptions {
  /** Directory to persist in; omitted: in memory (tests). */
  dataDir?: string
  /** A ready database to serve instead of opening PGlite on dataDir. */
  db?: ServableDb & { close(): Promise<void> }
}

const LOCK = 'tongxing.lock'

export async function startEmbeddedDb(opts: EmbeddedDbOptions = {}): Promise<EmbeddedDb> {
  const dir = opts.dataDir ? resolve(opts.dataDir) : undefined
  if (dir) {
    await mkdir(dir, { recursive: true })
    const owner = await readLock(dir)
    if (owner) throw new Error(`DATA_DIR ${dir} is in use by process ${owner.pid} (database at ${owner.url}); stop it or choose another DATA_DIR`)
  }
  const db = opts.db ?? (await PGlite.create(dir ? join(dir, 'pglite') : undefined))
  // Several pool connections are multiplexed onto PGlite's single session; a transaction
  // keeps the session to itself until it ends.
  const server = new PGLiteSocketServer({ db, host: '127.0.0.1', port: 0, maxConnections: 8 })
  await server.start()
  const connectionString = `postgres://postgres@${server.getServerConn()}/postgres?sslmode=disable`
  if (dir) await writeFile(join(dir, LOCK), JSON.stringify({ pid: process.pid, url: connectionString }))
  return {
    connectionString,
    async stop() {
      await server.stop()
      await db.close()
      if (dir) await rm(join(dir, LOCK), { force: true })
    },
  }
}

/** The address of the embedded database served by a live process for this DATA_DIR, if any. */
export async function runningEmbeddedDb(dataDir: string): Promise<string | undefined> {
  return (await readLock(resolve(dataDir)))?.url
}

async function readLock(dir: string): Promise<{ pid: number; url: string } | undefined> {
  let text: string
  try {
    text = await readFile(join(dir, LOCK), 'utf8')
  } catch {
    return undefined
  }
  const lock = JSON.parse(text) as { pid: number; url: string }
  return isAlive(lock.pid) ? lock : undefined // a lock left by a killed process is stale
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0)
    return true
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM'
  }
}
