// band_status in the database: the newest position, battery and events (from
// band-status-writer.ts), online/offline from the band's status topic, and reading the current
// state of the bands a viewer may see. When a band changes hands its state starts again empty
// (a trigger, migration 015) and keeps out anything from before (wearer_since).
import type { Queryable } from '../infra/index.ts'
import type { StatusUpdate } from './band-status.ts'

/**
 * A part of band_status moves only to a newer fix time (SET sees the row as it was), and never to
 * one from before the band's current wearer had it (a late backlog from the previous wearer's time).
 */
const forward = (time: string, columns: string[]) =>
  columns.map(
    (c) =>
      `${c} = CASE WHEN (EXCLUDED.${time} > band_status.${time} OR band_status.${time} IS NULL)
    AND EXCLUDED.${time} >= COALESCE(band_status.wearer_since, '-infinity')
    THEN EXCLUDED.${c} ELSE band_status.${c} END`,
  )

const STATUS_UPDATE = [
  'last_seen_at = GREATEST(band_status.last_seen_at, EXCLUDED.last_seen_at)',
  ...forward('fix_time', ['lat', 'lon', 'acc', 'src', 'fix_time']),
  ...forward('batt_time', ['batt', 'chg', 'batt_time']),
  ...forward('evt_time', ['evt', 'evt_time']),
].join(',\n    ')

/**
 * Brings band_status up to date with reports heard at `heardAt`: each part only moves forward in
 * fix time, so a late backlog never replaces a newer position. Rows are written in band order,
 * so two writers never deadlock.
 */
export async function upsertBandStatus(
  db: Queryable,
  updates: readonly StatusUpdate[],
  heardAt: number,
): Promise<void> {
  if (updates.length === 0) return
  const rows = [...updates]
    .sort((a, b) => (a.bandId < b.bandId ? -1 : a.bandId > b.bandId ? 1 : 0))
    .map((u) => ({
      bandId: u.bandId,
      fixTs: u.position?.ts,
      lat: u.position?.lat,
      lon: u.position?.lon,
      acc: u.position?.acc,
      src: u.position?.src,
      battTs: u.battery?.ts,
      batt: u.battery?.batt,
      chg: u.battery?.chg,
      evtTs: u.events?.ts,
      evt: u.events?.evt,
    }))
  await db.query(
    `INSERT INTO band_status AS band_status (band_id, last_seen_at, fix_time, lat, lon, acc, src, batt_time, batt, chg, evt_time, evt)
     SELECT "bandId", to_timestamp($2 / 1000.0), to_timestamp("fixTs" / 1000.0), lat, lon, acc, src, to_timestamp("battTs" / 1000.0), batt, chg,
            to_timestamp("evtTs" / 1000.0), evt
     FROM json_to_recordset($1::json) AS u("bandId" text, "fixTs" float8, lat float8, lon float8, acc real, src text,
          "battTs" float8, batt smallint, chg bool, "evtTs" float8, evt text[])
     WHERE EXISTS (SELECT 1 FROM bands WHERE id = "bandId")
     ON CONFLICT (band_id) DO UPDATE SET
    ${STATUS_UPDATE}`,
    [JSON.stringify(rows), heardAt],
    'tongxing_upsert_band_status',
  )
}

export async function setBandOnline(db: Queryable, bandId: string, online: boolean): Promise<void> {
  await db.query(
    `INSERT INTO band_status (band_id, online, status_at) SELECT $1, $2, now() WHERE EXISTS (SELECT 1 FROM bands WHERE id = $1)
     ON CONFLICT (band_id) DO UPDATE SET online = EXCLUDED.online, status_at = EXCLUDED.status_at`,
    [bandId, online],
  )
}

export interface BandStatus {
  bandId: string
  residentId: number | null
  residentName: string | null
  careCentreId: number | null
  lastSeenAt: number | null
  online: boolean | null
  statusAt: number | null
  position: { fixTime: number; lat: number; lon: number; acc: number | null; src: string | null } | null
  battery: { time: number; pct: number; charging: boolean | null } | null
  events: { time: number; evt: string[] } | null
}

type Row = {
  band_id: string
  resident_id: number | null
  display_name: string | null
  care_centre_id: number | null
  last_seen_at: Date | null
  online: boolean | null
  status_at: Date | null
  fix_time: Date | null
  lat: number | null
  lon: number | null
  acc: number | null
  src: string | null
  batt_time: Date | null
  batt: number | null
  chg: boolean | null
  evt_time: Date | null
  evt: string[] | null
}

/**
 * The current state of every band (of these residents, when given: bands given to nobody are then
 * left out, as the admins' business only), without touching history.
 */
export async function listBandStatus(db: Queryable, residentIds?: readonly number[]): Promise<BandStatus[]> {
  const r = await db.query<Row>(
    `SELECT b.id AS band_id, b.resident_id, r.display_name, r.care_centre_id, s.last_seen_at, s.online, s.status_at, s.fix_time, s.lat, s.lon,
            s.acc, s.src, s.batt_time, s.batt, s.chg, s.evt_time, s.evt
     FROM bands b LEFT JOIN band_status s ON s.band_id = b.id LEFT JOIN residents r ON r.id = b.resident_id
     WHERE $1::bigint[] IS NULL OR b.resident_id = ANY($1)
     ORDER BY b.id`,
    [residentIds ?? null],
  )
  return r.rows.map((x) => ({
    bandId: x.band_id,
    residentId: x.resident_id === null ? null : Number(x.resident_id),
    residentName: x.display_name,
    careCentreId: x.care_centre_id === null ? null : Number(x.care_centre_id),
    lastSeenAt: x.last_seen_at?.getTime() ?? null,
    online: x.online,
    statusAt: x.status_at?.getTime() ?? null,
    position:
      x.fix_time && x.lat !== null && x.lon !== null
        ? { fixTime: x.fix_time.getTime(), lat: x.lat, lon: x.lon, acc: x.acc, src: x.src }
        : null,
    battery: x.batt_time && x.batt !== null ? { time: x.batt_time.getTime(), pct: x.batt, charging: x.chg } : null,
    events: x.evt_time && x.evt ? { time: x.evt_time.getTime(), evt: x.evt } : null,
  }))
}

/** Whose band this is (for scope checks); undefined if there is no such band. */
export async function bandOwner(
  db: Queryable,
  bandId: string,
): Promise<{ residentId: number; careCentreId: number | null } | null | undefined> {
  const r = await db.query<{ resident_id: number | null; care_centre_id: number | null }>(
    'SELECT b.resident_id, r.care_centre_id FROM bands b LEFT JOIN residents r ON r.id = b.resident_id WHERE b.id = $1',
    [bandId],
  )
  const row = r.rows[0]
  if (!row) return undefined
  return row.resident_id === null
    ? null
    : {
        residentId: Number(row.resident_id),
        careCentreId: row.care_centre_id === null ? null : Number(row.care_centre_id),
      }
}
