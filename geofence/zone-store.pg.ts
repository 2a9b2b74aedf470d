// Zones in the database.
import type { Queryable } from '../infra/index.ts'
import type { Schedule } from './schedule.ts'
import type { ZoneKind, ZonePolicy, ZoneShape } from './zone.ts'
import type { ZoneViewSchema } from './zone-schema.ts'
import type { Static } from 'typebox'

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
    [
      z.residentId,
      z.careCentreId ?? null,
      z.name,
      z.kind,
      JSON.stringify(z.shape),
      z.schedule ? JSON.stringify(z.schedule) : null,
      z.policy ? JSON.stringify(z.policy) : null,
    ],
  )
  return r.rows[0]!.id
}

/** A zone as the API answers it (ZoneViewSchema). */
export type ZoneView = Static<typeof ZoneViewSchema>

/**
 * The zones a viewer may see: those of these residents (all, when undefined), the shared zones of
 * these care centres, and the city-wide ones.
 */
export async function listZones(
  db: Queryable,
  residentIds: readonly number[] | undefined,
  centreIds: readonly number[],
): Promise<ZoneView[]> {
  const r = await db.query<{
    id: number
    resident_id: number | null
    care_centre_id: number | null
    name: string
    kind: ZoneKind
    shape: ZoneShape
    schedule: Schedule | null
  }>(
    `SELECT id, resident_id, care_centre_id, name, kind, shape, schedule FROM zones
     WHERE ($1::bigint[] IS NULL AND resident_id IS NOT NULL) OR resident_id = ANY($1)
        OR (resident_id IS NULL AND (care_centre_id IS NULL OR $1::bigint[] IS NULL OR care_centre_id = ANY($2)))
     ORDER BY id`,
    [residentIds ?? null, centreIds],
  )
  return r.rows.map((z) => ({
    id: Number(z.id),
    residentId: z.resident_id === null ? null : Number(z.resident_id),
    careCentreId: z.care_centre_id === null ? null : Number(z.care_centre_id),
    name: z.name,
    kind: z.kind,
    shape: z.shape,
    schedule: z.schedule,
  }))
}

export async function findZone(db: Queryable, id: number): Promise<ZoneView | undefined> {
  const r = await db.query<{
    id: number
    resident_id: number | null
    care_centre_id: number | null
    name: string
    kind: ZoneKind
    shape: ZoneShape
    schedule: Schedule | null
  }>('SELECT id, resident_id, care_centre_id, name, kind, shape, schedule FROM zones WHERE id = $1', [id])
  const z = r.rows[0]
  return (
    z && {
      id: Number(z.id),
      residentId: z.resident_id === null ? null : Number(z.resident_id),
      careCentreId: z.care_centre_id === null ? null : Number(z.care_centre_id),
      name: z.name,
      kind: z.kind,
      shape: z.shape,
      schedule: z.schedule,
    }
  )
}

export async function updateZone(
  db: Queryable,
  id: number,
  z: { name: string; kind: ZoneKind; shape: ZoneShape; schedule: Schedule | null },
): Promise<void> {
  await db.query('UPDATE zones SET name = $2, kind = $3, shape = $4, schedule = $5, updated_at = now() WHERE id = $1', [
    id,
    z.name,
    z.kind,
    JSON.stringify(z.shape),
    z.schedule ? JSON.stringify(z.schedule) : null,
  ])
}

export async function deleteZone(db: Queryable, id: number): Promise<void> {
  await db.query('DELETE FROM zones WHERE id = $1', [id])
}
