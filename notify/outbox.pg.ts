// The outbox of messages: claimed by any number of workers (FOR UPDATE SKIP LOCKED, with a lease
// so a worker that dies mid-send leaves the row to another), retried with backoff, given up after
// a number of attempts with a visible status, and every attempt recorded for the alert's timeline.
import type { Queryable } from '../infra/index.ts'
import type { Channel } from './audience.ts'
import type { Target } from './channels/channel.ts'
import type { Language, TemplateName, TemplateParams } from './templates.ts'

export interface ClaimedDelivery {
  id: number
  alertId: number
  dedupeKey: string
  channel: Channel
  address: string
  template: TemplateName
  params: TemplateParams
  language: Language
  attempts: number
  createdAt: number
  /** The chat, webhook or push subscription behind the address; undefined if it was removed since. */
  target: Target | undefined
}

type Row = {
  id: number
  alert_id: number
  dedupe_key: string
  channel: Channel
  address: string
  template: TemplateName
  params: TemplateParams & { userId?: number }
  language: Language
  attempts: number
  created_at: Date
  url: string | null
  secret: string | null
  endpoint: string | null
  p256dh: string | null
  auth: string | null
}

/** When a waiting message (d) may be claimed: a pending one when due, a sending one when its lease lapses. */
const CLAIMABLE_AT = `CASE WHEN d.status = 'pending' THEN d.due_at ELSE d.lease_until END`

/** A message (d) waits while an earlier one of its alert to the same address is unsent. */
const NOT_BEHIND_AN_EARLIER = `NOT EXISTS (SELECT 1 FROM deliveries e WHERE e.alert_id = d.alert_id AND e.channel = d.channel
       AND e.address = d.address AND e.id < d.id AND e.status IN ('pending', 'sending'))`

/**
 * Claims up to `limit` messages that are due (or whose sender's lease ran out), oldest first. A message
 * waits while an earlier one of its alert to the same address is unsent, so "back home" never
 * overtakes the alert it closes. At most `perAddress` messages to one address (the city webhook, a
 * centre's group chat) are out at once, counting those out in every process: an address that hangs
 * holds that many, never every sender's slot.
 */
export async function claimDue(
  db: Queryable,
  limit: number,
  leaseMs: number,
  city: { url: string; secret: string },
  perAddress: number,
): Promise<ClaimedDelivery[]> {
  // Escalation messages of an alert someone has handled meanwhile are dropped, not sent late.
  await db.query(
    `UPDATE deliveries d SET status = 'cancelled', last_error = 'handled before it was sent'
     FROM alerts a WHERE a.id = d.alert_id AND d.status = 'pending' AND d.cancel_if_handled AND a.status <> 'open'`,
  )
  const r = await db.query<Row>(
    `WITH out AS (
       SELECT channel, address, count(*) AS n FROM deliveries
       WHERE status = 'sending' AND lease_until > now() GROUP BY channel, address),
     ready AS (
       SELECT d.id, row_number() OVER (PARTITION BY d.channel, d.address ORDER BY d.due_at, d.id) + COALESCE(o.n, 0) AS nth
       FROM deliveries d LEFT JOIN out o ON o.channel = d.channel AND o.address = d.address
       WHERE d.status IN ('pending', 'sending') AND ${CLAIMABLE_AT} <= now() AND ${NOT_BEHIND_AN_EARLIER}),
     c AS (
       -- The locked row is checked again here: when another worker claimed it after this statement's
       -- snapshot, PostgreSQL re-reads its new version against these conditions (and not against
       -- ready's, taken from the snapshot), so a message claimed elsewhere is not claimed twice.
       SELECT d.id FROM deliveries d JOIN ready r ON r.id = d.id AND r.nth <= $3
       WHERE d.status IN ('pending', 'sending') AND ${CLAIMABLE_AT} <= now()
       ORDER BY d.due_at, d.id LIMIT $1 FOR UPDATE OF d SKIP LOCKED),
     u AS (
       UPDATE deliveries d SET status = 'sending', attempts = d.attempts + 1, lease_until = now() + $2 * interval '1 millisecond'
       FROM c WHERE d.id = c.id RETURNING d.*)
     SELECT u.id, u.alert_id, u.dedupe_key, u.channel, u.address, u.template, u.params, u.language, u.attempts, u.created_at,
            cc.url, cc.secret, ps.endpoint, ps.p256dh, ps.auth
     FROM u
     LEFT JOIN centre_channels cc ON u.channel IN ('wecom', 'dingtalk', 'webhook') AND cc.id::text = u.address
     LEFT JOIN push_subscriptions ps ON u.channel = 'webpush' AND ps.id::text = u.address
     ORDER BY u.due_at, u.id`,
    [limit, leaseMs, perAddress],
  )
  return r.rows.map((x) => {
    const { name, event, detail } = x.params
    return {
      id: x.id,
      alertId: x.alert_id,
      dedupeKey: x.dedupe_key,
      channel: x.channel,
      address: x.address,
      template: x.template,
      params: event === undefined ? { name, detail } : { name, event, detail },
      language: x.language,
      attempts: x.attempts,
      createdAt: x.created_at.getTime(),
      target: targetOf(x, city),
    }
  })
}

function targetOf(x: Row, city: { url: string; secret: string }): Target | undefined {
  switch (x.channel) {
    case 'sms':
    case 'voice':
      return { type: 'phone', phone: x.address }
    case 'webpush':
      return x.endpoint ? { type: 'push', endpoint: x.endpoint, p256dh: x.p256dh!, auth: x.auth! } : undefined
    default:
      if (x.address === 'city') return city.url ? { type: 'url', url: city.url, secret: city.secret } : undefined
      return x.url ? { type: 'url', url: x.url, secret: x.secret ?? '' } : undefined
  }
}

/**
 * What became of one attempt (`attempt`: the message's attempts when it was claimed): taken (`ref`),
 * or not (`detail`; retry after `retryInMs`, or null: give up).
 */
export type Outcome =
  | { id: number; attempt: number; ok: true; ref: string }
  | { id: number; attempt: number; ok: false; detail: string; retryInMs: number | null }

/**
 * Records attempts in one statement: status, next try, and the attempt for the timeline. An answer
 * may come after its claim's lease lapsed and another attempt was made (a process frozen, a
 * provider slow to answer). Accepted is accepted, whenever it is told: the message is sent, and is
 * recorded so. A failure counts only while its attempt still holds the message: a late one would
 * put a sent message back in the queue, or cut short the attempt that replaced it.
 */
export async function recordOutcomes(db: Queryable, outcomes: readonly Outcome[]): Promise<void> {
  if (outcomes.length === 0) return
  const rows = outcomes.map((o) =>
    o.ok
      ? {
          id: o.id,
          attempt: o.attempt,
          ok: true,
          ref: o.ref,
          detail: `accepted: ${o.ref}`.slice(0, 200),
          retry_ms: null,
        }
      : { id: o.id, attempt: o.attempt, ok: false, ref: null, detail: o.detail.slice(0, 200), retry_ms: o.retryInMs },
  )
  await db.query(
    `WITH x AS (SELECT * FROM json_to_recordset($1::json) AS x(id bigint, attempt int, ok boolean, ref text, detail text, retry_ms float8)),
     d AS (
       UPDATE deliveries d SET
         status = CASE WHEN x.ok THEN 'sent' WHEN x.retry_ms IS NULL THEN 'failed' ELSE 'pending' END,
         sent_at = CASE WHEN x.ok THEN now() END, provider_ref = x.ref, lease_until = NULL,
         last_error = CASE WHEN x.ok THEN NULL ELSE x.detail END,
         due_at = CASE WHEN NOT x.ok AND x.retry_ms IS NOT NULL THEN now() + x.retry_ms * interval '1 millisecond' ELSE d.due_at END
       FROM x WHERE d.id = x.id
         AND CASE WHEN x.ok THEN d.status <> 'sent' ELSE d.status = 'sending' AND d.attempts = x.attempt END
       RETURNING d.id)
     INSERT INTO delivery_attempts (delivery_id, ok, detail)
     SELECT x.id, x.ok, x.detail FROM x
     WHERE x.ok AND EXISTS (SELECT 1 FROM deliveries e WHERE e.id = x.id) OR x.id IN (SELECT id FROM d)`,
    [JSON.stringify(rows)],
  )
}

/** A browser dropped this subscription: forget it. */
export async function forgetSubscription(db: Queryable, subscriptionId: string): Promise<void> {
  await db.query('DELETE FROM push_subscriptions WHERE id::text = $1', [subscriptionId])
}

/**
 * Milliseconds until the next message becomes claimable (a retry, the end of quiet hours, a lapsed
 * lease), 0 if one is already; null if nothing waits. A message held behind an earlier one to the
 * same address, or waiting for a message out to its address, does not count: it is claimed in the
 * round that the send out there starts when it finishes (or when its lease lapses).
 */
export async function nextDueMs(db: Queryable): Promise<number | null> {
  const r = await db.query<{ ms: number | null }>(
    `SELECT (EXTRACT(EPOCH FROM min(${CLAIMABLE_AT}) - now()) * 1000)::float8 AS ms
     FROM deliveries d
     WHERE d.status IN ('pending', 'sending') AND ${NOT_BEHIND_AN_EARLIER}
       AND (d.status = 'sending' OR NOT EXISTS (SELECT 1 FROM deliveries o WHERE o.channel = d.channel
                       AND o.address = d.address AND o.status = 'sending' AND o.lease_until > now()))`,
  )
  const ms = r.rows[0]?.ms ?? null
  return ms === null ? null : Math.max(0, ms)
}

/** Messages waiting or being sent (for metrics and readiness). */
export async function outboxBacklog(db: Queryable): Promise<number> {
  const r = await db.query<{ n: number }>(
    `SELECT count(*)::int AS n FROM deliveries WHERE status IN ('pending', 'sending')`,
  )
  return r.rows[0]!.n
}
