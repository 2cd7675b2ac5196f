/*
 * The forecasting worker. Two queues under one mutex: jobs for the thread
 * (fits and simulations, simulations first, since a manager waits on them)
 * and finished jobs for the loop, which a byte on a pipe announces. The
 * thread touches no libevent object and no config: a fit job carries a copy
 * of its office's calendar, and hands back a new snapshot the loop installs
 * in place of the old one.
 *
 * Fits waiting their turn are only offices marked in the snapshot table, in
 * a list on the loop: a few jobs at a time are made from the configuration in
 * force when their turn comes. So thousands of waiting fits cost a link each,
 * hold no configuration (a reload frees the old one at once), and an office a
 * reload removed is not fitted.
 */
#include "forecaster.h"

#include "clock.h"
#include "config.h"
#include "config_load.h"
#include "core/calendar.h"
#include "core/qsim.h"
#include "core/xmalloc.h"
#include "log.h"

#include <errno.h>
#include <event2/event.h>
#include <fcntl.h>
#include <libpq-fe.h>
#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* Buckets of the snapshot table (office ids hash into them). */
#define BUCKETS 256
/* Maintenance calls between retries of fits the database failed. */
#define RETRY_ROUNDS 12
/* Calendar days a fit reads: the history and the expiry look-ahead after it. */
#define CAL_DAYS (FCR_HISTORY_DAYS + FC_MAX_LAG + 1)
/* Expiry dates a fit reads: from the history's first day to the last forecast's lags. */
#define EXP_DAYS (FCR_HISTORY_DAYS + FCR_AHEAD_DAYS + FC_MAX_LAG + 1)
/* Fit jobs handed to the thread at once: one running, one ready to start. */
#define FITS_IN_FLIGHT 2

enum job_kind { JOB_FIT, JOB_SIM };

/* One job, on the way to the thread or back. */
struct job {
	enum job_kind kind;		/* which of the parts below is used */
	struct job *next;		/* queue link */
	/* JOB_FIT */
	char municipality[64];		/* the office's municipality */
	char office[64];		/* the office */
	cdate today;			/* the fit's today */
	struct cal_office cal;		/* the office's calendar, copied on the loop */
	double slot_mean_min;		/* fallback service time: the services' mean slot */
	struct fc_snapshot *snap;	/* the result */
	bool db_failed;			/* the database could not be asked */
	/* JOB_SIM */
	struct fc_sim_job *sim;		/* the caller's job */
};

/* An office's entry in the snapshot table (loop thread only). */
struct entry {
	char *office;			/* its id */
	struct fc_snapshot *snap;	/* the last snapshot, or NULL */
	bool pending;			/* a fit is waiting or running */
	bool db_failed;			/* the last fit could not reach the database */
	struct entry *next;		/* bucket chain */
	struct entry *next_fit;		/* the list of fits waiting their turn */
};

struct forecaster {
	char *conninfo;			/* for the thread's connection */
	pthread_t thread;		/* the worker */
	pthread_mutex_t mu;		/* guards the queues and stop */
	pthread_cond_t wake;		/* a job was queued or stop set */
	struct job *fits, *fits_tail;	/* fits to run, in order */
	struct job *sims, *sims_tail;	/* simulations to run, before fits */
	struct job *done;		/* finished jobs for the loop */
	bool stop;			/* the thread should end */
	int pipe_r, pipe_w;		/* the thread writes a byte per finished job */
	struct event *ev;		/* the loop's watch on pipe_r */
	PGconn *pg;			/* the thread's connection, or NULL */
	struct entry *table[BUCKETS];	/* snapshots by office (loop thread) */
	struct entry *waiting, *waiting_tail;	/* fits not handed to the thread yet */
	int fits_out;			/* fit jobs with the thread */
	struct config *cfg;		/* the configuration in force (a reference) */
	cdate nightly;			/* the day every office was last refitted */
	unsigned rounds;		/* maintenance calls */
	unsigned long fits_done;	/* fits installed */
};

/* The FNV-1a hash of s, for the table. */
static unsigned
hash(const char *s)
{
	uint32_t h = 2166136261u;

	while (*s != '\0')
		h = (h ^ (unsigned char)*s++) * 16777619u;
	return h % BUCKETS;
}

/* The entry of office, made when make is true; NULL otherwise when absent. */
static struct entry *
entry_of(const struct forecaster *f, const char *office, bool make)
{
	unsigned b = hash(office);
	struct entry *e = f->table[b];

	while (e != NULL && strcmp(e->office, office) != 0)
		e = e->next;
	if (e == NULL && make) {
		e = xcalloc(1, sizeof *e);
		e->office = xstrdup(office);
		e->next = f->table[b];
		((struct forecaster *)f)->table[b] = e;
	}
	return e;
}

/* Frees a snapshot. */
static void
snapshot_free(struct fc_snapshot *s)
{
	if (s != NULL) {
		free(s->expiries);
		free(s->model);
	}
	free(s);
}

/* Bit h set when the calendar is open at some minute of hour h on d. */
static uint32_t
open_hours(const struct cal_office *cal, cdate d, bool *weekly_closed)
{
	struct cal_day day;
	uint32_t bits = 0;

	cal_day(cal, d, &day);
	for (size_t i = 0; i < day.hours.n; i++) {
		for (int h = 0; h < FC_HOURS; h++) {
			if (day.hours.iv[i].from < (h + 1) * 60 && day.hours.iv[i].to > h * 60)
				bits |= UINT32_C(1) << h;
		}
	}
	if (weekly_closed != NULL)
		*weekly_closed = !day.open && day.reason == CAL_REASON_WEEKLY;
	return bits;
}

/* ---- the worker thread ---- */

/* Connects (again) when there is no good connection; false when the database is away. */
static bool
db_ready(struct forecaster *f)
{
	if (f->pg != NULL && PQstatus(f->pg) == CONNECTION_OK)
		return true;
	if (f->pg != NULL)
		PQfinish(f->pg);
	f->pg = PQconnectdb(f->conninfo);
	if (PQstatus(f->pg) == CONNECTION_OK)
		return true;
	PQfinish(f->pg);
	f->pg = NULL;
	return false;
}

/* Runs a query with text parameters; NULL (connection dropped) when it failed. */
static PGresult *
query(struct forecaster *f, const char *sql, int n, const char *const *p)
{
	PGresult *res = PQexecParams(f->pg, sql, n, NULL, p, NULL, NULL, 0);

	if (PQresultStatus(res) == PGRES_TUPLES_OK)
		return res;
	PQclear(res);
	PQfinish(f->pg);	/* a fresh connection next time */
	f->pg = NULL;
	return NULL;
}

/* Reads hourly ticket counts into days[i].arrivals (day i after first); false on failure. */
static bool
read_counts(struct forecaster *f, const struct job *j, const char *first, const char *today,
    struct fc_day *days)
{
	const char *p[4] = { j->municipality, j->office, first, today };
	PGresult *res = query(f,
	    "SELECT day - $3::date, extract(hour FROM issued_at AT TIME ZONE 'Asia/Tokyo')::int, "
	    "count(*) FROM tickets WHERE municipality = $1 AND office = $2 AND day >= $3::date "
	    "AND day < $4::date GROUP BY 1, 2", 4, p);

	if (res == NULL)
		return false;
	for (int i = 0; i < PQntuples(res); i++) {
		long d = strtol(PQgetvalue(res, i, 0), NULL, 10);
		long h = strtol(PQgetvalue(res, i, 1), NULL, 10);
		if (d >= 0 && d < FCR_HISTORY_DAYS && h >= 0 && h < FC_HOURS)
			days[d].arrivals[h] = strtod(PQgetvalue(res, i, 2), NULL);
	}
	PQclear(res);
	return true;
}

/* Reads the municipality's expiry totals from first (EXP_DAYS of them) into exp. */
static bool
read_expiries(struct forecaster *f, const struct job *j, const char *first, double *exp)
{
	const char *p[3] = { j->municipality, first, NULL };
	char last[11];
	PGresult *res;

	p[2] = cdate_format(cdate_add_days(j->today, EXP_DAYS - FCR_HISTORY_DAYS), last);
	res = query(f, "SELECT date - $2::date, certificates + cards FROM expiries "
	    "WHERE municipality = $1 AND date >= $2::date AND date < $3::date", 3, p);
	if (res == NULL)
		return false;
	for (int i = 0; i < PQntuples(res); i++) {
		long d = strtol(PQgetvalue(res, i, 0), NULL, 10);
		if (d >= 0 && d < EXP_DAYS)
			exp[d] = strtod(PQgetvalue(res, i, 1), NULL);
	}
	PQclear(res);
	return true;
}

/* Reads each service's share of the tickets and the measured service times. */
static bool
read_services(struct forecaster *f, const struct job *j, const char *first, const char *today,
    struct fc_snapshot *s)
{
	const char *p[4] = { j->municipality, j->office, first, today };
	PGresult *res = query(f, "SELECT service, count(*)::float8 / sum(count(*)) OVER () "
	    "FROM tickets WHERE municipality = $1 AND office = $2 AND day >= $3::date "
	    "AND day < $4::date GROUP BY service ORDER BY 2 DESC, 1 LIMIT 16", 4, p);

	if (res == NULL)
		return false;
	for (int i = 0; i < PQntuples(res) && i < FCR_MAX_SERVICES; i++) {
		snprintf(s->services[i], sizeof s->services[i], "%s", PQgetvalue(res, i, 0));
		s->share[i] = strtod(PQgetvalue(res, i, 1), NULL);
		s->nservices++;
	}
	PQclear(res);
	res = query(f, "SELECT count(*), coalesce(avg(m), 0), coalesce(stddev_samp(ln(m)), 0) "
	    "FROM (SELECT extract(epoch FROM done_at - first_called_at) / 60 AS m FROM tickets "
	    "WHERE municipality = $1 AND office = $2 AND day >= $3::date AND day < $4::date "
	    "AND status = 'done' AND first_called_at IS NOT NULL AND done_at > first_called_at) t",
	    4, p);
	if (res == NULL)
		return false;
	s->service_n = strtol(PQgetvalue(res, 0, 0), NULL, 10);
	s->service_mean_min = strtod(PQgetvalue(res, 0, 1), NULL);
	s->service_log_sd = strtod(PQgetvalue(res, 0, 2), NULL);
	PQclear(res);
	if (s->service_n < FCR_MIN_SERVICE_SAMPLES || !(s->service_mean_min > 0)) {
		s->service_mean_min = j->slot_mean_min;
		s->service_log_sd = FCR_DEFAULT_LOG_SD;
	}
	return true;
}

/* Fits the model from the days and expiries read; sets s->ok or s->cause. */
static void
fit_days(const struct job *j, struct fc_day *days, const double *exp, struct fc_snapshot *s)
{
	cdate first = cdate_add_days(j->today, -FCR_HISTORY_DAYS);
	size_t start = FCR_HISTORY_DAYS;
	struct fc_days fd;
	const char *cause;

	for (size_t i = 0; i < CAL_DAYS; i++) {
		uint32_t seen = 0;
		bool weekly;
		for (int h = 0; h < FC_HOURS; h++)
			seen |= days[i].arrivals[h] > 0 ? UINT32_C(1) << h : 0;
		if (seen != 0 && start == FCR_HISTORY_DAYS)
			start = i;	/* history starts with the first day with tickets */
		days[i].open_hours = open_hours(&j->cal, cdate_add_days(first, (int)i), &weekly) |
		    seen;
		days[i].weekly_closed = days[i].open_hours == 0 && weekly;
		days[i].expiries = exp[i];
	}
	if (start == FCR_HISTORY_DAYS) {
		snprintf(s->cause, sizeof s->cause, "the office has no ticket history yet");
		return;
	}
	fd.first = cdate_add_days(first, (int)start);
	fd.day = days + start;
	fd.n = CAL_DAYS - start;
	s->model = xcalloc(1, sizeof *s->model);
	s->ok = fc_fit(&fd, FCR_HISTORY_DAYS - start, s->model, &cause);
	if (!s->ok) {
		snprintf(s->cause, sizeof s->cause, "%s", cause);
		free(s->model);
		s->model = NULL;
	}
}

/*
 * Keeps the expiries of a fitted model, from the first known date to the last
 * (dates outside read as unknown): a municipality that uploaded none costs nothing.
 */
static void
keep_expiries(struct fc_snapshot *s, cdate first, const double *exp)
{
	size_t lo = 0, hi = EXP_DAYS;

	s->exp_first = first;
	s->exp_n = 0;
	s->expiries = NULL;
	if (!s->ok)
		return;
	while (lo < hi && isnan(exp[lo]))
		lo++;
	while (hi > lo && isnan(exp[hi - 1]))
		hi--;
	if (lo == hi)
		return;
	s->exp_first = cdate_add_days(first, (int)lo);
	s->exp_n = hi - lo;
	s->expiries = xreallocarray(NULL, s->exp_n, sizeof *s->expiries);
	memcpy(s->expiries, exp + lo, s->exp_n * sizeof *exp);
}

/* Runs a fit job: reads the rows and fits, leaving the snapshot in j->snap. */
static void
run_fit(struct forecaster *f, struct job *j)
{
	struct fc_snapshot *s = xcalloc(1, sizeof *s);
	struct fc_day *days = xcalloc(CAL_DAYS, sizeof *days);
	double *exp = xreallocarray(NULL, EXP_DAYS, sizeof *exp);
	cdate from = cdate_add_days(j->today, -FCR_HISTORY_DAYS);
	char first[11], today[11];

	snprintf(s->office, sizeof s->office, "%s", j->office);
	s->generated_at = clock_now();
	s->today = j->today;
	for (size_t i = 0; i < EXP_DAYS; i++)
		exp[i] = NAN;
	cdate_format(from, first);
	cdate_format(j->today, today);
	if (!db_ready(f) || !read_counts(f, j, first, today, days) ||
	    !read_expiries(f, j, first, exp) || !read_services(f, j, first, today, s)) {
		j->db_failed = true;
		snprintf(s->cause, sizeof s->cause, "the database could not be read");
	} else {
		/* The fit's calendar is read here: thousands of offices' would hold the loop up. */
		fit_days(j, days, exp, s);
	}
	keep_expiries(s, from, exp);
	free(exp);
	free(days);
	j->snap = s;
}

/* What the service hook draws from. */
struct sim_ctx {
	struct qsim_rng *rng;		/* the run's numbers */
	const struct fc_sim_job *job;	/* mean and sigma */
};

/* A lognormal service duration in seconds. */
static int64_t
sim_service(void *arg, const struct qsim *q, int who, int k, int64_t t)
{
	struct sim_ctx *c = arg;
	double s = qsim_lognormal(c->rng, c->job->service_mean_min * 60, c->job->service_log_sd);

	(void)q, (void)who, (void)k, (void)t;
	return s < 1 ? 1 : (int64_t)s;
}

/* Growable list of waits in minutes. */
struct waits {
	double *v;
	size_t n, cap;
};

/* Appends w. */
static void
waits_add(struct waits *l, double w)
{
	if (l->n == l->cap) {
		l->cap = l->cap ? l->cap * 2 : 256;
		l->v = xreallocarray(l->v, l->cap, sizeof *l->v);
	}
	l->v[l->n++] = w;
}

/* Adds one run's people to the day and sets the counter schedule; false if the schedule is refused. */
static bool
sim_build(struct qsim *q, struct qsim_rng *rng, const struct fc_sim_job *j)
{
	for (int h = 0; h < FC_HOURS; h++) {
		int n = j->open_to[h] > j->open_from[h] ? (int)qsim_poisson(rng, j->arrivals[h]) : 0;
		for (int i = 0; i < n; i++) {
			struct qsim_person p = { 0 };
			p.arrive_s = j->open_from[h] +
			    (int64_t)(qsim_unif(rng) * (j->open_to[h] - j->open_from[h]));
			(void)qsim_add(q, &p);
		}
		if (!qsim_set_counters(q, (int64_t)h * 3600, j->counters[h]))
			return false;
	}
	return true;
}

/* Runs a simulation job: job->runs days, waits pooled over all of them. */
static void
run_sim(struct fc_sim_job *j)
{
	struct qsim q;
	struct qsim_rng rng = { j->seed ? j->seed : 1 };
	struct sim_ctx ctx = { &rng, j };
	struct qsim_hooks hooks = { sim_service, NULL, NULL, &ctx };
	struct waits all = { 0 }, hour[FC_HOURS];
	double served = 0, maxq = 0;

	memset(hour, 0, sizeof hour);
	qsim_init(&q);
	j->ok = true;
	for (int run = 0; run < j->runs && j->ok; run++) {
		qsim_reset(&q);
		j->ok = sim_build(&q, &rng, j) && (q.n == 0 || qsim_run(&q, &hooks));
		for (int i = 0; j->ok && i < q.n; i++) {
			double w = (double)(q.p[i].start_s - q.p[i].arrive_s) / 60.0;
			int h = (int)(q.p[i].arrive_s / 3600);
			waits_add(&all, w);
			waits_add(&hour[h < FC_HOURS ? h : FC_HOURS - 1], w);
		}
		served += q.n;
		maxq += q.max_queue;
	}
	j->served = served / j->runs;
	j->max_queue = maxq / j->runs;
	j->wait_p50_min = qsim_quantile(all.v, all.n, 0.5);
	j->wait_p90_min = qsim_quantile(all.v, all.n, 0.9);
	for (int h = 0; h < FC_HOURS; h++) {
		j->hour_arrivals[h] = (double)hour[h].n / j->runs;
		j->hour_wait_p90[h] = hour[h].n ? qsim_quantile(hour[h].v, hour[h].n, 0.9) : NAN;
		free(hour[h].v);
	}
	free(all.v);
	qsim_done(&q);
}

/* Takes the next job (simulations first), or NULL when told to stop. */
static struct job *
next_job(struct forecaster *f)
{
	struct job *j = NULL;

	pthread_mutex_lock(&f->mu);
	while (!f->stop && f->sims == NULL && f->fits == NULL)
		pthread_cond_wait(&f->wake, &f->mu);
	if (!f->stop && f->sims != NULL) {
		j = f->sims;
		f->sims = j->next;
	} else if (!f->stop) {
		j = f->fits;
		f->fits = j->next;
	}
	pthread_mutex_unlock(&f->mu);
	return j;
}

/* The thread: runs jobs and hands each back through the pipe. */
static void *
worker(void *arg)
{
	struct forecaster *f = arg;
	struct job *j;
	char byte = 1;

	while ((j = next_job(f)) != NULL) {
		if (j->kind == JOB_FIT)
			run_fit(f, j);
		else
			run_sim(j->sim);
		pthread_mutex_lock(&f->mu);
		j->next = f->done;
		f->done = j;
		pthread_mutex_unlock(&f->mu);
		while (write(f->pipe_w, &byte, 1) < 0 && errno == EINTR)
			;
	}
	if (f->pg != NULL)
		PQfinish(f->pg);
	return NULL;
}

/* ---- the loop's side ---- */

static void hand_out(struct forecaster *f);

/* Installs a finished fit. */
static void
install(struct forecaster *f, struct job *j)
{
	struct entry *e = entry_of(f, j->office, true);

	e->pending = false;
	e->db_failed = j->db_failed;
	if (j->db_failed && e->snap != NULL) {
		snapshot_free(j->snap);	/* keep the last good model */
		return;
	}
	snapshot_free(e->snap);
	e->snap = j->snap;
	f->fits_done++;
	if (e->snap->ok)
		log_info("forecast: %s fitted on %d days in %d rounds", j->office,
		    e->snap->model->days_used, e->snap->model->iterations);
	else
		log_info("forecast: %s not fitted: %s", j->office, e->snap->cause);
}

/* The pipe is readable: take every finished job. */
static void
on_done(evutil_socket_t fd, short what, void *arg)
{
	struct forecaster *f = arg;
	struct job *list, *next;
	char buf[64];

	(void)what;
	while (read(fd, buf, sizeof buf) > 0)
		;
	pthread_mutex_lock(&f->mu);
	list = f->done;
	f->done = NULL;
	pthread_mutex_unlock(&f->mu);
	for (; list != NULL; list = next) {
		next = list->next;
		if (list->kind == JOB_FIT) {
			install(f, list);
			f->fits_out--;
		} else {
			list->sim->done(list->sim);
		}
		free(list);
	}
	hand_out(f);
}

struct forecaster *
forecaster_new(struct event_base *base, const char *conninfo)
{
	struct forecaster *f = xcalloc(1, sizeof *f);
	int fds[2];

	f->conninfo = xstrdup(conninfo);
	f->nightly = CDATE_NONE;
	if (pipe(fds) != 0)
		fatal(1, "forecast: cannot make a pipe: %s", strerror(errno));
	f->pipe_r = fds[0], f->pipe_w = fds[1];
	(void)fcntl(f->pipe_r, F_SETFL, O_NONBLOCK);
	(void)fcntl(f->pipe_r, F_SETFD, FD_CLOEXEC);
	(void)fcntl(f->pipe_w, F_SETFD, FD_CLOEXEC);
	pthread_mutex_init(&f->mu, NULL);
	pthread_cond_init(&f->wake, NULL);
	f->ev = event_new(base, f->pipe_r, EV_READ | EV_PERSIST, on_done, f);
	event_add(f->ev, NULL);
	if (pthread_create(&f->thread, NULL, worker, f) != 0)
		fatal(1, "forecast: cannot start the worker thread");
	return f;
}

void
forecaster_free(struct forecaster *f)
{
	pthread_mutex_lock(&f->mu);
	f->stop = true;
	pthread_cond_signal(&f->wake);
	pthread_mutex_unlock(&f->mu);
	pthread_join(f->thread, NULL);
	on_done(f->pipe_r, EV_READ, f);	/* completions the loop has not seen */
	for (struct job *j = f->fits, *next; j != NULL; j = next) {
		next = j->next;
		free(j);
	}
	for (struct job *j = f->sims, *next; j != NULL; j = next) {
		next = j->next;
		j->sim->ok = false;
		j->sim->done(j->sim);
		free(j);
	}
	for (int b = 0; b < BUCKETS; b++) {
		for (struct entry *e = f->table[b], *next; e != NULL; e = next) {
			next = e->next;
			snapshot_free(e->snap);
			free(e->office);
			free(e);
		}
	}
	event_free(f->ev);
	close(f->pipe_r);
	close(f->pipe_w);
	pthread_mutex_destroy(&f->mu);
	pthread_cond_destroy(&f->wake);
	config_unref(f->cfg);
	free(f->conninfo);
	free(f);
}

/* Appends j to a queue and wakes the thread. */
static void
enqueue(struct forecaster *f, struct job *j, struct job **head, struct job **tail)
{
	pthread_mutex_lock(&f->mu);
	if (*head == NULL)
		*head = j;
	else
		(*tail)->next = j;
	*tail = j;
	pthread_cond_signal(&f->wake);
	pthread_mutex_unlock(&f->mu);
}

uint32_t
forecaster_open_hours(const struct config_office *o, cdate d, bool *weekly_closed)
{
	return open_hours(&o->cal, d, weekly_closed);
}

/*
 * Hands waiting fits to the thread while fewer than FITS_IN_FLIGHT are with
 * it, each made from the configuration in force now.
 */
static void
hand_out(struct forecaster *f)
{
	while (f->fits_out < FITS_IN_FLIGHT && f->waiting != NULL) {
		struct entry *e = f->waiting;
		const struct config_office *o;
		struct job *j;
		double slots = 0;
		int minute;

		f->waiting = e->next_fit;
		e->next_fit = NULL;
		if (f->waiting == NULL)
			f->waiting_tail = NULL;
		o = f->cfg != NULL ? config_office(f->cfg, e->office) : NULL;
		if (o == NULL) {	/* gone with a reload */
			e->pending = false;
			continue;
		}
		j = xcalloc(1, sizeof *j);
		j->kind = JOB_FIT;
		snprintf(j->municipality, sizeof j->municipality, "%s",
		    f->cfg->municipalities[o->municipality].id);
		snprintf(j->office, sizeof j->office, "%s", o->id);
		clock_jst(clock_now(), &j->today, &minute);
		j->cal = o->cal;
		for (size_t i = 0; i < o->cal.nservices; i++)
			slots += o->cal.services[i].slot_minutes;
		j->slot_mean_min = o->cal.nservices ? slots / (double)o->cal.nservices : 15;
		f->fits_out++;
		enqueue(f, j, &f->fits, &f->fits_tail);
	}
}

/* Puts a fit of one office in the waiting list unless one is waiting or running already. */
static void
refit_office(struct forecaster *f, const struct config_office *o)
{
	struct entry *e = entry_of(f, o->id, true);

	if (e->pending)
		return;
	e->pending = true;
	if (f->waiting_tail != NULL)
		f->waiting_tail->next_fit = e;
	else
		f->waiting = e;
	f->waiting_tail = e;
}

void
forecaster_configure(struct forecaster *f, struct config *cfg)
{
	config_ref(cfg);
	config_unref(f->cfg);
	f->cfg = cfg;
}

void
forecaster_refit(struct forecaster *f, const struct config *cfg, const char *office)
{
	for (size_t i = 0; i < cfg->noffices; i++) {
		if (office == NULL || strcmp(office, cfg->offices[i].id) == 0)
			refit_office(f, &cfg->offices[i]);
	}
	hand_out(f);
}

void
forecaster_maintain(struct forecaster *f, const struct config *cfg)
{
	cdate today;
	int minute;

	clock_jst(clock_now(), &today, &minute);
	if (f->nightly != today) {
		f->nightly = today;
		forecaster_refit(f, cfg, NULL);
		return;
	}
	if (++f->rounds % RETRY_ROUNDS != 0)
		return;
	for (size_t i = 0; i < cfg->noffices; i++) {
		struct entry *e = entry_of(f, cfg->offices[i].id, false);
		if (e == NULL || (e->db_failed && !e->pending))
			refit_office(f, &cfg->offices[i]);
	}
	hand_out(f);
}

const struct fc_snapshot *
forecaster_get(const struct forecaster *f, const char *office)
{
	const struct entry *e = entry_of(f, office, false);

	return e != NULL ? e->snap : NULL;
}

void
forecaster_simulate(struct forecaster *f, struct fc_sim_job *sim)
{
	struct job *j = xcalloc(1, sizeof *j);

	j->kind = JOB_SIM;
	j->sim = sim;
	enqueue(f, j, &f->sims, &f->sims_tail);
}

unsigned long
forecaster_fits(const struct forecaster *f)
{
	return f->fits_done;
}

void
forecaster_predict(const struct fc_snapshot *s, const struct config_office *o, cdate from,
    cdate to, const double *booked, struct fc_forecast *out)
{
	size_t n = (size_t)(to - from) + 1 + FCR_LOOKBACK_DAYS + FC_MAX_LAG;
	struct fc_day *days = xcalloc(n, sizeof *days);
	cdate first = cdate_add_days(from, -FCR_LOOKBACK_DAYS);
	struct fc_days fd = { first, days, n };

	for (size_t i = 0; i < n; i++) {
		cdate d = cdate_add_days(first, (int)i);
		long e = (long)(d - s->exp_first);
		days[i].open_hours = forecaster_open_hours(o, d, &days[i].weekly_closed);
		days[i].expiries = e >= 0 && (size_t)e < s->exp_n ? s->expiries[e] : NAN;
		if (booked != NULL && d >= from && d <= to)
			days[i].booked = booked[d - from];
	}
	for (cdate d = from; d <= to; d = cdate_add_days(d, 1))
		fc_predict(s->model, &fd, (size_t)(d - first), &out[d - from]);
	free(days);
}

double
forecaster_share(const struct fc_snapshot *s, const char *service)
{
	for (size_t i = 0; i < s->nservices; i++) {
		if (strcmp(s->services[i], service) == 0)
			return s->share[i];
	}
	return 0;
}
