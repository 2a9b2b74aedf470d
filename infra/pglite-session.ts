// PGlite is one PostgreSQL session; pglite-socket lets several connections share it. This gate
// gives the session to one connection at a time, for a whole exchange: from its first message
// until the session is idle again (ReadyForQuery 'I', PostgreSQL protocol 55.2.2), so an
// extended-query sequence (Parse … Sync) and a whole transaction (BEGIN … COMMIT) are never cut
// by another connection's messages. When the session passes to another connection, what the last
// one left in it (SET, temporary tables, prepared statements, LISTEN) is discarded first, as a
// connection pooler in session mode does (DISCARD ALL). A connection that goes away mid-exchange
// has its transaction rolled back.
import type { PGLiteSocketHandler } from '@electric-sql/pglite-socket'
import type { ServableDb } from './embedded-db.ts'

/** What pglite-socket's handler asks of its queue (its own QueryQueueManager's public methods). */
export type SessionQueue = ConstructorParameters<typeof PGLiteSocketHandler>[0]['queryQueue']

/** Sync ('S', length 4): ends an extended-query sequence a vanished client left open. */
const SYNC = new Uint8Array([0x53, 0, 0, 0, 4])
const READY_FOR_QUERY = 0x5a // 'Z'
const TERMINATE = 0x58 // 'X'

interface Waiter {
  handlerId: number
  go: () => void
  fail: (err: Error) => void
}

/**
 * Follows a stream of backend messages (type byte, int32 length, body) across chunks and says
 * the status of the last one if it was ReadyForQuery.
 */
export function readyWatcher() {
  const header = new Uint8Array(5) // type byte and int32 length of the message being read
  let got = 0 // header bytes read
  let left = 0 // body bytes still to come
  let status: string | undefined // of the last message, when it is a ReadyForQuery
  return {
    feed(chunk: Uint8Array) {
      for (let at = 0; at < chunk.length; ) {
        if (got < 5) {
          header[got++] = chunk[at++]!
          if (got < 5) continue
          status = undefined
          left = new DataView(header.buffer).getInt32(1) - 4
          if (left <= 0) got = 0
          continue
        }
        if (header[0] === READY_FOR_QUERY && status === undefined) status = String.fromCharCode(chunk[at]!)
        const take = Math.min(left, chunk.length - at)
        at += take
        left -= take
        if (left === 0) got = 0
      }
    },
    /** 'I' idle, 'T' in a transaction, 'E' in a failed one; undefined: not at a ReadyForQuery. */
    get status() {
      return got === 0 ? status : undefined
    },
  }
}

export function createSessionGate(db: ServableDb): SessionQueue {
  let owner: number | undefined // the connection that has the session
  let last: number | undefined // the connection whose state the session holds
  const waiting: Waiter[] = []

  const handOn = () => {
    owner = undefined
    const next = waiting.shift()
    next?.go()
  }
  const acquire = (handlerId: number) =>
    new Promise<void>((go, fail) => {
      if (owner === undefined || owner === handlerId) {
        owner = handlerId
        go()
      } else
        waiting.push({
          handlerId,
          go: () => {
            owner = handlerId
            go()
          },
          fail,
        })
    })
  const run = (message: Uint8Array, onData: (data: Uint8Array) => void) =>
    db.runExclusive(() => db.execProtocolRawStream(message, { onRawData: onData }))

  const gate = {
    async enqueue(handlerId: number, message: Uint8Array, onData: (data: Uint8Array) => void): Promise<number> {
      await acquire(handlerId)
      let sent = 0
      const watcher = readyWatcher()
      try {
        if (last !== undefined && last !== handlerId) await db.exec('DISCARD ALL')
        last = handlerId
        await run(message, (data) => {
          sent += data.length
          watcher.feed(data)
          onData(data)
        })
      } catch (err) {
        await gate.clearTransactionIfNeeded(handlerId)
        throw err
      }
      // Idle: the exchange is over and no transaction is open (a startup message ends so too).
      // Terminate answers nothing; a transaction it leaves open is rolled back when the socket closes.
      if (watcher.status === 'I' || (message[0] === TERMINATE && !db.isInTransaction())) handOn()
      return sent
    },
    getQueueLength: () => waiting.length,
    clearQueueForHandler(handlerId: number) {
      for (const w of waiting.filter((x) => x.handlerId === handlerId)) {
        waiting.splice(waiting.indexOf(w), 1)
        w.fail(new Error('Handler disconnected'))
      }
    },
    async clearTransactionIfNeeded(handlerId: number) {
      if (owner !== handlerId) return
      try {
        await run(SYNC, () => undefined)
        if (db.isInTransaction()) await db.exec('ROLLBACK')
      } finally {
        handOn()
      }
    },
  }
  return gate as unknown as SessionQueue
}
