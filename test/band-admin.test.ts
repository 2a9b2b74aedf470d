// Bands for admins through the API and the real broker: provision (secret shown once), rotate
// the secret (the old one is refused, the new one works), take a band from its wearer.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Service } from '../bin/service.ts'
import { insertUser } from '../dashboard/index.ts'
import { BAND, PASSWORD, connectBand, login, provisionWorld } from './support/fixtures.ts'
import { startTestService } from './support/service.ts'

describe('bands for admins', () => {
  let service: Service
  beforeAll(async () => {
    service = await startTestService()
    await provisionWorld(service.db)
    await insertUser(service.db, { username: 'ops', password: PASSWORD, role: 'admin' })
  })
  afterAll(() => service?.stop())

  const post = async (user: string, path: string, body?: unknown) => {
    const res = await fetch(`http://127.0.0.1:${service.httpPort}${path}`, {
      method: 'POST',
      headers: { cookie: await login(service.httpPort, user), ...(body ? { 'content-type': 'application/json' } : {}) },
      body: body ? JSON.stringify(body) : undefined,
    })
    return { status: res.status, body: res.status === 204 ? null : ((await res.json()) as { secret?: string }) }
  }

  it('when an admin provisions a band and later rotates its secret, then the band connects with each new secret and the old one is refused', async () => {
    const made = await post('ops', '/api/admin/bands', { id: '860000000000099' })
    expect(made.status).toBe(201)
    const first = made.body!.secret!
    await (await connectBand(service.mqttPort!, { id: '860000000000099', secret: first })).endAsync()
    expect((await post('ops', '/api/admin/bands', { id: '860000000000099' })).status).toBe(409)
    const rotated = await post('ops', '/api/admin/bands/860000000000099/secret')
    expect(rotated.status).toBe(200)
    await expect(connectBand(service.mqttPort!, { id: '860000000000099', secret: first })).rejects.toThrow(
      /bad user ?name or password/i,
    )
    await (await connectBand(service.mqttPort!, { id: '860000000000099', secret: rotated.body!.secret! })).endAsync()
  })

  it('when an admin takes a band from its wearer, then care staff no longer see it; nobody but admins may do any of this', async () => {
    expect((await post('staff-zhangdian', `/api/admin/bands/${BAND.id}/unassign`)).status).toBe(403)
    expect((await post('ops', `/api/admin/bands/${BAND.id}/unassign`)).status).toBe(204)
    const res = await fetch(`http://127.0.0.1:${service.httpPort}/api/bands`, {
      headers: { cookie: await login(service.httpPort, 'staff-zhangdian') },
    })
    expect(((await res.json()) as { bands: unknown[] }).bands).toEqual([])
    const r = await service.db.query('SELECT resident_id FROM bands WHERE id = $1', [BAND.id])
    expect(r.rows).toEqual([{ resident_id: null }])
  })
})
