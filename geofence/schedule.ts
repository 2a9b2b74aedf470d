// Zone schedules: days of the week and a daily window in the zone's time zone (default
// Asia/Shanghai), e.g. a night zone "must be home 22:00–07:00". A window that wraps past
// midnight belongs to the day it starts on. Pure: time is a parameter.
export interface Schedule {
  /** 0 = Sunday … 6 = Saturday; omitted: every day. */
  days?: number[]
  /** "HH:MM", local time. */
  from: string
  to: string
  /** IANA time zone; default Asia/Shanghai. */
  tz?: string
}

export const DEFAULT_TZ = 'Asia/Shanghai'
const HHMM = /^([01]\d|2[0-3]):([0-5]\d)$/
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

export function checkSchedule(input: unknown): ScheduleCheck {
  if (input === undefined || input === null) return { ok: true, schedule: null }
  const s = input as Partial<Schedule>
  if (typeof s !== 'object') return { ok: false, error: 'schedule must be an object' }
  if (typeof s.from !== 'string' || !HHMM.test(s.from))
    return { ok: false, error: 'schedule.from must be HH:MM (00:00–23:59)' }
  if (typeof s.to !== 'string' || !HHMM.test(s.to))
    return { ok: false, error: 'schedule.to must be HH:MM (00:00–23:59)' }
  if (s.from === s.to) return { ok: false, error: 'schedule.from and schedule.to must differ' }
  if (
    s.days !== undefined &&
    (!Array.isArray(s.days) || s.days.length === 0 || !s.days.every((d) => Number.isInteger(d) && d >= 0 && d <= 6))
  ) {
    return { ok: false, error: 'schedule.days must list weekdays 0 (Sunday) to 6' }
  }
  if (s.tz !== undefined) {
    try {
      new Intl.DateTimeFormat('en-US', { timeZone: s.tz })
    } catch {
      return { ok: false, error: `schedule.tz ${String(s.tz).slice(0, 40)} is not a known time zone` }
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
