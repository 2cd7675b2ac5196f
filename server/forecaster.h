/*
 * The forecasting worker: one thread beside the event loop, with its own
 * blocking database connection, that fits each office's demand model
 * (core/forecast.c) from the tickets (live and imported), the municipality's
 * expiry counts and the calendar, and runs what-if simulations (core/qsim.c).
 * The loop never waits on it: jobs go in under a mutex, results come back as
 * immutable snapshots through a pipe the loop watches, and requests answer
 * from the last snapshot of their office. Fits run at start-up, after a
 * history import or an expiries upload (a "forecast" notification on any
 * daemon), and nightly.
 */
#ifndef MADOGUCHI_FORECASTER_H
#define MADOGUCHI_FORECASTER_H

#include "core/cdate.h"
#include "core/forecast.h"

#include <stdbool.h>
#include <stddef.h>
#include <time.h>

struct config;
struct config_office;
struct event_base;
struct forecaster;

/* Services a snapshot keeps shares for, at most. */
#define FCR_MAX_SERVICES 16
/* Days of history a fit reads, at most. */
#define FCR_HISTORY_DAYS 730
/* Forecasts reach this many days past today, at most. */
#define FCR_AHEAD_DAYS 366
/* Days looked back from a forecast's first day for the closure before it. */
#define FCR_LOOKBACK_DAYS 14
/* Service time assumed (log-scale sigma) when too few were measured. */
#define FCR_DEFAULT_LOG_SD 0.4
/* Done tickets needed before their service times are used. */
#define FCR_MIN_SERVICE_SAMPLES 20

/* What the worker learned about one office; immutable once published. */
struct fc_snapshot {
	char office[64];		/* the office id */
	time_t generated_at;		/* when the fit ran */
	cdate today;			/* the day it was fitted on */
	bool ok;			/* a model was fitted */
	char cause[160];		/* why not, when !ok */
	struct fc_model *model;		/* the model when ok, else NULL */
	cdate exp_first;		/* date of expiries[0] */
	size_t exp_n;			/* dates in expiries: the first known to the last */
	double *expiries;		/* certificates + cards expiring per date; NAN unknown
					   (as is every date outside); NULL when none known */
	size_t nservices;		/* services with tickets in the history */
	char services[FCR_MAX_SERVICES][32];	/* their ids */
	double share[FCR_MAX_SERVICES];	/* each one's share of the tickets */
	double service_mean_min;	/* mean minutes from first call to done */
	double service_log_sd;		/* standard deviation of the log service time */
	long service_n;			/* done tickets measured (0: the fallback from slots) */
};

/* A what-if day for the worker: inputs, then outputs once done runs. */
struct fc_sim_job {
	/* Inputs. */
	double arrivals[FC_HOURS];	/* expected walk-ins per hour (factor applied) */
	int open_from[FC_HOURS];	/* first open second of each hour's arrivals */
	int open_to[FC_HOURS];		/* and the end; equal when closed */
	int counters[FC_HOURS];		/* counters open from each hour on */
	double service_mean_min;	/* lognormal service time: mean ... */
	double service_log_sd;		/* ... and log-scale sigma */
	int runs;			/* days simulated */
	uint64_t seed;			/* the first run's seed */
	/* Outputs. */
	bool ok;			/* false: somebody would wait forever */
	double wait_p50_min, wait_p90_min;	/* over everybody of every run */
	double served;			/* mean people served per run */
	double max_queue;		/* mean of each run's longest queue */
	double hour_arrivals[FC_HOURS];	/* mean arrivals per run and hour */
	double hour_wait_p90[FC_HOURS];	/* p90 wait of that hour's arrivals; NAN: none */
	/* Completion, on the loop thread. */
	void (*done)(struct fc_sim_job *job);
	void *arg;			/* the caller's */
};

/* Starts the worker with its own connection string; fits start with forecaster_refit. */
struct forecaster *forecaster_new(struct event_base *base, const char *conninfo);
/*
 * The configuration in force (a reference is kept; give the new one after a
 * reload): waiting fits are made from it when their turn comes.
 */
void forecaster_configure(struct forecaster *f, struct config *cfg);
/* Stops the worker (after its current job), runs pending completions, frees all. */
void forecaster_free(struct forecaster *f);
/*
 * Queues a fit of office (every office of cfg when NULL); each is made from
 * the configuration in force when its turn comes, as of that day.
 */
void forecaster_refit(struct forecaster *f, const struct config *cfg, const char *office);
/* Refits offices never fitted or failed for want of the database, and all nightly. */
void forecaster_maintain(struct forecaster *f, const struct config *cfg);
/* The last snapshot of office, or NULL before its first fit finished. */
const struct fc_snapshot *forecaster_get(const struct forecaster *f, const char *office);
/* Queues a simulation; job->done runs on the loop when it is finished. */
void forecaster_simulate(struct forecaster *f, struct fc_sim_job *job);
/* Fits finished since start (for tests and logs). */
unsigned long forecaster_fits(const struct forecaster *f);

/* Bit h set when the office is open at some minute of hour h on day (from cal_day). */
uint32_t forecaster_open_hours(const struct config_office *o, cdate d, bool *weekly_closed);
/*
 * Forecasts the days from..to (at most FCR_AHEAD_DAYS + FCR_HISTORY_DAYS apart
 * from the fit) of s's office o into out[0..to-from], with booked[i] the
 * reservations booked on from+i (NULL: none). s must be ok.
 */
void forecaster_predict(const struct fc_snapshot *s, const struct config_office *o,
    cdate from, cdate to, const double *booked, struct fc_forecast *out);
/* The share of the office's tickets that were service (0 when never seen). */
double forecaster_share(const struct fc_snapshot *s, const char *service);

#endif
