// The zone contract, one schema each for the shape, the schedule, the policy overrides and a zone
// as a client sends it. The API validates with them (and /docs shows them); the types are derived
// from them. What a schema cannot say (closed rings, self-intersection, the total of vertices,
// a known time zone) zone.ts and schedule.ts check in code.
import { Type, type Static } from 'typebox'
import { tagFirst } from '../infra/schema-check.ts'

export const MAX_RADIUS_M = 50_000
export const MIN_RADIUS_M = 10
export const MAX_VERTICES = 5000

const Lon = Type.Number({ minimum: -180, maximum: 180, title: 'longitude' })
const Lat = Type.Number({ minimum: -90, maximum: 90, title: 'latitude' })

/** [lon, lat], WGS-84, GeoJSON order; an altitude after them (KML files carry one) is ignored. */
const PositionSchema = Type.Unsafe<[number, number]>({
  type: 'array',
  items: [Lon, Lat],
  minItems: 2,
  maxItems: 3,
  additionalItems: { type: 'number' },
  description: '[longitude, latitude], WGS-84',
})

/** A ring: at least 4 positions, the last equal to the first; at most MAX_VERTICES in all (both in code). */
const RingSchema = Type.Array(PositionSchema, { minItems: 4 })
const PolygonRings = Type.Array(RingSchema, { minItems: 1 })

export const CircleShapeSchema = Type.Object(
  {
    type: Type.Literal('circle'),
    center: PositionSchema,
    radiusM: Type.Number({ minimum: MIN_RADIUS_M, maximum: MAX_RADIUS_M, description: 'metres' }),
  },
  tagFirst('type', 'circle'),
)
export const PolygonSchema = Type.Object(
  { type: Type.Literal('Polygon'), coordinates: PolygonRings },
  tagFirst('type', 'Polygon'),
)
export const MultiPolygonSchema = Type.Object(
  { type: Type.Literal('MultiPolygon'), coordinates: Type.Array(PolygonRings, { minItems: 1 }) },
  tagFirst('type', 'MultiPolygon'),
)

/** A circle (centre and radius in metres) or a GeoJSON Polygon or MultiPolygon, WGS-84. */
export const ZoneShapeSchema = Type.Union([CircleShapeSchema, PolygonSchema, MultiPolygonSchema])

export type CircleShape = Static<typeof CircleShapeSchema>
export type ZoneShape = Static<typeof ZoneShapeSchema>

const HHMM = Type.String({ pattern: '^([01]\\d|2[0-3]):([0-5]\\d)$', description: 'HH:MM (00:00–23:59)' })

/** When a zone is in force: days of the week and a daily window, local time (it may wrap past midnight). */
export const ScheduleSchema = Type.Object({
  /** 0 = Sunday … 6 = Saturday; omitted: every day. */
  days: Type.Optional(
    Type.Array(Type.Integer({ minimum: 0, maximum: 6, title: 'weekday (0 = Sunday)' }), { minItems: 1 }),
  ),
  from: HHMM,
  to: HHMM,
  /** IANA time zone; default Asia/Shanghai. */
  tz: Type.Optional(Type.String({ minLength: 1, maxLength: 64, description: 'IANA time zone, e.g. Asia/Shanghai' })),
})

export type Schedule = Static<typeof ScheduleSchema>

/** What a zone may override of the geofence defaults, and within which bounds. */
export const ZONE_POLICY_LIMITS = {
  exitMarginM: [0, 500],
  confirmFixes: [1, 10],
  confirmMs: [0, 30 * 60_000],
  maxTriggerAccM: [5, 1000],
} as const

const limit = (key: keyof typeof ZONE_POLICY_LIMITS) => ({
  minimum: ZONE_POLICY_LIMITS[key][0],
  maximum: ZONE_POLICY_LIMITS[key][1],
})

export const ZonePolicySchema = Type.Object(
  {
    exitMarginM: Type.Optional(Type.Number(limit('exitMarginM'))),
    confirmFixes: Type.Optional(Type.Integer(limit('confirmFixes'))),
    confirmMs: Type.Optional(Type.Number(limit('confirmMs'))),
    maxTriggerAccM: Type.Optional(Type.Number(limit('maxTriggerAccM'))),
  },
  // Not additionalProperties: fastify's AJV would drop an unknown key silently rather than refuse it.
  { propertyNames: { enum: Object.keys(ZONE_POLICY_LIMITS) } },
)

export type ZonePolicy = Static<typeof ZonePolicySchema>

export const ZoneKindSchema = Type.Union([Type.Literal('safe'), Type.Literal('danger')])
export type ZoneKind = Static<typeof ZoneKindSchema>

/** A zone as care staff send it (POST /api/residents/:id/zones, PUT /api/zones/:id). */
export const ZoneInputSchema = Type.Object({
  name: Type.String({ minLength: 1, maxLength: 100 }),
  kind: ZoneKindSchema,
  shape: ZoneShapeSchema,
  schedule: Type.Optional(Type.Union([ScheduleSchema, Type.Null()])),
})

/** A zone as the API answers it. */
export const ZoneViewSchema = Type.Object({
  id: Type.Integer(),
  residentId: Type.Union([Type.Integer(), Type.Null()]),
  careCentreId: Type.Union([Type.Integer(), Type.Null()]),
  name: Type.String(),
  kind: ZoneKindSchema,
  shape: ZoneShapeSchema,
  schedule: Type.Union([ScheduleSchema, Type.Null()]),
})
