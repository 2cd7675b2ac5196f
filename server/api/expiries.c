/*
 * PUT /v1/municipalities/{municipality}/expiries: how many e-certificates and
 * cards expire on each date (CSV date,certificates,cards; aggregate counts,
 * never people). All or nothing: one statement replaces the counts of the
 * dates given, writes the audit row, and tells every daemon to refit the
 * municipality's offices. A body holds at most MAX_ROWS dates (ten years and
 * more), so it is read in one turn of the loop.
 */
#include "api/planning.h"

#include "app.h"
#include "config.h"
#include "core/cdate.h"
#include "core/csv.h"
#include "core/problem.h"
#include "core/rules.h"
#include "core/xmalloc.h"
#include "log.h"
#include "request.h"
#include "staff.h"

#include <jansson.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define MAX_ROWS 4000
#define MAX_COUNT 10000000

enum { C_DATE, C_CERTS, C_CARDS, NCOLS };
static const char *const col_names[NCOLS] = { "date", "certificates", "cards" };

static struct db_stmt stmt_put = {
	"WITH t AS (SELECT 1 FROM staff_tokens WHERE municipality = $1 AND id = $5 "
	"AND revoked_at IS NULL), "
	"u AS (INSERT INTO expiries (municipality, date, certificates, cards) "
	"SELECT $1, d, c, k FROM unnest($2::date[], $3::int[], $4::int[]) AS u(d, c, k) "
	"WHERE EXISTS (SELECT 1 FROM t) ON CONFLICT (municipality, date) DO UPDATE "
	"SET certificates = EXCLUDED.certificates, cards = EXCLUDED.cards, updated_at = now() "
	"RETURNING 1), "
	"n AS (SELECT count(*) AS days FROM u), "
	"a AS (INSERT INTO audit_log (municipality, actor, action, subject, detail) "
	"SELECT $1, 'staff:' || $5, 'expiries.replaced', $1, jsonb_build_object('days', days) "
	"FROM n WHERE EXISTS (SELECT 1 FROM t)), "
	"f AS (SELECT pg_notify('madoguchi_events', json_build_object('type', 'forecast', "
	"'office', o)::text) FROM unnest($6::text[]) AS o WHERE EXISTS (SELECT 1 FROM t)) "
	"SELECT EXISTS (SELECT 1 FROM t), days, (SELECT count(*) FROM f) FROM n", 6, 0 };

/* An upload on its way: the arrays for the statement. */
struct exp_req {
	const struct config_municipality *muni;	/* the municipality */
	char *arrays[NCOLS];			/* "{...}" literals */
	char *offices;				/* its offices as an array literal */
};

/* Frees an upload. */
static void
exp_free(void *arg)
{
	struct exp_req *e = arg;

	for (int i = 0; i < NCOLS; i++)
		free(e->arrays[i]);
	free(e->offices);
	free(e);
}

/* Reads the header; col[c] is where column c is. */
static bool
read_header(struct request *r, struct csv_reader *rd, struct csv_record *rec, int col[NCOLS])
{
	const char *cause;
	bool seen[NCOLS] = { false };
	enum csv_status st = csv_next(rd, rec, &cause);

	if (st != CSV_RECORD) {
		req_bad_csv(r, st == CSV_ERROR ? rd->line : 1, "header", "%s", st == CSV_ERROR ? cause :
		    "the body is empty; the first line must be the header date,certificates,cards");
		return false;
	}
	for (size_t i = 0; i < rec->nfields; i++) {
		int c = 0;
		while (c < NCOLS && strcmp(rec->fields[i], col_names[c]) != 0)
			c++;
		if (c == NCOLS || seen[c]) {
			req_bad_csv(r, rec->line, "header", "the header is date,certificates,cards (in any "
			    "order, each once), not '%s'", rec->fields[i]);
			return false;
		}
		seen[c] = true;
		col[c] = (int)i;
	}
	for (int c = 0; c < NCOLS; c++) {
		if (!seen[c]) {
			req_bad_csv(r, rec->line, col_names[c], "the header lacks the column %s",
			    col_names[c]);
			return false;
		}
	}
	return true;
}

/* Reads a count cell; false after answering. */
static bool
count_cell(struct request *r, const struct csv_record *rec, const int col[NCOLS], int c,
    long *out)
{
	const char *s = rec->fields[col[c]];
	char *end;

	*out = strtol(s, &end, 10);
	if (s[0] == '\0' || s[0] == '-' || s[0] == '+' || *end != '\0' || *out < 0 ||
	    *out > MAX_COUNT) {
		req_bad_csv(r, rec->line, col_names[c], "'%s' is not a count from 0 to 10000000", s);
		return false;
	}
	return true;
}

/* Checks one row and appends it; seen marks the dates so far. */
static bool
take_row(struct request *r, const struct csv_record *rec, const int col[NCOLS],
    FILE *out[NCOLS], size_t n, cdate *dates)
{
	const char *sep = n ? "," : "";
	long certs, cards;
	cdate d;
	char text[11];

	if (rec->nfields != NCOLS) {
		req_bad_csv(r, rec->line, rec->nfields < NCOLS ? col_names[rec->nfields] : "row", "%s",
		    "the row does not have the three columns of the header");
		return false;
	}
	if (!cdate_parse(rec->fields[col[C_DATE]], &d) || !rules_date_in_range(d)) {
		req_bad_csv(r, rec->line, "date", "'%s' is not a date YYYY-MM-DD in 1980 to 2099",
		    rec->fields[col[C_DATE]]);
		return false;
	}
	for (size_t i = 0; i < n; i++) {
		if (dates[i] == d) {
			req_bad_csv(r, rec->line, "date", "the date %s comes twice", cdate_format(d, text));
			return false;
		}
	}
	if (!count_cell(r, rec, col, C_CERTS, &certs) || !count_cell(r, rec, col, C_CARDS, &cards))
		return false;
	dates[n] = d;
	fprintf(out[C_DATE], "%s%s", sep, cdate_format(d, text));
	fprintf(out[C_CERTS], "%s%ld", sep, certs);
	fprintf(out[C_CARDS], "%s%ld", sep, cards);
	return true;
}

/* Reads every row into the arrays; false after answering 400. */
static bool
read_rows(struct request *r, struct exp_req *e)
{
	struct csv_reader rd;
	struct csv_record *rec = xmalloc(sizeof *rec);
	cdate *dates = xcalloc(MAX_ROWS, sizeof *dates);
	FILE *out[NCOLS];
	size_t lens[NCOLS], n = 0;
	int col[NCOLS];
	const char *cause;
	bool ok;

	csv_init(&rd, req_body_text(r), req_body_length(r));
	ok = read_header(r, &rd, rec, col);
	for (int i = 0; i < NCOLS; i++) {
		out[i] = open_memstream(&e->arrays[i], &lens[i]);
		if (out[i] == NULL)
			abort();	/* out of memory */
		fputc('{', out[i]);
	}
	while (ok) {
		enum csv_status st = csv_next(&rd, rec, &cause);
		if (st == CSV_END)
			break;
		if (st == CSV_ERROR) {
			req_bad_csv(r, rec->line, "row", "%s", cause);
			ok = false;
		} else if (n == MAX_ROWS) {
			req_bad_csv(r, rec->line, "row", "at most %d dates in one upload", MAX_ROWS);
			ok = false;
		} else {
			ok = take_row(r, rec, col, out, n++, dates);
		}
	}
	for (int i = 0; i < NCOLS; i++) {
		fputc('}', out[i]);
		fclose(out[i]);
	}
	free(dates);
	free(rec);
	return ok;
}

/* The statement ran. */
static void
stored(struct request *r, const struct db_result *res)
{
	struct exp_req *e = r->ctx;

	if (!res->ok) {
		req_db_failed(r, res);
		return;
	}
	if (strcmp(PQgetvalue(res->pg, 0, 0), "t") != 0) {
		req_problem(r, 403, "wrong_municipality", "this token acts for no office of %s",
		    e->muni->id);
		return;
	}
	log_info("expiries: %s days replaced for %s", PQgetvalue(res->pg, 0, 1), e->muni->id);
	req_json(r, 200, json_pack("{s:I}", "days",
	    (json_int_t)strtoll(PQgetvalue(res->pg, 0, 1), NULL, 10)));
}

/* A manager token (of some office) was accepted: store for its municipality only. */
static void
put_authorized(struct request *r)
{
	struct exp_req *e = r->ctx;
	const char *p[6] = { e->muni->id, e->arrays[C_DATE], e->arrays[C_CERTS],
		e->arrays[C_CARDS], r->staff_id, e->offices };

	if (!req_db(r, &stmt_put, p, stored))
		return;
}

/* The municipality's offices as an array literal (ids need no quoting). */
static char *
office_list(const struct config *cfg, const struct config_municipality *m)
{
	size_t len = 2;
	char *s;

	for (size_t i = 0; i < cfg->noffices; i++)
		len += strlen(cfg->offices[i].id) + 1;
	s = xcalloc(1, len + 1);
	strcat(s, "{");
	for (size_t i = 0; i < cfg->noffices; i++) {
		if (&cfg->municipalities[cfg->offices[i].municipality] != m)
			continue;
		if (s[1] != '\0')
			strcat(s, ",");
		strcat(s, cfg->offices[i].id);
	}
	strcat(s, "}");
	return s;
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
api_expiries_put(struct request *r)
{
	static const char *const none[] = { NULL };
	const struct config_municipality *m = config_municipality_find(r->cfg,
	    req_param(r, "municipality"));
	struct exp_req *e;

	if (m == NULL) {
		req_problem(r, 404, "unknown_municipality", "there is no municipality with that id");
		return;
	}
	if (!req_query_allow(r, none))
		return;
	if (!is_csv_type(req_get_header(r, "Content-Type"))) {
		req_problem(r, 415, "unsupported_media_type", "send the counts as text/csv");
		return;
	}
	e = xcalloc(1, sizeof *e);
	e->muni = m;
	e->offices = office_list(r->cfg, m);
	r->ctx = e;
	r->ctx_free = exp_free;
	if (read_rows(r, e))
		staff_require(r, "", STAFF_MANAGER, put_authorized);
}
