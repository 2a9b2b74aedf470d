// Responders in the database: their area and schedule, the wander alerts offered to them, and
// their accepting one. A responder sees a resident only through a task they accepted, and only
// while its alert is open (openTask). Resolving the alert closes its tasks for good (closed_at, set
// by a trigger in migration 023): a reopened alert needs a new offer and acceptance. Scope for
// everyone else stays in dashboard/scope.ts.
import type { Schedule, ZoneShape } from '../geofence/index.ts'
import type { Queryable } from '../infra/index.ts'
import { respondersFor, type ResponderProfile } from './responder.ts'
import { isSearchable } from './search-link.ts'

export async function saveResponderProfile(
  db: Queryable,
  userId: number,
  p: { area: ZoneShape; schedules: Schedule[]; phone: string | null },
): Promise<void> {
  await db.query(
    `INSERT INTO responder_profiles (user_id, area, schedules, phone) VALUES ($1, $2, $3, $4)
     ON CONFLICT (user_id) DO UPDATE SET area = $2, schedules = $3, phone = $4, updated_at = now()`,
    [userId, JSON.stringify(p.area), JSON.stringify(p.schedules), p.phone],
  )
}

export async function listResponders(db: Queryable): Promise<ResponderProfile[]> {
  const r = await db.query<{
    user_id: number
    username: string
    area: ZoneShape
    schedules: Schedule[]
    phone: string | null
  }>(
    `SELECT p.user_id, u.username, p.area, p.schedules, p.phone
     FROM responder_profiles p JOIN users u ON u.id = p.user_id AND u.role = 'responder' ORDER BY p.user_id`,
  )
  return r.rows.map((x) => ({
    userId: Number(x.user_id),
    username: x.username,
    area: x.area,
    schedules: x.schedules,
    phone: x.phone,
  }))
}

/**
 * Offers a newly opened wander alert to the responders available at `at` whose area contains the
 * wearer's newest position, and returns them (to be notified). Offering twice changes nothing.
 */
export async function offerToResponders(
  db: Queryable,
  alert: { id: number; kind: string; residentId: number; bandId: string },
  at: number,
): Promise<ResponderProfile[]> {
  if (!isSearchable(alert.kind)) return []
  const last = await db.query<{ lat: number; lon: number }>(
    `SELECT lat, lon FROM resident_positions WHERE resident_id = $1 AND band_id = $2 AND lat IS NOT NULL
     ORDER BY fix_time DESC LIMIT 1`,
    [alert.residentId, alert.bandId],
  )
  const pos = last.rows[0]
  if (!pos) return []
  const chosen = respondersFor(await listResponders(db), pos, at)
  if (chosen.length === 0) return []
  await db.query(
    `INSERT INTO responder_tasks (alert_id, user_id) SELECT $1, unnest($2::bigint[])
     ON CONFLICT (alert_id, user_id) DO UPDATE SET offered_at = now(), accepted_at = NULL, closed_at = NULL
       WHERE responder_tasks.closed_at IS NOT NULL`,
    [alert.id, chosen.map((p) => p.userId)],
  )
  return chosen
}

export interface ResponderTask {
  id: number
  alertId: number
  kind: string
  alertOpenedAt: number
  offeredAt: number
  acceptedAt: number | null
}

/**
 * The tasks offered to a responder whose alerts are still open, oldest first: the page keeps the list
 * current, and a task offered meanwhile comes last rather than moving the others under a finger.
 */
export async function openTasksOf(db: Queryable, userId: number): Promise<ResponderTask[]> {
  const r = await db.query<{
    id: number
    alert_id: number
    kind: string
    opened_at: Date
    offered_at: Date
    accepted_at: Date | null
  }>(
    `SELECT t.id, t.alert_id, a.kind, a.opened_at, t.offered_at, t.accepted_at
     FROM responder_tasks t JOIN alerts a ON a.id = t.alert_id
     WHERE t.user_id = $1 AND t.closed_at IS NULL AND a.status <> 'resolved' ORDER BY t.id`,
    [userId],
  )
  return r.rows.map((x) => ({
    id: Number(x.id),
    alertId: Number(x.alert_id),
    kind: x.kind,
    alertOpenedAt: x.opened_at.getTime(),
    offeredAt: x.offered_at.getTime(),
    acceptedAt: x.accepted_at === null ? null : x.accepted_at.getTime(),
  }))
}

/** The alert behind a task of this responder's, while it is open; `accepted` says whether they took it. */
export interface TaskTarget {
  taskId: number
  alertId: number
  residentId: number
  careCentreId: number | null
  bandId: string
  kind: string
  alertOpenedAt: number
  /** The alert's fix time and evidence, where the responder's trail starts (trailStart). */
  alertFixTime: number
  alertEvidence: unknown
  accepted: boolean
}

export async function openTask(db: Queryable, taskId: number, userId: number): Promise<TaskTarget | undefined> {
  const r = await db.query<{
    alert_id: number
    resident_id: number
    care_centre_id: number | null
    band_id: string
    opened_at: Date
    accepted_at: Date | null
    kind: string
    fix_time: Date
    evidence: unknown
  }>(
    `SELECT t.alert_id, a.resident_id, r.care_centre_id, a.band_id, a.opened_at, t.accepted_at, a.kind,
       a.fix_time, a.evidence
     FROM responder_tasks t JOIN alerts a ON a.id = t.alert_id JOIN residents r ON r.id = a.resident_id
     WHERE t.id = $1 AND t.user_id = $2 AND t.closed_at IS NULL AND a.status <> 'resolved'`,
    [taskId, userId],
  )
  const x = r.rows[0]
  if (!x || !isSearchable(x.kind)) return undefined
  return {
    taskId,
    alertId: Number(x.alert_id),
    residentId: Number(x.resident_id),
    careCentreId: x.care_centre_id === null ? null : Number(x.care_centre_id),
    bandId: x.band_id,
    kind: x.kind,
    alertOpenedAt: x.opened_at.getTime(),
    alertFixTime: x.fix_time.getTime(),
    alertEvidence: x.evidence,
    accepted: x.accepted_at !== null,
  }
}

/** Marks a task accepted; false if it was accepted before (accepting twice records nothing new). */
export async function acceptTask(db: Queryable, taskId: number, userId: number): Promise<boolean> {
  const r = await db.query(
    'UPDATE responder_tasks SET accepted_at = now() WHERE id = $1 AND user_id = $2 AND accepted_at IS NULL AND closed_at IS NULL',
    [taskId, userId],
  )
  return (r.rowCount ?? 0) > 0
}
