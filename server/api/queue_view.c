/*
 * GET /v1/offices/{office}/queue: the numbers being called, who is waiting,
 * and the expected wait per service, for anyone (lobby screens, phones).
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

#include <errno.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/*
 * One service's line of the queue view. A service taken by reservation only
 * today says so, so screens do not promise walk-ins "no wait".
 */
static json_t *
service_json(struct request *r, const struct config_office *o, const struct estimate_input *in,
    int s, time_t now, const struct cal_day *today)
{
	double wait = queue_estimate_minutes(o, in, s, now);
	bool required = cal_day_policy(&o->cal.services[s], today) == CAL_POLICY_REQUIRED;

	return json_pack("{s:s, s:o, s:I, s:I, s:i, s:s, s:b}", "service", o->cal.services[s].id,
	    "names", queue_service_names(o->cal.services[s].id), "waiting", (json_int_t)in->waiting[s],
	    "due_reservations", (json_int_t)in->due[s], "estimated_wait_min", (int)(wait + 0.5),
	    "flag", waitest_flag_name(waitest_flag(wait, (double)r->cfg->queue_busy_minutes,
	    (double)r->cfg->queue_very_busy_minutes)), "reservation_only", required);
}

/* The numbers being called now, most recent first, and each counter's ticket. */
static void
called_json(const struct config_office *o, const PGresult *pg, json_t *called, json_t *counters)
{
	for (int row = 0; row < PQntuples(pg); row++) {
		char at[26];
		if (strcmp(PQgetvalue(pg, row, S_KIND), "open") != 0 ||
		    strcmp(PQgetvalue(pg, row, S_STATUS), "called") != 0)
			continue;
		clock_format_jst((time_t)strtoll(PQgetvalue(pg, row, S_T3), NULL, 10), at);
		json_array_append_new(called, json_pack("{s:s, s:I, s:i, s:s, s:s}", "ticket",
		    PQgetvalue(pg, row, S_LABEL), "id",
		    (json_int_t)strtoll(PQgetvalue(pg, row, S_ID), NULL, 10),
		    "counter", atoi(PQgetvalue(pg, row, S_COUNTER)),
		    "service", PQgetvalue(pg, row, S_SERVICE), "called_at", at));
	}
	for (size_t c = 0; c < o->ncounters; c++) {
		json_t *svcs = json_array(), *ticket = json_null();
		for (size_t i = 0; i < o->cal.nservices; i++) {
			if (o->counters[c].services & (1u << i))
				json_array_append_new(svcs, json_string(o->cal.services[i].id));
		}
		for (size_t i = 0; i < json_array_size(called); i++) {
			json_t *e = json_array_get(called, i);
			if (json_integer_value(json_object_get(e, "counter")) == o->counters[c].id) {
				json_decref(ticket);
				ticket = json_incref(json_object_get(e, "ticket"));
			}
		}
		json_array_append_new(counters, json_pack("{s:i, s:o, s:o}", "counter",
		    o->counters[c].id, "services", svcs, "ticket", ticket));
	}
}

/*
 * Reservations checked in and waiting, earliest slot first: each with its slot
 * (due_at) and whether that time has come, so a resident who came early shows.
 */
static json_t *
checked_in_json(const PGresult *pg, time_t now)
{
	json_t *list = json_array();

	for (int row = 0; row < PQntuples(pg); row++) {
		char due[26];
		time_t at;
		if (strcmp(PQgetvalue(pg, row, S_KIND), "open") != 0 ||
		    strcmp(PQgetvalue(pg, row, S_STATUS), "waiting") != 0 ||
		    strcmp(PQgetvalue(pg, row, S_TKIND), "reservation") != 0)
			continue;
		at = (time_t)strtoll(PQgetvalue(pg, row, S_T2), NULL, 10);
		clock_format_jst(at, due);
		json_array_append_new(list, json_pack("{s:s, s:I, s:s, s:s, s:b}", "ticket",
		    PQgetvalue(pg, row, S_LABEL), "id",
		    (json_int_t)strtoll(PQgetvalue(pg, row, S_ID), NULL, 10),
		    "service", PQgetvalue(pg, row, S_SERVICE), "due_at", due, "due", at <= now));
	}
	return list;
}

/* The state arrived: answer the queue view. */
static void
queue_done(struct request *r, const struct db_result *res)
{
	struct queue_ctx *q = r->ctx;
	const struct config_office *o = q->office;
	struct estimate_input *in;
	json_t *services = json_array(), *called = json_array(), *counters = json_array();
	struct cal_day today;
	cdate day;
	int minute;
	char at[26];

	if (!res->ok) {
		json_decref(services), json_decref(called), json_decref(counters);
		req_db_failed(r, res);
		return;
	}
	in = xmalloc(sizeof *in);
	if (!queue_estimate_load(r->cfg, o, res->pg, q->now, in)) {
		free(in);
		json_decref(services), json_decref(called), json_decref(counters);
		req_problem(r, 500, "internal_error", "the wait could not be estimated");
		return;
	}
	clock_jst(q->now, &day, &minute);
	cal_day(&o->cal, day, &today);
	for (size_t s = 0; s < o->cal.nservices; s++)
		json_array_append_new(services, service_json(r, o, in, (int)s, q->now, &today));
	waitest_free(in->est);
	free(in);
	called_json(o, res->pg, called, counters);
	clock_format_jst(q->now, at);
	req_header(r, "Cache-Control", "no-cache");
	req_json(r, 200, json_pack("{s:s, s:{s:s, s:s}, s:s, s:o, s:o, s:o, s:o}", "office",
	    o->id, "names", "ja", o->name.ja, "en", o->name.en, "at", at, "called", called,
	    "checked_in", checked_in_json(res->pg, q->now), "services", services,
	    "counters", counters));
}

void
api_queue(struct request *r)
{
	static const char *const none[] = { NULL };
	struct queue_ctx *q;

	if ((q = queue_begin(r, req_param(r, "office"))) == NULL || !req_query_allow(r, none))
		return;
	queue_state_send(r, queue_done);
}
