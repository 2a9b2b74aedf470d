// Zone schedules: days of the week and a daily window in the zone's time zone (default
// Asia/Shanghai), e.g. a night zone "must be home 22:00–07:00". A window that wraps past
// midnight belongs to the day it starts on. Pure: time is a parameter.
import { checkAgainst } from '../infra/schema-check.ts'
import { ScheduleSchema, type Schedule } from './zone-schema.ts'

export type { Schedule }

export const DEFAULT_TZ = 'Asia/Shanghai'
const WEEKDAY: Record<string, number> = { Sun: 0, Mon: 1, Tue: 2, Wed: 3, Thu: 4, Fri: 5, Sat: 6 }
const formats = new Map<string, Intl.DateTimeFormat>()

const minutes = (hhmm: string) => Number(hhmm.slice(0, 2)) * 60 + Number(hhmm.slice(3, 5))

/** Local weekday and minute of the day at `t` in `tz`. */
function local(t: number, tz: string): { day: number; minute: number } {
  let f = formats.get(tz)
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', {
      timeZone: tz,
      weekday: 'short',
      hour: '2-digit',
      minute: '2-digit',
      hourCycle: 'h23',
    })
    formats.set(tz, f)
  }
  const parts = Object.fromEntries(f.formatToParts(t).map((p) => [p.type, p.value]))
  return { day: WEEKDAY[parts.weekday!]!, minute: Number(parts.hour) * 60 + Number(parts.minute) }
}

export function isActive(s: Schedule, t: number): boolean {
  const { day, minute } = local(t, s.tz ?? DEFAULT_TZ)
  const from = minutes(s.from)
  const to = minutes(s.to)
  const onDay = (d: number) => !s.days || s.days.includes(d)
  if (from <= to) return minute >= from && minute < to && onDay(day)
  // Wraps past midnight: the evening part is on the day it starts; the morning part on the day before.
  return (minute >= from && onDay(day)) || (minute < to && onDay((day + 6) % 7))
}

export type ScheduleCheck = { ok: true; schedule: Schedule | null } | { ok: false; error: string }

/** A schedule (none when absent): its schema (ScheduleSchema), then a window that is not empty and a known time zone. */
export function checkSchedule(input: unknown): ScheduleCheck {
  if (input === undefined || input === null) return { ok: true, schedule: null }
  const c = checkAgainst(ScheduleSchema, input, 'schedule')
  if (!c.ok) return c
  const s = c.value
  if (s.from === s.to) return { ok: false, error: 'schedule.from and schedule.to must differ' }
  if (s.tz !== undefined) {
    try {
      new Intl.DateTimeFormat('en-US', { timeZone: s.tz })
    } catch {
      return { ok: false, error: `schedule.tz ${s.tz.slice(0, 40)} is not a known time zone` }
    }
  }
  return {
    ok: true,
    schedule: {
      from: s.from,
      to: s.to,
      ...(s.days ? { days: [...new Set(s.days)].sort() } : {}),
      ...(s.tz ? { tz: s.tz } : {}),
    },
  }
}
