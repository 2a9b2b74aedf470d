-- Who looked at which resident's history, and for which period: a vulnerable person's
-- movements are sensitive, so every read of them is recorded.
CREATE TABLE history_views (
  id           bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  user_id      bigint REFERENCES users(id) ON DELETE SET NULL,
  resident_id  bigint NOT NULL REFERENCES residents(id) ON DELETE CASCADE,
  from_time    timestamptz NOT NULL,
  to_time      timestamptz NOT NULL,
  viewed_at    timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX history_views_by_resident ON history_views (resident_id, viewed_at DESC);
