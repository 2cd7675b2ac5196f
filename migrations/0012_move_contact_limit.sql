-- The per-contact limit holds for moves too. Before, a contact could book
-- first visits far apart (each alone within the limit) and then move them all
-- into one week. A move of a first visit now counts the contact's other live
-- first visits of the service within bookings.contact_window_days of the new
-- date, with the contact locked as a booking locks it (0010), and is refused
-- with 'too_many_bookings' at the limit. Lock order: the booking's rows, then
-- the contact, then the slots; a booking takes the contact, then its slot, and
-- locks no booking row, so the two never wait for each other crosswise.

-- The locks and the count of bookings_contact_room, leaving out one booking
-- (p_except: the one being moved; NULL for a new booking).
CREATE FUNCTION bookings_contact_count(p_municipality text, p_service text, p_email text,
    p_phone text, p_at timestamptz, p_days integer, p_except text)
RETURNS bigint LANGUAGE plpgsql VOLATILE AS $$
DECLARE
	n bigint := 0;
	m bigint := 0;
BEGIN
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
		    AND reference IS DISTINCT FROM p_except
		    AND starts_at BETWEEN p_at - p_days * interval '1 day'
		        AND p_at + p_days * interval '1 day';
	END IF;
	IF p_phone IS NOT NULL THEN
		SELECT count(*) INTO m FROM bookings
		WHERE municipality = p_municipality AND service = p_service AND status = 'booked'
		    AND visit = 1 AND contact_phone = p_phone
		    AND lower(contact_email) IS DISTINCT FROM lower(p_email)
		    AND reference IS DISTINCT FROM p_except
		    AND starts_at BETWEEN p_at - p_days * interval '1 day'
		        AND p_at + p_days * interval '1 day';
	END IF;
	RETURN n + m;
END $$;

CREATE OR REPLACE FUNCTION bookings_contact_room(p_municipality text, p_service text,
    p_email text, p_phone text, p_at timestamptz, p_days integer, p_lim integer)
RETURNS boolean LANGUAGE plpgsql VOLATILE AS $$
DECLARE
	n bigint;
BEGIN
	IF p_lim IS NULL THEN
		RETURN true;
	END IF;
	n := bookings_contact_count(p_municipality, p_service, p_email, p_phone, p_at, p_days,
	    NULL);
	IF n >= p_lim THEN
		RAISE EXCEPTION 'the contact has % live bookings of % near this date', n, p_service
		    USING ERRCODE = 'MD002';
	END IF;
	RETURN true;
END $$;

-- booking_move of 0005 with the limit (p_days, p_lim: bookings.contact_window_days
-- and bookings.per_contact); 'too_many_bookings' is a new outcome.
CREATE FUNCTION booking_move(p_reference text, p_hash text, p_old bigint, p_new bigint,
    p_capacity integer, p_end bigint, p_actor text, p_days integer, p_lim integer)
    RETURNS TABLE (outcome text, detail text)
LANGUAGE plpgsql AS $$
#variable_conflict use_column
DECLARE
	b bookings;
	other bookings;
	first_ref text;
	shift integer;
	u slot_usage;
	k record;
BEGIN
	SELECT x.first_visit INTO first_ref FROM bookings x WHERE x.reference = p_reference;
	-- Visit 1 before visit 2, whichever moves.
	IF first_ref IS NOT NULL THEN
		PERFORM 1 FROM bookings x WHERE x.reference = first_ref FOR UPDATE;
	END IF;
	SELECT * INTO b FROM bookings x WHERE x.reference = p_reference FOR UPDATE;
	IF NOT FOUND OR b.token_hash <> p_hash OR b.status <> 'booked'
	    OR b.starts_at <> to_timestamp(p_old) THEN
		RETURN QUERY SELECT 'changed'::text, NULL::text;
		RETURN;
	END IF;
	shift := (to_timestamp(p_new) AT TIME ZONE 'Asia/Tokyo')::date -
	    (to_timestamp(p_old) AT TIME ZONE 'Asia/Tokyo')::date;
	IF b.visit = 2 AND b.first_visit IS NOT NULL THEN
		SELECT * INTO other FROM bookings x WHERE x.reference = b.first_visit;
		IF FOUND AND other.second_visit_earliest IS NOT NULL AND
		    (to_timestamp(p_new) AT TIME ZONE 'Asia/Tokyo')::date < other.second_visit_earliest THEN
			RETURN QUERY SELECT 'second_visit_too_early'::text,
			    other.second_visit_earliest::text;
			RETURN;
		END IF;
	ELSIF b.visit = 1 AND b.visits = 2 AND b.second_visit_earliest IS NOT NULL THEN
		SELECT * INTO other FROM bookings x WHERE x.municipality = b.municipality
		    AND x.first_visit = b.reference AND x.visit = 2 AND x.status = 'booked'
		    FOR UPDATE;
		IF FOUND AND (other.starts_at AT TIME ZONE 'Asia/Tokyo')::date <
		    b.second_visit_earliest + shift THEN
			RETURN QUERY SELECT 'second_visit_conflict'::text, other.reference;
			RETURN;
		END IF;
	END IF;
	IF b.visit = 1 AND p_lim IS NOT NULL AND bookings_contact_count(b.municipality,
	    b.service, b.contact_email, b.contact_phone, to_timestamp(p_new), p_days,
	    b.reference) >= p_lim THEN
		RETURN QUERY SELECT 'too_many_bookings'::text, NULL::text;
		RETURN;
	END IF;
	FOR k IN SELECT t.at FROM (VALUES (to_timestamp(p_old)), (to_timestamp(p_new))) t (at)
	    ORDER BY t.at LOOP
		u := slot_lock(b.municipality, b.office, b.service, k.at, p_capacity);
		IF k.at = to_timestamp(p_new) AND u.booked + u.held >= p_capacity THEN
			RETURN QUERY SELECT 'slot_full'::text, NULL::text;
			RETURN;
		END IF;
	END LOOP;
	UPDATE slot_usage s SET booked = s.booked + 1, capacity = p_capacity
	    WHERE s.municipality = b.municipality AND s.office = b.office
	    AND s.service = b.service AND s.starts_at = to_timestamp(p_new);
	UPDATE slot_usage s SET booked = s.booked - 1
	    WHERE s.municipality = b.municipality AND s.office = b.office
	    AND s.service = b.service AND s.starts_at = to_timestamp(p_old);
	UPDATE bookings x SET starts_at = to_timestamp(p_new), ends_at = to_timestamp(p_end),
	    second_visit_earliest = x.second_visit_earliest + shift, updated_at = now()
	    WHERE x.reference = p_reference;
	INSERT INTO audit_log (municipality, actor, action, subject, detail)
	    VALUES (b.municipality, p_actor, 'booking.rescheduled', b.reference,
	    jsonb_build_object('from', to_timestamp(p_old), 'to', to_timestamp(p_new)));
	RETURN QUERY SELECT 'moved'::text, NULL::text;
END $$;

-- The old signature, for a daemon of the previous version still running during
-- a rolling restart: it moves without the limit, as it did.
CREATE OR REPLACE FUNCTION booking_move(p_reference text, p_hash text, p_old bigint,
    p_new bigint, p_capacity integer, p_end bigint, p_actor text)
    RETURNS TABLE (outcome text, detail text)
LANGUAGE sql AS $$
	SELECT * FROM booking_move(p_reference, p_hash, p_old, p_new, p_capacity, p_end, p_actor,
	    NULL, NULL);
$$;
