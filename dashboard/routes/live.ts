// The live socket: only for a logged-in viewer. On connect it sends a snapshot of what the viewer
// may see (bands with their newest state, alerts not yet resolved), then every change in scope:
// alerts, positions, commands.
import type { FastifyPluginAsync } from 'fastify'
import { listAlerts } from '../../geofence/index.ts'
import type { Queryable } from '../../infra/index.ts'
import { listBandStatus } from '../../ingest/index.ts'
import type { Hub } from '../hub.ts'
import { visibleResidentIds } from '../people.pg.ts'
import { requireViewer } from '../session.ts'

export const liveRoutes = (db: Queryable, hub: Hub): FastifyPluginAsync => async (app) => {
  app.get('/ws', { websocket: true, preValidation: requireViewer(db) }, (socket, request) => {
    const v = request.viewer!
    hub.add(socket, v)
    socket.send(JSON.stringify({ type: 'hello', user: { id: v.userId, role: v.role } }))
    void (async () => {
      const residentIds = await visibleResidentIds(db, v)
      const bands = (await listBandStatus(db, residentIds)).filter((b) => b.residentId !== null || v.role === 'admin')
      const alerts = [...await listAlerts(db, { residentIds, status: 'open', limit: 500 }), ...await listAlerts(db, { residentIds, status: 'acknowledged', limit: 500 })]
      if (socket.readyState === 1) socket.send(JSON.stringify({ type: 'snapshot', bands, alerts }))
    })().catch((err: unknown) => request.log.error({ err }, 'snapshot failed'))
  })
}
