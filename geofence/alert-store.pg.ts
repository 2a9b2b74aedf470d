// Alerts in the database. One open alert per wearer, kind and zone (a unique partial index):
// a repeat updates the open one instead of adding another.
import type { Queryable } from '../infra/index.ts'
import type { Alert, AlertChange, AlertKind } from './alert.ts'
import { SEVERITY } from './alert.ts'

export interface NewAlert {
  residentId: number
  bandId: string
  zoneId: number | null
  kind: AlertKind
  fixTime: number
  evidence: unknown
}

const COLUMNS = `a.id, a.resident_id, r.care_centre_id, a.band_id, a.zone_id, a.kind, a.severity, a.status,
  a.fix_time, a.opened_at, a.updated_at, a.evidence`

type AlertRow = {
  id: number
  resident_id: number
  care_centre_id: number | null
  band_id: string
  zone_id: number | null
  kind: AlertKind
  severity: Alert['severity']
  status: Alert['status']
  fix_time: Date
  opened_at: Date
  updated_at: Date
  evidence: unknown
}

export const toAlert = (r: AlertRow): Alert => ({
  id: r.id, residentId: r.resident_id, careCentreId: r.care_centre_id, bandId: r.band_id, zoneId: r.zone_id,
  kind: r.kind, severity: r.severity, status: r.status, fixTime: r.fix_time.getTime(),
  openedAt: r.opened_at.getTime(), updatedAt: r.updated_at.getTime(), evidence: r.evidence,
})

export async function raiseAlert(db: Queryable, a: NewAlert): Promise<AlertChange> {
  const r = await db.query<AlertRow & { inserted: boolean }>(
    `WITH a AS (
       INSERT INTO alerts (resident_id, band_id, zone_id, kind, severity, fix_time, evidence)
       VALUES ($1, $2, $3, $4, $5, to_timestamp($6 / 1000.0), $7)
       ON CONFLICT (resident_id, kind, COALESCE(zone_id, 0)) WHERE status <> 'resolved'
       DO UPDATE SET updated_at = now(), evidence = EXCLUDED.evidence
       RETURNING *, (xmax = 0) AS inserted)
     SELECT ${COLUMNS}, a.inserted FROM a JOIN residents r ON r.id = a.resident_id`,
    [a.residentId, a.bandId, a.zoneId, a.kind, SEVERITY[a.kind], a.fixTime, JSON.stringify(a.evidence)])
  const row = r.rows[0]!
  return { change: row.inserted ? 'opened' : 'updated', alert: toAlert(row) }
}

export interface AlertFilter {
  /** Only these residents; undefined: all. */
  residentIds?: readonly number[]
  status?: Alert['status']
  /** Only alerts raised by fixes taken at or after this time (epoch ms). */
  since?: number
  /** Paging: only alerts with a smaller id (results come newest first). */
  beforeId?: number
  limit: number
}

export async function listAlerts(db: Queryable, f: AlertFilter): Promise<Alert[]> {
  const r = await db.query<AlertRow>(
    `SELECT ${COLUMNS} FROM alerts a JOIN residents r ON r.id = a.resident_id
     WHERE ($1::bigint[] IS NULL OR a.resident_id = ANY($1)) AND ($2::text IS NULL OR a.status = $2)
       AND ($4::float8 IS NULL OR a.fix_time >= to_timestamp($4 / 1000.0)) AND ($5::bigint IS NULL OR a.id < $5)
     ORDER BY a.id DESC LIMIT $3`,
    [f.residentIds ?? null, f.status ?? null, f.limit, f.since ?? null, f.beforeId ?? null])
  return r.rows.map(toAlert)
}
