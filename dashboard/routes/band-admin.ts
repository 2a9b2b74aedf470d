// Bands for programme admins: provision one (its secret is shown once), give it a new secret
// (a lost or leaked one; the old stops working at the band's next connection), give it to a
// resident or take it from its wearer (what it reported before stays the previous wearer's).
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { Type } from 'typebox'
import type { Queryable } from '../../infra/index.ts'
import { BandIdSchema, assignBand, bandExists, generateSecret, unassignBand, upsertBand } from '../../ingest/index.ts'
import { ErrorBody, apiError } from '../errors.ts'
import { residentRef } from '../scope.pg.ts'
import { requireViewer } from '../session.ts'

const Secret = Type.Object({ bandId: Type.String(), secret: Type.String({ description: 'shown this once' }) })

export const bandAdminRoutes =
  (db: Queryable, topologyChanged: () => Promise<void>): FastifyPluginAsyncTypebox =>
  async (app) => {
    const admin = requireViewer(db, ['admin'])

    app.post(
      '/api/admin/bands',
      {
        preValidation: admin,
        schema: {
          body: Type.Object({ id: BandIdSchema, residentId: Type.Optional(Type.Integer({ minimum: 1 })) }),
          response: { 201: Secret, 400: ErrorBody, 401: ErrorBody, 403: ErrorBody, 409: ErrorBody },
        },
      },
      async (request, reply) => {
        const { id, residentId } = request.body
        if (await bandExists(db, id))
          return reply
            .code(409)
            .send(apiError('band_exists', 'that band is already provisioned; give it a new secret instead'))
        if (residentId !== undefined && !(await residentRef(db, residentId)))
          return reply.code(400).send(apiError('no_such_resident', 'no such resident'))
        const secret = generateSecret()
        await upsertBand(db, id, secret, residentId)
        await topologyChanged()
        return reply.code(201).send({ bandId: id, secret })
      },
    )

    app.post(
      '/api/admin/bands/:bandId/secret',
      {
        preValidation: admin,
        schema: {
          params: Type.Object({ bandId: BandIdSchema }),
          response: { 200: Secret, 401: ErrorBody, 403: ErrorBody, 404: ErrorBody },
        },
      },
      async (request, reply) => {
        const { bandId } = request.params
        if (!(await bandExists(db, bandId))) return reply.code(404).send(apiError('not_found', 'no such band'))
        const secret = generateSecret()
        await upsertBand(db, bandId, secret)
        request.log.warn({ bandId, by: request.viewer!.userId }, 'band secret rotated')
        return { bandId, secret }
      },
    )

    app.put(
      '/api/admin/bands/:bandId/resident',
      {
        preValidation: admin,
        schema: {
          params: Type.Object({ bandId: BandIdSchema }),
          body: Type.Object({ residentId: Type.Integer({ minimum: 1 }) }),
          response: {
            204: Type.Null(),
            400: ErrorBody,
            401: ErrorBody,
            403: ErrorBody,
            404: ErrorBody,
            409: ErrorBody,
          },
        },
      },
      async (request, reply) => {
        const { residentId } = request.body
        if (!(await residentRef(db, residentId))) {
          return reply.code(400).send(apiError('no_such_resident', 'no such resident'))
        }
        const outcome = await assignBand(db, request.params.bandId, residentId)
        if (outcome === 'no_such_band') return reply.code(404).send(apiError('not_found', 'no such band'))
        if (outcome === 'resident_has_band') {
          return reply
            .code(409)
            .send(apiError('resident_has_band', 'that resident wears another band: unassign it first'))
        }
        await topologyChanged()
        return reply.code(204).send(null)
      },
    )

    app.post(
      '/api/admin/bands/:bandId/unassign',
      {
        preValidation: admin,
        schema: {
          params: Type.Object({ bandId: BandIdSchema }),
          response: { 204: Type.Null(), 401: ErrorBody, 403: ErrorBody, 404: ErrorBody },
        },
      },
      async (request, reply) => {
        if (!(await unassignBand(db, request.params.bandId)))
          return reply.code(404).send(apiError('not_found', 'no such band'))
        await topologyChanged()
        return reply.code(204).send(null)
      },
    )
  }
