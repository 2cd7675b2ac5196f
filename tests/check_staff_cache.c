/* The staff token cache: hits, expiry, negatives, flushes, generations, bounds. */
#include "staff_cache.h"

#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* A 64-hex-digit hash whose slot is chosen by its first 8 digits. */
static void
hash_of(char out[65], unsigned slot_digits, unsigned tail)
{
	snprintf(out, 65, "%08x%056x", slot_digits, tail);
}

static struct staff_cached
token(const char *id, int role, const char *offices)
{
	struct staff_cached t = { 0 };

	snprintf(t.id, sizeof t.id, "%s", id);
	t.role = role;
	snprintf(t.offices, sizeof t.offices, "%s", offices);
	return t;
}

START_TEST(test_not_live_keeps_nothing)
{
	struct staff_cache *c = staff_cache_new();
	struct staff_cached t = token("aaaaaaaaaaaa", 2, "a,b"), out;
	char h[65];

	hash_of(h, 1, 1);
	staff_cache_put(c, staff_cache_generation(c), h, &t, 60000, 0);
	ck_assert_int_eq(staff_cache_get(c, h, 1, &out), STAFF_CACHE_MISS);
	staff_cache_free(c);
}
END_TEST

START_TEST(test_known_until_expiry)
{
	struct staff_cache *c = staff_cache_new();
	struct staff_cached t = token("aaaaaaaaaaaa", 2, "kasugai-main,kasugai-north"), out;
	char h[65], other[65];

	staff_cache_set_live(c, true);
	hash_of(h, 7, 1);
	hash_of(other, 7, 2);	/* same slot, another token */
	staff_cache_put(c, staff_cache_generation(c), h, &t, 5000, 1000);
	ck_assert_int_eq(staff_cache_get(c, h, 1001, &out), STAFF_CACHE_KNOWN);
	ck_assert_str_eq(out.id, "aaaaaaaaaaaa");
	ck_assert_int_eq(out.role, 2);
	ck_assert(staff_cache_has_office(&out, "kasugai-north"));
	ck_assert(staff_cache_has_office(&out, "kasugai-main"));
	ck_assert(!staff_cache_has_office(&out, "kasugai"));
	ck_assert(!staff_cache_has_office(&out, "kasugai-mai"));
	ck_assert_int_eq(staff_cache_get(c, other, 1001, &out), STAFF_CACHE_MISS);
	ck_assert_int_eq(staff_cache_get(c, h, 5999, &out), STAFF_CACHE_KNOWN);
	/* The database said 5 s were left: at 6000 it must be asked again. */
	ck_assert_int_eq(staff_cache_get(c, h, 6000, &out), STAFF_CACHE_MISS);
	staff_cache_free(c);
}
END_TEST

START_TEST(test_long_life_capped)
{
	struct staff_cache *c = staff_cache_new();
	struct staff_cached t = token("bbbbbbbbbbbb", 1, "x"), out;
	char h[65];

	staff_cache_set_live(c, true);
	hash_of(h, 3, 3);
	staff_cache_put(c, staff_cache_generation(c), h, &t, 365LL * 86400 * 1000, 0);
	ck_assert_int_eq(staff_cache_get(c, h, STAFF_CACHE_MAX_MS - 1, &out), STAFF_CACHE_KNOWN);
	ck_assert_int_eq(staff_cache_get(c, h, STAFF_CACHE_MAX_MS, &out), STAFF_CACHE_MISS);
	/* Already expired by the database's clock: not kept at all. */
	staff_cache_put(c, staff_cache_generation(c), h, &t, 0, 0);
	staff_cache_flush(c);
	staff_cache_put(c, staff_cache_generation(c), h, &t, -5, 0);
	ck_assert_int_eq(staff_cache_get(c, h, 1, &out), STAFF_CACHE_MISS);
	staff_cache_free(c);
}
END_TEST

START_TEST(test_unknown_briefly)
{
	struct staff_cache *c = staff_cache_new();
	struct staff_cached out;
	char h[65];

	staff_cache_set_live(c, true);
	hash_of(h, 9, 9);
	staff_cache_put(c, staff_cache_generation(c), h, NULL, 0, 100);
	ck_assert_int_eq(staff_cache_get(c, h, 101, &out), STAFF_CACHE_UNKNOWN);
	ck_assert_int_eq(staff_cache_get(c, h, 100 + STAFF_CACHE_NEGATIVE_MS - 1, &out),
	    STAFF_CACHE_UNKNOWN);
	ck_assert_int_eq(staff_cache_get(c, h, 100 + STAFF_CACHE_NEGATIVE_MS, &out),
	    STAFF_CACHE_MISS);
	staff_cache_free(c);
}
END_TEST

START_TEST(test_unknown_never_evicts_known)
{
	struct staff_cache *c = staff_cache_new();
	struct staff_cached t = token("cccccccccccc", 3, "o"), out;
	char h[65], junk[65];

	staff_cache_set_live(c, true);
	hash_of(h, 42, 1);
	staff_cache_put(c, staff_cache_generation(c), h, &t, 60000, 0);
	/* A flood of unknown tokens over every slot. */
	for (unsigned i = 0; i < 4 * STAFF_CACHE_SLOTS; i++) {
		hash_of(junk, i, 0xdead);
		staff_cache_put(c, staff_cache_generation(c), junk, NULL, 0, 0);
	}
	ck_assert_int_eq(staff_cache_get(c, h, 1, &out), STAFF_CACHE_KNOWN);
	staff_cache_free(c);
}
END_TEST

START_TEST(test_flush_and_generation)
{
	struct staff_cache *c = staff_cache_new();
	struct staff_cached t = token("dddddddddddd", 2, "o"), out;
	uint64_t gen;
	char h[65];

	staff_cache_set_live(c, true);
	hash_of(h, 5, 5);
	staff_cache_put(c, staff_cache_generation(c), h, &t, 60000, 0);
	staff_cache_flush(c);
	ck_assert_int_eq(staff_cache_get(c, h, 1, &out), STAFF_CACHE_MISS);
	/* A lookup sent before a flush (a revocation) must not put its answer back. */
	gen = staff_cache_generation(c);
	staff_cache_flush(c);
	staff_cache_put(c, gen, h, &t, 60000, 0);
	ck_assert_int_eq(staff_cache_get(c, h, 1, &out), STAFF_CACHE_MISS);
	staff_cache_put(c, staff_cache_generation(c), h, &t, 60000, 0);
	ck_assert_int_eq(staff_cache_get(c, h, 1, &out), STAFF_CACHE_KNOWN);
	/* Losing the notifications forgets everything and keeps nothing new. */
	staff_cache_set_live(c, false);
	ck_assert_int_eq(staff_cache_get(c, h, 1, &out), STAFF_CACHE_MISS);
	staff_cache_put(c, staff_cache_generation(c), h, &t, 60000, 0);
	staff_cache_set_live(c, true);
	ck_assert_int_eq(staff_cache_get(c, h, 1, &out), STAFF_CACHE_MISS);
	staff_cache_free(c);
}
END_TEST

START_TEST(test_bad_hash_ignored)
{
	struct staff_cache *c = staff_cache_new();
	struct staff_cached t = token("eeeeeeeeeeee", 2, "o"), out;

	staff_cache_set_live(c, true);
	staff_cache_put(c, staff_cache_generation(c), "abc", &t, 60000, 0);
	ck_assert_int_eq(staff_cache_get(c, "abc", 1, &out), STAFF_CACHE_MISS);
	staff_cache_free(c);
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("staff_cache");
	TCase *tc = tcase_create("core");
	SRunner *sr;
	int failed;

	tcase_add_test(tc, test_not_live_keeps_nothing);
	tcase_add_test(tc, test_known_until_expiry);
	tcase_add_test(tc, test_long_life_capped);
	tcase_add_test(tc, test_unknown_briefly);
	tcase_add_test(tc, test_unknown_never_evicts_known);
	tcase_add_test(tc, test_flush_and_generation);
	tcase_add_test(tc, test_bad_hash_ignored);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
