// The dashboard as an attacker's page or a careless client would meet it: security headers on
// every answer, state changes and live sockets only from the service's own origin, JSON-only
// bodies, and every bad request answered with a 4xx and a stable code (never a logged 500).
import { connect } from 'node:net'
import { describe, expect, it } from 'vitest'
import type { Service } from '../bin/service.ts'
import { raiseAlert } from '../geofence/index.ts'
import { insertUser } from '../dashboard/index.ts'
import { BAND, PASSWORD, login, openLive } from './support/fixtures.ts'
import { useServiceWithWorld, type World } from './support/world.ts'

describe('headers, origins and bad requests', () => {
  let service: Service
  let world: World
  useServiceWithWorld((s, w) => {
    service = s
    world = w
  })
  const url = (path: string) => `http://127.0.0.1:${service.httpPort}${path}`
  const own = () => `http://127.0.0.1:${service.httpPort}`
  const openAlert = async () => {
    await service.db.query("UPDATE alerts SET status = 'resolved'")
    return (await raiseAlert(service.db, {
      residentId: world.resident,
      bandId: BAND.id,
      zoneId: null,
      kind: 'sos',
      fixTime: Date.now(),
      evidence: {},
    }))!.alert.id
  }

  it('when the page or an API answer is served, then it carries a CSP without inline script, no framing, no sniffing, no referrer, and API answers are not cached', async () => {
    const page = await fetch(url('/'))
    const csp = page.headers.get('content-security-policy') ?? ''
    expect(csp).toMatch(/script-src 'self'(;|$)/)
    expect(csp).not.toContain('unsafe-inline')
    expect(csp).toContain("frame-ancestors 'none'")
    expect(page.headers.get('x-content-type-options')).toBe('nosniff')
    expect(page.headers.get('referrer-policy')).toBe('no-referrer')
    const me = await fetch(url('/api/me'), { headers: { cookie: await login(service.httpPort, 'staff-zhangdian') } })
    expect(me.headers.get('cache-control')).toBe('no-store')
  })

  it('when a page of another origin (another port of the same host) posts an acknowledgement, then it is refused and the alert stays open; the own origin gets through', async () => {
    const cookie = await login(service.httpPort, 'staff-zhangdian')
    const id = await openAlert()
    const post = (origin: string) =>
      fetch(url(`/api/alerts/${id}/acknowledge`), {
        method: 'POST',
        headers: { cookie, origin, 'content-type': 'application/json' },
        body: '{}',
      })
    const refused = await post('http://127.0.0.1:1')
    expect(refused.status).toBe(403)
    expect(await refused.json()).toEqual({ error: { code: 'bad_origin', message: expect.any(String) } })
    expect((await service.db.query('SELECT status FROM alerts WHERE id = $1', [id])).rows[0]).toEqual({
      status: 'open',
    })
    expect((await post(own())).status).toBe(200)
  })

  it("when a page of another origin opens the live socket with the viewer's cookie, then the handshake is refused; the own origin is served", async () => {
    const cookie = await login(service.httpPort, 'staff-zhangdian')
    await expect(
      openLive(service.httpPort, cookie, '', { origin: 'http://evil.127.0.0.1.nip.io:8080' }),
    ).rejects.toMatchObject({ statusCode: 403 })
    const live = await openLive(service.httpPort, cookie, '', { origin: own() })
    await live.next('snapshot')
    live.close()
  })

  it('when acknowledge is sent as text/plain or a form (what a cross-site form can send), then it is refused with 415 and the alert stays open', async () => {
    const cookie = await login(service.httpPort, 'staff-zhangdian')
    const id = await openAlert()
    for (const type of ['text/plain', 'application/x-www-form-urlencoded']) {
      const res = await fetch(url(`/api/alerts/${id}/acknowledge`), {
        method: 'POST',
        headers: { cookie, 'content-type': type },
        body: '{}',
      })
      expect(res.status, type).toBe(415)
      expect(await res.json()).toMatchObject({ error: { code: 'unsupported_media_type' } })
    }
    expect((await service.db.query('SELECT status FROM alerts WHERE id = $1', [id])).rows[0]).toEqual({
      status: 'open',
    })
  })

  it('when a body is malformed, empty, carries __proto__ or is oversized, then the answer is a 4xx with a stable code', async () => {
    const cookie = await login(service.httpPort, 'staff-zhangdian')
    const id = await openAlert()
    const resolve = async (body: string) => {
      const res = await fetch(url(`/api/alerts/${id}/resolve`), {
        method: 'POST',
        headers: { cookie, 'content-type': 'application/json' },
        body,
      })
      return { status: res.status, code: ((await res.json()) as { error?: { code: string } }).error?.code }
    }
    expect(await resolve('{"note": ')).toEqual({ status: 400, code: 'malformed_json' })
    expect(await resolve('')).toEqual({ status: 400, code: 'empty_body' })
    expect(await resolve('{"note":"x","__proto__":{"admin":true}}')).toEqual({ status: 400, code: 'malformed_json' })
    expect(await resolve(JSON.stringify({ note: 'x'.repeat(2000) }))).toEqual({ status: 400, code: 'bad_request' })
    expect(await resolve(JSON.stringify({ note: 'x'.repeat(2 * 1024 * 1024) }))).toEqual({
      status: 413,
      code: 'body_too_large',
    })
  })

  it("when an unknown route is asked, then it answers the API's error shape", async () => {
    const res = await fetch(url('/api/no-such-thing'))
    expect(res.status).toBe(404)
    expect(await res.json()).toEqual({ error: { code: 'not_found', message: expect.any(String) } })
  })

  it('when any route with a numeric id is called with an id beyond 2^63, then it answers 400', async () => {
    await insertUser(service.db, { username: 'root', password: PASSWORD, role: 'admin' })
    const cookie = await login(service.httpPort, 'root')
    const doc = (await (await fetch(url('/docs/json'))).json()) as {
      paths: Record<string, Record<string, { parameters?: { in: string; name: string; schema: { type: string } }[] }>>
    }
    let checked = 0
    for (const [template, methods] of Object.entries(doc.paths)) {
      for (const [method, op] of Object.entries(methods)) {
        const numeric = (op.parameters ?? [])
          .filter((p) => p.in === 'path' && p.schema.type === 'integer')
          .map((p) => p.name)
        if (numeric.length === 0) continue
        const path = template.replace(/\{(\w+)\}/g, (_m, name: string) =>
          numeric.includes(name) ? '99999999999999999999' : BAND.id,
        )
        const res = await fetch(url(path), {
          method: method.toUpperCase(),
          headers: { cookie, 'content-type': 'application/json' },
          body: method === 'get' || method === 'delete' ? undefined : '{}',
        })
        expect(res.status, `${method.toUpperCase()} ${template}`).toBe(400)
        checked++
      }
    }
    expect(checked).toBeGreaterThan(8)
  })

  it('when texts carry a NUL character or numbers lie beyond any date, then the answer is 400 with a stable code and nothing is stored', async () => {
    const cookie = await login(service.httpPort, 'root')
    const post = async (path: string, body: unknown, method = 'POST') => {
      const res = await fetch(url(path), {
        method,
        headers: { cookie, 'content-type': 'application/json' },
        body: JSON.stringify(body),
      })
      return { status: res.status, code: ((await res.json()) as { error?: { code: string } }).error?.code }
    }
    const residents = async () => (await service.db.query('SELECT 1 FROM residents')).rowCount
    const before = await residents()
    expect(await post('/api/admin/residents', { name: 'Wang\u0000Jianguo', careCentreId: world.centre })).toEqual({
      status: 400,
      code: 'invalid_text',
    })
    expect(
      await post('/api/admin/users', { username: 'nul\u0000user', password: 'tea house by the river', role: 'admin' }),
    ).toEqual({ status: 400, code: 'invalid_text' })
    const band = { id: '860000000000099', secret: 'band-secret-0099-abcdef', provisionedAt: 1e300 }
    expect(
      await post('/api/admin/import', {
        centres: [],
        residents: [{ key: 'a', name: 'Sun', zones: [], band }],
        users: [],
      }),
    ).toEqual({ status: 400, code: 'out_of_range' })
    expect(await residents()).toBe(before)
    // A NUL in a query string or a path, too.
    const nulQuery = await fetch(url(`/api/residents/${world.resident}/history?from=0&to=1000&x=%00`), {
      headers: { cookie },
    })
    expect(nulQuery.status).toBe(400)
  })

  it('when every route with a body is sent NUL characters in its texts and 1e300 in its numbers, then none answers 500', async () => {
    const cookie = await login(service.httpPort, 'root')
    type Schema = {
      type?: string
      properties?: Record<string, Schema>
      items?: Schema
      minLength?: number
      minItems?: number
      anyOf?: Schema[]
      enum?: unknown[]
    }
    const sample = (x: Schema): unknown => {
      if (x.enum) return x.enum[0]
      if (x.anyOf) return sample(x.anyOf.find((a) => a.type !== 'null') ?? x.anyOf[0]!)
      switch (x.type) {
        case 'object':
          return Object.fromEntries(Object.entries(x.properties ?? {}).map(([k, v]) => [k, sample(v)]))
        case 'array':
          return Array.from({ length: Math.max(1, x.minItems ?? 1) }, () => sample(x.items ?? {}))
        case 'string':
          return 'a\u0000'.padEnd(Math.max(2, x.minLength ?? 0), 'b')
        case 'number':
          return 1e300
        case 'integer':
          return 1
        case 'boolean':
          return true
        default:
          return 'a\u0000b'
      }
    }
    type Op = { requestBody?: { content: Record<string, { schema: Schema }> } }
    const doc = (await (await fetch(url('/docs/json'))).json()) as { paths: Record<string, Record<string, Op>> }
    let checked = 0
    for (const [template, methods] of Object.entries(doc.paths)) {
      for (const [method, op] of Object.entries(methods)) {
        const schema = op.requestBody?.content['application/json']?.schema
        if (!schema) continue
        const path = template.replace(/\{(\w+)\}/g, (_m, name: string) => (name === 'bandId' ? BAND.id : '1'))
        const res = await fetch(url(path), {
          method: method.toUpperCase(),
          headers: { cookie, 'content-type': 'application/json' },
          body: JSON.stringify(sample(schema)),
        })
        expect(res.status, `${method.toUpperCase()} ${template}`).toBeLessThan(500)
        if (res.status >= 400)
          expect(await res.json(), `${method.toUpperCase()} ${template}`).toMatchObject({
            error: { code: expect.any(String) },
          })
        checked++
      }
    }
    expect(checked).toBeGreaterThan(8)
  })

  it("when the URL is malformed or too long, or the request itself is broken, then the answer has the API's error shape", async () => {
    const json = async (res: Response) => ({ status: res.status, body: await res.json() })
    const shape = (status: number, code: string) => ({ status, body: { error: { code, message: expect.any(String) } } })
    expect(await json(await fetch(url('/api/alerts/%zz')))).toEqual(shape(400, 'bad_url'))
    expect(await json(await fetch(url(`/api/${'x'.repeat(100_000)}`)))).toEqual(shape(431, 'request_too_large'))
    for (const raw of [
      'POST /api/login HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: abc\r\n\r\n{}',
      'GET /api/me HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\nContent-Length: 6\r\n\r\n',
    ]) {
      const answer = await new Promise<string>((resolve) => {
        const c = connect(service.httpPort, '127.0.0.1')
        let d = ''
        c.on('data', (b) => {
          d += String(b)
        })
        c.on('close', () => resolve(d))
        c.on('error', () => resolve(d))
        c.write(raw)
      })
      expect(answer).toMatch(/^HTTP\/1\.1 400 /)
      expect(JSON.parse(answer.slice(answer.indexOf('\r\n\r\n') + 4))).toEqual({
        error: { code: 'bad_request', message: expect.any(String) },
      })
    }
  })
})

describe('a configured public origin', () => {
  let service: Service
  useServiceWithWorld(
    (s) => {
      service = s
    },
    { PUBLIC_ORIGIN: 'https://tongxing.example.cn' },
  )

  it('when PUBLIC_ORIGIN is set, then only that origin may change things or open the socket', async () => {
    const cookie = await login(service.httpPort, 'staff-zhangdian')
    const logout = (origin: string) =>
      fetch(`http://127.0.0.1:${service.httpPort}/api/logout`, { method: 'POST', headers: { cookie, origin } })
    expect((await logout(`http://127.0.0.1:${service.httpPort}`)).status).toBe(403)
    await expect(
      openLive(service.httpPort, cookie, '', { origin: 'https://tongxing.example.cn.evil.cn' }),
    ).rejects.toMatchObject({ statusCode: 403 })
    const live = await openLive(service.httpPort, cookie, '', { origin: 'https://tongxing.example.cn' })
    await live.next('snapshot')
    live.close()
    expect((await logout('https://tongxing.example.cn')).status).toBe(204)
  })
})
