// An alert's timeline: what people did (alert_events) merged with what the alert itself records
// (opened, escalated, resolved by the engine), oldest first. Scope is checked by the caller.
import type { Queryable } from '../infra/index.ts'
import type { Viewer } from './scope.ts'

export type PersonAction =
  | 'acknowledged'
  | 'note'
  | 'resolved'
  | 'reopened'
  | 'search_link_created'
  | 'search_link_revoked'
  | 'responder_accepted'

export interface TimelineEvent {
  at: number
  /** Also 'search_link_opened' (finding/search-link.pg.ts): no account behind it, username ''. */
  kind: 'opened' | 'escalated' | 'autoResolved' | PersonAction | 'search_link_opened'
  username: string | null
  role: string | null
  note: string | null
}

export async function recordAction(
  db: Queryable,
  alertId: number,
  viewer: Viewer,
  kind: PersonAction,
  note: string | null = null,
): Promise<void> {
  await db.query(
    `INSERT INTO alert_events (alert_id, kind, user_id, username, role, note)
    SELECT $1, $2, u.id, u.username, u.role, $4 FROM users u WHERE u.id = $3`,
    [alertId, kind, viewer.userId, note],
  )
}

export async function timeline(db: Queryable, alertId: number): Promise<TimelineEvent[]> {
  const a = await db.query<{
    opened_at: Date
    escalated_at: Date | null
    escalation_level: number
    resolved_at: Date | null
    resolved_by: number | null
    status: string
    because: string | null
  }>(
    `SELECT opened_at, escalated_at, escalation_level, resolved_at, resolved_by, status,
       evidence->>'resolvedBecause' AS because
     FROM alerts WHERE id = $1`,
    [alertId],
  )
  const row = a.rows[0]
  if (!row) return []
  const out: TimelineEvent[] = [{ at: row.opened_at.getTime(), kind: 'opened', username: null, role: null, note: null }]
  if (row.escalated_at && row.escalation_level > 0) {
    const level = `${row.escalation_level}`
    out.push({ at: row.escalated_at.getTime(), kind: 'escalated', username: null, role: null, note: level })
  }
  if (row.status === 'resolved' && row.resolved_by === null && row.resolved_at) {
    out.push({ at: row.resolved_at.getTime(), kind: 'autoResolved', username: null, role: null, note: row.because })
  }
  const ev = await db.query<{ at: Date; kind: PersonAction; username: string; role: string; note: string | null }>(
    'SELECT at, kind, username, role, note FROM alert_events WHERE alert_id = $1 ORDER BY at, id',
    [alertId],
  )
  for (const e of ev.rows) {
    out.push({ at: e.at.getTime(), kind: e.kind, username: e.username, role: e.role, note: e.note })
  }
  return out.sort((x, y) => x.at - y.at)
}

/** Staff reopen a resolved alert; undefined if it is not resolved, 'conflict' if another is open for the same thing. */
export async function reopenAlert(db: Queryable, id: number): Promise<'reopened' | 'conflict' | undefined> {
  try {
    const r = await db.query(
      `UPDATE alerts SET status = 'open', resolved_at = NULL, resolved_by = NULL,
      resolution_note = NULL, acknowledged_by = NULL, acknowledged_at = NULL,
      escalation_level = 0, escalated_at = NULL, updated_at = now()
      WHERE id = $1 AND status = 'resolved'`,
      [id],
    )
    return r.rowCount ? 'reopened' : undefined
  } catch (err) {
    if ((err as { code?: string }).code === '23505') return 'conflict'
    throw err
  }
}
