-- Who did what to an alert: acknowledged, added a note, resolved, reopened. The username and role
-- are kept as they were, so the timeline outlives the account; the alert's own columns still say
-- when it opened, escalated or was resolved by the engine.
CREATE TABLE alert_events (
  id        bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  alert_id  bigint NOT NULL REFERENCES alerts(id) ON DELETE CASCADE,
  at        timestamptz NOT NULL DEFAULT now(),
  kind      text NOT NULL CHECK (kind IN ('acknowledged', 'note', 'resolved', 'reopened')),
  user_id   bigint REFERENCES users(id) ON DELETE SET NULL,
  username  text NOT NULL,
  role      text NOT NULL,
  note      text
);
CREATE INDEX alert_events_by_alert ON alert_events (alert_id, at);

-- What was handled before this table existed.
INSERT INTO alert_events (alert_id, at, kind, user_id, username, role)
  SELECT a.id, a.acknowledged_at, 'acknowledged', u.id, u.username, u.role
  FROM alerts a JOIN users u ON u.id = a.acknowledged_by WHERE a.acknowledged_at IS NOT NULL;
INSERT INTO alert_events (alert_id, at, kind, user_id, username, role, note)
  SELECT a.id, COALESCE(a.resolved_at, a.updated_at), 'resolved', u.id, u.username, u.role, a.resolution_note
  FROM alerts a JOIN users u ON u.id = a.resolved_by;
