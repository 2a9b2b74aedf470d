// Each band's safe zones and the city's danger corridors, as the simulator provisions them (for
// the ground-truth benches, which feed the engine directly).
import type { Zone } from '../../geofence/index.ts'
import { corridorPolygon } from '../../simulator/provisioning.ts'
import type { Fleet } from '../../simulator/zibo.ts'

export function zonesOf(fleet: Fleet): Map<string, Zone[]> {
  const danger = fleet.corridors.map(
    (c, k): Zone => ({
      id: 1_000_000 + k,
      residentId: null,
      name: c.name,
      kind: 'danger',
      shape: corridorPolygon(c) as Zone['shape'],
    }),
  )
  return new Map(
    fleet.residents.map((r, i) => [
      r.bandId,
      [
        ...r.zones.map(
          (z, k): Zone => ({
            id: i * 10 + k + 1,
            residentId: i,
            name: z.name,
            kind: 'safe',
            shape: { type: 'circle', center: [z.center.lon, z.center.lat], radiusM: z.radiusM },
          }),
        ),
        ...danger,
      ],
    ]),
  )
}
