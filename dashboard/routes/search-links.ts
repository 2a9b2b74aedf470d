// Search links (issue 19): staff, admins and the family make a link to share with helpers for an
// open wander alert; anyone holding it sees that one person's live position, trail since the alert
// opened and photo — until it expires, is revoked or the alert is resolved (then 410 "link_gone",
// the same answer as for a token that never was). Every open is recorded (docs/responders.md).
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { Type } from 'typebox'
import {
  createLink,
  hasPhoto,
  isSearchable,
  linkAlertId,
  linkForToken,
  linkMinutes,
  linkState,
  listLinks,
  photoOf,
  recordOpen,
  revokeLink,
  trailSince,
  type LinkLimits,
} from '../../finding/index.ts'
import { findAlert } from '../../geofence/index.ts'
import type { Queryable } from '../../infra/index.ts'
import { recordAction } from '../alert-events.pg.ts'
import { ErrorBody, apiError } from '../errors.ts'
import { canSee, type Viewer } from '../scope.ts'
import { requireViewer } from '../session.ts'
import { HelperView, ImageBody } from './schemas.ts'

const Link = Type.Object({
  id: Type.Integer(),
  alertId: Type.Integer(),
  note: Type.String(),
  createdAt: Type.Number(),
  expiresAt: Type.Number(),
  revokedAt: Type.Union([Type.Number(), Type.Null()]),
  opens: Type.Integer(),
})
const Token = Type.Object({ token: Type.String({ maxLength: 64 }) })
/** The public pages' answers: a helper's polling stays far below this. */
const PUBLIC_LIMIT = { rateLimit: { max: 120, timeWindow: 60_000 } }

export const searchLinkRoutes =
  (db: Queryable, limits: LinkLimits): FastifyPluginAsyncTypebox =>
  async (app) => {
    /** The alert, if the viewer may see it (404 otherwise, the same as none). */
    const visibleAlert = async (id: number, v: Viewer) => {
      const alert = await findAlert(db, id)
      return alert && canSee(v, alert) ? alert : undefined
    }

    app.post(
      '/api/alerts/:id/search-links',
      {
        preValidation: requireViewer(db),
        schema: {
          params: Type.Object({ id: Type.Integer({ minimum: 1 }) }),
          body: Type.Object({
            minutes: Type.Optional(Type.Integer({ minimum: 1, maximum: 1440 })),
            note: Type.String({ maxLength: 200, default: '' }),
          }),
          response: {
            201: Type.Object({ link: Link, token: Type.String(), path: Type.String() }),
            400: ErrorBody,
            401: ErrorBody,
            404: ErrorBody,
            409: ErrorBody,
          },
        },
      },
      async (request, reply) => {
        const v = request.viewer!
        const alert = await visibleAlert(request.params.id, v)
        if (!alert) return reply.code(404).send(apiError('not_found', 'no such alert'))
        if (alert.status === 'resolved' || !isSearchable(alert.kind))
          return reply.code(409).send(apiError('not_searchable'))
        const m = linkMinutes(request.body.minutes, limits)
        if (!m.ok) return reply.code(400).send(apiError('bad_request', m.error))
        const made = await createLink(db, {
          alertId: alert.id,
          userId: v.userId,
          minutes: m.minutes,
          note: request.body.note,
        })
        await recordAction(db, alert.id, v, 'search_link_created', `#${made.link.id}`)
        // The token travels in the fragment: browsers send it to no server and no Referer carries it.
        return reply.code(201).send({ ...made, path: `/search/#${made.token}` })
      },
    )

    app.get(
      '/api/alerts/:id/search-links',
      {
        preValidation: requireViewer(db),
        schema: {
          params: Type.Object({ id: Type.Integer({ minimum: 1 }) }),
          response: { 200: Type.Object({ links: Type.Array(Link) }), 401: ErrorBody, 404: ErrorBody },
        },
      },
      async (request, reply) => {
        const alert = await visibleAlert(request.params.id, request.viewer!)
        if (!alert) return reply.code(404).send(apiError('not_found', 'no such alert'))
        return { links: await listLinks(db, alert.id) }
      },
    )

    app.post(
      '/api/search-links/:linkId/revoke',
      {
        preValidation: requireViewer(db),
        schema: {
          params: Type.Object({ linkId: Type.Integer({ minimum: 1 }) }),
          response: { 204: Type.Null(), 401: ErrorBody, 404: ErrorBody, 409: ErrorBody },
        },
      },
      async (request, reply) => {
        const v = request.viewer!
        const alertId = await linkAlertId(db, request.params.linkId)
        const alert = alertId === undefined ? undefined : await visibleAlert(alertId, v)
        if (!alert) return reply.code(404).send(apiError('not_found', 'no such link'))
        if (!(await revokeLink(db, request.params.linkId)))
          return reply.code(409).send(apiError('conflict', 'the link is revoked already'))
        await recordAction(db, alert.id, v, 'search_link_revoked', `#${request.params.linkId}`)
        return reply.code(204).send(null)
      },
    )

    /** The link behind a token while it works; undefined (answered 410) otherwise. */
    const working = async (token: string) => {
      const link = await linkForToken(db, token)
      return link && linkState(link, Date.now()) === 'valid' ? link : undefined
    }
    const view = async (link: NonNullable<Awaited<ReturnType<typeof working>>>) => ({
      alert: { kind: link.alertKind, openedAt: link.alertOpenedAt },
      expiresAt: link.expiresAt,
      note: link.note,
      photo: await hasPhoto(db, link.residentId),
      trail: await trailSince(db, link.residentId, link.bandId, {
        openedAt: link.alertOpenedAt,
        fixTime: link.alertFixTime,
        evidence: link.alertEvidence,
      }),
    })
    const gone = apiError('link_gone')
    const publicSchema = { params: Token, security: [], response: { 200: HelperView, 410: ErrorBody } }

    // Opening the link (the page's first load) is recorded; the page's polling for the live
    // position (…/live) gets the same answer and is not an open.
    for (const [path, isOpen] of [
      ['/api/search/:token', true],
      ['/api/search/:token/live', false],
    ] as const) {
      app.get(path, { config: PUBLIC_LIMIT, schema: publicSchema }, async (request, reply) => {
        const link = await working(request.params.token)
        if (!link) return reply.code(410).send(gone)
        if (isOpen) await recordOpen(db, link)
        return view(link)
      })
    }

    app.get(
      '/api/search/:token/photo',
      { config: PUBLIC_LIMIT, schema: { params: Token, security: [], response: { 200: ImageBody, 410: ErrorBody } } },
      async (request, reply) => {
        const link = await working(request.params.token)
        const photo = link && (await photoOf(db, link.residentId))
        if (!photo) return reply.code(410).send(gone)
        return reply.type(photo.type).send(photo.bytes)
      },
    )
  }
