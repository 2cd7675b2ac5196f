/*
 * GET /v1/offices/{office}/tickets/{number}: one ticket of today as its holder
 * follows it on a phone (the page the ticket's QR code opens): waiting with its
 * position and expected wait, called to a counter, or done.
 */
#include "api/queue.h"

#include "api/queue_state.h"
#include "clock.h"
#include "config.h"
#include "core/problem.h"
#include "core/xmalloc.h"
#include "request.h"

#include <jansson.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

/* The fields of one state row the view needs. */
struct row {
	long long id;		/* the ticket's id */
	int service;		/* index in the office's services, -1 unknown */
	bool open;		/* waiting or called (not done) */
	bool called;		/* at a counter */
	bool walk_in;		/* not a reservation */
	long long issued;	/* open rows: issued_at (epoch) */
	long long due;		/* open reservations: due_at (epoch) */
};

/* Reads state row i. */
static struct row
row_at(const struct config_office *o, const PGresult *pg, int i)
{
	struct row w;

	w.id = strtoll(PQgetvalue(pg, i, S_ID), NULL, 10);
	w.service = queue_service_index(o, PQgetvalue(pg, i, S_SERVICE));
	w.open = strcmp(PQgetvalue(pg, i, S_KIND), "open") == 0;
	w.called = strcmp(PQgetvalue(pg, i, S_STATUS), "called") == 0;
	w.walk_in = strcmp(PQgetvalue(pg, i, S_TKIND), "walk_in") == 0;
	w.issued = strtoll(PQgetvalue(pg, i, S_T1), NULL, 10);
	w.due = strtoll(PQgetvalue(pg, i, S_T2), NULL, 10);
	return w;
}

/*
 * True when waiting ticket a is called before waiting ticket b of the same
 * service, in the order counters call (counters.c): reservations whose time has
 * come by their time, then walk-ins by issue; reservations not yet due last.
 */
static bool
called_before(const struct row *a, const struct row *b, long long now)
{
	int ra = a->walk_in ? 1 : a->due <= now ? 0 : 2;
	int rb = b->walk_in ? 1 : b->due <= now ? 0 : 2;

	if (ra != rb)
		return ra < rb;
	if (ra == 0 && a->due != b->due)
		return a->due < b->due;
	if (a->issued != b->issued)
		return a->issued < b->issued;
	return a->id < b->id;
}

/* The waiting ticket me: its position and expected wait. */
static void
waiting_json(struct request *r, const PGresult *pg, const struct row *me, json_t *out)
{
	struct queue_ctx *q = r->ctx;
	struct estimate_input *in = xmalloc(sizeof *in);
	size_t walk_ahead = 0, due_ahead = 0;
	double wait = 0;

	for (int i = 0; i < PQntuples(pg); i++) {
		struct row w = row_at(q->office, pg, i);
		if (!w.open || w.called || w.service != me->service || w.id == me->id ||
		    !called_before(&w, me, (long long)q->now))
			continue;
		if (w.walk_in)
			walk_ahead++;
		else
			due_ahead++;
	}
	if (queue_estimate_load(r->cfg, q->office, pg, q->now, in)) {
		/* The estimator's newcomer, with exactly these tickets ahead of it. */
		in->waiting[me->service] = walk_ahead;
		in->due[me->service] = due_ahead;
		wait = queue_estimate_minutes(q->office, in, me->service, q->now);
		if (!me->walk_in && me->due > (long long)q->now &&
		    wait < (double)(me->due - (long long)q->now) / 60.0)
			wait = (double)(me->due - (long long)q->now) / 60.0;
		waitest_free(in->est);
	}
	free(in);
	json_object_set_new(out, "position", json_integer((json_int_t)(walk_ahead + due_ahead + 1)));
	json_object_set_new(out, "ahead", json_integer((json_int_t)(walk_ahead + due_ahead)));
	json_object_set_new(out, "estimated_wait_min", json_integer((json_int_t)(wait + 0.5)));
}

/* The state arrived: find the ticket and answer. */
static void
ticket_view_done(struct request *r, const struct db_result *res)
{
	struct queue_ctx *q = r->ctx;
	const char *number = req_param(r, "number");
	json_t *out;
	char at[26];
	int found = -1;

	if (!res->ok) {
		req_db_failed(r, res);
		return;
	}
	/* An open row wins over a done one with the same number. */
	for (int i = 0; i < PQntuples(res->pg); i++) {
		if (strcmp(PQgetvalue(res->pg, i, S_LABEL), number) == 0 &&
		    (found < 0 || strcmp(PQgetvalue(res->pg, i, S_KIND), "open") == 0))
			found = i;
	}
	if (found < 0) {
		req_problem_json(r, problem_field(404, "ticket_not_found", "number",
		    "no ticket with that number is in today's queue at this office"));
		return;
	}
	struct row me = row_at(q->office, res->pg, found);
	const char *service = PQgetvalue(res->pg, found, S_SERVICE);
	clock_format_jst(q->now, at);
	out = json_pack("{s:s, s:I, s:s, s:s, s:o, s:s, s:s}", "office", q->office->id,
	    "ticket", (json_int_t)me.id, "number", number, "service", service,
	    "service_names", queue_service_names(service), "kind",
	    me.walk_in ? "walk_in" : "reservation", "at", at);
	if (!me.open) {
		json_object_set_new(out, "status", json_string("done"));
	} else if (me.called) {
		json_object_set_new(out, "status", json_string("called"));
		json_object_set_new(out, "counter",
		    json_integer(atoi(PQgetvalue(res->pg, found, S_COUNTER))));
	} else {
		json_object_set_new(out, "status", json_string("waiting"));
		if (me.service >= 0)
			waiting_json(r, res->pg, &me, out);
	}
	req_header(r, "Cache-Control", "no-cache");
	req_json(r, 200, out);
}

void
api_ticket_view(struct request *r)
{
	static const char *const none[] = { NULL };
	const char *number = req_param(r, "number");

	if (queue_begin(r, req_param(r, "office")) == NULL || !req_query_allow(r, none))
		return;
	if (number == NULL || strlen(number) > 15 || strspn(number,
	    "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-") != strlen(number)) {
		req_problem_json(r, problem_field(400, "invalid_ticket_number", "number",
		    "a ticket number is letters, digits and '-', as printed (A-012)"));
		return;
	}
	queue_state_send(r, ticket_view_done);
}
