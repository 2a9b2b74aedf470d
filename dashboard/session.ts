// Session cookies and the viewer behind a request.
import type { FastifyReply, FastifyRequest } from 'fastify'
import type { Queryable } from '../infra/index.ts'
import { apiError } from './errors.ts'
import { viewerForSession } from './people.pg.ts'
import type { Viewer } from './scope.ts'

export const SESSION_COOKIE = 'tx_session'

declare module 'fastify' {
  interface FastifyRequest {
    viewer?: Viewer & { username: string }
  }
}

/** A preValidation hook: 401 unless the request carries a live session. */
export function requireViewer(db: Queryable) {
  return async (request: FastifyRequest, reply: FastifyReply) => {
    const token = request.cookies[SESSION_COOKIE]
    const viewer = token ? await viewerForSession(db, token) : undefined
    if (!viewer) return reply.code(401).send(apiError('unauthenticated', 'log in first'))
    request.viewer = viewer
  }
}
