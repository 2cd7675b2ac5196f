/* Unit tests for strict query strings (links server/query.c only). */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "query.h"

static const char *const names[] = { "service", "from", "days", NULL };

/* Checks query against names, expecting verdict and (when given) the name at fault. */
static void
expect(const char *query, enum query_verdict verdict, const char *bad_name)
{
	char *bad;

	ck_assert_int_eq(query_check(query, names, &bad), verdict);
	if (bad_name == NULL)
		ck_assert_ptr_null(bad);
	else
		ck_assert_str_eq(bad, bad_name);
	free(bad);
}

START_TEST(verdicts)
{
	expect(NULL, QUERY_OK, NULL);
	expect("", QUERY_OK, NULL);
	expect("service=passport&from=2026-12-16&days=7", QUERY_OK, NULL);
	expect("service=a&sort=asc", QUERY_UNKNOWN, "sort");
	expect("days=1&days=2", QUERY_DUPLICATE, "days");
	expect("d%61ys=1", QUERY_UNKNOWN, "d%61ys");	/* names are not decoded */
	expect("service", QUERY_MALFORMED, NULL);
	expect("=x", QUERY_MALFORMED, NULL);
	/* An escaped NUL would cut the value short: refused, naming its parameter. */
	expect("service=a&year=2026%00", QUERY_NUL, "year");
	expect("%00=1", QUERY_NUL, "");
}
END_TEST

START_TEST(values)
{
	char *v = query_get("from=2026%2D12%2D16&days=7", "from");

	ck_assert_str_eq(v, "2026-12-16");
	free(v);
	v = query_get("days=7&days=8", "days");
	ck_assert_str_eq(v, "7");
	free(v);
	ck_assert_ptr_null(query_get("days=7", "from"));
	ck_assert_ptr_null(query_get(NULL, "from"));
	ck_assert_ptr_null(query_get("from", "from"));
	v = query_get("from=%zz", "from");	/* a bad escape is kept as it is */
	ck_assert_str_eq(v, "%zz");
	free(v);
}
END_TEST

/* The query suite. */
static Suite *
query_suite(void)
{
	Suite *s = suite_create("query");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, verdicts);
	tcase_add_test(tc, values);
	suite_add_tcase(s, tc);
	return s;
}

/* Runs the suite; the exit status is 0 when every test passed. */
int
main(void)
{
	SRunner *sr = srunner_create(query_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
