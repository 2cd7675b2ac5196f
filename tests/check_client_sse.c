/* The client's text/event-stream parser, fed whole and in every split. */
#include "sse.h"

#include <check.h>
#include <stdlib.h>
#include <string.h>

/* Records events as "type=data;". */
static void
record(void *arg, const char *type, const char *data)
{
	struct buf *b = arg;

	buf_printf(b, "%s=%s;", type, data);
}

/* Feeds s in pieces of size step (0: whole) and returns what came out (caller frees). */
static char *
parse(const char *s, size_t step, long *retry)
{
	struct buf out = { 0 };
	struct sse p;
	size_t len = strlen(s);

	sse_init(&p, record, &out);
	if (step == 0)
		step = len ? len : 1;
	for (size_t i = 0; i < len; i += step)
		sse_feed(&p, s + i, len - i < step ? len - i : step);
	if (retry != NULL)
		*retry = p.retry_ms;
	sse_free(&p);
	return buf_take(&out);
}

/* Checks s parses to want whatever the split. */
static void
parses_to(const char *s, const char *want)
{
	for (size_t step = 0; step <= strlen(s); step++) {
		char *got = parse(s, step, NULL);
		ck_assert_msg(strcmp(got, want) == 0, "step %zu: got '%s', want '%s'", step, got,
		    want);
		free(got);
	}
}

START_TEST(server_events)
{
	/* What server/events.c sends: a hello with retry and a comment, then events. */
	parses_to("retry: 2000\n: events of test-main\n\n"
	    "event: issued\ndata: {\"ticket\":\"A-001\"}\n\n"
	    "event: called\ndata: {\"ticket\":\"A-001\",\"counter\":1}\n\n",
	    "issued={\"ticket\":\"A-001\"};called={\"ticket\":\"A-001\",\"counter\":1};");
}
END_TEST

START_TEST(line_endings)
{
	parses_to("event: done\r\ndata: x\r\n\r\n", "done=x;");
	parses_to("event: done\rdata: x\r\r", "done=x;");
	parses_to("\xef\xbb\xbf" "data: bom\n\n", "message=bom;");
}
END_TEST

START_TEST(fields)
{
	long retry = 0;
	char *got;

	parses_to("data: a\ndata: b\n\n", "message=a\nb;");
	parses_to("data:no space\n\n", "message=no space;");
	parses_to("data\n\n", "message=;");
	parses_to("event: x\n\n", "");				/* no data: nothing dispatched */
	parses_to("event: a\ndata: 1\n\ndata: 2\n\n", "a=1;message=2;");	/* type resets */
	parses_to("id: 7\nfoo: bar\ndata: y\n\n", "message=y;");
	parses_to("data: incomplete\n", "");			/* waits for the blank line */
	got = parse("retry: 1500\n\n", 0, &retry);
	ck_assert_int_eq(retry, 1500);
	free(got);
	got = parse("retry: soon\n\n", 0, &retry);
	ck_assert_int_eq(retry, -1);
	free(got);
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("client_sse");
	TCase *tc = tcase_create("sse");
	SRunner *sr;
	int failed;

	tcase_add_test(tc, server_events);
	tcase_add_test(tc, line_endings);
	tcase_add_test(tc, fields);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
