/* The forecast and staffing query parameters and the simulate body, checked. */
#include "plan_params.h"

#include "problem.h"
#include "qsim.h"

#include <ctype.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Reads date parameter name (def when absent, CDATE_NONE: required) into *out. */
static json_t *
date_param(const char *name, const char *s, cdate def, cdate *out)
{
	*out = def;
	if (s == NULL && def == CDATE_NONE)
		return problem_field(400, "missing_parameter", name, "give the date as YYYY-MM-DD");
	if (s != NULL && !cdate_parse(s, out))
		return problem_field(400, "invalid_date", name,
		    "dates are written YYYY-MM-DD and must exist");
	if (!rules_date_in_range(*out))
		return problem_field(400, "date_out_of_range", name,
		    "dates must fall in the years 1980 to 2099");
	return NULL;
}

/* Checks that from..to lies where the model can forecast (field names from). */
static json_t *
range_ok(cdate from, cdate to, const struct plan_window *w, const char *field)
{
	if (to < from)
		return problem_field(400, "invalid_range", "to", "'to' must not be before 'from'");
	if (to - from + 1 > PLAN_MAX_RANGE_DAYS)
		return problem_field(400, "range_too_long", "to", "ask for at most 93 days at a time");
	if (from < cdate_add_days(w->today, -w->back_days) ||
	    to > cdate_add_days(w->today, w->ahead_days))
		return problem_field(400, "date_out_of_range", field,
		    "forecasts cover two years back and one year ahead of today");
	return NULL;
}

json_t *
plan_forecast_query(const char *from, const char *to, const char *service,
    const struct plan_window *w, struct plan_forecast *out)
{
	json_t *p;

	memset(out, 0, sizeof *out);
	if ((p = date_param("from", from, w->today, &out->from)) != NULL ||
	    (p = date_param("to", to, cdate_add_days(out->from, PLAN_DEFAULT_RANGE_DAYS - 1),
	    &out->to)) != NULL ||
	    (p = range_ok(out->from, out->to, w, "from")) != NULL)
		return p;
	out->has_service = service != NULL;
	if (service != NULL && !rules_service_parse(service, &out->service))
		return problem_field(400, "unknown_service", "service",
		    "no such service; see the service ids");
	return NULL;
}

/* Reads a number parameter in (lo, hi] (def when absent) into *out. */
static json_t *
number_param(const char *name, const char *s, double lo, double hi, double def, double *out)
{
	char *end = NULL;

	*out = def;
	if (s == NULL)
		return NULL;
	*out = strtod(s, &end);
	if (end != s && *end == '\0' && isfinite(*out) && *out > lo && *out <= hi)
		return NULL;
	return problem_field(400, "invalid_parameter", name, lo == 0 && hi < 1 ?
	    "a share between 0 and 1 (exclusive), such as 0.8" :
	    "a number of minutes above 0 and at most 480");
}

json_t *
plan_staffing_query(const char *date, const char *target_wait, const char *target_share,
    double default_wait, const struct plan_window *w, struct plan_staffing *out)
{
	json_t *p;

	memset(out, 0, sizeof *out);
	if ((p = date_param("date", date, CDATE_NONE, &out->date)) != NULL ||
	    (p = range_ok(out->date, out->date, w, "date")) != NULL ||
	    (p = number_param("target_wait_min", target_wait, 0, PLAN_MAX_WAIT_MIN, default_wait,
	    &out->target_wait)) != NULL)
		return p;
	return number_param("target_share", target_share, 0, PLAN_MAX_SHARE, 0.8,
	    &out->target_share);
}

/*
 * The hour a counters key names, or -1: "0" to "23" exactly, so that no two
 * keys ("8" and "08", "+8", " 8") name the same hour.
 */
static int
hour_key(const char *key)
{
	size_t n = strlen(key);

	if (n == 0 || n > 2 || !isdigit((unsigned char)key[0]) ||
	    (n == 2 && (key[0] == '0' || !isdigit((unsigned char)key[1]))))
		return -1;
	return atoi(key) < FC_HOURS ? atoi(key) : -1;
}

/* Reads "counters": {"9": 3, ...} into counters (-1 where not given). */
static json_t *
sim_counters(const json_t *v, int counters[FC_HOURS])
{
	const char *key;
	json_t *n;

	for (int h = 0; h < FC_HOURS; h++)
		counters[h] = -1;
	if (v == NULL || json_is_null(v))
		return NULL;
	if (!json_is_object(v))
		return problem_field(400, "invalid_field", "counters",
		    "counters maps hours (\"9\") to counters open");
	json_object_foreach((json_t *)v, key, n) {
		char field[48];
		int h = hour_key(key);
		snprintf(field, sizeof field, "counters.%.30s", key);
		if (h < 0)
			return problem_field(400, "invalid_field", field,
			    "hours are 0 to 23, written without leading zeros");
		if (!json_is_integer(n) || json_integer_value(n) < 0 ||
		    json_integer_value(n) > QSIM_MAX_COUNTERS)
			return problem_field(400, "invalid_field", field,
			    "counters open is a whole number from 0 to 64");
		counters[h] = (int)json_integer_value(n);
	}
	return NULL;
}

/* Refuses a member of body that a simulation does not take. */
static json_t *
sim_known_keys(const json_t *body)
{
	static const char *const keys[] = { "date", "counters", "arrivals_factor", "runs", NULL };
	const char *key;
	json_t *v;

	json_object_foreach((json_t *)body, key, v) {
		const char *const *k = keys;
		while (*k != NULL && strcmp(*k, key) != 0)
			k++;
		if (*k == NULL)
			return problem_field(400, "unknown_field", key, "this request takes date, "
			    "counters, arrivals_factor and runs");
	}
	return NULL;
}

json_t *
plan_simulate_body(const json_t *body, const struct plan_window *w, struct plan_sim *out)
{
	json_t *v, *p;

	memset(out, 0, sizeof *out);
	if ((p = sim_known_keys(body)) != NULL)
		return p;
	v = json_object_get(body, "date");
	if (!json_is_string(v) || !cdate_parse(json_string_value(v), &out->date) ||
	    !rules_date_in_range(out->date))
		return problem_field(400, v ? "invalid_date" : "missing_field", "date",
		    "the day to simulate, YYYY-MM-DD");
	if (out->date < cdate_add_days(w->today, -w->back_days) ||
	    out->date > cdate_add_days(w->today, w->ahead_days))
		return problem_field(400, "date_out_of_range", "date",
		    "simulations cover two years back and one ahead");
	v = json_object_get(body, "arrivals_factor");
	out->factor = v == NULL || json_is_null(v) ? 1.0 : json_number_value(v);
	if (v != NULL && !json_is_null(v) && (!json_is_number(v) || !(out->factor >= 0) ||
	    out->factor > PLAN_MAX_FACTOR))
		return problem_field(400, "invalid_field", "arrivals_factor", "a number from 0 to 10");
	v = json_object_get(body, "runs");
	if (v != NULL && !json_is_null(v) && (!json_is_integer(v) ||
	    json_integer_value(v) < 1 || json_integer_value(v) > PLAN_MAX_RUNS))
		return problem_field(400, "invalid_field", "runs", "runs is a whole number from 1 to 1000");
	out->runs = v == NULL || json_is_null(v) ? PLAN_DEFAULT_RUNS : (int)json_integer_value(v);
	return sim_counters(json_object_get(body, "counters"), out->counters);
}
