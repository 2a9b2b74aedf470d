// OwnTracks compatibility: a phone running the OwnTracks app (https://owntracks.org/booklet/tech/json/)
// can stand in for a band. It publishes `_type: location` JSON to `owntracks/{user}/{device}`;
// configured with username = band id, its messages map onto band protocol v1 and go through the
// same validation. Other message types (waypoints, transitions, cards, its last will) are skipped.
import { decodeTelemetry, type DecodeOptions, type DecodeResult } from './codec.ts'

const SEQ_SPACE = 2 ** 32
/** OwnTracks `bs`: 0 unknown, 1 unplugged, 2 charging, 3 full. */
const CHARGING = 2

function toV1(item: unknown): unknown {
  if (typeof item !== 'object' || item === null || Array.isArray(item)) return item // rejected as not_object
  const o = item as Record<string, unknown>
  if (o._type !== 'location') return undefined
  const kmh = o.vel
  return {
    v: 1,
    // OwnTracks has no sequence number; the fix time identifies a report, so a redelivery is stored once.
    seq: typeof o.tst === 'number' && Number.isInteger(o.tst) ? o.tst % SEQ_SPACE : 0,
    ts: o.tst, lat: o.lat, lon: o.lon, acc: o.acc, batt: o.batt,
    chg: typeof o.bs === 'number' && o.bs > 0 ? o.bs === CHARGING : undefined,
    spd: typeof kmh === 'number' ? kmh / 3.6 : kmh,
    hdg: o.cog,
  }
}

export function decodeOwnTracks(bandId: string, payload: Uint8Array, opts: DecodeOptions): DecodeResult {
  return decodeTelemetry(bandId, payload, opts, toV1)
}
