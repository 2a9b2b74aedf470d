// A resident's movements for a period, for the page's replay: at most `maxPoints` positions (the
// first of each equal time slice when there are more), and a record of who looked. Positions are
// the resident's by the band they wore when each fix was taken (resident_positions, migration 015).
import type { Queryable } from '../infra/index.ts'

export interface HistoryPoint {
  fixTime: number
  lat: number
  lon: number
  acc: number | null
}

/** The longest period one request may cover. */
export const MAX_HISTORY_MS = 7 * 24 * 3_600_000

export async function residentHistory(
  db: Queryable,
  residentId: number,
  from: number,
  to: number,
  maxPoints: number,
): Promise<{ points: HistoryPoint[]; total: number }> {
  const total = (
    await db.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM resident_positions p
     WHERE p.resident_id = $1 AND p.lat IS NOT NULL
       AND p.fix_time >= to_timestamp($2 / 1000.0) AND p.fix_time < to_timestamp($3 / 1000.0)`,
      [residentId, from, to],
    )
  ).rows[0]!.n
  const sliceMs = total > maxPoints ? Math.ceil((to - from) / maxPoints) : 0
  const r = await db.query<{ t: number; lat: number; lon: number; acc: number | null }>(
    `SELECT DISTINCT ON (slice) extract(epoch FROM p.fix_time) * 1000 AS t, p.lat, p.lon, p.acc,
            CASE WHEN $4::float8 = 0 THEN extract(epoch FROM p.fix_time) ELSE floor((extract(epoch FROM p.fix_time) * 1000 - $2) / $4) END AS slice
     FROM resident_positions p
     WHERE p.resident_id = $1 AND p.lat IS NOT NULL
       AND p.fix_time >= to_timestamp($2 / 1000.0) AND p.fix_time < to_timestamp($3 / 1000.0)
     ORDER BY slice, p.fix_time`,
    [residentId, from, to, sliceMs],
  )
  return {
    total,
    points: r.rows.map((x) => ({ fixTime: Math.round(Number(x.t)), lat: x.lat, lon: x.lon, acc: x.acc })),
  }
}

/** The longest period the hourly summary covers in one request. */
export const MAX_HOURLY_MS = 92 * 24 * 3_600_000

export interface HourSummary {
  hour: number
  reports: number
  located: number
  /** The hour's centroid and extent; null when no report of the hour had a position. */
  lat: number | null
  lon: number | null
  box: [number, number, number, number] | null
  minBatt: number | null
  sosOrFall: number
}

/**
 * A long period, hour by hour, from positions_hourly (TimescaleDB's continuous aggregate, or the
 * view of the same shape on plain PostgreSQL) through resident_hourly, which sums the hours in
 * which a band changed hands from their own fixes: months of history without reading every fix.
 */
export async function residentHourly(
  db: Queryable,
  residentId: number,
  from: number,
  to: number,
): Promise<HourSummary[]> {
  const r = await db.query<{
    hour: Date
    reports: number
    located: number
    lat: number | null
    lon: number | null
    min_lat: number | null
    min_lon: number | null
    max_lat: number | null
    max_lon: number | null
    min_batt: number | null
    sos_or_fall: number
  }>(
    `SELECT h.hour, sum(h.reports)::int AS reports, sum(h.located)::int AS located,
            sum(h.lat * h.located) / NULLIF(sum(h.located), 0) AS lat, sum(h.lon * h.located) / NULLIF(sum(h.located), 0) AS lon,
            min(h.min_lat) AS min_lat, min(h.min_lon) AS min_lon, max(h.max_lat) AS max_lat, max(h.max_lon) AS max_lon,
            min(h.min_batt)::int AS min_batt, sum(h.sos_or_fall)::int AS sos_or_fall
     FROM resident_hourly h
     WHERE h.resident_id = $1 AND h.hour >= to_timestamp($2 / 1000.0) AND h.hour < to_timestamp($3 / 1000.0)
     GROUP BY h.hour ORDER BY h.hour`,
    [residentId, from, to],
  )
  return r.rows.map((x) => ({
    hour: x.hour.getTime(),
    reports: x.reports,
    located: x.located,
    lat: x.lat,
    lon: x.lon,
    box: x.min_lon === null ? null : [x.min_lon, x.min_lat!, x.max_lon!, x.max_lat!],
    minBatt: x.min_batt,
    sosOrFall: x.sos_or_fall,
  }))
}

/** Who read: the username is kept with the record, so the record outlives the account. */
export interface Reader {
  userId: number
  username: string
}

/** Records a look at a resident's history. */
export async function recordHistoryView(db: Queryable, who: Reader, residentId: number, from: number, to: number) {
  await db.query(
    `INSERT INTO history_views (user_id, username, resident_id, from_time, to_time)
     VALUES ($1, $2, $3, to_timestamp($4 / 1000.0), to_timestamp($5 / 1000.0))`,
    [who.userId, who.username, residentId, from, to],
  )
}

export interface HistoryView {
  userId: number | null
  username: string | null
  residentId: number
  from: number
  to: number
  viewedAt: number
}

export async function listHistoryViews(db: Queryable, residentId: number, limit: number): Promise<HistoryView[]> {
  const r = await db.query<{
    user_id: number | null
    username: string | null
    resident_id: number
    from_time: Date
    to_time: Date
    viewed_at: Date
  }>(
    `SELECT user_id, username, resident_id, from_time, to_time, viewed_at FROM history_views
     WHERE resident_id = $1 ORDER BY id DESC LIMIT $2`,
    [residentId, limit],
  )
  return r.rows.map((x) => ({
    userId: x.user_id === null ? null : Number(x.user_id),
    username: x.username,
    residentId: Number(x.resident_id),
    from: x.from_time.getTime(),
    to: x.to_time.getTime(),
    viewedAt: x.viewed_at.getTime(),
  }))
}
