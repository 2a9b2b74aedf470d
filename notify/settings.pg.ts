// The settings people keep for notifications: a resident's contact list, a user's preferences and
// push devices, a centre's group chats and duty roster; and an alert's delivery timeline.
import type { Db, Queryable } from '../infra/index.ts'
import type { Contact, Preferences, RosterEntry } from './audience.ts'

export type NewContact = Omit<Contact, 'id' | 'position'>

/** Replaces a resident's contact list, in the order given (the first is called on first). */
export async function replaceContacts(db: Db, residentId: number, contacts: readonly NewContact[]): Promise<Contact[]> {
  await db.tx(async (tx) => {
    await tx.query('DELETE FROM resident_contacts WHERE resident_id = $1', [residentId])
    for (const [i, c] of contacts.entries()) {
      await tx.query(
        `INSERT INTO resident_contacts (resident_id, position, name, relation, phone, user_id, channels)
        VALUES ($1, $2, $3, $4, $5, $6, $7)`,
        [residentId, i + 1, c.name, c.relation, c.phone, c.userId, c.channels],
      )
    }
  })
  return listContacts(db, residentId)
}

export async function listContacts(db: Queryable, residentId: number): Promise<Contact[]> {
  const r = await db.query<{
    id: number
    position: number
    name: string
    relation: string
    phone: string | null
    user_id: number | null
    channels: Contact['channels']
  }>(
    'SELECT id, position, name, relation, phone, user_id, channels FROM resident_contacts WHERE resident_id = $1 ORDER BY position',
    [residentId],
  )
  return r.rows.map((x) => ({
    id: x.id,
    position: x.position,
    name: x.name,
    relation: x.relation,
    phone: x.phone,
    userId: x.user_id,
    channels: x.channels,
  }))
}

const DEFAULT_PREFERENCES: Preferences = { kinds: null, quietStart: null, quietEnd: null, language: 'zh' }

export async function getPreferences(db: Queryable, userId: number): Promise<Preferences> {
  const r = await db.query<{
    kinds: string[] | null
    quiet_start: number | null
    quiet_end: number | null
    language: 'zh' | 'en'
  }>('SELECT kinds, quiet_start, quiet_end, language FROM notify_preferences WHERE user_id = $1', [userId])
  const x = r.rows[0]
  return x
    ? { kinds: x.kinds, quietStart: x.quiet_start, quietEnd: x.quiet_end, language: x.language }
    : DEFAULT_PREFERENCES
}

export async function setPreferences(db: Queryable, userId: number, p: Preferences): Promise<void> {
  await db.query(
    `INSERT INTO notify_preferences (user_id, kinds, quiet_start, quiet_end, language) VALUES ($1, $2, $3, $4, $5)
    ON CONFLICT (user_id) DO UPDATE SET kinds = $2, quiet_start = $3, quiet_end = $4, language = $5`,
    [userId, p.kinds, p.quietStart, p.quietEnd, p.language],
  )
}

/** Push devices an account keeps (a phone, a tablet, a computer or two, with room to spare). */
const MAX_DEVICES = 10

export async function addSubscription(
  db: Db,
  userId: number,
  s: { endpoint: string; p256dh: string; auth: string },
): Promise<void> {
  // An endpoint belongs to one browser profile: whoever signs in there last receives its pushes. An
  // account keeps its newest MAX_DEVICES: each is a send per alert, and an account that registered
  // hundreds (of endpoints that never answer) would hold the notifier's slots. One account's devices
  // change one registration at a time (its user row locked), or registrations sent together each
  // trim what they see and keep more than the limit between them.
  await db.tx(async (c) => {
    await c.query('SELECT 1 FROM users WHERE id = $1 FOR NO KEY UPDATE', [userId])
    await c.query(
      `INSERT INTO push_subscriptions (user_id, endpoint, p256dh, auth) VALUES ($1, $2, $3, $4)
       ON CONFLICT (endpoint) DO UPDATE SET user_id = $1, p256dh = $3, auth = $4, created_at = now()`,
      [userId, s.endpoint, s.p256dh, s.auth],
    )
    await c.query(
      `DELETE FROM push_subscriptions WHERE id IN (
         SELECT id FROM push_subscriptions WHERE user_id = $1 ORDER BY created_at DESC, id DESC OFFSET $2)`,
      [userId, MAX_DEVICES],
    )
  })
}

export async function removeSubscription(db: Queryable, userId: number, endpoint: string): Promise<boolean> {
  return (
    ((await db.query('DELETE FROM push_subscriptions WHERE user_id = $1 AND endpoint = $2', [userId, endpoint]))
      .rowCount ?? 0) > 0
  )
}

export interface CentreChannelSetting {
  kind: 'wecom' | 'dingtalk' | 'webhook'
  name: string
  url: string
  secret: string
}

export async function replaceCentreChannels(
  db: Db,
  centreId: number,
  channels: readonly CentreChannelSetting[],
): Promise<void> {
  await db.tx(async (tx) => {
    await tx.query('DELETE FROM centre_channels WHERE care_centre_id = $1', [centreId])
    for (const c of channels) {
      await tx.query(
        'INSERT INTO centre_channels (care_centre_id, kind, name, url, secret) VALUES ($1, $2, $3, $4, $5)',
        [centreId, c.kind, c.name, c.url, c.secret],
      )
    }
  })
}

/** A centre's chats as people see them: the robot's key and secret are never shown again. */
export async function listCentreChannels(db: Queryable, centreId: number) {
  const r = await db.query<{
    id: number
    kind: CentreChannelSetting['kind']
    name: string
    url: string
    secret: string
  }>('SELECT id, kind, name, url, secret FROM centre_channels WHERE care_centre_id = $1 ORDER BY id', [centreId])
  return r.rows.map((x) => ({
    id: x.id,
    kind: x.kind,
    name: x.name,
    host: new URL(x.url).host,
    secretSet: x.secret !== '',
  }))
}

export type NewRosterEntry = Omit<RosterEntry, 'id'>

export async function replaceRoster(db: Db, centreId: number, roster: readonly NewRosterEntry[]): Promise<void> {
  await db.tx(async (tx) => {
    await tx.query('DELETE FROM centre_roster WHERE care_centre_id = $1', [centreId])
    for (const e of roster) {
      await tx.query(
        `INSERT INTO centre_roster (care_centre_id, name, phone, user_id, weekdays, start_minute, end_minute)
        VALUES ($1, $2, $3, $4, $5, $6, $7)`,
        [centreId, e.name, e.phone, e.userId, e.weekdays, e.startMinute, e.endMinute],
      )
    }
  })
}

export async function listRoster(db: Queryable, centreId: number): Promise<RosterEntry[]> {
  const r = await db.query<{
    id: number
    name: string
    phone: string
    user_id: number | null
    weekdays: number[]
    start_minute: number
    end_minute: number
  }>(
    'SELECT id, name, phone, user_id, weekdays, start_minute, end_minute FROM centre_roster WHERE care_centre_id = $1 ORDER BY id',
    [centreId],
  )
  return r.rows.map((x) => ({
    id: x.id,
    name: x.name,
    phone: x.phone,
    userId: x.user_id,
    weekdays: x.weekdays,
    startMinute: x.start_minute,
    endMinute: x.end_minute,
  }))
}

/** An alert's messages and every attempt: "SMS to 王丽 14:02:04, accepted by provider". No addresses. */
export async function deliveryTimeline(db: Queryable, alertId: number) {
  const r = await db.query<{
    id: number
    recipient_name: string
    channel: string
    template: string
    status: string
    attempts: number
    created_at: Date
    sent_at: Date | null
    last_error: string | null
    tries: { at: string; ok: boolean; detail: string }[]
  }>(
    `SELECT d.id, d.recipient_name, d.channel, d.template, d.status, d.attempts, d.created_at, d.sent_at, d.last_error,
            COALESCE((SELECT json_agg(json_build_object('at', a.at, 'ok', a.ok, 'detail', a.detail) ORDER BY a.at)
                      FROM delivery_attempts a WHERE a.delivery_id = d.id), '[]') AS tries
     FROM deliveries d WHERE d.alert_id = $1 ORDER BY d.id`,
    [alertId],
  )
  return r.rows.map((x) => ({
    id: x.id,
    recipient: x.recipient_name,
    channel: x.channel,
    message: x.template,
    status: x.status,
    attempts: x.attempts,
    createdAt: x.created_at.getTime(),
    sentAt: x.sent_at?.getTime() ?? null,
    lastError: x.last_error,
    tries: x.tries.map((t) => ({ at: new Date(t.at).getTime(), ok: t.ok, detail: t.detail })),
  }))
}

/** Whether these users may see the resident (a contact who signs in must be one of their people). */
export async function usersMaySee(db: Queryable, userIds: readonly number[], residentId: number): Promise<boolean> {
  if (userIds.length === 0) return true
  const r = await db.query<{ n: number }>(
    `SELECT count(*)::int AS n FROM users u, residents r
     WHERE u.id = ANY($1) AND r.id = $2
       AND (u.role = 'admin' OR (u.role = 'staff' AND u.care_centre_id = r.care_centre_id)
            OR EXISTS (SELECT 1 FROM user_residents l WHERE l.user_id = u.id AND l.resident_id = r.id))`,
    [[...new Set(userIds)], residentId],
  )
  return r.rows[0]!.n === new Set(userIds).size
}

/** Whether these users are staff of the centre (or admins). */
export async function usersOfCentre(db: Queryable, userIds: readonly number[], centreId: number): Promise<boolean> {
  if (userIds.length === 0) return true
  const r = await db.query<{ n: number }>(
    `SELECT count(*)::int AS n FROM users WHERE id = ANY($1) AND (role = 'admin' OR (role = 'staff' AND care_centre_id = $2))`,
    [[...new Set(userIds)], centreId],
  )
  return r.rows[0]!.n === new Set(userIds).size
}
