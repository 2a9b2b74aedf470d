// Bulk provisioning for programme admins: care centres, residents with their band and zones, and
// users, in one transaction. Repeatable: centres and residents are matched by their external key,
// bands by id, users by username (an existing user keeps their password), a resident's zones by
// name (updated in place, so open alerts keep their zone; zones no longer listed are removed).
import { checkSchedule, checkShape, checkZonePolicy, insertZone } from '../geofence/index.ts'
import type { Db, Queryable } from '../infra/index.ts'
import { upsertBand } from '../ingest/index.ts'
import type { ImportDoc } from './import-doc.ts'
import { hashPassword } from './password.ts'

export type { ImportDoc }

export interface ImportResult {
  centres: Record<string, number>
  residents: Record<string, number>
  users: Record<string, number>
}

export type ImportOutcome = { ok: true; result: ImportResult } | { ok: false; error: string }

/** Checks references and shapes first, so a bad document changes nothing. */
export function checkImport(doc: ImportDoc): string | undefined {
  const centres = new Set(doc.centres.map((c) => c.key))
  const residents = new Set(doc.residents.map((r) => r.key))
  for (const r of doc.residents) {
    if (r.centreKey && !centres.has(r.centreKey)) return `resident ${r.key}: unknown centre ${r.centreKey}`
    if (new Set(r.zones.map((z) => z.name)).size !== r.zones.length)
      return `resident ${r.key}: zone names must be unique`
    for (const z of r.zones) {
      const s = checkShape(z.shape)
      if (!s.ok) return `resident ${r.key}, zone ${z.name}: ${s.error}`
      const when = checkSchedule(z.schedule)
      if (!when.ok) return `resident ${r.key}, zone ${z.name}: ${when.error}`
      const own = checkZonePolicy(z.policy)
      if (!own.ok) return `resident ${r.key}, zone ${z.name}: ${own.error}`
    }
  }
  for (const z of doc.sharedZones ?? []) {
    if (z.centreKey && !centres.has(z.centreKey)) return `shared zone ${z.name}: unknown centre ${z.centreKey}`
    const s = checkShape(z.shape)
    if (!s.ok) return `shared zone ${z.name}: ${s.error}`
  }
  if (new Set((doc.sharedZones ?? []).map((z) => z.name)).size !== (doc.sharedZones ?? []).length)
    return 'shared zone names must be unique'
  for (const u of doc.users) {
    if (u.centreKey && !centres.has(u.centreKey)) return `user ${u.username}: unknown centre ${u.centreKey}`
    if (u.role === 'staff' && !u.centreKey) return `user ${u.username}: staff need a centre`
    for (const k of u.residentKeys ?? []) if (!residents.has(k)) return `user ${u.username}: unknown resident ${k}`
  }
  return undefined
}

export async function importDoc(db: Db, doc: ImportDoc): Promise<ImportOutcome> {
  const problem = checkImport(doc)
  if (problem) return { ok: false, error: problem }
  // Hash new users' passwords before the transaction: scrypt is slow on purpose.
  const known = await db.query<{ username: string }>('SELECT username FROM users WHERE username = ANY($1)', [
    doc.users.map((u) => u.username),
  ])
  const existing = new Set(known.rows.map((r) => r.username))
  const hashes = new Map<string, string>()
  for (const u of doc.users) if (!existing.has(u.username)) hashes.set(u.username, await hashPassword(u.password))

  const result = await db.tx(async (c) => {
    const out: ImportResult = { centres: {}, residents: {}, users: {} }
    for (const centre of doc.centres)
      out.centres[centre.key] = await upsertId(
        c,
        `INSERT INTO care_centres (external_key, name) VALUES ($1, $2)
       ON CONFLICT (external_key) DO UPDATE SET name = EXCLUDED.name RETURNING id`,
        [centre.key, centre.name],
      )
    for (const r of doc.residents) {
      const id = await upsertId(
        c,
        `INSERT INTO residents (external_key, display_name, care_centre_id) VALUES ($1, $2, $3)
         ON CONFLICT (external_key) DO UPDATE SET display_name = EXCLUDED.display_name, care_centre_id = EXCLUDED.care_centre_id
         RETURNING id`,
        [r.key, r.name, r.centreKey ? out.centres[r.centreKey] : null],
      )
      out.residents[r.key] = id
      const kept: number[] = []
      for (const z of r.zones) {
        const s = checkShape(z.shape)
        const when = checkSchedule(z.schedule)
        const own = checkZonePolicy(z.policy)
        if (!s.ok || !when.ok || !own.ok) continue // checked above
        const json = (v: unknown) => (v ? JSON.stringify(v) : null)
        const updated = await c.query<{ id: number }>(
          'UPDATE zones SET kind = $3, shape = $4, schedule = $5, policy = $6, updated_at = now() WHERE resident_id = $1 AND name = $2 RETURNING id',
          [id, z.name, z.kind, JSON.stringify(s.shape), json(when.schedule), json(own.policy)],
        )
        kept.push(
          updated.rows[0]?.id ??
            (await insertZone(c, {
              residentId: id,
              name: z.name,
              kind: z.kind,
              shape: s.shape,
              schedule: when.schedule,
              policy: own.policy,
            })),
        )
      }
      await c.query('DELETE FROM zones WHERE resident_id = $1 AND NOT (id = ANY($2::bigint[]))', [id, kept])
      if (r.band) await upsertBand(c, r.band.id, r.band.secret, id, r.band.provisionedAt)
    }
    for (const z of doc.sharedZones ?? []) {
      const s = checkShape(z.shape)
      if (!s.ok) continue // checked above
      const centreId = z.centreKey ? out.centres[z.centreKey]! : null
      const updated = await c.query(
        'UPDATE zones SET kind = $2, shape = $3, care_centre_id = $4, updated_at = now() WHERE resident_id IS NULL AND name = $1',
        [z.name, z.kind, JSON.stringify(s.shape), centreId],
      )
      if (!updated.rowCount)
        await insertZone(c, { residentId: null, careCentreId: centreId, name: z.name, kind: z.kind, shape: s.shape })
    }
    for (const u of doc.users) {
      const centreId = u.centreKey ? out.centres[u.centreKey]! : null
      const id = await upsertId(
        c,
        `INSERT INTO users (username, password_hash, role, care_centre_id) VALUES ($1, $2, $3, $4)
         ON CONFLICT (username) DO UPDATE SET role = EXCLUDED.role, care_centre_id = EXCLUDED.care_centre_id RETURNING id`,
        [u.username, hashes.get(u.username) ?? 'unchanged', u.role, centreId],
      )
      out.users[u.username] = id
      for (const k of u.residentKeys ?? []) {
        await c.query('INSERT INTO user_residents (user_id, resident_id) VALUES ($1, $2) ON CONFLICT DO NOTHING', [
          id,
          out.residents[k],
        ])
      }
    }
    return out
  })
  return { ok: true, result }
}

async function upsertId(c: Queryable, sql: string, params: unknown[]): Promise<number> {
  return (await c.query<{ id: number }>(sql, params)).rows[0]!.id
}
