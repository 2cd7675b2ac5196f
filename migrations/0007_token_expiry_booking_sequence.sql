-- Staff tokens expire: --create-token sets expires_at from the database's clock
-- (--expires-days, 365 by default). Tokens made before this get a year from
-- their creation.
ALTER TABLE staff_tokens ADD COLUMN expires_at timestamptz;
UPDATE staff_tokens SET expires_at = created_at + interval '365 days';
ALTER TABLE staff_tokens ALTER COLUMN expires_at SET NOT NULL;

-- A booking's revision: 0 when made, one more with each reschedule and with the
-- cancel. It is the iCalendar SEQUENCE, so calendars replace the old event.
ALTER TABLE bookings ADD COLUMN sequence integer NOT NULL DEFAULT 0;

-- Every statement that moves or cancels a booking (booking_move, booking_cancel,
-- and a visit 2 cancelled with its visit 1) raises the revision, so none can
-- forget to.
CREATE FUNCTION bookings_next_sequence() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
	NEW.sequence := OLD.sequence + 1;
	RETURN NEW;
END $$;
CREATE TRIGGER bookings_next_sequence BEFORE UPDATE OF starts_at, status ON bookings
	FOR EACH ROW WHEN (OLD.starts_at IS DISTINCT FROM NEW.starts_at
		OR (NEW.status = 'cancelled' AND OLD.status IS DISTINCT FROM 'cancelled'))
	EXECUTE FUNCTION bookings_next_sequence();
