/*
 * GET /v1/offices/{office}/forecast and /staffing. Both answer from the last
 * model the worker fitted (forecaster.h) and one statement for the
 * reservations booked on the days asked, so a request never waits on a fit.
 * Staffing is Erlang C (core/staffing.h) per open hour, fed the forecast's
 * hourly arrivals and the learned mean service time exactly as the answer
 * shows them.
 */
#include "api/planning.h"

#include "app.h"
#include "clock.h"
#include "config.h"
#include "core/calendar.h"
#include "core/cdate.h"
#include "core/forecast.h"
#include "core/plan_params.h"
#include "core/problem.h"
#include "core/staffing.h"
#include "core/xmalloc.h"
#include "forecaster.h"
#include "request.h"
#include "staff.h"

#include <jansson.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Retry-After, in seconds, before the first fit of an office is in. */
#define NOT_READY_RETRY "5"
/* Retry-After when the office has too little history to fit (the nightly refit). */
#define NO_HISTORY_RETRY "3600"

/* A forecast or staffing request on its way. */
struct plan {
	const struct config_office *office;	/* the office */
	const char *municipality;		/* its municipality */
	struct plan_window window;		/* the days the model answers for */
	char *service;				/* the service asked for, or NULL */
	cdate from, to;				/* the days, inclusive */
	double target_wait;			/* staffing: minutes */
	double target_share;			/* staffing: share within them */
};

static struct db_stmt stmt_booked = {
	"SELECT (starts_at AT TIME ZONE 'Asia/Tokyo')::date - $3::date, count(*), "
	"count(*) FILTER (WHERE service = $5) FROM bookings "
	"WHERE municipality = $1 AND office = $2 AND status <> 'cancelled' "
	"AND starts_at >= ($3::date::timestamp AT TIME ZONE 'Asia/Tokyo') "
	"AND starts_at < (($4::date + 1)::timestamp AT TIME ZONE 'Asia/Tokyo') GROUP BY 1", 5, 0 };

/* Frees a plan. */
static void
plan_free(void *arg)
{
	struct plan *p = arg;

	free(p->service);
	free(p);
}

/* A number rounded to 2 decimals, as JSON. */
static json_t *
num2(double v)
{
	return json_real(round(v * 100) / 100);
}

/* A number, or null when it is not finite. */
static json_t *
num_or_null(double v)
{
	return isfinite(v) ? json_real(v) : json_null();
}

/* The office's snapshot when it has a model; else answers 503 and returns NULL. */
static const struct fc_snapshot *
ready_snapshot(struct request *r, const struct plan *p)
{
	const struct fc_snapshot *s = forecaster_get(r->app->forecaster, p->office->id);
	json_t *prob;

	if (s != NULL && s->ok)
		return s;
	char detail[300];

	snprintf(detail, sizeof detail, "%s%s", s == NULL ?
	    "the office's forecast is being fitted; ask again in a few seconds" :
	    "the office has no forecast yet (it needs 28 open days of ticket history): ",
	    s == NULL ? "" : s->cause);
	prob = problem_new(503, "forecast_not_ready", detail);
	req_header(r, "Retry-After", s == NULL ? NOT_READY_RETRY : NO_HISTORY_RETRY);
	req_problem_json(r, prob);
	return NULL;
}

/* Starts a plan for the office in the path; NULL after answering 404. */
static struct plan *
plan_begin(struct request *r)
{
	const struct config_office *o = config_office(r->cfg, req_param(r, "office"));
	struct plan *p;
	int minute;

	if (o == NULL) {
		req_problem(r, 404, "unknown_office", "there is no office with that id");
		return NULL;
	}
	p = xcalloc(1, sizeof *p);
	p->office = o;
	p->municipality = r->cfg->municipalities[o->municipality].id;
	clock_jst(clock_now(), &p->window.today, &minute);
	p->window.back_days = FCR_HISTORY_DAYS;
	p->window.ahead_days = FCR_AHEAD_DAYS;
	r->ctx = p;
	r->ctx_free = plan_free;
	return p;
}

/* Runs the booked-reservations statement for the plan's days. */
static void
booked_send(struct request *r, request_db_fn *fn)
{
	struct plan *p = r->ctx;
	char from[11], to[11];
	const char *params[5] = { p->municipality, p->office->id, cdate_format(p->from, from),
		cdate_format(p->to, to), p->service };

	if (!req_db(r, &stmt_booked, params, fn))
		return;	/* it answered 503 */
}

/* Reads the booked counts per day (office-wide, and of the service) into two arrays. */
static void
booked_read(const struct plan *p, const PGresult *pg, double *all, double *svc)
{
	long n = (long)(p->to - p->from) + 1;

	for (int i = 0; i < PQntuples(pg); i++) {
		long d = strtol(PQgetvalue(pg, i, 0), NULL, 10);
		if (d >= 0 && d < n) {
			all[d] = strtod(PQgetvalue(pg, i, 1), NULL);
			svc[d] = strtod(PQgetvalue(pg, i, 2), NULL);
		}
	}
}

/* One open day of the forecast as JSON, scaled to a service's share when share < 1. */
static json_t *
day_json(const struct fc_snapshot *s, const struct fc_forecast *f, double share,
    double svc_booked)
{
	json_t *hours = json_array();
	double expected = f->expected * share;
	double typical_day = s->model->typical_day * share;
	double typical_hour = s->model->typical_hour * share;

	if (share < 1)
		expected = fmax(expected, svc_booked * s->model->show_rate);
	for (int h = 0; h < FC_HOURS; h++) {
		double e = f->hour[h] * (f->expected > 0 ? expected / f->expected : share);
		if (f->hour_level[h] == 0)
			continue;
		json_array_append_new(hours, json_pack("{s:i, s:o, s:i}", "hour", h,
		    "expected_arrivals", num2(e), "level",
		    share < 1 ? fc_level(e, typical_hour) : f->hour_level[h]));
	}
	return json_pack("{s:b, s:o, s:f, s:f, s:i, s:i, s:o}", "open", 1,
	    "expected_arrivals", num2(expected),
	    "low", fc_nb_quantile(expected, s->model->phi, FC_LOW_Q),
	    "high", fc_nb_quantile(expected, s->model->phi, FC_HIGH_Q),
	    "level", share < 1 ? fc_level(expected, typical_day) : f->level,
	    "booked", (int)svc_booked, "hours", hours);
}

/* The booked counts arrived: forecast every day and answer. */
static void
forecast_done(struct request *r, const struct db_result *res)
{
	struct plan *p = r->ctx;
	const struct fc_snapshot *s = ready_snapshot(r, p);
	size_t n = (size_t)(p->to - p->from) + 1;
	double *all, *svc, share = 1;
	struct fc_forecast *f;
	json_t *days = json_array();
	char date[11], from[11], to[11], at[26];

	if (!res->ok || s == NULL) {
		json_decref(days);
		if (!res->ok)
			req_db_failed(r, res);
		return;
	}
	all = xcalloc(n, sizeof *all);
	svc = xcalloc(n, sizeof *svc);
	f = xcalloc(n, sizeof *f);
	booked_read(p, res->pg, all, svc);
	forecaster_predict(s, p->office, p->from, p->to, all, f);
	if (p->service != NULL)
		share = forecaster_share(s, p->service);
	for (size_t i = 0; i < n; i++) {
		json_t *day = f[i].open ? day_json(s, &f[i], share, p->service ? svc[i] : all[i]) :
		    json_pack("{s:b}", "open", 0);
		json_object_set_new(day, "date",
		    json_string(cdate_format(cdate_add_days(p->from, (int)i), date)));
		json_array_append_new(days, day);
	}
	clock_format_jst(s->generated_at, at);
	req_json(r, 200, json_pack("{s:s, s:s?, s:s, s:s, s:s, s:o}", "office", p->office->id,
	    "service", p->service, "from", cdate_format(p->from, from), "to",
	    cdate_format(p->to, to), "generated_at", at, "days", days));
	free(all);
	free(svc);
	free(f);
}

void
api_forecast(struct request *r)
{
	static const char *const allowed[] = { "from", "to", "service", NULL };
	struct plan *p = plan_begin(r);
	struct plan_forecast q;
	char *from, *to;
	json_t *problem;

	if (p == NULL || !req_query_allow(r, allowed))
		return;
	from = req_query(r, "from");
	to = req_query(r, "to");
	p->service = req_query(r, "service");
	problem = plan_forecast_query(from, to, p->service, &p->window, &q);
	free(from);
	free(to);
	if (problem != NULL) {
		req_problem_json(r, problem);
		return;
	}
	p->from = q.from;
	p->to = q.to;
	if (p->service != NULL && cal_service_find(&p->office->cal, p->service) == NULL) {
		req_problem_json(r, problem_field(404, "service_not_offered", "service",
		    "this office does not offer that service"));
		return;
	}
	if (ready_snapshot(r, p) != NULL)
		booked_send(r, forecast_done);
}

/* One open hour of the staffing answer. */
static json_t *
staff_hour(const struct plan *p, int h, double arrivals, double mean, int planned)
{
	int needed = staffing_counters_needed(arrivals, mean, p->target_wait, p->target_share);

	return json_pack("{s:i, s:f, s:f, s:i, s:o, s:o, s:o}", "hour", h,
	    "expected_arrivals", arrivals, "service_mean_min", mean, "counters_planned", planned,
	    "counters_needed", needed < 0 ? json_null() : json_integer(needed),
	    "wait_p90_min_planned", num_or_null(staffing_wait_quantile(arrivals, mean, planned, 0.9)),
	    "wait_p90_min_needed", needed < 0 ? json_null() :
	    num_or_null(staffing_wait_quantile(arrivals, mean, needed, 0.9)));
}

/* The booked counts of the day arrived: the hours and their counters. */
static void
staffing_done(struct request *r, const struct db_result *res)
{
	struct plan *p = r->ctx;
	const struct fc_snapshot *s = ready_snapshot(r, p);
	double all = 0, svc = 0;
	struct fc_forecast f;
	json_t *hours = json_array();
	char date[11];

	if (!res->ok || s == NULL) {
		json_decref(hours);
		if (!res->ok)
			req_db_failed(r, res);
		return;
	}
	booked_read(p, res->pg, &all, &svc);
	forecaster_predict(s, p->office, p->from, p->to, &all, &f);
	for (int h = 0; h < FC_HOURS; h++) {
		if (f.open && f.hour_level[h] != 0)
			json_array_append_new(hours, staff_hour(p, h, f.hour[h], s->service_mean_min,
			    (int)p->office->ncounters));
	}
	req_json(r, 200, json_pack("{s:s, s:s, s:b, s:f, s:f, s:f, s:I, s:o}", "office",
	    p->office->id, "date", cdate_format(p->from, date), "open", f.open,
	    "target_wait_min", p->target_wait, "target_share", p->target_share,
	    "service_mean_min", s->service_mean_min, "service_samples", (json_int_t)s->service_n,
	    "hours", hours));
}

/* The manager's token was accepted: fetch the day's bookings. */
static void
staffing_authorized(struct request *r)
{
	if (ready_snapshot(r, r->ctx) != NULL)
		booked_send(r, staffing_done);
}

void
api_staffing(struct request *r)
{
	static const char *const allowed[] = { "date", "target_wait_min", "target_share", NULL };
	struct plan *p = plan_begin(r);
	struct plan_staffing q;
	char *date, *wait, *share;
	json_t *problem;

	if (p == NULL || !req_query_allow(r, allowed))
		return;
	date = req_query(r, "date");
	wait = req_query(r, "target_wait_min");
	share = req_query(r, "target_share");
	problem = plan_staffing_query(date, wait, share, (double)r->cfg->queue_target_wait_minutes,
	    &p->window, &q);
	free(date);
	free(wait);
	free(share);
	if (problem != NULL) {
		req_problem_json(r, problem);
		return;
	}
	p->from = p->to = q.date;
	p->target_wait = q.target_wait;
	p->target_share = q.target_share;
	staff_require(r, p->office->id, STAFF_MANAGER, staffing_authorized);
}
