/*
 * POST /v1/offices/{office}/simulate: a what-if day. The loop builds the
 * day from the forecast (times arrivals_factor), the counters asked for (the
 * configured counters where not given) and the learned service times; the
 * worker runs it `runs` times (core/qsim.c) and the answer goes out when it
 * is back. Every arrival is a walk-in at a uniform moment of its hour's open
 * minutes; the counters of the last open hour stay until the queue is empty.
 */
#include "api/planning.h"

#include "app.h"
#include "clock.h"
#include "config.h"
#include "core/calendar.h"
#include "core/cdate.h"
#include "core/problem.h"
#include "core/qsim.h"
#include "core/rules.h"
#include "core/xmalloc.h"
#include "forecaster.h"
#include "request.h"
#include "staff.h"

#include <jansson.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define DEFAULT_RUNS 200
#define MAX_RUNS 1000
#define MAX_FACTOR 10.0

/* A simulation request: the office, and the job while the worker has it. */
struct sim_req {
	const struct config_office *office;	/* the office */
	cdate date;				/* the day */
	cdate today;				/* now in Tokyo */
	int counters[FC_HOURS];			/* -1: the plan */
	double factor;				/* arrivals_factor */
	int runs;				/* days to run */
	struct request *r;			/* the request, held while the job runs */
};

/* Answers 400 for a member of the body. */
static void
bad(struct request *r, const char *code, const char *field, const char *detail)
{
	req_problem_json(r, problem_field(400, code, field, detail));
}

/* Reads "counters": {"9": 3, ...}; false after answering 400. */
static bool
parse_counters(struct request *r, json_t *v, struct sim_req *s)
{
	const char *key;
	json_t *n;

	for (int h = 0; h < FC_HOURS; h++)
		s->counters[h] = -1;
	if (v == NULL || json_is_null(v))
		return true;
	if (!json_is_object(v)) {
		bad(r, "invalid_field", "counters", "counters maps hours (\"9\") to counters open");
		return false;
	}
	json_object_foreach(v, key, n) {
		char *end, field[48];
		long h = strtol(key, &end, 10);
		snprintf(field, sizeof field, "counters.%.30s", key);
		if (end == key || *end != '\0' || h < 0 || h >= FC_HOURS) {
			bad(r, "invalid_field", field, "hours are 0 to 23");
			return false;
		}
		if (!json_is_integer(n) || json_integer_value(n) < 0 ||
		    json_integer_value(n) > QSIM_MAX_COUNTERS) {
			bad(r, "invalid_field", field, "counters open is a whole number from 0 to 64");
			return false;
		}
		s->counters[h] = (int)json_integer_value(n);
	}
	return true;
}

/* Reads the body; false after answering 400. */
static bool
parse_body(struct request *r, json_t *body, struct sim_req *s)
{
	static const char *const keys[] = { "date", "counters", "arrivals_factor", "runs", NULL };
	json_t *v;
	const char *key;

	json_object_foreach(body, key, v) {
		const char *const *k = keys;
		while (*k != NULL && strcmp(*k, key) != 0)
			k++;
		if (*k == NULL) {
			bad(r, "unknown_field", key, "this request takes date, counters, "
			    "arrivals_factor and runs");
			return false;
		}
	}
	v = json_object_get(body, "date");
	if (!json_is_string(v) || !cdate_parse(json_string_value(v), &s->date) ||
	    !rules_date_in_range(s->date)) {
		bad(r, v ? "invalid_date" : "missing_field", "date", "the day to simulate, YYYY-MM-DD");
		return false;
	}
	if (s->date < cdate_add_days(s->today, -FCR_HISTORY_DAYS) ||
	    s->date > cdate_add_days(s->today, FCR_AHEAD_DAYS)) {
		bad(r, "date_out_of_range", "date", "simulations cover two years back and one ahead");
		return false;
	}
	v = json_object_get(body, "arrivals_factor");
	s->factor = v == NULL || json_is_null(v) ? 1.0 : json_number_value(v);
	if (v != NULL && !json_is_null(v) && (!json_is_number(v) || !(s->factor >= 0) ||
	    s->factor > MAX_FACTOR)) {
		bad(r, "invalid_field", "arrivals_factor", "a number from 0 to 10");
		return false;
	}
	v = json_object_get(body, "runs");
	s->runs = v == NULL || json_is_null(v) ? DEFAULT_RUNS : (int)json_integer_value(v);
	if (v != NULL && !json_is_null(v) && (!json_is_integer(v) ||
	    json_integer_value(v) < 1 || json_integer_value(v) > MAX_RUNS)) {
		bad(r, "invalid_field", "runs", "runs is a whole number from 1 to 1000");
		return false;
	}
	return parse_counters(r, json_object_get(body, "counters"), s);
}

/* The worker is done: answer (unless the deadline did) and let the request go. */
static void
sim_done(struct fc_sim_job *job)
{
	struct sim_req *s = job->arg;
	struct request *r = s->r;
	json_t *hours;
	char date[11];

	if (!r->answered && !job->ok) {
		req_problem_json(r, problem_field(422, "no_counters", "counters",
		    "residents would wait for ever: no counter is open after they arrive"));
	} else if (!r->answered) {
		hours = json_array();
		for (int h = 0; h < FC_HOURS; h++) {
			if (job->open_to[h] <= job->open_from[h])
				continue;
			json_array_append_new(hours, json_pack("{s:i, s:f, s:o, s:i}", "hour", h,
			    "arrivals", job->hour_arrivals[h], "wait_p90_min",
			    isfinite(job->hour_wait_p90[h]) ? json_real(job->hour_wait_p90[h]) :
			    json_null(), "counters", job->counters[h]));
		}
		req_json(r, 200, json_pack("{s:s, s:i, s:f, s:f, s:f, s:f, s:f, s:o}", "date",
		    cdate_format(s->date, date), "runs", job->runs, "arrivals_factor", s->factor,
		    "wait_p50_min", job->wait_p50_min, "wait_p90_min", job->wait_p90_min,
		    "served", job->served, "max_queue", job->max_queue, "hours", hours));
	}
	free(job);
	request_release(r);
}

/* Fills the job's hours: arrivals, open seconds and counters (the plan where not given). */
static void
build_job(const struct sim_req *s, const struct fc_snapshot *snap, const struct fc_forecast *f,
    struct fc_sim_job *job)
{
	struct cal_day day;
	int last = -1;

	cal_day(&s->office->cal, s->date, &day);
	for (int h = 0; h < FC_HOURS; h++) {
		job->open_from[h] = job->open_to[h] = 0;
		for (size_t i = 0; i < day.hours.n; i++) {
			int from = day.hours.iv[i].from > h * 60 ? day.hours.iv[i].from : h * 60;
			int to = day.hours.iv[i].to < (h + 1) * 60 ? day.hours.iv[i].to : (h + 1) * 60;
			if (to <= from)
				continue;
			if (job->open_to[h] == job->open_from[h])
				job->open_from[h] = from * 60;
			job->open_to[h] = to * 60;
		}
		job->arrivals[h] = f->hour[h] * s->factor;
		if (job->open_to[h] > job->open_from[h])
			last = h;
	}
	for (int h = 0; h < FC_HOURS; h++) {
		int plan = s->counters[h] >= 0 ? s->counters[h] : (int)s->office->ncounters;
		bool open = job->open_to[h] > job->open_from[h];
		job->counters[h] = open ? plan : h > last && last >= 0 ? job->counters[last] : 0;
	}
	job->service_mean_min = snap->service_mean_min;
	job->service_log_sd = snap->service_log_sd;
	job->runs = s->runs;
	job->seed = (uint64_t)s->date * 2654435761u + 1;
}

/* The manager's token was accepted: hand the day to the worker. */
static void
simulate_authorized(struct request *r)
{
	struct sim_req *s = r->ctx;
	const struct fc_snapshot *snap = forecaster_get(r->app->forecaster, s->office->id);
	struct fc_forecast f;
	struct fc_sim_job *job;

	if (snap == NULL || !snap->ok) {
		req_header(r, "Retry-After", snap == NULL ? "5" : "3600");
		req_problem(r, 503, "forecast_not_ready", "the office has no forecast to simulate "
		    "from yet%s%s", snap ? ": " : "", snap ? snap->cause : "");
		return;
	}
	forecaster_predict(snap, s->office, s->date, s->date, NULL, &f);
	if (!f.open) {
		req_problem_json(r, problem_field(422, "office_closed", "date",
		    "the office is closed that day"));
		return;
	}
	job = xcalloc(1, sizeof *job);
	build_job(s, snap, &f, job);
	job->done = sim_done;
	job->arg = s;
	s->r = r;
	request_hold(r);
	forecaster_simulate(r->app->forecaster, job);
}

void
api_simulate(struct request *r)
{
	static const char *const none[] = { NULL };
	const struct config_office *o = config_office(r->cfg, req_param(r, "office"));
	struct sim_req *s;
	json_t *body;
	int minute;
	bool ok;

	if (o == NULL) {
		req_problem(r, 404, "unknown_office", "there is no office with that id");
		return;
	}
	s = xcalloc(1, sizeof *s);
	s->office = o;
	clock_jst(clock_now(), &s->today, &minute);
	r->ctx = s;
	r->ctx_free = free;
	if (!req_query_allow(r, none) || (body = req_body_object(r)) == NULL)
		return;
	ok = parse_body(r, body, s);
	json_decref(body);
	if (ok)
		staff_require(r, o->id, STAFF_MANAGER, simulate_authorized);
}
