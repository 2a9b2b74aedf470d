// The "found me" QR code through the API (issue 19): who may print codes, what a stranger's scan
// shows and raises, and that nothing in the public answers tells a worn band from any other.
import { describe, expect, it } from 'vitest'
import type { Service } from '../bin/service.ts'
import { insertUser } from '../dashboard/index.ts'
import { upsertBand } from '../ingest/index.ts'
import { simulatorMain } from '../simulator/index.ts'
import { BAND, HOME, OTHER_BAND, PASSWORD, connectBand, cookieJar, fixNorth, openLive } from './support/fixtures.ts'
import { useServiceWithWorld, type World } from './support/world.ts'

const SPARE = { id: '860000000000009', secret: 'band-secret-0009-abcdef' }
const UNKNOWN = 'AAAAAAAAAAAAAAAAAAAAAAAA'
const NEAR = { lat: 36.8181, lon: 118.0551, acc: 12 }

describe('the found-me QR code', () => {
  let service: Service
  let world: World
  let ip = 0
  // Each call comes from its own address (TRUST_PROXY), so the per-address limits bite only where meant.
  const from = (addr = `10.0.0.${++ip}`) => ({ 'x-forwarded-for': addr })
  useServiceWithWorld(
    (s, w) => {
      service = s
      world = w
    },
    { TRUST_PROXY: '127.0.0.1' },
  )

  const url = (path: string) => `http://127.0.0.1:${service.httpPort}${path}`
  const cookieOf = cookieJar(() => service.httpPort)
  const as = async (user: string) => ({ cookie: await cookieOf(user) })
  const link = async (bandId: string, user = 'ops') => {
    const r = await fetch(url(`/api/bands/${bandId}/found-qr?format=link`), { headers: await as(user) })
    return { status: r.status, url: r.status === 200 ? ((await r.json()) as { url: string }).url : '' }
  }
  const tokenOf = (u: string) => u.split('/f/')[1]!
  const page = async (token: string) => {
    const r = await fetch(url(`/api/found/${token}`), { headers: from() })
    return { status: r.status, headers: [...r.headers.keys()].sort(), body: await r.text() }
  }
  const report = async (token: string, body: unknown = NEAR, headers = from()) => {
    const r = await fetch(url(`/api/found/${token}/reports`), {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...headers },
      body: JSON.stringify(body),
    })
    return { status: r.status, headers: [...r.headers.keys()].sort(), body: await r.text() }
  }
  const openFound = async (residentId: number) =>
    (
      await service.db.query<{ id: number; evidence: { finder: unknown } }>(
        "SELECT id, evidence FROM alerts WHERE kind = 'found_report' AND resident_id = $1 AND status <> 'resolved'",
        [residentId],
      )
    ).rows

  it('sets up an admin, a duty phone and a spare band', async () => {
    await insertUser(service.db, { username: 'ops', password: PASSWORD, role: 'admin' })
    await upsertBand(service.db, SPARE.id, SPARE.secret)
    const put = await fetch(url(`/api/centres/${world.centre}/duty-phone`), {
      method: 'PUT',
      headers: { ...(await as('ops')), 'content-type': 'application/json' },
      body: JSON.stringify({ phone: '0533-1234567' }),
    })
    expect(put.status).toBe(204)
  })

  it("when care staff ask for a code, then they get their own centre's wearers' only, as SVG, PNG or a link; family members get none", async () => {
    const staff = await as('staff-zhangdian')
    const svg = await fetch(url(`/api/bands/${BAND.id}/found-qr`), { headers: staff })
    expect(svg.headers.get('content-type')).toContain('image/svg+xml')
    expect(await svg.text()).toMatch(/^<svg/)
    const png = await fetch(url(`/api/bands/${BAND.id}/found-qr?format=png`), { headers: staff })
    expect(
      Buffer.from(await png.arrayBuffer())
        .subarray(1, 4)
        .toString(),
    ).toBe('PNG')
    const mine = await link(BAND.id, 'staff-zhangdian')
    expect(mine.url).toMatch(/\/f\/[A-Za-z0-9_-]{24}$/)
    // The same live token until it is rotated.
    expect((await link(BAND.id, 'ops')).url).toBe(mine.url)
    expect((await link(OTHER_BAND.id, 'staff-zhangdian')).status).toBe(404)
    expect((await link(SPARE.id, 'staff-zhangdian')).status).toBe(404)
    expect((await link(BAND.id, 'family-wang')).status).toBe(403)
  })

  it("when staff print their centre's sheet, then it has a card per band worn there and no resident's name; another centre's sheet is refused", async () => {
    const staff = await as('staff-zhangdian')
    const sheet = await fetch(url(`/api/centres/${world.centre}/found-sheet`), { headers: staff })
    const html = await sheet.text()
    expect(sheet.status).toBe(200)
    expect(html).toContain(`data-testid="card-${BAND.id}"`)
    expect(html).not.toContain(OTHER_BAND.id)
    expect(html).not.toContain('Wang Jianguo')
    expect((await fetch(url(`/api/centres/${world.otherCentre}/found-sheet`), { headers: staff })).status).toBe(404)
  })

  it('when a stranger sends a report, then a found_report alert with their position opens for the wearer, goes to the outbox, and only the family and staff of that wearer see it', async () => {
    const token = tokenOf((await link(BAND.id)).url)
    const family = await openLive(service.httpPort, (await as('family-wang')).cookie)
    const otherStaff = await openLive(service.httpPort, (await as('staff-boshan')).cookie)
    expect(await report(token, { ...NEAR, phone: '13800000000', note: '在超市门口' })).toMatchObject({
      status: 202,
      body: '{"received":true}',
    })
    const pushed = await family.next('alert', (m) => (m.alert as { kind: string }).kind === 'found_report')
    expect(pushed.alert).toMatchObject({
      residentId: world.resident,
      severity: 'critical',
      evidence: { finder: { position: NEAR, phone: '13800000000', note: '在超市门口' } },
    })
    const [alert] = await openFound(world.resident)
    const changes = await service.db.query('SELECT 1 FROM alert_changes WHERE alert_id = $1', [alert!.id])
    expect(changes.rowCount).toBeGreaterThan(0)
    const list = async (user: string) =>
      (
        (await (await fetch(url('/api/alerts'), { headers: await as(user) })).json()) as {
          alerts: { id: number }[]
        }
      ).alerts.map((a) => a.id)
    expect(await list('staff-zhangdian')).toContain(alert!.id)
    expect(await list('staff-boshan')).not.toContain(alert!.id)
    await new Promise((r) => setTimeout(r, 300))
    expect(otherStaff.messages.filter((m) => m.type === 'alert')).toEqual([])
    family.close()
    otherStaff.close()
  })

  it('when a band is worn, unassigned, revoked or unknown, then the page and a report answer alike, and only the worn one raises an alert', async () => {
    const revoked = tokenOf((await link(BAND.id)).url)
    const fresh = await fetch(url(`/api/bands/${BAND.id}/found-token/rotate`), {
      method: 'POST',
      headers: await as('ops'),
    })
    const live = tokenOf(((await fresh.json()) as { url: string }).url)
    expect(live).not.toBe(revoked)
    const unassigned = tokenOf((await link(SPARE.id)).url)

    // A revoked card of this centre answers exactly as the live one; a card of no centre exactly as an unknown token.
    const pages = await Promise.all([live, revoked, unassigned, UNKNOWN].map(page))
    for (const p of pages)
      expect({ status: p.status, headers: p.headers }).toEqual({ status: 200, headers: pages[0]!.headers })
    expect(pages[1]).toEqual(pages[0])
    expect(pages[2]).toEqual(pages[3])
    expect(JSON.parse(pages[0]!.body)).toEqual({ call: { kind: 'centre', number: '0533-1234567' }, displayName: null })
    expect(JSON.parse(pages[3]!.body)).toEqual({ call: { kind: 'police', number: '110' }, displayName: null })
    for (const p of pages) expect(p.body).not.toMatch(/Wang|860000/)

    await service.db.query("UPDATE alerts SET status = 'resolved' WHERE kind = 'found_report'")
    const reports = await Promise.all([live, revoked, unassigned, UNKNOWN].map((t) => report(t)))
    for (const r of reports) expect(r).toEqual(reports[0])
    expect(reports[0]).toMatchObject({ status: 202, body: '{"received":true}' })
    expect((await openFound(world.resident)).length).toBe(1)
    const scans = await service.db.query<{ status: string; n: string }>(
      "SELECT status, count(*) AS n FROM found_scans WHERE kind = 'report' AND token = ANY($1) GROUP BY status ORDER BY status",
      [[live, revoked, unassigned, UNKNOWN]],
    )
    expect(scans.rows.map((r) => r.status)).toEqual(['revoked', 'unassigned', 'unknown', 'worn'])
  })

  it('when an admin chose a name to address the wearer by, then the live card shows it and a revoked one does not', async () => {
    const token = tokenOf((await link(BAND.id)).url)
    const put = await fetch(url(`/api/admin/residents/${world.resident}/found-display`), {
      method: 'PUT',
      headers: { ...(await as('ops')), 'content-type': 'application/json' },
      body: JSON.stringify({ displayName: '王叔叔' }),
    })
    expect(put.status).toBe(204)
    expect(JSON.parse((await page(token)).body).displayName).toBe('王叔叔')
    await fetch(url(`/api/bands/${BAND.id}/found-token`), { method: 'DELETE', headers: await as('ops') })
    expect(JSON.parse((await page(token)).body).displayName).toBeNull()
  })

  it('when the band is handed to another resident, then the old card raises nothing about the new wearer and a new code is issued', async () => {
    const old = tokenOf((await link(BAND.id)).url)
    const bob = await service.db.query<{ id: number }>(
      "INSERT INTO residents (display_name, care_centre_id) VALUES ('Zhao Min', $1) RETURNING id",
      [world.centre],
    )
    const newWearer = Number(bob.rows[0]!.id)
    await service.db.query("UPDATE alerts SET status = 'resolved' WHERE kind = 'found_report'")
    const put = await fetch(url(`/api/admin/bands/${BAND.id}/resident`), {
      method: 'PUT',
      headers: { ...(await as('ops')), 'content-type': 'application/json' },
      body: JSON.stringify({ residentId: newWearer }),
    })
    expect(put.status).toBeLessThan(300)
    expect((await report(old)).status).toBe(202)
    expect(await openFound(newWearer)).toEqual([])
    expect(await openFound(world.resident)).toEqual([])
    const now = tokenOf((await link(BAND.id)).url)
    expect(now).not.toBe(old)
    expect((await report(now)).status).toBe(202)
    expect((await openFound(newWearer)).length).toBe(1)
  })

  it('when one sender sends many reports on a code, or a code gets many from everyone, then further ones are refused with 429, for unknown codes alike; another finder still gets through', async () => {
    const token = 'BBBBBBBBBBBBBBBBBBBBBBBB'
    const pest = from('10.7.7.7')
    const statuses = []
    for (let i = 0; i < 6; i++) statuses.push((await report(token, NEAR, pest)).status)
    expect(statuses).toEqual([202, 202, 202, 202, 202, 429])
    // The real finder, on another address, is not locked out by the first sender.
    expect((await report(token, NEAR, from('10.7.7.8'))).status).toBe(202)
    const crowd = []
    for (let i = 0; i < 25; i++) crowd.push((await report(token, NEAR, from(`10.8.${i}.1`))).status)
    expect(crowd.filter((x) => x === 202)).toHaveLength(24)
    expect(crowd.at(-1)).toBe(429)
    const addr = from('10.9.9.9')
    const byAddress = []
    for (let i = 0; i < 7; i++) byAddress.push((await report(`CCCCCCCCCCCCCCCCCCCCCCC${i}`, NEAR, addr)).status)
    expect(byAddress).toEqual([202, 202, 202, 202, 202, 202, 429])
    expect(JSON.parse((await report('DDDDDDDDDDDDDDDDDDDDDDDD', NEAR, addr)).body)).toMatchObject({
      error: { code: 'too_many_reports' },
    })
  })

  it('when the token is malformed or the report is bad, then the answer says so', async () => {
    expect((await page('short')).status).toBe(404)
    expect((await report('short')).status).toBe(404)
    expect((await report(UNKNOWN, { lat: 36.8 })).status).toBe(400)
    expect((await report(UNKNOWN, { lat: 36.8, lon: 999 })).status).toBe(400)
    expect((await report(UNKNOWN, { phone: 'call me maybe' })).status).toBe(400)
  })

  it("when the simulator plays a finder of a wearer, then it opens the page and a found report opens with a position beside the band's", async () => {
    await service.db.query("UPDATE alerts SET status = 'resolved' WHERE kind = 'found_report'")
    const band = await connectBand(service.mqttPort!, BAND)
    await band.publishAsync(`bands/${BAND.id}/telemetry`, JSON.stringify(fixNorth(1, 0, Date.now())), { qos: 1 })
    await band.endAsync()
    await new Promise((r) => setTimeout(r, 1500)) // band_status is written once a second
    const lines: string[] = []
    const code = await simulatorMain(
      ['finder', '--band', BAND.id, '--url', url(''), '--admin', 'ops', '--password', PASSWORD],
      (l) => lines.push(l),
    )
    expect(code).toBe(0)
    expect(JSON.parse(lines[0]!)).toMatchObject({ bandId: BAND.id, status: 202 })
    const open = await service.db.query<{ evidence: { finder: { position: { lat: number; lon: number } } } }>(
      "SELECT evidence FROM alerts WHERE kind = 'found_report' AND status = 'open'",
    )
    const at = open.rows[0]!.evidence.finder.position
    expect(Math.abs(at.lat - HOME.lat) * 111_195).toBeLessThan(30)
    expect(Math.abs(at.lon - HOME.lon) * 89_000).toBeLessThan(30)
  })
})
