// A band's "found me" token: 18 random bytes (144 bits) as base64url, 24 characters — short enough
// for a small, easily scanned QR code, far beyond guessing. Anything else is not a token.
import { randomBytes } from 'node:crypto'

export const FOUND_TOKEN = /^[A-Za-z0-9_-]{24}$/

export const newFoundToken = (): string => randomBytes(18).toString('base64url')

export const isFoundToken = (s: string): boolean => FOUND_TOKEN.test(s)

/** The public page a band's QR code opens: `${base}/f/${token}` (base without a trailing slash). */
export const foundUrl = (base: string, token: string): string => `${base.replace(/\/+$/, '')}/f/${token}`
