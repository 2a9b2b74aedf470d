// External broker mode (MQTT_URL) against a real Mosquitto: the service subscribes with a
// persistent QoS 1 session, so fixes published while it was down arrive after it restarts.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import mqtt from 'mqtt'
import type { Service } from '../bin/service.ts'
import { BACKENDS, type TestDatabase } from './support/databases.ts'
import { BAND, fixNorth, provisionWorld } from './support/fixtures.ts'
import { MOSQUITTO, startMosquitto, type Mosquitto } from './support/mosquitto.ts'
import { eventually, startTestService } from './support/service.ts'

// A developer's machine may lack Mosquitto; CI installs it, and there the test must run.
const available = MOSQUITTO !== undefined || process.env.CI === 'true'
if (!available) console.warn('external-broker tests skipped: install mosquitto to run them')

describe.runIf(available)('external broker mode with Mosquitto', () => {
  let broker: Mosquitto
  let database: TestDatabase
  let service: Service | undefined
  const env = () => ({ DATABASE_URL: database.url, MQTT_URL: broker.url, ...BACKENDS[0]!.env })

  beforeAll(async () => {
    broker = await startMosquitto()
    database = await BACKENDS[0]!.start()
    service = await startTestService(env())
    await provisionWorld(service.db)
  })
  afterAll(async () => {
    await service?.stop()
    await database?.stop()
    await broker?.stop()
  })

  const publish = async (fixes: object[]) => {
    const band = await mqtt.connectAsync(broker.url, { clientId: BAND.id, reconnectPeriod: 0 })
    for (const f of fixes) await band.publishAsync(`bands/${BAND.id}/telemetry`, JSON.stringify(f), { qos: 1 })
    await band.endAsync()
  }
  const seqs = async (db: Service['db']) =>
    (await db.query<{ seq: number }>('SELECT seq FROM positions WHERE band_id = $1 ORDER BY seq', [BAND.id])).rows.map(
      (r) => r.seq,
    )

  it('when a band publishes to the external broker, then its fixes are stored and the wander raises an alert', async () => {
    await service!.refreshTopology() // the zones provisioned after start
    const t0 = Date.now() - 60_000
    await publish([fixNorth(1, 0, t0), fixNorth(2, 300, t0 + 10_000), fixNorth(3, 320, t0 + 70_000)])
    await eventually(async () => (await seqs(service!.db)).length === 3)
    const alerts = await eventually(async () => {
      const r = await service!.db.query('SELECT kind FROM alerts')
      return r.rowCount ? r.rows : undefined
    })
    expect(alerts).toEqual([{ kind: 'left_safe_zone' }])
  })

  it('when fixes are published while the service is down, then they are stored after it restarts', async () => {
    await service!.stop()
    service = undefined
    const t0 = Date.now() - 30_000
    await publish([fixNorth(4, 300, t0), fixNorth(5, 300, t0 + 1000), fixNorth(6, 300, t0 + 2000)])
    service = await startTestService(env())
    await eventually(async () => (await seqs(service!.db)).length === 6)
    expect(await seqs(service.db)).toEqual([1, 2, 3, 4, 5, 6])
  })
})
