/*
 * GET/POST/DELETE /v1/offices/{office}/capacity: the capacity rules for
 * online booking. Each change is one statement that stores or removes the
 * rule, writes the audit row and notifies every daemon (capacity.h), which
 * reload their rules; this daemon applies it at once.
 */
#include "api/planning.h"

#include "app.h"
#include "capacity.h"
#include "config.h"
#include "core/calendar.h"
#include "core/caprule.h"
#include "core/cdate.h"
#include "core/problem.h"
#include "core/xmalloc.h"
#include "log.h"
#include "request.h"
#include "staff.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The columns every statement returns, as rule_json reads them. */
#define RULE_COLUMNS "id, service, from_date, to_date, array_to_json(weekdays), factor, day, " \
	"cap, created_by, to_char(created_at AT TIME ZONE 'Asia/Tokyo', " \
	"'YYYY-MM-DD\"T\"HH24:MI:SS\"+09:00\"')"
#define NOTIFY_CAPACITY \
	"pg_notify('madoguchi_events', json_build_object('type', 'capacity', 'office', $2::text)::text)"

static struct db_stmt stmt_list = {
	"SELECT " RULE_COLUMNS " FROM capacity_rules WHERE municipality = $1 AND office = $2 "
	"ORDER BY id", 2, 0 };
static struct db_stmt stmt_insert = {
	"WITH r AS (INSERT INTO capacity_rules (municipality, office, service, from_date, to_date, "
	"weekdays, factor, day, cap, created_by) VALUES ($1, $2, $3, $4::date, $5::date, "
	"$6::smallint[], $7::real, $8::date, $9::int, $10) RETURNING *), "
	"a AS (INSERT INTO audit_log (municipality, actor, action, subject, detail) "
	"SELECT $1, $10, 'capacity.created', $2, to_jsonb(r) - 'municipality' FROM r) "
	"SELECT " RULE_COLUMNS ", " NOTIFY_CAPACITY " FROM r", 10, 0 };
static struct db_stmt stmt_delete = {
	"WITH r AS (DELETE FROM capacity_rules WHERE municipality = $1 AND office = $2 "
	"AND id = $3::bigint RETURNING *), "
	"a AS (INSERT INTO audit_log (municipality, actor, action, subject, detail) "
	"SELECT $1, $4, 'capacity.deleted', $2, to_jsonb(r) - 'municipality' FROM r) "
	"SELECT id, " NOTIFY_CAPACITY " FROM r", 4, 0 };

/* A capacity request: the office, and the rule being created. */
struct cap_req {
	const struct config_office *office;	/* the office */
	const char *municipality;		/* its municipality */
	struct capacity_rule rule;		/* POST: the rule, as the body gives it */
	long long id;				/* DELETE: the rule */
};

/* A text column, or JSON null. */
static json_t *
text_or_null(const PGresult *pg, int row, int col)
{
	return PQgetisnull(pg, row, col) ? json_null() : json_string(PQgetvalue(pg, row, col));
}

/* One rule row (RULE_COLUMNS) as the API shows it. */
static json_t *
rule_json(const PGresult *pg, int i)
{
	json_t *wd = PQgetisnull(pg, i, 4) ? json_null() :
	    json_loads(PQgetvalue(pg, i, 4), 0, NULL);
	bool cap = !PQgetisnull(pg, i, 7);

	return json_pack("{s:I, s:s, s:o, s:o, s:o, s:o, s:o, s:o, s:s, s:s}",
	    "id", (json_int_t)strtoll(PQgetvalue(pg, i, 0), NULL, 10),
	    "service", PQgetvalue(pg, i, 1),
	    "from", text_or_null(pg, i, cap ? 6 : 2), "to", text_or_null(pg, i, cap ? 6 : 3),
	    "date", text_or_null(pg, i, 6), "weekdays", wd ? wd : json_null(),
	    "factor", cap ? json_null() : json_real(strtod(PQgetvalue(pg, i, 5), NULL)),
	    "cap", cap ? json_integer(atoi(PQgetvalue(pg, i, 7))) : json_null(),
	    "created_by", PQgetvalue(pg, i, 8), "created_at", PQgetvalue(pg, i, 9));
}

/* The rules arrived. */
static void
list_done(struct request *r, const struct db_result *res)
{
	json_t *rules = json_array();

	if (!res->ok) {
		json_decref(rules);
		req_db_failed(r, res);
		return;
	}
	for (int i = 0; i < PQntuples(res->pg); i++)
		json_array_append_new(rules, rule_json(res->pg, i));
	req_json(r, 200, json_pack("{s:s, s:o}", "office", ((struct cap_req *)r->ctx)->office->id,
	    "rules", rules));
}

/* The manager's token was accepted: read the rules. */
static void
list_authorized(struct request *r)
{
	struct cap_req *c = r->ctx;
	const char *p[2] = { c->municipality, c->office->id };

	if (!req_db(r, &stmt_list, p, list_done))
		return;
}

/* Starts a capacity request for the office in the path; NULL after answering 404. */
static struct cap_req *
cap_begin(struct request *r)
{
	const struct config_office *o = config_office(r->cfg, req_param(r, "office"));
	struct cap_req *c;

	if (o == NULL) {
		req_problem(r, 404, "unknown_office", "there is no office with that id");
		return NULL;
	}
	c = xcalloc(1, sizeof *c);
	c->office = o;
	c->municipality = r->cfg->municipalities[o->municipality].id;
	r->ctx = c;
	r->ctx_free = free;
	return c;
}

void
api_capacity_list(struct request *r)
{
	static const char *const none[] = { NULL };
	struct cap_req *c = cap_begin(r);

	if (c != NULL && req_query_allow(r, none))
		staff_require(r, c->office->id, STAFF_MANAGER, list_authorized);
}

/* True when the office (arg) offers service. */
static bool
offered(const char *service, void *arg)
{
	const struct config_office *o = arg;

	return cal_service_find(&o->cal, service) != NULL;
}

/* The rule's weekdays as an array literal, "{1,2}". */
static void
weekdays_text(unsigned weekdays, char out[32])
{
	int n = 0;

	out[n++] = '{';
	for (int d = 1; d <= 7; d++) {
		if (weekdays & (1u << d))
			n += snprintf(out + n, (size_t)(32 - n), "%s%d", n > 1 ? "," : "", d);
	}
	snprintf(out + n, (size_t)(32 - n), "}");
}

/* The rule is stored: apply it here at once and answer 201. */
static void
created(struct request *r, const struct db_result *res)
{
	struct cap_req *c = r->ctx;
	struct capacity_rule rule;

	if (!res->ok) {
		req_db_failed(r, res);
		return;
	}
	rule = c->rule;
	rule.id = strtoll(PQgetvalue(res->pg, 0, 0), NULL, 10);
	snprintf(rule.office, sizeof rule.office, "%s", c->office->id);
	capacity_add(r->app->capacity, &rule);
	log_info("capacity: rule %lld at %s for %s by staff %s", rule.id, c->office->id,
	    rule.service, r->staff_id);
	req_json(r, 201, rule_json(res->pg, 0));
}

/* The manager's token was accepted: store the rule. */
static void
create_authorized(struct request *r)
{
	struct cap_req *c = r->ctx;
	const struct capacity_rule *rule = &c->rule;
	bool cap = rule->cap >= 0;
	char who[40], from[11], to[11], day[11], weekdays[32], factor[32], n[16];
	const char *p[10];

	snprintf(who, sizeof who, "staff:%s", r->staff_id);
	weekdays_text(rule->weekdays, weekdays);
	snprintf(factor, sizeof factor, "%.6g", rule->factor);
	snprintf(n, sizeof n, "%d", rule->cap);
	p[0] = c->municipality, p[1] = c->office->id, p[2] = rule->service;
	p[3] = cap ? NULL : cdate_format(rule->from, from);
	p[4] = cap ? NULL : cdate_format(rule->to, to);
	p[5] = cap ? NULL : weekdays, p[6] = cap ? NULL : factor;
	p[7] = cap ? cdate_format(rule->day, day) : NULL, p[8] = cap ? n : NULL, p[9] = who;
	if (!req_db(r, &stmt_insert, p, created))
		return;
}

void
api_capacity_create(struct request *r)
{
	static const char *const none[] = { NULL };
	struct cap_req *c = cap_begin(r);
	json_t *body, *problem;

	if (c == NULL || !req_query_allow(r, none) || (body = req_body_object(r)) == NULL)
		return;
	problem = caprule_parse(body, offered, (void *)c->office, &c->rule);
	json_decref(body);
	if (problem != NULL)
		req_problem_json(r, problem);
	else
		staff_require(r, c->office->id, STAFF_MANAGER, create_authorized);
}

/* The rule is gone (or was never there). */
static void
deleted(struct request *r, const struct db_result *res)
{
	struct cap_req *c = r->ctx;

	if (!res->ok) {
		req_db_failed(r, res);
		return;
	}
	if (PQntuples(res->pg) == 0) {
		req_problem(r, 404, "rule_not_found", "this office has no capacity rule with that id");
		return;
	}
	capacity_remove(r->app->capacity, c->id);
	log_info("capacity: rule %lld at %s removed by staff %s", c->id, c->office->id,
	    r->staff_id);
	req_text(r, 204, "application/json", "", 0);
}

/* The manager's token was accepted: remove the rule. */
static void
delete_authorized(struct request *r)
{
	struct cap_req *c = r->ctx;
	char id[24], who[40];
	const char *p[4] = { c->municipality, c->office->id, id, who };

	snprintf(id, sizeof id, "%lld", c->id);
	snprintf(who, sizeof who, "staff:%s", r->staff_id);
	if (!req_db(r, &stmt_delete, p, deleted))
		return;
}

void
api_capacity_delete(struct request *r)
{
	static const char *const none[] = { NULL };
	struct cap_req *c = cap_begin(r);
	const char *id;
	char *end;

	if (c == NULL || !req_query_allow(r, none))
		return;
	id = req_param(r, "id");
	c->id = strtoll(id, &end, 10);
	if (end == id || *end != '\0' || c->id < 1) {
		req_problem(r, 404, "rule_not_found", "this office has no capacity rule with that id");
		return;
	}
	staff_require(r, c->office->id, STAFF_MANAGER, delete_authorized);
}
