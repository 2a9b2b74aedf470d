-- Scale-out: each geofence worker owns shards of the bands. The owner saves the engine state of
-- the bands it judged (changed ones, every second or so) and a checkpoint per shard: every
-- report received before it is reflected in the saved states. A new owner loads them and replays
-- only the reports received since.
CREATE TABLE geofence_states (
  band_id   text PRIMARY KEY,
  state     jsonb NOT NULL,
  saved_at  timestamptz NOT NULL DEFAULT now()
);
CREATE TABLE geofence_shards (
  shard       int PRIMARY KEY,
  checkpoint  timestamptz NOT NULL
);
-- "Has this very fix already raised this alert?" (a replayed or redelivered report raises nothing twice).
CREATE INDEX alerts_by_fix ON alerts (resident_id, kind, fix_time);
-- Replay reads a shard's reports by arrival time.
-- BRIN: arrival order follows the table order, so the index is tiny and costs ingest next to nothing.
CREATE INDEX positions_by_arrival ON positions USING brin (received_at);
