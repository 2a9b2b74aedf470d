// Nearby responders (issue 19): community workers with an area (a circle or a town's polygon) and
// weekly windows when they can help. Which of them to offer a wander alert to. Pure.
import { checkSchedule, checkShape, insideShape, isActive, type Schedule, type ZoneShape } from '../geofence/index.ts'

export interface ResponderProfile {
  userId: number
  username: string
  area: ZoneShape
  /** Weekly windows in geofence/schedule.ts's shape; empty: always available. */
  schedules: Schedule[]
  phone: string | null
}

export type ResponderSettingsCheck = { ok: true; area: ZoneShape; schedules: Schedule[] } | { ok: false; error: string }

/** Validates an area and schedules before they are saved, naming the problem. */
export function checkResponderSettings(area: unknown, schedules: unknown): ResponderSettingsCheck {
  const a = checkShape(area)
  if (!a.ok) return { ok: false, error: `area: ${a.error}` }
  if (schedules === undefined || schedules === null) return { ok: true, area: a.shape, schedules: [] }
  if (!Array.isArray(schedules) || schedules.length > 21)
    return { ok: false, error: 'schedules must be a list of at most 21 windows' }
  const out: Schedule[] = []
  for (const [i, s] of schedules.entries()) {
    if (s === null || typeof s !== 'object' || Array.isArray(s))
      return { ok: false, error: `schedules[${i}]: a window must be an object {days?, from:"HH:MM", to:"HH:MM", tz?}` }
    const c = checkSchedule(s)
    if (!c.ok) return { ok: false, error: `schedules[${i}]: ${c.error}` }
    if (c.schedule) out.push(c.schedule)
  }
  return { ok: true, area: a.shape, schedules: out }
}

export const isAvailable = (p: Pick<ResponderProfile, 'schedules'>, t: number): boolean =>
  p.schedules.length === 0 || p.schedules.some((s) => isActive(s, t))

/** The responders available at `t` whose area contains the position. */
export const respondersFor = <P extends Pick<ResponderProfile, 'area' | 'schedules'>>(
  profiles: readonly P[],
  at: { lat: number; lon: number },
  t: number,
): P[] => profiles.filter((p) => isAvailable(p, t) && insideShape(p.area, at.lat, at.lon))
