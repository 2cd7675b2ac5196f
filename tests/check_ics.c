/* The iCalendar writer: folding at 75 octets on character boundaries, escaping, quoting. */
#include "ics.h"

#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Every physical line of text is at most 75 octets and ends with CRLF. */
static void
assert_lines_short(const char *text)
{
	const char *p = text, *e;

	while (*p != '\0') {
		e = strstr(p, "\r\n");
		ck_assert_msg(e != NULL, "a line without CRLF: %s", p);
		ck_assert_msg(e - p <= ICS_LINE_OCTETS, "a line of %ld octets: %.*s", (long)(e - p),
		    (int)(e - p), p);
		/* No bare CR or LF inside. */
		ck_assert_ptr_null(memchr(p, '\n', (size_t)(e - p)));
		ck_assert_ptr_null(memchr(p, '\r', (size_t)(e - p)));
		/* A physical line never starts inside a UTF-8 sequence. */
		if (p != text)
			ck_assert_msg(p[0] == ' ' && ((unsigned char)p[1] & 0xc0) != 0x80,
			    "continuation splits a character: %.*s", (int)(e - p), p);
		p = e + 2;
	}
}

/* Unfolds text (RFC 5545 3.1): CRLF followed by one space disappears. */
static char *
unfold(const char *text)
{
	char *out = malloc(strlen(text) + 1), *o = out;

	for (const char *p = text; *p != '\0'; p++) {
		if (p[0] == '\r' && p[1] == '\n' && p[2] == ' ') {
			p += 2;
			continue;
		}
		*o++ = *p;
	}
	*o = '\0';
	return out;
}

START_TEST(short_line_untouched)
{
	struct ics w;
	size_t len;
	char *t;

	ics_init(&w);
	ics_raw(&w, "BEGIN", "VCALENDAR");
	ics_text(&w, "SUMMARY", "a;b,c\\d\ne");
	t = ics_finish(&w, &len);
	ck_assert_str_eq(t, "BEGIN:VCALENDAR\r\nSUMMARY:a\\;b\\,c\\\\d\\ne\r\n");
	ck_assert_uint_eq(len, strlen(t));
	free(t);
}
END_TEST

START_TEST(long_ascii_folded_at_75)
{
	struct ics w;
	char v[400 + 2], *t, *u;	/* room for the "\r\n" appended below */
	size_t len;

	for (int i = 0; i < 399; i++)
		v[i] = (char)('a' + i % 26);
	v[399] = '\0';
	ics_init(&w);
	ics_text(&w, "DESCRIPTION", v);
	t = ics_finish(&w, &len);
	assert_lines_short(t);
	/* The first line is full: 75 octets exactly. */
	ck_assert_ptr_eq(strstr(t, "\r\n"), t + 75);
	u = unfold(t);
	ck_assert_str_eq(u + strlen("DESCRIPTION:"), strcat(v, "\r\n"));
	free(u);
	free(t);
}
END_TEST

START_TEST(utf8_never_split)
{
	/* Three-octet characters at every possible offset against the fold. */
	for (int pad = 0; pad < 4; pad++) {
		struct ics w;
		char v[600] = "", *t, *u, want[700];
		size_t len;

		for (int i = 0; i < pad; i++)
			strcat(v, "x");
		for (int i = 0; i < 60; i++)
			strcat(v, i % 2 ? "窓" : "口");
		strcat(v, "😀end");	/* four octets */
		ics_init(&w);
		ics_text(&w, "LOCATION", v);
		t = ics_finish(&w, &len);
		assert_lines_short(t);
		u = unfold(t);
		snprintf(want, sizeof want, "LOCATION:%s\r\n", v);
		ck_assert_str_eq(u, want);
		free(u);
		free(t);
	}
}
END_TEST

START_TEST(controls_dropped_params_quoted)
{
	struct ics w;
	size_t len;
	char *t;

	ics_init(&w);
	ics_text(&w, "SUMMARY", "a\x01\rb\tc\x7f");
	ics_param_raw(&w, "ORGANIZER", "CN", "City: \"Hall\"; Main", "urn:x");
	ics_param_raw(&w, "ORGANIZER", "CN", "Plain", "urn:y");
	t = ics_finish(&w, &len);
	ck_assert_str_eq(t, "SUMMARY:ab c\r\nORGANIZER;CN=\"City: Hall; Main\":urn:x\r\n"
	    "ORGANIZER;CN=Plain:urn:y\r\n");
	free(t);
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("ics");
	TCase *tc = tcase_create("core");
	SRunner *sr;
	int failed;

	tcase_add_test(tc, short_line_untouched);
	tcase_add_test(tc, long_ascii_folded_at_75);
	tcase_add_test(tc, utf8_never_split);
	tcase_add_test(tc, controls_dropped_params_quoted);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
