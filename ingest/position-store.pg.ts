// Writes reports in one statement per batch: INSERT … SELECT FROM unnest(arrays), which
// Timescale measures at about twice multi-row VALUES. A redelivered report (same band, fix
// time and seq) is skipped by the primary key, so duplicates are stored once. The same
// statement brings each band's current state (band_status) up to date, so the two never
// disagree: a report that is acknowledged is in both.
import type { Queryable } from '../infra/index.ts'
import { statusUpdates } from './band-status.ts'
import type { Fix } from './fix.ts'

export interface PositionStore {
  /** Stores the fixes durably; returns how many were new (the rest were duplicates). */
  insert(fixes: readonly Fix[]): Promise<number>
}

/** A part of band_status moves only to a newer fix time. */
const forward = (time: string, columns: string[]) => columns.map((c) =>
  `${c} = CASE WHEN EXCLUDED.${time} > band_status.${time} OR band_status.${time} IS NULL THEN EXCLUDED.${c} ELSE band_status.${c} END`)

const STATUS_UPDATE = [
  'last_seen_at = now()',
  // (SET expressions all see the row as it was, so each group compares against the old time.)
  ...forward('fix_time', ['lat', 'lon', 'acc', 'src', 'fix_time']),
  ...forward('batt_time', ['batt', 'chg', 'batt_time']),
  ...forward('evt_time', ['evt', 'evt_time']),
].join(',\n  ')

export function pgPositionStore(db: Queryable): PositionStore {
  return {
    async insert(fixes) {
      const col = <K extends keyof Fix>(k: K) => fixes.map((f) => f[k] ?? null)
      const st = statusUpdates(fixes)
      const ms = (f: Fix | undefined) => f?.ts ?? null
      const r = await db.query<{ inserted: number }>(
        `WITH p AS (
           INSERT INTO positions (band_id, fix_time, seq, lat, lon, acc, src, batt, chg, spd, hdg, evt)
           SELECT b, to_timestamp(t / 1000.0), s, la, lo, a, sr, ba, c, sp, h,
                  CASE WHEN e = '' THEN NULL ELSE string_to_array(e, ',') END
           FROM unnest($1::text[], $2::float8[], $3::bigint[], $4::float8[], $5::float8[], $6::real[],
                       $7::text[], $8::smallint[], $9::bool[], $10::real[], $11::real[], $12::text[])
                AS u(b, t, s, la, lo, a, sr, ba, c, sp, h, e)
           ON CONFLICT DO NOTHING
           RETURNING 1),
         s AS (
           INSERT INTO band_status AS band_status (band_id, last_seen_at, fix_time, lat, lon, acc, src, batt_time, batt, chg, evt_time, evt)
           SELECT b, now(), to_timestamp(pt / 1000.0), la, lo, a, sr, to_timestamp(bt / 1000.0), ba, c, to_timestamp(et / 1000.0),
                  CASE WHEN e IS NULL THEN NULL ELSE string_to_array(e, ',') END
           FROM unnest($13::text[], $14::float8[], $15::float8[], $16::float8[], $17::real[], $18::text[],
                       $19::float8[], $20::smallint[], $21::bool[], $22::float8[], $23::text[])
                AS u(b, pt, la, lo, a, sr, bt, ba, c, et, e)
           WHERE EXISTS (SELECT 1 FROM bands WHERE id = b)
           ON CONFLICT (band_id) DO UPDATE SET
  ${STATUS_UPDATE})
         SELECT count(*)::int AS inserted FROM p`,
        [col('bandId'), col('ts'), col('seq'), col('lat'), col('lon'), col('acc'), col('src'),
          col('batt'), col('chg'), col('spd'), col('hdg'), fixes.map((f) => f.evt.join(',')),
          st.map((u) => u.bandId), st.map((u) => ms(u.position)), st.map((u) => u.position?.lat ?? null),
          st.map((u) => u.position?.lon ?? null), st.map((u) => u.position?.acc ?? null), st.map((u) => u.position?.src ?? null),
          st.map((u) => ms(u.battery)), st.map((u) => u.battery?.batt ?? null), st.map((u) => u.battery?.chg ?? null),
          st.map((u) => ms(u.events)), st.map((u) => u.events?.evt.join(',') ?? null)])
      return r.rows[0]!.inserted
    },
  }
}
