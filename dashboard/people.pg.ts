// Care centres, residents, users and family links in the database.
import type { Queryable } from '../infra/index.ts'
import { hashPassword } from './password.ts'
import type { Role } from './scope.ts'

export async function insertCareCentre(db: Queryable, name: string): Promise<number> {
  const r = await db.query<{ id: number }>('INSERT INTO care_centres (name) VALUES ($1) RETURNING id', [name])
  return r.rows[0]!.id
}

export async function insertResident(db: Queryable, displayName: string, careCentreId: number | null): Promise<number> {
  const r = await db.query<{ id: number }>(
    'INSERT INTO residents (display_name, care_centre_id) VALUES ($1, $2) RETURNING id',
    [displayName, careCentreId],
  )
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
    [u.username, hash, u.role, u.careCentreId ?? null],
  )
  const id = r.rows[0]!.id
  for (const residentId of u.residentIds ?? []) {
    await db.query('INSERT INTO user_residents (user_id, resident_id) VALUES ($1, $2)', [id, residentId])
  }
  return id
}
