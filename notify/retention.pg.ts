// How long the record of notifications lives: alert changes older than NOTIFY_RETENTION_DAYS whose
// messages are all finished (sent, failed or cancelled) are deleted, with their messages and every
// attempt (the foreign keys cascade). Unfinished messages are never deleted, however old: the
// outbox still owes them. Phone numbers leave with them (deliveries.address).
import type { Queryable } from '../infra/index.ts'

/** Deletes finished notification records older than `days` days; returns how many messages went. 0: keep all. */
export async function pruneNotifications(db: Queryable, days: number): Promise<number> {
  if (days <= 0) return 0
  const r = await db.query<{ n: number }>(
    `WITH gone AS (
       DELETE FROM alert_changes c
       WHERE c.at < now() - make_interval(days => $1) AND c.planned_at IS NOT NULL
         AND NOT EXISTS (SELECT 1 FROM deliveries d WHERE d.change_id = c.id AND d.status IN ('pending', 'sending'))
       RETURNING c.id)
     SELECT count(d.id)::int AS n FROM deliveries d WHERE d.change_id IN (SELECT id FROM gone)`,
    [days],
  )
  return r.rows[0]?.n ?? 0
}
