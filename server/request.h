/*
 * One HTTP request from arrival to answer: routing, the handling deadline, the
 * request id, strict query and body parsing, JSON and problem answers, the log
 * line, and database calls that keep the request alive until they return.
 */
#ifndef MADOGUCHI_REQUEST_H
#define MADOGUCHI_REQUEST_H

#include "db.h"
#include "router.h"

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/time.h>

struct app;
struct config;
struct evhttp_request;
struct request;

#define REQUEST_STREAM_BACKLOG (256 * 1024)	/* unsent stream bytes at most */

/* A route's handler; it must answer, now or from a later callback. */
typedef void request_handler(struct request *r);
/* Continues a handler when its statement has run (not called if already answered). */
typedef void request_db_fn(struct request *r, const struct db_result *res);
/* A stream's client went away (or the server closed it); r is freed right after. */
typedef void request_stream_fn(struct request *r, void *arg);

/* The state of one request. */
struct request {
	struct evhttp_request *ev;	/* libevent's request; NULL once answered */
	struct app *app;		/* daemon state */
	struct config *cfg;		/* the config as it was when the request arrived */
	struct router_match match;	/* route and path parameters */
	char id[65];			/* X-Request-Id, echoed or generated */
	char method[8];			/* for the log line */
	char *path;			/* decoded path, without the query */
	char *query;			/* the raw query string, or NULL */
	struct timeval start;		/* arrival, for the latency in the log */
	struct event *deadline;		/* answers 503 if the handler takes too long */
	request_db_fn *db_fn;		/* continuation of the statement in flight */
	void *ctx;			/* the handler's state across statements */
	void (*ctx_free)(void *);	/* frees ctx with the request, or NULL */
	int refs;			/* 1 until answered, +1 per statement in flight */
	bool answered;			/* an answer was sent */
	char staff_id[16];		/* the staff token's id once checked, else "" */
	int staff_role;			/* its enum staff_role, STAFF_NONE before */
	char auth_office[64];		/* the office a staff check is for */
	char staff_offices[512];	/* ",a,b," the token acts for (staff_require_any) */
	int auth_min;			/* the role it needs */
	char auth_hash[65];		/* the staff token's hash, for the cache */
	uint64_t auth_gen;		/* the token cache's generation at the lookup */
	void (*after_auth)(struct request *r); /* what runs when the check passes */
	int status;			/* the status sent */
	bool late;			/* past the deadline while a statement ran */
	char client[64];		/* the client's address once asked (req_client) */
	bool stream;			/* answered with req_stream_start, still open */
	bool stream_ending;		/* req_stream_end: the last chunk is on its way */
	request_stream_fn *stream_closed; /* the stream's owner hears of the end */
	void *stream_arg;		/* for stream_closed */
};

/* Entry point from http.c for each request read whole. */
void request_dispatch(struct app *app, struct evhttp_request *ev);
/* Requests not yet answered (for draining on SIGTERM). */
int request_inflight(void);
/* Installs the route table; validated at start-up. */
void request_set_routes(const struct router_route *routes, size_t n);
/*
 * Names the one route (a history import) whose bodies may reach
 * history.max_body_bytes; every other route answers 413 above http.max_body_bytes.
 */
void request_set_large_body_route(const char *name);

/*
 * Keeps r alive for work on a later turn of the loop (it may be answered
 * meanwhile, by the deadline: check r->answered); request_release lets go.
 */
void request_hold(struct request *r);
void request_release(struct request *r);

/* Answers with a JSON body (the reference is stolen). */
void req_json(struct request *r, int status, json_t *body);
/* Answers with JSON text written elsewhere (jsonw); takes ownership of text. */
void req_json_text(struct request *r, int status, char *text, size_t len);
/*
 * The same for text that stays another's: release(arg) runs once the answer
 * no longer needs it (sent, or the connection gone).
 */
void req_json_shared(struct request *r, int status, const char *text, size_t len,
    void (*release)(void *arg), void *arg);
/* Answers with a body of another type (text/html, text/calendar, ...). */
void req_text(struct request *r, int status, const char *content_type, const char *body,
    size_t len);
/* Answers with a problem document (the reference is stolen). */
void req_problem_json(struct request *r, json_t *problem);
/* Answers with a problem built from status, code and a printf-style detail. */
void req_problem(struct request *r, int status, const char *code, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
/*
 * Answers 200 with content_type and a body that goes on (chunked): the request
 * leaves the handling deadline and the in-flight count, and stays until the
 * client goes (closed(r, arg) runs, then r is freed) or req_stream_end. False,
 * after answering 503, when the connection cannot be watched.
 */
bool req_stream_start(struct request *r, const char *content_type,
    request_stream_fn *closed, void *arg) __attribute__((warn_unused_result));
/*
 * Sends len bytes on a stream. A client that has let more than
 * REQUEST_STREAM_BACKLOG bytes pile up is dropped: closed runs, r is freed, and
 * this returns false.
 */
bool req_stream_write(struct request *r, const char *data, size_t len);
/*
 * Ends a stream with its last chunk and closes the connection once that is
 * out; closed does not run. Counts as in flight until written, so a draining
 * daemon waits for it. r is not to be used after.
 */
void req_stream_end(struct request *r);

/* Sets an extra response header (before answering). */
void req_header(struct request *r, const char *name, const char *value);
/* The client's address as text ("127.0.0.1", "::1"), or "" when unknown. */
const char *req_peer(struct request *r);
/* The client's address, as the rate limit and per-client limits see it. */
const char *req_client(struct request *r);
/* A request header, or NULL. */
const char *req_get_header(struct request *r, const char *name);

/*
 * Checks that the query has only the named parameters, each at most once;
 * otherwise answers 400 and returns false. names ends with NULL.
 */
bool req_query_allow(struct request *r, const char *const *names)
    __attribute__((warn_unused_result));
/* A decoded query parameter (caller frees), or NULL when absent. */
char *req_query(struct request *r, const char *name);
/* A path parameter of the route. */
const char *req_param(struct request *r, const char *name);
/*
 * True when the body's Content-Type is the media type type (parameters
 * allowed); otherwise answers 415 unsupported_media_type ("send what as type").
 */
bool req_body_type(struct request *r, const char *type, const char *what)
    __attribute__((warn_unused_result));
/*
 * The body as one JSON object. On a wrong content type or malformed JSON it
 * answers (415 or 400) and returns NULL. The caller owns the reference.
 */
json_t *req_body_object(struct request *r) __attribute__((warn_unused_result));

/* The raw body (not NUL-terminated) and its length, while not yet answered. */
const char *req_body_text(struct request *r);
size_t req_body_length(struct request *r);

/*
 * Runs stmt; fn continues the request with the result. When the database is
 * down it answers 503 database_unavailable and returns false.
 */
bool req_db(struct request *r, struct db_stmt *stmt, const char *const *params,
    request_db_fn *fn) __attribute__((warn_unused_result));
/* Answers 503 database_unavailable or 500 for a failed statement. */
void req_db_failed(struct request *r, const struct db_result *res);

#endif
