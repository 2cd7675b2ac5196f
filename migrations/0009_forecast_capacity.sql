-- What the forecasts learn from besides tickets, and the levers managers pull
-- on online booking.

-- How many e-certificates and cards of a municipality's residents expire on
-- each date: aggregate counts only, never people
-- (PUT /v1/municipalities/{municipality}/expiries replaces the dates given).
CREATE TABLE expiries (
	municipality text NOT NULL,
	date date NOT NULL,
	certificates integer NOT NULL CHECK (certificates >= 0),
	cards integer NOT NULL CHECK (cards >= 0),
	updated_at timestamptz NOT NULL DEFAULT now(),
	PRIMARY KEY (municipality, date)
);

-- Capacity rules for online booking at an office, set by managers at run time.
-- A factor rule scales the online places of a service's slots on the weekdays
-- of a date range; a cap rule allows at most cap online bookings of a service
-- on one date. Every daemon keeps the rules in memory and reloads them when a
-- change is notified (type "capacity" on madoguchi_events).
CREATE TABLE capacity_rules (
	municipality text NOT NULL,
	id bigint GENERATED ALWAYS AS IDENTITY,
	office text NOT NULL,
	service text NOT NULL,
	from_date date,                   -- factor rules: the range, inclusive
	to_date date,
	weekdays smallint[],              -- ISO weekdays (1 = Monday .. 7 = Sunday)
	factor real CHECK (factor >= 0 AND factor <= 1),
	day date,                         -- cap rules: the date
	cap integer CHECK (cap >= 0),
	created_by text NOT NULL,
	created_at timestamptz NOT NULL DEFAULT now(),
	CHECK ((factor IS NOT NULL AND from_date IS NOT NULL AND to_date IS NOT NULL
		AND to_date >= from_date AND weekdays IS NOT NULL AND day IS NULL AND cap IS NULL)
	    OR (cap IS NOT NULL AND day IS NOT NULL AND factor IS NULL AND from_date IS NULL
		AND to_date IS NULL AND weekdays IS NULL)),
	PRIMARY KEY (municipality, id)
);
CREATE UNIQUE INDEX capacity_rules_id ON capacity_rules (id);
CREATE INDEX capacity_rules_caps ON capacity_rules (municipality, office, day)
	WHERE cap IS NOT NULL;

-- A cap holds against every interleaving: a booking that lands on a capped day
-- (new, or moved there) takes that day's lock, then counts the day's live
-- bookings with a fresh snapshot (a volatile function under READ COMMITTED sees
-- what committed while it waited), so two daemons cannot both take the last
-- place. Over the cap, the statement fails with SQLSTATE MD001, which the
-- daemon answers as 409 day_capped. Days without a cap take no lock.
CREATE FUNCTION bookings_day_cap() RETURNS trigger LANGUAGE plpgsql VOLATILE AS $$
DECLARE
	d date := (NEW.starts_at AT TIME ZONE 'Asia/Tokyo')::date;
	lim integer;
	n integer;
BEGIN
	IF NEW.status = 'cancelled' THEN
		RETURN NULL;
	END IF;
	IF TG_OP = 'UPDATE' AND OLD.status <> 'cancelled'
	    AND (OLD.starts_at AT TIME ZONE 'Asia/Tokyo')::date = d THEN
		RETURN NULL;	-- the same day: its count does not grow
	END IF;
	SELECT min(cap) INTO lim FROM capacity_rules
	WHERE municipality = NEW.municipality AND office = NEW.office AND day = d
	    AND service = NEW.service AND cap IS NOT NULL;
	IF lim IS NULL THEN
		RETURN NULL;
	END IF;
	PERFORM pg_advisory_xact_lock(hashtextextended('madoguchi day cap ' ||
	    NEW.municipality || ' ' || NEW.office || ' ' || NEW.service || ' ' || d::text, 0));
	SELECT count(*) INTO n FROM bookings
	WHERE municipality = NEW.municipality AND office = NEW.office AND service = NEW.service
	    AND status <> 'cancelled'
	    AND starts_at >= (d::timestamp AT TIME ZONE 'Asia/Tokyo')
	    AND starts_at < ((d + 1)::timestamp AT TIME ZONE 'Asia/Tokyo');
	IF n > lim THEN
		RAISE EXCEPTION 'online bookings of % at % on % are capped at %',
		    NEW.service, NEW.office, d, lim USING ERRCODE = 'MD001';
	END IF;
	RETURN NULL;
END $$;
CREATE TRIGGER bookings_day_cap AFTER INSERT OR UPDATE OF starts_at, status ON bookings
	FOR EACH ROW EXECUTE FUNCTION bookings_day_cap();
