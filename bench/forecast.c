/*
 * Forecast benchmark: two simulated years of one office, back-tested over the
 * last three months at horizons of one to four weeks, for the daemon's model
 * (server/core/forecast.c) and two baselines: the mean of the last four same
 * weekdays, and the same weekday 52 weeks before.
 *
 * The generator (one city-hall counter, 2024-07-01 .. 2026-06-30):
 * - open Monday to Friday 08:30-17:15 (hours 8..17), closed at weekends, on
 *   the national holidays (server/core/holidays.c) and 29 December - 3 January;
 * - expiries per day: Poisson around 60 + three waves (certificates issued in
 *   the 2020 cash-payment rush and the 2021-2022 point campaigns reach their
 *   fifth birthday): bumps centred 2025-03-15 (+220, sd 35 days), 2025-11-01
 *   (+160, sd 50 days) and 2026-07-01 (+260, sd 40 days); known to the model
 *   through 2026-12-31 (notices are planned from them);
 * - expected tickets on an open day =
 *     weekday (Mon 1.35, Tue 1.05, Wed 0.95, Thu 0.95, Fri 1.10)
 *   x after-closure (1.45 on the first open day after a holiday, 1.80 after
 *     three or more closed weekdays: Golden Week, the year end)
 *   x season (exp(0.10 cos(2 pi (day of year - 90) / 365)), and x 1.25 from
 *     20 March to 15 April for the moving season: a step the model's smooth
 *     annual terms can only approximate)
 *   x (110 + sum over l of w(l) x expiries(day + l)), w a gamma-shaped lead
 *     with its mode at 70 days (shape 12, scale 70/11), summing to 0.30
 *     visits per expiry;
 * - overdispersion: the day's mean times a gamma draw of mean 1 and
 *   variance 0.015 (negative binomial, phi = 0.015);
 * - hours: each hour's count Poisson around the day's draw times the hour's
 *   share: 08 0.05, 09 0.15, 10 0.15, 11 0.12, 12 0.07, 13 0.12, 14 0.11,
 *   15 0.10, 16 0.09, 17 0.04; Mondays move 0.03 from 15-16 to 09-10.
 * PRNG xorshift64* (server/core/qsim.c), seed on the command line.
 *
 *   bench/forecast.sh [SEED]
 */
#include "core/cdate.h"
#include "core/forecast.h"
#include "core/holidays.h"
#include "core/qsim.h"

#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* Days of history and days after it with expiries known. */
#define HIST		730
#define AHEAD		184
#define NDAYS		(HIST + AHEAD)
/* The back-test: its last BT_DAYS days, four one-week horizons. */
#define BT_DAYS		91
#define HORIZONS	4
/* Truth of the generator. */
#define BASE		110.0
#define RESPONSE	0.30
#define LAG_MODE	70.0
#define LAG_SHAPE	12.0
#define PHI		0.015
#define AFTER1		1.45
#define AFTER_LONG	1.80

/* The simulated office. */
static struct fc_day day[NDAYS];
static struct fc_days cal = { .day = day, .n = NDAYS };
static struct qsim_rng rng;

/* Errors summed for one method at one horizon. */
struct score {
	double ape;		/* sum of absolute percentage errors of open days */
	double days;		/* open days counted */
	double level_ok;	/* hours whose level was within one of the actual */
	double hours;		/* open hours counted */
	double covered;		/* days inside the 80 % interval (the model only) */
};

/* A gamma number of mean 1 and shape k. */
static double
gamma_mean1(double k)
{
	return qsim_gamma(&rng, k) / k;
}

/* The true lead weight at l days: gamma-shaped, mode LAG_MODE, summing to RESPONSE over 0..FC_MAX_LAG. */
static double
true_lag(int l)
{
	static double w[FC_MAX_LAG + 1], sum;
	double scale = LAG_MODE / (LAG_SHAPE - 1);

	if (sum == 0) {
		for (int k = 0; k <= FC_MAX_LAG; k++) {
			double x = k + 0.5;

			w[k] = exp((LAG_SHAPE - 1) * log(x / scale) - x / scale);
			sum += w[k];
		}
	}
	return RESPONSE * w[l] / sum;
}

/* A bump of height h centred on date c with sd days. */
static double
bump(cdate d, cdate c, double h, double sd)
{
	double z = (double)(d - c) / sd;

	return h * exp(-z * z / 2);
}

/* Whether date d is closed other than at weekends. */
static bool
holiday(cdate d)
{
	int y, m, dd;

	cdate_to_ymd(d, &y, &m, &dd);
	return hol_lookup(d, NULL, NULL) || (m == 12 && dd >= 29) || (m == 1 && dd <= 3);
}

/* The season factor of date d. */
static double
season(cdate d)
{
	int y, m, dd;
	double doy, f;

	cdate_to_ymd(d, &y, &m, &dd);
	doy = (double)(d - cdate_make(y, 1, 1));
	f = exp(0.10 * cos(2 * 3.14159265358979 * (doy - 90) / 365));
	if ((m == 3 && dd >= 20) || (m == 4 && dd <= 15))
		f *= 1.25;
	return f;
}

/* The share of a day's tickets in hour h on weekday wd. */
static double
hour_share(int wd, int h)
{
	static const double share[FC_HOURS] = { [8] = 0.05, [9] = 0.15, [10] = 0.15,
	    [11] = 0.12, [12] = 0.07, [13] = 0.12, [14] = 0.11, [15] = 0.10,
	    [16] = 0.09, [17] = 0.04 };
	double s = share[h];

	if (wd == 1 && (h == 9 || h == 10))
		s += 0.015;
	if (wd == 1 && (h == 15 || h == 16))
		s -= 0.015;
	return s;
}

/* Fills the calendar and the expiries. */
static void
make_calendar(void)
{
	cal.first = cdate_make(2024, 7, 1);
	for (size_t i = 0; i < NDAYS; i++) {
		cdate d = cal.first + (cdate)i;
		int wd = cdate_weekday(d);
		double e = 60 + bump(d, cdate_make(2025, 3, 15), 220, 35) +
		    bump(d, cdate_make(2025, 11, 1), 160, 50) +
		    bump(d, cdate_make(2026, 7, 1), 260, 40);

		day[i] = (struct fc_day){ .expiries = qsim_poisson(&rng, e) };
		day[i].weekly_closed = wd == 0 || wd == 6;
		if (!day[i].weekly_closed && !holiday(d))
			day[i].open_hours = 0x3ff << 8;		/* hours 8..17 */
	}
}

/* The true expected tickets on day i. */
static double
true_mean(size_t i)
{
	static const double wdf[7] = { 1, 1.35, 1.05, 0.95, 0.95, 1.10, 1 };
	cdate d = cal.first + (cdate)i;
	double inner = BASE, after = 1;
	int closed = 0;

	for (int l = 0; l <= FC_MAX_LAG; l++)
		inner += true_lag(l) * day[i + (size_t)l].expiries;
	for (size_t j = i; j > 0 && day[j - 1].open_hours == 0; j--)
		closed += !day[j - 1].weekly_closed;
	if (closed >= 3)
		after = AFTER_LONG;
	else if (closed > 0)
		after = AFTER1;
	return wdf[cdate_weekday(d)] * after * season(d) * inner;
}

/* Draws the tickets of every open history day. */
static void
make_arrivals(void)
{
	for (size_t i = 0; i < HIST; i++) {
		double mu, g;
		int wd = cdate_weekday(cal.first + (cdate)i);

		if (day[i].open_hours == 0)
			continue;
		mu = true_mean(i);
		g = gamma_mean1(1 / PHI);
		for (int h = 0; h < FC_HOURS; h++)
			if (day[i].open_hours & (1u << h))
				day[i].arrivals[h] = qsim_poisson(&rng, mu * g * hour_share(wd, h));
	}
}

/* Tickets on day i. */
static double
total(size_t i)
{
	double s = 0;

	for (int h = 0; h < FC_HOURS; h++)
		s += day[i].arrivals[h];
	return s;
}

/* Baseline 1: the mean hours of the last four open same weekdays before origin. */
static bool
last_four(size_t origin, size_t t, double hours[FC_HOURS])
{
	int found = 0;

	memset(hours, 0, FC_HOURS * sizeof *hours);
	for (size_t j = t; j >= 7 && found < 4; ) {
		j -= 7;
		if (j >= origin || day[j].open_hours == 0)
			continue;
		for (int h = 0; h < FC_HOURS; h++)
			hours[h] += day[j].arrivals[h] / 4;
		found++;
	}
	return found == 4;
}

/* Baseline 2: the same weekday 52 weeks before (53 when that day was closed). */
static bool
year_before(size_t t, double hours[FC_HOURS])
{
	for (size_t back = 364; back <= 371; back += 7) {
		if (t < back || day[t - back].open_hours == 0)
			continue;
		memcpy(hours, day[t - back].arrivals, FC_HOURS * sizeof *hours);
		return true;
	}
	return false;
}

/* Scores one forecast of day t (hours fh) against what happened. */
static void
score_day(struct score *s, size_t t, const double fh[FC_HOURS], double typical)
{
	double y = total(t), f = 0;

	for (int h = 0; h < FC_HOURS; h++) {
		if (!(day[t].open_hours & (1u << h)))
			continue;
		f += fh[h];
		s->level_ok += abs(fc_level(fh[h], typical) - fc_level(day[t].arrivals[h], typical)) <= 1;
		s->hours++;
	}
	s->ape += fabs(f - y) / y;
	s->days++;
}

/* The generator's own expected hours of day t: what no forecast can beat. */
static void
truth(size_t t, double hours[FC_HOURS])
{
	double mu = true_mean(t);
	int wd = cdate_weekday(cal.first + (cdate)t);

	for (int h = 0; h < FC_HOURS; h++)
		hours[h] = (day[t].open_hours & (1u << h)) ? mu * hour_share(wd, h) : 0;
}

/* Runs the back-test: a fit each week, its forecasts scored by horizon. */
static void
backtest(struct score sc[4][HORIZONS], struct fc_model *last, double *fit_ms)
{
	size_t bt_first = HIST - BT_DAYS;
	struct timespec a, b;

	for (size_t origin = bt_first - 7 * (HORIZONS - 1); origin < HIST; origin += 7) {
		struct fc_model m;
		const char *cause;

		clock_gettime(CLOCK_MONOTONIC, &a);
		if (!fc_fit(&cal, origin, &m, &cause)) {
			fprintf(stderr, "forecast: fit refused: %s\n", cause);
			exit(1);
		}
		clock_gettime(CLOCK_MONOTONIC, &b);
		*fit_ms = (double)(b.tv_sec - a.tv_sec) * 1e3 + (double)(b.tv_nsec - a.tv_nsec) / 1e6;
		for (size_t t = origin; t < origin + 7 * HORIZONS && t < HIST; t++) {
			struct fc_forecast f;
			double b[FC_HOURS];
			int hz = (int)((t - origin) / 7);

			if (t < bt_first || day[t].open_hours == 0)
				continue;
			fc_predict(&m, &cal, t, &f);
			score_day(&sc[0][hz], t, f.hour, m.typical_hour);
			sc[0][hz].covered += total(t) >= f.low && total(t) <= f.high;
			if (last_four(origin, t, b))
				score_day(&sc[1][hz], t, b, m.typical_hour);
			if (year_before(t, b))
				score_day(&sc[2][hz], t, b, m.typical_hour);
			truth(t, b);
			score_day(&sc[3][hz], t, b, m.typical_hour);
		}
		*last = m;
	}
}

/* Prints what the last fit found beside the generator's truth. */
static void
print_recovery(const struct fc_model *m)
{
	double mid = (m->weekday[2] + m->weekday[3] + m->weekday[4]) / 3, sum = 0;
	int true_peak = 0;

	for (int l = 0; l <= FC_MAX_LAG; l++) {
		sum += m->lag[l];
		if (true_lag(l) > true_lag(true_peak))
			true_peak = l;
	}
	printf("last fit (%d open days, %d rounds): Monday/mid-week %.3f (true %.3f), after a holiday %.2f (true %.2f),\n",
	    m->days_used, m->iterations, m->weekday[1] / mid, 1.35 / (1.05 + 0.95 + 0.95) * 3,
	    m->after_closure, AFTER1);
	printf("after a long closure %.2f (true %.2f), lead peak %d days (true %d), visits per expiry %.2f (true %.2f), phi %.4f (true %.4f)\n\n",
	    m->after_closure * m->after_long, AFTER_LONG, fc_lag_peak(m), true_peak, sum, RESPONSE,
	    m->phi, PHI);
}

/* Prints the table and the verdict against the goals. */
static void
print_table(struct score sc[4][HORIZONS])
{
	printf("%-8s | %-35s | %-7s | %s\n", "horizon", "daily MAPE", "model /",
	    "hours with level within +-1");
	printf("%-8s | %8s %8s %8s %8s | %7s | %8s %8s %8s %8s\n", "(weeks)", "model", "last-4",
	    "52-wk", "truth", "better", "model", "last-4", "52-wk", "truth");
	for (int h = 0; h < HORIZONS; h++) {
		double m = sc[0][h].ape / sc[0][h].days, a = sc[1][h].ape / sc[1][h].days;
		double b = sc[2][h].ape / sc[2][h].days;

		printf("%-8d | %7.1f%% %7.1f%% %7.1f%% %7.1f%% | %7.2f | %7.1f%% %7.1f%% %7.1f%% %7.1f%%\n",
		    h + 1, 100 * m, 100 * a, 100 * b, 100 * sc[3][h].ape / sc[3][h].days,
		    m / fmin(a, b), 100 * sc[0][h].level_ok / sc[0][h].hours,
		    100 * sc[1][h].level_ok / sc[1][h].hours,
		    100 * sc[2][h].level_ok / sc[2][h].hours, 100 * sc[3][h].level_ok / sc[3][h].hours);
	}
}

/* Mean tickets per open day over the history. */
static double
total_mean(void)
{
	double sum = 0, n = 0;

	for (size_t i = 0; i < HIST; i++)
		if (day[i].open_hours != 0) {
			sum += total(i);
			n++;
		}
	return sum / n;
}

/* Prints whether the goals are met at four weeks. */
static void
print_goals(struct score sc[4][HORIZONS])
{
	const struct score *m = &sc[0][HORIZONS - 1];
	double ratio = (m->ape / m->days) /
	    fmin(sc[1][HORIZONS - 1].ape / sc[1][HORIZONS - 1].days,
	    sc[2][HORIZONS - 1].ape / sc[2][HORIZONS - 1].days);
	double levels = m->level_ok / m->hours;

	printf("\ngoal at 4 weeks: MAPE <= 0.70 x the better baseline: %.2f (%s); levels within +-1 >= 95%%: %.1f%% (%s)\n",
	    ratio, ratio <= 0.70 ? "met" : "NOT met", 100 * levels, levels >= 0.95 ? "met" : "NOT met");
	printf("(%.0f open days and %.0f open hours per horizon, ~%.0f tickets a day; levels against the fit's typical\n"
	    "hour, thresholds x%.1f / x%.1f / x%.1f / x%.1f; truth = the generator's own means, the floor the noise sets)\n",
	    m->days, m->hours, total_mean(), FC_LEVEL2, FC_LEVEL3, FC_LEVEL4, FC_LEVEL5);
}

int
main(int argc, char **argv)
{
	uint64_t seed = argc > 1 ? strtoull(argv[1], NULL, 10) : 20260630;
	struct score sc[4][HORIZONS] = { 0 };
	struct fc_model last;
	double fit_ms = 0;

	rng.s = seed ? seed : 1;
	make_calendar();
	make_arrivals();
	printf("madoguchi forecast benchmark: one simulated office, %s .. history of %d days, seed %" PRIu64 "\n",
	    "2024-07-01", HIST, seed);
	printf("back-test over the last %d days, a fit every 7 days, horizons of 1-4 weeks (days 1-7, 8-14, 15-21, 22-28)\n",
	    BT_DAYS);
	printf("baselines: last-4 = mean of the last four open same weekdays before the fit; 52-wk = the same weekday 364 days before\n\n");
	backtest(sc, &last, &fit_ms);
	print_recovery(&last);
	print_table(sc);
	print_goals(sc);
	printf("80%% interval covered %.0f%% / %.0f%% / %.0f%% / %.0f%% of days at 1 / 2 / 3 / 4 weeks; the last fit took %.1f ms\n",
	    100 * sc[0][0].covered / sc[0][0].days, 100 * sc[0][1].covered / sc[0][1].days,
	    100 * sc[0][2].covered / sc[0][2].days, 100 * sc[0][3].covered / sc[0][3].days, fit_ms);
	return 0;
}
