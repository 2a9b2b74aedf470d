// Alerts the viewer may see.
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { Type } from 'typebox'
import { listAlerts } from '../../geofence/index.ts'
import type { Queryable } from '../../infra/index.ts'
import { ErrorBody } from '../errors.ts'
import { visibleResidentIds } from '../people.pg.ts'
import { requireViewer } from '../session.ts'

export const AlertBody = Type.Object({
  id: Type.Integer(),
  residentId: Type.Integer(),
  careCentreId: Type.Union([Type.Integer(), Type.Null()]),
  bandId: Type.String(),
  zoneId: Type.Union([Type.Integer(), Type.Null()]),
  kind: Type.String(),
  severity: Type.String(),
  status: Type.String(),
  fixTime: Type.Number(),
  openedAt: Type.Number(),
  updatedAt: Type.Number(),
  evidence: Type.Unknown(),
})

export const alertRoutes = (db: Queryable): FastifyPluginAsyncTypebox => async (app) => {
  app.get('/api/alerts', {
    preValidation: requireViewer(db),
    schema: {
      querystring: Type.Object({
        status: Type.Optional(Type.Union([Type.Literal('open'), Type.Literal('acknowledged'), Type.Literal('resolved')])),
        since: Type.Optional(Type.Number({ minimum: 0, description: 'fix time, epoch ms' })),
        beforeId: Type.Optional(Type.Integer({ minimum: 1 })),
        limit: Type.Integer({ minimum: 1, maximum: 1000, default: 100 }),
      }),
      response: { 200: Type.Object({ alerts: Type.Array(AlertBody) }), 401: ErrorBody },
    },
  }, async (request) => {
    const residentIds = await visibleResidentIds(db, request.viewer!)
    const { status, since, beforeId, limit } = request.query
    return { alerts: await listAlerts(db, { residentIds, status, since, beforeId, limit }) }
  })
}
