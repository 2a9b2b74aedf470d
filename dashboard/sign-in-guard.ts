// The per-account sign-in limit, beside the per-address one: after a few wrong passwords for an
// account, each further try must wait a delay that doubles per failure up to a ceiling. An attacker
// spread over many addresses then gets at most one guess per ceiling per account.
//
// Locking an account out is the other attack: so the delay is bounded (never a lock that needs an
// admin), and a browser that signed in to the account before (it holds a device cookie signed
// with the account's password hash; OWASP's "device cookies") is not held back by the failures of
// others — it has its own count, so stealing one cookie buys one browser's few tries. Pure: time
// is a parameter. Counts live in this process (each dashboard server counts its own).

/** Wrong passwords allowed before delays start. */
export const FREE_FAILURES = 5
/** The first delay; it doubles with each further failure. */
export const FIRST_DELAY_MS = 2_000
/** The longest delay: ~100 guesses a day per account and server, and an owner never waits longer. */
export const MAX_DELAY_MS = 15 * 60_000
/** Failures are forgotten after this long without another. */
const FORGET_MS = 24 * 3_600_000
/** Accounts (and devices) tracked at most; the oldest are forgotten first. */
const MAX_TRACKED = 50_000

interface Failures { count: number; last: number; until: number }

export interface SignInGuard {
  /** How long this key must still wait before its password is checked; 0: check it now. */
  waitMs(key: string, now: number): number
  failed(key: string, now: number): void
  succeeded(key: string): void
}

/** The key counted: the account, or the account from one known browser. */
export const guardKey = (username: string, device: string | undefined) =>
  (device ? `${username}\u0000${device}` : username)

export function createSignInGuard(): SignInGuard {
  const seen = new Map<string, Failures>()
  const current = (key: string, now: number) => {
    const f = seen.get(key)
    if (f && now - f.last > FORGET_MS) seen.delete(key)
    return f && now - f.last <= FORGET_MS ? f : undefined
  }
  return {
    waitMs: (key, now) => Math.max(0, (current(key, now)?.until ?? 0) - now),
    failed(key, now) {
      const count = (current(key, now)?.count ?? 0) + 1
      const extra = count - FREE_FAILURES
      const delay = extra > 0 ? Math.min(MAX_DELAY_MS, FIRST_DELAY_MS * 2 ** Math.min(extra - 1, 30)) : 0
      seen.delete(key) // re-inserted last: Map order is then oldest failure first
      seen.set(key, { count, last: now, until: now + delay })
      if (seen.size > MAX_TRACKED) seen.delete(seen.keys().next().value!)
    },
    succeeded: (key) => void seen.delete(key),
  }
}
