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
#include "core/plan_params.h"
#include "core/problem.h"
#include "core/qsim.h"
#include "core/xmalloc.h"
#include "forecaster.h"
#include "request.h"
#include "staff.h"

#include <jansson.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* A simulation request: the office, and the job while the worker has it. */
struct sim_req {
	const struct config_office *office;	/* the office */
	struct plan_sim in;			/* the body: day, counters, factor, runs */
	struct request *r;			/* the request, held while the job runs */
};

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
		    cdate_format(s->in.date, date), "runs", job->runs, "arrivals_factor", s->in.factor,
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

	cal_day(&s->office->cal, s->in.date, &day);
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
		job->arrivals[h] = f->hour[h] * s->in.factor;
		if (job->open_to[h] > job->open_from[h])
			last = h;
	}
	for (int h = 0; h < FC_HOURS; h++) {
		int plan = s->in.counters[h] >= 0 ? s->in.counters[h] : (int)s->office->ncounters;
		bool open = job->open_to[h] > job->open_from[h];
		job->counters[h] = open ? plan : h > last && last >= 0 ? job->counters[last] : 0;
	}
	job->service_mean_min = snap->service_mean_min;
	job->service_log_sd = snap->service_log_sd;
	job->runs = s->in.runs;
	job->seed = (uint64_t)s->in.date * 2654435761u + 1;
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
	forecaster_predict(snap, s->office, s->in.date, s->in.date, NULL, &f);
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
	struct plan_window w = { 0, FCR_HISTORY_DAYS, FCR_AHEAD_DAYS };
	struct sim_req *s;
	json_t *body, *problem;
	int minute;

	if (o == NULL) {
		req_problem(r, 404, "unknown_office", "there is no office with that id");
		return;
	}
	s = xcalloc(1, sizeof *s);
	s->office = o;
	clock_jst(clock_now(), &w.today, &minute);
	r->ctx = s;
	r->ctx_free = free;
	if (!req_query_allow(r, none) || (body = req_body_object(r)) == NULL)
		return;
	problem = plan_simulate_body(body, &w, &s->in);
	json_decref(body);
	if (problem != NULL)
		req_problem_json(r, problem);
	else
		staff_require(r, o->id, STAFF_MANAGER, simulate_authorized);
}
