// Which responders are offered a wander alert: area (circle or polygon) and weekly availability.
import { describe, expect, it } from 'vitest'
import { checkResponderSettings, respondersFor } from './responder.ts'

// 2026-12-05 is a Saturday; 06:00 UTC is 14:00 in Zibo.
const SAT_AFTERNOON = Date.UTC(2026, 11, 5, 6, 0)
const SAT_NIGHT = Date.UTC(2026, 11, 5, 15, 0) // 23:00 local
const HOME = { lat: 36.81352, lon: 118.05491 }
const circle = { type: 'circle' as const, center: [HOME.lon, HOME.lat] as [number, number], radiusM: 1000 }
const street = {
  type: 'Polygon' as const,
  coordinates: [
    [
      [118.04, 36.8],
      [118.07, 36.8],
      [118.07, 36.83],
      [118.04, 36.83],
      [118.04, 36.8],
    ],
  ],
}
const far = { type: 'circle' as const, center: [117.87, 36.49] as [number, number], radiusM: 1000 }
const days = { from: '08:00', to: '20:00' }

describe('responders offered a wander alert', () => {
  const people = [
    { id: 'near-always', area: circle, schedules: [] },
    { id: 'street-daytime', area: street, schedules: [days] },
    { id: 'far', area: far, schedules: [] },
    { id: 'near-weekdays', area: circle, schedules: [{ ...days, days: [1, 2, 3, 4, 5] }] },
  ]

  it('when the wearer is last seen inside their areas on a Saturday afternoon, then those available now are chosen', () => {
    expect(respondersFor(people, HOME, SAT_AFTERNOON).map((p) => p.id)).toEqual(['near-always', 'street-daytime'])
  })

  it('when it is 23:00, then only those available at night are chosen', () => {
    expect(respondersFor(people, HOME, SAT_NIGHT).map((p) => p.id)).toEqual(['near-always'])
  })

  it('when an area or a schedule is malformed, then it is refused with the reason', () => {
    expect(checkResponderSettings({ type: 'circle', center: [118, 36.8], radiusM: 1 }, []).ok).toBe(false)
    const bad = checkResponderSettings(circle, [{ from: '25:00', to: '08:00' }])
    expect(bad.ok === false && bad.error).toMatch(/schedules\[0\]/)
    expect(checkResponderSettings(street, null)).toEqual({ ok: true, area: street, schedules: [] })
  })

  it('when a schedule window is null, then it is refused rather than read as always available', () => {
    for (const w of [null, 'always', [days]]) {
      const r = checkResponderSettings(circle, [days, w])
      expect(r.ok === false && r.error).toMatch(/^schedules\[1\]: a window must be an object/)
    }
  })
})
