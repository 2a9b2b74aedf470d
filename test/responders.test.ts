// Nearby responders (issue 19): an admin makes them with an area and schedule; a wander alert is
// offered (and notified) to those whose area holds the wearer's last position; after accepting,
// a responder sees that one person only while the alert is open, and the family is told someone
// is on the way. A responder sees nothing else: no other route, not the socket.
import { describe, expect, it } from 'vitest'
import type { Service } from '../bin/service.ts'
import { parseProvision } from '../bin/provision.ts'
import { insertUser } from '../dashboard/index.ts'
import { HOME, PASSWORD, login, openLive } from './support/fixtures.ts'
import { api, bandReports, openAlert } from './support/finding.ts'
import { eventually } from './support/service.ts'
import { useServiceWithWorld, type World } from './support/world.ts'

describe('nearby responders', () => {
  let service: Service
  let world: World
  useServiceWithWorld((s, w) => {
    service = s
    world = w
  })
  const call = (...a: Parameters<ReturnType<typeof api>>) => api(service)(...a)
  const post = (path: string, cookie: string, body?: unknown) =>
    call(path, cookie, { method: 'POST', ...(body === undefined ? {} : { body: JSON.stringify(body) }) })
  const near = { type: 'circle', center: [HOME.lon, HOME.lat], radiusM: 2000 }
  const far = { type: 'circle', center: [117.87, 36.49], radiusM: 2000 }

  it('when a wander alert opens, then only the responder whose area holds the last position is offered it and notified; after accepting they follow that one person until it closes', async () => {
    await insertUser(service.db, { username: 'admin-zibo', password: PASSWORD, role: 'admin' })
    const admin = await login(service.httpPort, 'admin-zibo')
    const made = await post('/api/admin/responders', admin, {
      username: 'grid-zhang',
      password: PASSWORD,
      phone: '13700000070',
      area: near,
    })
    expect(made.status).toBe(201)
    const nearId = ((await made.json()) as { id: number }).id
    expect(
      (await post('/api/admin/responders', admin, { username: 'grid-far', password: PASSWORD, area: far })).status,
    ).toBe(201)
    const bad = await post('/api/admin/responders', admin, {
      username: 'grid-bad',
      password: PASSWORD,
      area: near,
      schedules: [{ from: '8am', to: '20:00' }],
    })
    expect(bad.status).toBe(400)
    expect(((await bad.json()) as { error: { code: string } }).error.code).toBe('invalid_responder')

    await bandReports(service, 1, 400, Date.now() - 60_000)
    const family = await login(service.httpPort, 'family-wang')
    const familyLive = await openLive(service.httpPort, family)
    await familyLive.next('snapshot')
    const outsider = await openLive(service.httpPort, await login(service.httpPort, 'staff-boshan'))
    await outsider.next('snapshot')
    const alertId = await openAlert(service, world)
    await bandReports(service, 2, 500, Date.now())

    // Offered (and a message planned for them) once the notifier has planned the new alert.
    const responder = await login(service.httpPort, 'grid-zhang')
    const tasks = await eventually(async () => {
      const t = (await (await call('/api/responder/tasks', responder)).json()) as {
        tasks: { id: number; alertId: number; acceptedAt: number | null }[]
      }
      return t.tasks.length > 0 && t.tasks
    })
    expect(tasks.map((t) => [t.alertId, t.acceptedAt])).toEqual([[alertId, null]])
    const taskId = tasks[0]!.id
    const deliveries = await service.db.query(
      "SELECT channel, address, params->>'name' AS name FROM deliveries WHERE recipient = $1",
      [`responder:${nearId}`],
    )
    expect(deliveries.rows).toEqual([{ channel: 'sms', address: '13700000070', name: '附近一位需要帮助的老人' }])
    const farCookie = await login(service.httpPort, 'grid-far')
    expect(((await (await call('/api/responder/tasks', farCookie)).json()) as { tasks: unknown[] }).tasks).toEqual([])

    // Before accepting: nothing of the person; another responder cannot take their task.
    expect((await call(`/api/responder/tasks/${taskId}/live`, responder)).status).toBe(404)
    expect((await post(`/api/responder/tasks/${taskId}/accept`, farCookie)).status).toBe(404)
    expect((await call(`/api/responder/tasks/${taskId}/live`, farCookie)).status).toBe(404)

    expect((await post(`/api/responder/tasks/${taskId}/accept`, responder)).status).toBe(204)
    const told = await familyLive.next('responder')
    expect(told).toMatchObject({ change: 'accepted', alertId, residentId: world.resident })
    await new Promise((r) => setTimeout(r, 300)) // what the hub sent the outsider has arrived by now
    expect(outsider.messages.filter((m) => m.type === 'responder')).toEqual([])
    outsider.close()
    const live = (await (await call(`/api/responder/tasks/${taskId}/live`, responder)).json()) as {
      trail: { lat: number }[]
    }
    // The fix 400 m out raised the alert (the geofence): the alert's own evidence, so shown.
    expect(live.trail.map((p) => p.lat.toFixed(5))).toEqual([400, 500].map((m) => (HOME.lat + m / 111_195).toFixed(5)))
    const timeline = (await (await call(`/api/alerts/${alertId}/timeline`, family)).json()) as {
      events: { kind: string; username: string | null }[]
    }
    expect(timeline.events).toContainEqual(
      expect.objectContaining({ kind: 'responder_accepted', username: 'grid-zhang' }),
    )

    // Nothing else, even while accepted: no alert list, history, bands, zones, admin routes or socket.
    for (const path of [
      '/api/alerts',
      `/api/residents/${world.resident}/history?from=${Date.now() - 3_600_000}&to=${Date.now()}`,
      '/api/bands',
      '/api/zones',
      '/api/admin/users',
      '/api/admin/responders',
      `/api/alerts/${alertId}/timeline`,
      `/api/alerts/${alertId}/search-links`,
      `/api/residents/${world.resident}/photo`,
    ]) {
      expect((await call(path, responder)).status, path).toBe(403)
    }
    await expect(openLive(service.httpPort, responder)).rejects.toMatchObject({ statusCode: 403 })

    // Resolved: the responder sees nothing more, and the task is gone from their list.
    const staff = await login(service.httpPort, 'staff-zhangdian')
    expect((await post(`/api/alerts/${alertId}/resolve`, staff, { note: '已找到' })).status).toBe(200)
    expect((await call(`/api/responder/tasks/${taskId}/live`, responder)).status).toBe(404)
    expect((await call(`/api/responder/tasks/${taskId}/photo`, responder)).status).toBe(404)
    expect(((await (await call('/api/responder/tasks', responder)).json()) as { tasks: unknown[] }).tasks).toEqual([])

    // Reopened: the old acceptance stays ended, whatever arrived meanwhile; it needs a new offer.
    await bandReports(service, 3, 0, Date.now())
    expect((await post(`/api/alerts/${alertId}/reopen`, staff, {})).status).toBe(200)
    expect((await call(`/api/responder/tasks/${taskId}/live`, responder)).status).toBe(404)
    expect((await post(`/api/responder/tasks/${taskId}/accept`, responder)).status).toBe(404)
    expect(((await (await call('/api/responder/tasks', responder)).json()) as { tasks: unknown[] }).tasks).toEqual([])
    expect((await post(`/api/alerts/${alertId}/resolve`, staff, { note: '已找到' })).status).toBe(200)
    familyLive.close()
  })

  it('when an admin changes a responder, the area is validated, and only responders can be changed', async () => {
    const admin = await login(service.httpPort, 'admin-zibo')
    const list = (await (await call('/api/admin/responders', admin)).json()) as {
      responders: { userId: number; username: string }[]
    }
    const far = list.responders.find((r) => r.username === 'grid-far')!
    const put = (id: number, body: unknown) =>
      call(`/api/admin/responders/${id}`, admin, { method: 'PUT', body: JSON.stringify(body) })
    expect((await put(far.userId, { area: near, schedules: [{ from: '08:00', to: '20:00' }] })).status).toBe(204)
    expect((await put(far.userId, { area: { type: 'circle', center: [200, 0], radiusM: 50 } })).status).toBe(400)
    const always = await put(far.userId, { area: near, schedules: [null] })
    expect(always.status).toBe(400)
    expect(((await always.json()) as { error: { message: string } }).error.message).toMatch(
      /schedules\[0\]: a window must be an object/,
    )
    const staffId = (await service.db.query("SELECT id FROM users WHERE username = 'staff-zhangdian'")).rows[0]!.id
    expect((await put(Number(staffId), { area: near })).status).toBe(404)
    expect((await call('/api/admin/responders', await login(service.httpPort, 'staff-zhangdian'))).status).toBe(403)
  })

  it('when an operator adds a responder from the command line, then they have their area and weekday hours; a bad area is refused before anything is written', async () => {
    const args = ['user', 'add', '--username', 'grid-cli', '--password', PASSWORD, '--role', 'responder']
    const where = ['--lat', String(HOME.lat), '--lon', String(HOME.lon), '--radius', '1500']
    const when = ['--from', '08:00', '--to', '20:00', '--days', '1,2,3,4,5', '--phone', '13700000071']
    await (await parseProvision([...args, ...where, ...when]))(service.db)
    const admin = await login(service.httpPort, 'admin-zibo')
    const list = (await (await call('/api/admin/responders', admin)).json()) as {
      responders: { username: string; area: unknown; schedules: unknown[]; phone: string }[]
    }
    expect(list.responders.find((r) => r.username === 'grid-cli')).toEqual({
      userId: expect.any(Number),
      username: 'grid-cli',
      area: { type: 'circle', center: [HOME.lon, HOME.lat], radiusM: 1500 },
      schedules: [{ from: '08:00', to: '20:00', days: [1, 2, 3, 4, 5] }],
      phone: '13700000071',
    })
    await expect(
      parseProvision([...args.slice(0, 3), 'grid-x', ...args.slice(4), ...where.slice(0, 4)]),
    ).rejects.toThrow(/--radius is required/)
    await expect(parseProvision([...args, ...where, '--from', '25:00', '--to', '08:00'])).rejects.toThrow(
      /schedules\[0\]/,
    )
  })
})
