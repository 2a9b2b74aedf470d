// Keeps band_status current without slowing the position writes: stored reports are folded into
// one pending update per band (the newest of each part), written every `flushMs` in one
// statement, each band's row at most every `minMs` unless it carries events (dueUpdates). A band
// reporting every few seconds costs one row update every `minMs`, not one a batch. band_status
// is derived from positions, which stay the record; it may trail them by up to `minMs` (and,
// after a crash, until each band's next report). Live positions reach dashboards by socket, not
// from here: band_status is what a page starts from.
import { periodic, type Db, type Logger } from '../infra/index.ts'
import { dueUpdates, mergeUpdates, type StatusUpdate } from './band-status.ts'
import { upsertBandStatus } from './band-status.pg.ts'

/** The least time between two writes of a band's row for a newer position or battery reading. */
export const STATUS_MIN_MS = 5000

export interface StatusWriter {
  /** What reports now durable change (statusUpdates of them). */
  add(updates: readonly StatusUpdate[]): void
  /** Writes everything pending now. */
  flush(): Promise<void>
  /** Stops the timer after a last flush. */
  stop(): Promise<void>
}

export function createStatusWriter({
  db,
  log,
  flushMs = 1000,
  minMs = STATUS_MIN_MS,
  now = Date.now,
}: {
  db: Db
  log: Logger
  flushMs?: number
  minMs?: number
  now?: () => number
}): StatusWriter {
  const pending = new Map<string, StatusUpdate>()
  /** When each band's row was last written (bands written within minMs wait). */
  const writtenAt = new Map<string, number>()
  let heardAt = 0
  let writing: Promise<void> = Promise.resolve()

  const merge = (into: Map<string, StatusUpdate>, u: StatusUpdate) => {
    const had = into.get(u.bandId)
    into.set(u.bandId, had ? mergeUpdates(had, u) : u)
  }

  const write = async (all: boolean) => {
    const t = now()
    const batch = all ? [...pending.values()] : dueUpdates(pending, writtenAt, t, minMs)
    if (batch.length === 0) return
    const at = heardAt
    for (const u of batch) pending.delete(u.bandId)
    try {
      await upsertBandStatus(db, batch, at)
      for (const u of batch) writtenAt.set(u.bandId, t)
    } catch (err) {
      log.error({ err, bands: batch.length }, 'band status not written; trying again at the next flush')
      for (const u of batch) merge(pending, u) // newer reports since then win
      heardAt = Math.max(heardAt, at)
    }
  }
  /** `all`: everything pending, however recently its band was written (on stopping). */
  const flush = (all = false) => {
    writing = writing.then(() => write(all))
    return writing
  }
  // Failures are handled inside flush (kept for the next one), so the task never sees them.
  const flushing = periodic({ everyMs: flushMs, run: () => flush(), log, what: 'band status flush' })
  flushing.start()

  return {
    add(updates) {
      heardAt = now()
      for (const u of updates) merge(pending, u)
    },
    flush: () => flush(true),
    async stop() {
      await flushing.stop()
      await flush(true)
    },
  }
}
