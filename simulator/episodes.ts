// Episodes with known truth: wandering (slow drift, purposeful walk, night), entering a danger
// corridor, SOS, falls, band removal, and going silent while outside. Pure and seeded.
import { distanceM, toward, type LatLon } from './geo.ts'
import { HOUR, MINUTE, localMidnight, type Activity } from './itinerary.ts'
import type { Rng } from './random.ts'
import { DANGER_CORRIDORS, type Resident } from './zibo.ts'

export type EpisodeKind =
  | 'wander_slow'
  | 'wander_purposeful'
  | 'wander_night'
  | 'danger'
  | 'sos'
  | 'fall'
  | 'band_removed'
  | 'silent_outside'
  | 'wander_far'

export const EPISODE_KINDS: readonly EpisodeKind[] = [
  'wander_slow',
  'wander_purposeful',
  'wander_night',
  'danger',
  'sos',
  'fall',
  'band_removed',
  'silent_outside',
  // Last, so that drawing it (at rate 0 in every scenario but the harsh bench's cell-only outings,
  // bench/support/cell-outings.ts) does not shift the draws of the kinds before it.
  'wander_far',
]

/** Expected episodes per band per simulated hour, by kind. */
export type EpisodeRates = Record<EpisodeKind, number>

export const NO_EPISODES: EpisodeRates = Object.fromEntries(EPISODE_KINDS.map((k) => [k, 0])) as EpisodeRates

export const DAY_RATES: EpisodeRates = {
  wander_slow: 0.004,
  wander_purposeful: 0.002,
  wander_night: 0.01,
  danger: 0.001,
  sos: 0.002,
  fall: 0.001,
  band_removed: 0.002,
  silent_outside: 0.001,
  wander_far: 0,
}

export interface Episode {
  id: number
  kind: EpisodeKind
  /** When it begins: the resident leaves home, presses SOS, falls or takes the band off. */
  start: number
  /** For outings: the route. */
  activity?: Activity
  /** band_removed: when the band is worn again. silent_outside: when the band goes silent (after leaving). */
  until?: number
  silenceAfterExitMs?: number
}

/** Draws the episodes of one resident over [from, to). `firstId` numbers them fleet-wide. */
export function drawEpisodes(
  r: Resident,
  rates: EpisodeRates,
  from: number,
  to: number,
  rng: Rng,
  firstId: number,
): Episode[] {
  const hours = (to - from) / HOUR
  const episodes: Episode[] = []
  const homeZone = r.zones[0]!
  for (const kind of EPISODE_KINDS) {
    const n = rng.poisson(rates[kind] * hours)
    for (let i = 0; i < n; i++) {
      let start = rng.uniform(from + 5 * MINUTE, to - 25 * MINUTE)
      if (start <= from) continue
      if (kind === 'wander_night') {
        // Between 00:30 and 04:00 local on the night of `start`.
        start = localMidnight(start) + rng.uniform(0.5, 4) * HOUR
        if (start < from + 5 * MINUTE || start > to - 25 * MINUTE) continue
      }
      const id = firstId + episodes.length
      const beyond = (min: number, max: number) => homeZone.radiusM + rng.uniform(min, max)
      const out = (dist: number, speed: number, lingerMin: [number, number], noReturn = false): Activity => {
        const far = toward(r.home, rng.uniform(0, 2 * Math.PI), dist)
        return {
          start,
          speed,
          episode: id,
          noReturn,
          stops: [{ at: far, stayMs: rng.int(...lingerMin) * MINUTE, indoor: false }],
        }
      }
      switch (kind) {
        case 'wander_slow':
          episodes.push({ id, kind, start, activity: out(beyond(200, 450), rng.uniform(0.35, 0.6), [5, 20]) })
          break
        case 'wander_purposeful':
          episodes.push({ id, kind, start, activity: out(beyond(500, 1200), rng.uniform(1.0, 1.3), [5, 15]) })
          break
        case 'wander_far':
          // A long walk out, 1.2–3 km beyond the boundary: the "1.5–2 km away" (issue 15).
          episodes.push({ id, kind, start, activity: out(beyond(1200, 3000), rng.uniform(1.0, 1.3), [5, 15]) })
          break
        case 'wander_night':
          episodes.push({ id, kind, start, activity: out(beyond(200, 500), rng.uniform(0.4, 0.8), [10, 30]) })
          break
        case 'silent_outside':
          episodes.push({
            id,
            kind,
            start,
            activity: out(beyond(250, 500), rng.uniform(0.5, 0.9), [0, 0], true),
            silenceAfterExitMs: rng.int(1, 4) * MINUTE,
          })
          break
        case 'danger': {
          const target = nearestCorridorPoint(r.home)
          if (!target || distanceM(r.home, target) > 2500) break
          episodes.push({
            id,
            kind,
            start,
            activity: {
              start,
              speed: rng.uniform(0.8, 1.1),
              episode: id,
              stops: [{ at: target, stayMs: rng.int(4, 10) * MINUTE, indoor: false }],
            },
          })
          break
        }
        case 'band_removed':
          episodes.push({ id, kind, start, until: start + rng.uniform(1, 3) * HOUR })
          break
        case 'sos':
        case 'fall':
          episodes.push({ id, kind, start })
          break
      }
    }
  }
  return episodes
}

/** A point on the centre line of the nearest danger corridor. */
function nearestCorridorPoint(p: LatLon): LatLon | undefined {
  let best: { at: LatLon; d: number } | undefined
  for (const c of DANGER_CORRIDORS) {
    for (let i = 1; i < c.line.length; i++) {
      const a = c.line[i - 1]!
      const b = c.line[i]!
      for (let f = 0; f <= 1; f += 0.01) {
        const at = { lat: a.lat + (b.lat - a.lat) * f, lon: a.lon + (b.lon - a.lon) * f }
        const d = distanceM(p, at)
        if (!best || d < best.d) best = { at, d }
      }
    }
  }
  return best?.at
}
