// Where a resident truly is: a day of routine (sleep, park, market, day-centre visits, an evening
// stroll) plus the episodes, as a list of segments. Every activity starts and ends at home, and
// routine places lie inside the resident's safe zones. Local time is Asia/Shanghai (UTC+8).
import { distanceM, lerp, type LatLon } from './geo.ts'
import type { Rng } from './random.ts'
import type { Resident } from './zibo.ts'

export type Segment =
  | { kind: 'stay'; t0: number; t1: number; at: LatLon; indoor: boolean }
  | { kind: 'walk'; t0: number; t1: number; from: LatLon; to: LatLon }

/** An outing from home: walk to each stop in turn, stay, then walk home. */
export interface Activity {
  start: number
  stops: { at: LatLon; stayMs: number; indoor: boolean }[]
  speed: number
  /** Episodes keep their identity so their truth can be labelled. */
  episode?: number
  /** The resident does not come home (the window ends first). */
  noReturn?: boolean
}

export const MINUTE = 60_000
export const HOUR = 60 * MINUTE
const DAY = 24 * HOUR
const TZ_OFFSET = 8 * HOUR

/** Local midnight (Asia/Shanghai) at or before `t`. */
export const localMidnight = (t: number) => Math.floor((t + TZ_OFFSET) / DAY) * DAY - TZ_OFFSET

export function routineActivities(r: Resident, from: number, to: number, rng: Rng): Activity[] {
  const out: Activity[] = []
  const speed = rng.uniform(0.6, 1.0)
  for (let day = localMidnight(from); day < to; day += DAY) {
    const at = (h: number, m = 0) => day + h * HOUR + m * MINUTE + rng.int(-10, 10) * MINUTE
    if (r.livesIn === 'centre') {
      out.push({ start: at(10), speed: 0.5, stops: [{ at: r.park, stayMs: rng.int(15, 25) * MINUTE, indoor: false }] })
      out.push({
        start: at(15),
        speed: 0.5,
        stops: [{ at: r.market, stayMs: rng.int(20, 35) * MINUTE, indoor: false }],
      })
      continue
    }
    if (rng.chance(0.5))
      out.push({ start: at(6, 30), speed, stops: [{ at: r.park, stayMs: rng.int(25, 45) * MINUTE, indoor: false }] })
    if (r.dayVisitor) {
      const centre = r.zones[1]!.center
      out.push({ start: at(8, 30), speed, stops: [{ at: centre, stayMs: 7 * HOUR, indoor: true }] })
    } else if (rng.chance(0.4)) {
      out.push({ start: at(9, 30), speed, stops: [{ at: r.market, stayMs: rng.int(20, 40) * MINUTE, indoor: false }] })
    }
    if (rng.chance(0.5))
      out.push({ start: at(18, 30), speed, stops: [{ at: r.park, stayMs: rng.int(5, 15) * MINUTE, indoor: false }] })
  }
  return out
}

/**
 * Segments from `from` to `to`: the resident stays home between activities. An activity that
 * would start while another is under way is delayed until the resident is home; routine
 * activities overlapping an episode are dropped.
 */
export function buildItinerary(home: LatLon, activities: Activity[], from: number, to: number): Segment[] {
  const sorted = [...activities].sort((a, b) => a.start - b.start || (b.episode ?? -1) - (a.episode ?? -1))
  const episodes = sorted.filter((a) => a.episode !== undefined)
  const segments: Segment[] = []
  let cursor = from
  const push = (s: Segment) => {
    if (s.t1 > s.t0) segments.push(s)
  }
  for (const act of sorted) {
    if (act.start < cursor) {
      if (act.episode === undefined) continue
    } else if (
      act.episode === undefined &&
      episodes.some((e) => e.start >= act.start && e.start < estimateEnd(home, act))
    ) {
      continue // a routine outing would run into an episode: the episode wins
    }
    const start = Math.max(act.start, cursor)
    push({ kind: 'stay', t0: cursor, t1: start, at: home, indoor: true })
    let t = start
    let here = home
    for (const stop of act.stops) {
      const walk = (distanceM(here, stop.at) / act.speed) * 1000
      push({ kind: 'walk', t0: t, t1: t + walk, from: here, to: stop.at })
      t += walk
      push({ kind: 'stay', t0: t, t1: t + stop.stayMs, at: stop.at, indoor: stop.indoor })
      t += stop.stayMs
      here = stop.at
    }
    if (act.noReturn) {
      push({ kind: 'stay', t0: t, t1: Math.max(t, to), at: here, indoor: false })
      return clip(segments, to)
    }
    const back = (distanceM(here, home) / act.speed) * 1000
    push({ kind: 'walk', t0: t, t1: t + back, from: here, to: home })
    cursor = t + back
  }
  push({ kind: 'stay', t0: cursor, t1: Math.max(cursor, to), at: home, indoor: true })
  return clip(segments, to)
}

function estimateEnd(home: LatLon, a: Activity): number {
  let t = a.start
  let here = home
  for (const s of a.stops) {
    t += (distanceM(here, s.at) / a.speed) * 1000 + s.stayMs
    here = s.at
  }
  return t + (distanceM(here, home) / a.speed) * 1000
}

function clip(segments: Segment[], to: number): Segment[] {
  const out = segments.filter((s) => s.t0 < to)
  const last = out[out.length - 1]
  if (last && last.t1 < to)
    out.push({
      kind: 'stay',
      t0: last.t1,
      t1: to,
      at: last.kind === 'stay' ? last.at : last.to,
      indoor: last.kind === 'stay' && last.indoor,
    })
  return out
}

/** Position and whether indoors at `t`, looking up from a hint index (t only grows). */
export function locate(segments: Segment[], t: number, hint = 0): { at: LatLon; indoor: boolean; index: number } {
  let i = Math.min(hint, segments.length - 1)
  while (i < segments.length - 1 && segments[i]!.t1 <= t) i++
  while (i > 0 && segments[i]!.t0 > t) i--
  const s = segments[i]!
  if (s.kind === 'stay') return { at: s.at, indoor: s.indoor, index: i }
  const f = s.t1 === s.t0 ? 1 : Math.min(1, Math.max(0, (t - s.t0) / (s.t1 - s.t0)))
  return { at: lerp(s.from, s.to, f), indoor: false, index: i }
}
