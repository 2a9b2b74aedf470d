// Zones and their geometry. Coordinates are WGS-84; distances in metres.
import distance from '@turf/distance'
import { point } from '@turf/helpers'

export type ZoneKind = 'safe' | 'danger'

export interface CircleShape {
  type: 'circle'
  /** [lon, lat], GeoJSON order. */
  center: [number, number]
  radiusM: number
}

export type ZoneShape = CircleShape

export interface Zone {
  id: number
  /** null: a shared zone (a care centre's, or city-wide). */
  residentId: number | null
  name: string
  kind: ZoneKind
  shape: ZoneShape
}

export const MAX_RADIUS_M = 50_000
export const MIN_RADIUS_M = 10

/** Metres from the zone's boundary to the point: positive outside, negative inside. */
export function distanceBeyond(shape: ZoneShape, lat: number, lon: number): number {
  const d = distance(point(shape.center), point([lon, lat]), { units: 'meters' })
  return d - shape.radiusM
}

export type ShapeCheck = { ok: true; shape: ZoneShape } | { ok: false; error: string }

/** Validates a shape before it is saved, naming the problem. */
export function checkShape(input: unknown): ShapeCheck {
  const s = input as Partial<CircleShape> | null
  if (!s || typeof s !== 'object' || s.type !== 'circle') return { ok: false, error: 'shape.type must be "circle"' }
  const [lon, lat] = Array.isArray(s.center) ? s.center : []
  if (typeof lat !== 'number' || !Number.isFinite(lat) || lat < -90 || lat > 90) return { ok: false, error: 'centre latitude must be within -90..90' }
  if (typeof lon !== 'number' || !Number.isFinite(lon) || lon < -180 || lon > 180) return { ok: false, error: 'centre longitude must be within -180..180' }
  if (typeof s.radiusM !== 'number' || !(s.radiusM >= MIN_RADIUS_M && s.radiusM <= MAX_RADIUS_M)) {
    return { ok: false, error: `radius must be ${MIN_RADIUS_M}..${MAX_RADIUS_M} m` }
  }
  return { ok: true, shape: { type: 'circle', center: [lon, lat], radiusM: s.radiusM } }
}
