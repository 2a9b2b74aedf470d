// API errors: clear JSON with a stable code.
import { Type } from 'typebox'

export const ErrorBody = Type.Object({
  error: Type.Object({ code: Type.String(), message: Type.String() }),
})

export const apiError = (code: string, message: string) => ({ error: { code, message } })
