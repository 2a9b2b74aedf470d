// Found-me codes for the people who print them (care staff for their centre's wearers, admins for
// every band): a band's link and QR code (SVG or PNG), rotating or revoking its token, a printable
// sheet of a centre's cards; admins also set a centre's duty phone and what the page may call a
// resident. And the outcomes report: who finds people, and how fast.
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import type { FastifyRequest } from 'fastify'
import { Type } from 'typebox'
import {
  centreBands,
  foundUrl,
  liveToken,
  outcomeRows,
  qrPng,
  qrSvg,
  revokeToken,
  rotateToken,
  setFoundDisplayName,
  sheetHtml,
  summarize,
} from '../../finding/index.ts'
import type { Queryable } from '../../infra/index.ts'
import { BandIdSchema } from '../../ingest/index.ts'
import { ErrorBody, apiError } from '../errors.ts'
import { canSeeBand, visibleCentreIds } from '../scope.pg.ts'
import { mayRunCentre, type Viewer } from '../scope.ts'
import { requireViewer } from '../session.ts'
import { Nullable } from './schemas.ts'

const BandParams = Type.Object({ bandId: BandIdSchema })
const Link = Type.Object({ url: Type.String() })
const Denied = { 401: ErrorBody, 403: ErrorBody, 404: ErrorBody }

export const foundAdminRoutes =
  (db: Queryable, publicOrigins: readonly string[]): FastifyPluginAsyncTypebox =>
  async (app) => {
    const printers = requireViewer(db, ['admin', 'staff'])
    const admin = requireViewer(db, ['admin'])
    /** Where QR codes point: the first PUBLIC_ORIGIN, or the origin this request was addressed to. */
    const base = (r: FastifyRequest) => publicOrigins[0] ?? `${r.protocol}://${r.host}`
    /** Codes of bands whose wearer the viewer may see (an unassigned one's: admins only). */
    const mayPrint = (bandId: string, v: Viewer) => canSeeBand(db, v, bandId)

    app.get(
      '/api/bands/:bandId/found-qr',
      {
        preValidation: printers,
        schema: {
          params: BandParams,
          querystring: Type.Object({
            format: Type.Union([Type.Literal('svg'), Type.Literal('png'), Type.Literal('link')], { default: 'svg' }),
          }),
          response: { 200: Type.Unknown(), ...Denied },
        },
      },
      async (request, reply) => {
        const { bandId } = request.params
        if (!(await mayPrint(bandId, request.viewer!)))
          return reply.code(404).send(apiError('not_found', 'no such band'))
        const url = foundUrl(base(request), (await liveToken(db, bandId))!)
        const { format } = request.query
        if (format === 'link') return { url }
        if (format === 'png') return reply.type('image/png').send(await qrPng(url))
        return reply.type('image/svg+xml').send(await qrSvg(url))
      },
    )

    app.post(
      '/api/bands/:bandId/found-token/rotate',
      { preValidation: printers, schema: { params: BandParams, response: { 200: Link, ...Denied } } },
      async (request, reply) => {
        const { bandId } = request.params
        if (!(await mayPrint(bandId, request.viewer!)))
          return reply.code(404).send(apiError('not_found', 'no such band'))
        return { url: foundUrl(base(request), (await rotateToken(db, bandId))!) }
      },
    )

    app.delete(
      '/api/bands/:bandId/found-token',
      { preValidation: printers, schema: { params: BandParams, response: { 204: Type.Null(), ...Denied } } },
      async (request, reply) => {
        const { bandId } = request.params
        if (!(await mayPrint(bandId, request.viewer!)) || !(await revokeToken(db, bandId)))
          return reply.code(404).send(apiError('not_found', 'no such band, or no live code'))
        return reply.code(204).send(null)
      },
    )

    // A print page of every band worn by the centre's residents.
    app.get(
      '/api/centres/:centreId/found-sheet',
      {
        preValidation: printers,
        schema: {
          params: Type.Object({ centreId: Type.Integer({ minimum: 1 }) }),
          response: { 200: Type.String(), ...Denied },
        },
      },
      async (request, reply) => {
        const { centreId } = request.params
        const v = request.viewer!
        const centre = await centreBands(db, centreId)
        if (!centre || !mayRunCentre(v, centreId))
          return reply.code(404).send(apiError('not_found', 'no such care centre'))
        const cards = []
        for (const id of centre.bandIds) {
          const url = foundUrl(base(request), (await liveToken(db, id))!)
          cards.push({ bandId: id, url, svg: await qrSvg(url) })
        }
        return reply.type('text/html; charset=utf-8').send(sheetHtml(centre.name, cards))
      },
    )

    // What the found-me page may call the resident (e.g. a first name); null: nothing (the default).
    app.put(
      '/api/admin/residents/:residentId/found-display',
      {
        preValidation: admin,
        schema: {
          params: Type.Object({ residentId: Type.Integer({ minimum: 1 }) }),
          body: Type.Object({ displayName: Nullable(Type.String({ minLength: 1, maxLength: 40 })) }),
          response: { 204: Type.Null(), 400: ErrorBody, ...Denied },
        },
      },
      async (request, reply) => {
        if (!(await setFoundDisplayName(db, request.params.residentId, request.body.displayName)))
          return reply.code(404).send(apiError('not_found', 'no such resident'))
        return reply.code(204).send(null)
      },
    )

    app.get(
      '/api/reports/found-outcomes',
      {
        preValidation: printers,
        schema: {
          response: {
            200: Type.Object({
              outcomes: Type.Array(
                Type.Object({ foundBy: Type.String(), count: Type.Integer(), medianMinutes: Type.Number() }),
              ),
            }),
            401: ErrorBody,
            403: ErrorBody,
          },
        },
      },
      async (request) => ({ outcomes: summarize(await outcomeRows(db, await visibleCentreIds(db, request.viewer!))) }),
    )
  }
