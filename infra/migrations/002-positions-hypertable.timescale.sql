-- TimescaleDB: positions become a hypertable on fix time (1-day chunks).
-- Compression, retention and the continuous aggregate: 014 and infra/lifecycle.ts.
CREATE EXTENSION IF NOT EXISTS timescaledb;
SELECT create_hypertable('positions', by_range('fix_time', INTERVAL '1 day'), migrate_data => true);
