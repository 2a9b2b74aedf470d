// A resident's history for a period (bounded, thinned for long periods), to anyone who may see
// the resident — every look recorded — and the record of those looks, for admins.
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { Type } from 'typebox'
import type { Queryable } from '../../infra/index.ts'
import { Nullable } from './schemas.ts'
import { ErrorBody, apiError } from '../errors.ts'
import {
  listHistoryViews,
  MAX_HISTORY_MS,
  MAX_HOURLY_MS,
  recordHistoryView,
  residentHistory,
  residentHourly,
  type Reader,
} from '../history.pg.ts'
import { canSeeResident } from '../scope.pg.ts'
import type { Viewer } from '../scope.ts'
import { requireViewer } from '../session.ts'

const Params = Type.Object({ residentId: Type.Integer({ minimum: 1 }) })
/** Times a history request may name: 1970 to the end of 9999 (PostgreSQL and JavaScript dates both hold them). */
export const LAST_TIME_MS = Date.UTC(9999, 11, 31, 23, 59, 59, 999)
const inTime = (t: number) => Number.isFinite(t) && t >= 0 && t <= LAST_TIME_MS

export const historyRoutes =
  (db: Queryable): FastifyPluginAsyncTypebox =>
  async (app) => {
    /** A look at a resident's history: refused (404, or 400 for a bad range), or recorded and allowed. */
    const look = async (
      viewer: Viewer & Reader,
      residentId: number,
      from: number,
      to: number,
      maxMs: number,
      most: string,
    ) => {
      if (!(await canSeeResident(db, viewer, residentId)))
        return { code: 404 as const, body: apiError('not_found', 'no such resident') }
      if (!inTime(from) || !inTime(to)) {
        return { code: 400 as const, body: apiError('bad_range', 'from and to are epoch ms between 1970 and 9999') }
      }
      if (!(to > from) || to - from > maxMs)
        return { code: 400 as const, body: apiError('bad_range', `to must be after from, at most ${most}`) }
      await recordHistoryView(db, viewer, residentId, from, to)
      return undefined
    }

    app.get(
      '/api/residents/:residentId/history',
      {
        preValidation: requireViewer(db),
        schema: {
          params: Params,
          querystring: Type.Object({
            from: Type.Number({ description: 'epoch ms, 1970 to 9999' }),
            to: Type.Number({ description: 'epoch ms, at most 7 days after from' }),
            maxPoints: Type.Integer({ minimum: 10, maximum: 10_000, default: 2000 }),
          }),
          response: {
            200: Type.Object({
              total: Type.Integer(),
              points: Type.Array(
                Type.Object({
                  fixTime: Type.Number(),
                  lat: Type.Number(),
                  lon: Type.Number(),
                  acc: Nullable(Type.Number()),
                }),
              ),
            }),
            400: ErrorBody,
            401: ErrorBody,
            404: ErrorBody,
          },
        },
      },
      async (request, reply) => {
        const { residentId } = request.params
        const { from, to, maxPoints } = request.query
        const refused = await look(request.viewer!, residentId, from, to, MAX_HISTORY_MS, '7 days')
        if (refused) return reply.code(refused.code).send(refused.body)
        return residentHistory(db, residentId, from, to, maxPoints)
      },
    )

    app.get(
      '/api/residents/:residentId/history/hourly',
      {
        preValidation: requireViewer(db),
        schema: {
          params: Params,
          querystring: Type.Object({
            from: Type.Number({ description: 'epoch ms, 1970 to 9999' }),
            to: Type.Number({ description: 'epoch ms, at most 92 days after from' }),
          }),
          response: {
            200: Type.Object({
              hours: Type.Array(
                Type.Object({
                  hour: Type.Number(),
                  reports: Type.Integer(),
                  located: Type.Integer(),
                  lat: Nullable(Type.Number()),
                  lon: Nullable(Type.Number()),
                  box: Nullable(Type.Array(Type.Number(), { minItems: 4, maxItems: 4 })),
                  minBatt: Nullable(Type.Integer()),
                  sosOrFall: Type.Integer(),
                }),
              ),
            }),
            400: ErrorBody,
            401: ErrorBody,
            404: ErrorBody,
          },
        },
      },
      async (request, reply) => {
        const { residentId } = request.params
        const { from, to } = request.query
        const refused = await look(request.viewer!, residentId, from, to, MAX_HOURLY_MS, '92 days')
        if (refused) return reply.code(refused.code).send(refused.body)
        return { hours: await residentHourly(db, residentId, from, to) }
      },
    )

    app.get(
      '/api/admin/residents/:residentId/history-views',
      {
        preValidation: requireViewer(db, ['admin']),
        schema: {
          params: Params,
          querystring: Type.Object({ limit: Type.Integer({ minimum: 1, maximum: 1000, default: 100 }) }),
          response: {
            200: Type.Object({
              views: Type.Array(
                Type.Object({
                  userId: Nullable(Type.Integer()),
                  username: Nullable(Type.String()),
                  residentId: Type.Integer(),
                  from: Type.Number(),
                  to: Type.Number(),
                  viewedAt: Type.Number(),
                }),
              ),
            }),
            401: ErrorBody,
            403: ErrorBody,
          },
        },
      },
      async (request) => ({ views: await listHistoryViews(db, request.params.residentId, request.query.limit) }),
    )
  }
