// Load mode's bands as the service is told of them and as they report: every fix lies well inside
// the safe zone provisioned for its band, clear of the danger corridors, so a load run raises no alert.
import { describe, expect, it } from 'vitest'
import { distanceM } from './geo.ts'
import { LOAD_ZONE_RADIUS_M, loadEvents } from './load.ts'
import { loadImportDocs } from './provisioning.ts'
import { DANGER_CORRIDORS, distanceToCorridorM } from './zibo.ts'

describe('load mode', () => {
  it('when 1200 bands are provisioned in documents of 500, then each has a safe zone its every fix lies inside, clear of the corridors', () => {
    const docs = loadImportDocs(1200, 7, 500)
    expect(docs.map((d) => d.residents.length)).toEqual([500, 500, 200])
    expect(docs.map((d) => d.sharedZones?.length ?? 0)).toEqual([DANGER_CORRIDORS.length, 0, 0])
    const zones = new Map(
      docs.flatMap((d) =>
        d.residents.map((r) => {
          const shape = r.zones[0]!.shape as { center: [number, number]; radiusM: number }
          expect(r.zones).toHaveLength(1)
          expect(shape.radiusM).toBe(LOAD_ZONE_RADIUS_M)
          return [r.band!.id, { lat: shape.center[1], lon: shape.center[0] }] as const
        }),
      ),
    )
    let fixes = 0
    let furthest = 0
    for (const e of loadEvents({ bands: 1200, rate: 1200, durationMs: 5000, start: 0, seed: 7 })) {
      if (e.type !== 'publish') continue
      const fix = JSON.parse(e.payload) as { lat: number; lon: number }
      const home = zones.get(e.bandId)!
      furthest = Math.max(furthest, distanceM(home, fix))
      expect(DANGER_CORRIDORS.every((c) => distanceToCorridorM(fix, c) > 100)).toBe(true)
      fixes++
    }
    expect(fixes).toBe(6000)
    expect(furthest).toBeLessThan(LOAD_ZONE_RADIUS_M / 4)
  })
})
