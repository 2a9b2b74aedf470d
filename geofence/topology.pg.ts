// Which band is worn by whom (and since when), and which zones apply: loaded whole (a city is a few thousand
// rows) and reloaded when topology_version changes, whichever process changed it. Shared zones
// (a care centre's, or city-wide) sit in a spatial index of their bounding boxes, so a fix is
// tested only against the shared zones near it.
import Flatbush from 'flatbush'
import type { Queryable } from '../infra/index.ts'
import type { Schedule } from './schedule.ts'
import { shapeBox, type Zone, type ZonePolicy, type ZoneShape } from './zone.ts'

export interface Wearer {
  residentId: number
  careCentreId: number | null
  /** Since when they wear the band (epoch ms; -Infinity: its first wearer). Earlier fixes are not theirs. */
  since: number
}

/** [minLon, minLat, maxLon, maxLat]. */
export type Box = [number, number, number, number]

export interface Topology {
  version: number
  wearerByBand: ReadonlyMap<string, Wearer>
  /** When each band (assigned or not) was provisioned, epoch ms. */
  provisionedAt: ReadonlyMap<string, number>
  /** The resident's own zones, then the shared zones that apply to them (near `box`, if given). */
  zonesFor(wearer: Wearer, box?: Box): readonly Zone[]
}

export async function topologyVersion(db: Queryable): Promise<number> {
  const r = await db.query<{ v: number }>('SELECT v FROM topology_version')
  return r.rows[0]!.v
}

type SharedZone = Zone & { careCentreId: number | null }

export async function loadTopology(db: Queryable): Promise<Topology> {
  const version = await topologyVersion(db)
  const bands = await db.query<{ id: string; resident_id: number; care_centre_id: number | null; since: number }>(
    `SELECT b.id, b.resident_id, r.care_centre_id, extract(epoch FROM w.from_time)::float8 * 1000 AS since
     FROM bands b JOIN residents r ON r.id = b.resident_id
       JOIN band_wearers w ON w.band_id = b.id AND w.to_time IS NULL`,
  )
  const provisioned = await db.query<{ id: string; provisioned_at: Date }>('SELECT id, provisioned_at FROM bands')
  const zones = await db.query<{
    id: number
    resident_id: number | null
    care_centre_id: number | null
    name: string
    kind: Zone['kind']
    shape: ZoneShape
    schedule: Schedule | null
    policy: ZonePolicy | null
  }>('SELECT id, resident_id, care_centre_id, name, kind, shape, schedule, policy FROM zones ORDER BY id')
  const own = new Map<number, Zone[]>()
  const shared: SharedZone[] = []
  for (const z of zones.rows) {
    const zone: Zone = {
      id: z.id,
      residentId: z.resident_id,
      name: z.name,
      kind: z.kind,
      shape: z.shape,
      schedule: z.schedule,
      policy: z.policy,
    }
    if (z.resident_id === null) shared.push({ ...zone, careCentreId: z.care_centre_id })
    else own.set(z.resident_id, [...(own.get(z.resident_id) ?? []), zone])
  }
  const index = shared.length > 0 ? new Flatbush(shared.length) : undefined
  if (index) {
    for (const z of shared) index.add(...shapeBox(z.shape))
    index.finish()
  }
  const applies = (z: SharedZone, w: Wearer) => z.careCentreId === null || z.careCentreId === w.careCentreId
  return {
    version,
    wearerByBand: new Map(
      bands.rows.map((b) => [
        b.id,
        {
          residentId: Number(b.resident_id),
          careCentreId: b.care_centre_id === null ? null : Number(b.care_centre_id),
          since: Number(b.since),
        },
      ]),
    ),
    provisionedAt: new Map(provisioned.rows.map((b) => [b.id, b.provisioned_at.getTime()])),
    zonesFor(w, box) {
      const near = !index ? [] : box ? index.search(...box).map((i) => shared[i]!) : shared
      return [...(own.get(w.residentId) ?? []), ...near.filter((z) => applies(z, w))]
    },
  }
}

/** The box around the given [lon, lat] points, widened by `m` metres. */
export function boxAround(points: [number, number][], m: number): Box {
  const lons = points.map((p) => p[0])
  const lats = points.map((p) => p[1])
  const dLat = m / 111_195
  const dLon = dLat / Math.cos((lats[0]! * Math.PI) / 180)
  return [Math.min(...lons) - dLon, Math.min(...lats) - dLat, Math.max(...lons) + dLon, Math.max(...lats) + dLat]
}

/** Who wore the band when the fix was taken (epoch ms); undefined: nobody, or a wearer since erased. */
export async function wearerAt(db: Queryable, bandId: string, ts: number): Promise<number | undefined> {
  const r = await db.query<{ resident_id: number }>(
    `SELECT resident_id FROM band_wearers
    WHERE band_id = $1 AND from_time <= to_timestamp($2 / 1000.0)
      AND (to_time IS NULL OR to_timestamp($2 / 1000.0) < to_time) AND resident_id IS NOT NULL`,
    [bandId, ts],
  )
  return r.rows[0] && Number(r.rows[0].resident_id)
}
