-- Every table carries the municipality it belongs to, first in its primary key,
-- so the data can later be distributed by municipality.

-- Who changed what, and when: every state change of bookings, tickets and tokens.
CREATE TABLE audit_log (
	municipality text NOT NULL,
	id bigint GENERATED ALWAYS AS IDENTITY,
	at timestamptz NOT NULL DEFAULT now(),
	actor text NOT NULL,            -- "resident", "staff:<token id>", "system"
	action text NOT NULL,           -- "booking.created", "ticket.called", ...
	subject text NOT NULL,          -- the reference or id acted on
	detail jsonb NOT NULL DEFAULT '{}'::jsonb,
	PRIMARY KEY (municipality, id)
);
CREATE INDEX audit_log_subject ON audit_log (municipality, subject);
