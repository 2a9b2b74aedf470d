// The per-band geofence state machine. Pure: no timers, no clock, no database; time comes
// from the fixes. `step` takes one fix and returns the new state and the events it raised.
//
// This first version decides with the accuracy-aware rule of the architecture notes: a fix
// counts as outside only when its whole error circle lies beyond every safe zone by a margin,
// and as inside only when its centre is back inside one (hysteresis). Time confirmation,
// the timer (`tick`), danger zones and schedules belong to the full engine.
import type { Zone } from './zone.ts'
import { distanceBeyond } from './zone.ts'

export interface EngineFix {
  ts: number
  lat: number
  lon: number
  acc?: number
  src?: string
  seq: number
}

export type BandState =
  | { tag: 'unknown'; lastTs: number }
  | { tag: 'inside'; lastTs: number; zoneId: number }
  | { tag: 'outside'; lastTs: number; since: number; zoneId: number }

export interface Policy {
  /** The error circle must clear the boundary by this much to count as outside. */
  exitMarginM: number
  /** Accuracy assumed when a fix carries none. */
  defaultAccM: number
}

export const DEFAULT_POLICY: Policy = { exitMarginM: 20, defaultAccM: 50 }

export interface LeftSafeZone {
  type: 'left_safe_zone'
  zoneId: number
  fixTime: number
  evidence: {
    fix: EngineFix
    distanceBeyondM: number
    accuracyM: number
    radiusM: number
    exitMarginM: number
  }
}

export type EngineEvent = LeftSafeZone

export const INITIAL_STATE: BandState = { tag: 'unknown', lastTs: -Infinity }

export function step(state: BandState, fix: EngineFix, zones: readonly Zone[], policy: Policy): { state: BandState; events: EngineEvent[] } {
  // Late and out-of-order fixes are stored elsewhere but never move the state backwards.
  // A fix taken in the same second as the last one is not late (the state is idempotent for it).
  if (fix.ts < state.lastTs) return { state, events: [] }
  const safe = zones.filter((z) => z.kind === 'safe')
  if (safe.length === 0) return { state: { tag: 'unknown', lastTs: fix.ts }, events: [] }

  const acc = fix.acc ?? policy.defaultAccM
  const measured = safe.map((zone) => ({ zone, beyond: distanceBeyond(zone.shape, fix.lat, fix.lon) }))
  const nearest = measured.reduce((a, b) => (b.beyond < a.beyond ? b : a))

  if (nearest.beyond < 0) return { state: { tag: 'inside', lastTs: fix.ts, zoneId: nearest.zone.id }, events: [] }
  const clearlyOutside = nearest.beyond - acc > policy.exitMarginM
  if (!clearlyOutside) return { state: { ...state, lastTs: fix.ts }, events: [] }
  if (state.tag === 'outside') return { state: { ...state, lastTs: fix.ts }, events: [] }

  const event: LeftSafeZone = {
    type: 'left_safe_zone',
    zoneId: nearest.zone.id,
    fixTime: fix.ts,
    evidence: { fix, distanceBeyondM: round(nearest.beyond), accuracyM: acc, radiusM: nearest.zone.shape.radiusM, exitMarginM: policy.exitMarginM },
  }
  return { state: { tag: 'outside', lastTs: fix.ts, since: fix.ts, zoneId: nearest.zone.id }, events: [event] }
}

const round = (m: number) => Math.round(m * 10) / 10
