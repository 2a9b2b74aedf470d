// A resident's personal data: an admin exports everything held (the export recorded), then erases
// it, and nothing about the resident is left in any table (only the record that an erasure
// happened), nor in the record of refused band messages; open dashboards are told. Nobody else may.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Service } from '../bin/service.ts'
import { insertUser } from '../dashboard/index.ts'
import {
  BAND,
  OTHER_BAND,
  PASSWORD,
  connectBand,
  fixNorth,
  login,
  openLive,
  provisionWorld,
} from './support/fixtures.ts'
import { JPEG_BYTES, api } from './support/finding.ts'
import { eventually, startTestService } from './support/service.ts'

describe('export and erase a resident', () => {
  let service: Service
  let world: Awaited<ReturnType<typeof provisionWorld>>

  beforeAll(async () => {
    service = await startTestService()
    world = await provisionWorld(service.db)
    await insertUser(service.db, { username: 'dpo', password: PASSWORD, role: 'admin' })
    // A family contact's phone number: on the contact list, and where the alert's SMS went.
    await service.db.query(
      `INSERT INTO resident_contacts (resident_id, position, name, phone) VALUES ($1, 1, '王丽', '13800000009')`,
      [world.resident],
    )
    for (const b of [BAND, OTHER_BAND]) {
      const c = await connectBand(service.mqttPort!, b)
      const t = Date.now() - 600_000
      await c.publishAsync(
        `bands/${b.id}/telemetry`,
        JSON.stringify([fixNorth(1, 0, t), fixNorth(2, 400, t + 30_000), fixNorth(3, 420, t + 90_000)]),
        { qos: 1 },
      )
      await c.endAsync()
    }
    await eventually(
      async () =>
        (await service.db.query('SELECT 1 FROM alerts WHERE resident_id = $1', [world.resident])).rowCount === 1,
    ) // Wang left home: an alert
    await eventually(
      async () => (await service.db.query('SELECT 1 FROM band_status WHERE fix_time IS NOT NULL')).rowCount === 2,
    )
    const family = await login(service.httpPort, 'family-wang')
    await fetch(
      `http://127.0.0.1:${service.httpPort}/api/residents/${world.resident}/history?from=${Date.now() - 3_600_000}&to=${Date.now()}`,
      { headers: { cookie: family } },
    )
    // A photo for helpers, and a search link for the wander alert, opened once (issue 19).
    const staff = await login(service.httpPort, 'staff-zhangdian')
    await api(service)(`/api/residents/${world.resident}/photo`, staff, {
      method: 'PUT',
      headers: { 'content-type': 'image/jpeg' },
      body: new Uint8Array(JPEG_BYTES),
    })
    const alertId = (await service.db.query('SELECT id FROM alerts WHERE resident_id = $1', [world.resident])).rows[0]!
      .id
    const made = await api(service)(`/api/alerts/${alertId}/search-links`, family, { method: 'POST', body: '{}' })
    await api(service)(`/api/search/${((await made.json()) as { token: string }).token}`)
  })
  afterAll(() => service?.stop())

  const cookies = new Map<string, string>()
  const as = async (user: string, method: string, path: string) => {
    if (!cookies.has(user)) cookies.set(user, await login(service.httpPort, user))
    return fetch(`http://127.0.0.1:${service.httpPort}${path}`, { method, headers: { cookie: cookies.get(user)! } })
  }
  const read = async <T>(user: string, path: string) => (await (await as(user, 'GET', path)).json()) as T

  /** Rows anywhere that still name the resident or their band. */
  const leftovers = async () => {
    const r = await service.db.query<{ t: string; n: number }>(
      `
      SELECT 'positions' AS t, count(*)::int AS n FROM positions WHERE band_id = $2
      UNION ALL SELECT 'band_status', count(*)::int FROM band_status WHERE band_id = $2
        -- the band's state, started again empty, is nothing of theirs
        AND (last_seen_at IS NOT NULL OR fix_time IS NOT NULL OR batt_time IS NOT NULL OR evt_time IS NOT NULL)
      UNION ALL SELECT 'band_commands', count(*)::int FROM band_commands WHERE band_id = $2
      UNION ALL SELECT 'alerts', count(*)::int FROM alerts WHERE resident_id = $1 OR band_id = $2
      UNION ALL SELECT 'zones', count(*)::int FROM zones WHERE resident_id = $1
      UNION ALL SELECT 'user_residents', count(*)::int FROM user_residents WHERE resident_id = $1
      UNION ALL SELECT 'history_views', count(*)::int FROM history_views WHERE resident_id = $1
      UNION ALL SELECT 'resident_photos', count(*)::int FROM resident_photos WHERE resident_id = $1
      UNION ALL SELECT 'search_links', count(*)::int FROM search_links
      UNION ALL SELECT 'search_link_opens', count(*)::int FROM search_link_opens
      UNION ALL SELECT 'bands assigned', count(*)::int FROM bands WHERE resident_id = $1
      UNION ALL SELECT 'resident_contacts', count(*)::int FROM resident_contacts WHERE resident_id = $1 OR phone = '13800000009'
      UNION ALL SELECT 'deliveries', count(*)::int FROM deliveries WHERE address = '13800000009'
      UNION ALL SELECT 'residents', count(*)::int FROM residents WHERE id = $1 OR display_name = 'Wang Jianguo'`,
      [world.resident, BAND.id],
    )
    return Object.fromEntries(r.rows.filter((x) => x.n > 0).map((x) => [x.t, x.n]))
  }

  it('when someone other than an admin asks, then export and erase are refused', async () => {
    expect((await as('staff-zhangdian', 'GET', `/api/admin/residents/${world.resident}/export`)).status).toBe(403)
    expect((await as('family-wang', 'DELETE', `/api/admin/residents/${world.resident}`)).status).toBe(403)
  })

  it('when an admin exports the resident, then everything held is in it, and the export is recorded', async () => {
    const res = await as('dpo', 'GET', `/api/admin/residents/${world.resident}/export`)
    expect(res.status).toBe(200)
    const data = (await res.json()) as Record<string, unknown[] | Record<string, unknown>>
    expect(data.resident).toMatchObject({ display_name: 'Wang Jianguo', care_centre: 'Zhangdian Care Centre' })
    expect(data.positions).toHaveLength(3)
    expect(data.alerts).toHaveLength(1)
    expect(data.zones).toHaveLength(1)
    expect(data.familyLinks).toEqual([{ username: 'family-wang' }])
    expect(data.historyViews).toHaveLength(1)
    expect(data.photo).toEqual([
      expect.objectContaining({ content_type: 'image/jpeg', base64: JPEG_BYTES.toString('base64') }),
    ])
    expect(data.searchLinks).toEqual([expect.objectContaining({ opens: [expect.any(String)] })])
    expect(data.bandStatus).toHaveLength(1)
    expect(data.contacts).toEqual([expect.objectContaining({ name: '王丽', phone: '13800000009' })])
    expect(data.notifications).toEqual([expect.objectContaining({ channel: 'sms', address: '13800000009' })])
    const audit = await read<{ exports: unknown[] }>('dpo', `/api/admin/residents/${world.resident}/exports`)
    expect(audit.exports).toEqual([expect.objectContaining({ username: 'dpo', exportedAt: expect.any(Number) })])
  })

  it('when an admin erases the resident, then nothing about them is left, the other resident is untouched, and the erasure is recorded', async () => {
    expect(Object.keys(await leftovers()).length).toBeGreaterThan(0) // the check can fail
    // Each band sends a message that is refused: the record of refusals names the band.
    for (const b of [BAND, OTHER_BAND]) {
      const c = await connectBand(service.mqttPort!, b)
      await c.publishAsync(`bands/${b.id}/telemetry`, '{not json', { qos: 1 })
      await c.endAsync()
    }
    const rejected = async (bandId: string) =>
      (await read<{ rejected: unknown[] }>('dpo', `/api/admin/rejected?bandId=${bandId}`)).rejected.length
    expect(await rejected(BAND.id)).toBe(1)
    const staff = await openLive(service.httpPort, await login(service.httpPort, 'staff-zhangdian'))
    await staff.next('snapshot')
    const res = await as('dpo', 'DELETE', `/api/admin/residents/${world.resident}`)
    expect(res.status).toBe(200)
    expect(((await res.json()) as { erased: Record<string, number> }).erased).toMatchObject({
      positions: 3,
      alerts: 1,
      zones: 1,
      familyLinks: 1,
      photo: 1,
      resident: 1,
    })
    expect(await leftovers()).toEqual({})
    const other = await service.db.query<{ n: number }>('SELECT count(*)::int AS n FROM positions WHERE band_id = $1', [
      OTHER_BAND.id,
    ])
    expect(other.rows[0]!.n).toBe(3)
    const record = await service.db.query<{ resident_id: number }>('SELECT resident_id FROM erasures')
    expect(record.rows.map((r) => Number(r.resident_id))).toEqual([world.resident])
    expect((await as('dpo', 'DELETE', `/api/admin/residents/${world.resident}`)).status).toBe(404)
    expect(await rejected(BAND.id)).toBe(0)
    expect(await rejected(OTHER_BAND.id)).toBe(1)
    // The care worker's open dashboard is told, so the page drops the resident.
    expect(await staff.next('resident')).toEqual({ type: 'resident', change: 'erased', residentId: world.resident })
    staff.close()
    // The band's late backlog from Wang's time, sent after the erasure, is not stored again.
    const band = await connectBand(service.mqttPort!, BAND)
    const t = Date.now() - 500_000
    await band.publishAsync(
      `bands/${BAND.id}/telemetry`,
      JSON.stringify([fixNorth(7, 0, t), fixNorth(8, 500, t + 30_000)]),
      { qos: 1 },
    )
    await band.endAsync()
    expect(await leftovers()).toEqual({})
  })

  it("when a reader's account is deleted, then the history audit still names them", async () => {
    const reader = await insertUser(service.db, {
      username: 'family-li',
      password: PASSWORD,
      role: 'family',
      residentIds: [world.otherResident],
    })
    const lastHour = `from=${Date.now() - 3_600_000}&to=${Date.now()}`
    expect((await as('family-li', 'GET', `/api/residents/${world.otherResident}/history?${lastHour}`)).status).toBe(200)
    expect((await as('dpo', 'DELETE', `/api/admin/users/${reader}`)).status).toBe(204)
    const views = await read<{ views: unknown[] }>('dpo', `/api/admin/residents/${world.otherResident}/history-views`)
    expect(views.views).toEqual([expect.objectContaining({ userId: null, username: 'family-li' })])
  })
})
