/*
 * Counters needed per hour, by Erlang C (the M/M/c queue): arrivals at rate
 * lambda per hour, exponential service with mean s minutes, c counters. Pure.
 *
 * Why Erlang C and not square-root staffing: square-root staffing
 * (c = a + beta * sqrt(a), a the offered load) is the many-server limit of
 * Erlang C; at a city-hall counter a is 2 to 15 and the rule is off by a
 * counter or more, and its beta answers "probability of waiting at all",
 * not "share waiting at most M minutes", which is what a manager states.
 * Erlang C answers that directly (P(W <= M) = 1 - C(c, a) exp(-(c - a) M / s)),
 * exactly and cheaply (an O(c) recursion) for any c we will meet.
 *
 * What it assumes: each hour is a steady state of its own (no queue carried
 * over from the hour before; the simulation, qsim, covers that), and service
 * times are exponential. Counter services are less variable than that
 * (lognormal, coefficient of variation about 0.4), so Erlang C overstates
 * waits a little: its counts err on the side of one counter too many.
 *
 * Monotonic by construction: for more counters C(c, a) falls and c - a grows,
 * so the share served in time never falls and the predicted wait never rises.
 */
#ifndef MADOGUCHI_STAFFING_H
#define MADOGUCHI_STAFFING_H

#include <stdbool.h>

/* Most counters staffing considers. */
#define STAFFING_MAX_COUNTERS	64

/*
 * The probability that an arrival waits at all (Erlang C) with c counters and
 * offered load a = lambda * s (in Erlangs); 1 when c <= a (the queue grows
 * without bound), 0 when a is 0.
 */
double staffing_erlang_c(int c, double a);
/*
 * The share of arrivals that wait at most wait_min minutes, with arrivals
 * per_hour, mean service service_min minutes and c counters; 0 when the queue
 * is unstable (c <= load), 1 with no arrivals.
 */
double staffing_share_within(double per_hour, double service_min, int c,
    double wait_min);
/*
 * The wait in minutes that a share q (0 < q < 1) of arrivals does not exceed;
 * INFINITY when the queue is unstable.
 */
double staffing_wait_quantile(double per_hour, double service_min, int c,
    double q);
/*
 * The fewest counters (0..STAFFING_MAX_COUNTERS) for which the share waiting
 * at most wait_min minutes reaches share: 0 with no arrivals, -1 when even
 * STAFFING_MAX_COUNTERS do not, or when an argument is not a finite number in
 * range (per_hour >= 0, service_min > 0, wait_min >= 0, 0 < share < 1).
 */
int staffing_counters_needed(double per_hour, double service_min,
    double wait_min, double share);

#endif
