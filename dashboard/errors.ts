// API errors: clear JSON `{"error":{"code","message"}}` with a stable code. Every code the API
// answers is listed here, with what it means; routes and hooks name one of them.
import { Type } from 'typebox'
import { describeErrors, type SchemaError } from '../infra/schema-check.ts'

export const ERROR_CODES = {
  bad_request: "the request does not match the route's schema",
  malformed_json: 'the body is not valid JSON, or carries a forbidden key (__proto__, constructor)',
  empty_body: 'a JSON body was announced but none was sent',
  unsupported_media_type: 'the route takes application/json bodies only',
  body_too_large: 'the body is larger than the route accepts',
  out_of_range: 'a number (such as an id or a time) is out of range',
  invalid_text: 'a text carries a NUL character, which the service does not store',
  bad_url: 'the URL is malformed (a bad percent-encoding)',
  request_too_large: 'the URL or the headers are too large',
  bad_origin: 'the request comes from a page of another origin',
  unauthenticated: 'sign in first',
  forbidden: 'not allowed for your role',
  not_found: 'no such thing, or not one you may see',
  conflict: 'the thing is not in a state that allows this',
  invalid_login: 'wrong username or password',
  too_many_attempts: 'too many sign-in attempts; wait and try again',
  too_many_commands: 'too many commands to this band; wait and try again',
  too_many_reports: 'too many found-me page requests or reports; wait, or call instead',
  weak_password: 'the password is too short, common or close to the username',
  username_taken: 'that username is taken',
  centre_name_taken: 'a care centre of that name exists',
  resident_has_band: 'the resident already wears another band; unassign it first',
  band_exists: 'that band is provisioned already',
  bad_command: 'not a command a band understands',
  bad_range: 'the time range is not allowed',
  invalid_zone: "the zone's shape, schedule or policy is not valid",
  invalid_import: 'the import document is not consistent',
  invalid_invitation: 'the invitation code is unknown, used or expired',
  no_such_centre: 'no such care centre',
  no_such_resident: 'no such resident',
  invalid_contact: 'a contact, duty entry or channel names a user who may not see the resident, or is not valid',
  link_gone: 'the search link is unknown, expired, revoked, or its alert is resolved',
  not_searchable: 'search links and responders are only for an open wander alert',
  invalid_photo: 'the photo must be a JPEG or PNG image within the size limit',
  invalid_responder: "the responder's area or schedule is not valid",
  internal: 'a fault in the service (logged)',
} as const

export type ErrorCode = keyof typeof ERROR_CODES

export const ErrorBody = Type.Object({
  error: Type.Object({ code: Type.String(), message: Type.String() }),
})

export const apiError = (code: ErrorCode, message: string = ERROR_CODES[code]) => ({ error: { code, message } })

/**
 * A route's `schemaErrorFormatter`: a request that does not match the route's schema is answered
 * 400 with `code` and the field at fault ("shape.radiusM must be a number within 10..50000").
 * Given the body's schema, bounds are named in full; otherwise AJV's own words say them.
 */
export const invalidInput =
  (code: ErrorCode = 'bad_request', bodySchema?: unknown) =>
  (errors: SchemaError[], dataVar: string): Error & { apiCode: ErrorCode } =>
    Object.assign(
      new Error(
        describeErrors(errors, '', dataVar === 'body' ? bodySchema : undefined).replace(/^the input/, `the ${dataVar}`),
      ),
      { apiCode: code },
    )

/** fastify's own request errors (body parsing, limits) as the API's codes. */
const FASTIFY_CODES: Record<string, ErrorCode> = {
  FST_ERR_CTP_EMPTY_JSON_BODY: 'empty_body',
  FST_ERR_CTP_INVALID_MEDIA_TYPE: 'unsupported_media_type',
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: 'bad_request',
  FST_ERR_CTP_BODY_TOO_LARGE: 'body_too_large',
  FST_ERR_CTP_INVALID_JSON_BODY: 'malformed_json',
}

/** PostgreSQL errors a request can cause (SQLSTATE, constraint name): answers, not faults. */
const CONSTRAINTS: Record<string, ErrorCode> = {
  care_centres_name_key: 'centre_name_taken',
  bands_one_per_resident: 'resident_has_band',
  users_username_key: 'username_taken',
}

interface RequestError {
  statusCode?: number
  code?: string
  validation?: unknown
  /** The code a route's invalidInput() chose. */
  apiCode?: ErrorCode
  constraint?: string
  message: string
}

/**
 * What to answer for an error thrown while handling a request: a 4xx with a stable code for what
 * the request did wrong, or undefined for a fault of the service (answered 500, logged).
 */
export function answerFor(err: RequestError): { status: number; body: ReturnType<typeof apiError> } | undefined {
  if (err.validation) return { status: 400, body: apiError(err.apiCode ?? 'bad_request', err.message) }
  const fastify = err.code && FASTIFY_CODES[err.code]
  if (fastify) return { status: err.statusCode ?? 400, body: apiError(fastify) }
  // JSON.parse's own errors (secure-json-parse for __proto__ and constructor) carry a 400 and no code.
  if (err.statusCode === 400 && err.code === undefined) return { status: 400, body: apiError('malformed_json') }
  if (err.code === '23505') return { status: 409, body: apiError(CONSTRAINTS[err.constraint ?? ''] ?? 'conflict') }
  // 22003: numeric value out of range (an id beyond 2⁶³); 22P02: not a number at all; 22008: a
  // date beyond PostgreSQL's. 22021 / 22P05: a text PostgreSQL cannot store (NUL).
  if (['22003', '22P02', '22008'].includes(err.code ?? '')) return { status: 400, body: apiError('out_of_range') }
  if (err.code === '22021' || err.code === '22P05') return { status: 400, body: apiError('invalid_text') }
  return undefined
}
