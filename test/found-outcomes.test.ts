// How wanders end (issue 19): resolving a wander or a finder's report may record who found the
// person, where and after how many minutes; the report sums them per "found by", in scope.
import { describe, expect, it } from 'vitest'
import type { Service } from '../bin/service.ts'
import { insertUser } from '../dashboard/index.ts'
import { raiseAlert, type AlertKind } from '../geofence/index.ts'
import { BAND, OTHER_BAND, PASSWORD, cookieJar } from './support/fixtures.ts'
import { useServiceWithWorld, type World } from './support/world.ts'

describe('found outcomes', () => {
  let service: Service
  let world: World
  useServiceWithWorld((s, w) => {
    service = s
    world = w
  })

  const as = cookieJar(() => service.httpPort)
  const call = async (user: string, method: string, path: string, body?: unknown) => {
    const r = await fetch(`http://127.0.0.1:${service.httpPort}${path}`, {
      method,
      headers: { cookie: await as(user), ...(body ? { 'content-type': 'application/json' } : {}) },
      body: body ? JSON.stringify(body) : undefined,
    })
    return { status: r.status, body: (await r.json()) as Record<string, unknown> }
  }
  /** An alert opened `minutesAgo` minutes ago. */
  const alert = async (kind: AlertKind, minutesAgo: number, other = false) => {
    const change = await raiseAlert(service.db, {
      residentId: other ? world.otherResident : world.resident,
      bandId: other ? OTHER_BAND.id : BAND.id,
      zoneId: null,
      kind,
      fixTime: Date.now() - minutesAgo * 60_000,
      evidence: {},
    })
    await service.db.query(`UPDATE alerts SET opened_at = now() - $2 * interval '1 minute' WHERE id = $1`, [
      change!.alert.id,
      minutesAgo,
    ])
    return change!.alert.id
  }
  const resolve = (id: number, outcome?: unknown, user = 'staff-zhangdian') =>
    call(user, 'POST', `/api/alerts/${id}/resolve`, { note: 'found', ...(outcome ? { outcome } : {}) })

  it('when wanders are resolved with who found the person, then the report gives counts and median minutes per finder, in scope', async () => {
    await insertUser(service.db, { username: 'ops', password: PASSWORD, role: 'admin' })
    expect((await resolve(await alert('left_safe_zone', 30), { foundBy: 'family' })).status).toBe(200)
    expect(
      (await resolve(await alert('left_safe_zone', 50), { foundBy: 'family', lat: 36.8, lon: 118.05 })).status,
    ).toBe(200)
    expect((await resolve(await alert('found_report', 12), { foundBy: 'stranger' })).status).toBe(200)
    expect((await resolve(await alert('left_safe_zone', 90, true), { foundBy: 'police' }, 'staff-boshan')).status).toBe(
      200,
    )

    const mine = await call('staff-zhangdian', 'GET', '/api/reports/found-outcomes')
    expect(mine.body).toEqual({
      outcomes: [
        { foundBy: 'family', count: 2, medianMinutes: 40 },
        { foundBy: 'stranger', count: 1, medianMinutes: 12 },
      ],
    })
    const all = await call('ops', 'GET', '/api/reports/found-outcomes')
    expect((all.body.outcomes as { foundBy: string }[]).map((o) => o.foundBy)).toEqual(['family', 'stranger', 'police'])
    expect((await call('family-wang', 'GET', '/api/reports/found-outcomes')).status).toBe(403)
    const row = await service.db.query('SELECT lat, lon FROM alert_outcomes WHERE lat IS NOT NULL')
    expect(row.rows).toEqual([{ lat: 36.8, lon: 118.05 }])
  })

  it('when an outcome is wrong (not a wander, found before the alert, half a position, an unknown finder), then the resolve is refused and the alert stays open', async () => {
    const battery = await alert('low_battery', 5)
    expect((await resolve(battery, { foundBy: 'family' })).body).toMatchObject({ error: { code: 'bad_request' } })
    const wander = await alert('entered_danger_zone', 5)
    expect((await resolve(wander, { foundBy: 'family', foundAt: Date.now() - 3_600_000 })).status).toBe(400)
    expect((await resolve(wander, { foundBy: 'family', lat: 36.8 })).status).toBe(400)
    expect((await resolve(wander, { foundBy: 'neighbour' })).status).toBe(400)
    const open = await service.db.query(
      "SELECT count(*)::int AS n FROM alerts WHERE id = ANY($1) AND status = 'open'",
      [[battery, wander]],
    )
    expect(open.rows[0]).toEqual({ n: 2 })
    // Without an outcome, resolving works as before.
    expect((await resolve(battery)).status).toBe(200)
  })
})
