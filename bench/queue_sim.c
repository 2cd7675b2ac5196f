/*
 * Wait-estimate benchmark: a deterministic discrete-event simulation of one
 * office's Monday (My Number card renewal), replayed through the daemon's
 * estimator (server/core/waitest.c, fed each completed service as it ends) and
 * through the peers' fixed formula (configured handling time x people ahead /
 * counters open). For every walk-in it records both estimates at arrival and
 * the wait that then happened (service start - arrival), and reports each
 * estimate's mean absolute error, over the day and over the morning peak, and
 * how often each got the busy and very_busy flags right.
 *
 * The simulated day, in one-second steps of time:
 * - walk-ins 08:30-17:00, a Poisson process whose rate rises to a morning peak
 *   about 2.3 times the day's mean, dips at lunch and bumps after it;
 * - reservations: 3 per half hour 09:00-16:30, checking in up to 20 minutes
 *   early (15 % up to 10 minutes late, 10 % never); once their slot has come
 *   they are called before walk-ins;
 * - service times lognormal (sigma 0.4) with a mean of 13 minutes at opening
 *   drifting to 15.5 by closing, plus 8 minutes for a quarter of the services
 *   started 10:00-11:30 (PIN resets cluster after the expiry notices), while
 *   the configuration says 10 minutes;
 * - 3 % of walk-ins leave unseen: called, they take the counter a minute;
 * - 1 % of services are closed hours late in the system, so the duration the
 *   estimator is told is absurd (the counter itself was free on time);
 * - 8 counters, 9 from 09:30 to 11:30, 7 over lunch 12:00-13:00; a closing
 *   counter finishes its ticket first; tickets stop at 17:00, the queue is
 *   served to the end.
 *
 * The day runs on the daemon's own simulation engine (server/core/qsim.c),
 * which calls back here for service durations, completions and arrivals.
 *
 *   bench/queue_sim.sh [RUNS [CONFIGURED_MIN]]      (defaults: 5 runs, 10 minutes)
 */
#include "core/qsim.h"
#include "core/waitest.h"

#include <inttypes.h>
#include <math.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

/* Seconds since midnight of the day's landmarks. */
#define HM(h, m)	((int64_t)(h) * 3600 + (m) * 60)
#define OPEN_S		HM(8, 30)
#define CLOSE_S		HM(17, 0)
#define PEAK_END_S	HM(11, 0)

/* The configured handling time, minutes, unless the command line says otherwise. */
#define SEED_MIN	10.0
/* Expected walk-ins over the day. */
#define WALKINS		200.0
/* Reservations per half-hour slot, and the slots' span. */
#define RES_PER_SLOT	3
#define RES_FIRST_S	HM(9, 0)
#define RES_LAST_S	HM(16, 30)
/* Most people in a day and most counters the simulation holds. */
#define MAX_PEOPLE	2000
#define MAX_COUNTERS	16
/* The first PRNG seed; run i uses BASE_SEED + i. */
#define BASE_SEED	UINT64_C(20261207)

/* The estimates shown to one resident at arrival (walk-ins only). */
struct shown {
	double est_learned;	/* estimator's wait at arrival, minutes */
	double est_fixed;	/* fixed formula's wait at arrival, minutes */
	double est_mean_only;	/* learned mean put in the fixed formula, minutes */
};

/* The whole simulated day. */
struct day {
	struct qsim_rng rng;	/* the random numbers */
	struct qsim q;		/* everyone (walk-ins in arrival order first) and the counters */
	struct shown shown[MAX_PEOPLE];	/* estimates, by person */
	double told_s[MAX_COUNTERS];	/* per counter: the duration the system records */
	struct waitest *est;	/* the daemon's estimator */
	double seed_min;	/* configured handling time, minutes */
	int refused;		/* durations the estimator refused */
	double svc_sum_s;	/* true durations of real services, summed */
	int svc_n;		/* real services (not walk-ins who left) */
};

/* What one day's run measured. */
struct result {
	int walkins;		/* walk-ins who were served and counted */
	int reservations;	/* reservations who checked in */
	double mean_wait;	/* mean actual walk-in wait, minutes */
	double max_wait;	/* longest actual walk-in wait, minutes */
	double true_svc;	/* mean true service time, minutes */
	double mae_l, mae_f, mae_m;	/* mean absolute errors: learned, fixed, mean-only */
	double peak_l, peak_f;	/* the same over arrivals before PEAK_END_S */
	double busy_l, busy_f;	/* share with busy-or-worse predicted right */
	double vbusy_l, vbusy_f;	/* share with very_busy predicted right */
	double flag_l, flag_f;	/* share with the three-way flag right */
	int refused;		/* durations the estimator refused */
};

/* A uniform number in (0, 1). */
static double
unif(struct day *d)
{
	return qsim_unif(&d->rng);
}

/* Walk-in arrivals per hour at t, relative: the Monday shape. */
static double
arrival_shape(int64_t t)
{
	static const struct { int64_t until; double rate; } shape[] = {
		{ HM(9, 0), 2.2 }, { HM(10, 0), 3.0 }, { HM(11, 0), 2.2 },
		{ HM(12, 0), 1.2 }, { HM(13, 0), 0.6 }, { HM(14, 0), 1.6 },
		{ HM(15, 0), 0.9 }, { HM(16, 0), 0.7 }, { HM(17, 0), 0.5 },
	};

	for (size_t i = 0; i < sizeof shape / sizeof shape[0]; i++)
		if (t < shape[i].until)
			return shape[i].rate;
	return 0;
}

/* The integral of arrival_shape over the day, in relative-rate hours. */
static double
shape_hours(void)
{
	double sum = 0;

	for (int64_t t = OPEN_S; t < CLOSE_S; t += 60)
		sum += arrival_shape(t) / 60;
	return sum;
}

/* Opens the counters: 8, 9 from 09:30 to 11:30, 7 over lunch 12:00-13:00. */
static void
schedule_counters(struct day *d)
{
	static const struct { int64_t at; int open; } step[] = {
		{ OPEN_S, 8 }, { HM(9, 30), 9 }, { HM(11, 30), 8 },
		{ HM(12, 0), 7 }, { HM(13, 0), 8 },
	};

	for (size_t i = 0; i < sizeof step / sizeof step[0]; i++)
		if (!qsim_set_counters(&d->q, step[i].at, step[i].open)) {
			fprintf(stderr, "queue_sim: bad counter schedule\n");
			exit(1);
		}
}

/* Adds a person arriving at arrive_s. */
static struct qsim_person *
add_person(struct day *d, int64_t arrive_s)
{
	int i;

	if (d->q.n == MAX_PEOPLE) {
		fprintf(stderr, "queue_sim: more than %d people\n", MAX_PEOPLE);
		exit(1);
	}
	i = qsim_add(&d->q, &(struct qsim_person){ .arrive_s = arrive_s });

	return &d->q.p[i];
}

/* Generates the walk-ins by thinning a Poisson process at the peak rate. */
static void
gen_walkins(struct day *d)
{
	double per_hour = WALKINS / shape_hours(), max_rate = 3.0 * per_hour;
	double t = OPEN_S;

	for (;;) {
		t += -log(unif(d)) / max_rate * 3600;
		if (t >= CLOSE_S)
			return;
		if (unif(d) * max_rate < arrival_shape((int64_t)t) * per_hour)
			add_person(d, (int64_t)t)->leaves = unif(d) < 0.03;
	}
}

/* Generates the reservations, their check-in times and their no-shows. */
static void
gen_reservations(struct day *d)
{
	for (int64_t slot = RES_FIRST_S; slot <= RES_LAST_S; slot += 1800)
		for (int k = 0; k < RES_PER_SLOT; k++) {
			double early = unif(d) * 1200, late = unif(d) * 600;
			bool is_late = unif(d) < 0.15;
			struct qsim_person *p;

			p = add_person(d, slot + (int64_t)(is_late ? late : -early));
			p->reserved = true;
			p->slot_s = slot;
			p->no_show = unif(d) < 0.10;
		}
}

/* The true mean service time, seconds, of a service starting at t (without PIN resets). */
static double
true_mean_s(int64_t t)
{
	return (13.0 + 2.5 * (double)(t - OPEN_S) / (double)(CLOSE_S - OPEN_S)) * 60;
}

/* Draws a service starting at t: its true duration, in seconds. */
static int64_t
draw_service_s(struct day *d, int64_t t)
{
	const double sigma = 0.4;
	double mean = true_mean_s(t), x;

	x = qsim_lognormal(&d->rng, mean, sigma);
	if (t >= HM(10, 0) && t < HM(11, 30) && unif(d) < 0.25)
		x += 8 * 60;
	return (int64_t)llround(x);
}

/* Whether person i is waiting at t: checked in, not called, and coming. */
static bool
waiting(const struct qsim *q, int i, int64_t t)
{
	const struct qsim_person *p = &q->p[i];

	return p->start_s < 0 && !p->no_show && p->arrive_s <= t;
}

/* Whether person i is a reservation that may be called at t. */
static bool
due(const struct qsim *q, int i, int64_t t)
{
	return q->p[i].reserved && waiting(q, i, t) && q->p[i].slot_s <= t;
}

/* The engine's hook: person who's true duration at counter k from t, and what the system will record. */
static int64_t
service_hook(void *ctx, const struct qsim *q, int who, int k, int64_t t)
{
	struct day *d = ctx;
	int64_t dur = q->p[who].leaves ? 60 : draw_service_s(d, t);

	if (!q->p[who].leaves) {
		d->svc_sum_s += (double)dur;
		d->svc_n++;
	}
	d->told_s[k] = (double)dur;
	if (unif(d) < 0.01)
		d->told_s[k] += 4 * 3600 + unif(d) * 2 * 3600;
	return dur;
}

/* The engine's hook: counter k ended at t; the estimator is told what the system recorded. */
static void
completed_hook(void *ctx, const struct qsim *q, int k, int64_t t)
{
	struct day *d = ctx;

	(void)q;
	if (!waitest_observe(d->est, 0, d->told_s[k], t))
		d->refused++;
}

/* The engine's hook: both estimates for walk-in i arriving at t, from what the daemon would know then. */
static void
arrived_hook(void *ctx, const struct qsim *sim, int i, int64_t t)
{
	struct day *d = ctx;
	struct waitest_serving serving[MAX_COUNTERS];
	double upcoming[MAX_PEOPLE];
	struct waitest_queue q = { .serving = serving, .upcoming_s = upcoming };
	int open = qsim_counters_at(sim, t);

	for (int j = 0; j < sim->n; j++) {
		if (!sim->p[j].reserved) {
			q.waiting += j < i && waiting(sim, j, t);	/* walk-ins are in arrival order */
			continue;
		}
		if (due(sim, j, t))
			q.due++;
		else if (sim->p[j].start_s < 0 && sim->p[j].slot_s > t)
			upcoming[q.n_upcoming++] = (double)(sim->p[j].slot_s - t);
	}
	for (int k = 0; k < MAX_COUNTERS; k++)
		if (sim->c[k].who >= 0)
			serving[q.n_serving++] = (struct waitest_serving){
				.service = 0, .elapsed_s = (double)(t - sim->c[k].start_s) };
	q.counters = open;
	d->shown[i].est_learned = waitest_estimate(d->est, 0, &q, t);
	d->shown[i].est_fixed = d->seed_min * (double)(q.waiting + q.due) / open;
	d->shown[i].est_mean_only = waitest_service_minutes(d->est, 0, t) *
	    (double)(q.waiting + q.due) / open;
}

/* Runs the day on the shared engine. */
static void
run_day(struct day *d)
{
	const struct qsim_hooks hooks = { .service_s = service_hook,
	    .arrived = arrived_hook, .completed = completed_hook, .ctx = d };

	if (!qsim_run(&d->q, &hooks)) {
		fprintf(stderr, "queue_sim: a resident was never served\n");
		exit(1);
	}
}

/* Whether an estimate and the actual wait fall on the same side of threshold. */
static bool
same_side(double est, double actual, double threshold)
{
	return (est >= threshold) == (actual >= threshold);
}

/* Adds up the errors of walk-in p (shown e) into r (sums, divided later) and counts peak arrivals. */
static void
score_one(const struct qsim_person *p, const struct shown *e, struct result *r, int *peak_n)
{
	double actual = (double)(p->start_s - p->arrive_s) / 60;

	r->walkins++;
	r->mean_wait += actual;
	r->max_wait = fmax(r->max_wait, actual);
	r->mae_l += fabs(e->est_learned - actual);
	r->mae_f += fabs(e->est_fixed - actual);
	r->mae_m += fabs(e->est_mean_only - actual);
	if (p->arrive_s < PEAK_END_S) {
		++*peak_n;
		r->peak_l += fabs(e->est_learned - actual);
		r->peak_f += fabs(e->est_fixed - actual);
	}
	r->busy_l += same_side(e->est_learned, actual, WAITEST_BUSY_MIN);
	r->busy_f += same_side(e->est_fixed, actual, WAITEST_BUSY_MIN);
	r->vbusy_l += same_side(e->est_learned, actual, WAITEST_VERY_BUSY_MIN);
	r->vbusy_f += same_side(e->est_fixed, actual, WAITEST_VERY_BUSY_MIN);
	r->flag_l += waitest_flag(e->est_learned, WAITEST_BUSY_MIN, WAITEST_VERY_BUSY_MIN) ==
	    waitest_flag(actual, WAITEST_BUSY_MIN, WAITEST_VERY_BUSY_MIN);
	r->flag_f += waitest_flag(e->est_fixed, WAITEST_BUSY_MIN, WAITEST_VERY_BUSY_MIN) ==
	    waitest_flag(actual, WAITEST_BUSY_MIN, WAITEST_VERY_BUSY_MIN);
}

/* Scores the day: every served walk-in who stayed counts. */
static struct result
score(const struct day *d)
{
	struct result r = { .refused = d->refused,
	    .true_svc = d->svc_sum_s / d->svc_n / 60 };
	int peak_n = 0;

	for (int i = 0; i < d->q.n; i++) {
		if (d->q.p[i].reserved)
			r.reservations += !d->q.p[i].no_show;
		else if (!d->q.p[i].leaves)
			score_one(&d->q.p[i], &d->shown[i], &r, &peak_n);
	}
	r.mean_wait /= r.walkins;
	r.mae_l /= r.walkins, r.mae_f /= r.walkins, r.mae_m /= r.walkins;
	r.peak_l /= peak_n, r.peak_f /= peak_n;
	r.busy_l /= r.walkins, r.busy_f /= r.walkins;
	r.vbusy_l /= r.walkins, r.vbusy_f /= r.walkins;
	r.flag_l /= r.walkins, r.flag_f /= r.walkins;
	return r;
}

/* Simulates one day from seed and scores it. */
static struct result
simulate(uint64_t seed, double seed_min)
{
	static struct day d;
	const double seeds[1] = { seed_min };
	struct result r;

	d = (struct day){ .rng = { seed ? seed : 1 }, .seed_min = seed_min };
	qsim_init(&d.q);
	schedule_counters(&d);
	if ((d.est = waitest_new(seeds, 1)) == NULL) {
		fprintf(stderr, "queue_sim: waitest_new failed\n");
		exit(1);
	}
	gen_walkins(&d);
	gen_reservations(&d);
	run_day(&d);
	r = score(&d);
	waitest_free(d.est);
	qsim_done(&d.q);
	return r;
}

/* Prints one row of the table. */
static void
print_row(const char *label, const struct result *r)
{
	printf("%-10s %5d %4d %6.1f %6.1f %5.1f | %7.2f %7.2f | %7.2f %7.2f | %5.1f%% %5.1f%% | %5.1f%% %5.1f%% | %5.1f%% %5.1f%% | %7.2f\n",
	    label, r->walkins, r->reservations, r->mean_wait, r->max_wait,
	    r->true_svc, r->mae_l, r->mae_f, r->peak_l, r->peak_f,
	    100 * r->busy_l, 100 * r->busy_f, 100 * r->vbusy_l, 100 * r->vbusy_f,
	    100 * r->flag_l, 100 * r->flag_f, r->mae_m);
}

/* Adds r into sum, field by field. */
static void
accumulate(struct result *sum, const struct result *r)
{
	sum->walkins += r->walkins, sum->reservations += r->reservations;
	sum->mean_wait += r->mean_wait, sum->max_wait += r->max_wait;
	sum->true_svc += r->true_svc;
	sum->mae_l += r->mae_l, sum->mae_f += r->mae_f, sum->mae_m += r->mae_m;
	sum->peak_l += r->peak_l, sum->peak_f += r->peak_f;
	sum->busy_l += r->busy_l, sum->busy_f += r->busy_f;
	sum->vbusy_l += r->vbusy_l, sum->vbusy_f += r->vbusy_f;
	sum->flag_l += r->flag_l, sum->flag_f += r->flag_f;
	sum->refused += r->refused;
}

/* Divides every field of sum by n (counts rounded). */
static void
average(struct result *s, int n)
{
	s->walkins = (s->walkins + n / 2) / n;
	s->reservations = (s->reservations + n / 2) / n;
	s->mean_wait /= n, s->max_wait /= n, s->true_svc /= n;
	s->mae_l /= n, s->mae_f /= n, s->mae_m /= n;
	s->peak_l /= n, s->peak_f /= n;
	s->busy_l /= n, s->busy_f /= n, s->vbusy_l /= n, s->vbusy_f /= n;
	s->flag_l /= n, s->flag_f /= n;
}

/* Prints what the simulated day is and the table's header. */
static void
print_header(int runs, double seed_min)
{
	printf("madoguchi wait-estimate benchmark: %d simulated Mondays at one office\n", runs);
	printf("walk-ins 08:30-17:00 (about %.0f expected, peak 09:00-10:00 at %.1fx the mean rate, bump 13:00-14:00),\n",
	    WALKINS, 3.0 / (shape_hours() / 8.5));
	printf("reservations %d per half hour 09:00-16:30 (10%% no-show), counters 8 / 9 09:30-11:30 / 7 12:00-13:00,\n",
	    RES_PER_SLOT);
	printf("configured handling time %.1f min; true service lognormal sigma 0.4, mean 13 -> 15.5 min over the day,\n",
	    seed_min);
	printf("+8 min for 25%% of services started 10:00-11:30; 1%% recorded hours late; PRNG xorshift64*, seed %" PRIu64 " + run\n\n",
	    BASE_SEED);
	printf("%-10s %5s %4s %6s %6s %5s | %-15s | %-15s | %-15s | %-15s | %-15s | %s\n",
	    "", "walk", "res", "wait", "wait", "svc", "MAE min", "MAE peak <11:00",
	    "busy right", "very_busy right", "flag right", "mean-only");
	printf("%-10s %5s %4s %6s %6s %5s | %7s %7s | %7s %7s | %6s %6s | %6s %6s | %6s %6s | %7s\n",
	    "seed", "-ins", "", "mean", "max", "mean", "learned", "fixed", "learned", "fixed",
	    "learn", "fixed", "learn", "fixed", "learn", "fixed", "MAE");
}

/* Runs the days asked for (default 5) and prints the table. */
int
main(int argc, char **argv)
{
	int runs = argc > 1 ? atoi(argv[1]) : 5;
	double seed_min = argc > 2 ? atof(argv[2]) : SEED_MIN;
	struct result sum = { 0 };
	char label[32];

	if (runs < 1 || runs > 1000 || !(seed_min >= 1 && seed_min <= 240)) {
		fprintf(stderr, "usage: queue_sim [RUNS 1..1000 [CONFIGURED_MIN 1..240]]\n");
		return 2;
	}
	print_header(runs, seed_min);
	for (int i = 0; i < runs; i++) {
		struct result r = simulate(BASE_SEED + (uint64_t)i, seed_min);

		snprintf(label, sizeof label, "%" PRIu64, BASE_SEED + (uint64_t)i);
		print_row(label, &r);
		accumulate(&sum, &r);
	}
	average(&sum, runs);
	print_row("mean", &sum);
	printf("\nMAE: mean absolute error of the estimate shown at arrival against the wait that happened\n"
	    "(minutes, walk-ins served; reservations are called at their slot). learned: server/waitest.c;\n"
	    "fixed: %.1f min x people ahead / counters open; mean-only MAE: the fixed formula with the\n"
	    "learned mean instead of %.1f min. Durations refused as absurd: %d over all runs.\n",
	    seed_min, seed_min, sum.refused);
	return 0;
}
