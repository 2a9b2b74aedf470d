// Programme admins: bulk provisioning (the simulator uses it to set up its fleet in one step), and
// the record of rejected band messages.
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { Type } from 'typebox'
import type { Db } from '../../infra/index.ts'
import type { RejectedRecord } from '../../ingest/index.ts'
import { ErrorBody, apiError } from '../errors.ts'
import { ImportDocSchema } from '../import-doc.ts'
import { importDoc } from '../import.pg.ts'
import { passwordProblem } from '../password-policy.ts'
import { requireViewer } from '../session.ts'

const Ids = Type.Record(Type.String(), Type.Integer())

const Rejected = Type.Object({
  at: Type.Number({ description: 'epoch ms' }),
  bandId: Type.String(),
  reason: Type.String(),
  detail: Type.String(),
  index: Type.Optional(Type.Integer({ description: 'position in a backlog array' })),
})

export const adminRoutes =
  (db: Db, topologyChanged: () => Promise<void>, rejected: RejectedRecord): FastifyPluginAsyncTypebox =>
  async (app) => {
    // The newest rejected messages (band, reason, the field at fault; never the payload).
    app.get(
      '/api/admin/rejected',
      {
        preValidation: requireViewer(db, ['admin']),
        schema: {
          querystring: Type.Object({
            bandId: Type.Optional(Type.String({ maxLength: 64 })),
            limit: Type.Integer({ minimum: 1, maximum: 1000, default: 100 }),
          }),
          response: { 200: Type.Object({ rejected: Type.Array(Rejected) }), 401: ErrorBody, 403: ErrorBody },
        },
      },
      async (request) => ({ rejected: rejected.list(request.query.limit, request.query.bandId) }),
    )

    app.post(
      '/api/admin/import',
      {
        preValidation: requireViewer(db, ['admin']),
        bodyLimit: 64 * 1024 * 1024,
        schema: {
          body: ImportDocSchema,
          response: {
            200: Type.Object({ centres: Ids, residents: Ids, users: Ids }),
            400: ErrorBody,
            401: ErrorBody,
            403: ErrorBody,
          },
        },
      },
      async (request, reply) => {
        for (const u of request.body.users) {
          const weak = await passwordProblem(u.username, u.password)
          if (weak) return reply.code(400).send(apiError('weak_password', `user ${u.username}: ${weak}`))
        }
        const outcome = await importDoc(db, request.body)
        if (!outcome.ok) return reply.code(400).send(apiError('invalid_import', outcome.error))
        await topologyChanged()
        request.log.info(
          {
            centres: request.body.centres.length,
            residents: request.body.residents.length,
            users: request.body.users.length,
          },
          'import applied',
        )
        return outcome.result
      },
    )
  }
