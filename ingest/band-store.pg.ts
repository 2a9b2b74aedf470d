// Bands as ingest sees them: who may connect, with which secret.
import type { Queryable } from '../infra/index.ts'
import { hashSecret, type StoredSecret } from './band-secret.ts'

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
    `INSERT INTO bands (id, secret_salt, secret_hash, resident_id) VALUES ($1, $2, $3, $4)
     ON CONFLICT (id) DO UPDATE SET secret_salt = $2, secret_hash = $3, resident_id = COALESCE($4, bands.resident_id)`,
    [bandId, salt, hash, residentId ?? null])
}
