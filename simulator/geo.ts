// Local geometry in metres around a point: good to well under a metre over a few kilometres,
// which is all a walking resident covers. WGS-84 in, WGS-84 out.
export interface LatLon {
  lat: number
  lon: number
}

const M_PER_DEG_LAT = 111_195

/** The point `east` and `north` metres from `p`. */
export function offset(p: LatLon, east: number, north: number): LatLon {
  return { lat: p.lat + north / M_PER_DEG_LAT, lon: p.lon + east / (M_PER_DEG_LAT * Math.cos((p.lat * Math.PI) / 180)) }
}

/** East and north metres from `from` to `to`. */
export function delta(from: LatLon, to: LatLon): { east: number; north: number } {
  return {
    east: (to.lon - from.lon) * M_PER_DEG_LAT * Math.cos((from.lat * Math.PI) / 180),
    north: (to.lat - from.lat) * M_PER_DEG_LAT,
  }
}

export function distanceM(a: LatLon, b: LatLon): number {
  const d = delta(a, b)
  return Math.hypot(d.east, d.north)
}

/** The point a fraction `f` of the way from `a` to `b`. */
export function lerp(a: LatLon, b: LatLon, f: number): LatLon {
  return { lat: a.lat + (b.lat - a.lat) * f, lon: a.lon + (b.lon - a.lon) * f }
}

/** The point `m` metres from `p` on a bearing (radians from north, clockwise). */
export function toward(p: LatLon, bearing: number, m: number): LatLon {
  return offset(p, m * Math.sin(bearing), m * Math.cos(bearing))
}

/** Metres from `p` to the segment a–b. */
export function distanceToSegmentM(p: LatLon, a: LatLon, b: LatLon): number {
  const ab = delta(a, b)
  const ap = delta(a, p)
  const len2 = ab.east ** 2 + ab.north ** 2
  const t = len2 === 0 ? 0 : Math.max(0, Math.min(1, (ap.east * ab.east + ap.north * ab.north) / len2))
  return Math.hypot(ap.east - t * ab.east, ap.north - t * ab.north)
}
