// The dashboard's API in-process (fastify's inject), for behaviour that needs no broker, no
// geofence and no listening socket: a copy of the migrated embedded database, the fixtures'
// world, and the app as the service builds it. Commands go to a list instead of a broker.
import { rm } from 'node:fs/promises'
import type { FastifyInstance } from 'fastify'
import { Registry } from 'prom-client'
import { afterAll, beforeAll } from 'vitest'
import { buildApp, createHub } from '../../dashboard/index.ts'
import { createDb, createLogger, startEmbeddedDb, type Db } from '../../infra/index.ts'
import { createCommandChannel, createRejectedRecord } from '../../ingest/index.ts'
import { PASSWORD, provisionWorld } from './fixtures.ts'
import { freshDataDir } from './service.ts'
import type { World } from './world.ts'

export interface TestApi {
  app: FastifyInstance
  db: Db
  world: World
  /** Messages published to bands' command topics. */
  published: { bandId: string; payload: string }[]
  /** Signs in by inject and returns the session cookie. */
  login(username: string): Promise<string>
}

/** Registers beforeAll/afterAll; the function returned gives the running API. */
export function useApi(): () => TestApi {
  let api: TestApi | undefined
  let stop: (() => Promise<void>) | undefined
  beforeAll(async () => {
    const dir = await freshDataDir()
    const embedded = await startEmbeddedDb({ dataDir: dir })
    const log = createLogger('silent')
    const db = createDb({ connectionString: embedded.connectionString, log, max: 1 })
    const world = await provisionWorld(db)
    const hub = createHub({ keepAliveMs: 30_000 })
    const published: TestApi['published'] = []
    const commands = createCommandChannel({
      db,
      log,
      publish: (bandId, payload) => published.push({ bandId, payload }),
      onChange: () => {},
    })
    const app = await buildApp({
      db,
      hub,
      registry: new Registry(),
      log,
      isReady: () => true,
      sessionTtlMs: 3_600_000,
      map: { tileUrl: '', attribution: '', gcj02: false, subdomains: '', labelsUrl: '' },
      commands,
      rejected: createRejectedRecord(),
      topologyChanged: async () => {},
      http: { publicOrigins: [], tileUrl: '', trustProxy: '', metricsToken: '' },
      searchLinks: { defaultMinutes: 180, maxMinutes: 1440 },
    })
    const login = async (username: string) => {
      const res = await app.inject({ method: 'POST', url: '/api/login', payload: { username, password: PASSWORD } })
      if (res.statusCode !== 204) throw new Error(`login failed: ${res.statusCode}`)
      return res.cookies.map((c) => `${c.name}=${c.value}`).join('; ')
    }
    api = { app, db, world, published, login }
    stop = async () => {
      await app.close()
      await db.close()
      await embedded.stop()
      await rm(dir, { recursive: true, force: true })
    }
  })
  afterAll(() => stop?.())
  return () => api!
}
