// One simulated band: its resident's true path, the episodes, and what the band sends — fixes
// with noise, battery, SOS/fall/removal events, no-network gaps uploaded later as backlog arrays,
// QoS 1 redelivery duplicates, and silence. Pure and seeded: no clock, no I/O.
import { drawEpisodes, type Episode, type EpisodeRates } from './episodes.ts'
import type { LatLon } from './geo.ts'
import { buildItinerary, locate, MINUTE, routineActivities, type Segment } from './itinerary.ts'
import { measure, type Measured, type NoiseModel } from './noise.ts'
import type { Rng } from './random.ts'
import { MUST_ALERT, sampleIntervals, type Label } from './truth.ts'
import type { DangerCorridor, Resident } from './zibo.ts'

export interface Faults {
  /** No-network gaps per band per hour; each lasts 5–30 minutes. */
  gapsPerHour: number
  /** Chance that a message is delivered twice (QoS 1 redelivery). */
  duplicate: number
}

export const DEFAULT_FAULTS: Faults = { gapsPerHour: 0.02, duplicate: 0.003 }

export interface BandOptions {
  start: number
  end: number
  intervalMs: number
  noise: NoiseModel
  faults: Faults
  rates: EpisodeRates
  corridors: readonly DangerCorridor[]
}

export type SimEvent =
  | { t: number; bandId: string; type: 'publish'; payload: string; dup?: boolean }
  | { t: number; bandId: string; type: 'truth'; lat: number; lon: number }

export interface BandPlan {
  resident: Resident
  segments: Segment[]
  episodes: Episode[]
  labels: Label[]
  gaps: [number, number][]
  /** The band sends nothing from this time on. */
  silentFrom: number
}

export function planBand(resident: Resident, o: BandOptions, rng: Rng, firstEpisodeId: number): BandPlan {
  const episodes = drawEpisodes(resident, o.rates, o.start, o.end, rng.fork('episodes'), firstEpisodeId)
  const activities = [
    ...routineActivities(resident, o.start, o.end, rng.fork('routine')),
    ...episodes.flatMap((e) => (e.activity ? [e.activity] : [])),
  ]
  const segments = buildItinerary(resident.home, activities, o.start, o.end)
  let { outside, danger } = sampleIntervals(segments, o.start, o.end, resident.zones, o.corridors)
  let silentFrom = Infinity
  for (const e of episodes) {
    if (e.kind !== 'silent_outside') continue
    const exit = outside.find((i) => i.start >= e.start)
    if (exit) silentFrom = Math.min(silentFrom, exit.start + e.silenceAfterExitMs!)
  }
  // What happens after the band falls silent is not observable: truth stops there too.
  if (silentFrom < o.end)
    ({ outside, danger } = sampleIntervals(segments, o.start, silentFrom, resident.zones, o.corridors))
  const episodeAt = (t: number) =>
    episodes.find((e) => e.activity && e.start <= t + MINUTE && t <= activityEnd(segments, e.start))
  const labels: Label[] = []
  const bandId = resident.bandId
  for (const i of outside) {
    const mustAlert = i.maxBeyondM >= MUST_ALERT.beyondM && i.farMs >= MUST_ALERT.forMs
    labels.push({
      bandId,
      kind: 'left_safe_zone',
      start: i.start,
      end: i.end,
      mustAlert,
      episode: episodeAt(i.start)?.kind,
      maxBeyondM: Math.round(i.maxBeyondM),
    })
  }
  for (const i of danger)
    labels.push({
      bandId,
      kind: 'entered_danger_zone',
      start: i.start,
      end: i.end,
      mustAlert: true,
      episode: episodeAt(i.start)?.kind,
    })
  const gaps: [number, number][] = []
  const gapRng = rng.fork('gaps')
  const nGaps = gapRng.poisson(o.faults.gapsPerHour * ((o.end - o.start) / 3_600_000))
  for (let i = 0; i < nGaps; i++) {
    const g0 = gapRng.uniform(o.start, o.end)
    gaps.push([g0, g0 + gapRng.int(5, 30) * MINUTE])
  }
  // An event the band never manages to send (silent by then, or held in a backlog that is never
  // uploaded) is not in the truth: nobody could have been told.
  const sent = (t: number) => t < silentFrom && !gaps.some(([a, b]) => t >= a && t < b && b >= silentFrom)
  for (const e of episodes) {
    if (!sent(e.start)) continue
    if (e.kind === 'sos' || e.kind === 'fall')
      labels.push({ bandId, kind: e.kind, start: e.start, end: e.start, mustAlert: true, episode: e.kind })
    if (e.kind === 'band_removed')
      labels.push({
        bandId,
        kind: 'band_removed',
        start: e.start,
        end: Math.min(e.until!, o.end),
        mustAlert: true,
        episode: e.kind,
      })
  }
  for (const [a, b] of gaps)
    if (a < Math.min(silentFrom, o.end))
      labels.push({ bandId, kind: 'no_network', start: a, end: Math.min(b, o.end), mustAlert: false })
  if (silentFrom < o.end)
    labels.push({
      bandId,
      kind: 'silent_outside',
      start: silentFrom,
      end: o.end,
      mustAlert: true,
      episode: 'silent_outside',
    })
  return { resident, segments, episodes, labels: labels.sort((a, b) => a.start - b.start), gaps, silentFrom }
}

function activityEnd(segments: Segment[], start: number): number {
  // The end of the outing that starts at `start`: the first indoor stay at home after it.
  const first = segments.findIndex((s) => s.t1 > start)
  for (let i = Math.max(first, 0); i < segments.length; i++) {
    const s = segments[i]!
    if (s.kind === 'stay' && s.indoor && s.t0 > start) return s.t0
  }
  return Infinity
}

/** The band's messages (and, with `truth`, its true positions) in time order. */
export function* bandEvents(plan: BandPlan, o: BandOptions, rng: Rng, truth = false): Generator<SimEvent> {
  const bandId = plan.resident.bandId
  const noise = rng.fork('noise')
  const faults = rng.fork('faults')
  const seq0 = rng.int(0, 1000)
  let batt = rng.int(40, 100)
  let chg = false
  let backlog: object[] = []
  const pointEvents = plan.episodes
    .flatMap((e) =>
      e.kind === 'sos' || e.kind === 'fall'
        ? [{ t: e.start, evt: e.kind }]
        : e.kind === 'band_removed'
          ? [
              { t: e.start, evt: 'removed' },
              { t: e.until!, evt: 'worn' },
            ]
          : [],
    )
    .filter((p) => p.t < o.end)
    .sort((a, b) => a.t - b.t)

  const report = fixReporter(plan.segments, (p, indoor) => measure(p, indoor, o.noise, noise), seq0)

  const inGap = (t: number) => plan.gaps.some(([a, b]) => t >= a && t < b)
  let t = o.start + rng.uniform(0, o.intervalMs)
  let p = 0
  while (t < o.end && t < plan.silentFrom) {
    // A pressed or detected event is sent at once, between regular reports.
    const due = pointEvents[p] && pointEvents[p]!.t <= t ? pointEvents[p++]! : undefined
    const at = due ? due.t : t
    if (at >= plan.silentFrom) break
    const { fix, truthAt } = report(at, { batt, chg }, due?.evt)
    if (truth) yield { t: at, bandId, type: 'truth', lat: truthAt.lat, lon: truthAt.lon }
    if (inGap(at)) {
      backlog.push(fix)
    } else {
      const payload = JSON.stringify(fix)
      yield { t: at, bandId, type: 'publish', payload }
      if (faults.chance(o.faults.duplicate)) yield { t: at + 200, bandId, type: 'publish', payload, dup: true }
      // Back in coverage: the live fix went first; the backlog follows, oldest first, in arrays.
      for (let i = 0; i < backlog.length; i += 40) {
        yield { t: at + 1 + i, bandId, type: 'publish', payload: JSON.stringify(backlog.slice(i, i + 40)) }
      }
      backlog = []
    }
    if (!due) {
      const minutes = o.intervalMs / MINUTE
      batt = chg ? Math.min(100, batt + minutes) : Math.max(1, batt - 0.06 * minutes)
      if (!chg && batt < 15) chg = true
      if (chg && batt >= 100) chg = false
      t += o.intervalMs
    }
  }
}

/**
 * A band's fixes from its resident's true path: position with noise (`noisy`), battery, and the event
 * pressed or detected with it (a removed band stays where it was taken off until worn again).
 */
export function fixReporter(
  segments: Segment[],
  noisy: (truth: LatLon, indoor: boolean, t: number) => Pick<Measured, 'lat' | 'lon' | 'acc' | 'src'>,
  firstSeq: number,
) {
  let seq = firstSeq
  let hint = 0
  let removedAt: LatLon | undefined
  return (t: number, power: { batt: number; chg: boolean }, evt?: string) => {
    const here = locate(segments, t, hint)
    hint = here.index
    if (evt === 'removed') removedAt = here.at
    const m = noisy(removedAt ?? here.at, removedAt ? true : here.indoor, t)
    if (evt === 'worn') removedAt = undefined
    const fix: Record<string, unknown> = {
      v: 1,
      seq,
      ts: t / 1000,
      lat: m.lat,
      lon: m.lon,
      acc: m.acc,
      src: m.src,
      batt: Math.round(power.batt),
    }
    if (power.chg) fix.chg = true
    if (evt) fix.evt = [evt]
    seq = (seq + 1) % 2 ** 32
    return { fix, truthAt: here.at }
  }
}
