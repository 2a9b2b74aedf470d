// Why the engine misses or is slow on harsh traffic (issue 15): runs the harsh bench's world with
// search mode on, then lists each missed or slow (> --slow s) wander and each missed danger visit
// with what the band was doing and the fixes the engine saw around it, and a cause for each.
//
//   npx tsx bench/geofence-harsh-trace.ts -- [--bands 150] [--hours 24] [--seed 7] [--slow 90] [--fixes [--band ID ...]]
//     [--cell-outings]   (every outing seen only by cell towers: bench/support/cell-outings.ts)
import { parseArgs } from 'node:util'
import { distanceBeyond, type Zone } from '../geofence/index.ts'
import type { BandPlan } from '../simulator/band.ts'
import type { HarshRecord } from '../simulator/harsh-band.ts'
import type { Label } from '../simulator/truth.ts'
import { quantile } from '../simulator/index.ts'
import { engine, harshWorld, matches, runRule } from './geofence-harsh.ts'
import { sweep } from './support/cell-rules.ts'
import { cellOnly, crossingSeen, table } from './support/harsh-scoring.ts'

interface Seen {
  arrived: number
  ts: number
  lat?: number
  lon?: number
  acc?: number
  src?: string
  evt?: string[]
  /** The engine's zone state once this report was judged. */
  zone?: string
}

const { values: v } = parseArgs({
  options: {
    bands: { type: 'string', default: '150' },
    hours: { type: 'string', default: '24' },
    seed: { type: 'string', default: '7' },
    start: { type: 'string', default: '2026-11-27T14:00:00Z' },
    slow: { type: 'string', default: '90' },
    fixes: { type: 'boolean', default: false },
    band: { type: 'string', multiple: true },
    'cell-outings': { type: 'boolean', default: false },
  },
})
const o = {
  bands: Number(v.bands),
  hours: Number(v.hours),
  seed: Number(v.seed),
  start: Date.parse(v.start),
  cellOutings: v['cell-outings'],
}
const world = harshWorld(o)
const seen = new Map<string, Seen[]>()
const traced: Parameters<typeof runRule>[2] = (bandId, zones, alerts, start) => {
  const judge = engine(true)(bandId, zones, alerts, start)
  const log: Seen[] = []
  seen.set(bandId, log)
  return {
    feed(t, fixes) {
      const commands = judge.feed(t, fixes)
      for (const f of fixes) log.push({ arrived: t, ...f, zone: judge.zone?.() })
      return commands
    },
    tick: judge.tick,
  }
}
const { alerts, records } = runRule(world.plans, world.zones, traced, {
  start: o.start,
  end: world.end,
  seed: o.seed,
  model: world.model,
})
const plans = new Map(world.plans.map((p) => [p.resident.bandId, p]))

const beyondSafe = (zones: Zone[], f: Seen) =>
  Math.min(...zones.filter((z) => z.kind === 'safe').map((z) => distanceBeyond(z.shape, f.lat!, f.lon!)))
const beyondDanger = (zones: Zone[], f: Seen) =>
  Math.min(...zones.filter((z) => z.kind === 'danger').map((z) => distanceBeyond(z.shape, f.lat!, f.lon!)))
const clock = (t: number) => new Date(t).toISOString().slice(11, 19)
const overlaps = (spans: readonly [number, number][], a: number, b: number) =>
  spans.some(([x, y]) => Math.min(y, b) > Math.max(x, a))

/** A first guess at why: what the band could show the engine during the label. */
function cause(l: Label, plan: BandPlan, record: HarshRecord, fixes: Seen[], zones: Zone[]): string {
  const removed = record.presses.filter((p) => p.evt === 'removed' && p.t <= l.start).at(-1)
  const worn = record.presses.find((p) => p.evt === 'worn' && removed && p.t > removed.t)
  if (removed && (!worn || worn.t > l.start)) return 'band removed before the outing (it stayed at home)'
  if (overlaps(plan.gaps, l.start, l.start + 60_000)) return 'outing started inside a no-network gap'
  // An exit alert raised for an earlier outing never resolved: "back inside" needs two fixes whose
  // centre is inside, which cell fixes (±300 m off) rarely give a small zone twice in a row.
  if (fixes.filter((f) => f.arrived <= l.start).at(-1)?.zone === 'outside')
    return 'an earlier exit alert was still open (never resolved) when it began'
  const during = fixes.filter((f) => f.ts >= l.start && f.ts <= l.end && f.lat !== undefined)
  if (during.length === 0) return 'no fix during the outing'
  const cells = during.filter((f) => f.src === 'lbs').length
  if (cells > during.length / 2 || !crossingSeen(l, record, plan.gaps)) {
    const far = during.filter((f) => f.src === 'lbs' && beyondSafe(zones, f) - (f.acc ?? 50) >= 300).length
    return `cell-only at the crossing (${cells}/${during.length} cell fixes, ${far} with the whole circle 300 m out)`
  }
  const out = during.filter((f) => beyondSafe(zones, f) - (f.acc ?? 50) > 20 && f.src !== 'lbs').length
  return `${out}/${during.length} non-cell fixes clearly out`
}

function show(l: Label, firstAlert: number | undefined) {
  const plan = plans.get(l.bandId)!
  const record = records.get(l.bandId)!
  const zones = world.zones.get(l.bandId)!
  const fixes = seen.get(l.bandId) ?? []
  const delay = firstAlert === undefined ? 'MISSED' : `${((firstAlert - l.start) / 1000).toFixed(0)} s`
  const why = l.kind === 'left_safe_zone' ? cause(l, plan, record, fixes, zones) : dangerCause(l, fixes, zones)
  console.log(
    `- ${l.bandId} ${l.kind} (${l.episode ?? '-'}) ${clock(l.start)}–${clock(l.end)} ` +
      `${Math.round((l.end - l.start) / 1000)} s, ${l.maxBeyondM ?? '-'} m out, every ${record.baseS} s: ${delay} — ${why}`,
  )
  if (!v.fixes || (v.band && !v.band.includes(l.bandId))) return
  for (const f of fixes.filter((x) => x.ts >= l.start - 90_000 && x.ts <= Math.min(l.end, firstAlert ?? l.end))) {
    const d =
      f.lat === undefined
        ? ''
        : `safe ${beyondSafe(zones, f).toFixed(0)} m, danger ${beyondDanger(zones, f).toFixed(0)} m`
    console.log(
      `    ${clock(f.ts)} (arrived ${clock(f.arrived)}) ${f.src ?? '-'} ±${f.acc ?? '-'} ${d} ${f.evt?.join(',') ?? ''}`,
    )
  }
}

function dangerCause(l: Label, fixes: Seen[], zones: Zone[]): string {
  const during = fixes.filter((f) => f.ts >= l.start && f.ts <= l.end && f.lat !== undefined)
  if (during.length === 0) return `no fix during the ${Math.round((l.end - l.start) / 1000)} s visit`
  const inside = during.filter((f) => beyondDanger(zones, f) < 0).length
  return `${during.length} fixes during the visit, ${inside} with the centre inside`
}

const first = (l: Label) => {
  const t = Math.min(...alerts.filter((a) => matches(a, l)).map((a) => a.raisedAt))
  return Number.isFinite(t) ? t : undefined
}
const slowMs = Number(v.slow) * 1000
const wanders = world.labels.filter((l) => l.kind === 'left_safe_zone' && l.mustAlert)
console.log(
  `# harsh trace — ${o.bands} bands, ${o.hours} h, seed ${o.seed}: ${wanders.length} wanders that must alert\n`,
)
console.log('## missed wanders\n')
for (const l of wanders.filter((x) => first(x) === undefined)) show(l, undefined)
console.log(`\n## slow wanders (> ${v.slow} s)\n`)
for (const l of wanders.filter((x) => (first(x) ?? -Infinity) - x.start > slowMs)) show(l, first(l))
console.log('\n## missed danger visits\n')
for (const l of world.labels.filter((x) => x.kind === 'entered_danger_zone' && first(x) === undefined))
  show(l, undefined)

// Could combined cell evidence tell a cell-only wander from cell fixes at home? For each cell-only
// stretch, the furthest the centroid of any run of cell fixes (spanning at least a minute) lies
// beyond the safe zone: at home (truth never outside) against cell-only wanders, by how far out.
const RUN = 6
const centroidBeyond = (zones: Zone[], run: Seen[]) => {
  const c = { lat: 0, lon: 0, ts: 0, arrived: 0 }
  for (const f of run) {
    c.lat += f.lat! / run.length
    c.lon += f.lon! / run.length
  }
  return beyondSafe(zones, c)
}
const furthest = { home: [] as number[], near: [] as number[], far: [] as number[] }
for (const plan of world.plans) {
  const bandId = plan.resident.bandId
  const zones = world.zones.get(bandId)!
  const outs = world.labels.filter((l) => l.bandId === bandId && l.kind === 'left_safe_zone')
  for (const [a, b] of records.get(bandId)!.cellOnly) {
    const cells = (seen.get(bandId) ?? []).filter(
      (f) => f.src === 'lbs' && f.ts >= a && f.ts < b && f.lat !== undefined,
    )
    let best = -Infinity
    for (let i = 0; i + RUN <= cells.length; i++) {
      const run = cells.slice(i, i + RUN)
      if (run.at(-1)!.ts - run[0]!.ts >= 60_000) best = Math.max(best, centroidBeyond(zones, run))
    }
    if (!Number.isFinite(best)) continue
    const wander = outs.find((l) => l.mustAlert && Math.min(b, l.end) - Math.max(a, l.start) > (l.end - l.start) / 2)
    if (wander) furthest[(wander.maxBeyondM ?? 0) >= 800 ? 'far' : 'near'].push(best)
    else if (!outs.some((l) => Math.min(b, l.end) > Math.max(a, l.start))) furthest.home.push(best)
  }
}
const q = (xs: number[], p: number) => (xs.length === 0 ? '-' : `${quantile(xs, p)!.toFixed(0)} m`)
console.log(`\n## cell-only stretches: furthest centroid of ${RUN} cell fixes beyond the zone\n`)
for (const [name, xs] of [
  ['at home (never outside)', furthest.home],
  ['wander < 800 m out', furthest.near],
  ['wander >= 800 m out', furthest.far],
] as const)
  console.log(`- ${name}: n ${xs.length}, median ${q(xs, 0.5)}, p90 ${q(xs, 0.9)}, p99 ${q(xs, 0.99)}, max ${q(xs, 1)}`)

// Rules that could start an exit from cell fixes alone, on the same fixes: wanders caught by how
// far out they went, against firings while the wearer was home (support/cell-rules.ts).
const sweepBands = world.plans.map((plan) => {
  const bandId = plan.resident.bandId
  const zones = world.zones.get(bandId)!
  const fixes = (seen.get(bandId) ?? [])
    .filter((f) => f.lat !== undefined)
    .sort((a, b) => a.ts - b.ts)
    .filter((f, i, all) => i === 0 || f.ts !== all[i - 1]!.ts)
    .map((f) => ({ ts: f.ts, src: f.src, acc: f.acc, beyond: beyondSafe(zones, f) }))
  const outings = world.labels.filter((l) => l.bandId === bandId && l.kind === 'left_safe_zone')
  const cellWanders = outings.filter((l) => l.mustAlert && cellOnly(l, records.get(bandId)!))
  return { fixes, outings, cellWanders }
})
console.log('\n## cell-only start rules: cell-only wanders caught by how far out, against firings at home\n')
console.log(table(sweep(sweepBands, o.bands * o.hours)))
