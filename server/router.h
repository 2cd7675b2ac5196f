/*
 * The routing table: method and path pattern ("/v1/offices/{office}/queue") to a
 * handler. Pure: no libevent, so it is unit-tested alone.
 */
#ifndef MADOGUCHI_ROUTER_H
#define MADOGUCHI_ROUTER_H

#include <stdbool.h>
#include <stddef.h>

#define ROUTER_MAX_PARAMS 4
#define ROUTER_MAX_PARAM_LEN 128

enum router_method {
	ROUTER_GET = 1 << 0,
	ROUTER_POST = 1 << 1,
	ROUTER_DELETE = 1 << 2,
	ROUTER_PUT = 1 << 3,
	ROUTER_PATCH = 1 << 4,
	ROUTER_HEAD = 1 << 5,
	ROUTER_OPTIONS = 1 << 6,
};

/* Handlers are stored as a generic function type and cast back by the caller. */
typedef void router_fn(void);

/* One row of the table. */
struct router_route {
	int method;		/* one enum router_method */
	const char *pattern;	/* literal segments and {name} segments */
	router_fn *handler;	/* opaque to the router */
	const char *name;	/* short name for logs and metrics */
	int cost;		/* rate-limit tokens a request takes; 0: not limited */
};

/* What a lookup found. */
enum router_result {
	ROUTER_FOUND,		/* route and params are set */
	ROUTER_NOT_FOUND,	/* no pattern matches the path */
	ROUTER_BAD_METHOD,	/* a pattern matches, not with this method */
	ROUTER_BAD_PATH,	/* the path is malformed (bad escape, NUL, too long) */
};

/* A successful match. */
struct router_match {
	const struct router_route *route;		/* the matching row */
	size_t nparams;					/* how many {name} segments */
	const char *names[ROUTER_MAX_PARAMS];		/* their names, without braces */
	char values[ROUTER_MAX_PARAMS][ROUTER_MAX_PARAM_LEN]; /* percent-decoded values */
	int allowed;					/* on BAD_METHOD: methods that would match */
};

/* Checks a table: every pattern absolute, braces balanced, at most ROUTER_MAX_PARAMS. */
bool router_validate(const struct router_route *routes, size_t n, const char **bad)
    __attribute__((warn_unused_result));
/* Looks up path (without the query string) for method. */
enum router_result router_lookup(const struct router_route *routes, size_t n, int method,
    const char *path, struct router_match *m);
/* Returns the value of parameter name in a match, or NULL. */
const char *router_param(const struct router_match *m, const char *name);
/* Writes the methods in mask as an Allow header value ("GET, POST"). */
void router_allow_header(int mask, char *buf, size_t len);
/* Percent-decodes src into dst (size len); false on a bad escape, NUL or overflow. */
bool router_decode(const char *src, size_t srclen, char *dst, size_t len)
    __attribute__((warn_unused_result));

#endif
