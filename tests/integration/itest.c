/* Integration-test harness: daemons as child processes, HTTP through libcurl. */
#include "itest.h"

#include <check.h>
#include <curl/curl.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define DAEMON "./server/madoguchid"

/* The configuration a test gets when it names none: the shipped offices. */
static const char *
default_config(void)
{
	const char *c = getenv("MADOGUCHI_TEST_CONFIG");

	return c != NULL && c[0] != '\0' ? c : "config/madoguchi.yaml";
}

const char *
itest_env(const char *name)
{
	const char *v = getenv(name);

	ck_assert_msg(v != NULL && v[0] != '\0',
	    "%s is not set: run the integration tests through tests/integration/run.sh", name);
	return v;
}

char *
itest_tmp_path(const char *name)
{
	static char buf[8][512];
	static int next;
	char *p = buf[next++ % 8];

	snprintf(p, sizeof buf[0], "%s/%s", itest_env("MADOGUCHI_TEST_TMP"), name);
	return p;
}

void
itest_write_file(const char *path, const char *text)
{
	FILE *fp = fopen(path, "w");

	ck_assert_msg(fp != NULL, "cannot write %s", path);
	fputs(text, fp);
	fclose(fp);
}

int
itest_free_port(void)
{
	struct sockaddr_in sa = { .sin_family = AF_INET, .sin_port = 0 };
	socklen_t len = sizeof sa;
	int fd = socket(AF_INET, SOCK_STREAM, 0), port;

	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	ck_assert(fd >= 0);
	ck_assert(bind(fd, (struct sockaddr *)&sa, sizeof sa) == 0);
	ck_assert(getsockname(fd, (struct sockaddr *)&sa, &len) == 0);
	port = ntohs(sa.sin_port);
	close(fd);
	return port;
}

/* Sleeps for ms milliseconds. */
static void
sleep_ms(int ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };

	nanosleep(&ts, NULL);
}

/* Runs argv with stderr captured into *err (may be NULL); returns the exit status. */
static int
run_capture(const char *const *argv, const char *const *env, char **err)
{
	char path[] = "/tmp/madoguchi-itest-XXXXXX";
	int fd = mkstemp(path), status;
	pid_t pid;

	ck_assert(fd >= 0);
	pid = fork();
	ck_assert(pid >= 0);
	if (pid == 0) {
		dup2(fd, 2);
		dup2(fd, 1);
		setenv("MADOGUCHI_DATABASE_URL", itest_env("MADOGUCHI_TEST_DB_URL"), 1);
		for (; env && *env; env++)
			putenv((char *)*env);
		execv(argv[0], (char *const *)argv);
		_exit(127);
	}
	ck_assert(waitpid(pid, &status, 0) == pid);
	if (err != NULL) {
		off_t n = lseek(fd, 0, SEEK_END);
		*err = calloc(1, (size_t)n + 1);
		ck_assert(pread(fd, *err, (size_t)n, 0) == n);
	}
	close(fd);
	unlink(path);
	return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

int
itest_run_daemon_cmd(const char *const *args, char **err)
{
	const char *argv[16] = { DAEMON };
	size_t n = 1;

	for (; args && *args && n < 15; args++)
		argv[n++] = *args;
	argv[n] = NULL;
	return run_capture(argv, NULL, err);
}

void
itest_create_token(const char *config, const char *role, const char *office, char *tok,
    size_t len)
{
	const char *args[] = { "-c", config, "--create-token", role, office, NULL };
	char *out = NULL, *last, *end;

	ck_assert_msg(itest_run_daemon_cmd(args, &out) == 0, "--create-token: %s", out);
	/* The token is the last line; what comes before it explains it. */
	end = out + strlen(out);
	while (end > out && (end[-1] == '\n' || end[-1] == '\r'))
		*--end = '\0';
	last = strrchr(out, '\n');
	snprintf(tok, len, "%s", last != NULL ? last + 1 : out);
	free(out);
}

int
itest_migrate(const char *config)
{
	const char *args[] = { "-c", config ? config : default_config(), "--migrate", NULL };

	return itest_run_daemon_cmd(args, NULL);
}

void
itest_daemon_start(struct itest_daemon *d, const char *config, const char *const *env)
{
	char listen[32];
	struct itest_resp r;
	pid_t pid;
	int fd;

	d->port = itest_free_port();
	snprintf(listen, sizeof listen, "127.0.0.1:%d", d->port);
	snprintf(d->url, sizeof d->url, "http://%s", listen);
	snprintf(d->log, sizeof d->log, "%s", itest_tmp_path(listen + 10));
	ck_assert_int_eq(itest_migrate(config), 0);
	fd = open(d->log, O_WRONLY | O_CREAT | O_APPEND, 0644);
	ck_assert(fd >= 0);
	pid = fork();
	ck_assert(pid >= 0);
	if (pid == 0) {
		dup2(fd, 1);
		dup2(fd, 2);
		setenv("MADOGUCHI_DATABASE_URL", itest_env("MADOGUCHI_TEST_DB_URL"), 1);
		for (; env && *env; env++)
			putenv((char *)*env);
		execl(DAEMON, DAEMON, "-c", config ? config : default_config(), "--listen", listen,
		    (char *)NULL);
		_exit(127);
	}
	close(fd);
	d->pid = pid;
	for (int i = 0; i < 200; i++) {
		itest_get(d, "/healthz", &r);
		long st = r.status;
		itest_resp_free(&r);
		if (st == 200)
			return;
		ck_assert_msg(waitpid(pid, NULL, WNOHANG) == 0, "madoguchid exited; see %s", d->log);
		sleep_ms(50);
	}
	ck_abort_msg("madoguchid did not become healthy; see %s", d->log);
}

int
itest_daemon_signal_wait(struct itest_daemon *d, int sig, int timeout_ms)
{
	int status;

	kill(d->pid, sig);
	for (int waited = 0; waited <= timeout_ms; waited += 10) {
		if (waitpid(d->pid, &status, WNOHANG) == d->pid) {
			d->pid = 0;
			return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
		}
		sleep_ms(10);
	}
	return -1;
}

/* Copies the last lines of a daemon's log to stderr, to explain a failure. */
static void
dump_log(const struct itest_daemon *d)
{
	char cmd[400];

	snprintf(cmd, sizeof cmd, "tail -n 40 '%s' >&2", d->log);
	if (system(cmd) != 0)
		fprintf(stderr, "(no log at %s)\n", d->log);
}

void
itest_daemon_stop(struct itest_daemon *d)
{
	int rc;

	if (d->pid <= 0)
		return;
	rc = itest_daemon_signal_wait(d, SIGTERM, 15000);
	if (rc < 0) {
		kill(d->pid, SIGKILL);
		waitpid(d->pid, NULL, 0);
	}
	d->pid = 0;
	if (rc != 0)
		dump_log(d);
	/* Non-zero also catches sanitizer reports, which change the exit status. */
	ck_assert_msg(rc == 0, "madoguchid did not stop cleanly (status %d); log: %s", rc, d->log);
}

/* A growing buffer for libcurl's write callbacks. */
struct buf {
	char *data;
	size_t len;
};

/* libcurl write callback. */
static size_t
collect(char *p, size_t size, size_t n, void *arg)
{
	struct buf *b = arg;
	size_t add = size * n;

	b->data = realloc(b->data, b->len + add + 1);
	memcpy(b->data + b->len, p, add);
	b->len += add;
	b->data[b->len] = '\0';
	return add;
}

void
itest_record(const char *method, const char *path, long status, const char *ctype,
    const char *body, size_t len)
{
	const char *dir = getenv("MADOGUCHI_TEST_TMP");
	char file[600];
	json_t *line;
	char *text;
	int fd;

	if (dir == NULL || dir[0] == '\0' || status == 0)
		return;
	snprintf(file, sizeof file, "%s/responses", dir);
	if (mkdir(file, 0755) != 0 && errno != EEXIST)
		ck_abort_msg("cannot create %s: %s", file, strerror(errno));
	snprintf(file, sizeof file, "%s/responses/%ld.jsonl", dir, (long)getpid());
	line = json_pack("{s:s, s:s, s:i, s:s?, s:o}", "method", method, "path", path,
	    "status", (int)status, "content_type", ctype, "body",
	    body != NULL ? json_stringn(body, len) : json_null());
	if (line == NULL)	/* the body is not UTF-8: the validator says so */
		line = json_pack("{s:s, s:s, s:i, s:s?, s:b}", "method", method, "path", path,
		    "status", (int)status, "content_type", ctype, "body_not_utf8", 1);
	ck_assert(line != NULL);
	text = json_dumps(line, JSON_COMPACT | JSON_ENSURE_ASCII);
	json_decref(line);
	ck_assert(text != NULL);
	text = realloc(text, strlen(text) + 2);
	strcat(text, "\n");
	/* One write on an O_APPEND descriptor: lines never interleave. */
	fd = open(file, O_WRONLY | O_CREAT | O_APPEND, 0644);
	ck_assert_msg(fd >= 0, "cannot open %s: %s", file, strerror(errno));
	ck_assert((size_t)write(fd, text, strlen(text)) == strlen(text));
	close(fd);
	free(text);
}

void
itest_http(const struct itest_daemon *d, const char *method, const char *path,
    const char *body, size_t len, const char *ctype, const char *const *headers,
    struct itest_resp *r)
{
	CURL *c = curl_easy_init();
	struct curl_slist *hl = NULL;
	struct buf b = { calloc(1, 1), 0 }, h = { calloc(1, 1), 0 };
	char url[512], ct[128];

	memset(r, 0, sizeof *r);
	snprintf(url, sizeof url, "%s%s", d->url, path);
	curl_easy_setopt(c, CURLOPT_URL, url);
	curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST, method);
	curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, 20000L);
	curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, collect);
	curl_easy_setopt(c, CURLOPT_WRITEDATA, &b);
	curl_easy_setopt(c, CURLOPT_HEADERFUNCTION, collect);
	curl_easy_setopt(c, CURLOPT_HEADERDATA, &h);
	curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
	if (body != NULL) {
		snprintf(ct, sizeof ct, "Content-Type: %s", ctype ? ctype : "application/json");
		hl = curl_slist_append(hl, ct);
		hl = curl_slist_append(hl, "Expect:");
		curl_easy_setopt(c, CURLOPT_POSTFIELDS, body);
		curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)len);
	}
	for (; headers && *headers; headers++)
		hl = curl_slist_append(hl, *headers);
	curl_easy_setopt(c, CURLOPT_HTTPHEADER, hl);
	if (curl_easy_perform(c) == CURLE_OK)
		curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &r->status);
	curl_slist_free_all(hl);
	curl_easy_cleanup(c);
	r->body = b.data;
	r->len = b.len;
	r->headers = h.data;
	r->json = json_loadb(b.data, b.len, 0, NULL);
	itest_record(method, path, r->status, itest_header(r, "Content-Type", ct, sizeof ct),
	    b.data, b.len);
}

void
itest_get(const struct itest_daemon *d, const char *path, struct itest_resp *r)
{
	itest_http(d, "GET", path, NULL, 0, NULL, NULL, r);
}

void
itest_post(const struct itest_daemon *d, const char *path, const char *json,
    struct itest_resp *r)
{
	itest_http(d, "POST", path, json, strlen(json), NULL, NULL, r);
}

char *
itest_issue_ticket(const struct itest_daemon *d, const char *office, const char *token,
    const char *service)
{
	char path[160], auth[160], body[80];
	const char *hdr[] = { auth, NULL };
	struct itest_resp r;
	char *number;

	snprintf(path, sizeof path, "/v1/offices/%s/tickets", office);
	snprintf(auth, sizeof auth, "Authorization: Bearer %s", token);
	snprintf(body, sizeof body, "{\"service\":\"%s\"}", service);
	itest_http(d, "POST", path, body, strlen(body), NULL, hdr, &r);
	ck_assert_msg(r.status == 201, "issuing a ticket: %ld %s", r.status, r.body);
	number = strdup(itest_str(&r, "number"));
	itest_resp_free(&r);
	return number;
}

const char *
itest_header(const struct itest_resp *r, const char *name, char *buf, size_t len)
{
	size_t n = strlen(name);

	for (const char *line = r->headers; line && *line; ) {
		const char *end = strchr(line, '\n');
		if (strncasecmp(line, name, n) == 0 && line[n] == ':') {
			const char *v = line + n + 1;
			while (*v == ' ')
				v++;
			size_t vl = (size_t)((end ? end : v + strlen(v)) - v);
			while (vl > 0 && (v[vl - 1] == '\r' || v[vl - 1] == '\n'))
				vl--;
			snprintf(buf, len, "%.*s", (int)vl, v);
			return buf;
		}
		line = end ? end + 1 : NULL;
	}
	return NULL;
}

void
itest_resp_free(struct itest_resp *r)
{
	free(r->body);
	free(r->headers);
	json_decref(r->json);
	memset(r, 0, sizeof *r);
}

const char *
itest_str(const struct itest_resp *r, const char *key)
{
	const char *s = json_string_value(json_object_get(r->json, key));

	return s ? s : "";
}

/* Runs sql with psql, capturing its output. */
static int
itest_psql_capture(const char *sql, char **out)
{
	const char *argv[] = { "/usr/bin/psql", "-qtA", "-v", "ON_ERROR_STOP=1", "-d",
		itest_env("MADOGUCHI_TEST_DB_URL"), "-c", sql, NULL };

	return run_capture(argv, NULL, out);
}

/* Runs the dev-database script with cmd on the test cluster. */
static void
devdb(const char *cmd)
{
	const char *argv[] = { "./deploy/devdb.sh", cmd, itest_env("MADOGUCHI_TEST_PGDIR"), NULL };
	char *err = NULL;
	int rc = run_capture(argv, NULL, &err);

	ck_assert_msg(rc == 0, "devdb.sh %s failed: %s", cmd, err);
	free(err);
}

void
itest_db_stop(void)
{
	devdb("stop");
}

void
itest_db_start(void)
{
	devdb("start");
}

int
itest_psql(const char *sql)
{
	char *out = NULL;
	int rc = itest_psql_capture(sql, &out);

	free(out);
	return rc;
}

char *
itest_psql_out(const char *sql)
{
	char *out = NULL;

	ck_assert_int_eq(itest_psql_capture(sql, &out), 0);
	return out;
}
