-- A ticket is never called before it was issued, nor finished before its call.
-- The instant comes from the calling daemon's clock (p_now), and another
-- daemon's clock may run ahead: one that issued a ticket at 09:10 by its clock
-- must not see it called at 09:00 by this one's, or the resident's wait reads
-- as minus ten minutes in the reports. Both instants are now taken no earlier
-- than the one before them, inside the counter's lock; otherwise the function
-- is that of 0005.
CREATE OR REPLACE FUNCTION ticket_call_next(p_municipality text, p_office text, p_day date,
    p_counter integer, p_services text[], p_pass_limit integer, p_now bigint, p_actor text)
    RETURNS TABLE (events bigint, id bigint, label text, service text, kind text,
    booking text, called_at bigint)
LANGUAGE plpgsql AS $$
#variable_conflict use_column
BEGIN
	PERFORM pg_advisory_xact_lock(hashtextextended('counter/' || p_municipality || '/' ||
	    p_office || '/' || p_counter, 0));
	RETURN QUERY
	WITH prev AS (UPDATE tickets t SET status = 'done',
	    done_at = greatest(to_timestamp(p_now), t.called_at)
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
	    called_at = greatest(to_timestamp(p_now), t.issued_at) FROM pick
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
