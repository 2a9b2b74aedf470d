// A resident's photo, for the people looking for them (search links, responders): care staff of
// the resident's centre and admins set or remove it; whoever may see the resident may view it.
// The body is the image itself (image/jpeg or image/png), its type checked against its bytes.
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { Type } from 'typebox'
import { PHOTO_MAX_BYTES, PHOTO_TYPES, checkPhoto, deletePhoto, photoOf, savePhoto } from '../../finding/index.ts'
import type { Queryable } from '../../infra/index.ts'
import { ErrorBody, apiError } from '../errors.ts'
import { canSeeResident } from '../scope.pg.ts'
import { requireViewer } from '../session.ts'
import { ImageBody } from './schemas.ts'

const Params = Type.Object({ residentId: Type.Integer({ minimum: 1 }) })

export const residentPhotoRoutes =
  (db: Queryable): FastifyPluginAsyncTypebox =>
  async (app) => {
    // Only within this plugin: the rest of the API keeps taking JSON only.
    app.addContentTypeParser([...PHOTO_TYPES], { parseAs: 'buffer', bodyLimit: PHOTO_MAX_BYTES }, (_req, body, done) =>
      done(null, body),
    )

    app.put(
      '/api/residents/:residentId/photo',
      {
        preValidation: requireViewer(db, ['admin', 'staff']),
        schema: {
          params: Params,
          response: { 204: Type.Null(), 400: ErrorBody, 401: ErrorBody, 403: ErrorBody, 404: ErrorBody },
        },
      },
      async (request, reply) => {
        if (!(await canSeeResident(db, request.viewer!, request.params.residentId)))
          return reply.code(404).send(apiError('not_found', 'no such resident'))
        const body = request.body
        const check = Buffer.isBuffer(body)
          ? checkPhoto(body, request.headers['content-type'] ?? '')
          : { ok: false as const, error: 'send the image itself as image/jpeg or image/png' }
        if (!check.ok) return reply.code(400).send(apiError('invalid_photo', check.error))
        await savePhoto(db, request.params.residentId, check.type, body as Buffer)
        return reply.code(204).send(null)
      },
    )

    app.delete(
      '/api/residents/:residentId/photo',
      {
        preValidation: requireViewer(db, ['admin', 'staff']),
        schema: { params: Params, response: { 204: Type.Null(), 401: ErrorBody, 403: ErrorBody, 404: ErrorBody } },
      },
      async (request, reply) => {
        const ok =
          (await canSeeResident(db, request.viewer!, request.params.residentId)) &&
          (await deletePhoto(db, request.params.residentId))
        if (!ok) return reply.code(404).send(apiError('not_found', 'no such resident or photo'))
        return reply.code(204).send(null)
      },
    )

    app.get(
      '/api/residents/:residentId/photo',
      {
        preValidation: requireViewer(db),
        schema: { params: Params, response: { 200: ImageBody, 401: ErrorBody, 404: ErrorBody } },
      },
      async (request, reply) => {
        const photo =
          (await canSeeResident(db, request.viewer!, request.params.residentId)) &&
          (await photoOf(db, request.params.residentId))
        if (!photo) return reply.code(404).send(apiError('not_found', 'no such resident or photo'))
        return reply.type(photo.type).send(photo.bytes)
      },
    )
  }
