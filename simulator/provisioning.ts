// The fleet as a provisioning document for the service's admin import (POST /api/admin/import):
// care centres, residents with band and safe zones, a staff account per centre and family
// accounts for the first residents. Simulated credentials derive from the seed: test data only.
import buffer from '@turf/buffer'
import { lineString } from '@turf/helpers'
import type { ImportDoc } from '../dashboard/import-doc.ts'
import type { DangerCorridor, Fleet } from './zibo.ts'

export type { ImportDoc }

/** A danger corridor as the polygon a person would draw: the line widened by its half-width. */
export function corridorPolygon(c: DangerCorridor): unknown {
  return buffer(lineString(c.line.map((p) => [p.lon, p.lat])), c.halfWidthM, { units: 'meters', steps: 4 })!.geometry
}

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
    sharedZones: fleet.corridors.map((c) => ({ name: c.name, kind: 'danger' as const, shape: corridorPolygon(c) })),
  }
}
