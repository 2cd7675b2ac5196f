/* Unit tests for the CSV reader (links server/core/csv.c only). */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/csv.h"

/* Reads every record of text; returns how many, failing the test on an error. */
static int
read_all(const char *text, size_t len, struct csv_record *recs, int max)
{
	struct csv_reader r;
	const char *cause;
	int n = 0;

	csv_init(&r, text, len);
	for (;;) {
		enum csv_status st = csv_next(&r, &recs[n < max ? n : max - 1], &cause);
		if (st == CSV_END)
			return n;
		ck_assert_msg(st == CSV_RECORD, "error: %s", cause);
		n++;
		/* Fields point into the record: check before the next call reuses it. */
		if (n >= max)
			return n;
	}
}

/* The error text and line of the first error in text. */
static const char *
first_error(const char *text, int *line)
{
	static struct csv_record rec;
	struct csv_reader r;
	const char *cause;
	enum csv_status st;

	csv_init(&r, text, strlen(text));
	while ((st = csv_next(&r, &rec, &cause)) == CSV_RECORD)
		;
	*line = r.line;
	return st == CSV_ERROR ? cause : NULL;
}

/* Plain records with LF and CRLF, the last without a line break. */
START_TEST(plain)
{
	static struct csv_record rec[3];
	const char *t = "a,b,c\r\n1,,3\nx,y,z";

	ck_assert_int_eq(read_all(t, strlen(t), rec, 1), 1);
	ck_assert_uint_eq(rec[0].nfields, 3);
	ck_assert_str_eq(rec[0].fields[0], "a");
	ck_assert_str_eq(rec[0].fields[2], "c");
	ck_assert_int_eq(rec[0].line, 1);
	{
		struct csv_reader r;
		const char *cause;
		csv_init(&r, t, strlen(t));
		ck_assert_int_eq(csv_next(&r, &rec[0], &cause), CSV_RECORD);
		ck_assert_int_eq(csv_next(&r, &rec[1], &cause), CSV_RECORD);
		ck_assert_uint_eq(rec[1].nfields, 3);
		ck_assert_str_eq(rec[1].fields[1], "");
		ck_assert_uint_eq(rec[1].lens[1], 0);
		ck_assert_int_eq(rec[1].line, 2);
		ck_assert_int_eq(csv_next(&r, &rec[2], &cause), CSV_RECORD);
		ck_assert_str_eq(rec[2].fields[2], "z");
		ck_assert_int_eq(rec[2].line, 3);
		ck_assert_int_eq(csv_next(&r, &rec[2], &cause), CSV_END);
	}
}
END_TEST

/* Quoted fields hold commas, doubled quotes and line breaks; lines still count. */
START_TEST(quoted_fields)
{
	struct csv_reader r;
	struct csv_record rec;
	const char *cause;
	const char *t = "\"a,b\",\"say \"\"hi\"\"\",\"two\nlines\"\r\nnext,\"\"\n";

	csv_init(&r, t, strlen(t));
	ck_assert_int_eq(csv_next(&r, &rec, &cause), CSV_RECORD);
	ck_assert_uint_eq(rec.nfields, 3);
	ck_assert_str_eq(rec.fields[0], "a,b");
	ck_assert_str_eq(rec.fields[1], "say \"hi\"");
	ck_assert_str_eq(rec.fields[2], "two\nlines");
	ck_assert_int_eq(csv_next(&r, &rec, &cause), CSV_RECORD);
	ck_assert_int_eq(rec.line, 3);
	ck_assert_str_eq(rec.fields[0], "next");
	ck_assert_str_eq(rec.fields[1], "");
	ck_assert(csv_field_is(&rec, 0, "next"));
	ck_assert(!csv_field_is(&rec, 2, "next"));
	ck_assert_int_eq(csv_next(&r, &rec, &cause), CSV_END);
}
END_TEST

/* A byte-order mark and empty lines are skipped; a trailing comma is an empty field. */
START_TEST(bom_empty_lines_trailing_comma)
{
	struct csv_reader r;
	struct csv_record rec;
	const char *cause;
	const char *t = "\xEF\xBB\xBFh1,h2\n\n\r\na,\n\n";

	csv_init(&r, t, strlen(t));
	ck_assert_int_eq(csv_next(&r, &rec, &cause), CSV_RECORD);
	ck_assert_str_eq(rec.fields[0], "h1");
	ck_assert_int_eq(csv_next(&r, &rec, &cause), CSV_RECORD);
	ck_assert_int_eq(rec.line, 4);
	ck_assert_uint_eq(rec.nfields, 2);
	ck_assert_str_eq(rec.fields[1], "");
	ck_assert_int_eq(csv_next(&r, &rec, &cause), CSV_END);
	csv_init(&r, "", 0);
	ck_assert_int_eq(csv_next(&r, &rec, &cause), CSV_END);
}
END_TEST

/* Malformed text is refused with a reason and the line it is on. */
START_TEST(errors)
{
	int line;
	const char *c;

	ck_assert_ptr_nonnull(c = first_error("a,b\n\"open,c\nd", &line));
	ck_assert(strstr(c, "not closed") != NULL);
	ck_assert_ptr_nonnull(c = first_error("a,b\nx\"y,z\n", &line));
	ck_assert(strstr(c, "unquoted") != NULL);
	ck_assert_int_eq(line, 2);
	ck_assert_ptr_nonnull(c = first_error("a\n\n\"q\"x,b\n", &line));
	ck_assert(strstr(c, "closing quote") != NULL);
	ck_assert_int_eq(line, 3);
	ck_assert_ptr_nonnull(c = first_error("a\rb\n", &line));
	ck_assert(strstr(c, "carriage return") != NULL);
	{
		char big[CSV_RECORD_BYTES + 10];
		memset(big, 'x', sizeof big - 1);
		big[sizeof big - 1] = '\0';
		ck_assert_ptr_nonnull(c = first_error(big, &line));
		ck_assert(strstr(c, "too long") != NULL);
	}
	{
		char many[CSV_MAX_FIELDS * 2 + 4];
		memset(many, ',', CSV_MAX_FIELDS + 1);
		many[CSV_MAX_FIELDS + 1] = '\0';
		ck_assert_ptr_nonnull(c = first_error(many, &line));
		ck_assert(strstr(c, "too many") != NULL);
	}
	{
		static const char nul[] = "a,b\x00" "c\n";
		struct csv_reader r;
		struct csv_record rec;
		csv_init(&r, nul, sizeof nul - 1);
		ck_assert_int_eq(csv_next(&r, &rec, &c), CSV_ERROR);
		ck_assert(strstr(c, "NUL") != NULL);
	}
}
END_TEST

/* Exactly CSV_MAX_FIELDS fields and a field filling the record are accepted. */
START_TEST(limits)
{
	struct csv_reader r;
	struct csv_record rec;
	const char *cause;
	char many[CSV_MAX_FIELDS + 1];
	static char big[CSV_RECORD_BYTES];

	memset(many, ',', CSV_MAX_FIELDS - 1);
	many[CSV_MAX_FIELDS - 1] = '\0';
	csv_init(&r, many, strlen(many));
	ck_assert_int_eq(csv_next(&r, &rec, &cause), CSV_RECORD);
	ck_assert_uint_eq(rec.nfields, CSV_MAX_FIELDS);
	memset(big, 'y', sizeof big - 1);
	csv_init(&r, big, sizeof big - 1);
	ck_assert_int_eq(csv_next(&r, &rec, &cause), CSV_RECORD);
	ck_assert_uint_eq(rec.lens[0], sizeof big - 1);
}
END_TEST

/* Every prefix of a tricky text reads without crashing (the sanitizers watch). */
START_TEST(prefixes)
{
	const char *t = "\"a\"\"b\",c\r\n\"x\ny\",\"\"\"\"\n,,\r\n\"";
	struct csv_reader r;
	struct csv_record rec;
	const char *cause;

	for (size_t n = 0; n <= strlen(t); n++) {
		char *copy = malloc(n ? n : 1);
		memcpy(copy, t, n);
		csv_init(&r, copy, n);
		while (csv_next(&r, &rec, &cause) == CSV_RECORD)
			;
		free(copy);
	}
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("csv");
	TCase *tc = tcase_create("core");
	SRunner *sr;
	int failed;

	tcase_add_test(tc, plain);
	tcase_add_test(tc, quoted_fields);
	tcase_add_test(tc, bom_empty_lines_trailing_comma);
	tcase_add_test(tc, errors);
	tcase_add_test(tc, limits);
	tcase_add_test(tc, prefixes);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
