// Residents (listed in scope; added by admins) and users with their family links (admins).
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { Type } from 'typebox'
import type { Db } from '../../infra/index.ts'
import { deleteUser, linkResident, listResidents, listUsers, unlinkResident } from '../directory.pg.ts'
import { Nullable } from './schemas.ts'
import { ErrorBody, apiError } from '../errors.ts'
import { passwordProblem } from '../password-policy.ts'
import { insertResident, insertUser } from '../people.pg.ts'
import { visibleResidentIds } from '../scope.pg.ts'
import { requireViewer } from '../session.ts'

const Resident = Type.Object({
  id: Type.Integer(),
  name: Type.String(),
  careCentreId: Nullable(Type.Integer()),
  bandId: Nullable(Type.String()),
})
const User = Type.Object({
  id: Type.Integer(),
  username: Type.String(),
  role: Type.String(),
  careCentreId: Nullable(Type.Integer()),
  residentIds: Type.Array(Type.Integer()),
})
const Link = Type.Object({ userId: Type.Integer({ minimum: 1 }), residentId: Type.Integer({ minimum: 1 }) })

export const directoryRoutes =
  (db: Db, topologyChanged: () => Promise<void>): FastifyPluginAsyncTypebox =>
  async (app) => {
    const admin = requireViewer(db, ['admin'])

    app.get(
      '/api/residents',
      {
        preValidation: requireViewer(db),
        schema: { response: { 200: Type.Object({ residents: Type.Array(Resident) }), 401: ErrorBody } },
      },
      async (request) => ({ residents: await listResidents(db, await visibleResidentIds(db, request.viewer!)) }),
    )

    app.post(
      '/api/admin/residents',
      {
        preValidation: admin,
        schema: {
          body: Type.Object({
            name: Type.String({ minLength: 1, maxLength: 200 }),
            careCentreId: Type.Optional(Type.Integer({ minimum: 1 })),
          }),
          response: { 201: Type.Object({ id: Type.Integer() }), 400: ErrorBody, 401: ErrorBody, 403: ErrorBody },
        },
      },
      async (request, reply) => {
        const id = await insertResident(db, request.body.name, request.body.careCentreId ?? null).catch(() => undefined)
        if (id === undefined) return reply.code(400).send(apiError('no_such_centre', 'no such care centre'))
        await topologyChanged()
        return reply.code(201).send({ id: Number(id) })
      },
    )

    app.get(
      '/api/admin/users',
      {
        preValidation: admin,
        schema: { response: { 200: Type.Object({ users: Type.Array(User) }), 401: ErrorBody, 403: ErrorBody } },
      },
      async () => ({ users: await listUsers(db) }),
    )

    app.post(
      '/api/admin/users',
      {
        preValidation: admin,
        schema: {
          body: Type.Object({
            username: Type.String({ minLength: 1, maxLength: 64 }),
            password: Type.String({ minLength: 1, maxLength: 200 }),
            role: Type.Union([Type.Literal('admin'), Type.Literal('staff'), Type.Literal('family')]),
            careCentreId: Type.Optional(Type.Integer({ minimum: 1 })),
            residentIds: Type.Optional(Type.Array(Type.Integer({ minimum: 1 }), { maxItems: 50 })),
          }),
          response: {
            201: Type.Object({ id: Type.Integer() }),
            400: ErrorBody,
            401: ErrorBody,
            403: ErrorBody,
            409: ErrorBody,
          },
        },
      },
      async (request, reply) => {
        const b = request.body
        if (b.role === 'staff' && b.careCentreId === undefined)
          return reply.code(400).send(apiError('bad_request', 'care staff need a careCentreId'))
        if ((await listUsers(db)).some((u) => u.username === b.username))
          return reply.code(409).send(apiError('username_taken', 'that username is taken'))
        const weak = await passwordProblem(b.username, b.password)
        if (weak) return reply.code(400).send(apiError('weak_password', weak))
        // One transaction: a user whose links cannot be made is not left half-made.
        const id = await db
          .tx((c) => insertUser(c, { ...b, residentIds: b.role === 'family' ? b.residentIds : [] }))
          .catch(() => undefined)
        if (id === undefined) return reply.code(400).send(apiError('bad_request', 'no such care centre or resident'))
        return reply.code(201).send({ id: Number(id) })
      },
    )

    app.delete(
      '/api/admin/users/:userId',
      {
        preValidation: admin,
        schema: {
          params: Type.Object({ userId: Type.Integer({ minimum: 1 }) }),
          response: { 204: Type.Null(), 401: ErrorBody, 403: ErrorBody, 404: ErrorBody },
        },
      },
      async (request, reply) => {
        if (!(await deleteUser(db, request.params.userId)))
          return reply.code(404).send(apiError('not_found', 'no such user'))
        return reply.code(204).send(null)
      },
    )

    app.put(
      '/api/admin/users/:userId/residents/:residentId',
      {
        preValidation: admin,
        schema: { params: Link, response: { 204: Type.Null(), 401: ErrorBody, 403: ErrorBody, 404: ErrorBody } },
      },
      async (request, reply) => {
        if (!(await linkResident(db, request.params.userId, request.params.residentId)))
          return reply.code(404).send(apiError('not_found', 'no such family user or resident'))
        return reply.code(204).send(null)
      },
    )

    app.delete(
      '/api/admin/users/:userId/residents/:residentId',
      {
        preValidation: admin,
        schema: { params: Link, response: { 204: Type.Null(), 401: ErrorBody, 403: ErrorBody, 404: ErrorBody } },
      },
      async (request, reply) => {
        if (!(await unlinkResident(db, request.params.userId, request.params.residentId)))
          return reply.code(404).send(apiError('not_found', 'no such link'))
        return reply.code(204).send(null)
      },
    )
  }
