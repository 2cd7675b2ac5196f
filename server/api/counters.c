/*
 * Staff at a counter: call the next ticket, and a ticket's state changes (done,
 * no-show, recall, transfer). Each is one statement that also writes the audit
 * row and tells every daemon (pg_notify) so lobby displays follow.
 */
#include "api/queue.h"

#include "api/queue_state.h"
#include "app.h"
#include "clock.h"
#include "config.h"
#include "core/cdate.h"
#include "core/problem.h"
#include "core/rules.h"
#include "core/waitest.h"
#include "core/xmalloc.h"
#include "log.h"
#include "request.h"
#include "staff.h"

#include <errno.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/*
 * Takes the counter's lock before it looks, so one ticket at most is called there
 * (migrations/0011_call_after_issue.sql). Under that lock, the ticket it calls is
 * called no earlier than it was issued, and the one it finishes is done no
 * earlier than its call: another daemon's clock may run ahead of this one's, or
 * a request that read the clock earlier may land later.
 */
static struct db_stmt stmt_next = {
	"SELECT * FROM ticket_call_next($1, $2, $3::date, $4::int, $5::text[], $6::int, "
	"$7::bigint, $8)", 8, 0 };
static struct db_stmt stmt_ticket = {
	"SELECT municipality, office, label, service, status, counter, recalls, kind "
	"FROM tickets WHERE id = $1", 1, 0 };
/*
 * A state change: $1 id, $2 now, $3 actor, $4 from-states, $5 min recalls, $6 service.
 * Done and recall instants are never before the ticket's call, whichever daemon's
 * clock or whichever request's reading of it came first (see stmt_next).
 */
static struct db_stmt stmt_change = {
	"WITH t AS (UPDATE tickets SET "
	"status = CASE $7 WHEN 'done' THEN 'done' WHEN 'no_show' THEN 'no_show' "
	"WHEN 'recalled' THEN 'called' ELSE 'waiting' END, "
	"done_at = CASE WHEN $7 IN ('done', 'no_show') THEN greatest(to_timestamp($2), called_at) "
	"ELSE done_at END, "
	"called_at = CASE $7 WHEN 'recalled' THEN greatest(to_timestamp($2), called_at) "
	"WHEN 'transferred' THEN NULL ELSE called_at END, "
	"recalls = recalls + CASE $7 WHEN 'recalled' THEN 1 ELSE 0 END, "
	"counter = CASE $7 WHEN 'transferred' THEN NULL ELSE counter END, "
	"transfers = transfers + CASE $7 WHEN 'transferred' THEN 1 ELSE 0 END, "
	"service = COALESCE($6, service) "
	"WHERE id = $1 AND status = ANY($4::text[]) AND recalls >= $5 "
	"RETURNING municipality, office, label, service, counter, status, to_timestamp($2) AS now_at), "
	"a AS (INSERT INTO audit_log (municipality, actor, action, subject) "
	"SELECT municipality, $3, 'ticket.' || $7, label FROM t), "
	"ev AS (SELECT " EVENT_SQL("$7", "counter") " FROM t) "
	"SELECT (SELECT count(*) FROM ev), t.label, t.status, t.service FROM t", 7, 0 };

/* The next-ticket statement ran. */
static void
next_done(struct request *r, const struct db_result *res)
{
	struct queue_ctx *q = r->ctx;
	const PGresult *pg = res->pg;
	char called[26];

	if (!res->ok) {
		req_db_failed(r, res);
		return;
	}
	if (PQgetisnull(pg, 0, 1)) {
		req_text(r, 204, "application/json", "", 0);
		return;
	}
	log_info("ticket %s called to counter %d at %s", PQgetvalue(pg, 0, 2), q->counter,
	    q->office->id);
	clock_format_jst((time_t)strtoll(PQgetvalue(pg, 0, 6), NULL, 10), called);
	req_json(r, 200, json_pack("{s:I, s:s, s:s, s:s, s:s?, s:i, s:s, s:s}",
	    "ticket", (json_int_t)strtoll(PQgetvalue(pg, 0, 1), NULL, 10),
	    "number", PQgetvalue(pg, 0, 2), "service", PQgetvalue(pg, 0, 3),
	    "kind", PQgetvalue(pg, 0, 4), "booking", PQgetisnull(pg, 0, 5) ? NULL :
	    PQgetvalue(pg, 0, 5), "counter", q->counter, "status", "called", "called_at", called));
}

/* Formats a counter's services as a PostgreSQL text[] literal ({a,b}). */
static void
services_array(const struct config_office *o, const struct config_counter *c, char *buf,
    size_t len)
{
	size_t n = 0;

	n += (size_t)snprintf(buf, len, "{");
	for (size_t i = 0; i < o->cal.nservices && n < len; i++) {
		if (c->services & (1u << i))
			n += (size_t)snprintf(buf + n, len - n, "%s%s", n > 1 ? "," : "",
			    o->cal.services[i].id);
	}
	if (n < len)
		snprintf(buf + n, len - n, "}");
}

/* The staff token was accepted: call the next ticket to the counter. */
static void
next_authorized(struct request *r)
{
	struct queue_ctx *q = r->ctx;
	const struct config_counter *c = config_counter(q->office, q->counter);
	char counter[8], services[512], limit[12], now[24], who[40];
	const char *p[8];

	snprintf(counter, sizeof counter, "%d", q->counter);
	services_array(q->office, c, services, sizeof services);
	snprintf(limit, sizeof limit, "%ld", r->cfg->queue_pass_over_limit);
	snprintf(now, sizeof now, "%lld", (long long)q->now);
	p[0] = q->municipality, p[1] = q->office->id, p[2] = q->day, p[3] = counter;
	p[4] = services, p[5] = limit, p[6] = now, p[7] = queue_actor(r, who);
	if (!req_db(r, &stmt_next, p, next_done))
		return;
}

void
api_counter_next(struct request *r)
{
	static const char *const none[] = { NULL };
	struct queue_ctx *q;
	char *end;
	long n;

	if ((q = queue_begin(r, req_param(r, "office"))) == NULL || !req_query_allow(r, none))
		return;
	errno = 0;
	n = strtol(req_param(r, "counter"), &end, 10);
	if (*end != '\0' || errno != 0 || n < 1 || n > 99 ||
	    config_counter(q->office, (int)n) == NULL) {
		req_problem(r, 404, "unknown_counter", "this office has no such counter");
		return;
	}
	q->counter = (int)n;
	staff_require(r, q->office->id, STAFF_STAFF, next_authorized);
}

/* A state change ran. */
static void
change_done(struct request *r, const struct db_result *res)
{
	struct queue_ctx *q = r->ctx;

	if (!res->ok) {
		req_db_failed(r, res);
		return;
	}
	if (PQntuples(res->pg) != 1 && strcmp(q->action, "no_show") == 0 && q->was_called) {
		req_problem(r, 409, "recall_first", "a no-show needs the ticket called, and "
		    "recalled %ld times, first", r->cfg->queue_no_show_after_recalls);
		return;
	}
	if (PQntuples(res->pg) != 1) {
		req_problem(r, 409, "invalid_state", "the ticket is not in a state that allows this");
		return;
	}
	log_info("ticket %s %s", PQgetvalue(res->pg, 0, 1), q->action);
	req_json(r, 200, json_pack("{s:I, s:s, s:s, s:s}", "ticket", (json_int_t)q->ticket_id,
	    "number", PQgetvalue(res->pg, 0, 1), "status", PQgetvalue(res->pg, 0, 2),
	    "service", PQgetvalue(res->pg, 0, 3)));
}

/* The staff token was accepted: change the ticket's state. */
static void
change_authorized(struct request *r)
{
	struct queue_ctx *q = r->ctx;
	char id[24], now[24], who[40], recalls[12];
	const char *from = strcmp(q->action, "transferred") == 0 ? "{waiting,called}" : "{called}";
	const char *p[7];

	snprintf(id, sizeof id, "%lld", q->ticket_id);
	snprintf(now, sizeof now, "%lld", (long long)q->now);
	snprintf(recalls, sizeof recalls, "%ld", strcmp(q->action, "no_show") == 0 ?
	    r->cfg->queue_no_show_after_recalls : 0);
	p[0] = id, p[1] = now, p[2] = queue_actor(r, who), p[3] = from, p[4] = recalls;
	p[5] = q->transfer_to, p[6] = q->action;
	if (!req_db(r, &stmt_change, p, change_done))
		return;
}

/* The ticket arrived: now its office is known, check the staff token for it. */
static void
ticket_loaded(struct request *r, const struct db_result *res)
{
	struct queue_ctx *q = r->ctx;

	if (!res->ok) {
		req_db_failed(r, res);
		return;
	}
	/* Another office's ticket reads like a missing one. */
	if (PQntuples(res->pg) != 1 ||
	    (q->office = config_office(r->cfg, PQgetvalue(res->pg, 0, 1))) == NULL ||
	    !staff_acts_for(r, q->office->id)) {
		req_problem(r, 404, "ticket_not_found", "there is no such ticket");
		return;
	}
	q->municipality = r->cfg->municipalities[q->office->municipality].id;
	q->was_called = strcmp(PQgetvalue(res->pg, 0, 4), "called") == 0;
	if (q->transfer_to != NULL && cal_service_find(&q->office->cal, q->transfer_to) == NULL) {
		req_problem_json(r, problem_field(404, "service_not_offered", "service",
		    "this office offers no such service"));
		return;
	}
	change_authorized(r);
}

/* The staff token is good: read the ticket (it names the office). */
static void
ticket_read(struct request *r)
{
	struct queue_ctx *q = r->ctx;
	char idtext[24];
	const char *p[1] = { idtext };

	snprintf(idtext, sizeof idtext, "%lld", q->ticket_id);
	if (!req_db(r, &stmt_ticket, p, ticket_loaded))
		return;
}

/* Shared start of the ticket state changes; transfer_to only for a transfer. */
static void
ticket_change(struct request *r, const char *action, const char *transfer_to)
{
	static const char *const none[] = { NULL };
	struct queue_ctx *q = queue_begin(r, NULL);
	const char *id = req_param(r, "id");
	char *end;

	snprintf(q->action, sizeof q->action, "%s", action);
	q->transfer_to = transfer_to;
	if (!req_query_allow(r, none))
		return;
	errno = 0;
	q->ticket_id = strtoll(id, &end, 10);
	if (*end != '\0' || errno != 0 || q->ticket_id < 1) {
		req_problem(r, 404, "ticket_not_found", "there is no such ticket");
		return;
	}
	staff_require_any(r, STAFF_STAFF, ticket_read);	/* the token before the ticket */
}

void
api_ticket_done(struct request *r)
{
	ticket_change(r, "done", NULL);
}

void
api_ticket_no_show(struct request *r)
{
	ticket_change(r, "no_show", NULL);
}

void
api_ticket_recall(struct request *r)
{
	ticket_change(r, "recalled", NULL);
}

void
api_ticket_transfer(struct request *r)
{
	json_t *body, *svc;
	enum rules_service id;
	bool known;

	if ((body = req_body_object(r)) == NULL)
		return;
	svc = json_object_get(body, "service");
	known = json_is_string(svc) && rules_service_parse(json_string_value(svc), &id);
	if (!json_is_string(svc) || json_object_size(body) != 1)
		req_problem_json(r, problem_field(400, "invalid_field", "service",
		    "a transfer takes {\"service\": ID}"));
	else if (!known)
		req_problem_json(r, problem_field(400, "unknown_service", "service",
		    "there is no service with that id (ecert_renewal, pin_reset, ...)"));
	else
		ticket_change(r, "transferred", rules_service_name(id));	/* a static string */
	json_decref(body);
}
