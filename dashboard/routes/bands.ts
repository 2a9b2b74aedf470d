// The current state of the bands the viewer may see: last heard, online/offline, newest
// position, battery and events. Read from band_status, never from the history.
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { Type } from 'typebox'
import { listBandStatus } from '../../ingest/index.ts'
import type { Queryable } from '../../infra/index.ts'
import { ErrorBody } from '../errors.ts'
import { visibleResidentIds } from '../people.pg.ts'
import { requireViewer } from '../session.ts'

const Nullable = <T extends Parameters<typeof Type.Union>[0][number]>(t: T) => Type.Union([t, Type.Null()])

const BandBody = Type.Object({
  bandId: Type.String(),
  residentId: Nullable(Type.Integer()),
  careCentreId: Nullable(Type.Integer()),
  lastSeenAt: Nullable(Type.Number({ description: 'when a report last arrived, epoch ms' })),
  online: Nullable(Type.Boolean()),
  statusAt: Nullable(Type.Number()),
  position: Nullable(Type.Object({ fixTime: Type.Number(), lat: Type.Number(), lon: Type.Number(), acc: Nullable(Type.Number()), src: Nullable(Type.String()) })),
  battery: Nullable(Type.Object({ time: Type.Number(), pct: Type.Integer(), charging: Nullable(Type.Boolean()) })),
  events: Nullable(Type.Object({ time: Type.Number(), evt: Type.Array(Type.String()) })),
})

export const bandRoutes = (db: Queryable): FastifyPluginAsyncTypebox => async (app) => {
  app.get('/api/bands', {
    preValidation: requireViewer(db),
    schema: { response: { 200: Type.Object({ bands: Type.Array(BandBody) }), 401: ErrorBody } },
  }, async (request) => {
    const residentIds = await visibleResidentIds(db, request.viewer!)
    // Bands not yet given to a resident are the admins' business only.
    const bands = await listBandStatus(db, residentIds)
    return { bands: residentIds ? bands.filter((b) => b.residentId !== null) : bands }
  })
}
