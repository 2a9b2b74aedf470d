// Band protocol v1 telemetry decoding (README "Band protocol"). Pure: time is a parameter.
// A payload is one fix object or an array of them (a backlog upload). Good fixes in an
// array are kept even when others in it are rejected: bad input never loses good data.
import { EVENTS, SOURCES, type BandEvent, type Fix, type FixSource } from './fix.ts'

export const MAX_PAYLOAD_BYTES = 8 * 1024
export const MAX_BATCH = 500
const SEQ_MAX = 2 ** 32 - 1
const EARLIEST_TS = Date.UTC(2020, 0, 1) / 1000

export type RejectReason =
  | 'too_large'
  | 'bad_encoding'
  | 'bad_json'
  | 'empty_batch'
  | 'batch_too_long'
  | 'not_object'
  | 'unsupported_version'
  | 'missing_field'
  | 'bad_type'
  | 'out_of_range'
  | 'future_fix'
  | 'stale_fix'
  | 'unknown_event'
  | 'empty_report'
  | 'bad_status'
  | 'before_provisioning'
  | 'encrypted'
  | 'not_owntracks'

export interface Rejection {
  reason: RejectReason
  /** The field at fault, or a short description; never the payload itself. */
  detail: string
  /** Position in a batch, when the payload was an array. */
  index?: number
}

/** The good fixes of a payload and a rejection for each bad part (or for the whole). */
export interface DecodeResult {
  fixes: Fix[]
  rejected: Rejection[]
}

export interface DecodeOptions {
  /** Now, epoch milliseconds. */
  now: number
  /** Fixes time-stamped further ahead than this are rejected. */
  maxFutureMs: number
  /** Fixes taken before this (epoch ms; the band's provisioning, less a grace) are rejected. */
  notBefore?: number
}

const utf8 = new TextDecoder('utf-8', { fatal: true })

/** What another format (e.g. OwnTracks) makes of one JSON item: a v1 fix object, nothing (not a position),
 *  or a rejection. */
export type MappedItem = { fix: unknown } | { skip: true } | { rejected: Omit<Rejection, 'index'> }

/**
 * A band protocol v1 payload. `mapItem` (for other formats) turns each decoded JSON item into a
 * v1 fix object first; `maxBytes` is that format's own size limit.
 */
export function decodeTelemetry(
  bandId: string,
  payload: Uint8Array,
  opts: DecodeOptions,
  mapItem?: (item: unknown) => MappedItem,
  maxBytes = MAX_PAYLOAD_BYTES,
): DecodeResult {
  const whole = (reason: RejectReason, detail: string): DecodeResult => ({ fixes: [], rejected: [{ reason, detail }] })
  if (payload.byteLength > maxBytes) return whole('too_large', `${payload.byteLength} bytes > ${maxBytes}`)
  let text: string
  try {
    text = utf8.decode(payload)
  } catch {
    return whole('bad_encoding', 'payload is not UTF-8')
  }
  let body: unknown
  try {
    body = JSON.parse(text)
  } catch {
    return whole('bad_json', 'payload is not JSON')
  }
  const items = Array.isArray(body) ? body : [body]
  if (items.length === 0) return whole('empty_batch', 'empty array')
  if (items.length > MAX_BATCH) return whole('batch_too_long', `${items.length} fixes > ${MAX_BATCH}`)

  const fixes: Fix[] = []
  const rejected: Rejection[] = []
  items.forEach((raw, i) => {
    const mapped = mapItem ? mapItem(raw) : { fix: raw }
    if ('skip' in mapped) return
    const r = 'rejected' in mapped ? mapped.rejected : decodeFix(bandId, mapped.fix, opts)
    if ('reason' in r) rejected.push(Array.isArray(body) ? { ...r, index: i } : r)
    else fixes.push(r)
  })
  return { fixes, rejected }
}

function decodeFix(bandId: string, item: unknown, opts: DecodeOptions): Fix | Rejection {
  if (typeof item !== 'object' || item === null || Array.isArray(item))
    return { reason: 'not_object', detail: 'fix is not an object' }
  const o = item as Record<string, unknown>
  if (o.v !== 1) return { reason: 'unsupported_version', detail: `v=${JSON.stringify(o.v ?? null).slice(0, 16)}` }

  const seq = int(o, 'seq', 0, SEQ_MAX, true)
  if (typeof seq !== 'number') return seq
  const ts = num(o, 'ts', 0, Number.MAX_VALUE, true)
  if (typeof ts !== 'number') return ts
  if (ts < EARLIEST_TS) return { reason: 'stale_fix', detail: 'ts before 2020-01-01' }
  if (ts * 1000 > opts.now + opts.maxFutureMs) return { reason: 'future_fix', detail: 'ts too far in the future' }
  if (opts.notBefore !== undefined && ts * 1000 < opts.notBefore)
    return { reason: 'before_provisioning', detail: 'ts before the band was provisioned' }

  const fix: Fix = { bandId, seq, ts: Math.round(ts * 1000), evt: [] }
  if ((o.lat === undefined) !== (o.lon === undefined))
    return { reason: 'missing_field', detail: 'lat and lon come together' }
  if (o.lat !== undefined) {
    const lat = num(o, 'lat', -90, 90, true)
    if (typeof lat !== 'number') return lat
    const lon = num(o, 'lon', -180, 180, true)
    if (typeof lon !== 'number') return lon
    // 0,0 is what a GPS chip reports when it has no fix ("null island").
    if (lat === 0 && lon === 0) return { reason: 'out_of_range', detail: 'lat/lon 0,0 is no fix' }
    fix.lat = lat
    fix.lon = lon
  }
  for (const [field, min, max] of [
    ['acc', 0, 100_000],
    ['batt', 0, 100],
    ['spd', 0, 150],
    ['hdg', 0, 360],
  ] as const) {
    const v = num(o, field, min, max, false)
    if (typeof v === 'object') return v
    if (v !== undefined) fix[field] = v
  }
  if (o.src !== undefined) {
    if (!SOURCES.includes(o.src as FixSource)) return { reason: 'bad_type', detail: 'src must be gps, wifi or lbs' }
    fix.src = o.src as FixSource
  }
  if (o.chg !== undefined) {
    if (typeof o.chg !== 'boolean') return { reason: 'bad_type', detail: 'chg must be a boolean' }
    fix.chg = o.chg
  }
  if (o.evt !== undefined) {
    if (!Array.isArray(o.evt) || o.evt.length > EVENTS.length * 2)
      return { reason: 'bad_type', detail: 'evt must be a short array' }
    for (const e of o.evt) {
      if (!EVENTS.includes(e as BandEvent)) return { reason: 'unknown_event', detail: `evt ${String(e).slice(0, 16)}` }
    }
    fix.evt = [...new Set(o.evt as BandEvent[])]
  }
  if (fix.lat === undefined && fix.evt.length === 0 && fix.batt === undefined) {
    return { reason: 'empty_report', detail: 'neither position, events nor battery' }
  }
  return fix
}

function num(o: Record<string, unknown>, field: string, min: number, max: number, required: true): number | Rejection
function num(
  o: Record<string, unknown>,
  field: string,
  min: number,
  max: number,
  required: false,
): number | undefined | Rejection
function num(o: Record<string, unknown>, field: string, min: number, max: number, required: boolean) {
  const v = o[field]
  if (v === undefined) return required ? { reason: 'missing_field', detail: field } : undefined
  // JSON has no NaN or Infinity, but 1e999 parses to Infinity.
  if (typeof v !== 'number' || !Number.isFinite(v))
    return { reason: 'bad_type', detail: `${field} must be a finite number` }
  if (v < min || v > max) return { reason: 'out_of_range', detail: `${field} outside ${min}..${max}` }
  return v
}

function int(o: Record<string, unknown>, field: string, min: number, max: number, required: true): number | Rejection {
  const v = num(o, field, min, max, required)
  if (typeof v === 'number' && !Number.isInteger(v))
    return { reason: 'bad_type', detail: `${field} must be an integer` }
  return v
}
