/*
 * Capacity rules for online booking, as a manager writes them and as
 * enforcement reads them: factor rules scale the online places of a service's
 * slots on some weekdays of a date range; cap rules allow at most N online
 * bookings of a service on a date. Pure (jansson only): the body of POST
 * /v1/offices/{office}/capacity is checked here, and the factor, cap and
 * places a set of rules gives are computed here, so both link alone.
 */
#ifndef MADOGUCHI_CAPRULE_H
#define MADOGUCHI_CAPRULE_H

#include "cdate.h"

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

/* Longest factor rule, in days. */
#define CAPRULE_MAX_DAYS 731
/* Largest cap. */
#define CAPRULE_MAX_CAP 100000

/* One rule as enforcement needs it. */
struct capacity_rule {
	long long id;		/* its id */
	char office[64];	/* the office */
	char service[32];	/* the service */
	cdate from, to;		/* factor rules: the dates, inclusive */
	unsigned weekdays;	/* factor rules: bit w set for ISO weekday w (1..7) */
	double factor;		/* factor rules: 0..1; negative for a cap rule */
	cdate day;		/* cap rules: the date */
	int cap;		/* cap rules: bookings at most; -1 for a factor rule */
};

/* True when the office offers service (the caller's calendar lookup). */
typedef bool caprule_offered_fn(const char *service, void *arg);

/*
 * Checks a rule body: {service, from, to, weekdays (default every day),
 * factor} or {service, date, cap}. Returns NULL and fills *out (id 0, office
 * empty; factor as stored, six significant digits) when it is good; else the
 * problem to answer (400 naming the member, or 404 service_not_offered when
 * offered says no; caller owns it).
 */
json_t *caprule_parse(const json_t *body, caprule_offered_fn *offered, void *arg,
    struct capacity_rule *out) __attribute__((warn_unused_result));
/* The factor on the online places of service at office on d: the smallest rule's, else 1. */
double caprule_factor(const struct capacity_rule *rules, size_t n, const char *office,
    const char *service, cdate d);
/* The cap on online bookings of service at office on d: the smallest, or -1 for none. */
int caprule_cap(const struct capacity_rule *rules, size_t n, const char *office,
    const char *service, cdate d);
/* The online places of a slot of places under factor (rounded down, never negative). */
int caprule_places(int places, double factor);

#endif
