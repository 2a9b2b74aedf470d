// The WebSocket hub: one entry per connected dashboard, each with the viewer and session it
// belongs to. Every message is scoped: a socket receives only what its viewer may see now — when
// the session ends the socket is closed, when the viewer's access changes its scope follows
// (access-watch.ts finds out).
import type { AlertChange } from '../geofence/index.ts'
import { canSee, sameScope, type ResidentRef, type Viewer } from './scope.ts'
import type { SocketEventType, SocketEvents } from './socket-messages.ts'

/** The part of a WebSocket the hub uses (the `ws` socket satisfies it). */
export interface HubSocket {
  readonly readyState: number
  /** Bytes queued for the client and not yet sent (a slow or stalled client). */
  readonly bufferedAmount: number
  send(data: string): void
  ping(): void
  terminate(): void
  close(code: number, reason: string): void
  on(event: 'pong' | 'close', listener: () => void): unknown
}

/** The session a socket was opened with: the stored hash of its token, and when it expires (epoch ms). */
export interface SocketSession {
  key: string
  expiresAt: number
}

export interface HubConnection {
  socket: HubSocket
  viewer: Viewer
  session: SocketSession
}

const OPEN = 1
/** Closing a socket whose session is over (RFC 6455 §7.4.2: 4000–4999 are the application's). */
export const SESSION_OVER_CODE = 4401
const KEEPALIVE = JSON.stringify({ type: 'keepalive' })
/** The connection under a socket: writes while it is corked go out together when it is uncorked. */
export interface Wire {
  cork(): void
  uncork(): void
}
/**
 * Positions for a socket are held this long and then go out together, in one write: at 500
 * dashboards a write per position per socket was most of a busy server's work. Anything else (an
 * alert first of all) goes at once, and takes what is held with it, in order.
 */
export const POSITION_HOLD_MS = 50
/** A client this far behind gets no more positions until it catches up (alerts still go)… */
export const SLOW_CLIENT_BYTES = 1024 * 1024
/** …and this far behind it is cut off: it reconnects and resumes from its last event. */
export const STALLED_CLIENT_BYTES = 8 * 1024 * 1024

export interface Hub {
  /** `wire`: the socket's connection, for holding positions (without it, each goes at once). */
  add(socket: HubSocket, viewer: Viewer, wire?: Wire, session?: SocketSession): void
  /** The open sockets that belong to a session, to check their access against it. */
  connections(): HubConnection[]
  /**
   * The session's facts as they are now. When the viewer may see other residents than before,
   * later messages follow the new scope and the client is told (`{"type":"scope"}`): true then.
   */
  rescope(socket: HubSocket, viewer: Viewer, session: SocketSession): boolean
  /** The session is over (logged out, deleted, expired): the client is told why and the socket closed. */
  end(socket: HubSocket, change: 'ended' | 'expired'): void
  publishAlert(change: AlertChange): void
  /** Any other message about a resident, to the sockets whose viewers may see that resident. */
  publish<K extends SocketEventType>(type: K, body: SocketEvents[K], about: ResidentRef): void
  size(): number
  closeAll(): void
}

interface Entry {
  viewer: Viewer
  alive: boolean
  wire: Wire | undefined
  session: SocketSession | undefined
}

/** `keepAliveMs`: a socket that has not answered the previous ping by the next one is dropped. */
export function createHub({ keepAliveMs }: { keepAliveMs: number }): Hub {
  const clients = new Map<HubSocket, Entry>()
  /** Entries whose connection is corked, holding positions. */
  const holding = new Set<Entry>()
  let holdTimer: NodeJS.Timeout | undefined
  const hold = (c: Entry) => {
    if (holding.has(c) || !c.wire) return
    c.wire.cork()
    holding.add(c)
    holdTimer ??= setTimeout(releaseAll, POSITION_HOLD_MS)
  }
  const release = (c: Entry) => {
    if (!holding.delete(c)) return
    c.wire!.uncork()
  }
  const releaseAll = () => {
    holdTimer = undefined
    for (const c of holding) release(c)
  }
  const drop = (socket: HubSocket) => {
    const c = clients.get(socket)
    if (c) holding.delete(c)
    clients.delete(socket)
  }

  const timer = setInterval(() => {
    for (const [socket, c] of clients) {
      if (!c.alive) {
        socket.terminate()
        drop(socket)
        continue
      }
      c.alive = false
      socket.ping()
      // Also a message the page can see (browsers answer pings without telling it): a page that
      // hears nothing for a few keep-alive periods knows its connection is dead and reconnects.
      if (socket.readyState === OPEN) socket.send(KEEPALIVE)
    }
  }, keepAliveMs)
  timer.unref()

  return {
    add(socket, viewer, wire, session) {
      const entry: Entry = { viewer, alive: true, wire, session }
      clients.set(socket, entry)
      socket.on('pong', () => {
        entry.alive = true
      })
      socket.on('close', () => drop(socket))
    },
    connections() {
      const out: HubConnection[] = []
      for (const [socket, c] of clients) if (c.session) out.push({ socket, viewer: c.viewer, session: c.session })
      return out
    },
    rescope(socket, viewer, session) {
      const c = clients.get(socket)
      if (!c) return false
      c.session = session
      if (sameScope(c.viewer, viewer)) return false
      c.viewer = viewer
      release(c)
      const user = { id: viewer.userId, role: viewer.role, careCentreId: viewer.careCentreId }
      if (socket.readyState === OPEN) socket.send(JSON.stringify({ type: 'scope', user }))
      return true
    },
    end(socket, change) {
      const c = clients.get(socket)
      if (!c) return
      release(c)
      drop(socket)
      if (socket.readyState !== OPEN) return socket.terminate()
      socket.send(JSON.stringify({ type: 'session', change }))
      socket.close(SESSION_OVER_CODE, `session ${change}`)
    },
    publishAlert({ change, alert }) {
      this.publish('alert', { change, alert }, alert)
    },
    publish(type, body, about) {
      const text = JSON.stringify({ type, ...body })
      for (const [socket, c] of clients) {
        if (socket.readyState !== OPEN || !canSee(c.viewer, about)) continue
        if (socket.bufferedAmount > STALLED_CLIENT_BYTES) {
          socket.terminate()
          drop(socket)
          continue
        }
        // Stale positions may be dropped for a slow client; a newer one will follow. Never an alert.
        if (type === 'position') {
          if (socket.bufferedAmount > SLOW_CLIENT_BYTES) continue
          hold(c)
          socket.send(text)
        } else {
          socket.send(text)
          release(c)
        }
      }
    },
    size: () => clients.size,
    closeAll() {
      clearInterval(timer)
      clearTimeout(holdTimer)
      holding.clear()
      for (const socket of clients.keys()) socket.terminate()
      clients.clear()
    },
  }
}
