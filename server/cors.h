/*
 * Cross-origin requests: which origins (http.cors_origins) a browser may let
 * call the API from another site. Pure string checks; request.c adds the
 * headers and answers preflights.
 */
#ifndef MADOGUCHI_CORS_H
#define MADOGUCHI_CORS_H

#include <stdbool.h>

/* Methods and request headers a preflight may allow. */
#define CORS_ALLOW_HEADERS "Authorization, Content-Type, Idempotency-Key, X-Request-Id, " \
	"Last-Event-ID, Accept, Accept-Language"
/* Response headers a page on another origin may read. */
#define CORS_EXPOSE_HEADERS "X-Request-Id, Retry-After, Location, Content-Disposition"
/* How long a browser may remember a preflight, in seconds. */
#define CORS_MAX_AGE "600"

/*
 * True when s is an origin as a browser sends it: "https://host" or
 * "http://host:port", lower case, with no path, query or trailing slash.
 */
bool cors_origin_valid(const char *s);
/* True when origin is one of list's lines ("" lists none). */
bool cors_origin_listed(const char *list, const char *origin);

#endif
