// Who may change who is told: the family keeps their relative's contact list, each user their own
// preferences and devices, care staff their own centre's group chats and roster; robot secrets are
// never shown again; a contact who signs in must be someone who may see the resident.
import { describe, expect, it } from 'vitest'
import type { Service } from '../bin/service.ts'
import { cookieJar } from './support/fixtures.ts'
import { useServiceWithWorld, type World } from './support/world.ts'

describe('notification settings', () => {
  let service: Service
  let world: World
  useServiceWithWorld((s, w) => {
    service = s
    world = w
  })
  const cookieOf = cookieJar(() => service.httpPort)
  const call = async (user: string, method: string, path: string, body?: unknown) => {
    const res = await fetch(`http://127.0.0.1:${service.httpPort}${path}`, {
      method,
      headers: { cookie: await cookieOf(user), ...(body ? { 'content-type': 'application/json' } : {}) },
      body: body ? JSON.stringify(body) : undefined,
    })
    return { status: res.status, body: (await res.json().catch(() => null)) as Record<string, unknown> }
  }
  const daughter = { name: '王丽', relation: '女儿', phone: '13800000001', userId: null, channels: ['sms'] }

  it("when the family sets their relative's contacts, then they are kept in order; another resident's list is not theirs to see or change", async () => {
    const put = await call('family-wang', 'PUT', `/api/residents/${world.resident}/contacts`, {
      contacts: [daughter, { ...daughter, name: '王强', phone: '+8613800000002' }],
    })
    expect(put).toMatchObject({
      status: 200,
      body: {
        contacts: [
          { position: 1, name: '王丽', userId: null },
          { position: 2, name: '王强', phone: '+8613800000002' },
        ],
      },
    })
    expect((await call('staff-zhangdian', 'GET', `/api/residents/${world.resident}/contacts`)).body).toMatchObject({
      contacts: [{ name: '王丽' }, { name: '王强' }],
    })
    expect((await call('family-wang', 'GET', `/api/residents/${world.otherResident}/contacts`)).status).toBe(404)
    expect(
      (await call('staff-boshan', 'PUT', `/api/residents/${world.resident}/contacts`, { contacts: [] })).status,
    ).toBe(404)
    expect(
      (
        await call('family-wang', 'PUT', `/api/residents/${world.resident}/contacts`, {
          contacts: [{ ...daughter, phone: '12345' }],
        })
      ).status,
    ).toBe(400)
  })

  it('when a contact names a user who may not see the resident, then the list is refused', async () => {
    const boshan = (await service.db.query<{ id: number }>(`SELECT id FROM users WHERE username = 'staff-boshan'`))
      .rows[0]!.id
    const r = await call('family-wang', 'PUT', `/api/residents/${world.resident}/contacts`, {
      contacts: [{ ...daughter, userId: boshan, channels: ['webpush'] }],
    })
    expect(r).toMatchObject({ status: 400, body: { error: { code: 'invalid_contact' } } })
  })

  it("when care staff set their centre's group chats, then the robot's key and secret are never shown again; family and other centres are refused", async () => {
    const channels = [
      {
        kind: 'dingtalk',
        name: '张店照护群',
        url: 'https://oapi.dingtalk.com/robot/send?access_token=SECRET-TOKEN',
        secret: 'SEC-very-secret',
      },
    ]
    const put = await call('staff-zhangdian', 'PUT', `/api/centres/${world.centre}/notify-channels`, { channels })
    expect(put).toMatchObject({
      status: 200,
      body: { channels: [{ kind: 'dingtalk', host: 'oapi.dingtalk.com', secretSet: true }] },
    })
    const got = await call('staff-zhangdian', 'GET', `/api/centres/${world.centre}/notify-channels`)
    expect(JSON.stringify(got.body)).not.toMatch(/SECRET-TOKEN|SEC-very-secret/)
    expect((await call('staff-boshan', 'GET', `/api/centres/${world.centre}/notify-channels`)).status).toBe(403)
    expect((await call('family-wang', 'PUT', `/api/centres/${world.centre}/roster`, { roster: [] })).status).toBe(403)
  })

  it('when a user sets quiet hours and languages, then they are theirs alone; quiet hours need a start and an end', async () => {
    const prefs = { kinds: ['sos', 'fall'], quietStart: 22 * 60, quietEnd: 7 * 60, language: 'en' }
    expect((await call('family-wang', 'PUT', '/api/me/notification-preferences', prefs)).body).toEqual(prefs)
    expect((await call('staff-zhangdian', 'GET', '/api/me/notification-preferences')).body).toEqual({
      kinds: null,
      quietStart: null,
      quietEnd: null,
      language: 'zh',
    })
    expect(
      (await call('family-wang', 'PUT', '/api/me/notification-preferences', { ...prefs, quietEnd: null })).status,
    ).toBe(400)
  })

  it('when a device registers for push, then only its own user can remove it', async () => {
    const sub = { endpoint: 'https://push.example.cn/send/abc', keys: { p256dh: 'B'.repeat(87), auth: 'a'.repeat(22) } }
    expect((await call('family-wang', 'POST', '/api/me/push-subscriptions', sub)).status).toBe(204)
    const q = `/api/me/push-subscriptions?endpoint=${encodeURIComponent(sub.endpoint)}`
    expect((await call('staff-zhangdian', 'DELETE', q)).status).toBe(404)
    expect((await call('family-wang', 'DELETE', q)).status).toBe(204)
  })

  it('when one account registers more devices than anyone has, then only its newest ten are kept', async () => {
    const sub = (n: number) => ({
      endpoint: `https://push.example.cn/send/many-${n}`,
      keys: { p256dh: 'B'.repeat(87), auth: 'a'.repeat(22) },
    })
    for (let n = 0; n < 14; n++)
      expect((await call('family-wang', 'POST', '/api/me/push-subscriptions', sub(n))).status).toBe(204)
    // The first comes back (the same browser, signed in again): it is new again, and the oldest left goes.
    expect((await call('family-wang', 'POST', '/api/me/push-subscriptions', sub(0))).status).toBe(204)
    const kept = await service.db.query<{ endpoint: string }>(
      `SELECT s.endpoint FROM push_subscriptions s JOIN users u ON u.id = s.user_id
       WHERE u.username = 'family-wang' AND s.endpoint LIKE '%/many-%' ORDER BY s.endpoint`,
    )
    expect(kept.rows.map((r) => Number(r.endpoint.split('-').pop())).sort((a, b) => a - b)).toEqual([
      0, 5, 6, 7, 8, 9, 10, 11, 12, 13,
    ])
  })
})
