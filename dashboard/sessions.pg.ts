// Signing in and sessions in the database: accounts by username, session tokens (stored hashed),
// and the viewer a session stands for.
import { createHash, randomBytes } from 'node:crypto'
import type { Queryable } from '../infra/index.ts'
import { DUMMY_HASH, verifyPassword } from './password.ts'
import type { Role, Viewer } from './scope.ts'

/** The account signing in, if there is one. */
export async function findAccount(
  db: Queryable,
  username: string,
): Promise<{ id: number; passwordHash: string } | undefined> {
  const r = await db.query<{ id: number; password_hash: string }>(
    'SELECT id, password_hash FROM users WHERE username = $1',
    [username],
  )
  const row = r.rows[0]
  return row && { id: Number(row.id), passwordHash: row.password_hash }
}

/** Whether the password is the account's; the same work is done when there is no account. */
export const passwordMatches = (account: { passwordHash: string } | undefined, password: string) =>
  verifyPassword(password, account?.passwordHash ?? DUMMY_HASH).then((ok) => ok && account !== undefined)

const tokenHash = (token: string) => createHash('sha256').update(token).digest()

export async function createSession(db: Queryable, userId: number, ttlMs: number): Promise<string> {
  const token = randomBytes(32).toString('base64url')
  await db.query(
    "INSERT INTO sessions (token_hash, user_id, expires_at) VALUES ($1, $2, now() + $3 * interval '1 millisecond')",
    [tokenHash(token), userId, ttlMs],
  )
  return token
}

export async function deleteSession(db: Queryable, token: string): Promise<void> {
  await db.query('DELETE FROM sessions WHERE token_hash = $1', [tokenHash(token)])
}

/** A signed-in viewer, and the session they came with (its key is the stored hash, never the token). */
export interface SessionViewer extends Viewer {
  username: string
  session: { key: string; expiresAt: number }
}

type SessionRow = {
  key: string
  expires_at: Date
  id: number
  username: string
  role: Role
  care_centre_id: number | null
  resident_ids: number[] | null
}

const SESSIONS = `SELECT encode(s.token_hash, 'hex') AS key, s.expires_at, u.id, u.username, u.role, u.care_centre_id,
         (SELECT array_agg(resident_id) FROM user_residents WHERE user_id = u.id) AS resident_ids
  FROM sessions s JOIN users u ON u.id = s.user_id`

const toViewer = (row: SessionRow): SessionViewer => ({
  userId: Number(row.id),
  username: row.username,
  role: row.role,
  careCentreId: row.care_centre_id === null ? null : Number(row.care_centre_id),
  residentIds: new Set((row.resident_ids ?? []).map(Number)),
  session: { key: row.key, expiresAt: row.expires_at.getTime() },
})

/** The viewer behind a live session token, with the residents they may see. */
export async function viewerForSession(db: Queryable, token: string): Promise<SessionViewer | undefined> {
  const r = await db.query<SessionRow>(`${SESSIONS} WHERE s.token_hash = $1 AND s.expires_at > now()`, [
    tokenHash(token),
  ])
  return r.rows[0] && toViewer(r.rows[0])
}

/** The sessions with these keys as they are now (expired ones too, with their expiry); one not returned has ended. */
export async function viewersForSessions(db: Queryable, keys: readonly string[]): Promise<Map<string, SessionViewer>> {
  const r = await db.query<SessionRow>(
    `${SESSIONS} WHERE s.token_hash = ANY(SELECT decode(k, 'hex') FROM unnest($1::text[]) k)`,
    [keys],
  )
  return new Map(r.rows.map((row) => [row.key, toViewer(row)]))
}
