// Load mode: many bands at a chosen total rate, each near its own home with GPS-like jitter, inside
// a safe zone around that home and clear of the city's danger corridors, so the geofence checks each
// fix as it would a resident's. No routines or episodes: this measures what the service sustains.
// Pure and seeded.
import { offset, type LatLon } from './geo.ts'
import { createRng, type Rng } from './random.ts'
import type { RunEvent } from './runner.mqtt.ts'
import { DISTRICTS, clearOfCorridors } from './zibo.ts'

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
/** Each load band's safe zone: a circle this wide around its home (the jitter stays well inside). */
export const LOAD_ZONE_RADIUS_M = 300

/** Where each load band's wearer lives, drawn from `rng` (loadHomes gives the same for a seed). */
function drawHomes(rng: Rng, bands: number): LatLon[] {
  return Array.from({ length: bands }, (_, i) =>
    clearOfCorridors(rng, DISTRICTS[i % DISTRICTS.length]!.centre, 4000, LOAD_ZONE_RADIUS_M + 150),
  )
}

/** The homes loadEvents uses for these bands and seed (for provisioning their safe zones). */
export const loadHomes = (bands: number, seed: number): LatLon[] => drawHomes(createRng(seed), bands)

export function* loadEvents(o: LoadOptions): Generator<RunEvent> {
  const rng = createRng(o.seed)
  const periodMs = (o.bands / o.rate) * 1000
  const homes = drawHomes(rng, o.bands)
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
