-- Staff, kiosk and manager tokens: only a keyed hash is kept. A token acts for
-- the offices it lists, with its role's rights (kiosk < staff < manager < admin).
CREATE TABLE staff_tokens (
	municipality text NOT NULL,
	id text NOT NULL,                 -- the hash's first 12 hex digits: names it in logs
	token_hash text NOT NULL,
	role text NOT NULL CHECK (role IN ('kiosk', 'staff', 'manager', 'admin')),
	offices text[] NOT NULL,
	created_at timestamptz NOT NULL DEFAULT now(),
	revoked_at timestamptz,
	PRIMARY KEY (municipality, id)
);
CREATE UNIQUE INDEX staff_tokens_hash ON staff_tokens (token_hash);

-- The last number given per office, day and service prefix. Tickets take the
-- next one in the statement that creates them, so numbers never repeat within
-- a day, across restarts and across daemons.
CREATE TABLE ticket_numbers (
	municipality text NOT NULL,
	office text NOT NULL,
	day date NOT NULL,
	prefix text NOT NULL,
	last integer NOT NULL,
	PRIMARY KEY (municipality, office, day, prefix)
);

-- Queue tickets. They carry no personal data: a reservation's ticket points at
-- its booking, a walk-in's at nothing.
CREATE TABLE tickets (
	municipality text NOT NULL,
	id bigint GENERATED ALWAYS AS IDENTITY,
	office text NOT NULL,
	day date NOT NULL,
	service text NOT NULL,
	label text NOT NULL,              -- "A-012": prefix by service, number by day
	kind text NOT NULL CHECK (kind IN ('reservation', 'walk_in')),
	booking text,                     -- the reservation's reference
	due_at timestamptz,               -- the reservation's slot start
	status text NOT NULL DEFAULT 'waiting'
		CHECK (status IN ('waiting', 'called', 'done', 'no_show')),
	counter integer,
	recalls integer NOT NULL DEFAULT 0,
	passed_over integer NOT NULL DEFAULT 0,
	transfers integer NOT NULL DEFAULT 0,
	issued_at timestamptz NOT NULL,
	called_at timestamptz,
	done_at timestamptz,
	PRIMARY KEY (municipality, id),
	UNIQUE (municipality, office, day, label)
);
CREATE UNIQUE INDEX tickets_id ON tickets (id);
CREATE UNIQUE INDEX tickets_booking ON tickets (municipality, booking) WHERE booking IS NOT NULL;
CREATE INDEX tickets_open ON tickets (municipality, office, day, status)
	WHERE status IN ('waiting', 'called');
CREATE INDEX tickets_done ON tickets (municipality, office, day, service, done_at)
	WHERE status = 'done';
