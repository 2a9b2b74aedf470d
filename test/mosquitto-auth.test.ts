// External broker mode with Mosquitto configured the way the repo ships it: infra/mosquitto/
// mosquitto.conf (its TLS listener aside), the password file from `tongxing mosquitto-passwd`
// (nobody keeps band secrets), the ACL infra/mosquitto/acl. A band connects with its secret and is
// stored; a wrong secret is refused; a band cannot publish as another nor take over another's
// session; the service reads with its own account; a Mosquitto killed with SIGKILL keeps what
// it acknowledged, beyond the autosave window.
import { fileURLToPath } from 'node:url'
import { chmod, copyFile, mkdtemp, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import mqtt from 'mqtt'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Service } from '../bin/service.ts'
import { createDb, createLogger, migrate } from '../infra/index.ts'
import { spawnCli } from './support/cli.ts'
import { BACKENDS, type TestDatabase } from './support/databases.ts'
import { BAND, OTHER_BAND, fixNorth, provisionWorld } from './support/fixtures.ts'
import { MOSQUITTO, shippedConfig, startMosquitto, type Mosquitto } from './support/mosquitto.ts'
import { eventually, startTestService } from './support/service.ts'

const available = MOSQUITTO !== undefined || process.env.CI === 'true'
const ACL = fileURLToPath(new URL('../infra/mosquitto/acl', import.meta.url))
const SERVICE = { username: 'tongxing-ingest', password: 'service-password-for-the-test' }

describe.runIf(available)('Mosquitto with the shipped ACL and a generated password file', () => {
  let database: TestDatabase
  let broker: Mosquitto
  let service: Service

  beforeAll(async () => {
    database = await BACKENDS[0]!.start()
    const db = createDb({ connectionString: database.url, log: createLogger('silent'), max: 1 })
    await migrate(db, createLogger('silent'))
    await provisionWorld(db)
    await db.close()
    const cli = spawnCli(
      ['mosquitto-passwd', '--service-user', SERVICE.username, '--service-password', SERVICE.password],
      { DATABASE_URL: database.url, LOG_LEVEL: 'warn' },
    )
    expect(await cli.exited).toBe(0)
    const dir = await mkdtemp(join(tmpdir(), 'tongxing-passwd-'))
    const passwordFile = join(dir, 'passwd')
    await writeFile(passwordFile, cli.output())
    expect(
      cli
        .output()
        .split('\n')
        .filter(Boolean)
        .map((l) => l.split(':')[0]),
    ).toEqual([SERVICE.username, BAND.id, OTHER_BAND.id])
    const aclFile = join(dir, 'acl') // a copy beside it: the clone's own folders may be closed to Mosquitto's user
    await copyFile(ACL, aclFile)
    await chmod(aclFile, 0o644)
    broker = await startMosquitto({ auth: { passwordFile, aclFile }, config: shippedConfig({ passwordFile, aclFile }) })
    service = await startService()
  })
  afterAll(async () => {
    await service?.stop()
    await broker?.stop()
    await database?.stop()
  })

  const startService = () =>
    startTestService({
      DATABASE_URL: database.url,
      ...BACKENDS[0]!.env,
      MQTT_URL: broker.serviceUrl,
      MQTT_USERNAME: SERVICE.username,
      MQTT_PASSWORD: SERVICE.password,
    })
  const band = (b: { id: string; secret: string }, opts: mqtt.IClientOptions = {}) =>
    mqtt.connectAsync(broker.url, { clientId: b.id, username: b.id, password: b.secret, reconnectPeriod: 0, ...opts })
  const stored = async (bandId: string) =>
    (
      await service.db.query<{ seq: number }>('SELECT seq::int AS seq FROM positions WHERE band_id = $1 ORDER BY seq', [
        bandId,
      ])
    ).rows.map((r) => r.seq)

  it('when a band connects with its secret, then Mosquitto lets it in and its report is stored', async () => {
    const c = await band(BAND)
    await c.publishAsync(`bands/${BAND.id}/telemetry`, JSON.stringify(fixNorth(1, 0, Date.now() - 1000)), { qos: 1 })
    await c.endAsync()
    await eventually(async () => (await stored(BAND.id)).length === 1)
    expect(await stored(BAND.id)).toEqual([1])
  })

  it('when a band uses a wrong secret, then Mosquitto refuses it', async () => {
    await expect(band({ id: BAND.id, secret: 'not-the-secret-000000' })).rejects.toThrow(/not authori[sz]ed|bad user/i)
  })

  it("when a band publishes on another band's topic, then the ACL drops it and nothing is stored for the other band", async () => {
    const c = await band(BAND)
    await c.publishAsync(`bands/${OTHER_BAND.id}/telemetry`, JSON.stringify({ ...fixNorth(7, 0, Date.now() - 1000) }), {
      qos: 1,
    })
    await c.publishAsync(`bands/${BAND.id}/telemetry`, JSON.stringify(fixNorth(2, 0, Date.now() - 500)), { qos: 1 })
    await c.endAsync()
    await eventually(async () => (await stored(BAND.id)).length === 2) // its own, sent after, did arrive
    expect(await stored(OTHER_BAND.id)).toEqual([])
  })

  it("when a band connects with another band's client id, then the other band stays connected and its will is not fired", async () => {
    const victim = await band(BAND, {
      will: { topic: `bands/${BAND.id}/status`, payload: Buffer.from('offline'), qos: 1, retain: true },
    })
    await victim.publishAsync(`bands/${BAND.id}/status`, 'online', { qos: 1, retain: true })
    let dropped = false
    victim.once('close', () => {
      dropped = true
    })
    const intruder = await band(OTHER_BAND, { clientId: BAND.id }).catch(() => undefined)
    await new Promise((r) => setTimeout(r, 1000))
    expect(dropped).toBe(false)
    expect(victim.connected).toBe(true)
    await intruder?.endAsync()
    await victim.endAsync()
  })

  it('when a phone running OwnTracks subscribes to its own command topic, then a command from the service reaches it, and another band cannot read it', async () => {
    const phone = await band(BAND)
    const other = await band(OTHER_BAND)
    const topic = `owntracks/${BAND.id}/phone/cmd`
    const got: string[] = []
    const spied: string[] = []
    phone.on('message', (_t, m) => got.push(m.toString()))
    other.on('message', (_t, m) => spied.push(m.toString()))
    await phone.subscribeAsync(topic, { qos: 1 })
    await other.subscribeAsync(topic, { qos: 1 })
    const svc = await mqtt.connectAsync(broker.serviceUrl, {
      username: SERVICE.username,
      password: SERVICE.password,
      clientId: 'test-commands',
      reconnectPeriod: 0,
    })
    await svc.publishAsync(topic, JSON.stringify({ _type: 'cmd', action: 'reportLocation' }), { qos: 1 })
    await eventually(() => got.length === 1)
    await new Promise((r) => setTimeout(r, 300))
    expect(spied).toEqual([])
    await Promise.all([svc.endAsync(), phone.endAsync(), other.endAsync()])
  })

  it('when Mosquitto is killed with SIGKILL while it holds acknowledged reports for the stopped service, then those older than the autosave window all come back', async () => {
    await service.stop()
    const c = await band(BAND)
    const t0 = Date.now() - 60_000
    for (let s = 100; s < 150; s++)
      await c.publishAsync(`bands/${BAND.id}/telemetry`, JSON.stringify(fixNorth(s, 0, t0 + s * 100)), { qos: 1 })
    await c.endAsync()
    await new Promise((r) => setTimeout(r, 2500)) // the documented window: autosave every second (infra/mosquitto/mosquitto.conf)
    await broker.kill()
    await broker.restart()
    service = await startService()
    await eventually(async () => (await stored(BAND.id)).filter((s) => s >= 100).length === 50, 20_000)
  }, 60_000)
})
