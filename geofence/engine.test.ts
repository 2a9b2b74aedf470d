import { describe, expect, it } from 'vitest'
import { DEFAULT_POLICY, INITIAL_STATE, step, type BandState, type EngineFix } from './engine.ts'
import type { Zone } from './zone.ts'

const HOME: [number, number] = [118.05491, 36.81352] // [lon, lat], Zhangdian
const home: Zone = { id: 1, residentId: 7, name: 'home', kind: 'safe', shape: { type: 'circle', center: HOME, radiusM: 100 } }
const T0 = Date.UTC(2026, 10, 28, 14, 0, 0)

/** A fix `north` metres north of the home centre. */
const fixAt = (north: number, ts: number, acc = 10, seq = ts / 1000): EngineFix => ({ ts, seq, acc, lat: HOME[1] + north / 111_195, lon: HOME[0] })

function run(fixes: EngineFix[], zones = [home]) {
  let state: BandState = INITIAL_STATE
  const events = []
  for (const f of fixes) {
    const r = step(state, f, zones, DEFAULT_POLICY)
    state = r.state
    events.push(...r.events)
  }
  return { state, events }
}

describe('geofence step', () => {
  it('when a wearer walks from home to 200 m beyond a 100 m safe zone, then one left_safe_zone event carries its evidence', () => {
    const { state, events } = run([fixAt(0, T0), fixAt(60, T0 + 30_000), fixAt(200, T0 + 60_000), fixAt(260, T0 + 90_000)])
    expect(events).toHaveLength(1)
    expect(events[0]).toMatchObject({ type: 'left_safe_zone', zoneId: 1, fixTime: T0 + 60_000,
      evidence: { accuracyM: 10, radiusM: 100, exitMarginM: 20 } })
    expect(events[0]!.evidence.distanceBeyondM).toBeCloseTo(100, 0)
    expect(state.tag).toBe('outside')
  })

  it('when a fix lies 60 m outside but its 50 m accuracy circle reaches back inside the margin, then no event is raised', () => {
    const { events, state } = run([fixAt(0, T0), fixAt(160, T0 + 30_000, 50)])
    expect(events).toEqual([])
    expect(state.tag).toBe('inside')
  })

  it('when the wearer comes back inside and leaves again, then the second exit raises a second event', () => {
    const { events } = run([fixAt(0, T0), fixAt(300, T0 + 30_000), fixAt(0, T0 + 60_000), fixAt(300, T0 + 90_000)])
    expect(events.map((e) => e.fixTime)).toEqual([T0 + 30_000, T0 + 90_000])
  })

  it('when a late fix from outside arrives after a newer fix at home, then it is ignored', () => {
    const { events, state } = run([fixAt(0, T0 + 60_000), fixAt(500, T0 + 30_000)])
    expect(events).toEqual([])
    expect(state).toEqual({ tag: 'inside', lastTs: T0 + 60_000, zoneId: 1 })
  })

  it('when the resident has no safe zone, then nothing is raised wherever they go', () => {
    expect(run([fixAt(0, T0), fixAt(5000, T0 + 30_000)], []).events).toEqual([])
  })

  it('when two fixes share a time-stamp, then the second still counts', () => {
    expect(run([fixAt(0, T0, 10, 1), fixAt(300, T0, 10, 2)]).events).toHaveLength(1)
  })

  it('when a redelivered fix repeats the last one, then it raises nothing new', () => {
    const out = fixAt(300, T0 + 30_000)
    expect(run([fixAt(0, T0), out, out]).events).toHaveLength(1)
  })
})
