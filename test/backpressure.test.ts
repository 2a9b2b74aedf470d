// Backpressure under a burst, with no outage: a small write-queue bound makes the broker pause
// and resume bands again and again; every report must still be acknowledged and stored, and
// promptly (a band resumed the wrong way stalls until its keep-alive).
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import mqtt from 'mqtt'
import type { Service } from '../bin/service.ts'
import { upsertBand } from '../ingest/index.ts'
import { fixNorth } from './support/fixtures.ts'
import { startTestService } from './support/service.ts'

describe('backpressure during a burst', () => {
  let service: Service
  const bands = Array.from({ length: 20 }, (_, i) => ({ id: `burst-${i}`, secret: `burst-secret-${i}-000000` }))
  beforeAll(async () => {
    service = await startTestService({ WRITE_QUEUE_MAX_ROWS: '200' })
    for (const b of bands) await upsertBand(service.db, b.id, b.secret)
  })
  afterAll(() => service?.stop())

  it('when 20 bands upload backlogs far beyond the bound, then they are paused and resumed until all is stored, within seconds', async () => {
    const t0 = Date.now() - 3_600_000
    const started = Date.now()
    await Promise.all(
      bands.map(async (b) => {
        const c = await mqtt.connectAsync(`mqtt://127.0.0.1:${service.mqttPort}`, {
          clientId: b.id,
          username: b.id,
          password: b.secret,
          reconnectPeriod: 0,
        })
        const messages = Array.from({ length: 20 }, (_, m) =>
          JSON.stringify(Array.from({ length: 50 }, (_, k) => fixNorth(m * 50 + k, 0, t0 + (m * 50 + k) * 1000))),
        )
        await Promise.all(messages.map((p) => c.publishAsync(`bands/${b.id}/telemetry`, p, { qos: 1 })))
        await c.endAsync()
      }),
    )
    const seconds = (Date.now() - started) / 1000
    const r = await service.db.query<{ n: number }>(
      "SELECT count(*)::int AS n FROM positions WHERE band_id LIKE 'burst-%'",
    )
    expect(r.rows[0]!.n).toBe(20 * 20 * 50)
    expect(seconds).toBeLessThan(20)
    const metrics = await (await fetch(`http://127.0.0.1:${service.httpPort}/metrics`)).text()
    expect(metrics).toMatch(/tongxing_bands_paused 0/)
    expect(Number(metrics.match(/^tongxing_band_pauses_total (\d+)/m)?.[1])).toBeGreaterThan(5)
  }, 60_000)
})
