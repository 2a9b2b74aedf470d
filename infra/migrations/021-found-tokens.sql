-- Issue 19, "found me": a QR code on every band opens a public page that raises a found_report alert.

-- The care centre's duty phone (care_centres.duty_phone), shown on the found-me page as "call the
-- care centre", is the family app's column too: migration 025 adds it, before any page reads it.
-- What the found-me page may show about a resident: nothing unless an admin chose a name to address
-- them by (e.g. a first name). NULL: nothing.
ALTER TABLE residents ADD COLUMN found_display_name text;

-- A band's found-me token: random (144 bits, base64url), printed in its QR code. At most one live
-- token per band. care_centre_id: the centre of the wearer it was issued for (the card's "call the
-- care centre" number), kept after revocation so a revoked card's page looks like a live one.
CREATE TABLE found_tokens (
  token           text PRIMARY KEY CHECK (token ~ '^[A-Za-z0-9_-]{24}$'),
  band_id         text NOT NULL REFERENCES bands(id) ON DELETE CASCADE,
  resident_id     bigint REFERENCES residents(id) ON DELETE SET NULL,
  care_centre_id  bigint REFERENCES care_centres(id) ON DELETE SET NULL,
  created_at      timestamptz NOT NULL DEFAULT now(),
  revoked_at      timestamptz
);
CREATE UNIQUE INDEX found_tokens_one_live ON found_tokens (band_id) WHERE revoked_at IS NULL;

-- A band that changes hands (the API, the import, the command line, an erasure) revokes its live
-- token: the old card must not raise alerts about the next wearer. A new one is issued on demand.
CREATE FUNCTION tongxing_found_token_handover() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF NEW.resident_id IS NOT DISTINCT FROM OLD.resident_id THEN RETURN NULL; END IF;
  UPDATE found_tokens SET revoked_at = now() WHERE band_id = NEW.id AND revoked_at IS NULL;
  RETURN NULL;
END $$;
CREATE TRIGGER bands_found_token_handover AFTER UPDATE OF resident_id ON bands
  FOR EACH ROW EXECUTE FUNCTION tongxing_found_token_handover();

-- Every scan: a page view or a report, whatever the token (unknown ones too: rate limits count them).
-- No IP address is kept. resident_id: whom a report was about (erased with them).
CREATE TABLE found_scans (
  id           bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  at           timestamptz NOT NULL DEFAULT now(),
  token        text NOT NULL,
  kind         text NOT NULL CHECK (kind IN ('view', 'report')),
  status       text NOT NULL CHECK (status IN ('worn', 'unassigned', 'revoked', 'unknown')),
  resident_id  bigint REFERENCES residents(id) ON DELETE CASCADE,
  alert_id     bigint REFERENCES alerts(id) ON DELETE CASCADE,
  lat          double precision,
  lon          double precision,
  acc          real,
  phone        text,
  note         text,
  -- Who sent it, for the per-sender limit on reports: the first 16 hex digits of SHA-256 over the
  -- client address and the token, never the address itself (pseudonymous, not anonymous).
  sender       text
);
CREATE INDEX found_scans_by_token ON found_scans (token, at);
