/*
 * POST /v1/bookings and what hangs off it (tokens, cancel, reschedule, .ics,
 * holds, the two-visit route, purging, the database going away), against a
 * test municipality written per test, with the clock pinned to 2026-12-01
 * 09:00 in Tokyo (a Tuesday).
 */
#include "itest.h"

#include <check.h>
#include <curl/curl.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define NOW_ENV "MADOGUCHI_NOW=2026-12-01T09:00:00+09:00"
/* A Wednesday inside every test applicant's renewal window. */
#define SLOT "2026-12-16T10:00:00+09:00"
#define SLOT2 "2026-12-16T10:30:00+09:00"
#define SLOT3 "2026-12-17T09:00:00+09:00"

/* Certificates expire 2027-02-10: the window opens 2026-11-11. */
#define RENEWAL "{\"birth_date\":\"1980-02-10\",\"card\":{\"issued_on\":\"2022-03-01\"}," \
	"\"certificates\":{\"issued_on\":\"2022-03-01\"}}"
/* Certificates expire 2027-03-20: the window opens 2026-12-21 (a Monday). */
#define NOT_YET "{\"birth_date\":\"1985-03-20\",\"card\":{\"issued_on\":\"2022-04-01\"}," \
	"\"certificates\":{\"issued_on\":\"2022-04-01\"}}"
/* Certificates expire 2026-12-20: the window closes that day. */
#define CLOSING "{\"birth_date\":\"1990-12-20\",\"card\":{\"issued_on\":\"2022-03-01\"}," \
	"\"certificates\":{\"issued_on\":\"2022-03-01\"}}"
/* A holder aged 12 sent with a legal representative only. */
#define CHILD_ALONE "{\"birth_date\":\"2014-02-10\",\"card\":{\"issued_on\":\"2022-03-01\"}," \
	"\"certificates\":{\"issued_on\":\"2022-03-01\",\"user_expires_on\":\"2027-01-10\"},\"attendee\":\"legal_representative\"," \
	"\"holder_attends\":false}"
/* A proxy without the sealed inquiry form: two visits. */
#define PROXY "{\"birth_date\":\"1980-02-10\",\"card\":{\"issued_on\":\"2022-03-01\"}," \
	"\"certificates\":{\"issued_on\":\"2022-03-01\"},\"attendee\":\"proxy\"," \
	"\"has_inquiry_form\":false}"
/* A valid Individual Number (check digit 8). */
#define MY_NUMBER "123456789018"

static struct itest_daemon d;

/*
 * Writes a test configuration with a bookings section and the database
 * settings in db (YAML lines under "database:"); returns its path.
 */
static const char *
write_config_db(const char *name, long hold_seconds, long retention_days, const char *db)
{
	static char main_path[512];
	char muni[512], text[2048];

	snprintf(muni, sizeof muni, "%s", itest_tmp_path("bk-testcity.yaml"));
	itest_write_file(muni,
	    "municipality: testcity\n"
	    "name: {ja: 試験市, en: Test City}\n"
	    "offices:\n"
	    "  - id: test-main\n"
	    "    name: {ja: 本庁, en: Main office}\n"
	    "    hours: {weekdays: [08:30-17:00]}\n"
	    "    services:\n"
	    "      ecert_renewal: {slot_minutes: 30, capacity: 3, horizon_days: 60, lead_minutes: 0}\n"
	    "  - id: test-load\n"
	    "    name: {ja: 負荷, en: Load office}\n"
	    "    hours: {weekdays: [08:30-17:00]}\n"
	    "    services:\n"
	    "      ecert_renewal: {slot_minutes: 5, capacity: 50, horizon_days: 60, lead_minutes: 0}\n"
	    "  - id: test-walkin\n"
	    "    name: {ja: 窓口, en: Walk-in office}\n"
	    "    hours: {weekdays: [08:30-17:00]}\n"
	    "    services:\n"
	    "      ecert_renewal: {capacity: 1, horizon_days: 60, policy: walk_in_only}\n");
	snprintf(main_path, sizeof main_path, "%s", itest_tmp_path(name));
	snprintf(text, sizeof text,
	    "listen: 127.0.0.1:8080\n"
	    "database:\n  url: \"dbname=madoguchi\"\n%s"
	    "http:\n  max_connections: 2048\n  connections_per_client: 4096\n"
	    "bookings:\n  hold_seconds: %ld\n  retention_days: %ld\n  per_contact: 10000\n"
	    "ratelimit:\n  per_minute: 60000000\n  burst: 1000000\n"
	    "include:\n  - %s\n", db, hold_seconds, retention_days, muni);
	itest_write_file(main_path, text);
	return main_path;
}

/* Writes a test configuration with a bookings section; returns its path. */
static const char *
write_config(const char *name, long hold_seconds, long retention_days)
{
	return write_config_db(name, hold_seconds, retention_days, "  pool_size: 4\n");
}

/* Starts a daemon on the test configuration whose clock reads 2026-12-01 09:00 JST. */
static void
setup(void)
{
	static const char *const env[] = { NOW_ENV, NULL };

	curl_global_init(CURL_GLOBAL_DEFAULT);
	itest_daemon_start(&d, write_config("bk-main.yaml", 600, 90), env);
	ck_assert_int_eq(itest_psql("TRUNCATE bookings, holds, idempotency_keys, slot_usage"), 0);
}

/* Stops it and leaves no bookings behind for the next program. */
static void
teardown(void)
{
	itest_daemon_stop(&d);
	ck_assert_int_eq(itest_psql("TRUNCATE bookings, holds, idempotency_keys, slot_usage"), 0);
}

/* A booking body at office for start; applicant and contact are JSON texts. */
static char *
body_of(const char *office, const char *start, const char *applicant, const char *contact)
{
	char *b = malloc(4096);

	ck_assert_ptr_nonnull(b);
	snprintf(b, 4096, "{\"office\":\"%s\",\"service\":\"ecert_renewal\",\"start\":\"%s\","
	    "\"applicant\":%s,\"contact\":%s}", office, start, applicant, contact);
	return b;
}

/* POSTs a booking at test-main for a resident named name. */
static void
book(const struct itest_daemon *dd, const char *start, const char *applicant, const char *name,
    struct itest_resp *r)
{
	char contact[256];
	char *body;

	snprintf(contact, sizeof contact, "{\"name\":\"%s\",\"email\":\"r@example.jp\"}", name);
	body = body_of("test-main", start, applicant, contact);
	itest_post(dd, "/v1/bookings", body, r);
	free(body);
}

/* Books and asserts 201; copies the reference and token out. */
static void
book_ok(const char *start, const char *applicant, char ref[16], char token[64])
{
	struct itest_resp r;
	char location[128], want[64];

	book(&d, start, applicant, "Yamada Hanako", &r);
	ck_assert_msg(r.status == 201, "booking %s: %ld %s", start, r.status, r.body);
	snprintf(ref, 16, "%s", itest_str(&r, "reference"));
	snprintf(token, 64, "%s", itest_str(&r, "token"));
	ck_assert_int_eq(strlen(ref), 8);
	ck_assert(strlen(token) > 20);
	ck_assert_str_eq(itest_str(&r, "status"), "booked");
	ck_assert_str_eq(itest_str(&r, "start"), start);
	snprintf(want, sizeof want, "/v1/bookings/%s", ref);
	ck_assert_ptr_nonnull(itest_header(&r, "Location", location, sizeof location));
	ck_assert_str_eq(location, want);
	itest_resp_free(&r);
}

/* Sends method path with an optional bearer token and JSON body. */
static void
with_token(const char *method, const char *path, const char *token, const char *body,
    struct itest_resp *r)
{
	char auth[128];
	const char *headers[] = { auth, NULL };

	snprintf(auth, sizeof auth, "Authorization: Bearer %s", token ? token : "");
	itest_http(&d, method, path, body, body ? strlen(body) : 0, NULL,
	    token ? headers : NULL, r);
}

/* Asserts a problem answer with status and code (and field unless NULL). */
static void
assert_problem(const struct itest_resp *r, long status, const char *code, const char *field,
    const char *what)
{
	char ct[128] = "";

	ck_assert_msg(r->status == status && strcmp(itest_str(r, "code"), code) == 0,
	    "%s: want %ld %s, got %ld %s", what, status, code, r->status, r->body);
	itest_header(r, "Content-Type", ct, sizeof ct);
	ck_assert_msg(strcmp(ct, "application/problem+json") == 0, "%s: content type %s", what, ct);
	if (field != NULL)
		ck_assert_msg(strcmp(itest_str(r, "field"), field) == 0, "%s: field %s, want %s",
		    what, itest_str(r, "field"), field);
}

/* One integer from an SQL statement. */
static long
sql_value(const char *sql)
{
	char *out = itest_psql_out(sql);
	long v = strtol(out, NULL, 10);

	free(out);
	return v;
}

/* One integer from SQL built printf-style. */
static long __attribute__((format(printf, 1, 2)))
sql_long(const char *fmt, ...)
{
	char sql[1024];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(sql, sizeof sql, fmt, ap);
	va_end(ap);
	return sql_value(sql);
}

/* Places booked (or held) in test-main's slot at start; 0 when it has no row. */
static long
usage(const char *column, const char *start)
{
	char sql[512];

	snprintf(sql, sizeof sql, "SELECT coalesce((SELECT %s FROM slot_usage WHERE "
	    "office = 'test-main' AND service = 'ecert_renewal' AND starts_at = '%s'), 0)",
	    column, start);
	return sql_value(sql);
}

/* Bookings in the database with status booked, at test-main's slot start. */
static long
booked_rows(const char *start)
{
	return sql_long("SELECT count(*) FROM bookings WHERE status = 'booked' AND "
	    "office = 'test-main' AND starts_at = '%s'", start);
}

/* Seconds since an arbitrary start, as a double. */
static double
now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* A growing buffer for libcurl. */
struct sink {
	char *data;
	size_t len;
};

/* libcurl write callback into a sink. */
static size_t
sink_write(char *p, size_t size, size_t n, void *arg)
{
	struct sink *s = arg;
	size_t add = size * n;

	s->data = realloc(s->data, s->len + add + 1);
	memcpy(s->data + s->len, p, add);
	s->len += add;
	s->data[s->len] = '\0';
	return add;
}

/* One request of a concurrent batch. */
struct shot {
	CURL *easy;		/* its handle */
	char *body;		/* what it posts (owned) */
	struct sink out;	/* what came back */
	long status;		/* the HTTP status, 0 on a transport failure */
	char code[64];		/* problem code, or "" */
	char ref[16];		/* reference of a 201, or "" */
};

/* Prepares shot to POST body to daemon dd's /v1/bookings. */
static void
shot_init(struct shot *s, const struct itest_daemon *dd, char *body, struct curl_slist *hl)
{
	char url[128];

	memset(s, 0, sizeof *s);
	s->body = body;
	s->easy = curl_easy_init();
	snprintf(url, sizeof url, "%s/v1/bookings", dd->url);
	curl_easy_setopt(s->easy, CURLOPT_URL, url);
	curl_easy_setopt(s->easy, CURLOPT_POSTFIELDS, s->body);
	curl_easy_setopt(s->easy, CURLOPT_HTTPHEADER, hl);
	curl_easy_setopt(s->easy, CURLOPT_WRITEFUNCTION, sink_write);
	curl_easy_setopt(s->easy, CURLOPT_WRITEDATA, &s->out);
	curl_easy_setopt(s->easy, CURLOPT_TIMEOUT_MS, 30000L);
	curl_easy_setopt(s->easy, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(s->easy, CURLOPT_FORBID_REUSE, 1L);
	curl_easy_setopt(s->easy, CURLOPT_PRIVATE, s);
}

/* The string member key of j, or "". */
static const char *
str_or_empty(const json_t *j, const char *key)
{
	const char *v = json_string_value(json_object_get(j, key));

	return v ? v : "";
}

/* Reads a finished shot's status, code and reference, and frees its handle. */
static void
shot_finish(struct shot *s, CURLcode rc)
{
	json_t *j;

	if (rc == CURLE_OK) {
		char *ct = NULL;
		curl_easy_getinfo(s->easy, CURLINFO_RESPONSE_CODE, &s->status);
		curl_easy_getinfo(s->easy, CURLINFO_CONTENT_TYPE, &ct);
		itest_record("POST", "/v1/bookings", s->status, ct, s->out.data ? s->out.data : "",
		    s->out.len);
	}
	j = s->out.data ? json_loadb(s->out.data, s->out.len, 0, NULL) : NULL;
	snprintf(s->code, sizeof s->code, "%s", str_or_empty(j, "code"));
	snprintf(s->ref, sizeof s->ref, "%s", str_or_empty(j, "reference"));
	json_decref(j);
	curl_easy_cleanup(s->easy);
	s->easy = NULL;
	free(s->out.data);
	s->out.data = NULL;
	free(s->body);
	s->body = NULL;
}

/* Runs every shot at once through one multi handle until all have answered. */
static void
fire_all(struct shot *shots, size_t n)
{
	CURLM *m = curl_multi_init();
	CURLMsg *msg;
	int running = 1, left;

	curl_multi_setopt(m, CURLMOPT_MAX_TOTAL_CONNECTIONS, 0L);
	curl_multi_setopt(m, CURLMOPT_MAX_HOST_CONNECTIONS, 0L);
	for (size_t i = 0; i < n; i++)
		curl_multi_add_handle(m, shots[i].easy);
	while (running > 0) {
		ck_assert_int_eq(curl_multi_perform(m, &running), CURLM_OK);
		if (running > 0)
			curl_multi_poll(m, NULL, 0, 1000, NULL);
	}
	while ((msg = curl_multi_info_read(m, &left)) != NULL) {
		struct shot *s;
		if (msg->msg != CURLMSG_DONE)
			continue;
		curl_easy_getinfo(msg->easy_handle, CURLINFO_PRIVATE, (char **)&s);
		curl_multi_remove_handle(m, msg->easy_handle);
		shot_finish(s, msg->data.result);
	}
	curl_multi_cleanup(m);
}

/* Fires n concurrent bookings of SLOT, shot i at daemons[i % ndaemons]; counts answers. */
static void
stampede(const struct itest_daemon *const *daemons, size_t ndaemons, size_t n,
    int *created, int *full)
{
	struct shot *shots = calloc(n, sizeof *shots);
	struct curl_slist *hl = curl_slist_append(NULL, "Content-Type: application/json");
	char contact[128];

	hl = curl_slist_append(hl, "Expect:");
	for (size_t i = 0; i < n; i++) {
		snprintf(contact, sizeof contact, "{\"name\":\"Resident %zu\",\"email\":"
		    "\"r%zu@example.jp\"}", i, i);
		shot_init(&shots[i], daemons[i % ndaemons],
		    body_of("test-main", SLOT, RENEWAL, contact), hl);
	}
	fire_all(shots, n);
	*created = *full = 0;
	for (size_t i = 0; i < n; i++) {
		if (shots[i].status == 201)
			(*created)++;
		else if (shots[i].status == 409 && strcmp(shots[i].code, "slot_full") == 0)
			(*full)++;
		else
			ck_abort_msg("shot %zu: %ld %s", i, shots[i].status, shots[i].code);
	}
	curl_slist_free_all(hl);
	free(shots);
}

/* 200 requests at once for a slot of 3: exactly 3 get it, 197 hear slot_full. */
START_TEST(no_overselling)
{
	const struct itest_daemon *one[] = { &d };
	int created, full;

	stampede(one, 1, 200, &created, &full);
	ck_assert_int_eq(created, 3);
	ck_assert_int_eq(full, 197);
	ck_assert_int_eq(booked_rows(SLOT), 3);
	ck_assert_int_eq(usage("booked", SLOT), 3);
	ck_assert_int_eq(usage("held", SLOT), 0);
}
END_TEST

/* Two daemons sharing the database, 100 requests each at once: still exactly 3. */
START_TEST(no_overselling_two_daemons)
{
	static const char *const env[] = { NOW_ENV, NULL };
	struct itest_daemon d2;
	const struct itest_daemon *two[] = { &d, &d2 };
	int created, full;

	itest_daemon_start(&d2, write_config("bk-main.yaml", 600, 90), env);
	stampede(two, 2, 200, &created, &full);
	itest_daemon_stop(&d2);
	ck_assert_int_eq(created, 3);
	ck_assert_int_eq(full, 197);
	ck_assert_int_eq(booked_rows(SLOT), 3);
	ck_assert_int_eq(usage("booked", SLOT), 3);
}
END_TEST

/* Each malformed or unknown part of a booking body has its own 4xx code and field. */
START_TEST(refusals_of_the_request)
{
	static const char *const email = "{\"name\":\"A\",\"email\":\"a@example.jp\"}";
	static const struct {
		const char *body;	/* NULL: the standard body with contact below */
		const char *contact;	/* contact JSON for the standard body */
		const char *ctype;	/* NULL: application/json */
		long status;
		const char *code, *field;
	} cases[] = {
		{ "{\"office\": ", NULL, NULL, 400, "malformed_json", "body" },
		{ "[1, 2]", NULL, NULL, 400, NULL, NULL },
		{ "{\"office\":\"test-main\",\"service\":\"ecert_renewal\",\"start\":\"" SLOT "\","
		    "\"applicant\":" RENEWAL ",\"contact\":{\"name\":\"A\",\"email\":\"a@example.jp\"},"
		    "\"colour\":\"blue\"}", NULL, NULL, 400, "unknown_field", "colour" },
		{ NULL, "{\"name\":\"A\",\"email\":\"a@example.jp\",\"fax\":\"1\"}", NULL, 400,
		    "unknown_field", "contact.fax" },
		{ "{\"service\":\"ecert_renewal\",\"start\":\"" SLOT "\",\"applicant\":" RENEWAL
		    ",\"contact\":{\"name\":\"A\",\"email\":\"a@example.jp\"}}", NULL, NULL, 400,
		    "missing_field", "office" },
		{ "{\"office\":\"test-main\",\"service\":\"ecert_renewal\",\"applicant\":" RENEWAL
		    ",\"contact\":{\"name\":\"A\",\"email\":\"a@example.jp\"}}", NULL, NULL, 400,
		    "missing_field", "start" },
		{ "{\"office\":\"test-main\",\"service\":\"ecert_renewal\",\"start\":\"" SLOT "\","
		    "\"applicant\":" RENEWAL "}", NULL, NULL, 400, "missing_field", "contact" },
		{ "{\"office\":\"test-main\",\"start\":\"" SLOT "\",\"applicant\":" RENEWAL
		    ",\"contact\":{\"name\":\"A\",\"email\":\"a@example.jp\"}}", NULL, NULL, 400,
		    "missing_field", "service" },
		{ "{\"office\":\"test-main\",\"service\":\"ecert_renewal\",\"start\":\"" SLOT "\","
		    "\"contact\":{\"name\":\"A\",\"email\":\"a@example.jp\"}}", NULL, NULL, 400,
		    "missing_field", "applicant" },
		{ NULL, "{\"email\":\"a@example.jp\"}", NULL, 400, "missing_field", "contact.name" },
		{ NULL, "{\"name\":\"A\"}", NULL, 400, "missing_field", "contact.email" },
		{ NULL, "{\"name\":\"\",\"email\":\"a@example.jp\"}", NULL, 400, "invalid_field",
		    "contact.name" },
		{ NULL, "{\"name\":\"A\",\"email\":\"not-an-address\"}", NULL, 400, "invalid_field",
		    "contact.email" },
		{ NULL, "{\"name\":\"A\",\"email\":\"a b@example.jp\"}", NULL, 400, "invalid_field",
		    "contact.email" },
		{ NULL, "{\"name\":\"A\",\"phone\":\"12-34\"}", NULL, 400, "invalid_field",
		    "contact.phone" },
		{ NULL, "{\"name\":\"A\",\"phone\":\"052-ABC-1234\"}", NULL, 400, "invalid_field",
		    "contact.phone" },
		{ NULL, "\"Yamada\"", NULL, 400, "invalid_field", "contact" },
		{ "{\"office\":\"test-main\",\"service\":\"ecert_renewal\",\"start\":\"next Wednesday\","
		    "\"applicant\":" RENEWAL ",\"contact\":{\"name\":\"A\",\"email\":\"a@example.jp\"}}",
		    NULL, NULL, 400, "invalid_field", "start" },
		{ "{\"office\":\"test-main\",\"service\":\"ecert_renewal\",\"start\":\"2026-12-16T10:00:00\","
		    "\"applicant\":" RENEWAL ",\"contact\":{\"name\":\"A\",\"email\":\"a@example.jp\"}}",
		    NULL, NULL, 400, "invalid_field", "start" },
		{ "{\"office\":\"test-main\",\"service\":\"passport\",\"start\":\"" SLOT "\","
		    "\"applicant\":" RENEWAL ",\"contact\":{\"name\":\"A\",\"email\":\"a@example.jp\"}}",
		    NULL, NULL, 400, "unknown_service", "service" },
		{ "{\"office\":\"test-main\",\"service\":\"ecert_renewal\",\"start\":\"" SLOT "\","
		    "\"applicant\":{\"birth_date\":\"1980-02-10\",\"card\":{\"issued_on\":\"2022-03-01\"},"
		    "\"certificates\":{\"issued_on\":\"2022-03-01\"},\"attendee\":\"neighbour\"},"
		    "\"contact\":{\"name\":\"A\",\"email\":\"a@example.jp\"}}", NULL, NULL, 400,
		    "unknown_attendee", "applicant.attendee" },
		{ "{\"office\":\"test-main\",\"service\":\"ecert_renewal\",\"start\":\"" SLOT "\","
		    "\"applicant\":{\"card\":{\"issued_on\":\"2022-03-01\"}},"
		    "\"contact\":{\"name\":\"A\",\"email\":\"a@example.jp\"}}", NULL, NULL, 400,
		    "missing_field", "applicant.birth_date" },
		{ "{\"office\":\"test-main\",\"service\":\"ecert_renewal\",\"start\":\"" SLOT "\","
		    "\"applicant\":" RENEWAL ",\"contact\":{\"name\":\"A\",\"email\":\"a@example.jp\"},"
		    "\"language\":\"fr\"}", NULL, NULL, 400, "unknown_language", "language" },
		{ "{\"office\":\"nowhere\",\"service\":\"ecert_renewal\",\"start\":\"" SLOT "\","
		    "\"applicant\":" RENEWAL ",\"contact\":{\"name\":\"A\",\"email\":\"a@example.jp\"}}",
		    NULL, NULL, 404, "unknown_office", "office" },
		{ "{\"office\":\"test-main\",\"service\":\"pin_reset\",\"start\":\"" SLOT "\","
		    "\"applicant\":" RENEWAL ",\"contact\":{\"name\":\"A\",\"email\":\"a@example.jp\"}}",
		    NULL, NULL, 404, "service_not_offered", "service" },
		{ NULL, NULL, "text/plain", 415, "unsupported_media_type", NULL },
	};
	struct itest_resp r;
	char what[64];

	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		char *body = cases[i].body ? strdup(cases[i].body) :
		    body_of("test-main", SLOT, RENEWAL, cases[i].contact ? cases[i].contact : email);
		snprintf(what, sizeof what, "case %zu", i);
		itest_http(&d, "POST", "/v1/bookings", body, strlen(body), cases[i].ctype, NULL, &r);
		if (cases[i].code == NULL)
			ck_assert_msg(r.status == cases[i].status, "%s: %ld %s", what, r.status, r.body);
		else
			assert_problem(&r, cases[i].status, cases[i].code, cases[i].field, what);
		itest_resp_free(&r);
		free(body);
	}
	ck_assert_int_eq(sql_value("SELECT count(*) FROM bookings"), 0);
	ck_assert_int_eq(sql_value("SELECT count(*) FROM slot_usage"), 0);
}
END_TEST

/* Slots the office calendar does not sell are 422 with the calendar's code. */
START_TEST(refusals_of_the_calendar)
{
	static const struct { const char *office, *start, *code; } cases[] = {
		{ "test-main", "2026-12-19T10:00:00+09:00", "closed" },		/* Saturday */
		{ "test-main", "2026-12-16T08:45:00+09:00", "outside_hours" },	/* slots on :00/:30 */
		{ "test-main", "2026-12-16T17:00:00+09:00", "outside_hours" },	/* closing time */
		{ "test-main", "2027-01-31T10:00:00+09:00", "closed" },		/* a Sunday */
		{ "test-main", "2027-02-01T10:00:00+09:00", "beyond_horizon" },	/* today + 62 */
		{ "test-main", "2026-12-01T08:30:00+09:00", "visit_in_past" },	/* this morning */
		{ "test-main", "2026-11-30T10:00:00+09:00", "visit_in_past" },	/* yesterday */
		{ "test-walkin", SLOT, "walk_in_only" },
	};
	static const char *const contact = "{\"name\":\"A\",\"email\":\"a@example.jp\"}";
	struct itest_resp r;

	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		char *body = body_of(cases[i].office, cases[i].start, RENEWAL, contact);
		itest_post(&d, "/v1/bookings", body, &r);
		assert_problem(&r, 422, cases[i].code, "start", cases[i].start);
		itest_resp_free(&r);
		free(body);
	}
	/* The last slot of the horizon, 2027-01-29 (Friday, today + 59), is sold. */
	book(&d, "2027-01-29T16:30:00+09:00", RENEWAL, "A", &r);
	ck_assert_msg(r.status == 201, "%ld %s", r.status, r.body);
	itest_resp_free(&r);
	ck_assert_int_eq(sql_value("SELECT count(*) FROM bookings"), 1);
}
END_TEST

/* Before the window opens: 422 naming the first day and the first free slot on or after it. */
START_TEST(before_renewal_window)
{
	struct itest_resp r;
	const char *earliest;

	book(&d, SLOT, NOT_YET, "A", &r);
	assert_problem(&r, 422, "before_renewal_window", NULL, "before window");
	ck_assert_str_eq(itest_str(&r, "window_opens"), "2026-12-21");
	earliest = itest_str(&r, "earliest_slot");
	ck_assert_msg(strncmp(earliest, "2026-12-21", 10) >= 0, "earliest %s", earliest);
	ck_assert_str_eq(earliest, "2026-12-21T08:30:00+09:00");
	itest_resp_free(&r);

	/* Fill the first slot of that day: the earliest moves on to the next one. */
	ck_assert_int_eq(itest_psql("INSERT INTO slot_usage (municipality, office, service, "
	    "starts_at, capacity, booked) VALUES ('testcity', 'test-main', 'ecert_renewal', "
	    "'2026-12-21T08:30:00+09:00', 3, 3)"), 0);
	book(&d, SLOT, NOT_YET, "A", &r);
	assert_problem(&r, 422, "before_renewal_window", NULL, "before window, first full");
	ck_assert_str_eq(itest_str(&r, "earliest_slot"), "2026-12-21T09:00:00+09:00");
	itest_resp_free(&r);

	/* On the day the window opens the same resident is booked. */
	book(&d, "2026-12-21T09:00:00+09:00", NOT_YET, "A", &r);
	ck_assert_msg(r.status == 201, "%ld %s", r.status, r.body);
	ck_assert_str_eq(itest_str(&r, "kind"), "renewal");
	itest_resp_free(&r);
	ck_assert_int_eq(sql_value("SELECT count(*) FROM bookings"), 1);
}
END_TEST

/* A legal representative without the holder is refused; with the holder it is booked. */
START_TEST(holder_must_attend)
{
	struct itest_resp r;

	book(&d, SLOT, CHILD_ALONE, "A", &r);
	assert_problem(&r, 422, "holder_must_attend", NULL, "legal representative alone");
	itest_resp_free(&r);
	ck_assert_int_eq(sql_value("SELECT count(*) FROM bookings"), 0);
	book(&d, SLOT, "{\"birth_date\":\"2014-02-10\",\"card\":{\"issued_on\":\"2022-03-01\"},"
	    "\"certificates\":{\"issued_on\":\"2022-03-01\",\"user_expires_on\":\"2027-01-10\"},"
	    "\"attendee\":\"legal_representative\",\"holder_attends\":true}", "A", &r);
	ck_assert_msg(r.status == 201, "%ld %s", r.status, r.body);
	itest_resp_free(&r);
}
END_TEST

/* An Individual Number anywhere in the body is refused, and nothing is stored. */
START_TEST(individual_number_refused)
{
	static const struct { const char *applicant, *contact, *field; } cases[] = {
		{ RENEWAL, "{\"name\":\"" MY_NUMBER "\",\"email\":\"a@example.jp\"}", "contact.name" },
		{ RENEWAL, "{\"name\":\"Yamada " MY_NUMBER "\",\"email\":\"a@example.jp\"}",
		    "contact.name" },
		{ RENEWAL, "{\"name\":\"A\",\"phone\":\"" MY_NUMBER "\"}", "contact.phone" },
		{ "{\"birth_date\":\"" MY_NUMBER "\",\"card\":{\"issued_on\":\"2022-03-01\"},"
		    "\"certificates\":{\"issued_on\":\"2022-03-01\"}}", "{\"name\":\"A\","
		    "\"email\":\"a@example.jp\"}", "applicant.birth_date" },
		{ "{\"birth_date\":\"1980-02-10\",\"card\":{\"issued_on\":\"" MY_NUMBER "\"},"
		    "\"certificates\":{\"issued_on\":\"2022-03-01\"}}", "{\"name\":\"A\","
		    "\"email\":\"a@example.jp\"}", "applicant.card.issued_on" },
	};
	struct itest_resp r;

	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		char *body = body_of("test-main", SLOT, cases[i].applicant, cases[i].contact);
		itest_post(&d, "/v1/bookings", body, &r);
		assert_problem(&r, 400, "individual_number_refused", cases[i].field, cases[i].field);
		ck_assert_ptr_null(strstr(r.body, MY_NUMBER));
		itest_resp_free(&r);
		free(body);
	}
	ck_assert_int_eq(sql_value("SELECT count(*) FROM bookings"), 0);
	ck_assert_int_eq(sql_value("SELECT count(*) FROM slot_usage"), 0);
	ck_assert_int_eq(sql_long("SELECT count(*) FROM audit_log WHERE detail::text LIKE "
	    "'%%%s%%'", MY_NUMBER), 0);
}
END_TEST

/* The same Idempotency-Key and body replay the answer; another body is refused. */
START_TEST(idempotency)
{
	static const char *const key[] = { "Idempotency-Key: booking-7f3a.1", NULL };
	static const char *const bad_key[] = { "Idempotency-Key: no spaces please", NULL };
	char *body = body_of("test-main", SLOT, RENEWAL, "{\"name\":\"A\",\"email\":\"a@example.jp\"}");
	char *other = body_of("test-main", SLOT2, RENEWAL, "{\"name\":\"A\",\"email\":\"a@example.jp\"}");
	struct itest_resp r1, r2, r3;
	char ref[16], token[64], path[64];

	itest_http(&d, "POST", "/v1/bookings", body, strlen(body), NULL, key, &r1);
	itest_http(&d, "POST", "/v1/bookings", body, strlen(body), NULL, key, &r2);
	ck_assert_msg(r1.status == 201, "%ld %s", r1.status, r1.body);
	ck_assert_msg(r2.status == 201, "%ld %s", r2.status, r2.body);
	ck_assert_str_eq(itest_str(&r1, "reference"), itest_str(&r2, "reference"));
	ck_assert_str_eq(itest_str(&r1, "token"), itest_str(&r2, "token"));
	ck_assert_str_eq(itest_str(&r1, "start"), itest_str(&r2, "start"));
	snprintf(ref, sizeof ref, "%s", itest_str(&r1, "reference"));
	snprintf(token, sizeof token, "%s", itest_str(&r1, "token"));
	ck_assert_int_eq(sql_long("SELECT count(*) FROM bookings WHERE reference = '%s'", ref), 1);
	ck_assert_int_eq(sql_value("SELECT count(*) FROM bookings"), 1);
	ck_assert_int_eq(usage("booked", SLOT), 1);
	itest_resp_free(&r1);
	itest_resp_free(&r2);

	/* The replayed token works. */
	snprintf(path, sizeof path, "/v1/bookings/%s", ref);
	with_token("GET", path, token, NULL, &r1);
	ck_assert_int_eq(r1.status, 200);
	itest_resp_free(&r1);

	itest_http(&d, "POST", "/v1/bookings", other, strlen(other), NULL, key, &r3);
	assert_problem(&r3, 422, "idempotency_key_reused", NULL, "key reused");
	itest_resp_free(&r3);
	itest_http(&d, "POST", "/v1/bookings", body, strlen(body), NULL, bad_key, &r3);
	assert_problem(&r3, 400, "invalid_header", "Idempotency-Key", "malformed key");
	itest_resp_free(&r3);
	ck_assert_int_eq(sql_value("SELECT count(*) FROM bookings"), 1);
	ck_assert_int_eq(usage("booked", SLOT2), 0);

	/* Without a key the same body is a new booking. */
	itest_post(&d, "/v1/bookings", body, &r3);
	ck_assert_int_eq(r3.status, 201);
	ck_assert_str_ne(itest_str(&r3, "reference"), ref);
	itest_resp_free(&r3);
	free(body);
	free(other);
}
END_TEST

/* Reading, cancelling, moving and the .ics need the booking's own token. */
START_TEST(tokens)
{
	static const char *const suffix[] = { "", "/calendar.ics" };
	char ref[16], token[64], ref2[16], token2[64], path[128];
	struct itest_resp r;
	char ct[128];

	book_ok(SLOT, RENEWAL, ref, token);
	book_ok(SLOT, RENEWAL, ref2, token2);
	for (size_t i = 0; i < 2; i++) {
		snprintf(path, sizeof path, "/v1/bookings/%s%s", ref, suffix[i]);
		with_token("GET", path, NULL, NULL, &r);
		assert_problem(&r, 401, "token_required", NULL, path);
		itest_resp_free(&r);
		with_token("GET", path, "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA", NULL, &r);
		assert_problem(&r, 404, "booking_not_found", NULL, path);
		itest_resp_free(&r);
		with_token("GET", path, token2, NULL, &r);
		assert_problem(&r, 404, "booking_not_found", NULL, path);
		itest_resp_free(&r);
		with_token("GET", path, token, NULL, &r);
		ck_assert_msg(r.status == 200, "%s: %ld %s", path, r.status, r.body);
		itest_resp_free(&r);
	}
	snprintf(path, sizeof path, "/v1/bookings/%s", ref);
	with_token("GET", path, token, NULL, &r);
	ck_assert_str_eq(itest_str(&r, "reference"), ref);
	ck_assert_str_eq(itest_str(&r, "status"), "booked");
	ck_assert_str_eq(itest_str(&r, "start"), SLOT);
	ck_assert_str_eq(itest_str(&r, "end"), "2026-12-16T10:30:00+09:00");
	ck_assert_str_eq(json_string_value(json_object_get(json_object_get(r.json, "contact"),
	    "name")), "Yamada Hanako");
	itest_resp_free(&r);

	/* A reference is read case-insensitively, with or without its dash. */
	char lower[16];
	snprintf(lower, sizeof lower, "%s", ref);
	for (char *p = lower; *p; p++)
		*p = (char)(*p >= 'A' && *p <= 'Z' ? *p - 'A' + 'a' : *p);
	snprintf(path, sizeof path, "/v1/bookings/%s", lower);
	with_token("GET", path, token, NULL, &r);
	ck_assert_msg(r.status == 200, "%s: %ld", path, r.status);
	itest_resp_free(&r);

	/* Malformed references are unknown bookings, token or not. */
	with_token("GET", "/v1/bookings/nonsense", token, NULL, &r);
	assert_problem(&r, 404, "booking_not_found", NULL, "malformed ref");
	itest_resp_free(&r);
	with_token("GET", "/v1/bookings/ABC-0000", NULL, NULL, &r);
	ck_assert_int_eq(r.status, 404);
	itest_resp_free(&r);
	with_token("GET", "/v1/bookings/ABC-DEFG", token, NULL, &r);
	assert_problem(&r, 404, "booking_not_found", NULL, "unknown ref");
	itest_resp_free(&r);

	/* The .ics. */
	snprintf(path, sizeof path, "/v1/bookings/%s/calendar.ics", ref);
	with_token("GET", path, token, NULL, &r);
	ck_assert_int_eq(r.status, 200);
	ck_assert_ptr_nonnull(itest_header(&r, "Content-Type", ct, sizeof ct));
	ck_assert_msg(strncmp(ct, "text/calendar", 13) == 0, "content type %s", ct);
	ck_assert(strncmp(r.body, "BEGIN:VCALENDAR\r\n", 17) == 0);
	ck_assert_ptr_nonnull(strstr(r.body, ref));
	ck_assert_ptr_nonnull(strstr(r.body, "DTSTART:20261216T010000Z\r\n"));
	ck_assert_ptr_nonnull(strstr(r.body, "END:VCALENDAR"));
	itest_resp_free(&r);

	/* Reschedule and cancel with the wrong token change nothing. */
	snprintf(path, sizeof path, "/v1/bookings/%s/reschedule", ref);
	with_token("POST", path, NULL, "{\"start\":\"" SLOT2 "\"}", &r);
	assert_problem(&r, 401, "token_required", NULL, "reschedule without token");
	itest_resp_free(&r);
	with_token("POST", path, token2, "{\"start\":\"" SLOT2 "\"}", &r);
	assert_problem(&r, 404, "booking_not_found", NULL, "reschedule with other token");
	itest_resp_free(&r);
	with_token("POST", path, "garbage", "{\"start\":\"" SLOT2 "\"}", &r);
	assert_problem(&r, 404, "booking_not_found", NULL, "reschedule with wrong token");
	itest_resp_free(&r);
	snprintf(path, sizeof path, "/v1/bookings/%s", ref);
	with_token("DELETE", path, NULL, NULL, &r);
	assert_problem(&r, 401, "token_required", NULL, "cancel without token");
	itest_resp_free(&r);
	with_token("DELETE", path, token2, NULL, &r);
	assert_problem(&r, 404, "booking_not_found", NULL, "cancel with other token");
	itest_resp_free(&r);
	with_token("DELETE", path, "garbage", NULL, &r);
	assert_problem(&r, 404, "booking_not_found", NULL, "cancel with wrong token");
	itest_resp_free(&r);
	with_token("DELETE", "/v1/bookings/nonsense", token, NULL, &r);
	assert_problem(&r, 404, "booking_not_found", NULL, "cancel malformed ref");
	itest_resp_free(&r);
	ck_assert_int_eq(booked_rows(SLOT), 2);
	ck_assert_int_eq(usage("booked", SLOT), 2);
	ck_assert_int_eq(usage("booked", SLOT2), 0);

	/* The right token moves and cancels. */
	snprintf(path, sizeof path, "/v1/bookings/%s/reschedule", ref);
	with_token("POST", path, token, "{\"start\":\"" SLOT2 "\"}", &r);
	ck_assert_msg(r.status == 200, "%ld %s", r.status, r.body);
	itest_resp_free(&r);
	snprintf(path, sizeof path, "/v1/bookings/%s", ref);
	with_token("DELETE", path, token, NULL, &r);
	ck_assert_msg(r.status == 200, "%ld %s", r.status, r.body);
	ck_assert_str_eq(itest_str(&r, "status"), "cancelled");
	itest_resp_free(&r);
}
END_TEST

/* Makes a staff token for office on the test configuration; returns it (static). */
static const char *
staff_token(const char *office)
{
	static char token[2][96];
	static int next;
	const char *args[] = { "-c", itest_tmp_path("bk-main.yaml"), "--create-token", "staff",
		office, NULL };
	char *out = NULL, *last;
	char *t = token[next++ % 2];

	ck_assert_int_eq(itest_run_daemon_cmd(args, &out), 0);
	last = strrchr(out, '\n');
	while (last != NULL && last > out && last[1] == '\0') {
		*last = '\0';
		last = strrchr(out, '\n');
	}
	snprintf(t, 96, "%s", last ? last + 1 : out);
	free(out);
	ck_assert(strncmp(t, "mds_", 4) == 0);
	return t;
}

/* Staff of the booking's office may read and cancel it; staff of another may not. */
START_TEST(staff_reads_and_cancels)
{
	char ref[16], token[64], path[64];
	struct itest_resp r;
	const char *mine = staff_token("test-main"), *other = staff_token("test-load");

	book_ok(SLOT, RENEWAL, ref, token);
	snprintf(path, sizeof path, "/v1/bookings/%s", ref);
	with_token("GET", path, other, NULL, &r);
	/* As if the booking did not exist: the token does not learn that it does. */
	assert_problem(&r, 404, "booking_not_found", NULL, "staff of another office");
	itest_resp_free(&r);
	with_token("GET", path, "mds_not-a-real-token", NULL, &r);
	assert_problem(&r, 401, "invalid_token", NULL, "an unknown staff token");
	itest_resp_free(&r);
	with_token("GET", path, mine, NULL, &r);
	ck_assert_int_eq(r.status, 200);
	ck_assert_str_eq(itest_str(&r, "reference"), ref);
	itest_resp_free(&r);
	with_token("DELETE", path, mine, NULL, &r);
	ck_assert_int_eq(r.status, 200);
	ck_assert_str_eq(itest_str(&r, "status"), "cancelled");
	itest_resp_free(&r);
	ck_assert_int_eq(sql_long("SELECT count(*) FROM audit_log WHERE subject = '%s' AND "
	    "action = 'booking.cancelled' AND actor LIKE 'staff:%%'", ref), 1);
	ck_assert_int_eq(usage("booked", SLOT), 0);
}
END_TEST

/* Cancelling frees the place at once; a second cancel is a conflict. */
START_TEST(cancel_frees_place)
{
	char ref[3][16], token[3][64], path[64];
	struct itest_resp r;

	for (int i = 0; i < 3; i++)
		book_ok(SLOT, RENEWAL, ref[i], token[i]);
	book(&d, SLOT, RENEWAL, "Late", &r);
	assert_problem(&r, 409, "slot_full", "start", "fourth booking");
	ck_assert(json_array_size(json_object_get(r.json, "alternatives")) > 0);
	itest_resp_free(&r);
	ck_assert_int_eq(usage("booked", SLOT), 3);

	snprintf(path, sizeof path, "/v1/bookings/%s", ref[1]);
	with_token("DELETE", path, token[1], NULL, &r);
	ck_assert_msg(r.status == 200, "%ld %s", r.status, r.body);
	itest_resp_free(&r);
	ck_assert_int_eq(usage("booked", SLOT), 2);
	ck_assert_int_eq(booked_rows(SLOT), 2);
	ck_assert_int_eq(sql_long("SELECT count(*) FROM audit_log WHERE subject = '%s' AND "
	    "action = 'booking.cancelled'", ref[1]), 1);

	/* The freed place is sold again, then the slot is full again. */
	book(&d, SLOT, RENEWAL, "Late", &r);
	ck_assert_msg(r.status == 201, "%ld %s", r.status, r.body);
	itest_resp_free(&r);
	ck_assert_int_eq(usage("booked", SLOT), 3);

	with_token("DELETE", path, token[1], NULL, &r);
	assert_problem(&r, 409, "not_cancellable", NULL, "second cancel");
	itest_resp_free(&r);
	ck_assert_int_eq(usage("booked", SLOT), 3);
	with_token("GET", path, token[1], NULL, &r);
	ck_assert_int_eq(r.status, 200);
	ck_assert_str_eq(itest_str(&r, "status"), "cancelled");
	itest_resp_free(&r);

	/* A cancelled booking cannot be moved. */
	snprintf(path, sizeof path, "/v1/bookings/%s/reschedule", ref[1]);
	with_token("POST", path, token[1], "{\"start\":\"" SLOT2 "\"}", &r);
	ck_assert_int_eq(r.status, 409);
	itest_resp_free(&r);
	ck_assert_int_eq(usage("booked", SLOT2), 0);
}
END_TEST

/* The booking's start in the database, as epoch seconds. */
static long
stored_start(const char *ref)
{
	return sql_long("SELECT extract(epoch FROM starts_at)::bigint FROM bookings "
	    "WHERE reference = '%s'", ref);
}

/* Rescheduling moves the booking and both counters together, or not at all. */
START_TEST(reschedule_moves_atomically)
{
	char ref[16], token[64], path[96], other[16], otoken[64];
	struct itest_resp r;
	long before;

	book_ok(SLOT, RENEWAL, ref, token);
	snprintf(path, sizeof path, "/v1/bookings/%s/reschedule", ref);

	/* To a free slot. */
	with_token("POST", path, token, "{\"start\":\"" SLOT2 "\"}", &r);
	ck_assert_msg(r.status == 200, "%ld %s", r.status, r.body);
	ck_assert_str_eq(itest_str(&r, "start"), SLOT2);
	ck_assert_str_eq(itest_str(&r, "reference"), ref);
	itest_resp_free(&r);
	ck_assert_int_eq(usage("booked", SLOT), 0);
	ck_assert_int_eq(usage("booked", SLOT2), 1);
	ck_assert_int_eq(booked_rows(SLOT2), 1);
	ck_assert_int_eq(sql_long("SELECT count(*) FROM audit_log WHERE subject = '%s' AND "
	    "action = 'booking.rescheduled'", ref), 1);
	ck_assert_int_eq(sql_long("SELECT count(*) FROM audit_log WHERE subject = '%s' AND "
	    "action = 'booking.created'", ref), 1);

	/* To a full slot: 409 and nothing changes. */
	for (int i = 0; i < 3; i++)
		book_ok(SLOT3, RENEWAL, other, otoken);
	before = stored_start(ref);
	with_token("POST", path, token, "{\"start\":\"" SLOT3 "\"}", &r);
	assert_problem(&r, 409, "slot_full", "start", "to a full slot");
	itest_resp_free(&r);
	ck_assert_int_eq(stored_start(ref), before);
	ck_assert_int_eq(usage("booked", SLOT2), 1);
	ck_assert_int_eq(usage("booked", SLOT3), 3);
	ck_assert_int_eq(booked_rows(SLOT3), 3);
	ck_assert_int_eq(sql_long("SELECT count(*) FROM audit_log WHERE subject = '%s' AND "
	    "action = 'booking.rescheduled'", ref), 1);

	/* To the same slot. */
	with_token("POST", path, token, "{\"start\":\"" SLOT2 "\"}", &r);
	assert_problem(&r, 422, "same_slot", "start", "same slot");
	itest_resp_free(&r);

	/* Refusals of the calendar apply to the new slot too. */
	with_token("POST", path, token, "{\"start\":\"2026-12-19T10:00:00+09:00\"}", &r);
	assert_problem(&r, 422, "closed", "start", "to a Saturday");
	itest_resp_free(&r);
	with_token("POST", path, token, "{\"start\":\"tomorrow\"}", &r);
	assert_problem(&r, 400, "invalid_field", "start", "bad start");
	itest_resp_free(&r);
	with_token("POST", path, token, "{\"start\":\"" SLOT "\",\"office\":\"x\"}", &r);
	assert_problem(&r, 400, "unknown_field", "office", "extra member");
	itest_resp_free(&r);
	ck_assert_int_eq(stored_start(ref), before);
	ck_assert_int_eq(usage("booked", SLOT2), 1);
}
END_TEST

/* A renewal cannot be moved past the end of the window it was booked in. */
START_TEST(reschedule_outside_window)
{
	char ref[16], token[64], path[96];
	struct itest_resp r;

	book_ok(SLOT, CLOSING, ref, token);
	snprintf(path, sizeof path, "/v1/bookings/%s/reschedule", ref);
	with_token("POST", path, token, "{\"start\":\"2026-12-21T10:00:00+09:00\"}", &r);
	ck_assert_msg(r.status == 422, "%ld %s", r.status, r.body);
	ck_assert_str_eq(itest_str(&r, "code"), "after_renewal_window");
	itest_resp_free(&r);
	ck_assert_int_eq(usage("booked", SLOT), 1);
	ck_assert_int_eq(sql_long("SELECT count(*) FROM slot_usage WHERE starts_at = '%s'",
	    "2026-12-21T10:00:00+09:00"), 0);
	/* The last day of the window is fine. */
	with_token("POST", path, token, "{\"start\":\"2026-12-18T10:00:00+09:00\"}", &r);
	ck_assert_msg(r.status == 200, "%ld %s", r.status, r.body);
	itest_resp_free(&r);
}
END_TEST

/* Free places in test-main's slot start on 2026-12-16 as availability shows them. */
static long
available(const struct itest_daemon *dd, const char *start)
{
	struct itest_resp r;
	json_t *day, *slot;
	size_t i;
	long n = -1;

	itest_get(dd, "/v1/offices/test-main/availability?service=ecert_renewal"
	    "&from=2026-12-16&to=2026-12-16", &r);
	ck_assert_int_eq(r.status, 200);
	day = json_array_get(json_object_get(r.json, "days"), 0);
	json_array_foreach(json_object_get(day, "slots"), i, slot) {
		if (strcmp(json_string_value(json_object_get(slot, "start")), start) == 0)
			n = (long)json_integer_value(json_object_get(slot, "available"));
	}
	itest_resp_free(&r);
	ck_assert_msg(n >= 0, "no slot %s", start);
	return n;
}

/* A hold takes a place; a booking with the hold consumes it. */
START_TEST(hold_consumed)
{
	struct itest_resp r;
	char hold[64], body[2048];

	ck_assert_int_eq(available(&d, SLOT), 3);
	itest_post(&d, "/v1/holds", "{\"office\":\"test-main\",\"service\":\"ecert_renewal\","
	    "\"start\":\"" SLOT "\"}", &r);
	ck_assert_msg(r.status == 201, "%ld %s", r.status, r.body);
	snprintf(hold, sizeof hold, "%s", itest_str(&r, "hold"));
	ck_assert(strlen(hold) > 0);
	ck_assert_str_eq(itest_str(&r, "start"), SLOT);
	ck_assert(strlen(itest_str(&r, "expires_at")) > 0);
	itest_resp_free(&r);
	ck_assert_int_eq(usage("held", SLOT), 1);
	ck_assert_int_eq(usage("booked", SLOT), 0);
	ck_assert_int_eq(available(&d, SLOT), 2);

	/* A hold for a bad slot is refused like a booking. */
	itest_post(&d, "/v1/holds", "{\"office\":\"test-main\",\"service\":\"ecert_renewal\","
	    "\"start\":\"2026-12-19T10:00:00+09:00\"}", &r);
	assert_problem(&r, 422, "closed", "start", "hold on a Saturday");
	itest_resp_free(&r);

	snprintf(body, sizeof body, "{\"office\":\"test-main\",\"service\":\"ecert_renewal\","
	    "\"start\":\"" SLOT "\",\"applicant\":" RENEWAL ",\"contact\":{\"name\":\"A\","
	    "\"email\":\"a@example.jp\"},\"hold\":\"%s\"}", hold);
	itest_post(&d, "/v1/bookings", body, &r);
	ck_assert_msg(r.status == 201, "%ld %s", r.status, r.body);
	itest_resp_free(&r);
	ck_assert_int_eq(usage("held", SLOT), 0);
	ck_assert_int_eq(usage("booked", SLOT), 1);
	ck_assert_int_eq(available(&d, SLOT), 2);
	ck_assert_int_eq(sql_value("SELECT count(*) FROM holds"), 0);

	/* The hold is spent: using it again is refused and takes nothing. */
	itest_post(&d, "/v1/bookings", body, &r);
	assert_problem(&r, 409, "hold_expired", "hold", "hold used twice");
	itest_resp_free(&r);
	ck_assert_int_eq(usage("booked", SLOT), 1);
}
END_TEST

/* Holds fill a slot: with 3 holds nobody can book it. */
START_TEST(holds_fill_slot)
{
	struct itest_resp r;

	for (int i = 0; i < 3; i++) {
		itest_post(&d, "/v1/holds", "{\"office\":\"test-main\",\"service\":\"ecert_renewal\","
		    "\"start\":\"" SLOT "\"}", &r);
		ck_assert_msg(r.status == 201, "%ld %s", r.status, r.body);
		itest_resp_free(&r);
	}
	itest_post(&d, "/v1/holds", "{\"office\":\"test-main\",\"service\":\"ecert_renewal\","
	    "\"start\":\"" SLOT "\"}", &r);
	assert_problem(&r, 409, "slot_full", "start", "fourth hold");
	itest_resp_free(&r);
	book(&d, SLOT, RENEWAL, "A", &r);
	assert_problem(&r, 409, "slot_full", "start", "booking a held slot");
	itest_resp_free(&r);
	ck_assert_int_eq(usage("held", SLOT), 3);
	ck_assert_int_eq(available(&d, SLOT), 0);
}
END_TEST

/* An unconsumed hold gives its place back by itself; using it then is hold_expired. */
START_TEST(hold_expires)
{
	static const char *const env[] = { NOW_ENV, NULL };
	struct itest_daemon d2;
	struct itest_resp r;
	char hold[64], body[2048];
	double t0;
	long held = -1;

	itest_daemon_start(&d2, write_config("bk-hold.yaml", 2, 90), env);
	itest_post(&d2, "/v1/holds", "{\"office\":\"test-main\",\"service\":\"ecert_renewal\","
	    "\"start\":\"" SLOT "\"}", &r);
	ck_assert_msg(r.status == 201, "%ld %s", r.status, r.body);
	snprintf(hold, sizeof hold, "%s", itest_str(&r, "hold"));
	itest_resp_free(&r);
	ck_assert_int_eq(usage("held", SLOT), 1);
	ck_assert_int_eq(available(&d2, SLOT), 2);
	t0 = now_s();
	while (now_s() - t0 < 12 && (held = usage("held", SLOT)) != 0)
		usleep(200000);
	ck_assert_msg(held == 0, "the hold was not freed within 12 s");
	fprintf(stderr, "hold_expires: place freed after %.1f s\n", now_s() - t0);
	ck_assert_int_eq(available(&d2, SLOT), 3);
	ck_assert_int_eq(sql_value("SELECT count(*) FROM holds"), 0);

	snprintf(body, sizeof body, "{\"office\":\"test-main\",\"service\":\"ecert_renewal\","
	    "\"start\":\"" SLOT "\",\"applicant\":" RENEWAL ",\"contact\":{\"name\":\"A\","
	    "\"email\":\"a@example.jp\"},\"hold\":\"%s\"}", hold);
	itest_post(&d2, "/v1/bookings", body, &r);
	assert_problem(&r, 409, "hold_expired", "hold", "expired hold");
	itest_resp_free(&r);
	ck_assert_int_eq(usage("booked", SLOT), 0);
	ck_assert_int_eq(usage("held", SLOT), 0);
	ck_assert_int_eq(sql_value("SELECT count(*) FROM bookings"), 0);

	/* A hold that expired but was not yet swept is refused too. */
	itest_post(&d2, "/v1/holds", "{\"office\":\"test-main\",\"service\":\"ecert_renewal\","
	    "\"start\":\"" SLOT2 "\"}", &r);
	ck_assert_int_eq(r.status, 201);
	snprintf(body, sizeof body, "{\"office\":\"test-main\",\"service\":\"ecert_renewal\","
	    "\"start\":\"" SLOT2 "\",\"applicant\":" RENEWAL ",\"contact\":{\"name\":\"A\","
	    "\"email\":\"a@example.jp\"},\"hold\":\"%s\"}", itest_str(&r, "hold"));
	itest_resp_free(&r);
	ck_assert_int_eq(itest_psql("UPDATE holds SET expires_at = now() - interval '1 year'"), 0);
	itest_post(&d2, "/v1/bookings", body, &r);
	assert_problem(&r, 409, "hold_expired", "hold", "stale hold");
	itest_resp_free(&r);
	itest_daemon_stop(&d2);
}
END_TEST

/* A proxy without the form books two visits, the second a week after the first. */
START_TEST(two_visit_proxy)
{
	struct itest_resp r;
	char ref[16], token[64], body[2048], one[16], onetoken[64];

	book(&d, SLOT, PROXY, "Proxy", &r);
	ck_assert_msg(r.status == 201, "%ld %s", r.status, r.body);
	ck_assert_int_eq(json_integer_value(json_object_get(r.json, "visits")), 2);
	ck_assert_str_eq(itest_str(&r, "second_visit_earliest"), "2026-12-23");
	snprintf(ref, sizeof ref, "%s", itest_str(&r, "reference"));
	snprintf(token, sizeof token, "%s", itest_str(&r, "token"));
	itest_resp_free(&r);

	/* Too early: the mailed form cannot have arrived. */
	snprintf(body, sizeof body, "{\"office\":\"test-main\",\"service\":\"ecert_renewal\","
	    "\"start\":\"2026-12-22T16:30:00+09:00\",\"applicant\":" PROXY ",\"contact\":"
	    "{\"name\":\"Proxy\",\"email\":\"p@example.jp\"},\"first_visit\":\"%s\"}", ref);
	with_token("POST", "/v1/bookings", token, body, &r);
	assert_problem(&r, 422, "second_visit_too_early", "start", "visit 2 too early");
	ck_assert_str_eq(itest_str(&r, "second_visit_earliest"), "2026-12-23");
	itest_resp_free(&r);
	ck_assert_int_eq(sql_value("SELECT count(*) FROM bookings WHERE visit = 2"), 0);

	/* On the earliest day. */
	snprintf(body, sizeof body, "{\"office\":\"test-main\",\"service\":\"ecert_renewal\","
	    "\"start\":\"2026-12-23T08:30:00+09:00\",\"applicant\":" PROXY ",\"contact\":"
	    "{\"name\":\"Proxy\",\"email\":\"p@example.jp\"},\"first_visit\":\"%s\"}", ref);
	with_token("POST", "/v1/bookings", token, body, &r);
	ck_assert_msg(r.status == 201, "%ld %s", r.status, r.body);
	ck_assert_int_eq(json_integer_value(json_object_get(r.json, "visit")), 2);
	ck_assert_str_eq(itest_str(&r, "first_visit"), ref);
	itest_resp_free(&r);
	ck_assert_int_eq(sql_long("SELECT count(*) FROM bookings WHERE visit = 2 AND "
	    "first_visit = '%s'", ref), 1);

	/* first_visit of an unknown booking, or of a one-visit booking. */
	snprintf(body, sizeof body, "{\"office\":\"test-main\",\"service\":\"ecert_renewal\","
	    "\"start\":\"2026-12-24T08:30:00+09:00\",\"applicant\":" PROXY ",\"contact\":"
	    "{\"name\":\"Proxy\",\"email\":\"p@example.jp\"},\"first_visit\":\"ZZZ-ZZZZ\"}");
	with_token("POST", "/v1/bookings", token, body, &r);
	assert_problem(&r, 422, "no_first_visit", "first_visit", "unknown first visit");
	itest_resp_free(&r);
	book_ok(SLOT2, RENEWAL, one, onetoken);
	snprintf(body, sizeof body, "{\"office\":\"test-main\",\"service\":\"ecert_renewal\","
	    "\"start\":\"2026-12-24T08:30:00+09:00\",\"applicant\":" PROXY ",\"contact\":"
	    "{\"name\":\"Proxy\",\"email\":\"p@example.jp\"},\"first_visit\":\"%s\"}", one);
	with_token("POST", "/v1/bookings", onetoken, body, &r);
	assert_problem(&r, 422, "no_first_visit", "first_visit", "one-visit booking");
	itest_resp_free(&r);
	/* A first_visit that is not a reference at all. */
	snprintf(body, sizeof body, "{\"office\":\"test-main\",\"service\":\"ecert_renewal\","
	    "\"start\":\"2026-12-24T08:30:00+09:00\",\"applicant\":" PROXY ",\"contact\":"
	    "{\"name\":\"Proxy\",\"email\":\"p@example.jp\"},\"first_visit\":\"nonsense\"}");
	itest_post(&d, "/v1/bookings", body, &r);
	assert_problem(&r, 400, "invalid_field", "first_visit", "malformed first visit");
	itest_resp_free(&r);
}
END_TEST

/* Moving visit 1 carries the second visit's earliest day along; visit 2 cannot move before it. */
START_TEST(two_visit_reschedule)
{
	struct itest_resp r;
	char ref[16], token[64], ref2[16], token2[64], body[2048], path[96];

	book(&d, SLOT, PROXY, "Proxy", &r);
	ck_assert_msg(r.status == 201, "%ld %s", r.status, r.body);
	snprintf(ref, sizeof ref, "%s", itest_str(&r, "reference"));
	snprintf(token, sizeof token, "%s", itest_str(&r, "token"));
	itest_resp_free(&r);

	/* Visit 1 moves a day later (no second visit yet): allowed, the week moves too. */
	snprintf(path, sizeof path, "/v1/bookings/%s/reschedule", ref);
	with_token("POST", path, token, "{\"start\":\"" SLOT3 "\"}", &r);
	ck_assert_msg(r.status == 200, "moving visit 1: %ld %s", r.status, r.body);
	ck_assert_str_eq(itest_str(&r, "second_visit_earliest"), "2026-12-24");
	itest_resp_free(&r);

	/* Visit 2 on the new earliest day. */
	snprintf(body, sizeof body, "{\"office\":\"test-main\",\"service\":\"ecert_renewal\","
	    "\"start\":\"2026-12-23T09:00:00+09:00\",\"applicant\":" PROXY ",\"contact\":"
	    "{\"name\":\"Proxy\",\"email\":\"p@example.jp\"},\"first_visit\":\"%s\"}", ref);
	with_token("POST", "/v1/bookings", token, body, &r);
	assert_problem(&r, 422, "second_visit_too_early", "start", "visit 2 before the moved week");
	itest_resp_free(&r);
	snprintf(body, sizeof body, "{\"office\":\"test-main\",\"service\":\"ecert_renewal\","
	    "\"start\":\"2026-12-24T09:00:00+09:00\",\"applicant\":" PROXY ",\"contact\":"
	    "{\"name\":\"Proxy\",\"email\":\"p@example.jp\"},\"first_visit\":\"%s\"}", ref);
	with_token("POST", "/v1/bookings", token, body, &r);
	ck_assert_msg(r.status == 201, "%ld %s", r.status, r.body);
	snprintf(ref2, sizeof ref2, "%s", itest_str(&r, "reference"));
	snprintf(token2, sizeof token2, "%s", itest_str(&r, "token"));
	itest_resp_free(&r);

	/* Visit 2 cannot move before the form can have arrived; later is fine. */
	snprintf(path, sizeof path, "/v1/bookings/%s/reschedule", ref2);
	with_token("POST", path, token2, "{\"start\":\"2026-12-22T09:00:00+09:00\"}", &r);
	assert_problem(&r, 422, "second_visit_too_early", "start", "moving visit 2 too early");
	itest_resp_free(&r);
	ck_assert_int_eq(usage("booked", "2026-12-22T09:00:00+09:00"), 0);
	ck_assert_int_eq(usage("booked", "2026-12-24T09:00:00+09:00"), 1);
	with_token("POST", path, token2, "{\"start\":\"2026-12-28T09:00:00+09:00\"}", &r);
	ck_assert_msg(r.status == 200, "moving visit 2 later: %ld %s", r.status, r.body);
	ck_assert_int_eq(json_integer_value(json_object_get(r.json, "visit")), 2);
	itest_resp_free(&r);
}
END_TEST

/* Past retention, a booking loses its personal fields to the maintenance job; counts stay. */
START_TEST(purge_after_retention)
{
	/* The daemon's clock reads a year earlier: the database's clock decides. */
	static const char *const later[] = { "MADOGUCHI_NOW=2025-12-10T09:00:00+09:00", NULL };
	struct itest_daemon d2;
	char old[16], otoken[64], recent[16], rtoken[64], path[64];
	struct itest_resp r;
	double t0;
	long purged = 0;

	book_ok("2026-12-02T09:00:00+09:00", RENEWAL, old, otoken);
	book_ok(SLOT, RENEWAL, recent, rtoken);
	ck_assert_int_eq(itest_psql("UPDATE bookings SET starts_at = starts_at, "
	    "ends_at = now() - interval '2 days' WHERE starts_at = '2026-12-02T09:00:00+09:00'"), 0);
	itest_daemon_start(&d2, write_config("bk-purge.yaml", 600, 1), later);
	t0 = now_s();
	while (now_s() - t0 < 12 && (purged = sql_long("SELECT count(*) FROM bookings WHERE "
	    "reference = '%s' AND purged_at IS NOT NULL", old)) == 0)
		usleep(200000);
	ck_assert_msg(purged == 1, "not purged within 12 s");
	fprintf(stderr, "purge_after_retention: purged after %.1f s\n", now_s() - t0);
	ck_assert_int_eq(sql_long("SELECT count(*) FROM bookings WHERE reference = '%s' AND "
	    "contact_name IS NULL AND contact_email IS NULL AND contact_phone IS NULL", old), 1);
	ck_assert_int_eq(sql_long("SELECT count(*) FROM bookings WHERE reference = '%s' AND "
	    "contact_name = 'Yamada Hanako' AND purged_at IS NULL", recent), 1);
	ck_assert_int_eq(sql_value("SELECT count(*) FROM bookings"), 2);
	ck_assert_int_eq(usage("booked", "2026-12-02T09:00:00+09:00"), 1);
	ck_assert_int_eq(sql_long("SELECT count(*) FROM audit_log WHERE subject = '%s' AND "
	    "action = 'booking.purged'", old), 1);
	snprintf(path, sizeof path, "/v1/bookings/%s", old);
	with_token("GET", path, otoken, NULL, &r);
	ck_assert_int_eq(r.status, 200);
	ck_assert_ptr_null(json_object_get(r.json, "contact"));
	ck_assert_str_eq(itest_str(&r, "status"), "booked");
	itest_resp_free(&r);
	itest_daemon_stop(&d2);
}
END_TEST

/* State shared by the load generator and the thread that stops the database. */
struct outage {
	double stop_at, start_at;	/* seconds after the load began */
	volatile double stopped;	/* when it actually happened (after the call returned) */
	volatile double started;	/* 0 until the database is started again */
	double t0;			/* load start */
};

/* Stops PostgreSQL in the middle of the load and starts it again. */
static void *
outage_thread(void *arg)
{
	struct outage *o = arg;

	while (now_s() - o->t0 < o->stop_at)
		usleep(10000);
	itest_db_stop();
	o->stopped = now_s() - o->t0;
	while (now_s() - o->t0 < o->start_at)
		usleep(10000);
	itest_db_start();
	o->started = now_s() - o->t0;
	return NULL;
}

/* The pids of the database sessions of application madoguchid, space separated. */
static char *
daemon_backends(void)
{
	return itest_psql_out("SELECT coalesce(string_agg(pid::text, ' ' ORDER BY pid), '') "
	    "FROM pg_stat_activity WHERE application_name = 'madoguchid'");
}

/* Sends sig to every pid in pids that is not in except; returns how many. */
static int
signal_new_pids(const char *pids, const char *except, int sig)
{
	char buf[1024], old[1100], word[32], *save = NULL;
	int n = 0;

	snprintf(buf, sizeof buf, "%s", pids);
	snprintf(old, sizeof old, " %s ", except);
	for (char *p = old; *p != '\0'; p++)
		if (*p == '\n')
			*p = ' ';
	for (char *t = strtok_r(buf, " \n", &save); t != NULL; t = strtok_r(NULL, " \n", &save)) {
		snprintf(word, sizeof word, " %s ", t);
		if (strstr(old, word) != NULL)
			continue;
		ck_assert_int_eq(kill((pid_t)atol(t), sig), 0);
		n++;
	}
	return n;
}

/*
 * A database session that stops answering (its server process frozen, as a
 * pooler waiting for an unreachable server or a silent network would look)
 * costs a request 503 after the statement limit and its margin, not forever;
 * the retry with the same Idempotency-Key then books exactly once.
 */
START_TEST(silent_database_answers_503)
{
	static const char *const env[] = { NOW_ENV, NULL };
	static const char *const key[] = { "Idempotency-Key: silent-db.1", NULL };
	char *body = body_of("test-main", SLOT, RENEWAL, "{\"name\":\"A\",\"email\":\"a@example.jp\"}");
	struct itest_daemon d2;
	struct itest_resp r;
	char *before = daemon_backends(), *after = NULL;
	double t0;
	int frozen = 0;

	itest_daemon_start(&d2, write_config_db("bk-silent.yaml", 600, 90,
	    "  pool_size: 1\n  statement_timeout_s: 1\n"), env);
	/* Its one connection shows up once it is made. */
	t0 = now_s();
	while (now_s() - t0 < 10) {
		free(after);
		after = daemon_backends();
		if (strlen(after) > strlen(before))
			break;
		usleep(50000);
	}
	frozen = signal_new_pids(after, before, SIGSTOP);
	ck_assert_int_eq(frozen, 1);

	t0 = now_s();
	itest_http(&d2, "POST", "/v1/bookings", body, strlen(body), NULL, key, &r);
	fprintf(stderr, "silent_database_answers_503: %ld after %.1f s\n", r.status, now_s() - t0);
	signal_new_pids(after, before, SIGCONT);
	assert_problem(&r, 503, "database_unavailable", NULL, "frozen session");
	itest_resp_free(&r);

	/* Once a new connection is made the retry books, once. */
	t0 = now_s();
	do {
		itest_http(&d2, "POST", "/v1/bookings", body, strlen(body), NULL, key, &r);
		if (r.status == 201)
			break;
		ck_assert_msg(r.status == 503, "%ld %s", r.status, r.body);
		itest_resp_free(&r);
		usleep(100000);
	} while (now_s() - t0 < 15);
	ck_assert_msg(r.status == 201, "%ld %s", r.status, r.body);
	itest_resp_free(&r);
	ck_assert_int_eq(sql_value("SELECT count(*) FROM bookings"), 1);
	ck_assert_int_eq(usage("booked", SLOT), 1);
	itest_daemon_stop(&d2);
	free(before);
	free(after);
	free(body);
}
END_TEST

/* One answer of the load. */
struct answer {
	long status;
	char code[64];
	char ref[16];
	double at;	/* seconds after the load began */
};

/*
 * 20 clients book distinct slots in a loop while PostgreSQL stops and starts:
 * every 201 is in the database, nothing in the database lacks a reason, and
 * the daemon answers 503 while the database is down and 201 again after.
 */
START_TEST(database_killed_during_load)
{
	enum { CLIENTS = 20, MAX_ANSWERS = 60000 };
	struct outage o = { .stop_at = 1.5, .start_at = 3.0 };
	struct answer *ans = calloc(MAX_ANSWERS, sizeof *ans);
	struct shot *shots = calloc(CLIENTS, sizeof *shots);
	struct curl_slist *hl = curl_slist_append(NULL, "Content-Type: application/json");
	CURLM *m = curl_multi_init();
	pthread_t th;
	double idle_since[CLIENTS];
	size_t nans = 0, next = 0;
	int running = 0, left;
	int ok_before = 0, ok_after = 0, unavailable = 0, other = 0, created = 0;
	char *rows;
	CURLMsg *msg;

	hl = curl_slist_append(hl, "Expect:");
	/* Slots of test-load: weekdays 08:30-17:00 in 5-minute slots from 2026-12-02 on. */
	static const char *const days[] = { "2026-12-02", "2026-12-03", "2026-12-04",
		"2026-12-07", "2026-12-08", "2026-12-09", "2026-12-10", "2026-12-11" };
	enum { SLOTS_PER_DAY = 102, NDAYS = 8 };

	for (int i = 0; i < CLIENTS; i++)
		idle_since[i] = -1;
	o.t0 = now_s();
	ck_assert_int_eq(pthread_create(&th, NULL, outage_thread, &o), 0);
	for (;;) {
		double t = now_s() - o.t0;
		bool keep = t < 4.5 || o.started == 0 || (ok_after < 20 && t < 20);
		/* Refill clients idle for 10 ms (about 2000 requests a second at most). */
		for (int i = 0; keep && i < CLIENTS; i++) {
			if (shots[i].easy != NULL || t - idle_since[i] < 0.01)
				continue;
			size_t k = next++ % (SLOTS_PER_DAY * NDAYS);
			int minute = 8 * 60 + 30 + (int)(k % SLOTS_PER_DAY) * 5;
			char start[40], contact[128];
			snprintf(start, sizeof start, "%sT%02d:%02d:00+09:00", days[k / SLOTS_PER_DAY],
			    minute / 60, minute % 60);
			snprintf(contact, sizeof contact, "{\"name\":\"Load %zu\",\"phone\":"
			    "\"052-000-%04zu\"}", next, next % 10000);
			shot_init(&shots[i], &d, body_of("test-load", start, RENEWAL, contact), hl);
			/* Longer than the daemon's own bound for an unanswered statement. */
			curl_easy_setopt(shots[i].easy, CURLOPT_TIMEOUT_MS, 30000L);
			curl_multi_add_handle(m, shots[i].easy);
			running++;
		}
		if (running == 0 && !keep)
			break;
		int still;
		ck_assert_int_eq(curl_multi_perform(m, &still), CURLM_OK);
		while ((msg = curl_multi_info_read(m, &left)) != NULL) {
			struct shot *s;
			if (msg->msg != CURLMSG_DONE)
				continue;
			curl_easy_getinfo(msg->easy_handle, CURLINFO_PRIVATE, (char **)&s);
			curl_multi_remove_handle(m, msg->easy_handle);
			shot_finish(s, msg->data.result);
			running--;
			idle_since[s - shots] = now_s() - o.t0;
			ck_assert(nans < MAX_ANSWERS);
			ans[nans].status = s->status;
			ans[nans].at = now_s() - o.t0;
			snprintf(ans[nans].code, sizeof ans[nans].code, "%s", s->code);
			snprintf(ans[nans].ref, sizeof ans[nans].ref, "%s", s->ref);
			if (o.started > 0 && s->status == 201)
				ok_after++;
			nans++;
		}
		if (still > 0)
			curl_multi_poll(m, NULL, 0, 5, NULL);
		else
			usleep(2000);
	}
	pthread_join(th, NULL);
	curl_multi_cleanup(m);
	curl_slist_free_all(hl);

	for (size_t i = 0; i < nans; i++) {
		if (ans[i].status == 201) {
			created++;
			if (ans[i].at < o.stop_at)
				ok_before++;
		} else if (ans[i].status == 503 && strcmp(ans[i].code, "database_unavailable") == 0) {
			unavailable++;
		} else {
			other++;
			if (other <= 5)
				fprintf(stderr, "database_killed_during_load: %ld %s at %.2f s\n",
				    ans[i].status, ans[i].code, ans[i].at);
		}
	}
	fprintf(stderr, "database_killed_during_load: %zu answers: %d x 201 (%d before the stop, "
	    "%d after the restart), %d x 503, %d other; stopped at %.2f s, started at %.2f s\n",
	    nans, created, ok_before, ok_after, unavailable, other, o.stopped, o.started);
	ck_assert_int_eq(other, 0);
	ck_assert(ok_before > 0);
	ck_assert(unavailable > 0);
	ck_assert(ok_after > 0);

	/* Every 201 is in the database, booked, exactly once. */
	rows = itest_psql_out("SELECT string_agg(reference, ',' ORDER BY reference) || ',' "
	    "FROM bookings WHERE office = 'test-load' AND status = 'booked'");
	for (size_t i = 0; i < nans; i++) {
		char needle[20];
		if (ans[i].status != 201)
			continue;
		snprintf(needle, sizeof needle, "%s,", ans[i].ref);
		ck_assert_msg(strstr(rows, needle) != NULL, "201 %s is not in the database",
		    ans[i].ref);
	}
	free(rows);
	/* Rows without a 201 can only come from requests that got no 201. */
	long in_db = sql_long("SELECT count(*) FROM bookings WHERE office = 'test-load' AND "
	    "status = '%s'", "booked");
	fprintf(stderr, "database_killed_during_load: %ld rows, %d with a 201\n", in_db, created);
	ck_assert_int_ge(in_db, created);
	ck_assert_int_le(in_db - created, unavailable);
	/* And the counters agree with the rows. */
	ck_assert_int_eq(sql_long("SELECT coalesce(sum(booked), 0) FROM slot_usage WHERE "
	    "office = '%s'", "test-load"), in_db);
	free(shots);
	free(ans);
}
END_TEST

/* The suite. */
static Suite *
bookings_suite(void)
{
	Suite *s = suite_create("bookings");
	TCase *tc = tcase_create("bookings");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 120);	/* the load tests under ASan on a busy machine */
	tcase_add_test(tc, no_overselling);
	tcase_add_test(tc, no_overselling_two_daemons);
	tcase_add_test(tc, refusals_of_the_request);
	tcase_add_test(tc, refusals_of_the_calendar);
	tcase_add_test(tc, before_renewal_window);
	tcase_add_test(tc, holder_must_attend);
	tcase_add_test(tc, individual_number_refused);
	tcase_add_test(tc, idempotency);
	tcase_add_test(tc, tokens);
	tcase_add_test(tc, cancel_frees_place);
	tcase_add_test(tc, staff_reads_and_cancels);
	tcase_add_test(tc, reschedule_moves_atomically);
	tcase_add_test(tc, reschedule_outside_window);
	tcase_add_test(tc, hold_consumed);
	tcase_add_test(tc, holds_fill_slot);
	tcase_add_test(tc, hold_expires);
	tcase_add_test(tc, two_visit_proxy);
	tcase_add_test(tc, two_visit_reschedule);
	tcase_add_test(tc, purge_after_retention);
	tcase_add_test(tc, database_killed_during_load);
	tcase_add_test(tc, silent_database_answers_503);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	SRunner *sr = srunner_create(bookings_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
