-- The family app's "call the care centre" button (issue 17): each centre's duty number, a mobile or
-- a landline such as 0533-1234567. Empty until the centre sets it.
ALTER TABLE care_centres ADD COLUMN duty_phone text;
