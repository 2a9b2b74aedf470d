// Ground truth from the true path: when a resident was outside all their safe zones, or inside a
// danger corridor, sampled every few seconds. Labels say which alert kinds would be right.
import { distanceM, type LatLon } from './geo.ts'
import { locate, MINUTE, type Segment } from './itinerary.ts'
import { distanceToCorridorM, type DangerCorridor, type SafeZone } from './zibo.ts'

export type LabelKind =
  | 'left_safe_zone'
  | 'entered_danger_zone'
  | 'sos'
  | 'fall'
  | 'band_removed'
  | 'silent_outside'
  | 'no_network'

/** Alert kinds that count as detecting each label. */
export const EXPECTED_ALERTS: Record<LabelKind, readonly string[]> = {
  left_safe_zone: ['left_safe_zone', 'wandering_at_night'],
  entered_danger_zone: ['entered_danger_zone'],
  sos: ['sos'],
  fall: ['fall'],
  band_removed: ['band_removed'],
  silent_outside: ['band_offline', 'left_safe_zone', 'wandering_at_night'],
  // A no-network gap: an offline alert is right (not required: a short gap need not page anyone).
  no_network: ['band_offline'],
}

export interface Label {
  bandId: string
  kind: LabelKind
  start: number
  end: number
  /** A real episode that must raise an alert; false for a brief excursion an alert may or may not mark. */
  mustAlert: boolean
  /** The episode that caused it (its kind), when one did. */
  episode?: string
  /** Furthest beyond the boundary, metres (left_safe_zone). */
  maxBeyondM?: number
}

/** A wander must be alerted when it goes at least this far beyond the boundary for this long. */
export const MUST_ALERT = { beyondM: 100, forMs: 2 * MINUTE }

const STEP_MS = 5000

export interface Interval {
  start: number
  end: number
  maxBeyondM: number
  /** Time spent at least MUST_ALERT.beyondM beyond. */
  farMs: number
}

/** Intervals of [from, to) when the path is outside every zone (zones) or inside a corridor. */
export function sampleIntervals(
  segments: Segment[],
  from: number,
  to: number,
  zones: readonly SafeZone[],
  corridors: readonly DangerCorridor[],
) {
  const outside: Interval[] = []
  const danger: Interval[] = []
  let openOut: Interval | undefined
  let openDanger: Interval | undefined
  const visit = (t: number, at: LatLon, span: number) => {
    const beyond = Math.min(...zones.map((z) => distanceM(z.center, at) - z.radiusM))
    openOut = track(outside, openOut, beyond > 0, t, beyond, span)
    openDanger = track(
      danger,
      openDanger,
      corridors.some((c) => distanceToCorridorM(at, c) < 0),
      t,
      0,
      span,
    )
  }
  // A stay is one place for its whole span; a walk is sampled every STEP_MS.
  for (const seg of segments) {
    const t0 = Math.max(seg.t0, from)
    const t1 = Math.min(seg.t1, to)
    if (t1 <= t0) continue
    if (seg.kind === 'stay') visit(t0, seg.at, t1 - t0)
    else for (let t = t0; t < t1; t += STEP_MS) visit(t, locate([seg], t).at, Math.min(STEP_MS, t1 - t))
  }
  for (const [list, open] of [
    [outside, openOut],
    [danger, openDanger],
  ] as const)
    if (open) list.push({ ...open, end: to })
  return { outside, danger }
}

function track(
  list: Interval[],
  open: Interval | undefined,
  inside: boolean,
  t: number,
  beyond: number,
  span: number,
): Interval | undefined {
  if (inside) {
    const i = open ?? { start: t, end: t, maxBeyondM: 0, farMs: 0 }
    i.maxBeyondM = Math.max(i.maxBeyondM, beyond)
    if (beyond >= MUST_ALERT.beyondM) i.farMs += span
    return i
  }
  if (open) list.push({ ...open, end: t })
  return undefined
}
