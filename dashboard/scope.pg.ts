// What a viewer may see, asked of the database (the rules themselves are in scope.ts).
import type { Queryable } from '../infra/index.ts'
import { bandOwner } from '../ingest/index.ts'
import { canSee, type Viewer } from './scope.ts'

/** The residents a viewer may see, for filtering queries; undefined: all (admin). */
export async function visibleResidentIds(db: Queryable, v: Viewer): Promise<number[] | undefined> {
  if (v.role === 'admin') return undefined
  if (v.role === 'family') return [...v.residentIds]
  if (v.role === 'responder') return []
  const r = await db.query<{ id: number }>('SELECT id FROM residents WHERE care_centre_id = $1', [v.careCentreId])
  return r.rows.map((x) => x.id)
}

/** The care centres whose shared zones the viewer sees (undefined: all, for admins). */
export async function visibleCentreIds(db: Queryable, v: Viewer): Promise<number[] | undefined> {
  if (v.role === 'admin') return undefined
  if (v.role === 'staff') return v.careCentreId === null ? [] : [v.careCentreId]
  if (v.role === 'responder') return []
  const r = await db.query<{ care_centre_id: number }>(
    'SELECT DISTINCT care_centre_id FROM residents WHERE id = ANY($1) AND care_centre_id IS NOT NULL',
    [[...v.residentIds]],
  )
  return r.rows.map((x) => Number(x.care_centre_id))
}

/** The resident's scope facts (for canSee); undefined if there is no such resident. */
export async function residentRef(
  db: Queryable,
  residentId: number,
): Promise<{ residentId: number; careCentreId: number | null } | undefined> {
  const r = await db.query<{ care_centre_id: number | null }>('SELECT care_centre_id FROM residents WHERE id = $1', [
    residentId,
  ])
  const row = r.rows[0]
  return row && { residentId, careCentreId: row.care_centre_id === null ? null : Number(row.care_centre_id) }
}

/** Whether the resident exists and the viewer may see them (routes answer 404 otherwise). */
export async function canSeeResident(db: Queryable, v: Viewer, residentId: number): Promise<boolean> {
  const ref = await residentRef(db, residentId)
  return ref !== undefined && canSee(v, ref)
}

/** Whether the band exists and the viewer may see its wearer (an unassigned band: admins only). */
export async function canSeeBand(db: Queryable, v: Viewer, bandId: string): Promise<boolean> {
  const owner = await bandOwner(db, bandId)
  if (owner === undefined) return false
  return owner === null ? v.role === 'admin' : canSee(v, owner)
}
