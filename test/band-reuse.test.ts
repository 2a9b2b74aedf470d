// A band passed from one wearer to the next (the programme reuses bands): what the band reported
// while resident A wore it stays A's — never shown to B's family through any route, the socket or
// B's export, even a late backlog from A's time that arrives after the hand-over — and erasing A
// erases it all. Done twice: through the admin API (unassign, assign) and through the admin import.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Service } from '../bin/service.ts'
import { insertUser } from '../dashboard/index.ts'
import { BAND, HOME, PASSWORD, connectBand, login, openLive, type LiveClient } from './support/fixtures.ts'
import { eventually } from './support/service.ts'
import { useServiceWithWorld, type World } from './support/world.ts'

// A lives at HOME (36.81…, 118.05…); B lives 25 km away (36.60…, 117.90…).
const B_HOME = { lat: 36.6031, lon: 117.9012 }
const fix = (seq: number, tsMs: number, at: { lat: number; lon: number }, extra: Record<string, unknown> = {}) =>
  ({ v: 1, seq, ts: tsMs / 1000, lat: at.lat, lon: at.lon, acc: 8, src: 'gps', ...extra })
/** Text that only A's data contains: A's name and A's coordinates. */
const OF_A = ['Wang Jianguo', '36.81', '118.05']

describe('a band passed to a new wearer', () => {
  let service: Service
  let world: World
  useServiceWithWorld((s, w) => { service = s; world = w })

  const url = (path: string) => `http://127.0.0.1:${service.httpPort}${path}`
  const cookies = new Map<string, string>()
  const as = async (user: string, method: string, path: string, body?: unknown) => {
    if (!cookies.has(user)) cookies.set(user, await login(service.httpPort, user))
    return fetch(url(path), { method, body: body === undefined ? undefined : JSON.stringify(body),
      headers: { cookie: cookies.get(user)!, ...(body === undefined ? {} : { 'content-type': 'application/json' }) } })
  }
  const publish = async (band: { id: string; secret: string }, fixes: unknown[]) => {
    const c = await connectBand(service.mqttPort!, band)
    await c.publishAsync(`bands/${band.id}/telemetry`, JSON.stringify(fixes), { qos: 1 })
    await c.endAsync()
  }
  const positionsLeft = async (bandId: string, before: number) => (await service.db.query<{ n: number }>(
    'SELECT count(*)::int AS n FROM positions WHERE band_id = $1 AND fix_time < to_timestamp($2 / 1000.0)', [bandId, before])).rows[0]!.n

  /** Every GET route of the API (from its OpenAPI document) as `user`, with these ids: the answers. */
  const readEverything = async (user: string, ids: Record<string, string>) => {
    const doc = (await (await fetch(url('/docs/json'))).json()) as { paths: Record<string, Record<string, unknown>> }
    const from = Date.now() - 6 * 3_600_000
    const answers: [string, string][] = []
    for (const [template, methods] of Object.entries(doc.paths)) {
      if (!('get' in methods) || template.startsWith('/docs')) continue
      const path = template.replace(/\{(\w+)\}/g, (_m, name: string) => ids[name] ?? '1')
      const query = template.includes('/history') ? `?from=${from}&to=${Date.now() + 3_600_000}` : ''
      const res = await as(user, 'GET', path + query)
      answers.push([template, `${res.status} ${await res.text()}`])
    }
    expect(answers.length).toBeGreaterThan(10)
    return answers
  }
  const expectNothingOfA = (what: string, text: string, more: string[] = []) => {
    for (const s of [...OF_A, ...more]) expect(text, `${what} shows "${s}" of the previous wearer`).not.toContain(s)
  }

  /**
   * A wears `band` and reports (a position, battery 42 %, an SOS); the band goes to B by `handOver`;
   * then a late backlog from A's time arrives (battery 41 %, another SOS), then B reports. B's
   * family must see B's fixes only, everywhere; A's family must see none of B's.
   */
  const reuse = async (o: { band: { id: string; secret: string }; residentA: number; residentB: number; familyA: string; familyB: string;
    handOver: () => Promise<void> }) => {
    const t0 = Date.now()
    await publish(o.band, [fix(1, t0 - 20 * 60_000, HOME), fix(2, t0 - 10 * 60_000, HOME, { batt: 42, evt: ['sos'] })])
    await eventually(async () => (await service.db.query('SELECT 1 FROM alerts WHERE resident_id = $1 AND kind = \'sos\'', [o.residentA])).rowCount === 1)
    await eventually(async () => (await service.db.query('SELECT 1 FROM band_status WHERE band_id = $1 AND batt = 42', [o.band.id])).rowCount === 1)
    expect((await as(o.familyA, 'POST', `/api/bands/${o.band.id}/commands`, { cmd: 'locate' })).status).toBe(202)
    const liveA = await openLive(service.httpPort, cookies.get(o.familyA))
    await liveA.next('snapshot')
    const handedAt = Date.now()
    await o.handOver()

    // Just handed over: B's band shows nothing yet — not A's position, battery or events.
    const bands = (await (await as(o.familyB, 'GET', '/api/bands')).json()) as { bands: Record<string, unknown>[] }
    expect(bands.bands).toEqual([expect.objectContaining({ bandId: o.band.id, residentId: o.residentB, position: null, battery: null, events: null })])
    const liveB = await openLive(service.httpPort, cookies.get(o.familyB))
    expectNothingOfA('the socket snapshot', JSON.stringify(await liveB.next('snapshot')))

    // A late backlog from A's time, then B's own reports.
    await publish(o.band, [fix(3, handedAt - 30_000, { lat: HOME.lat + 0.001, lon: HOME.lon }, { batt: 41, evt: ['sos'] })])
    await new Promise((r) => setTimeout(r, 1500)) // band status is written once a second
    const late = (await (await as(o.familyB, 'GET', '/api/bands')).json()) as { bands: Record<string, unknown>[] }
    expect(late.bands).toEqual([expect.objectContaining({ position: null, battery: null, events: null })])
    const t1 = Date.now()
    await publish(o.band, [fix(4, t1, B_HOME, { batt: 90 }), fix(5, t1 + 1000, B_HOME, { batt: 89 })])
    await eventually(async () => (await service.db.query('SELECT 1 FROM band_status WHERE band_id = $1 AND batt = 89', [o.band.id])).rowCount === 1)
    await new Promise((r) => setTimeout(r, 300)) // what the late SOS raised, if anything, is stored by now

    // A's family asked the band for a location: that is A's business, not B's.
    expect(await (await as(o.familyB, 'GET', `/api/bands/${o.band.id}/commands`)).json()).toEqual({ commands: [] })
    const answers = await readEverything(o.familyB, { residentId: String(o.residentB), bandId: o.band.id })
    for (const [route, text] of answers) expectNothingOfA(`GET ${route}`, text, [`"residentId":${o.residentA},`])
    const hours = (await (await as(o.familyB, 'GET', `/api/residents/${o.residentB}/history/hourly?from=${t0 - 3 * 3_600_000}&to=${t1 + 3_600_000}`)).json()) as { hours: { reports: number }[] }
    expect(hours.hours.reduce((n, h) => n + h.reports, 0)).toBe(2) // B's two reports; none of A's three (often in the same hour)
    const history = (await (await as(o.familyB, 'GET', `/api/residents/${o.residentB}/history?from=${t0 - 3_600_000}&to=${t1 + 60_000}`)).json()) as { total: number }
    expect(history.total).toBe(2)
    await new Promise((r) => setTimeout(r, 300))
    for (const m of liveB.messages) expectNothingOfA('B\'s socket', JSON.stringify(m))
    liveB.close()

    // A's family: A's history has all three of A's fixes, the late one too, and no live report of B's reached them.
    const historyA = (await (await as(o.familyA, 'GET', `/api/residents/${o.residentA}/history?from=${t0 - 3_600_000}&to=${t1 + 60_000}`)).json()) as { total: number; points: { lat: number }[] }
    expect(historyA.total).toBe(3)
    expect(historyA.points.every((p) => p.lat > 36.8)).toBe(true)
    expectNoneOfB(liveA)
    liveA.close()

    // B's export (an admin's) holds B's data only.
    const exported = await (await as('ops', 'GET', `/api/admin/residents/${o.residentB}/export`)).text()
    expectNothingOfA('B\'s export', exported)
    expect((JSON.parse(exported) as { positions: unknown[] }).positions).toHaveLength(2)
    return handedAt
  }
  const expectNoneOfB = (live: LiveClient) => {
    for (const m of live.messages) expect(JSON.stringify(m), 'A\'s family heard of B').not.toMatch(/36\.60|117\.90/)
  }

  beforeAll(async () => {
    await insertUser(service.db, { username: 'ops', password: PASSWORD, role: 'admin' })
  })

  it('when an admin unassigns A\'s band and assigns it to B through the API, then B\'s family sees nothing of A anywhere, and erasing A leaves none of A\'s positions', async () => {
    const created = await as('ops', 'POST', '/api/admin/residents', { name: 'Zhao Guilan', careCentreId: world.centre })
    const residentB = ((await created.json()) as { id: number }).id
    await insertUser(service.db, { username: 'family-zhao', password: PASSWORD, role: 'family', residentIds: [residentB] })
    const handedAt = await reuse({ band: BAND, residentA: world.resident, residentB, familyA: 'family-wang', familyB: 'family-zhao',
      handOver: async () => {
        expect((await as('ops', 'POST', `/api/admin/bands/${BAND.id}/unassign`)).status).toBe(204)
        expect((await as('ops', 'PUT', `/api/admin/bands/${BAND.id}/resident`, { residentId: residentB })).status).toBe(204)
      } })
    // No alert of B's was raised by A's late SOS.
    expect((await service.db.query('SELECT kind FROM alerts WHERE resident_id = $1', [residentB])).rows).toEqual([])

    expect(await positionsLeft(BAND.id, handedAt)).toBe(3)
    expect((await as('ops', 'DELETE', `/api/admin/residents/${world.resident}`)).status).toBe(200)
    expect(await positionsLeft(BAND.id, handedAt)).toBe(0)
    const history = (await (await as('family-zhao', 'GET', `/api/residents/${residentB}/history?from=${handedAt - 3_600_000}&to=${Date.now() + 60_000}`)).json()) as { total: number }
    expect(history.total).toBe(2) // B's stay
  })

  it('when the admin import moves a band from A to B, then B\'s family sees nothing of A anywhere, and erasing A leaves none of A\'s positions', async () => {
    const band = { id: '860000000000077', secret: 'band-secret-0077-abcdef' }
    const doc = (aHasBand: boolean) => ({
      centres: [{ key: 'zd', name: 'Zhangdian Import Centre' }],
      residents: [
        { key: 'a', name: 'Wang Jianguo', centreKey: 'zd', zones: [], ...(aHasBand ? { band } : {}) },
        { key: 'b', name: 'Sun Meilan', centreKey: 'zd', zones: [], ...(aHasBand ? {} : { band }) },
      ],
      users: [
        { username: 'family-imp-a', password: PASSWORD, role: 'family', residentKeys: ['a'] },
        { username: 'family-imp-b', password: PASSWORD, role: 'family', residentKeys: ['b'] },
      ],
    })
    const first = await as('ops', 'POST', '/api/admin/import', doc(true))
    expect(first.status).toBe(200)
    const ids = ((await first.json()) as { residents: Record<string, number> }).residents
    const handedAt = await reuse({ band, residentA: ids.a!, residentB: ids.b!, familyA: 'family-imp-a', familyB: 'family-imp-b',
      handOver: async () => { expect((await as('ops', 'POST', '/api/admin/import', doc(false))).status).toBe(200) } })

    expect(await positionsLeft(band.id, handedAt)).toBe(3)
    expect((await as('ops', 'DELETE', `/api/admin/residents/${ids.a}`)).status).toBe(200)
    expect(await positionsLeft(band.id, handedAt)).toBe(0)
  })
})
