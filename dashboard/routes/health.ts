// Liveness and readiness for orchestrators and the README's first check; Prometheus metrics.
// /healthz: the process is up and has started. /readyz: it can do its work now (the database
// answers, the bus between processes is connected); 503 with what failed otherwise.
import type { FastifyPluginAsync } from 'fastify'
import type { Registry } from 'prom-client'

export type ReadinessChecks = () => Promise<Record<string, boolean>>

export const healthRoutes = (isReady: () => boolean, registry: Registry, checks: ReadinessChecks = async () => ({})): FastifyPluginAsync => async (app) => {
  app.get('/healthz', async (_request, reply) =>
    isReady() ? { status: 'ok' } : reply.code(503).send({ status: 'starting' }))
  app.get('/readyz', async (_request, reply) => {
    if (!isReady()) return reply.code(503).send({ status: 'starting', checks: {} })
    const result = await checks()
    const ok = Object.values(result).every(Boolean)
    return reply.code(ok ? 200 : 503).send({ status: ok ? 'ready' : 'not ready', checks: result })
  })
  app.get('/metrics', async (_request, reply) => reply.type(registry.contentType).send(await registry.metrics()))
}
