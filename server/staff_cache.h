/*
 * What each daemon remembers of staff tokens, so a request with a known token
 * runs no SQL. Keyed by the token's hash. Accepted tokens are kept until their
 * expiry (measured on the database's clock, handed in as "milliseconds left")
 * or STAFF_CACHE_MAX_MS; unknown ones for STAFF_CACHE_NEGATIVE_MS. Both tables
 * are direct-mapped with a fixed number of slots (a flush is O(1)), so the memory is bounded and
 * unknown tokens never push out known ones.
 *
 * The cache is trusted only while the daemon hears token notifications
 * (LISTEN madoguchi_tokens): every create or revoke flushes it on every daemon,
 * and so does losing or regaining the LISTEN connection. A generation number
 * keeps a lookup that was in flight during a flush from putting back what the
 * flush removed. Pure: no I/O, the caller passes the monotonic time.
 */
#ifndef MADOGUCHI_STAFF_CACHE_H
#define MADOGUCHI_STAFF_CACHE_H

#include <stdbool.h>
#include <stdint.h>

#define STAFF_CACHE_SLOTS 1024		/* accepted tokens kept at most */
#define STAFF_CACHE_NEGATIVE_SLOTS 1024	/* unknown tokens kept at most */
#define STAFF_CACHE_NEGATIVE_MS 2000	/* how long an unknown token stays unknown */
#define STAFF_CACHE_MAX_MS (10 * 60 * 1000) /* an accepted token is looked up again after this */
#define STAFF_CACHE_OFFICES 256		/* room for a token's office list */

/* A token as the database knows it. */
struct staff_cached {
	char id[16];			/* its id (12 hex digits) */
	int role;			/* enum staff_role */
	char offices[STAFF_CACHE_OFFICES]; /* the offices, comma-separated */
};

enum staff_cache_hit {
	STAFF_CACHE_MISS,		/* ask the database */
	STAFF_CACHE_KNOWN,		/* *out is filled */
	STAFF_CACHE_UNKNOWN,		/* the database said no a moment ago */
};

struct staff_cache;

struct staff_cache *staff_cache_new(void);
void staff_cache_free(struct staff_cache *c);
/* Looks a token's hash up at monotonic time now_ms. */
enum staff_cache_hit staff_cache_get(struct staff_cache *c, const char *hash, uint64_t now_ms,
    struct staff_cached *out);
/* The generation to hand back to a put, read before the lookup is sent. */
uint64_t staff_cache_generation(const struct staff_cache *c);
/*
 * Remembers a lookup's answer (t NULL: unknown) made under generation gen; left
 * out when the cache was flushed since or is not live. left_ms: how long the
 * token has until it expires, by the database's clock.
 */
void staff_cache_put(struct staff_cache *c, uint64_t gen, const char *hash,
    const struct staff_cached *t, int64_t left_ms, uint64_t now_ms);
/* Forgets everything (a token was created or revoked somewhere). */
void staff_cache_flush(struct staff_cache *c);
/* Live: notifications arrive, so entries may be kept; not live also flushes. */
void staff_cache_set_live(struct staff_cache *c, bool live);
/* True when office is in the comma-separated list. */
bool staff_cache_has_office(const struct staff_cached *t, const char *office);
/* Counters for logs: hits (known or unknown) and misses since the start. */
void staff_cache_stats(const struct staff_cache *c, uint64_t *hits, uint64_t *misses);

#endif
