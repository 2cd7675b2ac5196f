/*
 * The HTTP front end on evhttp: listening, limits, the connection cap, the
 * read deadline, and recovery when file descriptors run out. Each whole request
 * goes to the dispatcher given at start (request_dispatch, request.h), so this
 * layer knows nothing of the one above it.
 */
#ifndef MADOGUCHI_HTTP_H
#define MADOGUCHI_HTTP_H

#include <stdbool.h>

struct app;
struct config;
struct http_server;
struct evhttp_connection;
struct evhttp_request;

/* Takes a request that has arrived whole. */
typedef void http_dispatch_fn(struct app *app, struct evhttp_request *req);

/* Binds cfg->listen (or listen when non-NULL) and starts handing requests to dispatch. */
struct http_server *http_server_new(struct app *app, const char *listen,
    http_dispatch_fn *dispatch, char **cause)
    __attribute__((warn_unused_result));
/* Applies the reloadable HTTP limits of cfg. */
void http_server_configure(struct http_server *hs, const struct config *cfg);
/* Stops accepting new connections (SIGTERM). */
void http_server_stop_accepting(struct http_server *hs);
/* Request layer: an answer went out on evcon; it may wait for the next request. */
void http_server_answered(struct evhttp_connection *evcon);
/* A hook that runs when a connection closes, before evhttp frees it. */
typedef void http_close_fn(void *arg);
/*
 * Request layer: runs fn(arg) once when evcon closes, whoever closes it (one hook
 * per connection; fn NULL removes it). False when the connection is unknown.
 */
bool http_server_on_close(struct evhttp_connection *evcon, http_close_fn *fn, void *arg);
/* Open client connections now. */
int http_server_connections(const struct http_server *hs);
/* True while an answer is still being written to some connection. */
bool http_server_writing(const struct http_server *hs);
/* Closes everything. */
void http_server_free(struct http_server *hs);

#endif
