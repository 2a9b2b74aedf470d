// Topic names of band protocol v1 (see docs/band-protocol.md).
import { Type } from 'typebox'

/** A band id: letters, digits, `_` and `-`, 1 to 64 of them (an IMEI is 15 digits). Used in topics and the API. */
export const BAND_ID_PATTERN = '^[A-Za-z0-9_-]{1,64}$'
export const BAND_ID = new RegExp(BAND_ID_PATTERN)
/** The same, as a schema for routes and documents (one definition: this one). */
export const BandIdSchema = Type.String({
  pattern: BAND_ID_PATTERN,
  description: 'band id (letters, digits, _ and -; up to 64)',
})

export type BandTopic =
  | { kind: 'telemetry'; bandId: string }
  | { kind: 'status'; bandId: string }
  | { kind: 'cmd'; bandId: string }
  /** OwnTracks: `owntracks/{user}/{device}`, where the user is the band id. */
  | { kind: 'owntracks'; bandId: string }
  /** The app's other topics under its own (`…/{device}/waypoints`, `/event`…): allowed, not stored. */
  | { kind: 'owntracks_other'; bandId: string }
  /** `owntracks/{user}/{device}/cmd`: the app subscribes to it for commands ("report location"). */
  | { kind: 'owntracks_cmd'; bandId: string }

const KINDS = new Set(['telemetry', 'status', 'cmd'])

/** `bands/{bandId}/{telemetry|status|cmd}` or `owntracks/{bandId}/{device}` → its parts; anything else → undefined. */
export function parseBandTopic(topic: string): BandTopic | undefined {
  const parts = topic.split('/')
  if (parts[0] === 'owntracks' && parts.length >= 3 && BAND_ID.test(parts[1]!) && parts[2]!.length > 0) {
    const cmd = parts.length === 4 && parts[3] === 'cmd'
    const kind = parts.length === 3 ? 'owntracks' : cmd ? 'owntracks_cmd' : 'owntracks_other'
    return { kind, bandId: parts[1]! }
  }
  if (parts.length !== 3 || parts[0] !== 'bands') return undefined
  const [, bandId, kind] = parts as [string, string, string]
  if (!BAND_ID.test(bandId) || !KINDS.has(kind)) return undefined
  return { kind: kind as BandTopic['kind'], bandId }
}
