-- Plain PostgreSQL: positions stay an ordinary table, indexed by band and fix time through
-- the primary key. Native partitioning and a retention job arrive with the deployment work.
SELECT 1;
