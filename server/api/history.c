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
#include "core/problem.h"
#include "core/xmalloc.h"
#include "imports.h"
#include "log.h"
#include "request.h"
#include "staff.h"

#include <event2/event.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Rows checked per turn of the event loop. */
#define ROWS_PER_TURN 500

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
	struct import_history rd;		/* the body being read */
	size_t nrows;				/* rows checked so far */
	char *arrays[HIST_NCOLS];		/* "{...}" literals being written */
	size_t lens[HIST_NCOLS];
	FILE *out[HIST_NCOLS];			/* open_memstream writers of arrays */
};

/* True when the office (arg) offers service. */
static bool
offered(const char *service, void *arg)
{
	const struct config_office *o = arg;

	return cal_service_find(&o->cal, service) != NULL;
}

/* Frees an import context. */
static void
history_free(void *arg)
{
	struct history_ctx *h = arg;

	for (int i = 0; i < HIST_NCOLS; i++) {
		if (h->out[i] != NULL)
			fclose(h->out[i]);
		free(h->arrays[i]);
	}
	free(h);
}

/* Appends a checked row to the arrays. */
static void
take_row(struct history_ctx *h, const struct history_row *row)
{
	const char *sep = h->nrows ? "," : "";

	fprintf(h->out[HIST_ISSUED], "%s%lld", sep, (long long)row->issued);
	fprintf(h->out[HIST_SERVICE], "%s%s", sep, row->service);
	fprintf(h->out[HIST_KIND], "%s%s", sep, row->kind);
	if (row->has_called)
		fprintf(h->out[HIST_CALLED], "%s%lld", sep, (long long)row->called);
	else
		fprintf(h->out[HIST_CALLED], "%sNULL", sep);
	if (row->done)
		fprintf(h->out[HIST_DONE], "%s%lld", sep, (long long)row->finished);
	else
		fprintf(h->out[HIST_DONE], "%sNULL", sep);
	fprintf(h->out[HIST_STATUS], "%s%s", sep, row->status);
	h->nrows++;
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

	for (int i = 0; i < HIST_NCOLS; i++) {
		fputc('}', h->out[i]);
		fclose(h->out[i]);
		h->out[i] = NULL;
	}
	snprintf(who, sizeof who, "staff:%s", r->staff_id);
	p[0] = h->municipality, p[1] = h->office->id;
	for (int i = 0; i < HIST_NCOLS; i++)
		p[2 + i] = h->arrays[i];
	p[8] = who;
	if (!req_db(r, &stmt_import, p, imported))
		return;
}

/* Checks up to ROWS_PER_TURN rows; true when the body is finished or answered. */
static bool
history_slice(struct request *r, struct history_ctx *h)
{
	struct history_row row;
	json_t *problem;

	for (int n = 0; n < ROWS_PER_TURN; n++) {
		switch (import_history_next(&h->rd, &row, &problem)) {
		case IMPORT_END:
			history_send(r, h);
			return true;
		case IMPORT_BAD:
			req_problem_json(r, problem);
			return true;
		case IMPORT_ROW:
			take_row(h, &row);
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
	json_t *problem;

	import_history_init(&h->rd, req_body_text(r), req_body_length(r), h->today, offered,
	    (void *)h->office);
	if ((problem = import_history_header(&h->rd)) != NULL) {
		req_problem_json(r, problem);
		return;
	}
	for (int i = 0; i < HIST_NCOLS; i++) {
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
	if (!req_body_type(r, "text/csv", "the history"))
		return;
	h = xcalloc(1, sizeof *h);
	h->office = o;
	h->municipality = r->cfg->municipalities[o->municipality].id;
	clock_jst(clock_now(), &h->today, &minute);
	r->ctx = h;
	r->ctx_free = history_free;
	staff_require(r, o->id, STAFF_MANAGER, history_authorized);
}
