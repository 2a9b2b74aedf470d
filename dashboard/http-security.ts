// What every answer and request of the dashboard goes through: security headers (a CSP without
// inline script, no framing, no sniffing, no referrer), no caching of API answers, requests from
// pages of other origins refused, JSON-only bodies, and errors in the API's shape with stable codes.
import helmet from '@fastify/helmet'
import type { FastifyInstance, FastifyRequest } from 'fastify'
import { answerFor, apiError } from './errors.ts'
import { checkInput } from './request-checks.ts'

export interface WebSecurity {
  /** Origins (scheme://host[:port]) the page is served from; empty: the origin each request was addressed to. */
  publicOrigins: readonly string[]
  /** The map tiles' URL templates, whose origins the page may load images from. */
  tileUrl: string
  labelsUrl?: string
}

/** A Leaflet tile template's origin as a CSP source: a first label with `{s}` (`t{s}.`, `{s}.`) becomes a wildcard. */
export function tileSource(tileUrl: string): string | undefined {
  const m = /^(https?:\/\/)([^/]+)/.exec(tileUrl)
  if (!m) return undefined
  const host = m[2]!.replace(/^[a-z0-9-]*\{s\}[a-z0-9-]*\./, '*.')
  return /[{}]/.test(host) ? undefined : `${m[1]}${host}`
}

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS'])

/** Whether a request must come from the service's own origin: it changes state, or opens a socket. */
const needsOrigin = (r: FastifyRequest) =>
  !SAFE_METHODS.has(r.method) || r.headers.upgrade?.toLowerCase() === 'websocket'

/**
 * The browser's Origin is one of ours, or absent (not a browser: curl, the simulator, a script).
 * Browsers send Origin on every cross-origin request that changes state and on every WebSocket
 * handshake (RFC 6454 §7, RFC 6455 §4.1), so a page on another port or a sibling host is caught.
 */
export function originAllowed(origin: string | undefined, own: readonly string[], requested: string): boolean {
  if (origin === undefined) return true
  return own.length > 0 ? own.includes(origin) : origin === requested
}

export async function secureHttp(app: FastifyInstance, s: WebSecurity): Promise<void> {
  const tiles = [...new Set([s.tileUrl, s.labelsUrl ?? ''].map(tileSource).filter((x) => x !== undefined))]
  await app.register(helmet, {
    // Scripts only from our own files (no inline script, no eval); Leaflet positions its layers
    // through element.style, which CSP allows. Tiles are the one outside source.
    contentSecurityPolicy: {
      directives: {
        defaultSrc: ["'self'"],
        scriptSrc: ["'self'"],
        scriptSrcAttr: ["'none'"],
        styleSrc: ["'self'"],
        imgSrc: ["'self'", 'data:', ...tiles],
        connectSrc: ["'self'"],
        fontSrc: ["'self'", 'data:'],
        objectSrc: ["'none'"],
        baseUri: ["'none'"],
        formAction: ["'self'"],
        frameAncestors: ["'none'"],
        upgradeInsecureRequests: null,
      },
    },
    frameguard: { action: 'deny' },
    referrerPolicy: { policy: 'no-referrer' },
    // HSTS only where the answer went over HTTPS: set per request below.
    strictTransportSecurity: false,
  })
  app.addHook('onRequest', async (request, reply) => {
    // Answers about people are never kept by browsers or proxies.
    if (request.url.startsWith('/api/')) reply.header('cache-control', 'no-store')
    if (request.protocol === 'https') reply.header('strict-transport-security', 'max-age=31536000')
  })
  // After every onRequest hook (the socket plugin's marks a handshake, so a refused one is closed).
  app.addHook('preParsing', async (request, reply) => {
    if (!needsOrigin(request)) return
    if (!originAllowed(request.headers.origin, s.publicOrigins, `${request.protocol}://${request.host}`)) {
      return reply.code(403).send(apiError('bad_origin'))
    }
  })
  // JSON routes take JSON only: a cross-site form (urlencoded, multipart, text/plain) is refused
  // with 415 before any handler runs.
  app.removeContentTypeParser('text/plain')
  app.addHook('preHandler', checkInput)

  app.setNotFoundHandler((request, reply) =>
    reply.code(404).send(apiError('not_found', `no route ${request.method} ${request.url.split('?')[0]}`)),
  )
  app.setErrorHandler((err: Parameters<typeof answerFor>[0], request, reply) => {
    // Errors made as API answers (e.g. a rate limit): sent as they are.
    const made = err as { statusCode?: number; error?: { code?: string } }
    if (made.statusCode && made.statusCode < 500 && made.error?.code) {
      return reply.code(made.statusCode).send({ error: made.error })
    }
    const answer = answerFor(err)
    if (answer) return reply.code(answer.status).send(answer.body)
    if (err.statusCode && err.statusCode >= 400 && err.statusCode < 500) {
      return reply.code(err.statusCode).send(apiError('bad_request', err.message))
    }
    request.log.error({ err }, 'request failed')
    return reply.code(500).send(apiError('internal', 'internal error'))
  })
}
