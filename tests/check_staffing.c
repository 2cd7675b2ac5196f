/* Unit tests for Erlang C staffing (links core/staffing only). */
#include <check.h>
#include <math.h>
#include <stdlib.h>

#include "core/staffing.h"

/*
 * Erlang C computed independently, from the textbook sum
 * C = (a^c / c!) (c / (c - a)) / (sum_{k<c} a^k / k! + (a^c / c!) (c / (c - a))),
 * in long double with the terms built up one by one.
 */
static long double
erlang_c_ref(int c, long double a)
{
	long double term = 1, sum = 0, top;

	for (int k = 0; k < c; k++) {
		sum += term;
		term *= a / (k + 1);
	}
	top = term * c / (c - a);
	return top / (sum + top);
}

/* The fewest counters reaching share within wait_min, by the reference formula. */
static int
needed_ref(double per_hour, double service_min, double wait_min, double share)
{
	long double a = per_hour * service_min / 60;

	for (int c = 1; c <= 200; c++) {
		long double ok;

		if (c <= a)
			continue;
		ok = 1 - erlang_c_ref(c, a) * expl(-(c - a) * wait_min / service_min);
		if (ok >= share)
			return c;
	}
	return -1;
}

/* Known values: C(3, 2) = 4/9, C(1, 0.5) = 0.5. */
START_TEST(known_values)
{
	ck_assert_double_eq_tol(staffing_erlang_c(3, 2), 4.0 / 9, 1e-12);
	ck_assert_double_eq_tol(staffing_erlang_c(1, 0.5), 0.5, 1e-12);
	ck_assert_double_eq(staffing_erlang_c(2, 2), 1);
	ck_assert_double_eq(staffing_erlang_c(4, 0), 0);
}
END_TEST

/* The counters needed agree with the reference over a grid of loads and targets (within one counter; in fact equal). */
START_TEST(agrees_with_reference)
{
	const double rates[] = { 0.5, 3, 8, 15, 24, 40, 60, 90 };
	const double services[] = { 5, 12, 15, 25 };
	const double waits[] = { 0, 5, 20, 30 };
	const double shares[] = { 0.5, 0.8, 0.95 };

	for (size_t i = 0; i < sizeof rates / sizeof *rates; i++)
		for (size_t j = 0; j < sizeof services / sizeof *services; j++)
			for (size_t k = 0; k < sizeof waits / sizeof *waits; k++)
				for (size_t l = 0; l < sizeof shares / sizeof *shares; l++) {
					int got = staffing_counters_needed(rates[i], services[j], waits[k], shares[l]);
					int want = needed_ref(rates[i], services[j], waits[k], shares[l]);

					if (want > STAFFING_MAX_COUNTERS)
						want = -1;
					ck_assert_msg(abs(got - want) <= 1 && (got < 0) == (want < 0),
					    "%.1f/h %.0f min: %d vs %d", rates[i], services[j], got, want);
				}
}
END_TEST

/* More counters never predict a longer wait nor a smaller share served in time. */
START_TEST(monotonic)
{
	for (double rate = 1; rate <= 120; rate *= 1.37)
		for (double s = 3; s <= 40; s *= 1.6) {
			double last_share = -1, last_p90 = INFINITY;

			for (int c = 1; c <= STAFFING_MAX_COUNTERS; c++) {
				double share = staffing_share_within(rate, s, c, 20);
				double p90 = staffing_wait_quantile(rate, s, c, 0.9);

				ck_assert(share >= last_share - 1e-12);
				ck_assert(p90 <= last_p90 + 1e-9 || isinf(last_p90));
				ck_assert(share >= 0 && share <= 1);
				last_share = share;
				last_p90 = p90;
			}
		}
}
END_TEST

/* The counters needed meet the target and one fewer does not. */
START_TEST(needed_is_fewest)
{
	for (double rate = 2; rate <= 80; rate += 7.5) {
		int c = staffing_counters_needed(rate, 15, 20, 0.8);

		ck_assert_int_gt(c, 0);
		ck_assert(staffing_share_within(rate, 15, c, 20) >= 0.8);
		ck_assert(staffing_share_within(rate, 15, c - 1, 20) < 0.8);
		ck_assert((double)c > rate * 15 / 60);
	}
}
END_TEST

/* The p90 wait matches its definition: 90 % within it. */
START_TEST(quantile_consistent)
{
	double w = staffing_wait_quantile(30, 15, 9, 0.9);

	ck_assert(w > 0 && isfinite(w));
	ck_assert_double_eq_tol(staffing_share_within(30, 15, 9, w), 0.9, 1e-9);
	ck_assert(isinf(staffing_wait_quantile(30, 15, 7, 0.9)));
	ck_assert_double_eq(staffing_wait_quantile(1, 5, 4, 0.9), 0);
}
END_TEST

/* No arrivals need no counters; bad arguments are refused. */
START_TEST(edges)
{
	ck_assert_int_eq(staffing_counters_needed(0, 15, 20, 0.8), 0);
	ck_assert_int_eq(staffing_counters_needed(-1, 15, 20, 0.8), -1);
	ck_assert_int_eq(staffing_counters_needed(NAN, 15, 20, 0.8), -1);
	ck_assert_int_eq(staffing_counters_needed(10, 0, 20, 0.8), -1);
	ck_assert_int_eq(staffing_counters_needed(10, 15, -1, 0.8), -1);
	ck_assert_int_eq(staffing_counters_needed(10, 15, 20, 1), -1);
	ck_assert_int_eq(staffing_counters_needed(10, 15, 20, 0), -1);
	ck_assert_int_eq(staffing_counters_needed(1000, 60, 1, 0.99), -1);
}
END_TEST

/* The staffing suite. */
static Suite *
staffing_suite(void)
{
	Suite *s = suite_create("staffing");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, known_values);
	tcase_add_test(tc, agrees_with_reference);
	tcase_add_test(tc, monotonic);
	tcase_add_test(tc, needed_is_fewest);
	tcase_add_test(tc, quantile_consistent);
	tcase_add_test(tc, edges);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	SRunner *sr = srunner_create(staffing_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
