-- Places taken in each bookable slot of an office's service. Slots themselves
-- come from the calendar in the configuration; a row exists once a slot has
-- been held or booked. The counters only change in guarded statements
-- (... WHERE booked + held < capacity) and the CHECK below backs them up, so
-- no interleaving of requests or daemons can sell more places than there are.
CREATE TABLE slot_usage (
	municipality text NOT NULL,
	office text NOT NULL,
	service text NOT NULL,
	starts_at timestamptz NOT NULL,
	capacity integer NOT NULL CHECK (capacity >= 1),  -- as configured when last used
	booked integer NOT NULL DEFAULT 0 CHECK (booked >= 0),
	held integer NOT NULL DEFAULT 0 CHECK (held >= 0), -- short holds while a form is filled
	CHECK (booked + held <= capacity),
	PRIMARY KEY (municipality, office, service, starts_at)
);
