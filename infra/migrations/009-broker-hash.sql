-- For external broker mode: each band's secret also hashed the way Mosquitto's password file
-- expects (PBKDF2-SHA512, "$7$" format), so `tongxing mosquitto-passwd` can write that file
-- without anyone keeping the secrets. NULL for bands provisioned before this version: give
-- them a new secret (band add --id … again) to include them.
ALTER TABLE bands ADD COLUMN broker_hash text;
