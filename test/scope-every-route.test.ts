// Privacy, route by route: every route the API describes (read from its own OpenAPI document, so
// a new route is covered the day it is added) is called by a family member with the ids of a
// resident who is not theirs — and nothing about that resident may come back or change.
import { describe, expect, it } from 'vitest'
import type { Service } from '../bin/service.ts'
import { insertUser } from '../dashboard/index.ts'
import { raiseAlert } from '../geofence/index.ts'
import { OTHER_BAND, PASSWORD, connectBand, login, openLive } from './support/fixtures.ts'
import { openAlert } from './support/finding.ts'
import { useServiceWithWorld, type World } from './support/world.ts'

// Routes that are about no resident, or only about the caller: they cannot leak another's data.
const NOT_ABOUT_RESIDENTS = new Set([
  '/api/login',
  '/api/logout',
  '/api/me',
  '/api/config',
  '/api/invitations/accept',
  '/healthz',
  '/metrics',
])

describe('every route and the socket are scoped', () => {
  let service: Service
  let world: World
  let otherZone: number
  let otherAlert: number
  useServiceWithWorld((s, w) => {
    service = s
    world = w
  })

  const secrets = () => ['Li Xiuying', OTHER_BAND.id, '117.87', '36.49']

  it("when a family member calls each route with another resident's ids, then nothing about that resident comes back and nothing changes", async () => {
    // The other resident has a position, a zone and an alert.
    const band = await connectBand(service.mqttPort!, OTHER_BAND)
    await band.publishAsync(
      `bands/${OTHER_BAND.id}/telemetry`,
      JSON.stringify({ v: 1, seq: 1, ts: Date.now() / 1000 - 60, lat: 36.49, lon: 117.87, acc: 5, src: 'gps' }),
      { qos: 1 },
    )
    await band.endAsync()
    otherZone = (
      await service.db.query<{ id: number }>('SELECT id FROM zones WHERE resident_id = $1', [world.otherResident])
    ).rows[0]!.id
    otherAlert = (await raiseAlert(service.db, {
      residentId: world.otherResident,
      bandId: OTHER_BAND.id,
      zoneId: null,
      kind: 'sos',
      fixTime: Date.now(),
      evidence: { lat: 36.49, lon: 117.87 },
    }))!.alert.id
    const before = await service.db.query(
      "SELECT (SELECT count(*) FROM alerts WHERE status = 'open') AS a, (SELECT count(*) FROM zones) AS z, (SELECT count(*) FROM band_commands) AS c, (SELECT count(*) FROM residents) AS r",
    )

    const doc = (await (await fetch(`http://127.0.0.1:${service.httpPort}/docs/json`)).json()) as {
      paths: Record<string, Record<string, unknown>>
    }
    const ids: Record<string, string> = {
      residentId: String(world.otherResident),
      bandId: OTHER_BAND.id,
      zoneId: String(otherZone),
      id: String(otherAlert),
    }
    const cookie = await login(service.httpPort, 'family-wang')
    let checked = 0
    for (const [template, methods] of Object.entries(doc.paths)) {
      if (NOT_ABOUT_RESIDENTS.has(template) || template.startsWith('/docs')) continue
      const path = template.replace(/\{(\w+)\}/g, (_m, name: string) => ids[name] ?? '1')
      for (const method of Object.keys(methods)) {
        const query =
          method === 'get' && path.endsWith('/history') ? `?from=${Date.now() - 3_600_000}&to=${Date.now()}` : ''
        const res = await fetch(`http://127.0.0.1:${service.httpPort}${path}${query}`, {
          method: method.toUpperCase(),
          headers: { cookie, 'content-type': 'application/json' },
          body:
            method === 'get' || method === 'delete'
              ? undefined
              : JSON.stringify({
                  cmd: 'locate',
                  note: 'x',
                  name: 'x',
                  kind: 'safe',
                  shape: { type: 'circle', center: [117.87, 36.49], radiusM: 100 },
                  hours: 1,
                  id: 'x',
                  centres: [],
                  residents: [],
                  users: [],
                }),
        })
        const text = await res.text()
        for (const s of secrets()) expect(text, `${method.toUpperCase()} ${template} leaked "${s}"`).not.toContain(s)
        if (template.includes('{'))
          expect(res.status, `${method.toUpperCase()} ${template} answered ${res.status}`).toBeGreaterThanOrEqual(400)
        checked++
      }
    }
    expect(checked).toBeGreaterThan(15)
    const after = await service.db.query(
      "SELECT (SELECT count(*) FROM alerts WHERE status = 'open') AS a, (SELECT count(*) FROM zones) AS z, (SELECT count(*) FROM band_commands) AS c, (SELECT count(*) FROM residents) AS r",
    )
    expect(after.rows).toEqual(before.rows)
  })

  it("when the other resident's band reports and their alert changes, then the family member's socket hears nothing of it", async () => {
    const live = await openLive(service.httpPort, await login(service.httpPort, 'family-wang'))
    const snapshot = await live.next('snapshot')
    for (const s of secrets()) expect(JSON.stringify(snapshot)).not.toContain(s)
    const band = await connectBand(service.mqttPort!, OTHER_BAND)
    await band.publishAsync(
      `bands/${OTHER_BAND.id}/telemetry`,
      JSON.stringify({
        v: 1,
        seq: 2,
        ts: Date.now() / 1000 - 30,
        lat: 36.49,
        lon: 117.87,
        acc: 5,
        src: 'gps',
        evt: ['sos'],
      }),
      { qos: 1 },
    )
    await band.endAsync()
    await new Promise((r) => setTimeout(r, 500))
    expect(live.messages.filter((m) => m.type !== 'keepalive' && m.type !== 'hello')).toEqual([])
    live.close()
  })
  // Issue 19: a responder and a search-link holder each see exactly one person, through their own routes only.
  const otherWander = async () =>
    (await raiseAlert(service.db, {
      residentId: world.otherResident,
      bandId: OTHER_BAND.id,
      zoneId: null,
      kind: 'left_safe_zone',
      fixTime: Date.now(),
      evidence: {},
    }))!.alert.id

  it("when a responder with an accepted task calls each route with the other resident's ids, then every route but their own refuses them and nothing leaks", async () => {
    const mine = await openAlert(service, world)
    const theirs = await otherWander()
    const me = Number(await insertUser(service.db, { username: 'grid-a', password: PASSWORD, role: 'responder' }))
    const other = Number(await insertUser(service.db, { username: 'grid-b', password: PASSWORD, role: 'responder' }))
    await service.db.query(
      'INSERT INTO responder_tasks (alert_id, user_id, accepted_at) VALUES ($1, $2, now()), ($3, $4, now())',
      [mine, me, theirs, other],
    )
    const otherTask = (
      await service.db.query<{ id: number }>('SELECT id FROM responder_tasks WHERE user_id = $1', [other])
    ).rows[0]!.id
    const cookie = await login(service.httpPort, 'grid-a')
    const answers = await everyRoute(service, cookie, {
      residentId: String(world.otherResident),
      bandId: OTHER_BAND.id,
      zoneId: String(otherZone),
      id: String(theirs),
      taskId: String(otherTask),
      token: 'x'.repeat(43),
    })
    expect(answers.length).toBeGreaterThan(30)
    for (const a of answers) for (const s of secrets()) expect(a.text, `${a.route} leaked "${s}"`).not.toContain(s)
    // The found-me page's routes are public; the walk's token is no card's, so they answer 404 to anyone.
    const expected = (route: string) =>
      route.includes('/api/responder/tasks/') || route.includes('/api/found/')
        ? 404
        : route.includes('/api/search/')
          ? 410
          : route === 'GET /api/responder/tasks'
            ? 200
            : 403
    expect(answers.filter((a) => a.status !== expected(a.route)).map((a) => `${a.route} ${a.status}`)).toEqual([])
    await expect(openLive(service.httpPort, cookie)).rejects.toMatchObject({ statusCode: 403 })
  })

  it("when someone holding a search link for one resident calls each route without signing in, then only the link's own answers come, about that resident alone", async () => {
    const mine = await openAlert(service, world)
    await otherWander()
    const staff = await login(service.httpPort, 'staff-zhangdian')
    const made = await fetch(`http://127.0.0.1:${service.httpPort}/api/alerts/${mine}/search-links`, {
      method: 'POST',
      headers: { cookie: staff, 'content-type': 'application/json' },
      body: '{}',
    })
    const { token } = (await made.json()) as { token: string }
    const answers = await everyRoute(service, '', {
      residentId: String(world.otherResident),
      bandId: OTHER_BAND.id,
      zoneId: String(otherZone),
      id: String(otherAlert),
      token,
    })
    for (const a of answers) {
      for (const s of secrets()) expect(a.text, `${a.route} leaked "${s}"`).not.toContain(s)
      if (a.route.includes('/api/search/')) expect(a.text).not.toContain('Wang Jianguo')
    }
    // The found-me page's routes are public; the walk's token is no card's, so they answer 404 to anyone.
    const expected = (route: string) =>
      route.includes('/api/found/') ? 404 : !route.includes('/api/search/') ? 401 : route.endsWith('/photo') ? 410 : 200
    expect(answers.filter((a) => a.status !== expected(a.route)).map((a) => `${a.route} ${a.status}`)).toEqual([])
    expect(answers.filter((a) => a.route.includes('/api/search/')).length).toBe(3)
    // A link is no session: the live socket stays closed to its holder.
    await expect(openLive(service.httpPort)).rejects.toMatchObject({ statusCode: 401 })
  })
})

/** Routes anyone may call that say nothing about anyone: readiness, the push service's public key. */
const OPEN_TO_ALL = new Set(['/readyz', '/api/push/key'])

/** Calls every route of the API's own OpenAPI document with these ids (and `cookie`, if any). */
async function everyRoute(service: Service, cookie: string, ids: Record<string, string>) {
  const base = `http://127.0.0.1:${service.httpPort}`
  const doc = (await (await fetch(`${base}/docs/json`)).json()) as { paths: Record<string, Record<string, unknown>> }
  const out: { route: string; status: number; text: string }[] = []
  for (const [template, methods] of Object.entries(doc.paths)) {
    if (template.startsWith('/docs') || NOT_ABOUT_RESIDENTS.has(template) || OPEN_TO_ALL.has(template)) continue
    const path = template.replace(/\{(\w+)\}/g, (_m, name: string) => ids[name] ?? '1')
    for (const method of Object.keys(methods)) {
      const query =
        method === 'get' && path.endsWith('/history') ? `?from=${Date.now() - 3_600_000}&to=${Date.now()}` : ''
      const body = method === 'get' || method === 'delete' ? undefined : JSON.stringify({ note: 'x', name: 'x' })
      const res = await fetch(`${base}${path}${query}`, {
        method: method.toUpperCase(),
        headers: { ...(cookie ? { cookie } : {}), ...(body ? { 'content-type': 'application/json' } : {}) },
        body,
      })
      out.push({ route: `${method.toUpperCase()} ${template}`, status: res.status, text: await res.text() })
    }
  }
  return out
}
