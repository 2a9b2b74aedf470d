// The synthetic programme in Zibo: districts, 22 care centres, residents living at home or in a
// centre, their safe zones, and the city's shared danger corridors. Pure and seeded.
// Coordinates are approximate WGS-84 positions of the real districts; everything else is made up.
import { distanceM, distanceToSegmentM, offset, type LatLon } from './geo.ts'
import { createRng, type Rng } from './random.ts'

export interface District {
  name: string
  centre: LatLon
  /** Share of the residents and care centres. */
  weight: number
}

export const DISTRICTS: readonly District[] = [
  { name: 'Zhangdian', centre: { lat: 36.807, lon: 118.018 }, weight: 6 },
  { name: 'Zichuan', centre: { lat: 36.644, lon: 117.967 }, weight: 3 },
  { name: 'Boshan', centre: { lat: 36.495, lon: 117.861 }, weight: 2 },
  { name: 'Linzi', centre: { lat: 36.826, lon: 118.309 }, weight: 3 },
  { name: 'Zhoucun', centre: { lat: 36.803, lon: 117.87 }, weight: 2 },
  { name: 'Huantai', centre: { lat: 36.96, lon: 118.097 }, weight: 2 },
  { name: 'Gaoqing', centre: { lat: 37.17, lon: 117.826 }, weight: 2 },
  { name: 'Yiyuan', centre: { lat: 36.185, lon: 118.171 }, weight: 2 },
]

/** A shared danger zone: a corridor of `halfWidthM` either side of a line. */
export interface DangerCorridor {
  key: string
  name: string
  line: LatLon[]
  halfWidthM: number
}

export const DANGER_CORRIDORS: readonly DangerCorridor[] = [
  {
    key: 'xiaofu-river',
    name: 'Xiaofu River bank',
    halfWidthM: 40,
    line: [
      { lat: 36.49, lon: 117.86 },
      { lat: 36.56, lon: 117.9 },
      { lat: 36.64, lon: 117.95 },
      { lat: 36.72, lon: 117.93 },
      { lat: 36.8, lon: 117.9 },
      { lat: 36.88, lon: 117.93 },
    ],
  },
  {
    key: 'liuquan-road',
    name: 'Liuquan Road',
    halfWidthM: 25,
    line: [
      { lat: 36.7, lon: 118.05 },
      { lat: 36.9, lon: 118.05 },
    ],
  },
  {
    key: 'jiaoji-railway',
    name: 'Jiaoji railway',
    halfWidthM: 30,
    line: [
      { lat: 36.79, lon: 117.85 },
      { lat: 36.8, lon: 118.0 },
      { lat: 36.82, lon: 118.15 },
      { lat: 36.84, lon: 118.3 },
    ],
  },
]

export function distanceToCorridorM(p: LatLon, c: DangerCorridor): number {
  let best = Infinity
  for (let i = 1; i < c.line.length; i++) best = Math.min(best, distanceToSegmentM(p, c.line[i - 1]!, c.line[i]!))
  return best - c.halfWidthM
}

export interface SafeZone {
  key: string
  name: string
  center: LatLon
  radiusM: number
}

export interface CareCentre {
  key: string
  name: string
  district: string
  at: LatLon
  zone: SafeZone
}

export interface Resident {
  key: string
  name: string
  bandId: string
  secret: string
  district: string
  livesIn: 'home' | 'centre'
  /** The centre whose staff look after this resident. */
  centreKey: string
  /** Where they sleep: their home, or their care centre. */
  home: LatLon
  /** Attends the centre by day, walking there (home and centre zones overlap along the way). */
  dayVisitor: boolean
  /** Places of the daily routine, all inside the resident's safe zones. */
  park: LatLon
  market: LatLon
  zones: SafeZone[]
  family: { username: string; password: string }
}

export interface Fleet {
  seed: number
  centres: CareCentre[]
  residents: Resident[]
  corridors: readonly DangerCorridor[]
}

export interface FleetOptions {
  bands: number
  seed: number
  centres?: number
  /** Share of residents who live in a care centre. */
  inCentreShare?: number
}

export function generateFleet({ bands, seed, centres: centreCount = 22, inCentreShare = 0.3 }: FleetOptions): Fleet {
  const rng = createRng(seed)
  const weights = DISTRICTS.map((d) => d.weight)
  const centres: CareCentre[] = []
  const centreRng = rng.fork('centres')
  for (let i = 0; i < centreCount; i++) {
    const district = DISTRICTS[weightedIndex(weights, i, centreCount)]!
    const at = clearOfCorridors(centreRng, district.centre, 2500, 300)
    const key = `centre-${pad(i + 1, 2)}`
    centres.push({
      key,
      name: `${district.name} Care Centre ${pad(i + 1, 2)}`,
      district: district.name,
      at,
      zone: { key: `${key}-grounds`, name: 'care centre grounds', center: at, radiusM: 200 },
    })
  }

  const residents: Resident[] = []
  for (let i = 0; i < bands; i++) {
    const r = rng.fork(`resident-${i}`)
    const key = `resident-${pad(i + 1, 4)}`
    const district = DISTRICTS[weightedIndex(weights, i, bands)]!
    const inDistrict = centres.filter((c) => c.district === district.name)
    const local = inDistrict.length > 0 ? inDistrict : centres
    const livesIn = r.chance(inCentreShare) ? 'centre' : 'home'
    const base = {
      key,
      name: `Resident ${pad(i + 1, 4)}`,
      bandId: `86${pad(4_100_000_000 + i * 7919, 13)}`,
      secret: secretFrom(r),
      district: district.name,
      family: { username: `family-${pad(i + 1, 4)}`, password: `amber-otter-meadow-${pad(i + 1, 4)}` },
    }
    if (livesIn === 'centre') {
      const centre = r.pick(local)
      const garden = (m: number) => offset(centre.at, r.uniform(-m, m), r.uniform(-m, m))
      residents.push({
        ...base,
        livesIn,
        centreKey: centre.key,
        home: centre.at,
        dayVisitor: false,
        park: garden(90),
        market: garden(90),
        zones: [centre.zone],
      })
      continue
    }
    const radiusM = Math.round(r.uniform(300, 500))
    const home = clearOfCorridors(r, district.centre, 3000, radiusM + 150)
    const nearest = local.reduce((a, b) => (distanceM(home, b.at) < distanceM(home, a.at) ? b : a))
    // A day visitor walks to the centre; the union of the two zones must cover the walk with room to spare.
    const dayVisitor = distanceM(home, nearest.at) <= radiusM + nearest.zone.radiusM - 150
    const within = (m: number) => {
      const a = r.uniform(0, 2 * Math.PI)
      const d = r.uniform(0.3, 1) * m
      return offset(home, d * Math.sin(a), d * Math.cos(a))
    }
    const zones: SafeZone[] = [{ key: `${key}-home`, name: 'home neighbourhood', center: home, radiusM }]
    if (dayVisitor) zones.push(nearest.zone)
    residents.push({
      ...base,
      livesIn,
      centreKey: nearest.key,
      home,
      dayVisitor,
      park: within(radiusM - 150),
      market: within(radiusM - 150),
      zones,
    })
  }
  return { seed, centres, residents, corridors: DANGER_CORRIDORS }
}

/** Spreads `n` items over the districts by weight, deterministically. */
function weightedIndex(weights: number[], i: number, n: number): number {
  const total = weights.reduce((a, b) => a + b, 0)
  const x = ((i + 0.5) / n) * total
  let acc = 0
  for (let k = 0; k < weights.length; k++) {
    acc += weights[k]!
    if (x < acc) return k
  }
  return weights.length - 1
}

/** A point near `around` at least `clearance` metres from every danger corridor. */
export function clearOfCorridors(rng: Rng, around: LatLon, spreadM: number, clearance: number): LatLon {
  for (;;) {
    const p = offset(around, rng.normal(spreadM / 2), rng.normal(spreadM / 2))
    if (DANGER_CORRIDORS.every((c) => distanceToCorridorM(p, c) > clearance)) return p
  }
}

function secretFrom(rng: Rng): string {
  let s = ''
  for (let i = 0; i < 32; i++) s += 'abcdefghijklmnopqrstuvwxyz0123456789'[rng.int(0, 35)]
  return s
}

const pad = (n: number, width: number) => String(n).padStart(width, '0')
