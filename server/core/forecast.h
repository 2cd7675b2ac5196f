/*
 * Demand forecast for one office: expected tickets per open day and hour,
 * learned from the office's own history of hourly arrival counts. Pure: no
 * I/O, no global state, deterministic (the same input fits the same model to
 * the last bit). docs/forecast.md describes the model; in short:
 *
 *   expected(day) = weekday x after-closure x season
 *                   x (base + sum over l of lag[l] x expiries(day + l))
 *   expected(day, hour) = expected(day) x profile[weekday][hour]
 *
 * The multiplicative factors are a log-linear Poisson regression; the inner
 * sum (a level plus the residents drawn in by expiries l = 0..FC_MAX_LAG days
 * ahead) is non-negative least squares over a smooth basis of lag weights, so
 * the lag distribution is learned, never assumed. The two are fitted in turn
 * until they settle. Overdispersion (negative binomial) comes from the
 * residuals and gives the 80 % interval; a level 1..5 compares an hour (a day)
 * with the office's typical hour (day). Reservations already booked are a
 * floor under a day's forecast.
 *
 * Days come as one array of consecutive dates: history first (with arrivals),
 * then the days to forecast, then as many days as are known of expiries.
 */
#ifndef MADOGUCHI_FORECAST_H
#define MADOGUCHI_FORECAST_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "cdate.h"

/* Hours in a day. */
#define FC_HOURS	24
/* Longest lead, in days, from a resident's visit to the expiry that brought them. */
#define FC_MAX_LAG	120
/* Spacing in days of the lag basis (triangles centred every FC_LAG_STEP days). */
#define FC_LAG_STEP	7
/* Functions in the lag basis: centres 0, 7, ..., 119. */
#define FC_LAG_BASIS	(FC_MAX_LAG / FC_LAG_STEP + 1)
/* Fewest open history days a fit needs. */
#define FC_MIN_DAYS	28
/* History a season is learned from, at least (days). */
#define FC_SEASON_DAYS	365
/* Levels: ratio to the typical hour (day) at which levels 2, 3, 4 and 5 begin. */
#define FC_LEVEL2	0.5
#define FC_LEVEL3	0.8
#define FC_LEVEL4	1.2
#define FC_LEVEL5	1.6
/* Share of booked reservations that come, unless the caller says otherwise. */
#define FC_SHOW_RATE	0.9
/* The interval: from this quantile ... */
#define FC_LOW_Q	0.1
/* ... to this one (80 %). */
#define FC_HIGH_Q	0.9

/* One date of the office's calendar. */
struct fc_day {
	uint32_t open_hours;	/* bit h set when open during hour h; 0 when closed */
	bool weekly_closed;	/* closed by the weekly pattern (not a holiday or special closure) */
	double expiries;	/* certificates and cards expiring that date; NAN when unknown */
	double booked;		/* reservations booked for it (forecast days; 0 if none) */
	double arrivals[FC_HOURS];	/* tickets issued per hour (history days) */
};

/* The calendar the model reads: consecutive dates from first. */
struct fc_days {
	cdate first;			/* date of day[0] */
	const struct fc_day *day;	/* the dates, one a day */
	size_t n;			/* entries in day */
};

/* A fitted model. */
struct fc_model {
	double weekday[7];	/* factor by weekday (0 = Sunday); mean 1 over weekdays seen open */
	double after_closure;	/* factor on the first open day after a non-weekly closure */
	double after_long;	/* further factor when that closure took 3 or more days */
	double season[4];	/* log-scale annual terms: sin, cos of one and two cycles a year */
	bool has_season;	/* season learned (a year of history or more) */
	double base;		/* arrivals a day before factors and expiries */
	double lag[FC_MAX_LAG + 1];	/* arrivals per expiry l days after the visit */
	double expiry_fill;	/* expiries assumed on dates not known (mean of the known) */
	double phi;		/* overdispersion: variance = mean + phi x mean^2 */
	double profile[7][FC_HOURS];	/* share of a day's arrivals in each hour, by weekday */
	double typical_hour;	/* mean arrivals per open hour over the history */
	double typical_day;	/* mean arrivals per open day over the history */
	double show_rate;	/* share of booked reservations expected to come */
	int days_used;		/* open history days fitted */
	int iterations;		/* rounds of the alternating fit */
};

/* A forecast for one date. */
struct fc_forecast {
	bool open;		/* false: closed, nothing else set */
	double expected;	/* tickets expected over the day */
	double low, high;	/* the 80 % interval (whole tickets) */
	int level;		/* 1 (quiet) .. 5 (very crowded) */
	double hour[FC_HOURS];	/* tickets expected per hour (0 when closed) */
	int hour_level[FC_HOURS];	/* level per open hour (0 when closed) */
};

/*
 * Fits m to the first n_hist days of days (the rest may hold later expiries).
 * Returns false, with *cause a static sentence, when n_hist exceeds the days
 * given or fewer than FC_MIN_DAYS of them are open with arrivals, or a count
 * is negative or not finite.
 */
bool fc_fit(const struct fc_days *days, size_t n_hist, struct fc_model *m,
    const char **cause) __attribute__((warn_unused_result));
/* The forecast for days->day[i] (any index, history or not). */
void fc_predict(const struct fc_model *m, const struct fc_days *days, size_t i,
    struct fc_forecast *out);
/* The level 1..5 of count against typical (1 when typical is not positive). */
int fc_level(double count, double typical);
/* The lag (days before the expiry) with the most weight; -1 when all are 0. */
int fc_lag_peak(const struct fc_model *m);
/* The smallest k with P(X <= k) >= q for X negative binomial with mean mu and overdispersion phi. */
double fc_nb_quantile(double mu, double phi, double q);

#endif
