/*
 * PUT /v1/municipalities/{municipality}/expiries: how many e-certificates and
 * cards expire on each date (CSV date,certificates,cards; aggregate counts,
 * never people). All or nothing: one statement replaces the counts of the
 * dates given, writes the audit row, and tells every daemon to refit the
 * municipality's offices. A body holds at most 4000 dates (ten years and
 * more), so it is read in one turn of the loop.
 */
#include "api/planning.h"

#include "app.h"
#include "config.h"
#include "core/cdate.h"
#include "core/problem.h"
#include "core/xmalloc.h"
#include "imports.h"
#include "log.h"
#include "request.h"
#include "staff.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

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
	char *arrays[EXP_NCOLS];		/* "{...}" literals */
	char *offices;				/* its offices as an array literal */
};

/* Frees an upload. */
static void
exp_free(void *arg)
{
	struct exp_req *e = arg;

	for (int i = 0; i < EXP_NCOLS; i++)
		free(e->arrays[i]);
	free(e->offices);
	free(e);
}

/* Reads every row into the arrays; false after answering 400. */
static bool
read_rows(struct request *r, struct exp_req *e)
{
	struct import_expiries *rd = xmalloc(sizeof *rd);
	struct expiry_row row;
	enum import_status st = IMPORT_BAD;
	FILE *out[EXP_NCOLS];
	size_t lens[EXP_NCOLS];
	json_t *problem;
	char text[11];

	import_expiries_init(rd, req_body_text(r), req_body_length(r));
	problem = import_expiries_header(rd);
	for (int i = 0; i < EXP_NCOLS; i++) {
		out[i] = open_memstream(&e->arrays[i], &lens[i]);
		if (out[i] == NULL)
			abort();	/* out of memory */
		fputc('{', out[i]);
	}
	while (problem == NULL && (st = import_expiries_next(rd, &row, &problem)) == IMPORT_ROW) {
		const char *sep = rd->n > 1 ? "," : "";
		fprintf(out[EXP_DATE], "%s%s", sep, cdate_format(row.date, text));
		fprintf(out[EXP_CERTS], "%s%ld", sep, row.certificates);
		fprintf(out[EXP_CARDS], "%s%ld", sep, row.cards);
	}
	for (int i = 0; i < EXP_NCOLS; i++) {
		fputc('}', out[i]);
		fclose(out[i]);
	}
	import_expiries_free(rd);
	free(rd);
	if (problem != NULL)
		req_problem_json(r, problem);
	return st == IMPORT_END;
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
	const char *p[6] = { e->muni->id, e->arrays[EXP_DATE], e->arrays[EXP_CERTS],
		e->arrays[EXP_CARDS], r->staff_id, e->offices };

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
	if (!req_body_type(r, "text/csv", "the counts"))
		return;
	e = xcalloc(1, sizeof *e);
	e->muni = m;
	e->offices = office_list(r->cfg, m);
	r->ctx = e;
	r->ctx_free = exp_free;
	if (read_rows(r, e))
		staff_require(r, "", STAFF_MANAGER, put_authorized);
}
