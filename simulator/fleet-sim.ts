// The whole fleet's traffic in time order: every band's messages merged, plus reconnect storms.
// Scenarios name sets of episode rates. Pure and seeded.
import {
  bandEvents,
  DEFAULT_FAULTS,
  planBand,
  type BandOptions,
  type BandPlan,
  type Faults,
  type SimEvent,
} from './band.ts'
import { DAY_RATES, NO_EPISODES, type EpisodeRates } from './episodes.ts'
import { DEFAULT_NOISE, type NoiseModel } from './noise.ts'
import { createRng } from './random.ts'
import type { Label } from './truth.ts'
import type { Fleet } from './zibo.ts'

export const SCENARIOS = {
  /** Routines plus episodes at everyday rates. */
  day: DAY_RATES,
  /** Nobody leaves: routines inside the zones, noise and faults only. Every alert is false. */
  jitter: NO_EPISODES,
  /** Many wanders of every kind, for scoring detection. */
  wander: { ...NO_EPISODES, wander_slow: 0.15, wander_purposeful: 0.08, wander_night: 0.2, silent_outside: 0.03 },
  /** Every episode kind, often. */
  episodes: {
    wander_slow: 0.1,
    wander_purposeful: 0.05,
    wander_night: 0.1,
    danger: 0.05,
    sos: 0.05,
    fall: 0.05,
    band_removed: 0.05,
    silent_outside: 0.03,
    wander_far: 0,
  },
} satisfies Record<string, EpisodeRates>

export type ScenarioName = keyof typeof SCENARIOS

export interface FleetSimOptions {
  start: number
  durationMs: number
  intervalMs: number
  scenario: ScenarioName
  /** Overrides the scenario's episode rates. */
  rates?: EpisodeRates
  noise?: NoiseModel
  faults?: Faults
  /** Offset from start of a reconnect storm: every band drops and reconnects within 10 s. */
  stormAtMs?: number
  truth?: boolean
}

export type FleetEvent = SimEvent | { t: number; bandId: string; type: 'disconnect' | 'connect' }

export interface FleetSim {
  plans: BandPlan[]
  labels: Label[]
  events(): Generator<FleetEvent>
}

export function simulateFleet(fleet: Fleet, o: FleetSimOptions): FleetSim {
  const bandOptions: BandOptions = {
    start: o.start,
    end: o.start + o.durationMs,
    intervalMs: o.intervalMs,
    noise: o.noise ?? DEFAULT_NOISE,
    faults: o.faults ?? DEFAULT_FAULTS,
    rates: o.rates ?? SCENARIOS[o.scenario],
    corridors: fleet.corridors,
  }
  const root = createRng(fleet.seed)
  let episodeId = 1
  const plans = fleet.residents.map((r) => {
    const plan = planBand(r, bandOptions, root.fork(`plan-${r.key}`), episodeId)
    episodeId += plan.episodes.length
    return plan
  })
  return {
    plans,
    labels: plans.flatMap((p) => p.labels),
    *events() {
      const streams: Generator<FleetEvent>[] = plans.map((p) =>
        bandEvents(p, bandOptions, root.fork(`events-${p.resident.key}`), o.truth),
      )
      if (o.stormAtMs !== undefined) streams.push(storm(fleet, o.start + o.stormAtMs, root.fork('storm')))
      yield* mergeByTime(streams)
    },
  }
}

function* storm(fleet: Fleet, at: number, rng: ReturnType<typeof createRng>): Generator<FleetEvent> {
  const events: FleetEvent[] = []
  for (const r of fleet.residents) {
    events.push({ t: at + rng.uniform(0, 500), bandId: r.bandId, type: 'disconnect' })
    events.push({ t: at + rng.uniform(1000, 10_000), bandId: r.bandId, type: 'connect' })
  }
  yield* events.sort((a, b) => a.t - b.t)
}

/** Merges time-ordered streams into one (a binary heap on each stream's next event). */
export function* mergeByTime<E extends { t: number }>(streams: Iterator<E>[]): Generator<E> {
  const heap: { e: E; s: Iterator<E>; i: number }[] = []
  const less = (a: (typeof heap)[number], b: (typeof heap)[number]) => a.e.t < b.e.t || (a.e.t === b.e.t && a.i < b.i)
  const push = (x: (typeof heap)[number]) => {
    heap.push(x)
    for (let k = heap.length - 1; k > 0; ) {
      const parent = (k - 1) >> 1
      if (!less(heap[k]!, heap[parent]!)) break
      ;[heap[k], heap[parent]] = [heap[parent]!, heap[k]!]
      k = parent
    }
  }
  const pop = () => {
    const top = heap[0]!
    const last = heap.pop()!
    if (heap.length > 0) {
      heap[0] = last
      for (let k = 0; ; ) {
        const l = 2 * k + 1
        const r = l + 1
        let m = k
        if (l < heap.length && less(heap[l]!, heap[m]!)) m = l
        if (r < heap.length && less(heap[r]!, heap[m]!)) m = r
        if (m === k) break
        ;[heap[k], heap[m]] = [heap[m]!, heap[k]!]
        k = m
      }
    }
    return top
  }
  streams.forEach((s, i) => {
    const n = s.next()
    if (!n.done) push({ e: n.value, s, i })
  })
  while (heap.length > 0) {
    const top = pop()
    yield top.e
    const n = top.s.next()
    if (!n.done) push({ e: n.value, s: top.s, i: top.i })
  }
}
