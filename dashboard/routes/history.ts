// A resident's history for a period (bounded, thinned for long periods), to anyone who may see
// the resident — every look recorded — and the record of those looks, for admins.
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { Type } from 'typebox'
import type { Queryable } from '../../infra/index.ts'
import { Nullable } from './schemas.ts'
import { ErrorBody, apiError } from '../errors.ts'
import { listHistoryViews, MAX_HISTORY_MS, MAX_HOURLY_MS, recordHistoryView, residentHistory, residentHourly } from '../history.pg.ts'
import { canSeeResident } from '../people.pg.ts'
import { requireViewer } from '../session.ts'

const Params = Type.Object({ residentId: Type.Integer({ minimum: 1 }) })

export const historyRoutes = (db: Queryable): FastifyPluginAsyncTypebox => async (app) => {
  app.get('/api/residents/:residentId/history', {
    preValidation: requireViewer(db),
    schema: {
      params: Params,
      querystring: Type.Object({
        from: Type.Number({ minimum: 0, description: 'epoch ms' }),
        to: Type.Number({ minimum: 0, description: 'epoch ms, at most 7 days after from' }),
        maxPoints: Type.Integer({ minimum: 10, maximum: 10_000, default: 2000 }),
      }),
      response: { 200: Type.Object({ total: Type.Integer(), points: Type.Array(Type.Object({ fixTime: Type.Number(), lat: Type.Number(), lon: Type.Number(), acc: Nullable(Type.Number()) })) }),
        400: ErrorBody, 401: ErrorBody, 404: ErrorBody },
    },
  }, async (request, reply) => {
    const { residentId } = request.params
    const { from, to, maxPoints } = request.query
    if (!(await canSeeResident(db, request.viewer!, residentId))) return reply.code(404).send(apiError('not_found', 'no such resident'))
    if (!(to > from) || to - from > MAX_HISTORY_MS) return reply.code(400).send(apiError('bad_range', 'to must be after from, at most 7 days'))
    await recordHistoryView(db, request.viewer!.userId, residentId, from, to)
    return residentHistory(db, residentId, from, to, maxPoints)
  })

  app.get('/api/residents/:residentId/history/hourly', {
    preValidation: requireViewer(db),
    schema: {
      params: Params,
      querystring: Type.Object({
        from: Type.Number({ minimum: 0, description: 'epoch ms' }),
        to: Type.Number({ minimum: 0, description: 'epoch ms, at most 92 days after from' }),
      }),
      response: { 200: Type.Object({ hours: Type.Array(Type.Object({ hour: Type.Number(), reports: Type.Integer(), located: Type.Integer(),
        lat: Nullable(Type.Number()), lon: Nullable(Type.Number()), box: Nullable(Type.Array(Type.Number(), { minItems: 4, maxItems: 4 })),
        minBatt: Nullable(Type.Integer()), sosOrFall: Type.Integer() })) }),
        400: ErrorBody, 401: ErrorBody, 404: ErrorBody },
    },
  }, async (request, reply) => {
    const { residentId } = request.params
    const { from, to } = request.query
    if (!(await canSeeResident(db, request.viewer!, residentId))) return reply.code(404).send(apiError('not_found', 'no such resident'))
    if (!(to > from) || to - from > MAX_HOURLY_MS) return reply.code(400).send(apiError('bad_range', 'to must be after from, at most 92 days'))
    await recordHistoryView(db, request.viewer!.userId, residentId, from, to)
    return { hours: await residentHourly(db, residentId, from, to) }
  })

  app.get('/api/admin/residents/:residentId/history-views', {
    preValidation: requireViewer(db, ['admin']),
    schema: { params: Params, querystring: Type.Object({ limit: Type.Integer({ minimum: 1, maximum: 1000, default: 100 }) }),
      response: { 200: Type.Object({ views: Type.Array(Type.Object({ userId: Nullable(Type.Integer()), username: Nullable(Type.String()), residentId: Type.Integer(),
        from: Type.Number(), to: Type.Number(), viewedAt: Type.Number() })) }), 401: ErrorBody, 403: ErrorBody } },
  }, async (request) => ({ views: await listHistoryViews(db, request.params.residentId, request.query.limit) }))
}
