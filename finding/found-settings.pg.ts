// What the found-me page and sheet read besides tokens: a centre's name, duty phone and worn bands,
// and the name an admin chose to show for a resident.
import type { Queryable } from '../infra/index.ts'

/** Sets (or clears) what the found-me page may call the resident; whether the resident exists. */
export async function setFoundDisplayName(db: Queryable, residentId: number, name: string | null): Promise<boolean> {
  const r = await db.query('UPDATE residents SET found_display_name = $2 WHERE id = $1', [residentId, name])
  return (r.rowCount ?? 0) > 0
}

/** The centre's name and the bands its residents wear (by band id); undefined if there is no such centre. */
export async function centreBands(
  db: Queryable,
  centreId: number,
): Promise<{ name: string; bandIds: string[] } | undefined> {
  const centre = await db.query<{ name: string }>('SELECT name FROM care_centres WHERE id = $1', [centreId])
  if (!centre.rows[0]) return undefined
  const bands = await db.query<{ id: string }>(
    'SELECT b.id FROM bands b JOIN residents r ON r.id = b.resident_id WHERE r.care_centre_id = $1 ORDER BY b.id',
    [centreId],
  )
  return { name: centre.rows[0].name, bandIds: bands.rows.map((b) => b.id) }
}
