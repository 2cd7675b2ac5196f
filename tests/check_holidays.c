/*
 * Unit tests for the national holidays (links server/holidays.c and
 * server/cdate.c). Expected values are facts stated independently of the
 * module: the Cabinet Office calendars for given years, the weekday a happy
 * Monday must fall on, and the shape every year must have under the Act.
 */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "core/cdate.h"
#include "core/holidays.h"

/* Parses s, failing the test when it does not parse. */
static cdate
D(const char *s)
{
	cdate d = CDATE_NONE;

	ck_assert_msg(cdate_parse(s, &d), "date %s should parse", s);
	return d;
}

/* Asserts s is a holiday called ja (ja NULL: any name). */
static void
assert_holiday(const char *s, const char *ja)
{
	const char *name_ja = NULL, *name_en = NULL;

	ck_assert_msg(hol_lookup(D(s), &name_ja, &name_en), "%s should be a holiday", s);
	ck_assert(name_en != NULL && name_en[0] != '\0');
	if (ja != NULL)
		ck_assert_msg(strcmp(name_ja, ja) == 0, "%s is %s, expected %s", s, name_ja, ja);
}

/* Asserts s is no holiday. */
static void
assert_workday(const char *s)
{
	ck_assert_msg(!hol_lookup(D(s), NULL, NULL), "%s should not be a holiday", s);
}

/* The kind of holiday d is, or -1. */
static int
kind_of(cdate d)
{
	struct hol_day h;

	if (!hol_get(d, &h))
		return -1;
	return (int)h.kind;
}

/* The date of the holiday called ja in year (CDATE_NONE when none; fails on two). */
static cdate
find_named(int year, const char *ja)
{
	struct hol_day days[HOL_MAX_PER_YEAR];
	size_t n = hol_year(year, days, HOL_MAX_PER_YEAR);
	cdate found = CDATE_NONE;

	for (size_t i = 0; i < n; i++) {
		if (strcmp(days[i].name_ja, ja) != 0)
			continue;
		ck_assert_msg(found == CDATE_NONE, "%d has two %s", year, ja);
		found = days[i].date;
	}
	return found;
}

/* Asserts the named holiday of year is a Monday between days lo..hi of month. */
static void
assert_happy_monday(int year, const char *ja, int month, int lo, int hi)
{
	cdate d = find_named(year, ja);
	int y, m, day;

	ck_assert_msg(d != CDATE_NONE, "%d has no %s", year, ja);
	cdate_to_ymd(d, &y, &m, &day);
	ck_assert_msg(cdate_weekday(d) == 1 && m == month && day >= lo && day <= hi,
	    "%d: %s misplaced", year, ja);
}

START_TEST(fixed_days_every_year)
{
	static const struct {
		int m, d;
		const char *ja;
	} fixed[] = {
		{ 1, 1, "元日" }, { 2, 11, "建国記念の日" }, { 5, 3, "憲法記念日" },
		{ 5, 5, "こどもの日" }, { 11, 3, "文化の日" }, { 11, 23, "勤労感謝の日" },
	};

	for (int y = 1980; y <= 2099; y++) {
		for (size_t i = 0; i < sizeof(fixed) / sizeof(fixed[0]); i++) {
			const char *ja;

			ck_assert(hol_lookup(cdate_make(y, fixed[i].m, fixed[i].d), &ja, NULL));
			ck_assert_str_eq(ja, fixed[i].ja);
		}
	}
}
END_TEST

START_TEST(april_29_and_may_4)
{
	for (int y = 2000; y <= 2099; y++) {
		const char *ja;

		ck_assert(hol_lookup(cdate_make(y, 4, 29), &ja, NULL));
		ck_assert_str_eq(ja, y >= 2007 ? "昭和の日" : "みどりの日");
		if (y >= 2007) {
			ck_assert(hol_lookup(cdate_make(y, 5, 4), &ja, NULL));
			ck_assert_str_eq(ja, "みどりの日");
		}
	}
	assert_holiday("1988-04-29", "天皇誕生日");
	assert_holiday("1989-04-29", "みどりの日");
	/* Before 2007 May 4 was a citizens' holiday unless Sunday or a substitute. */
	assert_holiday("2006-05-04", "国民の休日");
	assert_workday("2003-05-04");		/* a Sunday */
	assert_holiday("1998-05-04", "振替休日");	/* May 3 1998 was a Sunday */
}
END_TEST

START_TEST(coming_of_age_day)
{
	for (int y = 2000; y <= 2099; y++)
		assert_happy_monday(y, "成人の日", 1, 8, 14);
	assert_holiday("1999-01-15", "成人の日");
	assert_workday("2000-01-15");
	assert_holiday("2026-01-12", "成人の日");
}
END_TEST

START_TEST(marine_day)
{
	for (int y = 2003; y <= 2099; y++) {
		if (y == 2020 || y == 2021)
			continue;
		assert_happy_monday(y, "海の日", 7, 15, 21);
	}
	assert_workday("1995-07-20");
	assert_holiday("1996-07-20", "海の日");
	assert_holiday("2002-07-20", "海の日");
	assert_holiday("2020-07-23", "海の日");
	assert_workday("2020-07-20");
	assert_holiday("2021-07-22", "海の日");
	assert_workday("2021-07-19");
}
END_TEST

START_TEST(mountain_day)
{
	for (int y = 2000; y <= 2015; y++)
		ck_assert(find_named(y, "山の日") == CDATE_NONE);
	for (int y = 2016; y <= 2099; y++) {
		cdate d = find_named(y, "山の日");

		if (y == 2020)
			ck_assert_int_eq(d, D("2020-08-10"));
		else if (y == 2021)
			ck_assert_int_eq(d, D("2021-08-08"));
		else
			ck_assert_int_eq(d, cdate_make(y, 8, 11));
	}
	assert_workday("2020-08-11");
	assert_holiday("2021-08-09", "振替休日");
}
END_TEST

START_TEST(respect_for_the_aged_day)
{
	for (int y = 2003; y <= 2099; y++)
		assert_happy_monday(y, "敬老の日", 9, 15, 21);
	assert_holiday("2002-09-15", "敬老の日");
	assert_holiday("1999-09-15", "敬老の日");
}
END_TEST

START_TEST(sports_day)
{
	for (int y = 2000; y <= 2019; y++)
		assert_happy_monday(y, "体育の日", 10, 8, 14);
	for (int y = 2022; y <= 2099; y++)
		assert_happy_monday(y, "スポーツの日", 10, 8, 14);
	assert_holiday("1999-10-10", "体育の日");
	assert_holiday("2020-07-24", "スポーツの日");
	assert_holiday("2021-07-23", "スポーツの日");
	assert_workday("2020-10-12");
	assert_workday("2021-10-11");
	ck_assert(find_named(2020, "体育の日") == CDATE_NONE);
}
END_TEST

START_TEST(emperors_birthday)
{
	for (int y = 1989; y <= 2018; y++)
		ck_assert_int_eq(find_named(y, "天皇誕生日"), cdate_make(y, 12, 23));
	ck_assert(find_named(2019, "天皇誕生日") == CDATE_NONE);
	assert_workday("2019-12-23");
	assert_workday("2019-02-23");
	for (int y = 2020; y <= 2099; y++)
		ck_assert_int_eq(find_named(y, "天皇誕生日"), cdate_make(y, 2, 23));
	assert_workday("2020-12-23");
	assert_holiday("2020-02-24", "振替休日");
}
END_TEST

START_TEST(equinoxes)
{
	static const char *const known[] = {
		"2000-03-20", "2000-09-23", "2002-03-21", "2008-03-20", "2012-03-20",
		"2012-09-22", "2016-09-22", "2019-03-21", "2019-09-23", "2020-03-20",
		"2020-09-22", "2021-03-20", "2021-09-23", "2022-03-21", "2023-03-21",
		"2023-09-23", "2024-03-20", "2024-09-22", "2025-03-20", "2025-09-23",
		"2026-03-20", "2026-09-23", "2027-03-21", "2092-03-19", "2096-03-19",
		"1980-03-20", "1980-09-23",
	};

	for (size_t i = 0; i < sizeof(known) / sizeof(known[0]); i++)
		assert_holiday(known[i], known[i][6] == '3' ? "春分の日" : "秋分の日");
	for (int y = 2000; y <= 2099; y++) {
		int yy, m, d;

		cdate_to_ymd(find_named(y, "春分の日"), &yy, &m, &d);
		ck_assert(m == 3 && d >= 19 && d <= 21);
		cdate_to_ymd(find_named(y, "秋分の日"), &yy, &m, &d);
		ck_assert(m == 9 && d >= 22 && d <= 23);
	}
}
END_TEST

START_TEST(substitute_holidays_known)
{
	static const char *const known[] = {
		"2026-05-06", "2025-02-24", "2025-05-06", "2025-11-24", "2024-02-12",
		"2024-05-06", "2024-08-12", "2024-09-23", "2024-11-04", "2023-01-02",
		"2019-05-06", "2019-08-12", "2019-11-04", "2012-01-02", "2012-04-30",
		"2012-12-24", "2008-05-06", "2009-05-06", "2006-01-02", "1988-03-21",
		"1987-05-04",
	};

	for (size_t i = 0; i < sizeof(known) / sizeof(known[0]); i++)
		assert_holiday(known[i], "振替休日");
}
END_TEST

START_TEST(substitute_rule_every_year)
{
	for (int y = 2000; y <= 2099; y++) {
		struct hol_day days[HOL_MAX_PER_YEAR];
		size_t n = hol_year(y, days, HOL_MAX_PER_YEAR);

		for (size_t i = 0; i < n; i++) {
			cdate d = days[i].date;

			if (days[i].kind == HOL_NATIONAL && cdate_weekday(d) == 0) {
				/* The first following non-national day is a substitute holiday. */
				cdate s = d + 1;

				while (kind_of(s) == HOL_NATIONAL)
					s++;
				ck_assert_msg(kind_of(s) == HOL_SUBSTITUTE, "%d: no substitute", y);
			}
			if (days[i].kind == HOL_SUBSTITUTE) {
				/* Walking back over national holidays reaches a Sunday one. */
				cdate b = d - 1;

				ck_assert(cdate_weekday(d) != 0);
				while (cdate_weekday(b) != 0) {
					ck_assert(kind_of(b) == HOL_NATIONAL);
					b--;
				}
				ck_assert(kind_of(b) == HOL_NATIONAL);
			}
		}
	}
}
END_TEST

START_TEST(citizens_holidays)
{
	assert_holiday("2026-09-22", "国民の休日");
	assert_holiday("2032-09-21", "国民の休日");
	assert_holiday("2009-09-22", "国民の休日");
	assert_holiday("2015-09-22", "国民の休日");
	assert_holiday("2019-04-30", "国民の休日");
	assert_holiday("2019-05-02", "国民の休日");
	assert_holiday("1988-05-04", "国民の休日");
	assert_workday("1985-05-04");		/* before the 1985 amendment took effect */
	assert_workday("1986-05-04");		/* a Sunday */
	for (int y = 1988; y <= 2099; y++) {
		for (cdate d = cdate_make(y, 1, 2); d < cdate_make(y, 12, 31); d++) {
			bool between = kind_of(d - 1) == HOL_NATIONAL && kind_of(d + 1) == HOL_NATIONAL;

			if (kind_of(d) == HOL_CITIZENS)
				ck_assert_msg(between, "%d: stray citizens' holiday", y);
			else if (between && cdate_weekday(d) != 0)
				ck_assert_msg(kind_of(d) >= 0, "%d: missed citizens' holiday", y);
		}
	}
}
END_TEST

START_TEST(one_off_days)
{
	assert_holiday("1989-02-24", "昭和天皇の大喪の礼");
	assert_holiday("1990-11-12", "即位礼正殿の儀");
	assert_holiday("1993-06-09", "皇太子徳仁親王の結婚の儀");
	assert_holiday("2019-05-01", "即位の日");
	assert_holiday("2019-10-22", "即位礼正殿の儀");
	assert_workday("2018-05-01");
	assert_workday("2020-10-22");
	assert_workday("2020-05-01");
}
END_TEST

START_TEST(counts_per_year)
{
	static const struct {
		int year;
		size_t total;
	} known[] = {
		{ 2012, 18 }, { 2019, 22 }, { 2020, 18 }, { 2021, 17 }, { 2024, 21 },
		{ 2025, 19 }, { 2026, 18 }, { 1988, 14 },
	};
	struct hol_day days[HOL_MAX_PER_YEAR];

	for (size_t i = 0; i < sizeof(known) / sizeof(known[0]); i++)
		ck_assert_msg(hol_year(known[i].year, days, HOL_MAX_PER_YEAR) == known[i].total,
		    "%d", known[i].year);
}
END_TEST

START_TEST(named_holidays_per_year)
{
	/* The Act names 14 days until 2006, 15 from 2007, 16 from 2016; 2019 had 17. */
	for (int y = 2000; y <= 2099; y++) {
		struct hol_day days[HOL_MAX_PER_YEAR];
		size_t n = hol_year(y, days, HOL_MAX_PER_YEAR), named = 0;
		size_t want = y < 2007 ? 14 : y < 2016 ? 15 : y == 2019 ? 17 : 16;

		for (size_t i = 0; i < n; i++)
			named += days[i].kind == HOL_NATIONAL;
		ck_assert_msg(named == want, "%d: %zu named", y, named);
	}
}
END_TEST

START_TEST(year_lists_are_sorted_and_consistent)
{
	for (int y = 1980; y <= 2099; y++) {
		struct hol_day days[HOL_MAX_PER_YEAR];
		size_t n = hol_year(y, days, HOL_MAX_PER_YEAR);

		ck_assert(n >= 12 && n < HOL_MAX_PER_YEAR);
		for (size_t i = 0; i < n; i++) {
			const char *ja, *en;
			int yy, m, d;

			cdate_to_ymd(days[i].date, &yy, &m, &d);
			ck_assert_int_eq(yy, y);
			ck_assert(i == 0 || days[i - 1].date < days[i].date);
			ck_assert(hol_lookup(days[i].date, &ja, &en));
			ck_assert(ja == days[i].name_ja && en == days[i].name_en);
		}
	}
}
END_TEST

START_TEST(lookups_outside_holidays)
{
	struct hol_day days[4];

	assert_workday("2026-01-02");
	assert_workday("2026-12-31");
	assert_workday("2026-05-07");
	ck_assert(!hol_lookup(D("1979-01-01"), NULL, NULL));
	ck_assert(!hol_lookup(D("2100-01-01"), NULL, NULL));
	ck_assert_uint_eq(hol_year(1979, days, 4), 0);
	ck_assert_uint_eq(hol_year(2100, days, 4), 0);
	ck_assert_uint_eq(hol_year(2026, days, 4), 4);
	ck_assert_int_eq(days[3].date, D("2026-02-23"));
	ck_assert(!hol_lookup(CDATE_NONE, NULL, NULL));
}
END_TEST

START_TEST(english_names)
{
	const char *en;

	ck_assert(hol_lookup(D("2026-09-22"), NULL, &en));
	ck_assert_str_eq(en, "Citizens' Holiday");
	ck_assert(hol_lookup(D("2026-05-06"), NULL, &en));
	ck_assert_str_eq(en, "Substitute Holiday");
	ck_assert(hol_lookup(D("2026-01-01"), NULL, &en));
	ck_assert_str_eq(en, "New Year's Day");
}
END_TEST

/* All holiday tests in one suite. */
static Suite *
holidays_suite(void)
{
	Suite *s = suite_create("holidays");
	TCase *tc = tcase_create("core");

	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, fixed_days_every_year);
	tcase_add_test(tc, april_29_and_may_4);
	tcase_add_test(tc, coming_of_age_day);
	tcase_add_test(tc, marine_day);
	tcase_add_test(tc, mountain_day);
	tcase_add_test(tc, respect_for_the_aged_day);
	tcase_add_test(tc, sports_day);
	tcase_add_test(tc, emperors_birthday);
	tcase_add_test(tc, equinoxes);
	tcase_add_test(tc, substitute_holidays_known);
	tcase_add_test(tc, substitute_rule_every_year);
	tcase_add_test(tc, citizens_holidays);
	tcase_add_test(tc, one_off_days);
	tcase_add_test(tc, counts_per_year);
	tcase_add_test(tc, named_holidays_per_year);
	tcase_add_test(tc, year_lists_are_sorted_and_consistent);
	tcase_add_test(tc, lookups_outside_holidays);
	tcase_add_test(tc, english_names);
	suite_add_tcase(s, tc);
	return s;
}

/* Runs the suite; the exit status is 0 when every test passed. */
int
main(void)
{
	SRunner *sr = srunner_create(holidays_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
