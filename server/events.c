/*
 * The LISTEN connection and the event streams. The connection is a small state
 * machine on one socket event, like a pool connection (db.c): CONNECTING
 * (PQconnectPoll), SUBSCRIBING (the LISTEN statement), LISTENING (reading
 * notifications). Subscribers hang off a short list per office; each is a
 * request turned stream (req_stream_start), which tells us when its client
 * goes, so the lists never hold a dead connection.
 */
#include "events.h"

#include "app.h"
#include "capacity.h"
#include "avail_cache.h"
#include "clock.h"
#include "config.h"
#include "db.h"
#include "forecaster.h"
#include "log.h"
#include "core/problem.h"
#include "request.h"
#include "staff.h"
#include "staff_cache.h"
#include "core/xmalloc.h"

#include <errno.h>
#include <event2/event.h>
#include <jansson.h>
#include <libpq-fe.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define BACKOFF_MIN_MS 200
#define BACKOFF_MAX_MS 3000
#define TYPE_MAX 32		/* longest event type accepted */
#define EVENTS_REPLAY_MAX 500	/* missed events replayed at most; more is a resync */
#define EVENTS_REPLAY_MAX_SQL "501"

/* Where the LISTEN connection is. */
enum listen_state {
	LISTEN_DOWN,		/* no connection; the backoff timer is pending */
	LISTEN_CONNECTING,	/* PQconnectPoll in progress */
	LISTEN_SUBSCRIBING,	/* LISTEN sent, its result not read yet */
	LISTEN_UP,		/* notifications arrive */
};

struct office_subs;

struct replay;

/* An event that arrived while a stream's missed events were being read. */
struct held {
	long long id;			/* its id */
	char *text;			/* the SSE text */
	size_t len;
	struct held *next;		/* in arrival order */
};

/* One open event stream. */
struct sub {
	struct request *r;		/* the streaming request */
	struct office_subs *office;	/* the list it is on */
	struct sub *prev, *next;	/* that list's links */
	char client[64];		/* the client's address, for its stream limit */
	struct event *lifetime;		/* ends the stream after http.stream_lifetime_s */
	struct replay *replay;		/* the read of missed events, while it runs */
	struct held *held, **held_tail;	/* live events kept until the replay is out */
};

/* A read of the events a reconnecting stream missed. */
struct replay {
	struct events *ev;		/* the owner */
	struct sub *s;			/* the stream, NULL once it has gone */
};

/* The streams of one office. */
struct office_subs {
	char *id;			/* office id */
	struct sub *head;		/* its streams */
	int count;			/* how many */
	struct office_subs *next;	/* next office with (or once with) streams */
};

struct events {
	struct app *app;		/* loop and config */
	char *conninfo;			/* libpq connection string */
	int connect_timeout_s;		/* limit for one connection attempt */
	enum listen_state state;	/* see above */
	PGconn *pg;			/* NULL when DOWN */
	struct event *sock;		/* socket readiness, recreated as the socket changes */
	struct event *timer;		/* reconnect backoff or connect timeout */
	struct event *keepalive;	/* periodic comment to every stream */
	int backoff_ms;			/* next reconnect delay */
	bool was_up;			/* listened before: a return means events were missed */
	bool draining;			/* shutting down: no new streams */
	struct office_subs *offices;	/* streams by office */
	int nsubs;			/* streams open */
};

static void listen_on_socket(evutil_socket_t fd, short what, void *arg);
static void listen_start(struct events *ev);

/* Waits on the connection's socket for what (EV_READ and/or EV_WRITE). */
static void
listen_watch(struct events *ev, short what)
{
	if (ev->sock != NULL)
		event_free(ev->sock);
	ev->sock = event_new(ev->app->base, PQsocket(ev->pg), what | EV_PERSIST,
	    listen_on_socket, ev);
	event_add(ev->sock, NULL);
}

/* Drops the connection and tries again after the backoff. */
static void
listen_lost(struct events *ev, const char *why)
{
	struct timeval tv = { ev->backoff_ms / 1000, (ev->backoff_ms % 1000) * 1000 };

	if (ev->state >= LISTEN_SUBSCRIBING || ev->was_up)
		log_warn("events: connection lost: %s", why);
	/* Revocations may go unheard now: staff tokens are looked up every time. */
	if (ev->app->tokens != NULL)
		staff_cache_set_live(ev->app->tokens, false);
	if (ev->app->avail != NULL)	/* changes are not heard now */
		avail_cache_set_live(ev->app->avail, false);
	if (ev->sock != NULL)
		event_free(ev->sock);
	ev->sock = NULL;
	PQfinish(ev->pg);
	ev->pg = NULL;
	ev->state = LISTEN_DOWN;
	evtimer_add(ev->timer, &tv);
	ev->backoff_ms = ev->backoff_ms * 2 > BACKOFF_MAX_MS ? BACKOFF_MAX_MS : ev->backoff_ms * 2;
}

/* Keeps an event for a stream whose missed events are still being read. */
static void
hold(struct sub *s, long long id, const char *text, size_t len)
{
	struct held *h = xcalloc(1, sizeof *h);

	h->id = id;
	h->text = xstrndup(text, len);
	h->len = len;
	*s->held_tail = h;
	s->held_tail = &h->next;
}

/*
 * Sends text (event id, or 0 for comments and resyncs) to every stream of an
 * office (every stream when office is NULL).
 */
static void
broadcast(struct events *ev, const struct office_subs *office, const char *text, size_t len,
    long long id)
{
	for (struct office_subs *o = ev->offices; o != NULL; o = o->next) {
		if (office != NULL && o != office)
			continue;
		for (struct sub *s = o->head, *next; s != NULL; s = next) {
			next = s->next;		/* a slow reader is dropped (and freed) here */
			if (s->replay != NULL && id > 0)
				hold(s, id, text, len);
			else
				(void)req_stream_write(s->r, text, len);
		}
	}
}

/* The list of an office's streams, or NULL. */
static struct office_subs *
office_find(struct events *ev, const char *id)
{
	struct office_subs *o = ev->offices;

	while (o != NULL && strcmp(o->id, id) != 0)
		o = o->next;
	return o;
}

/* True for an event type fit to be an SSE event name: [a-z_]{1,TYPE_MAX}. */
static bool
type_ok(const char *t)
{
	size_t n = strlen(t);

	return n > 0 && n <= TYPE_MAX && strspn(t, "abcdefghijklmnopqrstuvwxyz_") == n;
}

/*
 * A slot's places changed (AVAIL_NOTIFY_SQL): the cached day goes. Without a
 * service or time the office's every day goes, and office "*" empties the
 * cache, so nothing stale is kept.
 */
static void
slots_changed(struct events *ev, const char *office, json_t *j)
{
	const char *service = json_string_value(json_object_get(j, "service"));
	json_t *at = json_object_get(j, "at");
	cdate day;
	int minute;

	if (ev->app->avail == NULL)
		return;
	if (strcmp(office, "*") == 0) {
		avail_cache_invalidate_all(ev->app->avail);
		return;
	}
	if (service == NULL || !json_is_number(at)) {
		avail_cache_invalidate_office(ev->app->avail, office, service);
		return;
	}
	clock_jst((time_t)json_number_value(at), &day, &minute);
	avail_cache_invalidate_day(ev->app->avail, office, service, day);
}

/* One notification: checks it and sends it to the streams of its office. */
static void
deliver(struct events *ev, const char *payload)
{
	json_error_t err;
	json_t *j = json_loads(payload, JSON_REJECT_DUPLICATES, &err);
	const char *type = json_string_value(json_object_get(j, "type"));
	const char *office = json_string_value(json_object_get(j, "office"));
	struct office_subs *o;
	char *data = NULL, *text = NULL;
	int len;

	if (!json_is_object(j) || type == NULL || office == NULL || !type_ok(type)) {
		log_warn("events: ignoring a notification without a proper type and office: %.200s",
		    payload);
		goto out;
	}
	if (strcmp(type, CAPACITY_NOTIFY_TYPE) == 0) {
		capacity_reload(ev->app->capacity);	/* for this daemon, not for the streams */
		goto out;
	}
	if (strcmp(type, EVENTS_FORECAST_TYPE) == 0) {
		forecaster_refit(ev->app->forecaster, ev->app->cfg,
		    strcmp(office, "*") == 0 ? NULL : office);
		goto out;
	}
	if (strcmp(type, AVAIL_NOTIFY_TYPE) == 0) {
		slots_changed(ev, office, j);	/* for this daemon, not for the streams */
		goto out;
	}
	if ((o = office_find(ev, office)) == NULL || o->count == 0)
		goto out;
	/* Compact JSON has no newline, so it is one data: line. */
	data = json_dumps(j, JSON_COMPACT);
	if (data == NULL || (len = asprintf(&text, "id: %" JSON_INTEGER_FORMAT "\nevent: %s\n"
	    "data: %s\n\n", json_integer_value(json_object_get(j, "id")), type, data)) < 0)
		abort();	/* out of memory */
	broadcast(ev, o, text, (size_t)len, json_integer_value(json_object_get(j, "id")));
out:
	free(text);
	free(data);
	json_decref(j);
}

/* Reads what arrived and hands on every notification. */
static void
listen_read(struct events *ev)
{
	PGnotify *n;

	if (!PQconsumeInput(ev->pg) || PQstatus(ev->pg) == CONNECTION_BAD) {
		listen_lost(ev, PQerrorMessage(ev->pg));
		return;
	}
	while ((n = PQnotifies(ev->pg)) != NULL) {
		if (strcmp(n->relname, EVENTS_CHANNEL) == 0)
			deliver(ev, n->extra);
		else if (strcmp(n->relname, STAFF_CHANNEL) == 0 && ev->app->tokens != NULL)
			staff_cache_flush(ev->app->tokens);	/* a token made or revoked */
		PQfreemem(n);
	}
}

/* The LISTEN statement's results; once all are read, notifications flow. */
static void
listen_subscribed(struct events *ev)
{
	static const char resync[] = "event: resync\ndata: {}\n\n";
	PGresult *res;
	bool ok = true;

	while (!PQisBusy(ev->pg) && (res = PQgetResult(ev->pg)) != NULL) {
		ok = ok && PQresultStatus(res) == PGRES_COMMAND_OK;
		PQclear(res);
	}
	if (PQisBusy(ev->pg))
		return;
	if (!ok) {
		listen_lost(ev, PQerrorMessage(ev->pg));
		return;
	}
	ev->state = LISTEN_UP;
	ev->backoff_ms = BACKOFF_MIN_MS;
	if (ev->app->tokens != NULL)
		staff_cache_set_live(ev->app->tokens, true);
	if (ev->app->avail != NULL)
		avail_cache_set_live(ev->app->avail, true);
	listen_watch(ev, EV_READ);
	log_info("events: listening on %s", EVENTS_CHANNEL);
	/* Whatever happened while we were away is lost: tell clients to reload. */
	if (ev->was_up) {
		broadcast(ev, NULL, resync, sizeof resync - 1, 0);
		capacity_reload(ev->app->capacity);	/* rule changes may have been missed */
	}
	ev->was_up = true;
}

/* The connection is up: send LISTEN. */
static void
listen_subscribe(struct events *ev)
{
	evtimer_del(ev->timer);
	if (PQsetnonblocking(ev->pg, 1) != 0 ||
	    !PQsendQuery(ev->pg, "LISTEN " EVENTS_CHANNEL "; LISTEN " STAFF_CHANNEL)) {
		listen_lost(ev, PQerrorMessage(ev->pg));
		return;
	}
	ev->state = LISTEN_SUBSCRIBING;
	listen_watch(ev, EV_READ | EV_WRITE);
}

/* Advances a connection attempt. */
static void
listen_poll_connect(struct events *ev)
{
	switch (PQconnectPoll(ev->pg)) {
	case PGRES_POLLING_READING:
		listen_watch(ev, EV_READ);
		return;
	case PGRES_POLLING_WRITING:
		listen_watch(ev, EV_WRITE);
		return;
	case PGRES_POLLING_OK:
		listen_subscribe(ev);
		return;
	default:
		listen_lost(ev, PQerrorMessage(ev->pg));
		return;
	}
}

/* Socket readiness, whatever the state. */
static void
listen_on_socket(evutil_socket_t fd, short what, void *arg)
{
	struct events *ev = arg;
	int f;

	(void)fd;
	switch (ev->state) {
	case LISTEN_CONNECTING:
		listen_poll_connect(ev);
		return;
	case LISTEN_SUBSCRIBING:
		if ((what & EV_WRITE) && (f = PQflush(ev->pg)) != 1) {
			if (f < 0) {
				listen_lost(ev, PQerrorMessage(ev->pg));
				return;
			}
			listen_watch(ev, EV_READ);
		}
		if (!(what & EV_READ))
			return;
		if (!PQconsumeInput(ev->pg)) {
			listen_lost(ev, PQerrorMessage(ev->pg));
			return;
		}
		listen_subscribed(ev);
		if (ev->state == LISTEN_UP)
			listen_read(ev);	/* notifications that came with the result */
		return;
	case LISTEN_UP:
		listen_read(ev);
		return;
	case LISTEN_DOWN:
		return;
	}
}

/* Timer: reconnect after the backoff, or give up on a slow attempt. */
static void
listen_on_timer(evutil_socket_t fd, short what, void *arg)
{
	struct events *ev = arg;

	(void)fd, (void)what;
	if (ev->state == LISTEN_DOWN)
		listen_start(ev);
	else if (ev->state == LISTEN_CONNECTING || ev->state == LISTEN_SUBSCRIBING)
		listen_lost(ev, "connecting took too long");
}

/* Starts a non-blocking connection attempt. */
static void
listen_start(struct events *ev)
{
	static const char *const keys[] = { "dbname", "application_name", "keepalives",
		"keepalives_idle", "keepalives_interval", "keepalives_count", NULL };
	const char *vals[] = { ev->conninfo, "madoguchid-events", "1", "10", "5", "3", NULL };
	struct timeval tv = { ev->connect_timeout_s, 0 };

	ev->pg = PQconnectStartParams(keys, vals, 1);
	if (ev->pg == NULL || PQstatus(ev->pg) == CONNECTION_BAD) {
		listen_lost(ev, ev->pg ? PQerrorMessage(ev->pg) : "out of memory");
		return;
	}
	ev->state = LISTEN_CONNECTING;
	evtimer_add(ev->timer, &tv);
	listen_poll_connect(ev);
}

/* Timer: a comment on every stream, so proxies and clients see it alive. */
static void
keepalive(evutil_socket_t fd, short what, void *arg)
{
	static const char text[] = ": keep-alive\n\n";

	(void)fd, (void)what;
	broadcast(arg, NULL, text, sizeof text - 1, 0);
}

struct events *
events_new(struct app *app)
{
	struct events *ev = xcalloc(1, sizeof *ev);
	struct timeval every = { EVENTS_KEEPALIVE_S, 0 };

	ev->app = app;
	ev->conninfo = xstrdup(app->cfg->database_url);
	ev->connect_timeout_s = (int)app->cfg->db_connect_timeout_s;
	ev->backoff_ms = BACKOFF_MIN_MS;
	ev->timer = evtimer_new(app->base, listen_on_timer, ev);
	ev->keepalive = event_new(app->base, -1, EV_PERSIST, keepalive, ev);
	if (ev->timer == NULL || ev->keepalive == NULL)
		abort();	/* out of memory */
	event_add(ev->keepalive, &every);
	listen_start(ev);
	return ev;
}

/* Takes a stream off its office's list and frees its record. */
static void
sub_unlink(struct events *ev, struct sub *s)
{
	if (s->prev != NULL)
		s->prev->next = s->next;
	else
		s->office->head = s->next;
	if (s->next != NULL)
		s->next->prev = s->prev;
	s->office->count--;
	ev->nsubs--;
	if (s->replay != NULL)
		s->replay->s = NULL;	/* the read in flight finds the stream gone */
	while (s->held != NULL) {
		struct held *h = s->held;
		s->held = h->next;
		free(h->text);
		free(h);
	}
	if (s->lifetime != NULL)
		event_free(s->lifetime);
	free(s);
}

/* A stream's client went away. */
static void
sub_closed(struct request *r, void *arg)
{
	struct sub *s = arg;

	(void)r;
	sub_unlink(r->app->events, s);
}

void
events_drain(struct events *ev)
{
	struct request *r;

	if (ev == NULL)
		return;
	ev->draining = true;
	if (ev->nsubs > 0)
		log_info("events: ending %d event streams", ev->nsubs);
	for (struct office_subs *o = ev->offices; o != NULL; o = o->next) {
		while (o->head != NULL) {
			r = o->head->r;
			sub_unlink(ev, o->head);
			req_stream_end(r);
		}
	}
}

void
events_free(struct events *ev)
{
	struct office_subs *o;

	if (ev == NULL)
		return;
	events_drain(ev);	/* none are left once the HTTP server is gone */
	while ((o = ev->offices) != NULL) {
		ev->offices = o->next;
		free(o->id);
		free(o);
	}
	if (ev->sock != NULL)
		event_free(ev->sock);
	event_free(ev->timer);
	event_free(ev->keepalive);
	PQfinish(ev->pg);
	free(ev->conninfo);
	free(ev);
}

int
events_subscribers(const struct events *ev)
{
	return ev ? ev->nsubs : 0;
}

/* Streams open from one client address. */
static int
client_streams(const struct events *ev, const char *client)
{
	int n = 0;

	for (const struct office_subs *o = ev->offices; o != NULL; o = o->next) {
		for (const struct sub *s = o->head; s != NULL; s = s->next)
			n += strcmp(s->client, client) == 0;
	}
	return n;
}

/*
 * Reads Last-Event-ID: *after is the id, or -1 without the header. Answers 400
 * and returns false when it is not a number.
 */
static bool
last_event_id(struct request *r, long long *after)
{
	const char *v = req_get_header(r, "Last-Event-ID");
	char *end;

	*after = -1;
	if (v == NULL || v[0] == '\0')
		return true;
	errno = 0;
	*after = strtoll(v, &end, 10);
	if (*end != '\0' || errno != 0 || *after < 0 || strspn(v, "0123456789") != strlen(v)) {
		req_problem_json(r, problem_field(400, "invalid_header", "Last-Event-ID",
		    "Last-Event-ID is the id of the last event received"));
		return false;
	}
	return true;
}

/* The stream has lived http.stream_lifetime_s: end it; the client reconnects. */
static void
lifetime_over(evutil_socket_t fd, short what, void *arg)
{
	static const char bye[] = ": stream lifetime reached; reconnect with Last-Event-ID\n\n";
	struct sub *s = arg;
	struct request *r = s->r;
	char retry[32];
	int n;

	(void)fd, (void)what;
	n = snprintf(retry, sizeof retry, "retry: %d\n", EVENTS_RETRY_MS);
	if (!req_stream_write(r, retry, (size_t)n) || !req_stream_write(r, bye, sizeof bye - 1))
		return;		/* the client was dropped: s is gone */
	sub_unlink(r->app->events, s);
	req_stream_end(r);
}

/* Missed events: newer than $2 at office $1; resync when some may be gone. */
static struct db_stmt stmt_replay = {
	"SELECT x.id, x.type, x.data::text, g.gone FROM (SELECT $2::bigint < "
	"coalesce((SELECT min(id) FROM office_events), $2::bigint + 1) - 1 OR $2::bigint > "
	"coalesce((SELECT max(id) FROM office_events), 0) AS gone) g LEFT JOIN LATERAL "
	"(SELECT id, type, data FROM office_events WHERE office = $1 AND id > $2::bigint "
	"AND NOT g.gone ORDER BY id LIMIT " EVENTS_REPLAY_MAX_SQL ") x ON true", 2, 0 };

/* Sends the held live events newer than after and goes live. */
static void
replay_finish(struct sub *s, long long after)
{
	struct held *h;

	while ((h = s->held) != NULL) {
		s->held = h->next;
		if (h->id > after && !req_stream_write(s->r, h->text, h->len)) {
			free(h->text);
			free(h);
			return;		/* the client was dropped: s is gone */
		}
		free(h->text);
		free(h);
	}
	s->held_tail = &s->held;
}

/* The missed events arrived: send them (or resync), then what came meanwhile. */
static void
replay_done(const struct db_result *res, void *arg)
{
	static const char resync[] = "event: resync\ndata: {}\n\n";
	struct replay *rp = arg;
	struct sub *s = rp->s;
	long long last = 0;
	int n;

	free(rp);
	if (s == NULL)
		return;		/* the client went meanwhile */
	s->replay = NULL;
	n = res->ok ? PQntuples(res->pg) : 0;
	if (!res->ok || n > EVENTS_REPLAY_MAX || (n == 1 && !PQgetisnull(res->pg, 0, 3) &&
	    strcmp(PQgetvalue(res->pg, 0, 3), "t") == 0)) {
		if (!req_stream_write(s->r, resync, sizeof resync - 1))
			return;
		replay_finish(s, 0);
		return;
	}
	for (int i = 0; i < n; i++) {
		char *text;
		int len;

		if (PQgetisnull(res->pg, i, 0))
			continue;
		last = strtoll(PQgetvalue(res->pg, i, 0), NULL, 10);
		len = asprintf(&text, "id: %lld\nevent: %s\ndata: %s\n\n", last,
		    PQgetvalue(res->pg, i, 1), PQgetvalue(res->pg, i, 2));
		if (len < 0)
			abort();	/* out of memory */
		if (!req_stream_write(s->r, text, (size_t)len)) {
			free(text);
			return;
		}
		free(text);
	}
	replay_finish(s, last);
}

/* Starts reading what a reconnecting stream missed; live events wait meanwhile. */
static void
replay_start(struct events *ev, struct sub *s, const char *office, long long after)
{
	struct replay *rp = xcalloc(1, sizeof *rp);
	char id[24];
	const char *p[2] = { office, id };

	snprintf(id, sizeof id, "%lld", after);
	rp->ev = ev;
	rp->s = s;
	s->replay = rp;
	if (!db_exec(ev->app->db, &stmt_replay, p, replay_done, rp)) {
		struct db_result down = { .ok = false, .unavailable = true, .sqlstate = "",
			.error = "" };
		replay_done(&down, rp);
	}
}

/* The list of an office's streams, made on first use. */
static struct office_subs *
office_get(struct events *ev, const char *id)
{
	struct office_subs *o = office_find(ev, id);

	if (o == NULL) {
		o = xcalloc(1, sizeof *o);
		o->id = xstrdup(id);
		o->next = ev->offices;
		ev->offices = o;
	}
	return o;
}

void
api_events(struct request *r)
{
	static const char *const no_params[] = { NULL };
	struct events *ev = r->app->events;
	const char *office = req_param(r, "office");
	struct office_subs *o;
	struct sub *s;
	struct timeval lifetime = { r->cfg->http_stream_lifetime_s, 0 };
	long long after;
	char *hello;
	int len;

	if (!req_query_allow(r, no_params))
		return;
	if (config_office(r->cfg, office) == NULL) {
		req_problem(r, 404, "unknown_office", "there is no office with that id");
		return;
	}
	if (ev == NULL || ev->draining || r->app->draining) {
		req_header(r, "Retry-After", "2");
		req_problem(r, 503, "shutting_down", "the daemon is shutting down; reconnect");
		return;
	}
	o = office_get(ev, office);
	if (o->count >= r->cfg->http_streams_per_office) {
		req_header(r, "Retry-After", "30");
		req_problem(r, 503, "too_many_listeners",
		    "this office already has %d event streams open; try again later", o->count);
		return;
	}
	if (client_streams(ev, req_client(r)) >= r->cfg->http_streams_per_client) {
		req_header(r, "Retry-After", "30");
		req_problem(r, 429, "too_many_streams", "this address already has %ld event "
		    "streams open", r->cfg->http_streams_per_client);
		return;
	}
	if (!last_event_id(r, &after))
		return;
	if (strcmp(r->method, "HEAD") == 0) {
		req_text(r, 200, "text/event-stream; charset=utf-8", "", 0);
		return;
	}
	s = xcalloc(1, sizeof *s);
	s->r = r;
	s->office = o;
	s->held_tail = &s->held;
	snprintf(s->client, sizeof s->client, "%s", req_client(r));
	s->lifetime = evtimer_new(r->app->base, lifetime_over, s);
	/* Nginx and kin would otherwise hold the stream back in their buffers. */
	req_header(r, "X-Accel-Buffering", "no");
	if (!req_stream_start(r, "text/event-stream; charset=utf-8", sub_closed, s)) {
		free(s);
		return;
	}
	s->next = o->head;
	if (o->head != NULL)
		o->head->prev = s;
	o->head = s;
	o->count++;
	ev->nsubs++;
	evtimer_add(s->lifetime, &lifetime);
	len = asprintf(&hello, "retry: %d\n: events of %s\n\n", EVENTS_RETRY_MS, office);
	if (len < 0)
		abort();	/* out of memory */
	if (!req_stream_write(r, hello, (size_t)len)) {
		free(hello);
		return;
	}
	free(hello);
	if (after >= 0)
		replay_start(ev, s, office, after);
}
