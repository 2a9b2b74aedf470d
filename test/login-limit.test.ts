// Sign-in attempts are limited per client address: guessing passwords gets a clear 429 with when
// to try again, and a right password does not get through while the limit holds.
import { describe, expect, it } from 'vitest'
import type { Service } from '../bin/service.ts'
import { useServiceWithWorld } from './support/world.ts'
import { LOGIN_ATTEMPTS_PER_MINUTE } from '../dashboard/routes/auth.ts'
import { PASSWORD } from './support/fixtures.ts'

describe('sign-in limit', () => {
  let service: Service
  useServiceWithWorld((s) => {
    service = s
  })

  const attempt = (password: string, username = 'staff-zhangdian') =>
    fetch(`http://127.0.0.1:${service.httpPort}/api/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ username, password }),
    })

  it('when someone keeps guessing (a different account each time), then after the limit every attempt from that address is refused with 429, the right password too', async () => {
    for (let i = 0; i < LOGIN_ATTEMPTS_PER_MINUTE; i++)
      expect((await attempt(`guess-${i}`, `user-${i}`)).status).toBe(401)
    const refused = await attempt(PASSWORD)
    expect(refused.status).toBe(429)
    expect(await refused.json()).toMatchObject({
      error: { code: 'too_many_attempts', message: expect.stringMatching(/try again in \d+ s/) },
    })
  })
})
