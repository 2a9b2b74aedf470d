// The current state of the bands the viewer may see (last heard, online/offline, newest position,
// battery and events, read from band_status, never from the history), and commands to them.
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { Type } from 'typebox'
import {
  BandIdSchema,
  CommandSchema,
  checkCommand,
  listBandStatus,
  listCommands,
  type CommandChannel,
} from '../../ingest/index.ts'
import type { Queryable } from '../../infra/index.ts'
import { Nullable } from './schemas.ts'
import { ErrorBody, apiError, invalidInput } from '../errors.ts'
import { canSeeBand, visibleResidentIds } from '../scope.pg.ts'
import { requireViewer } from '../session.ts'

const BandBody = Type.Object({
  bandId: Type.String(),
  residentId: Nullable(Type.Integer()),
  residentName: Nullable(Type.String()),
  careCentreId: Nullable(Type.Integer()),
  lastSeenAt: Nullable(Type.Number({ description: 'when a report last arrived, epoch ms' })),
  online: Nullable(Type.Boolean()),
  statusAt: Nullable(Type.Number()),
  position: Nullable(
    Type.Object({
      fixTime: Type.Number(),
      lat: Type.Number(),
      lon: Type.Number(),
      acc: Nullable(Type.Number()),
      src: Nullable(Type.String()),
    }),
  ),
  battery: Nullable(Type.Object({ time: Type.Number(), pct: Type.Integer(), charging: Nullable(Type.Boolean()) })),
  events: Nullable(Type.Object({ time: Type.Number(), evt: Type.Array(Type.String()) })),
})

const CommandBody = Type.Object({
  id: Type.Integer(),
  bandId: Type.String(),
  command: CommandSchema,
  requestedBy: Nullable(Type.Integer()),
  requestedAt: Type.Number(),
  deliveredAt: Nullable(Type.Number({ description: 'when the band acknowledged it (MQTT PUBACK)' })),
  answeredAt: Nullable(Type.Number({ description: 'when the band did what was asked (locate: its next fix)' })),
  answer: Type.Unknown(),
})
/** Commands one person may send one band per window: about one a minute, enough to follow a search. */
export const COMMANDS_PER_WINDOW = 10
export const COMMAND_WINDOW_MS = 10 * 60_000

const BandParams = Type.Object({ bandId: BandIdSchema })

export const bandRoutes =
  (db: Queryable, commands: CommandChannel): FastifyPluginAsyncTypebox =>
  async (app) => {
    // Commands: anyone who may see the wearer may ask for a location now; changing how often the
    // band reports (its battery life) is for care staff and admins.
    // Each command wakes the band's radio (a locate also its GPS): limited per person and band.
    app.post(
      '/api/bands/:bandId/commands',
      {
        preValidation: requireViewer(db),
        config: {
          rateLimit: {
            max: COMMANDS_PER_WINDOW,
            timeWindow: COMMAND_WINDOW_MS,
            hook: 'preHandler',
            keyGenerator: (r) => `${r.viewer?.userId}:${(r.params as { bandId: string }).bandId}`,
            errorResponseBuilder: (_r, ctx) => ({
              statusCode: 429,
              ...apiError(
                'too_many_commands',
                `too many commands to this band; try again in ${Math.ceil(ctx.ttl / 1000)} s`,
              ),
            }),
          },
        },
        // A command that does not match its schema is refused as bad_command, naming the field.
        schemaErrorFormatter: invalidInput('bad_command', CommandSchema),
        schema: {
          params: BandParams,
          body: CommandSchema,
          response: {
            202: Type.Object({ command: CommandBody }),
            400: ErrorBody,
            401: ErrorBody,
            403: ErrorBody,
            404: ErrorBody,
            429: ErrorBody,
          },
        },
      },
      async (request, reply) => {
        const viewer = request.viewer!
        if (!(await canSeeBand(db, viewer, request.params.bandId)))
          return reply.code(404).send(apiError('not_found', 'no such band'))
        const check = checkCommand(request.body) // the schema's command, nothing else carried along
        if (!check.ok) return reply.code(400).send(apiError('bad_command', check.error))
        if (check.command.cmd !== 'locate' && viewer.role === 'family')
          return reply.code(403).send(apiError('forbidden', 'only care staff and admins may change how a band reports'))
        return reply
          .code(202)
          .send({ command: await commands.send(request.params.bandId, check.command, viewer.userId) })
      },
    )

    app.get(
      '/api/bands/:bandId/commands',
      {
        preValidation: requireViewer(db),
        schema: {
          params: BandParams,
          querystring: Type.Object({ limit: Type.Integer({ minimum: 1, maximum: 200, default: 20 }) }),
          response: { 200: Type.Object({ commands: Type.Array(CommandBody) }), 401: ErrorBody, 404: ErrorBody },
        },
      },
      async (request, reply) => {
        if (!(await canSeeBand(db, request.viewer!, request.params.bandId)))
          return reply.code(404).send(apiError('not_found', 'no such band'))
        return { commands: await listCommands(db, request.params.bandId, request.query.limit) }
      },
    )

    app.get(
      '/api/bands',
      {
        preValidation: requireViewer(db),
        schema: { response: { 200: Type.Object({ bands: Type.Array(BandBody) }), 401: ErrorBody } },
      },
      async (request) => {
        const residentIds = await visibleResidentIds(db, request.viewer!)
        return { bands: await listBandStatus(db, residentIds) }
      },
    )
  }
