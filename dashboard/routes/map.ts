// What the page's map needs: the zones the viewer may see (their residents', their centres'
// shared ones, the city-wide danger zones), and the public map settings.
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { Type } from 'typebox'
import { listZones } from '../../geofence/index.ts'
import type { Queryable } from '../../infra/index.ts'
import { ErrorBody } from '../errors.ts'
import { visibleCentreIds, visibleResidentIds } from '../people.pg.ts'
import { requireViewer } from '../session.ts'

export interface MapSettings {
  /** Leaflet tile URL template; empty: no base map. */
  tileUrl: string
  attribution: string
  /** The tiles are in GCJ-02 (Chinese providers such as AMap): positions are offset for display only. */
  gcj02: boolean
}

const Nullable = <T extends Parameters<typeof Type.Union>[0][number]>(t: T) => Type.Union([t, Type.Null()])

export const mapRoutes = (db: Queryable, settings: MapSettings): FastifyPluginAsyncTypebox => async (app) => {
  app.get('/api/config', { schema: { response: { 200: Type.Object({ tileUrl: Type.String(), attribution: Type.String(), gcj02: Type.Boolean() }) } } }, async () => settings)

  app.get('/api/zones', {
    preValidation: requireViewer(db),
    schema: { response: { 200: Type.Object({ zones: Type.Array(Type.Object({
      id: Type.Integer(), residentId: Nullable(Type.Integer()), careCentreId: Nullable(Type.Integer()), name: Type.String(),
      kind: Type.String(), shape: Type.Unknown(), schedule: Type.Unknown() })) }), 401: ErrorBody } },
  }, async (request) => {
    const v = request.viewer!
    const residents = await visibleResidentIds(db, v)
    return { zones: await listZones(db, residents, (await visibleCentreIds(db, v)) ?? []) }
  })
}
