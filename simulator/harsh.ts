// A noise model that is not kind (issue 15): what bands in the field send, as opposed to noise.ts's
// honest model. Correlated indoor drift that outgrows the claimed accuracy for minutes, multipath
// jumps of 150–600 m that still claim ±8–15 m, cell-only stretches (and whole outings seen only by
// cell towers, whose error follows the serving tower), mixed 10–60 s report intervals, QoS 1
// duplicates, gaps whose backlog arrives after the live fix and sometimes newest chunk first,
// homes 45–75 m from a main road or the river, tighter home zones, and second SOS/fall presses.
// Pure and seeded.
import { delta, distanceM, offset, type LatLon } from './geo.ts'
import type { Rng } from './random.ts'
import type { Source } from './noise.ts'
import { DANGER_CORRIDORS, type Fleet, type Resident } from './zibo.ts'

export interface HarshModel {
  /** Each band reports every one of these (seconds), chosen per band. */
  intervalsS: readonly number[]
  /** Source mix (cell share, Wi-Fi share; GPS the rest) outdoors and indoors. */
  outdoor: { lbs: number; wifi: number }
  indoor: { lbs: number; wifi: number }
  /** Per-axis σ (m) and the accuracy bands claim, by source. */
  gps: { sigma: number; claim: [number, number]; indoorClaim: [number, number] }
  wifi: { sigma: number; claim: [number, number] }
  lbs: { sigma: number; claim: [number, number] }
  /** Indoor drift: per-axis σ (m) and correlation time (s); it fades outdoors within driftFadeS. */
  drift: { sigma: number; tauS: number; fadeS: number }
  /** The serving cell tower's offset: per-axis σ and correlation time. */
  tower: { sigma: number; tauS: number }
  /** Multipath: chance per GPS fix, jump size and the accuracy it still claims. */
  jump: { chance: number; m: [number, number]; claim: [number, number] }
  /** Cell-only stretches per band-hour and their length (minutes); share of outings seen only by cells. */
  cellOnly: { perHour: number; minutes: [number, number]; outingShare: number }
  duplicate: number
  /** No-network gaps per band-hour (5–30 minutes, band.ts); chance a backlog arrives newest chunk first. */
  gaps: { perHour: number; newestFirst: number }
  /** Share of home residents moved 45–75 m from a road or the river, and of those given a tight zone. */
  nearRoad: { share: number; m: [number, number] }
  tightZone: { share: number; minM: number }
  /** Chance an SOS or fall is pressed again, after this many minutes. */
  repeat: { chance: number; afterMin: [number, number] }
  /** Seconds a command takes to reach the band, and a locate to produce a fix. */
  commandS: [number, number]
  locateS: [number, number]
}

export const HARSH: HarshModel = {
  intervalsS: [10, 15, 20, 30, 30, 45, 60, 60],
  outdoor: { lbs: 0.04, wifi: 0.08 },
  indoor: { lbs: 0.25, wifi: 0.55 },
  gps: { sigma: 5, claim: [5, 15], indoorClaim: [20, 50] },
  wifi: { sigma: 25, claim: [25, 75] },
  lbs: { sigma: 120, claim: [500, 1000] },
  drift: { sigma: 50, tauS: 300, fadeS: 30 },
  tower: { sigma: 300, tauS: 900 },
  jump: { chance: 0.01, m: [150, 600], claim: [8, 15] },
  cellOnly: { perHour: 0.05, minutes: [5, 30], outingShare: 0.2 },
  duplicate: 0.02,
  gaps: { perHour: 0.08, newestFirst: 0.5 },
  nearRoad: { share: 0.4, m: [45, 75] },
  tightZone: { share: 0.5, minM: 150 },
  repeat: { chance: 0.5, afterMin: [2, 8] },
  commandS: [1, 3],
  locateS: [3, 8],
}

/** The fleet with some homes moved beside a road or the river, some with tight zones (routine places kept inside). */
export function harshFleet(fleet: Fleet, model: HarshModel, rng: Rng): Fleet {
  const residents = fleet.residents.map((r): Resident => {
    const own = rng.fork(r.key)
    if (r.livesIn !== 'home' || r.dayVisitor || !own.chance(model.nearRoad.share)) return r
    const c = own.pick(DANGER_CORRIDORS)
    const k = own.int(1, c.line.length - 1)
    const a = c.line[k - 1]!
    const b = c.line[k]!
    const f = own.uniform(0.2, 0.8)
    const onLine = { lat: a.lat + (b.lat - a.lat) * f, lon: a.lon + (b.lon - a.lon) * f }
    const d = delta(a, b)
    const len = Math.hypot(d.east, d.north)
    const side = own.chance(0.5) ? 1 : -1
    const away = c.halfWidthM + own.uniform(...model.nearRoad.m)
    const home = offset(onLine, (side * -d.north * away) / len, (side * d.east * away) / len)
    const move = (p: LatLon) => {
      const m = delta(r.home, p)
      return offset(home, m.east, m.north)
    }
    const [park, market] = [move(r.park), move(r.market)]
    const zone = r.zones[0]!
    const fits = Math.round(Math.max(model.tightZone.minM, distanceM(home, park) + 60, distanceM(home, market) + 60))
    const tight = own.chance(model.tightZone.share) ? fits : zone.radiusM
    return { ...r, home, park, market, zones: [{ ...zone, center: home, radiusM: Math.min(zone.radiusM, tight) }] }
  })
  return { ...fleet, residents }
}

/** A band's correlated errors, carried from fix to fix. */
export interface ErrorState {
  t: number
  drift: [number, number]
  tower: [number, number]
}

export const freshErrors = (t: number, model: HarshModel, rng: Rng): ErrorState => ({
  t,
  drift: [0, 0],
  tower: [rng.normal(model.tower.sigma), rng.normal(model.tower.sigma)],
})

/** An Ornstein–Uhlenbeck step: the value keeps most of itself over dt, and stays at σ overall. */
const ou = (x: number, dtS: number, tauS: number, sigma: number, rng: Rng) => {
  const rho = Math.exp(-dtS / tauS)
  return x * rho + Math.sqrt(1 - rho * rho) * rng.normal(sigma)
}

export interface HarshFix {
  lat: number
  lon: number
  acc: number
  src: Source
  jump: boolean
}

export function harshMeasure(
  truth: LatLon,
  t: number,
  indoor: boolean,
  cellOnly: boolean,
  e: ErrorState,
  model: HarshModel,
  rng: Rng,
): HarshFix {
  const dtS = Math.max(0, (t - e.t) / 1000)
  e.t = t
  const fade = Math.exp(-dtS / model.drift.fadeS)
  const drift = (x: number) => ou(x, dtS, model.drift.tauS, model.drift.sigma, rng)
  e.drift = indoor ? [drift(e.drift[0]), drift(e.drift[1])] : [e.drift[0] * fade, e.drift[1] * fade]
  const tower = (x: number) => ou(x, dtS, model.tower.tauS, model.tower.sigma, rng)
  e.tower = [tower(e.tower[0]), tower(e.tower[1])]
  const mix = indoor ? model.indoor : model.outdoor
  const roll = rng.next()
  const src: Source = cellOnly || roll < mix.lbs ? 'lbs' : roll < mix.lbs + mix.wifi ? 'wifi' : 'gps'
  const m = model[src]
  let east = rng.normal(m.sigma) + (src === 'lbs' ? e.tower[0] : e.drift[0])
  let north = rng.normal(m.sigma) + (src === 'lbs' ? e.tower[1] : e.drift[1])
  let acc = rng.uniform(...(src === 'gps' && indoor ? model.gps.indoorClaim : m.claim))
  let jump = false
  if (src === 'gps' && rng.chance(model.jump.chance)) {
    const d = rng.uniform(...model.jump.m)
    const a = rng.uniform(0, 2 * Math.PI)
    east += d * Math.sin(a)
    north += d * Math.cos(a)
    acc = rng.uniform(...model.jump.claim)
    jump = true
  }
  const p = offset(truth, east, north)
  return { lat: Math.round(p.lat * 1e6) / 1e6, lon: Math.round(p.lon * 1e6) / 1e6, acc: Math.round(acc), src, jump }
}
