-- TimescaleDB: positions are compressed per band once old enough (segment by band_id: one
-- wearer's history decompresses alone), and an hourly continuous aggregate per band serves long
-- history ranges. The compression and retention ages come from the configuration
-- (COMPRESS_AFTER_DAYS, RETENTION_DAYS) and are set at start-up (infra/lifecycle.ts).
ALTER TABLE positions SET (timescaledb.compress, timescaledb.compress_segmentby = 'band_id', timescaledb.compress_orderby = 'fix_time DESC, seq DESC');

CREATE MATERIALIZED VIEW positions_hourly WITH (timescaledb.continuous, timescaledb.materialized_only = false) AS
SELECT band_id, time_bucket(INTERVAL '1 hour', fix_time) AS hour,
       count(*) AS reports, count(lat) AS located,
       avg(lat) AS lat, avg(lon) AS lon, min(lat) AS min_lat, max(lat) AS max_lat, min(lon) AS min_lon, max(lon) AS max_lon,
       min(batt) AS min_batt, sum(CASE WHEN 'sos' = ANY(evt) OR 'fall' = ANY(evt) THEN 1 ELSE 0 END) AS sos_or_fall
FROM positions
GROUP BY band_id, time_bucket(INTERVAL '1 hour', fix_time)
WITH NO DATA;

SELECT add_continuous_aggregate_policy('positions_hourly', start_offset => INTERVAL '7 days', end_offset => INTERVAL '1 hour',
                                       schedule_interval => INTERVAL '30 minutes');
