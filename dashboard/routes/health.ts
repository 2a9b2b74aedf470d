// Liveness for orchestrators and the README's first check; Prometheus metrics.
import type { FastifyPluginAsync } from 'fastify'
import type { Registry } from 'prom-client'

export const healthRoutes = (isReady: () => boolean, registry: Registry): FastifyPluginAsync => async (app) => {
  app.get('/healthz', async (_request, reply) =>
    isReady() ? { status: 'ok' } : reply.code(503).send({ status: 'starting' }))
  app.get('/metrics', async (_request, reply) => reply.type(registry.contentType).send(await registry.metrics()))
}
