-- Each band's current state for the dashboard, kept up to date by ingest so nobody scans history:
-- when it was last heard, online/offline (its retained status topic), its newest position,
-- battery and events. Each group moves only forward in fix time: a late backlog fix is stored in
-- positions but never replaces a newer "latest position".
CREATE TABLE band_status (
  band_id       text PRIMARY KEY REFERENCES bands(id) ON DELETE CASCADE,
  last_seen_at  timestamptz,
  online        boolean,
  status_at     timestamptz,
  fix_time      timestamptz,
  lat           double precision,
  lon           double precision,
  acc           real,
  src           text,
  batt_time     timestamptz,
  batt          smallint,
  chg           boolean,
  evt_time      timestamptz,
  evt           text[]
);
