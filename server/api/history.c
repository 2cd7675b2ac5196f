/*
 * POST /v1/offices/{office}/history: past tickets from an office's earlier
 * ticket machine, as CSV (issued_at,service,kind,called_at,done_at,status).
 * The body is read and checked a slice of rows per turn of the event loop, so
 * a large file never holds the daemon up; then one statement inserts every
 * row from arrays (unnest), skipping rows already imported, and writes the
 * audit row: all or nothing.
 */
#include "api/reports.h"

#include "app.h"
#include "clock.h"
#include "config.h"
#include "core/calendar.h"
#include "core/cdate.h"
#include "core/csv.h"
#include "core/problem.h"
#include "core/xmalloc.h"
#include "log.h"
#include "request.h"
#include "staff.h"

#include <event2/event.h>
#include <jansson.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* Rows checked per turn of the event loop. */
#define ROWS_PER_TURN 500
/* Longest wait or service an imported ticket may show, in seconds. */
#define MAX_SPAN_S (24 * 3600)

/* The columns, in the order the contract's header names them. */
enum { C_ISSUED, C_SERVICE, C_KIND, C_CALLED, C_DONE, C_STATUS, NCOLS };
static const char *const col_names[NCOLS] = {
	"issued_at", "service", "kind", "called_at", "done_at", "status" };

static struct db_stmt stmt_import = {
	"WITH u AS (SELECT * FROM unnest($3::bigint[], $4::text[], $5::text[], $6::bigint[], "
	"$7::bigint[], $8::text[]) AS u(issued, service, kind, called, done, status)), "
	"ins AS (INSERT INTO tickets (municipality, office, day, service, label, kind, status, "
	"issued_at, called_at, done_at, source) SELECT $1, $2, "
	"(to_timestamp(issued) AT TIME ZONE 'Asia/Tokyo')::date, service, "
	"'H-' || nextval('ticket_import_labels'), kind, status, to_timestamp(issued), "
	"to_timestamp(called), to_timestamp(done), 'import' FROM u "
	"ON CONFLICT (municipality, office, issued_at, service, kind, status, "
	"coalesce(called_at, '-infinity'::timestamptz), coalesce(done_at, '-infinity'::timestamptz)) "
	"WHERE source = 'import' DO NOTHING RETURNING 1), "
	"n AS (SELECT count(*) AS imported FROM ins), "
	"a AS (INSERT INTO audit_log (municipality, actor, action, subject, detail) "
	"SELECT $1, $9, 'history.imported', $2, jsonb_build_object('rows', "
	"cardinality($3::bigint[]), 'imported', imported) FROM n) "
	"SELECT imported, cardinality($3::bigint[]) - imported, pg_notify('madoguchi_events', "
	"json_build_object('type', 'forecast', 'office', $2::text)::text) FROM n", 9, 0 };

/* An import on its way: the reader, the checked rows as array literals. */
struct history_ctx {
	const struct config_office *office;	/* the office (the request's config) */
	const char *municipality;		/* its municipality */
	cdate today;				/* rows must be from days before this */
	struct csv_reader rd;			/* over the body */
	int col[NCOLS];				/* where each column is in a record */
	size_t nrows;				/* rows checked so far */
	char *arrays[NCOLS];			/* "{...}" literals being written */
	size_t lens[NCOLS];
	FILE *out[NCOLS];			/* open_memstream writers of arrays */
	struct csv_record rec;			/* the record being read */
};

/* Frees an import context. */
static void
history_free(void *arg)
{
	struct history_ctx *h = arg;

	for (int i = 0; i < NCOLS; i++) {
		if (h->out[i] != NULL)
			fclose(h->out[i]);
		free(h->arrays[i]);
	}
	free(h);
}

/* Reads the header: the six column names, each once, in any order. */
static bool
read_header(struct request *r, struct history_ctx *h)
{
	const char *cause;
	bool seen[NCOLS] = { false };

	switch (csv_next(&h->rd, &h->rec, &cause)) {
	case CSV_END:
		req_bad_csv(r, 1, "header", "%s", "the body is empty; the first line must be the "
		    "header issued_at,service,kind,called_at,done_at,status");
		return false;
	case CSV_ERROR:
		req_bad_csv(r, h->rd.line, "header", "%s", cause);
		return false;
	case CSV_RECORD:
		break;
	}
	for (size_t i = 0; i < h->rec.nfields; i++) {
		int c;
		for (c = 0; c < NCOLS && strcmp(h->rec.fields[i], col_names[c]) != 0; c++)
			;
		if (c == NCOLS || seen[c]) {
			req_bad_csv(r, h->rec.line, h->rec.fields[i][0] ? h->rec.fields[i] : "header",
			    c == NCOLS ? "the header has a column '%s' that is not one of "
			    "issued_at,service,kind,called_at,done_at,status" :
			    "the header names '%s' twice", h->rec.fields[i]);
			return false;
		}
		seen[c] = true;
		h->col[c] = (int)i;
	}
	for (int c = 0; c < NCOLS; c++) {
		if (!seen[c]) {
			req_bad_csv(r, h->rec.line, col_names[c], "the header lacks the column %s",
			    col_names[c]);
			return false;
		}
	}
	return true;
}

/* The text of column c in the current record. */
static const char *
cell(const struct history_ctx *h, int c)
{
	return h->rec.fields[h->col[c]];
}

/* Reads an instant column; false (after answering) when it is not one. */
static bool
instant(struct request *r, struct history_ctx *h, int c, time_t *out)
{
	if (clock_parse_instant(cell(h, c), out))
		return true;
	req_bad_csv(r, h->rec.line, col_names[c], "'%s' is not an instant such as "
	    "2025-06-02T09:15:00+09:00 (ISO 8601 with an offset)", cell(h, c));
	return false;
}

/* Checks an optional later instant: after since, within a day of it. */
static bool
later_instant(struct request *r, struct history_ctx *h, int c, time_t since, time_t *out)
{
	if (!instant(r, h, c, out))
		return false;
	if (*out < since || *out - since > MAX_SPAN_S) {
		req_bad_csv(r, h->rec.line, col_names[c], "%s must come after the instant before it "
		    "in the row, and within a day of it", col_names[c]);
		return false;
	}
	return true;
}

/* Checks issued_at, service, kind and status of the current record. */
static bool
check_plain(struct request *r, struct history_ctx *h, time_t *issued)
{
	cdate day;
	int minute;

	if (!instant(r, h, C_ISSUED, issued))
		return false;
	clock_jst(*issued, &day, &minute);
	if (day >= h->today) {
		req_bad_csv(r, h->rec.line, "issued_at", "%s", "history holds days before today only");
		return false;
	}
	if (cal_service_find(&h->office->cal, cell(h, C_SERVICE)) == NULL) {
		req_bad_csv(r, h->rec.line, "service", "this office offers no service '%s'",
		    cell(h, C_SERVICE));
		return false;
	}
	if (strcmp(cell(h, C_KIND), "walk_in") != 0 && strcmp(cell(h, C_KIND), "reservation") != 0) {
		req_bad_csv(r, h->rec.line, "kind", "kind is walk_in or reservation, not '%s'",
		    cell(h, C_KIND));
		return false;
	}
	if (strcmp(cell(h, C_STATUS), "done") != 0 && strcmp(cell(h, C_STATUS), "no_show") != 0) {
		req_bad_csv(r, h->rec.line, "status", "status is done or no_show, not '%s'",
		    cell(h, C_STATUS));
		return false;
	}
	return true;
}

/* Checks one record and appends it to the arrays; false after answering 400. */
static bool
take_row(struct request *r, struct history_ctx *h)
{
	bool done;
	time_t issued, called = 0, finished = 0;
	const char *sep = h->nrows ? "," : "";

	if (h->rec.nfields != (size_t)NCOLS) {
		req_bad_csv(r, h->rec.line, h->rec.nfields < NCOLS ? col_names[h->rec.nfields] : "row",
		    "%s", "the row does not have the six columns of the header");
		return false;
	}
	if (!check_plain(r, h, &issued))
		return false;
	done = strcmp(cell(h, C_STATUS), "done") == 0;
	if (done && cell(h, C_CALLED)[0] == '\0') {
		req_bad_csv(r, h->rec.line, "called_at", "%s", "a done ticket needs called_at");
		return false;
	}
	if (cell(h, C_CALLED)[0] != '\0' && !later_instant(r, h, C_CALLED, issued, &called))
		return false;
	if (done && cell(h, C_DONE)[0] == '\0') {
		req_bad_csv(r, h->rec.line, "done_at", "%s", "a done ticket needs done_at");
		return false;
	}
	if (!done && cell(h, C_DONE)[0] != '\0') {
		req_bad_csv(r, h->rec.line, "done_at", "%s", "a no-show has no done_at");
		return false;
	}
	if (done && !later_instant(r, h, C_DONE, called, &finished))
		return false;
	fprintf(h->out[C_ISSUED], "%s%lld", sep, (long long)issued);
	fprintf(h->out[C_SERVICE], "%s%s", sep, cell(h, C_SERVICE));
	fprintf(h->out[C_KIND], "%s%s", sep, cell(h, C_KIND));
	if (called)
		fprintf(h->out[C_CALLED], "%s%lld", sep, (long long)called);
	else
		fprintf(h->out[C_CALLED], "%sNULL", sep);
	if (done)
		fprintf(h->out[C_DONE], "%s%lld", sep, (long long)finished);
	else
		fprintf(h->out[C_DONE], "%sNULL", sep);
	fprintf(h->out[C_STATUS], "%s%s", sep, cell(h, C_STATUS));
	h->nrows++;
	return true;
}

/* The import statement ran. */
static void
imported(struct request *r, const struct db_result *res)
{
	struct history_ctx *h = r->ctx;

	if (!res->ok) {
		req_db_failed(r, res);
		return;
	}
	log_info("history: %s rows imported at %s, %s skipped", PQgetvalue(res->pg, 0, 0),
	    h->office->id, PQgetvalue(res->pg, 0, 1));
	req_json(r, 200, json_pack("{s:I, s:I}",
	    "imported", (json_int_t)strtoll(PQgetvalue(res->pg, 0, 0), NULL, 10),
	    "skipped", (json_int_t)strtoll(PQgetvalue(res->pg, 0, 1), NULL, 10)));
}

/* Every row is checked: close the arrays and run the statement. */
static void
history_send(struct request *r, struct history_ctx *h)
{
	char who[40];
	const char *p[9];

	for (int i = 0; i < NCOLS; i++) {
		fputc('}', h->out[i]);
		fclose(h->out[i]);
		h->out[i] = NULL;
	}
	snprintf(who, sizeof who, "staff:%s", r->staff_id);
	p[0] = h->municipality, p[1] = h->office->id;
	for (int i = 0; i < NCOLS; i++)
		p[2 + i] = h->arrays[i];
	p[8] = who;
	if (!req_db(r, &stmt_import, p, imported))
		return;
}

/* Checks up to ROWS_PER_TURN rows; true when the body is finished or answered. */
static bool
history_slice(struct request *r, struct history_ctx *h)
{
	const char *cause;

	for (int n = 0; n < ROWS_PER_TURN; n++) {
		switch (csv_next(&h->rd, &h->rec, &cause)) {
		case CSV_END:
			history_send(r, h);
			return true;
		case CSV_ERROR:
			/* The line the bad record starts on, like every other row error. */
			req_bad_csv(r, h->rec.line, "row", "%s", cause);
			return true;
		case CSV_RECORD:
			if (!take_row(r, h))
				return true;
			break;
		}
	}
	return false;
}

/* A turn of the event loop: check the next rows, or stop if answered meanwhile. */
static void
history_turn(evutil_socket_t fd, short what, void *arg)
{
	struct request *r = arg;
	static const struct timeval now = { 0, 0 };

	(void)fd, (void)what;
	/* The deadline may have answered: the body is gone with the request then. */
	if (!r->answered && !history_slice(r, r->ctx)) {
		if (event_base_once(r->app->base, -1, EV_TIMEOUT, history_turn, r, &now) != 0)
			abort();	/* out of memory */
		return;	/* the reference goes on to the next turn */
	}
	request_release(r);
}

/* The manager's token was accepted: read the header, then the rows a slice at a time. */
static void
history_authorized(struct request *r)
{
	struct history_ctx *h = r->ctx;
	static const struct timeval now = { 0, 0 };

	csv_init(&h->rd, req_body_text(r), req_body_length(r));
	if (!read_header(r, h))
		return;
	for (int i = 0; i < NCOLS; i++) {
		h->out[i] = open_memstream(&h->arrays[i], &h->lens[i]);
		if (h->out[i] == NULL)
			abort();	/* out of memory */
		fputc('{', h->out[i]);
	}
	if (history_slice(r, h))
		return;
	request_hold(r);
	if (event_base_once(r->app->base, -1, EV_TIMEOUT, history_turn, r, &now) != 0)
		abort();	/* out of memory */
}

/* True when the Content-Type is text/csv, with parameters or not. */
static bool
is_csv_type(const char *ct)
{
	size_t n = strlen("text/csv");

	return ct != NULL && strncasecmp(ct, "text/csv", n) == 0 &&
	    (ct[n] == '\0' || ct[n] == ';' || ct[n] == ' ');
}

void
api_history_import(struct request *r)
{
	static const char *const none[] = { NULL };
	const struct config_office *o = config_office(r->cfg, req_param(r, "office"));
	struct history_ctx *h;
	int minute;

	if (o == NULL) {
		req_problem(r, 404, "unknown_office", "there is no office with that id");
		return;
	}
	if (!req_query_allow(r, none))
		return;
	if (!is_csv_type(req_get_header(r, "Content-Type"))) {
		req_problem(r, 415, "unsupported_media_type", "send the history as text/csv");
		return;
	}
	h = xcalloc(1, sizeof *h);
	h->office = o;
	h->municipality = r->cfg->municipalities[o->municipality].id;
	clock_jst(clock_now(), &h->today, &minute);
	r->ctx = h;
	r->ctx_free = history_free;
	staff_require(r, o->id, STAFF_MANAGER, history_authorized);
}
