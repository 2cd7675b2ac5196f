/*
 * Asynchronous libpq pool. Each connection is a small state machine driven by
 * one event on its socket: CONNECTING (PQconnectPoll), IDLE (watching for the
 * server closing), BUSY (flushing, then reading results). A FIFO holds work
 * while every connection is busy.
 */
#include "db.h"

#include "log.h"
#include "core/xmalloc.h"

#include <stdlib.h>
#include <string.h>

#define DB_MAX_STMTS 256	/* distinct statements at most */
#define DB_MAX_QUEUE 4096	/* queued statements before new work is refused */
#define BACKOFF_MIN_MS 200
#define BACKOFF_MAX_MS 3000
#define DB_RETRIES 3		/* runs of a statement that lost a deadlock or serialization */
/*
 * The daemon's own limit for an answer to a statement it sent is the server's
 * statement_timeout and this margin. Past it the connection is dropped (the
 * server rolls back what it had not committed) and the request answered 503. It
 * bounds what the server's limit cannot: a statement queued in a pooler that
 * waits for a server it cannot reach, or a network gone silent before the
 * keepalives notice.
 */
#define ANSWER_MARGIN_S 5

/* Where a connection is in its life. */
enum conn_state {
	CONN_DOWN,		/* no connection; a reconnect timer is pending */
	CONN_CONNECTING,	/* PQconnectPoll in progress */
	CONN_IDLE,		/* ready for work */
	CONN_PREPARING,		/* preparing the job's statement */
	CONN_BUSY,		/* the job's statement is running */
};

/* One queued or running statement. */
struct job {
	struct db_stmt *stmt;			/* what to run */
	char *params[DB_MAX_PARAMS];		/* copies of the parameters */
	db_result_fn *fn;			/* called once with the outcome */
	void *arg;				/* for fn */
	int runs;				/* times sent so far */
	struct job *next;			/* queue link */
};

/* One pooled connection. */
struct conn {
	struct db_pool *pool;			/* owner */
	int index;				/* for logs */
	enum conn_state state;			/* see above */
	PGconn *pg;				/* NULL when DOWN */
	struct event *ev;			/* socket readiness */
	evutil_socket_t ev_fd;			/* the socket ev watches */
	short ev_what;				/* and for what */
	struct event *timer;			/* reconnect backoff, connect timeout or answer deadline */
	int backoff_ms;				/* next reconnect delay */
	struct job *job;			/* the running job, if any */
	PGresult *last;				/* last result of the running job */
	bool deadline_armed;			/* timer holds the running job's deadline */
	unsigned char prepared[DB_MAX_STMTS];	/* statements prepared here */
};

struct db_pool {
	struct event_base *base;	/* the daemon's loop */
	char *conninfo;			/* libpq connection string */
	int connect_timeout_s;		/* limit for one connection attempt */
	int statement_timeout_s;	/* the server's limit for one statement */
	struct conn *conns;		/* size of them */
	int size;
	struct job *head, *tail;	/* waiting work, FIFO */
	int queued;			/* length of the queue */
	bool was_up;			/* for logging transitions once */
	unsigned long reconnects;	/* connections lost and restarted, for /metrics */
};

/* Statement ids are handed out once per process. */
static int next_stmt_id;

unsigned long db_conflicts_retried;

bool
db_retryable(const char *sqlstate)
{
	return strcmp(sqlstate, "40001") == 0 || strcmp(sqlstate, "40P01") == 0;
}

static void conn_start(struct conn *c);
static void conn_on_socket(evutil_socket_t fd, short what, void *arg);
static void dispatch(struct db_pool *pool);

/* Frees a job's parameter copies and the job. */
static void
job_free(struct job *j)
{
	for (int i = 0; i < DB_MAX_PARAMS; i++)
		free(j->params[i]);
	free(j);
}

/* Runs a job's callback with a failure and frees it. */
static void
job_fail(struct job *j, bool unavailable, const char *error)
{
	struct db_result r = { .pg = NULL, .ok = false, .unavailable = unavailable,
		.sqlstate = "", .error = error };

	j->fn(&r, j->arg);
	job_free(j);
}

/*
 * Waits on the connection's socket for what (EV_READ and/or EV_WRITE). The
 * event is changed only when the socket or the interest changes: it is on
 * every statement's path.
 */
static void
conn_watch(struct conn *c, short what)
{
	evutil_socket_t fd = PQsocket(c->pg);

	if (c->ev != NULL && c->ev_fd == fd && c->ev_what == what)
		return;
	if (c->ev == NULL) {
		c->ev = event_new(c->pool->base, fd, what | EV_PERSIST, conn_on_socket, c);
	} else {
		event_del(c->ev);
		event_assign(c->ev, c->pool->base, fd, what | EV_PERSIST, conn_on_socket, c);
	}
	c->ev_fd = fd;
	c->ev_what = what;
	event_add(c->ev, NULL);
}

/* True when any connection is ready or working. */
static bool
pool_up(const struct db_pool *pool)
{
	for (int i = 0; i < pool->size; i++) {
		if (pool->conns[i].state >= CONN_IDLE)
			return true;
	}
	return false;
}

/* Fails all queued work: with no connection up nobody would run it soon. */
static void
fail_queue(struct db_pool *pool)
{
	struct job *j;

	while ((j = pool->head) != NULL) {
		pool->head = j->next;
		pool->queued--;
		job_fail(j, true, "database unavailable");
	}
	pool->tail = NULL;
}

/* Tears a connection down and schedules a reconnect with backoff. */
static void
conn_lost(struct conn *c, const char *why)
{
	struct job *j = c->job;
	struct timeval tv;

	if (c->state >= CONN_IDLE || c->pool->was_up)
		log_warn("db: connection %d lost: %s", c->index, why);
	c->pool->reconnects++;
	if (c->ev != NULL)
		event_free(c->ev);
	c->ev = NULL;
	if (c->last != NULL)
		PQclear(c->last);
	c->last = NULL;
	PQfinish(c->pg);
	c->pg = NULL;
	c->job = NULL;
	c->state = CONN_DOWN;
	c->deadline_armed = false;
	memset(c->prepared, 0, sizeof c->prepared);
	tv.tv_sec = c->backoff_ms / 1000;
	tv.tv_usec = (c->backoff_ms % 1000) * 1000;
	evtimer_add(c->timer, &tv);
	c->backoff_ms = c->backoff_ms * 2 > BACKOFF_MAX_MS ? BACKOFF_MAX_MS : c->backoff_ms * 2;
	if (j != NULL)
		job_fail(j, true, why);
	if (!pool_up(c->pool)) {
		if (c->pool->was_up)
			log_error("db: no connection to the database is left; answering 503");
		c->pool->was_up = false;
		fail_queue(c->pool);
	}
}

/* Sends the running job's statement (preparing it first on this connection). */
static void
conn_send(struct conn *c)
{
	struct db_stmt *s = c->job->stmt;
	char name[16];
	int ok;

	snprintf(name, sizeof name, "s%d", s->id);
	if (!c->prepared[s->id]) {
		c->state = CONN_PREPARING;
		ok = PQsendPrepare(c->pg, name, s->sql, s->nparams, NULL);
	} else {
		c->state = CONN_BUSY;
		ok = PQsendQueryPrepared(c->pg, name, s->nparams,
		    (const char *const *)c->job->params, NULL, NULL, 0);
	}
	if (!ok) {
		conn_lost(c, PQerrorMessage(c->pg));
		return;
	}
	if (!c->deadline_armed) {
		struct timeval tv = { c->pool->statement_timeout_s + ANSWER_MARGIN_S, 0 };
		evtimer_add(c->timer, &tv);
		c->deadline_armed = true;
	}
	conn_watch(c, EV_READ | EV_WRITE);
}

/* Hands the result of a finished job to its callback; the connection is idle again. */
static void
conn_finish_job(struct conn *c)
{
	struct job *j = c->job;
	PGresult *res = c->last;
	ExecStatusType st = res ? PQresultStatus(res) : PGRES_FATAL_ERROR;
	struct db_result r = { 0 };

	c->job = NULL;
	c->last = NULL;
	c->state = CONN_IDLE;
	evtimer_del(c->timer);
	c->deadline_armed = false;
	conn_watch(c, EV_READ);
	r.pg = res;
	r.ok = st == PGRES_TUPLES_OK || st == PGRES_COMMAND_OK;
	r.sqlstate = res && PQresultErrorField(res, PG_DIAG_SQLSTATE) ?
	    PQresultErrorField(res, PG_DIAG_SQLSTATE) : "";
	r.error = res ? PQresultErrorMessage(res) : "no result";
	if (!r.ok && db_retryable(r.sqlstate) && j->runs < DB_RETRIES) {
		/* Each statement is its own transaction: running it again is safe. */
		log_info("db: statement s%d lost a conflict (%s); running it again", j->stmt->id,
		    r.sqlstate);
		db_conflicts_retried++;
		PQclear(res);
		j->next = c->pool->head;
		c->pool->head = j;
		if (c->pool->tail == NULL)
			c->pool->tail = j;
		c->pool->queued++;
		return;
	}
	if (!r.ok)
		log_warn("db: statement s%d failed: %s", j->stmt->id, r.error);
	j->fn(&r, j->arg);
	job_free(j);
	PQclear(res);
}

/* Reads what the server sent while a statement runs. */
static void
conn_read_results(struct conn *c)
{
	PGresult *res;

	if (!PQconsumeInput(c->pg)) {
		conn_lost(c, PQerrorMessage(c->pg));
		return;
	}
	while (!PQisBusy(c->pg)) {
		if ((res = PQgetResult(c->pg)) == NULL)
			break;
		if (c->last != NULL)
			PQclear(c->last);
		c->last = res;
	}
	if (PQisBusy(c->pg))
		return;
	if (c->state == CONN_PREPARING) {
		bool ok = c->last && PQresultStatus(c->last) == PGRES_COMMAND_OK;
		if (!ok) {
			conn_finish_job(c);	/* reports the prepare error */
			dispatch(c->pool);
			return;
		}
		PQclear(c->last);
		c->last = NULL;
		c->prepared[c->job->stmt->id] = 1;
		conn_send(c);
		return;
	}
	conn_finish_job(c);
	dispatch(c->pool);
}

/* Advances a connection attempt. */
static void
conn_poll_connect(struct conn *c)
{
	switch (PQconnectPoll(c->pg)) {
	case PGRES_POLLING_READING:
		conn_watch(c, EV_READ);
		return;
	case PGRES_POLLING_WRITING:
		conn_watch(c, EV_WRITE);
		return;
	case PGRES_POLLING_OK:
		break;
	default:
		conn_lost(c, PQerrorMessage(c->pg));
		return;
	}
	evtimer_del(c->timer);
	if (PQsetnonblocking(c->pg, 1) != 0) {
		conn_lost(c, "cannot make the connection non-blocking");
		return;
	}
	c->state = CONN_IDLE;
	c->backoff_ms = BACKOFF_MIN_MS;
	conn_watch(c, EV_READ);
	if (!c->pool->was_up)
		log_info("db: connected (%s)", PQparameterStatus(c->pg, "server_version"));
	c->pool->was_up = true;
	dispatch(c->pool);
}

/* Socket readiness, whatever the state. */
static void
conn_on_socket(evutil_socket_t fd, short what, void *arg)
{
	struct conn *c = arg;
	PGnotify *n;

	(void)fd;
	switch (c->state) {
	case CONN_CONNECTING:
		conn_poll_connect(c);
		return;
	case CONN_IDLE:
		/* Only the server closing or a notification can arrive now. */
		if (!PQconsumeInput(c->pg) || PQstatus(c->pg) == CONNECTION_BAD) {
			conn_lost(c, PQerrorMessage(c->pg));
			return;
		}
		while ((n = PQnotifies(c->pg)) != NULL)
			PQfreemem(n);
		return;
	case CONN_PREPARING:
	case CONN_BUSY:
		if (what & EV_WRITE) {
			int f = PQflush(c->pg);
			if (f < 0) {
				conn_lost(c, PQerrorMessage(c->pg));
				return;
			}
			if (f == 0)
				conn_watch(c, EV_READ);
		}
		if (what & EV_READ)
			conn_read_results(c);
		return;
	case CONN_DOWN:
		return;
	}
}

/*
 * Timer: reconnect after backoff, give up on a slow connection attempt, or on
 * a statement whose answer is overdue.
 */
static void
conn_on_timer(evutil_socket_t fd, short what, void *arg)
{
	struct conn *c = arg;

	(void)fd, (void)what;
	if (c->state == CONN_CONNECTING)
		conn_lost(c, "connection attempt timed out");
	else if (c->state == CONN_DOWN)
		conn_start(c);
	else if (c->state == CONN_PREPARING || c->state == CONN_BUSY)
		conn_lost(c, "no answer to a statement within its deadline");
}

/* Starts a non-blocking connection attempt. */
static void
conn_start(struct conn *c)
{
	static const char *const keys[] = { "dbname", "application_name", "keepalives",
		"keepalives_idle", "keepalives_interval", "keepalives_count", "options", NULL };
	char options[96];
	const char *vals[] = { c->pool->conninfo, "madoguchid", "1", "10", "5", "3",
		options, NULL };
	struct timeval tv = { c->pool->connect_timeout_s, 0 };

	snprintf(options, sizeof options, "-c statement_timeout=%d "
	    "-c idle_in_transaction_session_timeout=30000", c->pool->statement_timeout_s * 1000);
	c->pg = PQconnectStartParams(keys, vals, 1);
	if (c->pg == NULL || PQstatus(c->pg) == CONNECTION_BAD) {
		conn_lost(c, c->pg ? PQerrorMessage(c->pg) : "out of memory");
		return;
	}
	c->state = CONN_CONNECTING;
	evtimer_add(c->timer, &tv);
	conn_poll_connect(c);
}

/* Gives queued work to idle connections. */
static void
dispatch(struct db_pool *pool)
{
	for (int i = 0; i < pool->size && pool->head != NULL; i++) {
		struct conn *c = &pool->conns[i];

		if (c->state != CONN_IDLE)
			continue;
		c->job = pool->head;
		pool->head = c->job->next;
		if (pool->head == NULL)
			pool->tail = NULL;
		pool->queued--;
		c->job->next = NULL;
		c->job->runs++;
		conn_send(c);
	}
}

struct db_pool *
db_pool_new(struct event_base *base, const char *conninfo, int size, int connect_timeout_s,
    int statement_timeout_s)
{
	struct db_pool *pool = xcalloc(1, sizeof *pool);

	pool->base = base;
	pool->conninfo = xstrdup(conninfo);
	pool->connect_timeout_s = connect_timeout_s;
	pool->statement_timeout_s = statement_timeout_s;
	pool->size = size;
	pool->conns = xcalloc((size_t)size, sizeof *pool->conns);
	for (int i = 0; i < size; i++) {
		struct conn *c = &pool->conns[i];
		c->pool = pool;
		c->index = i;
		c->backoff_ms = BACKOFF_MIN_MS;
		c->timer = evtimer_new(base, conn_on_timer, c);
		conn_start(c);
	}
	return pool;
}

void
db_pool_free(struct db_pool *pool)
{
	if (pool == NULL)
		return;
	pool->was_up = false;
	for (int i = 0; i < pool->size; i++) {
		struct conn *c = &pool->conns[i];
		struct job *j = c->job;

		c->job = NULL;
		if (j != NULL)
			job_fail(j, true, "shutting down");
		if (c->ev != NULL)
			event_free(c->ev);
		if (c->last != NULL)
			PQclear(c->last);
		event_free(c->timer);
		PQfinish(c->pg);
	}
	fail_queue(pool);
	free(pool->conns);
	free(pool->conninfo);
	free(pool);
}

bool
db_exec(struct db_pool *pool, struct db_stmt *stmt, const char *const *params,
    db_result_fn *fn, void *arg)
{
	struct job *j;

	if (!pool_up(pool) || pool->queued >= DB_MAX_QUEUE)
		return false;
	if (stmt->id == 0) {
		if (next_stmt_id + 1 >= DB_MAX_STMTS)
			abort();	/* a programming error: raise DB_MAX_STMTS */
		stmt->id = ++next_stmt_id;
	}
	j = xcalloc(1, sizeof *j);
	j->stmt = stmt;
	for (int i = 0; i < stmt->nparams && i < DB_MAX_PARAMS; i++)
		j->params[i] = params[i] ? xstrdup(params[i]) : NULL;
	j->fn = fn;
	j->arg = arg;
	if (pool->tail != NULL)
		pool->tail->next = j;
	else
		pool->head = j;
	pool->tail = j;
	pool->queued++;
	dispatch(pool);
	return true;
}

bool
db_is_up(const struct db_pool *pool)
{
	return pool_up(pool);
}

unsigned long
db_reconnects(const struct db_pool *pool)
{
	return pool->reconnects;
}

void
db_stats(const struct db_pool *pool, int *up, int *busy, int *queued)
{
	*up = *busy = 0;
	for (int i = 0; i < pool->size; i++) {
		*up += pool->conns[i].state >= CONN_IDLE;
		*busy += pool->conns[i].state >= CONN_PREPARING;
	}
	*queued = pool->queued;
}

bool
db_withdraw(struct db_pool *pool, void *arg)
{
	for (struct job **p = &pool->head, *prev = NULL; *p != NULL; prev = *p, p = &(*p)->next) {
		struct job *j = *p;

		if (j->arg != arg)
			continue;
		*p = j->next;
		if (pool->tail == j)
			pool->tail = prev;
		pool->queued--;
		job_free(j);
		return true;
	}
	return false;
}
