// Builds the dashboard's fastify app (the server listens elsewhere), so tests use inject().
import { createRequire } from 'node:module'
import { dirname } from 'node:path'
import { fileURLToPath } from 'node:url'
import AjvCompiler, { type ValidatorFactory } from '@fastify/ajv-compiler'
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
import { secureHttp, type WebSecurity } from './http-security.ts'
import { invalidInput } from './errors.ts'
import { clientErrorHandler, frameworkErrors } from './request-checks.ts'
import { tileArchiveRoutes } from './tile-archive.ts'
import type { Hub } from './hub.ts'
import { adminRoutes } from './routes/admin.ts'
import { alertRoutes } from './routes/alerts.ts'
import { authRoutes } from './routes/auth.ts'
import { bandAdminRoutes } from './routes/band-admin.ts'
import { bandRoutes } from './routes/bands.ts'
import { directoryRoutes } from './routes/directory.ts'
import { foundRoutes } from './routes/found.ts'
import { foundAdminRoutes } from './routes/found-admin.ts'
import { historyRoutes } from './routes/history.ts'
import { invitationRoutes } from './routes/invitations.ts'
import { zoneRoutes, type MapSettings } from './routes/zones.ts'
import { personalDataRoutes } from './routes/personal-data.ts'
import { healthRoutes, type ReadinessChecks } from './routes/health.ts'
import { liveRoutes } from './routes/live.ts'
import { notificationRoutes } from './routes/notifications.ts'
import { familyRoutes } from './routes/family.ts'
import { residentPhotoRoutes } from './routes/resident-photo.ts'
import { responderRoutes } from './routes/responders.ts'
import { searchLinkRoutes } from './routes/search-links.ts'
import type { LinkLimits } from '../finding/index.ts'

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
  http: HttpSettings
  /** VAPID public key the page subscribes with; empty: Web Push is off. */
  vapidPublicKey?: string
  /** How long search links last (SEARCH_LINK_MINUTES, SEARCH_LINK_MAX_MINUTES). */
  searchLinks: LinkLimits
}

/** How the dashboard is reached: directly over TLS, or behind trusted reverse proxies. */
export interface HttpSettings extends WebSecurity {
  tls?: { cert: Buffer; key: Buffer }
  /** Proxies whose X-Forwarded-For/-Proto are believed (fastify's trustProxy); empty: none. */
  trustProxy: string
  /** Bearer token for /metrics; empty: only direct connections from this machine. */
  metricsToken: string
}

// A GeoJSON position is [lon, lat] with an optional altitude: a tuple with an optional tail, which
// AJV's strict mode would warn about on every start.
const AJV_OPTIONS = { strictTuples: false }
const ajvPool = AjvCompiler()

/** Path parameters and query strings arrive as text and are converted to the numbers their schemas
 *  ask for; JSON bodies are taken as sent: `{"lat": null}` or `{"s": "60"}` is refused, never read
 *  as 0 or 60 (AJV's coercion would turn a finder's missing position into 0,0 in the Gulf of Guinea). */
const buildValidator: ValidatorFactory = (externalSchemas) => {
  const texts = ajvPool(externalSchemas, { customOptions: AJV_OPTIONS })
  const bodies = ajvPool(externalSchemas, { customOptions: { ...AJV_OPTIONS, coerceTypes: false } })
  return (route) => (route.httpPart === 'body' ? bodies : texts)(route)
}

/** A fastify server for these settings: HTTPS (TLS 1.2+) when a certificate is given; no request logs. */
function server(log: Logger, h: Pick<HttpSettings, 'tls' | 'trustProxy'>): FastifyInstance {
  // No per-request log lines: URLs can carry resident ids and query parameters.
  return Fastify({
    loggerInstance: log as FastifyBaseLogger,
    logController: new LogController({ disableRequestLogging: true }),
    trustProxy: h.trustProxy === '' ? false : h.trustProxy,
    frameworkErrors,
    clientErrorHandler,
    schemaErrorFormatter: invalidInput(),
    schemaController: { compilersFactory: { buildValidator } },
    serializerOpts: { ajv: AJV_OPTIONS },
    ...(h.tls ? { https: { ...h.tls, minVersion: 'TLSv1.2' as const } } : {}),
  }) as unknown as FastifyInstance
}

/** A worker's HTTP side: health, readiness and metrics only. */
export async function buildOpsApp(
  d: Pick<AppDeps, 'log' | 'isReady' | 'readiness' | 'registry' | 'http'>,
): Promise<FastifyInstance> {
  const app = server(d.log, d.http)
  await secureHttp(app, d.http)
  await app.register(healthRoutes(d.isReady, d.registry, d.http.metricsToken, d.readiness))
  return app
}

export async function buildApp(d: AppDeps): Promise<FastifyInstance> {
  const app = server(d.log, d.http)
  await secureHttp(app, d.http)
  await app.register(cookie)
  // Limits only where a route asks (sign-in, invitations): config.rateLimit.
  await app.register(rateLimit, { global: false })
  // The API described from the routes' own schemas: /docs (page) and /docs/json (OpenAPI 3).
  await app.register(swagger, {
    openapi: {
      info: {
        title: 'Tongxing API',
        version: '1',
        description: 'Sign in with POST /api/login; the session cookie scopes every answer.',
      },
    },
  })
  // Swagger UI sets inline styles (never inline script): allowed on its pages only.
  await app.register(swaggerUi, {
    routePrefix: '/docs',
    transformStaticCSP: (csp) => csp.replace("style-src 'self'", "style-src 'self' 'unsafe-inline'"),
  })
  await app.register(websocket, { options: { maxPayload: 64 * 1024 } })
  await app.register(healthRoutes(d.isReady, d.registry, d.http.metricsToken, d.readiness))
  await app.register(authRoutes(d.db, d.sessionTtlMs))
  await app.register(alertRoutes(d.db, d.hub))
  await app.register(bandRoutes(d.db, d.commands))
  await app.register(zoneRoutes(d.db, d.map, d.topologyChanged))
  await app.register(historyRoutes(d.db))
  await app.register(personalDataRoutes(d))
  await app.register(invitationRoutes(d.db))
  await app.register(bandAdminRoutes(d.db, d.topologyChanged))
  await app.register(directoryRoutes(d.db, d.topologyChanged))
  await app.register(notificationRoutes(d.db, d.vapidPublicKey ?? ''))
  await app.register(familyRoutes(d.db))
  // The family app (dashboard/web/family/) lives at /family/; its address without the slash leads there.
  app.get('/family', { schema: { hide: true } }, (_request, reply) => reply.redirect('/family/'))
  // The public found-me page behind each band's QR code, and the codes for those who print them.
  await app.register(foundRoutes(d.db, d.hub, d.log))
  await app.register(foundAdminRoutes(d.db, d.http.publicOrigins))
  await app.register(searchLinkRoutes(d.db, d.searchLinks))
  await app.register(responderRoutes(d.db, d.hub))
  await app.register(residentPhotoRoutes(d.db))
  // The page (dashboard/web), and Leaflet, its marker clusters and gcoord (GCJ-02 display offset) from their packages.
  await app.register(fastifyStatic, { root: fileURLToPath(new URL('./web/', import.meta.url)), prefix: '/' })
  await app.register(fastifyStatic, {
    root: dirname(createRequire(import.meta.url).resolve('leaflet/dist/leaflet.js')),
    prefix: '/vendor/leaflet/',
    decorateReply: false,
  })
  await app.register(fastifyStatic, {
    root: dirname(createRequire(import.meta.url).resolve('gcoord')),
    prefix: '/vendor/gcoord/',
    decorateReply: false,
  })
  const markercluster = dirname(createRequire(import.meta.url).resolve('leaflet.markercluster'))
  await app.register(fastifyStatic, { root: markercluster, prefix: '/vendor/markercluster/', decorateReply: false })
  if (d.map.archive) await app.register(tileArchiveRoutes(d.map.archive))
  await app.register(adminRoutes(d.db, d.topologyChanged, d.rejected))
  await app.register(liveRoutes(d.db, d.hub))
  return app
}
