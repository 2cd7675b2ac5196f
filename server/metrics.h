/*
 * Process-local measurements for GET /metrics: HTTP requests by route and
 * status, their latency per route, and requests refused by the rate limit.
 * Figures that must agree across daemons (bookings, tickets) are not kept
 * here: the handler reads them from the database at scrape time.
 */
#ifndef MADOGUCHI_METRICS_H
#define MADOGUCHI_METRICS_H

#include <stdio.h>

/* Counts one answered request on route (a route name, or "none") with its latency. */
void metrics_http_observe(const char *route, int status, double seconds);
/* Counts one request refused by the rate limit. */
void metrics_ratelimited(void);
/* Writes the process-local families in the Prometheus text format 0.0.4. */
void metrics_write_http(FILE *f);

#endif
