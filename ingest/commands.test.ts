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

  it.each([
    [{ cmd: 'interval', s: 5 }, 's must be a whole number within 10..3600'],
    [{ cmd: 'interval', s: 2, for: 600 }, 's must be a whole number within 5..3600'],
    [{ cmd: 'interval', s: 60, for: 7200 }, 'for must be a whole number within 0..3600'],
    [{ cmd: 'interval' }, 'the input needs "s"'],
    [{ cmd: 'reboot' }, 'cmd must be one of "locate", "interval"'],
    ['locate', 'the input must be an object'],
  ])('when the command is %j, then it is refused naming the field and its bounds', (input, error) => {
    expect(checkCommand(input)).toEqual({ ok: false, error })
  })

  it('when a command carries other keys, then the band receives only the command', () => {
    expect(checkCommand({ cmd: 'locate', note: 'x' })).toEqual({ ok: true, command: { cmd: 'locate' } })
  })
})
