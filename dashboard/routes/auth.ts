// Log in and out. The same answer for an unknown user and a wrong password (no enumeration), and
// a limit on attempts per client address.
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { Type } from 'typebox'
import type { Queryable } from '../../infra/index.ts'
import { ErrorBody, apiError } from '../errors.ts'
import { checkLogin, createSession, deleteSession } from '../people.pg.ts'
import { SESSION_COOKIE, requireViewer } from '../session.ts'

const Me = Type.Object({
  user: Type.Object({ id: Type.Integer(), username: Type.String(), role: Type.String(), careCentreId: Type.Union([Type.Integer(), Type.Null()]) }),
})

/** Sign-in attempts allowed per client address and minute (a care centre's staff share one). */
export const LOGIN_ATTEMPTS_PER_MINUTE = 20

export const authRoutes = (db: Queryable, sessionTtlMs: number): FastifyPluginAsyncTypebox => async (app) => {
  app.post('/api/login', {
    config: { rateLimit: { max: LOGIN_ATTEMPTS_PER_MINUTE, timeWindow: 60_000, errorResponseBuilder: (_req, ctx) =>
      ({ statusCode: 429, ...apiError('too_many_attempts', `too many sign-in attempts; try again in ${Math.ceil(ctx.ttl / 1000)} s`) }) } },
    schema: {
      body: Type.Object({ username: Type.String({ minLength: 1, maxLength: 64 }), password: Type.String({ minLength: 1, maxLength: 200 }) }),
      response: { 204: Type.Null(), 401: ErrorBody, 429: ErrorBody },
    },
  }, async (request, reply) => {
    const userId = await checkLogin(db, request.body.username, request.body.password)
    if (userId === undefined) return reply.code(401).send(apiError('invalid_login', 'wrong username or password'))
    const token = await createSession(db, userId, sessionTtlMs)
    // Secure whenever the page was reached over HTTPS (directly, or through a trusted proxy).
    reply.setCookie(SESSION_COOKIE, token, { path: '/', httpOnly: true, sameSite: 'strict', secure: request.protocol === 'https', maxAge: Math.floor(sessionTtlMs / 1000) })
    return reply.code(204).send(null)
  })

  app.post('/api/logout', { schema: { response: { 204: Type.Null() } } }, async (request, reply) => {
    const token = request.cookies[SESSION_COOKIE]
    if (token) await deleteSession(db, token)
    reply.clearCookie(SESSION_COOKIE, { path: '/' })
    return reply.code(204).send(null)
  })

  app.get('/api/me', { preValidation: requireViewer(db), schema: { response: { 200: Me, 401: ErrorBody } } }, async (request) => {
    const v = request.viewer!
    return { user: { id: v.userId, username: v.username, role: v.role, careCentreId: v.careCentreId } }
  })
}
