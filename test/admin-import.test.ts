// Bulk provisioning over HTTP: only programme admins may import; a bad document changes nothing
// and says why; importing the same document twice leaves one copy of everything.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Service } from '../bin/service.ts'
import { insertUser } from '../dashboard/index.ts'
import { raiseAlert } from '../geofence/index.ts'
import { generateFleet, importDoc } from '../simulator/index.ts'
import { login, provisionWorld } from './support/fixtures.ts'
import { startTestService } from './support/service.ts'

describe('POST /api/admin/import', () => {
  let service: Service
  let url: string
  beforeAll(async () => {
    service = await startTestService()
    await provisionWorld(service.db)
    await insertUser(service.db, { username: 'admin', password: 'admin-pass-1', role: 'admin' })
    url = `http://127.0.0.1:${service.httpPort}/api/admin/import`
  })
  afterAll(() => service?.stop())

  const post = async (body: unknown, cookie?: string) => {
    const res = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...(cookie ? { cookie } : {}) },
      body: JSON.stringify(body),
    })
    return { status: res.status, body: (await res.json()) as Record<string, unknown> }
  }
  const count = async (table: string) =>
    (await service.db.query<{ n: number }>(`SELECT count(*)::int AS n FROM ${table}`)).rows[0]!.n

  it('when someone who is not an admin imports, then it is refused (401 without a session, 403 for staff)', async () => {
    const doc = { centres: [], residents: [], users: [] }
    expect((await post(doc)).status).toBe(401)
    expect(await post(doc, await login(service.httpPort, 'staff-zhangdian'))).toEqual({
      status: 403,
      body: { error: { code: 'forbidden', message: 'not allowed for your role' } },
    })
  })

  it('when a fleet is imported twice, then its centres, residents, bands, zones and users exist once', async () => {
    const cookie = await login(service.httpPort, 'admin', 'admin-pass-1')
    const doc = importDoc(generateFleet({ bands: 30, seed: 2, centres: 3 }), 2)
    doc.residents[0]!.zones.push({
      name: "daughter's flat",
      kind: 'safe',
      shape: { type: 'circle', center: [118.1, 36.8], radiusM: 150 },
    })
    Object.assign(doc.residents[1]!.zones[0]!, {
      schedule: { from: '22:00', to: '07:00', days: [5, 6] },
      policy: { exitMarginM: 40 },
    })
    const before = {
      residents: await count('residents'),
      bands: await count('bands'),
      zones: await count('zones'),
      users: await count('users'),
    }
    const first = await post(doc, cookie)
    expect(first.status).toBe(200)
    expect(Object.keys(first.body.residents as object)).toHaveLength(30)
    // Open alerts on a resident's two zones must survive a repeated import.
    const residentId = (first.body.residents as Record<string, number>)[doc.residents[0]!.key]!
    const zoneIds = (
      await service.db.query<{ id: number }>('SELECT id FROM zones WHERE resident_id = $1 ORDER BY id', [residentId])
    ).rows.map((z) => z.id)
    for (const zoneId of zoneIds)
      await raiseAlert(service.db, {
        residentId,
        bandId: 'b',
        zoneId,
        kind: 'left_safe_zone',
        fixTime: Date.now(),
        evidence: {},
      })
    const second = await post(doc, cookie)
    expect(second.body).toEqual(first.body)
    expect(
      (await service.db.query('SELECT zone_id FROM alerts WHERE resident_id = $1 ORDER BY zone_id', [residentId])).rows,
    ).toEqual(zoneIds.map((zone_id) => ({ zone_id })))
    const zonesImported = doc.residents.reduce((n, r) => n + r.zones.length, 0) + doc.sharedZones!.length
    expect({
      residents: await count('residents'),
      bands: await count('bands'),
      zones: await count('zones'),
      users: await count('users'),
    }).toEqual({
      residents: before.residents + 30,
      bands: before.bands + 30,
      zones: before.zones + zonesImported,
      users: before.users + 5,
    })
    // A zone's schedule and policy are kept as given.
    const night = await service.db.query('SELECT schedule, policy FROM zones WHERE resident_id = $1', [
      (first.body.residents as Record<string, number>)[doc.residents[1]!.key],
    ])
    expect(night.rows).toEqual([
      { schedule: { from: '22:00', to: '07:00', days: [5, 6] }, policy: { exitMarginM: 40 } },
    ])
    // A family account from the import can log in and is linked to its resident only.
    const family = doc.users.find((u) => u.role === 'family')!
    const res = await fetch(`http://127.0.0.1:${service.httpPort}/api/me`, {
      headers: { cookie: await login(service.httpPort, family.username, family.password) },
    })
    expect(await res.json()).toMatchObject({ user: { username: family.username, role: 'family' } })
  })

  it('when a document names an unknown centre or a zone off the globe, then it is refused with the reason and nothing changes', async () => {
    const cookie = await login(service.httpPort, 'admin', 'admin-pass-1')
    const residents = await count('residents')
    const badCentre = await post(
      { centres: [], users: [], residents: [{ key: 'x1', name: 'X', centreKey: 'nowhere', zones: [] }] },
      cookie,
    )
    expect(badCentre).toEqual({
      status: 400,
      body: { error: { code: 'invalid_import', message: 'resident x1: unknown centre nowhere' } },
    })
    const badZone = await post(
      {
        centres: [],
        users: [],
        residents: [
          {
            key: 'x2',
            name: 'X',
            zones: [{ name: 'home', kind: 'safe', shape: { type: 'circle', center: [118, 95], radiusM: 100 } }],
          },
        ],
      },
      cookie,
    )
    expect(badZone.body).toEqual({
      error: {
        code: 'invalid_import',
        message: 'resident x2, zone home: shape.center latitude must be a number within -90..90',
      },
    })
    const badSchedule = await post(
      {
        centres: [],
        users: [],
        residents: [
          {
            key: 'x4',
            name: 'X',
            zones: [
              {
                name: 'home',
                kind: 'safe',
                shape: { type: 'circle', center: [118, 36], radiusM: 100 },
                schedule: { from: '25:00', to: '07:00' },
              },
            ],
          },
        ],
      },
      cookie,
    )
    expect(badSchedule.body).toEqual({
      error: { code: 'invalid_import', message: 'resident x4, zone home: schedule.from must be HH:MM (00:00–23:59)' },
    })
    const badPolicy = await post(
      {
        centres: [],
        users: [],
        residents: [
          {
            key: 'x5',
            name: 'X',
            zones: [
              {
                name: 'home',
                kind: 'safe',
                shape: { type: 'circle', center: [118, 36], radiusM: 100 },
                policy: { confirmMs: -1 },
              },
            ],
          },
        ],
      },
      cookie,
    )
    expect(badPolicy.body).toEqual({
      error: {
        code: 'invalid_import',
        message: 'resident x5, zone home: policy.confirmMs must be a number within 0..1800000',
      },
    })
    const badSchema = await post(
      {
        centres: [],
        users: [],
        residents: [{ key: 'x3', name: 'X', band: { id: 'bad id!', secret: 'short' }, zones: [] }],
      },
      cookie,
    )
    expect(badSchema.status).toBe(400)
    expect(badSchema.body).toMatchObject({ error: { code: 'bad_request' } })
    expect(await count('residents')).toBe(residents)
  })

  it('when an import names a centre that exists under another key, or gives a resident a second band, then it answers 409 with the reason and changes nothing', async () => {
    const cookie = await login(service.httpPort, 'admin', 'admin-pass-1')
    const before = {
      centres: await count('care_centres'),
      residents: await count('residents'),
      bands: await count('bands'),
    }
    const sameName = await post(
      { centres: [{ key: 'another-key', name: 'Zhangdian Care Centre' }], residents: [], users: [] },
      cookie,
    )
    expect(sameName).toEqual({
      status: 409,
      body: { error: { code: 'centre_name_taken', message: expect.any(String) } },
    })
    const band = (id: string) => ({ id, secret: `secret-for-${id}-0001` })
    const doc = {
      centres: [],
      users: [],
      residents: [{ key: 'zhou', name: 'Zhou', band: band('860000000000501'), zones: [] }],
    }
    expect((await post(doc, cookie)).status).toBe(200)
    const mid = {
      centres: await count('care_centres'),
      residents: await count('residents'),
      bands: await count('bands'),
    }
    doc.residents[0]!.band = band('860000000000502')
    expect(await post(doc, cookie)).toEqual({
      status: 409,
      body: { error: { code: 'resident_has_band', message: expect.any(String) } },
    })
    expect({
      centres: await count('care_centres'),
      residents: await count('residents'),
      bands: await count('bands'),
    }).toEqual(mid)
    expect(mid).toEqual({ ...before, residents: before.residents + 1, bands: before.bands + 1 })
  })
})
