-- Bumped whenever what a signed-in user may see can have changed — a session ended or was
-- changed, a user changed (role, care centre) or was deleted, a family link was made or removed —
-- whoever made the change (the API, the import, the command line). Processes serving live sockets
-- read this one row a few times a second and re-check their sockets' sessions when it moves;
-- those on the bus hear it at once (NOTIFY tongxing_access, sent when the change commits).
CREATE TABLE access_version (
  one  boolean PRIMARY KEY DEFAULT true CHECK (one),
  v    bigint NOT NULL
);
INSERT INTO access_version VALUES (true, 0);

CREATE FUNCTION bump_access_version() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  UPDATE access_version SET v = v + 1;
  PERFORM pg_notify('tongxing_access', '');
  RETURN NULL;
END $$;

-- A new session grants nothing to sockets already open: only its end matters.
CREATE TRIGGER sessions_access AFTER UPDATE OR DELETE ON sessions
  FOR EACH STATEMENT EXECUTE FUNCTION bump_access_version();
CREATE TRIGGER users_access AFTER UPDATE OR DELETE ON users
  FOR EACH STATEMENT EXECUTE FUNCTION bump_access_version();
CREATE TRIGGER user_residents_access AFTER INSERT OR UPDATE OR DELETE ON user_residents
  FOR EACH STATEMENT EXECUTE FUNCTION bump_access_version();
