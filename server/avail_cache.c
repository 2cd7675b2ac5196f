/*
 * Availability cache: a chained hash table of days keyed by office, service
 * and date, with a least-recently-used list that bounds its memory.
 */
#include "avail_cache.h"

#include "core/xmalloc.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#define MIN_BUCKETS 1024

/* A day in the table: the key, its state and its links. */
struct entry {
	struct avail_day day;		/* what callers see; first, so the two convert */
	uint64_t tag;			/* what else its rendering depends on */
	char *office;			/* key: office id */
	char *service;			/* key: service id */
	cdate date;			/* key: the day */
	uint64_t hash;			/* of the key */
	unsigned long ticket;		/* reserved by this fetch; 0 once filled */
	struct avail_shared *answer;	/* a whole answer of a range from here, or NULL */
	cdate answer_to;		/* its last day */
	cdate answer_today;		/* the "today" it was made for */
	int answer_until;		/* the last minute of that day it holds for */
	uint64_t answer_seq;		/* the cache's seq when it was kept */
	size_t bytes;			/* memory charged to it */
	struct entry *chain;		/* next in the bucket */
	struct entry *newer, *older;	/* the LRU list */
};

struct avail_cache {
	struct entry **buckets;		/* nbuckets chains */
	size_t nbuckets;		/* a power of two */
	size_t max_bytes;		/* evict beyond this */
	struct entry *newest, *oldest;	/* LRU ends */
	unsigned long next_ticket;	/* the last ticket handed out */
	uint64_t seq;			/* the last seq given to a day */
	bool live;			/* changes are heard */
	struct avail_cache_stats st;	/* days and bytes kept, counters */
};

/* FNV-1a over the key. */
static uint64_t
key_hash(const char *office, const char *service, cdate date)
{
	uint64_t h = 14695981039346656037ull;

	for (const char *p = office; *p != '\0'; p++)
		h = (h ^ (unsigned char)*p) * 1099511628211ull;
	h = (h ^ 0xff) * 1099511628211ull;
	for (const char *p = service; *p != '\0'; p++)
		h = (h ^ (unsigned char)*p) * 1099511628211ull;
	for (int i = 0; i < 4; i++)
		h = (h ^ (((uint32_t)date >> (8 * i)) & 0xff)) * 1099511628211ull;
	return h;
}

struct avail_cache *
avail_cache_new(size_t max_bytes)
{
	struct avail_cache *c = xcalloc(1, sizeof *c);

	c->nbuckets = MIN_BUCKETS;
	c->buckets = xcalloc(c->nbuckets, sizeof *c->buckets);
	c->max_bytes = max_bytes;
	return c;
}

/* Takes e out of the LRU list. */
static void
lru_unlink(struct avail_cache *c, struct entry *e)
{
	if (e->newer != NULL)
		e->newer->older = e->older;
	else
		c->newest = e->older;
	if (e->older != NULL)
		e->older->newer = e->newer;
	else
		c->oldest = e->newer;
	e->newer = e->older = NULL;
}

/* Puts e at the newest end of the LRU list. */
static void
lru_push(struct avail_cache *c, struct entry *e)
{
	e->older = c->newest;
	e->newer = NULL;
	if (c->newest != NULL)
		c->newest->newer = e;
	c->newest = e;
	if (c->oldest == NULL)
		c->oldest = e;
}

/* The bucket slot that points at e. */
static struct entry **
slot_of(struct avail_cache *c, const struct entry *e)
{
	struct entry **p = &c->buckets[e->hash & (c->nbuckets - 1)];

	while (*p != e)
		p = &(*p)->chain;
	return p;
}

struct avail_shared *
avail_shared_ref(struct avail_shared *s)
{
	s->refs++;
	return s;
}

void
avail_shared_unref(void *arg)
{
	struct avail_shared *s = arg;

	if (s != NULL && --s->refs == 0) {
		free(s->text);
		free(s);
	}
}

/* Lets go of an entry's whole answer (its bytes are the caller's to uncharge). */
static void
answer_drop(struct entry *e)
{
	avail_shared_unref(e->answer);
	e->answer = NULL;
}

/* Frees what an entry's day holds. */
static void
day_clear(struct entry *e)
{
	struct avail_day *d = &e->day;

	answer_drop(e);
	free(d->counts);
	free(d->fragment);
	memset(d, 0, sizeof *d);
}

/* Unlinks and frees e. */
static void
entry_drop(struct avail_cache *c, struct entry *e)
{
	*slot_of(c, e) = e->chain;
	lru_unlink(c, e);
	c->st.days--;
	c->st.bytes -= e->bytes;
	day_clear(e);
	free(e->office);
	free(e->service);
	free(e);
}

void
avail_cache_invalidate_all(struct avail_cache *c)
{
	while (c->newest != NULL)
		entry_drop(c, c->newest);
}

void
avail_cache_free(struct avail_cache *c)
{
	if (c == NULL)
		return;
	avail_cache_invalidate_all(c);
	free(c->buckets);
	free(c);
}

void
avail_cache_set_live(struct avail_cache *c, bool live)
{
	if (!live)
		avail_cache_invalidate_all(c);
	c->live = live;
}

bool
avail_cache_live(const struct avail_cache *c)
{
	return c->live;
}

/* The entry for the key, or NULL. */
static struct entry *
find(struct avail_cache *c, const char *office, const char *service, cdate date)
{
	uint64_t h = key_hash(office, service, date);

	for (struct entry *e = c->buckets[h & (c->nbuckets - 1)]; e != NULL; e = e->chain) {
		if (e->hash == h && e->date == date && strcmp(e->office, office) == 0 &&
		    strcmp(e->service, service) == 0)
			return e;
	}
	return NULL;
}

/* Doubles the table once it holds more days than buckets. */
static void
grow(struct avail_cache *c)
{
	size_t n = c->nbuckets * 2;
	struct entry **b = xcalloc(n, sizeof *b);

	for (size_t i = 0; i < c->nbuckets; i++) {
		for (struct entry *e = c->buckets[i], *next; e != NULL; e = next) {
			next = e->chain;
			e->chain = b[e->hash & (n - 1)];
			b[e->hash & (n - 1)] = e;
		}
	}
	free(c->buckets);
	c->buckets = b;
	c->nbuckets = n;
}

/* Charges delta bytes to e and evicts the least recently used days beyond the budget. */
static void
charge(struct avail_cache *c, struct entry *e, size_t bytes)
{
	c->st.bytes = c->st.bytes - e->bytes + bytes;
	e->bytes = bytes;
	while (c->st.bytes > c->max_bytes && c->oldest != NULL && c->oldest != e) {
		entry_drop(c, c->oldest);
		c->st.evictions++;
	}
}

struct avail_day *
avail_cache_get(struct avail_cache *c, uint64_t tag, const char *office, const char *service,
    cdate day)
{
	struct entry *e;

	if (!c->live)
		return NULL;
	e = find(c, office, service, day);
	if (e == NULL || e->ticket != 0 || e->tag != tag)
		return NULL;
	lru_unlink(c, e);
	lru_push(c, e);
	c->st.hits++;
	return &e->day;
}

unsigned long
avail_cache_ticket(struct avail_cache *c)
{
	return c->live ? ++c->next_ticket : 0;
}

void
avail_cache_reserve(struct avail_cache *c, unsigned long ticket, uint64_t tag,
    const char *office, const char *service, cdate day)
{
	struct entry *e;

	c->st.misses++;
	if (ticket == 0 || !c->live)
		return;
	e = find(c, office, service, day);
	if (e != NULL && e->ticket != 0 && e->tag == tag) {
		/*
		 * Reserved by an earlier fetch still in flight: that reservation
		 * stands, so a steady stream of misses cannot keep taking it from
		 * one another and never fill the day (any fetch from then on may fill it).
		 */
		lru_unlink(c, e);
		lru_push(c, e);
		return;
	}
	if (e == NULL) {
		e = xcalloc(1, sizeof *e);
		e->office = xstrdup(office);
		e->service = xstrdup(service);
		e->date = day;
		e->hash = key_hash(office, service, day);
		e->chain = c->buckets[e->hash & (c->nbuckets - 1)];
		c->buckets[e->hash & (c->nbuckets - 1)] = e;
		c->st.days++;
		if (c->st.days > c->nbuckets)
			grow(c);
	} else {
		lru_unlink(c, e);
		day_clear(e);
	}
	lru_push(c, e);
	e->tag = tag;
	e->ticket = ticket;
	charge(c, e, sizeof *e + strlen(office) + strlen(service) + 2);
}

struct avail_day *
avail_cache_fill(struct avail_cache *c, unsigned long ticket, uint64_t tag,
    const char *office, const char *service, cdate day, const struct avail_count *counts,
    size_t n)
{
	struct entry *e;

	if (ticket == 0 || !c->live)
		return NULL;
	e = find(c, office, service, day);
	/*
	 * Tickets grow: one at least as new as the reservation's was handed out
	 * after it was made, so its statement ran after it, and no change was
	 * heard since (a change drops the day). An older one may have read before.
	 */
	if (e == NULL || e->ticket == 0 || ticket < e->ticket || e->tag != tag)
		return NULL;
	e->ticket = 0;
	if (n > 0) {
		e->day.counts = xreallocarray(NULL, n, sizeof *counts);
		memcpy(e->day.counts, counts, n * sizeof *counts);
	}
	e->day.ncounts = n;
	e->day.seq = ++c->seq;
	charge(c, e, e->bytes + n * sizeof *counts);
	return &e->day;
}

void
avail_cache_keep_fragment(struct avail_cache *c, struct avail_day *day, cdate today, int until,
    char *text, size_t len)
{
	struct entry *e = (struct entry *)day;
	size_t before = e->day.fragment_len + (e->answer != NULL ? e->answer->len : 0);

	/* Writers grow their buffers by doubling from 4 KiB: keep what the day uses. */
	text = xreallocarray(text, len + 1, 1);
	answer_drop(e);		/* made with the fragment this one replaces */
	free(e->day.fragment);
	e->day.fragment = text;
	e->day.fragment_len = len;
	e->day.fragment_today = today;
	e->day.fragment_until = until;
	e->day.seq = ++c->seq;
	charge(c, e, e->bytes - before + len);
}

struct avail_shared *
avail_cache_keep_answer(struct avail_cache *c, struct avail_day *first, cdate to, cdate today,
    int until, char *text, size_t len)
{
	struct entry *e = (struct entry *)first;
	struct avail_shared *s = xcalloc(1, sizeof *s);
	size_t before = e->answer != NULL ? e->answer->len : 0;

	s->refs = 2;	/* the cache's and the caller's */
	s->text = text;
	s->len = len;
	answer_drop(e);
	e->answer = s;
	e->answer_to = to;
	e->answer_today = today;
	e->answer_until = until;
	e->answer_seq = c->seq;
	charge(c, e, e->bytes - before + len);
	return s;
}

struct avail_shared *
avail_cache_answer(struct avail_cache *c, struct avail_day *first, cdate to, cdate today,
    int minute, uint64_t newest)
{
	struct entry *e = (struct entry *)first;

	(void)c;
	if (e->answer == NULL || e->answer_to != to || e->answer_today != today ||
	    minute > e->answer_until || newest > e->answer_seq)
		return NULL;
	return avail_shared_ref(e->answer);
}

void
avail_cache_invalidate_day(struct avail_cache *c, const char *office, const char *service,
    cdate day)
{
	struct entry *e = find(c, office, service, day);

	if (e != NULL) {
		entry_drop(c, e);
		c->st.invalidations++;
	}
}

void
avail_cache_invalidate_office(struct avail_cache *c, const char *office, const char *service)
{
	for (struct entry *e = c->newest, *next; e != NULL; e = next) {
		next = e->older;
		if (strcmp(e->office, office) == 0 &&
		    (service == NULL || strcmp(e->service, service) == 0)) {
			entry_drop(c, e);
			c->st.invalidations++;
		}
	}
}

void
avail_cache_stats(const struct avail_cache *c, struct avail_cache_stats *out)
{
	*out = c->st;
}
