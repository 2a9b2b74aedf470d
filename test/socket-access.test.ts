// A live socket follows its session: closed within a second of logout, expiry or the user's
// deletion; its scope recomputed (and the client told) within a second of an unlink or a change of
// role or centre. After the change, nothing of the resident reaches it: neither a position nor an
// SOS alert. Each case with a real WebSocket client against the running service.
import type { MqttClient } from 'mqtt'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Service } from '../bin/service.ts'
import { insertUser } from '../dashboard/index.ts'
import { BAND, PASSWORD, connectBand, fixNorth, login, openLive, type LiveClient } from './support/fixtures.ts'
import { useServiceWithWorld, type World } from './support/world.ts'

const SECOND = 1000

describe('a live socket follows its session', () => {
  let service: Service
  let world: World
  let band: MqttClient
  let seq = 0
  let admin: string
  useServiceWithWorld((s, w) => { service = s; world = w })

  beforeAll(async () => {
    await insertUser(service.db, { username: 'ops', password: PASSWORD, role: 'admin' })
    admin = await login(service.httpPort, 'ops')
    band = await connectBand(service.mqttPort!, BAND)
  })
  afterAll(() => band?.endAsync())

  const api = (method: string, path: string, body?: unknown) => fetch(`http://127.0.0.1:${service.httpPort}${path}`, {
    method, headers: { cookie: admin, ...(body ? { 'content-type': 'application/json' } : {}) }, body: body ? JSON.stringify(body) : undefined })
  /** A family member of Wang's (or a care worker of his centre) with an open socket that hears Wang's reports. */
  const watcher = async (username: string, role: 'family' | 'staff' = 'family') => {
    const userId = await insertUser(service.db, { username, password: PASSWORD, role,
      ...(role === 'family' ? { residentIds: [world.resident] } : { careCentreId: world.centre }) })
    const cookie = await login(service.httpPort, username)
    const live = await openLive(service.httpPort, cookie)
    await live.next('snapshot')
    await report()
    await live.next('position')
    return { userId: Number(userId), cookie, live }
  }
  /** Wang's band reports a position; with `sos`, an SOS too (an alert). */
  const report = async (sos = false) => {
    seq++
    await band.publishAsync(`bands/${BAND.id}/telemetry`, JSON.stringify(fixNorth(seq, 0, Date.now(), sos ? { evt: ['sos'] } : {})), { qos: 1 })
  }
  /** After the change: Wang's band reports and presses SOS; nothing of it may reach the socket. */
  const hearsNothingOfWang = async (live: LiveClient) => {
    const before = live.messages.length
    await report(true)
    await new Promise((r) => setTimeout(r, 1500))
    const heard = live.messages.slice(before).filter((m) => JSON.stringify(m).includes(`"residentId":${world.resident},`))
    expect(heard, 'messages about Wang after the change').toEqual([])
    await service.db.query('UPDATE alerts SET status = \'resolved\' WHERE resident_id = $1', [world.resident]) // ready for the next case
  }
  const closesWithin = async (live: LiveClient, ms: number) => {
    const started = Date.now()
    await Promise.race([live.closed, new Promise((_r, reject) => setTimeout(() => reject(new Error(`socket still open after ${ms} ms`)), ms))])
    return Date.now() - started
  }

  it('when the user logs out, then their open socket is told and closed within a second, and hears nothing more', async () => {
    const { cookie, live } = await watcher('family-logout')
    await fetch(`http://127.0.0.1:${service.httpPort}/api/logout`, { method: 'POST', headers: { cookie } })
    expect(await closesWithin(live, SECOND)).toBeLessThan(SECOND)
    expect(live.messages.find((m) => m.type === 'session')).toMatchObject({ type: 'session', change: 'ended' })
    await hearsNothingOfWang(live)
  })

  it('when the session expires, then the socket is told and closed within a second of the expiry, and hears nothing more', async () => {
    const { userId, live } = await watcher('family-expiry')
    await service.db.query('UPDATE sessions SET expires_at = now() + interval \'1 second\' WHERE user_id = $1', [userId])
    const expiresAt = (await service.db.query<{ t: Date }>('SELECT expires_at AS t FROM sessions WHERE user_id = $1', [userId])).rows[0]!.t.getTime()
    await closesWithin(live, 3 * SECOND)
    expect(Date.now() - expiresAt).toBeLessThan(SECOND)
    expect(live.messages.find((m) => m.type === 'session')).toMatchObject({ type: 'session', change: 'expired' })
    await hearsNothingOfWang(live)
  })

  it('when an admin deletes the user, then their open socket is closed within a second, and hears nothing more', async () => {
    const { userId, live } = await watcher('family-deleted')
    expect((await api('DELETE', `/api/admin/users/${userId}`)).status).toBe(204)
    expect(await closesWithin(live, SECOND)).toBeLessThan(SECOND)
    await hearsNothingOfWang(live)
  })

  it('when an admin unlinks the family member from the resident, then within a second the socket is told its scope changed and hears nothing more of the resident', async () => {
    const { userId, live } = await watcher('family-unlinked')
    const started = Date.now()
    expect((await api('DELETE', `/api/admin/users/${userId}/residents/${world.resident}`)).status).toBe(204)
    expect(await live.next('scope', SECOND)).toMatchObject({ type: 'scope', user: { role: 'family' } })
    expect(Date.now() - started).toBeLessThan(SECOND)
    const snapshot = await live.next('snapshot', SECOND) as { bands: unknown[]; alerts: unknown[] }
    expect(snapshot).toMatchObject({ bands: [], alerts: [] })
    await hearsNothingOfWang(live)
  })

  it('when a care worker is moved to another centre (by the admin import), then within a second the socket\'s scope follows', async () => {
    const { live } = await watcher('staff-moved', 'staff')
    const moved = await api('POST', '/api/admin/import', { centres: [{ key: 'night', name: 'Zibo Night Centre' }], residents: [],
      users: [{ username: 'staff-moved', password: PASSWORD, role: 'staff', centreKey: 'night' }] })
    expect(moved.status).toBe(200)
    expect(await live.next('scope', SECOND)).toMatchObject({ type: 'scope', user: { role: 'staff' } })
    expect(await live.next('snapshot', SECOND)).toMatchObject({ bands: [], alerts: [] })
    await hearsNothingOfWang(live)
  })

  it('when a family member is linked to another resident, then within a second the socket is told and its new snapshot includes them', async () => {
    const { userId, live } = await watcher('family-linked')
    expect((await api('PUT', `/api/admin/users/${userId}/residents/${world.otherResident}`)).status).toBe(204)
    await live.next('scope', SECOND)
    const snapshot = await live.next('snapshot', SECOND) as { bands: { residentId: number }[] }
    expect(snapshot.bands.map((b) => b.residentId).sort()).toEqual([world.resident, world.otherResident].sort())
    live.close()
  })
})
