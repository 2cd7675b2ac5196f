/* Strict query strings over evhttp_parse_query_str. */
#include "query.h"

#include "core/xmalloc.h"

#include <event2/http.h>
#include <event2/keyvalq_struct.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <sys/queue.h>

/* True when s names a query parameter in names. */
static bool
name_listed(const char *s, const char *const *names)
{
	for (; *names != NULL; names++) {
		if (strcmp(s, *names) == 0)
			return true;
	}
	return false;
}

/* True when a parameter after kv has the same name. */
static bool
repeated(const struct evkeyval *kv)
{
	for (const struct evkeyval *o = TAILQ_NEXT(kv, next); o != NULL; o = TAILQ_NEXT(o, next)) {
		if (strcmp(o->key, kv->key) == 0)
			return true;
	}
	return false;
}

/*
 * The name of the first query parameter whose name or value holds an escaped NUL
 * ("year=2026%00" would read as 2026 once decoded), written to name; false when none.
 */
static bool
has_nul(const char *query, char *name, size_t len)
{
	const char *nul = strstr(query, "%00"), *start = nul, *eq;

	if (nul == NULL)
		return false;
	while (start > query && start[-1] != '&')
		start--;
	eq = memchr(start, '=', (size_t)(nul - start));
	snprintf(name, len, "%.*s", (int)((eq ? eq : nul) - start), start);
	return true;
}

enum query_verdict
query_check(const char *query, const char *const *names, char **bad)
{
	struct evkeyvalq q;
	struct evkeyval *kv;
	enum query_verdict v = QUERY_OK;
	char name[64];

	*bad = NULL;
	if (query != NULL && has_nul(query, name, sizeof name)) {
		*bad = xstrdup(name);
		return QUERY_NUL;
	}
	TAILQ_INIT(&q);
	if (query != NULL && evhttp_parse_query_str(query, &q) != 0) {
		evhttp_clear_headers(&q);
		return QUERY_MALFORMED;
	}
	TAILQ_FOREACH(kv, &q, next) {
		if (!name_listed(kv->key, names))
			v = QUERY_UNKNOWN;
		else if (repeated(kv))
			v = QUERY_DUPLICATE;
		if (v != QUERY_OK) {
			*bad = xstrdup(kv->key);
			break;
		}
	}
	evhttp_clear_headers(&q);
	return v;
}

char *
query_get(const char *query, const char *name)
{
	struct evkeyvalq q;
	const char *v;
	char *out = NULL;

	if (query == NULL)
		return NULL;
	TAILQ_INIT(&q);
	if (evhttp_parse_query_str(query, &q) == 0 && (v = evhttp_find_header(&q, name)))
		out = xstrdup(v);
	evhttp_clear_headers(&q);
	return out;
}
