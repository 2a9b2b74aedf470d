// Scoring the harsh bench (bench/geofence-harsh.ts): which wanders a band could show the engine at
// all (issue 15's trace, bench/geofence-harsh-trace.ts) so the aims are measured on them and the
// rest reported beside, and which repeated emergencies reach people.
import type { HarshRecord } from '../../simulator/harsh-band.ts'
import { createRng } from '../../simulator/random.ts'
import { HARSH } from '../../simulator/harsh.ts'
import type { Label } from '../../simulator/truth.ts'

/**
 * How far a cell-tower fix may lie from the wearer, 95 times in 100: the serving tower's offset
 * and each fix's own error (harsh.ts), radially. Cell fixes cannot tell a wearer this close to
 * the boundary from one at home — the tower offset is shared by every fix for a quarter of an
 * hour, so averaging does not help (the trace measured centroids of six cell fixes of residents
 * at home up to 812 m beyond their zone) — so a cell-only wander nearer than this is reported
 * apart from the aim, never left out.
 */
export const CELL_REACH_M = Math.round(Math.hypot(HARSH.tower.sigma, HARSH.lbs.sigma) * Math.sqrt(2 * Math.log(20)))

const within = (spans: readonly [number, number][], t: number) => spans.some(([a, b]) => t >= a && t < b)

/** Mostly seen by cell towers alone (more than half the wander in a cell-only stretch). */
export const cellOnly = (l: Label, r: HarshRecord) =>
  r.cellOnly.some(([a, b]) => Math.min(b, l.end) - Math.max(a, l.start) > (l.end - l.start) / 2)

/** A cell-only wander that never went further than cell fixes reach: no band could show it. */
export const cellUnseeable = (l: Label, r: HarshRecord) => cellOnly(l, r) && (l.maxBeyondM ?? 0) < CELL_REACH_M

/**
 * The crossing itself was seen by GPS or Wi-Fi: not in a cell-only stretch, not in a no-network
 * gap (whose fixes arrive only when it ends). The delay aims are measured on these wanders.
 */
export const crossingSeen = (l: Label, r: HarshRecord, gaps: readonly [number, number][]) =>
  !within(r.cellOnly, l.start) && !within(gaps, l.start)

export const fmt = (x: number | null) => (x === null ? '-' : `${x.toFixed(0)} s`)

export function table(rows: Record<string, number | string | undefined>[]): string {
  const keys = [...new Set(rows.flatMap((r) => Object.keys(r)))]
  const width = keys.map((k) => Math.max(k.length, ...rows.map((r) => String(r[k] ?? '').length)))
  const line = (cells: string[]) => `| ${cells.map((c, i) => c.padEnd(width[i]!)).join(' | ')} |`
  return [
    line(keys),
    line(width.map((w) => '-'.repeat(w))),
    ...rows.map((r) => line(keys.map((k) => String(r[k] ?? '')))),
  ].join('\n')
}

/**
 * Each SOS or fall the engine raised, through the alert store's rule: staff acknowledge an
 * alert 1–3 minutes after it opens and close it 20–40 minutes later. `reopen`: a later press on
 * an acknowledged alert opens it again (issue 15); otherwise it only updates it (the rule before).
 */
export function emergenciesReached(
  alerts: readonly { bandId: string; kind: string; fixTime: number; raisedAt: number }[],
  reopen: boolean,
  seed: number,
) {
  const rng = createRng(seed)
  const open = new Map<string, { fixTime: number; ackAt: number; closeAt: number }>()
  const seen = new Set<string>()
  let reached = 0
  for (const a of alerts.filter((x) => x.kind === 'sos' || x.kind === 'fall').sort((x, y) => x.raisedAt - y.raisedAt)) {
    const key = `${a.bandId}/${a.kind}`
    if (seen.has(`${key}/${a.fixTime}`)) continue // the same press again (a duplicate): never a new emergency
    seen.add(`${key}/${a.fixTime}`)
    const cur = open.get(key)
    const fresh = {
      fixTime: a.fixTime,
      ackAt: a.raisedAt + rng.uniform(60, 180) * 1000,
      closeAt: a.raisedAt + rng.uniform(20, 40) * 60_000,
    }
    if (!cur || a.raisedAt >= cur.closeAt || (reopen && a.raisedAt >= cur.ackAt && a.fixTime > cur.fixTime)) {
      open.set(key, fresh)
      reached++
    }
  }
  return { presses: seen.size, reached }
}
