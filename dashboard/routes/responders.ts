// Nearby responders (issue 19): admins make responder accounts with an area and weekly schedule;
// a responder lists the wander alerts offered to them, accepts one, and then sees that one
// resident's live position, trail since the alert opened and photo — until the alert closes.
// Nothing else: every other route refuses their role (session.ts), and the socket too.
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { Type } from 'typebox'
import {
  acceptTask,
  checkResponderSettings,
  hasPhoto,
  listResponders,
  openTask,
  openTasksOf,
  photoOf,
  saveResponderProfile,
  trailSince,
} from '../../finding/index.ts'
import type { Db } from '../../infra/index.ts'
import { recordAction } from '../alert-events.pg.ts'
import { ErrorBody, apiError } from '../errors.ts'
import type { Hub } from '../hub.ts'
import { passwordProblem } from '../password-policy.ts'
import { insertUser } from '../people.pg.ts'
import { requireViewer } from '../session.ts'
import { HelperView, ImageBody, Nullable } from './schemas.ts'

const Settings = {
  area: Type.Unknown({ description: 'a circle {type:"circle",center:[lon,lat],radiusM} or a GeoJSON (Multi)Polygon' }),
  schedules: Type.Optional(
    Type.Array(Type.Unknown({ description: 'a zone schedule: {days?, from:"HH:MM", to:"HH:MM", tz?}' }), {
      maxItems: 21,
    }),
  ),
  phone: Type.Optional(Nullable(Type.String({ pattern: '^\\+?[0-9]{5,20}$' }))),
}
const Responder = Type.Object({
  userId: Type.Integer(),
  username: Type.String(),
  area: Type.Unknown(),
  schedules: Type.Array(Type.Unknown()),
  phone: Nullable(Type.String()),
})
const Task = Type.Object({
  id: Type.Integer(),
  alertId: Type.Integer(),
  kind: Type.String(),
  alertOpenedAt: Type.Number(),
  offeredAt: Type.Number(),
  acceptedAt: Nullable(Type.Number()),
})
const TaskParams = Type.Object({ taskId: Type.Integer({ minimum: 1, maximum: Number.MAX_SAFE_INTEGER }) })
const noTask = apiError('not_found', 'no such task, not accepted, or its alert is closed')

export const responderRoutes =
  (db: Db, hub: Hub): FastifyPluginAsyncTypebox =>
  async (app) => {
    const admin = requireViewer(db, ['admin'])
    // After validation, so that an impossible task id is a 400 whoever asks (http-hardening.test.ts).
    const responder = requireViewer(db, ['responder'])

    app.get(
      '/api/admin/responders',
      {
        preValidation: admin,
        schema: {
          response: { 200: Type.Object({ responders: Type.Array(Responder) }), 401: ErrorBody, 403: ErrorBody },
        },
      },
      async () => ({ responders: await listResponders(db) }),
    )

    app.post(
      '/api/admin/responders',
      {
        preValidation: admin,
        schema: {
          body: Type.Object({
            username: Type.String({ minLength: 1, maxLength: 64 }),
            password: Type.String({ minLength: 1, maxLength: 200 }),
            ...Settings,
          }),
          response: { 201: Type.Object({ id: Type.Integer() }), 400: ErrorBody, 401: ErrorBody, 403: ErrorBody },
        },
      },
      async (request, reply) => {
        const b = request.body
        const s = checkResponderSettings(b.area, b.schedules)
        if (!s.ok) return reply.code(400).send(apiError('invalid_responder', s.error))
        const weak = await passwordProblem(b.username, b.password)
        if (weak) return reply.code(400).send(apiError('weak_password', weak))
        // One transaction: no responder account without its area. A taken username answers 409 (errors.ts).
        const id = await db.tx(async (c) => {
          const userId = await insertUser(c, { username: b.username, password: b.password, role: 'responder' })
          await saveResponderProfile(c, Number(userId), {
            area: s.area,
            schedules: s.schedules,
            phone: b.phone ?? null,
          })
          return Number(userId)
        })
        return reply.code(201).send({ id })
      },
    )

    app.put(
      '/api/admin/responders/:userId',
      {
        preValidation: admin,
        schema: {
          params: Type.Object({ userId: Type.Integer({ minimum: 1 }) }),
          body: Type.Object(Settings),
          response: { 204: Type.Null(), 400: ErrorBody, 401: ErrorBody, 403: ErrorBody, 404: ErrorBody },
        },
      },
      async (request, reply) => {
        const b = request.body
        const s = checkResponderSettings(b.area, b.schedules)
        if (!s.ok) return reply.code(400).send(apiError('invalid_responder', s.error))
        const user = await db.query("SELECT 1 FROM users WHERE id = $1 AND role = 'responder'", [request.params.userId])
        if (user.rows.length === 0) return reply.code(404).send(apiError('not_found', 'no such responder'))
        await saveResponderProfile(db, request.params.userId, {
          area: s.area,
          schedules: s.schedules,
          phone: b.phone ?? null,
        })
        return reply.code(204).send(null)
      },
    )

    app.get(
      '/api/responder/tasks',
      {
        preHandler: responder,
        schema: { response: { 200: Type.Object({ tasks: Type.Array(Task) }), 401: ErrorBody, 403: ErrorBody } },
      },
      async (request) => ({ tasks: await openTasksOf(db, request.viewer!.userId) }),
    )

    app.post(
      '/api/responder/tasks/:taskId/accept',
      {
        preHandler: responder,
        schema: { params: TaskParams, response: { 204: Type.Null(), 401: ErrorBody, 403: ErrorBody, 404: ErrorBody } },
      },
      async (request, reply) => {
        const v = request.viewer!
        const task = await openTask(db, request.params.taskId, v.userId)
        if (!task) return reply.code(404).send(noTask)
        if (await acceptTask(db, task.taskId, v.userId)) {
          await recordAction(db, task.alertId, v, 'responder_accepted')
          const body = {
            change: 'accepted' as const,
            alertId: task.alertId,
            residentId: task.residentId,
            at: Date.now(),
          }
          hub.publish('responder', body, { residentId: task.residentId, careCentreId: task.careCentreId })
        }
        return reply.code(204).send(null)
      },
    )

    /** The accepted task's alert while it is open; undefined (404) otherwise. */
    const accepted = async (taskId: number, userId: number) => {
      const task = await openTask(db, taskId, userId)
      return task?.accepted ? task : undefined
    }

    app.get(
      '/api/responder/tasks/:taskId/live',
      {
        preHandler: responder,
        schema: { params: TaskParams, response: { 200: HelperView, 401: ErrorBody, 403: ErrorBody, 404: ErrorBody } },
      },
      async (request, reply) => {
        const task = await accepted(request.params.taskId, request.viewer!.userId)
        if (!task) return reply.code(404).send(noTask)
        return {
          alert: { kind: task.kind, openedAt: task.alertOpenedAt },
          expiresAt: null,
          note: '',
          photo: await hasPhoto(db, task.residentId),
          trail: await trailSince(db, task.residentId, task.bandId, {
            openedAt: task.alertOpenedAt,
            fixTime: task.alertFixTime,
            evidence: task.alertEvidence,
          }),
        }
      },
    )

    app.get(
      '/api/responder/tasks/:taskId/photo',
      {
        preHandler: responder,
        schema: { params: TaskParams, response: { 200: ImageBody, 401: ErrorBody, 403: ErrorBody, 404: ErrorBody } },
      },
      async (request, reply) => {
        const task = await accepted(request.params.taskId, request.viewer!.userId)
        const photo = task && (await photoOf(db, task.residentId))
        if (!photo) return reply.code(404).send(noTask)
        return reply.type(photo.type).send(photo.bytes)
      },
    )
  }
