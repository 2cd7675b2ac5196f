/*
 * The database pool: a few libpq connections driven by the event loop with the
 * asynchronous API, so no request ever blocks the daemon. Statements are
 * prepared on each connection the first time they are used; parameters are
 * always bound. When PostgreSQL goes away, waiting work fails at once (the
 * caller answers 503) and connections come back by themselves with backoff.
 */
#ifndef MADOGUCHI_DB_H
#define MADOGUCHI_DB_H

#include <event2/event.h>
#include <libpq-fe.h>
#include <stdbool.h>

#define DB_MAX_PARAMS 32

/* A statement; declare it static in the module that runs it. */
struct db_stmt {
	const char *sql;	/* with $1..$n placeholders */
	int nparams;		/* how many */
	int id;			/* assigned on first use; 0 until then */
};

/* The outcome of one statement, valid only during the callback. */
struct db_result {
	const PGresult *pg;	/* the result when the statement ran, else NULL */
	bool ok;		/* it ran and succeeded */
	bool unavailable;	/* the database could not be reached (answer 503) */
	const char *sqlstate;	/* "23505" etc. on an SQL error, else "" */
	const char *error;	/* a message for logs on any failure, else "" */
};

/* Called once per db_exec, from the event loop. */
typedef void db_result_fn(const struct db_result *res, void *arg);

struct db_pool;

/*
 * Creates a pool of size connections and starts connecting. Each connection
 * asks the server to end a statement after statement_timeout_s; a statement
 * still unanswered a few seconds past that loses its connection and fails as
 * unavailable.
 */
struct db_pool *db_pool_new(struct event_base *base, const char *conninfo, int size,
    int connect_timeout_s, int statement_timeout_s);
/* Closes every connection; pending callbacks run with unavailable set. */
void db_pool_free(struct db_pool *pool);
/*
 * Queues stmt with params (copied). Returns false when no connection is up or
 * the queue is full: the callback will not run, answer 503 at once.
 */
bool db_exec(struct db_pool *pool, struct db_stmt *stmt, const char *const *params,
    db_result_fn *fn, void *arg) __attribute__((warn_unused_result));
/*
 * Takes back a statement queued with arg that no connection has sent yet; its
 * callback will not run. False when there is none (it is running or done).
 */
bool db_withdraw(struct db_pool *pool, void *arg);
/* True for a SQLSTATE that running the statement again can cure (40001, 40P01). */
bool db_retryable(const char *sqlstate);
/* Statements run again after a deadlock or serialization failure (for /metrics). */
extern unsigned long db_conflicts_retried;
/* True when at least one connection is ready. */
bool db_is_up(const struct db_pool *pool);
/* Connections lost since start (each comes back by itself), for /metrics. */
unsigned long db_reconnects(const struct db_pool *pool);
/* Counts for /metrics and logs. */
void db_stats(const struct db_pool *pool, int *up, int *busy, int *queued);

#endif
