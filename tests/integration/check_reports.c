/*
 * Managers: history imports (good, bad and repeated files), the load report
 * checked figure by figure against a computation in this test over the same
 * rows, its CSV read by Python's csv module, the estimate-accuracy report
 * after a simulated morning, role checks, the audit trail, and /metrics
 * checked by promtool. The daemon's clock is pinned to Wednesday 2026-12-16.
 */
#include "itest.h"

#include <check.h>
#include <curl/curl.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define NOW_ENV "MADOGUCHI_NOW=2026-12-16T09:00:00+09:00"
#define WIPE "TRUNCATE tickets, ticket_numbers, audit_log, bookings, holds, " \
	"idempotency_keys, slot_usage"
#define HEADER "issued_at,service,kind,called_at,done_at,status\n"
#define HISTORY "/v1/offices/r-main/history"
/* Reports round minutes to 3 decimals and shares to 4. */
#define EPS_MIN 0.0006
#define EPS_SHARE 0.00006
/* The office's target wait in the test configuration, minutes. */
#define TARGET 20

static struct itest_daemon d;
static const char *cfg;
static char manager_tok[128], staff_tok[128], admin_tok[128], other_tok[128];

/* The test town: one office with two services and two counters, target 20 min. */
static const char *
write_config(void)
{
	static char main_path[512];
	char muni[512], text[2048];

	snprintf(muni, sizeof muni, "%s", itest_tmp_path("r-town.yaml"));
	itest_write_file(muni,
	    "municipality: rtown\n"
	    "name: {ja: 報告町, en: Report Town}\n"
	    "offices:\n"
	    "  - id: r-main\n"
	    "    name: {ja: 本庁, en: Main office}\n"
	    "    hours: {weekdays: [08:30-17:00]}\n"
	    "    services:\n"
	    "      ecert_renewal: {slot_minutes: 10, capacity: 4, horizon_days: 60, lead_minutes: 0}\n"
	    "      pin_reset: {slot_minutes: 15, capacity: 2, horizon_days: 60, lead_minutes: 0}\n"
	    "    counters:\n"
	    "      - {id: 1, services: [ecert_renewal, pin_reset]}\n"
	    "      - {id: 2, services: [ecert_renewal]}\n"
	    "  - id: r-branch\n"
	    "    name: {ja: 支所, en: Branch}\n"
	    "    hours: {weekdays: [08:30-17:00]}\n"
	    "    services:\n"
	    "      ecert_renewal: {slot_minutes: 10, capacity: 4, horizon_days: 60, lead_minutes: 0}\n");
	snprintf(main_path, sizeof main_path, "%s", itest_tmp_path("r-main.yaml"));
	snprintf(text, sizeof text,
	    "database:\n  url: \"dbname=madoguchi\"\n"
	    "ratelimit: {per_minute: 100000, burst: 10000}\n"
	    "queue: {target_wait_minutes: %d}\n"
	    "include:\n  - %s\n", TARGET, muni);
	itest_write_file(main_path, text);
	return main_path;
}

static void
setup(void)
{
	static const char *const env[] = { NOW_ENV, NULL };

	curl_global_init(CURL_GLOBAL_DEFAULT);
	cfg = write_config();
	itest_daemon_start(&d, cfg, env);
	ck_assert_int_eq(itest_psql(WIPE), 0);
	itest_create_token(cfg, "manager", "r-main", manager_tok, sizeof manager_tok);
	itest_create_token(cfg, "staff", "r-main", staff_tok, sizeof staff_tok);
	itest_create_token(cfg, "admin", "r-main", admin_tok, sizeof admin_tok);
	itest_create_token(cfg, "manager", "r-branch", other_tok, sizeof other_tok);
}

static void
teardown(void)
{
	itest_daemon_stop(&d);
	ck_assert_int_eq(itest_psql(WIPE), 0);
}

/* Sends method path with body of ctype as token (NULL: none), with an extra header. */
static void
send_as(const char *method, const char *path, const char *body, const char *ctype,
    const char *token, const char *extra, struct itest_resp *r)
{
	char auth[200];
	const char *h[3] = { NULL, NULL, NULL };
	int n = 0;

	snprintf(auth, sizeof auth, "Authorization: Bearer %s", token ? token : "");
	if (token != NULL)
		h[n++] = auth;
	if (extra != NULL)
		h[n++] = extra;
	itest_http(&d, method, path, body, body ? strlen(body) : 0, ctype, h, r);
}

/* Imports csv as the manager. */
static void
import(const char *csv, struct itest_resp *r)
{
	send_as("POST", HISTORY, csv, "text/csv", manager_tok, NULL, r);
}

/* The number of tickets stored. */
static long
stored(void)
{
	char *out = itest_psql_out("SELECT count(*) FROM tickets");
	long n = strtol(out, NULL, 10);

	free(out);
	return n;
}

/* Asserts a 400 bad_csv at line for field, and that nothing was stored. */
static void
assert_bad(const char *csv, int line, const char *field)
{
	struct itest_resp r;
	long before = stored();

	import(csv, &r);
	ck_assert_msg(r.status == 400 && strcmp(itest_str(&r, "code"), "bad_csv") == 0,
	    "wanted bad_csv, got %ld %s", r.status, r.body);
	ck_assert_int_eq(json_integer_value(json_object_get(r.json, "line")), line);
	ck_assert_str_eq(itest_str(&r, "field"), field);
	ck_assert_int_eq(stored(), before);
	itest_resp_free(&r);
}

/* Two good rows, for prefixing bad ones. */
#define GOOD2 HEADER \
	"2026-12-01T09:00:00+09:00,ecert_renewal,walk_in,2026-12-01T09:10:00+09:00," \
	"2026-12-01T09:20:00+09:00,done\n" \
	"2026-12-01T09:05:00+09:00,pin_reset,reservation,,,no_show\n"

/* A good file is stored once; a second import and repeated rows are skipped. */
START_TEST(import_good_and_again)
{
	struct itest_resp r;
	char *out;

	import(GOOD2, &r);
	ck_assert_msg(r.status == 200, "%s", r.body);
	ck_assert_int_eq(json_integer_value(json_object_get(r.json, "imported")), 2);
	ck_assert_int_eq(json_integer_value(json_object_get(r.json, "skipped")), 0);
	itest_resp_free(&r);
	import(GOOD2, &r);
	ck_assert_int_eq(r.status, 200);
	ck_assert_int_eq(json_integer_value(json_object_get(r.json, "imported")), 0);
	ck_assert_int_eq(json_integer_value(json_object_get(r.json, "skipped")), 2);
	itest_resp_free(&r);
	/* The same instant with another offset is the same row; a repeat in one file too. */
	import(HEADER "2026-12-01T00:00:00Z,ecert_renewal,walk_in,2026-12-01T00:10:00Z,"
	    "2026-12-01T00:20:00Z,done\n"
	    "2026-12-02T09:00:00+09:00,ecert_renewal,walk_in,2026-12-02T09:01:00+09:00,"
	    "2026-12-02T09:02:00+09:00,done\n"
	    "\"2026-12-02T09:00:00+09:00\",ecert_renewal,walk_in,2026-12-02T09:01:00+09:00,"
	    "2026-12-02T09:02:00+09:00,done\n", &r);
	ck_assert_int_eq(r.status, 200);
	ck_assert_int_eq(json_integer_value(json_object_get(r.json, "imported")), 1);
	ck_assert_int_eq(json_integer_value(json_object_get(r.json, "skipped")), 2);
	itest_resp_free(&r);
	ck_assert_int_eq(stored(), 3);
	out = itest_psql_out("SELECT count(*) FROM tickets WHERE source = 'import' AND "
	    "first_called_at = called_at AND day = '2026-12-01'");
	ck_assert_str_eq(out, "1\n");
	free(out);
	out = itest_psql_out("SELECT count(*) FROM audit_log WHERE action = 'history.imported' "
	    "AND subject = 'r-main' AND actor LIKE 'staff:%'");
	ck_assert_str_eq(out, "3\n");
	free(out);
	/* Columns in another order are fine. */
	import("status,kind,service,issued_at,called_at,done_at\r\n"
	    "no_show,walk_in,pin_reset,2026-12-03T10:00:00+09:00,,\r\n", &r);
	ck_assert_int_eq(r.status, 200);
	ck_assert_int_eq(json_integer_value(json_object_get(r.json, "imported")), 1);
	itest_resp_free(&r);
}
END_TEST

/* Every bad row is a 400 naming its line and field, and nothing is stored. */
START_TEST(import_bad_rows)
{
	struct itest_resp r;

	assert_bad(GOOD2 "2026-12-01T10:00:00+09:00,ecert_renewal,phone,,,no_show\n", 4, "kind");
	assert_bad(GOOD2 "2026-12-01 10:00,ecert_renewal,walk_in,,,no_show\n", 4, "issued_at");
	assert_bad(GOOD2 "2026-12-01T10:00:00,ecert_renewal,walk_in,,,no_show\n", 4, "issued_at");
	assert_bad(GOOD2 "2026-12-01T10:00:00+09:00,passport,walk_in,,,no_show\n", 4, "service");
	assert_bad(GOOD2 "2026-12-01T10:00:00+09:00,ecert_renewal,walk_in,,"
	    "2026-12-01T10:20:00+09:00,done\n", 4, "called_at");
	assert_bad(GOOD2 "2026-12-01T10:00:00+09:00,ecert_renewal,walk_in,"
	    "2026-12-01T10:20:00+09:00,,done\n", 4, "done_at");
	assert_bad(GOOD2 "2026-12-01T10:00:00+09:00,ecert_renewal,walk_in,"
	    "2026-12-01T09:20:00+09:00,2026-12-01T10:30:00+09:00,done\n", 4, "called_at");
	assert_bad(GOOD2 "2026-12-01T10:00:00+09:00,ecert_renewal,walk_in,,,gone\n", 4, "status");
	assert_bad(GOOD2 "2026-12-01T10:00:00+09:00,ecert_renewal,walk_in,,\n", 4, "status");
	assert_bad(GOOD2 "2026-12-16T08:00:00+09:00,ecert_renewal,walk_in,,,no_show\n", 4,
	    "issued_at");
	assert_bad(GOOD2 "\"2026-12-01T10:00:00+09:00,ecert_renewal\n", 4, "row");
	/* A quoted field spanning lines moves the line count on. */
	assert_bad(GOOD2 "2026-12-01T10:00:00+09:00,\"pin\nreset\",walk_in,,,no_show\n", 4,
	    "service");
	assert_bad(GOOD2 "\"x\ny\",a,b,c,d,e\n2026-12-01T10:00:00+09:00,x,walk_in,,,no_show\n", 4,
	    "issued_at");
	assert_bad("issued_at,service,kind,called_at,done_at\n", 1, "status");
	assert_bad("issued_at,service,kind,called_at,done_at,status,extra\n", 1, "extra");
	assert_bad("", 1, "header");
	ck_assert_int_eq(stored(), 0);
	/* Not CSV, no token, a staff token, another office's manager. */
	send_as("POST", HISTORY, GOOD2, NULL, manager_tok, NULL, &r);
	ck_assert_int_eq(r.status, 415);
	ck_assert_str_eq(itest_str(&r, "code"), "unsupported_media_type");
	ck_assert(strstr(itest_str(&r, "detail"), "text/csv") != NULL);
	itest_resp_free(&r);
	send_as("POST", HISTORY, GOOD2, "text/csv", NULL, NULL, &r);
	ck_assert_int_eq(r.status, 401);
	itest_resp_free(&r);
	send_as("POST", HISTORY, GOOD2, "text/csv", staff_tok, NULL, &r);
	ck_assert_int_eq(r.status, 403);
	itest_resp_free(&r);
	send_as("POST", HISTORY, GOOD2, "text/csv", other_tok, NULL, &r);
	ck_assert_int_eq(r.status, 403);
	itest_resp_free(&r);
	ck_assert_int_eq(stored(), 0);
}
END_TEST

/* One generated ticket of the known history. */
struct row {
	time_t issued, called, done;	/* called and done 0 for a no-show */
	int svc;			/* 0 ecert_renewal, 1 pin_reset */
	int day;			/* index of its day */
	int weekday, hour;		/* ISO weekday and hour in Tokyo */
};

#define NDAYS 15
#define MAX_ROWS 2000
static struct row rows[MAX_ROWS];
static size_t nrows;
static const char *day_names[NDAYS];

/* A deterministic pseudo-random number below n. */
static unsigned
rnd(unsigned n)
{
	static unsigned long long s = 88172645463325252ULL;

	s ^= s << 13;
	s ^= s >> 7;
	s ^= s << 17;
	return (unsigned)(s % n);
}

/* Formats t as an instant in Tokyo ("+09:00") or, every third one, in UTC ("Z"). */
static void
fmt_instant(time_t t, char *buf, size_t len, bool utc)
{
	struct tm tm;
	time_t local = utc ? t : t + 9 * 3600;

	gmtime_r(&local, &tm);
	strftime(buf, len, utc ? "%Y-%m-%dT%H:%M:%SZ" : "%Y-%m-%dT%H:%M:%S+09:00", &tm);
}

/*
 * Makes the known history: the weekdays from Monday 2026-11-16 on, tickets
 * through the day, waits of 0-60 minutes, services of 3-20, one in ten a
 * no-show; returns it as CSV (caller frees).
 */
static char *
make_history(void)
{
	static const char *const dates[] = { "2026-11-16", "2026-11-17", "2026-11-18",
	    "2026-11-19", "2026-11-20", "2026-11-23", "2026-11-24", "2026-11-25", "2026-11-26",
	    "2026-11-27", "2026-11-30", "2026-12-01", "2026-12-02", "2026-12-03", "2026-12-04" };
	static const int weekdays[] = { 1, 2, 3, 4, 5, 1, 2, 3, 4, 5, 1, 2, 3, 4, 5 };
	size_t cap = 256 * MAX_ROWS, len = 0;
	char *csv = malloc(cap);

	len += (size_t)snprintf(csv, cap, HEADER);
	nrows = 0;
	for (int k = 0; k < NDAYS; k++) {
		struct tm tm = { 0 };
		int n = 20 + (int)rnd(60);

		day_names[k] = dates[k];
		sscanf(dates[k], "%d-%d-%d", &tm.tm_year, &tm.tm_mon, &tm.tm_mday);
		tm.tm_year -= 1900, tm.tm_mon -= 1;
		time_t midnight = timegm(&tm) - 9 * 3600;	/* 00:00 in Tokyo */
		for (int i = 0; i < n && nrows < MAX_ROWS; i++) {
			struct row *w = &rows[nrows++];
			char a[32], b[32], c[32];
			bool utc = rnd(3) == 0;

			w->issued = midnight + 9 * 3600 + (time_t)rnd(7 * 3600);
			w->svc = (int)rnd(2);
			w->day = k;
			w->weekday = weekdays[k];
			w->hour = (int)((w->issued - midnight) / 3600);
			w->called = w->done = 0;
			if (rnd(10) != 0) {
				w->called = w->issued + (time_t)rnd(3600);
				w->done = w->called + 180 + (time_t)rnd(17 * 60);
			}
			fmt_instant(w->issued, a, sizeof a, utc);
			if (w->called) {
				fmt_instant(w->called, b, sizeof b, utc);
				fmt_instant(w->done, c, sizeof c, !utc);
			}
			len += (size_t)snprintf(csv + len, cap - len, "%s,%s,%s,%s,%s,%s\n", a,
			    w->svc ? "pin_reset" : "ecert_renewal", rnd(2) ? "walk_in" : "reservation",
			    w->called ? b : "", w->called ? c : "", w->called ? "done" : "no_show");
		}
	}
	return csv;
}

/* Compares doubles for qsort. */
static int
cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

/* percentile_cont(p) of n values (sorted here), as PostgreSQL defines it. */
static double
percentile(double *v, size_t n, double p)
{
	double pos, frac;
	size_t lo;

	qsort(v, n, sizeof *v, cmp_double);
	pos = p * (double)(n - 1);
	lo = (size_t)pos;
	frac = pos - (double)lo;
	return lo + 1 < n ? v[lo] + frac * (v[lo + 1] - v[lo]) : v[lo];
}

/* The figures of the rows that pass keep(). */
struct figures {
	long arrivals, served, no_shows;
	double p50, p90, service_mean, within;
};

/* Computes the figures over the rows for which keep(row, arg) is true. */
static void
compute(bool (*keep)(const struct row *, const void *), const void *arg, struct figures *f)
{
	static double waits[MAX_ROWS];
	double svc_sum = 0;
	long within = 0;

	memset(f, 0, sizeof *f);
	for (size_t i = 0; i < nrows; i++) {
		if (!keep(&rows[i], arg))
			continue;
		f->arrivals++;
		if (rows[i].called == 0) {
			f->no_shows++;
			continue;
		}
		waits[f->served++] = (double)(rows[i].called - rows[i].issued) / 60;
		svc_sum += (double)(rows[i].done - rows[i].called) / 60;
		within += rows[i].called - rows[i].issued <= TARGET * 60;
	}
	if (f->served == 0)
		return;
	f->service_mean = svc_sum / (double)f->served;
	f->within = (double)within / (double)f->served;
	f->p50 = percentile(waits, (size_t)f->served, 0.5);
	f->p90 = percentile(waits, (size_t)f->served, 0.9);
}

/* A number member, failing when absent. */
static double
num(json_t *o, const char *key)
{
	json_t *v = json_object_get(o, key);

	ck_assert_msg(json_is_number(v), "no number %s", key);
	return json_number_value(v);
}

/* Checks the figures of a report object against f. */
static void
assert_figures(json_t *o, const struct figures *f, const char *what)
{
	ck_assert_msg(num(o, "arrivals") == f->arrivals, "%s arrivals %g != %ld", what,
	    num(o, "arrivals"), f->arrivals);
	ck_assert_msg(num(o, "served") == f->served, "%s served", what);
	ck_assert_msg(num(o, "no_shows") == f->no_shows, "%s no_shows", what);
	ck_assert_msg(fabs(num(o, "wait_p50_min") - f->p50) < EPS_MIN, "%s p50 %g != %g", what,
	    num(o, "wait_p50_min"), f->p50);
	ck_assert_msg(fabs(num(o, "wait_p90_min") - f->p90) < EPS_MIN, "%s p90 %g != %g", what,
	    num(o, "wait_p90_min"), f->p90);
	ck_assert_msg(fabs(num(o, "service_mean_min") - f->service_mean) < EPS_MIN,
	    "%s service mean %g != %g", what, num(o, "service_mean_min"), f->service_mean);
	ck_assert_msg(fabs(num(o, "within_target") - f->within) < EPS_SHARE,
	    "%s within %g != %g", what, num(o, "within_target"), f->within);
}

/* Filters for compute(). */
struct filter {
	int day, weekday, hour, svc;	/* -1: any */
};

static bool
keep_filter(const struct row *w, const void *arg)
{
	const struct filter *f = arg;

	return (f->day < 0 || w->day == f->day) && (f->weekday < 0 || w->weekday == f->weekday) &&
	    (f->hour < 0 || w->hour == f->hour) && (f->svc < 0 || w->svc == f->svc);
}

/* Fetches the load report for service (NULL: all). */
static void
load_report(const char *service, const char *accept, struct itest_resp *r)
{
	char path[256];

	snprintf(path, sizeof path, "/v1/reports/load?office=r-main&from=2026-11-01&to=2026-12-15%s%s",
	    service ? "&service=" : "", service ? service : "");
	send_as("GET", path, NULL, NULL, manager_tok, accept, r);
	ck_assert_msg(r->status == 200, "%s", r->body);
}

/* Checks a whole load report (by day, by weekday and hour, totals) for svc (-1: all). */
static void
check_report(json_t *rep, int svc)
{
	json_t *days = json_object_get(rep, "by_day"), *hours = json_object_get(rep, "by_weekday_hour");
	struct filter all = { -1, -1, -1, svc };
	struct figures f;
	size_t i;
	json_t *o;

	compute(keep_filter, &all, &f);
	assert_figures(json_object_get(rep, "totals"), &f, "totals");
	ck_assert_uint_eq(json_array_size(days), NDAYS);
	json_array_foreach(days, i, o) {
		struct filter fd = { (int)i, -1, -1, svc };
		ck_assert_str_eq(json_string_value(json_object_get(o, "date")), day_names[i]);
		compute(keep_filter, &fd, &f);
		assert_figures(o, &f, day_names[i]);
	}
	json_array_foreach(hours, i, o) {
		struct filter fh = { -1, (int)num(o, "weekday"), (int)num(o, "hour"), svc };
		struct figures g;
		compute(keep_filter, &fh, &g);
		/* Every weekday of the range had tickets on 3 days. */
		ck_assert_int_eq((int)num(o, "days"), 3);
		ck_assert_msg(fabs(num(o, "arrivals_mean") - g.arrivals / 3.0) < 0.0006,
		    "arrivals_mean %g != %g", num(o, "arrivals_mean"), g.arrivals / 3.0);
		if (g.served > 0) {
			ck_assert(fabs(num(o, "wait_p50_min") - g.p50) < EPS_MIN);
			ck_assert(fabs(num(o, "wait_p90_min") - g.p90) < EPS_MIN);
		}
	}
	ck_assert_uint_gt(json_array_size(hours), 20);
}

/* The load report agrees with an independent computation over the same rows. */
START_TEST(load_report_figures)
{
	struct itest_resp r;
	char *csv = make_history(), *path, cmd[1024], *out;
	FILE *f;
	long arrivals = 0;

	import(csv, &r);
	ck_assert_msg(r.status == 200, "%s", r.body);
	ck_assert_int_eq(json_integer_value(json_object_get(r.json, "imported")), (long)nrows);
	itest_resp_free(&r);
	free(csv);
	load_report(NULL, NULL, &r);
	ck_assert_str_eq(itest_str(&r, "office"), "r-main");
	ck_assert_str_eq(itest_str(&r, "from"), "2026-11-01");
	check_report(r.json, -1);
	itest_resp_free(&r);
	load_report("pin_reset", NULL, &r);
	check_report(r.json, 1);
	itest_resp_free(&r);
	/* CSV, read by Python's csv module: the rows and their sum of arrivals. */
	load_report(NULL, "Accept: text/csv", &r);
	ck_assert(strstr(r.headers, "text/csv") != NULL);
	path = itest_tmp_path("load.csv");
	f = fopen(path, "w");
	fwrite(r.body, 1, r.len, f);
	fclose(f);
	snprintf(cmd, sizeof cmd, "python3 -c 'import csv,sys; rows=list(csv.DictReader("
	    "open(sys.argv[1], newline=\"\"))); print(len(rows), sum(int(x[\"arrivals\"]) for x in rows), "
	    "rows[0][\"date\"], rows[0][\"wait_p50_min\"])' %s > %s.out", path, path);
	ck_assert_int_eq(system(cmd), 0);
	snprintf(cmd, sizeof cmd, "%s.out", path);
	f = fopen(cmd, "r");
	out = calloc(1, 256);
	ck_assert(fgets(out, 256, f) != NULL);
	fclose(f);
	for (size_t i = 0; i < nrows; i++)
		arrivals++;
	{
		int n;
		long sum;
		char date[16];
		double p50;
		struct filter f0 = { 0, -1, -1, -1 };
		struct figures g;
		ck_assert_int_eq(sscanf(out, "%d %ld %15s %lf", &n, &sum, date, &p50), 4);
		ck_assert_int_eq(n, NDAYS);
		ck_assert_int_eq(sum, arrivals);
		ck_assert_str_eq(date, day_names[0]);
		compute(keep_filter, &f0, &g);
		ck_assert(fabs(p50 - g.p50) < EPS_MIN);
	}
	free(out);
	itest_resp_free(&r);
	/* Staff may not read reports; another office's manager neither; the reading is audited. */
	send_as("GET", "/v1/reports/load?office=r-main&from=2026-11-01&to=2026-12-15", NULL, NULL,
	    staff_tok, NULL, &r);
	ck_assert_int_eq(r.status, 403);
	itest_resp_free(&r);
	send_as("GET", "/v1/reports/load?office=r-main&from=2026-11-01&to=2026-12-15", NULL, NULL,
	    other_tok, NULL, &r);
	ck_assert_int_eq(r.status, 403);
	itest_resp_free(&r);
	send_as("GET", "/v1/reports/load?office=r-main&from=2026-12-15&to=2026-11-01", NULL, NULL,
	    manager_tok, NULL, &r);
	ck_assert_int_eq(r.status, 400);
	itest_resp_free(&r);
	out = itest_psql_out("SELECT count(*) FROM audit_log WHERE action = 'report.load'");
	ck_assert_str_eq(out, "3\n");
	free(out);
}
END_TEST

/* Restarts the daemon with its clock at 2026-12-16 hh:mm in Tokyo. */
static void
restart_at(int hh, int mm)
{
	static char env0[64];
	const char *env[] = { env0, NULL };

	snprintf(env0, sizeof env0, "MADOGUCHI_NOW=2026-12-16T%02d:%02d:00+09:00", hh, mm);
	itest_daemon_stop(&d);
	itest_daemon_start(&d, cfg, env);
}

/* The ticket id in a call or create answer. */
static long long
ticket_of(const struct itest_resp *r)
{
	ck_assert_msg(r->status == 200 || r->status == 201, "%ld %s", r->status, r->body);
	return (long long)json_integer_value(json_object_get(r->json, "ticket"));
}

/* Takes a walk-in ticket at daemon at, then calls it to counter c there. */
static long long
walk_in_called(const struct itest_daemon *at, int c)
{
	char auth[200], path[64];
	const char *h[] = { auth, NULL };
	struct itest_resp r;
	long long id;

	snprintf(auth, sizeof auth, "Authorization: Bearer %s", staff_tok);
	itest_http(at, "POST", "/v1/offices/r-main/tickets", "{\"service\":\"ecert_renewal\"}",
	    strlen("{\"service\":\"ecert_renewal\"}"), NULL, h, &r);
	ticket_of(&r);
	itest_resp_free(&r);
	snprintf(path, sizeof path, "/v1/offices/r-main/counters/%d/next", c);
	itest_http(at, "POST", path, "", 0, NULL, h, &r);
	id = ticket_of(&r);
	itest_resp_free(&r);
	return id;
}

/*
 * Two daemons whose clocks disagree by ten minutes: tickets called by the one
 * ahead and finished by the one behind (by done, and by the counter's next
 * call) are still not done before their call, and the mean service time is
 * never negative, not even over rows stored that way by an older version.
 */
START_TEST(service_never_negative)
{
	static const char *const env[] = { "MADOGUCHI_NOW=2026-12-16T09:10:00+09:00", NULL };
	struct itest_daemon ahead;
	struct itest_resp r;
	char path[64];
	long long a;
	char *out;

	itest_daemon_start(&ahead, cfg, env);
	a = walk_in_called(&ahead, 1);
	snprintf(path, sizeof path, "/v1/tickets/%lld/done", a);
	send_as("POST", path, "", NULL, staff_tok, NULL, &r);
	ck_assert_msg(r.status == 200, "%s", r.body);
	itest_resp_free(&r);
	walk_in_called(&ahead, 2);
	send_as("POST", "/v1/offices/r-main/counters/2/next", "", NULL, staff_tok, NULL, &r);
	ck_assert_msg(r.status == 204, "%ld %s", r.status, r.body);
	itest_resp_free(&r);
	itest_daemon_stop(&ahead);
	out = itest_psql_out("SELECT count(*) FILTER (WHERE done_at < called_at), count(*) "
	    "FROM tickets WHERE status = 'done'");
	ck_assert_str_eq(out, "0|2\n");
	free(out);
	send_as("GET", "/v1/reports/load?office=r-main&from=2026-12-16&to=2026-12-16", NULL, NULL,
	    manager_tok, NULL, &r);
	ck_assert_msg(r.status == 200, "%s", r.body);
	ck_assert(num(json_object_get(r.json, "totals"), "service_mean_min") >= 0);
	itest_resp_free(&r);
	/* As an older version stored it: done five minutes before the call. */
	ck_assert_int_eq(itest_psql("UPDATE tickets SET done_at = called_at - interval '5 min' "
	    "WHERE status = 'done'"), 0);
	send_as("GET", "/v1/reports/load?office=r-main&from=2026-12-16&to=2026-12-16", NULL, NULL,
	    manager_tok, NULL, &r);
	ck_assert_msg(r.status == 200, "%s", r.body);
	ck_assert(num(json_object_get(r.json, "totals"), "service_mean_min") == 0);
	ck_assert(num(json_array_get(json_object_get(r.json, "by_day"), 0),
	    "service_mean_min") == 0);
	itest_resp_free(&r);
}
END_TEST

/*
 * A walk-in issued by a daemon whose clock is ten minutes ahead and called by
 * one behind it is called no earlier than it was issued, so its wait is not
 * minus ten minutes; and rows an older version stored called before their
 * issue count as no wait in both reports.
 */
START_TEST(wait_never_negative)
{
	static const char *const env[] = { "MADOGUCHI_NOW=2026-12-16T09:10:00+09:00", NULL };
	static const char *const load = "/v1/reports/load?office=r-main&from=2026-12-16"
	    "&to=2026-12-16";
	static const char *const est = "/v1/reports/estimates?office=r-main&from=2026-12-16"
	    "&to=2026-12-16";
	struct itest_daemon ahead;
	struct itest_resp r;
	json_t *totals;
	char auth[200], *out;
	const char *h[] = { auth, NULL };

	snprintf(auth, sizeof auth, "Authorization: Bearer %s", staff_tok);
	itest_daemon_start(&ahead, cfg, env);
	itest_http(&ahead, "POST", "/v1/offices/r-main/tickets", "{\"service\":\"ecert_renewal\"}",
	    strlen("{\"service\":\"ecert_renewal\"}"), NULL, h, &r);
	ticket_of(&r);
	itest_resp_free(&r);
	itest_daemon_stop(&ahead);
	/* Called at 09:00 by this daemon's clock, then finished by its next call. */
	send_as("POST", "/v1/offices/r-main/counters/1/next", "", NULL, staff_tok, NULL, &r);
	ticket_of(&r);
	itest_resp_free(&r);
	send_as("POST", "/v1/offices/r-main/counters/1/next", "", NULL, staff_tok, NULL, &r);
	ck_assert_msg(r.status == 204, "%ld %s", r.status, r.body);
	itest_resp_free(&r);
	out = itest_psql_out("SELECT count(*) FILTER (WHERE first_called_at = issued_at "
	    "AND done_at = called_at), count(*) FROM tickets WHERE status = 'done'");
	ck_assert_str_eq(out, "1|1\n");
	free(out);
	send_as("GET", load, NULL, NULL, manager_tok, NULL, &r);
	ck_assert_msg(r.status == 200, "%s", r.body);
	ck_assert(num(json_object_get(r.json, "totals"), "wait_p50_min") == 0);
	itest_resp_free(&r);
	/* As an older version stored it: called five minutes before its issue. */
	ck_assert_int_eq(itest_psql("UPDATE tickets SET first_called_at = issued_at - interval "
	    "'5 min', called_at = issued_at - interval '5 min', done_at = issued_at "
	    "WHERE status = 'done'"), 0);
	send_as("GET", load, NULL, NULL, manager_tok, NULL, &r);
	ck_assert_msg(r.status == 200, "%s", r.body);
	totals = json_object_get(r.json, "totals");
	ck_assert(num(totals, "wait_p50_min") == 0 && num(totals, "wait_p90_min") == 0);
	ck_assert(num(json_array_get(json_object_get(r.json, "by_day"), 0), "wait_p50_min") == 0);
	itest_resp_free(&r);
	send_as("GET", est, NULL, NULL, manager_tok, NULL, &r);
	ck_assert_msg(r.status == 200, "%s", r.body);
	ck_assert_msg(num(json_object_get(r.json, "totals"), "wait_mean_min") == 0, "%s", r.body);
	itest_resp_free(&r);
}
END_TEST

/*
 * A simulated morning: every ten minutes of the clock (the daemon restarted at
 * each), new walk-ins take tickets and each counter calls its next resident.
 * The estimates report then agrees with the promises and waits stored on the
 * tickets, and the figures are printed for the record.
 */
START_TEST(estimates_simulated_day)
{
	struct itest_resp r;
	char *out, *line;
	double mae_p = 0, mae_f = 0;
	long n = 0, within = 0;

	for (int tick = 0; tick < 18; tick++) {
		int hh = 9 + tick / 6, mm = (tick % 6) * 10;
		int arrivals = tick < 12 ? 1 + (int)rnd(4) : (int)rnd(2);

		restart_at(hh, mm);
		for (int i = 0; i < arrivals; i++) {
			send_as("POST", "/v1/offices/r-main/tickets", rnd(3) ? "{\"service\":\"ecert_renewal\"}" :
			    "{\"service\":\"pin_reset\"}", NULL, staff_tok, NULL, &r);
			ck_assert_msg(r.status == 201, "%s", r.body);
			itest_resp_free(&r);
		}
		for (int c = 1; c <= 2; c++) {
			char path[64];
			snprintf(path, sizeof path, "/v1/offices/r-main/counters/%d/next", c);
			send_as("POST", path, "", NULL, staff_tok, NULL, &r);
			ck_assert(r.status == 200 || r.status == 204);
			itest_resp_free(&r);
		}
	}
	out = itest_psql_out("SELECT extract(epoch FROM first_called_at - issued_at) / 60, "
	    "promised_wait_min, formula_wait_min FROM tickets WHERE first_called_at IS NOT NULL");
	for (line = strtok(out, "\n"); line != NULL; line = strtok(NULL, "\n")) {
		double w, p, f;
		ck_assert_int_eq(sscanf(line, "%lf|%lf|%lf", &w, &p, &f), 3);
		mae_p += fabs(w - p);
		mae_f += fabs(w - f);
		within += fabs(w - p) <= 10;
		n++;
	}
	free(out);
	ck_assert_int_gt(n, 10);
	send_as("GET", "/v1/reports/estimates?office=r-main&from=2026-12-16&to=2026-12-16", NULL,
	    NULL, manager_tok, NULL, &r);
	ck_assert_msg(r.status == 200, "%s", r.body);
	{
		json_t *day = json_array_get(json_object_get(r.json, "days"), 0);
		ck_assert_ptr_nonnull(day);
		ck_assert_str_eq(json_string_value(json_object_get(day, "date")), "2026-12-16");
		ck_assert_int_eq((long)num(day, "tickets"), n);
		ck_assert(fabs(num(day, "promised_mae_min") - mae_p / n) < EPS_MIN);
		ck_assert(fabs(num(day, "formula_mae_min") - mae_f / n) < EPS_MIN);
		ck_assert(fabs(num(day, "within_10_min") - (double)within / n) < EPS_SHARE);
		fprintf(stderr, "estimates after a simulated morning: %ld residents called, "
		    "learned estimate MAE %.2f min (%.0f %% within 10 min), fixed formula MAE "
		    "%.2f min (%.0f %% within 10 min)\n", n, num(day, "promised_mae_min"),
		    100 * num(day, "within_10_min"), num(day, "formula_mae_min"),
		    100 * num(day, "formula_within_10_min"));
	}
	itest_resp_free(&r);
	send_as("GET", "/v1/reports/estimates?office=r-main&from=2026-12-16&to=2026-12-16", NULL,
	    NULL, staff_tok, NULL, &r);
	ck_assert_int_eq(r.status, 403);
	itest_resp_free(&r);
}
END_TEST

/* /metrics: refused without a token, promtool accepts it, counts come from the rows. */
START_TEST(metrics_exposition)
{
	struct itest_resp r;
	char *path, cmd[1024];
	FILE *f;

	import(GOOD2, &r);
	itest_resp_free(&r);
	send_as("POST", "/v1/offices/r-main/tickets", "{\"service\":\"pin_reset\"}", NULL,
	    staff_tok, NULL, &r);
	ck_assert_int_eq(r.status, 201);
	itest_resp_free(&r);
	send_as("GET", "/metrics", NULL, NULL, NULL, NULL, &r);
	ck_assert_int_eq(r.status, 401);
	itest_resp_free(&r);
	send_as("GET", "/metrics", NULL, NULL, staff_tok, NULL, &r);
	ck_assert_int_eq(r.status, 403);
	itest_resp_free(&r);
	send_as("GET", "/metrics", NULL, NULL, admin_tok, NULL, &r);
	ck_assert_int_eq(r.status, 200);
	ck_assert(strstr(r.headers, "text/plain; version=0.0.4") != NULL);
	/* Imported tickets are history, not today's traffic. */
	ck_assert(strstr(r.body, "madoguchi_tickets_issued_total{office=\"r-main\"} 1\n") != NULL);
	ck_assert(strstr(r.body, "madoguchi_queue_waiting{office=\"r-main\",service=\"pin_reset\"} 1\n")
	    != NULL);
	ck_assert(strstr(r.body, "madoguchi_database_up 1\n") != NULL);
	ck_assert(strstr(r.body, "madoguchi_http_requests_total{route=\"metrics\",status=\"401\"} 1\n")
	    != NULL);
	ck_assert(strstr(r.body, "madoguchi_http_request_duration_seconds_bucket{route=\"ticket_create\","
	    "le=\"+Inf\"} 1\n") != NULL);
	path = itest_tmp_path("metrics.txt");
	f = fopen(path, "w");
	fwrite(r.body, 1, r.len, f);
	fclose(f);
	itest_resp_free(&r);
	snprintf(cmd, sizeof cmd, "promtool check metrics < %s", path);
	ck_assert_msg(system(cmd) == 0, "promtool check metrics failed");
	ck_assert_msg(system("promtool check rules deploy/alerts.yml >/dev/null") == 0,
	    "promtool check rules deploy/alerts.yml failed");
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("reports");
	TCase *tc = tcase_create("reports");
	SRunner *sr;
	int failed;

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 120);
	tcase_add_test(tc, import_good_and_again);
	tcase_add_test(tc, import_bad_rows);
	tcase_add_test(tc, load_report_figures);
	tcase_add_test(tc, estimates_simulated_day);
	tcase_add_test(tc, service_never_negative);
	tcase_add_test(tc, wait_never_negative);
	tcase_add_test(tc, metrics_exposition);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
