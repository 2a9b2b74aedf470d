// A live socket follows its session: closed within a second of logout, expiry or the user's
// deletion; its scope recomputed (and the client told) within a second of an unlink, a link or a
// change of centre. After the change, nothing of the resident reaches it: neither a position nor an
// SOS alert. Each case with a real WebSocket client against the running service: one process, and
// (with a PostgreSQL server and Mosquitto) a worker and two dashboard servers, the change made
// through one server and the socket open on the other.
import mqtt, { type MqttClient } from 'mqtt'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Service } from '../bin/service.ts'
import { insertUser } from '../dashboard/index.ts'
import { createDb, createLogger, migrate, type Queryable } from '../infra/index.ts'
import { BACKENDS } from './support/databases.ts'
import {
  BAND,
  PASSWORD,
  connectBand,
  fixNorth,
  login,
  openLive,
  provisionWorld,
  type LiveClient,
} from './support/fixtures.ts'
import { MOSQUITTO, startMosquitto } from './support/mosquitto.ts'
import { startTestService } from './support/service.ts'

const SECOND = 1000

interface Layout {
  db: Queryable
  world: Awaited<ReturnType<typeof provisionWorld>>
  /** Where admins make changes. */
  apiPort: number
  /** Where the watched socket is open. */
  socketPort: number
  band: MqttClient
  stop(): Promise<void>
}

async function oneProcess(): Promise<Layout> {
  const service = await startTestService()
  const world = await provisionWorld(service.db)
  const band = await connectBand(service.mqttPort!, BAND)
  return {
    db: service.db,
    world,
    apiPort: service.httpPort,
    socketPort: service.httpPort,
    band,
    async stop() {
      await band.endAsync()
      await service.stop()
    },
  }
}

/** A worker and two dashboard servers on a PostgreSQL server and Mosquitto, as infra/SCALE-OUT.md deploys them. */
async function cluster(): Promise<Layout> {
  const database = await BACKENDS.find((b) => b.name === 'PostgreSQL server')!.start()
  const db = createDb({ connectionString: database.url, log: createLogger('silent'), max: 2 })
  await migrate(db, createLogger('silent'))
  const world = await provisionWorld(db)
  const broker = await startMosquitto()
  const services: Service[] = []
  for (const [role, id] of [
    ['worker', 'tx-worker'],
    ['dashboard', 'tx-one'],
    ['dashboard', 'tx-two'],
  ] as const) {
    const env = { ROLE: role, DATABASE_URL: database.url, MQTT_URL: broker.url, MQTT_CLIENT_ID: id }
    services.push(await startTestService(env))
  }
  const band = await mqtt.connectAsync(broker.url, { clientId: BAND.id, reconnectPeriod: 0 })
  return {
    db,
    world,
    apiPort: services[1]!.httpPort,
    socketPort: services[2]!.httpPort,
    band,
    async stop() {
      await band.endAsync()
      for (const s of services.reverse()) await s.stop()
      await broker.stop()
      await db.close()
      await database.stop()
    },
  }
}

const server = BACKENDS.some((b) => b.name === 'PostgreSQL server')
const clusterAvailable = (MOSQUITTO !== undefined && server) || process.env.CI === 'true'
const LAYOUTS = [
  { name: 'one process', start: oneProcess },
  ...(clusterAvailable ? [{ name: 'a worker and two dashboard servers', start: cluster }] : []),
]

describe.each(LAYOUTS)('a live socket follows its session ($name)', ({ start }) => {
  let layout: Layout
  let world: Layout['world']
  let seq = 0
  let admin: string

  beforeAll(async () => {
    layout = await start()
    world = layout.world
    await insertUser(layout.db, { username: 'ops', password: PASSWORD, role: 'admin' })
    admin = await login(layout.apiPort, 'ops')
  }, 60_000)
  afterAll(() => layout?.stop())

  const api = (method: string, path: string, body?: unknown) => {
    const headers: Record<string, string> = { cookie: admin }
    if (body) headers['content-type'] = 'application/json'
    const url = `http://127.0.0.1:${layout.apiPort}${path}`
    return fetch(url, { method, headers, body: body ? JSON.stringify(body) : undefined })
  }
  /** A family member of Wang's (or a care worker of his centre) with an open socket that hears Wang's reports. */
  const watcher = async (username: string, role: 'family' | 'staff' = 'family') => {
    const scope = role === 'family' ? { residentIds: [world.resident] } : { careCentreId: world.centre }
    const userId = await insertUser(layout.db, { username, password: PASSWORD, role, ...scope })
    const cookie = await login(layout.apiPort, username)
    const live = await openLive(layout.socketPort, cookie)
    await live.next('snapshot')
    await report()
    await live.next('position')
    return { userId: Number(userId), cookie, live }
  }
  /** Wang's band reports a position; with `sos`, an SOS too (an alert). */
  const report = async (sos = false) => {
    const fix = fixNorth(++seq, 0, Date.now(), sos ? { evt: ['sos'] } : {})
    await layout.band.publishAsync(`bands/${BAND.id}/telemetry`, JSON.stringify(fix), { qos: 1 })
  }
  /** After the change: Wang's band reports and presses SOS; nothing of it may reach the socket. */
  const hearsNothingOfWang = async (live: LiveClient) => {
    const before = live.messages.length
    await report(true)
    await new Promise((r) => setTimeout(r, 1500))
    const aboutWang = `"residentId":${world.resident},`
    const heard = live.messages.slice(before).filter((m) => JSON.stringify(m).includes(aboutWang))
    expect(heard, 'messages about Wang after the change').toEqual([])
    // Ready for the next case: the SOS opens afresh.
    await layout.db.query("UPDATE alerts SET status = 'resolved' WHERE resident_id = $1", [world.resident])
  }
  const closesWithin = async (live: LiveClient, ms: number) => {
    const started = Date.now()
    const late = new Promise((_r, reject) => setTimeout(() => reject(new Error(`still open after ${ms} ms`)), ms))
    await Promise.race([live.closed, late])
    return Date.now() - started
  }

  it('when the user logs out, then their socket is told and closed within a second; it hears no more', async () => {
    const { cookie, live } = await watcher('family-logout')
    await fetch(`http://127.0.0.1:${layout.apiPort}/api/logout`, { method: 'POST', headers: { cookie } })
    expect(await closesWithin(live, SECOND)).toBeLessThan(SECOND)
    expect(live.messages.find((m) => m.type === 'session')).toMatchObject({ type: 'session', change: 'ended' })
    await hearsNothingOfWang(live)
  })

  it('when the session expires, then the socket is told and closed within a second; it hears no more', async () => {
    const { userId, live } = await watcher('family-expiry')
    const set = await layout.db.query<{ t: Date }>(
      "UPDATE sessions SET expires_at = now() + interval '1 second' WHERE user_id = $1 RETURNING expires_at AS t",
      [userId],
    )
    await closesWithin(live, 3 * SECOND)
    expect(Date.now() - set.rows[0]!.t.getTime()).toBeLessThan(SECOND)
    expect(live.messages.find((m) => m.type === 'session')).toMatchObject({ type: 'session', change: 'expired' })
    await hearsNothingOfWang(live)
  })

  it('when an admin deletes the user, then their socket is closed within a second; it hears no more', async () => {
    const { userId, live } = await watcher('family-deleted')
    expect((await api('DELETE', `/api/admin/users/${userId}`)).status).toBe(204)
    expect(await closesWithin(live, SECOND)).toBeLessThan(SECOND)
    await hearsNothingOfWang(live)
  })

  it('when an admin unlinks the family member, then within a second the socket is told; no more of him', async () => {
    const { userId, live } = await watcher('family-unlinked')
    const started = Date.now()
    expect((await api('DELETE', `/api/admin/users/${userId}/residents/${world.resident}`)).status).toBe(204)
    expect(await live.next('scope', SECOND)).toMatchObject({ type: 'scope', user: { role: 'family' } })
    expect(Date.now() - started).toBeLessThan(SECOND)
    expect(await live.next('snapshot', SECOND)).toMatchObject({ bands: [], alerts: [] })
    await hearsNothingOfWang(live)
  })

  it('when an import moves a care worker to another centre, then within a second the socket follows', async () => {
    const { live } = await watcher('staff-moved', 'staff')
    const moved = await api('POST', '/api/admin/import', {
      centres: [{ key: 'night', name: 'Zibo Night Centre' }],
      residents: [],
      users: [{ username: 'staff-moved', password: PASSWORD, role: 'staff', centreKey: 'night' }],
    })
    expect(moved.status).toBe(200)
    expect(await live.next('scope', SECOND)).toMatchObject({ type: 'scope', user: { role: 'staff' } })
    expect(await live.next('snapshot', SECOND)).toMatchObject({ bands: [], alerts: [] })
    await hearsNothingOfWang(live)
  })

  it('when a family member is linked to another, then within a second the socket is told and sent them', async () => {
    const { userId, live } = await watcher('family-linked')
    expect((await api('PUT', `/api/admin/users/${userId}/residents/${world.otherResident}`)).status).toBe(204)
    await live.next('scope', SECOND)
    const snapshot = (await live.next('snapshot', SECOND)) as { bands: { residentId: number }[] }
    expect(snapshot.bands.map((b) => b.residentId).sort()).toEqual([world.resident, world.otherResident].sort())
    live.close()
  })
})
