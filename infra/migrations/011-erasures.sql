-- When a family withdraws consent, everything held about the resident is erased. What is kept is
-- only that it happened: which resident id, by whom, when — no name, no position.
CREATE TABLE erasures (
  id           bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  resident_id  bigint NOT NULL,
  erased_by    bigint REFERENCES users(id) ON DELETE SET NULL,
  erased_at    timestamptz NOT NULL DEFAULT now(),
  counts       jsonb NOT NULL
);
