// Everything held about a resident: exported for the family on request, and erased when they
// withdraw consent (positions, band state and commands, alerts and their notifications, contacts
// and their phone numbers, zones, family links, history views, the photo, the resident; search
// links and responder tasks go with the alerts). Only the fact of
// the erasure is kept. What a band reported belongs to the resident who wore it when the fix was
// taken (band_wearers): both go by those periods, whichever band it was and whoever wears it now.
// The bands stay provisioned, ready for someone else.
import type { Db, Queryable } from '../infra/index.ts'

const q = async <T extends Record<string, unknown>>(db: Queryable, sql: string, params: unknown[]) =>
  (await db.query<T>(sql, params)).rows

/** Rows (alias t) in one of the resident's periods (alias w) on their band, by `time` (the index serves it). */
const worn = (time: string) => `w.resident_id = $1 AND t.band_id = w.band_id
  AND t.${time} >= w.from_time AND (w.to_time IS NULL OR t.${time} < w.to_time)`

export async function exportResident(db: Queryable, residentId: number): Promise<Record<string, unknown> | undefined> {
  const [resident] = await q(
    db,
    `SELECT r.id, r.display_name, r.created_at, c.name AS care_centre
    FROM residents r LEFT JOIN care_centres c ON c.id = r.care_centre_id WHERE r.id = $1`,
    [residentId],
  )
  if (!resident) return undefined
  const about = async (sql: string) => q(db, sql, [residentId])
  return {
    exportedAt: new Date().toISOString(),
    resident,
    // from_time null: from the band's first report.
    bands: await about(`SELECT band_id, CASE WHEN isfinite(from_time) THEN from_time END AS from_time, to_time
      FROM band_wearers WHERE resident_id = $1 ORDER BY from_time`),
    bandStatus: await about('SELECT s.* FROM band_status s JOIN bands b ON b.id = s.band_id WHERE b.resident_id = $1'),
    positions: await about(`SELECT band_id, fix_time, seq, received_at, lat, lon, acc, src, batt, chg, spd, hdg, evt
      FROM resident_positions WHERE resident_id = $1 ORDER BY fix_time`),
    zones: await about('SELECT id, name, kind, shape, schedule, policy, created_at FROM zones WHERE resident_id = $1'),
    alerts: await about('SELECT * FROM alerts WHERE resident_id = $1 ORDER BY id'),
    // Phone numbers are personal data: the contact list, and where each notification went.
    contacts: await about(`SELECT position, name, relation, phone, user_id, channels FROM resident_contacts
      WHERE resident_id = $1 ORDER BY position`),
    notifications:
      await about(`SELECT d.alert_id, d.recipient_name, d.channel, d.address, d.template, d.status, d.created_at,
      d.sent_at FROM deliveries d JOIN alerts a ON a.id = d.alert_id WHERE a.resident_id = $1 ORDER BY d.id`),
    commands: await about(`SELECT t.* FROM band_commands t, band_wearers w
      WHERE ${worn('requested_at')} ORDER BY t.id`),
    familyLinks: await about(`SELECT u.username FROM user_residents l JOIN users u ON u.id = l.user_id
      WHERE l.resident_id = $1`),
    historyViews: await about(`SELECT viewed_at, from_time, to_time, username FROM history_views
      WHERE resident_id = $1 ORDER BY id`),
    // Issue 19: the photo shown to helpers, the search links made for their alerts and each open.
    photo: await about(`SELECT content_type, encode(bytes, 'base64') AS base64, updated_at FROM resident_photos
      WHERE resident_id = $1`),
    searchLinks: await about(`SELECT l.id, l.alert_id, l.note, l.created_at, l.expires_at, l.revoked_at,
      (SELECT array_agg(o.at ORDER BY o.at) FROM search_link_opens o WHERE o.link_id = l.id) AS opens
      FROM search_links l JOIN alerts a ON a.id = l.alert_id WHERE a.resident_id = $1 ORDER BY l.id`),
  }
}

export interface Erasure {
  /** Rows removed, by kind. */
  counts: Record<string, number>
  /** The bands the resident wore, and when (epoch ms; from -Infinity, to Infinity while still worn). */
  periods: { bandId: string; from: number; to: number }[]
}

/** Erases the resident and everything about them, in one transaction; undefined if there was no such resident. */
export async function eraseResident(db: Db, residentId: number, erasedBy: number): Promise<Erasure | undefined> {
  const erased = await db.tx(async (c) => {
    const found = await c.query('SELECT 1 FROM residents WHERE id = $1 FOR UPDATE', [residentId])
    if (found.rowCount === 0) return undefined
    const wore = await c.query<{ band_id: string; f: number; t: number | null }>(
      `SELECT band_id, extract(epoch FROM from_time)::float8 * 1000 AS f,
              extract(epoch FROM to_time)::float8 * 1000 AS t FROM band_wearers WHERE resident_id = $1`,
      [residentId],
    )
    const periods = wore.rows.map((p) => ({ bandId: p.band_id, from: p.f, to: p.t ?? Infinity }))
    const counts: Record<string, number> = {}
    const del = async (name: string, sql: string) => {
      counts[name] = (await c.query(sql, [residentId])).rowCount ?? 0
    }
    await del('positions', `DELETE FROM positions t USING band_wearers w WHERE ${worn('fix_time')}`)
    await del('bandStatus', 'DELETE FROM band_status WHERE band_id IN (SELECT id FROM bands WHERE resident_id = $1)')
    await del('commands', `DELETE FROM band_commands t USING band_wearers w WHERE ${worn('requested_at')}`)
    await del('notifications', 'DELETE FROM deliveries d USING alerts a WHERE a.id = d.alert_id AND a.resident_id = $1')
    await del('contacts', 'DELETE FROM resident_contacts WHERE resident_id = $1')
    await del('alerts', 'DELETE FROM alerts WHERE resident_id = $1')
    await del('zones', 'DELETE FROM zones WHERE resident_id = $1')
    await del('familyLinks', 'DELETE FROM user_residents WHERE resident_id = $1')
    await del('historyViews', 'DELETE FROM history_views WHERE resident_id = $1')
    await del('photo', 'DELETE FROM resident_photos WHERE resident_id = $1')
    // The bands' periods stay without the resident (ON DELETE SET NULL): a late backlog from their time is nobody's.
    await del('bandsUnassigned', 'UPDATE bands SET resident_id = NULL WHERE resident_id = $1')
    // Kept without the person: reports from their time that arrive later are not stored again.
    await c.query(
      `INSERT INTO erased_periods (band_id, from_time, to_time)
      SELECT band_id, from_time, COALESCE(to_time, now()) FROM band_wearers WHERE resident_id = $1`,
      [residentId],
    )
    await del('resident', 'DELETE FROM residents WHERE id = $1')
    await c.query('INSERT INTO erasures (resident_id, erased_by, counts) VALUES ($1, $2, $3)', [
      residentId,
      erasedBy,
      JSON.stringify(counts),
    ])
    return { counts, periods }
  })
  if (erased) await forgetHours(db, erased.periods)
  return erased
}

/**
 * TimescaleDB's hourly aggregate keeps what it materialised: recompute the erased periods' hours
 * (from positions, now without them). A refresh cannot run inside a transaction, so it follows the
 * erasure; plain PostgreSQL's positions_hourly is a view and holds nothing.
 */
async function forgetHours(db: Db, periods: Erasure['periods']): Promise<void> {
  const ts = await db.query(`SELECT 1 FROM pg_extension WHERE extname = 'timescaledb'`)
  if (!ts.rowCount) return
  for (const p of periods) {
    const hour = (ms: number, after: boolean) =>
      Number.isFinite(ms)
        ? new Date(Math.floor(ms / 3_600_000) * 3_600_000 + (after ? 3_600_000 : 0)).toISOString()
        : null
    const to = Number.isFinite(p.to) ? p.to : Date.now()
    await db.query(`CALL refresh_continuous_aggregate('positions_hourly', $1::timestamptz, $2::timestamptz)`, [
      hour(p.from, false),
      hour(to, true),
    ])
  }
}

/** Records that an admin exported the resident's data. */
export async function recordExport(db: Queryable, residentId: number, by: { userId: number; username: string }) {
  await db.query('INSERT INTO data_exports (resident_id, user_id, username) VALUES ($1, $2, $3)', [
    residentId,
    by.userId,
    by.username,
  ])
}

export interface ExportRecord {
  userId: number | null
  username: string
  exportedAt: number
}

export async function listExports(db: Queryable, residentId: number, limit: number): Promise<ExportRecord[]> {
  const r = await db.query<{ user_id: number | null; username: string; exported_at: Date }>(
    'SELECT user_id, username, exported_at FROM data_exports WHERE resident_id = $1 ORDER BY id DESC LIMIT $2',
    [residentId, limit],
  )
  return r.rows.map((x) => ({
    userId: x.user_id === null ? null : Number(x.user_id),
    username: x.username,
    exportedAt: x.exported_at.getTime(),
  }))
}
