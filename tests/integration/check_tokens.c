/*
 * Staff tokens: --list-tokens, --revoke-token and --expires-days; a revoked
 * token refused by two daemons within a second of the revocation (they hear it
 * through LISTEN, not by polling); an expired token refused by the database's
 * clock; known tokens answered from the daemon's cache; the audit trail.
 */
#include "itest.h"

#include <check.h>
#include <curl/curl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* A staff-only call: the next ticket at counter 1 of Kasugai's main office. */
#define PROBE "/v1/offices/kasugai-main/counters/1/next"

static struct itest_daemon d1, d2;

/* Milliseconds of the monotonic clock. */
static long long
now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/*
 * Waits (by reading its log, however long the machine takes) until d listens for
 * notifications. A log may hold an earlier daemon's lines (the same port in an
 * earlier test): only what follows the last start-up line counts, and the events
 * connection starts only once the loop runs, after that line.
 */
static void
wait_listening(const struct itest_daemon *d)
{
	for (;;) {
		FILE *fp = fopen(d->log, "r");
		char line[1024];
		bool found = false;

		ck_assert_ptr_nonnull(fp);
		while (fgets(line, sizeof line, fp) != NULL) {
			if (strstr(line, "info madoguchid ") != NULL && strstr(line, " listening on ") != NULL)
				found = false;
			else if (strstr(line, "events: listening on") != NULL)
				found = true;
		}
		fclose(fp);
		if (found)
			return;
		ck_assert_msg(itest_daemon_signal_wait((struct itest_daemon *)d, 0, 20) == -1,
		    "madoguchid exited; see %s", d->log);
	}
}

/* Runs madoguchid with args; returns its exit status, *out its output. */
static int
run(const char *const *args, char **out)
{
	const char *argv[16] = { "-c", getenv("MADOGUCHI_TEST_CONFIG") };
	size_t n = 2;

	for (; *args != NULL && n < 15; args++)
		argv[n++] = *args;
	argv[n] = NULL;
	return itest_run_daemon_cmd(argv, out);
}

/* Makes a staff token for kasugai-main living days; copies it and its id out. */
static void
make_token(const char *days, char tok[128], char id[16])
{
	const char *args[] = { "--create-token", "staff", "--expires-days", days, "kasugai-main",
		NULL };
	char *out = NULL, *last, *end, *p;

	ck_assert_msg(run(args, &out) == 0, "--create-token: %s", out);
	end = out + strlen(out);
	while (end > out && end[-1] == '\n')
		*--end = '\0';
	last = strrchr(out, '\n');
	last = last != NULL ? last + 1 : out;
	ck_assert_msg(strncmp(last, "mds_", 4) == 0, "no token in: %s", out);
	snprintf(tok, 128, "%s", last);
	p = strstr(out, " token ");
	ck_assert_ptr_nonnull(p);
	ck_assert_int_eq(sscanf(p, " token %15s", id), 1);
	ck_assert_int_eq(strlen(id), 12);
	ck_assert_msg(strstr(out, "expires 20") != NULL, "no expiry in: %s", out);
	free(out);
}

/* The status of the staff probe on d with tok. */
static long
probe(const struct itest_daemon *d, const char *tok)
{
	char auth[200];
	const char *h[] = { auth, NULL };
	struct itest_resp r;
	long st;

	snprintf(auth, sizeof auth, "Authorization: Bearer %s", tok);
	itest_http(d, "POST", PROBE, "{}", 2, NULL, h, &r);
	st = r.status;
	if (st == 401)
		ck_assert_str_eq(itest_str(&r, "code"), "invalid_token");
	itest_resp_free(&r);
	return st;
}

/* Waits until d refuses tok; returns how long it took after since (ms). */
static long long
until_refused(const struct itest_daemon *d, const char *tok, long long since)
{
	long long limit = since + 10000;

	while (probe(d, tok) != 401)
		ck_assert_msg(now_ms() < limit, "%s still accepts the token after 10 s", d->url);
	return now_ms() - since;
}

/* The output of --list-tokens. */
static char *
list_tokens(void)
{
	const char *args[] = { "--list-tokens", NULL };
	char *out = NULL;

	ck_assert_msg(run(args, &out) == 0, "--list-tokens: %s", out);
	return out;
}

/* The line of --list-tokens about id (static buffer). */
static const char *
list_line(const char *list, const char *id)
{
	static char line[512];
	const char *p = strstr(list, id), *e;

	ck_assert_msg(p != NULL, "%s not listed:\n%s", id, list);
	e = strchr(p, '\n');
	snprintf(line, sizeof line, "%.*s", (int)(e ? e - p : (long)strlen(p)), p);
	return line;
}

static void
setup(void)
{
	curl_global_init(CURL_GLOBAL_DEFAULT);
	itest_daemon_start(&d1, NULL, NULL);
	itest_daemon_start(&d2, NULL, NULL);
	ck_assert_int_eq(itest_psql("TRUNCATE tickets, ticket_numbers, audit_log, staff_tokens"), 0);
}

static void
teardown(void)
{
	itest_daemon_stop(&d1);
	itest_daemon_stop(&d2);
	curl_global_cleanup();
}

START_TEST(revoke_reaches_two_daemons)
{
	const char *revoke[] = { "--revoke-token", NULL, NULL };
	char tok[128], id[16], other[128], other_id[16], *out = NULL, *list, *audit;
	long long t0, took1, took2;

	wait_listening(&d1);
	wait_listening(&d2);
	make_token("30", tok, id);
	make_token("365", other, other_id);
	/* Accepted on both, several times (the later ones from each daemon's cache). */
	for (int i = 0; i < 3; i++) {
		ck_assert_int_ne(probe(&d1, tok), 401);
		ck_assert_int_ne(probe(&d2, tok), 401);
	}
	list = list_tokens();
	ck_assert_msg(strstr(list, "mds_") == NULL, "the list shows a token:\n%s", list);
	ck_assert_msg(strstr(list_line(list, id), "active") != NULL, "%s", list);
	ck_assert_msg(strstr(list_line(list, id), "kasugai") != NULL, "%s", list);
	ck_assert_msg(strstr(list_line(list, id), " staff ") != NULL, "%s", list);
	free(list);

	revoke[1] = id;
	ck_assert_msg(run(revoke, &out) == 0, "--revoke-token: %s", out);
	t0 = now_ms();
	ck_assert_msg(strstr(out, "revoked") != NULL, "%s", out);
	free(out);
	took1 = until_refused(&d1, tok, t0);
	took2 = until_refused(&d2, tok, t0);
	fprintf(stderr, "tokens: revocation refused after %lld ms and %lld ms\n", took1, took2);
	ck_assert_msg(took1 < 1000 && took2 < 1000, "revocation took %lld / %lld ms", took1, took2);
	/* The other token is untouched. */
	ck_assert_int_ne(probe(&d1, other), 401);
	ck_assert_int_ne(probe(&d2, other), 401);

	list = list_tokens();
	ck_assert_msg(strstr(list_line(list, id), "revoked") != NULL, "%s", list);
	ck_assert_msg(strstr(list_line(list, other_id), "active") != NULL, "%s", list);
	free(list);
	/* Again: nothing to do, said so; an unknown or malformed id is an error. */
	ck_assert_int_eq(run(revoke, &out), 0);
	ck_assert_msg(strstr(out, "already revoked") != NULL, "%s", out);
	free(out);
	revoke[1] = "0123456789ab";
	ck_assert_int_eq(run(revoke, &out), 65);
	free(out);
	revoke[1] = "nonsense";
	ck_assert_int_eq(run(revoke, &out), 64);
	free(out);

	audit = itest_psql_out("SELECT action || ' ' || subject || ' ' || (actor LIKE 'operator:%') "
	    "FROM audit_log WHERE action LIKE 'token.%' ORDER BY id");
	ck_assert_msg(strstr(audit, "token.created") != NULL, "%s", audit);
	{
		char want[64];
		snprintf(want, sizeof want, "token.created %s t", id);
		ck_assert_msg(strstr(audit, want) != NULL, "%s", audit);
		snprintf(want, sizeof want, "token.revoked %s t", id);
		ck_assert_msg(strstr(audit, want) != NULL, "%s", audit);
		snprintf(want, sizeof want, "token.created %s t", other_id);
		ck_assert_msg(strstr(audit, want) != NULL, "%s", audit);
	}
	/* One revocation entry: the repeated revoke did nothing. */
	free(audit);
	audit = itest_psql_out("SELECT count(*) FROM audit_log WHERE action = 'token.revoked'");
	ck_assert_int_eq(atoi(audit), 1);
	free(audit);
}
END_TEST

START_TEST(expiry_by_database_clock)
{
	char tok[128], id[16], sql[256], *out, *list;

	make_token("1", tok, id);
	out = itest_psql_out("SELECT (expires_at - created_at) = interval '1 day' FROM "
	    "staff_tokens ORDER BY created_at DESC LIMIT 1");
	ck_assert_msg(out[0] == 't', "expires_at is not a day after creation: %s", out);
	free(out);
	/* A day later by the database's clock (the token never used meanwhile). */
	snprintf(sql, sizeof sql, "UPDATE staff_tokens SET created_at = created_at - interval "
	    "'1 day 1 second', expires_at = expires_at - interval '1 day 1 second' WHERE id = '%s'",
	    id);
	ck_assert_int_eq(itest_psql(sql), 0);
	ck_assert_int_eq(probe(&d1, tok), 401);
	ck_assert_int_eq(probe(&d2, tok), 401);
	list = list_tokens();
	ck_assert_msg(strstr(list_line(list, id), "expired") != NULL, "%s", list);
	free(list);
	{
		const char *bad[] = { "--create-token", "staff", "--expires-days", "0",
			"kasugai-main", NULL };
		ck_assert_int_eq(run(bad, &out), 64);
		free(out);
		bad[3] = "12x";
		ck_assert_int_eq(run(bad, &out), 64);
		free(out);
	}
}
END_TEST

/*
 * Known tokens are answered from the cache: a revocation written straight into
 * the table, without the notification, is not seen until the notification.
 * (Always revoke with --revoke-token, which sends it.)
 */
START_TEST(cache_answers_until_notified)
{
	char tok[128], id[16], sql[256];
	long long t0, took;

	make_token("30", tok, id);
	/*
	 * The token's own creation is announced too, and would empty d1's cache
	 * whenever it arrives; a d1 started after it never hears it.
	 */
	itest_daemon_stop(&d1);
	itest_daemon_start(&d1, NULL, NULL);
	wait_listening(&d1);
	ck_assert_int_ne(probe(&d1, tok), 401);
	snprintf(sql, sizeof sql, "UPDATE staff_tokens SET revoked_at = now() WHERE id = '%s'", id);
	ck_assert_int_eq(itest_psql(sql), 0);
	for (int i = 0; i < 5; i++)
		ck_assert_int_ne(probe(&d1, tok), 401);
	/* A fresh daemon asks the database and refuses it. */
	ck_assert_int_eq(probe(&d2, tok), 401);
	ck_assert_int_eq(itest_psql("NOTIFY madoguchi_tokens"), 0);
	t0 = now_ms();
	took = until_refused(&d1, tok, t0);
	ck_assert_msg(took < 1000, "the notification took %lld ms", took);
}
END_TEST

static Suite *
tokens_suite(void)
{
	Suite *s = suite_create("tokens");
	TCase *tc = tcase_create("tokens");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, revoke_reaches_two_daemons);
	tcase_add_test(tc, expiry_by_database_clock);
	tcase_add_test(tc, cache_answers_until_notified);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	SRunner *sr = srunner_create(tokens_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
