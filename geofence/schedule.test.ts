import { describe, expect, it } from 'vitest'
import { checkSchedule, isActive } from './schedule.ts'

// 2026-11-30 is a Monday. Zibo is UTC+8.
const zibo = (day: number, hh: number, mm = 0) => Date.UTC(2026, 10, 30 + day, hh - 8, mm)

describe('zone schedules', () => {
  it('when a night window runs 22:00–07:00, then it is active from 22:00 until 07:00 the next morning, Zibo time', () => {
    const night = { from: '22:00', to: '07:00' }
    expect(isActive(night, zibo(0, 21, 59))).toBe(false)
    expect(isActive(night, zibo(0, 22, 0))).toBe(true)
    expect(isActive(night, zibo(1, 3))).toBe(true)
    expect(isActive(night, zibo(1, 7, 0))).toBe(false)
  })

  it("when a wrapping window is for Mondays only, then its early-morning part is Tuesday's", () => {
    const monday = { from: '22:00', to: '07:00', days: [1] }
    expect(isActive(monday, zibo(0, 23))).toBe(true) // Monday 23:00
    expect(isActive(monday, zibo(1, 2))).toBe(true) // Tuesday 02:00, still Monday night
    expect(isActive(monday, zibo(1, 23))).toBe(false) // Tuesday night
    expect(isActive(monday, zibo(0, 2))).toBe(false) // Monday 02:00 belongs to Sunday night
  })

  it("when the schedule names another time zone, then its hours are that zone's", () => {
    const london = { from: '09:00', to: '17:00', tz: 'Europe/London' }
    expect(isActive(london, Date.UTC(2026, 10, 30, 9, 30))).toBe(true)
    expect(isActive(london, Date.UTC(2026, 10, 30, 17, 30))).toBe(false)
  })

  it.each([
    [{ from: '22:00' }, 'schedule needs "to"'],
    [{ from: '22:00', to: '7:00' }, 'schedule.to must be HH:MM (00:00–23:59)'],
    [{ from: '24:00', to: '07:00' }, 'schedule.from must be HH:MM (00:00–23:59)'],
    [{ from: '07:00', to: '07:00' }, 'schedule.from and schedule.to must differ'],
    [
      { from: '22:00', to: '07:00', days: [7] },
      'schedule.days weekday (0 = Sunday) must be a whole number within 0..6',
    ],
    [{ from: '22:00', to: '07:00', tz: 'Mars/Olympus' }, 'schedule.tz Mars/Olympus is not a known time zone'],
  ])('when a schedule is %j, then it is refused naming the problem', (input, error) => {
    expect(checkSchedule(input)).toEqual({ ok: false, error })
  })
})
