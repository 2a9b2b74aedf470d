// The live socket: only for a logged-in viewer. On connect it sends a snapshot of what the viewer
// may see (snapshot.pg.ts; a client resuming with ?since=<ms> also gets every alert changed since),
// then every change in scope: alerts, positions, commands. Nothing about an alert is missed across
// a reconnect. The socket follows its session (access-watch.ts): closed when it ends, rescoped
// when the viewer's access changes.
import type { FastifyPluginAsync } from 'fastify'
import type { Queryable } from '../../infra/index.ts'
import type { Hub, Wire } from '../hub.ts'
import { requireViewer } from '../session.ts'
import { snapshot } from '../snapshot.pg.ts'

export const liveRoutes =
  (db: Queryable, hub: Hub): FastifyPluginAsync =>
  async (app) => {
    app.get<{ Querystring: { since?: string } }>(
      '/ws',
      { websocket: true, preValidation: requireViewer(db) },
      (socket, request) => {
        const v = request.viewer!
        // ws keeps its TCP connection in `_socket` (not in its types): the hub corks it to send held positions together.
        hub.add(socket, v, (socket as unknown as { _socket?: Wire })._socket, v.session)
        socket.send(JSON.stringify({ type: 'hello', user: { id: v.userId, role: v.role } }))
        snapshot(db, v, Number(request.query.since)).then(
          (s) => {
            if (socket.readyState === 1) socket.send(JSON.stringify(s))
          },
          (err: unknown) => request.log.error({ err }, 'snapshot failed'),
        )
      },
    )
  }
