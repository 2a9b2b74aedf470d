// Schema pieces the routes share.
import { Type } from 'typebox'

/** A value of this schema, or null. */
export const Nullable = <T extends Parameters<typeof Type.Union>[0][number]>(t: T) => Type.Union([t, Type.Null()])
