/*
 * Query strings, read strictly: only the parameters an endpoint names, each at
 * most once. libevent splits and decodes; this module holds the rules, apart
 * from any request so a test or fuzzer can call it alone.
 */
#ifndef MADOGUCHI_QUERY_H
#define MADOGUCHI_QUERY_H

/* What query_check found. */
enum query_verdict {
	QUERY_OK,		/* only listed names, none twice */
	QUERY_NUL,		/* an escaped NUL (*bad names its parameter, "" if unnamed) */
	QUERY_MALFORMED,	/* libevent could not split or decode it */
	QUERY_UNKNOWN,		/* a parameter not in the list (*bad names it) */
	QUERY_DUPLICATE,	/* a parameter given twice (*bad names it) */
};

/*
 * Checks query (the raw text after '?', NULL for none) against names (ending
 * with NULL). On QUERY_NUL, QUERY_UNKNOWN and QUERY_DUPLICATE *bad is the name
 * at fault (caller frees); otherwise *bad is NULL.
 */
enum query_verdict query_check(const char *query, const char *const *names, char **bad)
    __attribute__((warn_unused_result));
/* The decoded value of the first parameter called name (caller frees), or NULL. */
char *query_get(const char *query, const char *name);

#endif
