// Session cookies and the viewer behind a request.
import type { FastifyReply, FastifyRequest } from 'fastify'
import type { Queryable } from '../infra/index.ts'
import { apiError } from './errors.ts'
import { viewerForSession, type SessionViewer } from './sessions.pg.ts'
import type { Role } from './scope.ts'

export const SESSION_COOKIE = 'tx_session'

declare module 'fastify' {
  interface FastifyRequest {
    viewer?: SessionViewer
  }
}

/** Who may use a route that names no roles: everyone but responders, who use only their own routes. */
const SIGNED_IN: readonly Role[] = ['admin', 'staff', 'family']

/** A preValidation hook: 401 unless the request carries a live session; 403 unless its role is allowed. */
export function requireViewer(db: Queryable, roles: readonly Role[] = SIGNED_IN) {
  return async (request: FastifyRequest, reply: FastifyReply) => {
    const token = request.cookies[SESSION_COOKIE]
    const viewer = token ? await viewerForSession(db, token) : undefined
    if (!viewer) return reply.code(401).send(apiError('unauthenticated', 'log in first'))
    if (!roles.includes(viewer.role)) return reply.code(403).send(apiError('forbidden', 'not allowed for your role'))
    request.viewer = viewer
  }
}
