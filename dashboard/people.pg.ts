// Care centres, residents, users, family links and sessions in the database.
import { createHash, randomBytes } from 'node:crypto'
import type { Queryable } from '../infra/index.ts'
import { DUMMY_HASH, hashPassword, verifyPassword } from './password.ts'
import { canSee, type Role, type Viewer } from './scope.ts'

export async function insertCareCentre(db: Queryable, name: string): Promise<number> {
  const r = await db.query<{ id: number }>('INSERT INTO care_centres (name) VALUES ($1) RETURNING id', [name])
  return r.rows[0]!.id
}

export async function insertResident(db: Queryable, displayName: string, careCentreId: number | null): Promise<number> {
  const r = await db.query<{ id: number }>(
    'INSERT INTO residents (display_name, care_centre_id) VALUES ($1, $2) RETURNING id', [displayName, careCentreId])
  return r.rows[0]!.id
}

export interface NewUser {
  username: string
  password: string
  role: Role
  careCentreId?: number | null
  residentIds?: readonly number[]
}

export async function insertUser(db: Queryable, u: NewUser): Promise<number> {
  const hash = await hashPassword(u.password)
  const r = await db.query<{ id: number }>(
    'INSERT INTO users (username, password_hash, role, care_centre_id) VALUES ($1, $2, $3, $4) RETURNING id',
    [u.username, hash, u.role, u.careCentreId ?? null])
  const id = r.rows[0]!.id
  for (const residentId of u.residentIds ?? []) {
    await db.query('INSERT INTO user_residents (user_id, resident_id) VALUES ($1, $2)', [id, residentId])
  }
  return id
}

/** The account signing in, if there is one. */
export async function findAccount(db: Queryable, username: string): Promise<{ id: number; passwordHash: string } | undefined> {
  const r = await db.query<{ id: number; password_hash: string }>(
    'SELECT id, password_hash FROM users WHERE username = $1', [username])
  const row = r.rows[0]
  return row && { id: Number(row.id), passwordHash: row.password_hash }
}

/** Whether the password is the account's; the same work is done when there is no account. */
export const passwordMatches = (account: { passwordHash: string } | undefined, password: string) =>
  verifyPassword(password, account?.passwordHash ?? DUMMY_HASH).then((ok) => ok && account !== undefined)

const tokenHash = (token: string) => createHash('sha256').update(token).digest()

export async function createSession(db: Queryable, userId: number, ttlMs: number): Promise<string> {
  const token = randomBytes(32).toString('base64url')
  await db.query('INSERT INTO sessions (token_hash, user_id, expires_at) VALUES ($1, $2, now() + $3 * interval \'1 millisecond\')',
    [tokenHash(token), userId, ttlMs])
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
  key: string; expires_at: Date; id: number; username: string; role: Role
  care_centre_id: number | null; resident_ids: number[] | null
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
  const r = await db.query<SessionRow>(`${SESSIONS} WHERE s.token_hash = $1 AND s.expires_at > now()`,
    [tokenHash(token)])
  return r.rows[0] && toViewer(r.rows[0])
}

/** The sessions with these keys as they are now (expired ones too, with their expiry); one not returned has ended. */
export async function viewersForSessions(db: Queryable, keys: readonly string[]): Promise<Map<string, SessionViewer>> {
  const r = await db.query<SessionRow>(
    `${SESSIONS} WHERE s.token_hash = ANY(SELECT decode(k, 'hex') FROM unnest($1::text[]) k)`, [keys])
  return new Map(r.rows.map((row) => [row.key, toViewer(row)]))
}

/** The residents a viewer may see, for filtering queries; undefined: all (admin). */
export async function visibleResidentIds(db: Queryable, v: Viewer): Promise<number[] | undefined> {
  if (v.role === 'admin') return undefined
  if (v.role === 'family') return [...v.residentIds]
  const r = await db.query<{ id: number }>('SELECT id FROM residents WHERE care_centre_id = $1', [v.careCentreId])
  return r.rows.map((x) => x.id)
}

/** The care centres whose shared zones the viewer sees (undefined: all, for admins). */
export async function visibleCentreIds(db: Queryable, v: Viewer): Promise<number[] | undefined> {
  if (v.role === 'admin') return undefined
  if (v.role === 'staff') return v.careCentreId === null ? [] : [v.careCentreId]
  const r = await db.query<{ care_centre_id: number }>('SELECT DISTINCT care_centre_id FROM residents WHERE id = ANY($1) AND care_centre_id IS NOT NULL', [[...v.residentIds]])
  return r.rows.map((x) => Number(x.care_centre_id))
}

/** The resident's scope facts (for canSee); undefined if there is no such resident. */
export async function residentRef(db: Queryable, residentId: number): Promise<{ residentId: number; careCentreId: number | null } | undefined> {
  const r = await db.query<{ care_centre_id: number | null }>('SELECT care_centre_id FROM residents WHERE id = $1', [residentId])
  const row = r.rows[0]
  return row && { residentId, careCentreId: row.care_centre_id === null ? null : Number(row.care_centre_id) }
}

/** Whether the resident exists and the viewer may see them (routes answer 404 otherwise). */
export async function canSeeResident(db: Queryable, v: Viewer, residentId: number): Promise<boolean> {
  const ref = await residentRef(db, residentId)
  return ref !== undefined && canSee(v, ref)
}
