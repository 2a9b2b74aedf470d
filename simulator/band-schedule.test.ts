// The simulated band's report schedule and how it obeys commands, with literal times (seconds).
import { describe, expect, it } from 'vitest'
import { due, obey, parseCommand, schedule, sent } from './band-schedule.ts'

const s = (x: number) => x * 1000
/** Sends at every due time up to `until`, returning the send times (s). */
function sends(start: ReturnType<typeof schedule>, until: number) {
  let w = start
  const out: number[] = []
  while (due(w) < s(until)) {
    const t = due(w)
    out.push(t / 1000)
    w = sent(w, t)
  }
  return { w, out }
}

describe('band schedule', () => {
  it('when nothing is asked, then the band reports on its own interval', () => {
    expect(sends(schedule(s(30), s(0)), 100).out).toEqual([0, 30, 60, 90])
  })

  it('when a timed fast mode arrives, then the band reports every 5 s for its time and then on its own interval again', () => {
    let w = sent(schedule(s(30), s(0)), s(0))
    w = obey(w, { cmd: 'interval', s: 5, for: 20 }, s(2), 0)
    expect(sends(w, 90).out).toEqual([7, 12, 17, 22, 52, 82])
  })

  it('when the fast mode is ended with for 0, then the next report after the current one is on the own interval', () => {
    let w = obey(sent(schedule(s(30), s(0)), s(0)), { cmd: 'interval', s: 5, for: 600 }, s(1), 0)
    w = sent(w, s(6))
    w = obey(w, { cmd: 'interval', for: 0 }, s(8), 0)
    expect(sends(w, 60).out).toEqual([11, 41])
  })

  it('when a locate arrives, then one fix comes after the locate delay and the interval is unchanged', () => {
    const w = obey(sent(schedule(s(30), s(0)), s(0)), { cmd: 'locate' }, s(10), s(3))
    expect(sends(w, 70).out).toEqual([13, 30, 60])
  })

  it('when a plain interval arrives, then it becomes the band’s own interval', () => {
    const w = obey(sent(schedule(s(60), s(0)), s(0)), { cmd: 'interval', s: 10 }, s(5), 0)
    expect(sends(w, 40).out).toEqual([15, 25, 35])
  })

  it('when a message is not a command, then it is ignored', () => {
    expect(parseCommand('{"id":7,"cmd":"locate"}')).toEqual({ cmd: 'locate' })
    expect(parseCommand('{"id":9,"cmd":"interval","s":5,"for":600}')).toEqual({ cmd: 'interval', s: 5, for: 600 })
    expect(parseCommand('{"cmd":"interval"}')).toBeUndefined()
    expect(parseCommand('{"cmd":"reboot"}')).toBeUndefined()
    expect(parseCommand('not json')).toBeUndefined()
  })
})
