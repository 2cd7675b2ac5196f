/*
 * Who attends, through the daemon: the attendee and PIN rules of docs/rules.md
 * (a proxy or guardian never has a PIN reset on the spot, a city that resets by
 * mail, a card without a signature certificate, a signature certificate with its
 * own window, the card that expires first, a second visit after the expiry, the
 * legal representative) asked of POST /v1/eligibility and POST /v1/bookings in
 * Japanese and in English, each outcome checked by its code, visits, documents
 * and the words of its notices. The shipped cities' files are the configuration.
 */
#include "itest.h"

#include <check.h>
#include <curl/curl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The clock for eligibility: before every visit date asked about. */
#define ELIG_NOW "MADOGUCHI_NOW=2023-12-01T09:00:00+09:00"
/* The clock for bookings: the week before a visit on Thursday 2025-05-01. */
#define BOOK_NOW "MADOGUCHI_NOW=2025-04-24T09:00:00+09:00"
/* A holder born 1990-07-15 whose card and certificates were issued 2021-03-01. */
#define CARD "\"birth_date\":\"1990-07-15\",\"card\":{\"issued_on\":\"2021-03-01\"}," \
	"\"certificates\":{\"issued_on\":\"2021-03-01\",\"has_signature\":true}"

static struct itest_daemon d;

static void
setup_elig(void)
{
	static const char *const env[] = { ELIG_NOW, NULL };

	curl_global_init(CURL_GLOBAL_DEFAULT);
	itest_daemon_start(&d, itest_env("MADOGUCHI_TEST_CONFIG"), env);
}

static void
setup_book(void)
{
	static const char *const env[] = { BOOK_NOW, NULL };

	curl_global_init(CURL_GLOBAL_DEFAULT);
	itest_daemon_start(&d, itest_env("MADOGUCHI_TEST_CONFIG"), env);
	ck_assert_int_eq(itest_psql("TRUNCATE bookings, holds, idempotency_keys, slot_usage"), 0);
}

static void
teardown(void)
{
	itest_daemon_stop(&d);
	ck_assert_int_eq(itest_psql("TRUNCATE bookings, holds, idempotency_keys, slot_usage"), 0);
}

/*
 * Asks POST /v1/eligibility for service on visit in lang, for the applicant
 * whose members are facts, at office (NULL: national defaults); wants 200.
 */
static void
ask(const char *lang, const char *service, const char *visit, const char *facts,
    const char *office, struct itest_resp *r)
{
	char body[2048], place[96] = "";

	if (office != NULL)
		snprintf(place, sizeof place, "\"office\":\"%s\",", office);
	snprintf(body, sizeof body, "{%s\"service\":\"%s\",\"visit_date\":\"%s\","
	    "\"language\":\"%s\",\"applicant\":{%s}}", place, service, visit, lang, facts);
	itest_post(&d, "/v1/eligibility", body, r);
	ck_assert_msg(r->status == 200, "%s: %ld %s", body, r->status, r->body);
}

/* The member key of o as a string ("" when it is not one). */
static const char *
str_of(const json_t *o, const char *key)
{
	const char *s = json_string_value(json_object_get(o, key));

	return s != NULL ? s : "";
}

/* The element of array member list of o whose key member is id, or NULL. */
static json_t *
find(const json_t *o, const char *list, const char *key, const char *id)
{
	size_t i;
	json_t *e;

	json_array_foreach(json_object_get(o, list), i, e) {
		if (strcmp(str_of(e, key), id) == 0)
			return e;
	}
	return NULL;
}

/* Asserts the notice code is in the answer and its message contains text. */
static void
assert_notice(const json_t *o, const char *code, const char *text)
{
	json_t *n = find(o, "notices", "code", code);

	ck_assert_msg(n != NULL, "no notice %s", code);
	ck_assert_msg(strstr(str_of(n, "message"), text) != NULL, "notice %s: '%s' lacks '%s'",
	    code, str_of(n, "message"), text);
}

/* Asserts the document id is listed, required as said, its label containing text. */
static void
assert_doc(const json_t *o, const char *id, bool required, const char *text)
{
	json_t *doc = find(o, "documents", "id", id);

	ck_assert_msg(doc != NULL, "no document %s", id);
	ck_assert_msg(json_is_true(json_object_get(doc, "required")) == required,
	    "document %s required", id);
	ck_assert_msg(strstr(str_of(doc, "label"), text) != NULL, "document %s: '%s' lacks '%s'",
	    id, str_of(doc, "label"), text);
}

/* The integer member key of o. */
static long
int_of(const json_t *o, const char *key)
{
	ck_assert_msg(json_is_integer(json_object_get(o, key)), "%s is not an integer", key);
	return (long)json_integer_value(json_object_get(o, key));
}

/* Asserts visits and second_visit_earliest (NULL: null) of a verdict or booking. */
static void
assert_visits(const json_t *o, long visits, const char *second)
{
	ck_assert_int_eq(int_of(o, "visits"), visits);
	if (second == NULL)
		ck_assert(json_is_null(json_object_get(o, "second_visit_earliest")));
	else
		ck_assert_str_eq(str_of(o, "second_visit_earliest"), second);
}

/* Asserts an allowed verdict with visits and second_visit_earliest (NULL: null). */
static void
assert_allowed(const json_t *o, long visits, const char *second)
{
	ck_assert_msg(json_is_true(json_object_get(o, "allowed")), "refused: %s",
	    str_of(o, "code"));
	ck_assert(json_is_null(json_object_get(o, "code")));
	assert_visits(o, visits, second);
}

/* Asserts a refusal with code. */
static void
assert_refused(const json_t *o, const char *code)
{
	ck_assert(json_is_false(json_object_get(o, "allowed")));
	ck_assert_str_eq(str_of(o, "code"), code);
}

/*
 * A proxy with the sealed form whose holder forgot the user PIN: no reset on the
 * spot, an inquiry by mail, a second visit no earlier than the mail turnaround;
 * the messages give the date and the lock counts, in each language.
 */
START_TEST(proxy_pin_by_mail)
{
	static const char facts[] = CARD ",\"attendee\":\"proxy\",\"has_inquiry_form\":true,"
	    "\"pins_known\":{\"user\":false,\"signature\":true}";
	struct itest_resp r;

	ask("ja", "ecert_renewal", "2025-05-01", facts, NULL, &r);
	assert_allowed(r.json, 2, "2025-05-08");
	ck_assert(find(r.json, "notices", "code", "pin_reset_at_visit") == NULL);
	assert_notice(r.json, "pin_reset_by_mail", "2025年5月8日");
	assert_notice(r.json, "pin_reset_by_mail", "3回");
	assert_notice(r.json, "pin_reset_by_mail", "5回");
	assert_doc(r.json, "visit2_pin_inquiry", true, "照会");
	itest_resp_free(&r);
	ask("en", "ecert_renewal", "2025-05-01", facts, NULL, &r);
	assert_allowed(r.json, 2, "2025-05-08");
	assert_notice(r.json, "pin_reset_by_mail", "2025-05-08");
	assert_notice(r.json, "pin_reset_by_mail", "3 wrong");
	assert_notice(r.json, "pin_reset_by_mail", "5 wrong");
	assert_doc(r.json, "visit2_pin_inquiry", true, "inquiry");
	itest_resp_free(&r);
}
END_TEST

/* The pin_reset service: the holder on the spot (extra minutes said), a proxy or guardian by mail. */
START_TEST(pin_reset_service_by_attendee)
{
	static const char *const by_mail[] = { "proxy", "guardian" };
	struct itest_resp r;
	char facts[512];

	for (size_t i = 0; i < 2; i++) {
		snprintf(facts, sizeof facts, CARD ",\"attendee\":\"%s\"", by_mail[i]);
		ask("ja", "pin_reset", "2025-05-01", facts, NULL, &r);
		assert_allowed(r.json, 2, "2025-05-08");
		assert_notice(r.json, "pin_reset_by_mail", "郵送");
		assert_doc(r.json, "holder_card", true, "カード");
		itest_resp_free(&r);
		ask("en", "pin_reset", "2025-05-01", facts, NULL, &r);
		assert_allowed(r.json, 2, "2025-05-08");
		assert_notice(r.json, "pin_reset_by_mail", "mails an inquiry");
		itest_resp_free(&r);
	}
	ask("ja", "pin_reset", "2025-05-01", CARD ",\"attendee\":\"self\"", NULL, &r);
	assert_allowed(r.json, 1, NULL);
	assert_notice(r.json, "pin_reset_at_visit", "10分");
	ck_assert(find(r.json, "notices", "code", "pin_reset_by_mail") == NULL);
	itest_resp_free(&r);
	ask("en", "pin_reset", "2025-05-01", CARD ",\"attendee\":\"self\"", NULL, &r);
	assert_allowed(r.json, 1, NULL);
	assert_notice(r.json, "pin_reset_at_visit", "10 extra minutes");
	itest_resp_free(&r);
}
END_TEST

/*
 * The holder who forgot a PIN: reset at the visit at a Kasugai office, but by a
 * mailed inquiry and a second visit at a Shiki office (the city's setting).
 */
START_TEST(holder_reset_per_city)
{
	static const char facts[] = CARD ",\"pins_known\":{\"user\":false,\"signature\":true}";
	static const char *const langs[] = { "ja", "en" };
	struct itest_resp r;

	for (size_t i = 0; i < 2; i++) {
		ask(langs[i], "ecert_renewal", "2025-05-01", facts, "kasugai-main", &r);
		assert_allowed(r.json, 1, NULL);
		ck_assert_ptr_nonnull(find(r.json, "notices", "code", "pin_reset_at_visit"));
		itest_resp_free(&r);
		ask(langs[i], "ecert_renewal", "2025-05-01", facts, "shiki-main", &r);
		assert_allowed(r.json, 2, "2025-05-08");
		assert_notice(r.json, "pin_reset_by_mail", i == 0 ? "郵送" : "mails an inquiry");
		assert_doc(r.json, "pin_reset_id", true, i == 0 ? "本人確認" : "ID");
		ck_assert_ptr_nonnull(find(r.json, "documents", "id", "visit2_pin_inquiry"));
		itest_resp_free(&r);
	}
}
END_TEST

/* No signature certificate: not_held, no signature PIN, a guardian may come alone. */
START_TEST(signature_not_held)
{
	static const char card[] = "\"birth_date\":\"1990-07-15\","
	    "\"card\":{\"issued_on\":\"2021-03-01\"},"
	    "\"certificates\":{\"issued_on\":\"2021-03-01\",\"has_signature\":false}";
	char facts[512];
	struct itest_resp r;

	snprintf(facts, sizeof facts, "%s,\"pins_known\":{\"user\":true,\"signature\":false}", card);
	ask("ja", "ecert_renewal", "2025-05-01", facts, NULL, &r);
	assert_allowed(r.json, 1, NULL);
	ck_assert_str_eq(str_of(r.json, "signature_cert"), "not_held");
	ck_assert(json_is_null(json_object_get(r.json, "signature_cert_expires_on")));
	ck_assert(find(r.json, "documents", "id", "pin_signature") == NULL);
	assert_doc(r.json, "pin_user", true, "3回");
	assert_notice(r.json, "signature_not_held", "署名用電子証明書が搭載されていない");
	itest_resp_free(&r);
	snprintf(facts, sizeof facts, "%s,\"attendee\":\"guardian\",\"holder_attends\":false", card);
	ask("en", "ecert_renewal", "2025-05-01", facts, NULL, &r);
	assert_allowed(r.json, 1, NULL);
	ck_assert(find(r.json, "notices", "code", "holder_must_attend") == NULL);
	assert_notice(r.json, "signature_not_held", "no signature certificate");
	itest_resp_free(&r);
	/* With a signature certificate the same guardian must bring the holder. */
	ask("en", "ecert_renewal", "2025-05-01", CARD ",\"attendee\":\"guardian\","
	    "\"holder_attends\":false", NULL, &r);
	assert_refused(r.json, "holder_must_attend");
	itest_resp_free(&r);
}
END_TEST

/* A signature certificate that expires first has its own window and its own re-issue. */
START_TEST(signature_own_window)
{
	static const char facts[] = "\"birth_date\":\"1990-07-15\","
	    "\"card\":{\"issued_on\":\"2021-03-01\"},\"certificates\":{\"issued_on\":\"2021-03-01\","
	    "\"signature_expires_on\":\"2024-03-24\",\"has_signature\":true}";
	struct itest_resp r;
	json_t *w;

	ask("en", "ecert_renewal", "2023-12-24", facts, NULL, &r);
	assert_refused(r.json, "before_renewal_window");
	itest_resp_free(&r);
	ask("ja", "ecert_renewal", "2023-12-25", facts, NULL, &r);
	assert_allowed(r.json, 1, NULL);
	ck_assert_str_eq(str_of(r.json, "kind"), "renewal");
	w = json_object_get(r.json, "signature_window");
	ck_assert_str_eq(str_of(w, "opens_on"), "2023-12-25");
	ck_assert_str_eq(str_of(w, "closes_on"), "2024-03-24");
	ck_assert_str_eq(str_of(json_object_get(r.json, "window"), "opens_on"), "2025-04-16");
	assert_notice(r.json, "signature_own_window", "2023年12月25日");
	itest_resp_free(&r);
	ask("en", "ecert_renewal", "2024-06-01", facts, NULL, &r);
	assert_allowed(r.json, 1, NULL);
	ck_assert_str_eq(str_of(r.json, "kind"), "reissue");
	ck_assert_int_eq(int_of(r.json, "fee_yen"), 0);
	assert_notice(r.json, "signature_reissue", "2024-03-24");
	itest_resp_free(&r);
}
END_TEST

/* A minor's 5-year card expires first: steered to card_application, then card_expired. */
START_TEST(card_expires_first)
{
	static const char facts[] = "\"birth_date\":\"2004-07-15\","
	    "\"card\":{\"issued_on\":\"2022-06-01\"},"
	    "\"certificates\":{\"issued_on\":\"2022-06-01\",\"has_signature\":true}";
	struct itest_resp r;

	ask("ja", "ecert_renewal", "2026-05-01", facts, NULL, &r);
	assert_refused(r.json, "renew_card_instead");
	ck_assert_str_eq(str_of(r.json, "suggested_service"), "card_application");
	ck_assert_str_eq(str_of(r.json, "card_expires_on"), "2026-07-15");
	assert_notice(r.json, "card_expires_first", "2026年7月15日");
	itest_resp_free(&r);
	ask("en", "ecert_renewal", "2026-05-01", facts, NULL, &r);
	assert_refused(r.json, "renew_card_instead");
	assert_notice(r.json, "card_expires_first", "card_application");
	assert_notice(r.json, "card_expires_first", "2026-04-16");
	itest_resp_free(&r);
	ask("en", "ecert_renewal", "2026-08-01", facts, NULL, &r);
	assert_refused(r.json, "card_expired");
	itest_resp_free(&r);
	ask("en", "card_application", "2026-05-01", facts, NULL, &r);
	ck_assert(json_is_true(json_object_get(r.json, "allowed")));
	itest_resp_free(&r);
}
END_TEST

/* A proxy's second visit that lands after the expiry: a free re-issue, said with what stops. */
START_TEST(second_visit_after_expiry)
{
	static const char facts[] = CARD ",\"attendee\":\"proxy\"";
	struct itest_resp r;

	ask("ja", "ecert_renewal", "2025-07-10", facts, NULL, &r);
	assert_allowed(r.json, 2, "2025-07-17");
	assert_notice(r.json, "second_visit_after_expiry", "再発行（無料）");
	assert_notice(r.json, "second_visit_after_expiry", "e-Tax");
	itest_resp_free(&r);
	ask("en", "ecert_renewal", "2025-07-10", facts, NULL, &r);
	assert_notice(r.json, "second_visit_after_expiry", "re-issue (free of charge)");
	itest_resp_free(&r);
	ask("en", "ecert_renewal", "2025-07-01", facts, NULL, &r);
	assert_allowed(r.json, 2, "2025-07-08");
	ck_assert(find(r.json, "notices", "code", "second_visit_after_expiry") == NULL);
	itest_resp_free(&r);
}
END_TEST

/* Under 15 or an adult ward: refused without the legal representative, allowed with. */
START_TEST(legal_representative)
{
	static const char child[] = "\"birth_date\":\"2015-06-01\","
	    "\"card\":{\"issued_on\":\"2024-03-01\"},"
	    "\"certificates\":{\"user_expires_on\":\"2026-06-01\"}";
	char facts[512];
	struct itest_resp r;

	snprintf(facts, sizeof facts, "%s", child);
	ask("ja", "ecert_renewal", "2026-05-01", facts, NULL, &r);
	assert_refused(r.json, "legal_representative_required");
	ck_assert_str_eq(str_of(r.json, "signature_cert"), "not_issued");
	assert_notice(r.json, "legal_representative_required", "法定代理人の同行");
	itest_resp_free(&r);
	ask("en", "ecert_renewal", "2026-05-01", facts, NULL, &r);
	assert_notice(r.json, "legal_representative_required", "legal representative");
	itest_resp_free(&r);
	snprintf(facts, sizeof facts, "%s,\"attendee\":\"legal_representative\","
	    "\"holder_attends\":true", child);
	ask("en", "ecert_renewal", "2026-05-01", facts, NULL, &r);
	assert_allowed(r.json, 1, NULL);
	itest_resp_free(&r);
	ask("ja", "pin_reset", "2025-05-01", CARD ",\"adult_ward\":true", NULL, &r);
	assert_refused(r.json, "legal_representative_required");
	itest_resp_free(&r);
	ask("ja", "pin_reset", "2025-05-01", CARD ",\"adult_ward\":true,\"attendee\":\"guardian\"",
	    NULL, &r);
	assert_allowed(r.json, 2, "2025-05-08");
	itest_resp_free(&r);
}
END_TEST

/* POSTs a booking of service at kasugai-main on 2025-05-01 at hhmm in lang. */
static void
book(const char *lang, const char *service, const char *hhmm, const char *facts,
    struct itest_resp *r)
{
	char body[2048];

	snprintf(body, sizeof body, "{\"office\":\"kasugai-main\",\"service\":\"%s\","
	    "\"start\":\"2025-05-01T%s:00+09:00\",\"language\":\"%s\",\"applicant\":{%s},"
	    "\"contact\":{\"name\":\"Yamada Hanako\",\"email\":\"r@example.jp\"}}", service, hhmm,
	    lang, facts);
	itest_post(&d, "/v1/bookings", body, r);
}

/*
 * The same rules inside a booking: a proxy's PIN reset is booked as the first
 * of two visits with the mailed route's documents, in each language, and a
 * ward without the representative is refused with the code.
 */
START_TEST(bookings_apply_the_rules)
{
	static const char proxy[] = CARD ",\"attendee\":\"proxy\"";
	struct itest_resp r;

	book("ja", "pin_reset", "10:00", proxy, &r);
	ck_assert_msg(r.status == 201, "%ld %s", r.status, r.body);
	assert_visits(r.json, 2, "2025-05-08");
	ck_assert_str_eq(str_of(r.json, "language"), "ja");
	assert_doc(r.json, "holder_card", true, "カード");
	assert_notice(r.json, "pin_reset_by_mail", "郵送");
	ck_assert_str_eq(str_of(r.json, "end"), "2025-05-01T10:15:00+09:00");
	itest_resp_free(&r);
	book("en", "pin_reset", "10:15", proxy, &r);
	ck_assert_msg(r.status == 201, "%ld %s", r.status, r.body);
	assert_visits(r.json, 2, "2025-05-08");
	assert_notice(r.json, "pin_reset_by_mail", "mails an inquiry");
	itest_resp_free(&r);
	/* The holder's own reset takes the city's extra minutes on the spot. */
	book("en", "pin_reset", "11:00", CARD, &r);
	ck_assert_msg(r.status == 201, "%ld %s", r.status, r.body);
	assert_visits(r.json, 1, NULL);
	assert_notice(r.json, "pin_reset_at_visit", "10 extra minutes");
	ck_assert_str_eq(str_of(r.json, "end"), "2025-05-01T11:25:00+09:00");
	itest_resp_free(&r);
	book("en", "pin_reset", "13:00", CARD ",\"adult_ward\":true", &r);
	ck_assert_msg(r.status == 422, "%ld %s", r.status, r.body);
	ck_assert_str_eq(str_of(r.json, "code"), "legal_representative_required");
	itest_resp_free(&r);
}
END_TEST

static Suite *
attendees_suite(void)
{
	Suite *s = suite_create("attendees");
	TCase *tc = tcase_create("eligibility");
	TCase *tb = tcase_create("bookings");

	tcase_add_checked_fixture(tc, setup_elig, teardown);
	tcase_set_timeout(tc, 120);
	tcase_add_test(tc, proxy_pin_by_mail);
	tcase_add_test(tc, pin_reset_service_by_attendee);
	tcase_add_test(tc, holder_reset_per_city);
	tcase_add_test(tc, signature_not_held);
	tcase_add_test(tc, signature_own_window);
	tcase_add_test(tc, card_expires_first);
	tcase_add_test(tc, second_visit_after_expiry);
	tcase_add_test(tc, legal_representative);
	suite_add_tcase(s, tc);
	tcase_add_checked_fixture(tb, setup_book, teardown);
	tcase_set_timeout(tb, 120);
	tcase_add_test(tb, bookings_apply_the_rules);
	suite_add_tcase(s, tb);
	return s;
}

int
main(void)
{
	SRunner *sr = srunner_create(attendees_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
