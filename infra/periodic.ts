// One shape for every loop that runs on a timer (geofence refresh, shard rounds, band status
// writes, position maintenance, socket access checks): a run never overlaps the previous one,
// the next run is timed from the end of the last, the timer does not keep the process alive, and
// stop() waits for the run in flight and never arms the timer again.
import type { Logger } from './log.ts'

export interface PeriodicTask {
  /** Runs now (or, while a run is in flight, once more right after it); resolves when done. */
  runNow(): Promise<void>
  /** Arms the timer; the first run comes after everyMs. */
  start(): void
  /** Disarms the timer and waits for the run in flight. Runs after this are refused. */
  stop(): Promise<void>
}

export interface PeriodicOptions {
  everyMs: number
  run: () => Promise<unknown> | unknown
  log: Logger
  /** What runs, for the log when a run fails (it is tried again at the next period). */
  what: string
}

export function periodic({ everyMs, run, log, what }: PeriodicOptions): PeriodicTask {
  let timer: NodeJS.Timeout | undefined
  let inFlight: Promise<void> | undefined
  let again: Promise<void> | undefined
  let armed = false
  let stopped = false

  const arm = () => {
    clearTimeout(timer)
    if (!armed || stopped) return
    timer = setTimeout(() => void runNow(), everyMs)
    timer.unref()
  }
  const once = async () => {
    try {
      await run()
    } catch (err) {
      log.error({ err }, `${what} failed; trying again in ${everyMs} ms`)
    }
  }
  const runNow = (): Promise<void> => {
    if (stopped) return Promise.resolve()
    if (inFlight) {
      // Asked while running: the caller wants a run that starts after its request.
      again ??= inFlight.then(() => {
        again = undefined
        return runNow()
      })
      return again
    }
    clearTimeout(timer)
    inFlight = once().finally(() => {
      inFlight = undefined
      arm()
    })
    return inFlight
  }
  return {
    runNow,
    start() {
      if (armed || stopped) return
      armed = true
      arm()
    },
    async stop() {
      stopped = true
      armed = false
      clearTimeout(timer)
      await inFlight
    },
  }
}
