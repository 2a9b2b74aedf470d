// Schema pieces the routes share.
import { Type } from 'typebox'

/** A value of this schema, or null. */
export const Nullable = <T extends Parameters<typeof Type.Union>[0][number]>(t: T) => Type.Union([t, Type.Null()])

/** What a helper (search-link holder, accepted responder) sees of the one person they look for. */
export const HelperView = Type.Object({
  alert: Type.Object({ kind: Type.String(), openedAt: Type.Number() }),
  expiresAt: Type.Union([Type.Number(), Type.Null()]),
  note: Type.String(),
  photo: Type.Boolean(),
  /** Oldest first; the last point is the live position. */
  trail: Type.Array(
    Type.Object({ t: Type.Number(), lat: Type.Number(), lon: Type.Number(), acc: Nullable(Type.Number()) }),
  ),
})

/** An image sent as it is (image/jpeg or image/png); fastify sends a Buffer without serialising it. */
export const ImageBody = Type.Unsafe<Buffer>({ type: 'string', format: 'binary', description: 'the image itself' })
