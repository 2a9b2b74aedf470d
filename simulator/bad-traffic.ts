// Bad traffic mode: a chosen fraction of extra messages that the service must reject — malformed,
// oversized, out of range, from the far future, or published by one band on another's topic —
// mixed into the good traffic, each tagged with the rejection reason the service should count.
import type { RunEvent } from './runner.mqtt.ts'
import type { Rng } from './random.ts'

export type BadKind = 'malformed' | 'oversized' | 'out_of_range' | 'far_future' | 'spoofed_topic'
export const BAD_KINDS: readonly BadKind[] = ['malformed', 'oversized', 'out_of_range', 'far_future', 'spoofed_topic']

/** The reason the service's /metrics counts each kind under (tongxing_rejected_total{reason}). */
export const EXPECTED_REASON: Record<BadKind, string> = {
  malformed: 'bad_json',
  oversized: 'too_large',
  out_of_range: 'out_of_range',
  far_future: 'future_fix',
  spoofed_topic: 'unauthorised_topic',
}

/** A provisioned band that exists only to publish on other bands' topics. */
export const ROGUE_BAND = { id: 'rogue-band-0001', secret: 'rogue-band-secret-0001' }

export function* withBadTraffic(events: Iterable<RunEvent>, fraction: number, rng: Rng): Generator<RunEvent> {
  for (const e of events) {
    yield e
    if (e.type !== 'publish' || e.bad || !rng.chance(fraction)) continue
    const kind = rng.pick(BAD_KINDS)
    const good = JSON.parse(e.payload) as Record<string, unknown> | Record<string, unknown>[]
    const fix = Array.isArray(good) ? good[0]! : good
    const t = e.t + 50
    switch (kind) {
      case 'malformed':
        yield {
          t,
          bandId: e.bandId,
          type: 'publish',
          payload: e.payload.slice(0, Math.max(1, e.payload.length >> 1)),
          bad: kind,
        }
        break
      case 'oversized':
        yield {
          t,
          bandId: e.bandId,
          type: 'publish',
          payload: JSON.stringify({ ...fix, note: 'x'.repeat(9000) }),
          bad: kind,
        }
        break
      case 'out_of_range':
        yield {
          t,
          bandId: e.bandId,
          type: 'publish',
          payload: JSON.stringify({ ...fix, seq: 0, lat: 123.4 }),
          bad: kind,
        }
        break
      case 'far_future':
        yield {
          t,
          bandId: e.bandId,
          type: 'publish',
          payload: JSON.stringify({ ...fix, seq: 0, ts: (fix.ts as number) + 365 * 86_400 }),
          bad: kind,
        }
        break
      case 'spoofed_topic':
        // QoS 0: the broker drops the rogue's connection, and an unacknowledged QoS 1 would be resent forever.
        yield {
          t,
          bandId: ROGUE_BAND.id,
          type: 'publish',
          topic: `bands/${e.bandId}/telemetry`,
          payload: JSON.stringify({ ...fix, seq: 0 }),
          qos: 0,
          bad: kind,
        }
        break
    }
  }
}

/** Fixes carried by a good payload (a fix, or a backlog array). */
export function fixCount(payload: string): number {
  const body = JSON.parse(payload) as unknown
  return Array.isArray(body) ? body.length : 1
}
