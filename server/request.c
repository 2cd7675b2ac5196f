/* Request contexts, answers and the per-request log line. */
#include "request.h"

#include "app.h"
#include "clock.h"
#include "config.h"
#include "config_load.h"
#include "cors.h"
#include "http.h"
#include "log.h"
#include "metrics.h"
#include "core/individual_number.h"
#include "core/problem.h"
#include "query.h"
#include "ratelimit.h"
#include "core/xmalloc.h"

#include <event2/buffer.h>
#include <event2/bufferevent.h>
#include <event2/event.h>
#include <event2/http.h>
#include <event2/keyvalq_struct.h>
#include <sys/queue.h>
#include <sodium.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <time.h>
#include <stdlib.h>
#include <string.h>

static const struct router_route *routes;
static size_t nroutes;
static int inflight;
static const char *large_body_route;	/* the route allowed history.max_body_bytes */

void
request_set_routes(const struct router_route *table, size_t n)
{
	routes = table;
	nroutes = n;
}

void
request_set_large_body_route(const char *name)
{
	large_body_route = name;
}

/* The body is within the limit of its route; otherwise answers 413. */
static bool
req_body_within_limit(struct request *r)
{
	size_t len = evbuffer_get_length(evhttp_request_get_input_buffer(r->ev));
	bool large = large_body_route != NULL && strcmp(r->match.route->name, large_body_route) == 0;
	long max = large ? r->cfg->history_max_body_bytes : r->cfg->http_max_body_bytes;

	if (len <= (size_t)max)
		return true;
	req_problem(r, 413, "body_too_large", "the request body is larger than %ld bytes", max);
	return false;
}

int
request_inflight(void)
{
	return inflight;
}

/* Drops a reference; frees the request with the last one. */
static void
req_release(struct request *r)
{
	if (--r->refs > 0)
		return;
	if (r->deadline != NULL)
		event_free(r->deadline);
	if (r->ctx_free != NULL)
		r->ctx_free(r->ctx);
	config_unref(r->cfg);
	free(r->path);
	free(r->query);
	free(r);
}

void
request_hold(struct request *r)
{
	r->refs++;
}

void
request_release(struct request *r)
{
	req_release(r);
}

/* Writes the request's log line. */
static void
req_log(struct request *r)
{
	struct timeval now, d;

	gettimeofday(&now, NULL);
	timersub(&now, &r->start, &d);
	log_info("%s %s %d %.1fms id=%s", r->method, r->path ? r->path : "-", r->status,
	    d.tv_sec * 1000.0 + d.tv_usec / 1000.0, r->id);
}

/* Counts the answered request for /metrics. */
static void
req_measure(struct request *r)
{
	struct timeval now, d;

	gettimeofday(&now, NULL);
	timersub(&now, &r->start, &d);
	metrics_http_observe(r->match.route ? r->match.route->name : "none", r->status,
	    (double)d.tv_sec + d.tv_usec / 1e6);
}

/* Sends status and buf, logs, and lets the request go. */
static void
req_send(struct request *r, int status, const char *content_type, struct evbuffer *buf)
{
	struct evhttp_connection *evcon;
	struct evkeyvalq *h;

	if (r->answered) {
		evbuffer_free(buf);
		return;
	}
	r->answered = true;
	r->status = status;
	if (r->late)
		log_info("request %s: answered after its deadline, once its statement had run", r->id);
	h = evhttp_request_get_output_headers(r->ev);
	evhttp_remove_header(h, "Content-Type");
	evhttp_add_header(h, "Content-Type", content_type);
	evhttp_add_header(h, "X-Request-Id", r->id);
	if (evhttp_find_header(h, "Cache-Control") == NULL)
		evhttp_add_header(h, "Cache-Control", "no-store");
	if (r->app->draining)
		evhttp_add_header(h, "Connection", "close");
	if (strcmp(r->method, "HEAD") == 0) {
		/* HEAD: the headers GET would send, Content-Length included, no body. */
		char len[24];

		snprintf(len, sizeof len, "%zu", evbuffer_get_length(buf));
		evhttp_remove_header(h, "Content-Length");
		evhttp_add_header(h, "Content-Length", len);
		evbuffer_drain(buf, evbuffer_get_length(buf));
	}
	evcon = evhttp_request_get_connection(r->ev);
	/* libevent names 422, 429 and others only by their class: give the real phrase. */
	evhttp_send_reply(r->ev, status, status >= 400 ? problem_title(status) : NULL, buf);
	http_server_answered(evcon);
	evbuffer_free(buf);
	r->ev = NULL;
	inflight--;
	req_log(r);
	req_measure(r);
	if (r->deadline != NULL)
		evtimer_del(r->deadline);
	req_release(r);
}

void
req_text(struct request *r, int status, const char *content_type, const char *body,
    size_t len)
{
	struct evbuffer *buf = evbuffer_new();

	evbuffer_add(buf, body, len);
	req_send(r, status, content_type, buf);
}

/*
 * http.c's hook: a stream's connection is going away. When the client left
 * mid-stream, evhttp has detached the request from its connection and leaves
 * freeing it to us; when the server frees the connection (shutdown, a slow
 * reader), evhttp frees the request itself right after this.
 */
static void
req_stream_gone(void *arg)
{
	struct request *r = arg;

	if (!r->stream_ending && r->ev != NULL && evhttp_request_get_connection(r->ev) == NULL)
		evhttp_request_free(r->ev);
	r->ev = NULL;
	r->stream = false;
	if (r->stream_ending)
		inflight--;
	else if (r->stream_closed != NULL)
		r->stream_closed(r, r->stream_arg);
	req_log(r);
	req_release(r);
}

bool
req_stream_start(struct request *r, const char *content_type, request_stream_fn *closed,
    void *arg)
{
	struct evhttp_connection *evcon = evhttp_request_get_connection(r->ev);
	struct evkeyvalq *h = evhttp_request_get_output_headers(r->ev);
	struct timeval idle = { r->cfg->http_idle_timeout_s, 0 };

	if (evcon == NULL || !http_server_on_close(evcon, req_stream_gone, r)) {
		req_header(r, "Retry-After", "2");
		req_problem(r, 503, "stream_unavailable", "the stream could not be opened; retry");
		return false;
	}
	r->answered = true;
	r->stream = true;
	r->status = 200;
	r->stream_closed = closed;
	r->stream_arg = arg;
	evhttp_remove_header(h, "Content-Type");
	evhttp_add_header(h, "Content-Type", content_type);
	evhttp_add_header(h, "X-Request-Id", r->id);
	if (evhttp_find_header(h, "Cache-Control") == NULL)
		evhttp_add_header(h, "Cache-Control", "no-store");
	evhttp_send_reply_start(r->ev, 200, "OK");
	/*
	 * evhttp's idle timeout would end a quiet stream: keep it for writes (a
	 * client that stops reading still goes), drop it for reads.
	 */
	bufferevent_set_timeouts(evhttp_connection_get_bufferevent(evcon), NULL, &idle);
	inflight--;
	if (r->deadline != NULL)
		evtimer_del(r->deadline);
	/*
	 * A stream may stay open for hours, across reloads: it must not keep its
	 * configuration alive that long. The client's address is known by now.
	 */
	(void)req_client(r);
	config_unref(r->cfg);
	r->cfg = NULL;
	return true;
}

bool
req_stream_write(struct request *r, const char *data, size_t len)
{
	struct evhttp_connection *evcon;
	struct evbuffer *buf;

	if (!r->stream || r->stream_ending || r->ev == NULL ||
	    (evcon = evhttp_request_get_connection(r->ev)) == NULL)
		return false;
	if (evbuffer_get_length(bufferevent_get_output(evhttp_connection_get_bufferevent(evcon))) >
	    REQUEST_STREAM_BACKLOG) {
		log_info("stream %s: the client does not read; dropping it", r->id);
		evhttp_connection_free(evcon);	/* runs req_stream_gone */
		return false;
	}
	buf = evbuffer_new();
	if (buf == NULL || evbuffer_add(buf, data, len) != 0)
		abort();	/* out of memory */
	evhttp_send_reply_chunk(r->ev, buf);
	evbuffer_free(buf);
	return true;
}

/* evhttp wrote a stream's last chunk: the request is done. */
static void
req_stream_done(struct evhttp_request *ev, void *arg)
{
	struct request *r = arg;
	struct evhttp_connection *evcon = evhttp_request_get_connection(ev);

	if (evcon != NULL)
		http_server_on_close(evcon, NULL, NULL);
	r->ev = NULL;
	r->stream = false;
	inflight--;
	req_log(r);
	req_release(r);
}

void
req_stream_end(struct request *r)
{
	struct evhttp_request *ev = r->ev;

	if (!r->stream || r->stream_ending || ev == NULL)
		return;
	r->stream_ending = true;
	inflight++;
	/* The headers are out: this only makes evhttp close after the last chunk. */
	evhttp_add_header(evhttp_request_get_output_headers(ev), "Connection", "close");
	evhttp_request_set_on_complete_cb(ev, req_stream_done, r);
	evhttp_send_reply_end(ev);
}

/* json_dump_callback sink: appends to an evbuffer. */
static int
dump_to_buffer(const char *text, size_t size, void *arg)
{
	return evbuffer_add(arg, text, size);
}

/* Serializes body straight into the reply buffer and sends it with content_type. */
static void
send_json(struct request *r, int status, const char *content_type, json_t *body)
{
	struct evbuffer *buf = evbuffer_new();

	if (json_dump_callback(body, dump_to_buffer, buf, JSON_COMPACT) != 0)
		abort();	/* out of memory: a json_t always serializes */
	json_decref(body);
	req_send(r, status, content_type, buf);
}

/* evbuffer cleanup for a reference to malloc'd text. */
static void
free_text(const void *data, size_t len, void *arg)
{
	(void)data, (void)len;
	free(arg);
}

void
req_json_text(struct request *r, int status, char *text, size_t len)
{
	struct evbuffer *buf = evbuffer_new();

	if (evbuffer_add_reference(buf, text, len, free_text, text) != 0)
		abort();
	req_send(r, status, "application/json; charset=utf-8", buf);
}

/* evbuffer cleanup that hands the reference's argument to its release function. */
struct shared_release {
	void (*release)(void *arg);
	void *arg;
};

static void
release_shared(const void *data, size_t len, void *arg)
{
	struct shared_release *sr = arg;

	(void)data, (void)len;
	sr->release(sr->arg);
	free(sr);
}

void
req_json_shared(struct request *r, int status, const char *text, size_t len,
    void (*release)(void *arg), void *arg)
{
	struct evbuffer *buf = evbuffer_new();
	struct shared_release *sr = xcalloc(1, sizeof *sr);

	sr->release = release;
	sr->arg = arg;
	if (evbuffer_add_reference(buf, text, len, release_shared, sr) != 0)
		abort();
	req_send(r, status, "application/json; charset=utf-8", buf);
}

void
req_json(struct request *r, int status, json_t *body)
{
	send_json(r, status, "application/json; charset=utf-8", body);
}

void
req_problem_json(struct request *r, json_t *problem)
{
	int status = (int)json_integer_value(json_object_get(problem, "status"));

	send_json(r, status, "application/problem+json", problem);
}

void
req_problem(struct request *r, int status, const char *code, const char *fmt, ...)
{
	va_list ap;
	char *detail;

	va_start(ap, fmt);
	if (vasprintf(&detail, fmt, ap) == -1)
		abort();
	va_end(ap);
	req_problem_json(r, problem_new(status, code, detail));
	free(detail);
}

void
req_header(struct request *r, const char *name, const char *value)
{
	if (r->ev != NULL)
		evhttp_add_header(evhttp_request_get_output_headers(r->ev), name, value);
}

const char *
req_get_header(struct request *r, const char *name)
{
	return r->ev ? evhttp_find_header(evhttp_request_get_input_headers(r->ev), name) : NULL;
}

bool
req_query_allow(struct request *r, const char *const *names)
{
	char *bad;

	switch (query_check(r->query, names, &bad)) {
	case QUERY_OK:
		return true;
	case QUERY_NUL:
		req_problem_json(r, problem_field(400, "invalid_query", bad[0] ? bad : "query",
		    "a query parameter may not contain NUL (%00)"));
		break;
	case QUERY_MALFORMED:
		req_problem_json(r, problem_field(400, "invalid_query", "query",
		    "the query string is malformed"));
		return false;
	case QUERY_UNKNOWN:
		req_problem_json(r, problem_field(400, "unknown_parameter", bad,
		    "this endpoint takes no such query parameter"));
		break;
	case QUERY_DUPLICATE:
		req_problem_json(r, problem_field(400, "duplicate_parameter", bad,
		    "the query parameter is given more than once"));
		break;
	}
	free(bad);
	return false;
}

char *
req_query(struct request *r, const char *name)
{
	return query_get(r->query, name);
}

const char *
req_param(struct request *r, const char *name)
{
	return router_param(&r->match, name);
}

bool
req_body_type(struct request *r, const char *type, const char *what)
{
	const char *ct = req_get_header(r, "Content-Type");
	size_t n = strlen(type);

	/* The media type, alone or before its parameters ("text/csv; charset=utf-8"). */
	if (ct != NULL && strncasecmp(ct, type, n) == 0 &&
	    (ct[n] == '\0' || ct[n] == ';' || ct[n] == ' '))
		return true;
	req_problem(r, 415, "unsupported_media_type", "send %s as %s", what, type);
	return false;
}

json_t *
req_body_object(struct request *r)
{
	struct evbuffer *in = evhttp_request_get_input_buffer(r->ev);
	size_t len = evbuffer_get_length(in);
	char *cause;
	json_t *obj;

	if (!req_body_type(r, "application/json", "the body"))
		return NULL;
	obj = problem_parse_object((const char *)evbuffer_pullup(in, -1), len, &cause);
	if (obj == NULL) {
		req_problem_json(r, problem_field(400, "malformed_json", "body", cause));
		free(cause);
	}
	return obj;
}

const char *
req_body_text(struct request *r)
{
	struct evbuffer *in = evhttp_request_get_input_buffer(r->ev);

	return evbuffer_get_length(in) ? (const char *)evbuffer_pullup(in, -1) : "";
}

size_t
req_body_length(struct request *r)
{
	return evbuffer_get_length(evhttp_request_get_input_buffer(r->ev));
}

/* Continuation of a statement: hands the result on unless already answered. */
static void
req_db_done(const struct db_result *res, void *arg)
{
	struct request *r = arg;
	request_db_fn *fn = r->db_fn;

	r->db_fn = NULL;
	if (!r->answered)
		fn(r, res);
	req_release(r);
}

bool
req_db(struct request *r, struct db_stmt *stmt, const char *const *params, request_db_fn *fn)
{
	r->refs++;
	r->db_fn = fn;
	if (db_exec(r->app->db, stmt, params, req_db_done, r))
		return true;
	r->db_fn = NULL;
	r->refs--;
	req_header(r, "Retry-After", "5");	/* before answering, which may free r */
	req_problem(r, 503, "database_unavailable",
	    "the database is unreachable; try again in a moment");
	return false;
}

void
req_db_failed(struct request *r, const struct db_result *res)
{
	if (res->unavailable) {
		req_header(r, "Retry-After", "5");
		req_problem(r, 503, "database_unavailable",
		    "the database is unreachable; try again in a moment");
		return;
	}
	if (db_retryable(res->sqlstate) || strcmp(res->sqlstate, "57014") == 0) {
		/* Lost conflicts every time, or ran past its timeout: rolled back. */
		req_header(r, "Retry-After", "1");
		req_problem(r, 503, "busy", "the database is busy and nothing was changed; "
		    "try again in a moment");
		return;
	}
	log_error("request %s: statement failed: %s", r->id, res->error);
	req_problem(r, 500, "internal_error",
	    "the request could not be completed; it has been logged as %s", r->id);
}

/* The handler did not answer in time. */
static void
req_deadline(evutil_socket_t fd, short what, void *arg)
{
	struct request *r = arg;

	(void)fd, (void)what;
	if (r->db_fn != NULL) {
		if (!db_withdraw(r->app->db, r)) {
			/*
			 * The statement is at the database: whatever it did is the answer,
			 * and the statement's own timeout bounds the wait.
			 */
			r->late = true;
			return;
		}
		r->db_fn = NULL;	/* never sent: nothing was done */
		r->refs--;
	}
	req_header(r, "Retry-After", "5");
	req_problem(r, 503, "deadline_exceeded",
	    "the request took longer than %lds and was abandoned; try again",
	    r->cfg->http_request_deadline_s);
}

/* True for an id a client may choose: 1..64 of [A-Za-z0-9._-]. */
static bool
request_id_ok(const char *s)
{
	size_t n = strlen(s);

	if (n == 0 || n > 64)
		return false;
	return strspn(s, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789._-") == n;
}

/* Maps libevent's method to the router's, and names it for the log. */
static int
method_of(struct evhttp_request *ev, char name[8])
{
	static const struct { enum evhttp_cmd_type cmd; int m; const char *name; } map[] = {
		{ EVHTTP_REQ_GET, ROUTER_GET, "GET" }, { EVHTTP_REQ_POST, ROUTER_POST, "POST" },
		{ EVHTTP_REQ_DELETE, ROUTER_DELETE, "DELETE" }, { EVHTTP_REQ_PUT, ROUTER_PUT, "PUT" },
		{ EVHTTP_REQ_PATCH, ROUTER_PATCH, "PATCH" }, { EVHTTP_REQ_HEAD, ROUTER_GET, "HEAD" },
		{ EVHTTP_REQ_OPTIONS, ROUTER_OPTIONS, "OPTIONS" },
	};
	enum evhttp_cmd_type cmd = evhttp_request_get_command(ev);

	for (size_t i = 0; i < sizeof map / sizeof map[0]; i++) {
		if (map[i].cmd == cmd) {
			strcpy(name, map[i].name);
			return map[i].m;
		}
	}
	strcpy(name, "OTHER");
	return 0;
}


/* True when addr is one of list's addresses (separated by spaces or commas). */
static bool
address_listed(const char *list, const char *addr, size_t len)
{
	const char *p = list;

	while (p != NULL && *p != '\0') {
		size_t n;

		p += strspn(p, " ,");
		n = strcspn(p, " ,");
		if (n > 0 && n == len && strncmp(p, addr, n) == 0)
			return true;
		p += n;
	}
	return false;
}

/*
 * The client behind trusted proxies: the rightmost X-Forwarded-For address
 * that is not itself a trusted proxy. False when there is none fit to use.
 */
static bool
forwarded_client(struct request *r, const char *trusted, char *out, size_t cap)
{
	const char *xff = req_get_header(r, "X-Forwarded-For");
	char *copy, *save, *hop, *hops[32];
	int n = 0;
	bool found = false;

	if (xff == NULL || strlen(xff) > 1024)
		return false;
	copy = xstrdup(xff);
	for (hop = strtok_r(copy, ",", &save); hop != NULL && n < 32;
	    hop = strtok_r(NULL, ",", &save)) {
		hop += strspn(hop, " \t");
		hop[strcspn(hop, " \t")] = '\0';
		hops[n++] = hop;
	}
	while (n-- > 0) {
		size_t len = strlen(hops[n]);

		if (len == 0 || len >= cap || strspn(hops[n], "0123456789abcdefABCDEF:.") != len)
			break;	/* not an address: believe nothing further left */
		if (!address_listed(trusted, hops[n], len)) {
			snprintf(out, cap, "%s", hops[n]);
			found = true;
			break;
		}
	}
	free(copy);
	return found;
}

const char *
req_peer(struct request *r)
{
	struct evhttp_connection *evcon = r->ev ? evhttp_request_get_connection(r->ev) : NULL;
	char *addr = NULL;
	ev_uint16_t port;

	if (evcon != NULL)
		evhttp_connection_get_peer(evcon, &addr, &port);
	return addr ? addr : "";
}

const char *
req_client(struct request *r)
{
	struct evhttp_connection *evcon;
	const char *trusted;
	char *addr = NULL;
	ev_uint16_t port;

	if (r->client[0] != '\0' || r->ev == NULL ||
	    (evcon = evhttp_request_get_connection(r->ev)) == NULL)
		return r->client;
	trusted = r->cfg != NULL ? r->cfg->http_trusted_proxies : NULL;	/* NULL: a stream */
	evhttp_connection_get_peer(evcon, &addr, &port);
	snprintf(r->client, sizeof r->client, "%s", addr ? addr : "");
	if (trusted != NULL && trusted[0] != '\0' && address_listed(trusted, r->client,
	    strlen(r->client)))
		(void)forwarded_client(r, trusted, r->client, sizeof r->client);
	return r->client;
}

/* Takes the route's cost from the client's budget; answers 429 when it is spent. */
static bool
req_within_limit(struct request *r)
{
	const char *ip = req_client(r);
	double retry;
	char secs[16];

	if (r->match.route->cost <= 0 || r->app->ratelimit == NULL)
		return true;
	if (ratelimit_take(r->app->ratelimit, ip, r->match.route->cost, clock_monotonic_ms(), &retry))
		return true;
	metrics_ratelimited();
	snprintf(secs, sizeof secs, "%d", retry < 1 ? 1 : (int)(retry + 0.999));
	req_header(r, "Retry-After", secs);
	req_problem(r, 429, "rate_limited", "too many requests from this address; wait %s s",
	    secs);
	return false;
}

/*
 * Gives the request a random id (24 hex digits). Now and then 12 of them in a
 * row would pass for an Individual Number in the log: such an id is drawn again.
 */
static void
req_new_id(struct request *r)
{
	unsigned char raw[12];

	do {
		randombytes_buf(raw, sizeof raw);
		sodium_bin2hex(r->id, sizeof r->id, raw, sizeof raw);
	} while (inum_contains(r->id));
}

/*
 * Refuses a request whose path holds an Individual Number: the path is logged.
 * It does not reach the log line: the path is replaced by a placeholder. An
 * X-Request-Id that holds one (a client's UUID can, by chance) is not refused:
 * it is neither echoed nor logged, and the request gets an id of its own.
 */
static bool
req_no_individual_number(struct request *r)
{
	const char *given = req_get_header(r, "X-Request-Id");
	const char *field = NULL;
	char *decoded;

	if (given != NULL && inum_contains(given))
		req_new_id(r);
	decoded = r->path ? evhttp_uridecode(r->path, 0, NULL) : NULL;
	if (r->path != NULL && (inum_contains(r->path) || inum_contains(decoded))) {
		free(r->path);
		r->path = xstrdup("(refused path)");
		field = "path";
	}
	free(decoded);
	if (field == NULL)
		return true;
	req_problem_json(r, problem_field(400, "individual_number_refused", field,
	    "this holds what looks like an Individual Number (My Number); it is never sent "
	    "to this server"));
	return false;
}

/*
 * Refuses a request with Content-Length headers that disagree: a proxy in front
 * may have framed it by another one, so the rest of the connection cannot be
 * trusted either. Answers 400 and closes.
 */
static bool
req_framing_ok(struct request *r)
{
	struct evkeyvalq *h = evhttp_request_get_input_headers(r->ev);
	const char *first = NULL;
	struct evkeyval *kv;

	TAILQ_FOREACH(kv, h, next) {
		if (strcasecmp(kv->key, "Content-Length") != 0)
			continue;
		if (first == NULL) {
			first = kv->value;
			continue;
		}
		if (strcmp(first, kv->value) != 0) {
			req_header(r, "Connection", "close");
			req_problem_json(r, problem_field(400, "conflicting_content_length",
			    "Content-Length", "the request has Content-Length headers that disagree"));
			return false;
		}
	}
	return true;
}

/* OPTIONS on a known path: 204 with the methods it takes. */
static void
req_options(struct request *r, int allowed)
{
	char allow[80];

	if (allowed & ROUTER_GET)
		allowed |= ROUTER_HEAD;
	router_allow_header(allowed | ROUTER_OPTIONS, allow, sizeof allow);
	req_header(r, "Allow", allow);
	req_text(r, 204, "text/plain", "", 0);
}

/*
 * CORS: a request from an origin listed in http.cors_origins gets
 * Access-Control-Allow-Origin. A preflight from one (OPTIONS with
 * Access-Control-Request-Method) on a known path is answered here, 204 with the
 * methods the path takes; true then. Other origins get nothing, so the browser
 * keeps their pages from reading the answer.
 */
static bool
req_cors(struct request *r, int method, enum router_result found)
{
	const char *origin = req_get_header(r, "Origin");
	char allow[80];
	int mask;

	if (origin == NULL || !cors_origin_listed(r->cfg->http_cors_origins, origin))
		return false;
	req_header(r, "Access-Control-Allow-Origin", origin);
	req_header(r, "Vary", "Origin");
	if (method != ROUTER_OPTIONS || found != ROUTER_BAD_METHOD ||
	    req_get_header(r, "Access-Control-Request-Method") == NULL) {
		req_header(r, "Access-Control-Expose-Headers", CORS_EXPOSE_HEADERS);
		return false;
	}
	mask = r->match.allowed | ROUTER_OPTIONS | (r->match.allowed & ROUTER_GET ? ROUTER_HEAD : 0);
	router_allow_header(mask, allow, sizeof allow);
	req_header(r, "Allow", allow);
	req_header(r, "Access-Control-Allow-Methods", allow);
	req_header(r, "Access-Control-Allow-Headers", CORS_ALLOW_HEADERS);
	req_header(r, "Access-Control-Max-Age", CORS_MAX_AGE);
	req_text(r, 204, "text/plain", "", 0);
	return true;
}

/* Creates the context for a request that has just arrived. */
static struct request *
req_new(struct app *app, struct evhttp_request *ev)
{
	struct request *r = xcalloc(1, sizeof *r);
	const char *given = evhttp_find_header(evhttp_request_get_input_headers(ev),
	    "X-Request-Id");
	const struct evhttp_uri *uri = evhttp_request_get_evhttp_uri(ev);
	struct timeval tv = { app->cfg->http_request_deadline_s, 0 };

	gettimeofday(&r->start, NULL);
	r->ev = ev;
	r->app = app;
	r->cfg = config_ref(app->cfg);
	r->refs = 1;
	if (given != NULL && request_id_ok(given))
		strcpy(r->id, given);
	else
		req_new_id(r);
	if (uri != NULL && evhttp_uri_get_path(uri) != NULL)
		r->path = xstrdup(evhttp_uri_get_path(uri));
	if (uri != NULL && evhttp_uri_get_query(uri) != NULL)
		r->query = xstrdup(evhttp_uri_get_query(uri));
	r->deadline = evtimer_new(app->base, req_deadline, r);
	evtimer_add(r->deadline, &tv);
	inflight++;
	return r;
}

void
request_dispatch(struct app *app, struct evhttp_request *ev)
{
	struct request *r = req_new(app, ev);
	int method = method_of(ev, r->method);
	char allow[64];
	enum router_result found;

	if (!req_no_individual_number(r) || !req_framing_ok(r))
		return;
	found = router_lookup(routes, nroutes, method, r->path ? r->path : "", &r->match);
	if (req_cors(r, method, found))
		return;
	switch (found) {
	case ROUTER_FOUND:
		if (!req_within_limit(r) || !req_body_within_limit(r))
			return;
		/* Held while the handler runs, so answering never frees r under it. */
		r->refs++;
		((request_handler *)(void (*)(void))r->match.route->handler)(r);
		req_release(r);
		return;
	case ROUTER_BAD_METHOD:
		if (method == ROUTER_OPTIONS) {
			req_options(r, r->match.allowed);
			return;
		}
		router_allow_header(r->match.allowed, allow, sizeof allow);
		req_header(r, "Allow", allow);
		req_problem(r, 405, "method_not_allowed", "%s is not allowed here; use %s",
		    r->method, allow);
		return;
	case ROUTER_BAD_PATH:
		req_problem(r, 400, "invalid_path", "the request path is malformed");
		return;
	case ROUTER_NOT_FOUND:
		req_problem(r, 404, "not_found", "there is no such resource");
		return;
	}
}
