-- Commands sent to bands on bands/{id}/cmd ("locate now", "report every N s") and what became
-- of them: delivered when the band acknowledged the message (MQTT PUBACK), answered when the
-- band did what was asked (a locate: the first fix taken after it was delivered).
CREATE TABLE band_commands (
  id            bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  band_id       text NOT NULL REFERENCES bands(id) ON DELETE CASCADE,
  command       jsonb NOT NULL,
  requested_by  bigint REFERENCES users(id),
  requested_at  timestamptz NOT NULL DEFAULT now(),
  delivered_at  timestamptz,
  answered_at   timestamptz,
  answer        jsonb
);
CREATE INDEX band_commands_by_band ON band_commands (band_id, id DESC);
