// The family app's API: a family member's home cards hold only their own relatives (with the centre's
// duty number and the other contacts to call, never themselves); a centre's duty number is kept by
// that centre's staff and admins only; the app's installable files are served.
import { describe, expect, it } from 'vitest'
import type { Service } from '../bin/service.ts'
import { insertUser } from '../dashboard/index.ts'
import { PASSWORD, login } from './support/fixtures.ts'
import { useServiceWithWorld, type World } from './support/world.ts'

describe('the family app API', () => {
  let service: Service
  let world: World
  useServiceWithWorld((s, w) => {
    service = s
    world = w
  })
  const call = async (method: string, path: string, cookie = '', body?: unknown) => {
    const res = await fetch(`http://127.0.0.1:${service.httpPort}${path}`, {
      method,
      redirect: 'manual',
      headers: { cookie, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
      body: body === undefined ? undefined : JSON.stringify(body),
    })
    const text = await res.text()
    return {
      status: res.status,
      headers: res.headers,
      text,
      body: (res.headers.get('content-type')?.includes('json') ? JSON.parse(text) : null) as never,
    }
  }
  type Home = { residents: { id: number; name: string; centre: { dutyPhone: string | null }; contacts: unknown[] }[] }

  it('when a family member opens the app, then they see only their relative, with the duty number and the other contacts', async () => {
    const staff = await login(service.httpPort, 'staff-zhangdian')
    const family = await login(service.httpPort, 'family-wang')
    expect(
      (await call('PUT', `/api/centres/${world.centre}/duty-phone`, staff, { phone: '0533-2345678' })).status,
    ).toBe(204)
    const me = (await call('GET', '/api/me', family)).body as { user: { id: number } }
    const contacts = [
      { name: '王丽', relation: '女儿', phone: '13800000001', userId: me.user.id, channels: ['sms'] },
      { name: '王强', relation: '儿子', phone: '13800000002', userId: null, channels: ['sms'] },
    ]
    expect((await call('PUT', `/api/residents/${world.resident}/contacts`, family, { contacts })).status).toBe(200)

    const home = await call('GET', '/api/family/home', family)
    expect(home.status).toBe(200)
    const body = home.body as Home & { words: { zh: { event: Record<string, string> } } }
    expect(body.residents).toEqual([
      {
        id: world.resident,
        name: 'Wang Jianguo',
        bandId: '860000000000001',
        centre: { id: world.centre, name: 'Zhangdian Care Centre', dutyPhone: '0533-2345678' },
        contacts: [{ name: '王强', relation: '儿子', phone: '13800000002' }],
      },
    ])
    expect(body.words.zh.event.left_safe_zone).toBe('已离开安全区域')
    expect(home.text).not.toContain('Li Xiuying')

    // Another family, linked to the other resident: only theirs, and no number of the first family.
    await insertUser(service.db, {
      username: 'family-li',
      password: PASSWORD,
      role: 'family',
      residentIds: [world.otherResident],
    })
    const li = await call('GET', '/api/family/home', await login(service.httpPort, 'family-li'))
    expect((li.body as Home).residents.map((r) => r.name)).toEqual(['Li Xiuying'])
    expect(li.text).not.toMatch(/Wang|13800000002|0533-2345678/)
    expect((await call('GET', '/api/family/home')).status).toBe(401)
  })

  it("when someone other than the centre's staff or an admin sets its duty number, then it is refused; a bad number is a clear 400", async () => {
    const family = await login(service.httpPort, 'family-wang')
    const otherStaff = await login(service.httpPort, 'staff-boshan')
    const staff = await login(service.httpPort, 'staff-zhangdian')
    const path = `/api/centres/${world.centre}/duty-phone`
    expect((await call('PUT', path, family, { phone: '13800000009' })).status).toBe(403)
    expect((await call('PUT', path, otherStaff, { phone: '13800000009' })).status).toBe(404)
    const bad = await call('PUT', path, staff, { phone: 'call me maybe' })
    expect(bad.status).toBe(400)
    expect(bad.body).toMatchObject({ error: { code: 'bad_request' } })
    expect((await call('PUT', '/api/centres/999999/duty-phone', staff, { phone: '13800000009' })).status).toBe(404)
    const r = await service.db.query<{ duty_phone: string | null }>(
      'SELECT duty_phone FROM care_centres WHERE id = $1',
      [world.centre],
    )
    expect(r.rows[0]!.duty_phone).not.toBe('13800000009')
  })

  it('when a phone opens /family, then it is led to the installable app: manifest, icons, start page', async () => {
    const redirect = await call('GET', '/family')
    expect(redirect.status).toBe(302)
    expect(redirect.headers.get('location')).toBe('/family/')
    const page = await call('GET', '/family/')
    expect(page.status).toBe(200)
    expect(page.text).toContain('<link rel="manifest" href="/family/manifest.webmanifest"')
    const manifest = await call('GET', '/family/manifest.webmanifest')
    const m = manifest.body as { start_url: string; display: string; icons: { src: string; type: string }[] }
    expect(m).toMatchObject({ start_url: '/family/', display: 'standalone' })
    for (const icon of m.icons) {
      const res = await fetch(`http://127.0.0.1:${service.httpPort}${icon.src}`)
      expect(res.status).toBe(200)
      expect(res.headers.get('content-type')).toContain(icon.type)
    }
  })
})
