// What a live socket is sent when it opens, and again when its viewer's access changes: the bands
// the viewer may see with their newest state, the alerts not yet resolved, and — for a client
// resuming with `since` (epoch ms of its last event) — every alert changed since, resolved ones too.
import { listAlerts, type Alert } from '../geofence/index.ts'
import type { Queryable } from '../infra/index.ts'
import { listBandStatus, type BandStatus } from '../ingest/index.ts'
import { visibleResidentIds } from './scope.pg.ts'
import type { Viewer } from './scope.ts'

export interface Snapshot {
  type: 'snapshot'
  bands: BandStatus[]
  alerts: Alert[]
}

export async function snapshot(db: Queryable, viewer: Viewer, since?: number): Promise<Snapshot> {
  const residentIds = await visibleResidentIds(db, viewer)
  const bands = await listBandStatus(db, residentIds)
  const byId = new Map<number, Alert>()
  const add = (list: Alert[]) => {
    for (const a of list) byId.set(a.id, a)
  }
  add(await listAlerts(db, { residentIds, status: 'open', limit: 1000 }))
  add(await listAlerts(db, { residentIds, status: 'acknowledged', limit: 1000 }))
  // A little before the client's last event: changes in the same millisecond are not lost.
  if (since !== undefined && Number.isFinite(since) && since > 0) {
    add(await listAlerts(db, { residentIds, updatedSince: since - 1000, limit: 1000 }))
  }
  return { type: 'snapshot', bands, alerts: [...byId.values()] }
}
