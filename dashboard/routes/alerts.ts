// Alerts the viewer may see, and handling them: acknowledge, add a note, resolve with a note,
// reopen (staff), and the timeline of who did what. An alert the viewer may not see answers 404,
// the same as one that does not exist.
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { Type } from 'typebox'
import { FOUND_BY, makeOutcome, recordOutcome } from '../../finding/index.ts'
import {
  AlertSchema,
  AlertStatusSchema,
  OUTCOME_KINDS,
  acknowledgeAlert,
  findAlert,
  listAlerts,
  resolveAlertByPerson,
  type AlertChange,
} from '../../geofence/index.ts'
import type { Db } from '../../infra/index.ts'
import { recordAction, reopenAlert, timeline, type PersonAction } from '../alert-events.pg.ts'
import { Nullable } from './schemas.ts'
import { ErrorBody, apiError } from '../errors.ts'
import type { Hub } from '../hub.ts'
import { visibleResidentIds } from '../scope.pg.ts'
import { canSee, type Viewer } from '../scope.ts'
import { requireViewer } from '../session.ts'

export const AlertBody = AlertSchema

const Params = Type.Object({ id: Type.Integer({ minimum: 1 }) })
const Handled = { 200: Type.Object({ alert: AlertBody }), 401: ErrorBody, 404: ErrorBody, 409: ErrorBody }
/** How a wander or a finder's report ended (issue 19): who found the person, when and where. */
const OutcomeBody = Type.Object(
  {
    foundBy: Type.Union(FOUND_BY.map((f) => Type.Literal(f))),
    foundAt: Type.Optional(Type.Number({ minimum: 0, maximum: 8.64e15, description: 'epoch ms; default: now' })),
    lat: Type.Optional(Type.Number({ minimum: -90, maximum: 90 })),
    lon: Type.Optional(Type.Number({ minimum: -180, maximum: 180 })),
  },
  { additionalProperties: false },
)

export const alertRoutes =
  (db: Db, hub: Hub, now: () => number = Date.now): FastifyPluginAsyncTypebox =>
  async (app) => {
    app.get(
      '/api/alerts',
      {
        preValidation: requireViewer(db),
        schema: {
          querystring: Type.Object({
            status: Type.Optional(AlertStatusSchema),
            since: Type.Optional(Type.Number({ minimum: 0, maximum: 8.64e15, description: 'fix time, epoch ms' })),
            beforeId: Type.Optional(Type.Integer({ minimum: 1 })),
            limit: Type.Integer({ minimum: 1, maximum: 1000, default: 100 }),
          }),
          response: { 200: Type.Object({ alerts: Type.Array(AlertBody) }), 401: ErrorBody },
        },
      },
      async (request) => {
        const residentIds = await visibleResidentIds(db, request.viewer!)
        const { status, since, beforeId, limit } = request.query
        return { alerts: await listAlerts(db, { residentIds, status, since, beforeId, limit }) }
      },
    )

    /** Applies a person's action to an alert the viewer may see, and announces it. */
    const handle = async (
      id: number,
      viewer: Viewer,
      act: () => Promise<AlertChange | undefined>,
      notPossible: string,
      action: PersonAction,
      note: string | null = null,
    ) => {
      const alert = await findAlert(db, id)
      if (!alert || !canSee(viewer, alert)) return { code: 404 as const, body: apiError('not_found', 'no such alert') }
      const change = await act()
      if (!change) return { code: 409 as const, body: apiError('conflict', notPossible) }
      await recordAction(db, id, viewer, action, note)
      hub.publishAlert(change)
      return { code: 200 as const, body: { alert: change.alert } }
    }

    app.post(
      '/api/alerts/:id/acknowledge',
      { preValidation: requireViewer(db), schema: { params: Params, response: Handled } },
      async (request, reply) => {
        const v = request.viewer!
        const r = await handle(
          request.params.id,
          v,
          () => acknowledgeAlert(db, request.params.id, v.userId),
          'only an open alert can be acknowledged',
          'acknowledged',
        )
        return reply.code(r.code).send(r.body)
      },
    )

    app.post(
      '/api/alerts/:id/resolve',
      {
        preValidation: requireViewer(db),
        schema: {
          params: Params,
          body: Type.Object({
            note: Type.String({ minLength: 1, maxLength: 1000 }),
            outcome: Type.Optional(OutcomeBody),
          }),
          response: { ...Handled, 400: ErrorBody },
        },
      },
      async (request, reply) => {
        const v = request.viewer!
        const { note, outcome } = request.body
        const id = request.params.id
        // An outcome is checked before anything changes: a wander or a find, found after it began.
        const alert = outcome && (await findAlert(db, id))
        const made = alert && makeOutcome(outcome, alert.openedAt, now())
        if (alert && canSee(v, alert) && made && !made.ok)
          return reply.code(400).send(apiError('bad_request', made.reason))
        if (alert && canSee(v, alert) && !OUTCOME_KINDS.has(alert.kind))
          return reply
            .code(400)
            .send(apiError('bad_request', 'only a wander or a found report records who found the person'))
        const resolve = () =>
          db.tx(async (tx) => {
            const change = await resolveAlertByPerson(tx, id, v.userId, note)
            if (change && made?.ok) await recordOutcome(tx, id, made.outcome, v.userId)
            return change
          })
        const r = await handle(id, v, resolve, 'the alert is already resolved', 'resolved', note)
        return reply.code(r.code).send(r.body)
      },
    )

    // A note without resolving: everyone who sees the alert sees it in the timeline.
    app.post(
      '/api/alerts/:id/notes',
      {
        preValidation: requireViewer(db),
        schema: {
          params: Params,
          body: Type.Object({ note: Type.String({ minLength: 1, maxLength: 1000 }) }),
          response: Handled,
        },
      },
      async (request, reply) => {
        const id = request.params.id
        const r = await handle(
          id,
          request.viewer!,
          async () => {
            const alert = await findAlert(db, id)
            return alert && { change: 'noted', alert }
          },
          'no such alert',
          'note',
          request.body.note,
        )
        return reply.code(r.code).send(r.body)
      },
    )

    // Staff and admins reopen a resolved alert (resolved too soon, or by mistake).
    app.post(
      '/api/alerts/:id/reopen',
      {
        preValidation: requireViewer(db, ['admin', 'staff']),
        schema: { params: Params, response: Handled },
      },
      async (request, reply) => {
        const id = request.params.id
        let conflict = false
        const r = await handle(
          id,
          request.viewer!,
          async () => {
            const done = await reopenAlert(db, id)
            conflict = done === 'conflict'
            const alert = done === 'reopened' ? await findAlert(db, id) : undefined
            return alert && { change: 'reopened', alert }
          },
          'only a resolved alert can be reopened',
          'reopened',
        )
        if (conflict) return reply.code(409).send(apiError('conflict', 'another alert for the same thing is open'))
        return reply.code(r.code).send(r.body)
      },
    )

    app.get(
      '/api/alerts/:id/timeline',
      {
        preValidation: requireViewer(db),
        schema: {
          params: Params,
          response: {
            200: Type.Object({
              events: Type.Array(
                Type.Object({
                  at: Type.Number(),
                  kind: Type.String(),
                  username: Nullable(Type.String()),
                  role: Nullable(Type.String()),
                  note: Nullable(Type.String()),
                }),
              ),
            }),
            401: ErrorBody,
            404: ErrorBody,
          },
        },
      },
      async (request, reply) => {
        const alert = await findAlert(db, request.params.id)
        if (!alert || !canSee(request.viewer!, alert))
          return reply.code(404).send(apiError('not_found', 'no such alert'))
        return { events: await timeline(db, alert.id) }
      },
    )
  }
