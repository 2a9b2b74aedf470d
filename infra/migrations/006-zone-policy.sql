-- Per-zone overrides of the geofence defaults, e.g. a wider margin for a care centre on a busy
-- road: {"exitMarginM":40,"confirmFixes":3,"confirmMs":120000,"maxTriggerAccM":50}. NULL: defaults.
ALTER TABLE zones ADD COLUMN policy jsonb;
