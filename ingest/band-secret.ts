// Band secrets are random tokens we generate (32 bytes, base64url), not human passwords, so a
// salted SHA-256 is enough to keep a database leak from revealing them, and it stays cheap
// when 1500 bands reconnect at once. Human passwords use scrypt (dashboard/password.ts).
import { createHash, pbkdf2Sync, randomBytes, timingSafeEqual } from 'node:crypto'

export const MIN_SECRET_LENGTH = 16

export interface StoredSecret {
  salt: Buffer
  hash: Buffer
}

export function generateSecret(): string {
  return randomBytes(32).toString('base64url')
}

export function hashSecret(secret: string, salt: Buffer = randomBytes(16)): StoredSecret {
  return { salt, hash: createHash('sha256').update(salt).update(secret, 'utf8').digest() }
}

export function verifySecret(secret: string | Buffer, stored: StoredSecret): boolean {
  const candidate = createHash('sha256').update(stored.salt).update(secret).digest()
  return candidate.length === stored.hash.length && timingSafeEqual(candidate, stored.hash)
}

/**
 * The secret as a Mosquitto password-file hash ("$7$": PBKDF2-SHA512, 101 iterations, a 12-byte
 * salt, as mosquitto_passwd 2.x writes it), for external broker mode.
 */
export function mosquittoHash(secret: string, salt: Buffer = randomBytes(12), iterations = 101): string {
  return `$7$${iterations}$${salt.toString('base64')}$${pbkdf2Sync(secret, salt, iterations, 64, 'sha512').toString('base64')}`
}
