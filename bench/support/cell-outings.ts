// The harsh bench's cell-only outings (issue 15: "a band with only cell fixes showing the wearer
// 1.5–2 km away at ±800 m for 30 minutes raised nothing"). With `--cell-outings` every outing is
// seen only by cell towers (the serving tower's offset and each fix's error as on harsh traffic)
// and there are more of them, out to 3 km, so that recall can be read by distance; the cell-only
// stretches at home stay as they are, so false exits are measured on the same footing.
import type { EpisodeRates } from '../../simulator/episodes.ts'
import type { HarshModel } from '../../simulator/harsh.ts'
import type { Label } from '../../simulator/truth.ts'

/**
 * Per band-hour: about 180 outings over 150 band-days, a third nearer than 500 m, the rest
 * spread to 3 km. Found-at distances of missing people with dementia reach that far and beyond
 * (UK search data: half within 1.2 km, 70 % within 2.9 km — misper.uk, "Dementia"); these are
 * walks, so they stop at 3 km.
 */
export const cellOutingRates = (base: EpisodeRates): EpisodeRates => ({
  ...base,
  wander_slow: 0.01,
  wander_night: 0.01,
  wander_purposeful: 0.015,
  wander_far: 0.015,
})

export const cellOutingModel = (m: HarshModel): HarshModel => ({ ...m, cellOnly: { ...m.cellOnly, outingShare: 1 } })

/** Distance bands (metres beyond the boundary at the furthest) for reading recall. */
export const DISTANCE_BANDS: readonly [number, number][] = [
  [0, 500],
  [500, 1000],
  [1000, 2000],
  [2000, Infinity],
]

const name = ([a, b]: [number, number]) => (b === Infinity ? `>= ${a} m` : `${a}–${b} m`)

/** One row per distance band: for each rule, wanders alerted of those in the band. */
export function recallByDistance(
  wanders: readonly Label[],
  rules: readonly { rule: string; found: (l: Label) => boolean }[],
): Record<string, string>[] {
  return DISTANCE_BANDS.map((band) => {
    const inBand = wanders.filter((l) => (l.maxBeyondM ?? 0) >= band[0] && (l.maxBeyondM ?? 0) < band[1])
    const row: Record<string, string> = { 'furthest out': name(band), wanders: String(inBand.length) }
    for (const r of rules) {
      const n = inBand.filter(r.found).length
      row[r.rule] = inBand.length === 0 ? '-' : `${n} (${((100 * n) / inBand.length).toFixed(0)} %)`
    }
    return row
  })
}
