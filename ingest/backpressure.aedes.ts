// Backpressure on the embedded broker: while the write queue is full, the broker stops reading
// from the bands that keep sending; TCP windows fill and their firmware holds the reports until
// the queue has drained to half, when reading resumes.
//
// aedes has Client#pause/resume (public, missing from its types), but it counts packets still
// being handled in `_parsingBatch` and reads the next chunk only when that count reaches zero;
// completions that happen while paused are not counted down, so a plain resume() can leave a
// client stalled. On resume the count is set to what is really still in flight (our own
// per-client count of telemetry awaiting its write), plus the one resume() counts down.
import type { Client } from 'aedes'
import type { Logger } from '../infra/index.ts'
import type { IngestMetrics } from './metrics.ts'

type AedesClient = Client & { pause(): void; resume(): void; _parsingBatch: number }

export interface Backpressure {
  /** A telemetry message from this client is being handled… */
  started(client: Client): void
  /** …and is done (stored or refused). */
  finished(client: Client): void
  /** After a message arrives: pauses the client if the queue is full. */
  check(client: Client): void
  /** The client is gone. */
  forget(client: Client): void
}

export function createBackpressure(
  queue: { full(): boolean; onRoom(fn: () => void): void } | undefined,
  metrics: IngestMetrics,
  log: Logger,
): Backpressure {
  const inFlight = new Map<Client, number>()
  const paused = new Set<Client>()

  const resumeAll = () => {
    for (const c of paused) {
      const client = c as AedesClient
      client._parsingBatch = (inFlight.get(c) ?? 0) + 1
      client.resume()
    }
    log.info({ bands: paused.size }, 'writes caught up; reading from bands again')
    paused.clear()
    metrics.bandsPaused.set(0)
  }

  return {
    started(client) {
      inFlight.set(client, (inFlight.get(client) ?? 0) + 1)
    },
    finished(client) {
      const n = (inFlight.get(client) ?? 1) - 1
      if (n > 0) inFlight.set(client, n)
      else inFlight.delete(client)
    },
    check(client) {
      if (!queue?.full() || paused.has(client)) return
      if (paused.size === 0) {
        log.warn('too many reports waiting for the database; pausing bands until it catches up')
        queue.onRoom(resumeAll)
      }
      ;(client as AedesClient).pause()
      paused.add(client)
      metrics.pauses.inc()
      metrics.bandsPaused.set(paused.size)
    },
    forget(client) {
      inFlight.delete(client)
      if (paused.delete(client)) metrics.bandsPaused.set(paused.size)
    },
  }
}
