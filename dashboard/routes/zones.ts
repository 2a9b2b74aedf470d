// Zones, and what the page's map needs: the zones the viewer may see (their residents', their centres'
// shared ones, the city-wide danger zones), editing residents' zones (care staff, admins), and
// the public map settings.
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { Type, type Static } from 'typebox'
import {
  ZoneInputSchema,
  ZoneViewSchema,
  checkSchedule,
  checkShape,
  deleteZone,
  findZone,
  insertZone,
  listZones,
  updateZone,
  type Schedule,
  type ZoneKind,
  type ZoneShape,
} from '../../geofence/index.ts'
import type { Queryable } from '../../infra/index.ts'
import { ErrorBody, apiError, invalidInput } from '../errors.ts'
import { canSeeResident, visibleCentreIds, visibleResidentIds } from '../scope.pg.ts'
import type { Viewer } from '../scope.ts'
import { requireViewer } from '../session.ts'

export interface MapSettings {
  /** Leaflet tile URL template; empty: no base map. */
  tileUrl: string
  attribution: string
  /** The tiles are in GCJ-02 (Chinese providers such as AMap): positions are offset for display only. */
  gcj02: boolean
  /** What `{s}` in the templates stands for, one character each. */
  subdomains: string
  /** A second layer drawn over the tiles (Tianditu's street names); empty: none. */
  labelsUrl: string
  /** A local PMTiles archive served at /tiles/{z}/{x}/{y}; empty: none. */
  archive?: string
}

type ZoneInput = Static<typeof ZoneInputSchema>

/** What the schema cannot say about a zone (closed rings, no self-intersection, a known time zone). */
function checkZone(
  body: ZoneInput,
):
  | { ok: true; zone: { name: string; kind: ZoneKind; shape: ZoneShape; schedule: Schedule | null } }
  | { ok: false; error: string } {
  const shape = checkShape(body.shape)
  if (!shape.ok) return { ok: false, error: shape.error }
  const when = checkSchedule(body.schedule)
  if (!when.ok) return { ok: false, error: when.error }
  return { ok: true, zone: { name: body.name, kind: body.kind, shape: shape.shape, schedule: when.schedule } }
}

export const zoneRoutes =
  (db: Queryable, settings: MapSettings, topologyChanged: () => Promise<void>): FastifyPluginAsyncTypebox =>
  async (app) => {
    // Care staff edit the zones of their centre's residents; admins any resident's. Families look.
    const mayEdit = async (v: Viewer, residentId: number) => v.role !== 'family' && canSeeResident(db, v, residentId)
    const Saved = { 200: Type.Object({ zone: ZoneViewSchema }), 400: ErrorBody, 401: ErrorBody, 404: ErrorBody }
    // A zone that does not match its schema is refused as invalid_zone, naming the field.
    const invalidZone = invalidInput('invalid_zone', ZoneInputSchema)

    app.post(
      '/api/residents/:residentId/zones',
      {
        preValidation: requireViewer(db, ['admin', 'staff']),
        schema: {
          params: Type.Object({ residentId: Type.Integer({ minimum: 1 }) }),
          body: ZoneInputSchema,
          response: { ...Saved, 201: Type.Object({ zone: ZoneViewSchema }) },
        },
        schemaErrorFormatter: invalidZone,
      },
      async (request, reply) => {
        if (!(await mayEdit(request.viewer!, request.params.residentId)))
          return reply.code(404).send(apiError('not_found', 'no such resident'))
        const z = checkZone(request.body)
        if (!z.ok) return reply.code(400).send(apiError('invalid_zone', z.error))
        const id = await insertZone(db, { residentId: request.params.residentId, ...z.zone })
        await topologyChanged()
        return reply.code(201).send({ zone: (await findZone(db, id))! })
      },
    )

    app.put(
      '/api/zones/:zoneId',
      {
        preValidation: requireViewer(db, ['admin', 'staff']),
        schema: {
          params: Type.Object({ zoneId: Type.Integer({ minimum: 1 }) }),
          body: ZoneInputSchema,
          response: Saved,
        },
        schemaErrorFormatter: invalidZone,
      },
      async (request, reply) => {
        const existing = await findZone(db, request.params.zoneId)
        if (!existing || existing.residentId === null || !(await mayEdit(request.viewer!, existing.residentId)))
          return reply.code(404).send(apiError('not_found', 'no such zone'))
        const z = checkZone(request.body)
        if (!z.ok) return reply.code(400).send(apiError('invalid_zone', z.error))
        await updateZone(db, existing.id, z.zone)
        await topologyChanged()
        request.log.info({ zoneId: existing.id, by: request.viewer!.userId }, 'zone changed')
        return { zone: (await findZone(db, existing.id))! }
      },
    )

    app.delete(
      '/api/zones/:zoneId',
      {
        preValidation: requireViewer(db, ['admin', 'staff']),
        schema: {
          params: Type.Object({ zoneId: Type.Integer({ minimum: 1 }) }),
          response: { 204: Type.Null(), 401: ErrorBody, 404: ErrorBody },
        },
      },
      async (request, reply) => {
        const existing = await findZone(db, request.params.zoneId)
        if (!existing || existing.residentId === null || !(await mayEdit(request.viewer!, existing.residentId)))
          return reply.code(404).send(apiError('not_found', 'no such zone'))
        await deleteZone(db, existing.id)
        await topologyChanged()
        return reply.code(204).send(null)
      },
    )

    app.get(
      '/api/config',
      {
        schema: {
          response: {
            200: Type.Object({
              tileUrl: Type.String(),
              attribution: Type.String(),
              gcj02: Type.Boolean(),
              subdomains: Type.String(),
              labelsUrl: Type.String(),
            }),
          },
        },
      },
      async () => settings,
    )

    app.get(
      '/api/zones',
      {
        preValidation: requireViewer(db),
        schema: {
          response: {
            200: Type.Object({
              zones: Type.Array(ZoneViewSchema),
            }),
            401: ErrorBody,
          },
        },
      },
      async (request) => {
        const v = request.viewer!
        const residents = await visibleResidentIds(db, v)
        return { zones: await listZones(db, residents, (await visibleCentreIds(db, v)) ?? []) }
      },
    )
  }
