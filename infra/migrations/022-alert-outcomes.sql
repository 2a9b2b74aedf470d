-- Issue 19, outcomes: how a wander (or found_report) alert ended — who found the person, where, and
-- how many minutes after the alert — so the programme can report what helps.
CREATE TABLE alert_outcomes (
  alert_id     bigint PRIMARY KEY REFERENCES alerts(id) ON DELETE CASCADE,
  found_by     text NOT NULL CHECK (found_by IN ('family', 'staff', 'responder', 'stranger', 'police')),
  found_at     timestamptz NOT NULL,
  minutes      double precision NOT NULL CHECK (minutes >= 0),
  lat          double precision CHECK (lat BETWEEN -90 AND 90),
  lon          double precision CHECK (lon BETWEEN -180 AND 180),
  recorded_by  bigint REFERENCES users(id) ON DELETE SET NULL,
  recorded_at  timestamptz NOT NULL DEFAULT now()
);
