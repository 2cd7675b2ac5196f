-- The per-contact limit (bookings.per_contact live first visits of a service
-- within bookings.contact_window_days of each other), checked inside the
-- booking statement instead of by a count sent before it: one round trip, and
-- race-free. A booking takes a transaction lock per contact (its email, then
-- its phone; always in that order, and before the slot's row, so two bookings
-- never wait for each other crosswise) and only then counts, with a snapshot
-- taken after the lock: a concurrent booking of the same contact has committed
-- or rolled back by then and is counted or not. More gets SQLSTATE MD002, which
-- the daemon answers as 409 too_many_bookings. lim NULL (a second visit, which
-- belongs to its first visit's route) takes no lock and is always let through.
-- The email's and the phone's bookings are counted by two queries, each on its
-- own index (the phone's without those the email already counted): one query
-- with "email OR phone" has a generic plan dearer than a custom one, so it is
-- planned again on every call (about half a millisecond, more than the booking).
CREATE FUNCTION bookings_contact_room(p_municipality text, p_service text, p_email text,
    p_phone text, p_at timestamptz, p_days integer, p_lim integer)
RETURNS boolean LANGUAGE plpgsql VOLATILE AS $$
DECLARE
	n bigint := 0;
	m bigint := 0;
BEGIN
	IF p_lim IS NULL THEN
		RETURN true;
	END IF;
	IF p_email IS NOT NULL THEN
		PERFORM pg_advisory_xact_lock(hashtextextended('madoguchi contact email ' ||
		    p_municipality || ' ' || p_service || ' ' || lower(p_email), 0));
	END IF;
	IF p_phone IS NOT NULL THEN
		PERFORM pg_advisory_xact_lock(hashtextextended('madoguchi contact phone ' ||
		    p_municipality || ' ' || p_service || ' ' || p_phone, 0));
	END IF;
	IF p_email IS NOT NULL THEN
		SELECT count(*) INTO n FROM bookings
		WHERE municipality = p_municipality AND service = p_service AND status = 'booked'
		    AND visit = 1 AND lower(contact_email) = lower(p_email)
		    AND starts_at BETWEEN p_at - p_days * interval '1 day'
		        AND p_at + p_days * interval '1 day';
	END IF;
	IF p_phone IS NOT NULL THEN
		SELECT count(*) INTO m FROM bookings
		WHERE municipality = p_municipality AND service = p_service AND status = 'booked'
		    AND visit = 1 AND contact_phone = p_phone
		    AND lower(contact_email) IS DISTINCT FROM lower(p_email)
		    AND starts_at BETWEEN p_at - p_days * interval '1 day'
		        AND p_at + p_days * interval '1 day';
	END IF;
	IF n + m >= p_lim THEN
		RAISE EXCEPTION 'the contact has % live bookings of % near this date', n + m, p_service
		    USING ERRCODE = 'MD002';
	END IF;
	RETURN true;
END $$;

-- The count's indexes: exactly its predicate, with the date last, so any plan
-- (custom or generic) reads only the contact's own live first visits near the
-- date. They replace the indexes of 0005, which nothing else reads.
CREATE INDEX bookings_contact_email_live ON bookings
	(municipality, service, lower(contact_email), starts_at)
	WHERE status = 'booked' AND visit = 1 AND contact_email IS NOT NULL;
CREATE INDEX bookings_contact_phone_live ON bookings
	(municipality, service, contact_phone, starts_at)
	WHERE status = 'booked' AND visit = 1 AND contact_phone IS NOT NULL;
DROP INDEX bookings_contact_email;
DROP INDEX bookings_contact_phone;
