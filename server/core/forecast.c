/* The demand forecast: fitting and predicting (see forecast.h, docs/forecast.md). */
#include "forecast.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "xmalloc.h"

/* Columns of the multiplicative part: 7 weekdays, 2 closure terms, 4 season terms. */
#define NX		13
#define X_AFTER		7
#define X_LONG		8
#define X_SEASON	9
/* Columns of the inner part: the base, then the lag basis. */
#define NI		(1 + FC_LAG_BASIS)
/* Rounds of the alternating fit at most, and Fisher-scoring steps in each. */
#define ROUNDS		25
#define SCORING_STEPS	4
/* Ridge on the closure and season terms (in units of observed tickets). */
#define RIDGE_X		1.0
/* Smoothness of the lag weights: penalty on second differences, relative to the data's weight. */
#define LAG_SMOOTH	0.02
/* Closed days (not weekly) before an open day that make a long closure. */
#define LONG_CLOSURE	3
/* Weight of the all-days hour profile in each weekday's, in days of arrivals. */
#define PROFILE_PRIOR	5.0
/* Length of the year for the season terms, in days. */
#define YEAR_DAYS	365.2425
#define TWO_PI		6.28318530717958647692

/* What the fit works on: the open history days and the current parameters. */
struct work {
	const struct fc_days *days;	/* the calendar */
	int n;			/* open history days */
	double *y;		/* tickets on each */
	double *x;		/* n x NX multiplicative design */
	double *b;		/* n x NI inner design (1, then the lag basis) */
	double *mu;		/* current expected tickets */
	double gamma[NX];	/* log factors */
	double theta[NI];	/* base, then lag basis weights */
	bool season;		/* whether the season columns are fitted */
	double phi;		/* current overdispersion */
};

/* Whether day i of days is open. */
static bool
is_open(const struct fc_days *days, size_t i)
{
	return days->day[i].open_hours != 0;
}

/* Tickets on day i (the sum of its hours). */
static double
day_total(const struct fc_day *d)
{
	double sum = 0;

	for (int h = 0; h < FC_HOURS; h++)
		sum += d->arrivals[h];
	return sum;
}

/* Closed days, not weekly ones, immediately before day i (through weekly closures). */
static int
closure_before(const struct fc_days *days, size_t i)
{
	int closed = 0;

	while (i > 0 && !is_open(days, i - 1)) {
		i--;
		closed += !days->day[i].weekly_closed;
	}
	return closed;
}

/* The multiplicative design row of day i. */
static void
x_row(const struct fc_days *days, size_t i, bool season, double x[NX])
{
	cdate date = days->first + (cdate)i;
	int closed = closure_before(days, i);
	double a = TWO_PI * (double)date / YEAR_DAYS;

	memset(x, 0, NX * sizeof *x);
	x[cdate_weekday(date)] = 1;
	x[X_AFTER] = closed > 0;
	x[X_LONG] = closed >= LONG_CLOSURE;
	if (season) {
		x[X_SEASON] = sin(a);
		x[X_SEASON + 1] = cos(a);
		x[X_SEASON + 2] = sin(2 * a);
		x[X_SEASON + 3] = cos(2 * a);
	}
}

/* Expiries on day j, fill when unknown or beyond the calendar. */
static double
expiries_on(const struct fc_days *days, size_t j, double fill)
{
	if (j < days->n && isfinite(days->day[j].expiries))
		return days->day[j].expiries;
	return fill;
}

/* The weight of lag basis function k at lag l (a triangle of half-width FC_LAG_STEP). */
static double
hat(int k, int l)
{
	double d = fabs((double)(l - k * FC_LAG_STEP)) / FC_LAG_STEP;

	return d < 1 ? 1 - d : 0;
}

/* The inner design row of day i: 1, then each lag basis function applied to the expiries ahead. */
static void
b_row(const struct fc_days *days, size_t i, double fill, double b[NI])
{
	memset(b, 0, NI * sizeof *b);
	b[0] = 1;
	for (int l = 0; l <= FC_MAX_LAG; l++) {
		double e = expiries_on(days, i + (size_t)l, fill);
		int k = l / FC_LAG_STEP;

		b[1 + k] += hat(k, l) * e;
		if (k + 1 < FC_LAG_BASIS)
			b[2 + k] += hat(k + 1, l) * e;
	}
}

/* The mean of the known expiry counts (0 when none is known). */
static double
expiry_mean(const struct fc_days *days)
{
	double sum = 0;
	size_t n = 0;

	for (size_t i = 0; i < days->n; i++)
		if (isfinite(days->day[i].expiries)) {
			sum += days->day[i].expiries;
			n++;
		}
	return n ? sum / (double)n : 0;
}

/* Solves the n x n symmetric positive definite system a z = r by Cholesky (a is overwritten); false if singular. */
static bool
solve_spd(double *a, const double *r, int n, double *z)
{
	for (int j = 0; j < n; j++) {
		double s = a[j * n + j];

		for (int k = 0; k < j; k++)
			s -= a[j * n + k] * a[j * n + k];
		if (!(s > 0))
			return false;
		a[j * n + j] = sqrt(s);
		for (int i = j + 1; i < n; i++) {
			double t = a[i * n + j];

			for (int k = 0; k < j; k++)
				t -= a[i * n + k] * a[j * n + k];
			a[i * n + j] = t / a[j * n + j];
		}
	}
	for (int i = 0; i < n; i++) {
		double t = r[i];

		for (int k = 0; k < i; k++)
			t -= a[i * n + k] * z[k];
		z[i] = t / a[i * n + i];
	}
	for (int i = n - 1; i >= 0; i--) {
		double t = z[i];

		for (int k = i + 1; k < n; k++)
			t -= a[k * n + i] * z[k];
		z[i] = t / a[i * n + i];
	}
	return true;
}

/* Solves g z = r restricted to the variables in set (others 0); false if singular. */
static bool
solve_subset(const double *g, const double *r, const bool *set, int n, double *z)
{
	double a[NI * NI], rr[NI], zz[NI];
	int map[NI], m = 0;

	for (int i = 0; i < n; i++)
		if (set[i])
			map[m++] = i;
	for (int i = 0; i < m; i++) {
		rr[i] = r[map[i]];
		for (int j = 0; j < m; j++)
			a[i * m + j] = g[map[i] * n + map[j]];
	}
	if (!solve_spd(a, rr, m, zz))
		return false;
	memset(z, 0, (size_t)n * sizeof *z);
	for (int i = 0; i < m; i++)
		z[map[i]] = zz[i];
	return true;
}

/* Moves x from its feasible point towards z until a variable of set hits 0, dropping those that do. */
static void
nnls_step_back(double *x, const double *z, bool *set, int n)
{
	double alpha = 1;

	for (int i = 0; i < n; i++)
		if (set[i] && z[i] <= 0 && x[i] - z[i] > 0)
			alpha = fmin(alpha, x[i] / (x[i] - z[i]));
	for (int i = 0; i < n; i++) {
		x[i] += alpha * (z[i] - x[i]);
		if (set[i] && x[i] <= 1e-15 * (1 + fabs(z[i]))) {
			set[i] = false;
			x[i] = 0;
		}
	}
}

/* Non-negative least squares on the normal equations g x = r (Lawson-Hanson), x warm-started. */
static void
nnls(const double *g, const double *r, int n, double *x)
{
	bool set[NI];
	double z[NI], w[NI];

	for (int i = 0; i < n; i++)
		set[i] = x[i] > 0;
	for (int iter = 0; iter < 3 * n + 10; iter++) {
		int best = -1;

		for (int i = 0; i < n; i++) {
			w[i] = r[i];
			for (int j = 0; j < n; j++)
				w[i] -= g[i * n + j] * x[j];
		}
		for (int i = 0; i < n; i++)
			if (!set[i] && w[i] > 1e-12 * (1 + fabs(r[i])) && (best < 0 || w[i] > w[best]))
				best = i;
		if (best < 0 && iter > 0)
			return;
		if (best >= 0)
			set[best] = true;
		for (int inner = 0; inner < 3 * n; inner++) {
			bool feasible = true;

			if (!solve_subset(g, r, set, n, z)) {
				if (best >= 0)
					set[best] = false;
				return;
			}
			for (int i = 0; i < n; i++)
				feasible = feasible && (!set[i] || z[i] > 0);
			if (feasible) {
				memcpy(x, z, (size_t)n * sizeof *x);
				break;
			}
			nnls_step_back(x, z, set, n);
		}
	}
}

/* The multiplicative factor of row i under the current gamma. */
static double
mult_of(const struct work *w, int i)
{
	double eta = 0;

	for (int k = 0; k < NX; k++)
		eta += w->x[i * NX + k] * w->gamma[k];
	return exp(eta);
}

/* The inner value of row i under the current theta. */
static double
inner_of(const struct work *w, int i)
{
	double s = 0;

	for (int k = 0; k < NI; k++)
		s += w->b[i * NI + k] * w->theta[k];
	return s;
}

/* Adds the second-difference penalty on the lag weights to g, scaled to g's lag diagonal. */
static void
add_smoothness(double *g)
{
	double scale = 0, lam;

	for (int k = 1; k < NI; k++)
		scale += g[k * NI + k];
	lam = LAG_SMOOTH * scale / FC_LAG_BASIS;
	for (int k = 1; k + 2 < NI; k++) {
		const int c[3] = { k, k + 1, k + 2 };
		const double v[3] = { 1, -2, 1 };

		for (int a = 0; a < 3; a++)
			for (int b = 0; b < 3; b++)
				g[c[a] * NI + c[b]] += lam * v[a] * v[b];
	}
	for (int k = 0; k < NI; k++)
		g[k * NI + k] += 1e-9 * (g[k * NI + k] + 1);
}

/* Fits the base and the lag weights with the multiplicative factors held (weighted NNLS). */
static void
fit_inner(struct work *w)
{
	double g[NI * NI] = { 0 }, r[NI] = { 0 };

	for (int i = 0; i < w->n; i++) {
		double f = mult_of(w, i), v = fmax(w->mu[i], 1), a[NI];
		double wt = 1 / (v + w->phi * v * v);

		for (int k = 0; k < NI; k++)
			a[k] = f * w->b[i * NI + k];
		for (int k = 0; k < NI; k++) {
			r[k] += wt * a[k] * w->y[i];
			for (int j = 0; j < NI; j++)
				g[k * NI + j] += wt * a[k] * a[j];
		}
	}
	add_smoothness(g);
	nnls(g, r, NI, w->theta);
}

/* One Fisher-scoring step of the negative-binomial log-linear factors with the inner part held. */
static void
score_mult(struct work *w)
{
	double info[NX * NX] = { 0 }, grad[NX] = { 0 }, step[NX];

	for (int i = 0; i < w->n; i++) {
		double in = fmax(inner_of(w, i), 1e-9), mu = in * mult_of(w, i);
		double wt = mu / (1 + w->phi * mu), res = (w->y[i] - mu) / (1 + w->phi * mu);
		const double *x = &w->x[i * NX];

		for (int k = 0; k < NX; k++) {
			grad[k] += x[k] * res;
			for (int j = 0; j < NX; j++)
				info[k * NX + j] += wt * x[k] * x[j];
		}
	}
	for (int k = 0; k < NX; k++) {
		double ridge = k < X_AFTER ? 1e-6 : RIDGE_X;

		grad[k] -= ridge * w->gamma[k];
		info[k * NX + k] += ridge;
	}
	if (!solve_spd(info, grad, NX, step))
		return;
	for (int k = 0; k < NX; k++)
		w->gamma[k] += fmax(-1, fmin(1, step[k]));
}

/* Rescales the weekday factors to mean 1 over the weekdays seen open, moving the scale inside. */
static void
normalise_weekdays(struct work *w)
{
	double sum = 0, s;
	int seen = 0;
	bool open[7] = { false };

	for (int i = 0; i < w->n; i++)
		for (int k = 0; k < 7; k++)
			open[k] = open[k] || w->x[i * NX + k] > 0;
	for (int k = 0; k < 7; k++)
		if (open[k]) {
			sum += exp(w->gamma[k]);
			seen++;
		}
	s = log(sum / seen);
	for (int k = 0; k < 7; k++)
		w->gamma[k] = open[k] ? w->gamma[k] - s : 0;
	for (int k = 0; k < NI; k++)
		w->theta[k] *= exp(s);
}

/* Recomputes every expected count; returns the Pearson-type sum used to estimate phi. */
static double
update_mu(struct work *w, double *sum_mu2)
{
	double excess = 0;

	*sum_mu2 = 0;
	for (int i = 0; i < w->n; i++) {
		double e;

		w->mu[i] = fmax(inner_of(w, i) * mult_of(w, i), 1e-9);
		e = w->y[i] - w->mu[i];
		excess += e * e - w->mu[i];
		*sum_mu2 += w->mu[i] * w->mu[i];
	}
	return excess;
}

/* Estimates phi from the residuals (method of moments, degrees of freedom allowed for). */
static void
update_phi(struct work *w)
{
	double mu2, excess = update_mu(w, &mu2);
	double dof = (double)w->n / fmax((double)(w->n - NX - NI), 1);

	w->phi = mu2 > 0 ? fmax(0, excess * dof / mu2) : 0;
	w->phi = fmin(w->phi, 4);
}

/* Runs the alternating fit to convergence; returns the rounds taken. */
static int
fit_rounds(struct work *w)
{
	double last = INFINITY;

	for (int round = 1; round <= ROUNDS; round++) {
		double mu2, dev;

		fit_inner(w);
		update_mu(w, &mu2);
		for (int s = 0; s < SCORING_STEPS; s++)
			score_mult(w);
		normalise_weekdays(w);
		update_phi(w);
		dev = update_mu(w, &mu2);
		if (round > 1 && fabs(dev - last) <= 1e-7 * (fabs(last) + mu2))
			return round;
		last = dev;
	}
	return ROUNDS;
}

/* Checks the history's counts; false with a cause when one is bad. */
static bool
check_counts(const struct fc_days *days, size_t n_hist, const char **cause)
{
	for (size_t i = 0; i < days->n; i++) {
		const struct fc_day *d = &days->day[i];

		if (isfinite(d->expiries) ? d->expiries < 0 : !isnan(d->expiries)) {
			*cause = "an expiry count is negative or infinite";
			return false;
		}
		if (!isfinite(d->booked) || d->booked < 0) {
			*cause = "a booked count is negative or not a number";
			return false;
		}
		for (int h = 0; i < n_hist && h < FC_HOURS; h++)
			if (!isfinite(d->arrivals[h]) || d->arrivals[h] < 0) {
				*cause = "an arrival count is negative or not a number";
				return false;
			}
	}
	return true;
}

/* Fills the work rows from the open history days; returns how many. */
static int
build_rows(struct work *w, size_t n_hist, double fill)
{
	int n = 0;

	for (size_t i = 0; i < n_hist; i++) {
		if (!is_open(w->days, i))
			continue;
		w->y[n] = day_total(&w->days->day[i]);
		x_row(w->days, i, w->season, &w->x[n * NX]);
		b_row(w->days, i, fill, &w->b[n * NI]);
		n++;
	}
	return n;
}

/* Learns each weekday's hour profile, shrunk towards the profile of all days. */
static void
fit_profiles(const struct fc_days *days, size_t n_hist, struct fc_model *m)
{
	double c[7][FC_HOURS] = { { 0 } }, t[7] = { 0 }, all[FC_HOURS] = { 0 }, total = 0;
	double prior = PROFILE_PRIOR * m->typical_day;

	for (size_t i = 0; i < n_hist; i++) {
		int wd = cdate_weekday(days->first + (cdate)i);

		if (!is_open(days, i))
			continue;
		for (int h = 0; h < FC_HOURS; h++) {
			c[wd][h] += days->day[i].arrivals[h];
			t[wd] += days->day[i].arrivals[h];
			all[h] += days->day[i].arrivals[h];
			total += days->day[i].arrivals[h];
		}
	}
	for (int wd = 0; wd < 7; wd++)
		for (int h = 0; h < FC_HOURS; h++)
			m->profile[wd][h] = total > 0 ?
			    (c[wd][h] + prior * all[h] / total) / (t[wd] + prior) : 0;
}

/* The typical hour and day of the history. */
static void
fit_typical(const struct fc_days *days, size_t n_hist, struct fc_model *m)
{
	double sum = 0, hours = 0, open_days = 0;

	for (size_t i = 0; i < n_hist; i++) {
		if (!is_open(days, i))
			continue;
		sum += day_total(&days->day[i]);
		hours += __builtin_popcount(days->day[i].open_hours);
		open_days++;
	}
	m->typical_day = open_days > 0 ? sum / open_days : 0;
	m->typical_hour = hours > 0 ? sum / hours : 0;
}

/* Copies the fitted parameters into the model. */
static void
store(const struct work *w, struct fc_model *m)
{
	for (int k = 0; k < 7; k++)
		m->weekday[k] = exp(w->gamma[k]);
	m->after_closure = exp(w->gamma[X_AFTER]);
	m->after_long = exp(w->gamma[X_LONG]);
	for (int k = 0; k < 4; k++)
		m->season[k] = w->gamma[X_SEASON + k];
	m->base = w->theta[0];
	for (int l = 0; l <= FC_MAX_LAG; l++) {
		int k = l / FC_LAG_STEP;

		m->lag[l] = hat(k, l) * w->theta[1 + k];
		if (k + 1 < FC_LAG_BASIS)
			m->lag[l] += hat(k + 1, l) * w->theta[2 + k];
	}
	m->phi = w->phi;
	m->has_season = w->season;
}

/* Sets the starting point: factors 1, the base at the mean day. */
static void
start(struct work *w)
{
	double sum = 0;

	for (int i = 0; i < w->n; i++)
		sum += w->y[i];
	memset(w->gamma, 0, sizeof w->gamma);
	memset(w->theta, 0, sizeof w->theta);
	w->theta[0] = sum / w->n;
	w->phi = 0;
	for (int i = 0; i < w->n; i++)
		w->mu[i] = fmax(w->theta[0], 1e-9);
}

bool
fc_fit(const struct fc_days *days, size_t n_hist, struct fc_model *m,
    const char **cause)
{
	struct work w = { .days = days, .season = n_hist >= FC_SEASON_DAYS };
	double fill;

	memset(m, 0, sizeof *m);
	m->show_rate = FC_SHOW_RATE;
	if (n_hist > days->n) {
		*cause = "more history days than days given";
		return false;
	}
	if (!check_counts(days, n_hist, cause))
		return false;
	fill = m->expiry_fill = expiry_mean(days);
	w.y = xcalloc(n_hist + 1, sizeof *w.y);
	w.mu = xcalloc(n_hist + 1, sizeof *w.mu);
	w.x = xcalloc((n_hist + 1) * NX, sizeof *w.x);
	w.b = xcalloc((n_hist + 1) * NI, sizeof *w.b);
	w.n = build_rows(&w, n_hist, fill);
	if (w.n < FC_MIN_DAYS) {
		*cause = "fewer than 28 open days of history";
	} else {
		start(&w);
		m->iterations = fit_rounds(&w);
		store(&w, m);
		m->days_used = w.n;
		fit_typical(days, n_hist, m);
		fit_profiles(days, n_hist, m);
	}
	free(w.y);
	free(w.mu);
	free(w.x);
	free(w.b);
	return w.n >= FC_MIN_DAYS;
}

int
fc_level(double count, double typical)
{
	double r;

	if (!(typical > 0))
		return 1;
	r = count / typical;
	return r < FC_LEVEL2 ? 1 : r < FC_LEVEL3 ? 2 : r < FC_LEVEL4 ? 3 : r < FC_LEVEL5 ? 4 : 5;
}

int
fc_lag_peak(const struct fc_model *m)
{
	int best = -1;

	for (int l = 0; l <= FC_MAX_LAG; l++)
		if (m->lag[l] > 0 && (best < 0 || m->lag[l] > m->lag[best]))
			best = l;
	return best;
}

double
fc_nb_quantile(double mu, double phi, double q)
{
	double cdf = 0, logp, r, lq;
	double limit = mu + 40 * sqrt(mu + phi * mu * mu) + 50;

	if (!(mu > 0))
		return 0;
	phi = fmax(phi, 1e-9);
	r = 1 / phi;
	logp = -r * log1p(mu / r);		/* log P(X = 0) */
	lq = log(mu / (mu + r));		/* log of the NB success complement */
	for (double k = 0; k < limit; k++) {
		cdf += exp(logp);
		if (cdf >= q)
			return k;
		logp += log((k + r) / (k + 1)) + lq;
	}
	return floor(limit);
}

/* The expected tickets on day i before any floor. */
static double
day_mean(const struct fc_model *m, const struct fc_days *days, size_t i)
{
	double x[NX], eta, inner = m->base;

	x_row(days, i, m->has_season, x);
	eta = log(m->weekday[cdate_weekday(days->first + (cdate)i)]) +
	    x[X_AFTER] * log(m->after_closure) + x[X_LONG] * log(m->after_long);
	for (int k = 0; k < 4; k++)
		eta += x[X_SEASON + k] * m->season[k];
	for (int l = 0; l <= FC_MAX_LAG; l++)
		inner += m->lag[l] * expiries_on(days, i + (size_t)l, m->expiry_fill);
	return exp(eta) * fmax(inner, 0);
}

/* Spreads a day's tickets over its open hours by the weekday's profile. */
static void
spread_hours(const struct fc_model *m, uint32_t open, int wd, double total,
    struct fc_forecast *out)
{
	double mass = 0;
	int hours = __builtin_popcount(open);

	for (int h = 0; h < FC_HOURS; h++)
		if (open & (UINT32_C(1) << h))
			mass += m->profile[wd][h];
	for (int h = 0; h < FC_HOURS; h++) {
		if (!(open & (UINT32_C(1) << h)))
			continue;
		out->hour[h] = total * (mass > 0 ? m->profile[wd][h] / mass : 1.0 / hours);
		out->hour_level[h] = fc_level(out->hour[h], m->typical_hour);
	}
}

void
fc_predict(const struct fc_model *m, const struct fc_days *days, size_t i,
    struct fc_forecast *out)
{
	const struct fc_day *d = &days->day[i];

	memset(out, 0, sizeof *out);
	if (d->open_hours == 0)
		return;
	out->open = true;
	out->expected = fmax(day_mean(m, days, i), d->booked * m->show_rate);
	out->low = fc_nb_quantile(out->expected, m->phi, FC_LOW_Q);
	out->high = fc_nb_quantile(out->expected, m->phi, FC_HIGH_Q);
	out->level = fc_level(out->expected, m->typical_day);
	spread_hours(m, d->open_hours, cdate_weekday(days->first + (cdate)i),
	    out->expected, out);
}
