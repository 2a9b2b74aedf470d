// Found-me tokens in the database: the live one of a band (issued on first use), rotated or revoked
// on demand; a band changing hands revokes its live token (a trigger, migration 021).
import type { Queryable } from '../infra/index.ts'
import type { TokenFacts } from './found-page.ts'
import { newFoundToken } from './found-token.ts'

/** The band's live token, issued now if it has none; undefined if there is no such band. */
export async function liveToken(db: Queryable, bandId: string): Promise<string | undefined> {
  const found = await db.query<{ token: string }>(
    'SELECT token FROM found_tokens WHERE band_id = $1 AND revoked_at IS NULL',
    [bandId],
  )
  if (found.rows[0]) return found.rows[0].token
  return issue(db, bandId)
}

/** Revokes the band's live token and issues a new one (an old card is lost, or was misused). */
export async function rotateToken(db: Queryable, bandId: string): Promise<string | undefined> {
  await revokeToken(db, bandId)
  return issue(db, bandId)
}

/** Revokes the band's live token; whether there was one. */
export async function revokeToken(db: Queryable, bandId: string): Promise<boolean> {
  const r = await db.query('UPDATE found_tokens SET revoked_at = now() WHERE band_id = $1 AND revoked_at IS NULL', [
    bandId,
  ])
  return (r.rowCount ?? 0) > 0
}

/** Issues a token for the band's current wearer (and their centre); concurrent callers share one. */
async function issue(db: Queryable, bandId: string): Promise<string | undefined> {
  const r = await db.query<{ token: string }>(
    `WITH b AS (
       SELECT b.id, b.resident_id, r.care_centre_id FROM bands b LEFT JOIN residents r ON r.id = b.resident_id
       WHERE b.id = $1),
     ins AS (
       INSERT INTO found_tokens (token, band_id, resident_id, care_centre_id)
       SELECT $2, id, resident_id, care_centre_id FROM b
       ON CONFLICT (band_id) WHERE revoked_at IS NULL DO NOTHING RETURNING token)
     SELECT token FROM ins
     UNION ALL SELECT token FROM found_tokens WHERE band_id = $1 AND revoked_at IS NULL`,
    [bandId, newFoundToken()],
  )
  return r.rows[0]?.token
}

/** Everything the public page and a report need to know about a token (unknown: all null). */
export async function tokenFacts(db: Queryable, token: string): Promise<TokenFacts> {
  const r = await db.query<{
    band_id: string
    resident_id: number | null
    care_centre_id: number | null
    revoked: boolean
    worn: boolean
    duty_phone: string | null
    found_display_name: string | null
  }>(
    `SELECT t.band_id, t.resident_id, t.care_centre_id, t.revoked_at IS NOT NULL AS revoked,
            b.resident_id IS NOT NULL AND b.resident_id = t.resident_id AS worn,
            c.duty_phone, r.found_display_name
     FROM found_tokens t JOIN bands b ON b.id = t.band_id
     LEFT JOIN care_centres c ON c.id = t.care_centre_id
     LEFT JOIN residents r ON r.id = t.resident_id
     WHERE t.token = $1`,
    [token],
  )
  const row = r.rows[0]
  if (!row)
    return { status: 'unknown', bandId: null, residentId: null, careCentreId: null, dutyPhone: null, displayName: null }
  const status = row.revoked ? 'revoked' : row.worn ? 'worn' : 'unassigned'
  return {
    status,
    bandId: row.band_id,
    residentId: status === 'worn' ? Number(row.resident_id) : null,
    careCentreId: row.care_centre_id === null ? null : Number(row.care_centre_id),
    dutyPhone: row.duty_phone,
    displayName: status === 'worn' ? row.found_display_name : null,
  }
}
