// All database access goes through this module (the node-postgres model): queries are
// timed and logged without their parameters; a transaction is one client with
// BEGIN/COMMIT/ROLLBACK and `finally release()`.
import pg from 'pg'
import type { Logger } from './log.ts'

// int8 (bigint ids, counts) as JS numbers: our ids stay far below 2^53.
pg.types.setTypeParser(20, (v) => Number(v))

export type Row = Record<string, unknown>

export interface Queryable {
  /**
   * `name`: a statement run many times a second, kept prepared on each connection (parsed and
   * planned once) where the database allows it (see DbOptions.prepare); the same name must
   * always come with the same text.
   */
  query<R extends Row = Row>(text: string, params?: unknown[], name?: string): Promise<pg.QueryResult<R>>
}

export interface Db extends Queryable {
  tx<T>(fn: (client: Queryable) => Promise<T>): Promise<T>
  close(): Promise<void>
}

export interface DbOptions {
  connectionString: string
  log: Logger
  /** Connections in the pool. The embedded database serves one at a time. */
  max?: number
  slowMs?: number
  /**
   * Keep named statements prepared on each connection. Only for a server: the embedded
   * database's one session passes between connections and is reset when it does
   * (pglite-session.ts), which would drop them behind the client's back.
   */
  prepare?: boolean
}

export function createDb({ connectionString, log, max = 4, slowMs = 500, prepare = false }: DbOptions): Db {
  const pool = new pg.Pool({ connectionString, max, idleTimeoutMillis: 30_000 })
  // A broken idle connection must not crash the process; the next query reconnects.
  pool.on('error', (err) => log.warn({ err }, 'idle database connection failed'))

  const timed = (runner: pg.Pool | pg.PoolClient): Queryable => ({
    async query<R extends Row>(text: string, params?: unknown[], name?: string) {
      const started = performance.now()
      try {
        return await runner.query<R>(prepare && name ? { name, text, values: params } : { text, values: params })
      } finally {
        const ms = performance.now() - started
        if (ms > slowMs) log.warn({ ms: Math.round(ms), sql: firstLine(text) }, 'slow query')
        else if (log.isLevelEnabled('trace')) log.trace({ ms, sql: firstLine(text) }, 'query')
      }
    },
  })

  const root = timed(pool)
  return {
    query: root.query,
    async tx(fn) {
      const client = await pool.connect()
      // A connection lost between two statements (the embedded database's owner stopping) must
      // fail the transaction's next statement, not crash the process.
      const lost = (err: Error) => log.warn({ err }, 'database connection lost in a transaction')
      client.on('error', lost)
      try {
        await client.query('BEGIN')
        const result = await fn(timed(client))
        await client.query('COMMIT')
        return result
      } catch (err) {
        await client.query('ROLLBACK').catch(() => undefined)
        throw err
      } finally {
        client.off('error', lost)
        client.release()
      }
    },
    close: () => pool.end(),
  }
}

function firstLine(sql: string): string {
  return sql.trim().split('\n')[0]!.slice(0, 120)
}
