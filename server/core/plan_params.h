/*
 * What the planning endpoints take from outside: the query parameters of GET
 * /v1/offices/{office}/forecast and /staffing, and the body of POST
 * /v1/offices/{office}/simulate. Pure (jansson only): each function returns
 * NULL and fills *out when the input is good, else the 400 problem naming the
 * parameter or member at fault (caller owns it). Whether the office offers a
 * service, and whether the model is ready, the handlers check afterwards.
 */
#ifndef MADOGUCHI_PLAN_PARAMS_H
#define MADOGUCHI_PLAN_PARAMS_H

#include "cdate.h"
#include "forecast.h"
#include "rules.h"

#include <jansson.h>
#include <stdbool.h>

/* The longest forecast range, in days. */
#define PLAN_MAX_RANGE_DAYS 93
/* A forecast's range when "to" is not given, in days. */
#define PLAN_DEFAULT_RANGE_DAYS 28
/* Simulated days when "runs" is not given, and at most. */
#define PLAN_DEFAULT_RUNS 200
#define PLAN_MAX_RUNS 1000
/* The largest arrivals_factor. */
#define PLAN_MAX_FACTOR 10.0
/* The longest target wait, in minutes, and the largest target share. */
#define PLAN_MAX_WAIT_MIN 480.0
#define PLAN_MAX_SHARE 0.9999

/* The days a model can answer for: back_days before today to ahead_days after. */
struct plan_window {
	cdate today;		/* now in Tokyo */
	int back_days;		/* history the model keeps */
	int ahead_days;		/* how far it forecasts */
};

/* A forecast's parameters. */
struct plan_forecast {
	cdate from, to;			/* the days, inclusive */
	bool has_service;		/* a service was asked for */
	enum rules_service service;	/* which, when has_service */
};

/* A staffing request's parameters. */
struct plan_staffing {
	cdate date;		/* the day */
	double target_wait;	/* minutes, in (0, 480] */
	double target_share;	/* share served within them, in (0, 0.9999] */
};

/* A simulation's body. */
struct plan_sim {
	cdate date;			/* the day */
	int counters[FC_HOURS];		/* counters open per hour; -1: the plan */
	double factor;			/* arrivals_factor, 0 to 10 */
	int runs;			/* days to simulate, 1 to 1000 */
};

/*
 * Checks from (default today), to (default from + 27 days) and service, each
 * the decoded query value or NULL when absent.
 */
json_t *plan_forecast_query(const char *from, const char *to, const char *service,
    const struct plan_window *w, struct plan_forecast *out) __attribute__((warn_unused_result));
/* Checks date (required), target_wait_min (default default_wait) and target_share (0.8). */
json_t *plan_staffing_query(const char *date, const char *target_wait, const char *target_share,
    double default_wait, const struct plan_window *w, struct plan_staffing *out)
    __attribute__((warn_unused_result));
/* Checks {date, counters, arrivals_factor, runs}. */
json_t *plan_simulate_body(const json_t *body, const struct plan_window *w, struct plan_sim *out)
    __attribute__((warn_unused_result));

#endif
