// Commands to a band through the real broker and database: a carer asks for the position now,
// the band receives it on its command topic, its PUBACK marks it delivered and its next fix
// answers it — each step on the carer's socket. Scoped like everything else.
import { describe, expect, it } from 'vitest'
import type { Service } from '../bin/service.ts'
import { useServiceWithWorld } from './support/world.ts'
import { COMMANDS_PER_WINDOW } from '../dashboard/routes/bands.ts'
import { BAND, OTHER_BAND, connectBand, fixNorth, login, openLive } from './support/fixtures.ts'
import { eventually } from './support/service.ts'

describe('commands to bands', () => {
  let service: Service
  useServiceWithWorld((s) => {
    service = s
  })

  const cookies = new Map<string, string>()
  const post = async (user: string, bandId: string, body: unknown) => {
    if (!cookies.has(user)) cookies.set(user, await login(service.httpPort, user))
    const res = await fetch(`http://127.0.0.1:${service.httpPort}/api/bands/${bandId}/commands`, {
      method: 'POST',
      headers: { cookie: cookies.get(user)!, 'content-type': 'application/json' },
      body: JSON.stringify(body),
    })
    return {
      status: res.status,
      body: (await res.json()) as { command?: { id: number }; error?: { code: string; message: string } },
    }
  }
  const sent = async () =>
    (await service.db.query<{ n: number }>('SELECT count(*)::int AS n FROM band_commands')).rows[0]!.n

  it('when a carer asks for the position now, then the band gets the command, its PUBACK marks it delivered, and its next fix answers it', async () => {
    const live = await openLive(service.httpPort, await login(service.httpPort, 'staff-zhangdian'))
    await live.next('hello')
    // A persistent session, as bands keep: commands wait for a band that is away.
    const band = await connectBand(service.mqttPort!, BAND, { clean: false })
    await band.subscribeAsync(`bands/${BAND.id}/cmd`, { qos: 1 })
    const received = new Promise<string>((resolve) =>
      band.once('message', (_topic, payload) => resolve(payload.toString())),
    )

    const sent = await post('staff-zhangdian', BAND.id, { cmd: 'locate' })
    expect(sent.status).toBe(202)
    const id = sent.body.command!.id
    expect(JSON.parse(await received)).toEqual({ id, cmd: 'locate' })
    expect(await live.next('command')).toMatchObject({ command: { id, deliveredAt: null, answeredAt: null } })
    expect(await live.next('command')).toMatchObject({
      command: { id, deliveredAt: expect.any(Number), answeredAt: null },
    })

    await band.publishAsync(`bands/${BAND.id}/telemetry`, JSON.stringify(fixNorth(500, 0, Date.now())), { qos: 1 })
    const answered = await live.next('command')
    expect(answered).toMatchObject({ command: { id, answeredAt: expect.any(Number), answer: { seq: 500 } } })
    await band.endAsync()
    live.close()

    const res = await fetch(`http://127.0.0.1:${service.httpPort}/api/bands/${BAND.id}/commands`, {
      headers: { cookie: await login(service.httpPort, 'family-wang') },
    })
    expect(((await res.json()) as { commands: { id: number; answeredAt: number | null }[] }).commands[0]).toMatchObject(
      { id, answeredAt: expect.any(Number) },
    )
  })

  it('when someone who may not see the band, or may not change its reporting, sends a command, then it is refused and nothing is sent', async () => {
    expect((await post('staff-boshan', BAND.id, { cmd: 'locate' })).status).toBe(404)
    expect((await post('staff-zhangdian', '860000000009999', { cmd: 'locate' })).status).toBe(404)
    expect((await post('family-wang', BAND.id, { cmd: 'interval', s: 10 })).status).toBe(403)
    expect((await post('family-wang', BAND.id, { cmd: 'locate' })).status).toBe(202)
    const bad = await post('staff-zhangdian', BAND.id, { cmd: 'interval', s: 2 })
    expect(bad).toMatchObject({ status: 400, body: { error: { message: expect.stringMatching(/10\.\.3600/) } } })
    expect((await post('staff-boshan', OTHER_BAND.id, { cmd: 'interval', s: 60 })).status).toBe(202)
    await eventually(
      async () => (await service.db.query('SELECT count(*)::int AS n FROM band_commands')).rows[0]!.n === 3,
    )
  })

  it('when a family member keeps asking for the position, then past the limit each command is refused with 429 and not sent, and care staff can still ask', async () => {
    await eventually(async () => (await sent()) === 3)
    const before = await sent()
    const answers = []
    for (let i = 0; i < COMMANDS_PER_WINDOW + 3; i++)
      answers.push(await post('family-wang', BAND.id, { cmd: 'locate' }))
    const accepted = answers.filter((a) => a.status === 202).length
    expect(accepted).toBeLessThanOrEqual(COMMANDS_PER_WINDOW)
    expect(answers.at(-1)).toMatchObject({
      status: 429,
      body: { error: { code: 'too_many_commands', message: expect.stringMatching(/try again in \d+ s/) } },
    })
    expect(await sent()).toBe(before + accepted)
    expect((await post('staff-zhangdian', BAND.id, { cmd: 'locate' })).status).toBe(202)
  })
})
