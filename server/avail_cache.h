/*
 * The availability cache: per office, service and day, the places taken in
 * each slot and the day as the API renders it, kept until something changes
 * them. It is correct only while every change is heard: the daemon turns it on
 * while its LISTEN connection is up (events.c) and each statement that
 * changes slot_usage notifies (AVAIL_NOTIFY_SQL); a lost connection, a
 * reload empties it, and days rendered under other capacity rules or another
 * forecast are not found (the caller's tag).
 *
 * A fetch reserves the days it misses before its statement runs; a change
 * heard meanwhile drops the reservation, so a fetch that raced a booking never
 * fills the cache with what it read (it still answers its own request: that
 * answer is as fresh as any uncached one). A day already reserved stays
 * reserved by the first fetch, and any fetch that started after that one may
 * fill it: concurrent misses of one day fill it once instead of taking the
 * reservation from one another for as long as misses keep coming.
 */
#ifndef MADOGUCHI_AVAIL_CACHE_H
#define MADOGUCHI_AVAIL_CACHE_H

#include "core/cdate.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/*
 * The notification a statement sends for each slot it changes: office,
 * service and the slot's start as epoch seconds, each an SQL expression.
 * events.c hands it to avail_cache_invalidate_day on every daemon.
 */
#define AVAIL_NOTIFY_SQL(office, service, epoch) \
	"pg_notify('madoguchi_events', json_build_object('type', 'slots', 'office', " \
	office ", 'service', " service ", 'at', " epoch ")::text)"
/* The notification's type. */
#define AVAIL_NOTIFY_TYPE "slots"

/* Places taken in one slot. */
struct avail_count {
	int minute;	/* the slot's start, minute of the day in Tokyo */
	int taken;	/* booked + held */
};

/* Text shared between the cache and answers being sent; freed with the last reference. */
struct avail_shared {
	unsigned refs;		/* holders */
	char *text;		/* malloc'd */
	size_t len;
};
/* Takes one more reference. */
struct avail_shared *avail_shared_ref(struct avail_shared *s);
/* Drops a reference (arg: a struct avail_shared; the form cleanups take). */
void avail_shared_unref(void *arg);

/* One cached day. */
struct avail_day {
	struct avail_count *counts;	/* slots with places taken, ascending; NULL when none */
	size_t ncounts;
	char *fragment;			/* the day's JSON object, or NULL */
	size_t fragment_len;
	cdate fragment_today;		/* the "today" it was rendered for */
	int fragment_until;		/* and the last minute of that day it holds for */
	uint64_t seq;			/* grows each time counts or fragment are kept */
};

struct avail_cache;

/* An empty cache that keeps at most max_bytes; it starts off (not live). */
struct avail_cache *avail_cache_new(size_t max_bytes);
void avail_cache_free(struct avail_cache *c);
/* Turns the cache on (changes are heard) or off (emptied; nothing kept until on). */
void avail_cache_set_live(struct avail_cache *c, bool live);
bool avail_cache_live(const struct avail_cache *c);

/*
 * The filled day of office/service, or NULL. tag stands for whatever else the
 * rendering depends on (config, capacity rules, forecast): a day kept under
 * another tag is not found. The
 * pointer is valid until the next call that changes the cache.
 */
struct avail_day *avail_cache_get(struct avail_cache *c, uint64_t tag, const char *office,
    const char *service, cdate day);
/* Starts a fetch: a ticket for avail_cache_reserve and avail_cache_fill (0: not live). */
unsigned long avail_cache_ticket(struct avail_cache *c);
/* Reserves a missing day for the fetch with ticket (nothing when ticket is 0). */
void avail_cache_reserve(struct avail_cache *c, unsigned long ticket, uint64_t tag,
    const char *office, const char *service, cdate day);
/*
 * Fills a reserved day with n counts (copied) when ticket is not older than
 * the reservation's and no change was heard since it was made; returns the
 * day, or NULL when it was not kept.
 */
struct avail_day *avail_cache_fill(struct avail_cache *c, unsigned long ticket,
    uint64_t tag, const char *office, const char *service, cdate day,
    const struct avail_count *counts, size_t n);
/*
 * Keeps text (taken over; malloc'd, len bytes and a NUL, shrunk to that) as
 * day's rendering, right while the date is today and the minute of the day at
 * most until.
 */
void avail_cache_keep_fragment(struct avail_cache *c, struct avail_day *day, cdate today,
    int until, char *text, size_t len);

/*
 * Keeps text (taken over; malloc'd), the whole answer for the days first..to
 * of first's office and service, made from those days as they are now (every
 * one with a fragment for today, holding until the minute until): it is found
 * again by avail_cache_answer until one of them changes. Returns the text
 * shared, with a reference for the caller.
 */
struct avail_shared *avail_cache_keep_answer(struct avail_cache *c, struct avail_day *first,
    cdate to, cdate today, int until, char *text, size_t len);
/*
 * The answer kept with first for the range up to to, with a reference for the
 * caller, when it was made for today, holds at minute and no day of the range
 * was kept since (newest: the largest seq of those days); NULL otherwise.
 */
struct avail_shared *avail_cache_answer(struct avail_cache *c, struct avail_day *first,
    cdate to, cdate today, int minute, uint64_t newest);

/* Drops one day of office/service. */
void avail_cache_invalidate_day(struct avail_cache *c, const char *office, const char *service,
    cdate day);
/* Drops every day of office (of every service when service is NULL). */
void avail_cache_invalidate_office(struct avail_cache *c, const char *office,
    const char *service);
/* Drops everything (a reload, a lost LISTEN connection). */
void avail_cache_invalidate_all(struct avail_cache *c);

/* Counters for /metrics and benchmarks. */
struct avail_cache_stats {
	size_t days;			/* days kept (filled or reserved) */
	size_t bytes;			/* their memory */
	unsigned long hits, misses;	/* days found filled, days fetched */
	unsigned long invalidations;	/* days dropped by a change */
	unsigned long evictions;	/* days dropped for room */
};
void avail_cache_stats(const struct avail_cache *c, struct avail_cache_stats *out);

#endif
