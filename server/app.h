/* The daemon's shared state, one instance, handed to every request. */
#ifndef MADOGUCHI_APP_H
#define MADOGUCHI_APP_H

#include <stdbool.h>
#include <time.h>

struct capacity;
struct avail_cache;
struct config;
struct db_pool;
struct events;
struct forecaster;
struct http_server;
struct ratelimit;
struct staff_cache;
struct event_base;

/* What handlers reach through their request. */
struct app {
	struct event_base *base;	/* the one event loop */
	struct config *cfg;		/* the running config; requests hold a reference */
	struct db_pool *db;		/* the database pool */
	struct events *events;		/* LISTEN connection and event-stream subscribers */
	struct capacity *capacity;	/* capacity rules for online booking, kept current */
	struct forecaster *forecaster;	/* demand models and what-if runs, off the loop */
	struct avail_cache *avail;	/* rendered availability days, kept while unchanged */
	struct http_server *http;	/* the HTTP front end */
	struct ratelimit *ratelimit;	/* per-client request budget */
	struct staff_cache *tokens;	/* staff tokens looked up lately (staff.c) */
	time_t started;			/* when the daemon started (real time) */
	bool draining;			/* SIGTERM seen: finishing what is in flight */
};

#endif
