// The API's OpenAPI description comes from the routes' own schemas, with a page to read it.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Service } from '../bin/service.ts'
import { startTestService } from './support/service.ts'

describe('OpenAPI', () => {
  let service: Service
  beforeAll(async () => {
    service = await startTestService()
  })
  afterAll(() => service?.stop())

  it('when /docs/json is read, then it describes the API routes with their schemas, and /docs shows it', async () => {
    const doc = (await (await fetch(`http://127.0.0.1:${service.httpPort}/docs/json`)).json()) as {
      openapi: string
      paths: Record<string, Record<string, { responses?: Record<string, unknown> }>>
    }
    expect(doc.openapi).toMatch(/^3\./)
    for (const path of [
      '/api/login',
      '/api/alerts',
      '/api/alerts/{id}/acknowledge',
      '/api/bands',
      '/api/bands/{bandId}/commands',
      '/api/residents/{residentId}/history',
      '/api/zones',
    ]) {
      expect(Object.keys(doc.paths)).toContain(path)
    }
    expect(Object.keys(doc.paths['/api/alerts']!.get!.responses!)).toEqual(expect.arrayContaining(['200', '401']))
    const page = await fetch(`http://127.0.0.1:${service.httpPort}/docs/static/index.html`)
    expect(page.status).toBe(200)
    expect(await page.text()).toContain('swagger')
  })
})
