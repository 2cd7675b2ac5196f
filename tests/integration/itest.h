/*
 * Integration-test harness: real madoguchid processes on free ports against the
 * throwaway PostgreSQL that tests/integration/run.sh provides, driven over HTTP.
 */
#ifndef MADOGUCHI_ITEST_H
#define MADOGUCHI_ITEST_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

/* A running daemon. */
struct itest_daemon {
	pid_t pid;		/* its process */
	int port;		/* where it listens on 127.0.0.1 */
	char url[64];		/* "http://127.0.0.1:PORT" */
	char log[256];		/* its log file */
};

/* One HTTP exchange. */
struct itest_resp {
	long status;		/* 0 when the request failed at the transport level */
	char *body;		/* NUL-terminated body */
	size_t len;		/* body length */
	char *headers;		/* the raw response headers */
	json_t *json;		/* the body parsed, when it is JSON */
};

/* An environment variable the harness set, or the test fails. */
const char *itest_env(const char *name);
/* A path under the test's temporary directory (static buffer per call site). */
char *itest_tmp_path(const char *name);
/* Writes text to path. */
void itest_write_file(const char *path, const char *text);
/* Finds a free TCP port on 127.0.0.1. */
int itest_free_port(void);
/* Applies migrations with the test database; returns the exit status. */
int itest_migrate(const char *config);
/*
 * Starts madoguchid with config (NULL: the shipped sample) and extra environment
 * (NULL-terminated "NAME=value" list or NULL); waits until /healthz answers.
 */
void itest_daemon_start(struct itest_daemon *d, const char *config, const char *const *env);
/* Sends sig and waits up to timeout_ms for exit; returns the exit status or -1. */
int itest_daemon_signal_wait(struct itest_daemon *d, int sig, int timeout_ms);
/* Stops the daemon (SIGTERM, then SIGKILL). */
void itest_daemon_stop(struct itest_daemon *d);
/* Runs madoguchid with args; returns the exit status and its stderr (caller frees). */
int itest_run_daemon_cmd(const char *const *args, char **err);
/*
 * Creates a token for role at office with config's daemon (--create-token) and
 * copies it (the last line of the output) into tok; the test fails if it cannot.
 */
void itest_create_token(const char *config, const char *role, const char *office, char *tok,
    size_t len);

/*
 * Sends method path with an optional body (content type application/json unless
 * ctype says otherwise) and extra header lines (NULL-terminated or NULL).
 */
void itest_http(const struct itest_daemon *d, const char *method, const char *path,
    const char *body, size_t len, const char *ctype, const char *const *headers,
    struct itest_resp *r);
/*
 * Appends one answer to $MADOGUCHI_TEST_TMP/responses/PID.jsonl for run.sh's
 * check against docs/openapi.yaml (tests/openapi/validate.mjs); itest_http
 * records all of its own. Nothing without MADOGUCHI_TEST_TMP or a status.
 */
void itest_record(const char *method, const char *path, long status, const char *ctype,
    const char *body, size_t len);
/*
 * Issues a walk-in ticket for service at office as token; returns its number
 * (caller frees). The test fails unless the daemon answers 201.
 */
char *itest_issue_ticket(const struct itest_daemon *d, const char *office, const char *token,
    const char *service);
/* GET shorthand. */
void itest_get(const struct itest_daemon *d, const char *path, struct itest_resp *r);
/* POST of a JSON text. */
void itest_post(const struct itest_daemon *d, const char *path, const char *json,
    struct itest_resp *r);
/* The value of a response header (case-insensitive), copied into buf, or NULL. */
const char *itest_header(const struct itest_resp *r, const char *name, char *buf, size_t len);
/* Frees a response. */
void itest_resp_free(struct itest_resp *r);
/* The string member key of the response JSON, or "". */
const char *itest_str(const struct itest_resp *r, const char *key);

/* Stops or starts the test PostgreSQL cluster. */
void itest_db_stop(void);
void itest_db_start(void);
/* Runs one SQL statement on the test database with psql; returns its exit status. */
int itest_psql(const char *sql);
/* Runs one SQL statement and returns its unaligned output (caller frees). */
char *itest_psql_out(const char *sql);

#endif
