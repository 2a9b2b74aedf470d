-- Plain PostgreSQL: positions become a table partitioned by fix day (native range partitioning),
-- kept by tongxing_positions_maintain(): it creates the coming days' partitions and drops those
-- past the retention age (the service calls it hourly; pg_cron could instead). Reports for a day
-- without a partition (an old backlog, rows from before this migration) land in the default
-- partition, which the same job trims. positions_hourly is a plain view with the columns of the
-- TimescaleDB continuous aggregate, so the history API reads one shape from either engine.
ALTER TABLE positions RENAME TO positions_unpartitioned;
ALTER INDEX positions_by_arrival RENAME TO positions_unpartitioned_by_arrival;
CREATE TABLE positions (LIKE positions_unpartitioned INCLUDING DEFAULTS) PARTITION BY RANGE (fix_time);
ALTER TABLE positions ADD PRIMARY KEY (band_id, fix_time, seq);
CREATE INDEX positions_by_arrival ON positions USING brin (received_at);
CREATE TABLE positions_default PARTITION OF positions DEFAULT;
INSERT INTO positions SELECT * FROM positions_unpartitioned;
DROP TABLE positions_unpartitioned;

CREATE FUNCTION tongxing_positions_maintain(retention_days int, days_ahead int DEFAULT 7) RETURNS int
LANGUAGE plpgsql AS $$
DECLARE
  d date;
  part record;
  dropped int := 0;
BEGIN
  -- Today and the coming days. A day that already has reports in the default partition (the
  -- first day, or rows from before this migration) keeps them there.
  FOR i IN 0..days_ahead LOOP
    d := (now() AT TIME ZONE 'UTC')::date + i;
    IF to_regclass(format('positions_%s', to_char(d, 'YYYYMMDD'))) IS NULL THEN
      BEGIN
        EXECUTE format('CREATE TABLE %I PARTITION OF positions FOR VALUES FROM (%L) TO (%L)',
                       format('positions_%s', to_char(d, 'YYYYMMDD')), d::timestamp AT TIME ZONE 'UTC', (d + 1)::timestamp AT TIME ZONE 'UTC');
      EXCEPTION WHEN check_violation THEN
        NULL;
      END;
    END IF;
  END LOOP;
  IF retention_days > 0 THEN
    FOR part IN
      SELECT c.relname FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid
      WHERE i.inhparent = 'positions'::regclass AND c.relname ~ '^positions_[0-9]{8}$'
        AND to_date(substr(c.relname, 11), 'YYYYMMDD') + 1 <= (now() AT TIME ZONE 'UTC')::date - retention_days
    LOOP
      EXECUTE format('DROP TABLE %I', part.relname);
      dropped := dropped + 1;
    END LOOP;
    DELETE FROM positions_default WHERE fix_time < now() - retention_days * INTERVAL '1 day';
  END IF;
  RETURN dropped;
END $$;

CREATE VIEW positions_hourly AS
SELECT band_id, date_bin(INTERVAL '1 hour', fix_time, TIMESTAMPTZ '2000-01-01 00:00:00+00') AS hour,
       count(*) AS reports, count(lat) AS located,
       avg(lat) AS lat, avg(lon) AS lon, min(lat) AS min_lat, max(lat) AS max_lat, min(lon) AS min_lon, max(lon) AS max_lon,
       min(batt) AS min_batt, sum(CASE WHEN 'sos' = ANY(evt) OR 'fall' = ANY(evt) THEN 1 ELSE 0 END) AS sos_or_fall
FROM positions
GROUP BY 1, 2;
