// Replay of a recorded track as a band: GPX, GeoJSON (a LineString with times, or Points with a
// time each) or CSV with time/lat/lon columns. Parsing is pure; times are re-based so the track
// starts at the chosen moment and keeps its own pace.
import { gpx } from '@tmcw/togeojson'
import { DOMParser } from '@xmldom/xmldom'
import { parse as parseCsv } from 'csv-parse/sync'
import type { RunEvent } from './runner.mqtt.ts'

export interface TrackPoint {
  t: number
  lat: number
  lon: number
}

export type TrackFormat = 'gpx' | 'geojson' | 'csv'

export type ParsedTrack = { ok: true; points: TrackPoint[]; skipped: number } | { ok: false; error: string }

export function formatOf(filename: string): TrackFormat | undefined {
  const ext = filename.toLowerCase().split('.').pop()
  return ext === 'gpx' ? 'gpx' : ext === 'geojson' || ext === 'json' ? 'geojson' : ext === 'csv' ? 'csv' : undefined
}

export function parseTrack(text: string, format: TrackFormat): ParsedTrack {
  let raw: { t: unknown; lat: unknown; lon: unknown }[]
  try {
    raw = format === 'csv' ? fromCsv(text) : fromGeoJson(format === 'gpx' ? gpxToGeoJson(text) : JSON.parse(text))
  } catch (err) {
    return { ok: false, error: `not a readable ${format} track: ${(err as Error).message}` }
  }
  const points: TrackPoint[] = []
  for (const r of raw) {
    const t = toTime(r.t)
    const lat = Number(r.lat)
    const lon = Number(r.lon)
    if (t !== undefined && Number.isFinite(lat) && Number.isFinite(lon) && Math.abs(lat) <= 90 && Math.abs(lon) <= 180)
      points.push({ t, lat, lon })
  }
  if (points.length === 0)
    return { ok: false, error: `no points with a time, latitude and longitude in the ${format} track` }
  return { ok: true, points: points.sort((a, b) => a.t - b.t), skipped: raw.length - points.length }
}

function gpxToGeoJson(text: string): unknown {
  const doc = new DOMParser().parseFromString(text, 'text/xml')
  return gpx(doc as unknown as Document)
}

interface Feature {
  geometry?: { type: string; coordinates: unknown }
  properties?: Record<string, unknown> | null
}

function fromGeoJson(doc: unknown): { t: unknown; lat: unknown; lon: unknown }[] {
  const d = doc as { type?: string; features?: Feature[] } & Feature
  const features = d.type === 'FeatureCollection' ? (d.features ?? []) : [d]
  const out: { t: unknown; lat: unknown; lon: unknown }[] = []
  for (const f of features) {
    const props = f.properties ?? {}
    if (f.geometry?.type === 'LineString') {
      const coords = f.geometry.coordinates as number[][]
      const times = ((props.coordinateProperties as { times?: unknown[] } | undefined)?.times ??
        props.coordTimes ??
        props.times ??
        []) as unknown[]
      for (const [i, c] of coords.entries()) out.push({ t: times[i], lat: c[1], lon: c[0] })
    } else if (f.geometry?.type === 'Point') {
      const c = f.geometry.coordinates as number[]
      out.push({ t: props.time ?? props.timestamp, lat: c[1], lon: c[0] })
    }
  }
  return out
}

function fromCsv(text: string): { t: unknown; lat: unknown; lon: unknown }[] {
  const rows = parseCsv(text, {
    columns: (h: string[]) => h.map((x) => x.trim().toLowerCase()),
    skip_empty_lines: true,
    trim: true,
  }) as Record<string, string>[]
  const pick = (row: Record<string, string>, names: string[]) => names.map((n) => row[n]).find((v) => v !== undefined)
  return rows.map((row) => ({
    t: pick(row, ['time', 'timestamp', 'ts', 'datetime', 'date']),
    lat: pick(row, ['lat', 'latitude']),
    lon: pick(row, ['lon', 'lng', 'long', 'longitude']),
  }))
}

/** ISO 8601, or Unix time in seconds or milliseconds. */
function toTime(v: unknown): number | undefined {
  if (v === undefined || v === null || v === '') return undefined
  const n = Number(v)
  if (Number.isFinite(n)) return n > 1e11 ? n : n * 1000
  const t = Date.parse(String(v))
  return Number.isNaN(t) ? undefined : t
}

/** The track as a band's fixes, its first point at `start`. */
export function* replayEvents(points: readonly TrackPoint[], bandId: string, start: number): Generator<RunEvent> {
  const shift = start - points[0]!.t
  for (const [seq, p] of points.entries()) {
    const t = p.t + shift
    yield {
      t,
      bandId,
      type: 'publish',
      payload: JSON.stringify({ v: 1, seq, ts: t / 1000, lat: p.lat, lon: p.lon, acc: 8, src: 'gps' }),
    }
  }
}
