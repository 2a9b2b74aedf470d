-- Finding a person who wandered (issue 19, part B): time-limited search links, nearby responders,
-- and a resident's photo for the people looking.

-- Community responders are users too; they see one resident only through a task they accepted.
ALTER TABLE users DROP CONSTRAINT IF EXISTS users_role_check;
ALTER TABLE users ADD CONSTRAINT users_role_check CHECK (role IN ('admin', 'staff', 'family', 'responder'));

-- Where and when a responder can help: a circle or a (multi)polygon like a zone's shape, weekly
-- windows in geofence/schedule.ts's shape (empty: always), and how to reach them.
CREATE TABLE responder_profiles (
  user_id    bigint PRIMARY KEY REFERENCES users(id) ON DELETE CASCADE,
  area       jsonb NOT NULL,
  schedules  jsonb NOT NULL DEFAULT '[]',
  phone      text,
  updated_at timestamptz NOT NULL DEFAULT now()
);

-- A wander alert offered to a responder (when its notifications were planned), and their acceptance.
CREATE TABLE responder_tasks (
  id           bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  alert_id     bigint NOT NULL REFERENCES alerts(id) ON DELETE CASCADE,
  user_id      bigint NOT NULL REFERENCES users(id) ON DELETE CASCADE,
  offered_at   timestamptz NOT NULL DEFAULT now(),
  accepted_at  timestamptz,
  UNIQUE (alert_id, user_id)
);
CREATE INDEX responder_tasks_by_user ON responder_tasks (user_id, alert_id);

-- One photo per resident, for search links and responders: small JPEG or PNG, kept in the database.
CREATE TABLE resident_photos (
  resident_id   bigint PRIMARY KEY REFERENCES residents(id) ON DELETE CASCADE,
  content_type  text NOT NULL CHECK (content_type IN ('image/jpeg', 'image/png')),
  bytes         bytea NOT NULL,
  updated_at    timestamptz NOT NULL DEFAULT now()
);

-- A link to share with helpers: only the token's hash is kept; it works while the alert is open,
-- before expires_at, and until revoked.
CREATE TABLE search_links (
  id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  token_hash  bytea NOT NULL UNIQUE,
  alert_id    bigint NOT NULL REFERENCES alerts(id) ON DELETE CASCADE,
  note        text NOT NULL DEFAULT '',
  created_by  bigint REFERENCES users(id) ON DELETE SET NULL,
  created_at  timestamptz NOT NULL DEFAULT now(),
  expires_at  timestamptz NOT NULL,
  revoked_at  timestamptz
);
CREATE INDEX search_links_by_alert ON search_links (alert_id);

-- Every open of a link (the page loading it).
CREATE TABLE search_link_opens (
  id       bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  link_id  bigint NOT NULL REFERENCES search_links(id) ON DELETE CASCADE,
  at       timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX search_link_opens_by_link ON search_link_opens (link_id, at);

-- The timeline also records links made, opened and revoked, and responders accepting. An open has
-- no account behind it, so user_id stays NULL and username says what it was. The kind list is
-- a pattern rather than a list, so other parts can add their kinds without redefining it.
ALTER TABLE alert_events DROP CONSTRAINT IF EXISTS alert_events_kind_check;
ALTER TABLE alert_events ADD CONSTRAINT alert_events_kind_check CHECK (kind ~ '^[a-z][a-z_]{0,39}$');

-- A link and a responder's task end for good when their alert is resolved, whoever or whatever
-- resolves it (a person, the geofence when the wearer is back inside, a script): reopening the
-- alert does not bring them back; it needs a new link or a new offer and acceptance. The trigger
-- runs in the resolving statement's own transaction, so no resolution path can forget it.
ALTER TABLE responder_tasks ADD COLUMN closed_at timestamptz;
CREATE FUNCTION end_help_on_resolve() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  UPDATE search_links SET revoked_at = now() WHERE alert_id = NEW.id AND revoked_at IS NULL;
  UPDATE responder_tasks SET closed_at = now() WHERE alert_id = NEW.id AND closed_at IS NULL;
  RETURN NULL;
END $$;
CREATE TRIGGER alerts_end_help AFTER UPDATE OF status ON alerts
  FOR EACH ROW WHEN (NEW.status = 'resolved' AND OLD.status IS DISTINCT FROM 'resolved')
  EXECUTE FUNCTION end_help_on_resolve();
