/*
 * The daemon as a whole: health, offices, errors, limits, the database going
 * away and coming back, reloads, the connection cap, deadlines and shutdown.
 */
#include "itest.h"

#include <arpa/inet.h>
#include <check.h>
#include <curl/curl.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

/* The daemon most tests share, started in the fixture. */
static struct itest_daemon d;

/* Starts the shared daemon. */
static void
setup(void)
{
	curl_global_init(CURL_GLOBAL_DEFAULT);
	itest_daemon_start(&d, NULL, NULL);
}

/* Stops it. */
static void
teardown(void)
{
	itest_daemon_stop(&d);
}

/* Milliseconds since an arbitrary start. */
static long
now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000L + ts.tv_nsec / 1000000L;
}

/* Opens a TCP connection to the daemon. */
static int
connect_to(const struct itest_daemon *dd)
{
	struct sockaddr_in sa = { .sin_family = AF_INET, .sin_port = htons((uint16_t)dd->port) };
	int fd = socket(AF_INET, SOCK_STREAM, 0);

	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	ck_assert(fd >= 0);
	ck_assert(connect(fd, (struct sockaddr *)&sa, sizeof sa) == 0);
	return fd;
}

/* Asserts that r is a problem document with status and code. */
static void
assert_problem(const struct itest_resp *r, long status, const char *code)
{
	char ct[128];

	ck_assert_int_eq(r->status, status);
	ck_assert_ptr_nonnull(itest_header(r, "Content-Type", ct, sizeof ct));
	ck_assert_str_eq(ct, "application/problem+json");
	ck_assert_ptr_nonnull(r->json);
	ck_assert_str_eq(itest_str(r, "code"), code);
	ck_assert_int_eq(json_integer_value(json_object_get(r->json, "status")), status);
	ck_assert(strlen(itest_str(r, "detail")) > 0);
	ck_assert(strlen(itest_str(r, "title")) > 0);
	ck_assert(strncmp(itest_str(r, "type"), "urn:madoguchi:problem:", 22) == 0);
}

/* /healthz answers 200 with both parts ok. */
START_TEST(healthz_ok)
{
	struct itest_resp r;

	itest_get(&d, "/healthz", &r);
	ck_assert_int_eq(r.status, 200);
	ck_assert_str_eq(itest_str(&r, "status"), "ok");
	ck_assert_str_eq(itest_str(&r, "database"), "ok");
	itest_resp_free(&r);
}
END_TEST

/* /v1/offices lists every configured office with municipality and services. */
START_TEST(offices_list)
{
	struct itest_resp r;
	json_t *list, *o;
	size_t i;
	bool found = false;

	itest_get(&d, "/v1/offices", &r);
	ck_assert_int_eq(r.status, 200);
	list = json_object_get(r.json, "offices");
	ck_assert(json_array_size(list) >= 13);
	json_array_foreach(list, i, o) {
		if (strcmp(json_string_value(json_object_get(o, "id")), "kasugai-main") != 0)
			continue;
		found = true;
		ck_assert_str_eq(json_string_value(json_object_get(o, "municipality")), "kasugai");
		ck_assert_str_eq(json_string_value(json_object_get(o, "name")), "市役所戸籍住民課");
		ck_assert(json_array_size(json_object_get(o, "services")) == 7);
	}
	ck_assert(found);
	itest_resp_free(&r);
}
END_TEST

/* An unknown path is a 404 problem. */
START_TEST(unknown_path_404)
{
	struct itest_resp r;

	itest_get(&d, "/v1/nothing-here", &r);
	assert_problem(&r, 404, "not_found");
	itest_resp_free(&r);
}
END_TEST

/* A known path with the wrong method is 405 with an Allow header. */
START_TEST(wrong_method_405)
{
	struct itest_resp r;
	char allow[64];

	itest_http(&d, "DELETE", "/v1/offices", NULL, 0, NULL, NULL, &r);
	assert_problem(&r, 405, "method_not_allowed");
	ck_assert_str_eq(itest_header(&r, "Allow", allow, sizeof allow), "GET");
	itest_resp_free(&r);
}
END_TEST

/* An unknown query parameter is refused, naming it. */
START_TEST(unknown_query_parameter)
{
	struct itest_resp r;

	itest_get(&d, "/v1/offices?colour=red", &r);
	assert_problem(&r, 400, "unknown_parameter");
	ck_assert_str_eq(itest_str(&r, "field"), "colour");
	itest_resp_free(&r);
}
END_TEST

/* An escaped NUL in a query parameter is refused, not cut short ("2026%00" is not 2026). */
START_TEST(nul_in_query_refused)
{
	struct itest_resp r;

	itest_get(&d, "/v1/holidays?year=2026%00", &r);
	assert_problem(&r, 400, "invalid_query");
	ck_assert_str_eq(itest_str(&r, "field"), "year");
	itest_resp_free(&r);
	itest_get(&d, "/v1/offices/kasugai-main/availability?service=pin_reset%00x", &r);
	assert_problem(&r, 400, "invalid_query");
	ck_assert_str_eq(itest_str(&r, "field"), "service");
	itest_resp_free(&r);
	itest_get(&d, "/v1/holidays?year=2026", &r);
	ck_assert_int_eq(r.status, 200);
	itest_resp_free(&r);
}
END_TEST

/* "/v1/offices/" is "/v1/offices"; a fixed segment is percent-decoded like a parameter. */
START_TEST(path_slash_and_escapes)
{
	struct itest_resp r;

	itest_get(&d, "/v1/offices/", &r);
	ck_assert_int_eq(r.status, 200);
	ck_assert(json_array_size(json_object_get(r.json, "offices")) >= 13);
	itest_resp_free(&r);
	itest_get(&d, "/v1/offices/kasugai-main/qu%65ue", &r);
	ck_assert_int_eq(r.status, 200);
	itest_resp_free(&r);
	itest_get(&d, "/v1/offices/kasugai%2Dmain/queue", &r);
	ck_assert_int_eq(r.status, 200);
	itest_resp_free(&r);
}
END_TEST

/* X-Request-Id is echoed when sane, replaced when not, generated when absent. */
START_TEST(request_id)
{
	const char *mine[] = { "X-Request-Id: test-123.abc", NULL };
	const char *evil[] = { "X-Request-Id: <script>", NULL };
	struct itest_resp r;
	char id[80];

	itest_http(&d, "GET", "/healthz", NULL, 0, NULL, mine, &r);
	ck_assert_str_eq(itest_header(&r, "X-Request-Id", id, sizeof id), "test-123.abc");
	itest_resp_free(&r);
	itest_http(&d, "GET", "/healthz", NULL, 0, NULL, evil, &r);
	ck_assert_str_ne(itest_header(&r, "X-Request-Id", id, sizeof id), "<script>");
	ck_assert_int_eq(strlen(id), 24);
	itest_resp_free(&r);
	itest_get(&d, "/healthz", &r);
	ck_assert_int_eq(strlen(itest_header(&r, "X-Request-Id", id, sizeof id)), 24);
	itest_resp_free(&r);
}
END_TEST

/* A body over the limit (3 MB) is refused with 413. */
START_TEST(body_too_large_413)
{
	size_t len = 3 * 1024 * 1024;
	char *big = malloc(len);
	struct itest_resp r;

	memset(big, ' ', len);
	big[0] = '{';
	big[len - 1] = '}';
	itest_http(&d, "POST", "/v1/eligibility", big, len, NULL, NULL, &r);
	ck_assert_int_eq(r.status, 413);
	itest_resp_free(&r);
	free(big);
	itest_get(&d, "/healthz", &r);
	ck_assert_int_eq(r.status, 200);
	itest_resp_free(&r);
}
END_TEST

/* 300 malformed JSON bodies: each a 4xx problem with a code; the daemon stays up. */
START_TEST(malformed_json_bodies)
{
	static const char *const shapes[] = { "{", "}", "[]", "\"x\"", "{\"a\":}", "{\"a\" 1}",
		"{\"a\":1,}", "{'a':1}", "nul", "{\"a\":\"\\u12\"}", "{\"a\":1}{", "\xff\xfe{}",
		"{\"a\":1,\"a\":2}", "", "{\"service\":" };
	struct itest_resp r;
	char body[256];

	for (int i = 0; i < 300; i++) {
		const char *s = shapes[i % (sizeof shapes / sizeof shapes[0])];
		int n = snprintf(body, sizeof body, "%s%.*s", s, i % 7, "       ");
		itest_http(&d, "POST", "/v1/eligibility", body, (size_t)n, NULL, NULL, &r);
		ck_assert_msg(r.status >= 400 && r.status < 500, "body %d got %ld", i, r.status);
		ck_assert_msg(r.json && strlen(itest_str(&r, "code")) > 0, "body %d: no code", i);
		itest_resp_free(&r);
	}
	itest_get(&d, "/healthz", &r);
	ck_assert_int_eq(r.status, 200);
	itest_resp_free(&r);
}
END_TEST

/* Today in Tokyo moved by years, months and days, as `date -d` would, as YYYY-MM-DD. */
static void
tokyo_date(int years, int months, int days, char out[11])
{
	time_t now = time(NULL) + 9 * 3600;
	struct tm tm;

	gmtime_r(&now, &tm);
	tm.tm_year += years, tm.tm_mon += months, tm.tm_mday += days;
	tm.tm_hour = 12, tm.tm_isdst = 0;
	now = timegm(&tm);
	gmtime_r(&now, &tm);
	strftime(out, 11, "%Y-%m-%d", &tm);
}

/*
 * The README's eligibility example, with its dates computed from today as the
 * README computes them, is allowed; a visit before today is refused.
 */
START_TEST(readme_eligibility_example)
{
	char visit[11], birth[11], issued[11], body[512];
	struct itest_resp r;

	tokyo_date(0, 0, 14, visit);
	tokyo_date(-35, 1, 0, birth);
	tokyo_date(-4, -6, 0, issued);
	snprintf(body, sizeof body, "{\"service\": \"ecert_renewal\", \"visit_date\": \"%s\", "
	    "\"language\": \"en\", \"applicant\": {\"birth_date\": \"%s\", \"card\": "
	    "{\"issued_on\": \"%s\"}, \"certificates\": {\"issued_on\": \"%s\"}, "
	    "\"attendee\": \"self\"}}", visit, birth, issued, issued);
	itest_post(&d, "/v1/eligibility", body, &r);
	ck_assert_msg(r.status == 200, "%ld %s", r.status, r.body);
	ck_assert_msg(json_is_true(json_object_get(r.json, "allowed")), "%s", r.body);
	ck_assert_str_eq(itest_str(&r, "kind"), "renewal");
	itest_resp_free(&r);
	snprintf(body, sizeof body, "{\"service\": \"ecert_renewal\", \"visit_date\": "
	    "\"2025-05-20\", \"applicant\": {\"birth_date\": \"1990-07-15\", \"card\": "
	    "{\"issued_on\": \"2021-03-01\"}, \"certificates\": {\"issued_on\": "
	    "\"2021-03-01\"}}}");
	itest_post(&d, "/v1/eligibility", body, &r);
	assert_problem(&r, 422, "visit_in_past");
	ck_assert_str_eq(itest_str(&r, "field"), "visit_date");
	itest_resp_free(&r);
}
END_TEST

/* A body that is not declared as JSON gets 415. */
START_TEST(wrong_content_type_415)
{
	struct itest_resp r;

	itest_http(&d, "POST", "/v1/eligibility", "{}", 2, "text/plain", NULL, &r);
	assert_problem(&r, 415, "unsupported_media_type");
	itest_resp_free(&r);
}
END_TEST

/* PostgreSQL stopping gives 503 within 5 s; starting it gives 200 within 15 s. */
START_TEST(database_outage_and_recovery)
{
	struct itest_resp r;
	long t0, st = 0;

	itest_db_stop();
	t0 = now_ms();
	while (now_ms() - t0 < 5000) {
		itest_get(&d, "/healthz", &r);
		st = r.status;
		if (st == 503) {
			ck_assert_str_eq(itest_str(&r, "code"), "database_unavailable");
			ck_assert_str_eq(itest_str(&r, "database"), "unavailable");
		}
		itest_resp_free(&r);
		if (st == 503)
			break;
		usleep(100000);
	}
	ck_assert_int_eq(st, 503);
	itest_get(&d, "/v1/offices", &r);	/* needs no database */
	ck_assert_int_eq(r.status, 200);
	itest_resp_free(&r);
	itest_db_start();
	t0 = now_ms();
	while (now_ms() - t0 < 15000) {
		itest_get(&d, "/healthz", &r);
		st = r.status;
		itest_resp_free(&r);
		if (st == 200)
			break;
		usleep(100000);
	}
	ck_assert_int_eq(st, 200);
	ck_assert(kill(d.pid, 0) == 0);
}
END_TEST

/* SIGTERM with nothing in flight exits 0 promptly. */
START_TEST(sigterm_exits_zero)
{
	ck_assert_int_eq(itest_daemon_signal_wait(&d, SIGTERM, 5000), 0);
}
END_TEST

/* Sends sig to the daemon's PostgreSQL backends (SIGSTOP holds its queries). */
static void
signal_backends(int sig)
{
	char *out = itest_psql_out("SELECT pid FROM pg_stat_activity "
	    "WHERE application_name = 'madoguchid'");
	int n = 0;

	for (char *p = strtok(out, "\n"); p != NULL; p = strtok(NULL, "\n")) {
		ck_assert(kill(atoi(p), sig) == 0);
		n++;
	}
	ck_assert(n > 0);
	free(out);
}

/* Sends a /healthz request on a new connection without reading the answer. */
static int
start_request(void)
{
	const char req[] = "GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n";
	int fd = connect_to(&d);

	ck_assert(write(fd, req, sizeof req - 1) == (ssize_t)(sizeof req - 1));
	return fd;
}

/* SIGTERM waits for a request whose answer is still coming, then exits 0. */
START_TEST(sigterm_drains_in_flight)
{
	char buf[512];
	ssize_t n;
	int fd;

	signal_backends(SIGSTOP);
	fd = start_request();
	/* Time for the daemon to read the request (it then waits on the stopped backend). */
	usleep(300000);
	ck_assert_int_eq(itest_daemon_signal_wait(&d, SIGTERM, 500), -1);	/* draining */
	signal_backends(SIGCONT);
	n = read(fd, buf, sizeof buf - 1);
	ck_assert(n > 0);
	buf[n] = '\0';
	ck_assert_msg(strstr(buf, "200 OK") != NULL, "%s", buf);
	ck_assert(strstr(buf, "Connection: close") != NULL);
	ck_assert_int_eq(itest_daemon_signal_wait(&d, 0, 5000), 0);
	close(fd);
}
END_TEST

/* A second SIGTERM exits at once, even with a request in flight. */
START_TEST(second_sigterm_exits_at_once)
{
	int fd;

	signal_backends(SIGSTOP);
	fd = start_request();
	usleep(200000);
	ck_assert_int_eq(itest_daemon_signal_wait(&d, SIGTERM, 300), -1);
	ck_assert_int_eq(itest_daemon_signal_wait(&d, SIGTERM, 1000), 1);
	signal_backends(SIGCONT);
	close(fd);
}
END_TEST

/* A new connection after SIGTERM is refused (nobody listens any more). */
START_TEST(sigterm_stops_accepting)
{
	struct itest_resp r;

	ck_assert_int_eq(itest_daemon_signal_wait(&d, SIGTERM, 5000), 0);
	itest_get(&d, "/healthz", &r);
	ck_assert_int_eq(r.status, 0);
	itest_resp_free(&r);
}
END_TEST

/* Writes a config with the given http section, including the sample municipalities. */
static const char *
write_config(const char *name, const char *http_section)
{
	char *path = itest_tmp_path(name), text[2048], cwd[512];

	ck_assert(getcwd(cwd, sizeof cwd) != NULL);
	snprintf(text, sizeof text, "listen: 127.0.0.1:1\nhttp:\n%s\ninclude:\n  - %s/config/"
	    "municipalities/*.yaml\n", http_section, cwd);
	itest_write_file(path, text);
	return path;
}

/*
 * At the connection cap the oldest idle connection makes room for a new one;
 * when every connection is busy (streams here) the daemon stops accepting, and
 * closing one lets the next in.
 */
START_TEST(connection_cap)
{
	const char *cfg = write_config("cap.yaml", "  max_connections: 4\n  idle_timeout_s: 60\n"
	    "  read_deadline_s: 60");
	static const char stream[] = "GET /v1/offices/kasugai-main/events HTTP/1.1\r\n"
	    "Host: x\r\n\r\n";
	struct itest_daemon capped;
	int fds[4];
	struct itest_resp r;
	char buf[512];

	itest_daemon_start(&capped, cfg, NULL);
	for (int i = 0; i < 4; i++)
		fds[i] = connect_to(&capped);
	usleep(200000);
	/* Four idle connections: the oldest is closed for the new client. */
	itest_get(&capped, "/healthz", &r);
	ck_assert_int_eq(r.status, 200);
	itest_resp_free(&r);
	{
		struct pollfd p[4];
		int closed = 0;

		for (int i = 0; i < 4; i++)
			p[i] = (struct pollfd){ .fd = fds[i], .events = POLLIN };
		ck_assert(poll(p, 4, 1000) >= 1);
		for (int i = 0; i < 4; i++)
			closed += (p[i].revents & (POLLIN | POLLHUP)) && read(fds[i], buf, 1) == 0;
		ck_assert_int_eq(closed, 1);
	}
	for (int i = 0; i < 4; i++)
		close(fds[i]);
	usleep(200000);
	/* Four streams: nothing can be closed, so nobody else gets in. */
	for (int i = 0; i < 4; i++) {
		fds[i] = connect_to(&capped);
		ck_assert(write(fds[i], stream, sizeof stream - 1) == (ssize_t)(sizeof stream - 1));
		ck_assert(read(fds[i], buf, sizeof buf) > 0);
	}
	{
		CURL *c = curl_easy_init();
		char url[96];
		snprintf(url, sizeof url, "%s/healthz", capped.url);
		curl_easy_setopt(c, CURLOPT_URL, url);
		curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, 700L);
		curl_easy_setopt(c, CURLOPT_NOBODY, 1L);
		ck_assert_int_ne(curl_easy_perform(c), CURLE_OK);	/* refused or not accepted */
		curl_easy_cleanup(c);
	}
	for (int i = 0; i < 4; i++)
		close(fds[i]);
	usleep(200000);
	itest_get(&capped, "/healthz", &r);
	ck_assert_int_eq(r.status, 200);
	itest_resp_free(&r);
	itest_daemon_stop(&capped);
}
END_TEST

/* A client dripping a request slower than the read deadline is disconnected. */
START_TEST(read_deadline_drops_slow_client)
{
	const char *cfg = write_config("slow.yaml", "  read_deadline_s: 1\n  idle_timeout_s: 30");
	struct itest_daemon slow;
	struct pollfd pfd;
	char buf[64];
	long t0;
	int fd;

	itest_daemon_start(&slow, cfg, NULL);
	fd = connect_to(&slow);
	t0 = now_ms();
	ck_assert(write(fd, "GET /healthz HTTP/1.1\r\n", 23) == 23);
	for (int i = 0; i < 30; i++) {	/* one header byte every 100 ms keeps it "active" */
		pfd.fd = fd;
		pfd.events = POLLIN;
		if (poll(&pfd, 1, 100) > 0)
			break;
		if (write(fd, "X", 1) != 1)
			break;
	}
	ck_assert(read(fd, buf, sizeof buf) <= 0);
	ck_assert_msg(now_ms() - t0 < 2500, "dropped after %ld ms", now_ms() - t0);
	close(fd);
	itest_daemon_stop(&slow);
}
END_TEST

/* The number of offices rd serves, or -1 without an answer. */
static long
offices_served(const struct itest_daemon *rd)
{
	struct itest_resp r;
	long n;

	itest_get(rd, "/v1/offices", &r);
	n = r.status == 200 ? (long)json_array_size(json_object_get(r.json, "offices")) : -1;
	itest_resp_free(&r);
	return n;
}

/* The value of the metric line starting name in rd's /metrics, or -1. */
static long
metric_value(const struct itest_daemon *rd, const char *name)
{
	struct itest_resp r;
	const char *line;
	long v = -1;

	itest_get(rd, "/metrics", &r);
	if (r.status == 200 && (line = strstr(r.body, name)) != NULL)
		v = strtol(line + strlen(name), NULL, 10);
	itest_resp_free(&r);
	return v;
}

/*
 * SIGHUP with a broken file keeps the running config; a good file is applied.
 * An event stream open across the reload stays open but does not keep the old
 * configuration in memory (madoguchi_config_generations returns to 1).
 */
START_TEST(sighup_reload)
{
	const char *cfg = write_config("reload.yaml", "  max_connections: 100");
	static const char stream[] = "GET /v1/offices/kasugai-main/events HTTP/1.1\r\n"
	    "Host: x\r\n\r\n";
	char text[2048], cwd[512], buf[256];
	struct itest_daemon rd;
	struct pollfd pfd;
	long before, n = -1;
	int fd;

	itest_daemon_start(&rd, cfg, NULL);
	before = offices_served(&rd);
	ck_assert_int_gt(before, 9);
	fd = connect_to(&rd);
	ck_assert(write(fd, stream, sizeof stream - 1) == (ssize_t)(sizeof stream - 1));
	ck_assert(read(fd, buf, sizeof buf) > 0);	/* the stream's head */
	itest_write_file(cfg, "http:\n  max_connections: [oops\n");
	kill(rd.pid, SIGHUP);
	usleep(300000);
	ck_assert_int_eq(offices_served(&rd), before);
	ck_assert(getcwd(cwd, sizeof cwd) != NULL);
	snprintf(text, sizeof text, "metrics:\n  allow: 127.0.0.1\ninclude:\n"
	    "  - %s/config/municipalities/oita.yaml\n", cwd);
	itest_write_file(cfg, text);
	kill(rd.pid, SIGHUP);
	/* The reload runs on a thread of its own: wait for it (ten seconds at most). */
	for (int i = 0; i < 100 && (n = offices_served(&rd)) != 9; i++)
		usleep(100000);
	ck_assert_int_eq(n, 9);
	for (int i = 0; i < 100 && (n = metric_value(&rd, "\nmadoguchi_config_generations ")) != 1;
	    i++)
		usleep(100000);
	ck_assert_msg(n == 1, "configurations in memory after the reload: %ld", n);
	/* The stream is still open: whatever it sent since (its greeting), no end. */
	pfd = (struct pollfd){ .fd = fd, .events = POLLIN };
	while (poll(&pfd, 1, 200) == 1)
		ck_assert_msg(read(fd, buf, sizeof buf) > 0, "the stream ended at the reload");
	close(fd);
	itest_daemon_stop(&rd);
}
END_TEST

/* --check-config exits 64 naming file:line for a bad file, 0 for the sample. */
START_TEST(check_config_exit_codes)
{
	const char *bad = itest_tmp_path("bad.yaml");
	const char *args_bad[] = { "-c", bad, "--check-config", NULL };
	const char *args_good[] = { "-c", "config/madoguchi.yaml", "--check-config", NULL };
	char *err, want[600];

	itest_write_file(bad, "listen: 127.0.0.1:8080\nhttp:\n  max_body_bytes: lots\n");
	ck_assert_int_eq(itest_run_daemon_cmd(args_bad, &err), 64);
	snprintf(want, sizeof want, "%s:3:", bad);
	ck_assert_msg(strstr(err, want) != NULL, "no %s in: %s", want, err);
	free(err);
	ck_assert_int_eq(itest_run_daemon_cmd(args_good, &err), 0);
	free(err);
}
END_TEST

/* Usage errors and a bad MADOGUCHI_NOW exit 64. */
START_TEST(usage_errors)
{
	const char *extra[] = { "-c", "config/madoguchi.yaml", "surplus", NULL };
	const char *both[] = { "--migrate", "--check-config", NULL };
	const char *help[] = { "--help", NULL };
	char *err;

	ck_assert_int_eq(itest_run_daemon_cmd(extra, &err), 64);
	free(err);
	ck_assert_int_eq(itest_run_daemon_cmd(both, &err), 64);
	free(err);
	ck_assert_int_eq(itest_run_daemon_cmd(help, &err), 0);
	ck_assert(strstr(err, "--check-config") != NULL);
	free(err);
}
END_TEST

/* MADOGUCHI_NOW that is not an instant is refused at start. */
START_TEST(bad_clock_refused)
{
	const char *env[] = { "MADOGUCHI_NOW=2026-02-30T10:00:00+09:00", NULL };
	const char *argv[] = { "./server/madoguchid", "-c", "config/madoguchi.yaml", NULL };
	pid_t pid = fork();
	int status;

	ck_assert(pid >= 0);
	if (pid == 0) {
		putenv((char *)env[0]);
		freopen("/dev/null", "w", stderr);
		execv(argv[0], (char *const *)argv);
		_exit(127);
	}
	ck_assert(waitpid(pid, &status, 0) == pid);
	ck_assert(WIFEXITED(status));
	ck_assert_int_eq(WEXITSTATUS(status), 64);
}
END_TEST

/* Migrating twice applies nothing the second time; a changed file is refused. */
START_TEST(migrations_once_and_checksummed)
{
	const char *args[] = { "-c", "config/madoguchi.yaml", "--migrate", NULL };
	char *err;

	ck_assert_int_eq(itest_run_daemon_cmd(args, &err), 0);
	ck_assert(strstr(err, "0 applied") != NULL);
	free(err);
	ck_assert_int_eq(itest_psql("UPDATE schema_migrations SET checksum = 'x' || checksum "
	    "WHERE version = 1"), 0);
	ck_assert_int_eq(itest_run_daemon_cmd(args, &err), 65);
	ck_assert_msg(strstr(err, "changed after it was applied") != NULL, "%s", err);
	free(err);
	ck_assert_int_eq(itest_psql("UPDATE schema_migrations SET checksum = substr(checksum, 2) "
	    "WHERE version = 1"), 0);
	ck_assert_int_eq(itest_run_daemon_cmd(args, &err), 0);
	free(err);
}
END_TEST

/* Sends GET path on a raw connection; returns the socket and the status line's code. */
static int
raw_get_status(const struct itest_daemon *dd, const char *path, int *status)
{
	int fd = connect_to(dd);
	char buf[256], req[256];
	size_t reqlen = (size_t)snprintf(req, sizeof req,
	    "GET %s HTTP/1.1\r\nHost: t\r\n\r\n", path);
	size_t got = 0;
	ssize_t n;

	ck_assert(write(fd, req, reqlen) == (ssize_t)reqlen);
	while (got < 12) {
		struct pollfd p = { fd, POLLIN, 0 };
		ck_assert_msg(poll(&p, 1, 5000) == 1, "no answer to GET %s", path);
		n = read(fd, buf + got, sizeof buf - 1 - got);
		ck_assert(n > 0);
		got += (size_t)n;
	}
	buf[got] = '\0';
	*status = atoi(buf + 9);
	return fd;
}

/* The sample configuration's rate limit: a burst of 30, then 429 with Retry-After. */
START_TEST(rate_limited)
{
	struct itest_daemon rl;
	struct itest_resp r;
	char retry[16];
	int ok = 0, limited = 0;

	itest_daemon_start(&rl, "config/madoguchi.yaml", NULL);
	for (int i = 0; i < 40; i++) {
		itest_get(&rl, "/v1/holidays?year=2026", &r);
		if (r.status == 200)
			ok++;
		if (r.status == 429) {
			limited++;
			ck_assert_str_eq(itest_str(&r, "code"), "rate_limited");
			ck_assert_ptr_nonnull(itest_header(&r, "Retry-After", retry, sizeof retry));
			ck_assert_int_ge(atoi(retry), 1);
		}
		itest_resp_free(&r);
	}
	ck_assert_int_ge(ok, 30);
	ck_assert_int_le(ok, 32);	/* a token or two refills while the loop runs */
	ck_assert_int_eq(ok + limited, 40);
	itest_get(&rl, "/healthz", &r);	/* not limited: monitors must always get through */
	ck_assert_int_eq(r.status, 200);
	itest_resp_free(&r);
	/* Nor are the lobby display, its assets and the event stream it opens. */
	for (int i = 0; i < 40; i++) {
		static const char *const paths[] = { "/display/kasugai-main",
			"/display/assets/display.js", "/display/assets/display.css" };
		itest_get(&rl, paths[i % 3], &r);
		ck_assert_msg(r.status == 200, "%s: %ld", paths[i % 3], r.status);
		itest_resp_free(&r);
	}
	for (int i = 0; i < 3; i++) {
		int status, fd = raw_get_status(&rl, "/v1/offices/kasugai-main/events", &status);
		ck_assert_int_eq(status, 200);
		close(fd);
	}
	itest_get(&rl, "/v1/holidays?year=2026", &r);	/* the budget is still spent */
	ck_assert_int_eq(r.status, 429);
	itest_resp_free(&r);
	itest_daemon_stop(&rl);
}
END_TEST

/* The daemon serves the contract it was built with, byte for byte. */
START_TEST(openapi_document_served)
{
	struct itest_resp r;
	char ct[128];
	FILE *fp = fopen("docs/openapi.yaml", "rb");
	char *want;
	long n;

	ck_assert_msg(fp != NULL, "docs/openapi.yaml is missing");
	ck_assert_int_eq(fseek(fp, 0, SEEK_END), 0);
	n = ftell(fp);
	rewind(fp);
	want = calloc(1, (size_t)n + 1);
	ck_assert_int_eq((long)fread(want, 1, (size_t)n, fp), n);
	fclose(fp);
	itest_get(&d, "/v1/openapi.yaml", &r);
	ck_assert_int_eq(r.status, 200);
	ck_assert_str_eq(itest_header(&r, "Content-Type", ct, sizeof ct),
	    "application/yaml; charset=utf-8");
	ck_assert_uint_eq(r.len, (size_t)n);
	ck_assert(memcmp(r.body, want, (size_t)n) == 0);
	ck_assert(strncmp(r.body, "openapi: 3.1.", 13) == 0);
	itest_resp_free(&r);
	free(want);
	itest_get(&d, "/v1/openapi.yaml?format=json", &r);
	ck_assert_int_eq(r.status, 400);
	ck_assert_str_eq(itest_str(&r, "code"), "unknown_parameter");
	itest_resp_free(&r);
}
END_TEST

/* The suite. */
static Suite *
system_suite(void)
{
	Suite *s = suite_create("system");
	TCase *api = tcase_create("api"), *db = tcase_create("database");
	TCase *life = tcase_create("lifecycle"), *cli = tcase_create("command line");

	tcase_add_checked_fixture(api, setup, teardown);
	tcase_add_test(api, healthz_ok);
	tcase_add_test(api, offices_list);
	tcase_add_test(api, unknown_path_404);
	tcase_add_test(api, wrong_method_405);
	tcase_add_test(api, unknown_query_parameter);
	tcase_add_test(api, request_id);
	tcase_add_test(api, nul_in_query_refused);
	tcase_add_test(api, path_slash_and_escapes);
	tcase_add_test(api, body_too_large_413);
	tcase_add_test(api, malformed_json_bodies);
	tcase_add_test(api, wrong_content_type_415);
	tcase_add_test(api, openapi_document_served);
	tcase_add_test(api, readme_eligibility_example);
	suite_add_tcase(s, api);

	tcase_add_checked_fixture(db, setup, teardown);
	tcase_set_timeout(db, 60);
	tcase_add_test(db, database_outage_and_recovery);
	suite_add_tcase(s, db);

	tcase_add_checked_fixture(life, setup, teardown);
	tcase_set_timeout(life, 60);
	tcase_add_test(life, sigterm_exits_zero);
	tcase_add_test(life, sigterm_drains_in_flight);
	tcase_add_test(life, second_sigterm_exits_at_once);
	tcase_add_test(life, sigterm_stops_accepting);
	tcase_add_test(life, connection_cap);
	tcase_add_test(life, read_deadline_drops_slow_client);
	tcase_add_test(life, sighup_reload);
	tcase_add_test(life, rate_limited);
	suite_add_tcase(s, life);

	tcase_add_test(cli, check_config_exit_codes);
	tcase_add_test(cli, usage_errors);
	tcase_add_test(cli, bad_clock_refused);
	tcase_add_test(cli, migrations_once_and_checksummed);
	suite_add_tcase(s, cli);
	return s;
}

int
main(void)
{
	SRunner *sr = srunner_create(system_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
