// The ingest pipeline for one telemetry message: decode, count and log what is rejected,
// hand good reports to the listeners (the geofence) at once, and resolve when they are durable.
import type { Logger } from '../infra/index.ts'
import { decodeTelemetry } from './codec.ts'
import { decodeOwnTracks } from './owntracks.ts'
import type { Fix } from './fix.ts'
import type { IngestMetrics } from './metrics.ts'
import type { PositionWriter } from './position-writer.ts'
import type { RejectedRecord } from './rejected-record.ts'

export interface Ingest {
  /** Resolves when the message's good reports are durable (then the band may be acknowledged),
   *  with how many parts of it were rejected. */
  telemetry(bandId: string, payload: Uint8Array, format?: 'v1' | 'owntracks'): Promise<{ rejected: number }>
  /** A message on the band's status topic (`online`, or its last will `offline`). */
  status(bandId: string, payload: Uint8Array): Promise<void>
}

export interface IngestOptions {
  writer: PositionWriter
  metrics: IngestMetrics
  /** Where rejections are kept for operators to inspect. */
  record: RejectedRecord
  log: Logger
  now: () => number
  maxFutureMs: number
  /** Called with each message's good reports before they are written (alerts must not wait for a batch). */
  onFixes: (fixes: readonly Fix[]) => void
  /** Called with each message's good reports once they are durable. */
  onStored?: (fixes: readonly Fix[]) => void
  /** When the band was provisioned (epoch ms): older fixes, less a day's grace, are not its wearer's. */
  provisionedAt: (bandId: string) => Promise<number | undefined>
  /** Records a band going online or offline. */
  setOnline: (bandId: string, online: boolean) => Promise<void>
}

/**
 * A band's clock, or a backlog from its first hours in the wearer's home, may predate the
 * moment it was provisioned a little; a fix older than this is a factory test or someone else's.
 */
export const PROVISIONING_GRACE_MS = 24 * 3_600_000

export function createIngest({
  writer,
  metrics,
  record,
  log,
  now,
  maxFutureMs,
  onFixes,
  onStored,
  provisionedAt,
  setOnline,
}: IngestOptions): Ingest {
  return {
    async status(bandId, payload) {
      const text = Buffer.from(payload).toString('utf8').trim()
      if (text !== 'online' && text !== 'offline') {
        metrics.rejected.inc({ reason: 'bad_status' })
        record.add({ at: now(), bandId, reason: 'bad_status', detail: 'status must be "online" or "offline"' })
        log.warn({ bandId, reason: 'bad_status' }, 'status rejected: expected "online" or "offline"')
        return
      }
      log.info({ bandId, status: text }, 'band status')
      await setOnline(bandId, text === 'online')
    },
    async telemetry(bandId, payload, format = 'v1') {
      metrics.received.inc()
      const since = await provisionedAt(bandId)
      const notBefore = since === undefined ? undefined : since - PROVISIONING_GRACE_MS
      const { fixes, rejected } = (format === 'owntracks' ? decodeOwnTracks : decodeTelemetry)(bandId, payload, {
        now: now(),
        maxFutureMs,
        notBefore,
      })
      const at = now()
      for (const r of rejected) {
        metrics.rejected.inc({ reason: r.reason })
        record.add({ at, bandId, ...r })
        log.warn({ bandId, reason: r.reason, detail: r.detail, index: r.index }, 'telemetry rejected')
      }
      if (fixes.length === 0) return { rejected: rejected.length }
      metrics.accepted.inc(fixes.length)
      if (log.isLevelEnabled('debug')) {
        for (const f of fixes)
          log.debug({ bandId, seq: f.seq, ts: f.ts, lat: f.lat, lon: f.lon, acc: f.acc }, 'fix accepted')
      }
      try {
        onFixes(fixes)
      } catch (err) {
        // A geofence bug must not lose positions: they are still written below.
        log.error({ err, bandId }, 'fix listener failed')
      }
      await writer.write(fixes)
      onStored?.(fixes)
      return { rejected: rejected.length }
    },
  }
}
