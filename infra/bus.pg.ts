// PostgreSQL as the bus between processes: LISTEN/NOTIFY carries events to every listener, and
// session advisory locks on the same connection say who owns what. The connection is dedicated
// (not from the pool) and reconnects by itself; when it drops, its locks and subscriptions are
// gone: `onLost` runs, and the subscriptions are renewed once it is back (locks are the owner's to retake).
import pg from 'pg'
import type { Db } from './db.ts'
import type { Logger } from './log.ts'

/** NOTIFY payloads must stay under 8000 bytes. */
export const NOTIFY_MAX_BYTES = 7900

export interface Bus {
  /** Sends on a channel through the pool (delivered to listeners when the sender's transaction commits). */
  publish(channel: string, payload: string): Promise<void>
  subscribe(channel: string, handler: (payload: string) => void): void
  /** A session advisory lock held by this bus's connection; false if another session holds it. */
  tryLock(key: number): Promise<boolean>
  unlock(key: number): Promise<void>
  /** Processes whose bus connection carries this bus's name, this one included. */
  members(): Promise<number>
  /** Called when the connection drops: every lock it held is released by the server. */
  onLost(fn: () => void): void
  connected(): boolean
  close(): Promise<void>
}

export interface BusOptions {
  connectionString: string
  db: Db
  log: Logger
  /** Shown in pg_stat_activity; processes of one kind share it and are counted by `members`. */
  name: string
  retryMs?: number
}

/** Locks of this service live in their own advisory-lock class (the two-int form). */
const LOCK_CLASS = 0x5478

export async function createBus({ connectionString, db, log, name, retryMs = 1000 }: BusOptions): Promise<Bus> {
  const handlers = new Map<string, ((payload: string) => void)[]>()
  const lostFns: (() => void)[] = []
  let client: pg.Client | undefined
  let closed = false
  let retry: NodeJS.Timeout | undefined

  const connect = async (): Promise<void> => {
    const c = new pg.Client({ connectionString, application_name: name })
    c.on('notification', (n) => {
      for (const h of handlers.get(n.channel) ?? []) {
        try {
          h(n.payload ?? '')
        } catch (err) {
          log.error({ err, channel: n.channel }, 'bus handler failed')
        }
      }
    })
    c.on('error', (err) => log.warn({ err }, 'bus connection failed'))
    c.on('end', () => {
      if (client !== c) return
      client = undefined
      for (const fn of lostFns) fn()
      if (!closed) {
        log.warn('bus connection lost; reconnecting')
        schedule()
      }
    })
    await c.connect()
    for (const channel of handlers.keys()) await c.query(`LISTEN ${ident(channel)}`)
    client = c
  }
  const schedule = () => {
    retry = setTimeout(
      () =>
        connect().catch((err: unknown) => {
          log.warn({ err }, 'bus reconnection failed; retrying')
          schedule()
        }),
      retryMs,
    )
  }
  await connect()

  const session = () => {
    if (!client) throw new Error('bus not connected')
    return client
  }
  return {
    async publish(channel, payload) {
      await db.query('SELECT pg_notify($1, $2)', [channel, payload])
    },
    subscribe(channel, handler) {
      const first = !handlers.has(channel)
      handlers.set(channel, [...(handlers.get(channel) ?? []), handler])
      if (first && client)
        client.query(`LISTEN ${ident(channel)}`).catch((err: unknown) => log.error({ err, channel }, 'LISTEN failed'))
    },
    async tryLock(key) {
      const r = await session().query<{ ok: boolean }>('SELECT pg_try_advisory_lock($1, $2) AS ok', [LOCK_CLASS, key])
      return r.rows[0]!.ok
    },
    async unlock(key) {
      await session().query('SELECT pg_advisory_unlock($1, $2)', [LOCK_CLASS, key])
    },
    async members() {
      const r = await session().query<{ n: number }>(
        'SELECT count(*)::int AS n FROM pg_stat_activity WHERE application_name = $1 AND datname = current_database()',
        [name],
      )
      return r.rows[0]!.n
    },
    onLost(fn) {
      lostFns.push(fn)
    },
    connected: () => client !== undefined,
    async close() {
      closed = true
      clearTimeout(retry)
      const c = client
      client = undefined
      await c?.end()
    },
  }
}

const ident = (channel: string) => {
  if (!/^[a-z_][a-z0-9_]*$/.test(channel)) throw new Error(`bad channel name: ${channel}`)
  return channel
}

/** Joins JSON texts (each one item, already serialised) into JSON arrays that each fit one NOTIFY payload. */
export function notifyChunks(texts: readonly string[]): string[] {
  const out: string[] = []
  let parts: string[] = []
  let bytes = 2
  for (const text of texts) {
    const size = Buffer.byteLength(text) + 1
    if (size + 2 > NOTIFY_MAX_BYTES) throw new Error('item too large for one notification')
    if (bytes + size > NOTIFY_MAX_BYTES) {
      out.push(`[${parts.join(',')}]`)
      parts = []
      bytes = 2
    }
    parts.push(text)
    bytes += size
  }
  if (parts.length > 0) out.push(`[${parts.join(',')}]`)
  return out
}
