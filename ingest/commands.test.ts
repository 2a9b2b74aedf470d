// Band commands as the protocol defines them, the timed fast mode (search mode) included.
import { describe, expect, it } from 'vitest'
import { checkCommand, commandMessage } from './commands.ts'

describe('band commands', () => {
  it('when a timed fast mode is asked for, then 5 s for 600 s is valid and carried to the band as given', () => {
    const check = checkCommand({ cmd: 'interval', s: 5, for: 600 })
    expect(check).toEqual({ ok: true, command: { cmd: 'interval', s: 5, for: 600 } })
    expect(JSON.parse(commandMessage(3, { cmd: 'interval', s: 5, for: 600 }))).toEqual({
      id: 3,
      cmd: 'interval',
      s: 5,
      for: 600,
    })
  })

  it('when the timed mode is ended, then {"for":0} alone is valid', () => {
    expect(checkCommand({ cmd: 'interval', for: 0 })).toEqual({ ok: true, command: { cmd: 'interval', for: 0 } })
  })

  it('when a plain interval or a bad timed one is asked for, then v1 rules hold: 5 s only in the timed mode', () => {
    expect(checkCommand({ cmd: 'interval', s: 5 })).toMatchObject({ ok: false })
    expect(checkCommand({ cmd: 'interval', s: 30 })).toEqual({ ok: true, command: { cmd: 'interval', s: 30 } })
    expect(checkCommand({ cmd: 'interval', s: 2, for: 600 })).toMatchObject({ ok: false })
    expect(checkCommand({ cmd: 'interval', s: 5, for: 7200 })).toMatchObject({ ok: false })
  })
})
