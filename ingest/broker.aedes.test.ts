// The embedded broker's hooks without a database: who may connect, what a band may publish and
// subscribe to, and that a QoS 1 report is acknowledged only once ingest says it is durable.
import mqtt from 'mqtt'
import { Registry } from 'prom-client'
import { afterEach, describe, expect, it } from 'vitest'
import { createLogger } from '../infra/index.ts'
import { startEmbeddedBroker, type EmbeddedBroker } from './broker.aedes.ts'
import { createFloodGuard } from './flood-guard.ts'
import type { Ingest } from './ingest.ts'
import { ingestMetrics } from './metrics.ts'

const BAND = '860000000000001'
const SECRET = 'band-secret-0001-long-enough'

function fakeIngest() {
  const received: { bandId: string; text: string }[] = []
  let release = () => {}
  let gate: Promise<void> = Promise.resolve()
  const ingest: Ingest = {
    async telemetry(bandId, payload) {
      received.push({ bandId, text: Buffer.from(payload).toString() })
      await gate
      return { rejected: 0 }
    },
    async status() {},
  }
  return {
    ingest,
    received,
    hold: () => {
      gate = new Promise((r) => {
        release = r
      })
    },
    release: () => release(),
  }
}

describe('embedded broker hooks', () => {
  let broker: EmbeddedBroker | undefined
  const clients: mqtt.MqttClient[] = []
  afterEach(async () => {
    for (const c of clients.splice(0)) await c.endAsync(true)
    await broker?.close()
  })

  const start = async (fake: ReturnType<typeof fakeIngest>) => {
    broker = await startEmbeddedBroker({
      host: '127.0.0.1',
      port: 0,
      ingest: fake.ingest,
      metrics: ingestMetrics(new Registry(), { queuedRows: () => 0 }),
      log: createLogger('silent'),
      guard: createFloodGuard(),
      now: Date.now,
      verifyBand: async (bandId, secret) => bandId === BAND && secret.toString() === SECRET,
    })
    return broker.port!
  }
  const connect = async (port: number, id: string, password: string) => {
    const c = mqtt.connect({ host: '127.0.0.1', port, clientId: id, username: id, password, reconnectPeriod: 0 })
    clients.push(c)
    return new Promise<mqtt.MqttClient>((resolve, reject) => {
      c.once('connect', () => resolve(c))
      c.once('error', reject)
    })
  }

  it('refuses a wrong secret and a username that is not the client id', async () => {
    const port = await start(fakeIngest())
    await expect(connect(port, BAND, 'wrong')).rejects.toThrow(/not authorized|bad user/i)
    const c = mqtt.connect({
      host: '127.0.0.1',
      port,
      clientId: BAND,
      username: 'someone-else',
      password: SECRET,
      reconnectPeriod: 0,
    })
    clients.push(c)
    await expect(
      new Promise((resolve, reject) => {
        c.once('connect', resolve)
        c.once('error', reject)
      }),
    ).rejects.toThrow()
  })

  it('acknowledges a report only when ingest has made it durable', async () => {
    const fake = fakeIngest()
    const port = await start(fake)
    const band = await connect(port, BAND, SECRET)
    fake.hold()
    let acked = false
    const publishing = band.publishAsync(`bands/${BAND}/telemetry`, '{"v":1}', { qos: 1 }).then(() => {
      acked = true
    })
    await expect.poll(() => fake.received.length).toBe(1)
    await new Promise((r) => setTimeout(r, 100))
    expect(acked).toBe(false)
    fake.release()
    await publishing
    expect(fake.received).toEqual([{ bandId: BAND, text: '{"v":1}' }])
  })

  it('when a band sends three reports, then each gets exactly one PUBACK, with its own id, in order', async () => {
    const fake = fakeIngest()
    const port = await start(fake)
    const band = await connect(port, BAND, SECRET)
    const pubacks: number[] = []
    band.on('packetreceive', (p) => {
      if (p.cmd === 'puback') pubacks.push(p.messageId!)
    })
    const sent: number[] = []
    band.on('packetsend', (p) => {
      if (p.cmd === 'publish') sent.push(p.messageId!)
    })
    for (const n of [1, 2, 3]) await band.publishAsync(`bands/${BAND}/telemetry`, `{"v":1,"n":${n}}`, { qos: 1 })
    await new Promise((r) => setTimeout(r, 100)) // room for a second PUBACK, were one written
    expect(sent).toHaveLength(3)
    expect(pubacks).toEqual(sent)
    expect(fake.received).toHaveLength(3)
  })

  it("does not let a band publish as another band or read another band's commands", async () => {
    const fake = fakeIngest()
    const port = await start(fake)
    const own = await connect(port, BAND, SECRET)
    expect((await own.subscribeAsync(`bands/${BAND}/cmd`, { qos: 1 }))[0]!.qos).toBe(1)
    await expect(own.subscribeAsync('bands/860000000000002/cmd', { qos: 1 })).rejects.toThrow(/subscribe error/i)
    const band = await connect(port, BAND, SECRET)
    band.publish('bands/860000000000002/telemetry', '{"v":1}', { qos: 1 }) // refused: never acknowledged
    await new Promise((r) => setTimeout(r, 200))
    expect(fake.received).toEqual([])
  })
})
