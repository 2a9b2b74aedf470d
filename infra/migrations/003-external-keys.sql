-- Stable keys from outside systems (a programme's spreadsheet, the simulator), so that an
-- import can be repeated without duplicating centres or residents.
ALTER TABLE care_centres ADD COLUMN external_key text UNIQUE;
ALTER TABLE residents ADD COLUMN external_key text UNIQUE;
