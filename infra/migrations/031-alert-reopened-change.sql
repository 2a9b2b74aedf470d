-- A later SOS or fall on an alert someone had acknowledged opens it again (geofence/alert-store.pg.ts,
-- raiseAlert): a new emergency, to be told to everyone like the first. The trigger recorded nothing
-- for acknowledged → open, so the outbox never heard of it and the families and the centre learnt of
-- the second press only when nobody acknowledged it in time (ESCALATION_SECONDS later). Now it is
-- recorded as 'opened'; its messages carry the change's id in their dedupe keys (notify/planner.ts),
-- so they are not taken for the first opening's.
CREATE OR REPLACE FUNCTION record_alert_change() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE c text;
BEGIN
  IF TG_OP = 'INSERT' THEN c := 'opened';
  ELSIF NEW.status = 'resolved' AND OLD.status <> 'resolved' THEN c := 'resolved';
  ELSIF NEW.status = 'acknowledged' AND OLD.status = 'open' THEN c := 'acknowledged';
  ELSIF NEW.status = 'open' AND OLD.status = 'acknowledged' THEN c := 'opened';
  ELSIF NEW.escalation_level > OLD.escalation_level THEN c := 'escalated';
  ELSIF NEW.severity = 'critical' AND OLD.severity <> 'critical' THEN c := 'worsened';
  ELSE RETURN NULL;
  END IF;
  INSERT INTO alert_changes (alert_id, change, level) VALUES (NEW.id, c, NEW.escalation_level);
  RETURN NULL;
END $$;
