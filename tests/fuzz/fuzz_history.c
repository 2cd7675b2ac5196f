/*
 * POST /v1/offices/{office}/history bodies: the CSV reader and then the
 * history's header and row checks (imports.c), for an office offering three
 * services, on a fixed today. Every accepted row is a ticket of a day from
 * 1980 (the first year whose holidays are known) to before today, of an
 * offered service, walk_in or reservation, done (called and done in order,
 * each within a day) or no_show (no done_at), its instants the row's text; a
 * refusal is 400 bad_csv naming a column (or the header, or the row) and a
 * line the reader has reached.
 */
#include "fuzz.h"

#include "clock.h"
#include "core/rules.h"
#include "imports.h"

#include <stdbool.h>

/* The services the office offers. */
static bool
offered(const char *service, void *arg)
{
	(void)arg;
	return strcmp(service, "ecert_renewal") == 0 || strcmp(service, "card_pickup") == 0 ||
	    strcmp(service, "address_change") == 0;
}

/* 2026-06-15, as the daemon's clock_jst gives today. */
#define TODAY 20619

/* A refusal: 400 bad_csv with a line up to the reader's and a field. */
static void
check_refusal(json_t *p, const struct import_history *h, bool header)
{
	static const char *const fields[] = { "issued_at", "service", "kind", "called_at",
		"done_at", "status", "row", "header", NULL };
	const char *field = json_string_value(json_object_get(p, "field"));
	json_int_t line = json_integer_value(json_object_get(p, "line"));
	const char *const *f = fields;

	FUZZ_ASSERT(json_integer_value(json_object_get(p, "status")) == 400);
	FUZZ_ASSERT(strcmp(json_string_value(json_object_get(p, "code")), "bad_csv") == 0);
	FUZZ_ASSERT(json_string_value(json_object_get(p, "detail")) != NULL);
	FUZZ_ASSERT(line >= 1 && line <= h->rd.line);
	FUZZ_ASSERT(field != NULL && field[0] != '\0');
	while (*f != NULL && strcmp(*f, field) != 0)
		f++;
	/* Only the header names a column it does not know, by its text. */
	FUZZ_ASSERT(*f != NULL || header);
	json_decref(p);
}

/* An instant as the row wrote it. */
static time_t
cell_instant(const struct import_history *h, int c)
{
	time_t t;

	FUZZ_ASSERT(clock_parse_instant(h->rec.fields[h->col[c]], &t));
	return t;
}

/* An accepted row. */
static void
check_row(const struct history_row *row, const struct import_history *h)
{
	cdate day;
	int minute;

	FUZZ_ASSERT(h->rec.nfields == HIST_NCOLS);
	FUZZ_ASSERT(cell_instant(h, HIST_ISSUED) == row->issued);
	clock_jst(row->issued, &day, &minute);
	FUZZ_ASSERT(day < TODAY && rules_date_in_range(day));
	FUZZ_ASSERT(offered(row->service, NULL));
	FUZZ_ASSERT(strcmp(row->kind, "walk_in") == 0 || strcmp(row->kind, "reservation") == 0);
	FUZZ_ASSERT(row->done == (strcmp(row->status, "done") == 0));
	FUZZ_ASSERT(row->done || strcmp(row->status, "no_show") == 0);
	FUZZ_ASSERT(!row->done || row->has_called);
	FUZZ_ASSERT(row->has_called == (h->rec.fields[h->col[HIST_CALLED]][0] != '\0'));
	if (row->has_called) {
		FUZZ_ASSERT(cell_instant(h, HIST_CALLED) == row->called);
		FUZZ_ASSERT(row->called >= row->issued &&
		    row->called - row->issued <= IMPORT_MAX_SPAN_S);
	}
	if (row->done) {
		FUZZ_ASSERT(cell_instant(h, HIST_DONE) == row->finished);
		FUZZ_ASSERT(row->finished >= row->called &&
		    row->finished - row->called <= IMPORT_MAX_SPAN_S);
	} else {
		FUZZ_ASSERT(h->rec.fields[h->col[HIST_DONE]][0] == '\0');
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct import_history h;
	struct history_row row;
	enum import_status st;
	json_t *p;
	int last = 0;

	import_history_init(&h, (const char *)data, size, TODAY, offered, NULL);
	if ((p = import_history_header(&h)) != NULL) {
		check_refusal(p, &h, true);
		return 0;
	}
	while ((st = import_history_next(&h, &row, &p)) == IMPORT_ROW) {
		check_row(&row, &h);
		FUZZ_ASSERT(h.rec.line > last);
		last = h.rec.line;
	}
	if (st == IMPORT_BAD)
		check_refusal(p, &h, false);
	else
		FUZZ_ASSERT(p == NULL);
	return 0;
}
