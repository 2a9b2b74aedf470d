// A resident's personal data, for programme admins: export everything held (each export recorded),
// or erase it when the family withdraws consent — open dashboards are told the resident is gone.
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { Type } from 'typebox'
import type { Db } from '../../infra/index.ts'
import type { RejectedRecord } from '../../ingest/index.ts'
import { ErrorBody, apiError } from '../errors.ts'
import type { Hub } from '../hub.ts'
import { residentRef } from '../scope.pg.ts'
import { eraseResident, exportResident, listExports, recordExport } from '../personal-data.pg.ts'
import { Nullable } from './schemas.ts'
import { requireViewer } from '../session.ts'

const Params = Type.Object({ residentId: Type.Integer({ minimum: 1 }) })
const ExportRecord = Type.Object({
  userId: Nullable(Type.Integer()),
  username: Type.String(),
  exportedAt: Type.Number(),
})

export interface PersonalDataDeps {
  db: Db
  hub: Hub
  /** The record of rejected band messages: an erased wearer's go with them. */
  rejected: RejectedRecord
  topologyChanged: () => Promise<void>
}

export const personalDataRoutes =
  (d: PersonalDataDeps): FastifyPluginAsyncTypebox =>
  async (app) => {
    const { db, hub, rejected, topologyChanged } = d
    app.get(
      '/api/admin/residents/:residentId/export',
      {
        preValidation: requireViewer(db, ['admin']),
        schema: { params: Params, response: { 200: Type.Unknown(), 401: ErrorBody, 403: ErrorBody, 404: ErrorBody } },
      },
      async (request, reply) => {
        const data = await exportResident(db, request.params.residentId)
        if (!data) return reply.code(404).send(apiError('not_found', 'no such resident'))
        await recordExport(db, request.params.residentId, request.viewer!)
        request.log.info(
          { residentId: request.params.residentId, by: request.viewer!.userId },
          'resident data exported',
        )
        return reply
          .header('content-disposition', `attachment; filename="resident-${request.params.residentId}.json"`)
          .send(data)
      },
    )

    app.get(
      '/api/admin/residents/:residentId/exports',
      {
        preValidation: requireViewer(db, ['admin']),
        schema: {
          params: Params,
          querystring: Type.Object({ limit: Type.Integer({ minimum: 1, maximum: 1000, default: 100 }) }),
          response: { 200: Type.Object({ exports: Type.Array(ExportRecord) }), 401: ErrorBody, 403: ErrorBody },
        },
      },
      async (request) => ({ exports: await listExports(db, request.params.residentId, request.query.limit) }),
    )

    app.delete(
      '/api/admin/residents/:residentId',
      {
        preValidation: requireViewer(db, ['admin']),
        schema: {
          params: Params,
          response: {
            200: Type.Object({ erased: Type.Record(Type.String(), Type.Integer()) }),
            401: ErrorBody,
            403: ErrorBody,
            404: ErrorBody,
          },
        },
      },
      async (request, reply) => {
        const { residentId } = request.params
        const ref = await residentRef(db, residentId)
        const erased = ref && (await eraseResident(db, residentId, request.viewer!.userId))
        if (!erased) return reply.code(404).send(apiError('not_found', 'no such resident'))
        rejected.forget((e) => erased.periods.some((p) => p.bandId === e.bandId && e.at >= p.from && e.at < p.to))
        await topologyChanged()
        // Dashboards that showed the resident drop them (the page removes their marker, band and alerts).
        hub.publish('resident', { change: 'erased', residentId }, ref)
        request.log.warn({ residentId, by: request.viewer!.userId, erased: erased.counts }, 'resident erased')
        return { erased: erased.counts }
      },
    )
  }
