// Who is told of alerts, and how, scoped like every route: anyone who may see a resident keeps
// their contact list (the family decides who is called first); each user their own preferences
// and push devices; care staff their centre's group chats and duty roster (admins every centre's);
// and an alert's delivery timeline to whoever may see the alert.
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { Type } from 'typebox'
import { findAlert } from '../../geofence/index.ts'
import type { Db } from '../../infra/index.ts'
import {
  addSubscription,
  deliveryTimeline,
  getPreferences,
  listCentreChannels,
  listContacts,
  listRoster,
  removeSubscription,
  replaceCentreChannels,
  replaceContacts,
  replaceRoster,
  setPreferences,
  usersMaySee,
  usersOfCentre,
} from '../../notify/index.ts'
import { ErrorBody, apiError } from '../errors.ts'
import { canSeeResident } from '../scope.pg.ts'
import { canSee, mayRunCentre } from '../scope.ts'
import { requireViewer } from '../session.ts'
import {
  ContactIn,
  ContactOut,
  Preferences,
  PreferencesOut,
  ChannelIn,
  ChannelOut,
  RosterIn,
  RosterOut,
  Timeline,
  ResidentParams,
  CentreParams,
  Errors,
} from './notify-schemas.ts'

export const notificationRoutes =
  (db: Db, vapidPublicKey: string): FastifyPluginAsyncTypebox =>
  async (app) => {
    const noResident = apiError('not_found', 'no such resident')

    app.get(
      '/api/residents/:residentId/contacts',
      {
        preValidation: requireViewer(db),
        schema: {
          params: ResidentParams,
          response: { 200: Type.Object({ contacts: Type.Array(ContactOut) }), ...Errors },
        },
      },
      async (request, reply) => {
        if (!(await canSeeResident(db, request.viewer!, request.params.residentId)))
          return reply.code(404).send(noResident)
        return { contacts: await listContacts(db, request.params.residentId) }
      },
    )

    app.put(
      '/api/residents/:residentId/contacts',
      {
        preValidation: requireViewer(db),
        schema: {
          params: ResidentParams,
          body: Type.Object({ contacts: Type.Array(ContactIn, { maxItems: 20 }) }, { additionalProperties: false }),
          response: { 200: Type.Object({ contacts: Type.Array(ContactOut) }), ...Errors },
        },
      },
      async (request, reply) => {
        const { residentId } = request.params
        if (!(await canSeeResident(db, request.viewer!, residentId))) return reply.code(404).send(noResident)
        const contacts = request.body.contacts
        const userIds = contacts.map((c) => c.userId).filter((u): u is number => u !== null)
        if (!(await usersMaySee(db, userIds, residentId)))
          return reply
            .code(400)
            .send(apiError('invalid_contact', "a contact's userId must be someone who may see this resident"))
        if (contacts.some((c) => c.channels.includes('sms') && !c.phone))
          return reply.code(400).send(apiError('invalid_contact', 'SMS needs a phone number'))
        return { contacts: await replaceContacts(db, residentId, contacts) }
      },
    )

    app.get(
      '/api/me/notification-preferences',
      {
        preValidation: requireViewer(db),
        schema: { response: { 200: PreferencesOut, 401: ErrorBody } },
      },
      async (request) => getPreferences(db, request.viewer!.userId),
    )

    app.put(
      '/api/me/notification-preferences',
      {
        preValidation: requireViewer(db),
        schema: { body: Preferences, response: { 200: PreferencesOut, ...Errors } },
      },
      async (request, reply) => {
        const p = request.body
        if ((p.quietStart === null) !== (p.quietEnd === null))
          return reply.code(400).send(apiError('bad_request', 'set quietStart and quietEnd together'))
        await setPreferences(db, request.viewer!.userId, p)
        return getPreferences(db, request.viewer!.userId)
      },
    )

    app.get(
      '/api/push/key',
      {
        schema: {
          response: {
            200: Type.Object({ publicKey: Type.String({ description: 'VAPID public key; empty: Web Push is off' }) }),
          },
        },
      },
      async () => ({ publicKey: vapidPublicKey }),
    )

    app.post(
      '/api/me/push-subscriptions',
      {
        preValidation: requireViewer(db),
        schema: {
          body: Type.Object({
            endpoint: Type.String({ pattern: '^https://', maxLength: 2000 }),
            keys: Type.Object({
              p256dh: Type.String({ pattern: '^[A-Za-z0-9_-]{80,100}$' }),
              auth: Type.String({ pattern: '^[A-Za-z0-9_-]{16,32}$' }),
            }),
          }),
          response: { 204: Type.Null(), ...Errors },
        },
      },
      async (request, reply) => {
        await addSubscription(db, request.viewer!.userId, { endpoint: request.body.endpoint, ...request.body.keys })
        return reply.code(204).send(null)
      },
    )

    app.delete(
      '/api/me/push-subscriptions',
      {
        preValidation: requireViewer(db),
        schema: {
          querystring: Type.Object({ endpoint: Type.String({ maxLength: 2000 }) }),
          response: { 204: Type.Null(), ...Errors },
        },
      },
      async (request, reply) => {
        const gone = await removeSubscription(db, request.viewer!.userId, request.query.endpoint)
        return gone
          ? reply.code(204).send(null)
          : reply.code(404).send(apiError('not_found', 'no such subscription of yours'))
      },
    )

    const notYours = apiError('forbidden', "only this centre's staff and admins")

    app.get(
      '/api/centres/:centreId/notify-channels',
      {
        preValidation: requireViewer(db),
        schema: {
          params: CentreParams,
          response: { 200: Type.Object({ channels: Type.Array(ChannelOut) }), ...Errors },
        },
      },
      async (request, reply) => {
        if (!mayRunCentre(request.viewer!, request.params.centreId)) return reply.code(403).send(notYours)
        return { channels: await listCentreChannels(db, request.params.centreId) }
      },
    )

    app.put(
      '/api/centres/:centreId/notify-channels',
      {
        preValidation: requireViewer(db),
        schema: {
          params: CentreParams,
          body: Type.Object({ channels: Type.Array(ChannelIn, { maxItems: 20 }) }, { additionalProperties: false }),
          response: { 200: Type.Object({ channels: Type.Array(ChannelOut) }), ...Errors },
        },
      },
      async (request, reply) => {
        const id = request.params.centreId
        if (!mayRunCentre(request.viewer!, id)) return reply.code(403).send(notYours)
        await replaceCentreChannels(db, id, request.body.channels)
        return { channels: await listCentreChannels(db, id) }
      },
    )

    app.get(
      '/api/centres/:centreId/roster',
      {
        preValidation: requireViewer(db),
        schema: { params: CentreParams, response: { 200: Type.Object({ roster: Type.Array(RosterOut) }), ...Errors } },
      },
      async (request, reply) => {
        if (!mayRunCentre(request.viewer!, request.params.centreId)) return reply.code(403).send(notYours)
        return { roster: await listRoster(db, request.params.centreId) }
      },
    )

    app.put(
      '/api/centres/:centreId/roster',
      {
        preValidation: requireViewer(db),
        schema: {
          params: CentreParams,
          body: Type.Object({ roster: Type.Array(RosterIn, { maxItems: 200 }) }, { additionalProperties: false }),
          response: { 200: Type.Object({ roster: Type.Array(RosterOut) }), ...Errors },
        },
      },
      async (request, reply) => {
        const id = request.params.centreId
        if (!mayRunCentre(request.viewer!, id)) return reply.code(403).send(notYours)
        const userIds = request.body.roster.map((e) => e.userId).filter((u): u is number => u !== null)
        if (!(await usersOfCentre(db, userIds, id)))
          return reply.code(400).send(apiError('invalid_contact', "a duty entry's userId must be staff of this centre"))
        await replaceRoster(db, id, request.body.roster)
        return { roster: await listRoster(db, id) }
      },
    )

    app.get(
      '/api/alerts/:id/notifications',
      {
        preValidation: requireViewer(db),
        schema: { params: Type.Object({ id: Type.Integer({ minimum: 1 }) }), response: { 200: Timeline, ...Errors } },
      },
      async (request, reply) => {
        const alert = await findAlert(db, request.params.id)
        if (!alert || !canSee(request.viewer!, alert))
          return reply.code(404).send(apiError('not_found', 'no such alert'))
        return { deliveries: await deliveryTimeline(db, alert.id) }
      },
    )
  }
