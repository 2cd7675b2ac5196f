-- Managers' reports read one set of rows: the tickets table holds both the
-- tickets issued here ("live") and past tickets imported from an office's
-- earlier ticket machine ("import", POST /v1/offices/{office}/history). Every
-- report, forecast and staffing figure reads tickets alone, whatever the source;
-- source only tells the two apart (and keeps imports out of the live queue,
-- since an import holds only days before today, all done or no-show).
ALTER TABLE tickets
	ADD COLUMN source text NOT NULL DEFAULT 'live' CHECK (source IN ('live', 'import')),
	-- The first time the ticket was called: a recall moves called_at and a
	-- transfer clears it, but the resident's wait ran from issued_at to here.
	ADD COLUMN first_called_at timestamptz,
	-- The wait shown to the resident at issue, in minutes (the learned estimate).
	ADD COLUMN promised_wait_min real,
	-- What the fixed formula (handling time x people ahead / counters) would
	-- have promised at the same moment; NULL when no counter served the service.
	ADD COLUMN formula_wait_min real;

-- first_called_at keeps the first call whatever statement calls the ticket.
CREATE FUNCTION tickets_first_call() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
	IF NEW.first_called_at IS NULL AND NEW.called_at IS NOT NULL THEN
		NEW.first_called_at := NEW.called_at;
	END IF;
	RETURN NEW;
END $$;
CREATE TRIGGER tickets_first_call BEFORE INSERT OR UPDATE OF called_at ON tickets
	FOR EACH ROW EXECUTE FUNCTION tickets_first_call();
-- Tickets called before this migration: their called_at is the best we know.
UPDATE tickets SET first_called_at = called_at WHERE called_at IS NOT NULL;

-- Imported tickets are labelled "H-<n>" from this sequence (labels are unique
-- per office and day; the number means nothing else).
CREATE SEQUENCE ticket_import_labels;

-- A row equal to one already imported (same office, instants, service, kind and
-- status) is skipped: ON CONFLICT against this index.
CREATE UNIQUE INDEX tickets_imported ON tickets (municipality, office, issued_at, service,
	kind, status, coalesce(called_at, '-infinity'::timestamptz),
	coalesce(done_at, '-infinity'::timestamptz))
	WHERE source = 'import';

-- Reports scan an office's days in a range; this index answers them from the
-- index alone for the figures they need.
CREATE INDEX tickets_report ON tickets (municipality, office, day)
	INCLUDE (service, status, issued_at, first_called_at, called_at, done_at);
