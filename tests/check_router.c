/* Unit tests for the routing table (links server/router.c only). */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "router.h"

/* A handler the table can point at; never called. */
static void
dummy(void)
{
}

/* A table shaped like the daemon's, with two methods on one pattern. */
static const struct router_route table[] = {
	{ ROUTER_GET, "/healthz", dummy, "healthz", 0 },
	{ ROUTER_GET, "/v1/offices", dummy, "offices", 0 },
	{ ROUTER_GET, "/v1/offices/{office}/queue", dummy, "queue", 0 },
	{ ROUTER_POST, "/v1/offices/{office}/tickets", dummy, "ticket_new", 0 },
	{ ROUTER_POST, "/v1/offices/{office}/counters/{counter}/next", dummy, "next", 0 },
	{ ROUTER_GET, "/v1/bookings/{reference}", dummy, "booking_get", 0 },
	{ ROUTER_DELETE, "/v1/bookings/{reference}", dummy, "booking_cancel", 0 },
	{ ROUTER_GET, "/v1/bookings/{reference}/calendar.ics", dummy, "ics", 0 },
	{ ROUTER_POST, "/v1/tickets/{id}/done", dummy, "done", 0 },
};
#define NTABLE (sizeof table / sizeof table[0])

/* Looks path up in the table with method. */
static enum router_result
look(int method, const char *path, struct router_match *m)
{
	return router_lookup(table, NTABLE, method, path, m);
}

/* Looks up GET /v1/offices/<seg>/queue and returns the result. */
static enum router_result
look_office(const char *seg, struct router_match *m)
{
	char path[2048];

	snprintf(path, sizeof path, "/v1/offices/%s/queue", seg);
	return look(ROUTER_GET, path, m);
}

/* A literal path finds its row with no parameters. */
START_TEST(literal_match)
{
	struct router_match m;

	ck_assert_int_eq(look(ROUTER_GET, "/healthz", &m), ROUTER_FOUND);
	ck_assert_ptr_eq(m.route, &table[0]);
	ck_assert_str_eq(m.route->name, "healthz");
	ck_assert_uint_eq(m.nparams, 0);
	ck_assert_int_eq(look(ROUTER_GET, "/v1/offices", &m), ROUTER_FOUND);
	ck_assert_str_eq(m.route->name, "offices");
}
END_TEST

/* A {param} segment captures the path segment under its name. */
START_TEST(param_match)
{
	struct router_match m;

	ck_assert_int_eq(look(ROUTER_GET, "/v1/offices/kasugai-main/queue", &m), ROUTER_FOUND);
	ck_assert_str_eq(m.route->name, "queue");
	ck_assert_uint_eq(m.nparams, 1);
	ck_assert_str_eq(m.values[0], "kasugai-main");
	ck_assert_str_eq(router_param(&m, "office"), "kasugai-main");
	ck_assert_ptr_null(router_param(&m, "counter"));
}
END_TEST

/* Two params in one pattern are captured in order and found by name. */
START_TEST(two_params)
{
	struct router_match m;

	ck_assert_int_eq(look(ROUTER_POST, "/v1/offices/shiki-main/counters/3/next", &m),
	    ROUTER_FOUND);
	ck_assert_str_eq(m.route->name, "next");
	ck_assert_uint_eq(m.nparams, 2);
	ck_assert_str_eq(router_param(&m, "office"), "shiki-main");
	ck_assert_str_eq(router_param(&m, "counter"), "3");
}
END_TEST

/* Same pattern, two methods: each method reaches its own row. */
START_TEST(method_selects_row)
{
	struct router_match m;

	ck_assert_int_eq(look(ROUTER_GET, "/v1/bookings/AB12", &m), ROUTER_FOUND);
	ck_assert_str_eq(m.route->name, "booking_get");
	ck_assert_int_eq(look(ROUTER_DELETE, "/v1/bookings/AB12", &m), ROUTER_FOUND);
	ck_assert_str_eq(m.route->name, "booking_cancel");
	ck_assert_str_eq(router_param(&m, "reference"), "AB12");
}
END_TEST

/* An unknown path is 404, with no allowed methods. */
START_TEST(unknown_path_is_not_found)
{
	struct router_match m;

	ck_assert_int_eq(look(ROUTER_GET, "/nope", &m), ROUTER_NOT_FOUND);
	ck_assert_int_eq(m.allowed, 0);
	ck_assert_ptr_null(m.route);
	ck_assert_int_eq(look(ROUTER_GET, "/v1/offices/x/unknown", &m), ROUTER_NOT_FOUND);
	ck_assert_int_eq(look(ROUTER_GET, "/v1", &m), ROUTER_NOT_FOUND);
	ck_assert_int_eq(look(ROUTER_GET, "/v1/offices/x/queue/extra", &m), ROUTER_NOT_FOUND);
	ck_assert_int_eq(look(ROUTER_GET, "/", &m), ROUTER_NOT_FOUND);
}
END_TEST

/* A known path with the wrong method is 405 and lists every method that fits. */
START_TEST(wrong_method_is_405_with_allowed)
{
	struct router_match m;
	char allow[64];

	ck_assert_int_eq(look(ROUTER_POST, "/v1/bookings/AB12", &m), ROUTER_BAD_METHOD);
	ck_assert_int_eq(m.allowed, ROUTER_GET | ROUTER_DELETE);
	ck_assert_ptr_null(m.route);
	router_allow_header(m.allowed, allow, sizeof allow);
	ck_assert_str_eq(allow, "GET, DELETE");

	ck_assert_int_eq(look(ROUTER_DELETE, "/healthz", &m), ROUTER_BAD_METHOD);
	ck_assert_int_eq(m.allowed, ROUTER_GET);
	router_allow_header(m.allowed, allow, sizeof allow);
	ck_assert_str_eq(allow, "GET");
}
END_TEST

/* The Allow header lists methods in a fixed order and is empty for no methods. */
START_TEST(allow_header_text)
{
	char buf[128];

	router_allow_header(0, buf, sizeof buf);
	ck_assert_str_eq(buf, "");
	router_allow_header(ROUTER_OPTIONS | ROUTER_GET, buf, sizeof buf);
	ck_assert_str_eq(buf, "GET, OPTIONS");
	router_allow_header(ROUTER_GET | ROUTER_POST | ROUTER_DELETE | ROUTER_PUT |
	    ROUTER_PATCH | ROUTER_HEAD | ROUTER_OPTIONS, buf, sizeof buf);
	ck_assert_str_eq(buf, "GET, POST, DELETE, PUT, PATCH, HEAD, OPTIONS");
}
END_TEST

/* A buffer too small for the Allow list still ends in a NUL inside it. */
START_TEST(allow_header_small_buffer)
{
	char buf[8];

	memset(buf, 'x', sizeof buf);
	router_allow_header(ROUTER_GET | ROUTER_POST | ROUTER_DELETE, buf, sizeof buf);
	ck_assert_ptr_nonnull(memchr(buf, '\0', sizeof buf));
	ck_assert(strncmp(buf, "GET", 3) == 0);
}
END_TEST

/* Percent escapes in a param are decoded, in either hex case. */
START_TEST(param_percent_decoded)
{
	struct router_match m;

	ck_assert_int_eq(look_office("a%20b", &m), ROUTER_FOUND);
	ck_assert_str_eq(router_param(&m, "office"), "a b");
	ck_assert_int_eq(look_office("%2f%2F", &m), ROUTER_FOUND);
	ck_assert_str_eq(router_param(&m, "office"), "//");
	ck_assert_int_eq(look_office("%E6%98%A5", &m), ROUTER_FOUND);
	ck_assert_str_eq(router_param(&m, "office"), "春");
	ck_assert_int_eq(look_office("x%41", &m), ROUTER_FOUND);
	ck_assert_str_eq(router_param(&m, "office"), "xA");
}
END_TEST

/* Bad escapes and %00 make the path malformed rather than unknown. */
START_TEST(param_bad_escapes_are_bad_path)
{
	static const char *const bad[] = { "%zz", "%4", "%", "ab%", "%4g", "%g4", "%00",
		"a%00b", "%%41" };
	struct router_match m;

	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
		ck_assert_msg(look_office(bad[i], &m) == ROUTER_BAD_PATH,
		    "\"%s\" must be ROUTER_BAD_PATH", bad[i]);
}
END_TEST

/* router_decode honours srclen, the output size and refuses bad input. */
START_TEST(decode_direct)
{
	char out[8];

	ck_assert(router_decode("abc%41zzz", 6, out, sizeof out));
	ck_assert_str_eq(out, "abcA");
	ck_assert(router_decode("", 0, out, sizeof out));
	ck_assert_str_eq(out, "");
	ck_assert(router_decode("1234567", 7, out, sizeof out));
	ck_assert_str_eq(out, "1234567");
	ck_assert(!router_decode("12345678", 8, out, sizeof out));
	ck_assert(!router_decode("%41%4", 5, out, sizeof out));
	/* The escape must lie inside srclen even if the string goes on. */
	ck_assert(!router_decode("%41", 2, out, sizeof out));
	ck_assert(!router_decode("a\0b", 3, out, sizeof out));
}
END_TEST

/* A trailing slash is a different path: not found, never a match. */
START_TEST(trailing_slash)
{
	struct router_match m;

	ck_assert_int_eq(look(ROUTER_GET, "/healthz/", &m), ROUTER_FOUND);
	ck_assert_str_eq(m.route->name, "healthz");
	ck_assert_int_eq(look(ROUTER_GET, "/v1/offices/", &m), ROUTER_FOUND);
	ck_assert_str_eq(m.route->name, "offices");
	ck_assert_int_eq(look(ROUTER_GET, "/v1/bookings/AB12/", &m), ROUTER_FOUND);
	ck_assert_str_eq(router_param(&m, "reference"), "AB12");
	ck_assert_int_eq(look(ROUTER_GET, "/v1/offices/x/queue/", &m), ROUTER_FOUND);
	ck_assert_str_eq(m.route->name, "queue");
	/* Only one: two slashes, or a slash standing for an empty {param}, stay unknown. */
	ck_assert_int_eq(look(ROUTER_GET, "/v1/offices//", &m), ROUTER_NOT_FOUND);
	ck_assert_int_eq(look(ROUTER_GET, "/v1/offices/x/queue//", &m), ROUTER_NOT_FOUND);
}
END_TEST

/* An empty param segment does not match the param. */
START_TEST(empty_param_segment)
{
	struct router_match m;

	ck_assert_int_eq(look(ROUTER_GET, "/v1/offices//queue", &m), ROUTER_NOT_FOUND);
	ck_assert_int_eq(look(ROUTER_GET, "/v1/bookings/", &m), ROUTER_NOT_FOUND);
	ck_assert_int_eq(look(ROUTER_POST, "/v1/offices/a/counters//next", &m),
	    ROUTER_NOT_FOUND);
}
END_TEST

/* A path that is not absolute, or longer than 1024 bytes, is malformed. */
START_TEST(path_shape_and_length)
{
	struct router_match m;
	char path[1100];

	ck_assert_int_eq(look(ROUTER_GET, "healthz", &m), ROUTER_BAD_PATH);
	ck_assert_int_eq(look(ROUTER_GET, "", &m), ROUTER_BAD_PATH);

	/* "/" and 1023 letters is 1024 bytes, the most allowed: merely unknown. */
	memset(path, 'a', sizeof path);
	path[0] = '/';
	path[1024] = '\0';
	ck_assert_int_eq(look(ROUTER_GET, path, &m), ROUTER_NOT_FOUND);
	path[1025] = '\0';
	path[1024] = 'a';
	ck_assert_int_eq(look(ROUTER_GET, path, &m), ROUTER_BAD_PATH);
}
END_TEST

/* A param of ROUTER_MAX_PARAM_LEN - 1 bytes fits; one more is a bad path. */
START_TEST(param_length_limit)
{
	struct router_match m;
	char seg[ROUTER_MAX_PARAM_LEN + 8];

	memset(seg, 'k', ROUTER_MAX_PARAM_LEN - 1);
	seg[ROUTER_MAX_PARAM_LEN - 1] = '\0';
	ck_assert_int_eq(look_office(seg, &m), ROUTER_FOUND);
	ck_assert_uint_eq(strlen(router_param(&m, "office")), ROUTER_MAX_PARAM_LEN - 1);

	seg[ROUTER_MAX_PARAM_LEN - 1] = 'k';
	seg[ROUTER_MAX_PARAM_LEN] = '\0';
	ck_assert_int_eq(look_office(seg, &m), ROUTER_BAD_PATH);

	/* Escapes count after decoding: 127 decoded bytes from 381 raw ones fit. */
	char esc[3 * ROUTER_MAX_PARAM_LEN + 1];
	for (int i = 0; i < ROUTER_MAX_PARAM_LEN - 1; i++)
		memcpy(esc + 3 * i, "%41", 3);
	esc[3 * (ROUTER_MAX_PARAM_LEN - 1)] = '\0';
	ck_assert_int_eq(look_office(esc, &m), ROUTER_FOUND);
	ck_assert_uint_eq(strlen(router_param(&m, "office")), ROUTER_MAX_PARAM_LEN - 1);
}
END_TEST

/* router_param tells apart names that are prefixes of each other. */
START_TEST(param_names_that_are_prefixes)
{
	static const struct router_route t[] = {
		{ ROUTER_GET, "/a/{id}/b/{idx}/c/{i}", dummy, "prefixes", 0 },
	};
	struct router_match m;

	ck_assert(router_lookup(t, 1, ROUTER_GET, "/a/one/b/two/c/three", &m) == ROUTER_FOUND);
	ck_assert_uint_eq(m.nparams, 3);
	ck_assert_str_eq(router_param(&m, "id"), "one");
	ck_assert_str_eq(router_param(&m, "idx"), "two");
	ck_assert_str_eq(router_param(&m, "i"), "three");
	ck_assert_ptr_null(router_param(&m, "idxx"));
	ck_assert_ptr_null(router_param(&m, "d"));
	ck_assert_ptr_null(router_param(&m, ""));
}
END_TEST

/* Earlier rows win when two patterns match the same path. */
START_TEST(first_row_wins)
{
	static const struct router_route t[] = {
		{ ROUTER_GET, "/v1/offices/{office}", dummy, "param", 0 },
		{ ROUTER_GET, "/v1/offices/special", dummy, "literal", 0 },
	};
	struct router_match m;

	ck_assert(router_lookup(t, 2, ROUTER_GET, "/v1/offices/special", &m) == ROUTER_FOUND);
	ck_assert_str_eq(m.route->name, "param");
}
END_TEST

/* A literal segment must match whole, not as a prefix. */
START_TEST(literal_segments_match_whole)
{
	struct router_match m;

	ck_assert_int_eq(look(ROUTER_GET, "/healthzz", &m), ROUTER_NOT_FOUND);
	ck_assert_int_eq(look(ROUTER_GET, "/health", &m), ROUTER_NOT_FOUND);
	ck_assert_int_eq(look(ROUTER_GET, "/v1/offices/x/queues", &m), ROUTER_NOT_FOUND);
	ck_assert_int_eq(look(ROUTER_GET, "/V1/offices", &m), ROUTER_NOT_FOUND);
	ck_assert_int_eq(look(ROUTER_GET, "/v1/bookings/R1/calendar.ics", &m), ROUTER_FOUND);
	ck_assert_str_eq(m.route->name, "ics");
}
END_TEST

/* A fixed segment is percent-decoded like a {param} segment before it is compared. */
START_TEST(literal_segments_are_decoded)
{
	struct router_match m;

	ck_assert_int_eq(look(ROUTER_GET, "/v1/offices/x/qu%65ue", &m), ROUTER_FOUND);
	ck_assert_str_eq(m.route->name, "queue");
	ck_assert_int_eq(look(ROUTER_GET, "/%761/%6Fffices", &m), ROUTER_FOUND);
	ck_assert_str_eq(m.route->name, "offices");
	ck_assert_int_eq(look(ROUTER_GET, "/v1/offices/x%2Dy/qu%65ue", &m), ROUTER_FOUND);
	ck_assert_str_eq(router_param(&m, "office"), "x-y");
	/* A decoded slash is part of the segment, never a separator. */
	ck_assert_int_eq(look(ROUTER_GET, "/v1%2Foffices", &m), ROUTER_NOT_FOUND);
	/* NUL is refused in fixed segments as it is in parameters. */
	ck_assert_int_eq(look(ROUTER_GET, "/v1/offices%00", &m), ROUTER_NOT_FOUND);
	ck_assert_int_eq(look(ROUTER_GET, "/v1/offices/a%00b/queue", &m), ROUTER_BAD_PATH);
}
END_TEST

/* The daemon-shaped table is valid. */
START_TEST(validate_accepts_good_table)
{
	const char *bad = "unset";

	ck_assert(router_validate(table, NTABLE, &bad));
	ck_assert_ptr_null(bad);
	ck_assert(router_validate(table, 0, &bad));
}
END_TEST

/* router_validate names the first bad pattern for each kind of mistake. */
START_TEST(validate_rejects_bad_tables)
{
	static const char *const patterns[] = {
		"healthz",		/* not absolute */
		"",			/* empty */
		"/v1/{office",		/* unclosed brace */
		"/v1/{}",		/* empty name */
		"/v1/x{office}",	/* brace inside a segment */
		"/v1/{office}x",	/* text after the brace */
		"/{a}/{b}/{c}/{d}/{e}",	/* more than ROUTER_MAX_PARAMS */
		"/v1/office}",		/* closing brace without an opening one */
		"/v1/{of{fice}",	/* brace inside a name */
		"/{a/b}",		/* slash inside a name */
	};
	struct router_route t[2] = {
		{ ROUTER_GET, "/ok", dummy, "ok", 0 },
		{ ROUTER_GET, NULL, dummy, "bad", 0 },
	};
	const char *bad;

	for (size_t i = 0; i < sizeof patterns / sizeof patterns[0]; i++) {
		t[1].pattern = patterns[i];
		bad = NULL;
		ck_assert_msg(!router_validate(t, 2, &bad), "\"%s\" must be refused", patterns[i]);
		ck_assert_msg(bad == patterns[i], "\"%s\" must be named", patterns[i]);
	}
	t[1].pattern = "/{a}/{b}/{c}/{d}";
	ck_assert(router_validate(t, 2, &bad));
}
END_TEST

/* A row without a method or a handler is refused too. */
START_TEST(validate_rejects_missing_method_or_handler)
{
	struct router_route t[1] = { { 0, "/x", dummy, "x", 0 } };
	const char *bad = NULL;

	ck_assert(!router_validate(t, 1, &bad));
	ck_assert_str_eq(bad, "/x");
	t[0].method = ROUTER_GET;
	t[0].handler = NULL;
	ck_assert(!router_validate(t, 1, &bad));
	ck_assert_str_eq(bad, "/x");
}
END_TEST

/* A bad escape in one row does not hide a later row that matches literally. */
START_TEST(bad_escape_yields_to_literal_match)
{
	static const struct router_route t[] = {
		{ ROUTER_GET, "/files/{name}", dummy, "param", 0 },
		{ ROUTER_GET, "/files/%zz", dummy, "literal", 0 },
	};
	struct router_match m;

	ck_assert(router_lookup(t, 2, ROUTER_GET, "/files/%zz", &m) == ROUTER_FOUND);
	ck_assert_str_eq(m.route->name, "literal");
}
END_TEST

/* All router tests in one suite. */
static Suite *
router_suite(void)
{
	Suite *s = suite_create("router");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, literal_match);
	tcase_add_test(tc, param_match);
	tcase_add_test(tc, two_params);
	tcase_add_test(tc, method_selects_row);
	tcase_add_test(tc, unknown_path_is_not_found);
	tcase_add_test(tc, wrong_method_is_405_with_allowed);
	tcase_add_test(tc, allow_header_text);
	tcase_add_test(tc, allow_header_small_buffer);
	tcase_add_test(tc, param_percent_decoded);
	tcase_add_test(tc, param_bad_escapes_are_bad_path);
	tcase_add_test(tc, decode_direct);
	tcase_add_test(tc, trailing_slash);
	tcase_add_test(tc, empty_param_segment);
	tcase_add_test(tc, path_shape_and_length);
	tcase_add_test(tc, param_length_limit);
	tcase_add_test(tc, param_names_that_are_prefixes);
	tcase_add_test(tc, first_row_wins);
	tcase_add_test(tc, literal_segments_match_whole);
	tcase_add_test(tc, literal_segments_are_decoded);
	tcase_add_test(tc, validate_accepts_good_table);
	tcase_add_test(tc, validate_rejects_bad_tables);
	tcase_add_test(tc, validate_rejects_missing_method_or_handler);
	tcase_add_test(tc, bad_escape_yields_to_literal_match);
	suite_add_tcase(s, tc);
	return s;
}

/* Runs the suite; the exit status is 0 when every test passed. */
int
main(void)
{
	SRunner *sr = srunner_create(router_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
