// Geofence speed: fixes evaluated per second by the engine (with the spatial index the service
// uses) next to a bare Turf point-in-polygon loop over the same zones, for 1, 10 and 1000 danger
// zones. With 1 and 10 zones all of them lie around the walk (the index cannot help); with 1000
// they are spread over the city (it can).
//
//   npm run bench:geofence-speed -- [--fixes 50000]
import { parseArgs } from 'node:util'
import booleanPointInPolygon from '@turf/boolean-point-in-polygon'
import { point } from '@turf/helpers'
import Flatbush from 'flatbush'
import { DEFAULT_POLICY, initialState, step, type BandState, type Zone } from '../geofence/index.ts'
import { shapeBox } from '../geofence/zone.ts'
import { createRng } from '../simulator/index.ts'
import { offset } from '../simulator/geo.ts'
import { machine } from './support/bench.ts'

const { values: v } = parseArgs({ options: { fixes: { type: 'string', default: '50000' } } })
const N = Number(v.fixes)
const CENTRE = { lat: 36.807, lon: 118.018 }
const rng = createRng(11)

/** A hexagon of radius `m` metres around a point, as a GeoJSON polygon. */
function hexagon(at: { lat: number; lon: number }, m: number): Zone['shape'] {
  const ring = Array.from({ length: 7 }, (_, i) => {
    const p = offset(at, m * Math.sin(((i % 6) * Math.PI) / 3), m * Math.cos(((i % 6) * Math.PI) / 3))
    return [p.lon, p.lat] as [number, number]
  })
  return { type: 'Polygon', coordinates: [ring] }
}

/** A resident walking around the city centre at 1 m/s, a fix every 30 s, 5 m noise. */
const fixes = (() => {
  let here = CENTRE
  return Array.from({ length: N }, (_, i) => {
    here = offset(here, rng.normal(20), rng.normal(20))
    if (Math.abs(here.lat - CENTRE.lat) > 0.02) here = CENTRE
    return { ts: Date.UTC(2026, 10, 28) + i * 30_000, seq: i, lat: here.lat, lon: here.lon, acc: 6, src: 'gps' }
  })
})()

function scenario(count: number): Zone[] {
  // Few zones: right around the walk. Many: over the whole city (about 30 × 30 km).
  const spread = count <= 10 ? 1500 : 15_000
  return Array.from({ length: count }, (_, i) => ({
    id: i + 1,
    residentId: null,
    name: `danger ${i}`,
    kind: 'danger',
    shape: hexagon(offset(CENTRE, rng.uniform(-spread, spread), rng.uniform(-spread, spread)), 60),
  }))
}

/** Best of three timed runs after one untimed (so the JIT has compiled both loops alike). */
function timeIt(fn: () => number): { perSecond: number; hits: number } {
  let hits = fn()
  let best = Infinity
  for (let i = 0; i < 3; i++) {
    const t0 = performance.now()
    hits = fn()
    best = Math.min(best, performance.now() - t0)
  }
  return { perSecond: N / (best / 1000), hits }
}

console.log(`# geofence speed — ${N} fixes, ${machine()}`)
console.log('| danger zones | bare Turf loop (fixes/s) | Tongxing engine (fixes/s) | engine ÷ bare |')
console.log('|---|---|---|---|')
const home: Zone = {
  id: 0,
  residentId: 1,
  name: 'home',
  kind: 'safe',
  shape: { type: 'circle', center: [CENTRE.lon, CENTRE.lat], radiusM: 5000 },
}
for (const count of [1, 10, 1000]) {
  const zones = scenario(count)
  const bare = timeIt(() => {
    let hits = 0
    for (const f of fixes) {
      const p = point([f.lon, f.lat])
      for (const z of zones)
        if (booleanPointInPolygon(p, z.shape as Parameters<typeof booleanPointInPolygon>[1])) hits++
    }
    return hits
  })
  const index = new Flatbush(zones.length)
  for (const z of zones) index.add(...shapeBox(z.shape))
  index.finish()
  const engine = timeIt(() => {
    let state: BandState = initialState(0)
    let alerts = 0
    for (const f of fixes) {
      const d = 300 / 111_195
      const near = index.search(f.lon - d, f.lat - d, f.lon + d, f.lat + d).map((i) => zones[i]!)
      const r = step(state, f, [home, ...near], DEFAULT_POLICY, f.ts)
      state = r.state
      alerts += r.events.length
    }
    return alerts
  })
  console.log(
    `| ${count} | ${Math.round(bare.perSecond).toLocaleString('en')} | ${Math.round(engine.perSecond).toLocaleString('en')} | ${(engine.perSecond / bare.perSecond).toFixed(2)} |`,
  )
}
