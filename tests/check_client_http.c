/* The client's reading of failed answers: problem details and exit codes. */
#include "http.h"

#include <check.h>
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>

/* An answer with status and body. */
static void
answer(struct http_resp *r, long status, const char *body)
{
	memset(r, 0, sizeof *r);
	r->status = status;
	buf_puts(&r->body, body);
	r->json = json_loads(body, 0, NULL);
}

START_TEST(problem_messages)
{
	struct http_resp r;
	char *msg;

	answer(&r, 404, "{\"type\":\"about:blank\",\"title\":\"Not Found\",\"status\":404,"
	    "\"detail\":\"there is no office with that id\",\"code\":\"unknown_office\"}");
	msg = http_problem_message(&r);
	ck_assert_str_eq(msg, "there is no office with that id (unknown_office)");
	free(msg);
	http_resp_free(&r);
	answer(&r, 422, "{\"title\":\"Unprocessable\",\"detail\":\"two\\nlines\"}");
	msg = http_problem_message(&r);
	ck_assert_str_eq(msg, "two lines");
	free(msg);
	http_resp_free(&r);
	answer(&r, 502, "<html>bad gateway</html>");
	msg = http_problem_message(&r);
	ck_assert_str_eq(msg, "the server answered HTTP 502");
	free(msg);
	http_resp_free(&r);
	/* Empty members are no message (a fuzzer's find: it printed nothing). */
	answer(&r, 422, "{\"title\":\"\",\"code\":\"inconsistent_facts\"}");
	msg = http_problem_message(&r);
	ck_assert_str_eq(msg, "the server answered HTTP 422");
	free(msg);
	http_resp_free(&r);
	answer(&r, 409, "{\"title\":\"Conflict\",\"detail\":\"\",\"code\":\"slot_full\"}");
	msg = http_problem_message(&r);
	ck_assert_str_eq(msg, "Conflict");
	free(msg);
	http_resp_free(&r);
}
END_TEST

START_TEST(exit_codes)
{
	ck_assert_int_eq(http_exit_code(401), EX_NOPERM);
	ck_assert_int_eq(http_exit_code(403), EX_NOPERM);
	ck_assert_int_eq(http_exit_code(404), EX_NOINPUT);
	ck_assert_int_eq(http_exit_code(400), EX_DATAERR);
	ck_assert_int_eq(http_exit_code(409), EX_DATAERR);
	ck_assert_int_eq(http_exit_code(422), EX_DATAERR);
	ck_assert_int_eq(http_exit_code(429), EX_TEMPFAIL);
	ck_assert_int_eq(http_exit_code(503), EX_TEMPFAIL);
	ck_assert_int_eq(http_exit_code(500), EX_UNAVAILABLE);
	ck_assert_int_eq(http_exit_code(302), EX_PROTOCOL);
}
END_TEST

START_TEST(escaping)
{
	char *e = http_escape("test-main");

	ck_assert_str_eq(e, "test-main");
	free(e);
	e = http_escape("a/b c");
	ck_assert_str_eq(e, "a%2Fb%20c");
	free(e);
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("client_http");
	TCase *tc = tcase_create("http");
	SRunner *sr;
	int failed;

	tcase_add_test(tc, problem_messages);
	tcase_add_test(tc, exit_codes);
	tcase_add_test(tc, escaping);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
