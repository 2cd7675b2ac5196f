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
#include "core/cdate.h"
#include "core/problem.h"
#include "core/rules.h"
#include "core/xmalloc.h"
#include "log.h"
#include "request.h"
#include "staff.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Longest factor rule, in days. */
#define MAX_RULE_DAYS 731
/* Largest cap. */
#define MAX_CAP 100000

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
	char service[32];			/* the rule's service */
	char from[11], to[11], day[11];		/* its dates, "" when not used */
	char weekdays[32];			/* "{1,2}" or "" */
	char factor[32], cap[16];		/* "" when not used */
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

/* Answers 400 naming a member of the body. */
static void
bad(struct request *r, const char *code, const char *field, const char *detail)
{
	req_problem_json(r, problem_field(400, code, field, detail));
}

/* Reads a date member into out ("YYYY-MM-DD"); false after answering 400. */
static bool
date_member(struct request *r, json_t *body, const char *key, cdate *d, char out[11])
{
	json_t *v = json_object_get(body, key);

	if (!json_is_string(v) || !cdate_parse(json_string_value(v), d) || !rules_date_in_range(*d)) {
		bad(r, v ? "invalid_date" : "missing_field", key, "a date, YYYY-MM-DD, in 1980 to 2099");
		return false;
	}
	cdate_format(*d, out);
	return true;
}

/* Reads weekdays (ISO numbers, default every day) as an array literal. */
static bool
weekdays_member(struct request *r, json_t *v, char out[32])
{
	unsigned seen = 0;
	size_t i;
	json_t *w;
	int n = 0;

	if (v == NULL || json_is_null(v)) {
		snprintf(out, 32, "{1,2,3,4,5,6,7}");
		return true;
	}
	if (!json_is_array(v) || json_array_size(v) == 0) {
		bad(r, "invalid_field", "weekdays", "a list of ISO weekdays, 1 (Monday) to 7 (Sunday)");
		return false;
	}
	json_array_foreach(v, i, w) {
		json_int_t d = json_is_integer(w) ? json_integer_value(w) : 0;
		if (d < 1 || d > 7 || (seen & (1u << d))) {
			bad(r, "invalid_field", "weekdays", "weekdays are 1 (Monday) to 7 (Sunday), "
			    "each at most once");
			return false;
		}
		seen |= 1u << d;
	}
	out[n++] = '{';
	for (int d = 1; d <= 7; d++) {
		if (seen & (1u << d))
			n += snprintf(out + n, (size_t)(32 - n), "%s%d", n > 1 ? "," : "", d);
	}
	snprintf(out + n, (size_t)(32 - n), "}");
	return true;
}

/* Reads a factor rule {service, from, to, weekdays, factor}. */
static bool
parse_factor(struct request *r, json_t *body, struct cap_req *c)
{
	json_t *f = json_object_get(body, "factor");
	cdate from, to;

	if (json_object_get(body, "date") != NULL) {
		bad(r, "invalid_field", "date", "a factor rule takes from and to, not date");
		return false;
	}
	if (!json_is_number(f) || json_number_value(f) < 0 || json_number_value(f) > 1) {
		bad(r, f ? "invalid_field" : "missing_field", "factor",
		    "give factor (0 to 1) with from and to, or cap with date");
		return false;
	}
	if (!date_member(r, body, "from", &from, c->from) || !date_member(r, body, "to", &to, c->to))
		return false;
	if (to < from || to - from >= MAX_RULE_DAYS) {
		bad(r, "invalid_range", "to", "'to' comes on or after 'from', at most two years later");
		return false;
	}
	snprintf(c->factor, sizeof c->factor, "%.6g", json_number_value(f));
	return weekdays_member(r, json_object_get(body, "weekdays"), c->weekdays);
}

/* Reads a cap rule {service, date, cap}. */
static bool
parse_cap(struct request *r, json_t *body, struct cap_req *c)
{
	json_t *n = json_object_get(body, "cap");
	cdate day;
	const char *k;
	json_t *v;

	json_object_foreach(body, k, v) {
		if (strcmp(k, "service") != 0 && strcmp(k, "date") != 0 && strcmp(k, "cap") != 0) {
			bad(r, "invalid_field", k, "a cap rule takes service, date and cap only");
			return false;
		}
	}
	if (!json_is_integer(n) || json_integer_value(n) < 0 || json_integer_value(n) > MAX_CAP) {
		bad(r, "invalid_field", "cap", "cap is a whole number of bookings, 0 to 100000");
		return false;
	}
	snprintf(c->cap, sizeof c->cap, "%lld", (long long)json_integer_value(n));
	return date_member(r, body, "date", &day, c->day);
}

/* Reads and checks the body; false after answering 400 or 404. */
static bool
parse_rule(struct request *r, json_t *body, struct cap_req *c)
{
	static const char *const keys[] = { "service", "from", "to", "weekdays", "factor", "date",
		"cap", NULL };
	json_t *svc = json_object_get(body, "service"), *v;
	enum rules_service id;
	const char *k;

	json_object_foreach(body, k, v) {
		const char *const *kk = keys;
		while (*kk != NULL && strcmp(*kk, k) != 0)
			kk++;
		if (*kk == NULL) {
			bad(r, "unknown_field", k, "a rule takes service with from, to, weekdays and "
			    "factor, or service with date and cap");
			return false;
		}
	}
	if (!json_is_string(svc) || !rules_service_parse(json_string_value(svc), &id)) {
		bad(r, svc ? "unknown_service" : "missing_field", "service", "the service the rule is for");
		return false;
	}
	if (cal_service_find(&c->office->cal, json_string_value(svc)) == NULL) {
		req_problem_json(r, problem_field(404, "service_not_offered", "service",
		    "this office does not offer that service"));
		return false;
	}
	snprintf(c->service, sizeof c->service, "%s", json_string_value(svc));
	return json_object_get(body, "cap") != NULL ? parse_cap(r, body, c) :
	    parse_factor(r, body, c);
}

/* Parses a rule row into what enforcement reads. */
static void
rule_of_row(const struct cap_req *c, const PGresult *pg, struct capacity_rule *rule)
{
	memset(rule, 0, sizeof *rule);
	rule->id = strtoll(PQgetvalue(pg, 0, 0), NULL, 10);
	snprintf(rule->office, sizeof rule->office, "%s", c->office->id);
	snprintf(rule->service, sizeof rule->service, "%s", c->service);
	rule->factor = -1;
	rule->cap = -1;
	if (c->cap[0] != '\0') {
		if (!cdate_parse(c->day, &rule->day))
			rule->cap = -1;	/* cannot happen: parse_cap wrote it */
		rule->cap = rule->cap < 0 ? -1 : atoi(c->cap);
		return;
	}
	if (!cdate_parse(c->from, &rule->from) || !cdate_parse(c->to, &rule->to))
		return;	/* cannot happen: parse_factor wrote them */
	rule->factor = strtod(c->factor, NULL);
	for (const char *p = c->weekdays; *p != '\0'; p++) {
		if (*p >= '1' && *p <= '7')
			rule->weekdays |= 1u << (*p - '0');
	}
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
	rule_of_row(c, res->pg, &rule);
	capacity_add(r->app->capacity, &rule);
	log_info("capacity: rule %lld at %s for %s by staff %s", rule.id, c->office->id,
	    c->service, r->staff_id);
	req_json(r, 201, rule_json(res->pg, 0));
}

/* The manager's token was accepted: store the rule. */
static void
create_authorized(struct request *r)
{
	struct cap_req *c = r->ctx;
	char who[40];
	const char *p[10];

	snprintf(who, sizeof who, "staff:%s", r->staff_id);
	p[0] = c->municipality, p[1] = c->office->id, p[2] = c->service;
	p[3] = c->from[0] ? c->from : NULL, p[4] = c->to[0] ? c->to : NULL;
	p[5] = c->weekdays[0] ? c->weekdays : NULL, p[6] = c->factor[0] ? c->factor : NULL;
	p[7] = c->day[0] ? c->day : NULL, p[8] = c->cap[0] ? c->cap : NULL, p[9] = who;
	if (!req_db(r, &stmt_insert, p, created))
		return;
}

void
api_capacity_create(struct request *r)
{
	static const char *const none[] = { NULL };
	struct cap_req *c = cap_begin(r);
	json_t *body;
	bool ok;

	if (c == NULL || !req_query_allow(r, none) || (body = req_body_object(r)) == NULL)
		return;
	ok = parse_rule(r, body, c);
	json_decref(body);
	if (ok)
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
