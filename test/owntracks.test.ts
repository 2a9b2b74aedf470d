// A phone running OwnTracks stands in for a band, through the real broker and database: it
// connects as the band (username = band id) and publishes what the app publishes.
import { describe, expect, it } from 'vitest'
import type { Service } from '../bin/service.ts'
import { useServiceWithWorld } from './support/world.ts'
import { BAND, OTHER_BAND, connectBand } from './support/fixtures.ts'
import { eventually } from './support/service.ts'

describe('OwnTracks on the embedded broker', () => {
  let service: Service
  useServiceWithWorld((s) => {
    service = s
  })

  const tst = Math.floor(Date.now() / 1000) - 30
  const location = {
    _type: 'location',
    acc: 9,
    alt: 48,
    batt: 71,
    bs: 1,
    conn: 'm',
    lat: 36.81352,
    lon: 118.05491,
    m: 1,
    t: 'p',
    tid: 'wb',
    tst,
    vac: 4,
    vel: 3,
  }

  it("when the app publishes its location (retained, QoS 1) and its waypoints, then the location is stored as the band's and shows as its latest position", async () => {
    const phone = await connectBand(service.mqttPort!, BAND, { clientId: BAND.id })
    await phone.publishAsync(`owntracks/${BAND.id}/phone`, JSON.stringify(location), { qos: 1, retain: true })
    await phone.publishAsync(
      `owntracks/${BAND.id}/phone/waypoints`,
      JSON.stringify({ _type: 'waypoints', waypoints: [] }),
      { qos: 1 },
    )
    expect(phone.connected).toBe(true) // the app's other topics are allowed, not stored
    await phone.endAsync()
    const r = await service.db.query<{ seq: number; acc: number; batt: number }>(
      'SELECT seq::int AS seq, acc, batt FROM positions WHERE band_id = $1',
      [BAND.id],
    )
    expect(r.rows).toEqual([{ seq: tst, acc: 9, batt: 71 }])
    await eventually(
      async () =>
        (
          await service.db.query('SELECT 1 FROM band_status WHERE band_id = $1 AND fix_time = to_timestamp($2)', [
            BAND.id,
            tst,
          ])
        ).rowCount === 1,
    )
  })

  it("when another band publishes on this band's OwnTracks topic, then it is refused and nothing is stored", async () => {
    const other = await connectBand(service.mqttPort!, OTHER_BAND)
    other.on('error', () => undefined)
    const closed = new Promise<void>((r) => other.once('close', () => r()))
    void other
      .publishAsync(`owntracks/${BAND.id}/phone`, JSON.stringify({ ...location, tst: tst + 5 }), { qos: 1 })
      .catch(() => undefined)
    await closed
    other.end(true)
    const r = await service.db.query('SELECT 1 FROM positions WHERE band_id = $1 AND seq = $2', [BAND.id, tst + 5])
    expect(r.rowCount).toBe(0)
  })

  const metric = async (line: string) => {
    const text = await (await fetch(`http://127.0.0.1:${service.httpPort}/metrics`)).text()
    return Number(
      text
        .split('\n')
        .find((l) => l.startsWith(`${line} `))
        ?.split(' ')[1] ?? 0,
    )
  }

  it('when the iOS app attaches a 24 KB image to its location, then the location is stored without it', async () => {
    const phone = await connectBand(service.mqttPort!, BAND)
    const image = Buffer.alloc(18_000, 7).toString('base64')
    await phone.publishAsync(
      `owntracks/${BAND.id}/iphone`,
      JSON.stringify({ ...location, tst: tst + 10, image, imagename: 'p.jpg' }),
      { qos: 1 },
    )
    await phone.endAsync()
    const r = await service.db.query('SELECT 1 FROM positions WHERE band_id = $1 AND seq = $2', [BAND.id, tst + 10])
    expect(r.rowCount).toBe(1)
  })

  it('when the app has payload encryption on, or a band sends a v1 report on its OwnTracks topic, then each is counted by reason', async () => {
    const phone = await connectBand(service.mqttPort!, BAND)
    await phone.publishAsync(`owntracks/${BAND.id}/phone`, JSON.stringify({ _type: 'encrypted', data: 'AAAA' }), {
      qos: 1,
    })
    await phone.publishAsync(
      `owntracks/${BAND.id}/phone`,
      JSON.stringify({ v: 1, seq: 9, ts: tst, lat: 36.8, lon: 118 }),
      { qos: 1 },
    )
    await phone.endAsync()
    expect(await metric('tongxing_rejected_total{reason="encrypted"}')).toBe(1)
    expect(await metric('tongxing_rejected_total{reason="not_owntracks"}')).toBe(1)
  })

  it("when the app subscribes to its own command topic, then it is granted; another band's command topic is refused", async () => {
    const phone = await connectBand(service.mqttPort!, BAND)
    const granted = await phone.subscribeAsync(`owntracks/${BAND.id}/phone/cmd`, { qos: 1 })
    expect(granted.map((g) => g.qos)).toEqual([1])
    await expect(phone.subscribeAsync(`owntracks/${OTHER_BAND.id}/phone/cmd`, { qos: 1 })).rejects.toThrow(
      /subscribe error/i,
    )
    await phone.endAsync()
  })
})
