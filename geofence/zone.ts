// Zones and their geometry: circles (centre and radius in metres) and GeoJSON polygons or
// multipolygons, WGS-84. Turf does the geometry; distances are in metres.
import bbox from '@turf/bbox'
import booleanIntersects from '@turf/boolean-intersects'
import booleanPointInPolygon from '@turf/boolean-point-in-polygon'
import distance from '@turf/distance'
import { lineString, point } from '@turf/helpers'
import kinks from '@turf/kinks'
import pointToLineDistance from '@turf/point-to-line-distance'
import { checkAgainst } from '../infra/schema-check.ts'
import { isActive } from './schedule.ts'
import {
  MAX_VERTICES,
  ZonePolicySchema,
  ZoneShapeSchema,
  type Schedule,
  type ZoneKind,
  type ZonePolicy,
  type ZoneShape,
} from './zone-schema.ts'

export {
  MAX_RADIUS_M,
  MAX_VERTICES,
  MIN_RADIUS_M,
  ZONE_POLICY_LIMITS,
  type CircleShape,
  type ZoneKind,
  type ZonePolicy,
  type ZoneShape,
} from './zone-schema.ts'

export interface Zone {
  id: number
  /** null: a shared zone (a care centre's, or city-wide). */
  residentId: number | null
  name: string
  kind: ZoneKind
  shape: ZoneShape
  /** When the zone is in force; always when absent. */
  schedule?: Schedule | null
  /** Overrides of the geofence defaults for this zone. */
  policy?: ZonePolicy | null
}

export type ZonePolicyCheck = { ok: true; policy: ZonePolicy | null } | { ok: false; error: string }

/** A zone's policy overrides (none when absent), within their bounds (ZonePolicySchema). */
export function checkZonePolicy(input: unknown): ZonePolicyCheck {
  if (input === undefined || input === null) return { ok: true, policy: null }
  const c = checkAgainst(ZonePolicySchema, input, 'policy')
  return c.ok ? { ok: true, policy: { ...c.value } } : c
}

/** The zones in force at `t`. */
export const inForce = (zones: readonly Zone[], t: number): readonly Zone[] =>
  zones.some((z) => z.schedule) ? zones.filter((z) => !z.schedule || isActive(z.schedule, t)) : zones

/**
 * Metres between two nearby points ([lon, lat] and lat/lon). Equirectangular: within 0.1 % of the
 * great-circle distance up to tens of kilometres, without allocating GeoJSON for each call.
 */
export function metres(center: [number, number], lat: number, lon: number): number {
  if (Math.abs(lat - center[1]) > 0.5 || Math.abs(lon - center[0]) > 0.5)
    return distance(point(center), point([lon, lat]), { units: 'meters' })
  const k = 111_195
  return Math.hypot((lon - center[0]) * k * Math.cos((((lat + center[1]) / 2) * Math.PI) / 180), (lat - center[1]) * k)
}

/** Metres from the zone's boundary to the point: positive outside, negative inside. */
export function distanceBeyond(shape: ZoneShape, lat: number, lon: number): number {
  if (shape.type === 'circle') return metres(shape.center, lat, lon) - shape.radiusM
  const p = point([lon, lat])
  const polygons = shape.type === 'Polygon' ? [shape.coordinates] : shape.coordinates
  let toEdge = Infinity
  for (const rings of polygons)
    for (const ring of rings) toEdge = Math.min(toEdge, pointToLineDistance(p, lineString(ring), { units: 'meters' }))
  return booleanPointInPolygon(p, shape) ? -toEdge : toEdge
}

/** Whether the point lies inside the zone (cheaper than the signed distance). */
export function insideShape(shape: ZoneShape, lat: number, lon: number): boolean {
  return shape.type === 'circle'
    ? metres(shape.center, lat, lon) <= shape.radiusM
    : booleanPointInPolygon(point([lon, lat]), shape)
}

/** Whether the straight walk from a to b ([lon, lat]) touches the zone. */
export function segmentTouches(shape: ZoneShape, a: [number, number], b: [number, number]): boolean {
  const box = boxOf(shape)
  // Cheap rejection first: the walk's box must overlap the zone's.
  if (
    Math.max(a[0], b[0]) < box[0] ||
    Math.min(a[0], b[0]) > box[2] ||
    Math.max(a[1], b[1]) < box[1] ||
    Math.min(a[1], b[1]) > box[3]
  )
    return false
  if (shape.type !== 'circle') return booleanIntersects(lineString([a, b]), shape)
  // Nearest point of the segment to the centre, in local metres.
  const k = 111_195
  const cos = Math.cos((shape.center[1] * Math.PI) / 180)
  const ax = (a[0] - shape.center[0]) * k * cos,
    ay = (a[1] - shape.center[1]) * k
  const bx = (b[0] - shape.center[0]) * k * cos,
    by = (b[1] - shape.center[1]) * k
  const len2 = (bx - ax) ** 2 + (by - ay) ** 2
  const t = len2 === 0 ? 0 : Math.max(0, Math.min(1, -(ax * (bx - ax) + ay * (by - ay)) / len2))
  return Math.hypot(ax + t * (bx - ax), ay + t * (by - ay)) <= shape.radiusM
}

const boxes = new WeakMap<ZoneShape, [number, number, number, number]>()

/** The zone's bounding box, computed once per shape. */
function boxOf(shape: ZoneShape): [number, number, number, number] {
  let b = boxes.get(shape)
  if (!b) {
    b = shapeBox(shape)
    boxes.set(shape, b)
  }
  return b
}

/** Whether the point is within `marginM` of the zone's bounding box (a cheap first test). */
export function nearBox(shape: ZoneShape, lat: number, lon: number, marginM: number): boolean {
  const b = boxOf(shape)
  const dLat = marginM / 111_195
  const dLon = dLat / Math.cos((lat * Math.PI) / 180)
  return lon >= b[0] - dLon && lon <= b[2] + dLon && lat >= b[1] - dLat && lat <= b[3] + dLat
}

/** [minLon, minLat, maxLon, maxLat]. */
export function shapeBox(shape: ZoneShape): [number, number, number, number] {
  if (shape.type !== 'circle') return bbox(shape) as [number, number, number, number]
  const dLat = shape.radiusM / 111_195
  const dLon = dLat / Math.cos((shape.center[1] * Math.PI) / 180)
  return [shape.center[0] - dLon, shape.center[1] - dLat, shape.center[0] + dLon, shape.center[1] + dLat]
}

export type ShapeCheck = { ok: true; shape: ZoneShape } | { ok: false; error: string }

/**
 * Validates a shape before it is saved, naming the problem: its schema (ZoneShapeSchema), then what a
 * schema cannot say: rings closed, not too many vertices in all, no edge crossing another.
 */
export function checkShape(input: unknown): ShapeCheck {
  const c = checkAgainst(ZoneShapeSchema, input, 'shape')
  if (!c.ok) return c
  const s = c.value
  if (s.type === 'circle')
    return { ok: true, shape: { type: 'circle', center: [s.center[0], s.center[1]], radiusM: s.radiusM } }
  return checkPolygons(s)
}

function checkPolygons(s: Exclude<ZoneShape, { type: 'circle' }>): ShapeCheck {
  const polygons = s.type === 'Polygon' ? [s.coordinates] : s.coordinates
  let vertices = 0
  for (const [i, rings] of polygons.entries()) {
    for (const [j, ring] of rings.entries()) {
      const first = ring[0]!,
        last = ring[ring.length - 1]!
      if (first[0] !== last[0] || first[1] !== last[1])
        return { ok: false, error: `ring ${j} of polygon ${i} is not closed (first and last positions differ)` }
      vertices += ring.length
    }
  }
  if (vertices > MAX_VERTICES) return { ok: false, error: `too many vertices: ${vertices} > ${MAX_VERTICES}` }
  const shape = { type: s.type, coordinates: s.coordinates } as ZoneShape & { type: 'Polygon' | 'MultiPolygon' }
  const crossings = kinks(shape).features.length
  if (crossings > 0)
    return { ok: false, error: `polygon intersects itself (${crossings} crossing${crossings > 1 ? 's' : ''})` }
  return { ok: true, shape }
}
