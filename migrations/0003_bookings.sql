-- Bookings: one resident's place in a slot, and what they were told to bring.
-- No applicant facts are kept (no birth date, no card dates): only what the
-- counter and a later reschedule need. Personal fields are purged after the
-- retention period (purged_at set); counts stay for reports.
CREATE TABLE bookings (
	municipality text NOT NULL,
	reference text NOT NULL,                  -- "K7Q-4MXD", unique everywhere
	token_hash text NOT NULL,                 -- keyed BLAKE2b of the secret token, hex
	office text NOT NULL,
	service text NOT NULL,
	starts_at timestamptz NOT NULL,
	ends_at timestamptz NOT NULL,
	status text NOT NULL DEFAULT 'booked'
		CHECK (status IN ('booked', 'cancelled', 'checked_in', 'done', 'no_show')),
	kind text NOT NULL CHECK (kind IN ('renewal', 'reissue', 'new_card')),
	visits smallint NOT NULL DEFAULT 1,       -- 2 for the mailed-inquiry route
	visit smallint NOT NULL DEFAULT 1 CHECK (visit IN (1, 2)),
	first_visit text,                         -- visit 2: the reference of visit 1
	second_visit_earliest date,               -- visit 1 of two: when visit 2 may be
	window_opens date,                        -- the renewal window, for reschedules
	window_closes date,
	language text NOT NULL DEFAULT 'ja' CHECK (language IN ('ja', 'en')),
	answer jsonb NOT NULL,                    -- documents and notices as answered
	contact_name text,                        -- personal fields: NULL once purged
	contact_email text,
	contact_phone text,
	created_at timestamptz NOT NULL DEFAULT now(),
	updated_at timestamptz NOT NULL DEFAULT now(),
	purged_at timestamptz,
	PRIMARY KEY (municipality, reference),
	FOREIGN KEY (municipality, office, service, starts_at) REFERENCES slot_usage
);
CREATE UNIQUE INDEX bookings_reference ON bookings (reference);
CREATE INDEX bookings_slot ON bookings (municipality, office, service, starts_at);
CREATE INDEX bookings_unpurged ON bookings (starts_at) WHERE purged_at IS NULL;

-- A place kept for a few minutes while a resident fills in the form.
CREATE TABLE holds (
	municipality text NOT NULL,
	id text NOT NULL,                         -- random, given to the client
	office text NOT NULL,
	service text NOT NULL,
	starts_at timestamptz NOT NULL,
	expires_at timestamptz NOT NULL,
	PRIMARY KEY (municipality, id),
	FOREIGN KEY (municipality, office, service, starts_at) REFERENCES slot_usage
);
CREATE UNIQUE INDEX holds_id ON holds (id);
CREATE INDEX holds_expiry ON holds (expires_at);

-- The first answer to each Idempotency-Key, for 24 hours. The token is not
-- kept: a replay derives it again from the server's key.
CREATE TABLE idempotency_keys (
	municipality text NOT NULL,
	key text NOT NULL,
	request_hash text NOT NULL,               -- BLAKE2b of the request body, hex
	reference text NOT NULL,
	response jsonb NOT NULL,                  -- the 201 body without the token
	created_at timestamptz NOT NULL DEFAULT now(),
	PRIMARY KEY (municipality, key)
);
CREATE INDEX idempotency_keys_age ON idempotency_keys (created_at);
