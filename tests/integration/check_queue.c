/*
 * The queue: ticket numbers, the calling order, ticket state changes, staff
 * tokens, reservation check-in, wait estimates, the audit trail and a restart
 * in the middle of the day. A test municipality is written per run; the queue
 * daemon's clock is pinned to Wednesday 2026-12-16 09:00 in Tokyo, and bookings
 * are made the day before by a second daemon whose clock reads 2026-12-15.
 */
#include "itest.h"

#include <check.h>
#include <curl/curl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define NOW_ENV "MADOGUCHI_NOW=2026-12-16T09:00:00+09:00"
#define TODAY "2026-12-16"
/* The day before: bookings for today are made then. */
#define BOOK_ENV "MADOGUCHI_NOW=2026-12-15T09:00:00+09:00"
/* The next day, for numbering that starts again. */
#define NEXT_DAY_ENV "MADOGUCHI_NOW=2026-12-17T09:00:00+09:00"
/* Reservation times of the pinned day. */
#define AT_0830 "2026-12-16T08:30:00+09:00"
#define AT_0900 "2026-12-16T09:00:00+09:00"
#define AT_0915 "2026-12-16T09:15:00+09:00"
#define AT_1000 "2026-12-16T10:00:00+09:00"
/* A re-issue applicant whose booking is accepted any day. */
#define APPLICANT "{\"birth_date\":\"1990-12-20\",\"card\":{\"issued_on\":\"2021-03-01\"}," \
	"\"certificates\":{\"issued_on\":\"2021-03-01\"},\"attendee\":\"self\"}"
#define CONTACT "{\"name\":\"Test\",\"email\":\"t@example.jp\"}"
/* What every test starts without. */
#define WIPE "TRUNCATE tickets, ticket_numbers, audit_log, bookings, holds, " \
	"idempotency_keys, slot_usage"

/* The queue daemon (clock pinned to TODAY 09:00). */
static struct itest_daemon d;
/* The booking daemon (the day before), started by the first booking of a test. */
static struct itest_daemon bd;
/* The test configuration. */
static const char *cfg;
/* Tokens: staff, kiosk and manager at q-main, staff at q-branch, staff at kasugai-main. */
static char staff_tok[128], kiosk_tok[128], manager_tok[128], branch_tok[128], kasugai_tok[128];
/* Their ids, as the audit log names them. */
static char staff_id[16], kiosk_id[16], manager_id[16];

/* Writes the test configuration: the test town, Kasugai, fast busy flags. */
static const char *
write_config(void)
{
	static char main_path[512];
	char muni[512], text[2048], cwd[512];

	ck_assert(getcwd(cwd, sizeof cwd) != NULL);
	snprintf(muni, sizeof muni, "%s", itest_tmp_path("q-town.yaml"));
	itest_write_file(muni,
	    "municipality: qtown\n"
	    "name: {ja: 窓口町, en: Queue Town}\n"
	    "settings: {pin_reset_extra_minutes: 0}\n"
	    "offices:\n"
	    "  - id: q-main\n"
	    "    name: {ja: 本庁, en: Main office}\n"
	    "    hours: {weekdays: [08:30-17:00]}\n"
	    "    services:\n"
	    "      ecert_renewal: {slot_minutes: 15, capacity: 10, horizon_days: 60, "
	    "lead_minutes: 0}\n"
	    "      pin_reset: {slot_minutes: 15, capacity: 2, horizon_days: 60, lead_minutes: 0}\n"
	    "      address_change: {slot_minutes: 5, capacity: 1, horizon_days: 60, "
	    "lead_minutes: 0}\n"
	    "    counters:\n"
	    "      - {id: 1, services: [ecert_renewal, pin_reset]}\n"
	    "      - {id: 2, services: [pin_reset]}\n"
	    "      - {id: 3, services: [address_change]}\n"
	    "  - id: q-branch\n"
	    "    name: {ja: 支所, en: Branch office}\n"
	    "    hours: {weekdays: [08:30-17:00]}\n"
	    "    services:\n"
	    "      ecert_renewal: {slot_minutes: 15, capacity: 10, horizon_days: 60, "
	    "lead_minutes: 0}\n"
	    "      pin_reset: {slot_minutes: 15, capacity: 1, horizon_days: 60, lead_minutes: 0}\n");
	snprintf(main_path, sizeof main_path, "%s", itest_tmp_path("q-main.yaml"));
	snprintf(text, sizeof text,
	    "listen: 127.0.0.1:8080\n"
	    "database:\n  url: \"dbname=madoguchi\"\n  pool_size: 4\n"
	    "ratelimit: {per_minute: 100000, burst: 10000}\n"
	    "bookings: {per_contact: 10000}\n"
	    "queue:\n  busy_minutes: 5\n  very_busy_minutes: 10\n  checkin_early_minutes: 30\n"
	    "  checkin_late_minutes: 15\n  no_show_after_recalls: 2\n  pass_over_limit: 2\n"
	    "include:\n  - %s\n  - %s/config/municipalities/kasugai.yaml\n", muni, cwd);
	itest_write_file(main_path, text);
	return main_path;
}

/* Creates a token for role at office; copies it and its id out. */
static void
make_token(const char *role, const char *office, char tok[128], char *id)
{
	const char *args[] = { "-c", cfg, "--create-token", role, office, NULL };
	char *out = NULL, *last, *end;

	ck_assert_msg(itest_run_daemon_cmd(args, &out) == 0, "--create-token: %s", out);
	end = out + strlen(out);
	while (end > out && (end[-1] == '\n' || end[-1] == '\r'))
		*--end = '\0';
	last = strrchr(out, '\n');
	last = last != NULL ? last + 1 : out;
	ck_assert_msg(strncmp(last, "mds_", 4) == 0, "no token in: %s", out);
	snprintf(tok, 128, "%s", last);
	if (id != NULL) {
		/* "ROLE token ID for ..." names the token first. */
		char *p = strstr(out, " token ");
		ck_assert_ptr_nonnull(p);
		ck_assert_int_eq(sscanf(p, " token %15s", id), 1);
	}
	free(out);
}

/* Starts the queue daemon and makes the tokens; no tickets or bookings exist. */
static void
setup(void)
{
	static const char *const env[] = { NOW_ENV, NULL };

	curl_global_init(CURL_GLOBAL_DEFAULT);
	cfg = write_config();
	memset(&bd, 0, sizeof bd);
	itest_daemon_start(&d, cfg, env);
	ck_assert_int_eq(itest_psql(WIPE), 0);
	make_token("staff", "q-main", staff_tok, staff_id);
	make_token("kiosk", "q-main", kiosk_tok, kiosk_id);
	make_token("manager", "q-main", manager_tok, manager_id);
	make_token("staff", "q-branch", branch_tok, NULL);
	make_token("staff", "kasugai-main", kasugai_tok, NULL);
}

/* Stops the daemons and leaves nothing behind for the next program. */
static void
teardown(void)
{
	itest_daemon_stop(&d);
	itest_daemon_stop(&bd);
	ck_assert_int_eq(itest_psql(WIPE), 0);
}

/* POSTs body (NULL: empty) to path on dd with token (NULL: none). */
static void
post_as(const struct itest_daemon *dd, const char *path, const char *body, const char *token,
    struct itest_resp *r)
{
	char auth[200];
	const char *h[] = { auth, NULL };

	snprintf(auth, sizeof auth, "Authorization: Bearer %s", token ? token : "");
	if (body == NULL)
		body = "";
	itest_http(dd, "POST", path, body, strlen(body), NULL, token ? h : NULL, r);
}

/* Asserts that r is a problem with status and code. */
static void
assert_problem(const struct itest_resp *r, long status, const char *code)
{
	ck_assert_msg(r->status == status && strcmp(itest_str(r, "code"), code) == 0,
	    "wanted %ld %s, got %ld %s", status, code, r->status, r->body);
}

/* An integer member of the response JSON. */
static long long
int_of(const struct itest_resp *r, const char *key)
{
	json_t *v = json_object_get(r->json, key);

	ck_assert_msg(json_is_integer(v), "no integer %s in %s", key, r->body);
	return json_integer_value(v);
}

/* Asks for a ticket at office: {"service": service}; the caller frees r. */
static void
issue(const struct itest_daemon *dd, const char *office, const char *service, const char *token,
    struct itest_resp *r)
{
	char path[128], body[128];

	snprintf(path, sizeof path, "/v1/offices/%s/tickets", office);
	snprintf(body, sizeof body, "{\"service\":\"%s\"}", service);
	post_as(dd, path, body, token, r);
}

/* Issues a walk-in at q-main with the kiosk token; returns the id, copies the number. */
static long long
walk_in(const char *service, char *number)
{
	struct itest_resp r;
	long long id;

	issue(&d, "q-main", service, kiosk_tok, &r);
	ck_assert_msg(r.status == 201, "walk-in %s: %ld %s", service, r.status, r.body);
	id = int_of(&r, "ticket");
	if (number != NULL)
		snprintf(number, 16, "%s", itest_str(&r, "number"));
	itest_resp_free(&r);
	return id;
}

/* Checks in booking ref at office with the kiosk token; the caller frees r. */
static void
check_in(const char *office, const char *ref, struct itest_resp *r)
{
	char path[128], body[128];

	snprintf(path, sizeof path, "/v1/offices/%s/tickets", office);
	snprintf(body, sizeof body, "{\"booking\":\"%s\"}", ref);
	post_as(&d, path, body, kiosk_tok, r);
}

/* Checks in ref at q-main, asserting 201; returns the ticket id. */
static long long
check_in_ok(const char *ref)
{
	struct itest_resp r;
	long long id;

	check_in("q-main", ref, &r);
	ck_assert_msg(r.status == 201, "check-in %s: %ld %s", ref, r.status, r.body);
	id = int_of(&r, "ticket");
	itest_resp_free(&r);
	return id;
}

/* Calls the next ticket to counter at q-main with token; the caller frees r. */
static void
next_as(int counter, const char *token, struct itest_resp *r)
{
	char path[128];

	snprintf(path, sizeof path, "/v1/offices/q-main/counters/%d/next", counter);
	post_as(&d, path, NULL, token, r);
}

/* Calls the next ticket to counter; returns its id, or 0 on 204. */
static long long
call_next(int counter)
{
	struct itest_resp r;
	long long id = 0;

	next_as(counter, staff_tok, &r);
	ck_assert_msg(r.status == 200 || r.status == 204, "next at %d: %ld %s", counter,
	    r.status, r.body);
	if (r.status == 200) {
		id = int_of(&r, "ticket");
		ck_assert_str_eq(itest_str(&r, "status"), "called");
		ck_assert_int_eq(int_of(&r, "counter"), counter);
	}
	itest_resp_free(&r);
	return id;
}

/* POSTs a state change (done, no-show, recall, transfer) of ticket id with token. */
static void
change_as(long long id, const char *action, const char *body, const char *token,
    struct itest_resp *r)
{
	char path[128];

	snprintf(path, sizeof path, "/v1/tickets/%lld/%s", id, action);
	post_as(&d, path, body, token, r);
}

/* A state change by staff that must succeed; asserts the new status. */
static void
change_ok(long long id, const char *action, const char *body, const char *status)
{
	struct itest_resp r;

	change_as(id, action, body, staff_tok, &r);
	ck_assert_msg(r.status == 200, "%s of %lld: %ld %s", action, id, r.status, r.body);
	ck_assert_str_eq(itest_str(&r, "status"), status);
	ck_assert_int_eq(int_of(&r, "ticket"), id);
	itest_resp_free(&r);
}

/* A state change by staff that must be refused with 409 code. */
static void
change_refused(long long id, const char *action, const char *code)
{
	struct itest_resp r;

	change_as(id, action, NULL, staff_tok, &r);
	assert_problem(&r, 409, code);
	itest_resp_free(&r);
}

/* One column of ticket id, as psql prints it (caller frees). */
static char *
ticket_field(long long id, const char *column)
{
	char sql[256];
	char *out;

	snprintf(sql, sizeof sql, "SELECT %s FROM tickets WHERE id = %lld", column, id);
	out = itest_psql_out(sql);
	out[strcspn(out, "\n")] = '\0';
	return out;
}

/* Asserts that column of ticket id reads want. */
static void
assert_ticket(long long id, const char *column, const char *want)
{
	char *got = ticket_field(id, column);

	ck_assert_msg(strcmp(got, want) == 0, "ticket %lld %s: wanted '%s', got '%s'", id,
	    column, want, got);
	free(got);
}

/* Books service at office for start through the booking daemon; copies reference and token. */
static void
book(const char *office, const char *start, char ref[16], char *token)
{
	static const char *const env[] = { BOOK_ENV, NULL };
	struct itest_resp r;
	char body[1024];

	if (bd.pid <= 0)
		itest_daemon_start(&bd, cfg, env);
	snprintf(body, sizeof body, "{\"office\":\"%s\",\"service\":\"ecert_renewal\","
	    "\"start\":\"%s\",\"applicant\":%s,\"contact\":%s}", office, start, APPLICANT, CONTACT);
	itest_post(&bd, "/v1/bookings", body, &r);
	ck_assert_msg(r.status == 201, "booking %s %s: %ld %s", office, start, r.status, r.body);
	snprintf(ref, 16, "%s", itest_str(&r, "reference"));
	if (token != NULL)
		snprintf(token, 128, "%s", itest_str(&r, "token"));
	itest_resp_free(&r);
}

/* GETs the queue view of q-main; the caller frees r. */
static void
get_queue(const struct itest_daemon *dd, struct itest_resp *r)
{
	itest_get(dd, "/v1/offices/q-main/queue", r);
	ck_assert_msg(r->status == 200, "queue: %ld %s", r->status, r->body);
}

/* The line of service in a queue view. */
static json_t *
queue_service(const struct itest_resp *r, const char *service)
{
	json_t *s;
	size_t i;

	json_array_foreach(json_object_get(r->json, "services"), i, s) {
		if (strcmp(json_string_value(json_object_get(s, "service")), service) == 0)
			return s;
	}
	ck_abort_msg("no %s in the queue view: %s", service, r->body);
	return NULL;
}

/* An integer member of a JSON object. */
static long long
jint(json_t *o, const char *key)
{
	json_t *v = json_object_get(o, key);

	ck_assert_msg(json_is_integer(v), "no integer %s", key);
	return json_integer_value(v);
}

/* A string member of a JSON object, or "". */
static const char *
jstr(json_t *o, const char *key)
{
	const char *s = json_string_value(json_object_get(o, key));

	return s ? s : "";
}

/* Numbers: a prefix per service, three digits, per office and per day. */
START_TEST(numbers_per_service_office_day)
{
	static const char *const next_day[] = { NEXT_DAY_ENV, NULL };
	struct itest_daemon tomorrow;
	struct itest_resp r;
	char n[16];

	walk_in("ecert_renewal", n);
	ck_assert_str_eq(n, "A-001");
	walk_in("pin_reset", n);
	ck_assert_str_eq(n, "D-001");
	walk_in("ecert_renewal", n);
	ck_assert_str_eq(n, "A-002");
	walk_in("address_change", n);
	ck_assert_str_eq(n, "E-001");
	walk_in("pin_reset", n);
	ck_assert_str_eq(n, "D-002");
	/* Another office counts from 1 again. */
	issue(&d, "q-branch", "ecert_renewal", branch_tok, &r);
	ck_assert_msg(r.status == 201, "%ld %s", r.status, r.body);
	ck_assert_str_eq(itest_str(&r, "number"), "A-001");
	itest_resp_free(&r);
	/* Kasugai: e-certificate renewal is by reservation only; PIN resets walk in. */
	issue(&d, "kasugai-main", "ecert_renewal", kasugai_tok, &r);
	assert_problem(&r, 422, "reservation_required");
	itest_resp_free(&r);
	issue(&d, "kasugai-main", "pin_reset", kasugai_tok, &r);
	ck_assert_msg(r.status == 201, "%ld %s", r.status, r.body);
	ck_assert_str_eq(itest_str(&r, "number"), "D-001");
	itest_resp_free(&r);
	/* A service the office does not offer. */
	issue(&d, "q-main", "card_pickup", kiosk_tok, &r);
	assert_problem(&r, 404, "service_not_offered");
	itest_resp_free(&r);
	/* The next day counts from 1 again. */
	itest_daemon_start(&tomorrow, cfg, next_day);
	issue(&tomorrow, "q-main", "ecert_renewal", kiosk_tok, &r);
	ck_assert_msg(r.status == 201, "%ld %s", r.status, r.body);
	ck_assert_str_eq(itest_str(&r, "number"), "A-001");
	itest_resp_free(&r);
	itest_daemon_stop(&tomorrow);
}
END_TEST

/* After a restart in the middle of the day, numbers continue where they were. */
START_TEST(numbers_continue_after_restart)
{
	static const char *const env[] = { NOW_ENV, NULL };
	char n[16];

	walk_in("ecert_renewal", n);
	walk_in("ecert_renewal", n);
	walk_in("pin_reset", n);
	ck_assert_str_eq(n, "D-001");
	itest_daemon_stop(&d);
	itest_daemon_start(&d, cfg, env);
	walk_in("ecert_renewal", n);
	ck_assert_str_eq(n, "A-003");
	walk_in("pin_reset", n);
	ck_assert_str_eq(n, "D-002");
}
END_TEST

/* One issuing thread: count walk-ins at its daemon, numbers into out. */
struct issuer {
	const struct itest_daemon *dd;	/* where to ask */
	int count;			/* how many tickets */
	char (*out)[16];		/* their numbers ("" when refused) */
};

/* Thread body: issues the tickets (no Check assertions off the main thread). */
static void *
issuer_run(void *arg)
{
	struct issuer *is = arg;

	for (int i = 0; i < is->count; i++) {
		struct itest_resp r;
		issue(is->dd, "q-main", "pin_reset", kiosk_tok, &r);
		snprintf(is->out[i], 16, "%s", r.status == 201 ? itest_str(&r, "number") : "");
		itest_resp_free(&r);
	}
	return NULL;
}

/* Two daemons on one database issuing 50 tickets each at once: 100 distinct numbers. */
START_TEST(numbers_distinct_across_daemons)
{
	static const char *const env[] = { NOW_ENV, NULL };
	enum { THREADS = 10, EACH = 10 };
	static char numbers[THREADS * EACH][16];
	struct itest_daemon d2;
	struct issuer is[THREADS];
	pthread_t th[THREADS];
	bool seen[THREADS * EACH + 1] = { false };
	char *count;

	itest_daemon_start(&d2, cfg, env);
	for (int t = 0; t < THREADS; t++) {
		is[t] = (struct issuer){ t % 2 ? &d2 : &d, EACH, &numbers[t * EACH] };
		ck_assert_int_eq(pthread_create(&th[t], NULL, issuer_run, &is[t]), 0);
	}
	for (int t = 0; t < THREADS; t++)
		ck_assert_int_eq(pthread_join(th[t], NULL), 0);
	for (int i = 0; i < THREADS * EACH; i++) {
		int k = 0;
		ck_assert_msg(sscanf(numbers[i], "D-%3d", &k) == 1 && strlen(numbers[i]) == 5,
		    "ticket %d: number '%s'", i, numbers[i]);
		ck_assert_msg(k >= 1 && k <= THREADS * EACH && !seen[k], "number %s twice or "
		    "out of range", numbers[i]);
		seen[k] = true;
	}
	count = itest_psql_out("SELECT count(DISTINCT label) || '/' || count(*) FROM tickets");
	ck_assert_str_eq(count, "100/100\n");
	free(count);
	itest_daemon_stop(&d2);
}
END_TEST

/* Due reservations first, then walk-ins by arrival, then reservations not yet due. */
START_TEST(call_order)
{
	struct itest_resp r;
	char due[16], later[16];
	long long w1, w2, rdue, rlater, w3;

	book("q-main", AT_0900, due, NULL);
	book("q-main", AT_0915, later, NULL);
	w1 = walk_in("ecert_renewal", NULL);
	w2 = walk_in("pin_reset", NULL);
	rlater = check_in_ok(later);
	rdue = check_in_ok(due);
	w3 = walk_in("ecert_renewal", NULL);
	next_as(1, staff_tok, &r);
	ck_assert_msg(r.status == 200, "%ld %s", r.status, r.body);
	ck_assert_int_eq(int_of(&r, "ticket"), rdue);
	ck_assert_str_eq(itest_str(&r, "kind"), "reservation");
	ck_assert_str_eq(itest_str(&r, "booking"), due);
	itest_resp_free(&r);
	ck_assert_int_eq(call_next(1), w1);
	/* Calling the next ticket finished the counter's previous one. */
	assert_ticket(rdue, "status", "done");
	assert_ticket(rdue, "done_at IS NOT NULL", "t");
	assert_ticket(w1, "status", "called");
	ck_assert_int_eq(call_next(1), w2);
	ck_assert_int_eq(call_next(1), w3);
	assert_ticket(w2, "status", "done");
	/* The reservation whose time has not come waited behind every walk-in. */
	ck_assert_int_eq(call_next(1), rlater);
	ck_assert_int_eq(call_next(1), 0);
	/* Even with nobody waiting, the previous ticket is finished. */
	assert_ticket(rlater, "status", "done");
	assert_ticket(w3, "status", "done");
	ck_assert_int_eq(call_next(2), 0);
}
END_TEST

/* A walk-in passed over pass_over_limit (2) times is called before a due reservation. */
START_TEST(pass_over_limit)
{
	char b1[16], b2[16], b3[16];
	long long w, r1, r2, r3;

	book("q-main", AT_0900, b1, NULL);
	book("q-main", AT_0900, b2, NULL);
	book("q-main", AT_0900, b3, NULL);
	w = walk_in("pin_reset", NULL);
	r1 = check_in_ok(b1);
	r2 = check_in_ok(b2);
	r3 = check_in_ok(b3);
	ck_assert_int_eq(call_next(1), r1);
	assert_ticket(w, "passed_over", "1");
	ck_assert_int_eq(call_next(1), r2);
	assert_ticket(w, "passed_over", "2");
	ck_assert_int_eq(call_next(1), w);
	ck_assert_int_eq(call_next(1), r3);
	ck_assert_int_eq(call_next(1), 0);
}
END_TEST

/* A counter calls only the services it serves. */
START_TEST(counter_serves_its_services)
{
	struct itest_resp r;
	long long e, p, a;

	e = walk_in("ecert_renewal", NULL);
	p = walk_in("pin_reset", NULL);
	a = walk_in("address_change", NULL);
	/* Counter 2 serves PIN resets only: the earlier e-certificate ticket is not for it. */
	ck_assert_int_eq(call_next(2), p);
	ck_assert_int_eq(call_next(2), 0);
	ck_assert_int_eq(call_next(3), a);
	ck_assert_int_eq(call_next(3), 0);
	assert_ticket(e, "status", "waiting");
	ck_assert_int_eq(call_next(1), e);
	ck_assert_int_eq(call_next(1), 0);
	next_as(9, staff_tok, &r);
	assert_problem(&r, 404, "unknown_counter");
	itest_resp_free(&r);
	post_as(&d, "/v1/offices/nowhere/counters/1/next", NULL, staff_tok, &r);
	assert_problem(&r, 404, "unknown_office");
	itest_resp_free(&r);
}
END_TEST

/* Recall counts up; a no-show needs the configured recalls; done; invalid changes. */
START_TEST(recall_no_show_done)
{
	struct itest_resp r;
	long long t, u;

	t = walk_in("pin_reset", NULL);
	u = walk_in("pin_reset", NULL);
	/* A waiting ticket can be neither finished, recalled nor recorded as gone. */
	change_refused(t, "done", "invalid_state");
	change_refused(t, "recall", "invalid_state");
	change_refused(t, "no-show", "invalid_state");
	ck_assert_int_eq(call_next(1), t);
	change_refused(t, "no-show", "recall_first");
	change_ok(t, "recall", NULL, "called");
	assert_ticket(t, "recalls", "1");
	change_refused(t, "no-show", "recall_first");
	change_ok(t, "recall", NULL, "called");
	assert_ticket(t, "recalls::text || counter", "21");
	change_ok(t, "no-show", NULL, "no_show");
	assert_ticket(t, "status", "no_show");
	change_refused(t, "no-show", "invalid_state");
	change_refused(t, "done", "invalid_state");
	change_refused(t, "recall", "invalid_state");
	ck_assert_int_eq(call_next(2), u);
	change_ok(u, "done", NULL, "done");
	assert_ticket(u, "status", "done");
	change_refused(u, "done", "invalid_state");
	change_refused(u, "no-show", "invalid_state");
	/* Counter 2 has nothing open now, and nobody waits. */
	ck_assert_int_eq(call_next(2), 0);
	change_as(987654321, "done", NULL, staff_tok, &r);
	assert_problem(&r, 404, "ticket_not_found");
	itest_resp_free(&r);
	post_as(&d, "/v1/tickets/abc/recall", NULL, staff_tok, &r);
	assert_problem(&r, 404, "ticket_not_found");
	itest_resp_free(&r);
}
END_TEST

/* A transfer puts the ticket back to waiting for the other service and its counter. */
START_TEST(transfer)
{
	struct itest_resp r;
	long long v, w;

	v = walk_in("ecert_renewal", NULL);
	ck_assert_int_eq(call_next(1), v);
	change_ok(v, "transfer", "{\"service\":\"address_change\"}", "waiting");
	assert_ticket(v, "service || status || coalesce(counter, 0) || transfers",
	    "address_changewaiting01");
	/* Counter 1 does not serve address changes: nothing for it; counter 3 takes it. */
	ck_assert_int_eq(call_next(1), 0);
	assert_ticket(v, "status", "waiting");
	ck_assert_int_eq(call_next(3), v);
	/* A waiting ticket may be transferred too. */
	w = walk_in("address_change", NULL);
	change_ok(w, "transfer", "{\"service\":\"pin_reset\"}", "waiting");
	ck_assert_int_eq(call_next(2), w);
	change_as(w, "transfer", "{\"service\":\"card_pickup\"}", staff_tok, &r);
	assert_problem(&r, 404, "service_not_offered");
	itest_resp_free(&r);
	change_as(w, "transfer", "{\"service\":\"bogus\"}", staff_tok, &r);
	assert_problem(&r, 400, "unknown_service");
	ck_assert_str_eq(itest_str(&r, "field"), "service");
	itest_resp_free(&r);
	change_as(w, "transfer", "{\"service\":1}", staff_tok, &r);
	assert_problem(&r, 400, "invalid_field");
	itest_resp_free(&r);
	change_ok(w, "done", NULL, "done");
	change_as(w, "transfer", "{\"service\":\"ecert_renewal\"}", staff_tok, &r);
	assert_problem(&r, 409, "invalid_state");
	itest_resp_free(&r);
}
END_TEST

/* Tokens: none, garbage, a booking's, another office's, a kiosk's, a staff member's. */
START_TEST(tokens)
{
	static const char *const bad[] = { "garbage", "mds_garbage" };
	struct itest_resp r;
	char ref[16], booking_tok[128];
	long long t;

	issue(&d, "q-main", "pin_reset", NULL, &r);
	assert_problem(&r, 401, "token_required");
	itest_resp_free(&r);
	next_as(1, NULL, &r);
	assert_problem(&r, 401, "token_required");
	itest_resp_free(&r);
	book("q-main", AT_1000, ref, booking_tok);
	issue(&d, "q-main", "pin_reset", booking_tok, &r);
	ck_assert_msg(r.status == 401, "booking token: %ld %s", r.status, r.body);
	itest_resp_free(&r);
	next_as(1, booking_tok, &r);
	ck_assert_msg(r.status == 401, "booking token: %ld %s", r.status, r.body);
	itest_resp_free(&r);
	for (int i = 0; i < 2; i++) {
		issue(&d, "q-main", "pin_reset", bad[i], &r);
		ck_assert_msg(r.status == 401, "%s: %ld %s", bad[i], r.status, r.body);
		itest_resp_free(&r);
		next_as(1, bad[i], &r);
		ck_assert_msg(r.status == 401, "%s: %ld %s", bad[i], r.status, r.body);
		itest_resp_free(&r);
	}
	issue(&d, "q-main", "pin_reset", branch_tok, &r);
	assert_problem(&r, 403, "wrong_office");
	itest_resp_free(&r);
	next_as(1, branch_tok, &r);
	assert_problem(&r, 403, "wrong_office");
	itest_resp_free(&r);
	/* The kiosk issues tickets but calls and changes nothing. */
	t = walk_in("pin_reset", NULL);
	next_as(1, kiosk_tok, &r);
	assert_problem(&r, 403, "insufficient_role");
	itest_resp_free(&r);
	assert_ticket(t, "status", "waiting");
	next_as(1, staff_tok, &r);
	ck_assert_msg(r.status == 200, "%ld %s", r.status, r.body);
	ck_assert_int_eq(int_of(&r, "ticket"), t);
	itest_resp_free(&r);
	change_as(t, "done", NULL, kiosk_tok, &r);
	assert_problem(&r, 403, "insufficient_role");
	itest_resp_free(&r);
	change_as(t, "done", NULL, NULL, &r);
	assert_problem(&r, 401, "token_required");
	itest_resp_free(&r);
	/* Another office's ticket reads as missing: no statement learns it exists. */
	change_as(t, "recall", NULL, branch_tok, &r);
	assert_problem(&r, 404, "ticket_not_found");
	itest_resp_free(&r);
	assert_ticket(t, "status || recalls::text", "called0");
	/* A staff token may issue tickets as well; anyone may look at the queue. */
	issue(&d, "q-main", "pin_reset", staff_tok, &r);
	ck_assert_msg(r.status == 201, "%ld %s", r.status, r.body);
	itest_resp_free(&r);
	get_queue(&d, &r);
	itest_resp_free(&r);
}
END_TEST

/* Check-in: at the slot time, too early, too late, twice, cancelled, another office. */
START_TEST(check_in_rules)
{
	struct itest_resp r;
	char now[16], early[16], late[16], cancelled[16], cancel_tok[128], branch[16];
	char path[64], auth[200], want[64];
	const char *h[] = { auth, NULL };
	long long t;

	book("q-main", AT_0900, now, NULL);
	book("q-main", AT_1000, early, NULL);
	book("q-main", AT_0830, late, NULL);
	book("q-main", AT_0915, cancelled, cancel_tok);
	book("q-branch", AT_0900, branch, NULL);
	check_in("q-main", now, &r);
	ck_assert_msg(r.status == 201, "%ld %s", r.status, r.body);
	ck_assert_str_eq(itest_str(&r, "number"), "A-001");
	ck_assert_str_eq(itest_str(&r, "service"), "ecert_renewal");
	/* Nobody is ahead of it and a counter is free. */
	ck_assert_int_eq(int_of(&r, "position"), 1);
	ck_assert_int_eq(int_of(&r, "estimated_wait_min"), 0);
	t = int_of(&r, "ticket");
	itest_resp_free(&r);
	snprintf(want, sizeof want, "reservation %s " AT_0900, now);
	assert_ticket(t, "kind || ' ' || booking || ' ' || to_char(due_at AT TIME ZONE "
	    "'Asia/Tokyo', 'YYYY-MM-DD\"T\"HH24:MI:SS\"+09:00\"')", want);
	/* The booking is checked in: a second check-in is refused. */
	check_in("q-main", now, &r);
	ck_assert_msg(r.status == 409, "twice: %ld %s", r.status, r.body);
	itest_resp_free(&r);
	check_in("q-main", early, &r);
	assert_problem(&r, 422, "too_early");
	ck_assert_str_eq(itest_str(&r, "opens_at"), "2026-12-16T09:30:00+09:00");
	ck_assert_ptr_nonnull(strstr(itest_str(&r, "detail"), "opens at 09:30 on 2026-12-16"));
	itest_resp_free(&r);
	check_in("q-main", late, &r);
	assert_problem(&r, 422, "too_late");
	itest_resp_free(&r);
	/* Cancelled (through the booking's token) before it came. */
	snprintf(path, sizeof path, "/v1/bookings/%s", cancelled);
	snprintf(auth, sizeof auth, "Authorization: Bearer %s", cancel_tok);
	itest_http(&d, "DELETE", path, NULL, 0, NULL, h, &r);
	ck_assert_msg(r.status == 200 || r.status == 204, "cancel: %ld %s", r.status, r.body);
	itest_resp_free(&r);
	check_in("q-main", cancelled, &r);
	ck_assert_msg(r.status == 409, "cancelled: %ld %s", r.status, r.body);
	itest_resp_free(&r);
	/* A booking at the branch is unknown at the main office; unknown references too. */
	check_in("q-main", branch, &r);
	assert_problem(&r, 404, "booking_not_found");
	itest_resp_free(&r);
	check_in("q-main", "K7Q-4MXD", &r);
	assert_problem(&r, 404, "booking_not_found");
	itest_resp_free(&r);
	check_in("q-main", "not a reference", &r);
	assert_problem(&r, 400, "invalid_field");
	itest_resp_free(&r);
	/* Only the one check-in made a ticket, and the counter calls it as a reservation. */
	assert_ticket(t, "(SELECT count(*) FROM tickets)", "1");
	next_as(1, staff_tok, &r);
	ck_assert_msg(r.status == 200, "%ld %s", r.status, r.body);
	ck_assert_int_eq(int_of(&r, "ticket"), t);
	ck_assert_str_eq(itest_str(&r, "kind"), "reservation");
	ck_assert_str_eq(itest_str(&r, "booking"), now);
	itest_resp_free(&r);
}
END_TEST

/* A reservation checked in before its slot shows in the queue view, due at the slot. */
START_TEST(checked_in_shows_in_queue)
{
	struct itest_resp r;
	char early[16], due[16];
	json_t *list, *e;

	book("q-main", AT_0915, early, NULL);
	book("q-main", AT_0900, due, NULL);
	get_queue(&d, &r);
	ck_assert_int_eq(json_array_size(json_object_get(r.json, "checked_in")), 0);
	itest_resp_free(&r);
	check_in_ok(early);
	check_in_ok(due);
	get_queue(&d, &r);
	list = json_object_get(r.json, "checked_in");
	ck_assert_int_eq(json_array_size(list), 2);
	e = json_array_get(list, 0);	/* the earlier slot first */
	ck_assert_str_eq(json_string_value(json_object_get(e, "ticket")), "A-002");
	ck_assert_str_eq(json_string_value(json_object_get(e, "service")), "ecert_renewal");
	ck_assert_str_eq(json_string_value(json_object_get(e, "due_at")), AT_0900);
	ck_assert(json_is_true(json_object_get(e, "due")));
	e = json_array_get(list, 1);
	ck_assert_str_eq(json_string_value(json_object_get(e, "ticket")), "A-001");
	ck_assert_str_eq(json_string_value(json_object_get(e, "due_at")), AT_0915);
	ck_assert(json_is_false(json_object_get(e, "due")));
	/* Only the one whose time has come counts as a due reservation. */
	ck_assert_int_eq(json_integer_value(json_object_get(queue_service(&r, "ecert_renewal"),
	    "due_reservations")), 1);
	itest_resp_free(&r);
}
END_TEST

/* Issues a walk-in at q-main; copies position, estimate and flag out. */
static void
walk_in_estimate(const char *service, long long *position, long long *wait, char flag[16])
{
	struct itest_resp r;

	issue(&d, "q-main", service, kiosk_tok, &r);
	ck_assert_msg(r.status == 201, "walk-in %s: %ld %s", service, r.status, r.body);
	*position = int_of(&r, "position");
	*wait = int_of(&r, "estimated_wait_min");
	snprintf(flag, 16, "%s", itest_str(&r, "flag"));
	itest_resp_free(&r);
}

/* Position and estimate never fall as the queue grows; flags follow the thresholds. */
START_TEST(estimates_grow)
{
	static const char *const flags[] = { "normal", "busy", "very_busy" };
	struct itest_resp r;
	long long pos, wait, last_pos = 0, last_wait = 0;
	char flag[16];
	json_t *line;

	/* PIN resets: two counters, 15 minutes each until the day teaches otherwise. */
	for (int i = 0; i < 7; i++) {
		walk_in_estimate("pin_reset", &pos, &wait, flag);
		ck_assert_int_eq(pos, i + 1);
		ck_assert_msg(wait >= last_wait, "ticket %d: %lld after %lld", i + 1, wait,
		    last_wait);
		ck_assert_int_eq(wait, (i / 2) * 15);
		last_pos = pos, last_wait = wait;
	}
	ck_assert_int_eq(last_pos, 7);
	ck_assert_int_gt(last_wait, 0);
	/* Address changes: one counter, 5 minutes: normal, busy at 5, very busy at 10. */
	for (int i = 0; i < 3; i++) {
		walk_in_estimate("address_change", &pos, &wait, flag);
		ck_assert_int_eq(pos, i + 1);
		ck_assert_int_eq(wait, i * 5);
		ck_assert_str_eq(flag, flags[i]);
	}
	get_queue(&d, &r);
	line = queue_service(&r, "pin_reset");
	ck_assert_int_eq(jint(line, "waiting"), 7);
	/* A newcomer has seven ahead at two counters: three rounds of 15 minutes. */
	ck_assert_int_eq(jint(line, "estimated_wait_min"), 3 * 15);
	ck_assert_str_eq(jstr(line, "flag"), "very_busy");
	line = queue_service(&r, "address_change");
	ck_assert_int_eq(jint(line, "waiting"), 3);
	ck_assert_str_eq(jstr(line, "flag"), "very_busy");
	line = queue_service(&r, "ecert_renewal");
	ck_assert_int_eq(jint(line, "waiting"), 0);
	ck_assert_int_eq(jint(line, "estimated_wait_min"), 0);
	ck_assert_str_eq(jstr(line, "flag"), "normal");
	itest_resp_free(&r);
	/* One address change taken: two wait, and the one in service has 5 minutes left. */
	ck_assert(call_next(3) != 0);
	get_queue(&d, &r);
	line = queue_service(&r, "address_change");
	ck_assert_int_eq(jint(line, "waiting"), 2);
	ck_assert_int_eq(jint(line, "estimated_wait_min"), 5 + 2 * 5);
	itest_resp_free(&r);
}
END_TEST

/* With both counters busy, a newcomer with nobody ahead still waits. */
START_TEST(estimate_counters_busy)
{
	long long pos, wait;
	char flag[16];

	walk_in_estimate("pin_reset", &pos, &wait, flag);
	ck_assert_int_eq(pos, 1);
	ck_assert_int_eq(wait, 0);
	ck_assert_str_eq(flag, "normal");
	walk_in_estimate("pin_reset", &pos, &wait, flag);
	ck_assert_int_eq(pos, 2);
	ck_assert_int_eq(wait, 0);
	ck_assert(call_next(1) != 0);
	ck_assert(call_next(2) != 0);
	/* Both in service: the next one waits although nobody is ahead. */
	walk_in_estimate("pin_reset", &pos, &wait, flag);
	ck_assert_int_eq(pos, 1);
	ck_assert_msg(wait > 0 && wait <= 15, "wait %lld with both counters busy", wait);
	walk_in_estimate("pin_reset", &pos, &wait, flag);
	ck_assert_int_eq(pos, 2);
	ck_assert_msg(wait > 0 && wait <= 15, "wait %lld", wait);
	walk_in_estimate("pin_reset", &pos, &wait, flag);
	ck_assert_int_eq(pos, 3);
	ck_assert_msg(wait > 15, "wait %lld", wait);
}
END_TEST

/* Inserts n finished PIN resets of minutes each, the last ending at end (today, HH:MM). */
static void
insert_finished(int n, int minutes, const char *end, const char *prefix)
{
	char sql[1024];

	snprintf(sql, sizeof sql,
	    "INSERT INTO tickets (municipality, office, day, service, label, kind, status, "
	    "counter, issued_at, called_at, done_at) SELECT 'qtown', 'q-main', '" TODAY "', "
	    "'pin_reset', '%s-' || lpad(g::text, 3, '0'), 'walk_in', 'done', 2, "
	    "e - make_interval(mins => %d + 5), e - make_interval(mins => %d), e "
	    "FROM generate_series(1, %d) g, LATERAL (SELECT timestamptz '" TODAY " %s+09' - "
	    "make_interval(mins => (%d - g) * 2) AS e) x", prefix, minutes, minutes, n, end, n);
	ck_assert_int_eq(itest_psql(sql), 0);
}

/* The estimate learns from the day's finished tickets, the recent ones most. */
START_TEST(estimate_learns)
{
	struct itest_resp r;
	long long seeded, learned, drifted;

	/* Two waiting at two counters: a newcomer waits one service time. */
	walk_in("pin_reset", NULL);
	walk_in("pin_reset", NULL);
	get_queue(&d, &r);
	seeded = jint(queue_service(&r, "pin_reset"), "estimated_wait_min");
	itest_resp_free(&r);
	ck_assert_int_eq(seeded, 15);
	/* Eight 30-minute PIN resets this morning. */
	insert_finished(8, 30, "08:55", "X");
	get_queue(&d, &r);
	learned = jint(queue_service(&r, "pin_reset"), "estimated_wait_min");
	itest_resp_free(&r);
	ck_assert_msg(learned >= 25 && learned <= 30, "learned %lld", learned);
	/* Eight 10-minute ones earlier: the day's plain mean is 20, the recent pace 30. */
	insert_finished(8, 10, "08:00", "Y");
	get_queue(&d, &r);
	drifted = jint(queue_service(&r, "pin_reset"), "estimated_wait_min");
	itest_resp_free(&r);
	ck_assert_msg(drifted > 20 && drifted < learned, "with older quick ones: %lld (recent "
	    "alone %lld)", drifted, learned);
	/* A walk-in's own estimate uses the same learning: two ahead at two counters. */
	{
		long long pos, wait;
		char flag[16];
		walk_in_estimate("pin_reset", &pos, &wait, flag);
		ck_assert_int_eq(pos, 3);
		ck_assert_int_eq(wait, drifted);
		ck_assert_str_eq(flag, "very_busy");
	}
}
END_TEST

/* Asserts the actors of subject's audit rows for action, in order, comma-separated. */
static void
assert_audit(const char *subject, const char *action, const char *actors)
{
	char sql[512], *out;

	snprintf(sql, sizeof sql, "SELECT coalesce(string_agg(actor, ',' ORDER BY id), '') "
	    "FROM audit_log WHERE municipality = 'qtown' AND subject = '%s' AND action = '%s'",
	    subject, action);
	out = itest_psql_out(sql);
	out[strcspn(out, "\n")] = '\0';
	ck_assert_msg(strcmp(out, actors) == 0, "audit %s %s: wanted '%s', got '%s'", subject,
	    action, actors, out);
	free(out);
}

/* Every state change leaves an audit row naming the token that made it. */
START_TEST(audit_trail)
{
	char a[16], b[16], c[16], ref[16], *rn, st[40], ki[40], mg[40], two[100];
	struct itest_resp r;
	long long ta, tb, tc, tr;
	char *count, *stray;

	snprintf(st, sizeof st, "staff:%s", staff_id);
	snprintf(ki, sizeof ki, "kiosk:%s", kiosk_id);
	/* A manager acting at a counter acts as staff. */
	snprintf(mg, sizeof mg, "staff:%s", manager_id);
	book("q-main", AT_0900, ref, NULL);
	ta = walk_in("pin_reset", a);
	tb = walk_in("ecert_renewal", b);
	issue(&d, "q-main", "pin_reset", staff_tok, &r);
	ck_assert_int_eq(r.status, 201);
	tc = int_of(&r, "ticket");
	snprintf(c, sizeof c, "%s", itest_str(&r, "number"));
	itest_resp_free(&r);
	tr = check_in_ok(ref);
	rn = ticket_field(tr, "label");
	/* The reservation: called, recalled twice, gone. */
	ck_assert_int_eq(call_next(1), tr);
	change_ok(tr, "recall", NULL, "called");
	change_ok(tr, "recall", NULL, "called");
	change_ok(tr, "no-show", NULL, "no_show");
	/* The first walk-in: called, transferred, called by the manager, finished by the next call. */
	ck_assert_int_eq(call_next(1), ta);
	change_ok(ta, "transfer", "{\"service\":\"address_change\"}", "waiting");
	next_as(3, manager_tok, &r);
	ck_assert_msg(r.status == 200, "%ld %s", r.status, r.body);
	ck_assert_int_eq(int_of(&r, "ticket"), ta);
	itest_resp_free(&r);
	next_as(3, manager_tok, &r);
	ck_assert_int_eq(r.status, 204);
	itest_resp_free(&r);
	/* The staff member's own ticket: called and finished. */
	ck_assert_int_eq(call_next(2), tc);
	change_ok(tc, "done", NULL, "done");
	/* The e-certificate walk-in: finished by the counter's next call. */
	ck_assert_int_eq(call_next(1), tb);
	ck_assert_int_eq(call_next(1), 0);

	assert_audit(rn, "ticket.issued", ki);
	assert_audit(ref, "booking.checked_in", ki);
	assert_audit(rn, "ticket.called", st);
	snprintf(two, sizeof two, "%s,%s", st, st);
	assert_audit(rn, "ticket.recalled", two);
	assert_audit(rn, "ticket.no_show", st);
	assert_audit(a, "ticket.issued", ki);
	snprintf(two, sizeof two, "%s,%s", st, mg);
	assert_audit(a, "ticket.called", two);
	assert_audit(a, "ticket.transferred", st);
	assert_audit(a, "ticket.done", mg);
	assert_audit(c, "ticket.issued", st);
	assert_audit(c, "ticket.called", st);
	assert_audit(c, "ticket.done", st);
	assert_audit(b, "ticket.issued", ki);
	assert_audit(b, "ticket.called", st);
	assert_audit(b, "ticket.done", st);
	/* Nothing else, and every queue row names a staff or kiosk token (the
	 * tokens' own creation is the operator's). */
	count = itest_psql_out("SELECT count(*) FILTER (WHERE action LIKE 'ticket.%'), "
	    "count(*) FILTER (WHERE action NOT LIKE 'booking.created' AND action NOT LIKE "
	    "'token.%' AND actor !~ "
	    "'^(staff|kiosk):[0-9a-f]{12}$') FROM audit_log");
	stray = itest_psql_out("SELECT string_agg(concat_ws(' ', municipality, actor, action, "
	    "subject, at), '; ') FROM audit_log WHERE action NOT LIKE 'booking.created' AND "
	    "action NOT LIKE 'token.%' AND actor !~ '^(staff|kiosk):[0-9a-f]{12}$'");
	ck_assert_msg(strcmp(count, "16|0\n") == 0, "audit rows %s; stray: %s", count, stray);
	free(stray);
	free(count);
	free(rn);
}
END_TEST

/* The parts of a queue view that must survive a restart, as one JSON text (caller frees). */
static char *
queue_snapshot(const struct itest_daemon *dd)
{
	struct itest_resp r;
	json_t *snap, *lines = json_array(), *line;
	size_t i;
	char *text;

	get_queue(dd, &r);
	json_array_foreach(json_object_get(r.json, "services"), i, line) {
		json_array_append_new(lines, json_pack("{s:O, s:O, s:O}", "service",
		    json_object_get(line, "service"), "waiting", json_object_get(line, "waiting"),
		    "due", json_object_get(line, "due_reservations")));
	}
	snap = json_pack("{s:O, s:O, s:o, s:O}", "called", json_object_get(r.json, "called"),
	    "counters", json_object_get(r.json, "counters"), "services", lines,
	    "pin_wait", json_object_get(queue_service(&r, "pin_reset"), "estimated_wait_min"));
	text = json_dumps(snap, JSON_SORT_KEYS);
	json_decref(snap);
	itest_resp_free(&r);
	return text;
}

/* Waiting and called tickets survive a restart in the middle of the day. */
START_TEST(restart_mid_day)
{
	static const char *const env[] = { NOW_ENV, NULL };
	struct itest_resp r;
	char ref[16], p1n[16], a1n[16], *before, *after;
	long long p1, p2, p3, e1, a1, res;
	json_t *counters;

	book("q-main", AT_0915, ref, NULL);
	res = check_in_ok(ref);
	p1 = walk_in("pin_reset", p1n);
	p2 = walk_in("pin_reset", NULL);
	p3 = walk_in("pin_reset", NULL);
	e1 = walk_in("ecert_renewal", NULL);
	a1 = walk_in("address_change", a1n);
	ck_assert_int_eq(call_next(2), p1);
	ck_assert_int_eq(call_next(3), a1);
	before = queue_snapshot(&d);
	/* The view shows what was arranged. */
	get_queue(&d, &r);
	ck_assert_int_eq(json_array_size(json_object_get(r.json, "called")), 2);
	counters = json_object_get(r.json, "counters");
	ck_assert_int_eq(json_array_size(counters), 3);
	ck_assert(json_is_null(json_object_get(json_array_get(counters, 0), "ticket")));
	ck_assert_str_eq(jstr(json_array_get(counters, 1), "ticket"), p1n);
	ck_assert_str_eq(jstr(json_array_get(counters, 2), "ticket"), a1n);
	ck_assert_int_eq(jint(queue_service(&r, "pin_reset"), "waiting"), 2);
	ck_assert_int_eq(jint(queue_service(&r, "ecert_renewal"), "waiting"), 1);
	ck_assert_int_eq(jint(queue_service(&r, "address_change"), "waiting"), 0);
	itest_resp_free(&r);
	itest_daemon_stop(&d);
	itest_daemon_start(&d, cfg, env);
	after = queue_snapshot(&d);
	ck_assert_str_eq(after, before);
	free(before);
	free(after);
	/* And the day goes on: the called tickets are finished by the next calls. */
	ck_assert_int_eq(call_next(2), p2);
	assert_ticket(p1, "status", "done");
	ck_assert_int_eq(call_next(3), 0);
	assert_ticket(a1, "status", "done");
	ck_assert_int_eq(call_next(1), p3);
	ck_assert_int_eq(call_next(1), e1);
	ck_assert_int_eq(call_next(1), res);
	ck_assert_int_eq(call_next(1), 0);
}
END_TEST

/* The suite. */
static Suite *
queue_suite(void)
{
	Suite *s = suite_create("queue");
	TCase *tc = tcase_create("queue");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, numbers_per_service_office_day);
	tcase_add_test(tc, numbers_continue_after_restart);
	tcase_add_test(tc, numbers_distinct_across_daemons);
	tcase_add_test(tc, call_order);
	tcase_add_test(tc, pass_over_limit);
	tcase_add_test(tc, counter_serves_its_services);
	tcase_add_test(tc, recall_no_show_done);
	tcase_add_test(tc, transfer);
	tcase_add_test(tc, checked_in_shows_in_queue);
	tcase_add_test(tc, tokens);
	tcase_add_test(tc, check_in_rules);
	tcase_add_test(tc, estimates_grow);
	tcase_add_test(tc, estimate_counters_busy);
	tcase_add_test(tc, estimate_learns);
	tcase_add_test(tc, audit_trail);
	tcase_add_test(tc, restart_mid_day);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	SRunner *sr = srunner_create(queue_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
