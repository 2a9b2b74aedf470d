// One owner per DATA_DIR. PGlite opens its files in one process only: two processes opening them
// lose writes or worse. The lock file is created atomically with its whole content (written
// beside it, then hard-linked into place: link(2) fails if the name exists) and kept for the
// owner's whole life. It names the owner's pid and role, and once the database is served, its
// address; it is readable by the service's user only (0600 in a 0700 directory).
import { randomBytes } from 'node:crypto'
import { link, readFile, rename, rm, writeFile } from 'node:fs/promises'
import { join } from 'node:path'

export const LOCK_FILE = 'tongxing.lock'

export interface LockInfo {
  pid: number
  /** A running service, or a short command (provisioning, migrate) that opened the files itself. */
  role: 'service' | 'command'
  /** Where the owner serves the database; absent while it is starting. */
  url?: string
}

export interface HeldLock {
  /** Records where the database is served, for commands run meanwhile. */
  publish(url: string): Promise<void>
  release(): Promise<void>
}

export class DataDirBusy extends Error {
  constructor(readonly dir: string, readonly owner: LockInfo) {
    super(`DATA_DIR ${dir} is in use by ${owner.role === 'service' ? 'a running Tongxing service' : 'a tongxing command'}, `
      + `process ${owner.pid}; stop it or choose another DATA_DIR (if no such process is Tongxing, delete ${join(dir, LOCK_FILE)})`)
  }
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0)
    return true
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM'
  }
}

async function readLock(path: string): Promise<LockInfo | undefined> {
  const text = await readFile(path, 'utf8').catch(() => undefined)
  return text === undefined ? undefined : (JSON.parse(text) as LockInfo)
}

/** Writes `info` beside `path`, then links it into place (atomic; EEXIST when taken) or over it. */
async function place(path: string, info: LockInfo, replace: boolean): Promise<void> {
  const temp = `${path}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`
  await writeFile(temp, JSON.stringify(info), { mode: 0o600 })
  try {
    if (replace) await rename(temp, path)
    else await link(temp, path)
  } finally {
    await rm(temp, { force: true })
  }
}

/** Removes a lock left by a dead process — only if it is still that one (rename, then check). */
async function breakStale(path: string, stale: LockInfo): Promise<void> {
  const aside = `${path}.${process.pid}.${randomBytes(4).toString('hex')}.stale`
  if (!(await rename(path, aside).then(() => true, () => false))) return
  const moved = await readLock(aside)
  // Another process took the lock in between: put its lock back.
  if (moved && moved.pid !== stale.pid) await link(aside, path).catch(() => undefined)
  await rm(aside, { force: true })
}

/** The live owner of the directory's lock, if any (a lock of a dead process counts as none). */
export async function lockOwner(dir: string): Promise<LockInfo | undefined> {
  const info = await readLock(join(dir, LOCK_FILE)).catch(() => undefined)
  return info && isAlive(info.pid) ? info : undefined
}

/**
 * Takes the directory's lock, waiting up to `waitMs` while a command holds it (it will finish);
 * throws DataDirBusy at once when a service holds it, or when the wait is over.
 */
export async function takeLock(dir: string, role: LockInfo['role'], waitMs: number): Promise<HeldLock> {
  const path = join(dir, LOCK_FILE)
  const deadline = Date.now() + waitMs
  for (;;) {
    try {
      await place(path, { pid: process.pid, role }, false)
      break
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err
    }
    const owner = await readLock(path).catch(() => null) // null: unreadable
    if (owner === undefined) continue // released meanwhile
    if (owner && !isAlive(owner.pid)) {
      await breakStale(path, owner)
      continue
    }
    // A service keeps its lock for its whole life: no use waiting for it.
    if (owner?.role === 'service' || Date.now() >= deadline) {
      if (owner) throw new DataDirBusy(dir, owner)
      throw new Error(`${path} cannot be read; if no Tongxing process uses ${dir}, delete it`)
    }
    await sleep(100)
  }
  return {
    publish: (url) => place(path, { pid: process.pid, role, url }, true),
    async release() {
      if ((await readLock(path).catch(() => undefined))?.pid === process.pid) await rm(path, { force: true })
    },
  }
}
