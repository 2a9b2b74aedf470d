// One owner per DATA_DIR. PGlite opens its files in one process only: two processes opening them
// lose writes or worse. The lock file is created atomically with its whole content (written
// beside it, then hard-linked into place: link(2) fails if the name exists) and kept for the
// owner's whole life. It names the owner's pid and role, and once the database is served, its
// address; it is readable by the service's user only (0600 in a 0700 directory).
//
// A pid alone does not say the owner lives: after a restart a container's service is PID 1 again
// and finds its own pid in the lock it left, and a host reuses pids. So the lock also carries a
// random token (a lock naming this process is live only if this process took it), and on Linux the
// boot id and the owner's start time (/proc/<pid>/stat field 22): a live pid that started at
// another moment, or in another boot, is not the owner. Nor is one that was killed and waits for
// its parent to reap it (a zombie: its files are closed, its pid still answers).
import { randomBytes } from 'node:crypto'
import { readFileSync } from 'node:fs'
import { link, readFile, rename, rm, writeFile } from 'node:fs/promises'
import { join } from 'node:path'

export const LOCK_FILE = 'tongxing.lock'

export interface LockInfo {
  pid: number
  /** A running service, or a short command (provisioning, migrate) that opened the files itself. */
  role: 'service' | 'command'
  /** Where the owner serves the database; absent while it is starting. */
  url?: string
  /** Random, per lock taken: tells this process's own locks from a previous life's. */
  token?: string
  /** Linux: the boot id and the owner's start time in clock ticks since boot. */
  boot?: string
  start?: string
}

export interface HeldLock {
  /** Records where the database is served, for commands run meanwhile. */
  publish(url: string): Promise<void>
  release(): Promise<void>
}

export class DataDirBusy extends Error {
  constructor(
    readonly dir: string,
    readonly owner: LockInfo,
  ) {
    super(
      `DATA_DIR ${dir} is in use by ${owner.role === 'service' ? 'a running Tongxing service' : 'a tongxing command'}, ` +
        `process ${owner.pid}; stop it or choose another DATA_DIR (if no such process ` +
        `is Tongxing, delete ${join(dir, LOCK_FILE)})`,
    )
  }
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))

/** Tokens of the locks this process holds. */
const heldHere = new Set<string>()

/**
 * The fields of /proc/<pid>/stat after the command name (which is in parentheses and may hold
 * spaces): field 3 (the state) is the first, field 22 (the start time) the 20th. Undefined elsewhere
 * than Linux, or if the process is gone.
 */
function statFields(pid: number): string[] | undefined {
  try {
    return readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ').pop()!.split(' ')
  } catch {
    return undefined
  }
}

/** Linux's identity of a running process (boot id, start time), or undefined elsewhere or if it is gone. */
function identity(pid: number, fields = statFields(pid)): { boot: string; start: string } | undefined {
  const start = fields?.[19]
  if (!start) return undefined
  try {
    return { boot: readFileSync('/proc/sys/kernel/random/boot_id', 'utf8').trim(), start }
  } catch {
    return undefined
  }
}

function isAlive(info: LockInfo): boolean {
  if (info.pid === process.pid) return info.token !== undefined && heldHere.has(info.token)
  try {
    process.kill(info.pid, 0)
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EPERM') return false
  }
  const fields = statFields(info.pid)
  // Exited and waiting only for its parent to reap it (a zombie): it holds no files.
  if (fields?.[0] === 'Z' || fields?.[0] === 'X') return false
  if (info.boot === undefined || info.start === undefined) return true // an older lock: the pid is all it says
  const now = identity(info.pid, fields)
  return now === undefined || (now.boot === info.boot && now.start === info.start)
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
  if (
    !(await rename(path, aside).then(
      () => true,
      () => false,
    ))
  )
    return
  const moved = await readLock(aside)
  // Another process took the lock in between: put its lock back.
  if (moved && (moved.pid !== stale.pid || moved.token !== stale.token)) await link(aside, path).catch(() => undefined)
  await rm(aside, { force: true })
}

/** The live owner of the directory's lock, if any (a lock of a dead process counts as none). */
export async function lockOwner(dir: string): Promise<LockInfo | undefined> {
  const info = await readLock(join(dir, LOCK_FILE)).catch(() => undefined)
  return info && isAlive(info) ? info : undefined
}

/**
 * Takes the directory's lock, waiting up to `waitMs` while a command holds it (it will finish);
 * throws DataDirBusy at once when a service holds it, or when the wait is over.
 */
export async function takeLock(dir: string, role: LockInfo['role'], waitMs: number): Promise<HeldLock> {
  const path = join(dir, LOCK_FILE)
  const deadline = Date.now() + waitMs
  const mine: LockInfo = { pid: process.pid, role, token: randomBytes(12).toString('hex'), ...identity(process.pid) }
  heldHere.add(mine.token!)
  for (;;) {
    try {
      await place(path, mine, false)
      break
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err
    }
    const owner = await readLock(path).catch(() => null) // null: unreadable
    if (owner === undefined) continue // released meanwhile
    if (owner && !isAlive(owner)) {
      await breakStale(path, owner)
      continue
    }
    // A service keeps its lock for its whole life: no use waiting for it.
    if (owner?.role === 'service' || Date.now() >= deadline) {
      heldHere.delete(mine.token!)
      if (owner) throw new DataDirBusy(dir, owner)
      throw new Error(`${path} cannot be read; if no Tongxing process uses ${dir}, delete it`)
    }
    await sleep(100)
  }
  return {
    publish: (url) => place(path, { ...mine, url }, true),
    async release() {
      if ((await readLock(path).catch(() => undefined))?.token === mine.token) await rm(path, { force: true })
      heldHere.delete(mine.token!)
    },
  }
}
