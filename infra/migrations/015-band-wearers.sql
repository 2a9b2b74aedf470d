-- Who wore which band when. The programme passes bands from wearer to wearer, so a report belongs
-- to the resident who wore the band when the fix was taken, not to whoever wears it now: every read
-- of a resident's positions goes through these periods (resident_positions, resident_hourly below).
-- A period is [from_time, to_time); to_time NULL: still worn. resident_id NULL: a wearer since
-- erased — the period stays, so what the band reported then belongs to nobody, not to the next.
CREATE TABLE band_wearers (
  band_id      text NOT NULL REFERENCES bands(id) ON DELETE CASCADE,
  resident_id  bigint REFERENCES residents(id) ON DELETE SET NULL,
  from_time    timestamptz NOT NULL,
  to_time      timestamptz,
  PRIMARY KEY (band_id, from_time),
  CHECK (to_time IS NULL OR to_time >= from_time)
);
CREATE UNIQUE INDEX band_wearers_one_open ON band_wearers (band_id) WHERE to_time IS NULL;
CREATE INDEX band_wearers_by_resident ON band_wearers (resident_id);

-- Where the band's current story starts: parts of band_status older than this (a previous
-- wearer's, or a late backlog from their time) are never shown nor written.
ALTER TABLE band_status ADD COLUMN wearer_since timestamptz;

-- Backfill from what exists. Each band's alerts say who wore it when they were raised, and
-- bands.resident_id who wears it now. Runs of one wearer become periods: the first from the
-- beginning; between two wearers, the time from the last sign of one to the first of the next
-- belongs to nobody (neither family is shown what may be the other's); a band worn by nobody now
-- ends its last wearer's period now. A current wearer with no alert after another wearer's starts now.
WITH signs AS (
  SELECT band_id, resident_id, fix_time AS t FROM alerts WHERE band_id IN (SELECT id FROM bands)
  UNION ALL
  SELECT id, resident_id, 'infinity' FROM bands WHERE resident_id IS NOT NULL
), marked AS (
  SELECT band_id, resident_id, t,
         CASE WHEN resident_id IS DISTINCT FROM lag(resident_id) OVER w THEN 1 ELSE 0 END AS starts
  FROM signs WINDOW w AS (PARTITION BY band_id ORDER BY t)
), runs AS (
  SELECT band_id, resident_id, t,
         sum(starts) OVER (PARTITION BY band_id ORDER BY t ROWS UNBOUNDED PRECEDING) AS run
  FROM marked
), periods AS (
  SELECT band_id, resident_id, run, min(t) AS first_t, max(t) AS last_t,
         run = max(run) OVER (PARTITION BY band_id) AS last_run
  FROM runs GROUP BY band_id, resident_id, run
)
INSERT INTO band_wearers (band_id, resident_id, from_time, to_time)
SELECT band_id, resident_id,
       CASE WHEN run = 1 THEN '-infinity' WHEN first_t = 'infinity' THEN now() ELSE first_t END,
       CASE WHEN last_t = 'infinity' THEN NULL WHEN last_run THEN now() ELSE last_t + interval '1 microsecond' END
FROM periods;

UPDATE band_status s SET wearer_since = w.since FROM (
  SELECT band_id, COALESCE(max(from_time) FILTER (WHERE to_time IS NULL), max(to_time)) AS since
  FROM band_wearers GROUP BY band_id
) w WHERE w.band_id = s.band_id;
UPDATE band_status SET fix_time = NULL, lat = NULL, lon = NULL, acc = NULL, src = NULL WHERE fix_time < wearer_since;
UPDATE band_status SET batt_time = NULL, batt = NULL, chg = NULL WHERE batt_time < wearer_since;
UPDATE band_status SET evt_time = NULL, evt = NULL WHERE evt_time < wearer_since;

-- Whoever changes who wears a band (the API, the import, the command line, an erasure), the periods
-- follow: the open one closes, the new wearer's opens (a band's first wearer's from the beginning:
-- what it reported before is theirs), and the band's current state starts again empty.
CREATE FUNCTION tongxing_band_wearer_changed() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  since timestamptz := now();
BEGIN
  IF TG_OP = 'UPDATE' AND NEW.resident_id IS NOT DISTINCT FROM OLD.resident_id THEN RETURN NULL; END IF;
  IF TG_OP = 'INSERT' AND NEW.resident_id IS NULL THEN RETURN NULL; END IF;
  IF NOT EXISTS (SELECT 1 FROM band_wearers WHERE band_id = NEW.id) THEN since := '-infinity'; END IF;
  -- A period opened earlier in this same transaction is replaced, not left empty.
  DELETE FROM band_wearers WHERE band_id = NEW.id AND to_time IS NULL AND from_time = now();
  UPDATE band_wearers SET to_time = now() WHERE band_id = NEW.id AND to_time IS NULL;
  IF NEW.resident_id IS NOT NULL THEN
    INSERT INTO band_wearers (band_id, resident_id, from_time) VALUES (NEW.id, NEW.resident_id, since);
  END IF;
  IF since = '-infinity' THEN
    INSERT INTO band_status (band_id, wearer_since) VALUES (NEW.id, since)
    ON CONFLICT (band_id) DO UPDATE SET wearer_since = EXCLUDED.wearer_since;
  ELSE
    INSERT INTO band_status (band_id, wearer_since) VALUES (NEW.id, since)
    ON CONFLICT (band_id) DO UPDATE SET wearer_since = EXCLUDED.wearer_since, last_seen_at = NULL,
      fix_time = NULL, lat = NULL, lon = NULL, acc = NULL, src = NULL,
      batt_time = NULL, batt = NULL, chg = NULL, evt_time = NULL, evt = NULL;
    -- The geofence's saved state of this band was the previous wearer's.
    DELETE FROM geofence_states WHERE band_id = NEW.id;
  END IF;
  RETURN NULL;
END $$;

CREATE TRIGGER bands_wearer_changed AFTER INSERT OR UPDATE OF resident_id ON bands
  FOR EACH ROW EXECUTE FUNCTION tongxing_band_wearer_changed();

-- A resident's positions: each report of a band, given to whoever wore it when the fix was taken.
CREATE VIEW resident_positions AS
SELECT w.resident_id, p.*
FROM band_wearers w JOIN positions p ON p.band_id = w.band_id
  AND p.fix_time >= w.from_time AND (w.to_time IS NULL OR p.fix_time < w.to_time)
WHERE w.resident_id IS NOT NULL;

-- A resident's hours, in the shape of positions_hourly (which is per band and hour). An hour wholly
-- inside a wearer's period comes from positions_hourly; the hour in which a period starts or ends
-- (a band handed over at 10:20) is summed from that period's own fixes, so no hour mixes two wearers.
CREATE VIEW resident_hourly AS
SELECT w.resident_id, h.band_id, h.hour, h.reports, h.located, h.lat, h.lon,
       h.min_lat, h.max_lat, h.min_lon, h.max_lon, h.min_batt, h.sos_or_fall
FROM band_wearers w JOIN positions_hourly h ON h.band_id = w.band_id
  AND h.hour >= w.from_time AND (w.to_time IS NULL OR h.hour + INTERVAL '1 hour' <= w.to_time)
WHERE w.resident_id IS NOT NULL
UNION ALL
SELECT w.resident_id, p.band_id, e.hour, count(*), count(p.lat), avg(p.lat), avg(p.lon),
       min(p.lat), max(p.lat), min(p.lon), max(p.lon),
       min(p.batt), sum(CASE WHEN 'sos' = ANY(p.evt) OR 'fall' = ANY(p.evt) THEN 1 ELSE 0 END)
FROM band_wearers w
CROSS JOIN LATERAL (
  SELECT DISTINCT date_bin(INTERVAL '1 hour', edge, TIMESTAMPTZ '2000-01-01 00:00:00+00') AS hour
  FROM (VALUES (w.from_time), (w.to_time)) AS v(edge) WHERE isfinite(edge)
) e
JOIN positions p ON p.band_id = w.band_id AND p.fix_time >= GREATEST(w.from_time, e.hour)
  AND p.fix_time < LEAST(COALESCE(w.to_time, 'infinity'), e.hour + INTERVAL '1 hour')
WHERE w.resident_id IS NOT NULL
  AND NOT (e.hour >= w.from_time AND (w.to_time IS NULL OR e.hour + INTERVAL '1 hour' <= w.to_time))
GROUP BY w.resident_id, p.band_id, e.hour;
