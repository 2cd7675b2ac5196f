-- Staff tokens expire: --create-token sets expires_at from the database's clock
-- (--expires-days, 365 by default). Tokens made before this get a year from
-- their creation.
ALTER TABLE staff_tokens ADD COLUMN expires_at timestamptz;
UPDATE staff_tokens SET expires_at = created_at + interval '365 days';
ALTER TABLE staff_tokens ALTER COLUMN expires_at SET NOT NULL;

-- A booking's revision: 0 when made, one more with each reschedule and with the
-- cancel. It is the iCalendar SEQUENCE, so calendars replace the old event.
ALTER TABLE bookings ADD COLUMN sequence integer NOT NULL DEFAULT 0;
