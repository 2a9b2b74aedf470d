// Guessing one account's password from many addresses is slowed per account (growing delays), yet
// the owner's own browser still gets in; trivial passwords are refused wherever a password is set:
// the admin API, the import, invitations and the command line.
import { describe, expect, it } from 'vitest'
import type { Service } from '../bin/service.ts'
import { insertUser } from '../dashboard/index.ts'
import { FIRST_DELAY_MS, FREE_FAILURES } from '../dashboard/sign-in-guard.ts'
import { runCli } from './support/cli.ts'
import { PASSWORD, login } from './support/fixtures.ts'
import { useServiceWithWorld, type World } from './support/world.ts'

describe("sign-in per account, behind a proxy that passes on each client's address", () => {
  let service: Service
  useServiceWithWorld(
    (s) => {
      service = s
    },
    { TRUST_PROXY: '127.0.0.1' },
  )
  let address = 0
  /** A sign-in from a new address each time (an attacker's many machines), or with a browser's cookies. */
  const signIn = (username: string, password: string, cookie?: string) =>
    fetch(`http://127.0.0.1:${service.httpPort}/api/login`, {
      method: 'POST',
      body: JSON.stringify({ username, password }),
      headers: {
        'content-type': 'application/json',
        'x-forwarded-for': `198.51.${Math.floor(++address / 250)}.${address % 250}`,
        ...(cookie ? { cookie } : {}),
      },
    })

  it('when one account is guessed from many addresses, then after a few failures every try waits, the right password too, and the wait says how long', async () => {
    for (let i = 0; i <= FREE_FAILURES; i++)
      expect((await signIn('staff-boshan', `guess-number-${i}`)).status).toBe(401)
    const held = await signIn('staff-boshan', PASSWORD)
    expect(held.status).toBe(429)
    expect(Number(held.headers.get('retry-after'))).toBeGreaterThan(0)
    expect(await held.json()).toMatchObject({
      error: { code: 'too_many_attempts', message: expect.stringMatching(/try again in \d+ s/) },
    })
    // An unknown username is held back the same way: the delays reveal nobody.
    for (let i = 0; i <= FREE_FAILURES; i++) await signIn('no-such-person', `guess-number-${i}`)
    expect((await signIn('no-such-person', 'guess')).status).toBe(429)
    await new Promise((r) => setTimeout(r, FIRST_DELAY_MS + 200))
    expect((await signIn('staff-boshan', PASSWORD)).status).toBe(204)
  })

  it('when 50 guesses for one account arrive at once from 50 addresses, then no more passwords are checked than one after another', async () => {
    const started = Date.now()
    const guesses = await Promise.all(
      Array.from({ length: 50 }, (_, i) => signIn('staff-zhangdian', `parallel-guess-${i}`)),
    )
    const tookMs = Date.now() - started
    const statuses = guesses.map((r) => r.status)
    // One after another: FREE_FAILURES free failures, one more that starts the delay, then waits —
    // and, on a slow machine, one more each time a delay (2 s, then 4 s, 8 s…) ran out during the burst.
    let later = 0
    while (FIRST_DELAY_MS * (2 ** (later + 1) - 1) <= tookMs) later++
    const checked = statuses.filter((s) => s === 401).length
    expect(checked).toBeGreaterThanOrEqual(FREE_FAILURES + 1)
    expect(checked).toBeLessThanOrEqual(FREE_FAILURES + 1 + later)
    expect(statuses.filter((s) => s === 429).length).toBe(50 - checked)
  })

  it('when an account is under attack, then the browser its owner signed in with before still gets in at once', async () => {
    const first = await signIn('family-wang', PASSWORD)
    const device = first.headers
      .getSetCookie()
      .map((c) => c.split(';')[0]!)
      .find((c) => c.startsWith('tx_device='))
    expect(device).toBeDefined()
    for (let i = 0; i < FREE_FAILURES + 3; i++) await signIn('family-wang', `guess-number-${i}`)
    expect((await signIn('family-wang', PASSWORD)).status).toBe(429)
    expect((await signIn('family-wang', PASSWORD, device)).status).toBe(204)
  })
})

describe('trivial passwords', () => {
  let service: Service
  let world: World
  let admin: string
  useServiceWithWorld((s, w) => {
    service = s
    world = w
  })
  const TRIVIAL = [
    ['short', 'abc12345'],
    ['common', 'password123'],
    ['keyboard', 'qwertyuiop12'],
    ['the username', 'zhao-jianguo'],
    ['username and digits', 'zhao-jianguo2024'],
    ['pinyin and 520/1314', 'woaini1314520'],
    ['pinyin name and year', 'zhangwei1988'],
    ['city and year', 'beijing2008!'],
    ['the city dressed up', 'Zibo@2024!!'],
    ['love digits', '5201314abc'],
    ['keyboard run', 'qwer1234!@#$'],
    ['name and birthday', 'wangfang19650312'],
    ['the old demo admin', 'admin-demo-pass'],
    ['the old demo staff', 'staff-pass-centre-01'],
    ['the old demo family', 'family-pass-0001'],
  ] as const
  const post = async (path: string, body: unknown, cookie?: string) => {
    const res = await fetch(`http://127.0.0.1:${service.httpPort}${path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...(cookie ? { cookie } : {}) },
      body: JSON.stringify(body),
    })
    return { status: res.status, body: (await res.json()) as { error?: { code: string } } }
  }
  const users = async () => (await service.db.query<{ n: number }>('SELECT count(*)::int AS n FROM users')).rows[0]!.n

  it('when an admin creates a user with a trivial password, then it is refused with weak_password; a strong one is taken', async () => {
    await insertUser(service.db, { username: 'root', password: PASSWORD, role: 'admin' })
    admin = await login(service.httpPort, 'root')
    const before = await users()
    for (const [why, password] of TRIVIAL) {
      expect(
        await post(
          '/api/admin/users',
          { username: 'zhao-jianguo', password, role: 'family', residentIds: [world.resident] },
          admin,
        ),
        why,
      ).toEqual({ status: 400, body: { error: { code: 'weak_password', message: expect.any(String) } } })
    }
    expect(await users()).toBe(before)
    expect(
      (
        await post(
          '/api/admin/users',
          {
            username: 'zhao-jianguo',
            password: 'tea house by the river',
            role: 'family',
            residentIds: [world.resident],
          },
          admin,
        )
      ).status,
    ).toBe(201)
  })

  it('when an import or an invitation carries a trivial password, then it is refused and no account is made', async () => {
    const before = await users()
    for (const [why, password] of TRIVIAL) {
      const imported = await post(
        '/api/admin/import',
        {
          centres: [],
          residents: [],
          users: [
            { username: 'zhao-jianguo-2', password: password.replace('zhao-jianguo', 'zhao-jianguo-2'), role: 'admin' },
          ],
        },
        admin,
      )
      expect(imported.body.error?.code, why).toBe('weak_password')
      const code = (
        (await post(`/api/residents/${world.resident}/invitations`, {}, admin)).body as unknown as { code: string }
      ).code
      const accepted = await post('/api/invitations/accept', { code, username: 'zhao-jianguo', password })
      expect(accepted, why).toEqual({
        status: 400,
        body: { error: { code: 'weak_password', message: expect.any(String) } },
      })
    }
    expect(await users()).toBe(before)
  })

  it('when the command line adds a user with a trivial password, then it exits with the reason and adds nobody', async () => {
    const before = await users()
    await expect(
      runCli(['user', 'add', '--username', 'zhao-admin', '--password', 'password123', '--role', 'admin'], {
        DATABASE_URL: service.databaseUrl,
      }),
    ).rejects.toThrow(/exited 2: .*--password: .*too easy to guess/s)
    expect(await users()).toBe(before)
  })

  it('when the command line is given the password on standard input, then the user is made and no password is on the command line', async () => {
    const env = { DATABASE_URL: service.databaseUrl }
    await runCli(['user', 'add', '--username', 'stdin-admin', '--password-stdin', '--role', 'admin'], env, {
      input: 'kettle harbour lantern\n',
    })
    expect(await login(service.httpPort, 'stdin-admin', 'kettle harbour lantern')).toContain('tx_session=')
    // A password typed at the terminal ends with the line; an empty line is no password.
    await expect(
      runCli(['user', 'add', '--username', 'empty-admin', '--password-stdin', '--role', 'admin'], env, { input: '\n' }),
    ).rejects.toThrow(/exited 2: .*--password-stdin/s)
    await expect(runCli(['user', 'add', '--username', 'no-password', '--role', 'admin'], env)).rejects.toThrow(
      /exited 2: .*--password-stdin/s,
    )
  })
})
