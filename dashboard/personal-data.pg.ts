// Everything held about a resident: exported for the family on request, and erased when they
// withdraw consent (positions, band state and commands, alerts, zones, family links, history
// views, the resident). Only the fact of the erasure is kept. The band itself stays provisioned,
// unassigned and without history, ready for someone else.
import type { Db, Queryable } from '../infra/index.ts'

const q = async <T extends Record<string, unknown>>(db: Queryable, sql: string, params: unknown[]) => (await db.query<T>(sql, params)).rows

export async function exportResident(db: Queryable, residentId: number): Promise<Record<string, unknown> | undefined> {
  const [resident] = await q(db, `SELECT r.id, r.display_name, r.created_at, c.name AS care_centre FROM residents r LEFT JOIN care_centres c ON c.id = r.care_centre_id WHERE r.id = $1`, [residentId])
  if (!resident) return undefined
  const bands = await q<{ id: string }>(db, 'SELECT id, provisioned_at FROM bands WHERE resident_id = $1', [residentId])
  const bandIds = bands.map((b) => b.id)
  return {
    exportedAt: new Date().toISOString(),
    resident,
    bands,
    bandStatus: await q(db, 'SELECT * FROM band_status WHERE band_id = ANY($1)', [bandIds]),
    positions: await q(db, 'SELECT band_id, fix_time, seq, received_at, lat, lon, acc, src, batt, chg, spd, hdg, evt FROM positions WHERE band_id = ANY($1) ORDER BY fix_time', [bandIds]),
    zones: await q(db, 'SELECT id, name, kind, shape, schedule, policy, created_at FROM zones WHERE resident_id = $1', [residentId]),
    alerts: await q(db, 'SELECT * FROM alerts WHERE resident_id = $1 ORDER BY id', [residentId]),
    commands: await q(db, 'SELECT * FROM band_commands WHERE band_id = ANY($1) ORDER BY id', [bandIds]),
    familyLinks: await q(db, 'SELECT u.username FROM user_residents l JOIN users u ON u.id = l.user_id WHERE l.resident_id = $1', [residentId]),
    historyViews: await q(db, 'SELECT h.viewed_at, h.from_time, h.to_time, u.username FROM history_views h LEFT JOIN users u ON u.id = h.user_id WHERE h.resident_id = $1 ORDER BY h.id', [residentId]),
  }
}

/** Erases the resident and everything about them, in one transaction; returns what was removed, or undefined if there was no such resident. */
export async function eraseResident(db: Db, residentId: number, erasedBy: number): Promise<Record<string, number> | undefined> {
  return db.tx(async (c) => {
    const found = await c.query('SELECT 1 FROM residents WHERE id = $1 FOR UPDATE', [residentId])
    if (found.rowCount === 0) return undefined
    const bandIds = (await c.query<{ id: string }>('SELECT id FROM bands WHERE resident_id = $1', [residentId])).rows.map((b) => b.id)
    const counts: Record<string, number> = {}
    const del = async (name: string, sql: string, params: unknown[]) => { counts[name] = (await c.query(sql, params)).rowCount ?? 0 }
    await del('positions', 'DELETE FROM positions WHERE band_id = ANY($1)', [bandIds])
    await del('bandStatus', 'DELETE FROM band_status WHERE band_id = ANY($1)', [bandIds])
    await del('commands', 'DELETE FROM band_commands WHERE band_id = ANY($1)', [bandIds])
    await del('alerts', 'DELETE FROM alerts WHERE resident_id = $1', [residentId])
    await del('zones', 'DELETE FROM zones WHERE resident_id = $1', [residentId])
    await del('familyLinks', 'DELETE FROM user_residents WHERE resident_id = $1', [residentId])
    await del('historyViews', 'DELETE FROM history_views WHERE resident_id = $1', [residentId])
    await del('bandsUnassigned', 'UPDATE bands SET resident_id = NULL WHERE resident_id = $1', [residentId])
    await del('resident', 'DELETE FROM residents WHERE id = $1', [residentId])
    await c.query('INSERT INTO erasures (resident_id, erased_by, counts) VALUES ($1, $2, $3)', [residentId, erasedBy, JSON.stringify(counts)])
    return counts
  })
}
