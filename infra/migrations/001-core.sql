-- The core schema: who is cared for, by whom, with which band, inside which zones.

CREATE TABLE care_centres (
  id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  name        text NOT NULL UNIQUE,
  created_at  timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE residents (
  id              bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  display_name    text NOT NULL,
  care_centre_id  bigint REFERENCES care_centres(id),
  created_at      timestamptz NOT NULL DEFAULT now()
);

-- Band protocol v1: band ids match ^[A-Za-z0-9_-]{1,64}$ (real bands use their IMEI).
-- Secrets are random tokens, stored as salted SHA-256 (see ingest/band-secret.ts).
CREATE TABLE bands (
  id              text PRIMARY KEY CHECK (id ~ '^[A-Za-z0-9_-]{1,64}$'),
  secret_salt     bytea NOT NULL,
  secret_hash     bytea NOT NULL,
  resident_id     bigint REFERENCES residents(id),
  provisioned_at  timestamptz NOT NULL DEFAULT now()
);
CREATE UNIQUE INDEX bands_one_per_resident ON bands (resident_id) WHERE resident_id IS NOT NULL;

-- A zone is safe (alert when outside all of them) or danger (alert on entering).
-- shape: {"type":"circle","center":[lon,lat],"radiusM":n} or a GeoJSON Polygon/MultiPolygon.
-- resident_id NULL: shared (a care centre's or, with care_centre_id NULL too, city-wide).
CREATE TABLE zones (
  id              bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  resident_id     bigint REFERENCES residents(id) ON DELETE CASCADE,
  care_centre_id  bigint REFERENCES care_centres(id),
  name            text NOT NULL,
  kind            text NOT NULL CHECK (kind IN ('safe', 'danger')),
  shape           jsonb NOT NULL,
  created_at      timestamptz NOT NULL DEFAULT now(),
  updated_at      timestamptz NOT NULL DEFAULT now()
);

-- Every report a band sends: a fix, or events without a fix (lat/lon NULL).
-- (band_id, fix_time, seq) identifies a report, so a QoS 1 redelivery is stored once.
CREATE TABLE positions (
  band_id      text NOT NULL,
  fix_time     timestamptz NOT NULL,
  seq          bigint NOT NULL,
  received_at  timestamptz NOT NULL DEFAULT now(),
  lat          double precision,
  lon          double precision,
  acc          real,
  src          text,
  batt         smallint,
  chg          boolean,
  spd          real,
  hdg          real,
  evt          text[],
  PRIMARY KEY (band_id, fix_time, seq)
);

CREATE TABLE alerts (
  id               bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  resident_id      bigint NOT NULL REFERENCES residents(id) ON DELETE CASCADE,
  band_id          text NOT NULL,
  zone_id          bigint REFERENCES zones(id) ON DELETE SET NULL,
  kind             text NOT NULL,
  severity         text NOT NULL,
  status           text NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'acknowledged', 'resolved')),
  fix_time         timestamptz NOT NULL,
  opened_at        timestamptz NOT NULL DEFAULT now(),
  updated_at       timestamptz NOT NULL DEFAULT now(),
  evidence         jsonb NOT NULL,
  acknowledged_by  bigint,
  acknowledged_at  timestamptz,
  resolved_at      timestamptz
);
-- One open alert per wearer, kind and zone: a repeat updates it, never duplicates it.
CREATE UNIQUE INDEX alerts_one_open ON alerts (resident_id, kind, COALESCE(zone_id, 0)) WHERE status <> 'resolved';
CREATE INDEX alerts_by_time ON alerts (opened_at DESC);

CREATE TABLE users (
  id              bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  username        text NOT NULL UNIQUE,
  password_hash   text NOT NULL,
  role            text NOT NULL CHECK (role IN ('admin', 'staff', 'family')),
  care_centre_id  bigint REFERENCES care_centres(id),
  created_at      timestamptz NOT NULL DEFAULT now(),
  CHECK (role <> 'staff' OR care_centre_id IS NOT NULL)
);

-- Family members see only the residents linked to them.
CREATE TABLE user_residents (
  user_id      bigint NOT NULL REFERENCES users(id) ON DELETE CASCADE,
  resident_id  bigint NOT NULL REFERENCES residents(id) ON DELETE CASCADE,
  PRIMARY KEY (user_id, resident_id)
);

-- Only a hash of the session token is stored, so a database leak does not leak sessions.
CREATE TABLE sessions (
  token_hash  bytea PRIMARY KEY,
  user_id     bigint NOT NULL REFERENCES users(id) ON DELETE CASCADE,
  expires_at  timestamptz NOT NULL
);

-- Bumped on every change to zones, bands or residents, so running engines reload cheaply
-- (one tiny read per refresh) whichever process made the change.
CREATE TABLE topology_version (
  one  boolean PRIMARY KEY DEFAULT true CHECK (one),
  v    bigint NOT NULL
);
INSERT INTO topology_version VALUES (true, 0);

CREATE FUNCTION bump_topology_version() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  UPDATE topology_version SET v = v + 1;
  RETURN NULL;
END $$;

CREATE TRIGGER zones_changed AFTER INSERT OR UPDATE OR DELETE ON zones
  FOR EACH STATEMENT EXECUTE FUNCTION bump_topology_version();
CREATE TRIGGER bands_changed AFTER INSERT OR UPDATE OR DELETE ON bands
  FOR EACH STATEMENT EXECUTE FUNCTION bump_topology_version();
CREATE TRIGGER residents_changed AFTER INSERT OR UPDATE OR DELETE ON residents
  FOR EACH STATEMENT EXECUTE FUNCTION bump_topology_version();
