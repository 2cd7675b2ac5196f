/* The availability cache: reservations, fills, invalidation races, tags and the memory bound. */
#include "avail_cache.h"

#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const uint64_t tag_a = 1, tag_b = 2;	/* two configs, rules or forecasts */
static const struct avail_count two[] = { { 510, 1 }, { 540, 2 } };

/* A fetch that reserves and fills one day; returns the day or NULL. */
static struct avail_day *
fetch(struct avail_cache *c, uint64_t tag, const char *office, cdate day)
{
	unsigned long t = avail_cache_ticket(c);

	avail_cache_reserve(c, t, tag, office, "ecert_renewal", day);
	return avail_cache_fill(c, t, tag, office, "ecert_renewal", day, two, 2);
}

/* A filled day is found with its counts; other keys, tags and services are not. */
START_TEST(fill_then_get)
{
	struct avail_cache *c = avail_cache_new(1 << 20);
	struct avail_day *d;

	avail_cache_set_live(c, true);
	ck_assert_ptr_null(avail_cache_get(c, tag_a, "a", "ecert_renewal", 100));
	ck_assert_ptr_nonnull(fetch(c, tag_a, "a", 100));
	d = avail_cache_get(c, tag_a, "a", "ecert_renewal", 100);
	ck_assert_ptr_nonnull(d);
	ck_assert_uint_eq(d->ncounts, 2);
	ck_assert_int_eq(d->counts[1].minute, 540);
	ck_assert_int_eq(d->counts[1].taken, 2);
	ck_assert_ptr_null(avail_cache_get(c, tag_b, "a", "ecert_renewal", 100));
	ck_assert_ptr_null(avail_cache_get(c, tag_a, "a", "pin_reset", 100));
	ck_assert_ptr_null(avail_cache_get(c, tag_a, "a", "ecert_renewal", 101));
	ck_assert_ptr_null(avail_cache_get(c, tag_a, "ab", "ecert_renewal", 100));
	avail_cache_keep_fragment(c, d, 99, 600, strdup("{\"date\":\"x\"}"), 12);
	d = avail_cache_get(c, tag_a, "a", "ecert_renewal", 100);
	ck_assert_str_eq(d->fragment, "{\"date\":\"x\"}");
	ck_assert_int_eq(d->fragment_today, 99);
	ck_assert_int_eq(d->fragment_until, 600);
	avail_cache_free(c);
}
END_TEST

/* A change heard between reserve and fill keeps the fetched counts out. */
START_TEST(change_during_fetch_not_kept)
{
	struct avail_cache *c = avail_cache_new(1 << 20);
	unsigned long t;

	avail_cache_set_live(c, true);
	t = avail_cache_ticket(c);
	avail_cache_reserve(c, t, tag_a, "a", "ecert_renewal", 100);
	avail_cache_invalidate_day(c, "a", "ecert_renewal", 100);
	ck_assert_ptr_null(avail_cache_fill(c, t, tag_a, "a", "ecert_renewal", 100, two, 2));
	ck_assert_ptr_null(avail_cache_get(c, tag_a, "a", "ecert_renewal", 100));
	/* A later fetch of the same day wins over an earlier one still in flight. */
	t = avail_cache_ticket(c);
	avail_cache_reserve(c, t, tag_a, "a", "ecert_renewal", 100);
	ck_assert_ptr_nonnull(fetch(c, tag_a, "a", 100));
	ck_assert_ptr_null(avail_cache_fill(c, t, tag_a, "a", "ecert_renewal", 100, two, 1));
	ck_assert_uint_eq(avail_cache_get(c, tag_a, "a", "ecert_renewal", 100)->ncounts, 2);
	/* A reserved day is not a hit. */
	t = avail_cache_ticket(c);
	avail_cache_reserve(c, t, tag_a, "a", "ecert_renewal", 101);
	ck_assert_ptr_null(avail_cache_get(c, tag_a, "a", "ecert_renewal", 101));
	avail_cache_free(c);
}
END_TEST

/*
 * Fetches of one day that overlap, as a stream of misses makes them: the first
 * reservation stands, either fetch fills it, and a change still keeps out the
 * fetches that started before it.
 */
START_TEST(overlapping_fetches_fill_once)
{
	struct avail_cache *c = avail_cache_new(1 << 20);
	unsigned long t1, t2, t3;

	avail_cache_set_live(c, true);
	t1 = avail_cache_ticket(c);
	avail_cache_reserve(c, t1, tag_a, "a", "ecert_renewal", 100);
	t2 = avail_cache_ticket(c);
	avail_cache_reserve(c, t2, tag_a, "a", "ecert_renewal", 100);
	ck_assert_ptr_nonnull(avail_cache_fill(c, t2, tag_a, "a", "ecert_renewal", 100, two, 2));
	ck_assert_ptr_null(avail_cache_fill(c, t1, tag_a, "a", "ecert_renewal", 100, two, 1));
	ck_assert_uint_eq(avail_cache_get(c, tag_a, "a", "ecert_renewal", 100)->ncounts, 2);
	/* In the other order the first one fills. */
	t1 = avail_cache_ticket(c);
	avail_cache_reserve(c, t1, tag_a, "a", "ecert_renewal", 101);
	t2 = avail_cache_ticket(c);
	avail_cache_reserve(c, t2, tag_a, "a", "ecert_renewal", 101);
	ck_assert_ptr_nonnull(avail_cache_fill(c, t1, tag_a, "a", "ecert_renewal", 101, two, 1));
	ck_assert_ptr_null(avail_cache_fill(c, t2, tag_a, "a", "ecert_renewal", 101, two, 2));
	ck_assert_uint_eq(avail_cache_get(c, tag_a, "a", "ecert_renewal", 101)->ncounts, 1);
	/* A change between: only a fetch that started after it may fill. */
	t1 = avail_cache_ticket(c);
	avail_cache_reserve(c, t1, tag_a, "a", "ecert_renewal", 102);
	avail_cache_invalidate_day(c, "a", "ecert_renewal", 102);
	t2 = avail_cache_ticket(c);
	avail_cache_reserve(c, t2, tag_a, "a", "ecert_renewal", 102);
	t3 = avail_cache_ticket(c);
	avail_cache_reserve(c, t3, tag_a, "a", "ecert_renewal", 102);
	ck_assert_ptr_null(avail_cache_fill(c, t1, tag_a, "a", "ecert_renewal", 102, two, 1));
	ck_assert_ptr_null(avail_cache_get(c, tag_a, "a", "ecert_renewal", 102));
	ck_assert_ptr_nonnull(avail_cache_fill(c, t3, tag_a, "a", "ecert_renewal", 102, two, 2));
	ck_assert_ptr_null(avail_cache_fill(c, t2, tag_a, "a", "ecert_renewal", 102, two, 1));
	ck_assert_uint_eq(avail_cache_get(c, tag_a, "a", "ecert_renewal", 102)->ncounts, 2);
	/* A fetch under another tag takes the reservation over. */
	t1 = avail_cache_ticket(c);
	avail_cache_reserve(c, t1, tag_a, "a", "ecert_renewal", 103);
	t2 = avail_cache_ticket(c);
	avail_cache_reserve(c, t2, tag_b, "a", "ecert_renewal", 103);
	ck_assert_ptr_null(avail_cache_fill(c, t1, tag_a, "a", "ecert_renewal", 103, two, 1));
	ck_assert_ptr_nonnull(avail_cache_fill(c, t2, tag_b, "a", "ecert_renewal", 103, two, 2));
	avail_cache_free(c);
}
END_TEST

/* Renders day d of office a as "{d}" for today 99, holding until minute 600. */
static struct avail_day *
rendered(struct avail_cache *c, cdate d)
{
	struct avail_day *day;
	char text[16];

	ck_assert_ptr_nonnull(fetch(c, tag_a, "a", d));
	day = avail_cache_get(c, tag_a, "a", "ecert_renewal", d);
	snprintf(text, sizeof text, "{%d}", (int)d);
	avail_cache_keep_fragment(c, day, 99, 600, strdup(text), strlen(text));
	return day;
}

/* The newest seq of days 100..102 of office a (all must be there). */
static uint64_t
newest(struct avail_cache *c)
{
	uint64_t n = 0;

	for (cdate d = 100; d <= 102; d++) {
		struct avail_day *day = avail_cache_get(c, tag_a, "a", "ecert_renewal", d);
		ck_assert_ptr_nonnull(day);
		n = day->seq > n ? day->seq : n;
	}
	return n;
}

/*
 * A whole answer kept with its first day is found for the same range, day and
 * time, and not once a day of it was kept again or dropped; its text outlives
 * the cache's hold while an answer still holds it.
 */
START_TEST(whole_answer_until_a_day_changes)
{
	struct avail_cache *c = avail_cache_new(1 << 20);
	struct avail_day *first;
	struct avail_shared *s, *again;

	avail_cache_set_live(c, true);
	for (cdate d = 100; d <= 102; d++)
		first = rendered(c, d);
	first = avail_cache_get(c, tag_a, "a", "ecert_renewal", 100);
	ck_assert_ptr_null(avail_cache_answer(c, first, 102, 99, 500, newest(c)));
	s = avail_cache_keep_answer(c, first, 102, 99, 600, strdup("[whole]"), 7);
	ck_assert_uint_eq(s->refs, 2);
	again = avail_cache_answer(c, first, 102, 99, 500, newest(c));
	ck_assert_ptr_eq(again, s);
	ck_assert_str_eq(again->text, "[whole]");
	avail_shared_unref(again);
	/* Another range, another today, past its minute: not it. */
	ck_assert_ptr_null(avail_cache_answer(c, first, 101, 99, 500, newest(c)));
	ck_assert_ptr_null(avail_cache_answer(c, first, 102, 98, 500, newest(c)));
	ck_assert_ptr_null(avail_cache_answer(c, first, 102, 99, 601, newest(c)));
	/* The last day rendered again: the whole is stale. */
	rendered(c, 102);
	first = avail_cache_get(c, tag_a, "a", "ecert_renewal", 100);
	ck_assert_ptr_null(avail_cache_answer(c, first, 102, 99, 500, newest(c)));
	/* Kept again, then the first day dropped: gone with it, but s is still ours. */
	avail_shared_unref(avail_cache_keep_answer(c, first, 102, 99, 600, strdup("[w2]"), 4));
	again = avail_cache_answer(c, first, 102, 99, 500, newest(c));
	ck_assert_ptr_nonnull(again);
	ck_assert_uint_eq(again->refs, 2);
	avail_shared_unref(again);
	avail_cache_invalidate_day(c, "a", "ecert_renewal", 100);
	ck_assert_ptr_null(avail_cache_get(c, tag_a, "a", "ecert_renewal", 100));
	ck_assert_str_eq(s->text, "[whole]");
	ck_assert_uint_eq(s->refs, 1);
	avail_shared_unref(s);
	avail_cache_free(c);
}
END_TEST

/* Invalidation by day, by office and service, by office, and all. */
START_TEST(invalidation_scopes)
{
	struct avail_cache *c = avail_cache_new(1 << 20);
	struct avail_cache_stats st;

	avail_cache_set_live(c, true);
	for (cdate d = 100; d < 110; d++) {
		ck_assert_ptr_nonnull(fetch(c, tag_a, "a", d));
		ck_assert_ptr_nonnull(fetch(c, tag_a, "b", d));
	}
	avail_cache_invalidate_day(c, "a", "ecert_renewal", 105);
	ck_assert_ptr_null(avail_cache_get(c, tag_a, "a", "ecert_renewal", 105));
	ck_assert_ptr_nonnull(avail_cache_get(c, tag_a, "a", "ecert_renewal", 104));
	ck_assert_ptr_nonnull(avail_cache_get(c, tag_a, "b", "ecert_renewal", 105));
	avail_cache_invalidate_office(c, "a", "pin_reset");
	ck_assert_ptr_nonnull(avail_cache_get(c, tag_a, "a", "ecert_renewal", 104));
	avail_cache_invalidate_office(c, "a", NULL);
	ck_assert_ptr_null(avail_cache_get(c, tag_a, "a", "ecert_renewal", 104));
	ck_assert_ptr_nonnull(avail_cache_get(c, tag_a, "b", "ecert_renewal", 104));
	avail_cache_stats(c, &st);
	ck_assert_uint_eq(st.days, 10);
	avail_cache_invalidate_all(c);
	avail_cache_stats(c, &st);
	ck_assert_uint_eq(st.days, 0);
	ck_assert_uint_eq(st.bytes, 0);
	avail_cache_free(c);
}
END_TEST

/* Off, nothing is kept or found; turning it off empties it. */
START_TEST(not_live_keeps_nothing)
{
	struct avail_cache *c = avail_cache_new(1 << 20);
	unsigned long t;

	ck_assert_ptr_null(fetch(c, tag_a, "a", 100));
	avail_cache_set_live(c, true);
	t = avail_cache_ticket(c);
	avail_cache_reserve(c, t, tag_a, "a", "ecert_renewal", 100);
	avail_cache_set_live(c, false);
	avail_cache_set_live(c, true);
	ck_assert_ptr_null(avail_cache_fill(c, t, tag_a, "a", "ecert_renewal", 100, two, 2));
	ck_assert_ptr_nonnull(fetch(c, tag_a, "a", 100));
	avail_cache_set_live(c, false);
	ck_assert_ptr_null(avail_cache_get(c, tag_a, "a", "ecert_renewal", 100));
	avail_cache_free(c);
}
END_TEST

/* The memory bound evicts the least recently used days; the table grows past its buckets. */
START_TEST(bounded_and_growing)
{
	struct avail_cache *c = avail_cache_new(64 * 1024);
	struct avail_cache_stats st;

	avail_cache_set_live(c, true);
	for (cdate d = 0; d < 5000; d++) {
		ck_assert_ptr_nonnull(fetch(c, tag_a, "a", d));
		ck_assert_ptr_nonnull(avail_cache_get(c, tag_a, "a", "ecert_renewal", 0));
	}
	avail_cache_stats(c, &st);
	ck_assert_uint_le(st.bytes, 64 * 1024);
	ck_assert_uint_gt(st.evictions, 0);
	/* Day 0 was used all along; the first days after it were not. */
	ck_assert_ptr_nonnull(avail_cache_get(c, tag_a, "a", "ecert_renewal", 0));
	ck_assert_ptr_null(avail_cache_get(c, tag_a, "a", "ecert_renewal", 1));
	ck_assert_ptr_nonnull(avail_cache_get(c, tag_a, "a", "ecert_renewal", 4999));
	avail_cache_free(c);
	c = avail_cache_new(1u << 30);
	avail_cache_set_live(c, true);
	for (cdate d = 0; d < 5000; d++)
		ck_assert_ptr_nonnull(fetch(c, tag_a, "a", d));
	for (cdate d = 0; d < 5000; d++)
		ck_assert_ptr_nonnull(avail_cache_get(c, tag_a, "a", "ecert_renewal", d));
	avail_cache_free(c);
}
END_TEST

/* The suite. */
static Suite *
avail_cache_suite(void)
{
	Suite *s = suite_create("avail_cache");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, fill_then_get);
	tcase_add_test(tc, change_during_fetch_not_kept);
	tcase_add_test(tc, overlapping_fetches_fill_once);
	tcase_add_test(tc, whole_answer_until_a_day_changes);
	tcase_add_test(tc, invalidation_scopes);
	tcase_add_test(tc, not_live_keeps_nothing);
	tcase_add_test(tc, bounded_and_growing);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	SRunner *sr = srunner_create(avail_cache_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
