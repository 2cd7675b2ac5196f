/*
 * Unit tests for the demand forecast (links core/forecast, cdate, xmalloc).
 * A synthetic office with known effects: the fit must find them again.
 */
#include <check.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/cdate.h"
#include "core/forecast.h"

/* Days simulated: two years. */
#define DAYS		730
/* Days beyond the history with expiries known. */
#define AHEAD		(FC_MAX_LAG + 40)
/* Known effects of the synthetic office. */
#define MONDAY		1.5
#define AFTER		1.4
#define BASE		120.0
#define LAG_PEAK	60
#define RESPONSE	0.3	/* residents per expiry, over all lags */
#define PHI		0.01

/* A xorshift64* generator for the synthetic data. */
static uint64_t rng_state;

/* A uniform number in (0, 1). */
static double
unif(void)
{
	rng_state ^= rng_state >> 12;
	rng_state ^= rng_state << 25;
	rng_state ^= rng_state >> 27;
	return ((double)((rng_state * UINT64_C(2685821657736338717)) >> 11) + 0.5) /
	    9007199254740992.0;
}

/* A standard normal number. */
static double
gauss(void)
{
	return sqrt(-2 * log(unif())) * cos(6.283185307179586 * unif());
}

/* A gamma number with shape k and mean 1 (Marsaglia-Tsang; k >= 1). */
static double
gamma_mean1(double k)
{
	double d = k - 1.0 / 3, c = 1 / sqrt(9 * d);

	for (;;) {
		double x = gauss(), v = pow(1 + c * x, 3);

		if (v > 0 && log(unif()) < x * x / 2 + d - d * v + d * log(v))
			return d * v / k;
	}
}

/* A Poisson number with mean mu (inversion; mu below about 500). */
static double
poisson(double mu)
{
	double u = unif(), p = exp(-mu), cdf = p;
	int k = 0;

	while (u > cdf && k < 10000) {
		p *= mu / ++k;
		cdf += p;
	}
	return k;
}

/* The true lag weights: a triangle peaking at LAG_PEAK, 40 days wide on each side, summing to RESPONSE. */
static double
true_lag(int l)
{
	double w = fmax(0, 1 - fabs((double)(l - LAG_PEAK)) / 20);

	return RESPONSE * w / 20;
}

/* The synthetic calendar, with history DAYS and AHEAD more days of expiries. */
static struct fc_day days_buf[DAYS + AHEAD];
static struct fc_days cal = { .day = days_buf, .n = DAYS + AHEAD };

/* The true expected tickets on day i. */
static double
true_mean(size_t i, bool after)
{
	cdate d = cal.first + (cdate)i;
	double inner = BASE, season;

	for (int l = 0; l <= FC_MAX_LAG; l++)
		if (i + (size_t)l < cal.n)
			inner += true_lag(l) * days_buf[i + (size_t)l].expiries;
	season = exp(0.15 * sin(6.283185307179586 * (double)d / 365.2425));
	return inner * season * (cdate_weekday(d) == 1 ? MONDAY : 1) * (after ? AFTER : 1);
}

/* Builds the synthetic office: Monday to Friday 9-17, a holiday every 37 days, expiries in 10-day blocks. */
static void
make_office(uint64_t seed)
{
	double block = 0;
	bool closed_before = false;

	rng_state = seed;
	cal.first = cdate_make(2024, 1, 1);
	memset(days_buf, 0, sizeof days_buf);
	for (size_t i = 0; i < cal.n; i++) {
		int wd = cdate_weekday(cal.first + (cdate)i);

		if (i % 10 == 0)
			block = 200 + 400 * unif();
		days_buf[i].expiries = block;
		days_buf[i].weekly_closed = wd == 0 || wd == 6;
		if (!days_buf[i].weekly_closed && i % 37 != 5)
			days_buf[i].open_hours = 0xff << 9;	/* 09:00-17:00 */
	}
	for (size_t i = 0; i < DAYS; i++) {
		double mu, g;

		if (days_buf[i].open_hours == 0) {
			closed_before = closed_before || !days_buf[i].weekly_closed;
			continue;
		}
		mu = true_mean(i, closed_before);
		g = gamma_mean1(1 / PHI);
		for (int h = 9; h < 17; h++)
			days_buf[i].arrivals[h] = poisson(mu * g * (h == 9 ? 0.2 : 0.8 / 7));
		closed_before = false;
	}
}

/* The first day after the history that falls on weekday wd (0 = Sunday). */
static size_t
future(int wd)
{
	size_t i = DAYS;

	while (cdate_weekday(cal.first + (cdate)i) != wd)
		i++;
	return i;
}

/* Fits the synthetic office, failing the test when the fit is refused. */
static void
fit(struct fc_model *m)
{
	const char *cause = NULL;

	ck_assert_msg(fc_fit(&cal, DAYS, m, &cause), "fit refused: %s", cause);
}

/* The Monday factor comes out at 1.5 (against mid-week) within 10 %. */
START_TEST(finds_monday)
{
	struct fc_model m;
	double mid, ratio;

	make_office(UINT64_C(7) + (uint64_t)_i);
	fit(&m);
	mid = (m.weekday[2] + m.weekday[3] + m.weekday[4]) / 3;
	ratio = m.weekday[1] / mid;
	ck_assert_msg(fabs(ratio / MONDAY - 1) <= 0.10, "Monday %.3f", ratio);
	ck_assert_msg(fabs(m.after_closure / AFTER - 1) <= 0.15, "after closure %.3f",
	    m.after_closure);
}
END_TEST

/*
 * The lag distribution peaks within a week of the true peak. Its total (the
 * residents per expiry) trades off against the base level when expiries hover
 * around a mean, so only its order of magnitude is checked.
 */
START_TEST(finds_lag_peak)
{
	struct fc_model m;
	double sum = 0;
	int peak;

	make_office(UINT64_C(99) + (uint64_t)_i);
	fit(&m);
	peak = fc_lag_peak(&m);
	for (int l = 0; l <= FC_MAX_LAG; l++)
		sum += m.lag[l];
	ck_assert_msg(abs(peak - LAG_PEAK) <= 7, "peak at %d days", peak);
	ck_assert_msg(sum > 0.5 * RESPONSE && sum < 1.8 * RESPONSE, "response %.3f", sum);
	ck_assert(m.has_season);
	ck_assert_msg(m.phi > PHI / 3 && m.phi < PHI * 3, "phi %.4f", m.phi);
}
END_TEST

/* Every lag weight is non-negative. */
START_TEST(lags_non_negative)
{
	struct fc_model m;

	make_office(UINT64_C(5));
	fit(&m);
	for (int l = 0; l <= FC_MAX_LAG; l++)
		ck_assert(m.lag[l] >= 0);
}
END_TEST

/* The same input fits the same model, bit for bit. */
START_TEST(deterministic)
{
	struct fc_model a, b;

	make_office(UINT64_C(11));
	fit(&a);
	fit(&b);
	ck_assert(memcmp(&a, &b, sizeof a) == 0);
}
END_TEST

/* Forecasts a quarter ahead (refitted on 21 months) within 15 % a day on average, intervals covering. */
START_TEST(forecasts_held_out)
{
	struct fc_model m;
	const char *cause;
	double ape = 0, n = 0, inside = 0;
	size_t cut = DAYS - 91;

	make_office(UINT64_C(21));
	ck_assert(fc_fit(&cal, cut, &m, &cause));
	for (size_t i = cut; i < DAYS; i++) {
		struct fc_forecast f;
		double y = 0;

		fc_predict(&m, &cal, i, &f);
		ck_assert_int_eq(f.open, days_buf[i].open_hours != 0);
		if (!f.open)
			continue;
		for (int h = 0; h < FC_HOURS; h++)
			y += days_buf[i].arrivals[h];
		ck_assert(f.low <= f.expected && f.expected <= f.high + 1);
		ape += fabs(f.expected - y) / y;
		inside += y >= f.low && y <= f.high;
		n++;
	}
	ck_assert_msg(ape / n < 0.15, "MAPE %.3f", ape / n);
	ck_assert_msg(inside / n > 0.65 && inside / n < 0.95, "coverage %.2f", inside / n);
}
END_TEST

/* Hours follow the profile, add up to the day, and closed hours stay 0. */
START_TEST(hours_spread)
{
	struct fc_model m;
	struct fc_forecast f;
	double sum = 0;

	make_office(UINT64_C(3));
	fit(&m);
	fc_predict(&m, &cal, future(4), &f);
	ck_assert(f.open);
	for (int h = 0; h < FC_HOURS; h++) {
		sum += f.hour[h];
		if (h < 9 || h >= 17)
			ck_assert(f.hour[h] == 0 && f.hour_level[h] == 0);
		else
			ck_assert(f.hour_level[h] >= 1 && f.hour_level[h] <= 5);
	}
	ck_assert_double_eq_tol(sum, f.expected, 1e-6 * f.expected);
	ck_assert(f.hour[9] > 1.4 * f.hour[10]);	/* the office's first hour is its busiest */
}
END_TEST

/* Booked reservations are a floor under the day. */
START_TEST(booked_floor)
{
	struct fc_model m;
	struct fc_forecast f;

	make_office(UINT64_C(3));
	fit(&m);
	days_buf[future(4)].booked = 2000;
	fc_predict(&m, &cal, future(4), &f);
	ck_assert_double_eq_tol(f.expected, 2000 * FC_SHOW_RATE, 1e-9);
	ck_assert_int_eq(f.level, 5);
}
END_TEST

/* Closed days forecast nothing. */
START_TEST(closed_day)
{
	struct fc_model m;
	struct fc_forecast f;

	make_office(UINT64_C(3));
	fit(&m);
	fc_predict(&m, &cal, future(6), &f);
	ck_assert(!f.open);
	ck_assert(f.expected == 0 && f.level == 0);
}
END_TEST

/* Too little history, bad counts and a short calendar are refused with a cause. */
START_TEST(refuses_bad_input)
{
	struct fc_model m;
	const char *cause = NULL;

	make_office(UINT64_C(3));
	ck_assert(!fc_fit(&cal, 20, &m, &cause));
	ck_assert_ptr_nonnull(cause);
	cause = NULL;
	ck_assert(!fc_fit(&cal, cal.n + 1, &m, &cause));
	ck_assert_ptr_nonnull(cause);
	days_buf[40].arrivals[10] = -1;
	cause = NULL;
	ck_assert(!fc_fit(&cal, DAYS, &m, &cause));
	ck_assert_ptr_nonnull(cause);
	days_buf[40].arrivals[10] = NAN;
	ck_assert(!fc_fit(&cal, DAYS, &m, &cause));
	days_buf[40].arrivals[10] = 3;
	days_buf[50].expiries = -INFINITY;
	ck_assert(!fc_fit(&cal, DAYS, &m, &cause));
	days_buf[50].expiries = NAN;	/* unknown is allowed */
	ck_assert(fc_fit(&cal, DAYS, &m, &cause));
}
END_TEST

/* Without expiries and under a year of history the model still fits, without season or lags. */
START_TEST(short_history_no_expiries)
{
	struct fc_model m;
	const char *cause;

	make_office(UINT64_C(3));
	for (size_t i = 0; i < cal.n; i++)
		days_buf[i].expiries = NAN;
	ck_assert(fc_fit(&cal, 120, &m, &cause));
	ck_assert(!m.has_season);
	ck_assert_int_eq(fc_lag_peak(&m), -1);
	ck_assert(m.base > 0);
}
END_TEST

/* Levels follow the documented thresholds. */
START_TEST(levels)
{
	ck_assert_int_eq(fc_level(4.9, 10), 1);
	ck_assert_int_eq(fc_level(5, 10), 2);
	ck_assert_int_eq(fc_level(8, 10), 3);
	ck_assert_int_eq(fc_level(11.9, 10), 3);
	ck_assert_int_eq(fc_level(12, 10), 4);
	ck_assert_int_eq(fc_level(16, 10), 5);
	ck_assert_int_eq(fc_level(3, 0), 1);
}
END_TEST

/* The interval's quantiles: Poisson in the limit, wider with overdispersion. */
START_TEST(nb_quantiles)
{
	ck_assert_double_eq(fc_nb_quantile(10, 0, 0.9), 14);
	ck_assert_double_eq(fc_nb_quantile(10, 0, 0.1), 6);
	ck_assert_double_eq(fc_nb_quantile(0, 0.1, 0.9), 0);
	ck_assert(fc_nb_quantile(200, 0.05, 0.9) > fc_nb_quantile(200, 0, 0.9) + 20);
	ck_assert(fc_nb_quantile(200, 0.05, 0.1) < fc_nb_quantile(200, 0, 0.1) - 20);
}
END_TEST

/* The forecast suite. */
static Suite *
forecast_suite(void)
{
	Suite *s = suite_create("forecast");
	TCase *tc = tcase_create("core");

	tcase_set_timeout(tc, 120);
	tcase_add_loop_test(tc, finds_monday, 0, 3);
	tcase_add_loop_test(tc, finds_lag_peak, 0, 3);
	tcase_add_test(tc, lags_non_negative);
	tcase_add_test(tc, deterministic);
	tcase_add_test(tc, forecasts_held_out);
	tcase_add_test(tc, hours_spread);
	tcase_add_test(tc, booked_floor);
	tcase_add_test(tc, closed_day);
	tcase_add_test(tc, refuses_bad_input);
	tcase_add_test(tc, short_history_no_expiries);
	tcase_add_test(tc, levels);
	tcase_add_test(tc, nb_quantiles);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	SRunner *sr = srunner_create(forecast_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
