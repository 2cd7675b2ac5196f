/*
 * Unit tests for the eligibility JSON layer (links server/eligibility.c,
 * server/rules.c and server/cdate.c, with jansson): field-by-field errors
 * with JSON paths, and verdicts in the exact shape of API.md.
 */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "core/cdate.h"
#include "core/eligibility.h"
#include "core/rules.h"

#define APPLICANT \
	"\"applicant\":{\"birth_date\":\"1990-07-15\"," \
	"\"card\":{\"issued_on\":\"2021-03-01\",\"applied_on\":\"2021-01-10\"}," \
	"\"certificates\":{\"issued_on\":\"2021-03-01\",\"has_signature\":true}}"

/* A request body for the worked example, visiting on visit. */
static char *
example_body(const char *visit, const char *language)
{
	static char buf[1024];

	snprintf(buf, sizeof(buf),
	    "{\"service\":\"ecert_renewal\",\"visit_date\":\"%s\",%s" APPLICANT "}",
	    visit, language);
	return buf;
}

/* Parses and evaluates body; returns the verdict JSON (caller decrefs), failing on errors. */
static json_t *
verdict_of(const char *body)
{
	struct rules_settings s = rules_settings_default();
	struct elig_request req;
	struct elig_error err;
	struct rules_verdict v;
	json_t *j;

	ck_assert_msg(elig_parse_body(body, strlen(body), CDATE_NONE, &req, &err),
	    "parse failed: %s %s", err.field, err.detail);
	ck_assert_msg(elig_evaluate(&s, &req, &v, &err), "evaluate failed: %s", err.detail);
	j = elig_verdict_to_json(&v, req.language);
	ck_assert(j != NULL);
	return j;
}

/* Asserts body is refused with status, code and field. */
static void
assert_error(const char *body, int status, const char *code, const char *field)
{
	struct rules_settings s = rules_settings_default();
	struct elig_request req;
	struct elig_error err;
	struct rules_verdict v;
	bool ok;

	memset(&err, 0, sizeof(err));
	ok = elig_parse_body(body, strlen(body), CDATE_NONE, &req, &err) &&
	    elig_evaluate(&s, &req, &v, &err);
	ck_assert_msg(!ok, "accepted: %s", body);
	ck_assert_msg(err.status == status, "status %d for %s", err.status, body);
	ck_assert_msg(strcmp(err.code, code) == 0, "code %s for %s", err.code, body);
	ck_assert_msg(strcmp(err.field, field) == 0, "field '%s' for %s", err.field, body);
	ck_assert(err.detail[0] != '\0');
}

/* The string member key of o (fails when absent or not a string). */
static const char *
str(const json_t *o, const char *key)
{
	const json_t *v = json_object_get(o, key);

	ck_assert_msg(json_is_string(v), "%s is not a string", key);
	return json_string_value(v);
}

START_TEST(api_example_verdict_shape)
{
	static const char *const keys[] = {
		"allowed", "code", "kind", "card_expires_on", "user_cert_expires_on",
		"signature_cert_expires_on", "signature_cert", "window",
		"health_insurance_grace_until", "visits", "second_visit_earliest", "fee_yen",
		"documents", "notices", "signature_window", "fee_parts", "suggested_service",
		"pin_reset", "extra_minutes",
	};
	json_t *j = verdict_of(example_body("2025-05-01", ""));
	json_t *doc0, *notice0, *window;

	ck_assert_uint_eq(json_object_size(j), sizeof(keys) / sizeof(keys[0]));
	for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++)
		ck_assert_msg(json_object_get(j, keys[i]) != NULL, "no %s", keys[i]);
	ck_assert(json_is_true(json_object_get(j, "allowed")));
	ck_assert(json_is_null(json_object_get(j, "code")));
	ck_assert_str_eq(str(j, "kind"), "renewal");
	ck_assert_str_eq(str(j, "card_expires_on"), "2030-07-15");
	ck_assert_str_eq(str(j, "user_cert_expires_on"), "2025-07-15");
	ck_assert_str_eq(str(j, "signature_cert_expires_on"), "2025-07-15");
	ck_assert_str_eq(str(j, "signature_cert"), "renew");
	window = json_object_get(j, "window");
	ck_assert_uint_eq(json_object_size(window), 2);
	ck_assert_str_eq(str(window, "opens_on"), "2025-04-16");
	ck_assert_str_eq(str(window, "closes_on"), "2025-07-15");
	ck_assert_str_eq(str(j, "health_insurance_grace_until"), "2025-10-31");
	ck_assert_int_eq(json_integer_value(json_object_get(j, "visits")), 1);
	ck_assert(json_is_null(json_object_get(j, "second_visit_earliest")));
	ck_assert_int_eq(json_integer_value(json_object_get(j, "fee_yen")), 0);
	doc0 = json_array_get(json_object_get(j, "documents"), 0);
	ck_assert_uint_eq(json_object_size(doc0), 3);
	ck_assert_str_eq(str(doc0, "id"), "card");
	ck_assert(json_is_true(json_object_get(doc0, "required")));
	ck_assert_str_eq(str(doc0, "label"), "マイナンバーカード");
	notice0 = json_array_get(json_object_get(j, "notices"), 0);
	ck_assert_uint_eq(json_object_size(notice0), 2);
	ck_assert_str_eq(str(notice0, "code"), "notice_optional");
	ck_assert(str(notice0, "message")[0] != '\0');
	json_decref(j);
}
END_TEST

START_TEST(day_before_window)
{
	json_t *j = verdict_of(example_body("2025-04-15", ""));
	json_t *window = json_object_get(j, "window");

	ck_assert(json_is_false(json_object_get(j, "allowed")));
	ck_assert_str_eq(str(j, "code"), "before_renewal_window");
	ck_assert_str_eq(str(window, "opens_on"), "2025-04-16");
	json_decref(j);
}
END_TEST

START_TEST(window_first_day_and_expiry_day)
{
	json_t *j = verdict_of(example_body("2025-04-16", ""));

	ck_assert(json_is_true(json_object_get(j, "allowed")));
	ck_assert_str_eq(str(j, "kind"), "renewal");
	json_decref(j);
	j = verdict_of(example_body("2025-07-15", ""));
	ck_assert(json_is_true(json_object_get(j, "allowed")));
	ck_assert_str_eq(str(j, "kind"), "renewal");
	json_decref(j);
}
END_TEST

START_TEST(day_after_expiry)
{
	json_t *j = verdict_of(example_body("2025-07-16", "\"language\":\"en\","));
	json_t *notices = json_object_get(j, "notices");
	bool unusable = false;
	size_t i;
	json_t *n;

	ck_assert(json_is_true(json_object_get(j, "allowed")));
	ck_assert_str_eq(str(j, "kind"), "reissue");
	json_array_foreach(notices, i, n) {
		if (strcmp(str(n, "code"), "reissue_unusable_services") == 0) {
			unusable = true;
			ck_assert(strstr(str(n, "message"), "My Number Portal") != NULL);
		}
	}
	ck_assert(unusable);
	ck_assert_str_eq(str(json_array_get(json_object_get(j, "documents"), 0), "label"),
	    "Your My Number card");
	json_decref(j);
}
END_TEST

START_TEST(expiry_dates_instead_of_issue_dates)
{
	json_t *j = verdict_of("{\"service\":\"ecert_renewal\",\"visit_date\":\"2026-03-01\","
	    "\"applicant\":{\"birth_date\":\"1990-07-15\",\"card\":{\"expires_on\":\"2030-07-15\"},"
	    "\"certificates\":{\"user_expires_on\":\"2026-05-31\"}}}");

	ck_assert(json_is_true(json_object_get(j, "allowed")));
	ck_assert_str_eq(str(json_object_get(j, "window"), "opens_on"), "2026-03-01");
	ck_assert_str_eq(str(j, "signature_cert_expires_on"), "2026-05-31");
	json_decref(j);
	/* A stated expiry wins over the issue date. */
	j = verdict_of("{\"service\":\"ecert_renewal\",\"visit_date\":\"2026-03-01\","
	    "\"applicant\":{\"birth_date\":\"1990-07-15\",\"card\":{\"issued_on\":\"2021-03-01\","
	    "\"expires_on\":\"2029-01-01\"},\"certificates\":{\"issued_on\":\"2021-03-01\","
	    "\"user_expires_on\":\"2026-05-31\"}}}");
	ck_assert_str_eq(str(j, "card_expires_on"), "2029-01-01");
	ck_assert_str_eq(str(j, "user_cert_expires_on"), "2026-05-31");
	json_decref(j);
}
END_TEST

START_TEST(proxy_second_visit_in_json)
{
	json_t *j = verdict_of("{\"service\":\"ecert_renewal\",\"visit_date\":\"2025-05-01\","
	    "\"applicant\":{\"birth_date\":\"1990-07-15\",\"card\":{\"issued_on\":\"2021-03-01\"},"
	    "\"certificates\":{\"issued_on\":\"2021-03-01\"},\"attendee\":\"proxy\","
	    "\"has_inquiry_form\":false,\"holder_attends\":false}}");

	ck_assert_int_eq(json_integer_value(json_object_get(j, "visits")), 2);
	ck_assert_str_eq(str(j, "second_visit_earliest"), "2025-05-08");
	json_decref(j);
}
END_TEST

START_TEST(legal_representative_must_bring_holder)
{
	json_t *j = verdict_of("{\"service\":\"ecert_renewal\",\"visit_date\":\"2026-05-01\","
	    "\"applicant\":{\"birth_date\":\"2015-06-01\",\"card\":{\"issued_on\":\"2024-03-01\"},"
	    "\"certificates\":{\"issued_on\":\"2024-03-01\",\"user_expires_on\":\"2026-06-01\"},"
	    "\"attendee\":\"legal_representative\"}}");

	ck_assert(json_is_false(json_object_get(j, "allowed")));
	ck_assert_str_eq(str(j, "code"), "holder_must_attend");
	ck_assert_str_eq(str(j, "signature_cert"), "not_issued");
	ck_assert(json_is_null(json_object_get(j, "signature_cert_expires_on")));
	json_decref(j);
}
END_TEST

START_TEST(visit_date_defaults_to_today)
{
	static const char body[] = "{\"service\":\"ecert_renewal\"," APPLICANT "}";
	struct elig_request req;
	struct elig_error err;
	cdate today = cdate_make(2025, 6, 1);

	ck_assert(elig_parse_body(body, strlen(body), today, &req, &err));
	ck_assert_int_eq(req.visit_date, today);
	ck_assert_int_eq(req.language, RULES_LANG_JA);
	ck_assert_int_eq(req.service, RULES_SVC_ECERT_RENEWAL);
	assert_error(body, 400, "missing_field", "visit_date");
}
END_TEST

/* A visit before today is refused; today and later days are judged. */
START_TEST(visit_in_past_is_refused)
{
	static const char past[] = "{\"service\":\"ecert_renewal\",\"visit_date\":\"2025-05-31\","
	    APPLICANT "}";
	static const char today_body[] = "{\"service\":\"ecert_renewal\","
	    "\"visit_date\":\"2025-06-01\"," APPLICANT "}";
	struct elig_request req;
	struct elig_error err;
	cdate today = cdate_make(2025, 6, 1);

	ck_assert(!elig_parse_body(past, strlen(past), today, &req, &err));
	ck_assert_int_eq(err.status, 422);
	ck_assert_str_eq(err.code, "visit_in_past");
	ck_assert_str_eq(err.field, "visit_date");
	ck_assert(elig_parse_body(today_body, strlen(today_body), today, &req, &err));
	ck_assert_int_eq(req.visit_date, today);
}
END_TEST

START_TEST(malformed_bodies)
{
	assert_error("not json", 400, "invalid_json", "");
	assert_error("[]", 400, "invalid_body", "");
	assert_error("{\"service\":\"ecert_renewal\",\"service\":\"pin_reset\"}", 400,
	    "invalid_json", "");
	assert_error("{\"visit_date\":\"2025-05-01\"," APPLICANT "}", 400, "missing_field",
	    "service");
	assert_error("{\"service\":\"ecert\",\"visit_date\":\"2025-05-01\"," APPLICANT "}",
	    400, "unknown_service", "service");
	assert_error("{\"service\":5,\"visit_date\":\"2025-05-01\"," APPLICANT "}", 400,
	    "invalid_field", "service");
	assert_error("{\"service\":\"ecert_renewal\",\"visit_date\":\"2026-02-30\"," APPLICANT
	    "}", 400, "invalid_date", "visit_date");
	assert_error("{\"service\":\"ecert_renewal\",\"visit_date\":20250501," APPLICANT "}",
	    400, "invalid_field", "visit_date");
	assert_error("{\"service\":\"ecert_renewal\",\"visit_date\":\"2025-05-01\","
	    "\"language\":\"fr\"," APPLICANT "}", 400, "unknown_language", "language");
	assert_error("{\"service\":\"ecert_renewal\",\"visit_date\":\"2025-05-01\","
	    "\"office\":\"X\"," APPLICANT "}", 400, "invalid_field", "office");
	assert_error("{\"service\":\"ecert_renewal\",\"visit_date\":\"2025-05-01\","
	    "\"office\":\"x\",\"municipality\":\"y\"," APPLICANT "}", 400, "invalid_field", "office");
	assert_error("{\"service\":\"ecert_renewal\",\"visit_date\":\"2025-05-01\","
	    "\"mayor\":\"x\"," APPLICANT "}", 400, "unknown_field", "mayor");
	assert_error("{\"service\":\"ecert_renewal\",\"visit_date\":\"2100-01-04\","
	    APPLICANT "}", 400, "date_out_of_range", "visit_date");
	assert_error("{\"service\":\"ecert_renewal\",\"visit_date\":\"1979-12-31\","
	    APPLICANT "}", 400, "date_out_of_range", "visit_date");
	assert_error("{\"service\":\"ecert_renewal\",\"visit_date\":\"2025-05-01\"}", 400,
	    "missing_field", "applicant");
	assert_error("{\"service\":\"ecert_renewal\",\"visit_date\":\"2025-05-01\","
	    "\"applicant\":[]}", 400, "invalid_field", "applicant");
}
END_TEST

/* A body whose applicant is the given JSON members. */
static const char *
with_applicant(const char *members)
{
	static char buf[1024];

	snprintf(buf, sizeof(buf), "{\"service\":\"ecert_renewal\",\"visit_date\":\"2025-05-01\","
	    "\"applicant\":{%s}}", members);
	return buf;
}

#define CARD "\"card\":{\"issued_on\":\"2021-03-01\"}"
#define CERTS "\"certificates\":{\"issued_on\":\"2021-03-01\"}"
#define BORN "\"birth_date\":\"1990-07-15\""

START_TEST(applicant_field_paths)
{
	assert_error(with_applicant(CARD "," CERTS), 400, "missing_field",
	    "applicant.birth_date");
	assert_error(with_applicant("\"birth_date\":\"1990-7-15\"," CARD "," CERTS), 400,
	    "invalid_date", "applicant.birth_date");
	assert_error(with_applicant(BORN ",\"card\":{\"issued_on\":\"2021-3-1\"}," CERTS),
	    400, "invalid_date", "applicant.card.issued_on");
	assert_error(with_applicant(BORN ",\"card\":{\"issued_on\":2021}," CERTS), 400,
	    "invalid_field", "applicant.card.issued_on");
	assert_error(with_applicant(BORN ",\"card\":{\"issued_on\":\"2021-03-01\","
	    "\"colour\":\"blue\"}," CERTS), 400, "unknown_field", "applicant.card.colour");
	assert_error(with_applicant(BORN ",\"card\":\"yes\"," CERTS), 400, "invalid_field",
	    "applicant.card");
	assert_error(with_applicant(BORN "," CARD "," CERTS ",\"attendee\":\"friend\""), 400,
	    "unknown_attendee", "applicant.attendee");
	assert_error(with_applicant(BORN "," CARD "," CERTS ",\"adult_ward\":\"no\""), 400,
	    "invalid_field", "applicant.adult_ward");
	assert_error(with_applicant(BORN "," CARD "," CERTS ",\"pins_known\":{\"user\":1}"),
	    400, "invalid_field", "applicant.pins_known.user");
	assert_error(with_applicant(BORN "," CARD "," CERTS ",\"pin\":\"1234\""), 400,
	    "unknown_field", "applicant.pin");
	assert_error(with_applicant(BORN "," CARD "," CERTS ",\"foreign_resident\":"
	    "{\"stay_expires_on\":\"2027-02-29\"}"), 400, "invalid_date",
	    "applicant.foreign_resident.stay_expires_on");
	assert_error(with_applicant(BORN "," CARD ",\"certificates\":{\"has_signature\":\"y\"}"),
	    400, "invalid_field", "applicant.certificates.has_signature");
	assert_error(with_applicant(BORN "," CARD), 400, "missing_field",
	    "applicant.certificates.issued_on");
	assert_error(with_applicant(BORN "," CERTS), 400, "missing_field",
	    "applicant.card.issued_on");
}
END_TEST

START_TEST(inconsistent_facts_are_422)
{
	assert_error(with_applicant(BORN ",\"card\":{\"issued_on\":\"1989-03-01\"}," CERTS),
	    422, "inconsistent_facts", "applicant.card.issued_on");
	assert_error(with_applicant(BORN "," CARD ",\"certificates\":{\"issued_on\":\"2020-03-01\"}"),
	    422, "inconsistent_facts", "applicant.certificates.issued_on");
	assert_error(with_applicant(BORN ",\"card\":{\"issued_on\":\"2021-03-01\","
	    "\"applied_on\":\"2021-04-01\"}," CERTS), 422, "inconsistent_facts",
	    "applicant.card.applied_on");
}
END_TEST

START_TEST(individual_number_is_refused)
{
	static const char body[] = "{\"service\":\"ecert_renewal\",\"visit_date\":\"2025-05-01\","
	    "\"applicant\":{\"birth_date\":\"1990-07-15\",\"attendee\":\"1234 5678 9018\"}}";
	struct elig_request req;
	struct elig_error err;

	ck_assert(!elig_parse_body(body, strlen(body), CDATE_NONE, &req, &err));
	ck_assert_int_eq(err.status, 400);
	ck_assert_str_eq(err.code, "individual_number_refused");
	ck_assert_str_eq(err.field, "applicant.attendee");
	ck_assert(strstr(err.detail, "9018") == NULL);
	/* A number failing the check digit is just a bad value. */
	assert_error("{\"service\":\"ecert_renewal\",\"visit_date\":\"2025-05-01\","
	    "\"applicant\":{\"birth_date\":\"1990-07-15\",\"attendee\":\"123456789012\"}}",
	    400, "unknown_attendee", "applicant.attendee");
}
END_TEST

START_TEST(nulls_are_absent)
{
	json_t *j = verdict_of("{\"service\":\"ecert_renewal\",\"visit_date\":\"2025-05-01\","
	    "\"language\":null,\"applicant\":{" BORN "," CARD "," CERTS ",\"foreign_resident\":null,"
	    "\"adult_ward\":null,\"pins_known\":null}}");

	ck_assert(json_is_true(json_object_get(j, "allowed")));
	json_decref(j);
}
END_TEST

START_TEST(error_to_problem_json)
{
	struct elig_error err = { 400, "invalid_date", "applicant.card.issued_on", "Bad." };
	json_t *j = elig_error_to_json(&err);

	ck_assert(j != NULL);
	ck_assert_int_eq(json_integer_value(json_object_get(j, "status")), 400);
	ck_assert_str_eq(str(j, "code"), "invalid_date");
	ck_assert_str_eq(str(j, "field"), "applicant.card.issued_on");
	ck_assert_str_eq(str(j, "detail"), "Bad.");
	ck_assert(str(j, "type")[0] != '\0' && str(j, "title")[0] != '\0');
	json_decref(j);
}
END_TEST

/* All eligibility tests in one suite. */
static Suite *
eligibility_suite(void)
{
	Suite *s = suite_create("eligibility");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, api_example_verdict_shape);
	tcase_add_test(tc, day_before_window);
	tcase_add_test(tc, window_first_day_and_expiry_day);
	tcase_add_test(tc, day_after_expiry);
	tcase_add_test(tc, expiry_dates_instead_of_issue_dates);
	tcase_add_test(tc, proxy_second_visit_in_json);
	tcase_add_test(tc, legal_representative_must_bring_holder);
	tcase_add_test(tc, visit_date_defaults_to_today);
	tcase_add_test(tc, visit_in_past_is_refused);
	tcase_add_test(tc, malformed_bodies);
	tcase_add_test(tc, applicant_field_paths);
	tcase_add_test(tc, inconsistent_facts_are_422);
	tcase_add_test(tc, individual_number_is_refused);
	tcase_add_test(tc, nulls_are_absent);
	tcase_add_test(tc, error_to_problem_json);
	suite_add_tcase(s, tc);
	return s;
}

/* Runs the suite; the exit status is 0 when every test passed. */
int
main(void)
{
	SRunner *sr = srunner_create(eligibility_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
