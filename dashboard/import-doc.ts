// The admin import document: care centres, residents with band and zones, users, shared zones.
// One schema: the route validates with it, the import and the simulator take its type. What a
// schema cannot say (references between keys, zone geometry) import.pg.ts checks.
import { Type, type Static } from 'typebox'
import { BandIdSchema } from '../ingest/index.ts'

const Key = Type.String({ minLength: 1, maxLength: 100 })

/** The admin import document (POST /api/admin/import); the simulator builds the same. */
export const ImportDocSchema = Type.Object({
  centres: Type.Array(Type.Object({ key: Key, name: Type.String({ minLength: 1, maxLength: 200 }) }), {
    maxItems: 1000,
  }),
  residents: Type.Array(
    Type.Object({
      key: Key,
      name: Type.String({ minLength: 1, maxLength: 200 }),
      centreKey: Type.Optional(Key),
      band: Type.Optional(
        Type.Object({
          id: BandIdSchema,
          secret: Type.String({ minLength: 16, maxLength: 200 }),
          /** In service since (epoch ms), for bands moved from another system; default now. */
          provisionedAt: Type.Optional(Type.Number({ minimum: 0 })),
        }),
      ),
      zones: Type.Array(
        Type.Object({
          name: Type.String({ minLength: 1, maxLength: 100 }),
          kind: Type.Union([Type.Literal('safe'), Type.Literal('danger')]),
          shape: Type.Unknown(),
          schedule: Type.Optional(Type.Unknown()),
          policy: Type.Optional(Type.Unknown()),
        }),
        { maxItems: 20 },
      ),
    }),
    { maxItems: 200_000 },
  ),
  users: Type.Array(
    Type.Object({
      username: Type.String({ minLength: 1, maxLength: 64 }),
      password: Type.String({ minLength: 1, maxLength: 200 }),
      role: Type.Union([Type.Literal('admin'), Type.Literal('staff'), Type.Literal('family')]),
      centreKey: Type.Optional(Key),
      residentKeys: Type.Optional(Type.Array(Key, { maxItems: 50 })),
    }),
    { maxItems: 10_000 },
  ),
  sharedZones: Type.Optional(
    Type.Array(
      Type.Object({
        name: Type.String({ minLength: 1, maxLength: 100 }),
        kind: Type.Union([Type.Literal('safe'), Type.Literal('danger')]),
        shape: Type.Unknown(),
        centreKey: Type.Optional(Key),
      }),
      { maxItems: 10_000 },
    ),
  ),
})

export type ImportDoc = Static<typeof ImportDocSchema>
