/*
 * Query strings (query_check, query_get: what req_query_allow and req_query
 * do for every endpoint). The verdicts must agree with each other: a name
 * refused as unknown is not on the list, a duplicate is, an empty list takes
 * only an empty query, a malformed query yields no values, and an escaped NUL
 * is refused whatever the list.
 */
#include "fuzz.h"

#include "query.h"

#include <stdbool.h>

/* The parameters the endpoints take (availability, holidays, display). */
static const char *const names[] = { "service", "from", "days", "year", "v", NULL };
static const char *const none[] = { NULL };

/* True when s is one of names. */
static bool
listed(const char *s)
{
	for (const char *const *n = names; *n != NULL; n++) {
		if (strcmp(*n, s) == 0)
			return true;
	}
	return false;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *q = fuzz_string(data, size), *bad, *bad_none, *v;
	enum query_verdict verdict = query_check(q, names, &bad);
	enum query_verdict strict = query_check(q, none, &bad_none);

	FUZZ_ASSERT(query_check(NULL, none, &v) == QUERY_OK && v == NULL);
	FUZZ_ASSERT((verdict == QUERY_NUL) == (strstr(q, "%00") != NULL));
	switch (verdict) {
	case QUERY_NUL:
		FUZZ_ASSERT(bad != NULL && strict == QUERY_NUL && strcmp(bad, bad_none) == 0);
		FUZZ_ASSERT(strlen(bad) < 64 && strncmp(bad, "%00", 3) != 0);
		break;
	case QUERY_OK:
		FUZZ_ASSERT(bad == NULL);
		/* Nothing is allowed: fine only when there is nothing, else the first is unknown. */
		FUZZ_ASSERT(strict == QUERY_OK || strict == QUERY_UNKNOWN);
		for (const char *const *n = names; *n != NULL; n++) {
			v = query_get(q, *n);
			FUZZ_ASSERT(strict == QUERY_UNKNOWN || v == NULL);
			free(v);
		}
		break;
	case QUERY_MALFORMED:
		FUZZ_ASSERT(bad == NULL && strict == QUERY_MALFORMED);
		for (const char *const *n = names; *n != NULL; n++)
			FUZZ_ASSERT(query_get(q, *n) == NULL);
		break;
	case QUERY_UNKNOWN:
		FUZZ_ASSERT(bad != NULL && !listed(bad));
		FUZZ_ASSERT(strict == QUERY_UNKNOWN);
		break;
	case QUERY_DUPLICATE:
		FUZZ_ASSERT(bad != NULL && listed(bad));
		v = query_get(q, bad);
		FUZZ_ASSERT(v != NULL);
		free(v);
		break;
	}
	if (strict == QUERY_UNKNOWN)
		FUZZ_ASSERT(bad_none != NULL);
	free(bad);
	free(bad_none);
	free(q);
	return 0;
}
