// Who is told, as data: a resident's ordered contacts, a centre's roster and group chats, each
// user's preferences. Pure: time arrives as an argument.
export type PersonChannel = 'sms' | 'voice' | 'webpush'
export type GroupChannel = 'wecom' | 'dingtalk' | 'webhook'
export type Channel = PersonChannel | GroupChannel

export interface Contact {
  id: number
  position: number
  name: string
  relation: string
  phone: string | null
  userId: number | null
  channels: PersonChannel[]
}

export interface RosterEntry {
  id: number
  name: string
  phone: string
  userId: number | null
  /** 0 = Sunday. */
  weekdays: number[]
  /** Minutes after local midnight; end before start crosses midnight. */
  startMinute: number
  endMinute: number
}

export interface CentreChannel {
  id: number
  kind: GroupChannel
  name: string
}

export interface Preferences {
  /** Kinds of alert this person wants; null: all. Critical alerts come whatever this says. */
  kinds: string[] | null
  quietStart: number | null
  quietEnd: number | null
  language: 'zh' | 'en'
}

/** Local wall-clock time (weekday, minute of day) of an instant in a time zone. */
export function localTime(at: number, timeZone: string): { weekday: number; minute: number } {
  const parts = new Intl.DateTimeFormat('en-US', {
    timeZone,
    weekday: 'short',
    hour: 'numeric',
    minute: 'numeric',
    hourCycle: 'h23',
  }).formatToParts(new Date(at))
  const get = (t: string) => parts.find((p) => p.type === t)!.value
  const weekday = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'].indexOf(get('weekday'))
  return { weekday, minute: Number(get('hour')) * 60 + Number(get('minute')) }
}

const within = (minute: number, start: number, end: number) =>
  start <= end ? minute >= start && minute < end : minute >= start || minute < end

/** Who of the roster is on duty at `at` (a shift crossing midnight belongs to the day it started). */
export function onDuty(roster: readonly RosterEntry[], at: number, timeZone: string): RosterEntry[] {
  const { weekday, minute } = localTime(at, timeZone)
  const yesterday = (weekday + 6) % 7
  return roster.filter((r) => {
    if (r.startMinute <= r.endMinute) return r.weekdays.includes(weekday) && within(minute, r.startMinute, r.endMinute)
    return (
      (r.weekdays.includes(weekday) && minute >= r.startMinute) ||
      (r.weekdays.includes(yesterday) && minute < r.endMinute)
    )
  })
}

/** When a message that may wait should go: now, or at the end of the person's quiet hours. */
export function afterQuietHours(p: Preferences | undefined, at: number, timeZone: string): number {
  if (!p || p.quietStart === null || p.quietEnd === null || p.quietStart === p.quietEnd) return at
  const { minute } = localTime(at, timeZone)
  if (!within(minute, p.quietStart, p.quietEnd)) return at
  const wait = (p.quietEnd - minute + 1440) % 1440
  return at - (at % 60_000) + wait * 60_000
}
