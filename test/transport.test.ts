// How the dashboard is reached: HTTPS served by Tongxing itself (a certificate made for the test),
// or plain HTTP behind a reverse proxy it trusts (the client's address and scheme from the
// proxy's X-Forwarded-* headers, and only from a trusted proxy); /metrics only for operators.
import { readFile } from 'node:fs/promises'
import { request } from 'node:https'
import { describe, expect, it } from 'vitest'
import type { Service } from '../bin/service.ts'
import { PASSWORD } from './support/fixtures.ts'
import { useServiceWithWorld } from './support/world.ts'
import { selfSignedCertificate } from './support/certificate.ts'

const tls = await selfSignedCertificate()

const signIn = (port: number, username: string, password: string, headers: Record<string, string> = {}) =>
  fetch(`http://127.0.0.1:${port}/api/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify({ username, password }),
  })

describe('HTTPS on the dashboard', () => {
  let service: Service
  useServiceWithWorld(
    (s) => {
      service = s
    },
    { HTTP_TLS_CERT: tls.cert, HTTP_TLS_KEY: tls.key },
  )

  it('when the page signs in over HTTPS, then the session cookie is Secure and the answer asks browsers to stay on HTTPS', async () => {
    const ca = await readFile(tls.cert)
    const answer = await new Promise<{ status: number; headers: Record<string, string | string[] | undefined> }>(
      (resolve, reject) => {
        const req = request(
          {
            host: '127.0.0.1',
            port: service.httpPort,
            path: '/api/login',
            method: 'POST',
            ca,
            servername: 'localhost',
            headers: { 'content-type': 'application/json' },
          },
          (res) => {
            res.resume()
            resolve({ status: res.statusCode!, headers: res.headers })
          },
        )
        req.once('error', reject)
        req.end(JSON.stringify({ username: 'staff-zhangdian', password: PASSWORD }))
      },
    )
    expect(answer.status).toBe(204)
    expect(String(answer.headers['set-cookie'])).toMatch(/tx_session=[^;]+;.*\bSecure\b/)
    expect(answer.headers['strict-transport-security']).toMatch(/max-age=\d+/)
  })
})

describe('behind a trusted reverse proxy', () => {
  let service: Service
  useServiceWithWorld(
    (s) => {
      service = s
    },
    { TRUST_PROXY: '127.0.0.1' },
  )

  it('when the proxy says the page came over HTTPS, then the cookie is Secure', async () => {
    const res = await signIn(service.httpPort, 'staff-zhangdian', PASSWORD, {
      'x-forwarded-proto': 'https',
      'x-forwarded-for': '203.0.113.7',
    })
    expect(res.status).toBe(204)
    expect(res.headers.get('set-cookie')).toMatch(/\bSecure\b/)
  })

  it('when one client behind the proxy keeps guessing, then the sign-in limit stops that client and not another one behind the same proxy', async () => {
    for (let i = 0; i < 21; i++)
      await signIn(service.httpPort, 'nobody', `guess-${i}`, { 'x-forwarded-for': '203.0.113.66' })
    expect((await signIn(service.httpPort, 'nobody', 'guess', { 'x-forwarded-for': '203.0.113.66' })).status).toBe(429)
    expect(
      (await signIn(service.httpPort, 'family-wang', PASSWORD, { 'x-forwarded-for': '198.51.100.3' })).status,
    ).toBe(204)
  })
})

describe('without a trusted proxy', () => {
  let service: Service
  useServiceWithWorld((s) => {
    service = s
  })

  it('when a client forges X-Forwarded-Proto and X-Forwarded-For, then neither is believed', async () => {
    const res = await signIn(service.httpPort, 'staff-zhangdian', PASSWORD, { 'x-forwarded-proto': 'https' })
    expect(res.headers.get('set-cookie')).not.toMatch(/\bSecure\b/)
    // A new forged address per attempt does not escape the per-address limit.
    for (let i = 0; i < 21; i++)
      await signIn(service.httpPort, 'nobody', `guess-${i}`, { 'x-forwarded-for': `203.0.113.${i}` })
    expect((await signIn(service.httpPort, 'nobody', 'guess', { 'x-forwarded-for': '198.51.100.9' })).status).toBe(429)
  })

  it('when /metrics is asked through a proxy (or from elsewhere) without a token, then it is refused; directly on this machine it is served', async () => {
    const url = `http://127.0.0.1:${service.httpPort}/metrics`
    expect((await fetch(url)).status).toBe(200)
    expect((await fetch(url, { headers: { 'x-forwarded-for': '203.0.113.7' } })).status).toBe(401)
  })
})

describe('/metrics with a token', () => {
  let service: Service
  const TOKEN = 'metrics-token-for-the-test-0001'
  useServiceWithWorld(
    (s) => {
      service = s
    },
    { METRICS_TOKEN: TOKEN },
  )

  it('when METRICS_TOKEN is set, then /metrics answers only a request bearing it', async () => {
    const url = `http://127.0.0.1:${service.httpPort}/metrics`
    expect((await fetch(url)).status).toBe(401)
    expect((await fetch(url, { headers: { authorization: 'Bearer not-the-token-at-all-00' } })).status).toBe(401)
    const ok = await fetch(url, { headers: { authorization: `Bearer ${TOKEN}` } })
    expect(ok.status).toBe(200)
    expect(await ok.text()).toContain('tongxing_')
  })
})
