// Builds the dashboard's fastify app (the server listens elsewhere), so tests use inject().
import { createRequire } from 'node:module'
import { dirname } from 'node:path'
import { fileURLToPath } from 'node:url'
import cookie from '@fastify/cookie'
import rateLimit from '@fastify/rate-limit'
import fastifyStatic from '@fastify/static'
import swagger from '@fastify/swagger'
import swaggerUi from '@fastify/swagger-ui'
import websocket from '@fastify/websocket'
import Fastify, { LogController, type FastifyBaseLogger, type FastifyInstance } from 'fastify'
import type { Registry } from 'prom-client'
import type { Db, Logger } from '../infra/index.ts'
import type { CommandChannel, RejectedRecord } from '../ingest/index.ts'
import { apiError } from './errors.ts'
import type { Hub } from './hub.ts'
import { adminRoutes } from './routes/admin.ts'
import { alertRoutes } from './routes/alerts.ts'
import { authRoutes } from './routes/auth.ts'
import { bandAdminRoutes } from './routes/band-admin.ts'
import { bandRoutes } from './routes/bands.ts'
import { directoryRoutes } from './routes/directory.ts'
import { historyRoutes } from './routes/history.ts'
import { invitationRoutes } from './routes/invitations.ts'
import { mapRoutes, type MapSettings } from './routes/map.ts'
import { personalDataRoutes } from './routes/personal-data.ts'
import { healthRoutes, type ReadinessChecks } from './routes/health.ts'
import { liveRoutes } from './routes/live.ts'

export interface AppDeps {
  db: Db
  hub: Hub
  registry: Registry
  log: Logger
  isReady: () => boolean
  /** What /readyz checks beyond having started. */
  readiness?: ReadinessChecks
  sessionTtlMs: number
  /** The page's map settings. */
  map: MapSettings
  /** Sends commands to bands. */
  commands: CommandChannel
  /** The newest rejected band messages, for admins. */
  rejected: RejectedRecord
  /** Called after provisioning changes zones or bands, so this process applies them at once. */
  topologyChanged: () => Promise<void>
}

/** A worker's HTTP side: health, readiness and metrics only. */
export async function buildOpsApp(d: Pick<AppDeps, 'log' | 'isReady' | 'readiness' | 'registry'>): Promise<FastifyInstance> {
  const app = Fastify({ loggerInstance: d.log as FastifyBaseLogger, logController: new LogController({ disableRequestLogging: true }) })
  await app.register(healthRoutes(d.isReady, d.registry, d.readiness))
  return app
}

export async function buildApp(d: AppDeps): Promise<FastifyInstance> {
  // No per-request log lines: URLs can carry resident ids and query parameters.
  const app = Fastify({ loggerInstance: d.log as FastifyBaseLogger, logController: new LogController({ disableRequestLogging: true }) })
  app.setErrorHandler((err: { statusCode?: number; validation?: unknown; message: string }, request, reply) => {
    if (err.validation) return reply.code(400).send(apiError('bad_request', err.message))
    // Errors made as API answers (e.g. the sign-in limit): sent as they are.
    const made = err as { statusCode?: number; error?: { code?: string } }
    if (made.statusCode && made.statusCode < 500 && made.error?.code) return reply.code(made.statusCode).send({ error: made.error })
    request.log.error({ err }, 'request failed')
    return reply.code(err.statusCode ?? 500).send(apiError('internal', 'internal error'))
  })
  await app.register(cookie)
  // Limits only where a route asks (sign-in, invitations): config.rateLimit.
  await app.register(rateLimit, { global: false })
  // The API described from the routes' own schemas: /docs (page) and /docs/json (OpenAPI 3).
  await app.register(swagger, { openapi: { info: { title: 'Tongxing API', version: '1', description: 'Sign in with POST /api/login; the session cookie scopes every answer.' } } })
  await app.register(swaggerUi, { routePrefix: '/docs' })
  await app.register(websocket, { options: { maxPayload: 64 * 1024 } })
  await app.register(healthRoutes(d.isReady, d.registry, d.readiness))
  await app.register(authRoutes(d.db, d.sessionTtlMs))
  await app.register(alertRoutes(d.db, d.hub))
  await app.register(bandRoutes(d.db, d.commands))
  await app.register(mapRoutes(d.db, d.map, d.topologyChanged))
  await app.register(historyRoutes(d.db))
  await app.register(personalDataRoutes(d))
  await app.register(invitationRoutes(d.db))
  await app.register(bandAdminRoutes(d.db, d.topologyChanged))
  await app.register(directoryRoutes(d.db, d.topologyChanged))
  // The page (dashboard/web), and Leaflet and gcoord (GCJ-02 display offset) from their packages.
  await app.register(fastifyStatic, { root: fileURLToPath(new URL('./web/', import.meta.url)), prefix: '/' })
  await app.register(fastifyStatic, { root: dirname(createRequire(import.meta.url).resolve('leaflet/dist/leaflet.js')), prefix: '/vendor/leaflet/', decorateReply: false })
  await app.register(fastifyStatic, { root: dirname(createRequire(import.meta.url).resolve('gcoord')), prefix: '/vendor/gcoord/', decorateReply: false })
  await app.register(adminRoutes(d.db, d.topologyChanged, d.rejected))
  await app.register(liveRoutes(d.db, d.hub))
  return app
}
