// Literal-timestamp helpers shared by the engine's tests: a home circle, fixes north of it, and a
// runner that feeds fixes (each arriving when taken, or later) and ticks.
import { DEFAULT_POLICY, initialState, step, tick, type BandState, type EngineEvent, type EngineFix } from './engine.ts'
import type { Zone } from './zone.ts'

export const HOME: [number, number] = [118.05491, 36.81352] // [lon, lat], Zhangdian
export const home: Zone = {
  id: 1,
  residentId: 7,
  name: 'home',
  kind: 'safe',
  shape: { type: 'circle', center: HOME, radiusM: 100 },
}
export const T0 = Date.UTC(2026, 10, 28, 14, 0, 0)
export const P = DEFAULT_POLICY
export const dLat = (m: number) => m / 111_195
export const dLon = (m: number) => m / (111_195 * Math.cos((HOME[1] * Math.PI) / 180))

/** A fix as the runner takes it: `arriveS` (seconds after T0) when it reached the service, if late. */
/** A river bank 80 m wide, 300–380 m north of home, 400 m long. */
export const bank: Zone = {
  id: 9,
  residentId: null,
  name: 'river bank',
  kind: 'danger',
  shape: {
    type: 'Polygon',
    coordinates: [
      [
        [HOME[0] - dLon(200), HOME[1] + dLat(300)],
        [HOME[0] + dLon(200), HOME[1] + dLat(300)],
        [HOME[0] + dLon(200), HOME[1] + dLat(380)],
        [HOME[0] - dLon(200), HOME[1] + dLat(380)],
        [HOME[0] - dLon(200), HOME[1] + dLat(300)],
      ],
    ],
  },
}
/** A safe zone the bank lies inside. */
export const big: Zone = { ...home, shape: { type: 'circle', center: HOME, radiusM: 1000 } }

export type TestFix = EngineFix & { arriveS?: number }

/** A GPS fix `north` metres north of the home centre at T0 + `s` seconds. */
export const at = (s: number, north: number, extra: Partial<TestFix> = {}): TestFix => ({
  ts: T0 + s * 1000,
  seq: s,
  acc: 8,
  src: 'gps',
  lat: HOME[1] + north / 111_195,
  lon: HOME[0],
  ...extra,
})

/** Feeds fixes (each arriving when taken unless `arriveS` says later) and ticks; returns the final state and every event. */
export function run(items: (TestFix | { tickAt: number })[], zones = [home], first = T0) {
  let state: BandState = initialState(first)
  const events: EngineEvent[] = []
  for (const item of items) {
    let r: ReturnType<typeof step>
    if ('tickAt' in item) r = tick(state, T0 + item.tickAt * 1000, P, zones)
    else {
      const { arriveS, ...fix } = item
      r = step(state, fix, zones, P, arriveS === undefined ? fix.ts : T0 + arriveS * 1000)
    }
    state = r.state
    events.push(...r.events)
  }
  return { state, events }
}
export const raised = (events: EngineEvent[]) =>
  events.filter((e) => e.type === 'raise').map((e) => [e.kind, (e.fixTime - T0) / 1000])
export const resolved = (events: EngineEvent[]) =>
  events.filter((e) => e.type === 'resolve').map((e) => [e.kind, (e.fixTime - T0) / 1000])
