/*
 * Wait estimates: per-service ring buffers of completed service durations, a
 * robust recency-weighted mean over them, and a multi-server queue model for
 * the wait. Nothing is allocated after waitest_new.
 *
 * Why this design: a fixed handling time is wrong exactly on the days that
 * matter (peak days run slower than planned), so the mean is learned; the
 * weights favour recent services because the pace drifts within a day; the
 * clamp around the median keeps one stuck ticket from doubling every estimate,
 * while leaving the genuine right skew of service times (which sets throughput)
 * in the mean; and the seed is a prior worth a few samples, so the first
 * completions of the morning move the estimate without one of them deciding it.
 */
#include "waitest.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

/* Shortest configured handling time accepted, in minutes. */
#define SEED_MIN_MIN	(WAITEST_MIN_SAMPLE_S / 60)
/* Samples farther than this factor from the window's median are clamped to it. */
#define CLAMP_FACTOR	3.0
/* A ticket in service is expected to need at least this share of the mean. */
#define RESIDUAL_FLOOR	0.25

/* One completed service. */
struct sample {
	double dur_s;		/* how long it took, seconds */
	int64_t at_s;		/* when it ended */
};

/* What is known about one service of the office. */
struct service {
	double seed_s;		/* configured handling time, seconds */
	struct sample ring[WAITEST_WINDOW];	/* the last samples, oldest overwritten */
	unsigned n;		/* samples in ring (at most WAITEST_WINDOW) */
	unsigned next;		/* ring slot the next sample goes to */
};

/* One office: its services. */
struct waitest {
	size_t n_services;	/* services in use */
	struct service svc[WAITEST_MAX_SERVICES];	/* indexed by service */
};

/* The counters one wait is computed over: each one's time until it is free. */
struct counters {
	double rem_s[WAITEST_MAX_COUNTERS];	/* smallest remaining times, ascending */
	size_t n_rem;		/* entries in rem_s */
};

/* Whether seed_min is a handling time waitest_new accepts. */
static bool
seed_ok(double seed_min)
{
	return isfinite(seed_min) && seed_min >= SEED_MIN_MIN &&
	    seed_min <= WAITEST_MAX_SEED_MIN;
}

struct waitest *
waitest_new(const double *seed_min, size_t n_services)
{
	struct waitest *est;

	if (seed_min == NULL || n_services == 0 ||
	    n_services > WAITEST_MAX_SERVICES)
		return NULL;
	for (size_t i = 0; i < n_services; i++)
		if (!seed_ok(seed_min[i]))
			return NULL;
	if ((est = calloc(1, sizeof *est)) == NULL)
		return NULL;
	est->n_services = n_services;
	for (size_t i = 0; i < n_services; i++)
		est->svc[i].seed_s = seed_min[i] * 60;
	return est;
}

void
waitest_free(struct waitest *est)
{
	free(est);
}

bool
waitest_set_seed(struct waitest *est, size_t service, double seed_min)
{
	if (service >= est->n_services || !seed_ok(seed_min))
		return false;
	est->svc[service].seed_s = seed_min * 60;
	return true;
}

void
waitest_reset(struct waitest *est)
{
	for (size_t i = 0; i < est->n_services; i++) {
		est->svc[i].n = 0;
		est->svc[i].next = 0;
	}
}

bool
waitest_observe(struct waitest *est, size_t service, double duration_s,
    int64_t now_s)
{
	struct service *s;

	if (service >= est->n_services || !isfinite(duration_s) ||
	    duration_s < WAITEST_MIN_SAMPLE_S || duration_s > WAITEST_MAX_SAMPLE_S)
		return false;
	s = &est->svc[service];
	s->ring[s->next] = (struct sample){ .dur_s = duration_s, .at_s = now_s };
	s->next = (s->next + 1) % WAITEST_WINDOW;
	if (s->n < WAITEST_WINDOW)
		s->n++;
	return true;
}

/* Copies the samples of s current at now_s into out, newest first; returns how many. */
static size_t
live_samples(const struct service *s, int64_t now_s, double out[WAITEST_WINDOW])
{
	size_t k = 0;

	for (unsigned i = 1; i <= s->n; i++) {
		const struct sample *sm =
		    &s->ring[(s->next + WAITEST_WINDOW - i) % WAITEST_WINDOW];

		/* A sample from the future (the clock went back) counts as new. */
		if (sm->at_s > now_s || now_s - sm->at_s <= WAITEST_MAX_AGE_S)
			out[k++] = sm->dur_s;
	}
	return k;
}

/* The median of the n (at least 1) values in v. */
static double
median(const double *v, size_t n)
{
	double tmp[WAITEST_WINDOW];

	memcpy(tmp, v, n * sizeof *tmp);
	for (size_t i = 1; i < n; i++) {
		double x = tmp[i];
		size_t j = i;

		for (; j > 0 && tmp[j - 1] > x; j--)
			tmp[j] = tmp[j - 1];
		tmp[j] = x;
	}
	return n % 2 ? tmp[n / 2] : (tmp[n / 2 - 1] + tmp[n / 2]) / 2;
}

/* The learned mean service time of s at now_s, in seconds. */
static double
service_seconds(const struct service *s, int64_t now_s)
{
	double v[WAITEST_WINDOW], decay = exp2(-1.0 / WAITEST_HALF_LIFE);
	double med, lo, hi, w = 1, sum = 0, wsum = 0, seed_w;
	size_t n = live_samples(s, now_s, v);

	if (n == 0)
		return s->seed_s;
	med = median(v, n);
	lo = med / CLAMP_FACTOR;
	hi = med * CLAMP_FACTOR;
	for (size_t i = 0; i < n; i++, w *= decay) {
		sum += w * fmin(fmax(v[i], lo), hi);
		wsum += w;
	}
	/* The seed is the oldest evidence: WAITEST_SEED_WEIGHT samples before all of these. */
	seed_w = WAITEST_SEED_WEIGHT * w;
	return (sum + seed_w * s->seed_s) / (wsum + seed_w);
}

double
waitest_service_minutes(const struct waitest *est, size_t service,
    int64_t now_s)
{
	if (service >= est->n_services)
		return 0;
	return service_seconds(&est->svc[service], now_s) / 60;
}

/* The expected seconds left of a ticket elapsed_s into a service of mean mean_s. */
static double
remaining_s(double mean_s, double elapsed_s)
{
	if (!(elapsed_s > 0))
		elapsed_s = 0;
	return fmax(mean_s - elapsed_s, RESIDUAL_FLOOR * mean_s);
}

/* Adds x to c, keeping only the cap smallest values in ascending order. */
static void
counters_add(struct counters *c, size_t cap, double x)
{
	size_t j;

	if (c->n_rem == cap) {
		if (x >= c->rem_s[cap - 1])
			return;
		c->n_rem--;
	}
	for (j = c->n_rem; j > 0 && c->rem_s[j - 1] > x; j--)
		c->rem_s[j] = c->rem_s[j - 1];
	c->rem_s[j] = x;
	c->n_rem++;
}

/* Fills c with the cap soonest-ending tickets in q->serving. */
static void
counters_fill(const struct waitest *est, const struct waitest_queue *q,
    int64_t now_s, size_t cap, struct counters *c)
{
	double mean_s[WAITEST_MAX_SERVICES];
	bool known[WAITEST_MAX_SERVICES] = { false };

	c->n_rem = 0;
	for (size_t i = 0; q->serving != NULL && i < q->n_serving; i++) {
		size_t sv = q->serving[i].service;

		if (sv >= est->n_services)
			continue;
		if (!known[sv]) {
			mean_s[sv] = service_seconds(&est->svc[sv], now_s);
			known[sv] = true;
		}
		counters_add(c, cap, remaining_s(mean_s[sv], q->serving[i].elapsed_s));
	}
}

/*
 * The wait in seconds behind ahead people with n whole counters, each ahead
 * taking mean_s: counter i frees at c's i-th time (0 for free counters), then
 * every mean_s after, so the arrival starts at the ahead-th of those moments.
 */
static double
wait_whole(const struct counters *c, size_t n, size_t ahead, double mean_s)
{
	size_t busy = c->n_rem < n ? c->n_rem : n;
	size_t free_counters = n - busy, slot = ahead % n;
	double first = slot < free_counters ? 0 : c->rem_s[slot - free_counters];

	return first + (double)(ahead / n) * mean_s;
}

/* The wait in seconds behind ahead people with counters effective counters. */
static double
wait_counters(const struct counters *c, double counters, size_t ahead,
    double mean_s)
{
	size_t n = (size_t)floor(counters);
	double f = counters - (double)n;

	if (f == 0)
		return wait_whole(c, n, ahead, mean_s);
	return (1 - f) * wait_whole(c, n, ahead, mean_s) +
	    f * wait_whole(c, n + 1, ahead, mean_s);
}

/* The effective counter count used for q: at least 1, at most WAITEST_MAX_COUNTERS. */
static double
effective_counters(const struct waitest_queue *q)
{
	if (!(q->counters >= 1))
		return 1;	/* nobody serves: estimate as if one counter will */
	return fmin(q->counters, WAITEST_MAX_COUNTERS);
}

/* a + b, stopping at SIZE_MAX instead of wrapping. */
static size_t
add_sat(size_t a, size_t b)
{
	return a > SIZE_MAX - b ? SIZE_MAX : a + b;
}

/* How many of q's later reservations have their slot before wait_s from now. */
static size_t
upcoming_before(const struct waitest_queue *q, double wait_s)
{
	size_t k = 0;

	for (size_t i = 0; q->upcoming_s != NULL && i < q->n_upcoming; i++)
		if (q->upcoming_s[i] < wait_s)
			k++;
	return k;
}

double
waitest_estimate(const struct waitest *est, size_t service,
    const struct waitest_queue *q, int64_t now_s)
{
	struct counters c;
	double counters, mean_s, wait_s;
	size_t ahead, k = 0, k_next;

	if (service >= est->n_services || q == NULL)
		return 0;
	counters = effective_counters(q);
	mean_s = service_seconds(&est->svc[service], now_s);
	counters_fill(est, q, now_s, (size_t)ceil(counters), &c);
	ahead = add_sat(q->waiting, q->due);
	wait_s = wait_counters(&c, counters, ahead, mean_s);
	/*
	 * Reservations falling due before the arrival's turn go first; each
	 * one found only lengthens the wait, so this settles within n_upcoming.
	 */
	while ((k_next = upcoming_before(q, wait_s)) > k) {
		k = k_next;
		wait_s = wait_counters(&c, counters, add_sat(ahead, k), mean_s);
	}
	return fmin(wait_s / 60, WAITEST_MAX_MIN);
}

enum waitest_flag
waitest_flag(double minutes, double busy_min, double very_busy_min)
{
	if (minutes >= very_busy_min)
		return WAITEST_VERY_BUSY;
	if (minutes >= busy_min)
		return WAITEST_BUSY;
	return WAITEST_NORMAL;
}

const char *
waitest_flag_name(enum waitest_flag flag)
{
	switch (flag) {
	case WAITEST_BUSY:
		return "busy";
	case WAITEST_VERY_BUSY:
		return "very_busy";
	case WAITEST_NORMAL:
	default:
		return "normal";
	}
}
