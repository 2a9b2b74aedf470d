// The hand-off between geofence workers: engine states saved by the owner of a shard, the
// shard's checkpoint (every report received before it is reflected in the saved states), and
// the reports received since, which a new owner replays.
import type { Queryable } from '../infra/index.ts'
import { initialState, type BandState } from './engine.ts'
import { openAlertsByBand } from './alert-store.pg.ts'
import { fromOpenAlerts, type GeofenceFix } from './geofence.ts'

/** JSON has no -Infinity (a state that has seen no fix yet). */
const encode = (s: BandState) => JSON.stringify({ ...s, lastTs: Number.isFinite(s.lastTs) ? s.lastTs : null })
const decode = (j: BandState & { lastTs: number | null }): BandState => ({
  ...initialState(j.heardAt),
  ...j,
  lastTs: j.lastTs ?? -Infinity,
})

/** Saves the states and moves the shards' checkpoint to `lagMs` before now, in one transaction. */
export async function saveStates(
  db: Queryable,
  states: readonly [string, BandState][],
  shards: readonly number[],
  lagMs: number,
): Promise<void> {
  await db.query(
    `WITH s AS (
       INSERT INTO geofence_states (band_id, state, saved_at)
       SELECT b, s::jsonb, now() FROM unnest($1::text[], $2::text[]) AS u(b, s)
       ON CONFLICT (band_id) DO UPDATE SET state = EXCLUDED.state, saved_at = EXCLUDED.saved_at
       RETURNING 1)
     INSERT INTO geofence_shards (shard, checkpoint)
     SELECT x, now() - $4 * interval '1 millisecond' FROM unnest($3::int[]) x
     ON CONFLICT (shard) DO UPDATE SET checkpoint = GREATEST(geofence_shards.checkpoint, EXCLUDED.checkpoint)
     RETURNING (SELECT count(*) FROM s)`,
    [states.map(([b]) => b), states.map(([, s]) => encode(s)), shards, lagMs],
  )
}

export interface ShardSnapshot {
  /** Saved states; for a band without one (a shard never saved), what its open alerts say. */
  states: Map<string, BandState>
  /** Reports received since the checkpoint, in fix-time order (a shard never saved: the last NEVER_SAVED_REPLAY_MS). */
  since: GeofenceFix[]
}

/** A shard never saved (the first worker after one process ran alone) replays this much, not all history. */
export const NEVER_SAVED_REPLAY_MS = 10 * 60_000

export async function loadShard(
  db: Queryable,
  shard: number,
  bandIds: readonly string[],
  now: number,
): Promise<ShardSnapshot> {
  const saved = await db.query<{ band_id: string; state: BandState & { lastTs: number | null } }>(
    'SELECT band_id, state FROM geofence_states WHERE band_id = ANY($1)',
    [bandIds],
  )
  const cp = await db.query<{ checkpoint: Date }>('SELECT checkpoint FROM geofence_shards WHERE shard = $1', [shard])
  const checkpoint = cp.rows[0]?.checkpoint ?? new Date(now - NEVER_SAVED_REPLAY_MS)
  const fixes = await db.query<{
    band_id: string
    ts: number
    seq: number
    lat: number | null
    lon: number | null
    acc: number | null
    src: string | null
    batt: number | null
    evt: string[] | null
  }>(
    `SELECT band_id, extract(epoch FROM fix_time)::float8 * 1000 AS ts, seq, lat, lon, acc, src, batt, evt
     FROM positions WHERE received_at >= $1 AND band_id = ANY($2) ORDER BY fix_time, seq`,
    [checkpoint, bandIds],
  )
  const states = new Map(saved.rows.map((r) => [r.band_id, decode(r.state)]))
  for (const [bandId, open] of await openAlertsByBand(
    db,
    bandIds.filter((b) => !states.has(b)),
  ))
    states.set(bandId, fromOpenAlerts(open, now))
  return {
    states,
    since: fixes.rows.map((r) => ({
      bandId: r.band_id,
      ts: r.ts,
      seq: Number(r.seq),
      lat: r.lat ?? undefined,
      lon: r.lon ?? undefined,
      acc: r.acc ?? undefined,
      src: r.src ?? undefined,
      batt: r.batt ?? undefined,
      evt: r.evt ?? [],
    })),
  }
}
