// Writes reports in one statement per batch: INSERT … SELECT FROM unnest(typed arrays), the set
// insert Timescale recommends over multi-row VALUES; the batch goes as one array per column. A
// redelivered report (same band, fix time and seq) is skipped by the primary key, so duplicates
// are stored once. A report taken in an erased resident's time (erased_periods) is not stored at
// all: an erasure is final, even for a backlog the band sends later. Each band's current state
// (band_status) is kept by band-status-writer.ts.
import { notifyChunks, type Queryable } from '../infra/index.ts'
import type { Fix } from './fix.ts'

// Events go as one text per report ('sos,fall'; none: ''), since unnest flattens an array of arrays.
const INSERT = `INSERT INTO positions (band_id, fix_time, seq, lat, lon, acc, src, batt, chg, spd, hdg, evt)
  SELECT band_id, to_timestamp(ts / 1000.0), seq, lat, lon, acc, src, batt, chg, spd, hdg,
    string_to_array(NULLIF(evt, ''), ',')
  FROM unnest($1::text[], $2::float8[], $3::bigint[], $4::float8[], $5::float8[], $6::real[], $7::text[],
    $8::smallint[], $9::bool[], $10::real[], $11::real[], $12::text[])
    AS u(band_id, ts, seq, lat, lon, acc, src, batt, chg, spd, hdg, evt)
  WHERE NOT EXISTS (SELECT 1 FROM erased_periods e WHERE e.band_id = u.band_id
    AND to_timestamp(u.ts / 1000.0) >= e.from_time AND to_timestamp(u.ts / 1000.0) < e.to_time)
  ON CONFLICT DO NOTHING
  RETURNING 1`

/** The batch as INSERT's twelve parameters, one array per column (undefined goes as NULL). */
function columns(fixes: readonly Fix[]): unknown[][] {
  const cols: unknown[][] = Array.from({ length: 12 }, () => new Array(fixes.length))
  for (let i = 0; i < fixes.length; i++) {
    const f = fixes[i]!
    cols[0]![i] = f.bandId
    cols[1]![i] = f.ts
    cols[2]![i] = f.seq
    cols[3]![i] = f.lat ?? null
    cols[4]![i] = f.lon ?? null
    cols[5]![i] = f.acc ?? null
    cols[6]![i] = f.src ?? null
    cols[7]![i] = f.batt ?? null
    cols[8]![i] = f.chg ?? null
    cols[9]![i] = f.spd ?? null
    cols[10]![i] = f.hdg ?? null
    cols[11]![i] = f.evt.join(',')
  }
  return cols
}

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
        const r = await db.query<{ inserted: number }>(
          `WITH p AS (${INSERT}), n AS (SELECT pg_notify($13, c) FROM unnest($14::text[]) c)
           SELECT (SELECT count(*) FROM p)::int AS inserted, (SELECT count(*) FROM n)::int AS notified`,
          [...columns(fixes), notify, notifyChunks(fixes.map((f) => JSON.stringify(f)))],
        )
        return r.rows[0]!.inserted
      }
      const r = await db.query<{ inserted: number }>(
        `WITH p AS (${INSERT}) SELECT count(*)::int AS inserted FROM p`,
        columns(fixes),
      )
      return r.rows[0]!.inserted
    },
  }
}
