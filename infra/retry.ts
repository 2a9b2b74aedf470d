// Retry an operation that must not be lost (a position batch, an alert) until it succeeds,
// with exponential backoff. Each failure is logged; nothing is dropped.
import type { Logger } from './log.ts'

export interface RetryOptions {
  log: Logger
  /** What is being retried, for the log. */
  what: string
  firstMs?: number
  maxMs?: number
}

export async function retryForever<T>(fn: () => Promise<T>, { log, what, firstMs = 100, maxMs = 5000 }: RetryOptions): Promise<T> {
  for (let attempt = 1, wait = firstMs; ; attempt++, wait = Math.min(wait * 2, maxMs)) {
    try {
      return await fn()
    } catch (err) {
      log.error({ err, attempt, retryInMs: wait }, `${what} failed; retrying`)
      await new Promise((r) => setTimeout(r, wait))
    }
  }
}
