-- People handle alerts: who resolved one and why; escalation when nobody acknowledges in time.
ALTER TABLE alerts ADD COLUMN resolved_by bigint;
ALTER TABLE alerts ADD COLUMN resolution_note text;
ALTER TABLE alerts ADD COLUMN escalation_level smallint NOT NULL DEFAULT 0;
ALTER TABLE alerts ADD COLUMN escalated_at timestamptz;
CREATE INDEX alerts_unacknowledged ON alerts (opened_at) WHERE status = 'open';
