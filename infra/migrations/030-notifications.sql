-- Notifications: who is told of an alert, how, and a durable record of every message (issue 17).

-- A resident's contacts, in the order they are called on (position 1 first).
CREATE TABLE resident_contacts (
  id           bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  resident_id  bigint NOT NULL REFERENCES residents(id) ON DELETE CASCADE,
  position     smallint NOT NULL,
  name         text NOT NULL,
  relation     text NOT NULL DEFAULT '',
  phone        text,
  -- A contact who also signs in: their preferences and Web Push devices apply.
  user_id      bigint REFERENCES users(id) ON DELETE SET NULL,
  channels     text[] NOT NULL DEFAULT '{sms}',
  UNIQUE (resident_id, position)
);

-- Per user: which kinds of alert, quiet hours (minutes after local midnight; critical alerts ignore them), language.
CREATE TABLE notify_preferences (
  user_id      bigint PRIMARY KEY REFERENCES users(id) ON DELETE CASCADE,
  kinds        text[],
  quiet_start  smallint CHECK (quiet_start BETWEEN 0 AND 1439),
  quiet_end    smallint CHECK (quiet_end BETWEEN 0 AND 1439),
  language     text NOT NULL DEFAULT 'zh' CHECK (language IN ('zh', 'en'))
);

-- A care centre's group chats and systems: WeCom or DingTalk robots, signed webhooks.
CREATE TABLE centre_channels (
  id              bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  care_centre_id  bigint NOT NULL REFERENCES care_centres(id) ON DELETE CASCADE,
  kind            text NOT NULL CHECK (kind IN ('wecom', 'dingtalk', 'webhook')),
  name            text NOT NULL,
  url             text NOT NULL,
  secret          text NOT NULL DEFAULT ''
);

-- Who is on duty when: weekdays (0 = Sunday) and minutes after local midnight; end < start crosses midnight.
CREATE TABLE centre_roster (
  id              bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  care_centre_id  bigint NOT NULL REFERENCES care_centres(id) ON DELETE CASCADE,
  name            text NOT NULL,
  phone           text NOT NULL,
  user_id         bigint REFERENCES users(id) ON DELETE SET NULL,
  weekdays        smallint[] NOT NULL DEFAULT '{0,1,2,3,4,5,6}',
  start_minute    smallint NOT NULL CHECK (start_minute BETWEEN 0 AND 1439),
  end_minute      smallint NOT NULL CHECK (end_minute BETWEEN 0 AND 1440)
);

-- Each device a user allowed notifications on (Web Push, RFC 8030).
CREATE TABLE push_subscriptions (
  id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  user_id     bigint NOT NULL REFERENCES users(id) ON DELETE CASCADE,
  endpoint    text NOT NULL UNIQUE,
  p256dh      text NOT NULL,
  auth        text NOT NULL,
  created_at  timestamptz NOT NULL DEFAULT now()
);

-- The outbox, first half: every alert change, written by a trigger in the transaction that made it.
CREATE TABLE alert_changes (
  id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  alert_id    bigint NOT NULL REFERENCES alerts(id) ON DELETE CASCADE,
  change      text NOT NULL,
  level       smallint NOT NULL,
  at          timestamptz NOT NULL DEFAULT clock_timestamp(),
  planned_at  timestamptz
);
CREATE INDEX alert_changes_unplanned ON alert_changes (id) WHERE planned_at IS NULL;

CREATE FUNCTION record_alert_change() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE c text;
BEGIN
  IF TG_OP = 'INSERT' THEN c := 'opened';
  ELSIF NEW.status = 'resolved' AND OLD.status <> 'resolved' THEN c := 'resolved';
  ELSIF NEW.status = 'acknowledged' AND OLD.status = 'open' THEN c := 'acknowledged';
  ELSIF NEW.escalation_level > OLD.escalation_level THEN c := 'escalated';
  ELSIF NEW.severity = 'critical' AND OLD.severity <> 'critical' THEN c := 'worsened';
  ELSE RETURN NULL;
  END IF;
  INSERT INTO alert_changes (alert_id, change, level) VALUES (NEW.id, c, NEW.escalation_level);
  RETURN NULL;
END $$;

CREATE TRIGGER alerts_changed AFTER INSERT OR UPDATE ON alerts
  FOR EACH ROW EXECUTE FUNCTION record_alert_change();

-- The outbox, second half: one row per message to send, planned from an alert change.
CREATE TABLE deliveries (
  id              bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  alert_id        bigint NOT NULL REFERENCES alerts(id) ON DELETE CASCADE,
  change_id       bigint NOT NULL REFERENCES alert_changes(id) ON DELETE CASCADE,
  -- Who: 'contact:3', 'roster:2', 'channel:5', 'city'; the name people see on the timeline.
  recipient       text NOT NULL,
  recipient_name  text NOT NULL,
  channel         text NOT NULL,
  -- Where: a phone number, a push subscription id, a centre channel id.
  address         text NOT NULL,
  template        text NOT NULL,
  params          jsonb NOT NULL,
  language        text NOT NULL,
  status          text NOT NULL DEFAULT 'pending'
                  CHECK (status IN ('pending', 'sending', 'sent', 'failed', 'cancelled')),
  -- Escalation messages are dropped once someone handles the alert.
  cancel_if_handled boolean NOT NULL DEFAULT false,
  due_at          timestamptz NOT NULL DEFAULT now(),
  lease_until     timestamptz,
  attempts        smallint NOT NULL DEFAULT 0,
  last_error      text,
  provider_ref    text,
  sent_at         timestamptz,
  created_at      timestamptz NOT NULL DEFAULT clock_timestamp(),
  -- Once per alert, message, recipient and channel, however often it is planned.
  dedupe_key      text NOT NULL UNIQUE
);
CREATE INDEX deliveries_due ON deliveries (due_at, id) WHERE status IN ('pending', 'sending');
CREATE INDEX deliveries_by_alert ON deliveries (alert_id, id);

-- Every attempt and its result, for the alert's timeline.
CREATE TABLE delivery_attempts (
  delivery_id  bigint NOT NULL REFERENCES deliveries(id) ON DELETE CASCADE,
  at           timestamptz NOT NULL DEFAULT clock_timestamp(),
  ok           boolean NOT NULL,
  detail       text NOT NULL
);
CREATE INDEX delivery_attempts_by_delivery ON delivery_attempts (delivery_id);
