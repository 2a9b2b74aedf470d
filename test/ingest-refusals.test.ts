// Bad input through the real broker: each refusal is visible (a counter on /metrics), nothing
// crashes, and the band's next good message is still stored.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Service } from '../bin/service.ts'
import { insertUser } from '../dashboard/index.ts'
import { BAND, OTHER_BAND, PASSWORD, connectBand, fixNorth, login, provisionWorld } from './support/fixtures.ts'
import { eventually, startTestService } from './support/service.ts'

describe('ingest refusals on the embedded broker', () => {
  let service: Service
  let seq = 1
  const now = () => Date.now() - 60_000 + seq * 10

  beforeAll(async () => {
    service = await startTestService()
    await provisionWorld(service.db)
  })
  afterAll(() => service?.stop())

  const metric = async (line: string) => {
    const text = await (await fetch(`http://127.0.0.1:${service.httpPort}/metrics`)).text()
    const found = text.split('\n').find((l) => l.startsWith(`${line} `))
    return found ? Number(found.split(' ')[1]) : 0
  }
  const stored = async (s: number) =>
    (await service.db.query('SELECT 1 FROM positions WHERE band_id = $1 AND seq = $2', [BAND.id, s])).rowCount === 1
  /** Publishes a good fix and checks it was stored. */
  const goodMessageStillStored = async () => {
    const band = await connectBand(service.mqttPort!, BAND)
    const s = seq++
    await band.publishAsync(`bands/${BAND.id}/telemetry`, JSON.stringify(fixNorth(s, 0, now())), { qos: 1 })
    await band.endAsync()
    expect(await stored(s)).toBe(true)
  }

  it('when an unknown band connects, then CONNACK refuses it and the refusal is counted', async () => {
    await expect(
      connectBand(service.mqttPort!, { id: '999999999999999', secret: 'whatever-secret-123' }),
    ).rejects.toThrow(/bad user ?name or password/i)
    expect(await metric('tongxing_connect_refused_total{reason="bad_credentials"}')).toBeGreaterThanOrEqual(1)
    await goodMessageStillStored()
  })

  it('when a band connects with a wrong secret or a username that is not its id, then it is refused', async () => {
    await expect(connectBand(service.mqttPort!, { id: BAND.id, secret: 'not-the-secret-000' })).rejects.toThrow(
      /bad user ?name or password/i,
    )
    await expect(connectBand(service.mqttPort!, BAND, { username: OTHER_BAND.id })).rejects.toThrow(
      /bad user ?name or password/i,
    )
    expect(await metric('tongxing_connect_refused_total{reason="username_not_band_id"}')).toBe(1)
    await goodMessageStillStored()
  })

  it("when a band publishes to another band's topic, then it is disconnected, nothing is stored for the other band, and the refusal is counted", async () => {
    const band = await connectBand(service.mqttPort!, BAND)
    const closed = new Promise<void>((r) => band.once('close', () => r()))
    band.publish(`bands/${OTHER_BAND.id}/telemetry`, JSON.stringify(fixNorth(seq++, 0, now())), { qos: 1 })
    await closed
    band.end(true)
    expect(await metric('tongxing_rejected_total{reason="unauthorised_topic"}')).toBe(1)
    expect((await service.db.query('SELECT 1 FROM positions WHERE band_id = $1', [OTHER_BAND.id])).rowCount).toBe(0)
    await goodMessageStillStored()
  })

  it("when a band subscribes to another band's commands, then the subscription is refused", async () => {
    const band = await connectBand(service.mqttPort!, BAND)
    // SUBACK return code 0x80 (failure), which mqtt.js reports as an error.
    await expect(band.subscribeAsync(`bands/${OTHER_BAND.id}/cmd`, { qos: 1 })).rejects.toThrow(/subscribe error/i)
    expect(await metric('tongxing_rejected_total{reason="unauthorised_subscribe"}')).toBe(1)
    expect(band.connected).toBe(true)
    const own = await band.subscribeAsync(`bands/${BAND.id}/cmd`, { qos: 1 })
    expect(own[0]!.qos).toBe(1)
    await band.endAsync()
  })

  it.each([
    ['malformed JSON', () => '{"v":1,"seq":', 'bad_json'],
    ['out-of-range coordinates', () => JSON.stringify(fixNorth(seq++, 0, now(), { lat: 123.4 })), 'out_of_range'],
    ['a fix from the far future', () => JSON.stringify(fixNorth(seq++, 0, Date.now() + 86_400_000)), 'future_fix'],
    [
      'a fix from days before the band was provisioned',
      () => JSON.stringify(fixNorth(seq++, 0, Date.now() - 3 * 86_400_000)),
      'before_provisioning',
    ],
    [
      'an oversized payload',
      () => JSON.stringify({ ...fixNorth(seq++, 0, now()), pad: 'x'.repeat(9000) }),
      'too_large',
    ],
  ])(
    'when a band sends %s, then it is acknowledged but rejected and counted, and the same connection carries on',
    async (_name, payload, reason) => {
      const before = await metric(`tongxing_rejected_total{reason="${reason}"}`)
      const band = await connectBand(service.mqttPort!, BAND)
      await band.publishAsync(`bands/${BAND.id}/telemetry`, payload(), { qos: 1 })
      const s = seq++
      await band.publishAsync(`bands/${BAND.id}/telemetry`, JSON.stringify(fixNorth(s, 0, now())), { qos: 1 })
      expect(band.connected).toBe(true)
      await band.endAsync()
      expect(await metric(`tongxing_rejected_total{reason="${reason}"}`)).toBe(before + 1)
      expect(await stored(s)).toBe(true)
    },
  )

  it('when the same message is delivered twice (QoS 1 redelivery), then it is stored once and counted as a duplicate', async () => {
    const band = await connectBand(service.mqttPort!, BAND)
    const fix = JSON.stringify(fixNorth(seq++, 0, now()))
    const before = await metric('tongxing_duplicates_total')
    await band.publishAsync(`bands/${BAND.id}/telemetry`, fix, { qos: 1 })
    await band.publishAsync(`bands/${BAND.id}/telemetry`, fix, { qos: 1, dup: true })
    await band.endAsync()
    const s = (JSON.parse(fix) as { seq: number }).seq
    expect(
      (await service.db.query('SELECT 1 FROM positions WHERE band_id = $1 AND seq = $2', [BAND.id, s])).rowCount,
    ).toBe(1)
    await eventually(async () => (await metric('tongxing_duplicates_total')) === before + 1)
  })

  it('when an admin inspects the rejected-messages record, then it lists band, reason and the field at fault, never the payload; nobody else may', async () => {
    await insertUser(service.db, { username: 'ops', password: PASSWORD, role: 'admin' })
    const band = await connectBand(service.mqttPort!, BAND)
    await band.publishAsync(
      `bands/${BAND.id}/telemetry`,
      JSON.stringify([fixNorth(seq++, 0, now()), fixNorth(seq++, 0, now(), { acc: -3 })]),
      { qos: 1 },
    )
    await band.endAsync()
    const res = await fetch(`http://127.0.0.1:${service.httpPort}/api/admin/rejected?bandId=${BAND.id}&limit=5`, {
      headers: { cookie: await login(service.httpPort, 'ops') },
    })
    expect(res.status).toBe(200)
    const { rejected } = (await res.json()) as { rejected: Record<string, unknown>[] }
    expect(rejected[0]).toMatchObject({ bandId: BAND.id, reason: 'out_of_range', index: 1 })
    expect(String(rejected[0]!.detail)).toMatch(/acc/)
    expect(JSON.stringify(rejected)).not.toMatch(/36\.81/) // no coordinates: the payload is not kept
    const staff = await fetch(`http://127.0.0.1:${service.httpPort}/api/admin/rejected`, {
      headers: { cookie: await login(service.httpPort, 'staff-zhangdian') },
    })
    expect(staff.status).toBe(403)
  })

  it('when a band floods bad messages, then it alone is disconnected and refused for a while; other bands carry on', async () => {
    const flooder = await connectBand(service.mqttPort!, OTHER_BAND)
    flooder.on('error', () => undefined)
    const closed = new Promise<void>((r) => flooder.once('close', () => r()))
    const bad = () => flooder.publishAsync(`bands/${OTHER_BAND.id}/telemetry`, '{"v":1,', { qos: 1 })
    for (let i = 0; i < 30; i++) await bad() // up to the limit: acknowledged, rejected, still connected
    expect(flooder.connected).toBe(true)
    void bad().catch(() => undefined) // one more: the broker closes the connection
    await closed
    flooder.end(true)
    expect(await metric('tongxing_bands_throttled_total')).toBe(1)
    await expect(connectBand(service.mqttPort!, OTHER_BAND)).rejects.toThrow(/not authori[sz]ed/i)
    expect(await metric('tongxing_connect_refused_total{reason="throttled"}')).toBe(1)
    await goodMessageStillStored()
  })
})
