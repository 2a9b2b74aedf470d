// Outcomes in the database: one per alert, written with the resolution; read for the report.
import type { Queryable } from '../infra/index.ts'
import type { FoundBy, Outcome } from './outcome.ts'

export async function recordOutcome(db: Queryable, alertId: number, o: Outcome, userId: number): Promise<void> {
  await db.query(
    `INSERT INTO alert_outcomes (alert_id, found_by, found_at, minutes, lat, lon, recorded_by)
     VALUES ($1, $2, to_timestamp($3 / 1000.0), $4, $5, $6, $7)
     ON CONFLICT (alert_id) DO UPDATE SET found_by = EXCLUDED.found_by, found_at = EXCLUDED.found_at,
       minutes = EXCLUDED.minutes, lat = EXCLUDED.lat, lon = EXCLUDED.lon, recorded_by = EXCLUDED.recorded_by,
       recorded_at = now()`,
    [alertId, o.foundBy, o.foundAt, o.minutes, o.lat, o.lon, userId],
  )
}

/** Outcomes of alerts of these centres' residents (undefined: all). */
export async function outcomeRows(
  db: Queryable,
  centreIds: readonly number[] | undefined,
): Promise<{ foundBy: FoundBy; minutes: number }[]> {
  const r = await db.query<{ found_by: FoundBy; minutes: number }>(
    `SELECT o.found_by, o.minutes FROM alert_outcomes o
     JOIN alerts a ON a.id = o.alert_id JOIN residents r ON r.id = a.resident_id
     WHERE $1::bigint[] IS NULL OR r.care_centre_id = ANY($1)`,
    [centreIds ?? null],
  )
  return r.rows.map((x) => ({ foundBy: x.found_by, minutes: Number(x.minutes) }))
}
