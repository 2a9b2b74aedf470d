// Load mode: many bands at a chosen total rate, each near its own home with GPS-like jitter.
// No routines or episodes: this measures what the service sustains. Pure and seeded.
import { offset } from './geo.ts'
import { createRng } from './random.ts'
import type { RunEvent } from './runner.mqtt.ts'
import { DISTRICTS } from './zibo.ts'

export interface LoadOptions {
  bands: number
  /** Fixes per second, all bands together. */
  rate: number
  durationMs: number
  start: number
  seed: number
}

export const loadBandId = (i: number) => `load-${String(i).padStart(6, '0')}`
export const loadSecret = (seed: number, i: number) => `load-secret-${seed}-${i}-0000`

export function* loadEvents(o: LoadOptions): Generator<RunEvent> {
  const rng = createRng(o.seed)
  const periodMs = (o.bands / o.rate) * 1000
  const homes = Array.from({ length: o.bands }, (_, i) =>
    offset(DISTRICTS[i % DISTRICTS.length]!.centre, rng.normal(2000), rng.normal(2000)),
  )
  const seqs = new Array<number>(o.bands).fill(0)
  // Band i reports at start + phase_i + k * period; phases spread evenly so the rate is steady.
  for (let k = 0; k * periodMs < o.durationMs; k++) {
    for (let i = 0; i < o.bands; i++) {
      const t = o.start + k * periodMs + (i / o.bands) * periodMs
      if (t >= o.start + o.durationMs) break
      const p = offset(homes[i]!, rng.normal(4), rng.normal(4))
      const fix = {
        v: 1,
        seq: seqs[i]!++,
        ts: t / 1000,
        lat: +p.lat.toFixed(6),
        lon: +p.lon.toFixed(6),
        acc: 6,
        src: 'gps',
        batt: 80,
      }
      yield { t, bandId: loadBandId(i), type: 'publish', payload: JSON.stringify(fix) }
    }
  }
}
