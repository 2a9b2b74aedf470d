// The family app's judgements, pure (no page, no clock: `now` is passed in), so they are tested in
// node (dashboard/family-status.test.ts). Whether a wearer is outside is the geofence engine's call
// (its open alert), never re-decided here from one fix; this only says home / out / not heard from.
import { offset } from '../common.js'

/** A band not heard from for this long is shown as "not connected or not heard from". */
export const SILENT_AFTER_MS = 30 * 60_000
// A passer-by's found report means the wearer is out and lost, wherever the band last reported.
const OUTSIDE_KINDS = new Set(['left_safe_zone', 'entered_danger_zone', 'found_report'])
const HOME_NAMES = /^(家|home|住所|住处)$/i

/**
 * The home zone among a resident's zones: their own safe zone named 家/home, else their first own
 * safe zone; as a circle ({lat, lon, radiusM}: a polygon's vertex centre and farthest vertex).
 */
export function homeOf(zones, residentId) {
  const own = zones.filter((z) => z.residentId === residentId && z.kind === 'safe')
  const z = own.find((x) => HOME_NAMES.test(x.name.trim())) ?? own[0]
  if (!z) return null
  const s = z.shape
  if (s.type === 'circle') return { lat: s.center[1], lon: s.center[0], radiusM: s.radiusM }
  const ring = (s.type === 'MultiPolygon' ? s.coordinates[0][0] : s.coordinates[0]).slice(0, -1)
  const lon = ring.reduce((a, p) => a + p[0], 0) / ring.length
  const lat = ring.reduce((a, p) => a + p[1], 0) / ring.length
  const radiusM = Math.max(...ring.map((p) => offset(lat, lon, p[1], p[0]).metres))
  return { lat, lon, radiusM }
}

/**
 * 'outside' (the engine has an unresolved exit or danger alert), 'silent' (band off, or not heard
 * from in SILENT_AFTER_MS), 'home' (the last fix within the home zone), else 'out' (within a zone).
 */
export function familyStatus(band, activeAlerts, home, now) {
  if (activeAlerts.some((a) => OUTSIDE_KINDS.has(a.kind) && a.status !== 'resolved')) return 'outside'
  if (!band || band.online === false || band.lastSeenAt === null || now - band.lastSeenAt > SILENT_AFTER_MS)
    return 'silent'
  const p = band.position
  if (home && p && offset(home.lat, home.lon, p.lat, p.lon).metres <= home.radiusM) return 'home'
  return 'out'
}

/** A distance as people say it: "80 米", "300 米", "1.2 公里" (rounded to 10 m, 50 m, 0.1 km). */
export function roundedDistance(metres) {
  if (metres < 100) return { value: Math.max(10, Math.round(metres / 10) * 10), unit: 'm' }
  if (metres < 1000) return { value: Math.round(metres / 50) * 50, unit: 'm' }
  return { value: Math.round(metres / 100) / 10, unit: 'km' }
}

/** The last fix relative to home: how far, which way (8 points), or null when near home or unknown. */
export function fromHome(home, p) {
  if (!home || !p) return null
  const o = offset(home.lat, home.lon, p.lat, p.lon)
  if (o.metres < 30) return null
  return { ...roundedDistance(o.metres), dir: o.dir }
}
