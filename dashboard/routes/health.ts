// Liveness and readiness for orchestrators and the README's first check; Prometheus metrics for
// operators only. /healthz: the process is up and has started. /readyz: it can do its work now
// (the database answers, the bus between processes is connected); 503 with what failed otherwise.
import { timingSafeEqual } from 'node:crypto'
import type { FastifyPluginAsync, FastifyRequest } from 'fastify'
import type { Registry } from 'prom-client'
import { apiError } from '../errors.ts'

export type ReadinessChecks = () => Promise<Record<string, boolean>>

const LOOPBACK = /^(127\.|::1$|::ffff:127\.)/

/**
 * An operator's scrape: the configured bearer token (RFC 6750 §2.1), or without one a direct
 * connection from this machine (not through a proxy, whose clients all come from its address).
 */
export function mayScrape(r: Pick<FastifyRequest, 'headers' | 'socket'>, token: string): boolean {
  if (token === '') return LOOPBACK.test(r.socket.remoteAddress ?? '') && r.headers['x-forwarded-for'] === undefined
  const given = Buffer.from(/^Bearer (.+)$/i.exec(r.headers.authorization ?? '')?.[1] ?? '')
  const want = Buffer.from(token)
  return given.length === want.length && timingSafeEqual(given, want)
}

export const healthRoutes =
  (
    isReady: () => boolean,
    registry: Registry,
    metricsToken: string,
    checks: ReadinessChecks = async () => ({}),
  ): FastifyPluginAsync =>
  async (app) => {
    app.get('/healthz', async (_request, reply) =>
      isReady() ? { status: 'ok' } : reply.code(503).send({ status: 'starting' }),
    )
    app.get('/readyz', async (_request, reply) => {
      if (!isReady()) return reply.code(503).send({ status: 'starting', checks: {} })
      const result = await checks()
      const ok = Object.values(result).every(Boolean)
      return reply.code(ok ? 200 : 503).send({ status: ok ? 'ready' : 'not ready', checks: result })
    })
    app.get('/metrics', async (request, reply) => {
      if (!mayScrape(request, metricsToken)) {
        return reply
          .code(401)
          .header('www-authenticate', 'Bearer')
          .send(apiError('unauthenticated', 'metrics are for operators: send the METRICS_TOKEN'))
      }
      return reply.type(registry.contentType).send(await registry.metrics())
    })
  }
