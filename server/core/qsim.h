/*
 * A discrete-event simulation of one day at a counter queue, shared by the
 * what-if endpoint and the benchmarks. Pure: no I/O, no global state; the
 * caller owns the random numbers (struct qsim_rng, xorshift64*) so a run is
 * reproduced exactly from its seed.
 *
 * People are walk-ins or reservations. A walk-in queues from its ticket
 * (arrive_s); a reservation checks in at arrive_s and is called once its slot
 * (slot_s) has come, before any walk-in, the earliest slot first; a no-show
 * reservation never comes. Walk-ins are called in ticket order. The counters
 * open follow a step schedule (qsim_set_counters); a counter that closes
 * finishes its ticket first. Service durations come from the caller's
 * service_s hook when a counter calls someone.
 *
 * Time advances from event to event (a ticket, a slot coming due, a service
 * ending, the schedule changing); at each moment services end, idle counters
 * call, then each walk-in ticketed at that moment is announced (arrived hook)
 * and counters call again. Cost per day is about O(people log people +
 * events x counters).
 */
#ifndef MADOGUCHI_QSIM_H
#define MADOGUCHI_QSIM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Most counters a day may have open at once. */
#define QSIM_MAX_COUNTERS	64
/* Most changes of the counter schedule in one day. */
#define QSIM_MAX_STEPS		96

/* The state of a xorshift64* generator; seed it non-zero. */
struct qsim_rng {
	uint64_t s;		/* the state */
};

/* One resident's visit. */
struct qsim_person {
	bool reserved;		/* has a reservation (else a walk-in) */
	bool leaves;		/* walk-in who answers no call (the hook decides its duration) */
	bool no_show;		/* reservation that never checks in */
	int64_t arrive_s;	/* when the ticket is issued (check-in), seconds of the day */
	int64_t slot_s;		/* reservation slot start (reservations only) */
	int64_t start_s;	/* when a counter called them, -1 before */
	int64_t end_s;		/* when their service ended, -1 before */
};

/* One counter. */
struct qsim_counter {
	int who;		/* index of the person served, -1 when idle */
	int64_t start_s;	/* when that service started */
	int64_t end_s;		/* when it ends */
};

/* An entry of an index: a person and the time it is ordered by. */
struct qsim_key {
	int64_t at_s;		/* the time ordered by */
	int who;		/* the person's index (breaks ties) */
};

struct qsim;

/* What the caller plugs into a day. */
struct qsim_hooks {
	/* The duration in seconds (at least 1) of person who's service at counter k from t. */
	int64_t (*service_s)(void *ctx, const struct qsim *q, int who, int k, int64_t t);
	/* Walk-in who took a ticket at t (optional). */
	void (*arrived)(void *ctx, const struct qsim *q, int who, int64_t t);
	/* Counter k ended its service at t (optional); q->c[k] still names who. */
	void (*completed)(void *ctx, const struct qsim *q, int k, int64_t t);
	void *ctx;		/* passed to every hook */
};

/* One simulated day. Fields are for reading; change them through the functions. */
struct qsim {
	struct qsim_person *p;	/* everyone, in the order added */
	int n;			/* people in p */
	int cap;		/* room in p */
	struct qsim_counter c[QSIM_MAX_COUNTERS];	/* the lowest indices open first */
	int64_t step_at[QSIM_MAX_STEPS];	/* from when each schedule step holds, ascending */
	int step_open[QSIM_MAX_STEPS];	/* counters open from step_at[i] */
	int n_steps;		/* steps in the schedule */
	int max_queue;		/* most people waiting at once (checked in, not called) */
	/* Indexes built by qsim_run. */
	struct qsim_key *walk;	/* walk-ins coming, by ticket time */
	struct qsim_key *resv;	/* reservations coming, by slot */
	struct qsim_key *arr;	/* everyone coming, by ticket time */
	int n_walk, n_resv, n_arr;	/* entries in each index */
};

/* The next 64-bit number of rng. */
uint64_t qsim_rnd(struct qsim_rng *rng);
/* A uniform number in (0, 1). */
double qsim_unif(struct qsim_rng *rng);
/* A standard normal number (Box-Muller, two uniforms per call). */
double qsim_gauss(struct qsim_rng *rng);
/* A lognormal number with the given mean and log-scale sigma. */
double qsim_lognormal(struct qsim_rng *rng, double mean, double sigma);
/*
 * A gamma number of the given shape and scale 1 (mean and variance both shape):
 * Marsaglia-Tsang, with the boost U^(1/shape) below shape 1; 0 unless shape is
 * positive and finite.
 */
double qsim_gamma(struct qsim_rng *rng, double shape);
/*
 * A Poisson number of mean mu (and variance mu), exact at every mean: inversion
 * of one uniform, a mean above QSIM_POISSON_SPLIT drawn as the sum of two
 * halves; 0 unless mu is positive and finite.
 */
long qsim_poisson(struct qsim_rng *rng, double mu);

/* The largest mean drawn by one inversion (exp(-mu) stays a normal double). */
#define QSIM_POISSON_SPLIT	600.0

/* Initialises an empty day with no counters open; release it with qsim_done. */
void qsim_init(struct qsim *q);
/* Frees what a day holds (not q itself). */
void qsim_done(struct qsim *q);
/* Forgets the people and the schedule, keeping the memory. */
void qsim_reset(struct qsim *q);
/* Adds a person (start_s and end_s are reset); returns its index. */
int qsim_add(struct qsim *q, const struct qsim_person *person);
/*
 * From at_s on, open counters are open (0..QSIM_MAX_COUNTERS); steps must come
 * in ascending at_s (an equal at_s replaces the last step). Returns false,
 * changing nothing, when the step is out of order, out of range, or the
 * schedule is full.
 */
bool qsim_set_counters(struct qsim *q, int64_t at_s, int open)
    __attribute__((warn_unused_result));
/* Counters open at t under the schedule (0 before its first step). */
int qsim_counters_at(const struct qsim *q, int64_t t);
/*
 * Runs the day from the earliest ticket until everyone coming has been served
 * (a day may be run again: calls from an earlier run are forgotten).
 * Returns false when someone would wait forever (nobody is ever open after
 * they arrive), leaving the day partly run.
 */
bool qsim_run(struct qsim *q, const struct qsim_hooks *hooks)
    __attribute__((warn_unused_result));

/* The value below which a share q (0..1) of the n values lies; sorts v; 0 when n is 0. */
double qsim_quantile(double *v, size_t n, double share);

#endif
