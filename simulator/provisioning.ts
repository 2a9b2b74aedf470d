// The fleet as a provisioning document for the service's admin import (POST /api/admin/import):
// care centres, residents with band and safe zones, a staff account per centre and family
// accounts for the first residents; and load mode's bands, each with its safe zone. Simulated
// credentials derive from the seed: test data only.
import buffer from '@turf/buffer'
import { lineString } from '@turf/helpers'
import type { ImportDoc } from '../dashboard/import-doc.ts'
import { LOAD_ZONE_RADIUS_M, loadBandId, loadHomes, loadSecret } from './load.ts'
import { DANGER_CORRIDORS, type DangerCorridor, type Fleet } from './zibo.ts'

export type { ImportDoc }

/** A danger corridor as the polygon a person would draw: the line widened by its half-width. */
export function corridorPolygon(c: DangerCorridor): unknown {
  return buffer(lineString(c.line.map((p) => [p.lon, p.lat])), c.halfWidthM, { units: 'meters', steps: 4 })!.geometry
}

const sharedZone = (c: DangerCorridor) => ({ name: c.name, kind: 'danger' as const, shape: corridorPolygon(c) })

export const staffLogin = (centreKey: string) => ({
  username: `staff-${centreKey}`,
  password: `kettle-lantern-willow-${centreKey}`,
})

/** `provisionedAt`: when the fleet's bands went into service (a run replaying the past needs it). */
export function importDoc(fleet: Fleet, families: number, provisionedAt?: number): ImportDoc {
  return {
    centres: fleet.centres.map((c) => ({ key: c.key, name: c.name })),
    residents: fleet.residents.map((r) => ({
      key: r.key,
      name: r.name,
      centreKey: r.centreKey,
      band: { id: r.bandId, secret: r.secret, ...(provisionedAt === undefined ? {} : { provisionedAt }) },
      zones: r.zones.map((z) => ({
        name: z.name,
        kind: 'safe' as const,
        shape: { type: 'circle', center: [z.center.lon, z.center.lat], radiusM: z.radiusM },
      })),
    })),
    users: [
      ...fleet.centres.map((c) => ({ ...staffLogin(c.key), role: 'staff' as const, centreKey: c.key })),
      ...fleet.residents
        .slice(0, families)
        .map((r) => ({ ...r.family, role: 'family' as const, residentKeys: [r.key] })),
    ],
    sharedZones: fleet.corridors.map(sharedZone),
  }
}

/**
 * Load mode's bands as import documents of at most `per` residents each: band, a safe zone around
 * its home, and the city's danger corridors (shared zones, in the first).
 */
export function loadImportDocs(bands: number, seed: number, per = 5000): ImportDoc[] {
  const homes = loadHomes(bands, seed)
  const docs: ImportDoc[] = []
  for (let from = 0; from < bands; from += per) {
    const ids = Array.from({ length: Math.min(per, bands - from) }, (_, k) => from + k)
    docs.push({
      centres: [],
      users: [],
      residents: ids.map((k) => ({
        key: loadBandId(k),
        name: `Load ${k}`,
        band: { id: loadBandId(k), secret: loadSecret(seed, k) },
        zones: [
          {
            name: 'home',
            kind: 'safe' as const,
            shape: { type: 'circle', center: [homes[k]!.lon, homes[k]!.lat], radiusM: LOAD_ZONE_RADIUS_M },
          },
        ],
      })),
      ...(from === 0 ? { sharedZones: DANGER_CORRIDORS.map(sharedZone) } : {}),
    })
  }
  return docs
}
