/* The rows of the CSV imports (ticket history, expiry counts), checked. */
#include "imports.h"

#include "clock.h"
#include "core/problem.h"
#include "core/rules.h"
#include "core/xmalloc.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *const hist_names[HIST_NCOLS] = {
	"issued_at", "service", "kind", "called_at", "done_at", "status" };
static const char *const exp_names[EXP_NCOLS] = { "date", "certificates", "cards" };

/* The 400 bad_csv problem for line and column field, its detail from fmt. */
static json_t *bad(int line, const char *field, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static json_t *
bad(int line, const char *field, const char *fmt, ...)
{
	va_list ap;
	char *detail;
	json_t *p;

	va_start(ap, fmt);
	if (vasprintf(&detail, fmt, ap) == -1)
		abort();	/* out of memory */
	va_end(ap);
	p = problem_field(400, "bad_csv", field, detail);
	json_object_set_new(p, "line", json_integer(line));
	free(detail);
	return p;
}

/* What a header holds. */
enum header_verdict {
	HEADER_OK,	/* each column once, nothing else */
	HEADER_UNKNOWN,	/* field *which is not a column */
	HEADER_TWICE,	/* field *which names a column again */
	HEADER_MISSING,	/* column *which is not there */
};

/* Maps each of the ncols names to its place in the header record rec (col). */
static enum header_verdict
header_columns(const struct csv_record *rec, const char *const *names, int ncols, int *col,
    int *which)
{
	bool seen[HIST_NCOLS] = { false };	/* the longer header */

	for (size_t i = 0; i < rec->nfields; i++) {
		int c = 0;
		while (c < ncols && strcmp(rec->fields[i], names[c]) != 0)
			c++;
		*which = (int)i;
		if (c == ncols || seen[c])
			return c == ncols ? HEADER_UNKNOWN : HEADER_TWICE;
		seen[c] = true;
		col[c] = (int)i;
	}
	for (int c = 0; c < ncols; c++) {
		*which = c;
		if (!seen[c])
			return HEADER_MISSING;
	}
	return HEADER_OK;
}

void
import_history_init(struct import_history *h, const char *data, size_t len, cdate today,
    import_offered_fn *offered, void *arg)
{
	memset(h, 0, sizeof *h);
	csv_init(&h->rd, data, len);
	h->today = today;
	h->offered = offered;
	h->arg = arg;
}

json_t *
import_history_header(struct import_history *h)
{
	enum header_verdict v;
	const char *cause, *f;
	int which;

	switch (csv_next(&h->rd, &h->rec, &cause)) {
	case CSV_END:
		return bad(1, "header", "%s", "the body is empty; the first line must be the "
		    "header issued_at,service,kind,called_at,done_at,status");
	case CSV_ERROR:
		return bad(h->rd.line, "header", "%s", cause);
	case CSV_RECORD:
		break;
	}
	v = header_columns(&h->rec, hist_names, HIST_NCOLS, h->col, &which);
	f = v == HEADER_UNKNOWN || v == HEADER_TWICE ? h->rec.fields[which] : "";
	switch (v) {
	case HEADER_OK:
		return NULL;
	case HEADER_UNKNOWN:
		return bad(h->rec.line, f[0] ? f : "header", "the header has a column '%s' that is "
		    "not one of issued_at,service,kind,called_at,done_at,status", f);
	case HEADER_TWICE:
		return bad(h->rec.line, f, "the header names '%s' twice", f);
	case HEADER_MISSING:
		break;
	}
	return bad(h->rec.line, hist_names[which], "the header lacks the column %s",
	    hist_names[which]);
}

/* The text of column c in the current record. */
static const char *
cell(const struct import_history *h, int c)
{
	return h->rec.fields[h->col[c]];
}

/* Reads instant column c into *out. */
static json_t *
instant(const struct import_history *h, int c, time_t *out)
{
	if (clock_parse_instant(cell(h, c), out))
		return NULL;
	return bad(h->rec.line, hist_names[c], "'%s' is not an instant such as "
	    "2025-06-02T09:15:00+09:00 (ISO 8601 with an offset)", cell(h, c));
}

/* Reads a later instant column c: at or after since, within a day of it. */
static json_t *
later_instant(const struct import_history *h, int c, time_t since, time_t *out)
{
	json_t *p = instant(h, c, out);

	if (p == NULL && (*out < since || *out - since > IMPORT_MAX_SPAN_S))
		p = bad(h->rec.line, hist_names[c], "%s must come after the instant before it "
		    "in the row, and within a day of it", hist_names[c]);
	return p;
}

/* Checks issued_at, service, kind and status of the current record. */
static json_t *
history_plain(const struct import_history *h, struct history_row *row)
{
	int line = h->rec.line, minute;
	cdate day;
	json_t *p;

	if ((p = instant(h, HIST_ISSUED, &row->issued)) != NULL)
		return p;
	clock_jst(row->issued, &day, &minute);
	if (day >= h->today)
		return bad(line, "issued_at", "%s", "history holds days before today only");
	if (!rules_date_in_range(day))
		return bad(line, "issued_at", "history holds days from %d on, the years whose "
		    "holidays are known", RULES_FIRST_YEAR);
	if (!h->offered(cell(h, HIST_SERVICE), h->arg))
		return bad(line, "service", "this office offers no service '%s'", cell(h, HIST_SERVICE));
	if (strcmp(cell(h, HIST_KIND), "walk_in") != 0 &&
	    strcmp(cell(h, HIST_KIND), "reservation") != 0)
		return bad(line, "kind", "kind is walk_in or reservation, not '%s'", cell(h, HIST_KIND));
	if (strcmp(cell(h, HIST_STATUS), "done") != 0 && strcmp(cell(h, HIST_STATUS), "no_show") != 0)
		return bad(line, "status", "status is done or no_show, not '%s'", cell(h, HIST_STATUS));
	return NULL;
}

/* Checks the current record as a history row. */
static json_t *
history_row(const struct import_history *h, struct history_row *row)
{
	int line = h->rec.line;
	json_t *p;

	memset(row, 0, sizeof *row);
	if (h->rec.nfields != (size_t)HIST_NCOLS)
		return bad(line, h->rec.nfields < HIST_NCOLS ? hist_names[h->rec.nfields] : "row",
		    "%s", "the row does not have the six columns of the header");
	if ((p = history_plain(h, row)) != NULL)
		return p;
	row->done = strcmp(cell(h, HIST_STATUS), "done") == 0;
	row->has_called = cell(h, HIST_CALLED)[0] != '\0';
	if (row->done && !row->has_called)
		return bad(line, "called_at", "%s", "a done ticket needs called_at");
	if (row->has_called && (p = later_instant(h, HIST_CALLED, row->issued, &row->called)) != NULL)
		return p;
	if (row->done && cell(h, HIST_DONE)[0] == '\0')
		return bad(line, "done_at", "%s", "a done ticket needs done_at");
	if (!row->done && cell(h, HIST_DONE)[0] != '\0')
		return bad(line, "done_at", "%s", "a no-show has no done_at");
	if (row->done && (p = later_instant(h, HIST_DONE, row->called, &row->finished)) != NULL)
		return p;
	row->service = cell(h, HIST_SERVICE);
	row->kind = cell(h, HIST_KIND);
	row->status = cell(h, HIST_STATUS);
	return NULL;
}

/*
 * Reads the next record of either import: IMPORT_ROW when there is one to
 * check, IMPORT_END, or IMPORT_BAD with the problem at the line the bad
 * record starts on, like every other row error.
 */
static enum import_status
next_record(struct csv_reader *rd, struct csv_record *rec, json_t **problem)
{
	const char *cause;

	*problem = NULL;
	switch (csv_next(rd, rec, &cause)) {
	case CSV_END:
		return IMPORT_END;
	case CSV_ERROR:
		*problem = bad(rec->line, "row", "%s", cause);
		return IMPORT_BAD;
	case CSV_RECORD:
		break;
	}
	return IMPORT_ROW;
}

enum import_status
import_history_next(struct import_history *h, struct history_row *row, json_t **problem)
{
	enum import_status st = next_record(&h->rd, &h->rec, problem);

	if (st != IMPORT_ROW)
		return st;
	*problem = history_row(h, row);
	return *problem == NULL ? IMPORT_ROW : IMPORT_BAD;
}

void
import_expiries_init(struct import_expiries *e, const char *data, size_t len)
{
	memset(e, 0, sizeof *e);
	csv_init(&e->rd, data, len);
	e->dates = xcalloc(IMPORT_EXPIRIES_MAX_ROWS, sizeof *e->dates);
}

void
import_expiries_free(struct import_expiries *e)
{
	free(e->dates);
	e->dates = NULL;
}

json_t *
import_expiries_header(struct import_expiries *e)
{
	enum header_verdict v;
	const char *cause;
	int which;
	enum csv_status st = csv_next(&e->rd, &e->rec, &cause);

	if (st != CSV_RECORD)
		return bad(st == CSV_ERROR ? e->rd.line : 1, "header", "%s", st == CSV_ERROR ? cause :
		    "the body is empty; the first line must be the header date,certificates,cards");
	v = header_columns(&e->rec, exp_names, EXP_NCOLS, e->col, &which);
	if (v == HEADER_OK)
		return NULL;
	if (v == HEADER_MISSING)
		return bad(e->rec.line, exp_names[which], "the header lacks the column %s",
		    exp_names[which]);
	return bad(e->rec.line, "header", "the header is date,certificates,cards (in any order, "
	    "each once), not '%s'", e->rec.fields[which]);
}

/* Reads count column c of the current record into *out. */
static json_t *
count_cell(const struct import_expiries *e, int c, long *out)
{
	const char *s = e->rec.fields[e->col[c]];
	char *end;

	*out = strtol(s, &end, 10);
	if (s[0] == '\0' || s[0] == '-' || s[0] == '+' || *end != '\0' || *out < 0 ||
	    *out > IMPORT_MAX_COUNT)
		return bad(e->rec.line, exp_names[c], "'%s' is not a count from 0 to 10000000", s);
	return NULL;
}

/* Checks the current record as an expiries row. */
static json_t *
expiry_row(const struct import_expiries *e, struct expiry_row *row)
{
	const struct csv_record *rec = &e->rec;
	const char *date;
	char text[11];
	json_t *p;

	if (rec->nfields != EXP_NCOLS)
		return bad(rec->line, rec->nfields < EXP_NCOLS ? exp_names[rec->nfields] : "row", "%s",
		    "the row does not have the three columns of the header");
	date = rec->fields[e->col[EXP_DATE]];
	if (!cdate_parse(date, &row->date) || !rules_date_in_range(row->date))
		return bad(rec->line, "date", "'%s' is not a date YYYY-MM-DD in 1980 to 2099", date);
	for (size_t i = 0; i < e->n; i++) {
		if (e->dates[i] == row->date)
			return bad(rec->line, "date", "the date %s comes twice",
			    cdate_format(row->date, text));
	}
	if ((p = count_cell(e, EXP_CERTS, &row->certificates)) != NULL ||
	    (p = count_cell(e, EXP_CARDS, &row->cards)) != NULL)
		return p;
	return NULL;
}

enum import_status
import_expiries_next(struct import_expiries *e, struct expiry_row *row, json_t **problem)
{
	enum import_status st = next_record(&e->rd, &e->rec, problem);

	if (st != IMPORT_ROW)
		return st;
	if (e->n == IMPORT_EXPIRIES_MAX_ROWS)
		*problem = bad(e->rec.line, "row", "at most %d dates in one upload",
		    IMPORT_EXPIRIES_MAX_ROWS);
	else if ((*problem = expiry_row(e, row)) == NULL)
		e->dates[e->n++] = row->date;
	return *problem == NULL ? IMPORT_ROW : IMPORT_BAD;
}
