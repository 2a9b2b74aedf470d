// A browser that has signed in to an account before: a cookie `userId.nonce.mac`, the MAC keyed
// with the account's password hash (a secret only the server holds), so no table is needed and
// every device cookie of an account dies when its password changes.
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto'

export const DEVICE_COOKIE = 'tx_device'
/** How long a browser stays known without signing in again. */
export const DEVICE_MAX_AGE_S = 180 * 86_400

const mac = (userId: number, nonce: string, passwordHash: string) =>
  createHmac('sha256', passwordHash).update(`tongxing-device\u0000${userId}\u0000${nonce}`).digest()

export function deviceCookie(userId: number, passwordHash: string): string {
  const nonce = randomBytes(12).toString('base64url')
  return `${userId}.${nonce}.${mac(userId, nonce, passwordHash).toString('base64url')}`
}

/** The device's nonce when the cookie was made for this account; undefined otherwise. */
export function knownDevice(
  cookie: string | undefined,
  account: { id: number; passwordHash: string } | undefined,
): string | undefined {
  const [id, nonce, given] = cookie?.split('.') ?? []
  if (!account || !nonce || !given || Number(id) !== account.id) return undefined
  const want = mac(account.id, nonce, account.passwordHash)
  const got = Buffer.from(given, 'base64url')
  return got.length === want.length && timingSafeEqual(got, want) ? nonce : undefined
}
