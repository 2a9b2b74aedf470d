// The public "found me" page and its API (issue 19): no sign-in. A stranger who scans a band's QR
// code gets the page; the page asks what to show (whom to call) and sends the finder's report.
// Every answer has one shape whatever the token's state (worn, unassigned, revoked, unknown), so
// the page reveals nothing about the band; a malformed token is a 404. Rate-limited per address,
// and reports per token (counted in the database, unknown tokens too).
import { readFileSync } from 'node:fs'
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { Type } from 'typebox'
import {
  REPORT_WINDOW_MS,
  REPORTS_PER_SENDER,
  REPORTS_PER_TOKEN,
  foundPage,
  isFoundToken,
  positionProblem,
  recentReports,
  senderOf,
  recordView,
  submitReport,
  tokenFacts,
} from '../../finding/index.ts'
import type { Db, Logger } from '../../infra/index.ts'
import { ErrorBody, apiError } from '../errors.ts'
import type { Hub } from '../hub.ts'
import { Nullable } from './schemas.ts'

/** Page views and reports allowed per client address and minute. */
export const FOUND_VIEWS_PER_MINUTE = 30
export const FOUND_REPORTS_PER_MINUTE = 6

const Params = Type.Object({ token: Type.String({ maxLength: 64, description: 'the token printed in the QR code' }) })
const limited = (max: number) => ({
  rateLimit: {
    max,
    timeWindow: 60_000,
    errorResponseBuilder: (_r: unknown, ctx: { ttl: number }) => ({
      statusCode: 429,
      ...apiError('too_many_reports', `too many requests; try again in ${Math.ceil(ctx.ttl / 1000)} s`),
    }),
  },
})
const noToken = () => apiError('not_found', 'no such code')

export const foundRoutes =
  (db: Db, hub: Hub, log: Logger, now: () => number = Date.now): FastifyPluginAsyncTypebox =>
  async (app) => {
    const page = readFileSync(new URL('../web/found/index.html', import.meta.url))

    // The page a QR code opens: the same HTML for every token (it asks the API below).
    app.get(
      '/f/:token',
      { config: limited(FOUND_VIEWS_PER_MINUTE), schema: { hide: true, params: Params } },
      async (_request, reply) => reply.type('text/html; charset=utf-8').header('cache-control', 'no-store').send(page),
    )

    app.get(
      '/api/found/:token',
      {
        config: limited(FOUND_VIEWS_PER_MINUTE),
        schema: {
          params: Params,
          response: {
            200: Type.Object({
              call: Type.Object({
                kind: Type.Union([Type.Literal('centre'), Type.Literal('police')]),
                number: Type.String(),
              }),
              displayName: Nullable(Type.String()),
            }),
            404: ErrorBody,
            429: ErrorBody,
          },
        },
      },
      async (request, reply) => {
        const { token } = request.params
        if (!isFoundToken(token)) return reply.code(404).send(noToken())
        const facts = await tokenFacts(db, token)
        await recordView(db, token, facts)
        return foundPage(facts)
      },
    )

    app.post(
      '/api/found/:token/reports',
      {
        config: limited(FOUND_REPORTS_PER_MINUTE),
        schema: {
          params: Params,
          body: Type.Object(
            {
              lat: Type.Optional(Type.Number({ minimum: -90, maximum: 90 })),
              lon: Type.Optional(Type.Number({ minimum: -180, maximum: 180 })),
              acc: Type.Optional(Type.Number({ minimum: 0, maximum: 100_000 })),
              phone: Type.Optional(Type.String({ pattern: '^\\+?[0-9 -]{3,20}$' })),
              note: Type.Optional(Type.String({ maxLength: 500 })),
            },
            { additionalProperties: false },
          ),
          response: { 202: Type.Object({ received: Type.Boolean() }), 400: ErrorBody, 404: ErrorBody, 429: ErrorBody },
        },
      },
      async (request, reply) => {
        const { token } = request.params
        if (!isFoundToken(token)) return reply.code(404).send(noToken())
        const problem = positionProblem(request.body)
        if (problem) return reply.code(400).send(apiError('bad_request', problem))
        const sender = senderOf(request.ip, token)
        const recent = await recentReports(db, token, sender, REPORT_WINDOW_MS)
        if (recent.fromSender >= REPORTS_PER_SENDER || recent.all >= REPORTS_PER_TOKEN)
          return reply
            .code(429)
            .send(apiError('too_many_reports', 'this code has sent many reports; please call instead'))
        const facts = await tokenFacts(db, token)
        const change = await submitReport(db, token, facts, request.body, sender, now())
        if (change) {
          log.info({ bandId: facts.bandId, alertId: change.alert.id }, 'found report raised an alert')
          hub.publishAlert(change)
        }
        return reply.code(202).send({ received: true })
      },
    )
  }
