// Invitations that link a family member to a resident: a random code shown once, stored hashed,
// usable once before it expires.
import { createHash, randomBytes } from 'node:crypto'
import type { Db, Queryable } from '../infra/index.ts'
import { insertUser } from './people.pg.ts'

const hash = (code: string) => createHash('sha256').update(code, 'utf8').digest()

export async function createInvitation(
  db: Queryable,
  residentId: number,
  createdBy: number,
  ttlMs: number,
): Promise<{ code: string; expiresAt: number }> {
  const code = randomBytes(18).toString('base64url')
  const expiresAt = Date.now() + ttlMs
  await db.query(
    'INSERT INTO invitations (code_hash, resident_id, created_by, expires_at) VALUES ($1, $2, $3, to_timestamp($4 / 1000.0))',
    [hash(code), residentId, createdBy, expiresAt],
  )
  return { code, expiresAt }
}

export type Acceptance =
  | { ok: true; userId: number; residentId: number }
  | { ok: false; reason: 'invalid' | 'username_taken' }

/**
 * Uses the invitation: links `existingUserId` (a family member already signed in) or a new family
 * account with these credentials. Unknown, used and expired codes are all just "invalid".
 */
export async function acceptInvitation(
  db: Db,
  code: string,
  who: { existingUserId: number } | { username: string; password: string },
): Promise<Acceptance> {
  return db.tx(async (c) => {
    const r = await c.query<{ resident_id: number }>(
      'SELECT resident_id FROM invitations WHERE code_hash = $1 AND accepted_at IS NULL AND expires_at > now() FOR UPDATE',
      [hash(code)],
    )
    const residentId = r.rows[0] && Number(r.rows[0].resident_id)
    if (residentId === undefined) return { ok: false, reason: 'invalid' } as const
    let userId: number
    if ('existingUserId' in who) {
      userId = who.existingUserId
      await c.query('INSERT INTO user_residents (user_id, resident_id) VALUES ($1, $2) ON CONFLICT DO NOTHING', [
        userId,
        residentId,
      ])
    } else {
      const taken = await c.query('SELECT 1 FROM users WHERE username = $1', [who.username])
      if (taken.rowCount) return { ok: false, reason: 'username_taken' } as const
      userId = Number(
        await insertUser(c, {
          username: who.username,
          password: who.password,
          role: 'family',
          residentIds: [residentId],
        }),
      )
    }
    await c.query('UPDATE invitations SET accepted_by = $2, accepted_at = now() WHERE code_hash = $1', [
      hash(code),
      userId,
    ])
    return { ok: true, userId, residentId } as const
  })
}
