// Residents and users as the API lists and changes them (people.pg.ts has sign-in and scope).
import type { Queryable } from '../infra/index.ts'
import type { Role } from './scope.ts'

export interface ResidentView {
  id: number
  name: string
  careCentreId: number | null
  bandId: string | null
}

export async function listResidents(
  db: Queryable,
  residentIds: readonly number[] | undefined,
): Promise<ResidentView[]> {
  const r = await db.query<{ id: number; display_name: string; care_centre_id: number | null; band_id: string | null }>(
    `SELECT r.id, r.display_name, r.care_centre_id, b.id AS band_id FROM residents r LEFT JOIN bands b ON b.resident_id = r.id
     WHERE $1::bigint[] IS NULL OR r.id = ANY($1) ORDER BY r.id`,
    [residentIds ?? null],
  )
  return r.rows.map((x) => ({
    id: Number(x.id),
    name: x.display_name,
    careCentreId: x.care_centre_id === null ? null : Number(x.care_centre_id),
    bandId: x.band_id,
  }))
}

export interface UserView {
  id: number
  username: string
  role: Role
  careCentreId: number | null
  residentIds: number[]
}

export async function listUsers(db: Queryable): Promise<UserView[]> {
  const r = await db.query<{
    id: number
    username: string
    role: Role
    care_centre_id: number | null
    resident_ids: number[] | null
  }>(
    `SELECT u.id, u.username, u.role, u.care_centre_id, array_remove(array_agg(l.resident_id ORDER BY l.resident_id), NULL) AS resident_ids
     FROM users u LEFT JOIN user_residents l ON l.user_id = u.id GROUP BY u.id ORDER BY u.id`,
  )
  return r.rows.map((x) => ({
    id: Number(x.id),
    username: x.username,
    role: x.role,
    careCentreId: x.care_centre_id === null ? null : Number(x.care_centre_id),
    residentIds: (x.resident_ids ?? []).map(Number),
  }))
}

/** Deletes the user (their sessions and links go with them). False: no such user. */
export async function deleteUser(db: Queryable, userId: number): Promise<boolean> {
  return ((await db.query('DELETE FROM users WHERE id = $1', [userId])).rowCount ?? 0) > 0
}

/** Links a family member to a resident. False: no such family user or resident. */
export async function linkResident(db: Queryable, userId: number, residentId: number): Promise<boolean> {
  const r = await db.query(
    `INSERT INTO user_residents (user_id, resident_id) SELECT u.id, r.id FROM users u, residents r
     WHERE u.id = $1 AND u.role = 'family' AND r.id = $2 ON CONFLICT DO NOTHING RETURNING 1`,
    [userId, residentId],
  )
  return (
    (r.rowCount ?? 0) > 0 ||
    ((await db.query('SELECT 1 FROM user_residents WHERE user_id = $1 AND resident_id = $2', [userId, residentId]))
      .rowCount ?? 0) > 0
  )
}

export async function unlinkResident(db: Queryable, userId: number, residentId: number): Promise<boolean> {
  return (
    ((await db.query('DELETE FROM user_residents WHERE user_id = $1 AND resident_id = $2', [userId, residentId]))
      .rowCount ?? 0) > 0
  )
}
