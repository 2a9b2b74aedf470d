-- Failed sign-in tries per account (or per account and known browser), counted in the database
-- so that every dashboard server, and tries arriving together, meet one count. The key is a hash:
-- what someone typed as a username is not kept.
CREATE TABLE sign_in_failures (
  key_hash    bytea PRIMARY KEY,
  failures    integer NOT NULL,
  last_at     timestamptz NOT NULL,
  wait_until  timestamptz NOT NULL
);
CREATE INDEX sign_in_failures_by_last ON sign_in_failures (last_at);
