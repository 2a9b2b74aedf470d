-- What is kept of an erased resident's time on each band: the band and the period, nothing about
-- the person. A report whose fix time falls in such a period (a band's late backlog sent after the
-- erasure) is not stored. Kept apart from band_wearers so that deleting and provisioning the band
-- again does not forget it.
CREATE TABLE erased_periods (
  band_id    text NOT NULL,
  from_time  timestamptz NOT NULL,
  to_time    timestamptz NOT NULL,
  CHECK (to_time >= from_time)
);
CREATE INDEX erased_periods_by_band ON erased_periods (band_id, from_time);

-- Wearers erased before this table existed: their periods stayed in band_wearers without a resident.
INSERT INTO erased_periods (band_id, from_time, to_time)
SELECT band_id, from_time, COALESCE(to_time, now()) FROM band_wearers WHERE resident_id IS NULL;
