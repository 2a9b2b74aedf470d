// What the family app's home cards need beyond the live socket: each visible resident's band,
// care centre (with its duty number to call) and the other people on their contact list who have a
// phone — never the signed-in person themselves. Scope is the caller's (visibleResidentIds).
import type { Queryable } from '../infra/index.ts'

export interface FamilyContact {
  name: string
  relation: string
  phone: string
}

export interface FamilyResident {
  id: number
  name: string
  bandId: string | null
  centre: { id: number; name: string; dutyPhone: string | null } | null
  contacts: FamilyContact[]
}

/** A centre's duty number: a mobile (13800138000), international (+8613800138000) or a landline (0533-1234567). */
export const DUTY_PHONE_PATTERN = '^\\+?[0-9][0-9-]{4,19}$'

/** At most this many cards: the app is for a family's few relatives (an admin sees the first ones). */
export const FAMILY_CARDS_MAX = 50

export async function familyResidents(
  db: Queryable,
  residentIds: readonly number[] | undefined,
  viewerId: number,
): Promise<FamilyResident[]> {
  const r = await db.query<{
    id: string
    name: string
    band_id: string | null
    centre_id: string | null
    centre_name: string | null
    duty_phone: string | null
    contacts: FamilyContact[]
  }>(
    `SELECT r.id, r.display_name AS name, b.id AS band_id, c.id AS centre_id, c.name AS centre_name, c.duty_phone,
       COALESCE((SELECT json_agg(json_build_object('name', k.name, 'relation', k.relation, 'phone', k.phone)
                                 ORDER BY k.position)
                 FROM resident_contacts k
                 WHERE k.resident_id = r.id AND k.phone IS NOT NULL AND k.user_id IS DISTINCT FROM $2), '[]') AS contacts
     FROM residents r
     LEFT JOIN bands b ON b.resident_id = r.id
     LEFT JOIN care_centres c ON c.id = r.care_centre_id
     WHERE $1::bigint[] IS NULL OR r.id = ANY($1)
     ORDER BY r.id LIMIT ${FAMILY_CARDS_MAX}`,
    [residentIds ?? null, viewerId],
  )
  return r.rows.map((x) => ({
    id: Number(x.id),
    name: x.name,
    bandId: x.band_id,
    centre:
      x.centre_id === null ? null : { id: Number(x.centre_id), name: x.centre_name ?? '', dutyPhone: x.duty_phone },
    contacts: x.contacts,
  }))
}

/** Sets (or clears, with null) a centre's duty number; false when there is no such centre. */
export async function setDutyPhone(db: Queryable, centreId: number, phone: string | null): Promise<boolean> {
  const r = await db.query('UPDATE care_centres SET duty_phone = $2 WHERE id = $1', [centreId, phone])
  return (r.rowCount ?? 0) > 0
}
