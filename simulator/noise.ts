// What a band measures: the true position plus the error of its source. Outdoors the band uses
// GPS (a few metres); indoors Wi-Fi (tens of metres), cell towers (hundreds) or a poor GPS fix.
// Now and then a multipath reflection throws a fix far off while the band still reports a
// normal accuracy — the fix that makes single-fix geofences page families at night.
import { offset, type LatLon } from './geo.ts'
import type { Rng } from './random.ts'

export type Source = 'gps' | 'wifi' | 'lbs'

export interface NoiseModel {
  /** Standard deviation per axis, metres, by source (and GPS indoors). */
  sigma: { gps: number; gpsIndoor: number; wifi: number; lbs: number }
  /** Chance that an indoor fix comes from Wi-Fi or cell towers rather than GPS. */
  indoorWifi: number
  indoorLbs: number
  /** Chance per GPS fix of a multipath jump, and its size range in metres. */
  multipath: number
  multipathM: [number, number]
}

export const DEFAULT_NOISE: NoiseModel = {
  sigma: { gps: 4, gpsIndoor: 15, wifi: 20, lbs: 250 },
  indoorWifi: 0.6,
  indoorLbs: 0.15,
  multipath: 0.004,
  multipathM: [60, 250],
}

export interface Measured extends LatLon {
  acc: number
  src: Source
  /** The fix was thrown off by multipath (for the truth file). */
  multipath: boolean
}

/** ~1.5 σ is the radius holding 68 % of a 2-D normal error: what receivers report as accuracy. */
const ACC_PER_SIGMA = 1.5

export function measure(truth: LatLon, indoor: boolean, model: NoiseModel, rng: Rng): Measured {
  const roll = rng.next()
  const src: Source = !indoor
    ? 'gps'
    : roll < model.indoorWifi
      ? 'wifi'
      : roll < model.indoorWifi + model.indoorLbs
        ? 'lbs'
        : 'gps'
  const sigma = src === 'gps' ? (indoor ? model.sigma.gpsIndoor : model.sigma.gps) : model.sigma[src]
  let p = offset(truth, rng.normal(sigma), rng.normal(sigma))
  let multipath = false
  if (src === 'gps' && rng.chance(model.multipath)) {
    const d = rng.uniform(...model.multipathM)
    const a = rng.uniform(0, 2 * Math.PI)
    p = offset(p, d * Math.sin(a), d * Math.cos(a))
    multipath = true
  }
  const acc = Math.max(3, Math.round(sigma * ACC_PER_SIGMA * rng.uniform(0.8, 1.3)))
  return { lat: round(p.lat, 6), lon: round(p.lon, 6), acc, src, multipath }
}

const round = (x: number, digits: number) => Math.round(x * 10 ** digits) / 10 ** digits
