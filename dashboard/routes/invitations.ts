// Family invitations: care staff (or admins) make one for a resident they look after; the
// relative uses the code once, before it expires, to create an account or link the one they have.
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { Type } from 'typebox'
import type { Db } from '../../infra/index.ts'
import { ErrorBody, apiError } from '../errors.ts'
import { acceptInvitation, createInvitation } from '../invitations.pg.ts'
import { passwordProblem } from '../password-policy.ts'
import { viewerForSession } from '../sessions.pg.ts'
import { canSeeResident } from '../scope.pg.ts'
import { SESSION_COOKIE, requireViewer } from '../session.ts'

export const invitationRoutes =
  (db: Db): FastifyPluginAsyncTypebox =>
  async (app) => {
    app.post(
      '/api/residents/:residentId/invitations',
      {
        preValidation: requireViewer(db, ['admin', 'staff']),
        schema: {
          params: Type.Object({ residentId: Type.Integer({ minimum: 1 }) }),
          body: Type.Object({ hours: Type.Integer({ minimum: 1, maximum: 168, default: 72 }) }),
          response: {
            201: Type.Object({ code: Type.String(), expiresAt: Type.Number() }),
            401: ErrorBody,
            403: ErrorBody,
            404: ErrorBody,
          },
        },
      },
      async (request, reply) => {
        const { residentId } = request.params
        if (!(await canSeeResident(db, request.viewer!, residentId)))
          return reply.code(404).send(apiError('not_found', 'no such resident'))
        const made = await createInvitation(db, residentId, request.viewer!.userId, request.body.hours * 3_600_000)
        request.log.info({ residentId, by: request.viewer!.userId }, 'family invitation made')
        return reply.code(201).send(made)
      },
    )

    app.post(
      '/api/invitations/accept',
      {
        config: { rateLimit: { max: 20, timeWindow: 60_000 } },
        schema: {
          body: Type.Object({
            code: Type.String({ minLength: 10, maxLength: 100 }),
            username: Type.Optional(Type.String({ minLength: 1, maxLength: 64 })),
            password: Type.Optional(Type.String({ minLength: 1, maxLength: 200 })),
          }),
          response: { 200: Type.Object({ residentId: Type.Integer() }), 400: ErrorBody, 409: ErrorBody },
        },
      },
      async (request, reply) => {
        const { code, username, password } = request.body
        // Signed in as a family member: link that account. Otherwise a new family account.
        const token = request.cookies[SESSION_COOKIE]
        const viewer = token ? await viewerForSession(db, token) : undefined
        let who: Parameters<typeof acceptInvitation>[2]
        if (viewer?.role === 'family' && !username) who = { existingUserId: viewer.userId }
        else if (username && password) {
          const weak = await passwordProblem(username, password)
          if (weak) return reply.code(400).send(apiError('weak_password', weak))
          who = { username, password }
        } else
          return reply
            .code(400)
            .send(
              apiError(
                'bad_request',
                'give a username and a password for the new account, or sign in as a family member first',
              ),
            )
        const r = await acceptInvitation(db, code, who)
        if (!r.ok && r.reason === 'username_taken')
          return reply.code(409).send(apiError('username_taken', 'that username is taken'))
        if (!r.ok)
          return reply
            .code(400)
            .send(apiError('invalid_invitation', 'this invitation is not valid (unknown, used or expired)'))
        request.log.info({ residentId: r.residentId, userId: r.userId }, 'family invitation accepted')
        return { residentId: r.residentId }
      },
    )
  }
