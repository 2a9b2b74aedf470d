// Retry an operation that must not be lost (a position batch, an alert) until it succeeds,
// with exponential backoff. Each failure is logged; nothing is dropped -- unless the caller gives
// up through `signal` (a shutdown past its grace period): then it throws the signal's reason.
import type { Logger } from './log.ts'

export interface RetryOptions {
  log: Logger
  /** What is being retried, for the log. */
  what: string
  firstMs?: number
  maxMs?: number
  signal?: AbortSignal
}

export async function retryForever<T>(fn: () => Promise<T>, opts: RetryOptions): Promise<T> {
  const { log, what, firstMs = 100, maxMs = 5000, signal } = opts
  for (let attempt = 1, wait = firstMs; ; attempt++, wait = Math.min(wait * 2, maxMs)) {
    signal?.throwIfAborted()
    try {
      return await fn()
    } catch (err) {
      log.error({ err, attempt, retryInMs: wait }, `${what} failed; retrying`)
      await pause(wait, signal)
    }
  }
}

/** Waits ms (on the global timer, so tests can fake it); an abort ends the wait with the signal's reason. */
function pause(ms: number, signal: AbortSignal | undefined): Promise<void> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', aborted)
      resolve()
    }, ms)
    function aborted() {
      clearTimeout(timer)
      reject(signal!.reason)
    }
    signal?.addEventListener('abort', aborted, { once: true })
  })
}
