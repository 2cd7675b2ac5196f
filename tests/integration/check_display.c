/*
 * Live events and the lobby display: the event stream (format, offices, the
 * deadline and shutdown, the per-office limit, PostgreSQL restarting), two
 * daemons on one database, the display page's headers, and the page itself in
 * headless Chromium showing a call within 2 s. Chromium is driven over its
 * DevTools protocol on a pipe (--remote-debugging-pipe: NUL-separated JSON on
 * descriptors 3 and 4), so nothing but Debian's chromium package is needed.
 */
#include "itest.h"

#include <arpa/inet.h>
#include <check.h>
#include <curl/curl.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define OFFICE "kasugai-main"
#define EVENTS_PATH "/v1/offices/" OFFICE "/events"
#define MAX_PER_OFFICE 256	/* EVENTS_MAX_PER_OFFICE in server/events.h */
#define ARTIFACTS "tests/artifacts"

/* A Wednesday morning, when the office is open and takes walk-ins. */
static const char *const open_env[] = { "MADOGUCHI_NOW=2026-12-16T09:30:00+09:00", NULL };

/* The daemon most tests share. */
static struct itest_daemon d;

/* Milliseconds since an arbitrary start. */
static long
now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000L + ts.tv_nsec / 1000000L;
}

/* Sleeps for ms milliseconds. */
static void
sleep_ms(long ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };

	nanosleep(&ts, NULL);
}

/* Starts the shared daemon. */
static void
setup(void)
{
	curl_global_init(CURL_GLOBAL_DEFAULT);
	itest_daemon_start(&d, NULL, open_env);
}

/* Stops it (a non-zero exit, sanitizer reports included, fails the test). */
static void
teardown(void)
{
	itest_daemon_stop(&d);
}

/* ---- an event-stream client on libcurl's multi interface ---- */

/* One open stream. */
struct sse {
	CURLM *multi;		/* drives the transfer without blocking */
	CURL *easy;		/* the GET */
	char *buf;		/* everything received, NUL-terminated */
	size_t len;
	bool done;		/* the transfer finished */
	CURLcode result;	/* and how */
};

/* libcurl write callback: appends to the stream's buffer. */
static size_t
sse_collect(char *p, size_t size, size_t n, void *arg)
{
	struct sse *s = arg;
	size_t add = size * n;

	s->buf = realloc(s->buf, s->len + add + 1);
	memcpy(s->buf + s->len, p, add);
	s->len += add;
	s->buf[s->len] = '\0';
	return add;
}

/* Runs the transfer for up to ms milliseconds or until needle arrives. */
static bool
sse_wait(struct sse *s, const char *needle, long ms)
{
	long until = now_ms() + ms;
	CURLMsg *msg;
	int running, left;

	for (;;) {
		if (needle != NULL && s->buf != NULL && strstr(s->buf, needle) != NULL)
			return true;
		if (s->done || now_ms() >= until)
			return false;
		curl_multi_perform(s->multi, &running);
		while ((msg = curl_multi_info_read(s->multi, &left)) != NULL) {
			if (msg->msg == CURLMSG_DONE) {
				s->done = true;
				s->result = msg->data.result;
			}
		}
		if (!s->done)
			curl_multi_poll(s->multi, NULL, 0, 20, NULL);
	}
}

/* Opens path on dd as a stream and waits for the greeting. */
static void
sse_open(struct sse *s, const struct itest_daemon *dd, const char *path)
{
	char url[256];

	memset(s, 0, sizeof *s);
	snprintf(url, sizeof url, "%s%s", dd->url, path);
	s->multi = curl_multi_init();
	s->easy = curl_easy_init();
	curl_easy_setopt(s->easy, CURLOPT_URL, url);
	curl_easy_setopt(s->easy, CURLOPT_WRITEFUNCTION, sse_collect);
	curl_easy_setopt(s->easy, CURLOPT_WRITEDATA, s);
	curl_easy_setopt(s->easy, CURLOPT_NOSIGNAL, 1L);
	curl_multi_add_handle(s->multi, s->easy);
	ck_assert_msg(sse_wait(s, "retry: 2000\n", 5000), "no stream greeting: '%s'",
	    s->buf ? s->buf : "");
}

/* The response status and content type of a stream. */
static long
sse_status(struct sse *s, const char **ctype)
{
	long status = 0;
	char *ct = NULL;

	curl_easy_getinfo(s->easy, CURLINFO_RESPONSE_CODE, &status);
	curl_easy_getinfo(s->easy, CURLINFO_CONTENT_TYPE, &ct);
	*ctype = ct ? ct : "";
	return status;
}

/* Closes a stream. */
static void
sse_close(struct sse *s)
{
	curl_multi_remove_handle(s->multi, s->easy);
	curl_easy_cleanup(s->easy);
	curl_multi_cleanup(s->multi);
	free(s->buf);
	memset(s, 0, sizeof *s);
}

/* ---- causing events ---- */

/* Sends a notification on the channel, as a ticket change would. */
static void
notify(const char *type, const char *office, const char *ticket, int counter)
{
	char sql[600];

	snprintf(sql, sizeof sql, "SELECT pg_notify('madoguchi_events', json_build_object("
	    "'type', '%s', 'municipality', 'kasugai', 'office', '%s', 'ticket', '%s', "
	    "'service', 'ecert_renewal', 'counter', %d, "
	    "'at', '2026-12-16T09:30:00+09:00')::text)", type, office, ticket, counter);
	ck_assert_int_eq(itest_psql(sql), 0);
}

/* A staff token for the office (caller frees). */
static char *
staff_token(void)
{
	char tok[128];

	itest_create_token(getenv("MADOGUCHI_TEST_CONFIG"), "staff", OFFICE, tok, sizeof tok);
	return strdup(tok);
}

/* Calls the next ticket to counter; returns its number (caller frees) and its id. */
static char *
call_next_id(const struct itest_daemon *dd, const char *token, int counter, long *id)
{
	char auth[160], path[128];
	const char *hdr[] = { auth, NULL };
	struct itest_resp r;
	char *number;

	snprintf(auth, sizeof auth, "Authorization: Bearer %s", token);
	snprintf(path, sizeof path, "/v1/offices/" OFFICE "/counters/%d/next", counter);
	itest_http(dd, "POST", path, "{}", 2, NULL, hdr, &r);
	ck_assert_msg(r.status == 200, "calling the next ticket: %ld %s", r.status, r.body);
	number = strdup(itest_str(&r, "number"));
	ck_assert(number[0] != '\0');
	*id = (long)json_integer_value(json_object_get(r.json, "ticket"));
	itest_resp_free(&r);
	return number;
}

/* Calls the next ticket to counter; returns its number (caller frees). */
static char *
call_next(const struct itest_daemon *dd, const char *token, int counter)
{
	long id;

	return call_next_id(dd, token, counter, &id);
}

/* ---- the event stream ---- */

/* A notification arrives as "event: TYPE" with the payload on one data line. */
START_TEST(stream_delivers_notifications)
{
	struct sse s;
	const char *ct;
	char *nl;

	sse_open(&s, &d, EVENTS_PATH);
	ck_assert_int_eq(sse_status(&s, &ct), 200);
	ck_assert_str_eq(ct, "text/event-stream; charset=utf-8");
	notify("called", OFFICE, "A-012", 2);
	ck_assert_msg(sse_wait(&s, "\"ticket\":\"A-012\"", 10000), "got: %s", s.buf);
	nl = strstr(s.buf, "event: called\ndata: {");
	ck_assert_msg(nl != NULL, "got: %s", s.buf);
	ck_assert_ptr_nonnull(strstr(nl, "\"counter\":2"));
	ck_assert_ptr_nonnull(strstr(nl, "}\n\n"));

	/* Other offices' events, and payloads that are not events, are not sent. */
	notify("called", "kasugai-sakashita", "Z-999", 1);
	ck_assert_int_eq(itest_psql("SELECT pg_notify('madoguchi_events', 'not json')"), 0);
	ck_assert_int_eq(itest_psql("SELECT pg_notify('madoguchi_events', "
	    "'{\"type\":\"x\\ny\",\"office\":\"" OFFICE "\"}')"), 0);
	notify("done", OFFICE, "A-012", 2);
	notify("no_show", OFFICE, "A-013", 1);
	ck_assert_msg(sse_wait(&s, "event: no_show\n", 10000), "got: %s", s.buf);
	ck_assert_ptr_nonnull(strstr(s.buf, "event: done\n"));
	ck_assert_ptr_null(strstr(s.buf, "Z-999"));
	ck_assert_ptr_null(strstr(s.buf, "x\ny"));
	sse_close(&s);
}
END_TEST

/* The real queue endpoints notify: issuing, calling and finishing a ticket. */
START_TEST(stream_follows_the_queue)
{
	char *token = staff_token(), *number, *called, needle[64];
	char auth[160], path[64];
	const char *hdr[] = { auth, NULL };
	struct itest_resp r;
	struct sse s;
	long id;

	sse_open(&s, &d, EVENTS_PATH);
	number = itest_issue_ticket(&d, OFFICE, token, "pin_reset");
	snprintf(needle, sizeof needle, "\"ticket\":\"%s\"", number);
	ck_assert_msg(sse_wait(&s, "event: issued\n", 10000), "got: %s", s.buf);
	ck_assert_ptr_nonnull(strstr(s.buf, needle));
	called = call_next_id(&d, token, 1, &id);
	ck_assert_str_eq(called, number);
	ck_assert_msg(sse_wait(&s, "event: called\n", 10000), "got: %s", s.buf);
	ck_assert_ptr_nonnull(strstr(strstr(s.buf, "event: called\n"), needle));
	ck_assert_ptr_nonnull(strstr(strstr(s.buf, "event: called\n"), "\"counter\":1"));
	/* done takes the ticket's id, as the call answered it */
	snprintf(auth, sizeof auth, "Authorization: Bearer %s", token);
	snprintf(path, sizeof path, "/v1/tickets/%ld/done", id);
	itest_http(&d, "POST", path, "{}", 2, NULL, hdr, &r);
	ck_assert_msg(r.status == 200 || r.status == 204, "done: %ld %s", r.status, r.body);
	itest_resp_free(&r);
	ck_assert_msg(sse_wait(&s, "event: done\n", 10000), "got: %s", s.buf);
	ck_assert_ptr_nonnull(strstr(strstr(s.buf, "event: done\n"), needle));
	sse_close(&s);
	free(called);
	free(number);
	free(token);
}
END_TEST

/* Unknown offices and unknown parameters are refused before any stream starts. */
START_TEST(stream_refusals)
{
	struct itest_resp r;
	char ct[128];

	itest_get(&d, "/v1/offices/nowhere/events", &r);
	ck_assert_int_eq(r.status, 404);
	ck_assert_str_eq(itest_str(&r, "code"), "unknown_office");
	ck_assert_str_eq(itest_header(&r, "Content-Type", ct, sizeof ct), "application/problem+json");
	itest_resp_free(&r);
	itest_get(&d, EVENTS_PATH "?since=1", &r);
	ck_assert_int_eq(r.status, 400);
	itest_resp_free(&r);
	itest_http(&d, "POST", EVENTS_PATH, "{}", 2, NULL, NULL, &r);
	ck_assert_int_eq(r.status, 405);
	itest_resp_free(&r);
}
END_TEST

/* Opens a raw stream; returns the socket and the status line's code. */
static int
raw_subscribe(const struct itest_daemon *dd, const char *office, int *status)
{
	struct sockaddr_in sa = { .sin_family = AF_INET, .sin_port = htons((uint16_t)dd->port) };
	int fd = socket(AF_INET, SOCK_STREAM, 0);
	char buf[2048], req[256];
	size_t reqlen = (size_t)snprintf(req, sizeof req,
	    "GET /v1/offices/%s/events HTTP/1.1\r\nHost: t\r\n\r\n", office);
	size_t got = 0;
	ssize_t n;

	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	ck_assert(fd >= 0);
	ck_assert(connect(fd, (struct sockaddr *)&sa, sizeof sa) == 0);
	ck_assert(write(fd, req, reqlen) == (ssize_t)reqlen);
	while (got < sizeof buf - 1) {
		struct pollfd p = { fd, POLLIN, 0 };
		ck_assert_msg(poll(&p, 1, 5000) == 1, "no answer to a subscription");
		n = read(fd, buf + got, sizeof buf - 1 - got);
		ck_assert(n > 0);
		got += (size_t)n;
		buf[got] = '\0';
		if (strstr(buf, "\r\n\r\n") != NULL && (strncmp(buf + 9, "200", 3) != 0 ||
		    strstr(buf, "retry:") != NULL))
			break;
	}
	*status = atoi(buf + 9);
	return fd;
}

/*
 * An office takes MAX_PER_OFFICE streams; the next gets 503. Streams whose
 * clients went away are forgotten, so the places come free again.
 */
START_TEST(listener_limit_and_disconnects)
{
	static int fds[MAX_PER_OFFICE];
	struct itest_resp r;
	int status, fd, ok_after = 0;

	for (int i = 0; i < MAX_PER_OFFICE; i++) {
		fds[i] = raw_subscribe(&d, OFFICE, &status);
		ck_assert_msg(status == 200, "stream %d: status %d", i, status);
	}
	itest_get(&d, EVENTS_PATH, &r);
	ck_assert_int_eq(r.status, 503);
	ck_assert_str_eq(itest_str(&r, "code"), "too_many_listeners");
	itest_resp_free(&r);
	/* Another office is not affected. */
	fd = raw_subscribe(&d, "kasugai-sakashita", &status);
	ck_assert_int_eq(status, 200);
	close(fd);
	for (int i = 0; i < 8; i++)
		close(fds[i]);
	for (int tries = 0; tries < 100 && ok_after < 8; tries++) {
		fd = raw_subscribe(&d, OFFICE, &status);
		if (status == 200) {
			fds[ok_after++] = fd;
		} else {
			close(fd);
			sleep_ms(20);
		}
	}
	ck_assert_int_eq(ok_after, 8);
	for (int i = 0; i < MAX_PER_OFFICE; i++)
		close(fds[i]);
}
END_TEST

/*
 * A stream outlives the handling deadline and the idle timeout (both 1 s
 * here), is not a request SIGTERM waits for, and SIGTERM ends it cleanly.
 */
START_TEST(stream_deadlines_and_sigterm)
{
	const char *cfg = itest_tmp_path("short.yaml");
	char text[1024], *cwd = getcwd(NULL, 0);
	struct itest_daemon dd;
	struct sse s;
	long t0;

	snprintf(text, sizeof text, "ratelimit: {per_minute: 100000, burst: 10000}\n"
	    "http: {request_deadline_s: 1, idle_timeout_s: 1}\nshutdown_grace_s: 10\n"
	    "include:\n  - %s/config/municipalities/*.yaml\n", cwd);
	free(cwd);
	itest_write_file(cfg, text);
	itest_daemon_start(&dd, cfg, open_env);
	sse_open(&s, &dd, EVENTS_PATH);
	ck_assert(!sse_wait(&s, "never", 2500));
	ck_assert_msg(!s.done, "the stream ended early: %s", s.buf);
	notify("called", OFFICE, "B-007", 3);
	ck_assert_msg(sse_wait(&s, "B-007", 10000), "got: %s", s.buf);
	t0 = now_ms();
	ck_assert_int_eq(itest_daemon_signal_wait(&dd, SIGTERM, 5000), 0);
	ck_assert_msg(now_ms() - t0 < 2000, "SIGTERM took %ld ms with a stream open",
	    now_ms() - t0);
	sse_wait(&s, NULL, 2000);
	ck_assert(s.done);
	ck_assert_msg(s.result == CURLE_OK, "the stream did not end cleanly: %s",
	    curl_easy_strerror(s.result));
	sse_close(&s);
}
END_TEST

/* PostgreSQL restarts: the daemon listens again, says resync, and delivers again. */
START_TEST(database_restart)
{
	struct sse s;

	sse_open(&s, &d, EVENTS_PATH);
	itest_db_stop();
	sleep_ms(500);
	itest_db_start();
	ck_assert_msg(sse_wait(&s, "event: resync\n", 15000), "no resync: %s", s.buf);
	notify("called", OFFICE, "C-100", 1);
	ck_assert_msg(sse_wait(&s, "C-100", 10000), "got: %s", s.buf);
	sse_close(&s);
}
END_TEST

/* Two daemons on one database: a call made through one reaches the clients of both. */
START_TEST(two_daemons_one_database)
{
	struct itest_daemon d2;
	char *token = staff_token(), *number, needle[64];
	struct sse s1, s2;

	itest_daemon_start(&d2, NULL, open_env);
	sse_open(&s1, &d, EVENTS_PATH);
	sse_open(&s2, &d2, EVENTS_PATH);
	free(itest_issue_ticket(&d, OFFICE, token, "address_change"));
	number = call_next(&d, token, 2);
	snprintf(needle, sizeof needle, "\"ticket\":\"%s\"", number);
	ck_assert_msg(sse_wait(&s1, "event: called\n", 10000), "first: %s", s1.buf);
	ck_assert_msg(sse_wait(&s2, "event: called\n", 10000), "second: %s", s2.buf);
	ck_assert_ptr_nonnull(strstr(strstr(s1.buf, "event: called\n"), needle));
	ck_assert_ptr_nonnull(strstr(strstr(s2.buf, "event: called\n"), needle));
	sse_close(&s1);
	sse_close(&s2);
	itest_daemon_stop(&d2);
	free(number);
	free(token);
}
END_TEST

/* ---- the display page ---- */

/* The page, its assets and their headers. */
START_TEST(display_page_headers)
{
	struct itest_resp r;
	char h[512];

	itest_get(&d, "/display/" OFFICE, &r);
	ck_assert_int_eq(r.status, 200);
	ck_assert_str_eq(itest_header(&r, "Content-Type", h, sizeof h), "text/html; charset=utf-8");
	ck_assert_str_eq(itest_header(&r, "Cache-Control", h, sizeof h), "no-cache");
	ck_assert_ptr_nonnull(itest_header(&r, "Content-Security-Policy", h, sizeof h));
	ck_assert_ptr_nonnull(strstr(h, "default-src 'none'"));
	ck_assert_ptr_nonnull(strstr(h, "script-src 'self'"));
	ck_assert_ptr_nonnull(strstr(h, "connect-src 'self'"));
	ck_assert_ptr_nonnull(strstr(h, "frame-ancestors 'none'"));
	ck_assert_str_eq(itest_header(&r, "X-Content-Type-Options", h, sizeof h), "nosniff");
	ck_assert_ptr_nonnull(strstr(r.body, "お呼び出し中"));
	ck_assert_ptr_nonnull(strstr(r.body, "Now calling"));
	ck_assert_ptr_null(strstr(r.body, "@BUILD@"));
	ck_assert_ptr_nonnull(strstr(r.body, "/display/assets/display.js?v="));
	itest_resp_free(&r);

	itest_get(&d, "/display/assets/display.js", &r);
	ck_assert_int_eq(r.status, 200);
	ck_assert_str_eq(itest_header(&r, "Content-Type", h, sizeof h),
	    "text/javascript; charset=utf-8");
	ck_assert_str_eq(itest_header(&r, "Cache-Control", h, sizeof h), "no-cache");
	ck_assert_ptr_nonnull(strstr(r.body, "EventSource"));
	itest_resp_free(&r);
	itest_get(&d, "/display/assets/display.css", &r);
	ck_assert_int_eq(r.status, 200);
	ck_assert_str_eq(itest_header(&r, "Content-Type", h, sizeof h), "text/css; charset=utf-8");
	itest_resp_free(&r);

	/* An unknown office gets a page a person can read, not JSON. */
	itest_get(&d, "/display/nowhere", &r);
	ck_assert_int_eq(r.status, 404);
	ck_assert_str_eq(itest_header(&r, "Content-Type", h, sizeof h), "text/html; charset=utf-8");
	ck_assert_ptr_nonnull(strstr(r.body, "/assets/pages/notfound.js?v="));
	itest_resp_free(&r);
	itest_get(&d, "/display/assets/index.html", &r);
	ck_assert_int_eq(r.status, 404);
	itest_resp_free(&r);
	itest_get(&d, "/display/assets/..%2Fmain.c", &r);
	ck_assert_int_eq(r.status, 404);
	itest_resp_free(&r);
}
END_TEST

/* ---- headless Chromium over the DevTools pipe ---- */

/* A browser and its protocol pipe. */
struct browser {
	pid_t pid;		/* chromium */
	int to;			/* we write commands here (its fd 3) */
	int from;		/* it writes answers and events here (its fd 4) */
	char *in;		/* bytes read but not yet split into messages */
	size_t inlen;
	int next_id;		/* command ids */
	char profile[512];	/* its fresh --user-data-dir */
};

/* The chromium binary, or NULL. */
static const char *
chromium_path(void)
{
	static const char *const candidates[] = { "/usr/bin/chromium", "/usr/bin/chromium-browser",
		NULL };

	for (int i = 0; candidates[i] != NULL; i++) {
		if (access(candidates[i], X_OK) == 0)
			return candidates[i];
	}
	return NULL;
}

/* Starts headless Chromium with the protocol on a pipe. */
static void
browser_start(struct browser *b)
{
	const char *exe = chromium_path();
	char dirflag[600], logpath[512];
	int to[2], from[2];

	memset(b, 0, sizeof *b);
	ck_assert_msg(exe != NULL, "chromium is not installed: run make deps");
	snprintf(b->profile, sizeof b->profile, "%s", itest_tmp_path("chromium-XXXXXX"));
	ck_assert(mkdtemp(b->profile) != NULL);
	snprintf(dirflag, sizeof dirflag, "--user-data-dir=%s", b->profile);
	snprintf(logpath, sizeof logpath, "%s", itest_tmp_path("chromium.log"));
	ck_assert(pipe(to) == 0 && pipe(from) == 0);
	b->pid = fork();
	ck_assert(b->pid >= 0);
	if (b->pid == 0) {
		/* Above 4 first, so dup2 onto 3 and 4 cannot clobber an end still needed. */
		int in = fcntl(to[0], F_DUPFD, 10), out = fcntl(from[1], F_DUPFD, 10);
		int log = open(logpath, O_WRONLY | O_CREAT | O_TRUNC, 0644);
		dup2(in, 3);
		dup2(out, 4);
		if (log >= 0) {
			dup2(log, 1);
			dup2(log, 2);
		}
		for (int fd = 5; fd < 1024; fd++)
			close(fd);
		execl(exe, exe, "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
		    "--no-first-run", "--disable-background-networking",
		    "--disable-component-update", "--disable-sync", "--disable-dev-shm-usage",
		    "--disable-extensions", "--hide-scrollbars", "--mute-audio",
		    "--force-device-scale-factor=1", "--window-size=1920,1080",
		    "--lang=ja", "--remote-debugging-pipe", dirflag, "about:blank", (char *)NULL);
		_exit(127);
	}
	close(to[0]);
	close(from[1]);
	b->to = to[1];
	b->from = from[0];
	b->next_id = 1;
}

/* Takes one whole message out of the read buffer, or NULL. */
static json_t *
browser_take(struct browser *b)
{
	char *nul = b->in ? memchr(b->in, '\0', b->inlen) : NULL;
	size_t n;
	json_t *j;

	if (nul == NULL)
		return NULL;
	n = (size_t)(nul - b->in);
	j = json_loadb(b->in, n, 0, NULL);
	memmove(b->in, nul + 1, b->inlen - n - 1);
	b->inlen -= n + 1;
	return j;
}

/*
 * Sends method with params (stolen) to the page session (NULL: the browser)
 * and returns the result (caller decrefs); fails the test on an error.
 */
static json_t *
browser_call(struct browser *b, const char *session, const char *method, json_t *params)
{
	int id = b->next_id++;
	json_t *msg = json_pack("{s:i, s:s, s:o}", "id", id, "method", method,
	    "params", params ? params : json_object());
	char *text, chunk[65536];
	long until = now_ms() + 15000;

	if (session != NULL)
		json_object_set_new(msg, "sessionId", json_string(session));
	text = json_dumps(msg, JSON_COMPACT);
	ck_assert(write(b->to, text, strlen(text) + 1) == (ssize_t)(strlen(text) + 1));
	free(text);
	json_decref(msg);
	for (;;) {
		json_t *j;
		while ((j = browser_take(b)) != NULL) {
			if (json_integer_value(json_object_get(j, "id")) == id) {
				json_t *res = json_incref(json_object_get(j, "result"));
				char *err = json_dumps(json_object_get(j, "error"), JSON_COMPACT);
				ck_assert_msg(res != NULL, "%s failed: %s", method, err ? err : "?");
				free(err);
				json_decref(j);
				return res;
			}
			json_decref(j);	/* an event */
		}
		struct pollfd p = { b->from, POLLIN, 0 };
		ck_assert_msg(now_ms() < until, "chromium did not answer %s", method);
		if (poll(&p, 1, 200) <= 0)
			continue;
		ssize_t n = read(b->from, chunk, sizeof chunk);
		ck_assert_msg(n > 0, "chromium closed its pipe (see %s)",
		    itest_tmp_path("chromium.log"));
		b->in = realloc(b->in, b->inlen + (size_t)n);
		memcpy(b->in + b->inlen, chunk, (size_t)n);
		b->inlen += (size_t)n;
	}
}

/* Evaluates a JavaScript expression in the page; returns its value as a string (caller frees). */
static char *
page_eval(struct browser *b, const char *session, const char *expr)
{
	json_t *res = browser_call(b, session, "Runtime.evaluate",
	    json_pack("{s:s, s:b}", "expression", expr, "returnByValue", 1));
	json_t *v = json_object_get(json_object_get(res, "result"), "value");
	char *out = strdup(json_is_string(v) ? json_string_value(v) : "");

	json_decref(res);
	return out;
}

/* Polls expr until it yields want or ms pass; returns the milliseconds it took, or -1. */
static long
page_wait(struct browser *b, const char *session, const char *expr, const char *want, long ms)
{
	long t0 = now_ms();

	while (now_ms() - t0 <= ms) {
		char *v = page_eval(b, session, expr);
		bool ok = strcmp(v, want) == 0;
		free(v);
		if (ok)
			return now_ms() - t0;
		sleep_ms(20);
	}
	return -1;
}

/* Decodes base64 text into a new buffer; sets *len. */
static unsigned char *
base64_decode(const char *s, size_t *len)
{
	static const char abc[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
	unsigned char *out = malloc(strlen(s) / 4 * 3 + 3);
	unsigned acc = 0;
	int bits = 0;

	*len = 0;
	for (; *s != '\0' && *s != '='; s++) {
		const char *p = strchr(abc, *s);
		if (p == NULL)
			continue;
		acc = (acc << 6) | (unsigned)(p - abc);
		bits += 6;
		if (bits >= 8) {
			bits -= 8;
			out[(*len)++] = (unsigned char)(acc >> bits);
		}
	}
	return out;
}

/* Saves a screenshot of the page as path. */
static void
page_screenshot(struct browser *b, const char *session, const char *path)
{
	json_t *res = browser_call(b, session, "Page.captureScreenshot",
	    json_pack("{s:s}", "format", "png"));
	size_t len;
	unsigned char *png = base64_decode(json_string_value(json_object_get(res, "data")), &len);
	FILE *fp;

	mkdir(ARTIFACTS, 0755);
	fp = fopen(path, "wb");
	ck_assert_msg(fp != NULL, "cannot write %s", path);
	ck_assert(fwrite(png, 1, len, fp) == len);
	fclose(fp);
	ck_assert(len > 8 && memcmp(png, "\x89PNG", 4) == 0);
	free(png);
	json_decref(res);
}

/* Closes the browser and removes its profile. */
static void
browser_stop(struct browser *b)
{
	char cmd[600];
	int status;

	static const char bye[] = "{\"id\":999999,\"method\":\"Browser.close\"}";

	/* Chromium may close the pipe before it answers: do not wait for one. */
	if (write(b->to, bye, sizeof bye) != (ssize_t)sizeof bye)
		kill(b->pid, SIGTERM);
	for (int i = 0; i < 100 && waitpid(b->pid, &status, WNOHANG) == 0; i++)
		sleep_ms(50);
	if (waitpid(b->pid, &status, WNOHANG) == 0) {
		kill(b->pid, SIGKILL);
		waitpid(b->pid, &status, 0);
	}
	close(b->to);
	close(b->from);
	free(b->in);
	snprintf(cmd, sizeof cmd, "rm -rf '%s'", b->profile);
	ck_assert_int_eq(system(cmd), 0);
}

/*
 * The display in a real browser: it loads the queue, opens the event stream,
 * and shows a ticket called at a counter within 2 s of the call. A screenshot
 * goes to tests/artifacts/ for a person to look at.
 */
START_TEST(browser_shows_call)
{
	char *token = staff_token(), *number, url[256], *sid, *text;
	static const char *const services[] = { "pin_reset", "pin_reset", "address_change",
		"card_pickup", "card_application", "residence_update", "pin_reset" };
	struct browser b;
	json_t *res;
	long t0, took;

	/* A morning's queue: some waiting, one already at a counter. */
	for (size_t i = 0; i < sizeof services / sizeof services[0]; i++)
		free(itest_issue_ticket(&d, OFFICE, token, services[i]));
	for (int i = 0; i < 6; i++)
		free(itest_issue_ticket(&d, OFFICE, token, "card_pickup"));
	free(call_next(&d, token, 3));

	browser_start(&b);
	snprintf(url, sizeof url, "%s/display/" OFFICE, d.url);
	res = browser_call(&b, NULL, "Target.createTarget", json_pack("{s:s}", "url", url));
	text = strdup(json_string_value(json_object_get(res, "targetId")));
	json_decref(res);
	res = browser_call(&b, NULL, "Target.attachToTarget",
	    json_pack("{s:s, s:b}", "targetId", text, "flatten", 1));
	sid = strdup(json_string_value(json_object_get(res, "sessionId")));
	json_decref(res);
	free(text);
	json_decref(browser_call(&b, sid, "Emulation.setDeviceMetricsOverride",
	    json_pack("{s:i, s:i, s:i, s:b}", "width", 1920, "height", 1080,
	    "deviceScaleFactor", 1, "mobile", 0)));

	/* Loaded: the office's name came from the queue, and the stream is open. */
	took = page_wait(&b, sid, "document.getElementById('office-ja') ? "
	    "document.getElementById('office-ja').textContent : ''", "市役所戸籍住民課", 15000);
	ck_assert_msg(took >= 0, "the page never showed the office's name");
	ck_assert_msg(page_wait(&b, sid, "document.body.dataset.live || ''", "yes", 10000) >= 0,
	    "the page never opened its event stream");
	text = page_eval(&b, sid, "document.getElementById('services-body').rows.length + ''");
	ck_assert_str_eq(text, "7");
	free(text);

	t0 = now_ms();
	number = call_next(&d, token, 2);
	snprintf(url, sizeof url, "%s", number);
	took = page_wait(&b, sid, "document.getElementById('latest-ticket').textContent", url, 2000);
	ck_assert_msg(took >= 0, "the page did not show %s within 2 s of the call", number);
	took = now_ms() - t0;
	text = page_eval(&b, sid, "document.getElementById('latest-counter').textContent");
	ck_assert_str_eq(text, "2");
	free(text);
	fprintf(stderr, "display: %s at counter 2 shown %ld ms after the call was sent\n",
	    number, took);

	/* After the call's animation, the page as a person sees it. */
	sleep_ms(2800);
	page_screenshot(&b, sid, ARTIFACTS "/display-" OFFICE ".png");
	fprintf(stderr, "display: screenshot in %s/display-%s.png\n", ARTIFACTS, OFFICE);

	/* The fallback fetch keeps both calls; nothing raw reached the page as markup. */
	text = page_eval(&b, sid, "document.querySelectorAll('#calls-body tr').length + ''");
	ck_assert_str_eq(text, "1");
	free(text);
	browser_stop(&b);
	free(sid);
	free(number);
	free(token);
}
END_TEST

/* The suite. */
static Suite *
display_suite(void)
{
	Suite *s = suite_create("display");
	TCase *ev = tcase_create("events"), *life = tcase_create("lifecycle");
	TCase *page = tcase_create("page");

	tcase_add_checked_fixture(ev, setup, teardown);
	tcase_set_timeout(ev, 60);
	tcase_add_test(ev, stream_delivers_notifications);
	tcase_add_test(ev, stream_follows_the_queue);
	tcase_add_test(ev, stream_refusals);
	tcase_add_test(ev, listener_limit_and_disconnects);
	tcase_add_test(ev, two_daemons_one_database);
	suite_add_tcase(s, ev);

	tcase_add_checked_fixture(life, setup, teardown);
	tcase_set_timeout(life, 90);
	tcase_add_test(life, stream_deadlines_and_sigterm);
	tcase_add_test(life, database_restart);
	suite_add_tcase(s, life);

	tcase_add_checked_fixture(page, setup, teardown);
	tcase_set_timeout(page, 120);
	tcase_add_test(page, display_page_headers);
	tcase_add_test(page, browser_shows_call);
	suite_add_tcase(s, page);
	return s;
}

int
main(void)
{
	SRunner *sr = srunner_create(display_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
