// Search links (issue 19): a token to share with helpers that shows one wandering person's live
// position, trail and photo without signing in — for a limited time and only while the alert is
// open. Pure: time arrives as an argument.
import { createHash, randomBytes } from 'node:crypto'

/** Alert kinds a search link or a responder task may be made for: a wander, and a finder's report. */
export const SEARCHABLE_KINDS: readonly string[] = ['left_safe_zone', 'found_report']

export const isSearchable = (kind: string): boolean => SEARCHABLE_KINDS.includes(kind)

/** 32 random bytes (256 bits), URL-safe; only its hash is stored. */
export const newLinkToken = (): string => randomBytes(32).toString('base64url')
export const linkTokenHash = (token: string): Buffer => createHash('sha256').update(token, 'utf8').digest()
/** What a token looks like (43 base64url characters); anything else is not looked up. */
export const LINK_TOKEN = /^[A-Za-z0-9_-]{43}$/

export interface LinkLimits {
  defaultMinutes: number
  maxMinutes: number
}

/** How long a new link lasts: the default when not asked, otherwise 1..max minutes. */
export function linkMinutes(
  asked: number | undefined,
  l: LinkLimits,
): { ok: true; minutes: number } | { ok: false; error: string } {
  if (asked === undefined) return { ok: true, minutes: Math.min(l.defaultMinutes, l.maxMinutes) }
  if (!Number.isInteger(asked) || asked < 1 || asked > l.maxMinutes)
    return { ok: false, error: `minutes must be a whole number from 1 to ${l.maxMinutes}` }
  return { ok: true, minutes: asked }
}

export interface LinkFacts {
  expiresAt: number
  revokedAt: number | null
  alertStatus: string
  alertKind: string
}

export type LinkState = 'valid' | 'expired' | 'revoked' | 'closed'

/** Whether a link still works at `now`; a resolved alert closes it whatever its expiry. */
export function linkState(l: LinkFacts, now: number): LinkState {
  if (l.alertStatus === 'resolved' || !isSearchable(l.alertKind)) return 'closed'
  if (l.revokedAt !== null) return 'revoked'
  if (now >= l.expiresAt) return 'expired'
  return 'valid'
}

/** How far before the alert opened a helper's trail may reach back at most. */
export const TRAIL_LOOKBACK_MS = 30 * 60_000

/** What an alert says about when its story began: when raised, its fix time, and its evidence. */
export interface AlertSpan {
  openedAt: number
  fixTime: number
  evidence: unknown
}

const finite = (x: unknown): x is number => typeof x === 'number' && Number.isFinite(x)

/**
 * Where a helper's trail starts: at the earliest of the alert's own evidence (the fixes proving
 * the exit, the time the wearer was first outside), its fix time and its opening — so the first
 * view already shows where the person was — but never more than TRAIL_LOOKBACK_MS before it opened.
 * (Never before the resident's wearing of the band either: that is the query's part.)
 */
export function trailStart(a: AlertSpan): number {
  const ev = (typeof a.evidence === 'object' && a.evidence !== null ? a.evidence : {}) as {
    outsideSince?: unknown
    fixes?: unknown
  }
  const fixes = Array.isArray(ev.fixes) ? ev.fixes.map((f) => (f as { ts?: unknown } | null)?.ts) : []
  const times = [a.openedAt, a.fixTime, ev.outsideSince, ...fixes].filter(finite)
  return Math.max(Math.min(...times), a.openedAt - TRAIL_LOOKBACK_MS)
}
