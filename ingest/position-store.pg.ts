// Writes reports in one statement per batch: INSERT … SELECT FROM unnest(arrays), which
// Timescale measures at about twice multi-row VALUES. A redelivered report (same band, fix
// time and seq) is skipped by the primary key, so duplicates are stored once.
import type { Queryable } from '../infra/index.ts'
import type { Fix } from './fix.ts'

export interface PositionStore {
  /** Stores the fixes durably; returns how many were new (the rest were duplicates). */
  insert(fixes: readonly Fix[]): Promise<number>
}

export function pgPositionStore(db: Queryable): PositionStore {
  return {
    async insert(fixes) {
      const col = <K extends keyof Fix>(k: K) => fixes.map((f) => f[k] ?? null)
      const r = await db.query(
        `INSERT INTO positions (band_id, fix_time, seq, lat, lon, acc, src, batt, chg, spd, hdg, evt)
         SELECT b, to_timestamp(t / 1000.0), s, la, lo, a, sr, ba, c, sp, h,
                CASE WHEN e = '' THEN NULL ELSE string_to_array(e, ',') END
         FROM unnest($1::text[], $2::float8[], $3::bigint[], $4::float8[], $5::float8[], $6::real[],
                     $7::text[], $8::smallint[], $9::bool[], $10::real[], $11::real[], $12::text[])
              AS u(b, t, s, la, lo, a, sr, ba, c, sp, h, e)
         ON CONFLICT DO NOTHING`,
        [col('bandId'), col('ts'), col('seq'), col('lat'), col('lon'), col('acc'), col('src'),
          col('batt'), col('chg'), col('spd'), col('hdg'), fixes.map((f) => f.evt.join(','))])
      return r.rowCount ?? 0
    },
  }
}
