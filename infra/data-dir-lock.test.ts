import { spawn, spawnSync } from 'node:child_process'
import { once } from 'node:events'
import { mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { DataDirBusy, LOCK_FILE, lockOwner, takeLock } from './data-dir-lock.ts'

const dir = () => mkdtempSync(join(tmpdir(), 'tongxing-lock-'))
/** The pid of a process that has exited. */
const deadPid = () => spawnSync(process.execPath, ['-e', '']).pid!

describe('the DATA_DIR lock', () => {
  it('when twenty takers race for a free directory, then exactly one holds it and the others are told who does', async () => {
    const d = dir()
    const outcomes = await Promise.allSettled(Array.from({ length: 20 }, () => takeLock(d, 'service', 0)))
    expect(outcomes.filter((o) => o.status === 'fulfilled')).toHaveLength(1)
    for (const o of outcomes.filter((x) => x.status === 'rejected'))
      expect((o as PromiseRejectedResult).reason).toBeInstanceOf(DataDirBusy)
    expect(JSON.parse(readFileSync(join(d, LOCK_FILE), 'utf8'))).toMatchObject({ pid: process.pid, role: 'service' })
    expect(statSync(join(d, LOCK_FILE)).mode & 0o077).toBe(0)
  })

  it('when the owner publishes its address, then others read it; when it releases, the directory is free', async () => {
    const d = dir()
    const held = await takeLock(d, 'service', 0)
    expect(await lockOwner(d)).toMatchObject({ pid: process.pid, role: 'service' })
    await held.publish('postgres://postgres@/postgres?host=%2Frun&port=5432')
    expect((await lockOwner(d))?.url).toBe('postgres://postgres@/postgres?host=%2Frun&port=5432')
    await held.release()
    expect(await lockOwner(d)).toBeUndefined()
  })

  it('when the lock was left by a process that died, then the next taker gets the directory', async () => {
    const d = dir()
    writeFileSync(join(d, LOCK_FILE), JSON.stringify({ pid: deadPid(), role: 'service' }))
    expect(await lockOwner(d)).toBeUndefined()
    await takeLock(d, 'service', 0)
    expect(JSON.parse(readFileSync(join(d, LOCK_FILE), 'utf8')).pid).toBe(process.pid)
  })

  it('when the owner was killed and its parent has not reaped it yet (a zombie), then the next taker gets the directory', async () => {
    const d = dir()
    // sh starts a child that exits at once, then becomes `sleep`, which never waits for it.
    const parent = spawn('sh', ['-c', 'sleep 0 & echo $!; exec sleep 30'], { stdio: ['ignore', 'pipe', 'ignore'] })
    try {
      const [out] = (await once(parent.stdout!, 'data')) as [Buffer]
      const pid = Number(out.toString().trim())
      const stat = () => readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ').pop()!.split(' ')
      while (stat()[0] !== 'Z') await new Promise((r) => setTimeout(r, 10))
      const boot = readFileSync('/proc/sys/kernel/random/boot_id', 'utf8').trim()
      writeFileSync(join(d, LOCK_FILE), JSON.stringify({ pid, role: 'service', boot, start: stat()[19] }))
      expect(await lockOwner(d)).toBeUndefined()
      const held = await takeLock(d, 'service', 0)
      expect(JSON.parse(readFileSync(join(d, LOCK_FILE), 'utf8')).pid).toBe(process.pid)
      await held.release()
    } finally {
      parent.kill()
    }
  })

  it("when a command holds the lock, then a service waits for it; a service's lock is refused at once", async () => {
    const d = dir()
    const command = await takeLock(d, 'command', 0)
    const waiting = takeLock(d, 'service', 5000)
    setTimeout(() => void command.release(), 300)
    const service = await waiting
    const started = Date.now()
    await expect(takeLock(d, 'service', 5000)).rejects.toThrow(/in use by a running Tongxing service, process \d+/)
    expect(Date.now() - started).toBeLessThan(1000)
    await service.release()
  })

  it('when the lock names this very process but was not taken by it (PID 1 of a restarted container), then it is stale', async () => {
    const d = dir()
    writeFileSync(join(d, LOCK_FILE), JSON.stringify({ pid: process.pid, role: 'service', url: 'postgres://gone' }))
    expect(await lockOwner(d)).toBeUndefined()
    const held = await takeLock(d, 'service', 0)
    expect(await lockOwner(d)).toMatchObject({ pid: process.pid, role: 'service' })
    await held.release()
  })

  it("when the lock's pid now belongs to an unrelated process (started later, or in another boot), then it is stale; the real owner is not", async () => {
    const d = dir()
    const other = spawn('sleep', ['30'])
    try {
      await new Promise((r) => other.once('spawn', r))
      const boot = readFileSync('/proc/sys/kernel/random/boot_id', 'utf8').trim()
      const start = readFileSync(`/proc/${other.pid}/stat`, 'utf8').split(') ')[1]!.split(' ')[19]!
      const lock = (o: object) =>
        writeFileSync(join(d, LOCK_FILE), JSON.stringify({ pid: other.pid, role: 'service', ...o }))
      lock({ boot, start: String(Number(start) - 1) }) // the Tongxing that wrote it started at another moment
      expect(await lockOwner(d)).toBeUndefined()
      lock({ boot: 'another-boot', start })
      expect(await lockOwner(d)).toBeUndefined()
      lock({ boot, start }) // that process itself: alive
      expect(await lockOwner(d)).toMatchObject({ pid: other.pid })
      await expect(takeLock(d, 'service', 0)).rejects.toBeInstanceOf(DataDirBusy)
    } finally {
      other.kill()
    }
  })
})
