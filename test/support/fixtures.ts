// A small world to test in: two care centres, a resident with a band and a home zone in
// Zhangdian, staff for each centre, and a family member. Plus clients that act as a band
// (MQTT) and as a dashboard (HTTP + WebSocket).
import mqtt, { type MqttClient } from 'mqtt'
import WebSocket from 'ws'
import { insertCareCentre, insertResident, insertUser } from '../../dashboard/index.ts'
import { insertZone } from '../../geofence/index.ts'
import type { Queryable } from '../../infra/index.ts'
import { upsertBand } from '../../ingest/index.ts'

export const HOME = { lat: 36.81352, lon: 118.05491 }
export const BAND = { id: '860000000000001', secret: 'band-secret-0001-abcdef' }
export const OTHER_BAND = { id: '860000000000002', secret: 'band-secret-0002-abcdef' }
export const PASSWORD = 'correct horse battery'

export async function provisionWorld(db: Queryable) {
  const centre = await insertCareCentre(db, 'Zhangdian Care Centre')
  const otherCentre = await insertCareCentre(db, 'Boshan Care Centre')
  const resident = await insertResident(db, 'Wang Jianguo', centre)
  const otherResident = await insertResident(db, 'Li Xiuying', otherCentre)
  await upsertBand(db, BAND.id, BAND.secret, resident)
  await upsertBand(db, OTHER_BAND.id, OTHER_BAND.secret, otherResident)
  const zone = await insertZone(db, {
    residentId: resident,
    name: 'home',
    kind: 'safe',
    shape: { type: 'circle', center: [HOME.lon, HOME.lat], radiusM: 100 },
  })
  await insertZone(db, {
    residentId: otherResident,
    name: 'home',
    kind: 'safe',
    shape: { type: 'circle', center: [117.87, 36.49], radiusM: 100 },
  })
  await insertUser(db, { username: 'staff-zhangdian', password: PASSWORD, role: 'staff', careCentreId: centre })
  await insertUser(db, { username: 'staff-boshan', password: PASSWORD, role: 'staff', careCentreId: otherCentre })
  await insertUser(db, { username: 'family-wang', password: PASSWORD, role: 'family', residentIds: [resident] })
  return { centre, otherCentre, resident, otherResident, zone }
}

/** A v1 fix `north` metres north of home, time-stamped `tsMs`. */
export function fixNorth(seq: number, north: number, tsMs: number, extra: Record<string, unknown> = {}) {
  return {
    v: 1,
    seq,
    ts: tsMs / 1000,
    lat: HOME.lat + north / 111_195,
    lon: HOME.lon,
    acc: 10,
    src: 'gps',
    batt: 80,
    ...extra,
  }
}

export function connectBand(
  mqttPort: number,
  band: { id: string; secret: string },
  opts: mqtt.IClientOptions = {},
): Promise<MqttClient> {
  return mqtt.connectAsync(`mqtt://127.0.0.1:${mqttPort}`, {
    clientId: band.id,
    username: band.id,
    password: band.secret,
    reconnectPeriod: 0,
    connectTimeout: 5000,
    ...opts,
  })
}

/** Logs in and returns the session cookie. */
export async function login(httpPort: number, username: string, password = PASSWORD): Promise<string> {
  const res = await fetch(`http://127.0.0.1:${httpPort}/api/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ username, password }),
  })
  if (res.status !== 204) throw new Error(`login failed: ${res.status}`)
  return res.headers
    .getSetCookie()
    .map((c) => c.split(';')[0])
    .join('; ')
}

/**
 * Signs each user in once and keeps the cookie, as a browser does (sign-in attempts are limited per
 * address). `httpPort` is asked when a user first signs in: the service starts after this is made.
 */
export function cookieJar(httpPort: () => number): (username: string) => Promise<string> {
  const cookies = new Map<string, Promise<string>>()
  return (username) => {
    if (!cookies.has(username)) cookies.set(username, login(httpPort(), username))
    return cookies.get(username)!
  }
}

export interface LiveClient {
  messages: Record<string, unknown>[]
  /** Resolves when the server closes the socket. */
  closed: Promise<void>
  /** The first message of this type (matching `where`, if given) not taken yet; waits for it. */
  next(
    type: string,
    where?: ((m: Record<string, unknown>) => boolean) | number,
    timeoutMs?: number,
  ): Promise<Record<string, unknown>>
  close(): void
}

/** Opens the live socket with a session cookie (and other handshake headers) and records every message. */
export function openLive(
  httpPort: number,
  cookie?: string,
  query = '',
  headers: Record<string, string> = {},
): Promise<LiveClient> {
  const ws = new WebSocket(`ws://127.0.0.1:${httpPort}/ws${query}`, {
    headers: { ...headers, ...(cookie ? { cookie } : {}) },
  })
  const messages: Record<string, unknown>[] = []
  const waiters: (() => void)[] = []
  ws.on('message', (data) => {
    messages.push(JSON.parse(String(data)) as Record<string, unknown>)
    for (const w of waiters.splice(0)) w()
  })
  const client: LiveClient = {
    messages,
    closed: new Promise((resolve) => ws.once('close', () => resolve())),
    close: () => ws.close(),
    next(type, where, timeoutMs = typeof where === 'number' ? where : 5000) {
      const matches = typeof where === 'function' ? where : () => true
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`no ${type} message within ${timeoutMs} ms`)), timeoutMs)
        const look = () => {
          const m = messages.find((x) => x.type === type && matches(x))
          if (m) {
            clearTimeout(timer)
            messages.splice(messages.indexOf(m), 1)
            resolve(m)
          } else waiters.push(look)
        }
        look()
      })
    },
  }
  return new Promise((resolve, reject) => {
    ws.once('open', () => resolve(client))
    ws.once('unexpected-response', (_req, res) =>
      reject(Object.assign(new Error(`socket refused: ${res.statusCode}`), { statusCode: res.statusCode })),
    )
    ws.once('error', reject)
  })
}
