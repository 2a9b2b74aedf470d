// The family app's own API: its home cards (the residents the viewer may see, each with their band,
// care centre duty number and the other contacts to call) and the centre's duty number, kept by that
// centre's staff or an admin. Positions, alerts and battery come over the live socket.
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { Type } from 'typebox'
import type { Db } from '../../infra/index.ts'
import { alertWords } from '../../notify/index.ts'
import { DUTY_PHONE_PATTERN, familyResidents, setDutyPhone } from '../family.pg.ts'
import { ErrorBody, apiError } from '../errors.ts'
import { visibleResidentIds } from '../scope.pg.ts'
import { mayRunCentre } from '../scope.ts'
import { requireViewer } from '../session.ts'
import { Nullable } from './schemas.ts'

const DutyPhone = Type.String({ pattern: DUTY_PHONE_PATTERN })

const FamilyResident = Type.Object({
  id: Type.Integer(),
  name: Type.String(),
  bandId: Nullable(Type.String()),
  centre: Nullable(Type.Object({ id: Type.Integer(), name: Type.String(), dutyPhone: Nullable(Type.String()) })),
  contacts: Type.Array(Type.Object({ name: Type.String(), relation: Type.String(), phone: Type.String() })),
})

const Words = Type.Object({
  event: Type.Record(Type.String(), Type.String()),
  advice: Type.Record(Type.String(), Type.String()),
  backHome: Type.String(),
})
/** The alerts told as the SMS and push messages tell them, so the app and the phone say the same. */
const WORDS = { zh: alertWords('zh'), en: alertWords('en') }

export const familyRoutes =
  (db: Db): FastifyPluginAsyncTypebox =>
  async (app) => {
    app.get(
      '/api/family/home',
      {
        preValidation: requireViewer(db),
        schema: {
          response: {
            200: Type.Object({
              residents: Type.Array(FamilyResident),
              words: Type.Object({ zh: Words, en: Words }),
            }),
            401: ErrorBody,
          },
        },
      },
      async (request) => {
        const v = request.viewer!
        return { residents: await familyResidents(db, await visibleResidentIds(db, v), v.userId), words: WORDS }
      },
    )

    app.put(
      '/api/centres/:centreId/duty-phone',
      {
        preValidation: requireViewer(db, ['staff', 'admin']),
        schema: {
          params: Type.Object({ centreId: Type.Integer({ minimum: 1 }) }),
          body: Type.Object({ phone: Nullable(DutyPhone) }),
          response: { 204: Type.Null(), 400: ErrorBody, 401: ErrorBody, 403: ErrorBody, 404: ErrorBody },
        },
      },
      async (request, reply) => {
        const v = request.viewer!
        const { centreId } = request.params
        if (!mayRunCentre(v, centreId)) return reply.code(404).send(apiError('not_found', 'no such care centre'))
        if (!(await setDutyPhone(db, centreId, request.body.phone)))
          return reply.code(404).send(apiError('not_found', 'no such care centre'))
        return reply.code(204).send(null)
      },
    )
  }
