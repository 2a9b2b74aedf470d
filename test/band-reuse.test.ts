// A band passed from one wearer to the next (the programme reuses bands): what the band reported
// while resident A wore it stays A's — never shown to B's family through any route, the socket or
// B's export, even a late backlog from A's time that arrives after the hand-over — and erasing A
// erases it all. Done twice: through the admin API (unassign, assign) and through the admin import.
import { beforeAll, describe, expect, it } from 'vitest'
import type { Service } from '../bin/service.ts'
import { insertUser } from '../dashboard/index.ts'
import { BAND, HOME, PASSWORD, connectBand, login, openLive, type LiveClient } from './support/fixtures.ts'
import { eventually } from './support/service.ts'
import { useServiceWithWorld, type World } from './support/world.ts'

// A lives at HOME (36.81…, 118.05…); B lives 25 km away (36.60…, 117.90…).
const B_HOME = { lat: 36.6031, lon: 117.9012 }
const fix = (seq: number, tsMs: number, at: { lat: number; lon: number }, extra: Record<string, unknown> = {}) => ({
  v: 1,
  seq,
  ts: tsMs / 1000,
  lat: at.lat,
  lon: at.lon,
  acc: 8,
  src: 'gps',
  ...extra,
})
/**
 * Text that only A's data contains: A's name and A's coordinates, to two decimals or more. A
 * coordinate is not part of a longer number or a time ("09:12:36.812Z" and "1796548036.81" are not A's).
 */
const OF_A = [/Wang Jianguo/, /(?<!\d|\d:)36\.81/, /(?<!\d|\d:)118\.05/]

interface Reuse {
  band: { id: string; secret: string }
  residentA: number
  residentB: number
  familyA: string
  familyB: string
  /** Takes the band from A and gives it to B. */
  handOver: () => Promise<void>
}

describe('a band passed to a new wearer', () => {
  let service: Service
  let world: World
  useServiceWithWorld((s, w) => {
    service = s
    world = w
  })

  const url = (path: string) => `http://127.0.0.1:${service.httpPort}${path}`
  const cookies = new Map<string, string>()
  const as = async (user: string, method: string, path: string, body?: unknown) => {
    if (!cookies.has(user)) cookies.set(user, await login(service.httpPort, user))
    const headers: Record<string, string> = { cookie: cookies.get(user)! }
    if (body !== undefined) headers['content-type'] = 'application/json'
    return fetch(url(path), { method, headers, body: body === undefined ? undefined : JSON.stringify(body) })
  }
  const read = async <T>(user: string, path: string) => (await (await as(user, 'GET', path)).json()) as T
  const exists = async (sql: string, params: unknown[]) => ((await service.db.query(sql, params)).rowCount ?? 0) > 0
  const publish = async (band: { id: string; secret: string }, fixes: unknown[]) => {
    const c = await connectBand(service.mqttPort!, band)
    await c.publishAsync(`bands/${band.id}/telemetry`, JSON.stringify(fixes), { qos: 1 })
    await c.endAsync()
  }
  const positionsLeft = async (bandId: string, before: number) =>
    (
      await service.db.query<{ n: number }>(
        'SELECT count(*)::int AS n FROM positions WHERE band_id = $1 AND fix_time < to_timestamp($2 / 1000.0)',
        [bandId, before],
      )
    ).rows[0]!.n

  /** Every GET route of the API (from its OpenAPI document) as `user`, with these ids: the answers. */
  const readEverything = async (user: string, ids: Record<string, string>) => {
    type Doc = { paths: Record<string, Record<string, unknown>> }
    const doc = (await (await fetch(url('/docs/json'))).json()) as Doc
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
    for (const s of [...OF_A, ...more]) expect(text, `${what} shows ${s} of the previous wearer`).not.toMatch(s)
  }

  /**
   * A wears `band` and reports (a position, battery 42 %, an SOS); the band goes to B by `handOver`;
   * then a late backlog from A's time arrives (battery 41 %, another SOS), then B reports. B's
   * family must see B's fixes only, everywhere; A's family must see none of B's.
   */
  const reuse = async (o: Reuse) => {
    const t0 = Date.now()
    await publish(o.band, [fix(1, t0 - 20 * 60_000, HOME), fix(2, t0 - 10 * 60_000, HOME, { batt: 42, evt: ['sos'] })])
    await eventually(() => exists("SELECT 1 FROM alerts WHERE resident_id = $1 AND kind = 'sos'", [o.residentA]))
    await eventually(() => exists('SELECT 1 FROM band_status WHERE band_id = $1 AND batt = 42', [o.band.id]))
    expect((await as(o.familyA, 'POST', `/api/bands/${o.band.id}/commands`, { cmd: 'locate' })).status).toBe(202)
    const liveA = await openLive(service.httpPort, cookies.get(o.familyA))
    await liveA.next('snapshot')
    const handedAt = Date.now()
    await o.handOver()

    // Just handed over: B's band shows nothing yet — not A's position, battery or events.
    const empty = { bandId: o.band.id, residentId: o.residentB, position: null, battery: null, events: null }
    expect(await read(o.familyB, '/api/bands')).toEqual({ bands: [expect.objectContaining(empty)] })
    const liveB = await openLive(service.httpPort, cookies.get(o.familyB))
    expectNothingOfA('the socket snapshot', JSON.stringify(await liveB.next('snapshot')))

    // A late backlog from A's time, then B's own reports.
    const nearHome = { lat: HOME.lat + 0.001, lon: HOME.lon }
    await publish(o.band, [fix(3, handedAt - 30_000, nearHome, { batt: 41, evt: ['sos'] })])
    await new Promise((r) => setTimeout(r, 1500)) // band status is written once a second
    expect(await read(o.familyB, '/api/bands')).toEqual({ bands: [expect.objectContaining(empty)] })
    const t1 = Date.now()
    await publish(o.band, [fix(4, t1, B_HOME, { batt: 90 }), fix(5, t1 + 1000, B_HOME, { batt: 89 })])
    await eventually(() => exists('SELECT 1 FROM band_status WHERE band_id = $1 AND batt = 89', [o.band.id]))
    await new Promise((r) => setTimeout(r, 300)) // what the late SOS raised, if anything, is stored by now

    // A's family asked the band for a location: that is A's business, not B's.
    expect(await read(o.familyB, `/api/bands/${o.band.id}/commands`)).toEqual({ commands: [] })
    const answers = await readEverything(o.familyB, { residentId: String(o.residentB), bandId: o.band.id })
    for (const [route, text] of answers) expectNothingOfA(`GET ${route}`, text, [`"residentId":${o.residentA},`])
    const range = `from=${t0 - 3 * 3_600_000}&to=${t1 + 3_600_000}`
    type Hours = { hours: { reports: number }[] }
    const hours = await read<Hours>(o.familyB, `/api/residents/${o.residentB}/history/hourly?${range}`)
    // B's two reports; none of A's three (often in the same hour).
    expect(hours.hours.reduce((n, h) => n + h.reports, 0)).toBe(2)
    expect(await read(o.familyB, `/api/residents/${o.residentB}/history?${range}`)).toMatchObject({ total: 2 })
    await new Promise((r) => setTimeout(r, 300))
    for (const m of liveB.messages) expectNothingOfA("B's socket", JSON.stringify(m))
    liveB.close()

    // A's family: A's history has all three of A's fixes, the late one too; no live report of B's reached them.
    type History = { total: number; points: { lat: number }[] }
    const historyA = await read<History>(o.familyA, `/api/residents/${o.residentA}/history?${range}`)
    expect(historyA.total).toBe(3)
    expect(historyA.points.every((p) => p.lat > 36.8)).toBe(true)
    expectNoneOfB(liveA)
    liveA.close()

    // B's export (an admin's) holds B's data only.
    const exported = await (await as('ops', 'GET', `/api/admin/residents/${o.residentB}/export`)).text()
    expectNothingOfA("B's export", exported)
    expect((JSON.parse(exported) as { positions: unknown[] }).positions).toHaveLength(2)
    return handedAt
  }
  const expectNoneOfB = (live: LiveClient) => {
    for (const m of live.messages) expect(JSON.stringify(m), "A's family heard of B").not.toMatch(/36\.60|117\.90/)
  }

  beforeAll(async () => {
    await insertUser(service.db, { username: 'ops', password: PASSWORD, role: 'admin' })
  })

  it("when an admin gives A's band to B, then B's family sees nothing of A; erasing A erases it all", async () => {
    const created = await as('ops', 'POST', '/api/admin/residents', { name: 'Zhao Guilan', careCentreId: world.centre })
    const residentB = ((await created.json()) as { id: number }).id
    await insertUser(service.db, {
      username: 'family-zhao',
      password: PASSWORD,
      role: 'family',
      residentIds: [residentB],
    })
    const handOver = async () => {
      expect((await as('ops', 'POST', `/api/admin/bands/${BAND.id}/unassign`)).status).toBe(204)
      const assigned = await as('ops', 'PUT', `/api/admin/bands/${BAND.id}/resident`, { residentId: residentB })
      expect(assigned.status).toBe(204)
    }
    const handedAt = await reuse({
      band: BAND,
      residentA: world.resident,
      residentB,
      familyA: 'family-wang',
      familyB: 'family-zhao',
      handOver,
    })
    // No alert of B's was raised by A's late SOS.
    expect((await service.db.query('SELECT kind FROM alerts WHERE resident_id = $1', [residentB])).rows).toEqual([])

    expect(await positionsLeft(BAND.id, handedAt)).toBe(3)
    expect((await as('ops', 'DELETE', `/api/admin/residents/${world.resident}`)).status).toBe(200)
    expect(await positionsLeft(BAND.id, handedAt)).toBe(0)
    const range = `from=${handedAt - 3_600_000}&to=${Date.now() + 60_000}`
    // B's stay.
    expect(await read('family-zhao', `/api/residents/${residentB}/history?${range}`)).toMatchObject({ total: 2 })
  })

  it("when an import moves A's band to B, then B's family sees nothing of A; erasing A erases it all", async () => {
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
    const handOver = async () => {
      expect((await as('ops', 'POST', '/api/admin/import', doc(false))).status).toBe(200)
    }
    const handedAt = await reuse({
      band,
      residentA: ids.a!,
      residentB: ids.b!,
      familyA: 'family-imp-a',
      familyB: 'family-imp-b',
      handOver,
    })

    expect(await positionsLeft(band.id, handedAt)).toBe(3)
    expect((await as('ops', 'DELETE', `/api/admin/residents/${ids.a}`)).status).toBe(200)
    expect(await positionsLeft(band.id, handedAt)).toBe(0)
  })
})
