/* The staff token cache: two direct-mapped tables and a generation number. */
#include "staff_cache.h"

#include "core/xmalloc.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define HASH_LEN 64

struct slot {
	char hash[HASH_LEN + 1];	/* "" when empty */
	uint64_t until_ms;		/* monotonic deadline */
	uint64_t generation;		/* stale unless the cache's generation */
	struct staff_cached t;		/* positive table only */
};

struct staff_cache {
	struct slot *known;		/* STAFF_CACHE_SLOTS */
	struct slot *unknown;		/* STAFF_CACHE_NEGATIVE_SLOTS */
	uint64_t generation;		/* one more with every flush */
	bool live;			/* notifications arrive */
	uint64_t hits, misses;
};

struct staff_cache *
staff_cache_new(void)
{
	struct staff_cache *c = xcalloc(1, sizeof *c);

	c->known = xcalloc(STAFF_CACHE_SLOTS, sizeof *c->known);
	c->unknown = xcalloc(STAFF_CACHE_NEGATIVE_SLOTS, sizeof *c->unknown);
	c->generation = 1;
	return c;
}

void
staff_cache_free(struct staff_cache *c)
{
	if (c == NULL)
		return;
	free(c->known);
	free(c->unknown);
	free(c);
}

/* The slot index of a hash: its first 8 hex digits (already uniform). */
static size_t
slot_of(const char *hash, size_t nslots)
{
	unsigned long v = 0;

	for (int i = 0; i < 8 && hash[i] != '\0'; i++) {
		char ch = hash[i];
		int d = ch >= '0' && ch <= '9' ? ch - '0' : ch >= 'a' && ch <= 'f' ? ch - 'a' + 10 :
		    ch >= 'A' && ch <= 'F' ? ch - 'A' + 10 : ch & 0xf;
		v = v << 4 | (unsigned long)d;
	}
	return (size_t)(v % nslots);
}

/* True when s holds hash and has not run out. */
static bool
slot_holds(const struct staff_cache *c, const struct slot *s, const char *hash, uint64_t now_ms)
{
	return s->generation == c->generation && now_ms < s->until_ms &&
	    strcmp(s->hash, hash) == 0;
}

enum staff_cache_hit
staff_cache_get(struct staff_cache *c, const char *hash, uint64_t now_ms,
    struct staff_cached *out)
{
	const struct slot *k, *u;

	if (!c->live || strlen(hash) != HASH_LEN) {
		c->misses++;
		return STAFF_CACHE_MISS;
	}
	k = &c->known[slot_of(hash, STAFF_CACHE_SLOTS)];
	if (slot_holds(c, k, hash, now_ms)) {
		*out = k->t;
		c->hits++;
		return STAFF_CACHE_KNOWN;
	}
	u = &c->unknown[slot_of(hash, STAFF_CACHE_NEGATIVE_SLOTS)];
	if (slot_holds(c, u, hash, now_ms)) {
		c->hits++;
		return STAFF_CACHE_UNKNOWN;
	}
	c->misses++;
	return STAFF_CACHE_MISS;
}

uint64_t
staff_cache_generation(const struct staff_cache *c)
{
	return c->generation;
}

void
staff_cache_put(struct staff_cache *c, uint64_t gen, const char *hash,
    const struct staff_cached *t, int64_t left_ms, uint64_t now_ms)
{
	struct slot *s;

	if (!c->live || gen != c->generation || strlen(hash) != HASH_LEN)
		return;
	if (t == NULL) {
		s = &c->unknown[slot_of(hash, STAFF_CACHE_NEGATIVE_SLOTS)];
		s->until_ms = now_ms + STAFF_CACHE_NEGATIVE_MS;
	} else {
		if (left_ms <= 0)
			return;
		s = &c->known[slot_of(hash, STAFF_CACHE_SLOTS)];
		s->until_ms = now_ms + (uint64_t)(left_ms < STAFF_CACHE_MAX_MS ? left_ms :
		    STAFF_CACHE_MAX_MS);
		s->t = *t;
	}
	memcpy(s->hash, hash, HASH_LEN + 1);
	s->generation = c->generation;
}

void
staff_cache_flush(struct staff_cache *c)
{
	c->generation++;	/* every slot of an older generation is empty */
}

void
staff_cache_set_live(struct staff_cache *c, bool live)
{
	staff_cache_flush(c);
	c->live = live;
}

bool
staff_cache_has_office(const struct staff_cached *t, const char *office)
{
	size_t n = strlen(office);

	for (const char *p = t->offices; *p != '\0';) {
		size_t len = strcspn(p, ",");
		if (len == n && strncmp(p, office, n) == 0)
			return true;
		p += len;
		if (*p == ',')
			p++;
	}
	return false;
}

void
staff_cache_stats(const struct staff_cache *c, uint64_t *hits, uint64_t *misses)
{
	*hits = c->hits;
	*misses = c->misses;
}
