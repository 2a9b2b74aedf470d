// A resident's history through the API: complete for a short period, thinned for a long one,
// refused to anyone who may not see the resident, and every look recorded for the admins.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Service } from '../bin/service.ts'
import { insertUser } from '../dashboard/index.ts'
import { BAND, PASSWORD, connectBand, fixNorth, login, provisionWorld } from './support/fixtures.ts'
import { startTestService } from './support/service.ts'

describe('resident history', () => {
  let service: Service
  let world: Awaited<ReturnType<typeof provisionWorld>>
  const t0 = Date.now() - 3_600_000

  beforeAll(async () => {
    service = await startTestService()
    world = await provisionWorld(service.db)
    await insertUser(service.db, { username: 'auditor', password: PASSWORD, role: 'admin' })
    const band = await connectBand(service.mqttPort!, BAND)
    await band.publishAsync(
      `bands/${BAND.id}/telemetry`,
      JSON.stringify(Array.from({ length: 60 }, (_, i) => fixNorth(i, i, t0 + i * 30_000))),
      { qos: 1 },
    )
    await band.endAsync()
  })
  afterAll(() => service?.stop())

  const get = async (user: string, query: string, residentId = world.resident) => {
    const res = await fetch(`http://127.0.0.1:${service.httpPort}/api/residents/${residentId}/history?${query}`, {
      headers: { cookie: await login(service.httpPort, user) },
    })
    return {
      status: res.status,
      body: (await res.json()) as { total: number; points: { fixTime: number; lat: number }[] },
    }
  }

  it('when the family asks for the last hour, then every position comes back in time order, and the look is recorded', async () => {
    const r = await get('family-wang', `from=${t0}&to=${t0 + 3_600_000}`)
    expect(r.status).toBe(200)
    expect(r.body.total).toBe(60)
    expect(r.body.points.map((p) => p.fixTime)).toEqual(
      Array.from({ length: 60 }, (_, i) => Math.round(t0 + i * 30_000)),
    )
    const views = await fetch(
      `http://127.0.0.1:${service.httpPort}/api/admin/residents/${world.resident}/history-views`,
      { headers: { cookie: await login(service.httpPort, 'auditor') } },
    )
    expect(((await views.json()) as { views: unknown[] }).views[0]).toMatchObject({
      username: 'family-wang',
      residentId: world.resident,
      from: Math.round(t0),
    })
  })

  it('when more positions match than asked for, then they are thinned to at most that many, spread over the period', async () => {
    const r = await get('staff-zhangdian', `from=${t0}&to=${t0 + 1_800_000}&maxPoints=10`) // the half hour the fixes span
    expect(r.body.total).toBe(60)
    expect(r.body.points.length).toBeLessThanOrEqual(10)
    expect(r.body.points.length).toBeGreaterThanOrEqual(9)
    expect(r.body.points.at(-1)!.fixTime - r.body.points[0]!.fixTime).toBeGreaterThan(0.7 * 1_800_000)
  })

  it('when someone who may not see the resident asks, or asks for too long a period, then it is refused and nothing is recorded', async () => {
    const before = (await service.db.query<{ n: number }>('SELECT count(*)::int AS n FROM history_views')).rows[0]!.n
    expect((await get('staff-boshan', `from=${t0}&to=${t0 + 3_600_000}`)).status).toBe(404)
    expect((await get('family-wang', `from=${t0}&to=${t0 + 3_600_000}`, world.otherResident)).status).toBe(404)
    expect((await get('family-wang', `from=${t0}&to=${t0 + 8 * 86_400_000}`)).status).toBe(400)
    const after = (await service.db.query<{ n: number }>('SELECT count(*)::int AS n FROM history_views')).rows[0]!.n
    expect(after).toBe(before)
    const denied = await fetch(
      `http://127.0.0.1:${service.httpPort}/api/admin/residents/${world.resident}/history-views`,
      { headers: { cookie: await login(service.httpPort, 'family-wang') } },
    )
    expect(denied.status).toBe(403)
  })

  it('when the family asks for a month, then it comes hour by hour from the hourly summary, and the look is recorded', async () => {
    const from = t0 - 30 * 86_400_000
    const res = await fetch(
      `http://127.0.0.1:${service.httpPort}/api/residents/${world.resident}/history/hourly?from=${from}&to=${t0 + 3_600_000}`,
      { headers: { cookie: await login(service.httpPort, 'family-wang') } },
    )
    expect(res.status).toBe(200)
    const hours = ((await res.json()) as { hours: { hour: number; reports: number; located: number; lat: number }[] })
      .hours
    expect(hours.reduce((n, h) => n + h.reports, 0)).toBe(60) // the 60 fixes, in the one or two hours they fall in
    expect(hours.every((h) => h.hour % 3_600_000 === 0 && h.located === h.reports)).toBe(true)
    const views = (
      await service.db.query<{ n: number }>(
        'SELECT count(*)::int AS n FROM history_views WHERE from_time = to_timestamp($1 / 1000.0)',
        [from],
      )
    ).rows[0]!.n
    expect(views).toBe(1)
    const tooLong = await fetch(
      `http://127.0.0.1:${service.httpPort}/api/residents/${world.resident}/history/hourly?from=${from - 90 * 86_400_000}&to=${t0}`,
      { headers: { cookie: await login(service.httpPort, 'family-wang') } },
    )
    expect(tooLong.status).toBe(400)
    const stranger = await fetch(
      `http://127.0.0.1:${service.httpPort}/api/residents/${world.resident}/history/hourly?from=${from}&to=${t0}`,
      { headers: { cookie: await login(service.httpPort, 'staff-boshan') } },
    )
    expect(stranger.status).toBe(404)
  })

  it('when a range lies beyond any date (year 200000, 1e300, negative, not a number), then both routes answer 400 bad_range and the audit goes on working', async () => {
    const cookie = await login(service.httpPort, 'family-wang')
    const year200000 = Date.UTC(200000, 0, 1)
    const ranges: [number | string, number | string][] = [
      [year200000, year200000 + 3_600_000],
      [1e300, 1e300 + 1e290],
      [-3_600_000, 0],
      [-1e300, 1e300],
      [9e15, 9e15 + 1000],
      ['1e400', '2e400'],
      ['Infinity', 'Infinity'],
    ]
    for (const path of ['history', 'history/hourly']) {
      for (const [from, to] of ranges) {
        const res = await fetch(
          `http://127.0.0.1:${service.httpPort}/api/residents/${world.resident}/${path}?from=${encodeURIComponent(from)}&to=${encodeURIComponent(to)}`,
          { headers: { cookie } },
        )
        expect({ path, from, to, status: res.status, body: await res.json() }).toEqual({
          path,
          from,
          to,
          status: 400,
          body: { error: { code: 'bad_range', message: expect.any(String) } },
        })
      }
    }
    // Not a number at all: the schema's answer.
    expect((await get('family-wang', 'from=NaN&to=1')).status).toBe(400)
    // Looks at real ranges are still allowed and recorded.
    expect((await get('family-wang', `from=${t0}&to=${t0 + 60_000}`)).status).toBe(200)
    const views = await fetch(
      `http://127.0.0.1:${service.httpPort}/api/admin/residents/${world.resident}/history-views`,
      { headers: { cookie: await login(service.httpPort, 'auditor') } },
    )
    expect(views.status).toBe(200)
  })
})
