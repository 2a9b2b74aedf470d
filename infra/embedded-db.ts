// The embedded database: PGlite (Postgres compiled to WASM) persisted under DATA_DIR and served
// by pglite-socket, so the service talks `pg` to it exactly as it talks to a PostgreSQL server.
// It has no passwords, so it is served on a Unix socket inside a private (0700) directory, never
// on a TCP port: only the service's own OS user can reach it, or read DATA_DIR's files.
// PGlite allows one process per data directory: data-dir-lock.ts says who owns it and where its
// database is served, so commands run meanwhile use that.
// Memory: PGlite's PostgreSQL keeps its buffers inside the WASM memory, so shared_buffers is
// resident; it runs with a small one (the OS page cache still holds the files). A fresh directory
// is initialised (initdb) in a short child process: initialisation runs a second PostgreSQL and
// initdb side by side and glibc keeps what they freed, hundreds of MB the service would carry for
// the rest of its life (docs/benchmarks.md, "cost per report"). Its WASM is compiled by Liftoff,
// V8's baseline compiler, only: optimising PostgreSQL's hot functions with TurboFan leaves ~70 MB
// behind in malloc (docs/benchmarks.md, "the embedded default's memory"). And the process's
// JavaScript heap grows by half its live size between major collections, not by V8's default of up
// to four times: with bands reporting, the old generation climbed from 50 to 160 MB before each
// collection (docs/benchmarks.md, "the embedded default at 1500 bands").
import { spawn } from 'node:child_process'
import { once } from 'node:events'
import { existsSync } from 'node:fs'
import { createRequire } from 'node:module'
import { setFlagsFromString } from 'node:v8'
import { chmod, lstat, mkdir, mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { PGlite } from '@electric-sql/pglite'
import { PGLiteSocketHandler } from '@electric-sql/pglite-socket'
import pg from 'pg'
import { createServer, type Server } from 'node:net'
import { lockOwner, takeLock, type LockInfo } from './data-dir-lock.ts'
import { createSessionGate } from './pglite-session.ts'

/** What pglite-socket needs of a PGlite instance (lets tests serve other PGlite builds). */
export interface ServableDb {
  waitReady: Promise<void>
  exec(sql: string): Promise<unknown>
  isInTransaction(): boolean
  runExclusive<T>(fn: () => Promise<T>): Promise<T>
  execProtocolRawStream(message: Uint8Array, o: { onRawData: (data: Uint8Array) => void }): Promise<void>
}

export interface EmbeddedDb {
  connectionString: string
  stop(): Promise<void>
}

export interface EmbeddedDbOptions {
  /** Directory to persist in; omitted: in memory (tests). */
  dataDir?: string
  /** A ready database to serve instead of opening PGlite on dataDir. */
  db?: ServableDb & { close(): Promise<void> }
  /** Who opens the directory: a service, or a short command. */
  role?: LockInfo['role']
  /** How long to wait for another process's lock (a command finishing) before giving up. */
  waitMs?: number
}

/** PostgreSQL settings for the embedded server, over its postgresql.conf (new and old directories alike). */
const SETTINGS = ['shared_buffers=16MB']
const startParams = [...PGlite.defaultStartParams, ...SETTINGS.flatMap((s) => ['-c', s])]
/** Read when a WASM module is compiled, so set before PGlite compiles its own (and in the initdb child). */
const WASM_FLAGS = '--liftoff-only'
/**
 * Read at each major collection (V8's heap controller), so it takes effect when set. A factor, not
 * a ceiling: the heap still grows with what it holds, the collections come sooner.
 */
const HEAP_FLAGS = '--heap-growing-percent=50'

/** Runs initdb for a directory that holds no database yet, in a child process whose memory goes with it. */
async function initialise(pgDir: string): Promise<void> {
  if (existsSync(join(pgDir, 'PG_VERSION'))) return
  const pglite = JSON.stringify(createRequire(import.meta.url).resolve('@electric-sql/pglite'))
  const code = `require(${pglite}).PGlite.create(${JSON.stringify(pgDir)}).then((db) => db.close())`
  let stderr = ''
  const child = spawn(process.execPath, [WASM_FLAGS, '-e', code], { stdio: ['ignore', 'ignore', 'pipe'] })
  child.stderr.on('data', (d: Buffer) => {
    stderr += d.toString()
  })
  const [status] = (await once(child, 'exit')) as [number | null]
  if (status !== 0)
    throw new Error(`could not initialise the embedded database in ${pgDir}: ${stderr.trim().slice(-500)}`)
}

/** Postgres' socket name in its directory (libpq and pg look for `.s.PGSQL.<port>`). */
const PORT = 5432
/** sockaddr_un holds 108 bytes: longer socket paths go to a private directory under the temp dir. */
const MAX_SOCKET_PATH = 100

/**
 * A directory only this user may enter. An existing one (an older install) is closed too — if it is
 * ours: one made by another OS user is refused, not taken over (root could chmod it), since that
 * user can still reach what we would keep there.
 */
async function privateDir(dir: string): Promise<void> {
  await mkdir(dir, { recursive: true, mode: 0o700 })
  const st = await lstat(dir)
  if (!st.isDirectory()) throw new Error(`${dir} is not a directory (a link or a file); choose another DATA_DIR`)
  const uid = process.getuid?.()
  if (uid !== undefined && st.uid !== uid) {
    throw new Error(
      `${dir} belongs to another user (uid ${st.uid}), not to the user running Tongxing (uid ${uid}); ` +
        'run Tongxing as that user, or choose a DATA_DIR of its own',
    )
  }
  await chmod(dir, 0o700)
}

export async function startEmbeddedDb(opts: EmbeddedDbOptions = {}): Promise<EmbeddedDb> {
  const dir = opts.dataDir ? resolve(opts.dataDir) : undefined
  if (dir) await privateDir(dir)
  const lock = dir ? await takeLock(dir, opts.role ?? 'service', opts.waitMs ?? 0) : undefined
  const cleanup: (() => Promise<unknown>)[] = [async () => lock?.release()]
  const stop = async () => {
    for (const fn of cleanup.splice(0).reverse()) await fn()
  }
  try {
    if (dir) await privateDir(join(dir, 'pglite'))
    if (dir && !opts.db) await initialise(join(dir, 'pglite'))
    if (!opts.db) setFlagsFromString(`${WASM_FLAGS} ${HEAP_FLAGS}`)
    const db = opts.db ?? (await PGlite.create(dir ? join(dir, 'pglite') : undefined, { startParams }))
    cleanup.push(() => db.close())
    let socketDir = dir ? join(dir, 'run') : undefined
    if (!socketDir || join(socketDir, `.s.PGSQL.${PORT}`).length > MAX_SOCKET_PATH) {
      socketDir = await mkdtemp(join(tmpdir(), 'tongxing-db-')) // made 0700
      const made = socketDir
      cleanup.push(() => rm(made, { recursive: true, force: true }))
    } else await privateDir(socketDir)
    const path = join(socketDir, `.s.PGSQL.${PORT}`)
    await rm(path, { force: true }) // left by a killed owner; the lock is ours now
    // Every connection shares PGlite's single session, one exchange or transaction at a time.
    const server = await serve(db, path)
    cleanup.push(() => server.stop())
    const connectionString = `postgres://postgres@/postgres?host=${encodeURIComponent(socketDir)}&port=${PORT}`
    await lock?.publish(connectionString)
    return { connectionString, stop }
  } catch (err) {
    await stop()
    throw err
  }
}

/**
 * Whether the server at `connectionString` is an embedded database (another process's, reached by
 * its socket): one session shared by every connection, reset when it passes between them.
 */
export async function isEmbeddedServer(connectionString: string): Promise<boolean> {
  const client = new pg.Client({ connectionString })
  await client.connect()
  try {
    const r = await client.query<{ version: string }>('SELECT version()')
    return r.rows[0]!.version.includes('PGlite')
  } finally {
    await client.end()
  }
}

/** Serves `db` on a Unix socket; pglite-socket's handler speaks the protocol, the gate shares the session. */
async function serve(db: ServableDb, path: string): Promise<{ stop(): Promise<void> }> {
  await db.waitReady
  const queryQueue = createSessionGate(db)
  const handlers = new Set<PGLiteSocketHandler>()
  const server: Server = createServer((socket) => {
    const handler = new PGLiteSocketHandler({ queryQueue, closeOnDetach: true })
    handlers.add(handler)
    const forget = () => handlers.delete(handler)
    handler.addEventListener('close', forget)
    handler.addEventListener('error', forget)
    handler.attach(socket).catch(() => socket.destroy())
  })
  server.maxConnections = 8
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject)
    server.listen(path, () => resolve())
  })
  return {
    async stop() {
      const closed = new Promise<void>((resolve) => server.close(() => resolve()))
      await Promise.all([...handlers].map((h) => h.detach(true)))
      await closed
    },
  }
}

/** The embedded database a live process serves for this DATA_DIR, or what holds the directory. */
export async function runningEmbeddedDb(dataDir: string): Promise<LockInfo | undefined> {
  return lockOwner(resolve(dataDir))
}
