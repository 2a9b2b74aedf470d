// The embedded database as a local attacker and a hurried operator meet it: another OS user on the
// machine can neither read DATA_DIR nor connect to the database (it has no passwords); a
// provisioning command run while the service is starting never opens the same files a second
// time, and what it creates is what the service sees.
import { execFile, execFileSync, spawnSync } from 'node:child_process'
import { promisify } from 'node:util'
import { chmodSync, chownSync, existsSync, mkdirSync, mkdtempSync, readFileSync, statSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import type { Service } from '../bin/service.ts'
import { BAND, PASSWORD, connectBand, fixNorth, provisionWorld } from './support/fixtures.ts'
import { freePort, runCli, spawnCli } from './support/cli.ts'
import { startEmbeddedDb } from '../infra/index.ts'
import { startTestService } from './support/service.ts'

const isRoot = process.getuid?.() === 0
const PROBE = 'tongxing-probe'
/** Runs a command without blocking this process (the database under test is served from it). */
const run = (cmd: string, args: string[]) =>
  promisify(execFile)(cmd, args, {
    encoding: 'utf8',
    cwd: '/',
    env: { PATH: process.env.PATH, PGCONNECT_TIMEOUT: '5' },
  }).then(
    ({ stdout }) => ({ status: 0, stdout }),
    (err: { code?: number; stdout?: string }) => ({ status: err.code ?? 1, stdout: err.stdout ?? '' }),
  )
const has = (cmd: string) => spawnSync('sh', ['-c', `command -v ${cmd}`]).status === 0

/** A DATA_DIR as `./data` would be: made by the service inside a directory everyone may enter. */
function openParentDataDir(): string {
  const parent = mkdtempSync(join(tmpdir(), 'tongxing-perm-'))
  chmodSync(parent, 0o755)
  return join(parent, 'data')
}

describe('the embedded database and another local user', () => {
  let service: Service | undefined
  afterAll(() => service?.stop())

  it('when another OS user tries to read DATA_DIR or connect to the database, then both are refused', async () => {
    const dataDir = openParentDataDir()
    service = await startTestService({ DATA_DIR: dataDir })
    await provisionWorld(service.db)
    const band = await connectBand(service.mqttPort!, BAND)
    await band.publishAsync(`bands/${BAND.id}/telemetry`, JSON.stringify(fixNorth(1, 0, Date.now() - 60_000)), {
      qos: 1,
    })
    await band.endAsync()
    const lockFile = join(dataDir, 'tongxing.lock')
    const url = (JSON.parse(readFileSync(lockFile, 'utf8')) as { url: string }).url
    // Nobody but the owner may enter DATA_DIR or read the lock (it says where the database is).
    expect(statSync(dataDir).mode & 0o077).toBe(0)
    expect(statSync(lockFile).mode & 0o077).toBe(0)
    expect(statSync(join(dataDir, 'pglite')).mode & 0o077).toBe(0)
    // The owner reaches it (what the README's psql line does).
    if (has('psql'))
      expect(await run('psql', [url, '-tAc', 'SELECT count(*) FROM positions'])).toEqual({ status: 0, stdout: '1\n' })

    if (!isRoot || !has('useradd') || !has('runuser'))
      return console.warn('another-user check skipped: needs root, useradd and runuser')
    if (spawnSync('id', [PROBE]).status !== 0)
      execFileSync('useradd', ['--system', '--no-create-home', '--shell', '/usr/sbin/nologin', PROBE])
    const asProbe = (cmd: string, args: string[]) => run('runuser', ['-u', PROBE, '--', cmd, ...args])
    expect((await asProbe('cat', [lockFile])).status).not.toBe(0)
    expect((await asProbe('ls', [join(dataDir, 'pglite')])).status).not.toBe(0)
    if (has('psql')) {
      const tried = await asProbe('psql', [url, '-tAc', 'SELECT count(*) FROM positions'])
      expect(tried.status, tried.stdout).not.toBe(0)
      expect(tried.stdout.trim()).toBe('')
    }
  }, 60_000)
})

describe('a provisioning command while the service starts', () => {
  const ROUNDS = [0, 250, 500, 1000, 2000] // ms between starting the service and the command

  it('when a user is added at the moment the service starts, many times, then the command succeeds and the service sees the user every time', async () => {
    for (const [round, delay] of ROUNDS.entries()) {
      const dataDir = mkdtempSync(join(tmpdir(), 'tongxing-race-'))
      const httpPort = await freePort()
      const service = spawnCli(['serve'], {
        DATA_DIR: dataDir,
        PORT: String(httpPort),
        MQTT_PORT: String(await freePort()),
        HOST: '127.0.0.1',
        LOG_LEVEL: 'warn',
      })
      try {
        await new Promise((r) => setTimeout(r, delay))
        const username = `carer-${round}`
        await runCli(['user', 'add', '--username', username, '--password', PASSWORD, '--role', 'admin'], {
          DATA_DIR: dataDir,
          LOG_LEVEL: 'error',
        })
        let ready = false
        for (let i = 0; i < 600 && !ready && service.process.exitCode === null; i++) {
          ready = (await fetch(`http://127.0.0.1:${httpPort}/readyz`).catch(() => undefined))?.ok ?? false
          if (!ready) await new Promise((r) => setTimeout(r, 100))
        }
        expect(service.process.exitCode, `round ${round}: ${service.output()}`).toBeNull()
        const signIn = await fetch(`http://127.0.0.1:${httpPort}/api/login`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ username, password: PASSWORD }),
        })
        expect(signIn.status, `round ${round} (command ${delay} ms after the service)`).toBe(204)
        // The service still owns the directory: its lock names it.
        expect(JSON.parse(readFileSync(join(dataDir, 'tongxing.lock'), 'utf8'))).toMatchObject({
          pid: service.process.pid,
          role: 'service',
        })
      } finally {
        service.process.kill('SIGTERM')
        await service.exited
      }
      expect(existsSync(join(dataDir, 'tongxing.lock'))).toBe(false)
    }
  }, 300_000)
})

describe('a DATA_DIR that is not ours', () => {
  it('when DATA_DIR (or its database directory) was made by another OS user, then the service refuses, saying whose it is, and changes nothing', async () => {
    if (!isRoot) return console.warn('foreign DATA_DIR check skipped: needs root to make a directory of another user')
    for (const sub of ['', 'pglite']) {
      const dataDir = join(mkdtempSync(join(tmpdir(), 'tongxing-foreign-')), 'data')
      mkdirSync(join(dataDir, sub), { recursive: true, mode: 0o755 })
      chownSync(join(dataDir, sub), 65534, 65534)
      await expect(startEmbeddedDb({ dataDir, role: 'service' })).rejects.toThrow(
        /belongs to another user \(uid 65534\)/,
      )
      expect(statSync(join(dataDir, sub)).mode & 0o777).toBe(0o755)
      expect(statSync(join(dataDir, sub)).uid).toBe(65534)
      expect(existsSync(join(dataDir, 'tongxing.lock'))).toBe(false)
    }
  })

  it('when the service runs under umask 077, then it starts and a command run meanwhile reaches its database', async () => {
    const dataDir = join(mkdtempSync(join(tmpdir(), 'tongxing-umask-')), 'data')
    const httpPort = await freePort()
    const env = {
      DATA_DIR: dataDir,
      PORT: String(httpPort),
      MQTT_PORT: String(await freePort()),
      HOST: '127.0.0.1',
      LOG_LEVEL: 'warn',
    }
    const service = spawnCli(['serve'], env, { umask: 0o077 })
    try {
      let ready = false
      for (let i = 0; i < 600 && !ready && service.process.exitCode === null; i++) {
        ready = (await fetch(`http://127.0.0.1:${httpPort}/readyz`).catch(() => undefined))?.ok ?? false
        if (!ready) await new Promise((r) => setTimeout(r, 100))
      }
      expect(ready, service.output()).toBe(true)
      expect(
        await runCli(['centre', 'add', '--name', 'Umask Centre'], { DATA_DIR: dataDir, LOG_LEVEL: 'error' }),
      ).toMatchObject({ centreId: 1 })
    } finally {
      service.process.kill('SIGTERM')
      await service.exited
    }
  }, 120_000)
})
