-- A family member is linked to a resident with an invitation that expires: care staff make one,
-- hand over the code, and the relative uses it once to create (or link) their account. Only a
-- hash of the code is stored.
CREATE TABLE invitations (
  code_hash    bytea PRIMARY KEY,
  resident_id  bigint NOT NULL REFERENCES residents(id) ON DELETE CASCADE,
  created_by   bigint REFERENCES users(id) ON DELETE SET NULL,
  created_at   timestamptz NOT NULL DEFAULT now(),
  expires_at   timestamptz NOT NULL,
  accepted_by  bigint REFERENCES users(id) ON DELETE SET NULL,
  accepted_at  timestamptz
);
