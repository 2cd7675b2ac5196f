/* Process-local counters and latency histograms for GET /metrics. */
#include "metrics.h"

#include "core/xmalloc.h"

#include <stdlib.h>
#include <string.h>

/* Upper bounds of the latency buckets, in seconds (+Inf is implied). */
static const double bounds[] = { 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10 };
#define NBOUNDS (sizeof bounds / sizeof bounds[0])
/* Distinct statuses counted per route at most; others are counted as the last. */
#define MAX_STATUSES 16

/* The requests of one route. */
struct route_stats {
	const char *route;			/* a route name (static text of the table) */
	int statuses[MAX_STATUSES];		/* statuses seen */
	unsigned long by_status[MAX_STATUSES];	/* and how many of each */
	size_t nstatuses;
	unsigned long buckets[NBOUNDS];		/* requests at most bounds[i] (not cumulative) */
	unsigned long count;			/* all requests */
	double sum;				/* their seconds */
};

static struct route_stats *routes;
static size_t nroutes;
static unsigned long ratelimited;

/* The stats of route, created on first use. */
static struct route_stats *
route_of(const char *route)
{
	for (size_t i = 0; i < nroutes; i++) {
		if (strcmp(routes[i].route, route) == 0)
			return &routes[i];
	}
	routes = xreallocarray(routes, nroutes + 1, sizeof *routes);
	memset(&routes[nroutes], 0, sizeof *routes);
	routes[nroutes].route = xstrdup(route);
	return &routes[nroutes++];
}

void
metrics_http_observe(const char *route, int status, double seconds)
{
	struct route_stats *s = route_of(route);
	size_t i;

	for (i = 0; i < s->nstatuses && s->statuses[i] != status; i++)
		;
	if (i == s->nstatuses) {
		if (s->nstatuses < MAX_STATUSES)
			s->statuses[s->nstatuses++] = status;
		else
			i = MAX_STATUSES - 1;
	}
	s->by_status[i]++;
	for (i = 0; i < NBOUNDS && seconds > bounds[i]; i++)
		;
	if (i < NBOUNDS)
		s->buckets[i]++;
	s->count++;
	s->sum += seconds;
}

void
metrics_ratelimited(void)
{
	ratelimited++;
}

void
metrics_write_http(FILE *f)
{
	fputs("# HELP madoguchi_http_requests_total HTTP requests answered, by route and status.\n"
	    "# TYPE madoguchi_http_requests_total counter\n", f);
	for (size_t r = 0; r < nroutes; r++) {
		for (size_t i = 0; i < routes[r].nstatuses; i++)
			fprintf(f, "madoguchi_http_requests_total{route=\"%s\",status=\"%d\"} %lu\n",
			    routes[r].route, routes[r].statuses[i], routes[r].by_status[i]);
	}
	fputs("# HELP madoguchi_http_request_duration_seconds Time from arrival to answer, "
	    "by route.\n# TYPE madoguchi_http_request_duration_seconds histogram\n", f);
	for (size_t r = 0; r < nroutes; r++) {
		unsigned long cum = 0;
		for (size_t i = 0; i < NBOUNDS; i++) {
			cum += routes[r].buckets[i];
			fprintf(f, "madoguchi_http_request_duration_seconds_bucket{route=\"%s\","
			    "le=\"%g\"} %lu\n", routes[r].route, bounds[i], cum);
		}
		fprintf(f, "madoguchi_http_request_duration_seconds_bucket{route=\"%s\",le=\"+Inf\"} "
		    "%lu\n", routes[r].route, routes[r].count);
		fprintf(f, "madoguchi_http_request_duration_seconds_sum{route=\"%s\"} %.6f\n",
		    routes[r].route, routes[r].sum);
		fprintf(f, "madoguchi_http_request_duration_seconds_count{route=\"%s\"} %lu\n",
		    routes[r].route, routes[r].count);
	}
	fprintf(f, "# HELP madoguchi_ratelimited_requests_total Requests refused by the "
	    "per-client rate limit.\n# TYPE madoguchi_ratelimited_requests_total counter\n"
	    "madoguchi_ratelimited_requests_total %lu\n", ratelimited);
}
