// Who may see which resident. Every route and socket message passes through here.
/** A responder is a community worker: they see one resident only through a task they accepted
 *  (finding/responder.pg.ts), never through the routes and socket that use canSee. */
export type Role = 'admin' | 'staff' | 'family' | 'responder'

export interface Viewer {
  userId: number
  role: Role
  careCentreId: number | null
  /** For family members: the residents linked to them. */
  residentIds: ReadonlySet<number>
}

export interface ResidentRef {
  residentId: number
  careCentreId: number | null
}

export function canSee(v: Viewer, r: ResidentRef): boolean {
  switch (v.role) {
    case 'admin':
      return true
    case 'staff':
      return v.careCentreId !== null && r.careCentreId === v.careCentreId
    case 'family':
      return v.residentIds.has(r.residentId)
    case 'responder':
      return false
  }
}

/** Whether a viewer keeps a care centre's settings (duty phone, group chats, roster, QR sheet):
 *  its own care staff, and admins for every centre; family members and responders none. */
export const mayRunCentre = (v: Viewer, centreId: number): boolean =>
  v.role === 'admin' || (v.role === 'staff' && v.careCentreId === centreId)

/** Whether two viewers may see the same residents (a socket's scope needs recomputing otherwise). */
export function sameScope(a: Viewer, b: Viewer): boolean {
  return (
    a.role === b.role &&
    a.careCentreId === b.careCentreId &&
    a.residentIds.size === b.residentIds.size &&
    [...a.residentIds].every((id) => b.residentIds.has(id))
  )
}
