// The service as a process, the way a newcomer runs it: provisioning from the command line
// while it runs, a clean stop on SIGTERM with everything acknowledged on disk, and a clear
// message when the MQTT port is taken.
import { existsSync } from 'node:fs'
import { mkdtemp } from 'node:fs/promises'
import { createServer } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { createDb, createLogger, startEmbeddedDb } from '../infra/index.ts'
import { PASSWORD, connectBand, fixNorth, login, openLive } from './support/fixtures.ts'
import { freePort, runCli, spawnCli } from './support/cli.ts'
import { eventually } from './support/service.ts'

describe('tongxing serve as a process', () => {
  it('when provisioned from the command line while running and then sent SIGTERM, then it exits 0 with every acknowledged fix on disk', async () => {
    const dataDir = await mkdtemp(join(tmpdir(), 'tongxing-proc-'))
    const env = {
      DATA_DIR: dataDir,
      PORT: String(await freePort()),
      MQTT_PORT: String(await freePort()),
      HOST: '127.0.0.1',
      LOG_LEVEL: 'warn',
    }
    const service = spawnCli(['serve'], env)
    await eventually(
      async () => (await fetch(`http://127.0.0.1:${env.PORT}/healthz`).catch(() => undefined))?.ok,
      30_000,
    )

    const { centreId } = await runCli(['centre', 'add', '--name', 'Linzi Care Centre'], env)
    const { residentId } = await runCli(['resident', 'add', '--name', 'Zhao', '--centre', String(centreId)], env)
    const { bandId, secret } = (await runCli(
      ['band', 'add', '--id', '860000000000042', '--resident', String(residentId)],
      env,
    )) as { bandId: string; secret: string }
    expect(secret).toMatch(/^[A-Za-z0-9_-]{43}$/)

    await runCli(
      ['user', 'add', '--username', 'carer', '--password', PASSWORD, '--role', 'staff', '--centre', String(centreId)],
      env,
    )
    const live = await openLive(Number(env.PORT), await login(Number(env.PORT), 'carer'))
    await live.next('hello')

    const band = await connectBand(Number(env.MQTT_PORT), { id: bandId, secret })
    const t0 = Date.now() - 60_000
    for (let i = 0; i < 20; i++)
      await band.publishAsync(`bands/${bandId}/telemetry`, JSON.stringify(fixNorth(i, 0, t0 + i * 1000)), { qos: 1 })
    await band.endAsync()

    // A dashboard still connected must not hold the shutdown up.
    service.process.kill('SIGTERM')
    expect(await service.exited).toBe(0)
    await live.closed
    expect(existsSync(join(dataDir, 'tongxing.lock'))).toBe(false)

    // Reopen the data directory as a new process would.
    const reopened = await startEmbeddedDb({ dataDir })
    const db = createDb({ connectionString: reopened.connectionString, log: createLogger('silent'), max: 1 })
    const r = await db.query<{ n: number }>('SELECT count(*)::int AS n FROM positions WHERE band_id = $1', [bandId])
    await db.close()
    await reopened.stop()
    expect(r.rows[0]!.n).toBe(20)
  }, 90_000)

  it('when the MQTT port is taken, then it exits 1 naming the port and how to choose another or use that broker', async () => {
    const holder = createServer()
    const port = await new Promise<number>((resolve) =>
      holder.listen(0, '127.0.0.1', () => resolve((holder.address() as { port: number }).port)),
    )
    const dataDir = await mkdtemp(join(tmpdir(), 'tongxing-proc-'))
    const service = spawnCli(['serve'], { DATA_DIR: dataDir, PORT: '0', MQTT_PORT: String(port), HOST: '127.0.0.1' })
    expect(await service.exited).toBe(1)
    holder.close()
    expect(service.output()).toContain(`MQTT port ${port} is already in use`)
    expect(service.output()).toContain('MQTT_PORT=')
    expect(service.output()).toContain(`MQTT_URL=mqtt://127.0.0.1:${port}`)
    expect(existsSync(join(dataDir, 'tongxing.lock'))).toBe(false)
  }, 60_000)

  it('when the configuration is invalid, then it exits 2 listing every problem', async () => {
    const service = spawnCli(['serve'], { PORT: 'eighty', LOG_LEVEL: 'chatty' })
    expect(await service.exited).toBe(2)
    expect(service.output()).toContain('PORT="eighty"')
    expect(service.output()).toContain('LOG_LEVEL="chatty"')
  })

  it('when a provisioning command lacks a required option, then it exits 2 saying which', async () => {
    const dataDir = await mkdtemp(join(tmpdir(), 'tongxing-proc-'))
    const c = spawnCli(['zone', 'add', '--resident', '1', '--lat', '36.8', '--lon', '118'], { DATA_DIR: dataDir })
    expect(await c.exited).toBe(2)
    expect(c.output()).toContain('--radius is required')
  })
})
