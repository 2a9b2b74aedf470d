// The hub when several processes serve dashboards: whatever any process publishes (a worker's
// alert, a server's acknowledgement) goes out on the bus, and every dashboard server hands what
// it hears to its own sockets, each socket's scope applied there as always.
import type { AlertChange } from '../geofence/index.ts'
import { findAlert } from '../geofence/index.ts'
import { NOTIFY_MAX_BYTES, type Bus, type Queryable, type Logger } from '../infra/index.ts'
import type { Hub } from './hub.ts'
import type { SocketEventType, SocketEvents } from './socket-messages.ts'
import type { ResidentRef } from './scope.ts'

export const EVENTS_CHANNEL = 'tongxing_events'

type Event = { [K in SocketEventType]: { type: K; body: SocketEvents[K]; about: ResidentRef } }[SocketEventType]
type Message = Event | { alertRef: number; change: AlertChange['change'] }

/** Publishes on the bus; with `local`, also delivers what the bus carries to local sockets. */
export function busHub(bus: Bus, db: Queryable, log: Logger, local?: Hub): Hub {
  const send = (text: string) =>
    bus.publish(EVENTS_CHANNEL, text).catch((err: unknown) => log.error({ err }, 'event not published on the bus'))
  if (local) {
    bus.subscribe(EVENTS_CHANNEL, (payload) => {
      const m = JSON.parse(payload) as Message
      if (!('alertRef' in m)) return local.publish(m.type, m.body as never, m.about)
      // An alert too large for one notice travels by reference.
      findAlert(db, m.alertRef).then(
        (alert) => {
          if (alert) local.publishAlert({ change: m.change, alert })
        },
        (err: unknown) => log.error({ err }, 'alert announced on the bus not found'),
      )
    })
  }
  const hub: Hub = {
    add: (socket, viewer, wire, session) => {
      if (!local) throw new Error('this process serves no sockets')
      local.add(socket, viewer, wire, session)
    },
    // Each server checks its own sockets' access (access-watch.ts); the database tells them all of a change.
    connections: () => local?.connections() ?? [],
    rescope: (socket, viewer, session) => local?.rescope(socket, viewer, session) ?? false,
    end: (socket, change) => local?.end(socket, change),
    publishAlert: ({ change, alert }) => hub.publish('alert', { change, alert }, alert),
    publish(type, body, about) {
      const text = JSON.stringify({ type, body, about } as Message)
      if (Buffer.byteLength(text) <= NOTIFY_MAX_BYTES) return void send(text)
      if (type === 'alert') {
        const { alert, change } = body as SocketEvents['alert']
        return void send(JSON.stringify({ alertRef: alert.id, change } satisfies Message))
      }
      log.warn({ type }, 'event too large for the bus; not announced')
    },
    size: () => local?.size() ?? 0,
    closeAll: () => local?.closeAll(),
  }
  return hub
}
