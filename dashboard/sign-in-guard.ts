// The per-account sign-in limit, beside the per-address one: after a few wrong passwords for an
// account, each further try must wait a delay that doubles per failure up to a ceiling. An attacker
// spread over many addresses then gets at most one guess per ceiling per account.
//
// Each try is counted as a failure *before* its password is checked (and forgotten when it turns
// out right): tries that arrive together are admitted one after another against the count, so 50
// parallel guesses get no more checks than 50 in a row. Counts live in the database
// (sign-in-guard.pg.ts), so every dashboard server counts the same tries.
//
// Locking an account out is the other attack: so the delay is bounded (never a lock that needs an
// admin), and a browser that signed in to the account before (it holds a device cookie signed
// with the account's password hash; OWASP's "device cookies") is not held back by the failures of
// others — it has its own count, so stealing one cookie buys one browser's few tries. Pure: time
// is a parameter.

/** Wrong passwords allowed before delays start. */
export const FREE_FAILURES = 5
/** The first delay; it doubles with each further failure. */
export const FIRST_DELAY_MS = 2_000
/** The longest delay: ~100 guesses a day per account (all servers together), and an owner never waits longer. */
export const MAX_DELAY_MS = 15 * 60_000
/** Failures are forgotten after this long without another. */
export const FORGET_MS = 24 * 3_600_000

export interface Failures {
  count: number
  last: number
  until: number
}

/** The key counted: the account, or the account from one known browser. */
export const guardKey = (username: string, device: string | undefined) =>
  device ? `${username}\u0000${device}` : username

/**
 * A try for a key with these failures so far, at `now`: held back (how long it must still wait;
 * it is not counted), or admitted and counted as a failure until its password proves right.
 */
export function admit(f: Failures | undefined, now: number): { waitMs: number } | { waitMs: 0; counted: Failures } {
  const current = f && now - f.last <= FORGET_MS ? f : undefined
  const waitMs = Math.max(0, (current?.until ?? 0) - now)
  if (waitMs > 0) return { waitMs }
  const count = (current?.count ?? 0) + 1
  const extra = count - FREE_FAILURES
  const delay = extra > 0 ? Math.min(MAX_DELAY_MS, FIRST_DELAY_MS * 2 ** Math.min(extra - 1, 30)) : 0
  return { waitMs: 0, counted: { count, last: now, until: now + delay } }
}
