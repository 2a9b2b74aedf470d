// Requests the routes' schemas cannot judge, answered in the API's error shape (errors.ts):
// - texts with a NUL character (PostgreSQL stores no \u0000; the insert would fail as a 500),
// - body numbers beyond the latest JavaScript date (larger than any id or time the API takes),
// - what fastify refuses before routing (a malformed URL) and what Node's HTTP parser refuses
//   before fastify sees a request (bad Content-Length, headers or URL too large).
import type { Socket } from 'node:net'
import type { FastifyReply, FastifyRequest } from 'fastify'
import { apiError, type ErrorCode } from './errors.ts'

/** The latest time a JavaScript date holds (epoch ms); also far above any id the service issues. */
const LARGEST = 8.64e15

/** The first thing in `value` (a parsed body, query or params) the service cannot take, if any. */
export function unacceptable(value: unknown, numbers: boolean): ErrorCode | undefined {
  if (typeof value === 'string') return value.includes('\u0000') ? 'invalid_text' : undefined
  if (typeof value === 'number') return numbers && !(Math.abs(value) <= LARGEST) ? 'out_of_range' : undefined
  if (value === null || typeof value !== 'object') return undefined
  for (const [k, v] of Object.entries(value)) {
    const found = unacceptable(k, false) ?? unacceptable(v, numbers)
    if (found) return found
  }
  return undefined
}

/** A preHandler: after the schemas (values coerced), before any handler touches the database. */
export async function checkInput(request: FastifyRequest, reply: FastifyReply) {
  const code =
    unacceptable(request.params, false) ?? unacceptable(request.query, false) ?? unacceptable(request.body, true)
  if (code) return reply.code(400).send(apiError(code))
}

/** fastify's errors before routing (FST_ERR_BAD_URL, …): answered in the API's shape. */
export function frameworkErrors(err: { code?: string }, _request: FastifyRequest, reply: FastifyReply) {
  return reply.code(400).send(apiError(err.code === 'FST_ERR_BAD_URL' ? 'bad_url' : 'bad_request'))
}

/** Requests Node's HTTP parser refuses (fastify never sees them): a raw answer in the API's shape. */
export function clientErrorHandler(err: Error & { code?: string }, socket: Socket): void {
  if (err.code === 'ECONNRESET' || !socket.writable) {
    socket.destroy()
    return
  }
  const tooLarge = err.code === 'HPE_HEADER_OVERFLOW'
  const [status, text, code]: [number, string, ErrorCode] = tooLarge
    ? [431, 'Request Header Fields Too Large', 'request_too_large']
    : [400, 'Bad Request', 'bad_request']
  const body = JSON.stringify(apiError(code))
  socket.end(
    `HTTP/1.1 ${status} ${text}\r\nConnection: close\r\nContent-Type: application/json; charset=utf-8\r\n` +
      `Content-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`,
  )
}
