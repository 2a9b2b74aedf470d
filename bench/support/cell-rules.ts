// Candidate rules for starting an exit from cell-tower fixes alone (issue 15), swept over the
// fixes the engine saw on harsh traffic (bench/geofence-harsh-trace.ts): how many cell-only
// wanders each catches, by how far out they went, against how often it fires while the wearer is
// home. Each rule reads runs of cell fixes (any finer fix ends a run, as it does in the engine)
// and fires once per run. Pure.
import { MATCH_WINDOW } from '../../simulator/score.ts'
import type { Label } from '../../simulator/truth.ts'
import { DISTANCE_BANDS } from './cell-outings.ts'

export interface CellFix {
  ts: number
  src?: string
  acc?: number
  /** Metres the centre lies beyond the nearest safe zone (negative inside). */
  beyond: number
}

/** Whether this cell fix counts, and how many counted fixes over how long make the rule fire. */
export interface CellRule {
  name: string
  counts: (f: CellFix) => boolean
  fixes: number
  spanMs: number
  /** Counted fixes must follow one another (a cell fix that does not count ends the count). */
  inARow: boolean
}

const acc = (f: CellFix) => f.acc ?? 50

export const CELL_RULES: readonly CellRule[] = [
  {
    name: 'engine: circle 300 m beyond, 3 fixes, 60 s',
    counts: (f) => f.beyond - acc(f) >= 300,
    fixes: 3,
    spanMs: 60_000,
    inARow: false,
  },
  ...[700, 800, 900, 1000, 1200].map((m) => ({
    name: `centre ${m} m beyond, 3 fixes, 60 s`,
    counts: (f: CellFix) => f.beyond >= m,
    fixes: 3,
    spanMs: 60_000,
    inARow: false,
  })),
  ...[700, 800, 900].map((m) => ({
    name: `centre ${m} m beyond, 6 in a row, 3 min`,
    counts: (f: CellFix) => f.beyond >= m,
    fixes: 6,
    spanMs: 180_000,
    inARow: true,
  })),
]

/** Fix times at which the rule fires on one band's fixes (time order). */
export function firings(fixes: readonly CellFix[], rule: CellRule): number[] {
  const out: number[] = []
  let first: number | undefined
  let n = 0
  let fired = false
  for (const f of fixes) {
    if (f.src !== 'lbs') {
      first = undefined
      n = 0
      fired = false
      continue
    }
    if (!rule.counts(f)) {
      if (rule.inARow) {
        first = undefined
        n = 0
      }
      continue
    }
    first ??= f.ts
    n++
    if (!fired && n >= rule.fixes && f.ts - first >= rule.spanMs) {
      out.push(f.ts)
      fired = true
    }
  }
  return out
}

const within = (l: Label, t: number) => t >= l.start - MATCH_WINDOW.beforeMs && t <= l.end + MATCH_WINDOW.afterMs

/**
 * Per rule: firings while the wearer was inside (no outing label near — false exits, per 1000
 * band-hours) and the cell-only wanders caught, by distance band.
 */
export function sweep(
  bands: readonly { fixes: CellFix[]; outings: Label[]; cellWanders: Label[] }[],
  bandHours: number,
): Record<string, string>[] {
  return CELL_RULES.map((rule) => {
    let falseN = 0
    const caught = DISTANCE_BANDS.map(() => [0, 0])
    for (const b of bands) {
      const fired = firings(b.fixes, rule)
      falseN += fired.filter((t) => !b.outings.some((l) => within(l, t))).length
      for (const l of b.cellWanders) {
        const k = DISTANCE_BANDS.findIndex(([x, y]) => (l.maxBeyondM ?? 0) >= x && (l.maxBeyondM ?? 0) < y)
        caught[k]![1]!++
        if (fired.some((t) => t >= l.start && t <= l.end)) caught[k]![0]!++
      }
    }
    const row: Record<string, string> = {
      rule: rule.name,
      'false per 1000 bh': ((1000 * falseN) / bandHours).toFixed(2),
    }
    DISTANCE_BANDS.forEach(([x, y], i) => {
      const [c, n] = caught[i]!
      row[y === Infinity ? `>= ${x} m` : `${x}–${y} m`] = n === 0 ? '-' : `${c}/${n}`
    })
    return row
  })
}
