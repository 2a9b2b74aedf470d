// Ground-truth table for the geofence: the simulator's fleet, fed straight into the engine (and
// into a naive one-fix engine, the way the open-source peers decide) in simulated time, scored
// against the episodes' truth. No broker or database: this measures the rules alone.
//
//   npm run bench:geofence-truth -- [--bands 1500] [--hours 2] [--seed 7] [--start 2026-11-27T14:00:00Z]
//   npm run bench:geofence-truth -- --traffic harsh --bands 300 --hours 24   (issue 15: geofence-harsh.ts)
//   npm run bench:geofence-truth -- --traffic harsh --cell-outings ...      (every outing seen only by cell towers)
import { parseArgs } from 'node:util'
import {
  DEFAULT_POLICY,
  distanceBeyond,
  initialState,
  insideShape,
  nearBox,
  step,
  tick,
  type BandState,
} from '../geofence/index.ts'
import { formatScore, generateFleet, score, simulateFleet, type ScenarioName } from '../simulator/index.ts'
import { harshBench } from './geofence-harsh.ts'
import { zonesOf } from './support/truth-zones.ts'
import type { Fleet } from '../simulator/zibo.ts'

interface Alert {
  bandId: string
  kind: string
  fixTime: number
}
interface Fix {
  ts: number
  seq: number
  lat?: number
  lon?: number
  acc?: number
  src?: string
  batt?: number
  evt?: string[]
}

/** Tongxing's engine, stepping on each report as it arrives and ticking every 5 simulated seconds. */
function tongxing(fleet: Fleet, reports: Iterable<{ t: number; bandId: string; fixes: Fix[] }>, end: number): Alert[] {
  const zones = zonesOf(fleet)
  const states = new Map<string, BandState>()
  const alerts: Alert[] = []
  const take = (bandId: string, r: { state: BandState; events: { type: string; kind: string; fixTime: number }[] }) => {
    states.set(bandId, r.state)
    for (const e of r.events) if (e.type === 'raise') alerts.push({ bandId, kind: e.kind, fixTime: e.fixTime })
  }
  let nextTick = -Infinity
  const tickAll = (now: number) => {
    for (const [bandId, s] of states) take(bandId, tick(s, now, DEFAULT_POLICY))
  }
  for (const r of reports) {
    if (r.t >= nextTick) {
      if (nextTick > -Infinity) tickAll(r.t)
      nextTick = r.t + 5000
    }
    for (const f of [...r.fixes].sort((a, b) => a.ts - b.ts)) {
      take(r.bandId, step(states.get(r.bandId) ?? initialState(r.t), f, zones.get(r.bandId)!, DEFAULT_POLICY, r.t))
    }
  }
  tickAll(end)
  return alerts
}

/** The peers' rule: one fix's centre decides (accuracy ignored); outside raises, inside clears. */
function naive(fleet: Fleet, reports: Iterable<{ t: number; bandId: string; fixes: Fix[] }>): Alert[] {
  const zones = zonesOf(fleet)
  const flags = new Set<string>()
  const alerts: Alert[] = []
  const flip = (key: string, on: boolean, alert: Alert) => {
    if (on && !flags.has(key)) {
      flags.add(key)
      alerts.push(alert)
    } else if (!on) flags.delete(key)
  }
  for (const r of reports) {
    for (const f of r.fixes) {
      if (f.lat === undefined || f.lon === undefined) continue
      const mine = zones.get(r.bandId)!
      const outside = !mine.some((z) => z.kind === 'safe' && distanceBeyond(z.shape, f.lat!, f.lon!) < 0)
      flip(`${r.bandId}/safe`, outside, { bandId: r.bandId, kind: 'left_safe_zone', fixTime: f.ts })
      for (const z of mine.filter((x) => x.kind === 'danger')) {
        flip(`${r.bandId}/${z.id}`, nearBox(z.shape, f.lat, f.lon, 0) && insideShape(z.shape, f.lat, f.lon), {
          bandId: r.bandId,
          kind: 'entered_danger_zone',
          fixTime: f.ts,
        })
      }
    }
  }
  return alerts
}

const { values: v } = parseArgs({
  options: {
    bands: { type: 'string', default: '1500' },
    hours: { type: 'string', default: '2' },
    seed: { type: 'string', default: '7' },
    start: { type: 'string', default: '2026-11-27T14:00:00Z' },
    traffic: { type: 'string', default: 'kind' },
    'cell-outings': { type: 'boolean', default: false },
  },
})
if (v.traffic === 'harsh') {
  harshBench({
    bands: Number(v.bands),
    hours: Number(v.hours),
    seed: Number(v.seed),
    start: Date.parse(v.start),
    cellOutings: v['cell-outings'],
  })
  process.exit(0)
}
const bands = Number(v.bands)
const durationMs = Number(v.hours) * 3_600_000
const start = Date.parse(v.start)
console.log(
  `# geofence against ground truth — ${bands} bands, ${v.hours} h from ${v.start} ` +
    `(22:00 in Zibo for the default), seed ${v.seed}, 30 s reports`,
)
for (const scenario of ['jitter', 'day', 'wander'] as ScenarioName[]) {
  const fleet = generateFleet({ bands, seed: Number(v.seed) })
  const sim = simulateFleet(fleet, { start, durationMs, intervalMs: 30_000, scenario })
  const reports = [...sim.events()].flatMap((e) =>
    e.type === 'publish'
      ? [
          {
            t: e.t,
            bandId: e.bandId,
            fixes: [JSON.parse(e.payload) as Fix | Fix[]].flat().map((f) => ({ ...f, ts: f.ts * 1000 })),
          },
        ]
      : [],
  )
  const bandHours = (bands * durationMs) / 3_600_000
  for (const [name, alerts] of [
    ['tongxing', tongxing(fleet, reports, start + durationMs)],
    ['naive one-fix', naive(fleet, reports)],
  ] as const) {
    console.log(`\n## ${scenario} — ${name}\n`)
    console.log(formatScore(score(sim.labels, alerts, bandHours)))
  }
}
