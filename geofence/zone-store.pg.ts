// Zones in the database.
import type { Queryable } from '../infra/index.ts'
import type { Schedule } from './schedule.ts'
import type { ZoneKind, ZonePolicy, ZoneShape } from './zone.ts'

export interface NewZone {
  residentId: number | null
  careCentreId?: number | null
  name: string
  kind: ZoneKind
  shape: ZoneShape
  schedule?: Schedule | null
  policy?: ZonePolicy | null
}

export async function insertZone(db: Queryable, z: NewZone): Promise<number> {
  const r = await db.query<{ id: number }>(
    'INSERT INTO zones (resident_id, care_centre_id, name, kind, shape, schedule, policy) VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id',
    [z.residentId, z.careCentreId ?? null, z.name, z.kind, JSON.stringify(z.shape), z.schedule ? JSON.stringify(z.schedule) : null,
      z.policy ? JSON.stringify(z.policy) : null])
  return r.rows[0]!.id
}
