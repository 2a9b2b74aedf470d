// Bands as ingest sees them: who may connect, with which secret.
import type { Queryable } from '../infra/index.ts'
import { hashSecret, mosquittoHash, type StoredSecret } from './band-secret.ts'

export async function findBandSecret(db: Queryable, bandId: string): Promise<StoredSecret | undefined> {
  const r = await db.query<{ secret_salt: Buffer; secret_hash: Buffer }>(
    'SELECT secret_salt, secret_hash FROM bands WHERE id = $1',
    [bandId],
  )
  const row = r.rows[0]
  return row && { salt: row.secret_salt, hash: row.secret_hash }
}

/**
 * Adds a band (or replaces its secret) and assigns it to a resident, if given. `provisionedAt`
 * (epoch ms) records a band already in service before (an import from another system).
 */
export async function upsertBand(
  db: Queryable,
  bandId: string,
  secret: string,
  residentId?: number,
  provisionedAt?: number,
): Promise<void> {
  const { salt, hash } = hashSecret(secret)
  await db.query(
    `INSERT INTO bands (id, secret_salt, secret_hash, resident_id, broker_hash, provisioned_at)
     VALUES ($1, $2, $3, $4, $5, COALESCE(to_timestamp($6 / 1000.0), now()))
     ON CONFLICT (id) DO UPDATE SET secret_salt = $2, secret_hash = $3, resident_id = COALESCE($4, bands.resident_id), broker_hash = $5,
       provisioned_at = COALESCE(to_timestamp($6 / 1000.0), bands.provisioned_at)`,
    [bandId, salt, hash, residentId ?? null, mosquittoHash(secret), provisionedAt ?? null],
  )
}

/** When the band was provisioned (epoch ms); undefined for no such band. */
export async function bandProvisionedAt(db: Queryable, bandId: string): Promise<number | undefined> {
  const r = await db.query<{ provisioned_at: Date }>('SELECT provisioned_at FROM bands WHERE id = $1', [bandId])
  return r.rows[0]?.provisioned_at.getTime()
}

/**
 * A Mosquitto password file: one `bandId:hash` line per band that has a broker hash, and the
 * service's own account when given. Bands without one are counted, so the caller can say so.
 */
export async function mosquittoPasswordFile(
  db: Queryable,
  service?: { username: string; password: string },
): Promise<{ text: string; missing: number }> {
  const r = await db.query<{ id: string; broker_hash: string | null }>('SELECT id, broker_hash FROM bands ORDER BY id')
  const lines = r.rows.filter((b) => b.broker_hash).map((b) => `${b.id}:${b.broker_hash}`)
  if (service) lines.unshift(`${service.username}:${mosquittoHash(service.password)}`)
  return { text: lines.map((l) => `${l}\n`).join(''), missing: r.rows.filter((b) => !b.broker_hash).length }
}

export type Assignment = 'assigned' | 'no_such_band' | 'resident_has_band'

/**
 * Gives the band to a resident, taking it from whoever wore it. Who wore it when is kept
 * (band_wearers, by a trigger): what it reported before stays the previous wearer's.
 */
export async function assignBand(db: Queryable, bandId: string, residentId: number): Promise<Assignment> {
  const other = await db.query('SELECT 1 FROM bands WHERE resident_id = $1 AND id <> $2', [residentId, bandId])
  if (other.rowCount) return 'resident_has_band'
  const done = await db.query('UPDATE bands SET resident_id = $2 WHERE id = $1', [bandId, residentId])
  return done.rowCount ? 'assigned' : 'no_such_band'
}

/** Takes the band from its wearer (it stays provisioned; its history stays theirs). False: no such band. */
export async function unassignBand(db: Queryable, bandId: string): Promise<boolean> {
  return ((await db.query('UPDATE bands SET resident_id = NULL WHERE id = $1', [bandId])).rowCount ?? 0) > 0
}

/** Whether the band exists. */
export async function bandExists(db: Queryable, bandId: string): Promise<boolean> {
  return ((await db.query('SELECT 1 FROM bands WHERE id = $1', [bandId])).rowCount ?? 0) > 0
}
