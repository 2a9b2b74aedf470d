// The database backends every database test runs against: the embedded PGlite always, the
// TimescaleDB engine, and a real PostgreSQL server when TEST_DATABASE_URL is set (each test
// gets a fresh database there, dropped afterwards).
import { randomBytes } from 'node:crypto'
import pg from 'pg'
import { afterAll, beforeAll } from 'vitest'
import { createDb, createLogger, startEmbeddedDb, type Db, type EmbeddedDb } from '../../infra/index.ts'
import { startTimescale } from './timescale.ts'

export interface TestDatabase {
  url: string
  stop(): Promise<void>
}

export interface Backend {
  name: string
  start(): Promise<TestDatabase>
  /** Service settings this backend needs. */
  env: Record<string, string>
}

async function serverDatabase(serverUrl: string): Promise<TestDatabase> {
  const name = `tongxing_test_${randomBytes(6).toString('hex')}`
  const admin = new pg.Client({ connectionString: serverUrl })
  await admin.connect()
  await admin.query(`CREATE DATABASE ${name}`)
  await admin.end()
  const url = new URL(serverUrl)
  url.pathname = `/${name}`
  return {
    url: url.toString(),
    async stop() {
      const c = new pg.Client({ connectionString: serverUrl })
      await c.connect()
      await c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`)
      await c.end()
    },
  }
}

/** A PGlite engine served on loopback. One session: statements from several connections must not interleave. */
const pglite = (name: string, start: () => Promise<EmbeddedDb>): Backend => ({
  name,
  env: { DB_POOL_SIZE: '1' },
  async start() {
    const db = await start()
    return { url: db.connectionString, stop: () => db.stop() }
  },
})

const embedded = pglite('embedded PGlite', () => startEmbeddedDb())
const timescale = pglite('TimescaleDB (PGlite build)', startTimescale)

const serverUrl = process.env.TEST_DATABASE_URL
const server: Backend[] = serverUrl
  ? [{ name: 'PostgreSQL server', env: {}, start: () => serverDatabase(serverUrl) }]
  : []

/** Every backend available here. */
export const BACKENDS: Backend[] = [embedded, timescale, ...server]

/** Registers beforeAll/afterAll: a fresh database on `backend` (not migrated); the function returned gives its pool. */
export function useDatabase(backend: Backend): () => Db {
  let database: TestDatabase | undefined
  let db: Db | undefined
  beforeAll(async () => {
    database = await backend.start()
    const max = Number(backend.env.DB_POOL_SIZE ?? 4)
    // Prepared statements as the service keeps them: on a server only (bin/parts/database.ts).
    const prepare = backend.name === 'PostgreSQL server'
    db = createDb({ connectionString: database.url, log: createLogger('silent'), max, prepare })
  })
  afterAll(async () => {
    await db?.close()
    await database?.stop()
  })
  return () => db!
}
