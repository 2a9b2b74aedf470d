// Alerts in the database. One open alert per wearer, kind and zone (a unique partial index):
// a repeat updates the open one instead of adding another.
import type { Queryable } from '../infra/index.ts'
import type { Alert, AlertChange, AlertKind, Severity } from './alert.ts'
import { SEVERITY } from './alert.ts'

export interface NewAlert {
  residentId: number
  bandId: string
  zoneId: number | null
  kind: AlertKind
  fixTime: number
  severity?: Severity
  evidence: unknown
}

const COLUMNS = `a.id, a.resident_id, r.care_centre_id, a.band_id, a.zone_id, a.kind, a.severity, a.status,
  a.fix_time, a.opened_at, a.updated_at, a.evidence, a.acknowledged_by, a.acknowledged_at, a.resolved_by,
  a.resolution_note, a.escalation_level`

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
  acknowledged_by: number | null
  acknowledged_at: Date | null
  resolved_by: number | null
  resolution_note: string | null
  escalation_level: number
}

export const toAlert = (r: AlertRow): Alert => ({
  id: r.id,
  residentId: r.resident_id,
  careCentreId: r.care_centre_id,
  bandId: r.band_id,
  zoneId: r.zone_id,
  kind: r.kind,
  severity: r.severity,
  status: r.status,
  fixTime: r.fix_time.getTime(),
  openedAt: r.opened_at.getTime(),
  updatedAt: r.updated_at.getTime(),
  evidence: r.evidence,
  acknowledgedBy: r.acknowledged_by,
  acknowledgedAt: r.acknowledged_at?.getTime() ?? null,
  resolvedBy: r.resolved_by,
  resolutionNote: r.resolution_note,
  escalationLevel: r.escalation_level,
})

/** A later SOS or fall on an alert someone has acknowledged: a new emergency. */
const REPEAT = `(alerts.kind IN ('sos', 'fall') AND alerts.status = 'acknowledged' AND EXCLUDED.fix_time > alerts.fix_time)`

/**
 * Opens an alert, or updates the open one of this wearer, kind and zone. A fix that already
 * raised an alert someone has since resolved raises nothing again (a redelivered or replayed
 * report): undefined then. A new SOS or fall (a later fix) on an acknowledged alert is a new
 * emergency, never merged away: the alert opens again at level 0, with who acknowledged the
 * earlier one kept in its evidence, and is announced as opened so everyone is told and it
 * escalates again (issue 15). The same press redelivered (same fix time) only updates.
 * Kept prepared on a server: planning it took as long as running it (0.4 of 0.8 ms, idle server),
 * and it is on the path from a band's SOS to the dashboards.
 */
export async function raiseAlert(db: Queryable, a: NewAlert): Promise<AlertChange | undefined> {
  const r = await db.query<AlertRow & { inserted: boolean }>(
    `WITH a AS (
       INSERT INTO alerts (resident_id, band_id, zone_id, kind, severity, fix_time, evidence)
       SELECT $1::bigint, $2::text, $3::bigint, $4::text, $5::text, to_timestamp($6 / 1000.0), $7::jsonb
       WHERE NOT EXISTS (SELECT 1 FROM alerts WHERE resident_id = $1 AND kind = $4 AND COALESCE(zone_id, 0) = COALESCE($3::bigint, 0)
                         AND fix_time = to_timestamp($6 / 1000.0) AND status = 'resolved')
       ON CONFLICT (resident_id, kind, COALESCE(zone_id, 0)) WHERE status <> 'resolved'
       DO UPDATE SET updated_at = now(),
         evidence = CASE WHEN ${REPEAT} THEN EXCLUDED.evidence || jsonb_build_object('earlier', jsonb_build_object(
           'fixTime', alerts.fix_time, 'acknowledgedBy', alerts.acknowledged_by, 'acknowledgedAt', alerts.acknowledged_at))
           ELSE EXCLUDED.evidence END,
         status = CASE WHEN ${REPEAT} THEN 'open' ELSE alerts.status END,
         opened_at = CASE WHEN ${REPEAT} THEN now() ELSE alerts.opened_at END,
         fix_time = CASE WHEN ${REPEAT} THEN EXCLUDED.fix_time ELSE alerts.fix_time END,
         acknowledged_by = CASE WHEN ${REPEAT} THEN NULL ELSE alerts.acknowledged_by END,
         acknowledged_at = CASE WHEN ${REPEAT} THEN NULL ELSE alerts.acknowledged_at END,
         escalation_level = CASE WHEN ${REPEAT} THEN 0 ELSE alerts.escalation_level END,
         severity = CASE WHEN EXCLUDED.severity = 'critical' THEN 'critical' ELSE alerts.severity END
       RETURNING *, (xmax = 0 OR opened_at = now()) AS inserted)
     SELECT ${COLUMNS}, a.inserted FROM a JOIN residents r ON r.id = a.resident_id`,
    [a.residentId, a.bandId, a.zoneId, a.kind, a.severity ?? SEVERITY[a.kind], a.fixTime, JSON.stringify(a.evidence)],
    'tongxing_raise_alert',
  )
  const row = r.rows[0]
  return row && { change: row.inserted ? 'opened' : 'updated', alert: toAlert(row) }
}

/** Resolves the open alert of this wearer, kind and zone, if there is one. */
export async function resolveAlert(
  db: Queryable,
  r: { residentId: number; kind: AlertKind; zoneId: number | null; reason: string },
): Promise<AlertChange | undefined> {
  return (
    await changed(
      db,
      `UPDATE alerts SET status = 'resolved', resolved_at = now(), updated_at = now(),
      evidence = evidence || jsonb_build_object('resolvedBecause', $4::text)
    WHERE resident_id = $1 AND kind = $2 AND COALESCE(zone_id, 0) = COALESCE($3::bigint, 0) AND status <> 'resolved'
    RETURNING *`,
      [r.residentId, r.kind, r.zoneId, r.reason],
      'resolved',
      'tongxing_resolve_alert',
    )
  )[0]
}

/** "Still outside": the open alert gains the latest word (its evidence keeps why it was raised). */
export async function remindAlert(
  db: Queryable,
  r: { residentId: number; kind: AlertKind; zoneId: number | null; evidence: unknown },
): Promise<AlertChange | undefined> {
  return (
    await changed(
      db,
      `UPDATE alerts SET updated_at = now(), evidence = evidence || jsonb_build_object('stillOutside', $4::jsonb)
    WHERE resident_id = $1 AND kind = $2 AND COALESCE(zone_id, 0) = COALESCE($3::bigint, 0) AND status <> 'resolved'
    RETURNING *`,
      [r.residentId, r.kind, r.zoneId, JSON.stringify(r.evidence)],
      'reminded',
      'tongxing_remind_alert',
    )
  )[0]
}

/** A person has seen the alert and is acting on it. Only an open alert can be acknowledged. */
export async function acknowledgeAlert(db: Queryable, id: number, userId: number): Promise<AlertChange | undefined> {
  return (
    await changed(
      db,
      `UPDATE alerts SET status = 'acknowledged', acknowledged_by = $2, acknowledged_at = now(), updated_at = now()
    WHERE id = $1 AND status = 'open' RETURNING *`,
      [id, userId],
      'acknowledged',
    )
  )[0]
}

/** A person closes the alert with a note (found, safe, false alarm…). */
export async function resolveAlertByPerson(
  db: Queryable,
  id: number,
  userId: number,
  note: string,
): Promise<AlertChange | undefined> {
  return (
    await changed(
      db,
      `UPDATE alerts SET status = 'resolved', resolved_at = now(), resolved_by = $2, resolution_note = $3, updated_at = now()
    WHERE id = $1 AND status <> 'resolved' RETURNING *`,
      [id, userId, note],
      'resolved',
    )
  )[0]
}

/** Open alerts nobody acknowledged within `delayMs` per level climb one level (at most the last). */
export async function escalateOverdue(db: Queryable, delayMs: number, maxLevel: number): Promise<AlertChange[]> {
  return changed(
    db,
    `UPDATE alerts SET escalation_level = escalation_level + 1, escalated_at = now(), updated_at = now()
    WHERE status = 'open' AND escalation_level < $2
      AND opened_at <= now() - (escalation_level + 1) * $1 * interval '1 millisecond'
    RETURNING *`,
    [delayMs, maxLevel],
    'escalated',
  )
}

/**
 * Runs an UPDATE … RETURNING * on alerts and reports each changed alert with its resident's centre.
 * `name`: the geofence's statements, kept prepared on a server (db.ts).
 */
async function changed(
  db: Queryable,
  update: string,
  params: unknown[],
  change: AlertChange['change'],
  name?: string,
): Promise<AlertChange[]> {
  const r = await db.query<AlertRow>(
    `WITH a AS (${update}) SELECT ${COLUMNS} FROM a JOIN residents r ON r.id = a.resident_id`,
    params,
    name,
  )
  return r.rows.map((row) => ({ change, alert: toAlert(row) }))
}

/** One alert with the resident it concerns, for scope checks. */
export async function findAlert(db: Queryable, id: number): Promise<Alert | undefined> {
  const r = await db.query<AlertRow>(
    `SELECT ${COLUMNS} FROM alerts a JOIN residents r ON r.id = a.resident_id WHERE a.id = $1`,
    [id],
  )
  return r.rows[0] && toAlert(r.rows[0])
}

export type OpenAlert = { kind: AlertKind; zoneId: number | null; fixTime: number }

/** Open alerts by band (of these bands, if given) of its current wearer, to rebuild engine state after a restart. */
export async function openAlertsByBand(db: Queryable, bandIds?: readonly string[]): Promise<Map<string, OpenAlert[]>> {
  const r = await db.query<{ band_id: string; kind: AlertKind; zone_id: number | null; fix_time: Date }>(
    `SELECT a.band_id, a.kind, a.zone_id, a.fix_time
     FROM alerts a JOIN band_wearers w ON w.band_id = a.band_id AND w.to_time IS NULL
     WHERE a.status <> 'resolved' AND ($1::text[] IS NULL OR a.band_id = ANY($1))
       AND a.resident_id = w.resident_id AND a.fix_time >= w.from_time`,
    [bandIds ?? null],
  )
  const out = new Map<string, OpenAlert[]>()
  for (const a of r.rows)
    out.set(a.band_id, [
      ...(out.get(a.band_id) ?? []),
      { kind: a.kind, zoneId: a.zone_id, fixTime: a.fix_time.getTime() },
    ])
  return out
}

export interface AlertFilter {
  /** Only these residents; undefined: all. */
  residentIds?: readonly number[]
  status?: Alert['status']
  /** Only alerts raised by fixes taken at or after this time (epoch ms). */
  since?: number
  /** Only alerts changed at or after this time (epoch ms): what a reconnecting dashboard missed. */
  updatedSince?: number
  /** Paging: only alerts with a smaller id (results come newest first). */
  beforeId?: number
  limit: number
}

export async function listAlerts(db: Queryable, f: AlertFilter): Promise<Alert[]> {
  const r = await db.query<AlertRow>(
    `SELECT ${COLUMNS} FROM alerts a JOIN residents r ON r.id = a.resident_id
     WHERE ($1::bigint[] IS NULL OR a.resident_id = ANY($1)) AND ($2::text IS NULL OR a.status = $2)
       AND ($4::float8 IS NULL OR a.fix_time >= to_timestamp($4 / 1000.0)) AND ($5::bigint IS NULL OR a.id < $5)
       AND ($6::float8 IS NULL OR a.updated_at >= to_timestamp($6 / 1000.0))
     ORDER BY a.id DESC LIMIT $3`,
    [f.residentIds ?? null, f.status ?? null, f.limit, f.since ?? null, f.beforeId ?? null, f.updatedSince ?? null],
  )
  return r.rows.map(toAlert)
}
