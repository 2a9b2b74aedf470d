// What the live socket (/ws) sends about a resident: each message is `{ type, ...body }`, sent only
// to viewers who may see that resident. One list, so a publisher cannot invent a type or a body.
// (Session messages — hello, snapshot, scope, session, keepalive — are the hub's own.)
import type { AlertChange } from '../geofence/index.ts'
import type { BandCommand } from '../ingest/index.ts'

export interface LivePosition {
  bandId: string
  residentId: number
  fixTime: number
  lat: number
  lon: number
  acc: number | null
  batt: number | null
}

export interface SocketEvents {
  alert: { change: AlertChange['change']; alert: AlertChange['alert'] }
  position: { position: LivePosition }
  status: { status: { bandId: string; online: boolean; at: number } }
  command: { command: BandCommand }
  /** A community responder accepted the search for the resident's wander alert ("社区工作人员正在赶来"). */
  responder: { change: 'accepted'; alertId: number; residentId: number; at: number }
  /** The resident's data was erased: drop them from the page. */
  resident: { change: 'erased'; residentId: number }
}

export type SocketEventType = keyof SocketEvents
