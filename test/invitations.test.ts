// Family invitations through the API: made by the resident's care staff, used once before they
// expire to create a family account (or link one), and then that account sees the resident.
import { describe, expect, it } from 'vitest'
import type { Service } from '../bin/service.ts'
import { useServiceWithWorld, type World } from './support/world.ts'
import { login } from './support/fixtures.ts'

describe('family invitations', () => {
  let service: Service
  let world: World
  useServiceWithWorld((s, w) => {
    service = s
    world = w
  })

  const post = async (path: string, body: unknown, cookie?: string) => {
    const res = await fetch(`http://127.0.0.1:${service.httpPort}${path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...(cookie ? { cookie } : {}) },
      body: JSON.stringify(body),
    })
    return { status: res.status, body: (await res.json()) as Record<string, unknown> }
  }
  const invite = async (user = 'staff-zhangdian', residentId = world.resident) =>
    post(`/api/residents/${residentId}/invitations`, {}, await login(service.httpPort, user))
  const residentsOf = async (username: string, password: string) => {
    const res = await fetch(`http://127.0.0.1:${service.httpPort}/api/bands`, {
      headers: { cookie: await login(service.httpPort, username, password) },
    })
    return ((await res.json()) as { bands: { residentId: number }[] }).bands.map((b) => b.residentId)
  }

  it('when a relative uses a fresh invitation, then a family account exists that sees that resident only, and the code cannot be used again', async () => {
    const made = await invite()
    expect(made.status).toBe(201)
    expect(made.body.expiresAt).toBeGreaterThan(Date.now() + 71 * 3_600_000)
    const code = made.body.code as string
    expect(
      await post('/api/invitations/accept', { code, username: 'daughter-wang', password: 'kettle harbour lantern' }),
    ).toEqual({ status: 200, body: { residentId: world.resident } })
    expect(await residentsOf('daughter-wang', 'kettle harbour lantern')).toEqual([world.resident])
    expect(
      (await post('/api/invitations/accept', { code, username: 'someone-else', password: 'kettle harbour lantern' }))
        .body,
    ).toMatchObject({ error: { code: 'invalid_invitation' } })
  })

  it('when a signed-in family member uses an invitation for another resident, then their account is linked to both', async () => {
    const made = await invite('staff-boshan', world.otherResident)
    const cookie = await login(service.httpPort, 'daughter-wang', 'kettle harbour lantern')
    expect((await post('/api/invitations/accept', { code: made.body.code }, cookie)).status).toBe(200)
    expect((await residentsOf('daughter-wang', 'kettle harbour lantern')).sort()).toEqual(
      [world.resident, world.otherResident].sort(),
    )
  })

  it('when an invitation has expired, or is made by staff of another centre, then it does not work', async () => {
    const made = await invite()
    await service.db.query("UPDATE invitations SET expires_at = now() - interval '1 minute' WHERE accepted_at IS NULL")
    expect(
      (
        await post('/api/invitations/accept', {
          code: made.body.code,
          username: 'late-son',
          password: 'kettle harbour lantern',
        })
      ).status,
    ).toBe(400)
    expect((await invite('staff-boshan', world.resident)).status).toBe(404)
    expect((await invite('family-wang', world.resident)).status).toBe(403)
  })

  it('when a relative picks a username that is taken, then the answer says so (409 username_taken) and the invitation can still be used', async () => {
    const code = (await invite()).body.code as string
    expect(
      await post('/api/invitations/accept', { code, username: 'family-wang', password: 'kettle harbour lantern' }),
    ).toEqual({ status: 409, body: { error: { code: 'username_taken', message: expect.any(String) } } })
    // Two relatives racing for one new name: one gets it, the other is told it is taken.
    const other = (await invite()).body.code as string
    const both = await Promise.all(
      [code, other].map((c) =>
        post('/api/invitations/accept', { code: c, username: 'grandson-wang', password: 'kettle harbour lantern' }),
      ),
    )
    expect(both.map((r) => r.status).sort()).toEqual([200, 409])
  })
})
