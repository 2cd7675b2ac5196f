/*
 * The client's HTTP, through libcurl: JSON requests to the madoguchi server,
 * RFC 9457 problem answers turned into one-line messages and sysexits codes,
 * and the event stream handed on as it arrives.
 */
#ifndef MADOGUCHI_CLIENT_HTTP_H
#define MADOGUCHI_CLIENT_HTTP_H

#include "buf.h"

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

/* Where the server is. */
struct http_client {
	const char *base;	/* "http://127.0.0.1:8080", no trailing slash needed */
	long timeout_s;		/* limit for one ordinary request */
};

/* One answer. */
struct http_resp {
	long status;		/* HTTP status */
	struct buf body;	/* the body */
	json_t *json;		/* the body parsed, when it is JSON; else NULL */
};

/* Starts libcurl; once, before any request. Returns -1 when it cannot. */
int http_global_init(void) __attribute__((warn_unused_result));
/* Releases libcurl at exit. */
void http_global_cleanup(void);
/*
 * Sends method base+path with an optional JSON body and bearer token (NULL:
 * none). Returns 0 when an answer arrived, whatever its status; -1 with
 * *cause set (caller frees) when the server could not be reached.
 */
int http_call(const struct http_client *c, const char *method, const char *path,
    const json_t *body, const char *token, struct http_resp *out, char **cause)
    __attribute__((warn_unused_result));

/* Called with each piece of a stream; returning false ends it. */
typedef bool http_chunk_fn(void *arg, const char *p, size_t n);
/*
 * GETs path as a text/event-stream, handing its bytes to fn until the server
 * closes it or fn says stop. Returns 0 when it ran (out->status 200) or was
 * refused (out holds the answer); -1 with *cause (caller frees) when the
 * server could not be reached or the stream broke.
 */
int http_stream(const struct http_client *c, const char *path, http_chunk_fn *fn, void *arg,
    struct http_resp *out, char **cause) __attribute__((warn_unused_result));
/* Sets out->json to the body parsed as JSON, NULL when it is empty or not JSON. */
void http_parse_body(struct http_resp *out);
/* Frees an answer's body and JSON. */
void http_resp_free(struct http_resp *r);

/* The message for a failed answer: its problem detail and code, or its status (caller frees). */
char *http_problem_message(const struct http_resp *r);
/* The sysexits code for a failed answer of this status. */
int http_exit_code(long status);
/* A path segment percent-encoded (caller frees). */
char *http_escape(const char *segment);

#endif
