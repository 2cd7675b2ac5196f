-- Capacity changes that lock in one order, the queue's one-called-per-counter
-- rule, a check of the slot counters against the rows, and lobby events kept
-- for replay.
--
-- The lock order, for every statement that changes places: booking rows first
-- (visit 1 before visit 2), then hold rows, then slot_usage rows by key
-- (municipality, office, service, starts_at). These functions run each of
-- their statements with a fresh snapshot (READ COMMITTED), so what they read
-- after taking a lock is what the lock protects.

-- Hold rows per slot (expiry and the counter check) and per client (its limit).
ALTER TABLE holds ADD COLUMN client text;
CREATE INDEX holds_slot ON holds (municipality, office, service, starts_at);
CREATE INDEX holds_client ON holds (client) WHERE client IS NOT NULL;

-- A first visit has at most one live second visit.
CREATE UNIQUE INDEX bookings_one_second_visit ON bookings (municipality, first_visit)
	WHERE visit = 2 AND status <> 'cancelled';
-- Bookings per contact, for the per-contact limit.
CREATE INDEX bookings_contact_email ON bookings (municipality, service, lower(contact_email))
	WHERE status = 'booked' AND contact_email IS NOT NULL;
CREATE INDEX bookings_contact_phone ON bookings (municipality, service, contact_phone)
	WHERE status = 'booked' AND contact_phone IS NOT NULL;

-- Locks the slot row of a key, creating it (empty) when it does not exist yet.
CREATE FUNCTION slot_lock(p_municipality text, p_office text, p_service text,
    p_starts_at timestamptz, p_capacity integer) RETURNS slot_usage
LANGUAGE plpgsql AS $$
DECLARE
	u slot_usage;
BEGIN
	INSERT INTO slot_usage (municipality, office, service, starts_at, capacity)
	VALUES (p_municipality, p_office, p_service, p_starts_at, greatest(p_capacity, 1))
	ON CONFLICT DO NOTHING;
	SELECT * INTO u FROM slot_usage s WHERE s.municipality = p_municipality
	    AND s.office = p_office AND s.service = p_service AND s.starts_at = p_starts_at
	    FOR UPDATE;
	RETURN u;
END $$;

-- Cancels a booking held with token hash p_hash; a first visit takes its second
-- visit with it. Returns the references cancelled (none: nothing was).
CREATE FUNCTION booking_cancel(p_reference text, p_hash text, p_actor text)
    RETURNS TABLE (reference text, visit smallint)
LANGUAGE plpgsql AS $$
#variable_conflict use_column
DECLARE
	b bookings;
	v record;
	k record;
	refs text[];
BEGIN
	SELECT * INTO b FROM bookings x WHERE x.reference = p_reference FOR UPDATE;
	IF NOT FOUND OR b.token_hash <> p_hash OR b.status <> 'booked' THEN
		RETURN;
	END IF;
	refs := ARRAY[b.reference];
	IF b.visit = 1 AND b.visits = 2 THEN
		FOR v IN SELECT x.reference FROM bookings x WHERE x.municipality = b.municipality
		    AND x.first_visit = b.reference AND x.visit = 2 AND x.status = 'booked'
		    ORDER BY x.reference FOR UPDATE LOOP
			refs := refs || v.reference;
		END LOOP;
	END IF;
	FOR k IN SELECT x.municipality, x.office, x.service, x.starts_at, count(*) AS n
	    FROM bookings x WHERE x.reference = ANY(refs) GROUP BY 1, 2, 3, 4
	    ORDER BY 1, 2, 3, 4 LOOP
		PERFORM slot_lock(k.municipality, k.office, k.service, k.starts_at, 1);
		UPDATE slot_usage u SET booked = u.booked - k.n WHERE u.municipality = k.municipality
		    AND u.office = k.office AND u.service = k.service AND u.starts_at = k.starts_at;
	END LOOP;
	UPDATE bookings x SET status = 'cancelled', updated_at = now()
	    WHERE x.reference = ANY(refs);
	INSERT INTO audit_log (municipality, actor, action, subject, detail)
	    SELECT x.municipality, p_actor, 'booking.cancelled', x.reference,
	    CASE WHEN x.reference = b.reference THEN '{}'::jsonb
	    ELSE jsonb_build_object('with_first_visit', b.reference) END
	    FROM bookings x WHERE x.reference = ANY(refs);
	RETURN QUERY SELECT x.reference, x.visit FROM bookings x WHERE x.reference = ANY(refs)
	    ORDER BY x.visit;
END $$;

-- Moves a booking from p_old to p_new (epoch seconds). outcome: 'moved',
-- 'changed' (not booked, other token, or not at p_old any more), 'slot_full',
-- 'second_visit_conflict' (visit 1 would pass its visit 2: detail names it) or
-- 'second_visit_too_early' (visit 2 before its earliest day: detail is that day).
CREATE FUNCTION booking_move(p_reference text, p_hash text, p_old bigint, p_new bigint,
    p_capacity integer, p_end bigint, p_actor text)
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

-- Ends holds whose time is up by the database's clock. Holds another
-- transaction is consuming are left to it. Returns how many ended.
CREATE FUNCTION holds_expire() RETURNS integer
LANGUAGE plpgsql AS $$
DECLARE
	ms text[];
	os text[];
	ss text[];
	ts timestamptz[];
	ns integer[];
	total integer := 0;
BEGIN
	WITH e AS (DELETE FROM holds h WHERE h.id IN (SELECT x.id FROM holds x
	    WHERE x.expires_at <= now() ORDER BY x.id FOR UPDATE SKIP LOCKED)
	    RETURNING h.municipality, h.office, h.service, h.starts_at),
	g AS (SELECT municipality, office, service, starts_at, count(*)::integer AS n FROM e
	    GROUP BY 1, 2, 3, 4)
	SELECT array_agg(municipality ORDER BY municipality, office, service, starts_at),
	    array_agg(office ORDER BY municipality, office, service, starts_at),
	    array_agg(service ORDER BY municipality, office, service, starts_at),
	    array_agg(starts_at ORDER BY municipality, office, service, starts_at),
	    array_agg(n ORDER BY municipality, office, service, starts_at)
	    INTO ms, os, ss, ts, ns FROM g;
	FOR i IN 1 .. coalesce(array_length(ms, 1), 0) LOOP
		PERFORM slot_lock(ms[i], os[i], ss[i], ts[i], 1);
		UPDATE slot_usage u SET held = u.held - ns[i] WHERE u.municipality = ms[i]
		    AND u.office = os[i] AND u.service = ss[i] AND u.starts_at = ts[i];
		total := total + ns[i];
	END LOOP;
	RETURN total;
END $$;

-- Recomputes booked (bookings not cancelled) and held (hold rows) of every slot
-- whose counters disagree with its rows, under the slot's lock, and repairs
-- them. Returns one line per repaired slot, for the log.
CREATE FUNCTION slot_usage_repair() RETURNS SETOF text
LANGUAGE plpgsql AS $$
DECLARE
	k record;
	u slot_usage;
	nb integer;
	nh integer;
BEGIN
	FOR k IN SELECT s.municipality, s.office, s.service, s.starts_at FROM slot_usage s
	    WHERE s.booked <> (SELECT count(*) FROM bookings b WHERE b.municipality = s.municipality
	    AND b.office = s.office AND b.service = s.service AND b.starts_at = s.starts_at
	    AND b.status <> 'cancelled')
	    OR s.held <> (SELECT count(*) FROM holds h WHERE h.municipality = s.municipality
	    AND h.office = s.office AND h.service = s.service AND h.starts_at = s.starts_at)
	    ORDER BY 1, 2, 3, 4 LOOP
		SELECT * INTO u FROM slot_usage s WHERE s.municipality = k.municipality
		    AND s.office = k.office AND s.service = k.service AND s.starts_at = k.starts_at
		    FOR UPDATE;
		SELECT count(*) INTO nb FROM bookings b WHERE b.municipality = k.municipality
		    AND b.office = k.office AND b.service = k.service AND b.starts_at = k.starts_at
		    AND b.status <> 'cancelled';
		SELECT count(*) INTO nh FROM holds h WHERE h.municipality = k.municipality
		    AND h.office = k.office AND h.service = k.service AND h.starts_at = k.starts_at;
		IF u.booked <> nb OR u.held <> nh THEN
			UPDATE slot_usage s SET booked = nb, held = nh,
			    capacity = greatest(s.capacity, nb + nh)
			    WHERE s.municipality = k.municipality AND s.office = k.office
			    AND s.service = k.service AND s.starts_at = k.starts_at;
			INSERT INTO audit_log (municipality, actor, action, subject, detail)
			VALUES (k.municipality, 'system', 'slot.repaired', k.office || '/' || k.service
			    || '/' || k.starts_at, jsonb_build_object('booked_was', u.booked,
			    'booked', nb, 'held_was', u.held, 'held', nh));
			RETURN NEXT format('%s/%s/%s at %s: booked %s -> %s, held %s -> %s',
			    k.municipality, k.office, k.service, k.starts_at, u.booked, nb, u.held, nh);
		END IF;
	END LOOP;
END $$;

-- Lobby events, kept so a stream that reconnects can be given what it missed.
CREATE TABLE office_events (
	municipality text NOT NULL,
	id bigint GENERATED ALWAYS AS IDENTITY,
	office text NOT NULL,
	at timestamptz NOT NULL DEFAULT now(),
	type text NOT NULL,
	data jsonb NOT NULL,                      -- the event as streamed, with its id
	PRIMARY KEY (municipality, id)
);
CREATE UNIQUE INDEX office_events_id ON office_events (id);
CREATE INDEX office_events_office ON office_events (office, id);
CREATE INDEX office_events_at ON office_events (at);

-- Stores an event ({type, municipality, office, ...}) and tells every daemon.
CREATE FUNCTION event_publish(e json) RETURNS bigint
LANGUAGE plpgsql AS $$
DECLARE
	n bigint;
	d jsonb;
BEGIN
	INSERT INTO office_events (municipality, office, type, data)
	VALUES (e->>'municipality', e->>'office', e->>'type', e::jsonb)
	RETURNING id INTO n;
	d := e::jsonb || jsonb_build_object('id', n);
	UPDATE office_events SET data = d WHERE id = n;
	PERFORM pg_notify('madoguchi_events', d::text);
	RETURN n;
END $$;

-- Calls the next ticket to a counter. The counter's lock comes first, so two
-- calls at one counter run one after the other and the second sees the first's
-- ticket (and finishes it) instead of leaving two called there.
CREATE FUNCTION ticket_call_next(p_municipality text, p_office text, p_day date,
    p_counter integer, p_services text[], p_pass_limit integer, p_now bigint, p_actor text)
    RETURNS TABLE (events bigint, id bigint, label text, service text, kind text,
    booking text, called_at bigint)
LANGUAGE plpgsql AS $$
#variable_conflict use_column
BEGIN
	PERFORM pg_advisory_xact_lock(hashtextextended('counter/' || p_municipality || '/' ||
	    p_office || '/' || p_counter, 0));
	RETURN QUERY
	WITH prev AS (UPDATE tickets t SET status = 'done', done_at = to_timestamp(p_now)
	    WHERE t.municipality = p_municipality AND t.office = p_office AND t.day = p_day
	    AND t.counter = p_counter AND t.status = 'called'
	    RETURNING t.municipality, t.office, t.label, t.service, t.done_at AS now_at),
	pick AS (SELECT t.id, t.issued_at, t.kind FROM tickets t
	    WHERE t.municipality = p_municipality AND t.office = p_office AND t.day = p_day
	    AND t.status = 'waiting' AND t.service = ANY(p_services)
	    ORDER BY t.passed_over >= p_pass_limit DESC,
	    (t.kind = 'reservation' AND t.due_at <= to_timestamp(p_now)) DESC,
	    CASE WHEN t.kind = 'reservation' AND t.due_at <= to_timestamp(p_now) THEN t.due_at END,
	    t.kind = 'walk_in' DESC, t.issued_at, t.id LIMIT 1 FOR UPDATE SKIP LOCKED),
	called AS (UPDATE tickets t SET status = 'called', counter = p_counter,
	    called_at = to_timestamp(p_now) FROM pick
	    WHERE t.municipality = p_municipality AND t.id = pick.id
	    RETURNING t.id, t.municipality, t.office, t.label, t.service, t.kind, t.booking,
	    t.called_at AS now_at),
	passed AS (UPDATE tickets t SET passed_over = t.passed_over + 1 FROM pick
	    WHERE pick.kind = 'reservation' AND t.municipality = p_municipality
	    AND t.office = p_office AND t.day = p_day AND t.status = 'waiting'
	    AND t.kind = 'walk_in' AND t.service = ANY(p_services)
	    AND (t.issued_at, t.id) < (pick.issued_at, pick.id)),
	ad AS (INSERT INTO audit_log (municipality, actor, action, subject, detail)
	    SELECT p_municipality, p_actor, 'ticket.called', c.label,
	    jsonb_build_object('counter', p_counter) FROM called c
	    UNION ALL SELECT p_municipality, p_actor, 'ticket.done', p.label, '{}'::jsonb FROM prev p),
	ev AS (SELECT event_publish(json_build_object('type', x.type, 'municipality',
	    x.municipality, 'office', x.office, 'ticket', x.label, 'service', x.service,
	    'counter', p_counter, 'at', to_char(x.now_at AT TIME ZONE 'Asia/Tokyo',
	    'YYYY-MM-DD"T"HH24:MI:SS"+09:00"'))) FROM (SELECT 'called' AS type, c.municipality,
	    c.office, c.label, c.service, c.now_at FROM called c UNION ALL SELECT 'done',
	    p.municipality, p.office, p.label, p.service, p.now_at FROM prev p) x)
	SELECT (SELECT count(*) FROM ev), c.id, c.label, c.service, c.kind, c.booking,
	    extract(epoch FROM c.now_at)::bigint FROM (SELECT 1) one LEFT JOIN called c ON true;
END $$;
