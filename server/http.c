/*
 * evhttp front end. libevent 2.1 has no connection limit and tells nothing when
 * a connection closes unless a close callback is set on it, which needs the
 * evhttp_connection that evhttp creates after our bufferevent callback returns.
 * So each new bufferevent waits on a list until the next turn of the loop,
 * when bufferevent_getcb yields its connection (evhttp's callback argument) and
 * the close callback goes on. That gives an exact count of open connections
 * (the listener pauses at the cap) and a per-connection deadline for a request
 * to arrive whole, which evhttp's inactivity timeout is not. (A filtering
 * bufferevent would say the same, but evhttp 2.1 loses replies sent through
 * one: deferred replies stall, and "Connection: close" ones are dropped.)
 */
#include "http.h"

#include "app.h"
#include "config.h"
#include "log.h"
#include "core/xmalloc.h"

#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <event2/buffer.h>
#include <event2/bufferevent.h>
#include <event2/event.h>
#include <event2/http.h>
#include <event2/listener.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#define CONN_BUCKETS 1024
#define ACCEPT_RETRY_MS 500
#define MAX_SINGLE_WRITE (256 * 1024)

struct http_server;
/*
 * The listener's error callback gets evhttp's pointer, not ours; there is one
 * server per process, so it finds it here.
 */
static struct http_server *accepting_server;

/* One client connection. */
struct hconn {
	struct http_server *hs;		/* owner */
	struct bufferevent *bev;	/* its socket bufferevent */
	struct evhttp_connection *evcon; /* NULL until adopted */
	struct event *deadline;		/* a request has not arrived whole in time */
	http_close_fn *on_close;	/* a stream's hook when the connection goes, or NULL */
	void *on_close_arg;		/* for on_close */
	struct hconn *next;		/* pending list or hash bucket chain */
	char addr[64];			/* the peer's address */
	bool busy;			/* a request is being handled (or streamed) */
	unsigned long idle_since;	/* when it began waiting for a request (a sequence) */
};

struct http_server {
	struct app *app;			/* shared daemon state */
	http_dispatch_fn *dispatch;		/* gets every whole request */
	struct evhttp *http;			/* libevent's server */
	struct evhttp_bound_socket *bound;	/* the listening socket */
	struct evconnlistener *listener;	/* its listener */
	struct event *retry;			/* re-enables accepting after EMFILE */
	struct event *adopt;			/* adopts new connections, next loop turn */
	struct hconn *pending;			/* accepted, not adopted yet */
	long max_connections;			/* cap from the config */
	long per_client;			/* connections one address may have */
	char *trusted;				/* proxies exempt from per_client */
	unsigned long idle_seq;			/* orders idle connections by age */
	long read_deadline_s;			/* from the config */
	int nconns;				/* open connections */
	bool paused_cap;			/* listener off: at the cap */
	bool paused_err;			/* listener off: accept failed */
	bool stopped;				/* no more accepting, ever */
	struct hconn *buckets[CONN_BUCKETS];	/* evhttp_connection -> hconn */
};

/* Bucket of a connection pointer. */
static size_t
bucket(const void *p)
{
	uintptr_t v = (uintptr_t)p;

	return (size_t)((v >> 4) ^ (v >> 14)) % CONN_BUCKETS;
}

/* Finds our record of an evhttp connection. */
static struct hconn *
conn_find(struct http_server *hs, const struct evhttp_connection *evcon)
{
	struct hconn *c = hs->buckets[bucket(evcon)];

	while (c != NULL && c->evcon != evcon)
		c = c->next;
	return c;
}

/* True when some connection waits for a request (and could be closed for a new one). */
static bool
has_idle(const struct http_server *hs)
{
	for (size_t b = 0; b < CONN_BUCKETS; b++) {
		for (const struct hconn *c = hs->buckets[b]; c != NULL; c = c->next) {
			if (!c->busy && c->on_close == NULL)
				return true;
		}
	}
	return false;
}

/* Turns the listener on or off to match the cap, errors and shutdown. */
static void
listener_update(struct http_server *hs)
{
	/* At the cap, one more is accepted while an idle connection can make room. */
	bool want = !hs->stopped && !hs->paused_err && (hs->nconns < hs->max_connections ||
	    (hs->nconns == hs->max_connections && has_idle(hs)));

	if (hs->listener == NULL)
		return;
	if (want && hs->paused_cap) {
		evconnlistener_enable(hs->listener);
		hs->paused_cap = false;
	} else if (!want && !hs->paused_cap && !hs->paused_err && !hs->stopped) {
		log_warn("http: %d connections open, the cap; pausing accept", hs->nconns);
		evconnlistener_disable(hs->listener);
		hs->paused_cap = true;
	}
}

/* Starts (or restarts) the wait for the connection's next request. */
static void
conn_arm(struct hconn *c)
{
	struct timeval tv = { c->hs->read_deadline_s, 0 };

	c->busy = false;
	c->idle_since = ++c->hs->idle_seq;
	evtimer_add(c->deadline, &tv);
}

/* True when addr is one of the trusted proxies (separated by spaces or commas). */
static bool
trusted_proxy(const struct http_server *hs, const char *addr)
{
	size_t len = strlen(addr);

	for (const char *p = hs->trusted; p != NULL && *p != '\0'; ) {
		size_t n;

		p += strspn(p, " ,");
		n = strcspn(p, " ,");
		if (n > 0 && n == len && strncmp(p, addr, n) == 0)
			return true;
		p += n;
	}
	return false;
}

/* Open connections from addr (adopted ones). */
static long
conns_from(const struct http_server *hs, const char *addr)
{
	long n = 0;

	for (size_t b = 0; b < CONN_BUCKETS; b++) {
		for (const struct hconn *c = hs->buckets[b]; c != NULL; c = c->next)
			n += strcmp(c->addr, addr) == 0;
	}
	return n;
}

/*
 * At the cap, closes the connection that has waited longest for a request
 * (never one being answered or streaming). False when there is none.
 */
static bool
evict_idle(struct http_server *hs, const struct hconn *keep)
{
	struct hconn *oldest = NULL;

	for (size_t b = 0; b < CONN_BUCKETS; b++) {
		for (struct hconn *c = hs->buckets[b]; c != NULL; c = c->next) {
			if (c != keep && !c->busy && c->on_close == NULL &&
			    (oldest == NULL || c->idle_since < oldest->idle_since))
				oldest = c;
		}
	}
	if (oldest == NULL)
		return false;
	log_debug("http: at the connection cap; closing an idle connection from %s", oldest->addr);
	evhttp_connection_free(oldest->evcon);	/* runs conn_closed */
	return true;
}

/* evhttp is freeing the connection. */
static void
conn_closed(struct evhttp_connection *evcon, void *arg)
{
	struct hconn *c = arg;
	struct http_server *hs = c->hs;
	struct hconn **pp = &hs->buckets[bucket(evcon)];
	http_close_fn *hook = c->on_close;

	c->on_close = NULL;
	if (hook != NULL)
		hook(c->on_close_arg);
	while (*pp != c)
		pp = &(*pp)->next;
	*pp = c->next;
	event_free(c->deadline);
	free(c);
	hs->nconns--;
	listener_update(hs);
}

/* No whole request arrived in time: drop the connection. */
static void
conn_deadline(evutil_socket_t fd, short what, void *arg)
{
	struct hconn *c = arg;

	(void)fd, (void)what;
	log_info("http: no whole request within %lds; closing the connection",
	    c->hs->read_deadline_s);
	evhttp_connection_free(c->evcon);	/* runs conn_closed */
}

/*
 * Replies go out as soon as they are written: with Nagle's algorithm the tail
 * of a multi-segment answer waits for the client's delayed ACK (~40 ms).
 */
static void
set_nodelay(evutil_socket_t fd)
{
	int one = 1;

	if (fd >= 0)
		(void)setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
}

/* Learns an accepted connection (its evhttp connection, peer) and starts its wait. */
static void
adopt_one(struct http_server *hs, struct hconn *c)
{
	char *addr = NULL;
	ev_uint16_t port;
	void *cbarg;

	bufferevent_getcb(c->bev, NULL, NULL, NULL, &cbarg);
	c->evcon = cbarg;
	set_nodelay(bufferevent_getfd(c->bev));
	/* One write per answer: the default (16 KiB) splits larger ones. */
	bufferevent_set_max_single_write(c->bev, MAX_SINGLE_WRITE);
	evhttp_connection_get_peer(c->evcon, &addr, &port);
	snprintf(c->addr, sizeof c->addr, "%s", addr ? addr : "");
	c->next = hs->buckets[bucket(c->evcon)];
	hs->buckets[bucket(c->evcon)] = c;
	evhttp_connection_set_closecb(c->evcon, conn_closed, c);
	conn_arm(c);
}

/*
 * A request came whole before its connection was adopted (it was in the socket
 * when accepted): adopt that one now, or its read deadline would later close it
 * mid-answer. NULL when evcon is not pending either.
 */
static struct hconn *
adopt_early(struct http_server *hs, struct evhttp_connection *evcon)
{
	for (struct hconn **pp = &hs->pending; *pp != NULL; pp = &(*pp)->next) {
		struct hconn *c = *pp;
		void *cbarg;

		bufferevent_getcb(c->bev, NULL, NULL, NULL, &cbarg);
		if (cbarg != evcon)
			continue;
		*pp = c->next;
		adopt_one(hs, c);
		return c;
	}
	return NULL;
}

/* Next loop turn after accepting: learn each new connection and watch it. */
static void
conn_adopt(evutil_socket_t fd, short what, void *arg)
{
	struct http_server *hs = arg;
	struct hconn *c;

	(void)fd, (void)what;
	while ((c = hs->pending) != NULL) {
		hs->pending = c->next;
		adopt_one(hs, c);
		if (!trusted_proxy(hs, c->addr) && conns_from(hs, c->addr) > hs->per_client) {
			log_debug("http: %s has %ld connections open; closing a new one", c->addr,
			    hs->per_client);
			evhttp_connection_free(c->evcon);	/* runs conn_closed */
			continue;
		}
		if (hs->nconns > hs->max_connections && !evict_idle(hs, c)) {
			evhttp_connection_free(c->evcon);	/* every other one is busy */
			continue;
		}
	}
	listener_update(hs);
}

/* evhttp asks for a bufferevent for each accepted connection. */
static struct bufferevent *
conn_new(struct event_base *base, void *arg)
{
	struct http_server *hs = arg;
	struct hconn *c = xcalloc(1, sizeof *c);

	c->hs = hs;
	c->deadline = evtimer_new(base, conn_deadline, c);
	c->bev = bufferevent_socket_new(base, -1, BEV_OPT_CLOSE_ON_FREE);
	if (c->bev == NULL || c->deadline == NULL)
		abort();	/* out of memory */
	c->next = hs->pending;
	hs->pending = c;
	event_active(hs->adopt, EV_TIMEOUT, 0);
	hs->nconns++;
	listener_update(hs);
	return c->bev;
}

/* Every request, once evhttp has read it whole. */
static void
on_request(struct evhttp_request *req, void *arg)
{
	struct http_server *hs = arg;
	struct evhttp_connection *evcon = evhttp_request_get_connection(req);
	struct hconn *c = evcon ? conn_find(hs, evcon) : NULL;

	if (c == NULL && evcon != NULL)
		c = adopt_early(hs, evcon);
	if (c != NULL) {
		evtimer_del(c->deadline);
		c->busy = true;
		if (hs->nconns >= hs->max_connections)
			listener_update(hs);	/* one idle fewer: maybe none can make room */
	}
	hs->dispatch(hs->app, req);
}

void
http_server_answered(struct evhttp_connection *evcon)
{
	struct http_server *hs = accepting_server;
	struct hconn *c;

	if (hs != NULL && evcon != NULL && (c = conn_find(hs, evcon)) != NULL) {
		conn_arm(c);
		if (hs->paused_cap)
			listener_update(hs);	/* an idle connection can make room now */
	}
}

bool
http_server_on_close(struct evhttp_connection *evcon, http_close_fn *fn, void *arg)
{
	struct http_server *hs = accepting_server;
	struct hconn *c;

	if (hs == NULL || evcon == NULL || (c = conn_find(hs, evcon)) == NULL)
		return false;
	c->on_close = fn;
	c->on_close_arg = arg;
	return true;
}

/* Timer: try accepting again after running out of descriptors. */
static void
accept_retry(evutil_socket_t fd, short what, void *arg)
{
	struct http_server *hs = arg;

	(void)fd, (void)what;
	hs->paused_err = false;
	if (!hs->stopped) {
		evconnlistener_enable(hs->listener);
		hs->paused_cap = false;
		listener_update(hs);
	}
}

/*
 * accept() failed (EMFILE, ENFILE, ENOBUFS): instead of spinning on the ready
 * listener, stop accepting for a moment.
 */
static void
accept_error(struct evconnlistener *l, void *arg)
{
	struct http_server *hs = accepting_server;
	struct timeval tv = { 0, ACCEPT_RETRY_MS * 1000 };
	int err = EVUTIL_SOCKET_ERROR();

	(void)arg;
	log_warn("http: accept failed: %s; pausing accept for %d ms",
	    evutil_socket_error_to_string(err), ACCEPT_RETRY_MS);
	evconnlistener_disable(l);
	hs->paused_err = true;
	evtimer_add(hs->retry, &tv);
}

/* Splits "ADDR:PORT" ("[::1]:8080" for IPv6) and binds it. */
static bool
bind_listen(struct http_server *hs, const char *listen, char **cause)
{
	const char *colon = strrchr(listen, ':');
	char *addr;
	long port;

	if (colon == NULL || colon == listen) {
		*cause = xasprintf("listen address '%s' is not ADDR:PORT", listen);
		return false;
	}
	port = strtol(colon + 1, NULL, 10);
	if (listen[0] == '[' && colon[-1] == ']')
		addr = xstrndup(listen + 1, (size_t)(colon - listen - 2));
	else
		addr = xstrndup(listen, (size_t)(colon - listen));
	hs->bound = evhttp_bind_socket_with_handle(hs->http, addr, (ev_uint16_t)port);
	if (hs->bound == NULL)
		*cause = xasprintf("cannot listen on %s: %s", listen, strerror(errno));
	free(addr);
	return hs->bound != NULL;
}

struct http_server *
http_server_new(struct app *app, const char *listen, http_dispatch_fn *dispatch,
    char **cause)
{
	struct http_server *hs = xcalloc(1, sizeof *hs);

	*cause = NULL;
	hs->app = app;
	hs->dispatch = dispatch;
	hs->http = evhttp_new(app->base);
	evhttp_set_allowed_methods(hs->http, EVHTTP_REQ_GET | EVHTTP_REQ_POST |
	    EVHTTP_REQ_DELETE | EVHTTP_REQ_PUT | EVHTTP_REQ_PATCH | EVHTTP_REQ_HEAD |
	    EVHTTP_REQ_OPTIONS);
	evhttp_set_default_content_type(hs->http, "application/json");
	evhttp_set_bevcb(hs->http, conn_new, hs);
	evhttp_set_gencb(hs->http, on_request, hs);
	http_server_configure(hs, app->cfg);
	if (!bind_listen(hs, listen ? listen : app->cfg->listen, cause)) {
		http_server_free(hs);
		return NULL;
	}
	hs->listener = evhttp_bound_socket_get_listener(hs->bound);
	hs->adopt = event_new(app->base, -1, 0, conn_adopt, hs);
	hs->retry = evtimer_new(app->base, accept_retry, hs);
	accepting_server = hs;
	evconnlistener_set_error_cb(hs->listener, accept_error);
	return hs;
}

void
http_server_configure(struct http_server *hs, const struct config *cfg)
{
	struct timeval idle = { cfg->http_idle_timeout_s, 0 };

	/* request.c holds every route but the large-body one to http.max_body_bytes. */
	evhttp_set_max_body_size(hs->http, cfg->http_max_body_bytes > cfg->history_max_body_bytes ?
	    cfg->http_max_body_bytes : cfg->history_max_body_bytes);
	evhttp_set_max_headers_size(hs->http, cfg->http_max_header_bytes);
	evhttp_set_timeout_tv(hs->http, &idle);
	hs->max_connections = cfg->http_max_connections;
	hs->per_client = cfg->http_connections_per_client;
	free(hs->trusted);
	hs->trusted = xstrdup(cfg->http_trusted_proxies ? cfg->http_trusted_proxies : "");
	hs->read_deadline_s = cfg->http_read_deadline_s;
	listener_update(hs);
}

void
http_server_stop_accepting(struct http_server *hs)
{
	if (hs->stopped)
		return;
	hs->stopped = true;
	if (hs->bound != NULL)
		evhttp_del_accept_socket(hs->http, hs->bound);
	hs->bound = NULL;
	hs->listener = NULL;
}

int
http_server_connections(const struct http_server *hs)
{
	return hs->nconns;
}

void
http_server_free(struct http_server *hs)
{
	if (hs == NULL)
		return;
	if (hs->http != NULL)
		evhttp_free(hs->http);
	if (hs->retry != NULL)
		event_free(hs->retry);
	if (hs->adopt != NULL)
		event_free(hs->adopt);
	free(hs->trusted);
	free(hs);
}

bool
http_server_writing(const struct http_server *hs)
{
	for (size_t b = 0; b < CONN_BUCKETS; b++) {
		for (const struct hconn *c = hs->buckets[b]; c != NULL; c = c->next) {
			if (evbuffer_get_length(bufferevent_get_output(c->bev)) > 0)
				return true;
		}
	}
	return false;
}
