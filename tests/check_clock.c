/* Unit tests for the injectable clock (links server/clock.c only). */
#include <check.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "clock.h"

/* 2026-12-15T01:00:00Z, checked with `date -u -d 2026-12-15T01:00:00Z +%s`. */
#define T_20261215_0100Z ((time_t)1797296400)
/* 2026-12-02T08:30:00+09:00 (API.md's example instant). */
#define T_20261202_0830JST ((time_t)1796167800)

/* Parses s, failing the test when it does not parse. */
static time_t
P(const char *s)
{
	time_t t = -1;

	ck_assert_msg(clock_parse_instant(s, &t), "\"%s\" should parse", s);
	return t;
}

/* An instant in Z and in +09:00 is the same second. */
START_TEST(parse_z_and_jst)
{
	ck_assert_int_eq(P("2026-12-15T01:00:00Z"), T_20261215_0100Z);
	ck_assert_int_eq(P("2026-12-15T10:00:00+09:00"), T_20261215_0100Z);
	ck_assert_int_eq(P("2026-12-02T08:30:00+09:00"), T_20261202_0830JST);
}
END_TEST

/* Negative, half-hour and zero offsets move the instant the right way. */
START_TEST(parse_other_offsets)
{
	ck_assert_int_eq(P("2026-12-14T20:00:00-05:00"), T_20261215_0100Z);
	ck_assert_int_eq(P("2026-12-15T06:30:00+05:30"), T_20261215_0100Z);
	ck_assert_int_eq(P("2026-12-15T01:00:00+00:00"), T_20261215_0100Z);
	ck_assert_int_eq(P("2026-12-15T01:00:00-00:00"), T_20261215_0100Z);
	ck_assert_int_eq(P("2026-12-15T15:00:00+14:00"), T_20261215_0100Z);
	ck_assert_int_eq(P("2026-01-01T00:00:00-05:30"), (time_t)1767245400);
}
END_TEST

/* Known instants across the range: the epoch, a leap day, the last second allowed. */
START_TEST(parse_known_instants)
{
	ck_assert_int_eq(P("1970-01-01T00:00:00Z"), 0);
	ck_assert_int_eq(P("1970-01-01T09:00:00+09:00"), 0);
	ck_assert_int_eq(P("2024-02-29T12:00:00Z"), (time_t)1709208000);
	ck_assert_int_eq(P("2199-12-31T23:59:59Z"), (time_t)7258118399);
	ck_assert_int_eq(P("2026-12-15T01:00:59Z") - P("2026-12-15T01:00:00Z"), 59);
	ck_assert_int_eq(P("2026-12-31T23:59:59Z") + 1, P("2027-01-01T00:00:00Z"));
}
END_TEST

/* Impossible dates and times are refused. */
START_TEST(parse_rejects_impossible_values)
{
	static const char *const bad[] = {
		"2026-02-30T10:00:00Z", "2026-02-29T10:00:00Z", "2100-02-29T10:00:00Z",
		"2026-04-31T10:00:00Z", "2026-13-01T10:00:00Z", "2026-00-01T10:00:00Z",
		"2026-01-00T10:00:00Z", "2026-12-15T25:00:00+09:00", "2026-12-15T24:00:00Z",
		"2026-12-15T10:60:00Z", "2026-12-15T10:00:60Z", "1969-12-31T23:59:59Z",
		"2200-01-01T00:00:00Z",
	};
	time_t t;

	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
		ck_assert_msg(!clock_parse_instant(bad[i], &t), "\"%s\" must not parse", bad[i]);
}
END_TEST

/* A missing or malformed offset is refused, and so is one beyond 14 hours. */
START_TEST(parse_rejects_bad_offsets)
{
	static const char *const bad[] = {
		"2026-12-15T10:00:00", "2026-12-15T10:00:00+09", "2026-12-15T10:00:00+0900",
		"2026-12-15T10:00:00+9:00", "2026-12-15T10:00:00+09:0", "2026-12-15T10:00:00z",
		"2026-12-15T10:00:00 +09:00", "2026-12-15T10:00:00+15:00",
		"2026-12-15T10:00:00+09:60", "2026-12-15T10:00:00UTC", "2026-12-15T10:00:00JST",
		"2026-12-15T10:00:00.000Z", "2026-12-15T10:00:00+14:01",
		"2026-12-15T10:00:00-14:59", "1970-01-01T00:00:00+14:15",
	};
	time_t t;

	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
		ck_assert_msg(!clock_parse_instant(bad[i], &t), "\"%s\" must not parse", bad[i]);
}
END_TEST

/* Trailing junk, a lower-case t and other separators are refused. */
START_TEST(parse_rejects_shape)
{
	static const char *const bad[] = {
		"2026-12-15T10:00:00Zjunk", "2026-12-15T10:00:00+09:00 ", "2026-12-15T10:00:00+09:00Z",
		"2026-12-15t10:00:00Z", "2026-12-15 10:00:00Z", "2026/12/15T10:00:00Z",
		"2026-12-15T10.00.00Z", " 2026-12-15T10:00:00Z", "2026-12-15", "", "Z",
		"2026-1-15T10:00:00Z", "2026-12-5T10:00:00Z", "2026-12-15T1:00:00Z",
		"20261215T100000Z",
	};
	time_t t;

	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
		ck_assert_msg(!clock_parse_instant(bad[i], &t), "\"%s\" must not parse", bad[i]);
}
END_TEST

/* Signs or spaces inside a two-digit field are refused, not read as numbers. */
START_TEST(parse_rejects_signs_and_spaces_in_fields)
{
	static const char *const bad[] = {
		"2026-12-15T-1:00:00Z", "2026-12-15T 1:00:00Z", "2026-12-15T+1:00:00Z",
		"2026-12-15T10:-1:00Z", "2026-12-15T10:00:-1Z", "2026-+1-15T10:00:00Z",
		"2026-12- 5T10:00:00Z", "+026-12-15T10:00:00Z", "2026-12-15T10:00:00+-1:00",
		"2026-12-15T10:00:00+ 9:00", "2026-12-15T10:00:00+09:-1", "2026-12-15T10:00:00++9:00",
		"２０２６-12-15T10:00:00Z",
	};
	time_t t;

	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
		ck_assert_msg(!clock_parse_instant(bad[i], &t), "\"%s\" must not parse", bad[i]);
}
END_TEST

/* A refused instant leaves the output untouched. */
START_TEST(parse_failure_keeps_output)
{
	time_t t = 12345;

	ck_assert(!clock_parse_instant("2026-02-30T10:00:00Z", &t));
	ck_assert_int_eq(t, 12345);
	ck_assert(!clock_parse_instant("2026-12-15T10:00:00", &t));
	ck_assert_int_eq(t, 12345);
}
END_TEST

/* Without a shift the clock reads real time. */
START_TEST(now_is_real_time_by_default)
{
	time_t before = time(NULL), now = clock_now(), after = time(NULL);

	ck_assert(!clock_is_shifted());
	ck_assert(now >= before && now <= after);
}
END_TEST

/* clock_set_start moves clock_now to the instant, which then advances in real time. */
START_TEST(set_start_shifts_now)
{
	time_t start = P("2026-12-15T10:00:00+09:00"), now;

	clock_set_start(start);
	ck_assert(clock_is_shifted());
	now = clock_now();
	ck_assert_msg(now >= start && now <= start + 1, "now %lld, start %lld",
	    (long long)now, (long long)start);

	clock_set_start(0);
	now = clock_now();
	ck_assert(now >= 0 && now <= 1);
}
END_TEST

/* Starting in the past also works, and the shift is relative to real time. */
START_TEST(set_start_in_the_past)
{
	time_t start = P("2001-01-01T00:00:00Z");

	clock_set_start(start);
	ck_assert(clock_is_shifted());
	ck_assert(clock_now() - start <= 1 && clock_now() - start >= 0);
	ck_assert(time(NULL) - clock_now() > 20L * 365 * 86400);
}
END_TEST

/* The clock advances with real time after being set. */
START_TEST(set_start_advances)
{
	time_t start = T_20261215_0100Z, a, b;
	struct timespec nap = { 1, 100 * 1000 * 1000 };

	clock_set_start(start);
	a = clock_now();
	nanosleep(&nap, NULL);
	b = clock_now();
	ck_assert_int_ge(b - a, 1);
	ck_assert_int_le(b - a, 3);
}
END_TEST

/* Instants format in Japan time with a +09:00 suffix. */
START_TEST(format_jst)
{
	char buf[26];

	clock_format_jst(T_20261215_0100Z, buf);
	ck_assert_str_eq(buf, "2026-12-15T10:00:00+09:00");
	clock_format_jst(T_20261202_0830JST, buf);
	ck_assert_str_eq(buf, "2026-12-02T08:30:00+09:00");
	clock_format_jst(0, buf);
	ck_assert_str_eq(buf, "1970-01-01T09:00:00+09:00");
	ck_assert_uint_eq(strlen(buf), 25);
}
END_TEST

/* Formatting crosses the date line at 15:00Z, and year ends, correctly. */
START_TEST(format_jst_date_change)
{
	char buf[26];

	clock_format_jst(P("2026-12-31T14:59:59Z"), buf);
	ck_assert_str_eq(buf, "2026-12-31T23:59:59+09:00");
	clock_format_jst(P("2026-12-31T15:00:00Z"), buf);
	ck_assert_str_eq(buf, "2027-01-01T00:00:00+09:00");
	clock_format_jst(P("2028-02-28T15:00:00Z"), buf);
	ck_assert_str_eq(buf, "2028-02-29T00:00:00+09:00");
}
END_TEST

/* Formatting then parsing gives back the same instant. */
START_TEST(format_parse_round_trip)
{
	static const char *const inputs[] = {
		"2026-12-15T01:00:00Z", "2026-06-30T23:59:59-05:30", "2030-01-01T00:00:00+14:00",
		"1999-12-31T15:00:00Z",
	};
	char buf[26];

	for (size_t i = 0; i < sizeof inputs / sizeof inputs[0]; i++) {
		time_t t = P(inputs[i]);
		clock_format_jst(t, buf);
		ck_assert_int_eq(P(buf), t);
	}
}
END_TEST

/* All clock tests in one suite. */
static Suite *
clock_suite(void)
{
	Suite *s = suite_create("clock");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, parse_z_and_jst);
	tcase_add_test(tc, parse_other_offsets);
	tcase_add_test(tc, parse_known_instants);
	tcase_add_test(tc, parse_rejects_impossible_values);
	tcase_add_test(tc, parse_rejects_bad_offsets);
	tcase_add_test(tc, parse_rejects_shape);
	tcase_add_test(tc, parse_rejects_signs_and_spaces_in_fields);
	tcase_add_test(tc, parse_failure_keeps_output);
	tcase_add_test(tc, now_is_real_time_by_default);
	tcase_add_test(tc, set_start_shifts_now);
	tcase_add_test(tc, set_start_in_the_past);
	tcase_add_test(tc, set_start_advances);
	tcase_add_test(tc, format_jst);
	tcase_add_test(tc, format_jst_date_change);
	tcase_add_test(tc, format_parse_round_trip);
	suite_add_tcase(s, tc);
	return s;
}

/* Runs the suite; the exit status is 0 when every test passed. */
int
main(void)
{
	SRunner *sr = srunner_create(clock_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
