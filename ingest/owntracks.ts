// OwnTracks compatibility: a phone running the OwnTracks app (https://owntracks.org/booklet/tech/json/)
// can stand in for a band. It publishes `_type: location` JSON to `owntracks/{user}/{device}`;
// configured with username = band id, its messages map onto band protocol v1 and go through the
// same validation. Other message types (waypoints, transitions, cards, its last will) are skipped;
// an encrypted message (the app's payload encryption) or one that is not OwnTracks is rejected.
import { decodeTelemetry, type DecodeOptions, type DecodeResult, type MappedItem } from './codec.ts'

/**
 * The iOS app may attach a photo to a location (`image`, base64, ~24 KB); the location is kept,
 * the image is not. Bounded below the embedded broker's 64 KiB packet limit (connection-guard.aedes.ts).
 */
export const OWNTRACKS_MAX_PAYLOAD_BYTES = 60 * 1024
/** The app's message types other than a location (booklet, "JSON"): accepted, not stored. */
const OTHER_TYPES = new Set([
  'waypoint',
  'waypoints',
  'transition',
  'lwt',
  'card',
  'cmd',
  'configuration',
  'steps',
  'beacon',
  'request',
  'status',
  'dump',
  'clear',
])

const SEQ_SPACE = 2 ** 32
/** OwnTracks `bs`: 0 unknown, 1 unplugged, 2 charging, 3 full. */
const CHARGING = 2

const ENCRYPTED = 'OwnTracks payload encryption is on'

function toV1(item: unknown): MappedItem {
  if (typeof item !== 'object' || item === null || Array.isArray(item)) return { fix: item } // rejected as not_object
  const o = item as Record<string, unknown>
  if (o._type === 'encrypted') return { rejected: { reason: 'encrypted', detail: ENCRYPTED } }
  if (typeof o._type === 'string' && OTHER_TYPES.has(o._type)) return { skip: true }
  if (o._type !== 'location') {
    const detail = o._type === undefined ? '_type missing' : `_type ${JSON.stringify(o._type).slice(0, 24)}`
    return { rejected: { reason: 'not_owntracks', detail } }
  }
  const kmh = o.vel
  return {
    fix: {
      v: 1,
      // OwnTracks has no sequence number; the fix time identifies a report, so a redelivery is stored once.
      seq: typeof o.tst === 'number' && Number.isInteger(o.tst) ? o.tst % SEQ_SPACE : 0,
      ts: o.tst,
      lat: o.lat,
      lon: o.lon,
      acc: o.acc,
      batt: o.batt,
      chg: typeof o.bs === 'number' && o.bs > 0 ? o.bs === CHARGING : undefined,
      spd: typeof kmh === 'number' ? kmh / 3.6 : kmh,
      hdg: o.cog,
    },
  }
}

export function decodeOwnTracks(bandId: string, payload: Uint8Array, opts: DecodeOptions): DecodeResult {
  return decodeTelemetry(bandId, payload, opts, toV1, OWNTRACKS_MAX_PAYLOAD_BYTES)
}
