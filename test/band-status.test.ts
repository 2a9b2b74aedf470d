// Band status through the real broker and database: online/offline from the band's retained
// status and its last will, and the newest position, battery and events kept current for the
// dashboard — a late backlog never replaces a newer position. Scoped like everything else.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Service } from '../bin/service.ts'
import type { BandStatus } from '../ingest/index.ts'
import { BACKENDS, type TestDatabase } from './support/databases.ts'
import { BAND, OTHER_BAND, connectBand, fixNorth, login, openLive, provisionWorld } from './support/fixtures.ts'
import { eventually, startTestService } from './support/service.ts'

describe('band status', () => {
  let database: TestDatabase
  let service: Service

  beforeAll(async () => {
    database = await BACKENDS[0]!.start()
    service = await startTestService({ DATABASE_URL: database.url, ...BACKENDS[0]!.env })
    await provisionWorld(service.db)
  })
  afterAll(async () => {
    await service?.stop()
    await database?.stop()
  })

  const bands = async (username: string): Promise<BandStatus[]> => {
    const res = await fetch(`http://127.0.0.1:${service.httpPort}/api/bands`, {
      headers: { cookie: await login(service.httpPort, username) },
    })
    expect(res.status).toBe(200)
    return ((await res.json()) as { bands: BandStatus[] }).bands
  }
  const mine = async () => (await bands('staff-zhangdian')).find((b) => b.bandId === BAND.id)!

  it('when a band connects with a last will, says online, reports, uploads an older backlog and then drops, then its status follows each step', async () => {
    const band = await connectBand(service.mqttPort!, BAND, {
      will: { topic: `bands/${BAND.id}/status`, payload: Buffer.from('offline'), qos: 1, retain: true },
    })
    await band.publishAsync(`bands/${BAND.id}/status`, 'online', { qos: 1, retain: true })
    const t = Date.now() - 60_000
    await band.publishAsync(
      `bands/${BAND.id}/telemetry`,
      JSON.stringify(fixNorth(10, 50, t, { batt: 64, chg: false })),
      { qos: 1 },
    )
    // The backlog from before: older fixes, a lower battery and an event, all late.
    const backlog = [
      fixNorth(1, 300, t - 600_000, { batt: 70 }),
      fixNorth(2, 310, t - 570_000, { batt: 69, evt: ['fall'] }),
    ]
    await band.publishAsync(`bands/${BAND.id}/telemetry`, JSON.stringify(backlog), { qos: 1 })

    // band_status trails the stored positions by up to a second (one write a second for all bands).
    await eventually(async () => {
      const s = await mine()
      return s.online === true && s.events !== null
    })
    const s = await mine()
    expect(s.position).toMatchObject({ fixTime: Math.round(t), acc: 10, src: 'gps' })
    expect(s.position!.lat).toBeCloseTo(36.81352 + 50 / 111_195, 6)
    expect(s.battery).toEqual({ time: Math.round(t), pct: 64, charging: false })
    expect(s.events).toEqual({ time: Math.round(t - 570_000), evt: ['fall'] }) // the newest events there are, even if late
    expect(s.lastSeenAt).toBeGreaterThan(Date.now() - 10_000)
    const stored = await service.db.query('SELECT count(*)::int AS n FROM positions WHERE band_id = $1', [BAND.id])
    expect(stored.rows[0]).toEqual({ n: 3 }) // history has all three

    const live = await openLive(service.httpPort, await login(service.httpPort, 'staff-zhangdian'))
    await live.next('snapshot')
    band.stream.destroy() // the connection drops without a DISCONNECT: the broker publishes the will
    await eventually(async () => (await mine()).online === false)
    expect(await live.next('status')).toMatchObject({ status: { bandId: BAND.id, online: false } }) // pushed to the dashboards in scope
    live.close()
  })

  it('when viewers ask, then each sees only the bands of the residents they may see', async () => {
    expect((await bands('staff-zhangdian')).map((b) => b.bandId)).toEqual([BAND.id])
    expect((await bands('staff-boshan')).map((b) => b.bandId)).toEqual([OTHER_BAND.id])
    expect((await bands('family-wang')).map((b) => b.bandId)).toEqual([BAND.id])
    const res = await fetch(`http://127.0.0.1:${service.httpPort}/api/bands`)
    expect(res.status).toBe(401)
  })

  it('when a band publishes a status that is neither online nor offline, then it is refused by reason and changes nothing', async () => {
    const band = await connectBand(service.mqttPort!, OTHER_BAND)
    await band.publishAsync(`bands/${OTHER_BAND.id}/status`, '{"battery":12}', { qos: 1 })
    await band.endAsync()
    const metrics = await (await fetch(`http://127.0.0.1:${service.httpPort}/metrics`)).text()
    expect(metrics).toMatch(/tongxing_rejected_total\{reason="bad_status"\} 1/)
    expect((await bands('staff-boshan'))[0]!.online).toBeNull()
  })
})
