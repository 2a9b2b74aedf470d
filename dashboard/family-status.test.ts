// The family app's plain-language status (dashboard/web/family/status.js), with literal times.
import { describe, expect, it } from 'vitest'
import { SILENT_AFTER_MS, familyStatus, fromHome, homeOf, roundedDistance } from './web/family/status.js'

const HOME = { lat: 36.81352, lon: 118.05491, radiusM: 100 }
const NOW = 1_780_000_000_000
const north = (m: number) => ({ lat: HOME.lat + m / 111_195, lon: HOME.lon })
const band = (m: number, heardMsAgo = 60_000, online: boolean | null = true) => ({
  online,
  lastSeenAt: NOW - heardMsAgo,
  position: north(m),
})

describe('the family home card', () => {
  it('when the last fix is inside the home zone, then the relative is at home and safe', () => {
    expect(familyStatus(band(40), [], HOME, NOW)).toBe('home')
  })

  it('when the last fix is away from home and the engine raised nothing, then they are out within a zone', () => {
    expect(familyStatus(band(400), [], HOME, NOW)).toBe('out')
  })

  it('when the engine has an open or acknowledged exit alert, then they are outside the safe zone, whatever the fix says', () => {
    expect(familyStatus(band(40), [{ kind: 'left_safe_zone', status: 'open' }], HOME, NOW)).toBe('outside')
    expect(
      familyStatus(band(400, 3 * SILENT_AFTER_MS), [{ kind: 'left_safe_zone', status: 'acknowledged' }], HOME, NOW),
    ).toBe('outside')
  })

  it('when the band is off or not heard from for 30 minutes, then it says so rather than "at home"', () => {
    expect(familyStatus(band(0, 60_000, false), [], HOME, NOW)).toBe('silent')
    expect(familyStatus(band(0, SILENT_AFTER_MS + 1000), [], HOME, NOW)).toBe('silent')
    expect(familyStatus(undefined, [], HOME, NOW)).toBe('silent')
    expect(familyStatus(band(0, 60_000, null), [], HOME, NOW)).toBe('home')
  })

  it('when a passer-by reported finding them, then they are outside the safe zone, even with the last fix at home', () => {
    expect(familyStatus(band(40), [{ kind: 'found_report', status: 'open' }], HOME, NOW)).toBe('outside')
  })

  it('when an SOS alert is open but no exit, then the status still says where they are', () => {
    expect(familyStatus(band(40), [{ kind: 'sos', status: 'open' }], HOME, NOW)).toBe('home')
  })

  it('when a fix is 300 m north-east of home, then it is told as about 300 m north-east', () => {
    const p = { lat: HOME.lat + 212 / 111_195, lon: HOME.lon + 212 / (111_195 * Math.cos((HOME.lat * Math.PI) / 180)) }
    expect(fromHome(HOME, p)).toEqual({ value: 300, unit: 'm', dir: 'ne' })
    expect(fromHome(HOME, north(10))).toBeNull()
  })

  it('when distances are told, then they are rounded as people say them', () => {
    expect(roundedDistance(4)).toEqual({ value: 10, unit: 'm' })
    expect(roundedDistance(84)).toEqual({ value: 80, unit: 'm' })
    expect(roundedDistance(312)).toEqual({ value: 300, unit: 'm' })
    expect(roundedDistance(1260)).toEqual({ value: 1.3, unit: 'km' })
  })

  it('when a resident has several safe zones, then the one named 家 is home, else their first own safe zone', () => {
    const circle = (lat: number) => ({ type: 'circle', center: [118, lat], radiusM: 50 })
    const zones = [
      { residentId: 1, kind: 'safe', name: '公园', shape: circle(36.9) },
      { residentId: 1, kind: 'safe', name: '家', shape: circle(36.8) },
      { residentId: 2, kind: 'safe', name: '家', shape: circle(36.7) },
      { residentId: null, kind: 'danger', name: '河', shape: circle(36.6) },
    ]
    expect(homeOf(zones, 1)).toEqual({ lat: 36.8, lon: 118, radiusM: 50 })
    expect(homeOf(zones.slice(0, 1), 1)?.lat).toBe(36.9)
    expect(homeOf(zones, 3)).toBeNull()
    const square = {
      type: 'Polygon',
      coordinates: [
        [
          [118, 36],
          [118.002, 36],
          [118.002, 36.002],
          [118, 36.002],
          [118, 36],
        ],
      ],
    }
    const h = homeOf([{ residentId: 4, kind: 'safe', name: 'home', shape: square }], 4)!
    expect(h.lat).toBeCloseTo(36.001, 6)
    expect(h.radiusM).toBeGreaterThan(125)
    expect(h.radiusM).toBeLessThan(160)
  })
})
