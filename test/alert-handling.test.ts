// People handling alerts through the API, as each role: acknowledge, resolve with a note,
// escalation when nobody acknowledges in time — each change on the sockets in scope only; and a
// dashboard resuming its socket misses nothing.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Service } from '../bin/service.ts'
import { raiseAlert } from '../geofence/index.ts'
import { BAND, connectBand, fixNorth, login, openLive, provisionWorld } from './support/fixtures.ts'
import { startTestService } from './support/service.ts'

describe('handling alerts', () => {
  let service: Service
  let world: Awaited<ReturnType<typeof provisionWorld>>
  const url = (path: string) => `http://127.0.0.1:${service.httpPort}${path}`
  beforeAll(async () => {
    service = await startTestService({ ESCALATION_SECONDS: '0.5' })
    world = await provisionWorld(service.db)
  })
  afterAll(() => service?.stop())

  const post = async (path: string, cookie: string, body?: unknown) => {
    const res = await fetch(url(path), {
      method: 'POST',
      headers: { cookie, ...(body ? { 'content-type': 'application/json' } : {}) },
      body: body ? JSON.stringify(body) : undefined,
    })
    return {
      status: res.status,
      body: (await res.json()) as { alert?: Record<string, unknown>; error?: { code: string } },
    }
  }
  const raise = async () =>
    (await raiseAlert(service.db, {
      residentId: world.resident,
      bandId: BAND.id,
      zoneId: null,
      kind: 'sos',
      fixTime: Date.now(),
      evidence: {},
    }))!.alert

  it('when care staff acknowledge and then resolve an alert with a note, then both are recorded with who and when, and the family sees each change live', async () => {
    // Signed in first: escalation here comes after half a second, and must not overtake the acknowledgement.
    const staff = await login(service.httpPort, 'staff-zhangdian')
    const family = await openLive(service.httpPort, await login(service.httpPort, 'family-wang'))
    await family.next('hello')
    const alert = await raise()
    const ack = await post(`/api/alerts/${alert.id}/acknowledge`, staff)
    expect(ack).toMatchObject({
      status: 200,
      body: {
        alert: {
          id: alert.id,
          status: 'acknowledged',
          acknowledgedBy: expect.any(Number),
          acknowledgedAt: expect.any(Number),
        },
      },
    })
    expect(await family.next('alert', (m) => m.change === 'acknowledged')).toMatchObject({ alert: { id: alert.id } })
    expect((await post(`/api/alerts/${alert.id}/acknowledge`, staff)).body).toMatchObject({
      error: { code: 'conflict' },
    })
    const done = await post(`/api/alerts/${alert.id}/resolve`, staff, { note: 'found him at the market, safe' })
    expect(done).toMatchObject({
      status: 200,
      body: { alert: { status: 'resolved', resolutionNote: 'found him at the market, safe' } },
    })
    expect(await family.next('alert', (m) => m.change === 'resolved')).toMatchObject({
      alert: { id: alert.id, resolutionNote: 'found him at the market, safe' },
    })
    family.close()
  })

  it('when staff of another centre try to handle the alert, then it does not exist for them (404) and nothing changes', async () => {
    const other = await login(service.httpPort, 'staff-boshan')
    const alert = await raise()
    expect(await post(`/api/alerts/${alert.id}/acknowledge`, other)).toMatchObject({
      status: 404,
      body: { error: { code: 'not_found' } },
    })
    expect((await post(`/api/alerts/${alert.id}/resolve`, other, { note: 'x' })).status).toBe(404)
    expect((await post(`/api/alerts/${alert.id}/acknowledge`, '')).status).toBe(401)
    const r = await service.db.query('SELECT status FROM alerts WHERE id = $1', [alert.id])
    expect(r.rows).toEqual([{ status: 'open' }])
    await post(`/api/alerts/${alert.id}/resolve`, await login(service.httpPort, 'staff-zhangdian'), { note: 'tidy up' })
  })

  it('when nobody acknowledges an alert, then it escalates level by level, announced on the socket, and stops at the last level', async () => {
    const staff = await openLive(service.httpPort, await login(service.httpPort, 'staff-zhangdian'))
    await staff.next('hello')
    const alert = await raise()
    expect(await staff.next('alert', 3000)).toMatchObject({
      change: 'escalated',
      alert: { id: alert.id, escalationLevel: 1 },
    })
    expect(await staff.next('alert', 3000)).toMatchObject({
      change: 'escalated',
      alert: { id: alert.id, escalationLevel: 2 },
    })
    await new Promise((r) => setTimeout(r, 1200))
    expect(staff.messages.filter((m) => m.type === 'alert')).toEqual([])
    staff.close()
  })
})

describe('resuming the live socket', () => {
  it('when a dashboard reconnects with the time of the last change it saw, then the snapshot carries what changed meanwhile, resolved alerts too', async () => {
    const service = await startTestService()
    try {
      await provisionWorld(service.db)
      const cookie = await login(service.httpPort, 'staff-zhangdian')
      const first = await openLive(service.httpPort, cookie)
      const snapshot = await first.next('snapshot')
      expect(snapshot.alerts).toEqual([])
      const lastSeen = Date.now()
      first.close()
      // While the dashboard is away, the wearer walks out and back: an alert opens and resolves.
      const band = await connectBand(service.mqttPort!, BAND)
      const t = Date.now() - 600_000
      for (const [seq, north, s] of [
        [1, 0, 0],
        [2, 300, 30],
        [3, 320, 90],
        [4, 20, 120],
        [5, 0, 150],
      ] as const) {
        await band.publishAsync(`bands/${BAND.id}/telemetry`, JSON.stringify(fixNorth(seq, north, t + s * 1000)), {
          qos: 1,
        })
      }
      await band.endAsync()
      await new Promise((r) => setTimeout(r, 500))
      const fresh = await openLive(service.httpPort, cookie)
      expect((await fresh.next('snapshot')).alerts).toEqual([]) // a plain reconnect shows only what is still open
      fresh.close()
      const resumed = await openLive(service.httpPort, cookie, `?since=${lastSeen}`)
      expect((await resumed.next('snapshot')).alerts).toMatchObject([{ kind: 'left_safe_zone', status: 'resolved' }])
      resumed.close()
    } finally {
      await service.stop()
    }
  })
})
