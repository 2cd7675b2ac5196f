/*
 * A booking's calendar file through its life: made, rescheduled twice,
 * cancelled. Each version must pass libical's restriction checker (RFC 5545
 * and the RFC 5546 rules of its METHOD) and python3-icalendar's parser
 * (tests/integration/ics_check.py), with SEQUENCE 0, 1, 2, 3, the office's
 * name and address in LOCATION, the documents to bring in DESCRIPTION in the
 * booking's language, lines folded at 75 octets, and a file name with the
 * reference.
 */
#include "itest.h"

#include <check.h>
#include <curl/curl.h>
#include <libical/ical.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define NOW_ENV "MADOGUCHI_NOW=2026-12-01T09:00:00+09:00"
#define SLOT "2026-12-16T10:00:00+09:00"
#define SLOT2 "2026-12-16T10:30:00+09:00"
#define SLOT3 "2026-12-17T09:00:00+09:00"
/* Certificates expire 2027-02-10: the window opens 2026-11-11. */
#define RENEWAL "{\"birth_date\":\"1980-02-10\",\"card\":{\"issued_on\":\"2022-03-01\"}," \
	"\"certificates\":{\"issued_on\":\"2022-03-01\"}}"
#define ADDRESS_JA "愛知県試験市役所通一丁目二番地三号 市民会館別館二階 東側窓口"

static struct itest_daemon d;

static const char *
write_config(void)
{
	static char main_path[512];
	char muni[512], text[1024];

	snprintf(muni, sizeof muni, "%s", itest_tmp_path("ics-city.yaml"));
	itest_write_file(muni,
	    "municipality: icscity\n"
	    "name: {ja: 暦市, en: Calendar City}\n"
	    "offices:\n"
	    "  - id: ics-main\n"
	    "    name: {ja: 暦市役所 本庁舎 市民課 マイナンバーカード窓口, en: \"Calendar City Hall, "
	    "Citizens Division\"}\n"
	    "    address: " ADDRESS_JA "\n"
	    "    hours: {weekdays: [08:30-17:00]}\n"
	    "    services:\n"
	    "      ecert_renewal: {slot_minutes: 30, capacity: 3, horizon_days: 60, "
	    "lead_minutes: 0}\n"
	    "  - id: ics-branch\n"
	    "    name: {ja: 暦市 北支所, en: North branch}\n"
	    "    hours: {weekdays: [08:30-17:00]}\n"
	    "    services:\n"
	    "      ecert_renewal: {slot_minutes: 30, capacity: 3, horizon_days: 60, "
	    "lead_minutes: 0}\n");
	snprintf(main_path, sizeof main_path, "%s", itest_tmp_path("ics-main.yaml"));
	snprintf(text, sizeof text,
	    "listen: 127.0.0.1:8080\n"
	    "database:\n  url: \"dbname=madoguchi\"\n  pool_size: 2\n"
	    "ratelimit: {per_minute: 100000, burst: 10000}\n"
	    "include:\n  - %s\n", muni);
	itest_write_file(main_path, text);
	return main_path;
}

static void
setup(void)
{
	static const char *const env[] = { NOW_ENV, NULL };

	curl_global_init(CURL_GLOBAL_DEFAULT);
	itest_daemon_start(&d, write_config(), env);
	ck_assert_int_eq(itest_psql("TRUNCATE bookings, holds, idempotency_keys, slot_usage"), 0);
}

static void
teardown(void)
{
	itest_daemon_stop(&d);
	ck_assert_int_eq(itest_psql("TRUNCATE bookings, holds, idempotency_keys, slot_usage"), 0);
	curl_global_cleanup();
}

/* Sends method path with the booking's token. */
static void
call(const char *method, const char *path, const char *token, const char *body,
    struct itest_resp *r)
{
	char auth[128];
	const char *h[] = { auth, NULL };

	snprintf(auth, sizeof auth, "Authorization: Bearer %s", token);
	itest_http(&d, method, path, body, body ? strlen(body) : 0, NULL, h, r);
}

/* Books at office in lang; copies reference, token and the first document's label. */
static void
book(const char *office, const char *lang, char ref[16], char token[64], char doc[256])
{
	char body[1024];
	struct itest_resp r;
	json_t *docs;

	snprintf(body, sizeof body, "{\"office\":\"%s\",\"service\":\"ecert_renewal\","
	    "\"start\":\"" SLOT "\",\"applicant\":" RENEWAL ",\"contact\":{\"name\":\"Test\","
	    "\"email\":\"t@example.jp\"},\"language\":\"%s\"}", office, lang);
	itest_post(&d, "/v1/bookings", body, &r);
	ck_assert_msg(r.status == 201, "booking: %ld %s", r.status, r.body);
	snprintf(ref, 16, "%s", itest_str(&r, "reference"));
	snprintf(token, 64, "%s", itest_str(&r, "token"));
	docs = json_object_get(r.json, "documents");
	ck_assert_msg(json_array_size(docs) > 0, "no documents: %s", r.body);
	snprintf(doc, 256, "%s", json_string_value(json_object_get(json_array_get(docs, 0),
	    "label")));
	itest_resp_free(&r);
}

/* Runs libical's checker on text; fails the test with its complaints. */
static void
libical_check(const char *text)
{
	icalcomponent *c = icalparser_parse_string(text);
	int ok;

	ck_assert_msg(c != NULL, "libical cannot parse:\n%s", text);
	ck_assert_int_eq(icalcomponent_isa(c), ICAL_VCALENDAR_COMPONENT);
	ok = icalrestriction_check(c);
	if (!ok || icalcomponent_count_errors(c) != 0) {
		char *s = icalcomponent_as_ical_string_r(c);
		ck_abort_msg("libical: %d errors (X-LIC-ERROR below):\n%s", icalcomponent_count_errors(c),
		    s);
	}
	ck_assert_ptr_nonnull(icalcomponent_get_first_component(c, ICAL_VEVENT_COMPONENT));
	icalcomponent_free(c);
}

/* Runs ics_check.py on text with the expectations (NULL-terminated). */
static void
python_check(const char *text, const char *const *want)
{
	char *path = itest_tmp_path("booking.ics"), cmd[4096];
	size_t o;

	itest_write_file(path, text);
	o = (size_t)snprintf(cmd, sizeof cmd, "/usr/bin/python3 tests/integration/ics_check.py '%s'", path);
	for (; *want != NULL; want++) {
		ck_assert_ptr_null(strchr(*want, '\''));
		o += (size_t)snprintf(cmd + o, sizeof cmd - o, " '%s'", *want);
		ck_assert(o < sizeof cmd);
	}
	ck_assert_msg(system(cmd) == 0, "python3-icalendar check failed: %s\n%s", cmd, text);
}

/* GETs the .ics of ref and checks it both ways; returns the body (caller frees). */
static char *
ics_of(const char *ref, const char *token, const char *const *want)
{
	char path[128], disp[128], wantdisp[128];
	struct itest_resp r;
	char *body;

	snprintf(path, sizeof path, "/v1/bookings/%s/calendar.ics", ref);
	call("GET", path, token, NULL, &r);
	ck_assert_msg(r.status == 200, "%s: %ld %s", path, r.status, r.body);
	ck_assert_ptr_nonnull(itest_header(&r, "Content-Disposition", disp, sizeof disp));
	snprintf(wantdisp, sizeof wantdisp, "attachment; filename=\"madoguchi-%s.ics\"", ref);
	ck_assert_str_eq(disp, wantdisp);
	body = strdup(r.body);
	itest_resp_free(&r);
	libical_check(body);
	python_check(body, want);
	return body;
}

START_TEST(sequence_through_reschedules_and_cancel)
{
	char ref[16], token[64], doc[256], path[128], uid[64], seq[4][16], desc[300];
	char loc[300];
	struct itest_resp r;
	char *t;

	book("ics-main", "ja", ref, token, doc);
	snprintf(uid, sizeof uid, "UID=%s@madoguchi", ref);
	snprintf(desc, sizeof desc, "DESCRIPTION~%s", doc);
	snprintf(loc, sizeof loc, "LOCATION=暦市役所 本庁舎 市民課 マイナンバーカード窓口 %s",
	    ADDRESS_JA);
	for (int i = 0; i < 4; i++)
		snprintf(seq[i], sizeof seq[i], "SEQUENCE=%d", i);
	{
		const char *want[] = { uid, seq[0], "METHOD=PUBLISH", "STATUS=CONFIRMED", loc, desc,
			"DESCRIPTION~持ち物", "DTSTART=2026-12-16 01:00:00+00:00", NULL };
		t = ics_of(ref, token, want);
		/* The long Japanese LOCATION had to be folded. */
		ck_assert_ptr_nonnull(strstr(t, "\r\n "));
		free(t);
	}
	snprintf(path, sizeof path, "/v1/bookings/%s/reschedule", ref);
	call("POST", path, token, "{\"start\":\"" SLOT2 "\"}", &r);
	ck_assert_msg(r.status == 200, "reschedule: %ld %s", r.status, r.body);
	itest_resp_free(&r);
	{
		const char *want[] = { uid, seq[1], "METHOD=PUBLISH", "STATUS=CONFIRMED", loc, desc,
			"DTSTART=2026-12-16 01:30:00+00:00", NULL };
		free(ics_of(ref, token, want));
	}
	call("POST", path, token, "{\"start\":\"" SLOT3 "\"}", &r);
	ck_assert_msg(r.status == 200, "reschedule: %ld %s", r.status, r.body);
	itest_resp_free(&r);
	{
		const char *want[] = { uid, seq[2], "METHOD=PUBLISH", "STATUS=CONFIRMED",
			"DTSTART=2026-12-17 00:00:00+00:00", NULL };
		free(ics_of(ref, token, want));
	}
	/* A refused reschedule (the same slot) changes nothing. */
	call("POST", path, token, "{\"start\":\"" SLOT3 "\"}", &r);
	ck_assert_int_eq(r.status, 422);
	itest_resp_free(&r);
	snprintf(path, sizeof path, "/v1/bookings/%s", ref);
	call("DELETE", path, token, NULL, &r);
	ck_assert_msg(r.status == 200, "cancel: %ld %s", r.status, r.body);
	itest_resp_free(&r);
	{
		const char *want[] = { uid, seq[3], "METHOD=CANCEL", "STATUS=CANCELLED", loc, NULL };
		free(ics_of(ref, token, want));
	}
}
END_TEST

START_TEST(english_booking_and_office_without_address)
{
	char ref[16], token[64], doc[256], desc[300];

	book("ics-main", "en", ref, token, doc);
	snprintf(desc, sizeof desc, "DESCRIPTION~%s", doc);
	{
		const char *want[] = { "SEQUENCE=0", "LOCATION=Calendar City Hall, Citizens "
			"Division, " ADDRESS_JA, desc, "DESCRIPTION~Please bring:",
			"SUMMARY~Calendar City", "ORGANIZER~urn:madoguchi:office:ics-main", NULL };
		free(ics_of(ref, token, want));
	}
	book("ics-branch", "ja", ref, token, doc);
	{
		const char *want[] = { "SEQUENCE=0", "LOCATION=暦市 北支所", "SUMMARY~暦市", NULL };
		free(ics_of(ref, token, want));
	}
}
END_TEST

static Suite *
ics_suite(void)
{
	Suite *s = suite_create("ics");
	TCase *tc = tcase_create("ics");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, sequence_through_reschedules_and_cancel);
	tcase_add_test(tc, english_booking_and_office_without_address);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	SRunner *sr = srunner_create(ics_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
