// Bands as ingest sees them: who may connect, with which secret.
import type { Queryable } from '../infra/index.ts'
import { hashSecret, mosquittoHash, type StoredSecret } from './band-secret.ts'

export async function findBandSecret(db: Queryable, bandId: string): Promise<StoredSecret | undefined> {
  const r = await db.query<{ secret_salt: Buffer; secret_hash: Buffer }>(
    'SELECT secret_salt, secret_hash FROM bands WHERE id = $1', [bandId])
  const row = r.rows[0]
  return row && { salt: row.secret_salt, hash: row.secret_hash }
}

/** Adds a band (or replaces its secret) and assigns it to a resident, if given. */
export async function upsertBand(db: Queryable, bandId: string, secret: string, residentId?: number): Promise<void> {
  const { salt, hash } = hashSecret(secret)
  await db.query(
    `INSERT INTO bands (id, secret_salt, secret_hash, resident_id, broker_hash) VALUES ($1, $2, $3, $4, $5)
     ON CONFLICT (id) DO UPDATE SET secret_salt = $2, secret_hash = $3, resident_id = COALESCE($4, bands.resident_id), broker_hash = $5`,
    [bandId, salt, hash, residentId ?? null, mosquittoHash(secret)])
}

/**
 * A Mosquitto password file: one `bandId:hash` line per band that has a broker hash, and the
 * service's own account when given. Bands without one are counted, so the caller can say so.
 */
export async function mosquittoPasswordFile(db: Queryable, service?: { username: string; password: string }): Promise<{ text: string; missing: number }> {
  const r = await db.query<{ id: string; broker_hash: string | null }>('SELECT id, broker_hash FROM bands ORDER BY id')
  const lines = r.rows.filter((b) => b.broker_hash).map((b) => `${b.id}:${b.broker_hash}`)
  if (service) lines.unshift(`${service.username}:${mosquittoHash(service.password)}`)
  return { text: lines.map((l) => l + '\n').join(''), missing: r.rows.filter((b) => !b.broker_hash).length }
}
