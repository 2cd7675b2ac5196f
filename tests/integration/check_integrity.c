/*
 * Integrity under races: cancels, reschedules and holds interleaved, crosswise
 * moves, two calls at one counter, a booking whose statement outlives the
 * handling deadline, counters that drifted, the two-visit route, and expiry by
 * the database's clock. The clock is pinned to 2026-12-01 09:00 in Tokyo.
 */
#include "itest.h"

#include <check.h>
#include <curl/curl.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define NOW_ENV "MADOGUCHI_NOW=2026-12-01T09:00:00+09:00"
#define SLOT "2026-12-16T10:00:00+09:00"
#define RENEWAL "{\"birth_date\":\"1980-02-10\",\"card\":{\"issued_on\":\"2022-03-01\"}," \
	"\"certificates\":{\"issued_on\":\"2022-03-01\"}}"
#define PROXY "{\"birth_date\":\"1980-02-10\",\"card\":{\"issued_on\":\"2022-03-01\"}," \
	"\"certificates\":{\"issued_on\":\"2022-03-01\"},\"attendee\":\"proxy\"," \
	"\"has_inquiry_form\":false}"
#define WIPE "TRUNCATE tickets, ticket_numbers, bookings, holds, idempotency_keys, slot_usage, " \
	"office_events"
/* Slots whose counters disagree with their rows. */
#define DRIFT_SQL "SELECT count(*) FROM slot_usage s WHERE s.booked <> (SELECT count(*) " \
	"FROM bookings b WHERE (b.municipality, b.office, b.service, b.starts_at) = " \
	"(s.municipality, s.office, s.service, s.starts_at) AND b.status <> 'cancelled') " \
	"OR s.held <> (SELECT count(*) FROM holds h WHERE (h.municipality, h.office, " \
	"h.service, h.starts_at) = (s.municipality, s.office, s.service, s.starts_at))"

static struct itest_daemon d;
static char staff_tok[128], branch_tok[128];

/* Writes the test configuration with extra top-level YAML; returns its path. */
static const char *
write_config(const char *name, const char *extra)
{
	static char main_path[512];
	char muni[512], text[2048];

	snprintf(muni, sizeof muni, "%s", itest_tmp_path("in-city.yaml"));
	itest_write_file(muni,
	    "municipality: incity\n"
	    "name: {ja: 整合市, en: Integrity City}\n"
	    "offices:\n"
	    "  - id: in-main\n"
	    "    name: {ja: 本庁, en: Main office}\n"
	    "    hours: {weekdays: [08:30-17:00]}\n"
	    "    services:\n"
	    "      ecert_renewal: {slot_minutes: 30, capacity: 3, horizon_days: 60, lead_minutes: 0}\n"
	    "    counters:\n"
	    "      - {id: 1, services: [ecert_renewal]}\n"
	    "  - id: in-branch\n"
	    "    name: {ja: 支所, en: Branch}\n"
	    "    hours: {weekdays: [08:30-17:00]}\n"
	    "    services:\n"
	    "      ecert_renewal: {slot_minutes: 30, capacity: 3, horizon_days: 60, lead_minutes: 0}\n");
	snprintf(main_path, sizeof main_path, "%s", itest_tmp_path(name));
	snprintf(text, sizeof text,
	    "listen: 127.0.0.1:8080\n"
	    "database:\n  url: \"dbname=madoguchi\"\n  pool_size: 4\n"
	    "ratelimit:\n  per_minute: 60000000\n  burst: 1000000\n"
	    "%s"
	    "%s"
	    "include:\n  - %s\n", extra, strstr(extra, "bookings:") ? "" :
	    "bookings:\n  per_contact: 10000\n", muni);
	itest_write_file(main_path, text);
	return main_path;
}

/* Creates a staff token for office; the line it prints must be one. */
static void
make_token(const char *cfg, const char *office, char tok[128])
{
	itest_create_token(cfg, "staff", office, tok, 128);
	ck_assert_msg(strncmp(tok, "mds_", 4) == 0, "no token in: %s", tok);
}

static void
setup(void)
{
	static const char *const env[] = { NOW_ENV, NULL };
	const char *cfg = write_config("in-main.yaml", "");

	curl_global_init(CURL_GLOBAL_DEFAULT);
	itest_daemon_start(&d, cfg, env);
	ck_assert_int_eq(itest_psql(WIPE), 0);
	make_token(cfg, "in-main", staff_tok);
	make_token(cfg, "in-branch", branch_tok);
}

static void
teardown(void)
{
	itest_daemon_stop(&d);
	ck_assert_int_eq(itest_psql(WIPE), 0);
}

/* One integer from SQL built printf-style. */
static long __attribute__((format(printf, 1, 2)))
sql_long(const char *fmt, ...)
{
	char sql[2048];
	va_list ap;
	char *out;
	long v;

	va_start(ap, fmt);
	vsnprintf(sql, sizeof sql, fmt, ap);
	va_end(ap);
	out = itest_psql_out(sql);
	v = strtol(out, NULL, 10);
	free(out);
	return v;
}

/* Sends method path on dd with an optional bearer token and JSON body. */
static void
send_as(const struct itest_daemon *dd, const char *method, const char *path, const char *token,
    const char *body, struct itest_resp *r)
{
	char auth[200];
	const char *headers[] = { auth, NULL };

	snprintf(auth, sizeof auth, "Authorization: Bearer %s", token ? token : "");
	itest_http(dd, method, path, body, body ? strlen(body) : 0, NULL, token ? headers : NULL, r);
}

/* A booking body for start, with an optional first visit. */
static void
booking_body(char *buf, size_t len, const char *start, const char *applicant, const char *first)
{
	char fv[64] = "";

	if (first != NULL)
		snprintf(fv, sizeof fv, ",\"first_visit\":\"%s\"", first);
	snprintf(buf, len, "{\"office\":\"in-main\",\"service\":\"ecert_renewal\",\"start\":\"%s\","
	    "\"applicant\":%s,\"contact\":{\"name\":\"Sato\",\"email\":\"s@example.jp\"}%s}",
	    start, applicant, fv);
}

/* Books start and asserts 201; copies reference and token out. */
static void
book_ok(const char *start, const char *applicant, char ref[16], char token[64])
{
	struct itest_resp r;
	char body[2048];

	booking_body(body, sizeof body, start, applicant, NULL);
	itest_post(&d, "/v1/bookings", body, &r);
	ck_assert_msg(r.status == 201, "booking %s: %ld %s", start, r.status, r.body);
	snprintf(ref, 16, "%s", itest_str(&r, "reference"));
	snprintf(token, 64, "%s", itest_str(&r, "token"));
	itest_resp_free(&r);
}

/* The instant of slot n after 2026-12-16 08:30 (30-minute slots, 16 a day, weekdays). */
static void
slot_at(int n, char out[32])
{
	static const int days[] = { 16, 17, 18, 21, 22, 23, 24, 25, 28 };
	int day = days[(n / 16) % 9], minute = 8 * 60 + 30 + (n % 16) * 30;

	snprintf(out, 32, "2026-12-%02dT%02d:%02d:00+09:00", day, minute / 60, minute % 60);
}

/* One request of a race, run on its own thread. */
struct shot {
	const char *method;		/* HTTP method */
	char path[96];			/* where */
	const char *token;		/* bearer token or NULL */
	const struct itest_daemon *to;	/* the daemon, or NULL for d */
	char body[2048];		/* JSON body or "" */
	pthread_barrier_t *go;		/* everyone starts together */
	long status;			/* the answer's status */
	char text[512];			/* and the start of its body */
};

/* Thread body: waits for the barrier, then sends the request. */
static void *
shot_run(void *arg)
{
	struct shot *s = arg;
	struct itest_resp r;

	pthread_barrier_wait(s->go);
	send_as(s->to != NULL ? s->to : &d, s->method, s->path, s->token,
	    s->body[0] ? s->body : NULL, &r);
	s->status = r.status;
	snprintf(s->text, sizeof s->text, "%s", r.body ? r.body : "");
	itest_resp_free(&r);
	return NULL;
}

/* Fires n shots at once and waits for all. */
static void
fire(struct shot *shots, int n)
{
	pthread_t t[8];
	pthread_barrier_t go;

	pthread_barrier_init(&go, NULL, (unsigned)n);
	for (int i = 0; i < n; i++) {
		shots[i].go = &go;
		ck_assert_int_eq(pthread_create(&t[i], NULL, shot_run, &shots[i]), 0);
	}
	for (int i = 0; i < n; i++)
		pthread_join(t[i], NULL);
	pthread_barrier_destroy(&go);
}

/* A cancel and a reschedule of one booking at once never leave a place taken by nobody. */
START_TEST(cancel_reschedule_race)
{
	char ref[16], token[64], start[32], to[32];
	int cancelled_first = 0, moved_first = 0;

	for (int round = 0; round < 30; round++) {
		struct shot s[2] = { 0 };

		slot_at(round * 2, start);
		slot_at(round * 2 + 1, to);	/* a slot with no row yet */
		book_ok(start, RENEWAL, ref, token);
		s[0].method = "DELETE", s[0].token = token;
		snprintf(s[0].path, sizeof s[0].path, "/v1/bookings/%s", ref);
		s[1].method = "POST", s[1].token = token;
		snprintf(s[1].path, sizeof s[1].path, "/v1/bookings/%s/reschedule", ref);
		snprintf(s[1].body, sizeof s[1].body, "{\"start\":\"%s\"}", to);
		fire(s, 2);
		ck_assert_msg(s[0].status == 200 || s[0].status == 409, "cancel: %ld %s",
		    s[0].status, s[0].text);
		ck_assert_msg(s[1].status == 200 || s[1].status == 409, "reschedule: %ld %s",
		    s[1].status, s[1].text);
		if (s[1].status == 200)
			moved_first++;
		else
			cancelled_first++;
		ck_assert_int_eq(sql_long("SELECT count(*) FROM bookings WHERE reference = '%s' AND "
		    "status = 'cancelled'", ref), 1);
		ck_assert_msg(sql_long(DRIFT_SQL) == 0, "round %d: a slot's counters disagree with "
		    "its rows", round);
		ck_assert_int_eq(sql_long("SELECT coalesce(sum(booked), 0) FROM slot_usage"), 0);
	}
	fprintf(stderr, "cancel_reschedule_race: 30 rounds, moved first %d, cancelled first %d\n",
	    moved_first, cancelled_first);
}
END_TEST

/* Two bookings moved into each other's slots at once: no deadlock reaches a client. */
START_TEST(crosswise_moves)
{
	char a[16], at[64], b[16], bt[64], s1[32], s2[32];

	slot_at(3, s1);
	slot_at(4, s2);
	book_ok(s1, RENEWAL, a, at);
	book_ok(s2, RENEWAL, b, bt);
	for (int round = 0; round < 30; round++) {
		struct shot s[2] = { 0 };
		bool even = round % 2 == 0;

		s[0].method = s[1].method = "POST";
		s[0].token = at, s[1].token = bt;
		snprintf(s[0].path, sizeof s[0].path, "/v1/bookings/%s/reschedule", a);
		snprintf(s[1].path, sizeof s[1].path, "/v1/bookings/%s/reschedule", b);
		snprintf(s[0].body, sizeof s[0].body, "{\"start\":\"%s\"}", even ? s2 : s1);
		snprintf(s[1].body, sizeof s[1].body, "{\"start\":\"%s\"}", even ? s1 : s2);
		fire(s, 2);
		for (int i = 0; i < 2; i++)
			ck_assert_msg(s[i].status == 200, "round %d move %d: %ld %s", round, i,
			    s[i].status, s[i].text);
		ck_assert_int_eq(sql_long(DRIFT_SQL), 0);
	}
	ck_assert_int_eq(sql_long("SELECT coalesce(sum(booked), 0) FROM slot_usage"), 2);
}
END_TEST

/* A booking whose statement outlives the handling deadline gets its real answer. */
START_TEST(deadline_waits_for_write)
{
	static const char *const env[] = { NOW_ENV, NULL };
	struct itest_daemon d2;
	struct itest_resp r;
	char ref[16], token[64], body[2048], cmd[1024];
	long stored;
	int waited = 0;

	book_ok(SLOT, RENEWAL, ref, token);	/* the slot's row exists */
	itest_daemon_start(&d2, write_config("in-deadline.yaml",
	    "http:\n  request_deadline_s: 1\n"), env);
	/* Another session holds the slot's row for 4 s. */
	snprintf(cmd, sizeof cmd, "psql -q -X '%s' -c \"BEGIN; SELECT 1 FROM slot_usage "
	    "WHERE starts_at = '" SLOT "' FOR UPDATE; SELECT pg_sleep(4); COMMIT;\" "
	    ">/dev/null 2>&1 &", itest_env("MADOGUCHI_TEST_DB_URL"));
	ck_assert_int_eq(system(cmd), 0);
	while (sql_long("SELECT count(*) FROM pg_stat_activity WHERE query LIKE "
	    "'%%pg_sleep(4)%%' AND state = 'active' AND pid <> pg_backend_pid()") == 0 &&
	    waited++ < 100)
		usleep(50000);
	booking_body(body, sizeof body, SLOT, RENEWAL, NULL);
	itest_post(&d2, "/v1/bookings", body, &r);
	stored = sql_long("SELECT count(*) FROM bookings WHERE status = 'booked'");
	ck_assert_msg(r.status == 201, "the booking answered %ld %s", r.status, r.body);
	ck_assert_int_eq(stored, 2);
	itest_resp_free(&r);
	itest_daemon_stop(&d2);
}
END_TEST

/* Counters that drifted from the rows are found, repaired and logged. */
START_TEST(drift_repaired)
{
	static const char *const env[] = { NOW_ENV, NULL };
	struct itest_daemon d2;
	char ref[16], token[64], start[32];
	int waited = 0;

	slot_at(5, start);
	book_ok(start, RENEWAL, ref, token);
	ck_assert_int_eq(itest_psql("UPDATE slot_usage SET booked = 3"), 0);
	ck_assert_int_eq(sql_long(DRIFT_SQL), 1);
	itest_daemon_start(&d2, write_config("in-drift.yaml", ""), env);
	while (sql_long(DRIFT_SQL) != 0 && waited++ < 300)
		usleep(100000);
	ck_assert_int_eq(sql_long(DRIFT_SQL), 0);
	ck_assert_int_eq(sql_long("SELECT booked FROM slot_usage"), 1);
	ck_assert_int_eq(sql_long("SELECT count(*) FROM audit_log WHERE action = 'slot.repaired' "
	    "AND detail->>'booked_was' = '3'"), 1);
	itest_daemon_stop(&d2);
}
END_TEST

/* Visit 2 needs visit 1's token, comes once, and follows visit 1 in moves and cancels. */
START_TEST(two_visit_route)
{
	struct itest_resp r;
	char v1[16], t1[64], other[16], ot[64], v2[16], body[2048], path[96];
	json_t *docs, *doc;
	size_t i;

	book_ok(SLOT, PROXY, v1, t1);
	book_ok("2026-12-16T11:00:00+09:00", RENEWAL, other, ot);
	booking_body(body, sizeof body, "2026-12-24T09:00:00+09:00", PROXY, v1);
	/* No token, someone else's token: no visit 2, and the same answer as a wrong reference. */
	itest_post(&d, "/v1/bookings", body, &r);
	ck_assert_msg(r.status == 401, "%ld %s", r.status, r.body);
	itest_resp_free(&r);
	send_as(&d, "POST", "/v1/bookings", ot, body, &r);
	ck_assert_msg(r.status == 422 && strcmp(itest_str(&r, "code"), "no_first_visit") == 0,
	    "%ld %s", r.status, r.body);
	itest_resp_free(&r);
	send_as(&d, "POST", "/v1/bookings", t1, body, &r);
	ck_assert_msg(r.status == 201, "%ld %s", r.status, r.body);
	snprintf(v2, sizeof v2, "%s", itest_str(&r, "reference"));
	/* Visit 2's answer lists what visit 2 needs, nothing of visit 1's. */
	docs = json_object_get(r.json, "documents");
	ck_assert(json_array_size(docs) > 0);
	json_array_foreach(docs, i, doc)
		ck_assert_msg(strncmp(json_string_value(json_object_get(doc, "id")), "visit2_", 7) == 0,
		    "visit 2 lists %s", json_string_value(json_object_get(doc, "id")));
	ck_assert_ptr_null(strstr(r.body, "second_visit_required"));
	itest_resp_free(&r);
	/* A second visit 2 is refused. */
	booking_body(body, sizeof body, "2026-12-25T09:00:00+09:00", PROXY, v1);
	send_as(&d, "POST", "/v1/bookings", t1, body, &r);
	ck_assert_msg(r.status == 409 && strcmp(itest_str(&r, "code"), "second_visit_exists") == 0,
	    "%ld %s", r.status, r.body);
	itest_resp_free(&r);
	/* Visit 1 cannot move so late that visit 2 comes too soon after it. */
	snprintf(path, sizeof path, "/v1/bookings/%s/reschedule", v1);
	send_as(&d, "POST", path, t1, "{\"start\":\"2026-12-18T09:00:00+09:00\"}", &r);
	ck_assert_msg(r.status == 409 && strcmp(itest_str(&r, "code"), "second_visit_conflict") == 0,
	    "%ld %s", r.status, r.body);
	ck_assert_str_eq(itest_str(&r, "second_visit"), v2);
	itest_resp_free(&r);
	send_as(&d, "POST", path, t1, "{\"start\":\"2026-12-16T09:00:00+09:00\"}", &r);
	ck_assert_msg(r.status == 200, "an earlier visit 1: %ld %s", r.status, r.body);
	itest_resp_free(&r);
	/* Cancelling visit 1 cancels visit 2 and says so. */
	snprintf(path, sizeof path, "/v1/bookings/%s", v1);
	send_as(&d, "DELETE", path, t1, NULL, &r);
	ck_assert_msg(r.status == 200, "%ld %s", r.status, r.body);
	ck_assert_str_eq(json_string_value(json_array_get(json_object_get(r.json,
	    "also_cancelled"), 0)), v2);
	itest_resp_free(&r);
	ck_assert_int_eq(sql_long("SELECT count(*) FROM bookings WHERE reference = '%s' AND "
	    "status = 'cancelled'", v2), 1);
	ck_assert_int_eq(sql_long(DRIFT_SQL), 0);
}
END_TEST

/* Four "next" calls at one counter at once leave one ticket called there. */
START_TEST(one_called_per_counter)
{
	struct itest_resp r;

	for (int i = 0; i < 84; i++) {
		send_as(&d, "POST", "/v1/offices/in-main/tickets", staff_tok,
		    "{\"service\":\"ecert_renewal\"}", &r);
		ck_assert_msg(r.status == 201, "walk-in: %ld %s", r.status, r.body);
		itest_resp_free(&r);
	}
	for (int round = 0; round < 20; round++) {
		struct shot s[4] = { 0 };

		for (int i = 0; i < 4; i++) {
			s[i].method = "POST", s[i].token = staff_tok;
			snprintf(s[i].path, sizeof s[i].path, "/v1/offices/in-main/counters/1/next");
		}
		fire(s, 4);
		for (int i = 0; i < 4; i++)
			ck_assert_msg(s[i].status == 200, "next: %ld %s", s[i].status, s[i].text);
		ck_assert_int_eq(sql_long("SELECT count(*) FROM tickets WHERE counter = 1 AND "
		    "status = 'called'"), 1);
	}
	ck_assert_int_eq(sql_long("SELECT count(*) FROM tickets WHERE status = 'done'"), 79);
}
END_TEST

/* Holds expire by the database's clock; one address keeps so many, one contact books so many. */
START_TEST(holds_database_clock_and_limit)
{
	static const char *const env[] = { NOW_ENV, NULL };
	struct itest_daemon d2;
	struct itest_resp r;
	char body[256], start[32];

	itest_daemon_start(&d2, write_config("in-holds.yaml",
	    "bookings:\n  hold_seconds: 600\n  holds_per_client: 2\n  per_contact: 2\n"), env);
	for (int i = 0; i < 3; i++) {
		slot_at(6 + i, start);
		snprintf(body, sizeof body, "{\"office\":\"in-main\",\"service\":\"ecert_renewal\","
		    "\"start\":\"%s\"}", start);
		itest_post(&d2, "/v1/holds", body, &r);
		if (i < 2)
			ck_assert_msg(r.status == 201, "hold %d: %ld %s", i, r.status, r.body);
		else
			ck_assert_msg(r.status == 429 && strcmp(itest_str(&r, "code"),
			    "too_many_holds") == 0, "third hold: %ld %s", r.status, r.body);
		itest_resp_free(&r);
	}
	/* The daemon's clock is days ahead; the holds end 600 s after the database's now. */
	ck_assert_int_eq(sql_long("SELECT count(*) FROM holds WHERE expires_at > now() + "
	    "interval '610 seconds' OR expires_at < now() + interval '500 seconds'"), 0);
	ck_assert_int_eq(sql_long("SELECT sum(held) FROM slot_usage"), 2);
	/* Two live bookings of a service per contact near one date; a third is refused. */
	for (int i = 0; i < 3; i++) {
		char b[2048];

		slot_at(10 + i, start);
		booking_body(b, sizeof b, start, RENEWAL, NULL);
		itest_post(&d2, "/v1/bookings", b, &r);
		if (i < 2)
			ck_assert_msg(r.status == 201, "booking %d: %ld %s", i, r.status, r.body);
		else
			ck_assert_msg(r.status == 409 && strcmp(itest_str(&r, "code"),
			    "too_many_bookings") == 0, "third booking: %ld %s", r.status, r.body);
		itest_resp_free(&r);
	}
	ck_assert_int_eq(sql_long("SELECT count(*) FROM bookings"), 2);
	itest_daemon_stop(&d2);
}
END_TEST

/*
 * Eight bookings of one contact at once, each for a slot of its own, against a
 * limit of two: exactly two are made, whether the contact is one email or one
 * phone number under different emails, and the rest are 409 too_many_bookings.
 */
START_TEST(contact_limit_race)
{
	static const char *const env[] = { NOW_ENV, NULL };
	struct itest_daemon d2;

	itest_daemon_start(&d2, write_config("in-contact.yaml",
	    "bookings:\n  per_contact: 2\n"), env);
	for (int round = 0; round < 12; round++) {
		struct shot s[8] = { 0 };
		int made = 0;
		bool by_phone = round % 2 == 1;

		for (int i = 0; i < 8; i++) {
			char start[32], contact[160];

			slot_at((round * 8 + i) % 144, start);
			if (by_phone)
				snprintf(contact, sizeof contact, "{\"name\":\"Sato\",\"email\":"
				    "\"r%d-%d@example.jp\",\"phone\":\"052-000-%04d\"}", round, i,
				    round);
			else
				snprintf(contact, sizeof contact, "{\"name\":\"Sato\",\"email\":"
				    "\"Round%d@Example.jp\"}", round);
			s[i].method = "POST", s[i].to = &d2;
			snprintf(s[i].path, sizeof s[i].path, "/v1/bookings");
			snprintf(s[i].body, sizeof s[i].body, "{\"office\":\"in-main\","
			    "\"service\":\"ecert_renewal\",\"start\":\"%s\",\"applicant\":%s,"
			    "\"contact\":%s}", start, RENEWAL, contact);
		}
		fire(s, 8);
		for (int i = 0; i < 8; i++) {
			if (s[i].status == 201) {
				made++;
				continue;
			}
			ck_assert_msg(s[i].status == 409 && strstr(s[i].text,
			    "\"too_many_bookings\"") != NULL, "round %d booking %d: %ld %s", round,
			    i, s[i].status, s[i].text);
		}
		ck_assert_msg(made == 2, "round %d: %d bookings made, the limit is 2", round, made);
		ck_assert_msg(sql_long(DRIFT_SQL) == 0, "round %d: a slot's counters disagree with "
		    "its rows", round);
	}
	ck_assert_int_eq(sql_long("SELECT count(*) FROM bookings"), 24);
	itest_daemon_stop(&d2);
}
END_TEST

/* Books start at d2 for the contact email; copies reference and token out. */
static void
book_contact(const struct itest_daemon *d2, const char *start, const char *email, char ref[16],
    char token[64])
{
	struct itest_resp r;
	char body[2048];

	snprintf(body, sizeof body, "{\"office\":\"in-main\",\"service\":\"ecert_renewal\","
	    "\"start\":\"%s\",\"applicant\":%s,\"contact\":{\"name\":\"Sato\",\"email\":\"%s\"}}",
	    start, RENEWAL, email);
	itest_post(d2, "/v1/bookings", body, &r);
	ck_assert_msg(r.status == 201, "booking %s: %ld %s", start, r.status, r.body);
	snprintf(ref, 16, "%s", itest_str(&r, "reference"));
	snprintf(token, 64, "%s", itest_str(&r, "token"));
	itest_resp_free(&r);
}

/* A reschedule shot of booking ref (token) to slot n. */
static void
move_shot(struct shot *s, const struct itest_daemon *d2, const char *ref, const char *token,
    int n)
{
	char to[32];

	slot_at(n, to);
	s->method = "POST", s->to = d2, s->token = token;
	snprintf(s->path, sizeof s->path, "/v1/bookings/%s/reschedule", ref);
	snprintf(s->body, sizeof s->body, "{\"start\":\"%s\"}", to);
}

/*
 * The per-contact limit (two within two days here) holds for moves too. One
 * contact books the 16th, 21st, 24th and 28th (each alone in its window).
 * Moving the 21st to the 17th is allowed; then the 24th to the 18th is 409
 * too_many_bookings, while the 17th may still move to the 18th (a booking is
 * not counted against itself). Then, eleven times over with a new contact,
 * the 21st, 24th and 28th are moved next to the 16th at once: exactly one move
 * is made. No contact ends with more than two live bookings within two days of
 * one of them.
 */
START_TEST(contact_limit_moves)
{
	static const char *const env[] = { NOW_ENV, NULL };
	static const int from[] = { 0, 3, 6, 8 }, to[] = { 1, 2, 1 };	/* days of slot_at */
	struct itest_daemon d2;

	itest_daemon_start(&d2, write_config("in-moves.yaml",
	    "bookings:\n  per_contact: 2\n  contact_window_days: 2\n"), env);
	for (int round = 0; round < 12; round++) {
		char email[64], start[32], ref[4][16], token[4][64];
		struct shot s[3] = { 0 };
		int made = 0;

		snprintf(email, sizeof email, "Move%d@example.jp", round);
		for (int i = 0; i < 4; i++) {
			slot_at(from[i] * 16 + round, start);
			book_contact(&d2, start, email, ref[i], token[i]);
		}
		for (int i = 0; i < 3; i++)
			move_shot(&s[i], &d2, ref[i + 1], token[i + 1], to[i] * 16 + round);
		if (round == 0) {
			fire(&s[0], 1);
			ck_assert_msg(s[0].status == 200, "to the 17th: %ld %s", s[0].status, s[0].text);
			fire(&s[1], 1);
			ck_assert_msg(s[1].status == 409 && strstr(s[1].text, "\"too_many_bookings\"")
			    != NULL && strstr(s[1].text, "\"field\":\"start\"") != NULL,
			    "to the 18th: %ld %s", s[1].status, s[1].text);
			move_shot(&s[0], &d2, ref[1], token[1], 2 * 16 + round);
			fire(&s[0], 1);
			ck_assert_msg(s[0].status == 200, "17th to 18th: %ld %s", s[0].status,
			    s[0].text);
			continue;
		}
		fire(s, 3);
		for (int i = 0; i < 3; i++) {
			if (s[i].status == 200) {
				made++;
				continue;
			}
			ck_assert_msg(s[i].status == 409 && strstr(s[i].text,
			    "\"too_many_bookings\"") != NULL, "round %d move %d: %ld %s", round, i,
			    s[i].status, s[i].text);
		}
		ck_assert_msg(made == 1, "round %d: %d moves made, the limit allows one", round,
		    made);
		ck_assert_msg(sql_long(DRIFT_SQL) == 0, "round %d: a slot's counters disagree with "
		    "its rows", round);
	}
	ck_assert_int_eq(sql_long("SELECT count(*) FROM bookings b WHERE (SELECT count(*) "
	    "FROM bookings o WHERE o.contact_email = b.contact_email AND o.status = 'booked' "
	    "AND o.starts_at BETWEEN b.starts_at - interval '2 days' AND b.starts_at + "
	    "interval '2 days') > 2"), 0);
	ck_assert_int_eq(sql_long("SELECT count(*) FROM bookings WHERE status = 'booked'"), 48);
	itest_daemon_stop(&d2);
}
END_TEST

/* Spellings of the Individual Number 123456789018 a client might send. */
static const char *const spellings[] = {
	"123456789018", "1234 5678 9018", "1234  5678  9018", "1234 - 5678 - 9018",
	"1234ー5678ー9018", "1234\u20135678\u20139018", "1234\u20145678\u20149018",
	"1234\u20105678\u20109018", "1234\u22125678\u22129018", "1234\uff0d5678\uff0d9018",
	"1234\u00a05678\u00a09018", "1234\u20095678\u20099018", "1234\t5678\t9018",
	"1234.5678.9018", "1234/5678/9018", "(1234)(5678)(9018)", "1234\u30005678\u30009018",
	"１２３４・５６７８・９０１８",
	"\u0661\u0662\u0663\u0664\u0665\u0666\u0667\u0668\u0669\u0660\u0661\u0668",
	"\u06f1\u06f2\u06f3\u06f4 \u06f5\u06f6\u06f7\u06f8 \u06f9\u06f0\u06f1\u06f8",
	"\U0001D7CF\U0001D7D0\U0001D7D1\U0001D7D2\U0001D7D3\U0001D7D4\U0001D7D5\U0001D7D6"
	    "\U0001D7D7\U0001D7CE\U0001D7CF\U0001D7D6",
	"\u0967\u0968\u0969\u096a-\u096b\u096c\u096d\u096e-\u096f\u0966\u0967\u096e",
	"\u2460\u2461\u2462\u2463\u2464\u2465\u2466\u2467\u2468\u24ea\u2460\u2467",
	"1 2 3 4 5 6 7 8 9 0 1 8", "my number is 1234-5678-9018, thanks",
};

/* Every spelling is refused in every field, key and id a client chooses; nothing is kept. */
START_TEST(individual_number_everywhere)
{
	char body[2048], start[32], header[256], path[512], *esc;
	const char *headers[] = { header, NULL };
	struct itest_resp r;
	CURL *curl = curl_easy_init();

	slot_at(9, start);
	for (size_t i = 0; i < sizeof spellings / sizeof spellings[0]; i++) {
		json_t *name = json_string(spellings[i]);
		char *name_text = json_dumps(name, JSON_ENCODE_ANY);

		/* A contact field. */
		snprintf(body, sizeof body, "{\"office\":\"in-main\",\"service\":\"ecert_renewal\","
		    "\"start\":\"%s\",\"applicant\":" RENEWAL ",\"contact\":{\"name\":%s,"
		    "\"email\":\"s@example.jp\"}}", start, name_text);
		itest_post(&d, "/v1/bookings", body, &r);
		ck_assert_msg(r.status == 400 && strcmp(itest_str(&r, "code"),
		    "individual_number_refused") == 0, "name %zu: %ld %s", i, r.status, r.body);
		itest_resp_free(&r);
		/*
		 * The Idempotency-Key of a booking: kept only as a keyed hash, so it is
		 * never refused for its digits (a client's UUID can look like one by
		 * chance); a key outside the key alphabet is bad input as any other.
		 */
		booking_body(body, sizeof body, start, RENEWAL, NULL);
		snprintf(header, sizeof header, "Idempotency-Key: %s", spellings[i]);
		itest_http(&d, "POST", "/v1/bookings", body, strlen(body), NULL, headers, &r);
		ck_assert_msg(r.status == 201 || r.status == 409 || (r.status == 400 &&
		    strcmp(itest_str(&r, "code"), "invalid_header") == 0),
		    "key %zu: %ld %s", i, r.status, r.body);
		ck_assert_ptr_null(strstr(r.body, spellings[i]));
		itest_resp_free(&r);
		/* A request id, which would be echoed and logged: replaced by the daemon's own. */
		snprintf(header, sizeof header, "X-Request-Id: %s", spellings[i]);
		itest_http(&d, "GET", "/v1/offices", NULL, 0, NULL, headers, &r);
		ck_assert_msg(r.status == 200, "id %zu: %ld %s", i, r.status, r.body);
		ck_assert_ptr_null(strstr(r.headers, spellings[i]));
		itest_resp_free(&r);
		/* A path, which is logged. */
		esc = curl_easy_escape(curl, spellings[i], 0);
		snprintf(path, sizeof path, "/v1/bookings/%s", esc);
		curl_free(esc);
		itest_get(&d, path, &r);
		ck_assert_msg(r.status == 400 && strcmp(itest_str(&r, "code"),
		    "individual_number_refused") == 0, "path %zu: %ld %s", i, r.status, r.body);
		itest_resp_free(&r);
		free(name_text);
		json_decref(name);
	}
	curl_easy_cleanup(curl);
	/* No booking with a number in its contact; every kept key is a 43-character hash. */
	ck_assert_int_eq(sql_long("SELECT count(*) FROM bookings WHERE contact_name <> 'Sato'"), 0);
	ck_assert_int_gt(sql_long("SELECT count(*) FROM idempotency_keys"), 0);
	ck_assert_int_eq(sql_long("SELECT count(*) FROM idempotency_keys "
	    "WHERE key !~ '^[A-Za-z0-9_-]{43}$'"), 0);
}
END_TEST

/* Sends raw bytes to dd and reads what comes back until it closes or 3 s pass. */
static size_t
raw_exchange(const struct itest_daemon *dd, const char *req, size_t len, char *out, size_t cap)
{
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_port = htons((uint16_t)dd->port) };
	int fd = socket(AF_INET, SOCK_STREAM, 0);
	size_t got = 0;

	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	ck_assert(fd >= 0);
	ck_assert_int_eq(connect(fd, (struct sockaddr *)&a, sizeof a), 0);
	ck_assert_int_eq(write(fd, req, len), (ssize_t)len);
	for (;;) {
		struct pollfd p = { .fd = fd, .events = POLLIN };
		ssize_t n;

		if (poll(&p, 1, 3000) <= 0 || got + 1 >= cap)
			break;
		if ((n = read(fd, out + got, cap - got - 1)) <= 0)
			break;
		got += (size_t)n;
	}
	out[got] = '\0';
	close(fd);
	return got;
}

/* Counts the status lines in a raw answer. */
static int
status_lines(const char *text)
{
	int n = 0;

	for (const char *p = text; (p = strstr(p, "HTTP/1.1 ")) != NULL; p++)
		n++;
	return n;
}

/* HEAD has no body, OPTIONS answers Allow, phrases are right, smuggling is refused. */
START_TEST(http_protocol)
{
	static const char smuggle[] = "POST /v1/eligibility HTTP/1.1\r\nHost: x\r\n"
	    "Content-Type: application/json\r\nContent-Length: 2\r\nContent-Length: 40\r\n\r\n"
	    "{}GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n";
	static const char head[] = "HEAD /v1/offices HTTP/1.1\r\nHost: x\r\n\r\n"
	    "GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n";
	char out[65536], body[2048], *cl;
	struct itest_resp r;

	/* Differing Content-Length headers: 400, and the rest is never read as a request. */
	raw_exchange(&d, smuggle, sizeof smuggle - 1, out, sizeof out);
	ck_assert_msg(strncmp(out, "HTTP/1.1 400 Bad Request\r\n", 26) == 0, "%s", out);
	ck_assert_ptr_nonnull(strstr(out, "conflicting_content_length"));
	ck_assert_int_eq(status_lines(out), 1);
	/* HEAD: GET's headers and length, no body: the next answer follows at once. */
	raw_exchange(&d, head, sizeof head - 1, out, sizeof out);
	ck_assert_int_eq(status_lines(out), 2);
	ck_assert_ptr_nonnull(cl = strstr(out, "Content-Length: "));
	ck_assert(atol(cl + 16) > 100);
	ck_assert_msg(strstr(out, "\r\n\r\nHTTP/1.1 200 OK\r\n") != NULL, "HEAD sent a body: %.300s",
	    out);
	/* OPTIONS: 204 with Allow. */
	itest_http(&d, "OPTIONS", "/v1/bookings/ABC-DEFG", NULL, 0, NULL, NULL, &r);
	ck_assert_int_eq(r.status, 204);
	ck_assert_ptr_nonnull(strstr(r.headers, "Allow: GET, DELETE, HEAD, OPTIONS"));
	itest_resp_free(&r);
	/* 422 and 429 say what they are. */
	snprintf(body, sizeof body, "{\"office\":\"in-main\",\"service\":\"ecert_renewal\","
	    "\"start\":\"%s\"}", "2026-12-19T09:00:00+09:00");
	itest_post(&d, "/v1/holds", body, &r);
	ck_assert_msg(r.status == 422, "%ld %s", r.status, r.body);
	ck_assert_ptr_nonnull(strstr(r.headers, "HTTP/1.1 422 Unprocessable Content"));
	itest_resp_free(&r);
}
END_TEST

/* A connection from source address src to dd (non-blocking when nb), or -1. */
static int
connect_from(const struct itest_daemon *dd, const char *src)
{
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_port = htons((uint16_t)dd->port) };
	struct sockaddr_in from = { .sin_family = AF_INET };
	int fd = socket(AF_INET, SOCK_STREAM, 0);

	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	inet_pton(AF_INET, src, &from.sin_addr);
	if (fd < 0 || bind(fd, (struct sockaddr *)&from, sizeof from) != 0 ||
	    connect(fd, (struct sockaddr *)&a, sizeof a) != 0) {
		if (fd >= 0)
			close(fd);
		return -1;
	}
	return fd;
}

/* GET /healthz from src; true when 200 arrives within 1 s. */
static bool
healthz_within_1s(const struct itest_daemon *dd, const char *src)
{
	static const char req[] = "GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n";
	struct timespec t0, t1;
	char buf[1024];
	size_t got = 0;
	int fd;
	bool ok = false;

	clock_gettime(CLOCK_MONOTONIC, &t0);
	if ((fd = connect_from(dd, src)) < 0)
		return false;
	if (write(fd, req, sizeof req - 1) == (ssize_t)(sizeof req - 1)) {
		for (;;) {
			struct pollfd p = { .fd = fd, .events = POLLIN };
			ssize_t n;

			clock_gettime(CLOCK_MONOTONIC, &t1);
			long left = 1000 - ((t1.tv_sec - t0.tv_sec) * 1000 +
			    (t1.tv_nsec - t0.tv_nsec) / 1000000);
			if (left <= 0 || poll(&p, 1, (int)left) <= 0)
				break;
			if ((n = read(fd, buf + got, sizeof buf - got - 1)) <= 0)
				break;
			got += (size_t)n;
			buf[got] = '\0';
			if (strstr(buf, "\r\n\r\n") != NULL) {
				ok = strncmp(buf, "HTTP/1.1 200 ", 13) == 0;
				break;
			}
		}
	}
	close(fd);
	return ok;
}

/*
 * One address holding twice http.max_connections sockets and every stream it
 * can open does not shut another client out: /healthz answers within 1 s,
 * 20 times of 20.
 */
START_TEST(abuser_does_not_lock_out)
{
	static const char *const env[] = { NOW_ENV, NULL };
	static const char stream[] = "GET /v1/offices/in-main/events HTTP/1.1\r\nHost: x\r\n\r\n";
	struct itest_daemon d2;
	int fds[200], nfds = 0, streams = 0, answered = 0;
	char buf[512];

	itest_daemon_start(&d2, write_config("in-abuse.yaml", "http:\n  max_connections: 64\n"),
	    env);
	/* Streams first, as many as the daemon gives. */
	for (int i = 0; i < 64 && nfds < 200; i++) {
		struct pollfd p;
		int fd = connect_from(&d2, "127.0.0.1");

		if (fd < 0)
			continue;
		fds[nfds++] = fd;
		if (write(fd, stream, sizeof stream - 1) != (ssize_t)(sizeof stream - 1))
			continue;
		p = (struct pollfd){ .fd = fd, .events = POLLIN };
		if (poll(&p, 1, 1000) > 0 && read(fd, buf, sizeof buf - 1) > 0 &&
		    strncmp(buf, "HTTP/1.1 200 ", 13) == 0)
			streams++;
	}
	/* Then idle sockets, up to twice the cap in all. */
	while (nfds < 128) {
		int fd = connect_from(&d2, "127.0.0.1");

		if (fd < 0)
			break;
		fds[nfds++] = fd;
	}
	for (int i = 0; i < 20; i++)
		answered += healthz_within_1s(&d2, "127.0.0.2");
	fprintf(stderr, "abuser_does_not_lock_out: %d sockets, %d streams; healthz %d of 20\n",
	    nfds, streams, answered);
	ck_assert_int_eq(answered, 20);
	ck_assert_int_le(streams, 8);
	for (int i = 0; i < nfds; i++)
		close(fds[i]);
	itest_daemon_stop(&d2);
}
END_TEST

/* A reconnecting stream gets what it missed (with ids), or resync when it is gone. */
START_TEST(events_replay)
{
	static const char first[] = "GET /v1/offices/in-main/events HTTP/1.1\r\nHost: x\r\n\r\n";
	char req[256], out[16384], *id;
	struct itest_resp r;
	struct pollfd p;
	long long last;
	size_t got = 0;
	int fd;

	/* A stream sees an event with its id. */
	fd = connect_from(&d, "127.0.0.1");
	ck_assert(fd >= 0);
	ck_assert(write(fd, first, sizeof first - 1) == (ssize_t)(sizeof first - 1));
	send_as(&d, "POST", "/v1/offices/in-main/tickets", staff_tok, "{\"service\":\"ecert_renewal\"}",
	    &r);
	ck_assert_int_eq(r.status, 201);
	itest_resp_free(&r);
	while (got < sizeof out - 1 && strstr(out, "event: issued") == NULL) {
		p = (struct pollfd){ .fd = fd, .events = POLLIN };
		ck_assert_msg(poll(&p, 1, 5000) > 0, "no event: %s", out);
		ssize_t n = read(fd, out + got, sizeof out - got - 1);
		ck_assert(n > 0);
		got += (size_t)n;
		out[got] = '\0';
	}
	close(fd);
	ck_assert_ptr_nonnull(id = strstr(out, "\nid: "));
	last = atoll(id + 5);
	ck_assert(last > 0);
	/* Two more while away. */
	for (int i = 0; i < 2; i++) {
		send_as(&d, "POST", "/v1/offices/in-main/tickets", staff_tok,
		    "{\"service\":\"ecert_renewal\"}", &r);
		ck_assert_int_eq(r.status, 201);
		itest_resp_free(&r);
	}
	/* Back with Last-Event-ID: the two missed ones, in order, with their ids. */
	snprintf(req, sizeof req, "GET /v1/offices/in-main/events HTTP/1.1\r\nHost: x\r\n"
	    "Last-Event-ID: %lld\r\n\r\n", last);
	fd = connect_from(&d, "127.0.0.1");
	ck_assert(write(fd, req, strlen(req)) == (ssize_t)strlen(req));
	got = 0;
	out[0] = '\0';
	for (;;) {
		char want[32];
		snprintf(want, sizeof want, "id: %lld\n", last + 2);
		if (strstr(out, want) != NULL)
			break;
		p = (struct pollfd){ .fd = fd, .events = POLLIN };
		ck_assert_msg(poll(&p, 1, 5000) > 0, "no replay: %s", out);
		ssize_t n = read(fd, out + got, sizeof out - got - 1);
		ck_assert(n > 0);
		got += (size_t)n;
		out[got] = '\0';
	}
	{
		char a[32], b[32];
		snprintf(a, sizeof a, "id: %lld\n", last + 1);
		snprintf(b, sizeof b, "id: %lld\n", last + 2);
		ck_assert_ptr_nonnull(strstr(out, a));
		ck_assert(strstr(out, a) < strstr(out, b));
	}
	close(fd);
	/* Events forgotten: resync. */
	ck_assert_int_eq(itest_psql("DELETE FROM office_events"), 0);
	fd = connect_from(&d, "127.0.0.1");
	ck_assert(write(fd, req, strlen(req)) == (ssize_t)strlen(req));
	got = 0;
	out[0] = '\0';
	while (strstr(out, "event: resync") == NULL) {
		p = (struct pollfd){ .fd = fd, .events = POLLIN };
		ck_assert_msg(poll(&p, 1, 5000) > 0, "no resync: %s", out);
		ssize_t n = read(fd, out + got, sizeof out - got - 1);
		ck_assert(n > 0);
		got += (size_t)n;
		out[got] = '\0';
	}
	close(fd);
}
END_TEST

/* The status and code of an answer, as "401 invalid_token". */
static void
outcome(const char *method, const char *path, const char *token, char out[64])
{
	struct itest_resp r;

	send_as(&d, method, path, token, NULL, &r);
	snprintf(out, 64, "%ld %s", r.status, itest_str(&r, "code"));
	itest_resp_free(&r);
}

/*
 * Staff tokens are checked before any ticket or booking is read: a bad token
 * gets the same answer for what exists and what does not, and another office's
 * token the same 404 as a missing ticket or booking.
 */
START_TEST(token_before_data)
{
	struct itest_resp r;
	char ticket[64], missing[64], a[64], b[64], ref[16], token[64];
	long long id;

	send_as(&d, "POST", "/v1/offices/in-main/tickets", staff_tok,
	    "{\"service\":\"ecert_renewal\"}", &r);
	ck_assert_int_eq(r.status, 201);
	id = (long long)json_integer_value(json_object_get(r.json, "ticket"));
	itest_resp_free(&r);
	snprintf(ticket, sizeof ticket, "/v1/tickets/%lld/recall", id);
	snprintf(missing, sizeof missing, "/v1/tickets/%lld/recall", id + 1000);
	outcome("POST", ticket, "mds_not-a-real-token", a);
	outcome("POST", missing, "mds_not-a-real-token", b);
	ck_assert_str_eq(a, "401 invalid_token");
	ck_assert_str_eq(a, b);
	outcome("POST", ticket, branch_tok, a);
	outcome("POST", missing, branch_tok, b);
	ck_assert_str_eq(a, "404 ticket_not_found");
	ck_assert_str_eq(a, b);
	book_ok(SLOT, RENEWAL, ref, token);
	snprintf(ticket, sizeof ticket, "/v1/bookings/%s", ref);
	snprintf(missing, sizeof missing, "/v1/bookings/%s", "ZZZ-ZZZZ");
	outcome("GET", ticket, "mds_not-a-real-token", a);
	outcome("GET", missing, "mds_not-a-real-token", b);
	ck_assert_str_eq(a, "401 invalid_token");
	ck_assert_str_eq(a, b);
	outcome("DELETE", ticket, branch_tok, a);
	outcome("DELETE", missing, branch_tok, b);
	ck_assert_str_eq(a, "404 booking_not_found");
	ck_assert_str_eq(a, b);
	outcome("GET", ticket, staff_tok, a);
	ck_assert_str_eq(a, "200 ");
}
END_TEST

static Suite *
integrity_suite(void)
{
	Suite *s = suite_create("integrity");
	TCase *tc = tcase_create("integrity");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 120);
	tcase_add_test(tc, cancel_reschedule_race);
	tcase_add_test(tc, crosswise_moves);
	tcase_add_test(tc, deadline_waits_for_write);
	tcase_add_test(tc, drift_repaired);
	tcase_add_test(tc, two_visit_route);
	tcase_add_test(tc, one_called_per_counter);
	tcase_add_test(tc, holds_database_clock_and_limit);
	tcase_add_test(tc, contact_limit_race);
	tcase_add_test(tc, contact_limit_moves);
	tcase_add_test(tc, individual_number_everywhere);
	tcase_add_test(tc, http_protocol);
	tcase_add_test(tc, abuser_does_not_lock_out);
	tcase_add_test(tc, events_replay);
	tcase_add_test(tc, token_before_data);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	SRunner *sr = srunner_create(integrity_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
