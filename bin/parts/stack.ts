// What a process has started, to be stopped in reverse order: requests and bands first, then the
// writes they fed, the database last. A stop waits for each part; writes still retrying when the
// grace period ends are given up through `signal` (unacknowledged, so bands send them again).
import type { Logger } from '../../infra/index.ts'

export interface Stack {
  /** Aborted when a stop's grace period is over. */
  readonly signal: AbortSignal
  /** Registers how to stop what was just started. */
  defer(stop: () => Promise<unknown> | unknown): void
  /** Stops everything registered, newest first; a failing step is logged and the rest still run. */
  stop(): Promise<void>
}

export function createStack(log: Logger, graceMs: number): Stack {
  const steps: (() => Promise<unknown> | unknown)[] = []
  const shutdown = new AbortController()
  return {
    signal: shutdown.signal,
    defer(stop) {
      steps.push(stop)
    },
    async stop() {
      const grace = setTimeout(() => shutdown.abort(new Error('shutdown grace period over')), graceMs)
      for (const step of steps.splice(0).reverse()) {
        try {
          await step()
        } catch (err) {
          log.error({ err }, 'shutdown step failed')
        }
      }
      clearTimeout(grace)
    },
  }
}
