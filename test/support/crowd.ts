// A programme-sized crowd for the page: `n` residents of one care centre with bands and a latest
// state (some with low battery, some offline), an admin and a care worker, and a stream of their
// fixes published to an external broker (Mosquitto) at the demo's rate — every band every 10 s.
import mqtt, { type MqttClient } from 'mqtt'
import { insertUser } from '../../dashboard/index.ts'
import type { Queryable } from '../../infra/index.ts'
import { PASSWORD } from './fixtures.ts'

export const crowdBandId = (i: number) => `crowd-${String(i).padStart(4, '0')}`
/** Spread over about 20 km around Zibo, as the demo is. */
export const crowdHome = (i: number) => ({ lat: 36.72 + (i % 40) * 0.005, lon: 117.95 + Math.floor(i / 40) * 0.005 })

export interface Crowd {
  centreId: number
  residentIds: number[]
}

/** `centreSize`: residents per care centre (the programme's centres have 50-70); crowd-staff works at the first. */
export async function provisionCrowd(db: Queryable, n: number, centreSize = n): Promise<Crowd> {
  const centres = await db.query<{ id: number }>(
    "INSERT INTO care_centres (name) SELECT 'Crowd Centre ' || c FROM generate_series(1, $1) c ORDER BY c RETURNING id",
    [Math.ceil(n / centreSize)],
  )
  const centreIds = centres.rows.map((r) => Number(r.id))
  const centreId = centreIds[0]!
  const residents = await db.query<{ id: number }>(
    `INSERT INTO residents (display_name, care_centre_id)
     SELECT '长者 ' || lpad(i::text, 4, '0') || ' Resident', ($1::bigint[])[i / $3 + 1]
     FROM generate_series(0, $2 - 1) i ORDER BY i
     RETURNING id`,
    [centreIds, n, centreSize],
  )
  const residentIds = residents.rows.map((r) => Number(r.id))
  const homes = residentIds.map((_, i) => crowdHome(i))
  await db.query(
    `INSERT INTO bands (id, secret_salt, secret_hash, resident_id)
     SELECT 'crowd-' || lpad((o - 1)::text, 4, '0'), '\\x00'::bytea, '\\x00'::bytea, r
     FROM unnest($1::bigint[]) WITH ORDINALITY AS t(r, o)`,
    [residentIds],
  )
  // Every 17th band low on battery, every 23rd offline (their last report an hour ago).
  await db.query(
    `INSERT INTO band_status (band_id, last_seen_at, online, status_at, fix_time, lat, lon, acc, src, batt_time, batt)
     SELECT 'crowd-' || lpad(i::text, 4, '0'),
       now() - CASE WHEN i % 23 = 0 THEN interval '1 hour' ELSE interval '5 seconds' END, i % 23 <> 0, now(),
       now() - CASE WHEN i % 23 = 0 THEN interval '1 hour' ELSE interval '5 seconds' END,
       lat, lon, 10, 'gps', now(), CASE WHEN i % 17 = 0 THEN 12 ELSE 80 END
     FROM unnest($1::float8[], $2::float8[]) WITH ORDINALITY AS t(lat, lon, o), LATERAL (SELECT (o - 1)::int AS i) x
     ON CONFLICT (band_id) DO UPDATE SET last_seen_at = EXCLUDED.last_seen_at, online = EXCLUDED.online,
       status_at = EXCLUDED.status_at,
       fix_time = EXCLUDED.fix_time, lat = EXCLUDED.lat, lon = EXCLUDED.lon, acc = EXCLUDED.acc, src = EXCLUDED.src,
       batt_time = EXCLUDED.batt_time, batt = EXCLUDED.batt`,
    [homes.map((h) => h.lat), homes.map((h) => h.lon)],
  )
  await insertUser(db, { username: 'crowd-admin', password: PASSWORD, role: 'admin' })
  await insertUser(db, { username: 'crowd-staff', password: PASSWORD, role: 'staff', careCentreId: centreId })
  return { centreId, residentIds }
}

export interface Stream {
  sent(): number
  stop(): Promise<void>
}

/** Every band reports every `everyMs`, spread evenly, wandering a little around home. */
export async function streamCrowd(url: string, n: number, everyMs = 10_000, connections = 5): Promise<Stream> {
  const clients: MqttClient[] = await Promise.all(
    Array.from({ length: connections }, (_, k) =>
      mqtt.connectAsync(url, { clientId: `crowd-${k}-${process.pid}`, reconnectPeriod: 0 }),
    ),
  )
  let next = 0
  let sent = 0
  let seq = 0
  const tickMs = 100
  const perTick = Math.max(1, Math.round((n * tickMs) / everyMs))
  const timer = setInterval(() => {
    for (let k = 0; k < perTick; k++) {
      const i = next
      next = (next + 1) % n
      if (i % 23 === 0) continue // the offline ones stay silent
      const home = crowdHome(i)
      const fix = {
        v: 1,
        seq: ++seq,
        ts: Date.now() / 1000,
        lat: home.lat + (Math.random() - 0.5) * 0.001,
        lon: home.lon + (Math.random() - 0.5) * 0.001,
        acc: 8 + Math.round(Math.random() * 10),
        src: 'gps',
        batt: i % 17 === 0 ? 12 : 80,
      }
      void clients[i % connections]!.publishAsync(`bands/${crowdBandId(i)}/telemetry`, JSON.stringify(fix), { qos: 0 })
      sent++
    }
  }, tickMs)
  return {
    sent: () => sent,
    async stop() {
      clearInterval(timer)
      await Promise.all(clients.map((c) => c.endAsync()))
    },
  }
}
