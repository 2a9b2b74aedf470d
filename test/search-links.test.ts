// Search links (issue 19): who may make one, what its holder sees (one person, the trail since the
// alert opened, the photo), and that it stops working on resolve, expiry and revoke.
import { describe, expect, it } from 'vitest'
import type { Service } from '../bin/service.ts'
import { insertUser } from '../dashboard/index.ts'
import { raiseAlert } from '../geofence/index.ts'
import { BAND, HOME, PASSWORD, login } from './support/fixtures.ts'
import { JPEG_BYTES, api, bandReports, openAlert } from './support/finding.ts'
import { useServiceWithWorld, type World } from './support/world.ts'

describe('search links', () => {
  let service: Service
  let world: World
  useServiceWithWorld((s, w) => {
    service = s
    world = w
  })
  const call = (...a: Parameters<ReturnType<typeof api>>) => api(service)(...a)
  const make = async (alertId: number, cookie: string, body: Record<string, unknown> = {}) =>
    call(`/api/alerts/${alertId}/search-links`, cookie, { method: 'POST', body: JSON.stringify(body) })
  const opens = async (linkId: number) =>
    Number(
      (await service.db.query('SELECT count(*) AS n FROM search_link_opens WHERE link_id = $1', [linkId])).rows[0]!.n,
    )

  it('when the family makes a link for an open wander alert, then anyone holding it sees that one person since the alert opened, and each open is recorded', async () => {
    const t0 = Date.now()
    await bandReports(service, 1, 400, t0 - 120_000)
    await new Promise((r) => setTimeout(r, 20))
    const alertId = await openAlert(service, world)
    await bandReports(service, 2, 500, Date.now())
    const family = await login(service.httpPort, 'family-wang')
    const res = await make(alertId, family, { note: '穿蓝色外套' })
    expect(res.status).toBe(201)
    const { token, link, path } = (await res.json()) as { token: string; link: { id: number }; path: string }
    expect(path).toBe(`/search/#${token}`)
    expect(token).toMatch(/^[A-Za-z0-9_-]{43}$/)

    const opened = await call(`/api/search/${token}`)
    expect(opened.status).toBe(200)
    const body = (await opened.json()) as { trail: { lat: number }[]; note: string; photo: boolean }
    // The fix 400 m out raised the alert (the geofence): it is the alert's own evidence, so shown.
    expect(body.trail.map((p) => p.lat.toFixed(5))).toEqual([400, 500].map((m) => (HOME.lat + m / 111_195).toFixed(5)))
    expect(body.note).toBe('穿蓝色外套')
    expect(JSON.stringify(body)).not.toContain('Wang Jianguo')
    expect(JSON.stringify(body)).not.toContain('860000000000001')
    expect(await opens(link.id)).toBe(1)
    // Polling for the live position is not another open.
    expect((await call(`/api/search/${token}/live`)).status).toBe(200)
    expect(await opens(link.id)).toBe(1)

    const timeline = (await (await call(`/api/alerts/${alertId}/timeline`, family)).json()) as {
      events: { kind: string }[]
    }
    expect(timeline.events.map((e) => e.kind)).toEqual(
      expect.arrayContaining(['search_link_created', 'search_link_opened']),
    )

    // Resolved: the link stops, with the same answer as a token that never was.
    const staff = await login(service.httpPort, 'staff-zhangdian')
    const resolved = await call(`/api/alerts/${alertId}/resolve`, staff, {
      method: 'POST',
      body: JSON.stringify({ note: '已找到' }),
    })
    expect(resolved.status).toBe(200)
    for (const p of [`/api/search/${token}`, `/api/search/${token}/live`, `/api/search/${token}/photo`]) {
      const r = await call(p)
      expect(r.status, p).toBe(410)
      expect(((await r.json()) as { error: { code: string } }).error.code).toBe('link_gone')
    }
    const never = await call(`/api/search/${'x'.repeat(43)}`)
    expect(never.status).toBe(410)
    expect(await opens(link.id)).toBe(1)
  })

  it('when a link is revoked or runs out, then it stops working; only those who see the alert may revoke it', async () => {
    const alertId = await openAlert(service, world)
    const staff = await login(service.httpPort, 'staff-zhangdian')
    const a = (await (await make(alertId, staff)).json()) as { token: string; link: { id: number; expiresAt: number } }
    const b = (await (await make(alertId, staff, { minutes: 30 })).json()) as { token: string; link: { id: number } }
    // The default lasts 3 hours.
    expect(a.link.expiresAt - Date.now()).toBeGreaterThan(179 * 60_000)
    expect(a.link.expiresAt - Date.now()).toBeLessThanOrEqual(180 * 60_000)
    expect((await call(`/api/search/${a.token}`)).status).toBe(200)

    const boshan = await login(service.httpPort, 'staff-boshan')
    expect((await call(`/api/search-links/${a.link.id}/revoke`, boshan, { method: 'POST' })).status).toBe(404)
    expect((await call(`/api/search/${a.token}/live`)).status).toBe(200)
    expect((await call(`/api/search-links/${a.link.id}/revoke`, staff, { method: 'POST' })).status).toBe(204)
    expect((await call(`/api/search/${a.token}/live`)).status).toBe(410)
    expect((await call(`/api/search/${b.token}/live`)).status).toBe(200)

    // Thirty minutes pass for link b.
    await service.db.query("UPDATE search_links SET expires_at = now() - interval '1 second' WHERE id = $1", [
      b.link.id,
    ])
    expect((await call(`/api/search/${b.token}/live`)).status).toBe(410)

    const listed = (await (await call(`/api/alerts/${alertId}/search-links`, staff)).json()) as {
      links: { id: number; revokedAt: number | null; opens: number }[]
    }
    expect(listed.links.map((l) => [l.id, l.revokedAt !== null, l.opens])).toEqual([
      [a.link.id, true, 1],
      [b.link.id, false, 0],
    ])
    expect((await call(`/api/alerts/${alertId}/search-links`, boshan)).status).toBe(404)
  })

  it('when someone may not make a link, or asks for too long, or the alert is no wander, then it is refused', async () => {
    const alertId = await openAlert(service, world)
    expect((await make(alertId, '')).status).toBe(401)
    expect((await make(alertId, await login(service.httpPort, 'staff-boshan'))).status).toBe(404)
    await insertUser(service.db, { username: 'responder-near', password: PASSWORD, role: 'responder' })
    expect((await make(alertId, await login(service.httpPort, 'responder-near'))).status).toBe(403)
    const staff = await login(service.httpPort, 'staff-zhangdian')
    expect((await make(alertId, staff, { minutes: 1441 })).status).toBe(400)
    const sos = await openAlert(service, world, 'sos')
    const refused = await make(sos, staff)
    expect(refused.status).toBe(409)
    expect(((await refused.json()) as { error: { code: string } }).error.code).toBe('not_searchable')
  })

  it('when care staff give the resident a photo, then link holders see it; a wrong type, a lie about it or an outsider is refused', async () => {
    const alertId = await openAlert(service, world)
    const staff = await login(service.httpPort, 'staff-zhangdian')
    const put = (cookie: string, type: string, bytes: Buffer) =>
      call(`/api/residents/${world.resident}/photo`, cookie, {
        method: 'PUT',
        headers: { 'content-type': type },
        body: new Uint8Array(bytes),
      })
    expect((await put(staff, 'image/png', JPEG_BYTES)).status).toBe(400)
    expect((await put(staff, 'text/plain', JPEG_BYTES)).status).toBe(415)
    expect((await put(staff, 'image/jpeg', Buffer.alloc(600 * 1024, 0xff))).status).toBe(413)
    expect((await put(await login(service.httpPort, 'family-wang'), 'image/jpeg', JPEG_BYTES)).status).toBe(403)
    expect((await put(await login(service.httpPort, 'staff-boshan'), 'image/jpeg', JPEG_BYTES)).status).toBe(404)
    expect((await put(staff, 'image/jpeg', JPEG_BYTES)).status).toBe(204)

    const { token } = (await (await make(alertId, staff)).json()) as { token: string }
    const view = (await (await call(`/api/search/${token}`)).json()) as { photo: boolean }
    expect(view.photo).toBe(true)
    const photo = await call(`/api/search/${token}/photo`)
    expect(photo.headers.get('content-type')).toBe('image/jpeg')
    expect(Buffer.from(await photo.arrayBuffer())).toEqual(JPEG_BYTES)
  })

  const lats = (trail: { lat: number }[]) => trail.map((p) => p.lat.toFixed(5))
  const north = (m: number) => (HOME.lat + m / 111_195).toFixed(5)

  it('when a wander alert is resolved and then reopened, then its old links stay dead, showing nothing sent meanwhile; a new link works', async () => {
    const alertId = await openAlert(service, world)
    const staff = await login(service.httpPort, 'staff-zhangdian')
    const { token } = (await (await make(alertId, staff)).json()) as { token: string }
    expect((await call(`/api/search/${token}/live`)).status).toBe(200)
    const post = (path: string, body: unknown) => call(path, staff, { method: 'POST', body: JSON.stringify(body) })
    expect((await post(`/api/alerts/${alertId}/resolve`, { note: 'home' })).status).toBe(200)
    expect((await call(`/api/search/${token}/live`)).status).toBe(410)
    await bandReports(service, 301, 0, Date.now()) // at home, while resolved

    expect((await post(`/api/alerts/${alertId}/reopen`, {})).status).toBe(200)
    for (const p of [`/api/search/${token}`, `/api/search/${token}/live`, `/api/search/${token}/photo`])
      expect((await call(p)).status, p).toBe(410)
    const listed = (await (await call(`/api/alerts/${alertId}/search-links`, staff)).json()) as {
      links: { revokedAt: number | null }[]
    }
    expect(listed.links.length).toBeGreaterThan(0)
    expect(listed.links.filter((l) => l.revokedAt === null)).toEqual([])
    const again = (await (await make(alertId, staff)).json()) as { token: string }
    expect((await call(`/api/search/${again.token}/live`)).status).toBe(200)
    expect((await post(`/api/alerts/${alertId}/resolve`, { note: 'home' })).status).toBe(200)
  })

  it('when a wander alert has just been raised, then its helpers see the fixes proving the exit at once, and nothing from before the crossing', async () => {
    const t = Date.now()
    await bandReports(service, 401, 30, t - 200_000) // at home before the crossing: never shown
    await bandReports(service, 402, 400, t - 90_000)
    await bandReports(service, 403, 450, t - 60_000)
    // Whatever was left open (by earlier tests or the geofence) is closed: this alert is a new one.
    await service.db.query("UPDATE alerts SET status = 'resolved', resolved_at = now() WHERE status <> 'resolved'")
    const raised = await raiseAlert(service.db, {
      residentId: world.resident,
      bandId: BAND.id,
      zoneId: world.zone,
      kind: 'left_safe_zone',
      fixTime: t - 59_999,
      evidence: { outsideSince: t - 90_000, fixes: [{ ts: t - 90_000 }, { ts: t - 60_000 }] },
    })
    expect(raised?.change).toBe('opened')
    const staff = await login(service.httpPort, 'staff-zhangdian')
    const { token } = (await (await make(raised!.alert.id, staff)).json()) as { token: string }
    const view = (await (await call(`/api/search/${token}/live`)).json()) as { trail: { lat: number }[] }
    // (Later fixes in the trail are earlier tests' own, sent after t - 90 s.)
    expect(lats(view.trail).slice(0, 2)).toEqual([north(400), north(450)])
    expect(lats(view.trail)).not.toContain(north(30))
  })
})
