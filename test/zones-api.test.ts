// Editing zones through the API: care staff create, change and delete their residents' zones,
// validated on save with the problem named; nobody else can; the geofence applies the change.
import { describe, expect, it } from 'vitest'
import type { Service } from '../bin/service.ts'
import { useServiceWithWorld, type World } from './support/world.ts'
import { BAND, HOME, connectBand, fixNorth, login } from './support/fixtures.ts'
import { eventually } from './support/service.ts'

describe('zones API', () => {
  let service: Service
  let world: World
  useServiceWithWorld((s, w) => {
    service = s
    world = w
  })

  const call = async (user: string, method: string, path: string, body?: unknown) => {
    const res = await fetch(`http://127.0.0.1:${service.httpPort}${path}`, {
      method,
      headers: { cookie: await login(service.httpPort, user), ...(body ? { 'content-type': 'application/json' } : {}) },
      body: body ? JSON.stringify(body) : undefined,
    })
    return {
      status: res.status,
      body:
        res.status === 204
          ? null
          : ((await res.json()) as { zone?: { id: number; shape: unknown }; error?: { message: string } }),
    }
  }
  const circle = (radiusM: number) => ({ type: 'circle', center: [HOME.lon, HOME.lat], radiusM })

  it("when care staff widen their resident's home zone, then it is saved and the geofence no longer calls a walk 300 m out an exit", async () => {
    const r = await call('staff-zhangdian', 'PUT', `/api/zones/${world.zone}`, {
      name: 'home',
      kind: 'safe',
      shape: circle(1000),
    })
    expect(r).toMatchObject({ status: 200, body: { zone: { id: world.zone, shape: { radiusM: 1000 } } } })
    await new Promise((res) => setTimeout(res, 300))
    const band = await connectBand(service.mqttPort!, BAND)
    const t = Date.now() - 300_000
    for (const [seq, s] of [
      [1, 0],
      [2, 30],
      [3, 90],
      [4, 150],
    ] as const)
      await band.publishAsync(`bands/${BAND.id}/telemetry`, JSON.stringify(fixNorth(seq, 300, t + s * 1000)), {
        qos: 1,
      })
    await band.endAsync()
    await new Promise((res) => setTimeout(res, 300))
    expect((await service.db.query('SELECT 1 FROM alerts')).rowCount).toBe(0)
  })

  it('when care staff add a night zone and then delete it, then both are applied', async () => {
    const created = await call('staff-zhangdian', 'POST', `/api/residents/${world.resident}/zones`, {
      name: 'home at night',
      kind: 'safe',
      shape: circle(60),
      schedule: { from: '22:00', to: '07:00' },
    })
    expect(created).toMatchObject({ status: 201, body: { zone: { shape: { radiusM: 60 } } } })
    expect((await call('staff-zhangdian', 'DELETE', `/api/zones/${created.body!.zone!.id}`)).status).toBe(204)
    await eventually(
      async () =>
        (await service.db.query('SELECT 1 FROM zones WHERE id = $1', [created.body!.zone!.id])).rowCount === 0,
    )
  })

  it('when a zone is invalid, then it is refused naming the problem', async () => {
    const bow = {
      type: 'Polygon',
      coordinates: [
        [
          [118.05, 36.81],
          [118.06, 36.82],
          [118.06, 36.81],
          [118.05, 36.82],
          [118.05, 36.81],
        ],
      ],
    }
    const r = await call('staff-zhangdian', 'PUT', `/api/zones/${world.zone}`, {
      name: 'home',
      kind: 'safe',
      shape: bow,
    })
    expect(r).toMatchObject({ status: 400, body: { error: { message: expect.stringMatching(/intersects itself/) } } })
    const bad = await call('staff-zhangdian', 'POST', `/api/residents/${world.resident}/zones`, {
      name: 'x',
      kind: 'safe',
      shape: circle(100),
      schedule: { from: '25:00', to: '07:00' },
    })
    expect(bad).toMatchObject({ status: 400, body: { error: { message: expect.stringMatching(/schedule.from/) } } })
  })

  it('when staff of another centre or a family member try, then the zone does not exist for them or they may not', async () => {
    expect(
      (await call('staff-boshan', 'PUT', `/api/zones/${world.zone}`, { name: 'home', kind: 'safe', shape: circle(50) }))
        .status,
    ).toBe(404)
    expect(
      (
        await call('staff-boshan', 'POST', `/api/residents/${world.resident}/zones`, {
          name: 'x',
          kind: 'safe',
          shape: circle(50),
        })
      ).status,
    ).toBe(404)
    expect((await call('family-wang', 'DELETE', `/api/zones/${world.zone}`)).status).toBe(403)
    const r = await service.db.query<{ shape: { radiusM: number } }>('SELECT shape FROM zones WHERE id = $1', [
      world.zone,
    ])
    expect(r.rows[0]!.shape.radiusM).toBe(1000)
  })
})
