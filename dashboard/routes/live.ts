// The live socket: only for a logged-in viewer. On connect it sends a snapshot of what the viewer
// may see (bands with their newest state, alerts not yet resolved, and — for a client resuming
// with ?since=<ms> — every alert changed since, resolved ones too), then every change in scope:
// alerts, positions, commands. Nothing about an alert is missed across a reconnect.
import type { FastifyPluginAsync } from 'fastify'
import { listAlerts, type Alert } from '../../geofence/index.ts'
import type { Queryable } from '../../infra/index.ts'
import { listBandStatus } from '../../ingest/index.ts'
import type { Hub, Wire } from '../hub.ts'
import { visibleResidentIds } from '../people.pg.ts'
import { requireViewer } from '../session.ts'

export const liveRoutes = (db: Queryable, hub: Hub): FastifyPluginAsync => async (app) => {
  app.get<{ Querystring: { since?: string } }>('/ws', { websocket: true, preValidation: requireViewer(db) }, (socket, request) => {
    const v = request.viewer!
    const since = Number(request.query.since)
    // ws keeps its TCP connection in `_socket` (not in its types): the hub corks it to send held positions together.
    hub.add(socket, v, (socket as unknown as { _socket?: Wire })._socket)
    socket.send(JSON.stringify({ type: 'hello', user: { id: v.userId, role: v.role } }))
    void (async () => {
      const residentIds = await visibleResidentIds(db, v)
      const bands = await listBandStatus(db, residentIds)
      const byId = new Map<number, Alert>()
      const add = (list: Alert[]) => { for (const a of list) byId.set(a.id, a) }
      add(await listAlerts(db, { residentIds, status: 'open', limit: 1000 }))
      add(await listAlerts(db, { residentIds, status: 'acknowledged', limit: 1000 }))
      // A little before the client's last event: changes in the same millisecond are not lost.
      if (Number.isFinite(since) && since > 0) add(await listAlerts(db, { residentIds, updatedSince: since - 1000, limit: 1000 }))
      const alerts = [...byId.values()]
      if (socket.readyState === 1) socket.send(JSON.stringify({ type: 'snapshot', bands, alerts }))
    })().catch((err: unknown) => request.log.error({ err }, 'snapshot failed'))
  })
}
