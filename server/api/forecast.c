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
#include "core/problem.h"
#include "core/rules.h"
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

/* The longest forecast range, in days. */
#define MAX_RANGE_DAYS 93
/* A forecast's range when "to" is not given, in days. */
#define DEFAULT_RANGE_DAYS 28
/* Retry-After, in seconds, before the first fit of an office is in. */
#define NOT_READY_RETRY "5"
/* Retry-After when the office has too little history to fit (the nightly refit). */
#define NO_HISTORY_RETRY "3600"

/* A forecast or staffing request on its way. */
struct plan {
	const struct config_office *office;	/* the office */
	const char *municipality;		/* its municipality */
	char *service;				/* the service asked for, or NULL */
	cdate from, to;				/* the days, inclusive */
	cdate today;				/* now in Tokyo */
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

/* Reads date parameter name (def when absent); answers 400 and returns false when bad. */
static bool
date_param(struct request *r, const char *name, cdate def, cdate *out)
{
	char *s = req_query(r, name);
	bool ok = true;

	*out = def;
	if (s == NULL && def == CDATE_NONE) {
		req_problem_json(r, problem_field(400, "missing_parameter", name,
		    "give the date as YYYY-MM-DD"));
		ok = false;
	} else if (s != NULL && !cdate_parse(s, out)) {
		req_problem_json(r, problem_field(400, "invalid_date", name,
		    "dates are written YYYY-MM-DD and must exist"));
		ok = false;
	} else if (!rules_date_in_range(*out)) {
		req_problem_json(r, problem_field(400, "date_out_of_range", name,
		    "dates must fall in the years 1980 to 2099"));
		ok = false;
	}
	free(s);
	return ok;
}

/* Checks that from..to lies where the model can forecast; answers 400 if not. */
static bool
range_ok(struct request *r, const struct plan *p, const char *field)
{
	if (p->to < p->from) {
		req_problem_json(r, problem_field(400, "invalid_range", "to",
		    "'to' must not be before 'from'"));
		return false;
	}
	if (p->to - p->from + 1 > MAX_RANGE_DAYS) {
		req_problem_json(r, problem_field(400, "range_too_long", "to",
		    "ask for at most 93 days at a time"));
		return false;
	}
	if (p->from < cdate_add_days(p->today, -FCR_HISTORY_DAYS) ||
	    p->to > cdate_add_days(p->today, FCR_AHEAD_DAYS)) {
		req_problem_json(r, problem_field(400, "date_out_of_range", field,
		    "forecasts cover two years back and one year ahead of today"));
		return false;
	}
	return true;
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
	clock_jst(clock_now(), &p->today, &minute);
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
	enum rules_service id;

	if (p == NULL || !req_query_allow(r, allowed) ||
	    !date_param(r, "from", p->today, &p->from) ||
	    !date_param(r, "to", cdate_add_days(p->from, DEFAULT_RANGE_DAYS - 1), &p->to) ||
	    !range_ok(r, p, "from"))
		return;
	p->service = req_query(r, "service");
	if (p->service != NULL && !rules_service_parse(p->service, &id)) {
		req_problem_json(r, problem_field(400, "unknown_service", "service",
		    "no such service; see the service ids"));
		return;
	}
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

/* Reads a number parameter in (lo, hi]; def when absent; answers 400 when bad. */
static bool
number_param(struct request *r, const char *name, double lo, double hi, double def,
    double *out)
{
	char *s = req_query(r, name), *end = NULL;
	bool ok = true;

	*out = def;
	if (s != NULL) {
		*out = strtod(s, &end);
		ok = end != s && *end == '\0' && isfinite(*out) && *out > lo && *out <= hi;
	}
	if (!ok)
		req_problem_json(r, problem_field(400, "invalid_parameter", name, lo == 0 && hi < 1 ?
		    "a share between 0 and 1 (exclusive), such as 0.8" :
		    "a number of minutes above 0 and at most 480"));
	free(s);
	return ok;
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

	if (p == NULL || !req_query_allow(r, allowed) ||
	    !date_param(r, "date", CDATE_NONE, &p->from))
		return;
	p->to = p->from;
	if (!range_ok(r, p, "date") ||
	    !number_param(r, "target_wait_min", 0, 480, (double)r->cfg->queue_target_wait_minutes,
	    &p->target_wait) ||
	    !number_param(r, "target_share", 0, 0.9999, 0.8, &p->target_share))
		return;
	staff_require(r, p->office->id, STAFF_MANAGER, staffing_authorized);
}
