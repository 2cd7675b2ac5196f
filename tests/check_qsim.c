/* Unit tests for the day simulation engine (links core/qsim and xmalloc). */
#include <check.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>

#include "core/qsim.h"

/* What the hooks saw. */
struct seen {
	int64_t fixed_s;		/* every service takes this long */
	int counter_of[64];		/* the counter that served each person */
	int arrived;			/* walk-ins announced */
	int completed;			/* services ended */
};

/* Every service takes ctx->fixed_s. */
static int64_t
fixed_service(void *ctx, const struct qsim *q, int who, int k, int64_t t)
{
	struct seen *s = ctx;

	(void)q;
	(void)t;
	s->counter_of[who] = k;
	return s->fixed_s;
}

/* Counts announced walk-ins. */
static void
count_arrived(void *ctx, const struct qsim *q, int who, int64_t t)
{
	ck_assert(!q->p[who].reserved && q->p[who].arrive_s == t);
	((struct seen *)ctx)->arrived++;
}

/* Counts ended services. */
static void
count_completed(void *ctx, const struct qsim *q, int k, int64_t t)
{
	ck_assert_int_eq(q->c[k].end_s, t);
	((struct seen *)ctx)->completed++;
}

/* Adds a walk-in ticketed at t. */
static int
walk_in(struct qsim *q, int64_t t)
{
	return qsim_add(q, &(struct qsim_person){ .arrive_s = t });
}

/* Runs q with services of fixed_s seconds, failing the test if someone is never served. */
static void
run(struct qsim *q, struct seen *s, int64_t fixed_s)
{
	struct qsim_hooks h = { .service_s = fixed_service, .arrived = count_arrived,
	    .completed = count_completed, .ctx = s };

	s->fixed_s = fixed_s;
	ck_assert(qsim_run(q, &h));
}

/* One counter serves walk-ins in ticket order, back to back. */
START_TEST(fifo_one_counter)
{
	struct qsim q;
	struct seen s = { 0 };

	qsim_init(&q);
	ck_assert(qsim_set_counters(&q, 0, 1));
	walk_in(&q, 120);
	walk_in(&q, 0);
	walk_in(&q, 60);
	run(&q, &s, 600);
	ck_assert_int_eq(q.p[1].start_s, 0);
	ck_assert_int_eq(q.p[2].start_s, 600);
	ck_assert_int_eq(q.p[0].start_s, 1200);
	ck_assert_int_eq(q.p[0].end_s, 1800);
	ck_assert_int_eq(q.max_queue, 2);
	ck_assert_int_eq(s.arrived, 3);
	ck_assert_int_eq(s.completed, 3);
	qsim_done(&q);
}
END_TEST

/* A due reservation goes before earlier walk-ins, never before its slot; no-shows never come. */
START_TEST(reservations_first_at_their_slot)
{
	struct qsim q;
	struct seen s = { 0 };
	int r, ns;

	qsim_init(&q);
	ck_assert(qsim_set_counters(&q, 0, 1));
	walk_in(&q, 0);
	walk_in(&q, 10);
	r = qsim_add(&q, &(struct qsim_person){ .reserved = true, .arrive_s = 5, .slot_s = 300 });
	ns = qsim_add(&q, &(struct qsim_person){ .reserved = true, .arrive_s = 5, .slot_s = 100,
	    .no_show = true });
	run(&q, &s, 400);
	ck_assert_int_eq(q.p[0].start_s, 0);
	ck_assert_int_eq(q.p[r].start_s, 400);	/* due at 300, first when the counter frees */
	ck_assert_int_eq(q.p[1].start_s, 800);
	ck_assert_int_eq(q.p[ns].start_s, -1);
	qsim_done(&q);
}
END_TEST

/* A reservation checked in early waits for its slot even with a counter free. */
START_TEST(reservation_waits_for_slot)
{
	struct qsim q;
	struct seen s = { 0 };

	qsim_init(&q);
	ck_assert(qsim_set_counters(&q, 0, 2));
	qsim_add(&q, &(struct qsim_person){ .reserved = true, .arrive_s = 0, .slot_s = 900 });
	run(&q, &s, 60);
	ck_assert_int_eq(q.p[0].start_s, 900);
	qsim_done(&q);
}
END_TEST

/* Counters follow the schedule; a closing counter finishes its ticket; no counter serves two at once. */
START_TEST(schedule_and_closing)
{
	struct qsim q;
	struct seen s = { 0 };

	qsim_init(&q);
	ck_assert(qsim_set_counters(&q, 0, 2));
	ck_assert(qsim_set_counters(&q, 100, 1));
	ck_assert(qsim_set_counters(&q, 2000, 3));
	for (int i = 0; i < 6; i++)
		walk_in(&q, 0);
	run(&q, &s, 500);
	/* 0 and 1 start at once; counter 1 closes at 100 but finishes at 500. */
	ck_assert_int_eq(q.p[0].start_s, 0);
	ck_assert_int_eq(q.p[1].start_s, 0);
	ck_assert_int_eq(q.p[1].end_s, 500);
	ck_assert_int_eq(q.p[2].start_s, 500);	/* counter 0 only */
	ck_assert_int_eq(q.p[3].start_s, 1000);
	ck_assert_int_eq(q.p[4].start_s, 1500);
	ck_assert_int_eq(q.p[5].start_s, 2000);	/* the third counter opens */
	for (int i = 0; i < 6; i++)
		for (int j = 0; j < 6; j++)
			if (i != j && s.counter_of[i] == s.counter_of[j])
				ck_assert(q.p[i].end_s <= q.p[j].start_s ||
				    q.p[j].end_s <= q.p[i].start_s);
	qsim_done(&q);
}
END_TEST

/* With no counter ever open the run says so instead of looping. */
START_TEST(never_served)
{
	struct qsim q;
	struct qsim_hooks h = { .service_s = fixed_service, .ctx = &(struct seen){ .fixed_s = 1 } };

	qsim_init(&q);
	ck_assert(qsim_set_counters(&q, 0, 1));
	ck_assert(qsim_set_counters(&q, 100, 0));
	walk_in(&q, 200);
	ck_assert(!qsim_run(&q, &h));
	qsim_done(&q);
}
END_TEST

/* Schedule steps out of order or out of range are refused; an equal time replaces. */
START_TEST(schedule_checks)
{
	struct qsim q;

	qsim_init(&q);
	ck_assert(!qsim_set_counters(&q, 0, -1));
	ck_assert(!qsim_set_counters(&q, 0, QSIM_MAX_COUNTERS + 1));
	ck_assert(qsim_set_counters(&q, 100, 2));
	ck_assert(!qsim_set_counters(&q, 50, 2));
	ck_assert(qsim_set_counters(&q, 100, 3));
	ck_assert_int_eq(qsim_counters_at(&q, 99), 0);
	ck_assert_int_eq(qsim_counters_at(&q, 100), 3);
	qsim_reset(&q);
	ck_assert_int_eq(q.n_steps, 0);
	qsim_done(&q);
}
END_TEST

/* A busy random day: everyone coming is served once, waits are never negative, and a reset day runs again the same. */
START_TEST(random_day_consistent)
{
	struct qsim q;
	struct seen s = { 0 };
	struct qsim_rng rng = { 42 };
	int64_t first[64];

	qsim_init(&q);
	ck_assert(qsim_set_counters(&q, 0, 3));
	for (int i = 0; i < 60; i++)
		walk_in(&q, (int64_t)(qsim_unif(&rng) * 3600));
	run(&q, &s, 170);
	for (int i = 0; i < q.n; i++) {
		ck_assert(q.p[i].start_s >= q.p[i].arrive_s);
		ck_assert_int_eq(q.p[i].end_s, q.p[i].start_s + 170);
		first[i] = q.p[i].start_s;
	}
	ck_assert_int_eq(s.completed, 60);
	run(&q, &s, 170);
	for (int i = 0; i < q.n; i++)
		ck_assert_int_eq(q.p[i].start_s, first[i]);
	qsim_done(&q);
}
END_TEST

/* The generator is xorshift64*: reproducible, uniforms in (0, 1), lognormal means right. */
START_TEST(random_numbers)
{
	struct qsim_rng a = { 7 }, b = { 7 };
	double sum = 0;

	for (int i = 0; i < 1000; i++)
		ck_assert(qsim_rnd(&a) == qsim_rnd(&b));
	for (int i = 0; i < 100000; i++) {
		double u = qsim_unif(&a);

		ck_assert(u > 0 && u < 1);
		sum += qsim_lognormal(&b, 12, 0.4);
	}
	ck_assert_double_eq_tol(sum / 100000, 12, 0.1);
}
END_TEST

/* Mean and variance of n draws of draw(rng, param). */
static void
moments(double (*draw)(struct qsim_rng *, double), double param, int n, double *mean,
    double *var)
{
	struct qsim_rng rng = { 20261126 };
	double sum = 0, sum2 = 0;

	for (int i = 0; i < n; i++) {
		double x = draw(&rng, param);

		ck_assert(x >= 0);
		sum += x;
		sum2 += x * x;
	}
	*mean = sum / n;
	*var = (sum2 - sum * sum / n) / (n - 1);
}

static double
draw_poisson(struct qsim_rng *rng, double mu)
{
	long k = qsim_poisson(rng, mu);

	ck_assert_int_ge(k, 0);
	return (double)k;
}

/*
 * Poisson draws have mean and variance mu, inside five standard errors
 * (Var of the sample variance about (mu + 2 mu^2) / n), from tiny means to
 * one past QSIM_POISSON_SPLIT; nonsense means give 0.
 */
START_TEST(poisson_moments)
{
	static const double mus[] = { 0.3, 4, 31.5, 250, 1400 };

	for (size_t i = 0; i < sizeof mus / sizeof mus[0]; i++) {
		double mu = mus[i], mean, var;
		int n = mu > 100 ? 40000 : 200000;

		moments(draw_poisson, mu, n, &mean, &var);
		ck_assert_msg(fabs(mean - mu) < 5 * sqrt(mu / n), "mu %g: mean %g", mu, mean);
		ck_assert_msg(fabs(var - mu) < 5 * sqrt((mu + 2 * mu * mu) / n), "mu %g: variance %g",
		    mu, var);
	}
	{
		struct qsim_rng rng = { 3 };

		ck_assert_int_eq(qsim_poisson(&rng, 0), 0);
		ck_assert_int_eq(qsim_poisson(&rng, -2), 0);
		ck_assert_int_eq(qsim_poisson(&rng, NAN), 0);
		ck_assert_int_eq(qsim_poisson(&rng, INFINITY), 0);
	}
}
END_TEST

/*
 * Gamma draws of shape k (scale 1) have mean and variance k, inside five
 * standard errors (Var of the sample variance about (2 k^2 + 6 k) / n), below
 * shape 1 (the boosted path) as above it.
 */
START_TEST(gamma_moments)
{
	static const double shapes[] = { 0.4, 1, 2.5, 1 / 0.015 };

	for (size_t i = 0; i < sizeof shapes / sizeof shapes[0]; i++) {
		double k = shapes[i], mean, var;
		int n = 200000;

		moments(qsim_gamma, k, n, &mean, &var);
		ck_assert_msg(fabs(mean - k) < 5 * sqrt(k / n), "shape %g: mean %g", k, mean);
		ck_assert_msg(fabs(var - k) < 5 * sqrt((2 * k * k + 6 * k) / n), "shape %g: variance %g",
		    k, var);
	}
	{
		struct qsim_rng rng = { 3 };

		ck_assert(qsim_gamma(&rng, 0) == 0);
		ck_assert(qsim_gamma(&rng, -1) == 0);
		ck_assert(qsim_gamma(&rng, NAN) == 0);
		ck_assert(qsim_gamma(&rng, INFINITY) == 0);
	}
}
END_TEST

/* Quantiles interpolate between sorted values. */
START_TEST(quantiles)
{
	double v[] = { 5, 1, 4, 2, 3 };

	ck_assert_double_eq(qsim_quantile(v, 5, 0.5), 3);
	ck_assert_double_eq(qsim_quantile(v, 5, 0.9), 4.6);
	ck_assert_double_eq(qsim_quantile(v, 5, 0), 1);
	ck_assert_double_eq(qsim_quantile(v, 5, 1), 5);
	ck_assert_double_eq(qsim_quantile(v, 0, 0.5), 0);
}
END_TEST

/* The qsim suite. */
static Suite *
qsim_suite(void)
{
	Suite *s = suite_create("qsim");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, fifo_one_counter);
	tcase_add_test(tc, reservations_first_at_their_slot);
	tcase_add_test(tc, reservation_waits_for_slot);
	tcase_add_test(tc, schedule_and_closing);
	tcase_add_test(tc, never_served);
	tcase_add_test(tc, schedule_checks);
	tcase_add_test(tc, random_day_consistent);
	tcase_add_test(tc, random_numbers);
	tcase_add_test(tc, poisson_moments);
	tcase_add_test(tc, gamma_moments);
	tcase_add_test(tc, quantiles);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	SRunner *sr = srunner_create(qsim_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
