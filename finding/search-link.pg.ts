// Search links in the database: made, listed, revoked, found by token, and every open recorded —
// in search_link_opens and on the alert's timeline (alert_events). Scope is checked by the caller.
import type { Queryable } from '../infra/index.ts'
import { LINK_TOKEN, linkTokenHash, newLinkToken, type LinkFacts } from './search-link.ts'

export interface SearchLink {
  id: number
  alertId: number
  note: string
  createdAt: number
  expiresAt: number
  revokedAt: number | null
  opens: number
}

/** What a token leads to: the link and the one alert (and resident) it is about. */
export interface LinkTarget extends LinkFacts {
  id: number
  alertId: number
  residentId: number
  bandId: string
  alertOpenedAt: number
  /** The alert's fix time and evidence, where the helpers' trail starts (trailStart). */
  alertFixTime: number
  alertEvidence: unknown
  note: string
}

const ms = (d: Date | null) => (d === null ? null : d.getTime())

/** A new link; the token is returned once and only its hash is kept. */
export async function createLink(
  db: Queryable,
  l: { alertId: number; userId: number; minutes: number; note: string },
): Promise<{ token: string; link: SearchLink }> {
  const token = newLinkToken()
  const r = await db.query<{ id: number; created_at: Date; expires_at: Date }>(
    `INSERT INTO search_links (token_hash, alert_id, note, created_by, expires_at)
     VALUES ($1, $2, $3, $4, now() + $5 * interval '1 minute') RETURNING id, created_at, expires_at`,
    [linkTokenHash(token), l.alertId, l.note, l.userId, l.minutes],
  )
  const row = r.rows[0]!
  const link = {
    id: Number(row.id),
    alertId: l.alertId,
    note: l.note,
    createdAt: row.created_at.getTime(),
    expiresAt: row.expires_at.getTime(),
    revokedAt: null,
    opens: 0,
  }
  return { token, link }
}

export async function listLinks(db: Queryable, alertId: number): Promise<SearchLink[]> {
  const r = await db.query<{
    id: number
    note: string
    created_at: Date
    expires_at: Date
    revoked_at: Date | null
    opens: number
  }>(
    `SELECT l.id, l.note, l.created_at, l.expires_at, l.revoked_at,
       (SELECT count(*)::int FROM search_link_opens o WHERE o.link_id = l.id) AS opens
     FROM search_links l WHERE l.alert_id = $1 ORDER BY l.id`,
    [alertId],
  )
  return r.rows.map((x) => ({
    id: Number(x.id),
    alertId,
    note: x.note,
    createdAt: x.created_at.getTime(),
    expiresAt: x.expires_at.getTime(),
    revokedAt: ms(x.revoked_at),
    opens: x.opens,
  }))
}

/** The alert a link belongs to (to check the caller may see it); undefined if there is no such link. */
export async function linkAlertId(db: Queryable, linkId: number): Promise<number | undefined> {
  const r = await db.query<{ alert_id: number }>('SELECT alert_id FROM search_links WHERE id = $1', [linkId])
  return r.rows[0] && Number(r.rows[0].alert_id)
}

/** Revokes a link; false if it was revoked already. */
export async function revokeLink(db: Queryable, linkId: number): Promise<boolean> {
  const r = await db.query('UPDATE search_links SET revoked_at = now() WHERE id = $1 AND revoked_at IS NULL', [linkId])
  return (r.rowCount ?? 0) > 0
}

/** The link behind a token, whatever its state; undefined for a token that is not one. */
export async function linkForToken(db: Queryable, token: string): Promise<LinkTarget | undefined> {
  if (!LINK_TOKEN.test(token)) return undefined
  const r = await db.query<{
    id: number
    alert_id: number
    note: string
    expires_at: Date
    revoked_at: Date | null
    status: string
    kind: string
    resident_id: number
    band_id: string
    opened_at: Date
    fix_time: Date
    evidence: unknown
  }>(
    `SELECT l.id, l.alert_id, l.note, l.expires_at, l.revoked_at, a.status, a.kind, a.resident_id, a.band_id, a.opened_at,
       a.fix_time, a.evidence
     FROM search_links l JOIN alerts a ON a.id = l.alert_id WHERE l.token_hash = $1`,
    [linkTokenHash(token)],
  )
  const x = r.rows[0]
  return (
    x && {
      id: Number(x.id),
      alertId: Number(x.alert_id),
      residentId: Number(x.resident_id),
      bandId: x.band_id,
      alertOpenedAt: x.opened_at.getTime(),
      alertFixTime: x.fix_time.getTime(),
      alertEvidence: x.evidence,
      note: x.note,
      expiresAt: x.expires_at.getTime(),
      revokedAt: ms(x.revoked_at),
      alertStatus: x.status,
      alertKind: x.kind,
    }
  )
}

/** Records an open of the link, in its own table and on the alert's timeline. */
export async function recordOpen(db: Queryable, link: { id: number; alertId: number }): Promise<void> {
  await db.query(
    `WITH o AS (INSERT INTO search_link_opens (link_id) VALUES ($1) RETURNING at)
     INSERT INTO alert_events (alert_id, at, kind, username, role, note)
     SELECT $2, o.at, 'search_link_opened', '', 'public', $3 FROM o`,
    [link.id, link.alertId, `#${link.id}`],
  )
}
