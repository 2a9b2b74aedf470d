// Scores the service's alerts against the ground truth: true and false alerts, missed episodes,
// and detection delay (from the episode's start to the fix that raised the alert), per kind.
import { EXPECTED_ALERTS, type Label } from './truth.ts'

export interface AlertLike {
  bandId: string
  kind: string
  fixTime: number
}

/** An alert may come this long before the label starts (fix noise) or after it ends (confirmation). */
export const MATCH_WINDOW = { beforeMs: 60_000, afterMs: 10 * 60_000 }

export interface KindScore {
  kind: string
  episodes: number
  detected: number
  missed: number
  medianDelayS: number | null
  p95DelayS: number | null
}

export interface Score {
  byLabel: KindScore[]
  trueAlerts: number
  falseAlerts: number
  /** False alerts by alert kind. */
  falseByKind: Record<string, number>
  /** Alerts of kinds the simulation has no truth for (low battery), by kind. */
  unscored: Record<string, number>
  bandHours: number
  falsePer1000BandHours: number
}

const matches = (a: AlertLike, l: Label) =>
  a.bandId === l.bandId &&
  EXPECTED_ALERTS[l.kind].includes(a.kind) &&
  a.fixTime >= l.start - MATCH_WINDOW.beforeMs &&
  a.fixTime <= l.end + MATCH_WINDOW.afterMs

export function score(labels: readonly Label[], alerts: readonly AlertLike[], bandHours: number): Score {
  const byBand = new Map<string, Label[]>()
  for (const l of labels) byBand.set(l.bandId, [...(byBand.get(l.bandId) ?? []), l])
  let trueAlerts = 0
  const falseByKind: Record<string, number> = {}
  const unscored: Record<string, number> = {}
  const scored = new Set(Object.values(EXPECTED_ALERTS).flat())
  for (const a of alerts) {
    if (!scored.has(a.kind)) {
      unscored[a.kind] = (unscored[a.kind] ?? 0) + 1
      continue
    }
    if ((byBand.get(a.bandId) ?? []).some((l) => matches(a, l))) trueAlerts++
    else falseByKind[a.kind] = (falseByKind[a.kind] ?? 0) + 1
  }
  const rows = new Map<string, { delays: number[]; missed: number }>()
  for (const l of labels) {
    if (!l.mustAlert) continue
    const key = l.episode && l.episode !== l.kind ? `${l.kind} (${l.episode})` : l.kind
    const row = rows.get(key) ?? { delays: [], missed: 0 }
    rows.set(key, row)
    const hits = alerts.filter((a) => matches(a, l))
    if (hits.length === 0) row.missed++
    else row.delays.push(Math.max(0, Math.min(...hits.map((a) => a.fixTime)) - l.start) / 1000)
  }
  const falseAlerts = Object.values(falseByKind).reduce((a, b) => a + b, 0)
  return {
    byLabel: [...rows.entries()]
      .sort(([a], [b]) => a.localeCompare(b))
      .map(([kind, r]) => ({
        kind,
        episodes: r.delays.length + r.missed,
        detected: r.delays.length,
        missed: r.missed,
        medianDelayS: quantile(r.delays, 0.5),
        p95DelayS: quantile(r.delays, 0.95),
      })),
    trueAlerts,
    falseAlerts,
    falseByKind,
    unscored,
    bandHours,
    falsePer1000BandHours: bandHours > 0 ? (falseAlerts / bandHours) * 1000 : 0,
  }
}

export function quantile(values: readonly number[], q: number): number | null {
  if (values.length === 0) return null
  const sorted = [...values].sort((a, b) => a - b)
  return sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)]!
}

export function formatScore(s: Score): string {
  const lines = ['episode kind                          episodes  detected  missed  delay median  delay p95']
  for (const r of s.byLabel) {
    const d = (x: number | null) => (x === null ? '-' : `${x.toFixed(0)} s`)
    lines.push(
      `${r.kind.padEnd(38)}${String(r.episodes).padStart(8)}${String(r.detected).padStart(10)}${String(r.missed).padStart(8)}${d(r.medianDelayS).padStart(14)}${d(r.p95DelayS).padStart(11)}`,
    )
  }
  lines.push(
    '',
    `true alerts: ${s.trueAlerts}   false alerts: ${s.falseAlerts} (${s.falsePer1000BandHours.toFixed(2)} per 1000 band-hours over ${s.bandHours.toFixed(0)} band-hours)`,
  )
  for (const [kind, n] of Object.entries(s.falseByKind)) lines.push(`  false ${kind}: ${n}`)
  for (const [kind, n] of Object.entries(s.unscored)) lines.push(`  not scored (no truth for it) ${kind}: ${n}`)
  return lines.join('\n')
}
