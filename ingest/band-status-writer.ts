// Keeps band_status current without slowing the position writes: stored reports are folded into
// one pending update per band (the newest of each part), written every `flushMs` in one
// statement. A band reporting every few seconds costs one row update a flush, not one a batch.
// band_status is derived from positions, which stay the record; it may trail them by up to
// `flushMs` (and, after a crash, until each band's next report).
import { periodic, type Db, type Logger } from '../infra/index.ts'
import { mergeUpdates, type StatusUpdate } from './band-status.ts'
import { upsertBandStatus } from './band-status.pg.ts'

export interface StatusWriter {
  /** What reports now durable change (statusUpdates of them). */
  add(updates: readonly StatusUpdate[]): void
  /** Writes what is pending now. */
  flush(): Promise<void>
  /** Stops the timer after a last flush. */
  stop(): Promise<void>
}

export function createStatusWriter({
  db,
  log,
  flushMs = 1000,
  now = Date.now,
}: {
  db: Db
  log: Logger
  flushMs?: number
  now?: () => number
}): StatusWriter {
  let pending = new Map<string, StatusUpdate>()
  let heardAt = 0
  let writing: Promise<void> = Promise.resolve()

  const merge = (into: Map<string, StatusUpdate>, u: StatusUpdate) => {
    const had = into.get(u.bandId)
    into.set(u.bandId, had ? mergeUpdates(had, u) : u)
  }

  const flush = () => {
    writing = writing.then(async () => {
      if (pending.size === 0) return
      const batch = pending
      const at = heardAt
      pending = new Map()
      try {
        await upsertBandStatus(db, [...batch.values()], at)
      } catch (err) {
        log.error({ err, bands: batch.size }, 'band status not written; trying again at the next flush')
        for (const u of batch.values()) merge(pending, u) // newer reports since then win
        heardAt = Math.max(heardAt, at)
      }
    })
    return writing
  }
  // Failures are handled inside flush (kept for the next one), so the task never sees them.
  const flushing = periodic({ everyMs: flushMs, run: flush, log, what: 'band status flush' })
  flushing.start()

  return {
    add(updates) {
      heardAt = now()
      for (const u of updates) merge(pending, u)
    },
    flush,
    async stop() {
      await flushing.stop()
      await flush()
    },
  }
}
