-- The audit keeps who looked even after their account is deleted: the username as it was then.
ALTER TABLE history_views ADD COLUMN username text;
UPDATE history_views h SET username = u.username FROM users u WHERE u.id = h.user_id;

-- Every export of a resident's data: who took it out, and when. Kept after the resident's erasure
-- (it names no one but the admin, and the resident only by id, like the erasure record).
CREATE TABLE data_exports (
  id           bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  resident_id  bigint NOT NULL,
  user_id      bigint REFERENCES users(id) ON DELETE SET NULL,
  username     text NOT NULL,
  exported_at  timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX data_exports_by_resident ON data_exports (resident_id, exported_at DESC);
