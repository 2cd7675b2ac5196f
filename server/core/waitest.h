/*
 * Wait estimates for a counter queue, one struct waitest per office. Pure: no
 * libevent, no I/O, no global state; instants come in as seconds (any epoch,
 * the same one throughout).
 *
 * Service time is learned per service from the day's completed services: the
 * last WAITEST_WINDOW durations, each clamped to within a factor 3 of their
 * median, averaged with weights that halve every WAITEST_HALF_LIFE samples, so
 * the estimate follows a day that drifts (staff tiring, a cluster of PIN resets)
 * while one odd service moves it little. Durations under WAITEST_MIN_SAMPLE_S
 * (a called ticket nobody answered) or over WAITEST_MAX_SAMPLE_S (a ticket left
 * open at the counter) are refused. Until data exists the configured handling
 * time is used; it enters the average as WAITEST_SEED_WEIGHT samples older than
 * all real ones, so it fades as the day's samples arrive (a quarter of its
 * weight is left after 16 samples; with the window full it makes about 2 % of
 * the mean). Samples older than WAITEST_MAX_AGE_S (yesterday's) are ignored,
 * so each day starts again from the seed.
 *
 * The wait for a new arrival treats the open counters as servers that free up
 * at the expected remaining time of the ticket each is serving (the learned
 * mean less its elapsed time, but never below a quarter of the mean: a service
 * that overruns is not about to end), then every mean service time after that.
 * The arrival starts at the counter that frees after everyone ahead of it has
 * started: due reservations, the walk-ins waiting, and the reservations whose
 * slot comes before that moment (they are served first when due). Fractional
 * counter counts interpolate between the whole counts around them. With more
 * tickets in service than counters open (a counter closing after its last
 * ticket), the soonest-ending ones are taken to be at the open counters.
 */
#ifndef MADOGUCHI_WAITEST_H
#define MADOGUCHI_WAITEST_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct waitest;

/* Most services one office tracks. */
#define WAITEST_MAX_SERVICES	16
/* Completed services remembered per service (the sliding window). */
#define WAITEST_WINDOW		32
/* Samples over which a sample's weight halves (newest weighs 1). */
#define WAITEST_HALF_LIFE	8
/* Weight of the configured handling time before any sample exists. */
#define WAITEST_SEED_WEIGHT	4.0
/* Shortest duration learned from, in seconds. */
#define WAITEST_MIN_SAMPLE_S	10.0
/* Longest duration learned from, in seconds (4 hours). */
#define WAITEST_MAX_SAMPLE_S	(4.0 * 3600)
/* Samples older than this many seconds are forgotten (a new day). */
#define WAITEST_MAX_AGE_S	(12 * 3600)
/* Most counters a wait is computed for; more are counted as this many. */
#define WAITEST_MAX_COUNTERS	64
/* Longest estimate returned, in minutes (a week); longer waits are cut to it. */
#define WAITEST_MAX_MIN		(7.0 * 24 * 60)
/* Longest configured handling time accepted, in minutes. */
#define WAITEST_MAX_SEED_MIN	(WAITEST_MAX_SAMPLE_S / 60)
/* Default thresholds for the busy and very_busy flags, in minutes. */
#define WAITEST_BUSY_MIN	30.0
#define WAITEST_VERY_BUSY_MIN	60.0

/* How crowded a wait is, as GET /queue and each ticket report it. */
enum waitest_flag {
	WAITEST_NORMAL,		/* below the busy threshold */
	WAITEST_BUSY,		/* at least busy_min, below very_busy_min */
	WAITEST_VERY_BUSY,	/* at least very_busy_min */
};

/* A ticket being served now at a counter that serves the estimated service. */
struct waitest_serving {
	size_t service;		/* the service index of that ticket */
	double elapsed_s;	/* seconds since it was called (negative counts as 0) */
};

/* What stands between a new arrival and a counter, for one service. */
struct waitest_queue {
	size_t waiting;		/* walk-in tickets waiting ahead for this service */
	size_t due;		/* checked-in reservations whose slot has come, not yet called */
	const struct waitest_serving *serving;	/* tickets at those counters, or NULL */
	size_t n_serving;	/* entries in serving */
	const double *upcoming_s;	/* seconds until each later reservation's slot, or NULL */
	size_t n_upcoming;	/* entries in upcoming_s */
	double counters;	/* counters open for it, a shared one as a share; below 1 is 1 */
};

/*
 * Creates the estimator of one office with n_services services, service i
 * seeded with the configured handling time seed_min[i] in minutes. Returns
 * NULL when n_services is 0 or above WAITEST_MAX_SERVICES, a seed is not a
 * finite number from 1/6 (10 seconds) to WAITEST_MAX_SEED_MIN, or memory runs
 * out. The caller frees it with waitest_free.
 */
struct waitest *waitest_new(const double *seed_min, size_t n_services)
    __attribute__((warn_unused_result));
/* Frees an estimator; NULL is allowed. */
void waitest_free(struct waitest *est);
/*
 * Replaces the configured handling time of service (a reload), keeping what
 * was learned. Returns false and changes nothing when service or seed_min is
 * out of the bounds waitest_new accepts.
 */
bool waitest_set_seed(struct waitest *est, size_t service, double seed_min)
    __attribute__((warn_unused_result));
/* Forgets every sample, so each service is back at its seed. */
void waitest_reset(struct waitest *est);
/*
 * Records one completed service of duration_s seconds that ended at now_s.
 * Returns false, learning nothing, when service is out of range or the
 * duration is not finite or outside WAITEST_MIN_SAMPLE_S..WAITEST_MAX_SAMPLE_S.
 */
bool waitest_observe(struct waitest *est, size_t service, double duration_s,
    int64_t now_s) __attribute__((warn_unused_result));
/*
 * The learned mean service time of service at now_s, in minutes (the seed
 * until samples exist); 0 when service is out of range.
 */
double waitest_service_minutes(const struct waitest *est, size_t service,
    int64_t now_s);
/*
 * The estimated wait in minutes, from 0 to WAITEST_MAX_MIN, for a walk-in who
 * joins the queue of service at now_s behind q. It never falls as q->waiting or
 * q->due grows, never rises as q->counters grows, and is 0 when nobody waits
 * ahead and a counter is free. Returns 0 when service is out of range.
 */
double waitest_estimate(const struct waitest *est, size_t service,
    const struct waitest_queue *q, int64_t now_s);
/* The flag for a wait of minutes given the thresholds (very_busy wins ties). */
enum waitest_flag waitest_flag(double minutes, double busy_min,
    double very_busy_min);
/* The flag's name in the API: "normal", "busy" or "very_busy". */
const char *waitest_flag_name(enum waitest_flag flag);

#endif
