/* Unit tests for the CSV imports' row checks (links imports, clock and the core they use). */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "imports.h"

#define HEADER "issued_at,service,kind,called_at,done_at,status\n"
/* 2026-06-15. */
#define TODAY 20619

/* The office offers ecert_renewal and card_pickup. */
static bool
offered(const char *service, void *arg)
{
	(void)arg;
	return strcmp(service, "ecert_renewal") == 0 || strcmp(service, "card_pickup") == 0;
}

/* Reads text as history; the first problem's line and field ("" when every row is good). */
static int
history(const char *text, const char **field, struct history_row *last)
{
	static struct import_history h;
	static char buf[64];
	enum import_status st;
	json_t *p;
	int line = 0;

	import_history_init(&h, text, strlen(text), TODAY, offered, NULL);
	if ((p = import_history_header(&h)) == NULL) {
		while ((st = import_history_next(&h, last, &p)) == IMPORT_ROW)
			;
	}
	buf[0] = '\0';
	if (p != NULL) {
		ck_assert_str_eq(json_string_value(json_object_get(p, "code")), "bad_csv");
		snprintf(buf, sizeof buf, "%s", json_string_value(json_object_get(p, "field")));
		line = (int)json_integer_value(json_object_get(p, "line"));
		json_decref(p);
	}
	*field = buf;
	return line;
}

START_TEST(history_rows)
{
	struct history_row row;
	const char *f;

	ck_assert_int_eq(history(HEADER "2026-06-01T09:00:00+09:00,ecert_renewal,walk_in,"
	    "2026-06-01T09:05:00+09:00,2026-06-01T09:20:00+09:00,done\n", &f, &row), 0);
	ck_assert(row.done && row.has_called && row.finished - row.called == 15 * 60);
	ck_assert_int_eq(history(HEADER "2026-06-01T09:00:00+09:00,card_pickup,reservation,,,"
	    "no_show\n", &f, &row), 0);
	ck_assert(!row.done && !row.has_called);
	ck_assert_str_eq(row.kind, "reservation");
}
END_TEST

/*
 * History starts in 1980, the first year whose holidays are known (the forecast
 * sorts days by them). A ticket called at the epoch's very second (time 0) was
 * once taken for one never called; such a row is now refused at its issue time.
 */
START_TEST(history_from_1980)
{
	struct history_row row;
	const char *f;

	ck_assert_int_eq(history(HEADER "1970-01-01T08:59:00+09:00,ecert_renewal,walk_in,"
	    "1970-01-01T09:00:00+09:00,1970-01-01T09:01:00+09:00,done\n", &f, &row), 2);
	ck_assert_str_eq(f, "issued_at");
	ck_assert_int_eq(history(HEADER "1979-12-31T23:59:59+09:00,ecert_renewal,walk_in,,,"
	    "no_show\n", &f, &row), 2);
	ck_assert_str_eq(f, "issued_at");
	ck_assert_int_eq(history(HEADER "1980-01-01T00:00:00+09:00,ecert_renewal,walk_in,"
	    "1980-01-01T00:00:00+09:00,1980-01-01T00:01:00+09:00,done\n", &f, &row), 0);
	ck_assert(row.has_called && row.called == row.issued && row.finished - row.called == 60);
}
END_TEST

START_TEST(history_refusals)
{
	struct history_row row;
	const char *f;

	ck_assert_int_eq(history("", &f, &row), 1);
	ck_assert_str_eq(f, "header");
	ck_assert_int_eq(history("issued_at,service,kind,called_at,done_at\n", &f, &row), 1);
	ck_assert_str_eq(f, "status");
	ck_assert_int_eq(history(HEADER ",\n", &f, &row), 2);
	ck_assert_str_eq(f, "kind");	/* the first column the row lacks */
	ck_assert_int_eq(history("issued_at,service,kind,called_at,done_at,status,extra\n", &f,
	    &row), 1);
	ck_assert_str_eq(f, "extra");
	ck_assert_int_eq(history(HEADER "2026-06-01T10:00:00+09:00,pin_reset,walk_in,,,no_show\n",
	    &f, &row), 2);
	ck_assert_str_eq(f, "service");
	ck_assert_int_eq(history(HEADER "2026-06-15T00:00:00+09:00,ecert_renewal,walk_in,,,no_show\n",
	    &f, &row), 2);
	ck_assert_str_eq(f, "issued_at");
	ck_assert_int_eq(history(HEADER "2026-06-01T10:00:00+09:00,ecert_renewal,walk_in,"
	    "2026-06-02T10:00:01+09:00,2026-06-02T10:30:00+09:00,done\n", &f, &row), 2);
	ck_assert_str_eq(f, "called_at");
	ck_assert_int_eq(history(HEADER "2026-06-01T10:00:00+09:00,ecert_renewal,walk_in,,"
	    "2026-06-01T10:30:00+09:00,no_show\n", &f, &row), 2);
	ck_assert_str_eq(f, "done_at");
	ck_assert_int_eq(history(HEADER "\"x\ny\",a,b,c,d,e\n", &f, &row), 2);
	ck_assert_str_eq(f, "issued_at");
}
END_TEST

/* Reads text as expiries; the problem's field ("" when good) and the rows read in *n. */
static const char *
expiries(const char *text, size_t *n)
{
	static char buf[64];
	struct import_expiries e;
	struct expiry_row row;
	json_t *p;

	import_expiries_init(&e, text, strlen(text));
	if ((p = import_expiries_header(&e)) == NULL) {
		while (import_expiries_next(&e, &row, &p) == IMPORT_ROW)
			;
	}
	*n = e.n;
	import_expiries_free(&e);
	buf[0] = '\0';
	if (p != NULL) {
		snprintf(buf, sizeof buf, "%s", json_string_value(json_object_get(p, "field")));
		json_decref(p);
	}
	return buf;
}

START_TEST(expiries_rows)
{
	size_t n;

	ck_assert_str_eq(expiries("date,certificates,cards\n2027-02-01,120,30\n2027-02-02,0,0\n",
	    &n), "");
	ck_assert_uint_eq(n, 2);
	ck_assert_str_eq(expiries("cards,date,certificates\r\n5,2027-02-01,7\r\n", &n), "");
	ck_assert_str_eq(expiries("date,certs,cards\n", &n), "header");
	ck_assert_str_eq(expiries("date,certificates\n", &n), "cards");
	ck_assert_str_eq(expiries("date,certificates,cards\n2027-02-01,1,2\n2027-02-02,-3,1\n", &n),
	    "certificates");
	ck_assert_str_eq(expiries("date,certificates,cards\n2027-02-01,1,2\n2027-02-01,1,2\n", &n),
	    "date");
	ck_assert_str_eq(expiries("date,certificates,cards\n2027-02-01,1,10000001\n", &n), "cards");
	ck_assert_str_eq(expiries("date,certificates,cards\n2027-02-01,1\n", &n), "cards");
}
END_TEST

/* The suite. */
static Suite *
imports_suite(void)
{
	Suite *s = suite_create("imports");
	TCase *tc = tcase_create("rows");

	tcase_add_test(tc, history_rows);
	tcase_add_test(tc, history_from_1980);
	tcase_add_test(tc, history_refusals);
	tcase_add_test(tc, expiries_rows);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	SRunner *sr = srunner_create(imports_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
