// Turns recorded alert changes into outbox rows: claims unplanned changes (FOR UPDATE SKIP LOCKED, so
// several processes can share the work), loads who is to be told, runs the pure planner, and writes
// the deliveries and "planned" in one transaction. A crash before the commit leaves the change
// unplanned; planning it again writes the same dedupe keys, so nothing is sent twice.
import type { AlertKind, Severity } from '../geofence/index.ts'
import { offerToResponders } from '../finding/index.ts'
import type { Db, Queryable } from '../infra/index.ts'
import type { CentreChannel, Preferences } from './audience.ts'
import { plan, type ChangeKind, type PlannedDelivery, type Told } from './planner.ts'
import { listContacts, listRoster } from './settings.pg.ts'

export interface PlanningSettings {
  timeZone: string
  cityWebhook: boolean
  /** Voice calls from this escalation level on (critical alerts); null: no voice channel. */
  voiceFromLevel: number | null
}

type ChangeRow = {
  id: number
  alert_id: number
  change: ChangeKind
  level: number
  at: Date
  kind: AlertKind
  severity: Severity
  resident_id: number
  band_id: string
  care_centre_id: number | null
  display_name: string
  resolution_note: string | null
  resolved_by: number | null
  handler: string | null
}

/** Plans up to `limit` recorded changes (oldest first; a change waits for earlier ones of its alert). */
export async function planPending(db: Db, s: PlanningSettings, limit = 50): Promise<number> {
  return db.tx(async (tx) => {
    const r = await tx.query<ChangeRow>(
      `WITH c AS (
         SELECT c.* FROM alert_changes c
         WHERE c.planned_at IS NULL
           AND NOT EXISTS (SELECT 1 FROM alert_changes e WHERE e.alert_id = c.alert_id AND e.id < c.id AND e.planned_at IS NULL)
         ORDER BY c.id LIMIT $1 FOR UPDATE SKIP LOCKED)
       SELECT c.id, c.alert_id, c.change, c.level, c.at, a.kind, a.severity, a.resident_id, a.band_id, r.care_centre_id, r.display_name,
              a.resolution_note, a.resolved_by, u.username AS handler
       FROM c JOIN alerts a ON a.id = c.alert_id JOIN residents r ON r.id = a.resident_id
       LEFT JOIN users u ON u.id = a.acknowledged_by
       ORDER BY c.id`,
      [limit],
    )
    for (const c of r.rows) {
      // A wander alert just opened is offered to the responders nearby and available now (finding/).
      const responders =
        c.change === 'opened'
          ? await offerToResponders(
              tx,
              { id: c.alert_id, kind: c.kind, residentId: c.resident_id, bandId: c.band_id },
              c.at.getTime(),
            )
          : []
      const deliveries = plan({
        change: { id: Number(c.id), change: c.change, level: c.level, at: c.at.getTime() },
        alert: {
          id: c.alert_id,
          kind: c.kind,
          severity: c.severity,
          resolutionNote: c.resolution_note,
          resolvedAutomatically: c.resolved_by === null,
        },
        residentName: c.display_name,
        handlerName: c.handler,
        timeZone: s.timeZone,
        cityWebhook: s.cityWebhook,
        voiceFromLevel: s.voiceFromLevel,
        ...(await audienceOf(
          tx,
          c.resident_id,
          c.care_centre_id,
          responders.map((x) => x.userId),
        )),
        responders,
        notified: await notified(tx, c.alert_id),
      })
      if (c.change === 'acknowledged' || c.change === 'resolved') {
        await tx.query(
          `UPDATE deliveries SET status = 'cancelled', last_error = 'handled before it was sent'
          WHERE alert_id = $1 AND status = 'pending' AND cancel_if_handled`,
          [c.alert_id],
        )
      }
      await insertDeliveries(tx, c.alert_id, c.id, deliveries)
    }
    if (r.rows.length > 0)
      await tx.query('UPDATE alert_changes SET planned_at = now() WHERE id = ANY($1)', [r.rows.map((c) => c.id)])
    return r.rows.length
  })
}

async function audienceOf(db: Queryable, residentId: number, centreId: number | null, responderIds: number[]) {
  const contacts = await listContacts(db, residentId)
  const roster = centreId === null ? [] : await listRoster(db, centreId)
  const centreChannels =
    centreId === null
      ? []
      : (
          await db.query<CentreChannel & Record<string, unknown>>(
            'SELECT id, kind, name FROM centre_channels WHERE care_centre_id = $1 ORDER BY id',
            [centreId],
          )
        ).rows
  const userIds = [...contacts.map((c) => c.userId), ...roster.map((x) => x.userId), ...responderIds].filter(
    (u): u is number => u !== null,
  )
  const preferences = new Map<number, Preferences>()
  const subscriptions = new Map<number, number[]>()
  if (userIds.length > 0) {
    const p = await db.query<{
      user_id: number
      kinds: string[] | null
      quiet_start: number | null
      quiet_end: number | null
      language: 'zh' | 'en'
    }>('SELECT user_id, kinds, quiet_start, quiet_end, language FROM notify_preferences WHERE user_id = ANY($1)', [
      userIds,
    ])
    for (const x of p.rows)
      preferences.set(x.user_id, {
        kinds: x.kinds,
        quietStart: x.quiet_start,
        quietEnd: x.quiet_end,
        language: x.language,
      })
    const s = await db.query<{ user_id: number; id: number }>(
      'SELECT user_id, id FROM push_subscriptions WHERE user_id = ANY($1) ORDER BY id',
      [userIds],
    )
    for (const x of s.rows) subscriptions.set(x.user_id, [...(subscriptions.get(x.user_id) ?? []), x.id])
  }
  return { contacts, roster, centreChannels, preferences, subscriptions }
}

/** Who was sent (or is due) this alert's first word, on which channel. */
async function notified(db: Queryable, alertId: number): Promise<Told[]> {
  const r = await db.query<{
    recipient: string
    recipient_name: string
    channel: Told['channel']
    address: string
    language: Told['language']
    user_id: number | null
  }>(
    `SELECT DISTINCT ON (d.recipient, d.channel, d.address) d.recipient, d.recipient_name, d.channel, d.address, d.language,
            (d.params->>'userId')::bigint AS user_id
     FROM deliveries d WHERE d.alert_id = $1 AND d.template = 'alert' AND d.status <> 'cancelled'
     ORDER BY d.recipient, d.channel, d.address, d.id`,
    [alertId],
  )
  return r.rows.map((x) => ({
    recipient: x.recipient,
    recipientName: x.recipient_name,
    channel: x.channel,
    address: x.address,
    language: x.language,
    userId: x.user_id,
  }))
}

async function insertDeliveries(
  db: Queryable,
  alertId: number,
  changeId: number,
  ds: readonly PlannedDelivery[],
): Promise<void> {
  if (ds.length === 0) return
  const rows = ds.map((d) => ({
    recipient: d.recipient,
    recipient_name: d.recipientName,
    channel: d.channel,
    address: d.address,
    template: d.template,
    params: { ...d.params, ...(d.userId === null ? {} : { userId: d.userId }) },
    language: d.language,
    cancel_if_handled: d.cancelIfHandled,
    due_at: new Date(d.dueAt).toISOString(),
    dedupe_key: d.dedupeKey,
  }))
  await db.query(
    `INSERT INTO deliveries (alert_id, change_id, recipient, recipient_name, channel, address, template, params, language,
                             cancel_if_handled, due_at, dedupe_key)
     SELECT $1, $2, x.recipient, x.recipient_name, x.channel, x.address, x.template, x.params, x.language,
            x.cancel_if_handled, x.due_at, x.dedupe_key
     FROM json_to_recordset($3::json) AS x(recipient text, recipient_name text, channel text, address text, template text,
       params jsonb, language text, cancel_if_handled boolean, due_at timestamptz, dedupe_key text)
     ON CONFLICT (dedupe_key) DO NOTHING`,
    [alertId, changeId, JSON.stringify(rows)],
  )
}
