// Residents and users through the API: residents listed in scope; admins add residents and users
// and link family members to residents, and only admins may.
import { describe, expect, it } from 'vitest'
import type { Service } from '../bin/service.ts'
import { insertUser } from '../dashboard/index.ts'
import { PASSWORD, login } from './support/fixtures.ts'
import { useServiceWithWorld, type World } from './support/world.ts'

describe('residents and users', () => {
  let service: Service
  let world: World
  useServiceWithWorld((s, w) => {
    service = s
    world = w
  })

  const call = async (user: string, method: string, path: string, body?: unknown, password = PASSWORD) => {
    const res = await fetch(`http://127.0.0.1:${service.httpPort}${path}`, {
      method,
      headers: {
        cookie: await login(service.httpPort, user, password),
        ...(body ? { 'content-type': 'application/json' } : {}),
      },
      body: body ? JSON.stringify(body) : undefined,
    })
    return { status: res.status, body: res.status === 204 ? null : ((await res.json()) as Record<string, unknown>) }
  }

  it('when viewers list residents, then each sees only theirs, with names', async () => {
    expect((await call('family-wang', 'GET', '/api/residents')).body).toEqual({
      residents: [{ id: world.resident, name: 'Wang Jianguo', careCentreId: world.centre, bandId: '860000000000001' }],
    })
    expect(
      ((await call('staff-boshan', 'GET', '/api/residents')).body!.residents as { id: number }[]).map((r) => r.id),
    ).toEqual([world.otherResident])
  })

  it('when an admin adds a resident and a family member, links and unlinks them, then the family member sees the resident only while linked', async () => {
    await insertUser(service.db, { username: 'root', password: PASSWORD, role: 'admin' })
    const resident = await call('root', 'POST', '/api/admin/residents', {
      name: 'Zhao Lan',
      careCentreId: world.centre,
    })
    expect(resident.status).toBe(201)
    const rid = resident.body!.id as number
    const user = await call('root', 'POST', '/api/admin/users', {
      username: 'son-zhao',
      password: 'another quiet harbour',
      role: 'family',
    })
    expect(user.status).toBe(201)
    const uid = user.body!.id as number
    expect(
      (
        await call('root', 'POST', '/api/admin/users', {
          username: 'son-zhao',
          password: 'another quiet harbour',
          role: 'family',
        })
      ).status,
    ).toBe(409)
    expect((await call('root', 'PUT', `/api/admin/users/${uid}/residents/${rid}`)).status).toBe(204)
    expect(
      (
        (await call('son-zhao', 'GET', '/api/residents', undefined, 'another quiet harbour')).body!.residents as {
          id: number
        }[]
      ).map((r) => r.id),
    ).toEqual([rid])
    expect((await call('root', 'DELETE', `/api/admin/users/${uid}/residents/${rid}`)).status).toBe(204)
    expect((await call('son-zhao', 'GET', '/api/residents', undefined, 'another quiet harbour')).body).toEqual({
      residents: [],
    })
    const users = (await call('root', 'GET', '/api/admin/users')).body!.users as { username: string }[]
    expect(users.map((u) => u.username)).toContain('son-zhao')
    expect((await call('root', 'DELETE', `/api/admin/users/${uid}`)).status).toBe(204)
  })

  it('when someone other than an admin tries to add people, then they may not', async () => {
    expect((await call('staff-zhangdian', 'POST', '/api/admin/residents', { name: 'X' })).status).toBe(403)
    expect(
      (
        await call('family-wang', 'POST', '/api/admin/users', {
          username: 'x',
          password: 'kettle harbour lantern',
          role: 'admin',
        })
      ).status,
    ).toBe(403)
  })
})
