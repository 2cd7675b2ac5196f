/*
 * Unit tests for the shipped configuration's calendars (links config.c,
 * config_muni.c, calendar.c and what they need): config/madoguchi.yaml is
 * loaded as the daemon loads it and asked about real dates, so a change to a
 * municipality file that breaks RULES.md section 5 fails here. Run from the
 * repository root.
 */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/calendar.h"
#include "config.h"
#include "config_load.h"
#include "core/holidays.h"

#define SHIPPED "config/madoguchi.yaml"

/* Minutes since midnight of h:m. */
#define HM(h, m) ((h) * 60 + (m))

/* The five Kasugai offices: the main office and its four branches. */
static const char *const kasugai[] = {
	"kasugai-main", "kasugai-sakashita", "kasugai-tobu", "kasugai-ajiyoshi",
	"kasugai-kozoji",
};

/* The shipped configuration, loaded afresh for each test. */
static struct config *cfg;

/* Loads the shipped configuration, failing with its cause when it does not load. */
static void
load_shipped(void)
{
	char *cause = NULL;

	cfg = config_load(SHIPPED, &cause);
	ck_assert_msg(cfg != NULL, SHIPPED " should load: %s", cause ? cause : "");
}

/* Drops the configuration loaded for the test. */
static void
unload_shipped(void)
{
	config_unref(cfg);
	cfg = NULL;
}

/* Parses s, failing the test when it does not parse. */
static cdate
D(const char *s)
{
	cdate d = CDATE_NONE;

	ck_assert_msg(cdate_parse(s, &d), "date %s should parse", s);
	return d;
}

/* The calendar of the shipped office id, failing the test when there is none. */
static const struct cal_office *
cal(const char *id)
{
	const struct config_office *o = config_office(cfg, id);

	ck_assert_msg(o != NULL, "office %s not found", id);
	return &o->cal;
}

/* Service svc at office id, failing the test when the office does not offer it. */
static const struct cal_service *
service(const char *id, const char *svc)
{
	const struct cal_service *s = cal_service_find(cal(id), svc);

	ck_assert_msg(s != NULL, "%s does not offer %s", id, svc);
	return s;
}

/* Fills day with office id's calendar on date. */
static void
day_at(const char *id, const char *date, struct cal_day *day)
{
	cal_day(cal(id), D(date), day);
}

/* Writes day's hours as "08:30-12:00 13:00-17:00" ("" when closed) into buf. */
static const char *
hours_text(const struct cal_day *day, char *buf, size_t size)
{
	size_t len = 0;

	buf[0] = '\0';
	for (size_t i = 0; i < day->hours.n && len < size; i++) {
		const struct cal_interval *iv = &day->hours.iv[i];

		len += (size_t)snprintf(buf + len, size - len, "%s%02d:%02d-%02d:%02d",
		    i > 0 ? " " : "", iv->from / 60, iv->from % 60, iv->to / 60, iv->to % 60);
	}
	return buf;
}

/* Requires office id to be open on date with exactly the hours want. */
static void
expect_open(const char *id, const char *date, const char *want)
{
	struct cal_day day;
	char buf[80];

	day_at(id, date, &day);
	ck_assert_msg(day.open, "%s should be open on %s", id, date);
	ck_assert_msg(strcmp(hours_text(&day, buf, sizeof buf), want) == 0,
	    "%s on %s: hours \"%s\", expected \"%s\"", id, date, buf, want);
	ck_assert_int_eq(day.reason, CAL_REASON_NONE);
}

/* Requires office id to be closed on date for reason. */
static void
expect_closed(const char *id, const char *date, enum cal_reason reason)
{
	struct cal_day day;
	char buf[80];

	day_at(id, date, &day);
	ck_assert_msg(!day.open, "%s should be closed on %s, has \"%s\"", id, date,
	    hours_text(&day, buf, sizeof buf));
	ck_assert_msg(day.reason == reason, "%s on %s: closed for %s, expected %s", id, date,
	    cal_reason_name(day.reason), cal_reason_name(reason));
}

/* Places in the first slot of svc at office id on date (0 when closed). */
static int
first_slot_capacity(const char *id, const char *svc, const char *date)
{
	struct cal_slot slots[CAL_MAX_SLOTS];
	struct cal_day day;

	day_at(id, date, &day);
	if (cal_slots(service(id, svc), &day, slots, CAL_MAX_SLOTS) == 0)
		return 0;
	return slots[0].capacity;
}

/* Kasugai's main office stays open to 19:30 on Wednesdays; its branches close at 17:00. */
START_TEST(kasugai_wednesday_evening)
{
	enum cal_why why;

	expect_open("kasugai-main", "2026-12-16", "08:30-19:30");
	for (size_t i = 1; i < sizeof kasugai / sizeof kasugai[0]; i++)
		expect_open(kasugai[i], "2026-12-16", "08:30-17:00");
	expect_open("kasugai-main", "2026-12-17", "08:30-17:00");
	ck_assert(cal_bookable(cal("kasugai-main"), service("kasugai-main", "pin_reset"),
	    D("2026-12-16"), HM(19, 15), D("2026-12-01"), HM(9, 0), &why));
	ck_assert(!cal_bookable(cal("kasugai-sakashita"),
	    service("kasugai-sakashita", "pin_reset"), D("2026-12-16"), HM(17, 0),
	    D("2026-12-01"), HM(9, 0), &why));
	ck_assert_int_eq(why, CAL_WHY_OUTSIDE_HOURS);
}
END_TEST

/* Kasugai's main office opens on Sundays with 12:00-13:00 closed; the branches do not. */
START_TEST(kasugai_sunday_with_lunch_break)
{
	struct cal_slot slots[CAL_MAX_SLOTS];
	struct cal_day day;
	enum cal_why why;

	expect_open("kasugai-main", "2026-12-13", "08:30-12:00 13:00-17:00");
	expect_open("kasugai-main", "2026-12-27", "08:30-12:00 13:00-17:00");
	for (size_t i = 1; i < sizeof kasugai / sizeof kasugai[0]; i++)
		expect_closed(kasugai[i], "2026-12-13", CAL_REASON_WEEKLY);
	day_at("kasugai-main", "2026-12-13", &day);
	ck_assert_int_eq(day.rule, -1);
	/* 30-minute slots: 7 in the morning, 8 in the afternoon, none over lunch. */
	ck_assert_uint_eq(cal_slots(service("kasugai-main", "ecert_renewal"), &day, slots,
	    CAL_MAX_SLOTS), 15);
	ck_assert_int_eq(slots[0].start, HM(8, 30));
	ck_assert_int_eq(slots[6].end, HM(12, 0));
	ck_assert_int_eq(slots[7].start, HM(13, 0));
	ck_assert(!cal_bookable(cal("kasugai-main"), service("kasugai-main", "ecert_renewal"),
	    D("2026-12-13"), HM(12, 0), D("2026-12-01"), HM(9, 0), &why));
	ck_assert_int_eq(why, CAL_WHY_OUTSIDE_HOURS);
}
END_TEST

/* The third Sunday of the month closes Kasugai's main office (nth_weekday). */
START_TEST(kasugai_third_sunday_closed)
{
	struct cal_day day;
	enum cal_why why;

	expect_closed("kasugai-main", "2026-12-20", CAL_REASON_NTH_WEEKDAY);
	expect_closed("kasugai-main", "2026-11-15", CAL_REASON_NTH_WEEKDAY);
	expect_closed("kasugai-main", "2027-02-21", CAL_REASON_NTH_WEEKDAY);
	day_at("kasugai-main", "2026-12-20", &day);
	ck_assert_int_ge(day.rule, 0);
	ck_assert_int_eq(cal("kasugai-main")->rules[day.rule].match, CAL_MATCH_NTH_WEEKDAY);
	ck_assert(!cal_bookable(cal("kasugai-main"), service("kasugai-main", "ecert_renewal"),
	    D("2026-12-20"), HM(8, 30), D("2026-12-01"), HM(9, 0), &why));
	ck_assert_int_eq(why, CAL_WHY_CLOSED);
}
END_TEST

/* 29 December to 3 January closes every Kasugai office (year_end), not the days around. */
START_TEST(kasugai_year_end_break)
{
	cdate first = D("2026-12-29"), last = D("2027-01-03");
	char date[11];

	for (size_t i = 0; i < sizeof kasugai / sizeof kasugai[0]; i++) {
		for (cdate d = first; d <= last; d++)
			expect_closed(kasugai[i], cdate_format(d, date), CAL_REASON_YEAR_END);
		expect_open(kasugai[i], "2026-12-28", "08:30-17:00");
		expect_open(kasugai[i], "2027-01-04", "08:30-17:00");
	}
	/* 1 January is also a holiday and 3 January a Sunday: year_end outranks both. */
	ck_assert(hol_lookup(D("2027-01-01"), NULL, NULL));
}
END_TEST

/* A national holiday closes Kasugai's offices (holiday), Sundays at the main office included. */
START_TEST(kasugai_holidays_closed)
{
	char date[11];
	int sundays = 0;

	for (size_t i = 0; i < sizeof kasugai / sizeof kasugai[0]; i++)
		expect_closed(kasugai[i], "2026-11-23", CAL_REASON_HOLIDAY);
	expect_open("kasugai-main", "2026-11-24", "08:30-17:00");
	/* Every holiday of 2026 outside the year-end break, Sunday 3 May included. */
	for (cdate d = D("2026-01-04"); d <= D("2026-12-28"); d++) {
		if (!hol_lookup(d, NULL, NULL))
			continue;
		for (size_t i = 0; i < sizeof kasugai / sizeof kasugai[0]; i++)
			expect_closed(kasugai[i], cdate_format(d, date), CAL_REASON_HOLIDAY);
		sundays += cdate_weekday(d) == 0;
	}
	ck_assert_int_ge(sundays, 1);
}
END_TEST

/* Kasugai's certificate renewal is reservation-only from 2024-11-01, optional before. */
START_TEST(kasugai_ecert_reservation_from_2024_11)
{
	struct cal_day day;

	for (size_t i = 0; i < sizeof kasugai / sizeof kasugai[0]; i++) {
		const struct cal_service *s = service(kasugai[i], "ecert_renewal");

		ck_assert_int_eq(cal_policy(s, D("2024-10-31")), CAL_POLICY_OPTIONAL);
		ck_assert_int_eq(cal_policy(s, D("2024-11-01")), CAL_POLICY_REQUIRED);
		ck_assert_int_eq(cal_policy(s, D("2026-12-16")), CAL_POLICY_REQUIRED);
		ck_assert_int_eq(cal_policy(service(kasugai[i], "pin_reset"), D("2026-12-16")),
		    CAL_POLICY_OPTIONAL);
	}
	day_at("kasugai-main", "2026-12-13", &day);
	ck_assert_int_eq(cal_day_policy(service("kasugai-main", "ecert_renewal"), &day),
	    CAL_POLICY_REQUIRED);
	/* The main office's own capacity keeps the municipality's policy list. */
	ck_assert_int_eq(service("kasugai-main", "ecert_renewal")->capacity, 2);
}
END_TEST

/* Shiki's station counter is closed on Wednesdays, open every other day, holidays included. */
START_TEST(shiki_station_every_day_but_wednesday)
{
	static const char *const days[] = {
		"2026-12-13", "2026-12-14", "2026-12-15", "2026-12-17", "2026-12-18", "2026-12-19",
	};

	expect_closed("shiki-station", "2026-12-16", CAL_REASON_WEEKLY);
	expect_closed("shiki-station", "2026-12-23", CAL_REASON_WEEKLY);
	for (size_t i = 0; i < sizeof days / sizeof days[0]; i++)
		expect_open("shiki-station", days[i], "10:00-18:00");
	expect_open("shiki-station", "2026-11-23", "10:00-18:00");
	expect_closed("shiki-station", "2026-12-31", CAL_REASON_YEAR_END);
	expect_closed("shiki-main", "2026-12-19", CAL_REASON_WEEKLY);
	expect_closed("shiki-yanasegawa", "2026-12-19", CAL_REASON_WEEKLY);
}
END_TEST

/* Shiki's main office opens on the Sunday after the third Saturday, not the third Sunday. */
START_TEST(shiki_sunday_after_third_saturday)
{
	struct cal_day day;

	expect_open("shiki-main", "2026-11-22", "08:30-17:15");
	expect_closed("shiki-main", "2026-11-15", CAL_REASON_WEEKLY);
	day_at("shiki-main", "2026-11-22", &day);
	ck_assert_int_eq(cal("shiki-main")->rules[day.rule].match, CAL_MATCH_DAY_AFTER_NTH);
	/* They differ only in months that start on a Sunday; otherwise they are one day. */
	expect_open("shiki-main", "2026-12-20", "08:30-17:15");
	expect_open("shiki-main", "2027-05-16", "08:30-17:15");
	expect_open("shiki-main", "2027-08-22", "08:30-17:15");
	expect_closed("shiki-main", "2027-08-15", CAL_REASON_WEEKLY);
	expect_closed("shiki-yanasegawa", "2026-11-22", CAL_REASON_WEEKLY);
	expect_open("shiki-main", "2026-12-16", "08:30-17:15");
	expect_closed("shiki-main", "2026-11-23", CAL_REASON_HOLIDAY);
}
END_TEST

/* Oita's holiday opening day is reservation-only for every service; weekdays are optional. */
START_TEST(oita_holiday_opening_reservation_only)
{
	const struct cal_office *o = cal("oita-main");
	struct cal_day sunday, weekday;
	enum cal_why why;

	expect_open("oita-main", "2026-12-13", "09:00-12:00 13:00-16:00");
	expect_closed("oita-main", "2026-12-20", CAL_REASON_WEEKLY);
	expect_open("oita-main", "2026-12-16", "08:30-17:15");
	day_at("oita-main", "2026-12-13", &sunday);
	day_at("oita-main", "2026-12-16", &weekday);
	ck_assert_int_eq(sunday.policy, CAL_POLICY_REQUIRED);
	ck_assert_int_eq(weekday.policy, CAL_POLICY_NONE);
	ck_assert_uint_eq(o->nservices, 7);
	for (size_t i = 0; i < o->nservices; i++) {
		/* The application help (free photo) is by reservation every day. */
		enum cal_policy want = strcmp(o->services[i].id, "card_application") == 0 ?
		    CAL_POLICY_REQUIRED : CAL_POLICY_OPTIONAL;

		ck_assert_int_eq(cal_day_policy(&o->services[i], &sunday), CAL_POLICY_REQUIRED);
		ck_assert_int_eq(cal_day_policy(&o->services[i], &weekday), want);
	}
	ck_assert(cal_bookable(o, service("oita-main", "ecert_renewal"), D("2026-12-13"),
	    HM(9, 0), D("2026-12-01"), HM(9, 0), &why));
}
END_TEST

/* Mondays and days after a closure have fewer places: capacity * factor, rounded down. */
START_TEST(monday_capacity_thinned)
{
	struct cal_day day;

	/* Sapporo's card centre has 4 places: 4 * 0.6 is 2.4, so 2 on a Monday. */
	ck_assert_int_eq(first_slot_capacity("sapporo-card-center", "ecert_renewal",
	    "2026-12-15"), 4);
	day_at("sapporo-card-center", "2026-12-14", &day);
	ck_assert(day.after_closure);
	ck_assert_double_eq_tol(day.peak_factor, 0.6, 1e-9);
	ck_assert_int_eq(first_slot_capacity("sapporo-card-center", "ecert_renewal",
	    "2026-12-14"), 2);
	/* The Tuesday after the 2026-11-23 holiday: 4 * 0.7 is 2.8, so 2. */
	day_at("sapporo-card-center", "2026-11-24", &day);
	ck_assert(day.after_closure);
	ck_assert_double_eq_tol(day.peak_factor, 0.7, 1e-9);
	ck_assert_int_eq(first_slot_capacity("sapporo-card-center", "ecert_renewal",
	    "2026-11-24"), 2);
	/* Kasugai's main office: 2 counters, 1 place on a Monday (never below 1). */
	day_at("kasugai-main", "2026-12-14", &day);
	ck_assert(!day.after_closure);
	ck_assert_double_eq_tol(day.peak_factor, 0.6, 1e-9);
	ck_assert_int_eq(first_slot_capacity("kasugai-main", "ecert_renewal", "2026-12-14"), 1);
	ck_assert_int_eq(first_slot_capacity("kasugai-main", "ecert_renewal", "2026-12-15"), 2);
	ck_assert_int_eq(first_slot_capacity("kasugai-main", "pin_reset", "2026-12-14"), 1);
	/* Oita: 3 * 0.6 is 1.8, so 1 on a Monday; 3 * 0.7 is 2.1, so 2 after a holiday. */
	ck_assert_int_eq(first_slot_capacity("oita-main", "ecert_renewal", "2026-12-14"), 1);
	ck_assert_int_eq(first_slot_capacity("oita-main", "ecert_renewal", "2026-11-24"), 2);
	ck_assert_int_eq(first_slot_capacity("oita-main", "ecert_renewal", "2026-12-15"), 3);
}
END_TEST

/* Every shipped office has a bookable slot within 60 days of 2026-12-01 09:00. */
START_TEST(every_office_bookable_within_60_days)
{
	struct cal_slot slots[CAL_MAX_SLOTS];
	cdate now = D("2026-12-01");

	ck_assert_uint_eq(cfg->noffices, 32);
	for (size_t i = 0; i < cfg->noffices; i++) {
		const struct config_office *o = &cfg->offices[i];
		int bookable = 0;

		for (cdate d = now; d <= now + 60 && bookable == 0; d++) {
			struct cal_day day;

			cal_day(&o->cal, d, &day);
			for (size_t s = 0; s < o->cal.nservices; s++) {
				size_t n = cal_slots(&o->cal.services[s], &day, slots, CAL_MAX_SLOTS);

				for (size_t k = 0; k < n; k++) {
					enum cal_why why;

					bookable += cal_bookable(&o->cal, &o->cal.services[s], d,
					    slots[k].start, now, HM(9, 0), &why);
				}
			}
		}
		ck_assert_msg(bookable > 0, "%s has no bookable slot in 60 days", o->id);
	}
}
END_TEST

/* The offices added from the sources and the weekday hours their files give them. */
static const struct { const char *id, *hours; } new_offices[] = {
	{ "sapporo-shiroishi", "08:45-17:15" }, { "sapporo-atsubetsu", "08:45-17:15" },
	{ "sapporo-toyohira", "08:45-17:15" }, { "sapporo-kiyota", "08:45-17:15" },
	{ "sapporo-minami", "08:45-17:15" }, { "sapporo-nishi", "08:45-17:15" },
	{ "sapporo-teine", "08:45-17:15" },
	{ "ogi-main", "08:30-17:15" }, { "ogi-mikatsuki", "08:30-17:15" },
	{ "ogi-ushizu", "08:30-17:15" }, { "ogi-ashikari", "08:30-17:15" },
	{ "oita-tsurusaki", "08:30-17:15" }, { "oita-onan", "08:30-17:15" },
	{ "oita-wasada", "08:30-17:15" }, { "oita-ozai", "08:30-17:15" },
	{ "oita-sakanoichi", "08:30-17:15" }, { "oita-akeno", "08:30-17:15" },
	{ "oita-saganoseki", "08:30-17:15" }, { "oita-notsuharu", "08:30-17:15" },
};

/* Each new office: open on a weekday, closed on a Sunday, a holiday and 12-30. */
START_TEST(new_offices_week_holiday_year_end)
{
	for (size_t i = 0; i < sizeof new_offices / sizeof new_offices[0]; i++) {
		const char *id = new_offices[i].id;

		expect_open(id, "2026-12-16", new_offices[i].hours);	/* a Wednesday */
		expect_closed(id, "2026-12-13", CAL_REASON_WEEKLY);	/* a Sunday */
		expect_closed(id, "2026-11-23", CAL_REASON_HOLIDAY);	/* 勤労感謝の日 */
		expect_closed(id, "2026-12-30", CAL_REASON_YEAR_END);
		ck_assert_int_gt(first_slot_capacity(id, "ecert_renewal", "2026-12-16"), 0);
		ck_assert_int_eq(first_slot_capacity(id, "ecert_renewal", "2026-12-30"), 0);
	}
}
END_TEST

/* Kasugai's four branches now take every procedure, on their weekday hours only. */
START_TEST(kasugai_branches_every_procedure)
{
	static const char *const all[] = { "ecert_renewal", "card_application", "card_pickup",
		"pin_reset", "address_change", "residence_update", "card_reissue_lost" };

	for (size_t i = 1; i < sizeof kasugai / sizeof kasugai[0]; i++) {
		for (size_t k = 0; k < 7; k++)
			ck_assert_int_gt(first_slot_capacity(kasugai[i], all[k], "2026-12-16"), 0);
		expect_closed(kasugai[i], "2026-12-13", CAL_REASON_WEEKLY);
		expect_closed(kasugai[i], "2026-11-23", CAL_REASON_HOLIDAY);
		expect_closed(kasugai[i], "2026-12-30", CAL_REASON_YEAR_END);
	}
}
END_TEST

/* All shipped-calendar tests in one suite. */
static Suite *
shipped_suite(void)
{
	Suite *s = suite_create("shipped");
	TCase *tc = tcase_create("calendars");

	tcase_add_checked_fixture(tc, load_shipped, unload_shipped);
	tcase_add_test(tc, kasugai_wednesday_evening);
	tcase_add_test(tc, kasugai_sunday_with_lunch_break);
	tcase_add_test(tc, kasugai_third_sunday_closed);
	tcase_add_test(tc, kasugai_year_end_break);
	tcase_add_test(tc, kasugai_holidays_closed);
	tcase_add_test(tc, kasugai_ecert_reservation_from_2024_11);
	tcase_add_test(tc, shiki_station_every_day_but_wednesday);
	tcase_add_test(tc, shiki_sunday_after_third_saturday);
	tcase_add_test(tc, oita_holiday_opening_reservation_only);
	tcase_add_test(tc, monday_capacity_thinned);
	tcase_add_test(tc, every_office_bookable_within_60_days);
	tcase_add_test(tc, new_offices_week_holiday_year_end);
	tcase_add_test(tc, kasugai_branches_every_procedure);
	suite_add_tcase(s, tc);
	return s;
}

/* Runs the suite; the exit status is 0 when every test passed. */
int
main(void)
{
	SRunner *sr = srunner_create(shipped_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
