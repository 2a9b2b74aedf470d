// Group commit: while one batch is being written, new reports gather for the next, so a busy
// system writes big batches with no timer. Batches start at least `lingerMs` apart: a report
// arriving sooner after the last start waits the rest of that interval for company, so the
// database sees at most 1000/lingerMs statements (and commits) a second whatever the rate — at
// 5,000 reports a second, 100 rows a statement instead of a dozen — and a report waits at most
// that long before its write starts. A full batch goes at once.
// The geofence and the sockets do not wait for it: they have the reports before the write. A
// write() resolves only when its reports are durable: the broker holds the band's PUBACK on it.
// A failed write is retried with backoff, the same reports in the same order.
import { retryForever, type Logger } from '../infra/index.ts'
import type { Fix } from './fix.ts'
import type { PositionStore } from './position-store.pg.ts'

interface Pending {
  fixes: readonly Fix[]
  done: () => void
}

export interface WriterStats {
  batches: number
  written: number
  duplicates: number
}

export interface PositionWriter {
  /** Resolves once the reports are durable. */
  write(fixes: readonly Fix[]): Promise<void>
  /** Resolves when everything accepted so far is durable. */
  flush(): Promise<void>
  queued(): number
  /** True while the queue holds maxQueuedRows or more: sources should stop reading from bands. */
  full(): boolean
  /** Calls `fn` once, when the queue has drained to half of maxQueuedRows (at once if not full). */
  onRoom(fn: () => void): void
  readonly stats: WriterStats
}

export interface WriterOptions {
  store: PositionStore
  log: Logger
  maxRows: number
  /** Batches written at the same time (a server with several connections); 1 keeps strict order. */
  concurrency?: number
  /** The bound on reports held while the database is slow or away (see full()). */
  maxQueuedRows?: number
  /** The least time between the starts of two batches, unless the queue fills one (0: no pacing). */
  lingerMs?: number
  onBatch?: (rows: number, inserted: number, ms: number) => void
  /** Called when writes start failing (false) and when they succeed again (true). */
  onDatabase?: (up: boolean) => void
  retry?: { firstMs: number; maxMs: number }
  /** Aborted when a shutdown's grace period is over: failing writes are abandoned, never acknowledged. */
  signal?: AbortSignal
}

export function createPositionWriter({
  store,
  log,
  maxRows,
  concurrency = 1,
  maxQueuedRows = Infinity,
  lingerMs = 0,
  onBatch,
  onDatabase,
  retry = { firstMs: 100, maxMs: 5000 },
  signal,
}: WriterOptions): PositionWriter {
  let queue: Pending[] = []
  let queuedRows = 0
  let up = true
  let waiting: (() => void)[] = []
  const seen = (ok: boolean) => {
    if (ok === up) return
    up = ok
    onDatabase?.(ok)
  }
  const full = () => queuedRows >= maxQueuedRows
  const announceRoom = () => {
    if (waiting.length === 0 || queuedRows > maxQueuedRows / 2) return
    const fns = waiting
    waiting = []
    for (const fn of fns) fn()
  }
  const lanes = new Set<Promise<void>>()
  const stats: WriterStats = { batches: 0, written: 0, duplicates: 0 }

  const take = (): Pending[] => {
    let rows = 0
    let n = 0
    while (n < queue.length && (n === 0 || rows + queue[n]!.fixes.length <= maxRows)) rows += queue[n++]!.fixes.length
    const batch = queue.slice(0, n)
    queue = queue.slice(n)
    queuedRows -= rows
    return batch
  }

  const writeBatch = async (batch: Pending[]) => {
    const fixes = batch.flatMap((p) => p.fixes)
    const started = performance.now()
    const attempt = async () => {
      try {
        const n = await store.insert(fixes)
        seen(true)
        return n
      } catch (err) {
        seen(false)
        throw err
      }
    }
    const what = `writing ${fixes.length} positions (${queuedRows} more waiting)`
    const inserted = await retryForever(attempt, { log, what, ...retry, signal })
    onBatch?.(fixes.length, inserted, performance.now() - started)
    stats.batches++
    stats.written += inserted
    stats.duplicates += fixes.length - inserted
    for (const p of batch) p.done()
    announceRoom()
  }

  // `active` drops in the same step that finds the queue empty: a write arriving just after
  // must start a new lane, not wait on one that is finishing (lanes.delete runs a tick later).
  let active = 0
  /** When the last batch started (performance.now()); the next starts lingerMs later at the earliest. */
  let lastStart = -Infinity
  /** Set while lanes wait for their turn: they all wake together, when it comes or when a batch is full. */
  let turn: { came: Promise<void>; open: () => void } | undefined
  const untilTurn = (ms: number) => {
    if (!turn) {
      const t = { came: Promise.resolve(), open: () => {} }
      t.came = new Promise<void>((resolve) => {
        const timer = setTimeout(() => t.open(), ms)
        t.open = () => {
          clearTimeout(timer)
          if (turn === t) turn = undefined
          resolve()
        }
      })
      turn = t
    }
    return turn.came
  }
  const startLane = () => {
    active++
    const lane = (async () => {
      try {
        while (queue.length > 0) {
          const wait = lastStart + lingerMs - performance.now()
          if (wait > 0 && queuedRows < maxRows) {
            await untilTurn(wait)
            if (queue.length === 0) break // another lane took it
          }
          lastStart = performance.now()
          await writeBatch(take())
        }
      } catch (err) {
        // Only an abort ends a lane early: what it held stays unacknowledged, so bands send it again.
        log.error({ err, abandoned: queuedRows }, 'shutting down with positions unwritten; bands will resend them')
        queue = []
        queuedRows = 0
      } finally {
        active--
      }
    })()
    lanes.add(lane)
    void lane.finally(() => lanes.delete(lane))
  }

  return {
    stats,
    queued: () => queuedRows,
    full,
    onRoom(fn) {
      if (!full()) return fn()
      waiting.push(fn)
    },
    write(fixes) {
      if (fixes.length === 0) return Promise.resolve()
      return new Promise<void>((done) => {
        queue.push({ fixes, done })
        queuedRows += fixes.length
        // A full batch need not wait for its turn; otherwise a waiting lane takes the report.
        if (turn && queuedRows >= maxRows) turn.open()
        else if (!turn && active < concurrency) startLane()
      })
    },
    async flush() {
      while (lanes.size > 0) await Promise.all(lanes)
    },
  }
}
