-- Plain PostgreSQL: positions stay an ordinary table, indexed by band and fix time through
-- the primary key. Partitioning and the retention job: 014.
SELECT 1;
