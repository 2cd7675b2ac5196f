/* Unit tests for problem documents and the strict body parser (problem.c, xmalloc.c). */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "core/problem.h"

/* The string member key of p, failing the test when it is missing or not a string. */
static const char *
member(const json_t *p, const char *key)
{
	const json_t *v = json_object_get(p, key);

	ck_assert_msg(json_is_string(v), "member \"%s\" must be a string", key);
	return json_string_value(v);
}

/* Parses len bytes of body, expecting a refusal; returns the cause (caller frees). */
static char *
refused(const char *body, size_t len)
{
	char *cause = NULL;
	json_t *j = problem_parse_object(body, len, &cause);

	ck_assert_msg(j == NULL, "body of %zu bytes must be refused", len);
	ck_assert_ptr_nonnull(cause);
	return cause;
}

/* Asserts that body (a string literal, NULs kept) is refused with a cause containing want. */
#define REFUSED_WITH(body, want) do {						\
	char *c_ = refused((body), sizeof(body) - 1);				\
	ck_assert_msg(strstr(c_, (want)) != NULL, "cause \"%s\" lacks \"%s\"",	\
	    c_, (want));							\
	free(c_);								\
} while (0)

/* problem_new builds exactly type, title, status, detail and code. */
START_TEST(new_shape)
{
	json_t *p = problem_new(409, "slot_full", "The 10:00 slot is full.");

	ck_assert_ptr_nonnull(p);
	ck_assert(json_is_object(p));
	ck_assert_uint_eq(json_object_size(p), 5);
	ck_assert_str_eq(member(p, "type"), "urn:madoguchi:problem:slot_full");
	ck_assert_str_eq(member(p, "title"), "Conflict");
	ck_assert(json_is_integer(json_object_get(p, "status")));
	ck_assert_int_eq(json_integer_value(json_object_get(p, "status")), 409);
	ck_assert_str_eq(member(p, "detail"), "The 10:00 slot is full.");
	ck_assert_str_eq(member(p, "code"), "slot_full");
	json_decref(p);
}
END_TEST

/* problem_field adds a field member and keeps the rest of the shape. */
START_TEST(field_shape)
{
	json_t *p = problem_field(400, "invalid_date", "applicant.birth_date",
	    "birth_date must be YYYY-MM-DD.");

	ck_assert_uint_eq(json_object_size(p), 6);
	ck_assert_str_eq(member(p, "field"), "applicant.birth_date");
	ck_assert_str_eq(member(p, "title"), "Bad Request");
	ck_assert_int_eq(json_integer_value(json_object_get(p, "status")), 400);
	ck_assert_str_eq(member(p, "code"), "invalid_date");
	ck_assert_str_eq(member(p, "type"), "urn:madoguchi:problem:invalid_date");
	ck_assert_str_eq(member(p, "detail"), "birth_date must be YYYY-MM-DD.");
	json_decref(p);
}
END_TEST

/* Every status API.md uses has its standard reason phrase. */
START_TEST(titles_for_api_statuses)
{
	static const struct {
		int status;
		const char *title;
	} want[] = {
		{ 400, "Bad Request" }, { 401, "Unauthorized" }, { 403, "Forbidden" },
		{ 404, "Not Found" }, { 405, "Method Not Allowed" }, { 409, "Conflict" },
		{ 413, "Content Too Large" }, { 422, "Unprocessable Content" },
		{ 429, "Too Many Requests" }, { 503, "Service Unavailable" },
	};

	for (size_t i = 0; i < sizeof want / sizeof want[0]; i++) {
		ck_assert_str_eq(problem_title(want[i].status), want[i].title);
		json_t *p = problem_new(want[i].status, "x", "y");
		ck_assert_str_eq(member(p, "title"), want[i].title);
		json_decref(p);
	}
}
END_TEST

/* Statuses without their own phrase fall back to the class name. */
START_TEST(titles_fallback)
{
	ck_assert_str_eq(problem_title(418), "Client Error");
	ck_assert_str_eq(problem_title(451), "Client Error");
	ck_assert_str_eq(problem_title(502), "Server Error");
	ck_assert_str_eq(problem_title(599), "Server Error");
	ck_assert_str_eq(problem_title(500), "Internal Server Error");
}
END_TEST

/* Invalid UTF-8 in detail yields a document with a string detail, not NULL. */
START_TEST(invalid_utf8_detail)
{
	json_t *p = problem_new(400, "bad_name", "name \xff\xfe is not text");
	char *text;

	ck_assert_ptr_nonnull(p);
	ck_assert_uint_eq(json_object_size(p), 5);
	ck_assert_str_ne(member(p, "detail"), "");
	ck_assert_ptr_null(strstr(member(p, "detail"), "\xff"));
	ck_assert_str_eq(member(p, "code"), "bad_name");
	text = json_dumps(p, 0);
	ck_assert_ptr_nonnull(text);
	free(text);
	json_decref(p);
}
END_TEST

/* Invalid UTF-8 in code or field is replaced too, and the document still dumps. */
START_TEST(invalid_utf8_code_and_field)
{
	json_t *p = problem_field(400, "x\xc3", "applicant.\xe6\x98", "ok");
	char *text;

	ck_assert_ptr_nonnull(p);
	ck_assert_uint_eq(json_object_size(p), 6);
	member(p, "type");
	member(p, "code");
	member(p, "field");
	ck_assert_str_eq(member(p, "detail"), "ok");
	text = json_dumps(p, 0);
	ck_assert_ptr_nonnull(text);
	free(text);
	json_decref(p);
}
END_TEST

/* Non-ASCII detail (Japanese) is kept as given. */
START_TEST(utf8_detail_kept)
{
	json_t *p = problem_new(422, "before_renewal_window", "更新期間前です。");

	ck_assert_str_eq(member(p, "detail"), "更新期間前です。");
	json_decref(p);
}
END_TEST

/* Extra members can be added and the document serialises with all of them. */
START_TEST(extra_members)
{
	json_t *p = problem_new(422, "before_renewal_window", "too early");
	json_t *back;
	char *text;

	ck_assert_int_eq(json_object_set_new(p, "window_opens", json_string("2026-04-16")), 0);
	text = json_dumps(p, JSON_SORT_KEYS);
	back = json_loads(text, JSON_REJECT_DUPLICATES, NULL);
	ck_assert_ptr_nonnull(back);
	ck_assert_str_eq(member(back, "window_opens"), "2026-04-16");
	ck_assert_int_eq(json_integer_value(json_object_get(back, "status")), 422);
	free(text);
	json_decref(back);
	json_decref(p);
}
END_TEST

/* An object body parses, and only len bytes are read. */
START_TEST(parse_accepts_object)
{
	static const char body[] = "{\"service\": \"pin_reset\", \"n\": [1, {\"a\": null}]}IGNORED";
	char *cause = (char *)"stale";
	json_t *j = problem_parse_object(body, sizeof body - 1 - strlen("IGNORED"), &cause);

	ck_assert_ptr_nonnull(j);
	ck_assert_ptr_null(cause);
	ck_assert(json_is_object(j));
	ck_assert_str_eq(member(j, "service"), "pin_reset");
	ck_assert_uint_eq(json_array_size(json_object_get(j, "n")), 2);
	json_decref(j);

	j = problem_parse_object("{}", 2, &cause);
	ck_assert_ptr_nonnull(j);
	ck_assert_ptr_null(cause);
	ck_assert_uint_eq(json_object_size(j), 0);
	json_decref(j);

	static const char ja[] = " \n{\"名前\": \"春日井\"}\n ";
	j = problem_parse_object(ja, sizeof ja - 1, &cause);
	ck_assert_ptr_nonnull(j);
	ck_assert_str_eq(member(j, "名前"), "春日井");
	json_decref(j);
}
END_TEST

/* An empty body is refused with a sentence saying so. */
START_TEST(parse_refuses_empty)
{
	char *c = refused("", 0);

	ck_assert_ptr_nonnull(strstr(c, "empty"));
	free(c);
	c = refused("{\"a\":1}", 0);
	ck_assert_ptr_nonnull(strstr(c, "empty"));
	free(c);
	REFUSED_WITH("  \n ", "line 2");
}
END_TEST

/* Arrays, strings, numbers, null and booleans at the root are refused. */
START_TEST(parse_refuses_non_object_roots)
{
	REFUSED_WITH("[]", "must be a JSON object");
	REFUSED_WITH("[{\"a\": 1}]", "must be a JSON object");
	REFUSED_WITH("\"text\"", "line 1");
	REFUSED_WITH("42", "line 1");
	REFUSED_WITH("null", "line 1");
	REFUSED_WITH("true", "line 1");
}
END_TEST

/* A duplicate key is refused, with its position. */
START_TEST(parse_refuses_duplicate_keys)
{
	REFUSED_WITH("{\"a\":1,\"a\":2}", "duplicate");
	REFUSED_WITH("{\"a\":1,\"a\":2}", "line 1, column 10");
	REFUSED_WITH("{\"o\": {\"k\": 1, \"k\": 1}}", "duplicate");
}
END_TEST

/* Malformed JSON is refused with the line and column of the fault. */
START_TEST(parse_malformed_has_position)
{
	REFUSED_WITH("{\n  \"a\": 1,\n  \"b\": }", "malformed JSON at line 3, column 8");
	REFUSED_WITH("{\"a\":1,}", "line 1, column 8");
	REFUSED_WITH("{\"a\" 1}", "line 1");
	REFUSED_WITH("{\"a\":1", "line 1");
	REFUSED_WITH("{'a':1}", "line 1");
}
END_TEST

/* Anything after the object is refused. */
START_TEST(parse_refuses_trailing_data)
{
	REFUSED_WITH("{\"a\":1} x", "line 1, column 9");
	REFUSED_WITH("{\"a\":1}{}", "line 1");
	REFUSED_WITH("{\"a\":1}\n,", "line 2");
}
END_TEST

/* NUL bytes are refused: raw inside a string, after the object, or as \u0000. */
START_TEST(parse_refuses_nul)
{
	REFUSED_WITH("{\"a\":\"b\0c\"}", "line 1");
	REFUSED_WITH("{\"a\":1}\0", "line 1");
	REFUSED_WITH("{\"a\"\0:1}", "line 1");
	REFUSED_WITH("{\"a\":\"\\u0000\"}", "line 1");
	REFUSED_WITH("\0{\"a\":1}", "line 1");
}
END_TEST

/* Invalid UTF-8 is refused, and the cause is itself valid UTF-8 for the detail. */
START_TEST(parse_refuses_invalid_utf8)
{
	static const char *const bad[] = {
		"{\"a\":\"\xff\"}",			/* never valid */
		"{\"a\":\"\xc3\"}",			/* truncated sequence */
		"{\"\xed\xa0\x80\":1}",			/* UTF-16 surrogate */
		"{\"a\":\"\xc0\xaf\"}",			/* overlong '/' */
		"{\"a\": 1, \xff}",			/* outside a string */
		"{\"a\":\"\xf4\x90\x80\x80\"}",		/* above U+10FFFF */
	};

	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		char *c = refused(bad[i], strlen(bad[i]));
		json_t *s = json_string(c);
		ck_assert_msg(s != NULL, "cause \"%s\" must be valid UTF-8", c);
		ck_assert_ptr_nonnull(strstr(c, "line 1, column"));
		json_t *p = problem_new(400, "malformed_json", c);
		ck_assert_str_eq(member(p, "detail"), c);
		json_decref(p);
		json_decref(s);
		free(c);
	}
}
END_TEST

/* Very deep nesting is refused without crashing; moderate nesting is fine. */
START_TEST(parse_deep_nesting)
{
	const size_t deep = 100000;
	char *body = malloc(2 * deep + 8);
	size_t n = 0;
	char *cause;
	json_t *j;

	body[n++] = '{', body[n++] = '"', body[n++] = 'a', body[n++] = '"', body[n++] = ':';
	memset(body + n, '[', deep), n += deep;
	memset(body + n, ']', deep), n += deep;
	body[n++] = '}';
	char *c = refused(body, n);
	ck_assert_ptr_nonnull(strstr(c, "depth"));
	free(c);

	n = 5;
	memset(body + n, '[', 100), n += 100;
	memset(body + n, ']', 100), n += 100;
	body[n++] = '}';
	j = problem_parse_object(body, n, &cause);
	ck_assert_ptr_nonnull(j);
	ck_assert_ptr_null(cause);
	json_decref(j);
	free(body);
}
END_TEST

/* All problem tests in one suite. */
static Suite *
problem_suite(void)
{
	Suite *s = suite_create("problem");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, new_shape);
	tcase_add_test(tc, field_shape);
	tcase_add_test(tc, titles_for_api_statuses);
	tcase_add_test(tc, titles_fallback);
	tcase_add_test(tc, invalid_utf8_detail);
	tcase_add_test(tc, invalid_utf8_code_and_field);
	tcase_add_test(tc, utf8_detail_kept);
	tcase_add_test(tc, extra_members);
	tcase_add_test(tc, parse_accepts_object);
	tcase_add_test(tc, parse_refuses_empty);
	tcase_add_test(tc, parse_refuses_non_object_roots);
	tcase_add_test(tc, parse_refuses_duplicate_keys);
	tcase_add_test(tc, parse_malformed_has_position);
	tcase_add_test(tc, parse_refuses_trailing_data);
	tcase_add_test(tc, parse_refuses_nul);
	tcase_add_test(tc, parse_refuses_invalid_utf8);
	tcase_add_test(tc, parse_deep_nesting);
	suite_add_tcase(s, tc);
	return s;
}

/* Runs the suite; the exit status is 0 when every test passed. */
int
main(void)
{
	SRunner *sr = srunner_create(problem_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
