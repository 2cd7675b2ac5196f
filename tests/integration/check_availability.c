/*
 * GET /v1/offices/{office}/availability against the shipped configuration, with
 * the clock pinned to 2026-12-01 09:00 in Tokyo.
 */
#include "itest.h"

#include <check.h>
#include <curl/curl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static struct itest_daemon d;

/* Starts a daemon whose clock reads 2026-12-01 09:00 JST. */
static void
setup(void)
{
	static const char *const env[] = { "MADOGUCHI_NOW=2026-12-01T09:00:00+09:00", NULL };

	curl_global_init(CURL_GLOBAL_DEFAULT);
	itest_daemon_start(&d, NULL, env);
	ck_assert_int_eq(itest_psql("DELETE FROM holds; DELETE FROM slot_usage"), 0);
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

/*
 * Takes places in a slot of kasugai-main's ecert_renewal, as holds that last a
 * day: rows that agree with the counters, which the daemon's periodic counter
 * check would otherwise put right (to none taken) under a test's feet.
 */
static void
take_places(const char *start, int capacity, int taken)
{
	char sql[768];

	snprintf(sql, sizeof sql, "WITH s AS (INSERT INTO slot_usage (municipality, office, "
	    "service, starts_at, capacity, held) VALUES ('kasugai', 'kasugai-main', "
	    "'ecert_renewal', '%s', %d, %d) RETURNING *) INSERT INTO holds (municipality, id, "
	    "office, service, starts_at, expires_at) SELECT municipality, 'test-' || "
	    "md5(random()::text), office, service, starts_at, now() + interval '1 day' "
	    "FROM s, generate_series(1, s.held)", start, capacity, taken);
	ck_assert_int_eq(itest_psql(sql), 0);
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
		take_places(json_string_value(json_object_get(slot, "start")), cap, cap);
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

	take_places("2026-12-16T08:30:00+09:00", 2, 2);
	take_places("2026-12-16T09:00:00+09:00", 2, 1);
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

/* Places available in the slot starting at start, as daemon dd answers now. */
static long
available_at(const struct itest_daemon *dd, const char *start)
{
	struct itest_resp r;
	json_t *slot;
	size_t i;
	long left = -1;

	itest_get(dd, "/v1/offices/kasugai-main/availability?service=ecert_renewal"
	    "&from=2026-12-15&to=2026-12-17", &r);
	ck_assert_msg(r.status == 200, "%ld %s", r.status, r.body);
	json_array_foreach(json_object_get(day_of(&r, "2026-12-16"), "slots"), i, slot) {
		if (strcmp(json_string_value(json_object_get(slot, "start")), start) == 0)
			left = (long)json_integer_value(json_object_get(slot, "available"));
	}
	itest_resp_free(&r);
	ck_assert_msg(left >= 0, "no slot %s", start);
	return left;
}

/*
 * Asks dd until the slot shows want places (the change reaches it by
 * notification); fails when it never does within ten seconds.
 */
static void
await_available(const struct itest_daemon *dd, const char *start, long want, const char *what)
{
	long got = -1;

	for (int i = 0; i < 500 && (got = available_at(dd, start)) != want; i++)
		usleep(20000);
	ck_assert_msg(got == want, "%s: %s shows %ld places, not %ld", what, start, got, want);
}

/*
 * A day one daemon has rendered changes there as soon as a booking, a hold or
 * a cancellation on another daemon is heard, and never goes back to stale.
 */
START_TEST(other_daemon_changes_seen)
{
	static const char *const env[] = { "MADOGUCHI_NOW=2026-12-01T09:00:00+09:00", NULL };
	static const char slot[] = "2026-12-16T10:00:00+09:00";
	static const char next[] = "2026-12-16T10:30:00+09:00";
	char body[1024], auth[128], path[64], ref[16], token[64];
	const char *hdrs[] = { auth, NULL };
	struct itest_daemon d2;
	struct itest_resp r;

	itest_daemon_start(&d2, NULL, env);
	/* Twice on each, so the day is kept rendered on both. */
	ck_assert_int_eq(available_at(&d, slot), 2);
	ck_assert_int_eq(available_at(&d, slot), 2);
	ck_assert_int_eq(available_at(&d2, slot), 2);
	snprintf(body, sizeof body, "{\"office\":\"kasugai-main\",\"service\":\"ecert_renewal\","
	    "\"start\":\"%s\",\"applicant\":{\"birth_date\":\"1980-02-10\",\"card\":"
	    "{\"issued_on\":\"2022-03-01\"},\"certificates\":{\"issued_on\":\"2022-03-01\"}},"
	    "\"contact\":{\"name\":\"Test\",\"email\":\"test@example.jp\"}}", slot);
	itest_post(&d2, "/v1/bookings", body, &r);
	ck_assert_msg(r.status == 201, "%ld %s", r.status, r.body);
	snprintf(ref, sizeof ref, "%s", itest_str(&r, "reference"));
	snprintf(token, sizeof token, "%s", itest_str(&r, "token"));
	itest_resp_free(&r);
	/* The daemon that booked answers right away (its own notification). */
	await_available(&d2, slot, 1, "booking, same daemon");
	await_available(&d, slot, 1, "booking, other daemon");
	snprintf(body, sizeof body, "{\"office\":\"kasugai-main\",\"service\":\"ecert_renewal\","
	    "\"start\":\"%s\"}", slot);
	itest_post(&d2, "/v1/holds", body, &r);
	ck_assert_msg(r.status == 201, "%ld %s", r.status, r.body);
	itest_resp_free(&r);
	await_available(&d, slot, 0, "hold, other daemon");
	ck_assert_int_eq(available_at(&d, slot), 0);
	/* Moved to the next slot and back: both slots change on the other daemon. */
	snprintf(auth, sizeof auth, "Authorization: Bearer %s", token);
	snprintf(path, sizeof path, "/v1/bookings/%s/reschedule", ref);
	ck_assert_int_eq(available_at(&d, next), 2);
	itest_http(&d2, "POST", path, "{\"start\":\"2026-12-16T10:30:00+09:00\"}", 37, NULL,
	    hdrs, &r);
	ck_assert_msg(r.status == 200, "%ld %s", r.status, r.body);
	itest_resp_free(&r);
	await_available(&d, slot, 1, "moved away, other daemon");
	await_available(&d, next, 1, "moved here, other daemon");
	itest_http(&d2, "POST", path, "{\"start\":\"2026-12-16T10:00:00+09:00\"}", 37, NULL,
	    hdrs, &r);
	ck_assert_msg(r.status == 200, "%ld %s", r.status, r.body);
	itest_resp_free(&r);
	await_available(&d, next, 2, "moved back, other daemon");
	await_available(&d, slot, 0, "moved back here, other daemon");
	snprintf(path, sizeof path, "/v1/bookings/%s", ref);
	itest_http(&d2, "DELETE", path, NULL, 0, NULL, hdrs, &r);
	ck_assert_msg(r.status == 200, "%ld %s", r.status, r.body);
	itest_resp_free(&r);
	await_available(&d, slot, 1, "cancellation, other daemon");
	ck_assert_int_eq(available_at(&d2, slot), 1);
	itest_daemon_stop(&d2);
	ck_assert_int_eq(itest_psql("DELETE FROM holds"), 0);
	ck_assert_int_eq(itest_psql("DELETE FROM bookings"), 0);
}
END_TEST

/* Seconds on a monotonic clock. */
static double
mono_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

/* The first slot offered today (2026-12-01) by dd, as its start instant. */
static void
first_today(const struct itest_daemon *dd, char out[32])
{
	struct itest_resp r;
	json_t *first;

	itest_get(dd, "/v1/offices/kasugai-main/availability?service=ecert_renewal"
	    "&from=2026-12-01&to=2026-12-02", &r);
	ck_assert_msg(r.status == 200, "%ld %s", r.status, r.body);
	first = json_array_get(json_object_get(day_of(&r, "2026-12-01"), "slots"), 0);
	snprintf(out, 32, "%s", json_string_value(json_object_get(first, "start")));
	itest_resp_free(&r);
}

/*
 * Today's kept rendering goes once the lead time passes its first slot: at
 * 10:00 the 11:00 slot is offered (lead time 60 minutes), from 10:01 it is not.
 * The daemon's clock starts at 10:00:50 and runs; the test reads the answer
 * before 10:00:58 by its own clock when it can, and again surely after 10:01.
 */
START_TEST(today_rendering_expires)
{
	static const char *const env[] = { "MADOGUCHI_NOW=2026-12-01T10:00:50+09:00", NULL };
	struct itest_daemon td;
	double spawned = mono_s(), up;
	char first[32];

	itest_daemon_start(&td, NULL, env);
	up = mono_s();
	first_today(&td, first);
	first_today(&td, first);	/* the kept rendering */
	if (mono_s() - spawned < 8)
		ck_assert_str_eq(first, "2026-12-01T11:00:00+09:00");
	while (mono_s() - up < 11)	/* the daemon's clock is past 10:01:01 now */
		usleep(100000);
	first_today(&td, first);
	ck_assert_str_eq(first, "2026-12-01T11:30:00+09:00");
	itest_daemon_stop(&td);
}
END_TEST

/*
 * The same range asked again is answered from the day's rows, then from the
 * kept days, then from the kept whole answer: the same bytes each time, and a
 * booking changes the whole answer too.
 */
START_TEST(kept_answers_same_bytes)
{
	struct itest_resp r[4];

	for (int i = 0; i < 3; i++) {
		fetch("kasugai-main", "ecert_renewal", "2026-12-01", "2026-12-31", &r[i]);
		ck_assert_int_eq(json_array_size(json_object_get(r[i].json, "days")), 31);
		ck_assert_uint_eq(r[i].len, r[0].len);
		ck_assert(memcmp(r[i].body, r[0].body, r[0].len) == 0);
	}
	ck_assert_int_eq(available_at(&d, "2026-12-16T10:00:00+09:00"), 2);
	take_places("2026-12-16T10:00:00+09:00", 2, 1);
	ck_assert_int_eq(itest_psql("NOTIFY madoguchi_events, "
	    "'{\"type\":\"slots\",\"office\":\"kasugai-main\"}'"), 0);
	await_available(&d, "2026-12-16T10:00:00+09:00", 1, "a hold, then a notification");
	fetch("kasugai-main", "ecert_renewal", "2026-12-01", "2026-12-31", &r[3]);
	ck_assert(r[3].len != r[0].len || memcmp(r[3].body, r[0].body, r[0].len) != 0);
	for (int i = 0; i < 4; i++)
		itest_resp_free(&r[i]);
}
END_TEST

/* A reload (SIGHUP) drops what was rendered under the old configuration. */
START_TEST(reload_forgets_rendered_days)
{
	static const char slot[] = "2026-12-16T10:00:00+09:00";

	ck_assert_int_eq(available_at(&d, slot), 2);
	ck_assert_int_eq(available_at(&d, slot), 2);
	/* Changed behind the daemons' backs, with no notification: SIGHUP is the cure. */
	take_places(slot, 2, 2);
	ck_assert_int_eq(kill(d.pid, SIGHUP), 0);
	await_available(&d, slot, 0, "after a reload");
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
	tcase_add_test(tc, other_daemon_changes_seen);
	tcase_add_test(tc, reload_forgets_rendered_days);
	tcase_add_test(tc, kept_answers_same_bytes);
	tcase_add_test(tc, today_rendering_expires);
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
