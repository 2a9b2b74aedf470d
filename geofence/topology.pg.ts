// Which band is worn by whom, and which zones apply: loaded whole (a city is a few thousand
// rows) and reloaded when topology_version changes, whichever process changed it.
import type { Queryable } from '../infra/index.ts'
import type { Zone, ZoneShape } from './zone.ts'

export interface Wearer {
  residentId: number
  careCentreId: number | null
}

export interface Topology {
  version: number
  wearerByBand: ReadonlyMap<string, Wearer>
  /** A resident's own zones followed by the shared ones that apply to them. */
  zonesFor(residentId: number): readonly Zone[]
}

export async function topologyVersion(db: Queryable): Promise<number> {
  const r = await db.query<{ v: number }>('SELECT v FROM topology_version')
  return r.rows[0]!.v
}

export async function loadTopology(db: Queryable): Promise<Topology> {
  const version = await topologyVersion(db)
  const bands = await db.query<{ id: string; resident_id: number; care_centre_id: number | null }>(
    `SELECT b.id, b.resident_id, r.care_centre_id FROM bands b JOIN residents r ON r.id = b.resident_id`)
  const zones = await db.query<{ id: number; resident_id: number | null; name: string; kind: Zone['kind']; shape: ZoneShape }>(
    'SELECT id, resident_id, name, kind, shape FROM zones ORDER BY id')
  const own = new Map<number, Zone[]>()
  const shared: Zone[] = []
  for (const z of zones.rows) {
    const zone: Zone = { id: z.id, residentId: z.resident_id, name: z.name, kind: z.kind, shape: z.shape }
    if (z.resident_id === null) shared.push(zone)
    else own.set(z.resident_id, [...(own.get(z.resident_id) ?? []), zone])
  }
  return {
    version,
    wearerByBand: new Map(bands.rows.map((b) => [b.id, { residentId: b.resident_id, careCentreId: b.care_centre_id }])),
    zonesFor: (residentId) => [...(own.get(residentId) ?? []), ...shared],
  }
}
