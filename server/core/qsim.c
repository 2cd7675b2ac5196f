/* The discrete-event simulation of a day at the counters (see qsim.h). */
#include "qsim.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "xmalloc.h"

/* The progress of one run, beside the day it runs. */
struct run {
	struct qsim *q;			/* the day */
	const struct qsim_hooks *h;	/* the caller's hooks */
	int walk_head;		/* first walk-in (in q->walk) not yet called */
	int walk_seen;		/* first walk-in (in q->walk) not yet announced */
	int resv_head;		/* first reservation (in q->resv) not yet called */
	int resv_next;		/* first reservation (in q->resv) whose slot is still to come */
	int arr_head;		/* first entry of q->arr still to arrive */
	int started;		/* people called so far */
	int busy;		/* counters serving */
};

uint64_t
qsim_rnd(struct qsim_rng *rng)
{
	rng->s ^= rng->s >> 12;
	rng->s ^= rng->s << 25;
	rng->s ^= rng->s >> 27;
	return rng->s * UINT64_C(2685821657736338717);
}

double
qsim_unif(struct qsim_rng *rng)
{
	return ((double)(qsim_rnd(rng) >> 11) + 0.5) / 9007199254740992.0;
}

double
qsim_gauss(struct qsim_rng *rng)
{
	double u = qsim_unif(rng), v = qsim_unif(rng);

	return sqrt(-2 * log(u)) * cos(2 * 3.14159265358979323846 * v);
}

double
qsim_lognormal(struct qsim_rng *rng, double mean, double sigma)
{
	return exp(log(mean) - sigma * sigma / 2 + sigma * qsim_gauss(rng));
}

double
qsim_gamma(struct qsim_rng *rng, double shape)
{
	double d, c;

	if (!(shape > 0) || !isfinite(shape))
		return 0;
	if (shape < 1)
		return qsim_gamma(rng, shape + 1) * pow(qsim_unif(rng), 1 / shape);
	d = shape - 1.0 / 3;
	c = 1 / sqrt(9 * d);
	for (;;) {
		double x = qsim_gauss(rng), v = pow(1 + c * x, 3);

		if (v > 0 && log(qsim_unif(rng)) < x * x / 2 + d - d * v + d * log(v))
			return d * v;
	}
}

long
qsim_poisson(struct qsim_rng *rng, double mu)
{
	double u, p, cdf;
	long k = 0;

	if (!(mu > 0) || !isfinite(mu))
		return 0;
	if (mu > QSIM_POISSON_SPLIT)
		return qsim_poisson(rng, mu / 2) + qsim_poisson(rng, mu / 2);
	u = qsim_unif(rng);
	p = exp(-mu);
	cdf = p;
	while (u > cdf && k < 100000) {
		p *= mu / (double)++k;
		cdf += p;
	}
	return k;
}

void
qsim_init(struct qsim *q)
{
	memset(q, 0, sizeof *q);
	for (int k = 0; k < QSIM_MAX_COUNTERS; k++)
		q->c[k].who = -1;
}

void
qsim_done(struct qsim *q)
{
	free(q->p);
	free(q->walk);
	free(q->resv);
	free(q->arr);
	memset(q, 0, sizeof *q);
}

void
qsim_reset(struct qsim *q)
{
	q->n = 0;
	q->n_steps = 0;
	q->max_queue = 0;
	q->n_walk = q->n_resv = q->n_arr = 0;
	for (int k = 0; k < QSIM_MAX_COUNTERS; k++)
		q->c[k] = (struct qsim_counter){ .who = -1 };
}

int
qsim_add(struct qsim *q, const struct qsim_person *person)
{
	if (q->n == q->cap) {
		q->cap = q->cap ? 2 * q->cap : 256;
		q->p = xreallocarray(q->p, (size_t)q->cap, sizeof *q->p);
		q->walk = xreallocarray(q->walk, (size_t)q->cap, sizeof *q->walk);
		q->resv = xreallocarray(q->resv, (size_t)q->cap, sizeof *q->resv);
		q->arr = xreallocarray(q->arr, (size_t)q->cap, sizeof *q->arr);
	}
	q->p[q->n] = *person;
	q->p[q->n].start_s = q->p[q->n].end_s = -1;
	return q->n++;
}

bool
qsim_set_counters(struct qsim *q, int64_t at_s, int open)
{
	if (open < 0 || open > QSIM_MAX_COUNTERS)
		return false;
	if (q->n_steps > 0 && q->step_at[q->n_steps - 1] == at_s) {
		q->step_open[q->n_steps - 1] = open;
		return true;
	}
	if (q->n_steps == QSIM_MAX_STEPS ||
	    (q->n_steps > 0 && q->step_at[q->n_steps - 1] > at_s))
		return false;
	q->step_at[q->n_steps] = at_s;
	q->step_open[q->n_steps++] = open;
	return true;
}

int
qsim_counters_at(const struct qsim *q, int64_t t)
{
	int open = 0;

	for (int i = 0; i < q->n_steps && q->step_at[i] <= t; i++)
		open = q->step_open[i];
	return open;
}

/* Orders index entries by time, then by person. */
static int
key_cmp(const void *a, const void *b)
{
	const struct qsim_key *x = a, *y = b;

	if (x->at_s != y->at_s)
		return x->at_s < y->at_s ? -1 : 1;
	return (x->who > y->who) - (x->who < y->who);
}

/* Builds the three indexes of the people coming, with nobody called yet. */
static void
build_indexes(struct qsim *q)
{
	q->n_walk = q->n_resv = q->n_arr = 0;
	for (int i = 0; i < q->n; i++) {
		struct qsim_person *p = &q->p[i];

		p->start_s = p->end_s = -1;
		if (p->no_show)
			continue;
		q->arr[q->n_arr++] = (struct qsim_key){ p->arrive_s, i };
		if (p->reserved)
			q->resv[q->n_resv++] = (struct qsim_key){ p->slot_s, i };
		else
			q->walk[q->n_walk++] = (struct qsim_key){ p->arrive_s, i };
	}
	qsort(q->walk, (size_t)q->n_walk, sizeof *q->walk, key_cmp);
	qsort(q->resv, (size_t)q->n_resv, sizeof *q->resv, key_cmp);
	qsort(q->arr, (size_t)q->n_arr, sizeof *q->arr, key_cmp);
}

/* The reservation to call at t: due, checked in, the earliest slot; -1 if none. */
static int
due_reservation(struct run *r, int64_t t)
{
	struct qsim *q = r->q;

	while (r->resv_head < q->n_resv && q->p[q->resv[r->resv_head].who].start_s >= 0)
		r->resv_head++;
	for (int i = r->resv_head; i < q->n_resv && q->resv[i].at_s <= t; i++) {
		const struct qsim_person *p = &q->p[q->resv[i].who];

		if (p->start_s < 0 && p->arrive_s <= t)
			return q->resv[i].who;
	}
	return -1;
}

/* The person a free counter calls at t: a due reservation, else the first walk-in; -1 if none. */
static int
next_to_call(struct run *r, int64_t t)
{
	struct qsim *q = r->q;
	int who = due_reservation(r, t);

	if (who >= 0)
		return who;
	if (r->walk_head < q->n_walk && q->walk[r->walk_head].at_s <= t)
		return q->walk[r->walk_head].who;
	return -1;
}

/* Counter k calls person who at t. */
static void
start_service(struct run *r, int k, int who, int64_t t)
{
	struct qsim *q = r->q;
	int64_t dur = r->h->service_s(r->h->ctx, q, who, k, t);

	if (!q->p[who].reserved)
		r->walk_head++;
	q->p[who].start_s = t;
	q->p[who].end_s = t + (dur < 1 ? 1 : dur);
	q->c[k] = (struct qsim_counter){ .who = who, .start_s = t, .end_s = q->p[who].end_s };
	r->started++;
	r->busy++;
}

/* Lets every idle open counter call the next person at t. */
static void
dispatch(struct run *r, int64_t t)
{
	int open = qsim_counters_at(r->q, t), who;

	for (int k = 0; k < open; k++)
		if (r->q->c[k].who < 0 && (who = next_to_call(r, t)) >= 0)
			start_service(r, k, who, t);
}

/* Ends the services finishing at t. */
static void
complete(struct run *r, int64_t t)
{
	struct qsim *q = r->q;

	for (int k = 0; k < QSIM_MAX_COUNTERS && r->busy > 0; k++) {
		if (q->c[k].who < 0 || q->c[k].end_s != t)
			continue;
		if (r->h->completed)
			r->h->completed(r->h->ctx, q, k, t);
		q->c[k].who = -1;
		r->busy--;
	}
}

/* Announces the walk-ins ticketed at t, letting counters call after each. */
static void
announce(struct run *r, int64_t t)
{
	struct qsim *q = r->q;

	while (r->walk_seen < q->n_walk && q->walk[r->walk_seen].at_s < t)
		r->walk_seen++;
	for (; r->walk_seen < q->n_walk && q->walk[r->walk_seen].at_s == t; r->walk_seen++) {
		if (r->h->arrived)
			r->h->arrived(r->h->ctx, q, q->walk[r->walk_seen].who, t);
		dispatch(r, t);
	}
}

/* Notes how many wait after the moment t. */
static void
note_queue(struct run *r, int64_t t)
{
	struct qsim *q = r->q;

	while (r->arr_head < q->n_arr && q->arr[r->arr_head].at_s <= t)
		r->arr_head++;
	if (r->arr_head - r->started > q->max_queue)
		q->max_queue = r->arr_head - r->started;
}

/* The earliest moment after t at which something happens, or INT64_MAX. */
static int64_t
next_event(struct run *r, int64_t t)
{
	struct qsim *q = r->q;
	int64_t next = INT64_MAX;

	for (int i = 0; i < q->n_steps; i++)
		if (q->step_at[i] > t) {
			next = q->step_at[i];
			break;
		}
	if (r->arr_head < q->n_arr && q->arr[r->arr_head].at_s < next)
		next = q->arr[r->arr_head].at_s;
	while (r->resv_next < q->n_resv && q->resv[r->resv_next].at_s <= t)
		r->resv_next++;
	if (r->resv_next < q->n_resv && q->resv[r->resv_next].at_s < next)
		next = q->resv[r->resv_next].at_s;
	for (int k = 0; k < QSIM_MAX_COUNTERS && r->busy > 0; k++)
		if (q->c[k].who >= 0 && q->c[k].end_s < next)
			next = q->c[k].end_s;
	return next;
}

bool
qsim_run(struct qsim *q, const struct qsim_hooks *hooks)
{
	struct run r = { .q = q, .h = hooks };
	int64_t t;

	build_indexes(q);
	q->max_queue = 0;
	if (q->n_arr == 0)
		return true;
	t = q->arr[0].at_s;
	for (;;) {
		complete(&r, t);
		dispatch(&r, t);
		announce(&r, t);
		dispatch(&r, t);
		note_queue(&r, t);
		if (r.started == q->n_arr && r.busy == 0)
			return true;
		if ((t = next_event(&r, t)) == INT64_MAX)
			return false;
	}
}

/* Orders doubles ascending. */
static int
double_cmp(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

double
qsim_quantile(double *v, size_t n, double share)
{
	double pos;
	size_t i;

	if (n == 0)
		return 0;
	qsort(v, n, sizeof *v, double_cmp);
	pos = share * (double)(n - 1);
	if (!(pos > 0))
		return v[0];
	i = (size_t)pos;
	if (i >= n - 1)
		return v[n - 1];
	return v[i] + (pos - (double)i) * (v[i + 1] - v[i]);
}
