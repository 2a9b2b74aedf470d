// Helpers for the finding tests (search links, responders): a wander in progress — fixes the band
// really sends over MQTT, stored — and a wander alert opened for the resident.
import type { Service } from '../../bin/service.ts'
import { raiseAlert } from '../../geofence/index.ts'
import { BAND, connectBand, fixNorth } from './fixtures.ts'
import { eventually } from './service.ts'
import type { World } from './world.ts'

/** The band reports a fix `north` metres north of home at `tsMs`; resolves once it is stored. */
export async function bandReports(service: Service, seq: number, north: number, tsMs: number): Promise<void> {
  const band = await connectBand(service.mqttPort!, BAND)
  await band.publishAsync(`bands/${BAND.id}/telemetry`, JSON.stringify(fixNorth(seq, north, tsMs)), { qos: 1 })
  await band.endAsync()
  await eventually(
    async () =>
      (await service.db.query('SELECT 1 FROM positions WHERE band_id = $1 AND seq = $2', [BAND.id, seq])).rows.length >
      0,
  )
}

/** Opens a wander alert (left_safe_zone) for the world's resident, or another kind. */
export async function openAlert(service: Service, world: World, kind: 'left_safe_zone' | 'sos' = 'left_safe_zone') {
  const change = await raiseAlert(service.db, {
    residentId: world.resident,
    bandId: BAND.id,
    zoneId: kind === 'left_safe_zone' ? world.zone : null,
    kind,
    fixTime: Date.now(),
    evidence: { test: true },
  })
  return change!.alert.id
}

export const api =
  (service: Service) =>
  (path: string, cookie?: string, init: RequestInit = {}) =>
    fetch(`http://127.0.0.1:${service.httpPort}${path}`, {
      ...init,
      headers: {
        ...(cookie ? { cookie } : {}),
        ...(init.body && typeof init.body === 'string' ? { 'content-type': 'application/json' } : {}),
        ...(init.headers as Record<string, string> | undefined),
      },
    })

/** A tiny valid JPEG header and PNG signature, enough for the type check (the service does not decode). */
export const JPEG_BYTES = Buffer.from([
  0xff, 0xd8, 0xff, 0xe0, 0x00, 0x10, 0x4a, 0x46, 0x49, 0x46, 0x00, 0x01, 0xff, 0xd9,
])
