/*
 * GET /v1/offices/{office}/availability against the shipped configuration, with
 * the clock pinned to 2026-12-01 09:00 in Tokyo.
 */
#include "itest.h"

#include <check.h>
#include <curl/curl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static struct itest_daemon d;

/* Starts a daemon whose clock reads 2026-12-01 09:00 JST. */
static void
setup(void)
{
	static const char *const env[] = { "MADOGUCHI_NOW=2026-12-01T09:00:00+09:00", NULL };

	curl_global_init(CURL_GLOBAL_DEFAULT);
	itest_daemon_start(&d, NULL, env);
	ck_assert_int_eq(itest_psql("DELETE FROM slot_usage"), 0);
}

/* Stops it. */
static void
teardown(void)
{
	itest_daemon_stop(&d);
}

/* Fetches availability; the caller frees the response. */
static void
fetch(const char *office, const char *service, const char *from, const char *to,
    struct itest_resp *r)
{
	char path[256];

	snprintf(path, sizeof path, "/v1/offices/%s/availability?service=%s&from=%s&to=%s",
	    office, service, from, to);
	itest_get(&d, path, r);
	ck_assert_msg(r->status == 200, "%s: %ld %s", path, r->status, r->body);
}

/* The day object for date in a response. */
static json_t *
day_of(const struct itest_resp *r, const char *date)
{
	json_t *days = json_object_get(r->json, "days"), *day;
	size_t i;

	json_array_foreach(days, i, day) {
		if (strcmp(json_string_value(json_object_get(day, "date")), date) == 0)
			return day;
	}
	ck_abort_msg("no day %s in the answer", date);
	return NULL;
}

/* The open intervals of a day as "08:30-12:00,13:00-17:00". */
static const char *
hours_of(json_t *day, char *buf, size_t len)
{
	json_t *iv;
	size_t i, o = 0;

	buf[0] = '\0';
	json_array_foreach(json_object_get(day, "open"), i, iv) {
		o += (size_t)snprintf(buf + o, len - o, "%s%s-%s", i ? "," : "",
		    json_string_value(json_object_get(iv, "from")),
		    json_string_value(json_object_get(iv, "to")));
	}
	return buf;
}

/* The closed reason of a day, or "open". */
static const char *
reason_of(json_t *day)
{
	const char *s = json_string_value(json_object_get(day, "closed_reason"));

	return s ? s : "open";
}

/* Kasugai main on Wednesday 2026-12-16 is open to 19:30; a branch to 17:00. */
START_TEST(kasugai_wednesday_evening)
{
	struct itest_resp r;
	char buf[128];

	fetch("kasugai-main", "ecert_renewal", "2026-12-16", "2026-12-16", &r);
	ck_assert_str_eq(hours_of(day_of(&r, "2026-12-16"), buf, sizeof buf), "08:30-19:30");
	ck_assert_int_eq(json_array_size(json_object_get(day_of(&r, "2026-12-16"), "slots")), 22);
	itest_resp_free(&r);
	fetch("kasugai-sakashita", "ecert_renewal", "2026-12-16", "2026-12-16", &r);
	ck_assert_str_eq(hours_of(day_of(&r, "2026-12-16"), buf, sizeof buf), "08:30-17:00");
	itest_resp_free(&r);
}
END_TEST

/* Sundays have a lunch break, except the third, which is closed. */
START_TEST(kasugai_sundays)
{
	struct itest_resp r;
	char buf[128];

	fetch("kasugai-main", "ecert_renewal", "2026-12-13", "2026-12-20", &r);
	ck_assert_str_eq(hours_of(day_of(&r, "2026-12-13"), buf, sizeof buf),
	    "08:30-12:00,13:00-17:00");
	ck_assert_str_eq(reason_of(day_of(&r, "2026-12-20")), "nth_weekday");
	ck_assert_int_eq(json_array_size(json_object_get(day_of(&r, "2026-12-20"), "slots")), 0);
	ck_assert_str_eq(reason_of(day_of(&r, "2026-12-19")), "weekly");
	itest_resp_free(&r);
}
END_TEST

/* 29 December to 3 January is closed at every Kasugai office. */
START_TEST(kasugai_year_end)
{
	static const char *const offices[] = { "kasugai-main", "kasugai-tobu" };
	static const char *const dates[] = { "2026-12-29", "2026-12-30", "2026-12-31",
		"2027-01-01", "2027-01-02", "2027-01-03" };
	struct itest_resp r;

	for (size_t o = 0; o < 2; o++) {
		fetch(offices[o], "ecert_renewal", "2026-12-28", "2027-01-04", &r);
		for (size_t i = 0; i < 6; i++)
			ck_assert_str_eq(reason_of(day_of(&r, dates[i])), "year_end");
		ck_assert_str_eq(reason_of(day_of(&r, "2026-12-28")), "open");
		ck_assert_str_eq(reason_of(day_of(&r, "2027-01-04")), "open");
		itest_resp_free(&r);
	}
}
END_TEST

/* Shiki's service station closes on Wednesdays and opens on Saturdays. */
START_TEST(shiki_station_week)
{
	struct itest_resp r;

	fetch("shiki-station", "ecert_renewal", "2026-12-14", "2026-12-20", &r);
	ck_assert_str_eq(reason_of(day_of(&r, "2026-12-16")), "weekly");
	ck_assert_str_eq(reason_of(day_of(&r, "2026-12-19")), "open");
	ck_assert(json_array_size(json_object_get(day_of(&r, "2026-12-19"), "slots")) > 0);
	itest_resp_free(&r);
}
END_TEST

/* Every day of the range appears once, in order. */
START_TEST(every_day_appears)
{
	struct itest_resp r;
	json_t *days;

	fetch("oita-main", "ecert_renewal", "2026-12-01", "2027-03-03", &r);
	days = json_object_get(r.json, "days");
	ck_assert_int_eq(json_array_size(days), 93);
	ck_assert_str_eq(json_string_value(json_object_get(json_array_get(days, 0), "date")),
	    "2026-12-01");
	ck_assert_str_eq(json_string_value(json_object_get(json_array_get(days, 92), "date")),
	    "2027-03-03");
	itest_resp_free(&r);
}
END_TEST

/* Days past the horizon show their hours but are not bookable and have no slots. */
START_TEST(beyond_horizon_not_bookable)
{
	struct itest_resp r;
	json_t *day;
	char buf[64];

	/* Oita's horizon is 45 days: 2027-01-15 is the last bookable day. */
	fetch("oita-main", "ecert_renewal", "2027-01-15", "2027-01-18", &r);
	ck_assert(json_is_true(json_object_get(day_of(&r, "2027-01-15"), "bookable")));
	day = day_of(&r, "2027-01-18");
	ck_assert(json_is_false(json_object_get(day, "bookable")));
	ck_assert_str_eq(hours_of(day, buf, sizeof buf), "08:30-17:15");
	ck_assert_int_eq(json_array_size(json_object_get(day, "slots")), 0);
	itest_resp_free(&r);
}
END_TEST

/* Today's slots start after the lead time; earlier ones are not offered. */
START_TEST(lead_time_today)
{
	struct itest_resp r;
	json_t *first;

	/* 09:00 now, Kasugai's lead time is 60 minutes. */
	fetch("kasugai-main", "ecert_renewal", "2026-12-01", "2026-12-01", &r);
	first = json_array_get(json_object_get(day_of(&r, "2026-12-01"), "slots"), 0);
	ck_assert_str_eq(json_string_value(json_object_get(first, "start")),
	    "2026-12-01T10:00:00+09:00");
	itest_resp_free(&r);
}
END_TEST

/*
 * bookable says a resident can still book something that day: not today once
 * the last slot is inside the lead time, not a day whose every place is taken.
 */
START_TEST(bookable_needs_a_place_left)
{
	static const char *const late[] = { "MADOGUCHI_NOW=2026-12-01T16:30:00+09:00", NULL };
	struct itest_daemon ld;
	struct itest_resp r;
	json_t *day, *slot;
	size_t i;
	char sql[512];

	itest_daemon_start(&ld, NULL, late);
	itest_get(&ld, "/v1/offices/kasugai-main/availability?service=ecert_renewal"
	    "&from=2026-12-01&to=2026-12-02", &r);
	ck_assert_int_eq(r.status, 200);
	day = day_of(&r, "2026-12-01");
	ck_assert_int_eq(json_array_size(json_object_get(day, "slots")), 0);
	ck_assert(json_is_false(json_object_get(day, "bookable")));
	ck_assert(json_is_true(json_object_get(day_of(&r, "2026-12-02"), "bookable")));
	itest_resp_free(&r);
	itest_daemon_stop(&ld);
	/* Every place of 2026-12-16 taken: listed, but not bookable. */
	fetch("kasugai-main", "ecert_renewal", "2026-12-16", "2026-12-16", &r);
	ck_assert(json_is_true(json_object_get(day_of(&r, "2026-12-16"), "bookable")));
	json_array_foreach(json_object_get(day_of(&r, "2026-12-16"), "slots"), i, slot) {
		int cap = (int)json_integer_value(json_object_get(slot, "capacity"));
		snprintf(sql, sizeof sql, "INSERT INTO slot_usage (municipality, office, service, "
		    "starts_at, capacity, booked) VALUES ('kasugai', 'kasugai-main', "
		    "'ecert_renewal', '%s', %d, %d)",
		    json_string_value(json_object_get(slot, "start")), cap, cap);
		ck_assert_int_eq(itest_psql(sql), 0);
	}
	itest_resp_free(&r);
	fetch("kasugai-main", "ecert_renewal", "2026-12-16", "2026-12-17", &r);
	day = day_of(&r, "2026-12-16");
	ck_assert_int_eq(json_array_size(json_object_get(day, "slots")), 22);
	ck_assert(json_is_false(json_object_get(day, "bookable")));
	ck_assert(json_is_true(json_object_get(day_of(&r, "2026-12-17"), "bookable")));
	itest_resp_free(&r);
}
END_TEST

/* Places taken in the database show as fewer available and a busier label. */
START_TEST(booked_counts_shown)
{
	struct itest_resp r;
	json_t *slot;

	ck_assert_int_eq(itest_psql("INSERT INTO slot_usage (municipality, office, service, "
	    "starts_at, capacity, booked) VALUES ('kasugai', 'kasugai-main', 'ecert_renewal', "
	    "'2026-12-16T08:30:00+09:00', 2, 2), ('kasugai', 'kasugai-main', 'ecert_renewal', "
	    "'2026-12-16T09:00:00+09:00', 2, 1)"), 0);
	fetch("kasugai-main", "ecert_renewal", "2026-12-16", "2026-12-16", &r);
	slot = json_array_get(json_object_get(day_of(&r, "2026-12-16"), "slots"), 0);
	ck_assert_int_eq(json_integer_value(json_object_get(slot, "available")), 0);
	ck_assert_str_eq(json_string_value(json_object_get(slot, "crowding")), "full");
	slot = json_array_get(json_object_get(day_of(&r, "2026-12-16"), "slots"), 1);
	ck_assert_int_eq(json_integer_value(json_object_get(slot, "available")), 1);
	ck_assert_str_ne(json_string_value(json_object_get(slot, "crowding")), "low");
	slot = json_array_get(json_object_get(day_of(&r, "2026-12-16"), "slots"), 2);
	ck_assert_int_eq(json_integer_value(json_object_get(slot, "available")), 2);
	itest_resp_free(&r);
}
END_TEST

/* Monday capacity is thinned by the peak factor (2 counters x 0.6 -> 1 place). */
START_TEST(monday_thinned)
{
	struct itest_resp r;
	json_t *slot;

	fetch("kasugai-main", "ecert_renewal", "2026-12-14", "2026-12-15", &r);
	slot = json_array_get(json_object_get(day_of(&r, "2026-12-14"), "slots"), 0);
	ck_assert_int_eq(json_integer_value(json_object_get(slot, "capacity")), 1);
	slot = json_array_get(json_object_get(day_of(&r, "2026-12-15"), "slots"), 0);
	ck_assert_int_eq(json_integer_value(json_object_get(slot, "capacity")), 2);
	itest_resp_free(&r);
}
END_TEST

/* Each bad request gets its own status, code and field. */
START_TEST(bad_requests)
{
	static const struct { const char *path; long status; const char *code, *field; } cases[] = {
		{ "/v1/offices/nowhere/availability?service=ecert_renewal", 404, "unknown_office", NULL },
		{ "/v1/offices/kasugai-main/availability", 400, "missing_parameter", "service" },
		{ "/v1/offices/kasugai-main/availability?service=passport", 400, "unknown_service",
		    "service" },
		{ "/v1/offices/oita-tsurusaki/availability?service=card_pickup", 404,
		    "service_not_offered", "service" },
		{ "/v1/offices/kasugai-main/availability?service=ecert_renewal&from=2026-02-30", 400,
		    "invalid_date", "from" },
		{ "/v1/offices/kasugai-main/availability?service=ecert_renewal&from=2026-12-10&to=2026-12-09",
		    400, "invalid_range", "to" },
		{ "/v1/offices/kasugai-main/availability?service=ecert_renewal&from=2026-12-01&to=2027-03-04",
		    400, "range_too_long", "to" },
		{ "/v1/offices/kasugai-main/availability?service=ecert_renewal&days=3", 400,
		    "unknown_parameter", "days" },
	};
	struct itest_resp r;

	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		itest_get(&d, cases[i].path, &r);
		ck_assert_msg(r.status == cases[i].status, "%s: %ld", cases[i].path, r.status);
		ck_assert_str_eq(itest_str(&r, "code"), cases[i].code);
		if (cases[i].field != NULL)
			ck_assert_str_eq(itest_str(&r, "field"), cases[i].field);
		itest_resp_free(&r);
	}
}
END_TEST

/* Without the database the answer is 503, not a guess. */
START_TEST(database_down_503)
{
	struct itest_resp r;
	char code[64] = "";
	long st = 0;

	itest_db_stop();
	for (int i = 0; i < 50 && st != 503; i++) {
		itest_get(&d, "/v1/offices/kasugai-main/availability?service=ecert_renewal", &r);
		st = r.status;
		snprintf(code, sizeof code, "%s", itest_str(&r, "code"));
		itest_resp_free(&r);
		if (st != 503)
			usleep(100000);
	}
	itest_db_start();
	ck_assert_int_eq(st, 503);
	ck_assert_str_eq(code, "database_unavailable");
}
END_TEST

/* The suite. */
static Suite *
availability_suite(void)
{
	Suite *s = suite_create("availability");
	TCase *tc = tcase_create("availability");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, kasugai_wednesday_evening);
	tcase_add_test(tc, kasugai_sundays);
	tcase_add_test(tc, kasugai_year_end);
	tcase_add_test(tc, shiki_station_week);
	tcase_add_test(tc, every_day_appears);
	tcase_add_test(tc, beyond_horizon_not_bookable);
	tcase_add_test(tc, lead_time_today);
	tcase_add_test(tc, booked_counts_shown);
	tcase_add_test(tc, bookable_needs_a_place_left);
	tcase_add_test(tc, monday_thinned);
	tcase_add_test(tc, bad_requests);
	tcase_add_test(tc, database_down_503);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	SRunner *sr = srunner_create(availability_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
