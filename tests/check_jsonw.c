/* The streaming JSON writer: its output must parse back (with jansson) to what was written. */
#include "jsonw.h"

#include <check.h>
#include <jansson.h>
#include <stdlib.h>
#include <string.h>

/* Finishes w, checks the text equals want, and returns it parsed (caller decrefs). */
static json_t *
finish_eq(struct jsonw *w, const char *want)
{
	size_t len;
	char *text = jsonw_finish(w, &len);
	json_t *j;

	ck_assert_uint_eq(len, strlen(text));
	if (want != NULL)
		ck_assert_str_eq(text, want);
	j = json_loads(text, JSON_REJECT_DUPLICATES, NULL);
	ck_assert_msg(j != NULL, "not valid JSON: %s", text);
	free(text);
	return j;
}

/* Members and array items get exactly one comma between them, none before the first. */
START_TEST(commas_and_nesting)
{
	struct jsonw w;

	jsonw_init(&w);
	jsonw_object(&w);
	jsonw_key(&w, "a");
	jsonw_int(&w, 1);
	jsonw_key(&w, "b");
	jsonw_array(&w);
	jsonw_int(&w, 2);
	jsonw_object(&w);
	jsonw_end(&w);
	jsonw_array(&w);
	jsonw_end(&w);
	jsonw_string(&w, "x");
	jsonw_end(&w);
	jsonw_key(&w, "c");
	jsonw_bool(&w, true);
	jsonw_key(&w, "d");
	jsonw_null(&w);
	jsonw_end(&w);
	json_decref(finish_eq(&w, "{\"a\":1,\"b\":[2,{},[],\"x\"],\"c\":true,\"d\":null}"));
}
END_TEST

/* Quotes, backslashes and control characters are escaped; UTF-8 passes through. */
START_TEST(escaping)
{
	static const char nasty[] = "q\"b\\n\nt\tc\x01\x1f end 窓口";
	struct jsonw w;
	json_t *j;

	jsonw_init(&w);
	jsonw_array(&w);
	jsonw_string(&w, nasty);
	jsonw_end(&w);
	j = finish_eq(&w, "[\"q\\\"b\\\\n\\u000at\\u0009c\\u0001\\u001f end 窓口\"]");
	ck_assert_str_eq(json_string_value(json_array_get(j, 0)), nasty);
	json_decref(j);
}
END_TEST

/* Keys are escaped like values. */
START_TEST(keys_escaped)
{
	struct jsonw w;
	json_t *j;

	jsonw_init(&w);
	jsonw_object(&w);
	jsonw_key(&w, "a\"b");
	jsonw_int(&w, 0);
	jsonw_end(&w);
	j = finish_eq(&w, "{\"a\\\"b\":0}");
	ck_assert(json_object_get(j, "a\"b") != NULL);
	json_decref(j);
}
END_TEST

/* Integers at the edges of long long print exactly. */
START_TEST(integers)
{
	struct jsonw w;

	jsonw_init(&w);
	jsonw_array(&w);
	jsonw_int(&w, 0);
	jsonw_int(&w, -7);
	jsonw_int(&w, 9223372036854775807LL);
	jsonw_int(&w, -9223372036854775807LL - 1);
	jsonw_end(&w);
	json_decref(finish_eq(&w,
	    "[0,-7,9223372036854775807,-9223372036854775808]"));
}
END_TEST

/* A NULL string is written as null. */
START_TEST(null_string)
{
	struct jsonw w;

	jsonw_init(&w);
	jsonw_object(&w);
	jsonw_key(&w, "reason");
	jsonw_string(&w, NULL);
	jsonw_end(&w);
	json_decref(finish_eq(&w, "{\"reason\":null}"));
}
END_TEST

/* A large document (more than the first buffer) grows correctly. */
START_TEST(large_document)
{
	struct jsonw w;
	json_t *j;

	jsonw_init(&w);
	jsonw_array(&w);
	for (int i = 0; i < 20000; i++) {
		jsonw_object(&w);
		jsonw_key(&w, "start");
		jsonw_string(&w, "2026-12-16T08:30:00+09:00");
		jsonw_key(&w, "n");
		jsonw_int(&w, i);
		jsonw_end(&w);
	}
	jsonw_end(&w);
	j = finish_eq(&w, NULL);
	ck_assert_uint_eq(json_array_size(j), 20000);
	ck_assert_int_eq(json_integer_value(json_object_get(json_array_get(j, 19999), "n")), 19999);
	json_decref(j);
}
END_TEST

/* The suite. */
static Suite *
jsonw_suite(void)
{
	Suite *s = suite_create("jsonw");
	TCase *tc = tcase_create("writer");

	tcase_add_test(tc, commas_and_nesting);
	tcase_add_test(tc, escaping);
	tcase_add_test(tc, keys_escaped);
	tcase_add_test(tc, integers);
	tcase_add_test(tc, null_string);
	tcase_add_test(tc, large_document);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	SRunner *sr = srunner_create(jsonw_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
