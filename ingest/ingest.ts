// Ingest's own stages for one telemetry message (pipeline.ts has them all, in order): decode,
// validate (count, record and log what is rejected), then the stages the composition root gives;
// resolves when the good reports are durable.
import type { Logger } from '../infra/index.ts'
import { decodeTelemetry } from './codec.ts'
import { decodeOwnTracks } from './owntracks.ts'
import type { IngestMetrics } from './metrics.ts'
import { afterValidation, type StoredStages } from './pipeline.ts'
import type { RejectedRecord } from './rejected-record.ts'

export interface Ingest {
  /** Resolves when the message's good reports are durable (then the band may be acknowledged),
   *  with how many parts of it were rejected. */
  telemetry(bandId: string, payload: Uint8Array, format?: 'v1' | 'owntracks'): Promise<{ rejected: number }>
  /** A message on the band's status topic (`online`, or its last will `offline`). */
  status(bandId: string, payload: Uint8Array): Promise<void>
}

export interface IngestOptions {
  /** What happens to the good reports, in order: judge, write, status, fan-out. */
  stages: StoredStages
  metrics: IngestMetrics
  /** Where rejections are kept for operators to inspect. */
  record: RejectedRecord
  log: Logger
  now: () => number
  maxFutureMs: number
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
  stages,
  metrics,
  record,
  log,
  now,
  maxFutureMs,
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
      // decode and validate
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
      await afterValidation(stages, fixes, log, bandId)
      return { rejected: rejected.length }
    },
  }
}
