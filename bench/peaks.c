/*
 * Peaks benchmark: four simulated weeks at one office (2026-04-20 .. 05-15,
 * Golden Week inside: closed 04-29 and 05-04..06), without and with the
 * manager's tools, each day simulated on the daemon's engine
 * (server/core/qsim.c) with staffing from server/core/staffing.c.
 *
 * Residents (the same people in every scenario, drawn once per replication):
 * - per open day, a negative-binomial number (phi 0.015) around
 *   180 x weekday (Mon 1.35, Tue 1.05, Wed 0.95, Thu 0.95, Fri 1.10)
 *   x 1.45 on the first open day after a holiday, 1.80 after 3+ closed days;
 * - 30 % want to book online, the rest walk in; each has a preferred hour
 *   (08 5 %, 09 15, 10 15, 11 12, 12 7, 13 12, 14 11, 15 10, 16 9, 17 4 %)
 *   and a minute in it (08:30-17:15 open); online places: 4 per half-hour
 *   slot 09:00-16:30 (64 a day); a booker takes the slot of their hour or the
 *   next free one that day, and walks in when the day is full; bookers check
 *   in up to 10 minutes early, 8 % never come;
 * - service lognormal, mean 14 minutes, sigma 0.4.
 * The forecast the manager acts on is the true mean times a lognormal error
 * of sd 0.15 per day (about the model's error in bench/forecast.sh). Peak
 * days: forecast level 4 or 5 (at least 1.2 x the typical day).
 *
 * Without tools: 6 counters all day. The tools:
 * - capacity: on forecast peak days online places are scaled by 0.5;
 * - offers: a resident of a peak day (walk-in, or booker refused by the rule)
 *   is offered the quietest forecast day among the next five open days; the
 *   take-up share (10, 30, 50 %) is the stated assumption; who declines comes
 *   on the day anyway (a refused booker walks in);
 * - staffing: counters per hour from Erlang C on the forecast arrivals after
 *   the moves (80 % called within 20 minutes), at least 2, at most 10; the
 *   "same counter-hours" rows scale that plan to the flat plan's total over
 *   the four weeks (staff moved from quiet hours and days to busy ones).
 * Offers only go to days whose forecast load, moves counted, stays at level 3
 * or below, so the quieter days do not become the new peaks.
 * Tickets stop at 17:15 but everyone ticketed is served (overtime), so every
 * scenario serves the same residents; throughput is compared per day.
 *
 *   bench/peaks.sh [REPLICATIONS]      (default 30)
 */
#include "core/cdate.h"
#include "core/forecast.h"
#include "core/qsim.h"
#include "core/staffing.h"

#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define HM(h, m)	((int64_t)(h) * 3600 + (m) * 60)
#define OPEN_S		HM(8, 30)
#define CLOSE_S		HM(17, 15)
#define DAYS		26		/* calendar days in the four weeks */
#define MAX_RES		20000		/* residents in four weeks at most */
#define SLOTS		16		/* half-hour slots 09:00-16:30 */
#define SLOT_CAP	4		/* online places per slot */
#define SERVICE_MIN	14.0
#define SIGMA		0.4
#define FLAT		6		/* counters without the staffing tool */
#define TARGET_MIN	20.0
#define TARGET_SHARE	0.8
#define PHI		0.015
#define ONLINE		0.30
#define NO_SHOW		0.08
#define SEED		UINT64_C(20260420)

/* One resident of the four weeks. */
struct resident {
	int want_day;		/* preferred day (index) */
	int hour;		/* preferred hour */
	int minute_s;		/* seconds into that hour */
	bool online;		/* wants to book */
	bool takes_offer;	/* would take a quieter day if offered (drawn per take-up level) */
	double offer_u;		/* uniform draw deciding takes_offer */
	bool no_show;		/* a booker who never comes */
	int64_t early_s;	/* how early a booker checks in */
	/* Outcome of the booking step. */
	int day;		/* the day they come */
	int slot;		/* booked slot, -1 for a walk-in */
};

/* A scenario. */
struct scenario {
	const char *name;	/* the row label */
	bool capacity;		/* the capacity rule on peak days */
	double take_up;		/* share taking the offered day (0: no offers) */
	bool staffing;		/* counters per the staffing plan */
	bool same_hours;	/* the plan scaled to the flat plan's counter-hours */
};

/* What a scenario measured, over all replications. */
struct tally {
	double *peak_w, *all_w;	/* waits in minutes (peak days, all days) */
	size_t n_peak, n_all;	/* entries */
	double served[DAYS];	/* served per day, summed over replications */
	double counter_h;	/* counter-hours 08:30-17:15, summed */
	double overtime_peak;	/* minutes past 17:15 until the last service ends, peak days */
	double n_peak_days;	/* peak days simulated */
};

static const double HOUR_SHARE[FC_HOURS] = { [8] = 0.05, [9] = 0.15, [10] = 0.15,
    [11] = 0.12, [12] = 0.07, [13] = 0.12, [14] = 0.11, [15] = 0.10, [16] = 0.09, [17] = 0.04 };

static cdate first;
static bool open_day[DAYS];
static double mean_day[DAYS], fcast[DAYS];
static bool peak[DAYS];		/* forecast peak day */
static double typical;		/* the typical open day's expected residents */
static int plan[DAYS][FC_HOURS];	/* counters per day and hour in the scenario run */
static struct resident res[MAX_RES];
static int n_res;
static struct qsim_rng rng;

/* A gamma number of mean 1 and shape k. */
static double
gamma_mean1(double k)
{
	return qsim_gamma(&rng, k) / k;
}

/* Sets up the calendar, the true means, the forecast and the peak days. */
static void
make_days(void)
{
	static const double wdf[7] = { 0, 1.35, 1.05, 0.95, 0.95, 1.10, 0 };
	double n = 0;
	int closed = 0;

	first = cdate_make(2026, 4, 20);
	for (int i = 0; i < DAYS; i++) {
		cdate d = first + i;
		int wd = cdate_weekday(d), y, m, dd;

		cdate_to_ymd(d, &y, &m, &dd);
		open_day[i] = wd >= 1 && wd <= 5 && !(m == 4 && dd == 29) && !(m == 5 && dd >= 4 && dd <= 6);
		if (!open_day[i]) {
			closed += wd >= 1 && wd <= 5;
			continue;
		}
		mean_day[i] = 180 * wdf[wd] * (closed >= 3 ? 1.80 : closed > 0 ? 1.45 : 1);
		fcast[i] = mean_day[i] * exp(0.15 * qsim_gauss(&rng) - 0.15 * 0.15 / 2);
		closed = 0;
		typical += 180 * wdf[wd];
		n++;
	}
	typical /= n;
	for (int i = 0; i < DAYS; i++)
		peak[i] = open_day[i] && fc_level(fcast[i], typical) >= 4;
}

/* An hour drawn from the hour profile. */
static int
draw_hour(void)
{
	double u = qsim_unif(&rng);

	for (int h = 8; h < 17; h++) {
		if (u < HOUR_SHARE[h])
			return h;
		u -= HOUR_SHARE[h];
	}
	return 17;
}

/* Draws the residents of one replication. */
static void
make_residents(void)
{
	n_res = 0;
	for (int i = 0; i < DAYS; i++) {
		int n;

		if (!open_day[i])
			continue;
		n = qsim_poisson(&rng, mean_day[i] * gamma_mean1(1 / PHI));
		for (int k = 0; k < n && n_res < MAX_RES; k++) {
			struct resident *r = &res[n_res++];

			*r = (struct resident){ .want_day = i, .hour = draw_hour() };
			r->minute_s = (int)(qsim_unif(&rng) * (r->hour == 8 ? 1800 : r->hour == 17 ? 900 : 3600));
			if (r->hour == 8)
				r->minute_s += 1800;
			r->online = qsim_unif(&rng) < ONLINE;
			r->offer_u = qsim_unif(&rng);
			r->no_show = qsim_unif(&rng) < NO_SHOW;
			r->early_s = (int64_t)(qsim_unif(&rng) * 600);
		}
	}
}

/*
 * The day offered instead of day i: of the five open days after it, the one
 * with the lowest forecast load (moves counted), if that load stays at level
 * 3 at most (under 1.2 x the typical day); -1 if none.
 */
static int
quieter_day(int i, const double load[DAYS])
{
	int best = -1, seen = 0;

	for (int j = i + 1; j < DAYS && seen < 5; j++) {
		if (!open_day[j])
			continue;
		seen++;
		if (!peak[j] && load[j] + 1 < FC_LEVEL4 * typical && (best < 0 || load[j] < load[best]))
			best = j;
	}
	return best;
}

/* Books r on day d from its preferred hour on; false when the day is full. */
static bool
book(struct resident *r, int d, int left[DAYS][SLOTS])
{
	int s0 = r->hour < 9 ? 0 : r->hour > 16 ? SLOTS - 1 : (r->hour - 9) * 2 + (r->minute_s >= 1800);

	for (int s = s0; s < SLOTS + s0; s++)
		if (left[d][s % SLOTS] > 0) {
			left[d][s % SLOTS]--;
			r->day = d;
			r->slot = s % SLOTS;
			return true;
		}
	return false;
}

/* Decides where and how everyone comes under scenario sc. */
static void
place_residents(const struct scenario *sc)
{
	int left[DAYS][SLOTS];
	double load[DAYS];

	for (int d = 0; d < DAYS; d++)
		load[d] = fcast[d];
	for (int d = 0; d < DAYS; d++)
		for (int s = 0; s < SLOTS; s++)
			left[d][s] = sc->capacity && peak[d] ? SLOT_CAP / 2 : SLOT_CAP;
	for (int i = 0; i < n_res; i++) {
		struct resident *r = &res[i];
		bool offered = sc->take_up > 0 && peak[r->want_day];
		int alt = offered ? quieter_day(r->want_day, load) : -1;
		bool moves = alt >= 0 && r->offer_u < sc->take_up;

		r->day = r->want_day;
		r->slot = -1;
		if (r->online && book(r, r->want_day, left))
			continue;
		if (moves && (!r->online || book(r, alt, left))) {
			r->day = alt;	/* else a refused booker walks in on the day */
			load[alt]++;
		}
	}
}

/*
 * Counters per hour on day d from Erlang C: the forecast, scaled by the share
 * of the day's residents moved in or out by the offers, spread by the hour profile.
 */
static void
plan_counters(int d, int out[FC_HOURS])
{
	double want = 0, placed = 0;

	for (int i = 0; i < n_res; i++) {
		want += res[i].want_day == d;
		placed += res[i].day == d;
	}
	for (int h = 8; h < 18; h++) {
		double open_h = h == 8 ? 0.5 : h == 17 ? 0.25 : 1;
		double per_hour = fcast[d] * placed / fmax(want, 1) * HOUR_SHARE[h] / open_h;
		int c = staffing_counters_needed(per_hour, SERVICE_MIN, TARGET_MIN, TARGET_SHARE);

		out[h] = c < 0 ? 10 : c < 2 ? 2 : c > 10 ? 10 : c;
	}
}

/* Counter-hours of the plan scaled by f (rounded, at least 2 a day-hour), or of the flat plan. */
static double
scaled_hours(double f, bool flat, bool apply)
{
	double sum = 0;

	for (int d = 0; d < DAYS; d++)
		for (int h = 8; h < 18 && open_day[d]; h++) {
			int c = flat ? FLAT : (int)floor(plan[d][h] * f + 0.5);

			c = c < 2 ? 2 : c;
			sum += c * (h == 8 ? 0.5 : h == 17 ? 0.25 : 1);
			if (apply)
				plan[d][h] = c;
		}
	return sum;
}

/* Scales the plan to the most counter-hours within the flat plan's over the four weeks. */
static void
scale_plan(void)
{
	double budget = scaled_hours(1, true, false), lo = 0, hi = 4;

	for (int i = 0; i < 40; i++) {
		double mid = (lo + hi) / 2;

		if (scaled_hours(mid, false, false) <= budget)
			lo = mid;
		else
			hi = mid;
	}
	scaled_hours(lo, false, true);
}

/* Sets every day's counters for the scenario. */
static void
make_plan(const struct scenario *sc)
{
	for (int d = 0; d < DAYS; d++) {
		for (int h = 0; h < FC_HOURS; h++)
			plan[d][h] = FLAT;
		if (sc->staffing && open_day[d])
			plan_counters(d, plan[d]);
	}
	if (sc->same_hours)
		scale_plan();
}

/* The engine's hook: a lognormal service. */
static int64_t
service_hook(void *ctx, const struct qsim *q, int who, int k, int64_t t)
{
	(void)q, (void)who, (void)k, (void)t;
	return (int64_t)llround(qsim_lognormal(ctx, SERVICE_MIN * 60, SIGMA));
}

/* Fills q with day d's residents and counters. */
static void
fill_day(struct qsim *q, int d, const struct scenario *sc, struct tally *t)
{
	qsim_reset(q);
	for (int i = 0; i < n_res; i++) {
		const struct resident *r = &res[i];
		struct qsim_person p = { 0 };

		if (r->day != d)
			continue;
		if (r->slot >= 0) {
			p.reserved = true;
			p.slot_s = HM(9, 0) + r->slot * 1800;
			p.arrive_s = p.slot_s - r->early_s;
			p.no_show = r->no_show;
		} else {
			p.arrive_s = (int64_t)r->hour * 3600 + r->minute_s;
		}
		qsim_add(q, &p);
	}
	(void)sc;
	for (int h = 8; h < 18; h++) {
		if (!qsim_set_counters(q, h == 8 ? OPEN_S : HM(h, 0), plan[d][h]))
			exit(1);
		t->counter_h += plan[d][h] * (h == 8 ? 0.5 : h == 17 ? 0.25 : 1);
	}
}

/* Adds one day's waits to the tally. */
static void
tally_day(const struct qsim *q, int d, struct tally *t)
{
	int64_t last = 0;

	for (int i = 0; i < q->n; i++) {
		const struct qsim_person *p = &q->p[i];
		double w;

		if (p->start_s < 0)
			continue;
		w = (double)(p->start_s - (p->reserved && p->slot_s > p->arrive_s ? p->slot_s : p->arrive_s)) / 60;
		t->all_w[t->n_all++] = w;
		if (peak[d])
			t->peak_w[t->n_peak++] = w;
		t->served[d]++;
		if (p->end_s > last)
			last = p->end_s;
	}
	if (peak[d]) {
		t->overtime_peak += fmax(0, (double)(last - CLOSE_S) / 60);
		t->n_peak_days++;
	}
}

/* Runs one scenario over every replication. */
static void
run_scenario(const struct scenario *sc, int reps, struct tally *t)
{
	struct qsim q;

	qsim_init(&q);
	for (int rep = 0; rep < reps; rep++) {
		rng.s = SEED + 7919 * (uint64_t)rep;
		make_residents();
		place_residents(sc);
		make_plan(sc);
		for (int d = 0; d < DAYS; d++) {
			struct qsim_rng svc = { SEED ^ (uint64_t)(rep * 100 + d + 1) };
			const struct qsim_hooks h = { .service_s = service_hook, .ctx = &svc };

			if (!open_day[d])
				continue;
			fill_day(&q, d, sc, t);
			if (!qsim_run(&q, &h))
				exit(1);
			tally_day(&q, d, t);
		}
	}
	qsim_done(&q);
}

/* Prints one scenario's row (changes against the base when given); returns its peak-day p90. */
static double
print_row(const struct scenario *sc, struct tally *t, int reps, double base_p90, double base_tp,
    double *tp_out)
{
	double p90 = qsim_quantile(t->peak_w, t->n_peak, 0.9);
	double all90 = qsim_quantile(t->all_w, t->n_all, 0.9), tp = 0, tp_max = 0, open = 0;
	char d_p90[16] = "", d_tp[16] = "";

	for (int d = 0; d < DAYS; d++)
		if (open_day[d]) {
			tp += t->served[d] / reps;
			tp_max = fmax(tp_max, t->served[d] / reps);
			open++;
		}
	tp /= open;
	if (base_p90 > 0) {
		snprintf(d_p90, sizeof d_p90, "%+.0f%%", 100 * (p90 / base_p90 - 1));
		snprintf(d_tp, sizeof d_tp, "%+.1f%%", 100 * (tp / base_tp - 1));
	}
	printf("%-34s | %6.1f %5s | %6.1f | %6.1f %6s %6.0f | %5.1f | %6.0f\n", sc->name, p90, d_p90,
	    all90, tp, d_tp, tp_max, t->counter_h / reps / open,
	    t->overtime_peak / fmax(t->n_peak_days, 1));
	*tp_out = tp;
	return p90;
}

/* Times 200 runs of the busiest day on the engine (the what-if endpoint's budget is 1 s). */
static void
time_200_runs(void)
{
	struct qsim q;
	struct scenario none = { .name = "" };
	struct tally t = { 0 };
	struct timespec a, b;
	int busiest = 0;

	for (int d = 0; d < DAYS; d++)
		if (mean_day[d] > mean_day[busiest])
			busiest = d;
	t.all_w = calloc(MAX_RES, sizeof *t.all_w);
	t.peak_w = calloc(MAX_RES, sizeof *t.peak_w);
	rng.s = SEED;
	make_residents();
	place_residents(&none);
	make_plan(&none);
	qsim_init(&q);
	clock_gettime(CLOCK_MONOTONIC, &a);
	for (int run = 0; run < 200; run++) {
		struct qsim_rng svc = { (uint64_t)run + 1 };
		const struct qsim_hooks h = { .service_s = service_hook, .ctx = &svc };

		fill_day(&q, busiest, &none, &t);
		if (!qsim_run(&q, &h))
			exit(1);
	}
	clock_gettime(CLOCK_MONOTONIC, &b);
	printf("\nengine: 200 runs of the busiest day (%d residents, %d counters) in %.1f ms\n", q.n, FLAT,
	    (double)(b.tv_sec - a.tv_sec) * 1e3 + (double)(b.tv_nsec - a.tv_nsec) / 1e6);
	qsim_done(&q);
	free(t.all_w);
	free(t.peak_w);
}

int
main(int argc, char **argv)
{
	int reps = argc > 1 ? atoi(argv[1]) : 30;
	const struct scenario sc[] = {
		{ "without tools (6 counters)", false, 0, false, false },
		{ "staffing plan only", false, 0, true, false },
		{ "staffing plan, same counter-hours", false, 0, true, true },
		{ "capacity + offers 10% (6 counters)", true, 0.10, false, false },
		{ "capacity + offers 30% (6 counters)", true, 0.30, false, false },
		{ "capacity + offers 50% (6 counters)", true, 0.50, false, false },
		{ "all tools, take-up 10%", true, 0.10, true, false },
		{ "all tools, take-up 30%", true, 0.30, true, false },
		{ "all tools, take-up 50%", true, 0.50, true, false },
		{ "all tools, 10%, same counter-hours", true, 0.10, true, true },
		{ "all tools, 30%, same counter-hours", true, 0.30, true, true },
		{ "all tools, 50%, same counter-hours", true, 0.50, true, true },
	};
	double base_p90 = 0, base_tp = 0;
	char peaks[256] = "";

	if (reps < 1 || reps > 500) {
		fprintf(stderr, "usage: peaks [REPLICATIONS 1..500]\n");
		return 2;
	}
	rng.s = SEED;
	make_days();
	for (int d = 0; d < DAYS; d++)
		if (peak[d]) {
			char buf[11];

			snprintf(peaks + strlen(peaks), sizeof peaks - strlen(peaks), " %s",
			    cdate_format(first + d, buf) + 5);
		}
	printf("madoguchi peaks benchmark: 2026-04-20 .. 05-15 (17 open days), %d replications, seed %" PRIu64 "\n",
	    reps, SEED);
	printf("forecast peak days (level >= 4):%s\n\n", peaks);
	printf("%-34s | %-12s | %-6s | %-20s | %-5s | %s\n", "", "p90 wait min", "p90",
	    "served per day", "ctr-h", "overtime");
	printf("%-34s | %6s %5s | %6s | %6s %6s %6s | %5s | %s\n", "scenario", "peak", "chg", "all",
	    "mean", "chg", "max", "/day", "peak min");
	for (size_t i = 0; i < sizeof sc / sizeof sc[0]; i++) {
		struct tally t = { 0 };
		double p90, tp;

		t.peak_w = calloc((size_t)reps * MAX_RES, sizeof *t.peak_w);
		t.all_w = calloc((size_t)reps * MAX_RES, sizeof *t.all_w);
		run_scenario(&sc[i], reps, &t);
		p90 = print_row(&sc[i], &t, reps, base_p90, base_tp, &tp);
		if (i == 0) {
			base_p90 = p90;
			base_tp = tp;
		}
		free(t.peak_w);
		free(t.all_w);
	}
	printf("\ngoal: peak-day p90 down >= 40%% at equal throughput (+-2%%). Waits run from the ticket (walk-ins)\n"
	    "or from the later of check-in and slot (bookings) to the call; everyone ticketed is served.\n"
	    "ctr-h: counter-hours 08:30-17:15 per open day; overtime: minutes past 17:15 to the last service, peak days.\n");
	time_200_runs();
	return 0;
}
