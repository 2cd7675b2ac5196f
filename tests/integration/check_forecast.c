/*
 * Planning: expiry uploads, the forecast (public) learned from seeded history
 * with a Monday peak, staffing checked against Erlang C computed here from the
 * answer's own arrivals and service time, what-if runs where more counters
 * never wait longer, capacity rules seen by a second daemon within a second,
 * and a capped day refusing the next booking with alternatives. Roles and bad
 * input for each. The clock is pinned to Wednesday 2026-12-16.
 */
#include "itest.h"

#include <check.h>
#include <curl/curl.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define NOW_ENV "MADOGUCHI_NOW=2026-12-16T09:00:00+09:00"
#define WIPE "TRUNCATE tickets, ticket_numbers, audit_log, bookings, holds, " \
	"idempotency_keys, slot_usage, capacity_rules, expiries"
/* Certificates expire 2027-02-10: the renewal window is open all of late December. */
#define RENEWAL "{\"birth_date\":\"1980-02-10\",\"card\":{\"issued_on\":\"2022-03-01\"}," \
	"\"certificates\":{\"issued_on\":\"2022-03-01\"}}"
/*
 * History: every weekday from July to yesterday, 9:00-16:59, three tickets an
 * hour (five on Mondays), each called 5 minutes after issue and served 10.
 */
#define SEED "INSERT INTO tickets (municipality, office, day, service, label, kind, status, " \
	"issued_at, called_at, done_at, source) SELECT 'ftown', 'f-main', d::date, " \
	"'ecert_renewal', 'H-' || h || '-' || k, 'walk_in', 'done', t, t + interval '5 min', " \
	"t + interval '15 min', 'import' FROM generate_series(date '2026-07-01', " \
	"date '2026-12-15', interval '1 day') AS d, generate_series(9, 16) AS h, " \
	"generate_series(1, 5) AS k, LATERAL (SELECT (d::date + make_time(h, k * 10, 0)) " \
	"AT TIME ZONE 'Asia/Tokyo' AS t) AS x WHERE extract(isodow FROM d) < 6 " \
	"AND (k <= 3 OR extract(isodow FROM d) = 1)"

static struct itest_daemon d1, d2;
static const char *cfg;
static char manager_tok[128], staff_tok[128], other_tok[128];

/* The test town: a main office (3 counters) and one in another municipality. */
static const char *
write_config(void)
{
	static char main_path[512];
	char muni[512], muni2[512], text[2048];

	snprintf(muni, sizeof muni, "%s", itest_tmp_path("f-town.yaml"));
	itest_write_file(muni,
	    "municipality: ftown\n"
	    "name: {ja: 予測町, en: Forecast Town}\n"
	    "offices:\n"
	    "  - id: f-main\n"
	    "    name: {ja: 本庁, en: Main office}\n"
	    "    hours: {weekdays: [08:30-17:00]}\n"
	    "    services:\n"
	    "      ecert_renewal: {slot_minutes: 30, capacity: 2, horizon_days: 60, lead_minutes: 0}\n"
	    "    counters:\n"
	    "      - {id: 1, services: [ecert_renewal]}\n"
	    "      - {id: 2, services: [ecert_renewal]}\n"
	    "      - {id: 3, services: [ecert_renewal]}\n");
	snprintf(muni2, sizeof muni2, "%s", itest_tmp_path("g-town.yaml"));
	itest_write_file(muni2,
	    "municipality: gtown\n"
	    "name: {ja: 別町, en: Other Town}\n"
	    "offices:\n"
	    "  - id: g-main\n"
	    "    name: {ja: 本庁, en: Main office}\n"
	    "    hours: {weekdays: [08:30-17:00]}\n"
	    "    services:\n"
	    "      ecert_renewal: {slot_minutes: 30, capacity: 2, horizon_days: 60, lead_minutes: 0}\n");
	snprintf(main_path, sizeof main_path, "%s", itest_tmp_path("f-main.yaml"));
	snprintf(text, sizeof text,
	    "database:\n  url: \"dbname=madoguchi\"\n"
	    "ratelimit: {per_minute: 100000, burst: 10000}\n"
	    "queue: {target_wait_minutes: 20}\n"
	    "include:\n  - %s\n  - %s\n", muni, muni2);
	itest_write_file(main_path, text);
	return main_path;
}

/* Sends method path with body of ctype as token (NULL: none) to daemon d. */
static void
send_to(const struct itest_daemon *d, const char *method, const char *path, const char *body,
    const char *ctype, const char *token, struct itest_resp *r)
{
	char auth[200];
	const char *h[2] = { NULL, NULL };

	snprintf(auth, sizeof auth, "Authorization: Bearer %s", token ? token : "");
	if (token != NULL)
		h[0] = auth;
	itest_http(d, method, path, body, body ? strlen(body) : 0, ctype, h, r);
}

/* Sends to the first daemon. */
static void
send_as(const char *method, const char *path, const char *body, const char *token,
    struct itest_resp *r)
{
	send_to(&d1, method, path, body, NULL, token, r);
}

/* Asserts status and code (and field when not NULL). */
static void
assert_problem(struct itest_resp *r, long status, const char *code, const char *field)
{
	ck_assert_msg(r->status == status && strcmp(itest_str(r, "code"), code) == 0,
	    "wanted %ld %s, got %ld %s", status, code, r->status, r->body);
	if (field != NULL)
		ck_assert_str_eq(itest_str(r, "field"), field);
	itest_resp_free(r);
}

/* Waits (up to a minute: a fit must come) until the forecast answers 200. */
static void
wait_forecast(const struct itest_daemon *d)
{
	struct itest_resp r;
	time_t until = time(NULL) + 60;

	for (;;) {
		send_to(d, "GET", "/v1/offices/f-main/forecast?from=2026-12-21&to=2026-12-21", NULL,
		    NULL, NULL, &r);
		if (r.status == 200) {
			itest_resp_free(&r);
			return;
		}
		ck_assert_msg(r.status == 503 && strcmp(itest_str(&r, "code"), "forecast_not_ready") == 0,
		    "%ld %s", r.status, r.body);
		itest_resp_free(&r);
		ck_assert_msg(time(NULL) < until, "no forecast after a minute");
		nanosleep(&(struct timespec){ 0, 50000000 }, NULL);
	}
}

static void
setup(void)
{
	static const char *const env[] = { NOW_ENV, NULL };

	curl_global_init(CURL_GLOBAL_DEFAULT);
	cfg = write_config();
	ck_assert_int_eq(itest_migrate(cfg), 0);
	ck_assert_int_eq(itest_psql(WIPE), 0);
	ck_assert_int_eq(itest_psql(SEED), 0);
	itest_daemon_start(&d1, cfg, env);
	itest_daemon_start(&d2, cfg, env);
	itest_create_token(cfg, "manager", "f-main", manager_tok, sizeof manager_tok);
	itest_create_token(cfg, "staff", "f-main", staff_tok, sizeof staff_tok);
	itest_create_token(cfg, "manager", "g-main", other_tok, sizeof other_tok);
	wait_forecast(&d1);
	wait_forecast(&d2);
}

static void
teardown(void)
{
	itest_daemon_stop(&d1);
	itest_daemon_stop(&d2);
	ck_assert_int_eq(itest_psql(WIPE), 0);
}

/* The day of the forecast answer dated date. */
static json_t *
day_of(const struct itest_resp *r, const char *date)
{
	size_t i;
	json_t *day;

	json_array_foreach(json_object_get(r->json, "days"), i, day) {
		if (strcmp(json_string_value(json_object_get(day, "date")), date) == 0)
			return day;
	}
	ck_abort_msg("no day %s", date);
	return NULL;
}

/* Public; learns the Monday peak; weekends closed without hours; bad input named. */
START_TEST(forecast_public)
{
	struct itest_resp r;
	json_t *mon, *wed, *sat, *h;
	double m, w;
	size_t i;

	send_as("GET", "/v1/offices/f-main/forecast?from=2026-12-21&to=2026-12-27", NULL, NULL, &r);
	ck_assert_msg(r.status == 200, "%s", r.body);
	mon = day_of(&r, "2026-12-21");
	wed = day_of(&r, "2026-12-23");
	sat = day_of(&r, "2026-12-26");
	m = json_number_value(json_object_get(mon, "expected_arrivals"));
	w = json_number_value(json_object_get(wed, "expected_arrivals"));
	/* History: 40 a Monday, 24 other days: the factor is 5/3. */
	ck_assert_msg(fabs(m / w - 5.0 / 3.0) < 0.1 * 5.0 / 3.0, "Monday %f, Wednesday %f", m, w);
	ck_assert_msg(fabs(w - 24) < 3, "Wednesday %f", w);
	ck_assert(json_number_value(json_object_get(mon, "low")) <= m);
	ck_assert(json_number_value(json_object_get(mon, "high")) >= m);
	ck_assert(json_integer_value(json_object_get(mon, "level")) >
	    json_integer_value(json_object_get(wed, "level")));
	ck_assert(json_is_false(json_object_get(sat, "open")));
	ck_assert_ptr_null(json_object_get(sat, "hours"));
	json_array_foreach(json_object_get(wed, "hours"), i, h) {
		json_int_t lv = json_integer_value(json_object_get(h, "level"));
		ck_assert(lv >= 1 && lv <= 5);
		ck_assert(json_integer_value(json_object_get(h, "hour")) >= 8);
	}
	itest_resp_free(&r);
	send_as("GET", "/v1/offices/f-main/forecast?from=2026-13-01", NULL, NULL, &r);
	assert_problem(&r, 400, "invalid_date", "from");
	send_as("GET", "/v1/offices/f-main/forecast?from=2026-12-21&to=2027-04-01", NULL, NULL, &r);
	assert_problem(&r, 400, "range_too_long", "to");
	send_as("GET", "/v1/offices/f-main/forecast?service=nope", NULL, NULL, &r);
	assert_problem(&r, 400, "unknown_service", "service");
	send_as("GET", "/v1/offices/nowhere/forecast", NULL, NULL, &r);
	assert_problem(&r, 404, "unknown_office", NULL);
}
END_TEST

/* The textbook Erlang C count, written here independently of the server. */
static int
erlang_c_needed(double per_hour, double mean_min, double wait_min, double share)
{
	double a = per_hour * mean_min / 60.0;

	for (int c = 1; c <= 64; c++) {
		double sum = 0, term = 1, pc, ec;
		if (c <= a)
			continue;
		for (int k = 0; k < c; k++) {
			sum += term;
			term *= a / (k + 1);
		}
		pc = term * c / (c - a);	/* a^c / c! * c / (c - a) */
		ec = pc / (sum + pc);
		if (1 - ec * exp(-(c - a) * wait_min / mean_min) >= share)
			return c;
	}
	return -1;
}

/* Manager only; agrees with Erlang C within one counter; more counters never wait longer. */
START_TEST(staffing_erlang)
{
	struct itest_resp r;
	json_t *h;
	size_t i;
	int hours = 0;

	send_as("GET", "/v1/offices/f-main/staffing?date=2026-12-21", NULL, NULL, &r);
	assert_problem(&r, 401, "token_required", NULL);
	send_as("GET", "/v1/offices/f-main/staffing?date=2026-12-21", NULL, staff_tok, &r);
	assert_problem(&r, 403, "insufficient_role", NULL);
	send_as("GET", "/v1/offices/f-main/staffing?date=2026-12-21", NULL, other_tok, &r);
	assert_problem(&r, 403, "wrong_office", NULL);
	send_as("GET", "/v1/offices/f-main/staffing?date=2026-12-21&target_share=1.5", NULL,
	    manager_tok, &r);
	assert_problem(&r, 400, "invalid_parameter", "target_share");
	send_as("GET", "/v1/offices/f-main/staffing", NULL, manager_tok, &r);
	assert_problem(&r, 400, "missing_parameter", "date");
	send_as("GET", "/v1/offices/f-main/staffing?date=2026-12-21&target_wait_min=5", NULL,
	    manager_tok, &r);
	ck_assert_msg(r.status == 200, "%s", r.body);
	ck_assert(fabs(json_number_value(json_object_get(r.json, "service_mean_min")) - 10) < 0.01);
	json_array_foreach(json_object_get(r.json, "hours"), i, h) {
		double lam = json_number_value(json_object_get(h, "expected_arrivals"));
		double s = json_number_value(json_object_get(h, "service_mean_min"));
		json_t *need = json_object_get(h, "counters_needed");
		int planned = (int)json_integer_value(json_object_get(h, "counters_planned"));
		int mine = erlang_c_needed(lam, s, 5, 0.8);
		json_t *wp = json_object_get(h, "wait_p90_min_planned");
		json_t *wn = json_object_get(h, "wait_p90_min_needed");
		ck_assert_int_eq(planned, 3);
		ck_assert_msg(json_is_integer(need) && abs((int)json_integer_value(need) - mine) <= 1,
		    "hour %d: needed %s, Erlang C %d", (int)i, json_dumps(need, JSON_ENCODE_ANY), mine);
		if (json_integer_value(need) > planned && json_is_number(wp))
			ck_assert(json_number_value(wn) <= json_number_value(wp));
		if (json_integer_value(need) < planned && json_is_number(wn))
			ck_assert(json_number_value(wp) <= json_number_value(wn));
		hours++;
	}
	ck_assert_int_eq(hours, 9);	/* 8:30-17:00 touches hours 8 to 16 */
	itest_resp_free(&r);
}
END_TEST

/* The p90 wait of a simulated Monday with n counters all day. */
static double
simulated_p90(int n)
{
	struct itest_resp r;
	char body[512];
	double p90;

	snprintf(body, sizeof body, "{\"date\":\"2026-12-21\",\"runs\":60,\"arrivals_factor\":1.5,"
	    "\"counters\":{\"8\":%d,\"9\":%d,\"10\":%d,\"11\":%d,\"12\":%d,\"13\":%d,\"14\":%d,"
	    "\"15\":%d,\"16\":%d}}", n, n, n, n, n, n, n, n, n);
	send_as("POST", "/v1/offices/f-main/simulate", body, manager_tok, &r);
	ck_assert_msg(r.status == 200, "%s", r.body);
	ck_assert_int_eq(json_integer_value(json_object_get(r.json, "runs")), 60);
	ck_assert(json_number_value(json_object_get(r.json, "served")) > 40);
	p90 = json_number_value(json_object_get(r.json, "wait_p90_min"));
	itest_resp_free(&r);
	return p90;
}

/* What-if: manager only, bad input named, and more counters never a longer wait. */
START_TEST(simulate_counters)
{
	struct itest_resp r;
	double p1, p2, p4;

	send_as("POST", "/v1/offices/f-main/simulate", "{\"date\":\"2026-12-21\"}", staff_tok, &r);
	assert_problem(&r, 403, "insufficient_role", NULL);
	send_as("POST", "/v1/offices/f-main/simulate", "{\"date\":\"2026-12-21\",\"runs\":5000}",
	    manager_tok, &r);
	assert_problem(&r, 400, "invalid_field", "runs");
	send_as("POST", "/v1/offices/f-main/simulate", "{\"date\":\"2026-12-21\",\"counters\":"
	    "{\"25\":1}}", manager_tok, &r);
	assert_problem(&r, 400, "invalid_field", "counters.25");
	send_as("POST", "/v1/offices/f-main/simulate", "{\"date\":\"2026-12-26\"}", manager_tok, &r);
	assert_problem(&r, 422, "office_closed", "date");
	p1 = simulated_p90(1);
	p2 = simulated_p90(2);
	p4 = simulated_p90(4);
	ck_assert_msg(p4 <= p2 && p2 <= p1 && p1 > p4, "p90 %f %f %f", p1, p2, p4);
}
END_TEST

/* The capacity of the Monday 10:00 slot as daemon d shows it. */
static long
slot_capacity(const struct itest_daemon *d)
{
	struct itest_resp r;
	json_t *slots, *s;
	size_t i;
	long cap = -1;

	send_to(d, "GET", "/v1/offices/f-main/availability?service=ecert_renewal&from=2026-12-21"
	    "&to=2026-12-21", NULL, NULL, NULL, &r);
	ck_assert_msg(r.status == 200, "%s", r.body);
	slots = json_object_get(json_array_get(json_object_get(r.json, "days"), 0), "slots");
	json_array_foreach(slots, i, s) {
		if (strcmp(json_string_value(json_object_get(s, "start")),
		    "2026-12-21T10:00:00+09:00") == 0)
			cap = (long)json_integer_value(json_object_get(s, "capacity"));
	}
	itest_resp_free(&r);
	return cap;
}

/* Polls daemon d until the slot shows want; false after one second. */
static bool
seen_within_a_second(const struct itest_daemon *d, long want)
{
	struct timespec start, now;

	clock_gettime(CLOCK_MONOTONIC, &start);
	for (;;) {
		if (slot_capacity(d) == want)
			return true;
		clock_gettime(CLOCK_MONOTONIC, &now);
		if ((now.tv_sec - start.tv_sec) * 1000 + (now.tv_nsec - start.tv_nsec) / 1000000 > 1000)
			return false;
		nanosleep(&(struct timespec){ 0, 10000000 }, NULL);
	}
}

/* A factor rule made on one daemon is in force on the other within a second; audited. */
START_TEST(capacity_rules_everywhere)
{
	struct itest_resp r;
	char path[96], *out;
	long long id;

	ck_assert_int_eq(slot_capacity(&d2), 2);
	send_as("GET", "/v1/offices/f-main/capacity", NULL, staff_tok, &r);
	assert_problem(&r, 403, "insufficient_role", NULL);
	send_as("POST", "/v1/offices/f-main/capacity", "{\"service\":\"ecert_renewal\","
	    "\"from\":\"2026-12-21\",\"to\":\"2027-01-31\",\"weekdays\":[1],\"factor\":2}",
	    manager_tok, &r);
	assert_problem(&r, 400, "invalid_field", "factor");
	send_as("POST", "/v1/offices/f-main/capacity", "{\"service\":\"ecert_renewal\","
	    "\"from\":\"2026-12-21\",\"to\":\"2027-01-31\",\"weekdays\":[8],\"factor\":0.5}",
	    manager_tok, &r);
	assert_problem(&r, 400, "invalid_field", "weekdays");
	send_as("POST", "/v1/offices/f-main/capacity", "{\"service\":\"ecert_renewal\","
	    "\"date\":\"2026-12-22\"}", manager_tok, &r);
	assert_problem(&r, 400, "invalid_field", "date");	/* a cap rule without its cap */
	send_as("POST", "/v1/offices/f-main/capacity", "{\"service\":\"ecert_renewal\","
	    "\"from\":\"2026-12-21\",\"to\":\"2027-01-31\",\"weekdays\":[1],\"factor\":0.5}",
	    manager_tok, &r);
	ck_assert_msg(r.status == 201, "%s", r.body);
	id = (long long)json_integer_value(json_object_get(r.json, "id"));
	ck_assert(json_number_value(json_object_get(r.json, "factor")) == 0.5);
	itest_resp_free(&r);
	ck_assert_int_eq(slot_capacity(&d1), 1);
	ck_assert_msg(seen_within_a_second(&d2, 1), "the second daemon did not apply the rule");
	send_to(&d2, "GET", "/v1/offices/f-main/capacity", NULL, NULL, manager_tok, &r);
	ck_assert_int_eq(r.status, 200);
	ck_assert_int_eq(json_array_size(json_object_get(r.json, "rules")), 1);
	itest_resp_free(&r);
	snprintf(path, sizeof path, "/v1/offices/f-main/capacity/%lld", id);
	send_as("DELETE", path, NULL, staff_tok, &r);
	assert_problem(&r, 403, "insufficient_role", NULL);
	send_as("DELETE", path, NULL, manager_tok, &r);
	ck_assert_int_eq(r.status, 204);
	itest_resp_free(&r);
	ck_assert_msg(seen_within_a_second(&d2, 2), "the second daemon kept a deleted rule");
	send_as("DELETE", path, NULL, manager_tok, &r);
	assert_problem(&r, 404, "rule_not_found", NULL);
	out = itest_psql_out("SELECT count(*) FROM audit_log WHERE action LIKE 'capacity.%' "
	    "AND subject = 'f-main' AND actor LIKE 'staff:%'");
	ck_assert_str_eq(out, "2\n");
	free(out);
}
END_TEST

/* Books start at f-main; returns the status and keeps the answer in r. */
static long
book(const struct itest_daemon *d, const char *start, struct itest_resp *r)
{
	static int n;
	char body[1024];

	/* A resident of their own each time: one contact may hold only a few bookings. */
	snprintf(body, sizeof body, "{\"office\":\"f-main\",\"service\":\"ecert_renewal\","
	    "\"start\":\"%s\",\"applicant\":" RENEWAL ",\"contact\":{\"name\":\"A\","
	    "\"email\":\"a%d@example.jp\"},\"language\":\"ja\"}", start, ++n);
	send_to(d, "POST", "/v1/bookings", body, NULL, NULL, r);
	return r->status;
}

/* A day capped at two online bookings refuses the third, on either daemon, offering others. */
START_TEST(capped_day_refuses)
{
	struct itest_resp r;
	json_t *alt, *a;
	size_t i;

	send_as("POST", "/v1/offices/f-main/capacity", "{\"service\":\"ecert_renewal\","
	    "\"date\":\"2026-12-22\",\"cap\":2}", manager_tok, &r);
	ck_assert_msg(r.status == 201, "%s", r.body);
	ck_assert_int_eq(json_integer_value(json_object_get(r.json, "cap")), 2);
	itest_resp_free(&r);
	ck_assert_int_eq(book(&d1, "2026-12-22T09:00:00+09:00", &r), 201);
	itest_resp_free(&r);
	ck_assert_int_eq(book(&d2, "2026-12-22T11:00:00+09:00", &r), 201);
	itest_resp_free(&r);
	ck_assert_int_eq(book(&d2, "2026-12-22T14:00:00+09:00", &r), 409);
	ck_assert_str_eq(itest_str(&r, "code"), "day_capped");
	alt = json_object_get(r.json, "alternatives");
	ck_assert_msg(json_array_size(alt) > 0, "%s", r.body);
	json_array_foreach(alt, i, a)
		ck_assert(strncmp(json_string_value(json_object_get(a, "start")), "2026-12-22", 10) != 0);
	itest_resp_free(&r);
	/* Availability shows the capped day full. */
	send_as("GET", "/v1/offices/f-main/availability?service=ecert_renewal&from=2026-12-22"
	    "&to=2026-12-22", NULL, NULL, &r);
	ck_assert_int_eq(r.status, 200);
	ck_assert(json_is_false(json_object_get(json_array_get(json_object_get(r.json, "days"), 0),
	    "bookable")));
	itest_resp_free(&r);
}
END_TEST

/* Expiries: aggregate counts replaced per date; roles; bad rows named by line and column. */
START_TEST(expiries_upload)
{
	struct itest_resp r;
	char *out;
	const char *path = "/v1/municipalities/ftown/expiries";
	const char *good = "date,certificates,cards\n2027-02-01,120,30\n2027-02-02,80,10\n"
	    "2027-02-03,0,0\n";

	send_to(&d1, "PUT", path, good, "application/json", manager_tok, &r);
	assert_problem(&r, 415, "unsupported_media_type", NULL);
	send_to(&d1, "PUT", path, good, "text/csvx", manager_tok, &r);
	assert_problem(&r, 415, "unsupported_media_type", NULL);
	send_to(&d1, "PUT", path, good, "text/csv", staff_tok, &r);
	assert_problem(&r, 403, "insufficient_role", NULL);
	send_to(&d1, "PUT", path, good, "text/csv", other_tok, &r);
	assert_problem(&r, 403, "wrong_municipality", NULL);
	send_to(&d1, "PUT", path, "date,certificates,cards\n2027-02-01,1,2\n2027-02-02,-3,1\n",
	    "text/csv", manager_tok, &r);
	ck_assert_int_eq(json_integer_value(json_object_get(r.json, "line")), 3);
	assert_problem(&r, 400, "bad_csv", "certificates");
	send_to(&d1, "PUT", path, "date,certs,cards\n", "text/csv", manager_tok, &r);
	assert_problem(&r, 400, "bad_csv", "header");
	send_to(&d1, "PUT", path, good, "Text/CSV; charset=utf-8", manager_tok, &r);
	ck_assert_msg(r.status == 200, "%s", r.body);
	ck_assert_int_eq(json_integer_value(json_object_get(r.json, "days")), 3);
	itest_resp_free(&r);
	send_to(&d1, "PUT", path, "cards,date,certificates\n5,2027-02-01,7\n", "text/csv",
	    manager_tok, &r);
	ck_assert_int_eq(r.status, 200);
	itest_resp_free(&r);
	out = itest_psql_out("SELECT string_agg(date || ':' || certificates || '/' || cards, ' ' "
	    "ORDER BY date) FROM expiries WHERE municipality = 'ftown'");
	ck_assert_str_eq(out, "2027-02-01:7/5 2027-02-02:80/10 2027-02-03:0/0\n");
	free(out);
	/* The forecast still answers (refitted with the counts, off the loop). */
	wait_forecast(&d1);
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("forecast");
	TCase *tc = tcase_create("forecast");
	SRunner *sr;
	int failed;

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 180);
	tcase_add_test(tc, forecast_public);
	tcase_add_test(tc, staffing_erlang);
	tcase_add_test(tc, simulate_counters);
	tcase_add_test(tc, capacity_rules_everywhere);
	tcase_add_test(tc, capped_day_refuses);
	tcase_add_test(tc, expiries_upload);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
