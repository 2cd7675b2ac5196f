/* Capacity rules: the body a manager sends, and what a set of rules allows. */
#include "caprule.h"

#include "problem.h"
#include "rules.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Reads date member key (YYYY-MM-DD, 1980 to 2099) into *d; NULL when good. */
static json_t *
date_member(const json_t *body, const char *key, cdate *d)
{
	json_t *v = json_object_get(body, key);

	if (!json_is_string(v) || !cdate_parse(json_string_value(v), d) || !rules_date_in_range(*d))
		return problem_field(400, v ? "invalid_date" : "missing_field", key,
		    "a date, YYYY-MM-DD, in 1980 to 2099");
	return NULL;
}

/* Reads weekdays (ISO numbers, default every day) as a bit set; NULL when good. */
static json_t *
weekdays_member(const json_t *v, unsigned *out)
{
	size_t i;
	json_t *w;

	*out = 0;
	if (v == NULL || json_is_null(v)) {
		for (int d = 1; d <= 7; d++)
			*out |= 1u << d;
		return NULL;
	}
	if (!json_is_array(v) || json_array_size(v) == 0)
		return problem_field(400, "invalid_field", "weekdays",
		    "a list of ISO weekdays, 1 (Monday) to 7 (Sunday)");
	json_array_foreach(v, i, w) {
		json_int_t d = json_is_integer(w) ? json_integer_value(w) : 0;
		if (d < 1 || d > 7 || (*out & (1u << d)))
			return problem_field(400, "invalid_field", "weekdays",
			    "weekdays are 1 (Monday) to 7 (Sunday), each at most once");
		*out |= 1u << d;
	}
	return NULL;
}

/* Reads a factor rule {service, from, to, weekdays, factor}. */
static json_t *
parse_factor(const json_t *body, struct capacity_rule *out)
{
	json_t *f = json_object_get(body, "factor"), *p;
	char text[32];

	if (json_object_get(body, "date") != NULL)
		return problem_field(400, "invalid_field", "date",
		    "a factor rule takes from and to, not date");
	if (!json_is_number(f) || !(json_number_value(f) >= 0) || json_number_value(f) > 1)
		return problem_field(400, f ? "invalid_field" : "missing_field", "factor",
		    "give factor (0 to 1) with from and to, or cap with date");
	if ((p = date_member(body, "from", &out->from)) != NULL ||
	    (p = date_member(body, "to", &out->to)) != NULL)
		return p;
	if (out->to < out->from || out->to - out->from >= CAPRULE_MAX_DAYS)
		return problem_field(400, "invalid_range", "to",
		    "'to' comes on or after 'from', at most two years later");
	snprintf(text, sizeof text, "%.6g", json_number_value(f));
	out->factor = strtod(text, NULL);
	return weekdays_member(json_object_get(body, "weekdays"), &out->weekdays);
}

/* Reads a cap rule {service, date, cap}. */
static json_t *
parse_cap(const json_t *body, struct capacity_rule *out)
{
	json_t *n = json_object_get(body, "cap"), *v;
	const char *k;

	json_object_foreach((json_t *)body, k, v) {
		if (strcmp(k, "service") != 0 && strcmp(k, "date") != 0 && strcmp(k, "cap") != 0)
			return problem_field(400, "invalid_field", k,
			    "a cap rule takes service, date and cap only");
	}
	if (!json_is_integer(n) || json_integer_value(n) < 0 ||
	    json_integer_value(n) > CAPRULE_MAX_CAP)
		return problem_field(400, "invalid_field", "cap",
		    "cap is a whole number of bookings, 0 to 100000");
	out->cap = (int)json_integer_value(n);
	return date_member(body, "date", &out->day);
}

json_t *
caprule_parse(const json_t *body, caprule_offered_fn *offered, void *arg,
    struct capacity_rule *out)
{
	static const char *const keys[] = { "service", "from", "to", "weekdays", "factor", "date",
		"cap", NULL };
	json_t *svc = json_object_get(body, "service"), *v;
	enum rules_service id;
	const char *k;

	memset(out, 0, sizeof *out);
	out->factor = -1;
	out->cap = -1;
	json_object_foreach((json_t *)body, k, v) {
		const char *const *kk = keys;
		while (*kk != NULL && strcmp(*kk, k) != 0)
			kk++;
		if (*kk == NULL)
			return problem_field(400, "unknown_field", k, "a rule takes service with from, "
			    "to, weekdays and factor, or service with date and cap");
	}
	if (!json_is_string(svc) || !rules_service_parse(json_string_value(svc), &id))
		return problem_field(400, svc ? "unknown_service" : "missing_field", "service",
		    "the service the rule is for");
	if (!offered(json_string_value(svc), arg))
		return problem_field(404, "service_not_offered", "service",
		    "this office does not offer that service");
	snprintf(out->service, sizeof out->service, "%s", json_string_value(svc));
	return json_object_get(body, "cap") != NULL ? parse_cap(body, out) : parse_factor(body, out);
}

/* True when rule r is about service at office. */
static bool
matches(const struct capacity_rule *r, const char *office, const char *service)
{
	return strcmp(r->office, office) == 0 && strcmp(r->service, service) == 0;
}

double
caprule_factor(const struct capacity_rule *rules, size_t n, const char *office,
    const char *service, cdate d)
{
	int wd = cdate_weekday(d);
	double f = 1;

	wd = wd == 0 ? 7 : wd;
	for (size_t i = 0; i < n; i++) {
		const struct capacity_rule *r = &rules[i];
		if (r->cap < 0 && d >= r->from && d <= r->to && (r->weekdays & (1u << wd)) &&
		    matches(r, office, service))
			f = fmin(f, r->factor);
	}
	return f;
}

int
caprule_cap(const struct capacity_rule *rules, size_t n, const char *office,
    const char *service, cdate d)
{
	int cap = -1;

	for (size_t i = 0; i < n; i++) {
		const struct capacity_rule *r = &rules[i];
		if (r->cap >= 0 && r->day == d && matches(r, office, service))
			cap = cap < 0 ? r->cap : (r->cap < cap ? r->cap : cap);
	}
	return cap;
}

int
caprule_places(int places, double factor)
{
	double p = floor((double)places * factor + 1e-9);

	return p > 0 ? (int)p : 0;
}
