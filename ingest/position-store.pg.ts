// Writes reports in one statement per batch: INSERT … SELECT FROM json_to_recordset(…), a set
// insert like the unnest(arrays) Timescale recommends over multi-row VALUES. A redelivered
// report (same band, fix time and seq) is skipped by the primary key, so duplicates are stored
// once. A report taken in an erased resident's time (erased_periods) is not stored at all: an
// erasure is final, even for a backlog the band sends later. Each band's current state
// (band_status) is kept by band-status-writer.ts.
import { notifyChunks, type Queryable } from '../infra/index.ts'
import type { Fix } from './fix.ts'

export const INSERT_POSITIONS = `INSERT INTO positions (band_id, fix_time, seq, lat, lon, acc, src, batt, chg, spd, hdg, evt)
  SELECT "bandId", to_timestamp(ts / 1000.0), seq, lat, lon, acc, src, batt, chg, spd, hdg, NULLIF(evt, '{}')
  FROM json_to_recordset($1::json) AS u("bandId" text, ts float8, seq bigint, lat float8, lon float8, acc real,
       src text, batt smallint, chg bool, spd real, hdg real, evt text[])
  WHERE NOT EXISTS (SELECT 1 FROM erased_periods e WHERE e.band_id = u."bandId"
    AND to_timestamp(u.ts / 1000.0) >= e.from_time AND to_timestamp(u.ts / 1000.0) < e.to_time)
  ON CONFLICT DO NOTHING`

export interface PositionStore {
  /** Stores the fixes durably; returns how many were new (the rest were duplicates). */
  insert(fixes: readonly Fix[]): Promise<number>
}

/**
 * `notify`: a channel that also receives the batch (NOTIFY, in chunks) in the same statement, so
 * listeners hear of exactly what was made durable, and never of what was not.
 */
export function pgPositionStore(db: Queryable, notify?: string): PositionStore {
  return {
    async insert(fixes) {
      if (notify) {
        // Each fix serialised once, for the batch and for the notices.
        const texts = fixes.map((f) => JSON.stringify(f))
        const r = await db.query<{ inserted: number }>(
          `WITH p AS (${INSERT_POSITIONS} RETURNING 1), n AS (SELECT pg_notify($2, c) FROM unnest($3::text[]) c)
           SELECT (SELECT count(*) FROM p)::int AS inserted, (SELECT count(*) FROM n)::int AS notified`,
          [`[${texts.join(',')}]`, notify, notifyChunks(texts)],
          'tongxing_insert_positions_notify',
        )
        return r.rows[0]!.inserted
      }
      // The batch goes as one JSON parameter, unpacked by json_to_recordset: PostgreSQL's JSON
      // parser is cheaper than encoding a dozen typed arrays in JavaScript.
      // Prepared once per connection on a server: planning it cost PostgreSQL more than a
      // dozen rows' insert (bench:write-path). The count of new rows is the command's own
      // (INSERT's row count leaves out those ON CONFLICT skipped), not a RETURNING row per
      // report counted in a CTE (bench:write-path --forms).
      const r = await db.query(INSERT_POSITIONS, [JSON.stringify(fixes)], 'tongxing_insert_positions')
      return r.rowCount ?? 0
    },
  }
}
