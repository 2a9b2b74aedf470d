// What a helper (a search-link holder or an accepted responder) sees of the one person they look
// for: the newest position and the trail since the alert's own evidence began (trailStart: the
// exit fixes, at most 30 minutes before it opened, never before this wearing of the band), and
// their photo.
import type { Queryable } from '../infra/index.ts'
import type { PhotoType } from './search-link-photo.ts'
import { trailStart, type AlertSpan } from './search-link.ts'

export interface TrailPoint {
  t: number
  lat: number
  lon: number
  acc: number | null
}

/** The most points a trail carries (the newest ones); at a fix every 5 s that is over 4 hours. */
const TRAIL_MAX = 3000

/** The resident's fixes of the alert's story, oldest first; the last one is the live position. */
export async function trailSince(
  db: Queryable,
  residentId: number,
  bandId: string,
  alert: AlertSpan,
): Promise<TrailPoint[]> {
  const r = await db.query<{ fix_time: Date; lat: number; lon: number; acc: number | null }>(
    `SELECT fix_time, lat, lon, acc FROM (
       SELECT fix_time, lat, lon, acc FROM resident_positions
       WHERE resident_id = $1 AND band_id = $2 AND lat IS NOT NULL
         AND fix_time >= GREATEST($3, (SELECT max(w.from_time) FROM band_wearers w
           WHERE w.band_id = $2 AND w.resident_id = $1 AND w.from_time <= $5))
       ORDER BY fix_time DESC LIMIT $4) t
     ORDER BY fix_time`,
    [residentId, bandId, new Date(trailStart(alert)), TRAIL_MAX, new Date(alert.openedAt)],
  )
  return r.rows.map((x) => ({ t: x.fix_time.getTime(), lat: x.lat, lon: x.lon, acc: x.acc }))
}

export async function savePhoto(db: Queryable, residentId: number, type: PhotoType, bytes: Uint8Array): Promise<void> {
  await db.query(
    `INSERT INTO resident_photos (resident_id, content_type, bytes) VALUES ($1, $2, $3)
     ON CONFLICT (resident_id) DO UPDATE SET content_type = $2, bytes = $3, updated_at = now()`,
    [residentId, type, Buffer.from(bytes)],
  )
}

export async function deletePhoto(db: Queryable, residentId: number): Promise<boolean> {
  const r = await db.query('DELETE FROM resident_photos WHERE resident_id = $1', [residentId])
  return (r.rowCount ?? 0) > 0
}

export async function photoOf(
  db: Queryable,
  residentId: number,
): Promise<{ type: PhotoType; bytes: Buffer } | undefined> {
  const r = await db.query<{ content_type: PhotoType; bytes: Buffer }>(
    'SELECT content_type, bytes FROM resident_photos WHERE resident_id = $1',
    [residentId],
  )
  return r.rows[0] && { type: r.rows[0].content_type, bytes: r.rows[0].bytes }
}

export async function hasPhoto(db: Queryable, residentId: number): Promise<boolean> {
  const r = await db.query('SELECT 1 FROM resident_photos WHERE resident_id = $1', [residentId])
  return r.rows.length > 0
}
