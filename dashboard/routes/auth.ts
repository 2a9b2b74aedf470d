// Log in and out. The same answer for an unknown user and a wrong password (no enumeration), a
// limit on attempts per client address, and growing delays per account (sign-in-guard.ts).
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { Type } from 'typebox'
import type { Db } from '../../infra/index.ts'
import { ErrorBody, apiError } from '../errors.ts'
import { DEVICE_COOKIE, DEVICE_MAX_AGE_S, deviceCookie, knownDevice } from '../device-cookie.ts'
import { createSession, deleteSession, findAccount, passwordMatches } from '../sessions.pg.ts'
import { guardKey } from '../sign-in-guard.ts'
import { signInGuard } from '../sign-in-guard.pg.ts'
import { SESSION_COOKIE, requireViewer } from '../session.ts'

const Me = Type.Object({
  user: Type.Object({
    id: Type.Integer(),
    username: Type.String(),
    role: Type.String(),
    careCentreId: Type.Union([Type.Integer(), Type.Null()]),
  }),
})

/** Sign-in attempts allowed per client address and minute (a care centre's staff share one). */
export const LOGIN_ATTEMPTS_PER_MINUTE = 20

const tryAgain = (ms: number) =>
  apiError('too_many_attempts', `too many sign-in attempts; try again in ${Math.ceil(ms / 1000)} s`)

export const authRoutes =
  (db: Db, sessionTtlMs: number, now: () => number = Date.now): FastifyPluginAsyncTypebox =>
  async (app) => {
    const guard = signInGuard(db)
    app.post(
      '/api/login',
      {
        config: {
          rateLimit: {
            max: LOGIN_ATTEMPTS_PER_MINUTE,
            timeWindow: 60_000,
            errorResponseBuilder: (_req, ctx) => ({ statusCode: 429, ...tryAgain(ctx.ttl) }),
          },
        },
        schema: {
          body: Type.Object({
            username: Type.String({ minLength: 1, maxLength: 64 }),
            password: Type.String({ minLength: 1, maxLength: 200 }),
          }),
          response: { 204: Type.Null(), 401: ErrorBody, 429: ErrorBody },
        },
      },
      async (request, reply) => {
        const { username, password } = request.body
        const account = await findAccount(db, username)
        // Unknown usernames are counted the same way, so the delays say nothing about who exists.
        const key = guardKey(username, knownDevice(request.cookies[DEVICE_COOKIE], account))
        // Counted before the check, so tries arriving together are admitted one at a time.
        const wait = await guard.attempt(key, now())
        if (wait > 0)
          return reply
            .code(429)
            .header('retry-after', Math.ceil(wait / 1000))
            .send(tryAgain(wait))
        if (!(await passwordMatches(account, password))) {
          return reply.code(401).send(apiError('invalid_login', 'wrong username or password'))
        }
        await guard.succeeded(key)
        const token = await createSession(db, account!.id, sessionTtlMs)
        // Secure whenever the page was reached over HTTPS (directly, or through a trusted proxy).
        const secure = request.protocol === 'https'
        reply.setCookie(SESSION_COOKIE, token, {
          path: '/',
          httpOnly: true,
          sameSite: 'strict',
          secure,
          maxAge: Math.floor(sessionTtlMs / 1000),
        })
        reply.setCookie(DEVICE_COOKIE, deviceCookie(account!.id, account!.passwordHash), {
          path: '/api/login',
          httpOnly: true,
          sameSite: 'strict',
          secure,
          maxAge: DEVICE_MAX_AGE_S,
        })
        return reply.code(204).send(null)
      },
    )

    app.post('/api/logout', { schema: { response: { 204: Type.Null() } } }, async (request, reply) => {
      const token = request.cookies[SESSION_COOKIE]
      if (token) await deleteSession(db, token)
      reply.clearCookie(SESSION_COOKIE, { path: '/' })
      return reply.code(204).send(null)
    })

    app.get(
      '/api/me',
      {
        preValidation: requireViewer(db, ['admin', 'staff', 'family', 'responder']),
        schema: { response: { 200: Me, 401: ErrorBody } },
      },
      async (request) => {
        const v = request.viewer!
        return { user: { id: v.userId, username: v.username, role: v.role, careCentreId: v.careCentreId } }
      },
    )
  }
