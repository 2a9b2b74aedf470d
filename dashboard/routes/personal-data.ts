// A resident's personal data, for programme admins: export everything held, or erase it when the
// family withdraws consent.
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { Type } from 'typebox'
import type { Db } from '../../infra/index.ts'
import { ErrorBody, apiError } from '../errors.ts'
import { eraseResident, exportResident } from '../personal-data.pg.ts'
import { requireViewer } from '../session.ts'

const Params = Type.Object({ residentId: Type.Integer({ minimum: 1 }) })

export const personalDataRoutes = (db: Db, topologyChanged: () => Promise<void>): FastifyPluginAsyncTypebox => async (app) => {
  app.get('/api/admin/residents/:residentId/export', {
    preValidation: requireViewer(db, ['admin']),
    schema: { params: Params, response: { 200: Type.Unknown(), 401: ErrorBody, 403: ErrorBody, 404: ErrorBody } },
  }, async (request, reply) => {
    const data = await exportResident(db, request.params.residentId)
    if (!data) return reply.code(404).send(apiError('not_found', 'no such resident'))
    request.log.info({ residentId: request.params.residentId, by: request.viewer!.userId }, 'resident data exported')
    return reply.header('content-disposition', `attachment; filename="resident-${request.params.residentId}.json"`).send(data)
  })

  app.delete('/api/admin/residents/:residentId', {
    preValidation: requireViewer(db, ['admin']),
    schema: { params: Params, response: { 200: Type.Object({ erased: Type.Record(Type.String(), Type.Integer()) }), 401: ErrorBody, 403: ErrorBody, 404: ErrorBody } },
  }, async (request, reply) => {
    const erased = await eraseResident(db, request.params.residentId, request.viewer!.userId)
    if (!erased) return reply.code(404).send(apiError('not_found', 'no such resident'))
    await topologyChanged()
    request.log.warn({ residentId: request.params.residentId, by: request.viewer!.userId, erased }, 'resident erased')
    return { erased }
  })
}
