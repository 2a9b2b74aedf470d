// The live socket: only for a logged-in viewer; it then receives what that viewer may see.
import type { FastifyPluginAsync } from 'fastify'
import type { Queryable } from '../../infra/index.ts'
import type { Hub } from '../hub.ts'
import { requireViewer } from '../session.ts'

export const liveRoutes = (db: Queryable, hub: Hub): FastifyPluginAsync => async (app) => {
  app.get('/ws', { websocket: true, preValidation: requireViewer(db) }, (socket, request) => {
    const v = request.viewer!
    hub.add(socket, v)
    socket.send(JSON.stringify({ type: 'hello', user: { id: v.userId, role: v.role } }))
  })
}
