/* Unit tests for the wait estimator (links server/waitest.c only). */
#include <check.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>

#include "core/waitest.h"

/* An instant well away from 0, in seconds. */
#define T0	((int64_t)1796167800)
/* Slack in comparisons of minutes. */
#define EPS	1e-9

/* An estimator with the given seeds, failing the test when it is refused. */
static struct waitest *
office(const double *seeds, size_t n)
{
	struct waitest *est = waitest_new(seeds, n);

	ck_assert_ptr_nonnull(est);
	return est;
}

/* An estimator with one service seeded at seed_min. */
static struct waitest *
office1(double seed_min)
{
	return office(&seed_min, 1);
}

/* Records a sample, failing the test when it is refused. */
static void
observe(struct waitest *est, size_t service, double duration_s, int64_t now_s)
{
	ck_assert_msg(waitest_observe(est, service, duration_s, now_s),
	    "%.1f s should be learned", duration_s);
}

/* The wait for service 0 with waiting walk-ins ahead, counters open and nobody in service. */
static double
wait_simple(const struct waitest *est, size_t waiting, double counters)
{
	struct waitest_queue q = { .waiting = waiting, .counters = counters };

	return waitest_estimate(est, 0, &q, T0);
}

/* Bad seeds, no services and too many services are refused. */
START_TEST(new_rejects_bad_args)
{
	double ok[WAITEST_MAX_SERVICES + 1];
	double bad[] = { 0, -1, 1.0 / 60, NAN, INFINITY, WAITEST_MAX_SEED_MIN + 1 };

	for (size_t i = 0; i <= WAITEST_MAX_SERVICES; i++)
		ok[i] = 10;
	ck_assert_ptr_null(waitest_new(NULL, 1));
	ck_assert_ptr_null(waitest_new(ok, 0));
	ck_assert_ptr_null(waitest_new(ok, WAITEST_MAX_SERVICES + 1));
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		double two[2] = { 10, bad[i] };

		ck_assert_ptr_null(waitest_new(two, 2));
	}
	waitest_free(office(ok, WAITEST_MAX_SERVICES));
	waitest_free(NULL);
}
END_TEST

/* Before any sample the configured handling time is the mean and drives the wait. */
START_TEST(seed_used_before_data)
{
	double seeds[] = { 10, 25 };
	struct waitest *est = office(seeds, 2);

	ck_assert_double_eq_tol(waitest_service_minutes(est, 0, T0), 10, EPS);
	ck_assert_double_eq_tol(waitest_service_minutes(est, 1, T0), 25, EPS);
	ck_assert_double_eq_tol(wait_simple(est, 3, 1), 30, EPS);
	/* Two free counters: the third person ahead starts at the first counter's second turn. */
	ck_assert_double_eq_tol(wait_simple(est, 3, 2), 10, EPS);
	waitest_free(est);
}
END_TEST

/* Steady samples pull the mean to their average; the seed fades as they come. */
START_TEST(learning_converges)
{
	struct waitest *est = office1(10);
	double after1, after8;

	observe(est, 0, 14 * 60, T0);
	after1 = waitest_service_minutes(est, 0, T0);
	ck_assert_double_gt(after1, 10);
	ck_assert_double_lt(after1, 12);	/* one sample does not decide it */
	for (int i = 1; i < 8; i++)
		observe(est, 0, (i % 2 ? 12 : 16) * 60, T0 + i);
	after8 = waitest_service_minutes(est, 0, T0 + 8);
	ck_assert_double_gt(after8, after1);
	for (int i = 8; i < 100; i++)
		observe(est, 0, (i % 2 ? 12 : 16) * 60, T0 + i);
	ck_assert_double_eq_tol(waitest_service_minutes(est, 0, T0 + 100), 14, 0.25);
	waitest_free(est);
}
END_TEST

/* When the pace changes, the mean follows it within a window. */
START_TEST(learning_follows_drift)
{
	struct waitest *est = office1(10);

	for (int i = 0; i < 40; i++)
		observe(est, 0, 10 * 60, T0 + i);
	for (int i = 40; i < 40 + WAITEST_WINDOW; i++)
		observe(est, 0, 20 * 60, T0 + i);
	ck_assert_double_gt(waitest_service_minutes(est, 0, T0 + 100), 19.5);
	waitest_free(est);
}
END_TEST

/* Absurd durations are refused; a long but possible one is clamped. */
START_TEST(outliers_ignored)
{
	struct waitest *est = office1(10);
	double bad[] = { 0, 5, 9.9, -60, NAN, INFINITY, 4 * 3600 + 1, 24 * 3600 };
	double before;

	for (int i = 0; i < 20; i++)
		observe(est, 0, 14 * 60, T0 + i);
	before = waitest_service_minutes(est, 0, T0 + 20);
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
		ck_assert(!waitest_observe(est, 0, bad[i], T0 + 20));
	ck_assert_double_eq_tol(waitest_service_minutes(est, 0, T0 + 20), before, EPS);
	/* 3.5 hours is accepted but counts as 3 x the median, not as 210 minutes. */
	observe(est, 0, 3.5 * 3600, T0 + 21);
	ck_assert_double_lt(waitest_service_minutes(est, 0, T0 + 21), before + 3);
	/* The bounds themselves are learned. */
	observe(est, 0, WAITEST_MIN_SAMPLE_S, T0 + 22);
	observe(est, 0, WAITEST_MAX_SAMPLE_S, T0 + 23);
	waitest_free(est);
}
END_TEST

/* Out-of-range services are refused or give 0. */
START_TEST(bad_service_index)
{
	struct waitest *est = office1(10);
	struct waitest_queue q = { .waiting = 5, .counters = 1 };

	ck_assert(!waitest_observe(est, 1, 600, T0));
	ck_assert(!waitest_observe(est, SIZE_MAX, 600, T0));
	ck_assert_double_eq(waitest_service_minutes(est, 1, T0), 0);
	ck_assert_double_eq(waitest_estimate(est, 1, &q, T0), 0);
	ck_assert_double_eq(waitest_estimate(est, 0, NULL, T0), 0);
	waitest_free(est);
}
END_TEST

/* Yesterday's samples are forgotten; a clock that went back keeps them. */
START_TEST(old_samples_forgotten)
{
	struct waitest *est = office1(10);

	for (int i = 0; i < 20; i++)
		observe(est, 0, 20 * 60, T0 + i);
	ck_assert_double_gt(waitest_service_minutes(est, 0, T0 + 3600), 18);
	ck_assert_double_gt(waitest_service_minutes(est, 0, T0 - 60), 18);
	ck_assert_double_eq_tol(waitest_service_minutes(est, 0,
	    T0 + 20 + WAITEST_MAX_AGE_S), 10, EPS);
	waitest_free(est);
}
END_TEST

/* The wait never falls as the queue grows, whatever is in service. */
START_TEST(monotonic_in_queue)
{
	struct waitest *est = office1(12);
	struct waitest_serving serving[] = {
		{ 0, 30 }, { 0, 400 }, { 0, 700 }, { 0, 5000 },
	};
	double counters[] = { 0, 1, 1.5, 2, 3.25, 4, 7 };
	double upcoming[] = { 120, 900, 1800, 4000 };

	observe(est, 0, 900, T0);
	for (size_t c = 0; c < sizeof counters / sizeof counters[0]; c++)
		for (size_t ns = 0; ns <= 4; ns++) {
			struct waitest_queue q = { .serving = serving, .n_serving = ns,
			    .upcoming_s = upcoming, .n_upcoming = ns,
			    .counters = counters[c] };
			double prev = -1, prev_due = -1;

			for (size_t n = 0; n <= 300; n++) {
				double w, wd;

				q.waiting = n, q.due = 0;
				w = waitest_estimate(est, 0, &q, T0);
				q.waiting = 0, q.due = n;
				wd = waitest_estimate(est, 0, &q, T0);
				ck_assert_double_ge(w, prev);
				ck_assert_double_ge(wd, prev_due);
				prev = w, prev_due = wd;
			}
			ck_assert_double_gt(prev, 0);
		}
	waitest_free(est);
}
END_TEST

/* Each round of people ahead (one per counter) adds one mean service time. */
START_TEST(grows_with_queue)
{
	struct waitest *est = office1(10);
	struct waitest_serving s[] = { { 0, 120 }, { 0, 480 } };
	struct waitest_queue q = { .serving = s, .n_serving = 2 };

	for (size_t c = 1; c <= 5; c++)
		for (size_t n = 0; n <= 100; n++) {
			double w;

			q.counters = (double)c;
			q.waiting = n;
			w = waitest_estimate(est, 0, &q, T0);
			q.waiting = n + c;
			ck_assert_double_eq_tol(waitest_estimate(est, 0, &q, T0),
			    w + 10, 1e-6);
		}
	waitest_free(est);
}
END_TEST

/* Nobody ahead and a counter free: no wait; every counter busy: some wait. */
START_TEST(zero_when_free)
{
	struct waitest *est = office1(10);
	struct waitest_serving one = { 0, 60 };
	struct waitest_queue q = { .serving = &one, .n_serving = 1, .counters = 2 };

	ck_assert_double_eq(wait_simple(est, 0, 1), 0);
	ck_assert_double_eq(waitest_estimate(est, 0, &q, T0), 0);
	q.counters = 1;
	ck_assert_double_eq_tol(waitest_estimate(est, 0, &q, T0), 9, EPS);
	waitest_free(est);
}
END_TEST

/* More counters never lengthen the wait, and a whole extra counter shortens a real queue. */
START_TEST(more_counters_shorter)
{
	struct waitest *est = office1(10);
	struct waitest_serving serving[] = { { 0, 100 }, { 0, 200 }, { 0, 550 } };
	struct waitest_queue q = { .waiting = 10, .serving = serving, .n_serving = 3 };
	double prev = INFINITY;

	for (double c = 1; c <= 20; c += 0.25) {
		double w;

		q.counters = c;
		w = waitest_estimate(est, 0, &q, T0);
		ck_assert_double_le(w, prev);
		prev = w;
	}
	ck_assert_double_lt(wait_simple(est, 10, 2), wait_simple(est, 10, 1));
	ck_assert_double_lt(wait_simple(est, 10, 3), wait_simple(est, 10, 2));
	waitest_free(est);
}
END_TEST

/* A ticket further into its service frees its counter sooner, down to a floor. */
START_TEST(in_progress_shortens)
{
	struct waitest *est = office1(10);
	struct waitest_serving s = { 0, 0 };
	struct waitest_queue q = { .waiting = 2, .serving = &s, .n_serving = 1,
	    .counters = 1 };
	double fresh, half, overrun;

	fresh = waitest_estimate(est, 0, &q, T0);
	s.elapsed_s = 300;
	half = waitest_estimate(est, 0, &q, T0);
	s.elapsed_s = 3600;
	overrun = waitest_estimate(est, 0, &q, T0);
	ck_assert_double_eq_tol(fresh, 30, EPS);
	ck_assert_double_eq_tol(half, 25, EPS);
	ck_assert_double_eq_tol(overrun, 22.5, EPS);	/* a quarter of the mean left */
	s.elapsed_s = -50;	/* a clock skew counts as just called */
	ck_assert_double_eq_tol(waitest_estimate(est, 0, &q, T0), fresh, EPS);
	waitest_free(est);
}
END_TEST

/* Tickets at counters that are closing: the soonest-ending ones hold the open counters. */
START_TEST(more_serving_than_counters)
{
	struct waitest *est = office1(10);
	struct waitest_serving s[] = { { 0, 60 }, { 0, 420 }, { 0, 0 } };
	struct waitest_queue q = { .serving = s, .n_serving = 3, .counters = 1 };

	ck_assert_double_eq_tol(waitest_estimate(est, 0, &q, T0), 3, EPS);
	q.counters = 2;
	ck_assert_double_eq_tol(waitest_estimate(est, 0, &q, T0), 3, EPS);
	q.waiting = 1;
	ck_assert_double_eq_tol(waitest_estimate(est, 0, &q, T0), 9, EPS);
	waitest_free(est);
}
END_TEST

/* A ticket of another service in service counts with that service's mean. */
START_TEST(serving_other_service)
{
	double seeds[] = { 10, 40 };
	struct waitest *est = office(seeds, 2);
	struct waitest_serving s = { 1, 600 };
	struct waitest_queue q = { .serving = &s, .n_serving = 1, .counters = 1 };

	ck_assert_double_eq_tol(waitest_estimate(est, 0, &q, T0), 30, EPS);
	s.service = 7;	/* unknown: ignored, the counter counts as free */
	ck_assert_double_eq(waitest_estimate(est, 0, &q, T0), 0);
	waitest_free(est);
}
END_TEST

/* Reservations falling due before the arrival's turn go ahead of it; later ones do not. */
START_TEST(upcoming_reservations)
{
	struct waitest *est = office1(10);
	double soon[] = { 300, 900 }, later[] = { 3600 };
	struct waitest_queue q = { .waiting = 2, .counters = 1 };
	double base = waitest_estimate(est, 0, &q, T0);

	ck_assert_double_eq_tol(base, 20, EPS);
	q.upcoming_s = later, q.n_upcoming = 1;
	ck_assert_double_eq_tol(waitest_estimate(est, 0, &q, T0), 20, EPS);
	/* 300 s and 900 s both come before 20 min; then the wait is 40 min. */
	q.upcoming_s = soon, q.n_upcoming = 2;
	ck_assert_double_eq_tol(waitest_estimate(est, 0, &q, T0), 40, EPS);
	/* Due reservations count like anyone ahead. */
	q.upcoming_s = NULL, q.n_upcoming = 0, q.due = 2;
	ck_assert_double_eq_tol(waitest_estimate(est, 0, &q, T0), 40, EPS);
	/* Nobody ahead and a free counter: a reservation at this very moment is not ahead. */
	q.waiting = 0, q.due = 0;
	soon[0] = 0;
	q.upcoming_s = soon, q.n_upcoming = 1;
	ck_assert_double_eq(waitest_estimate(est, 0, &q, T0), 0);
	waitest_free(est);
}
END_TEST

/* No counter open (or nonsense) is estimated as one counter. */
START_TEST(zero_counters_as_one)
{
	struct waitest *est = office1(10);
	double one = wait_simple(est, 4, 1);

	ck_assert_double_eq_tol(one, 40, EPS);
	ck_assert_double_eq(wait_simple(est, 4, 0), one);
	ck_assert_double_eq(wait_simple(est, 4, 0.5), one);
	ck_assert_double_eq(wait_simple(est, 4, -3), one);
	ck_assert_double_eq(wait_simple(est, 4, NAN), one);
	/* Absurdly many counters count as WAITEST_MAX_COUNTERS. */
	ck_assert_double_eq(wait_simple(est, 1000, 1e9),
	    wait_simple(est, 1000, WAITEST_MAX_COUNTERS));
	ck_assert_double_eq(wait_simple(est, 1000, INFINITY),
	    wait_simple(est, 1000, WAITEST_MAX_COUNTERS));
	waitest_free(est);
}
END_TEST

/* Huge queues give a finite wait at the cap, never a wrapped or infinite one. */
START_TEST(huge_queue_no_overflow)
{
	struct waitest *est = office1(WAITEST_MAX_SEED_MIN);
	struct waitest_queue q = { .waiting = SIZE_MAX, .due = SIZE_MAX, .counters = 1 };
	double up[] = { 1, 2, 3 };
	double w = waitest_estimate(est, 0, &q, T0);

	ck_assert(isfinite(w));
	ck_assert_double_eq(w, WAITEST_MAX_MIN);
	q.upcoming_s = up, q.n_upcoming = 3;
	ck_assert_double_eq(waitest_estimate(est, 0, &q, T0), WAITEST_MAX_MIN);
	q.waiting = SIZE_MAX / 2, q.due = 0, q.upcoming_s = NULL, q.n_upcoming = 0;
	q.counters = 3.5;
	ck_assert_double_eq(waitest_estimate(est, 0, &q, T0), WAITEST_MAX_MIN);
	ck_assert_double_eq(wait_simple(est, 10000, 1), WAITEST_MAX_MIN);
	ck_assert_double_lt(wait_simple(est, 10, 1), WAITEST_MAX_MIN);
	waitest_free(est);
}
END_TEST

/* Flags switch exactly at the thresholds, which are settings. */
START_TEST(flags_at_thresholds)
{
	ck_assert_int_eq(waitest_flag(0, 30, 60), WAITEST_NORMAL);
	ck_assert_int_eq(waitest_flag(29.99, 30, 60), WAITEST_NORMAL);
	ck_assert_int_eq(waitest_flag(30, 30, 60), WAITEST_BUSY);
	ck_assert_int_eq(waitest_flag(59.99, 30, 60), WAITEST_BUSY);
	ck_assert_int_eq(waitest_flag(60, 30, 60), WAITEST_VERY_BUSY);
	ck_assert_int_eq(waitest_flag(WAITEST_MAX_MIN, WAITEST_BUSY_MIN,
	    WAITEST_VERY_BUSY_MIN), WAITEST_VERY_BUSY);
	ck_assert_int_eq(waitest_flag(NAN, 30, 60), WAITEST_NORMAL);
	ck_assert_int_eq(waitest_flag(20, 15, 45), WAITEST_BUSY);
	ck_assert_int_eq(waitest_flag(45, 15, 45), WAITEST_VERY_BUSY);
	ck_assert_int_eq(waitest_flag(50, 60, 40), WAITEST_VERY_BUSY);
	ck_assert_str_eq(waitest_flag_name(WAITEST_NORMAL), "normal");
	ck_assert_str_eq(waitest_flag_name(WAITEST_BUSY), "busy");
	ck_assert_str_eq(waitest_flag_name(WAITEST_VERY_BUSY), "very_busy");
}
END_TEST

/* A reload changes the seed and keeps samples; a reset forgets them. */
START_TEST(set_seed_and_reset)
{
	struct waitest *est = office1(10);

	ck_assert(waitest_set_seed(est, 0, 20));
	ck_assert_double_eq_tol(waitest_service_minutes(est, 0, T0), 20, EPS);
	ck_assert(!waitest_set_seed(est, 0, 0));
	ck_assert(!waitest_set_seed(est, 0, NAN));
	ck_assert(!waitest_set_seed(est, 1, 10));
	ck_assert_double_eq_tol(waitest_service_minutes(est, 0, T0), 20, EPS);
	for (int i = 0; i < 40; i++)
		observe(est, 0, 5 * 60, T0 + i);
	ck_assert(waitest_set_seed(est, 0, 30));
	ck_assert_double_lt(waitest_service_minutes(est, 0, T0 + 40), 6);
	waitest_reset(est);
	ck_assert_double_eq_tol(waitest_service_minutes(est, 0, T0 + 40), 30, EPS);
	waitest_free(est);
}
END_TEST

/* Services learn separately. */
START_TEST(services_independent)
{
	double seeds[] = { 10, 10 };
	struct waitest *est = office(seeds, 2);

	for (int i = 0; i < 40; i++)
		observe(est, 1, 30 * 60, T0 + i);
	ck_assert_double_eq_tol(waitest_service_minutes(est, 0, T0 + 40), 10, EPS);
	ck_assert_double_gt(waitest_service_minutes(est, 1, T0 + 40), 29);
	waitest_free(est);
}
END_TEST

/* All wait estimator tests in one suite. */
static Suite *
waitest_suite(void)
{
	Suite *s = suite_create("waitest");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, new_rejects_bad_args);
	tcase_add_test(tc, seed_used_before_data);
	tcase_add_test(tc, learning_converges);
	tcase_add_test(tc, learning_follows_drift);
	tcase_add_test(tc, outliers_ignored);
	tcase_add_test(tc, bad_service_index);
	tcase_add_test(tc, old_samples_forgotten);
	tcase_add_test(tc, monotonic_in_queue);
	tcase_add_test(tc, grows_with_queue);
	tcase_add_test(tc, zero_when_free);
	tcase_add_test(tc, more_counters_shorter);
	tcase_add_test(tc, in_progress_shortens);
	tcase_add_test(tc, more_serving_than_counters);
	tcase_add_test(tc, serving_other_service);
	tcase_add_test(tc, upcoming_reservations);
	tcase_add_test(tc, zero_counters_as_one);
	tcase_add_test(tc, huge_queue_no_overflow);
	tcase_add_test(tc, flags_at_thresholds);
	tcase_add_test(tc, set_seed_and_reset);
	tcase_add_test(tc, services_independent);
	suite_add_tcase(s, tc);
	return s;
}

/* Runs the suite; the exit status is 0 when every test passed. */
int
main(void)
{
	SRunner *sr = srunner_create(waitest_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
