/* Unit tests for the civil-date module (links server/cdate.c only). */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "core/cdate.h"

/* Parses s, failing the test when it does not parse. */
static cdate
D(const char *s)
{
	cdate d = CDATE_NONE;

	ck_assert_msg(cdate_parse(s, &d), "date %s should parse", s);
	return d;
}

/* Asserts that d formats as want. */
static void
assert_date(cdate d, const char *want)
{
	char buf[11];

	ck_assert_str_eq(cdate_format(d, buf), want);
}

START_TEST(known_day_numbers)
{
	ck_assert_int_eq(D("1970-01-01"), 0);
	ck_assert_int_eq(D("2000-03-01"), 11017);
	ck_assert_int_eq(D("1900-01-01"), -25567);
	ck_assert_int_eq(D("2199-12-31"), 84005);
	ck_assert_int_eq(cdate_make(1969, 12, 31), -1);
}
END_TEST

START_TEST(parse_rejects_malformed)
{
	static const char *const bad[] = {
		"2026-02-30", "2026-2-3", "2026-02-03x", " 2026-02-03", "2026-02-03 ",
		"1899-12-31", "2200-01-01", "2026/02/03", "20260203", "", "2026-13-01",
		"2026-00-10", "2026-01-00", "2026-04-31", "2025-02-29", "+026-01-01",
		"2026-0a-01", "2026-01-1", "２０２６-01-01",
	};
	cdate d;

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		ck_assert_msg(!cdate_parse(bad[i], &d), "\"%s\" must not parse", bad[i]);
	ck_assert(!cdate_parse(NULL, &d));
}
END_TEST

START_TEST(parse_accepts_edges)
{
	assert_date(D("2024-02-29"), "2024-02-29");
	assert_date(D("2000-02-29"), "2000-02-29");
	assert_date(D("1900-01-01"), "1900-01-01");
	assert_date(D("2199-12-31"), "2199-12-31");
}
END_TEST

START_TEST(from_ymd_validates)
{
	cdate d;

	ck_assert(cdate_from_ymd(2024, 2, 29, &d));
	ck_assert(!cdate_from_ymd(2023, 2, 29, &d));
	ck_assert(!cdate_from_ymd(1900, 2, 29, &d));
	ck_assert(!cdate_from_ymd(2026, 6, 31, &d));
	ck_assert(!cdate_from_ymd(2026, 0, 1, &d));
	ck_assert(!cdate_from_ymd(2026, 13, 1, &d));
}
END_TEST

START_TEST(round_trip_every_day)
{
	cdate first = D("1900-01-01"), last = D("2199-12-31");
	int py = 1899, pm = 12, pd = 31;

	for (cdate d = first; d <= last; d++) {
		int y, m, day;
		char buf[11];
		cdate back;

		cdate_to_ymd(d, &y, &m, &day);
		/* Each day is the successor of the previous one. */
		if (day == 1)
			ck_assert(pd == cdate_days_in_month(py, pm) && (m == pm % 12 + 1));
		else
			ck_assert(y == py && m == pm && day == pd + 1);
		ck_assert(cdate_parse(cdate_format(d, buf), &back));
		ck_assert_int_eq(back, d);
		py = y, pm = m, pd = day;
	}
}
END_TEST

START_TEST(leap_years_and_month_lengths)
{
	ck_assert(!cdate_is_leap(1900));
	ck_assert(cdate_is_leap(2000));
	ck_assert(cdate_is_leap(2024));
	ck_assert(!cdate_is_leap(2026));
	ck_assert(!cdate_is_leap(2100));
	ck_assert_int_eq(cdate_days_in_month(2024, 2), 29);
	ck_assert_int_eq(cdate_days_in_month(2026, 2), 28);
	ck_assert_int_eq(cdate_days_in_month(2026, 4), 30);
	ck_assert_int_eq(cdate_days_in_month(2026, 12), 31);
	ck_assert_int_eq(cdate_days_in_month(2026, 13), 0);
}
END_TEST

START_TEST(weekdays)
{
	ck_assert_int_eq(cdate_weekday(D("1970-01-01")), 4);
	ck_assert_int_eq(cdate_weekday(D("2026-01-01")), 4);
	ck_assert_int_eq(cdate_weekday(D("2026-05-03")), 0);
	ck_assert_int_eq(cdate_weekday(D("2000-01-01")), 6);
	ck_assert_int_eq(cdate_weekday(D("1969-12-28")), 0);
	ck_assert_int_eq(cdate_weekday(D("1900-01-01")), 1);
}
END_TEST

START_TEST(add_days_crosses_years)
{
	assert_date(cdate_add_days(D("2025-12-31"), 1), "2026-01-01");
	assert_date(cdate_add_days(D("2024-02-28"), 1), "2024-02-29");
	assert_date(cdate_add_days(D("2026-03-01"), -1), "2026-02-28");
	assert_date(cdate_add_days(D("2026-01-01"), 93), "2026-04-04");
}
END_TEST

START_TEST(add_months_clamps_to_month_end)
{
	assert_date(cdate_add_months(D("2026-05-31"), -3), "2026-02-28");
	assert_date(cdate_add_months(D("2028-05-30"), -3), "2028-02-29");
	assert_date(cdate_add_months(D("2024-01-31"), 1), "2024-02-29");
	assert_date(cdate_add_months(D("2026-03-24"), -3), "2025-12-24");
	assert_date(cdate_add_months(D("2026-01-15"), -1), "2025-12-15");
	assert_date(cdate_add_months(D("2025-11-30"), 13), "2026-12-30");
	assert_date(cdate_add_months(D("2026-08-31"), 1), "2026-09-30");
	assert_date(cdate_end_of_month(D("2028-02-03")), "2028-02-29");
}
END_TEST

START_TEST(nth_weekday)
{
	cdate d;

	ck_assert(cdate_nth_weekday(2026, 9, 1, 3, &d));
	assert_date(d, "2026-09-21");
	ck_assert(cdate_nth_weekday(2026, 1, 1, 2, &d));
	assert_date(d, "2026-01-12");
	ck_assert(cdate_nth_weekday(2026, 3, 1, 5, &d));
	assert_date(d, "2026-03-30");
	ck_assert(!cdate_nth_weekday(2026, 2, 1, 5, &d));
	ck_assert(cdate_nth_weekday(2026, 2, 0, 3, &d));	/* third Sunday */
	assert_date(d, "2026-02-15");
	ck_assert(cdate_nth_weekday(2026, 2, 6, 3, &d));	/* third Saturday */
	assert_date(d, "2026-02-21");
	ck_assert(!cdate_nth_weekday(2026, 2, 1, 0, &d));
	ck_assert(!cdate_nth_weekday(2026, 2, 1, 6, &d));
	ck_assert(!cdate_nth_weekday(2026, 2, 7, 1, &d));
}
END_TEST

START_TEST(from_time_is_tokyo)
{
	assert_date(cdate_from_time(0), "1970-01-01");
	assert_date(cdate_from_time(1735657200), "2025-01-01");	/* 2024-12-31T15:00Z */
	assert_date(cdate_from_time(1735657199), "2024-12-31");
	assert_date(cdate_from_time(-9 * 3600), "1970-01-01");
	assert_date(cdate_from_time(-9 * 3600 - 1), "1969-12-31");
}
END_TEST

START_TEST(birthdays_and_ages)
{
	cdate leapling = D("2000-02-29");

	assert_date(cdate_birthday_in(leapling, 2023), "2023-02-28");
	assert_date(cdate_birthday_in(leapling, 2024), "2024-02-29");
	ck_assert_int_eq(cdate_age_on(leapling, D("2023-02-27")), 22);
	ck_assert_int_eq(cdate_age_on(leapling, D("2023-02-28")), 23);
	ck_assert_int_eq(cdate_age_on(D("1990-07-15"), D("2021-07-14")), 30);
	ck_assert_int_eq(cdate_age_on(D("1990-07-15"), D("2021-07-15")), 31);
	/* Strictly after: a card issued on the birthday does not count that day. */
	assert_date(cdate_nth_birthday_after(D("1990-07-15"), D("2021-07-15"), 1), "2022-07-15");
	assert_date(cdate_nth_birthday_after(D("1990-07-15"), D("2021-07-14"), 1), "2021-07-15");
	assert_date(cdate_nth_birthday_after(D("1990-07-15"), D("2021-03-01"), 10), "2030-07-15");
	assert_date(cdate_nth_birthday_after(leapling, D("2023-03-01"), 10), "2033-02-28");
	assert_date(cdate_nth_birthday_after(leapling, D("2023-03-01"), 1), "2024-02-29");
	assert_date(cdate_nth_birthday_after(leapling, D("2024-02-29"), 1), "2025-02-28");
}
END_TEST

/* All cdate tests in one suite. */
static Suite *
cdate_suite(void)
{
	Suite *s = suite_create("cdate");
	TCase *tc = tcase_create("core");

	tcase_set_timeout(tc, 30);
	tcase_add_test(tc, known_day_numbers);
	tcase_add_test(tc, parse_rejects_malformed);
	tcase_add_test(tc, parse_accepts_edges);
	tcase_add_test(tc, from_ymd_validates);
	tcase_add_test(tc, round_trip_every_day);
	tcase_add_test(tc, leap_years_and_month_lengths);
	tcase_add_test(tc, weekdays);
	tcase_add_test(tc, add_days_crosses_years);
	tcase_add_test(tc, add_months_clamps_to_month_end);
	tcase_add_test(tc, nth_weekday);
	tcase_add_test(tc, from_time_is_tokyo);
	tcase_add_test(tc, birthdays_and_ages);
	suite_add_tcase(s, tc);
	return s;
}

/* Runs the suite; the exit status is 0 when every test passed. */
int
main(void)
{
	SRunner *sr = srunner_create(cdate_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
