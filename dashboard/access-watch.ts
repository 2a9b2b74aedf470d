// Live sockets follow their sessions. A process serving sockets checks them against the database
// whenever access may have changed — access_version moved (migration 016: a logout, a deleted
// user, a family link made or removed, a role or centre changed, by any process, the command line
// included) — and against its own clock for expiry. A socket whose session is over is told and
// closed; one whose viewer now sees other residents is told, rescoped, and sent a new snapshot.
import { periodic, type Logger, type Queryable } from '../infra/index.ts'
import type { Hub, HubConnection, HubSocket } from './hub.ts'
import { viewersForSessions, type SessionViewer } from './sessions.pg.ts'
import { snapshot } from './snapshot.pg.ts'

/** How often access is checked: a change reaches open sockets within this and a query or two. */
export const ACCESS_CHECK_MS = 250
/** Where the database announces that access_version moved (to processes on the bus: at once). */
export const ACCESS_CHANNEL = 'tongxing_access'

export interface AccessWatch {
  /** Checks now (also done every `everyMs`); resolves when done. */
  check(): Promise<void>
  stop(): Promise<void>
}

export interface AccessWatchOptions {
  db: Queryable
  hub: Hub
  log: Logger
  everyMs?: number
  now?: () => number
}

const accessVersion = async (db: Queryable) =>
  (await db.query<{ v: number }>('SELECT v FROM access_version')).rows[0]!.v

export function watchAccess(o: AccessWatchOptions): AccessWatch {
  const { db, hub, log, everyMs = ACCESS_CHECK_MS, now = Date.now } = o
  let version: number | undefined
  /** Sockets checked since they opened: a socket that opened after a check must be checked once itself. */
  const checked = new WeakSet<HubSocket>()

  const sendSnapshot = (socket: HubSocket, viewer: SessionViewer) =>
    snapshot(db, viewer).then(
      (s) => {
        if (socket.readyState === 1) socket.send(JSON.stringify(s))
      },
      (err: unknown) => log.error({ err }, 'snapshot after a change of access failed'),
    )

  const apply = (c: HubConnection, viewer: SessionViewer | undefined) => {
    checked.add(c.socket)
    if (!viewer) hub.end(c.socket, 'ended')
    else if (viewer.session.expiresAt <= now()) hub.end(c.socket, 'expired')
    else if (hub.rescope(c.socket, viewer, viewer.session)) void sendSnapshot(c.socket, viewer)
  }

  const review = async () => {
    const open = hub.connections().filter((c) => {
      if (c.session.expiresAt > now()) return true
      hub.end(c.socket, 'expired')
      return false
    })
    if (open.length === 0) return
    // The version first: a change after this read moves it again, and the next check sees it.
    const v = await accessVersion(db)
    const due = v === version ? open.filter((c) => !checked.has(c.socket)) : open
    if (due.length > 0) {
      const current = await viewersForSessions(db, [...new Set(due.map((c) => c.session.key))])
      for (const c of due) apply(c, current.get(c.session.key))
    }
    version = v
  }

  const checks = periodic({ everyMs, run: review, log, what: "checking the sockets' access" })
  checks.start()
  return { check: checks.runNow, stop: checks.stop }
}
