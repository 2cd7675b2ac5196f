/*
 * Unit tests for the domain rules (links server/rules.c and server/cdate.c).
 * Every worked example of RULES.md §1, the §2 window table and each attendee
 * row of the §3 table appear here verbatim.
 */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "core/cdate.h"
#include "core/rules.h"

/* Parses s, failing the test when it does not parse. */
static cdate
D(const char *s)
{
	cdate d = CDATE_NONE;

	ck_assert_msg(cdate_parse(s, &d), "date %s should parse", s);
	return d;
}

/* Asserts that d formats as want. */
static void
assert_date(cdate d, const char *want)
{
	char buf[11];

	ck_assert_msg(d != CDATE_NONE, "expected %s, got no date", want);
	ck_assert_str_eq(cdate_format(d, buf), want);
}

/* Facts of a holder born on birth whose card and certificates were issued on issued. */
static struct rules_facts
holder(const char *birth, const char *issued)
{
	struct rules_facts f;

	rules_facts_init(&f);
	f.birth_date = D(birth);
	f.card_issued_on = D(issued);
	f.cert_issued_on = D(issued);
	return f;
}

/* Evaluates service for f on visit with settings s; fails on inconsistent facts. */
static struct rules_verdict
judge_with(const struct rules_settings *s, enum rules_service svc, const char *visit,
    const struct rules_facts *f)
{
	struct rules_verdict v;
	struct rules_problem p;

	ck_assert_msg(rules_evaluate(s, svc, D(visit), f, &v, &p), "unexpected problem: %s",
	    p.detail);
	return v;
}

/* Evaluates with the default settings. */
static struct rules_verdict
judge(enum rules_service svc, const char *visit, const struct rules_facts *f)
{
	struct rules_settings s = rules_settings_default();

	return judge_with(&s, svc, visit, f);
}

/* The document with id in v, or NULL. */
static const struct rules_document *
doc(const struct rules_verdict *v, const char *id)
{
	for (size_t i = 0; i < v->n_documents; i++)
		if (strcmp(v->documents[i]->id, id) == 0)
			return v->documents[i];
	return NULL;
}

/* True when v carries a notice with code. */
static bool
has_notice(const struct rules_verdict *v, const char *code)
{
	for (size_t i = 0; i < v->n_notices; i++)
		if (strcmp(v->notices[i].code, code) == 0)
			return true;
	return false;
}

/* Asserts a required (or optional) document is listed with both labels. */
static void
assert_doc(const struct rules_verdict *v, const char *id, bool required)
{
	const struct rules_document *d = doc(v, id);

	ck_assert_msg(d != NULL, "document %s missing", id);
	ck_assert_msg(d->required == required, "document %s required flag", id);
	ck_assert(d->label_ja[0] != '\0' && d->label_en[0] != '\0');
}

/* Asserts the facts are refused with field. */
static void
assert_inconsistent(const struct rules_facts *f, const char *visit, const char *field)
{
	struct rules_settings s = rules_settings_default();
	struct rules_verdict v;
	struct rules_problem p;

	ck_assert(!rules_evaluate(&s, RULES_SVC_ECERT_RENEWAL, D(visit), f, &v, &p));
	ck_assert_str_eq(p.code, "inconsistent_facts");
	ck_assert_str_eq(p.field, field);
	ck_assert(p.detail[0] != '\0');
}

/* ---- §1 ---------------------------------------------------------------- */

START_TEST(example_adult_card_and_certificates)
{
	struct rules_facts f = holder("1990-07-15", "2021-03-01");
	struct rules_expiries e;

	rules_expiries(&f, &e);
	assert_date(e.card, "2030-07-15");
	assert_date(e.user_cert, "2025-07-15");
	assert_date(e.signature_cert, "2025-07-15");
}
END_TEST

START_TEST(example_issued_on_birthday)
{
	struct rules_facts f = holder("1990-07-15", "2021-07-15");

	assert_date(rules_card_expiry(&f), "2031-07-15");
}
END_TEST

START_TEST(example_applied_before_reform_threshold_20)
{
	struct rules_facts f = holder("2002-07-15", "2022-03-01");

	f.card_applied_on = D("2022-01-10");
	assert_date(rules_card_expiry(&f), "2026-07-15");
}
END_TEST

START_TEST(example_applied_after_reform_threshold_18)
{
	struct rules_facts f = holder("2002-07-15", "2022-05-01");

	f.card_applied_on = D("2022-04-05");
	assert_date(rules_card_expiry(&f), "2031-07-15");
}
END_TEST

START_TEST(example_minor_17)
{
	struct rules_facts f = holder("2004-07-15", "2022-06-01");

	f.card_applied_on = D("2022-05-01");
	assert_date(rules_card_expiry(&f), "2026-07-15");
}
END_TEST

START_TEST(example_born_29_february)
{
	struct rules_facts f = holder("2000-02-29", "2023-03-01");

	assert_date(rules_card_expiry(&f), "2033-02-28");
}
END_TEST

START_TEST(reform_boundary_day)
{
	/* Applied on 2022-04-01 itself: no longer "before", so the threshold is 18. */
	struct rules_facts f = holder("2003-07-15", "2022-05-01");

	f.card_applied_on = D("2022-04-01");
	assert_date(rules_card_expiry(&f), "2031-07-15");
	f.card_applied_on = D("2022-03-31");
	assert_date(rules_card_expiry(&f), "2026-07-15");
}
END_TEST

START_TEST(certificates_capped_by_card_and_user)
{
	struct rules_facts f = holder("1990-07-15", "2021-03-01");
	struct rules_expiries e;

	/* Renewed in 2026: the 5th birthday (2031) is past the card (2030). */
	f.cert_issued_on = D("2026-07-01");
	rules_expiries(&f, &e);
	assert_date(e.user_cert, "2030-07-15");
	assert_date(e.signature_cert, "2030-07-15");
	/* A stated user expiry wins, and the signature never outlives it. */
	f.user_expires_on = D("2029-01-31");
	rules_expiries(&f, &e);
	assert_date(e.user_cert, "2029-01-31");
	assert_date(e.signature_cert, "2029-01-31");
	f.has_signature = false;
	f.has_signature_given = true;
	rules_expiries(&f, &e);
	ck_assert_int_eq(e.signature_cert, CDATE_NONE);
}
END_TEST

START_TEST(stated_card_expiry_wins)
{
	struct rules_facts f = holder("1990-07-15", "2021-03-01");

	f.card_expires_on = D("2030-01-01");
	assert_date(rules_card_expiry(&f), "2030-01-01");
}
END_TEST

START_TEST(foreign_resident_period_of_stay)
{
	struct rules_facts f = holder("1990-07-15", "2024-02-01");
	struct rules_verdict v;

	f.foreign_resident = true;
	f.stay_expires_on = D("2027-01-31");
	assert_date(rules_card_expiry(&f), "2027-01-31");
	v = judge(RULES_SVC_ECERT_RENEWAL, "2026-12-01", &f);
	assert_date(v.user_cert_expires_on, "2027-01-31");
	ck_assert(has_notice(&v, "residence_update_before_expiry"));
	f.permanent = true;
	assert_date(rules_card_expiry(&f), "2033-07-15");
	f.permanent = false;
	f.highly_skilled_ii = true;
	assert_date(rules_card_expiry(&f), "2033-07-15");
}
END_TEST

/* ---- §2 ---------------------------------------------------------------- */

START_TEST(window_table)
{
	static const char *const table[][2] = {
		{ "2026-03-24", "2025-12-25" }, { "2026-05-01", "2026-02-02" },
		{ "2020-04-10", "2020-01-11" }, { "2026-05-31", "2026-03-01" },
		{ "2028-05-30", "2028-03-01" },
	};

	for (size_t i = 0; i < sizeof(table) / sizeof(table[0]); i++)
		assert_date(rules_window_opens(D(table[i][0])), table[i][1]);
}
END_TEST

START_TEST(grace_date)
{
	assert_date(rules_health_insurance_grace(D("2026-05-10")), "2026-08-31");
	assert_date(rules_health_insurance_grace(D("2025-11-15")), "2026-02-28");
	assert_date(rules_health_insurance_grace(D("2027-11-30")), "2028-02-29");
	assert_date(rules_health_insurance_grace(D("2025-10-01")), "2026-01-31");
	assert_date(rules_health_insurance_grace(D("2025-12-31")), "2026-03-31");
}
END_TEST

START_TEST(visit_before_window_is_refused)
{
	struct rules_facts f = holder("1990-07-15", "2021-03-01");
	struct rules_verdict v = judge(RULES_SVC_ECERT_RENEWAL, "2025-04-15", &f);

	ck_assert(!v.allowed);
	ck_assert_str_eq(v.code, "before_renewal_window");
	assert_date(v.window_opens_on, "2025-04-16");
	assert_date(v.window_closes_on, "2025-07-15");
	ck_assert(has_notice(&v, "before_renewal_window"));
}
END_TEST

/* A proxy refused before the window: the second visit counts from the window's first day. */
START_TEST(proxy_before_window_second_visit_from_window)
{
	struct rules_facts f = holder("1990-07-15", "2021-03-01");
	struct rules_verdict v;

	f.attendee = RULES_ATT_PROXY;
	f.holder_attends = false;
	v = judge(RULES_SVC_ECERT_RENEWAL, "2025-01-10", &f);
	ck_assert(!v.allowed);
	ck_assert_str_eq(v.code, "before_renewal_window");
	assert_date(v.window_opens_on, "2025-04-16");
	ck_assert_int_eq(v.visits, 2);
	assert_date(v.second_visit_earliest, "2025-04-23");
	ck_assert(v.second_visit_earliest > v.window_opens_on);
	/* Inside the window it still counts from the visit itself. */
	v = judge(RULES_SVC_ECERT_RENEWAL, "2025-05-01", &f);
	assert_date(v.second_visit_earliest, "2025-05-08");
}
END_TEST

START_TEST(visit_on_window_first_day_and_expiry_is_renewal)
{
	struct rules_facts f = holder("1990-07-15", "2021-03-01");
	struct rules_verdict v = judge(RULES_SVC_ECERT_RENEWAL, "2025-04-16", &f);

	ck_assert(v.allowed);
	ck_assert(v.code == NULL);
	ck_assert_int_eq(v.kind, RULES_KIND_RENEWAL);
	ck_assert_int_eq(v.visits, 1);
	ck_assert_int_eq(v.fee_yen, 0);
	assert_date(v.health_insurance_grace_until, "2025-10-31");
	ck_assert(has_notice(&v, "notice_optional"));
	v = judge(RULES_SVC_ECERT_RENEWAL, "2025-07-15", &f);
	ck_assert(v.allowed);
	ck_assert_int_eq(v.kind, RULES_KIND_RENEWAL);
	ck_assert(!has_notice(&v, "reissue_unusable_services"));
}
END_TEST

START_TEST(visit_after_expiry_is_free_reissue)
{
	struct rules_facts f = holder("1990-07-15", "2021-03-01");
	struct rules_verdict v = judge(RULES_SVC_ECERT_RENEWAL, "2025-07-16", &f);

	ck_assert(v.allowed);
	ck_assert_int_eq(v.kind, RULES_KIND_REISSUE);
	ck_assert_int_eq(v.fee_yen, 0);
	ck_assert(has_notice(&v, "reissue_unusable_services"));
	ck_assert(has_notice(&v, "health_insurance_grace"));
	ck_assert(strstr(v.notices[0].message_en, "e-Tax") != NULL);
	ck_assert(strstr(v.notices[0].message_ja, "コンビニ交付") != NULL);
	v = judge(RULES_SVC_ECERT_RENEWAL, "2025-11-01", &f);
	ck_assert(v.allowed);
	ck_assert(has_notice(&v, "health_insurance_reregistration"));
	ck_assert(!has_notice(&v, "health_insurance_grace"));
}
END_TEST

START_TEST(expired_card_cannot_be_renewed)
{
	struct rules_facts f = holder("1990-07-15", "2021-03-01");
	struct rules_verdict v = judge(RULES_SVC_ECERT_RENEWAL, "2030-07-16", &f);

	ck_assert(!v.allowed);
	ck_assert_str_eq(v.code, "card_expired");
	ck_assert_int_eq(v.kind, RULES_KIND_NEW_CARD);
}
END_TEST

START_TEST(card_application_window)
{
	struct rules_facts f = holder("1990-07-15", "2021-03-01");
	struct rules_verdict v = judge(RULES_SVC_CARD_APPLICATION, "2030-04-15", &f);

	ck_assert(!v.allowed);
	ck_assert_str_eq(v.code, "before_renewal_window");
	assert_date(v.window_opens_on, "2030-04-16");
	v = judge(RULES_SVC_CARD_APPLICATION, "2030-04-16", &f);
	ck_assert(v.allowed);
	ck_assert_int_eq(v.kind, RULES_KIND_NEW_CARD);
	ck_assert(has_notice(&v, "card_pickup_later"));
	v = judge(RULES_SVC_CARD_APPLICATION, "2030-08-01", &f);
	ck_assert(v.allowed);
	ck_assert_int_eq(v.kind, RULES_KIND_NEW_CARD);
}
END_TEST

/* ---- §3 ---------------------------------------------------------------- */

START_TEST(attendee_self)
{
	struct rules_facts f = holder("1990-07-15", "2021-03-01");
	struct rules_verdict v = judge(RULES_SVC_ECERT_RENEWAL, "2025-05-01", &f);

	ck_assert(v.allowed);
	ck_assert_int_eq(v.visits, 1);
	assert_doc(&v, "card", true);
	assert_doc(&v, "expiry_notice", false);
	assert_doc(&v, "pin_user", true);
	assert_doc(&v, "pin_signature", true);
	ck_assert_int_eq(v.signature_cert, RULES_SIG_RENEW);
	ck_assert(!v.pin_reset);
}
END_TEST

START_TEST(attendee_proxy_with_form)
{
	struct rules_facts f = holder("1990-07-15", "2021-03-01");
	struct rules_verdict v;

	f.attendee = RULES_ATT_PROXY;
	f.has_inquiry_form = true;
	f.holder_attends = false;
	v = judge(RULES_SVC_ECERT_RENEWAL, "2025-05-01", &f);
	ck_assert(v.allowed);
	ck_assert_int_eq(v.visits, 1);
	ck_assert_int_eq(v.second_visit_earliest, CDATE_NONE);
	assert_doc(&v, "holder_card", true);
	assert_doc(&v, "inquiry_form", true);
	assert_doc(&v, "proxy_photo_id", true);
	assert_doc(&v, "expiry_notice", false);
	ck_assert(doc(&v, "pin_user") == NULL);
}
END_TEST

START_TEST(attendee_proxy_without_form)
{
	struct rules_facts f = holder("1990-07-15", "2021-03-01");
	struct rules_settings s = rules_settings_default();
	struct rules_verdict v;

	f.attendee = RULES_ATT_PROXY;
	f.holder_attends = false;
	v = judge(RULES_SVC_ECERT_RENEWAL, "2025-05-01", &f);
	ck_assert(v.allowed);
	ck_assert_int_eq(v.visits, 2);
	assert_date(v.second_visit_earliest, "2025-05-08");
	assert_doc(&v, "holder_card", true);
	assert_doc(&v, "expiry_notice", false);
	assert_doc(&v, "proxy_id", true);
	assert_doc(&v, "visit2_holder_card", true);
	assert_doc(&v, "visit2_inquiry_form", true);
	assert_doc(&v, "visit2_proxy_photo_id", true);
	ck_assert(doc(&v, "inquiry_form") == NULL);
	ck_assert(has_notice(&v, "second_visit_required"));
	s.mail_turnaround_days = 10;
	v = judge_with(&s, RULES_SVC_ECERT_RENEWAL, "2025-05-01", &f);
	assert_date(v.second_visit_earliest, "2025-05-11");
}
END_TEST

START_TEST(attendee_guardian_with_photo_id)
{
	struct rules_facts f = holder("1970-01-10", "2021-03-01");
	struct rules_verdict v;

	f.adult_ward = true;
	f.has_signature = false;
	f.attendee = RULES_ATT_GUARDIAN;
	f.holder_attends = false;
	v = judge(RULES_SVC_ECERT_RENEWAL, "2025-12-01", &f);
	ck_assert(v.allowed);
	ck_assert_int_eq(v.visits, 1);
	assert_doc(&v, "holder_card", true);
	assert_doc(&v, "guardian_photo_id", true);
	assert_doc(&v, "guardianship_certificate", true);
	assert_doc(&v, "pin_user", true);
	ck_assert(doc(&v, "pin_signature") == NULL);
	ck_assert_int_eq(v.signature_cert, RULES_SIG_NOT_ISSUED);
}
END_TEST

START_TEST(attendee_guardian_without_photo_id)
{
	struct rules_facts f = holder("1970-01-10", "2021-03-01");
	struct rules_verdict v;

	f.adult_ward = true;
	f.attendee = RULES_ATT_GUARDIAN;
	f.attendee_has_photo_id = false;
	f.holder_attends = false;
	v = judge(RULES_SVC_ECERT_RENEWAL, "2025-12-01", &f);
	ck_assert(v.allowed);
	ck_assert_int_eq(v.visits, 2);
	assert_date(v.second_visit_earliest, "2025-12-08");
	assert_doc(&v, "guardian_id", true);
	assert_doc(&v, "guardianship_certificate", true);
	assert_doc(&v, "visit2_inquiry_form", true);
	ck_assert(doc(&v, "guardian_photo_id") == NULL);
}
END_TEST

START_TEST(guardian_renewing_signature_needs_holder)
{
	struct rules_facts f = holder("1970-01-10", "2021-03-01");
	struct rules_verdict v;

	f.attendee = RULES_ATT_GUARDIAN;
	f.holder_attends = false;
	v = judge(RULES_SVC_ECERT_RENEWAL, "2025-12-01", &f);
	ck_assert(!v.allowed);
	ck_assert_str_eq(v.code, "holder_must_attend");
	f.holder_attends = true;
	v = judge(RULES_SVC_ECERT_RENEWAL, "2025-12-01", &f);
	ck_assert(v.allowed);
	ck_assert(has_notice(&v, "holder_must_attend"));
}
END_TEST

START_TEST(attendee_legal_representative)
{
	struct rules_facts f = holder("2015-06-01", "2024-03-01");
	struct rules_verdict v;

	/* A certificate re-issued to expire before the card, so it is not steered to the card. */
	f.user_expires_on = D("2026-06-01");
	f.attendee = RULES_ATT_LEGAL_REP;
	f.holder_attends = true;
	v = judge(RULES_SVC_ECERT_RENEWAL, "2026-05-01", &f);
	ck_assert(v.allowed);
	ck_assert_int_eq(v.visits, 1);
	assert_doc(&v, "holder_card", true);
	assert_doc(&v, "representative_photo_id", true);
	assert_doc(&v, "relationship_proof", false);
	f.holder_attends = false;
	v = judge(RULES_SVC_ECERT_RENEWAL, "2026-05-01", &f);
	ck_assert(!v.allowed);
	ck_assert_str_eq(v.code, "holder_must_attend");
	assert_date(v.window_opens_on, "2026-03-02");
}
END_TEST

START_TEST(under_15_gets_no_signature)
{
	/* Card at 6 (2022): the 5th birthday after is 2026-06-01; visit at 10. */
	struct rules_facts f = holder("2015-06-01", "2022-03-01");
	struct rules_verdict v;

	assert_date(rules_card_expiry(&f), "2026-06-01");
	f.attendee = RULES_ATT_LEGAL_REP;
	v = judge(RULES_SVC_ECERT_RENEWAL, "2026-05-01", &f);
	ck_assert_int_eq(v.signature_cert, RULES_SIG_NOT_ISSUED);
	ck_assert_int_eq(v.signature_cert_expires_on, CDATE_NONE);
	ck_assert(has_notice(&v, "signature_not_issued"));
	ck_assert(doc(&v, "pin_signature") == NULL);
	/* A locked signature PIN does not matter when none is issued. */
	f.pin_signature_known = false;
	v = judge(RULES_SVC_ECERT_RENEWAL, "2026-05-01", &f);
	ck_assert(!v.pin_reset);
}
END_TEST

START_TEST(fifteenth_birthday_boundary)
{
	struct rules_facts f = holder("2011-05-10", "2021-06-01");
	struct rules_verdict v;

	assert_date(rules_card_expiry(&f), "2026-05-10");
	v = judge(RULES_SVC_ECERT_RENEWAL, "2026-05-09", &f);
	ck_assert_int_eq(v.signature_cert, RULES_SIG_NOT_ISSUED);
	v = judge(RULES_SVC_ECERT_RENEWAL, "2026-05-10", &f);
	ck_assert_int_eq(v.signature_cert, RULES_SIG_RENEW);
	ck_assert(!has_notice(&v, "signature_not_issued"));
}
END_TEST

START_TEST(adult_ward_gets_no_signature)
{
	struct rules_facts f = holder("1960-01-10", "2021-03-01");
	struct rules_verdict v;

	f.adult_ward = true;
	f.attendee = RULES_ATT_GUARDIAN;
	v = judge(RULES_SVC_ECERT_RENEWAL, "2025-12-01", &f);
	ck_assert_int_eq(v.signature_cert, RULES_SIG_NOT_ISSUED);
	ck_assert(has_notice(&v, "signature_not_issued"));
	ck_assert_int_eq(v.signature_cert_expires_on, CDATE_NONE);
}
END_TEST

START_TEST(unknown_pin_is_reset_at_visit)
{
	struct rules_facts f = holder("1990-07-15", "2021-03-01");
	struct rules_settings s = rules_settings_default();
	struct rules_verdict v;

	f.pin_signature_known = false;
	s.pin_reset_extra_minutes[RULES_SVC_ECERT_RENEWAL] = 20;
	v = judge_with(&s, RULES_SVC_ECERT_RENEWAL, "2025-05-01", &f);
	ck_assert(v.allowed);
	ck_assert(v.pin_reset);
	ck_assert_int_eq(v.extra_minutes, 20);
	assert_doc(&v, "pin_reset_id", true);
	assert_doc(&v, "pin_user", true);
	ck_assert(doc(&v, "pin_signature") == NULL);
	ck_assert(has_notice(&v, "pin_reset_at_visit"));
	ck_assert(strstr(doc(&v, "pin_reset_id")->label_ja, "運転免許証") != NULL);
	ck_assert(strstr(doc(&v, "pin_reset_id")->label_en, "list B") != NULL);
}
END_TEST

START_TEST(fees)
{
	struct rules_facts f = holder("1990-07-15", "2021-03-01");
	struct rules_settings s = rules_settings_default();
	struct rules_verdict v;

	ck_assert_int_eq(s.lost_card_fee.card_yen + s.lost_card_fee.certificate_yen, 1000);
	ck_assert_int_eq(s.mail_turnaround_days, 7);
	v = judge(RULES_SVC_CARD_REISSUE_LOST, "2025-05-01", &f);
	ck_assert(v.allowed);
	ck_assert_int_eq(v.fee_yen, 1000);
	ck_assert_int_eq(v.kind, RULES_KIND_NEW_CARD);
	assert_doc(&v, "identity_documents", true);
	ck_assert(has_notice(&v, "lost_card_fee"));
	ck_assert(strstr(v.notices[0].message_ja, "1000円") != NULL);
	s.lost_card_fee.card_yen = 900;
	v = judge_with(&s, RULES_SVC_CARD_REISSUE_LOST, "2025-05-01", &f);
	ck_assert_int_eq(v.fee_yen, 1100);
	f.card_lost = true;
	v = judge(RULES_SVC_ECERT_RENEWAL, "2025-05-01", &f);
	ck_assert(!v.allowed);
	ck_assert_str_eq(v.code, "card_lost");
}
END_TEST

START_TEST(other_services)
{
	struct rules_facts f = holder("1990-07-15", "2021-03-01");
	struct rules_verdict v;

	v = judge(RULES_SVC_ADDRESS_CHANGE, "2025-05-01", &f);
	ck_assert(v.allowed);
	ck_assert_int_eq(v.signature_cert, RULES_SIG_LAPSED);
	ck_assert(has_notice(&v, "signature_lapsed"));
	ck_assert_int_eq(v.kind, RULES_KIND_NONE);
	v = judge(RULES_SVC_PIN_RESET, "2025-05-01", &f);
	ck_assert(v.pin_reset);
	assert_doc(&v, "pin_reset_id", true);
	v = judge(RULES_SVC_RESIDENCE_UPDATE, "2025-05-01", &f);
	ck_assert(!v.allowed);
	ck_assert_str_eq(v.code, "not_applicable");
	f.foreign_resident = true;
	f.stay_expires_on = D("2027-01-31");
	v = judge(RULES_SVC_RESIDENCE_UPDATE, "2025-05-01", &f);
	ck_assert(v.allowed);
	assert_doc(&v, "residence_card", true);
	v = judge(RULES_SVC_CARD_PICKUP, "2025-05-01", &f);
	assert_doc(&v, "pickup_notice", true);
	assert_doc(&v, "current_card", true);
}
END_TEST

/* ---- consistency --------------------------------------------------------- */

START_TEST(inconsistent_facts)
{
	struct rules_facts f = holder("1990-07-15", "2021-03-01");

	f.card_issued_on = D("1989-01-01");
	assert_inconsistent(&f, "2025-05-01", "applicant.card.issued_on");
	f = holder("1990-07-15", "2021-03-01");
	f.cert_issued_on = D("2021-02-01");
	assert_inconsistent(&f, "2025-05-01", "applicant.certificates.issued_on");
	f = holder("1990-07-15", "2021-03-01");
	f.card_applied_on = D("2021-03-02");
	assert_inconsistent(&f, "2025-05-01", "applicant.card.applied_on");
	f = holder("1990-07-15", "2021-03-01");
	assert_inconsistent(&f, "2021-02-01", "applicant.card.issued_on");
	f = holder("1990-07-15", "2021-03-01");
	f.user_expires_on = D("2031-01-01");
	assert_inconsistent(&f, "2025-05-01", "applicant.certificates.user_expires_on");
	f = holder("1990-07-15", "2021-03-01");
	f.signature_expires_on = D("2026-01-01");
	assert_inconsistent(&f, "2025-05-01", "applicant.certificates.signature_expires_on");
	f = holder("2010-07-15", "2021-03-01");
	f.has_signature_given = true;
	assert_inconsistent(&f, "2025-05-01", "applicant.certificates.has_signature");
	f = holder("1990-07-15", "2015-03-01");
	assert_inconsistent(&f, "2025-05-01", "applicant.card.issued_on");
}
END_TEST

START_TEST(missing_certificate_facts)
{
	struct rules_facts f = holder("1990-07-15", "2021-03-01");
	struct rules_settings s = rules_settings_default();
	struct rules_verdict v;
	struct rules_problem p;

	f.cert_issued_on = CDATE_NONE;
	ck_assert(!rules_evaluate(&s, RULES_SVC_ECERT_RENEWAL, D("2025-05-01"), &f, &v, &p));
	ck_assert_str_eq(p.code, "missing_field");
	ck_assert_str_eq(p.field, "applicant.certificates.issued_on");
	/* A stated expiry stands in for the issue date. */
	f.user_expires_on = D("2025-07-15");
	ck_assert(rules_evaluate(&s, RULES_SVC_ECERT_RENEWAL, D("2025-05-01"), &f, &v, &p));
	assert_date(v.window_opens_on, "2025-04-16");
}
END_TEST

/* ---- names and the Individual Number ------------------------------------ */

START_TEST(service_ids)
{
	static const char *const ids[] = {
		"ecert_renewal", "card_application", "card_pickup", "pin_reset",
		"address_change", "residence_update", "card_reissue_lost",
	};
	enum rules_service s;
	enum rules_attendee a;
	enum rules_language l;

	for (size_t i = 0; i < sizeof(ids) / sizeof(ids[0]); i++) {
		ck_assert(rules_service_parse(ids[i], &s));
		ck_assert_str_eq(rules_service_name(s), ids[i]);
	}
	ck_assert(!rules_service_parse("ecert", &s));
	ck_assert(!rules_service_parse("", &s));
	ck_assert(!rules_service_parse(NULL, &s));
	ck_assert(rules_attendee_parse("legal_representative", &a) && a == RULES_ATT_LEGAL_REP);
	ck_assert(!rules_attendee_parse("friend", &a));
	ck_assert(rules_language_parse("en", &l) && l == RULES_LANG_EN);
	ck_assert(!rules_language_parse("fr", &l));
	ck_assert_str_eq(rules_kind_name(RULES_KIND_REISSUE), "reissue");
	ck_assert(rules_kind_name(RULES_KIND_NONE) == NULL);
	ck_assert_str_eq(rules_sigfate_name(RULES_SIG_NOT_ISSUED), "not_issued");
}
END_TEST

START_TEST(check_digit)
{
	ck_assert(rules_individual_number_valid("123456789018"));
	ck_assert(!rules_individual_number_valid("123456789012"));
	ck_assert(rules_individual_number_valid("000000000000"));
	ck_assert(!rules_individual_number_valid("12345678901x"));
}
END_TEST

START_TEST(individual_number_in_text)
{
	ck_assert(rules_contains_individual_number("123456789018"));
	ck_assert(rules_contains_individual_number("my number is 123456789018, thanks"));
	ck_assert(rules_contains_individual_number("1234 5678 9018"));
	ck_assert(rules_contains_individual_number("1234-5678-9018"));
	ck_assert(rules_contains_individual_number("番号１２３４５６７８９０１８です"));
	ck_assert(rules_contains_individual_number("１２３４　５６７８　９０１８"));
	ck_assert(rules_contains_individual_number("tel 03-1234-5678 123456789018"));
	ck_assert(!rules_contains_individual_number("123456789012"));
	ck_assert(!rules_contains_individual_number("1234567890180"));
	ck_assert(!rules_contains_individual_number("0123456789018"));
	/* Any run of separators joins groups (server/core/individual_number.c). */
	ck_assert(rules_contains_individual_number("1234  5678 9018"));
	ck_assert(rules_contains_individual_number("1234--5678-9018"));
	ck_assert(!rules_contains_individual_number("12345678901"));
	ck_assert(!rules_contains_individual_number("born 1990-07-15, tel 090-1234-5678"));
	ck_assert(!rules_contains_individual_number(""));
	ck_assert(!rules_contains_individual_number(NULL));
}
END_TEST


/* ---- RULES.md §6 ---------------------------------------------------------- */

/* The notice with code in v, failing when it is absent. */
static const struct rules_notice *
notice(const struct rules_verdict *v, const char *code)
{
	for (size_t i = 0; i < v->n_notices; i++)
		if (strcmp(v->notices[i].code, code) == 0)
			return &v->notices[i];
	ck_abort_msg("notice %s missing", code);
	return NULL;
}

/* Asserts notice code's Japanese and English messages contain ja and en. */
static void
assert_says(const struct rules_verdict *v, const char *code, const char *ja, const char *en)
{
	const struct rules_notice *n = notice(v, code);

	ck_assert_msg(strstr(n->message_ja, ja) != NULL, "%s ja: %s", code, n->message_ja);
	ck_assert_msg(strstr(n->message_en, en) != NULL, "%s en: %s", code, n->message_en);
}

/* A proxy with the sealed form but an unverifiable PIN: mailed inquiry, second visit. */
START_TEST(s6_proxy_unverifiable_pin_two_visits)
{
	struct rules_facts f = holder("1990-07-15", "2021-03-01");
	struct rules_verdict v;

	f.attendee = RULES_ATT_PROXY;
	f.has_inquiry_form = true;
	f.pin_user_known = false;
	v = judge(RULES_SVC_ECERT_RENEWAL, "2025-05-01", &f);
	ck_assert(v.allowed);
	ck_assert_int_eq(v.visits, 2);
	ck_assert(!v.pin_reset);
	ck_assert_int_eq(v.extra_minutes, 0);
	ck_assert_int_eq(v.second_visit_earliest, D("2025-05-08"));
	assert_doc(&v, "visit2_pin_inquiry", true);
	ck_assert(!has_notice(&v, "pin_reset_at_visit"));
	assert_says(&v, "pin_reset_by_mail", "2025年5月8日", "2025-05-08");
	assert_says(&v, "pin_reset_by_mail", "3回", "3 wrong");
	assert_says(&v, "pin_reset_by_mail", "5回", "5 wrong");
}
END_TEST

/* A guardian with a photo ID but an unverifiable PIN: also the mailed route. */
START_TEST(s6_guardian_unverifiable_pin_two_visits)
{
	struct rules_facts f = holder("1990-07-15", "2021-03-01");
	struct rules_settings s = rules_settings_default();
	struct rules_verdict v;

	f.attendee = RULES_ATT_GUARDIAN;
	f.holder_attends = true;
	f.pin_signature_known = false;
	s.mail_turnaround_days = 10;
	v = judge_with(&s, RULES_SVC_ECERT_RENEWAL, "2025-05-01", &f);
	ck_assert(v.allowed);
	ck_assert_int_eq(v.visits, 2);
	ck_assert_int_eq(v.second_visit_earliest, D("2025-05-11"));
	ck_assert(!v.pin_reset);
	assert_says(&v, "pin_reset_by_mail", "郵送", "mails an inquiry");
}
END_TEST

/* pin_reset by a proxy (or guardian) is never done on the spot. */
START_TEST(s6_pin_reset_service_by_proxy)
{
	struct rules_facts f = holder("1990-07-15", "2021-03-01");
	struct rules_verdict v;

	f.attendee = RULES_ATT_PROXY;
	v = judge(RULES_SVC_PIN_RESET, "2025-05-01", &f);
	ck_assert(v.allowed);
	ck_assert_int_eq(v.visits, 2);
	ck_assert(!v.pin_reset);
	ck_assert_int_eq(v.second_visit_earliest, D("2025-05-08"));
	assert_doc(&v, "holder_card", true);
	ck_assert(has_notice(&v, "pin_reset_by_mail"));
	f.attendee = RULES_ATT_GUARDIAN;
	v = judge(RULES_SVC_PIN_RESET, "2025-05-01", &f);
	ck_assert_int_eq(v.visits, 2);
	f.attendee = RULES_ATT_SELF;
	v = judge(RULES_SVC_PIN_RESET, "2025-05-01", &f);
	ck_assert_int_eq(v.visits, 1);
	ck_assert(v.pin_reset);
	ck_assert_int_eq(v.extra_minutes, 10);
	assert_says(&v, "pin_reset_at_visit", "10分", "10 extra minutes");
}
END_TEST

/* Where the city resets by mail even for the holder (Shiki), the holder comes twice. */
START_TEST(s6_holder_reset_by_mail_setting)
{
	struct rules_facts f = holder("1990-07-15", "2021-03-01");
	struct rules_settings s = rules_settings_default();
	struct rules_verdict v;

	f.pin_user_known = false;
	v = judge_with(&s, RULES_SVC_ECERT_RENEWAL, "2025-05-01", &f);
	ck_assert_int_eq(v.visits, 1);
	ck_assert(v.pin_reset);
	s.pin_reset_same_visit = false;
	v = judge_with(&s, RULES_SVC_ECERT_RENEWAL, "2025-05-01", &f);
	ck_assert_int_eq(v.visits, 2);
	ck_assert(!v.pin_reset);
	assert_doc(&v, "pin_reset_id", true);
	assert_doc(&v, "visit2_pin_inquiry", true);
	ck_assert(has_notice(&v, "pin_reset_by_mail"));
}
END_TEST

/* has_signature false: not_held, no signature PIN, and no holder_must_attend for a guardian. */
START_TEST(s6_signature_not_held)
{
	struct rules_facts f = holder("1990-07-15", "2021-03-01");
	struct rules_verdict v;

	f.has_signature = false;
	f.has_signature_given = true;
	f.pin_signature_known = false;
	v = judge(RULES_SVC_ECERT_RENEWAL, "2025-05-01", &f);
	ck_assert(v.allowed);
	ck_assert_int_eq(v.signature_cert, RULES_SIG_NOT_HELD);
	ck_assert_str_eq(rules_sigfate_name(v.signature_cert), "not_held");
	ck_assert_int_eq(v.signature_cert_expires_on, CDATE_NONE);
	ck_assert(doc(&v, "pin_signature") == NULL);
	ck_assert(!v.pin_reset);
	assert_says(&v, "signature_not_held", "署名用電子証明書が搭載されていない",
	    "no signature certificate");
	f.attendee = RULES_ATT_GUARDIAN;
	f.holder_attends = false;
	v = judge(RULES_SVC_ECERT_RENEWAL, "2025-05-01", &f);
	ck_assert(v.allowed);
	ck_assert(!has_notice(&v, "holder_must_attend"));
}
END_TEST

/* A signature certificate expiring first has its own window and re-issue; both are listed. */
START_TEST(s6_signature_own_window)
{
	struct rules_facts f = holder("1990-07-15", "2021-03-01");
	struct rules_verdict v;

	f.signature_expires_on = D("2024-03-24");	/* user certificate: 2025-07-15 */
	v = judge(RULES_SVC_ECERT_RENEWAL, "2023-12-24", &f);
	ck_assert(!v.allowed);
	ck_assert_str_eq(v.code, "before_renewal_window");
	ck_assert_int_eq(v.signature_window_opens_on, D("2023-12-25"));
	v = judge(RULES_SVC_ECERT_RENEWAL, "2023-12-25", &f);
	ck_assert(v.allowed);
	ck_assert_int_eq(v.kind, RULES_KIND_RENEWAL);
	ck_assert_int_eq(v.window_opens_on, D("2025-04-16"));
	ck_assert_int_eq(v.window_closes_on, D("2025-07-15"));
	ck_assert_int_eq(v.signature_window_opens_on, D("2023-12-25"));
	ck_assert_int_eq(v.signature_window_closes_on, D("2024-03-24"));
	assert_says(&v, "signature_own_window", "2023年12月25日", "2023-12-25");
	v = judge(RULES_SVC_ECERT_RENEWAL, "2024-06-01", &f);
	ck_assert(v.allowed);
	ck_assert_int_eq(v.kind, RULES_KIND_REISSUE);
	ck_assert_int_eq(v.fee_yen, 0);
	assert_says(&v, "signature_reissue", "2024年3月24日", "2024-03-24");
}
END_TEST

/* A card that expires no later than its certificates is steered to a card renewal. */
START_TEST(s6_card_expires_first)
{
	struct rules_facts f = holder("2004-07-15", "2022-06-01");	/* age 17: 5-year card */
	struct rules_verdict v;

	v = judge(RULES_SVC_ECERT_RENEWAL, "2026-05-01", &f);
	ck_assert_int_eq(v.card_expires_on, D("2026-07-15"));
	ck_assert(!v.allowed);
	ck_assert_str_eq(v.code, "renew_card_instead");
	ck_assert_str_eq(v.suggested_service, "card_application");
	ck_assert_int_eq(v.kind, RULES_KIND_NEW_CARD);
	assert_says(&v, "card_expires_first", "2026年7月15日", "card_application");
	assert_says(&v, "card_expires_first", "2026年4月16日", "2026-04-16");
	v = judge(RULES_SVC_ECERT_RENEWAL, "2026-08-01", &f);
	ck_assert_str_eq(v.code, "card_expired");
	v = judge(RULES_SVC_CARD_APPLICATION, "2026-05-01", &f);
	ck_assert(v.allowed);
}
END_TEST

/* A foreign resident whose stay ends first is steered to the card as well. */
START_TEST(s6_stay_expires_first)
{
	struct rules_facts f = holder("1990-07-15", "2021-03-01");
	struct rules_verdict v;

	f.foreign_resident = true;
	f.stay_expires_on = D("2025-06-30");
	v = judge(RULES_SVC_ECERT_RENEWAL, "2025-05-01", &f);
	ck_assert_str_eq(v.code, "renew_card_instead");
	ck_assert(has_notice(&v, "residence_update_before_expiry"));
}
END_TEST

/* A second visit after the expiry is a re-issue: said, with what is unusable. */
START_TEST(s6_second_visit_after_expiry)
{
	struct rules_facts f = holder("1990-07-15", "2021-03-01");
	struct rules_verdict v;

	f.attendee = RULES_ATT_PROXY;
	v = judge(RULES_SVC_ECERT_RENEWAL, "2025-07-10", &f);
	ck_assert(v.allowed);
	ck_assert_int_eq(v.second_visit_earliest, D("2025-07-17"));
	assert_says(&v, "second_visit_after_expiry", "再発行（無料）", "re-issue (free of charge)");
	assert_says(&v, "second_visit_after_expiry", "e-Tax", "e-Tax");
	v = judge(RULES_SVC_ECERT_RENEWAL, "2025-07-01", &f);
	ck_assert(!has_notice(&v, "second_visit_after_expiry"));
}
END_TEST

/* Under 15 or an adult ward without the legal representative: refused with a code. */
START_TEST(s6_representative_required)
{
	struct rules_facts f = holder("2015-06-01", "2024-03-01");
	struct rules_verdict v;

	f.user_expires_on = D("2026-06-01");
	v = judge(RULES_SVC_ECERT_RENEWAL, "2026-05-01", &f);
	ck_assert(!v.allowed);
	ck_assert_str_eq(v.code, "legal_representative_required");
	assert_says(&v, "legal_representative_required", "法定代理人の同行", "legal representative");
	f.attendee = RULES_ATT_LEGAL_REP;
	f.holder_attends = true;
	v = judge(RULES_SVC_ECERT_RENEWAL, "2026-05-01", &f);
	ck_assert(v.allowed);
	f = holder("1990-07-15", "2021-03-01");
	f.adult_ward = true;
	v = judge(RULES_SVC_PIN_RESET, "2025-05-01", &f);
	ck_assert_str_eq(v.code, "legal_representative_required");
	f.attendee = RULES_ATT_GUARDIAN;
	v = judge(RULES_SVC_PIN_RESET, "2025-05-01", &f);
	ck_assert(v.allowed);
}
END_TEST

/* Fees in their parts, lost and damaged, from the settings. */
START_TEST(s6_fee_parts)
{
	struct rules_facts f = holder("1990-07-15", "2021-03-01");
	struct rules_settings s = rules_settings_default();
	struct rules_verdict v;

	v = judge_with(&s, RULES_SVC_CARD_REISSUE_LOST, "2025-05-01", &f);
	ck_assert_int_eq(v.fee_yen, 1000);
	ck_assert_int_eq(v.fee.card_yen, 800);
	ck_assert_int_eq(v.fee.certificate_yen, 200);
	assert_says(&v, "lost_card_fee", "カード800円＋電子証明書200円", "card 800 yen + certificate 200 yen");
	f.card_damaged = true;
	s.damaged_card_fee.card_yen = 600;
	v = judge_with(&s, RULES_SVC_CARD_REISSUE_LOST, "2025-05-01", &f);
	ck_assert_int_eq(v.fee_yen, 800);
	assert_doc(&v, "card", true);
	assert_says(&v, "damaged_card_fee", "破損", "damaged");
}
END_TEST

/* ID lists A and B and the PIN-reset rule come from the settings. */
START_TEST(s6_id_lists)
{
	struct rules_facts f = holder("1990-07-15", "2021-03-01");
	struct rules_settings s = rules_settings_default();
	struct rules_verdict v;
	const struct rules_document *d;

	v = judge_with(&s, RULES_SVC_PIN_RESET, "2025-05-01", &f);
	d = doc(&v, "pin_reset_id");
	ck_assert(strstr(d->label_ja, "B（2点）") != NULL);
	ck_assert(strstr(d->label_en, "two documents from list B") != NULL);
	ck_assert(strstr(d->label_ja, "船員手帳") == NULL);
	s.id_list_a = RULES_IDA_SAPPORO;
	s.id_list_b = RULES_IDB_OITA;
	s.pin_reset_ids = RULES_PINID_ONE_A_OR_ONE_B;
	v = judge_with(&s, RULES_SVC_PIN_RESET, "2025-05-01", &f);
	d = doc(&v, "pin_reset_id");
	ck_assert(strstr(d->label_ja, "船員手帳") != NULL);
	ck_assert(strstr(d->label_ja, "長寿応援バス乗車証") != NULL);
	ck_assert(strstr(d->label_ja, "B（1点）") != NULL);
	ck_assert(strstr(d->label_en, "one document from list B") != NULL);
	ck_assert(strstr(d->label_en, "seaman's pocketbook") != NULL);
}
END_TEST

/* The PIN documents state the lock counts and the signature PIN's form. */
START_TEST(s6_pin_messages)
{
	struct rules_facts f = holder("1990-07-15", "2021-03-01");
	struct rules_verdict v = judge(RULES_SVC_ECERT_RENEWAL, "2025-05-01", &f);
	const struct rules_document *d = doc(&v, "pin_signature");

	ck_assert(strstr(d->label_ja, "英大文字と数字の6〜16文字") != NULL);
	ck_assert(strstr(d->label_ja, "5回") != NULL);
	ck_assert(strstr(d->label_en, "at least one of each") != NULL);
	ck_assert(strstr(d->label_en, "5 wrong") != NULL);
	d = doc(&v, "pin_user");
	ck_assert(strstr(d->label_ja, "3回") != NULL);
	ck_assert(strstr(d->label_en, "3 wrong") != NULL);
}
END_TEST

/* Visit dates outside 1980-2099 are refused, never taken as days without holidays. */
START_TEST(s6_dates_out_of_range)
{
	struct rules_facts f = holder("1990-07-15", "2021-03-01");
	struct rules_settings s = rules_settings_default();
	struct rules_verdict v;
	struct rules_problem p;

	ck_assert(!rules_evaluate(&s, RULES_SVC_ECERT_RENEWAL, D("2100-01-01"), &f, &v, &p));
	ck_assert_str_eq(p.code, "date_out_of_range");
	ck_assert_str_eq(p.field, "visit_date");
	ck_assert(rules_date_in_range(D("2099-12-31")));
	ck_assert(rules_date_in_range(D("1980-01-01")));
	ck_assert(!rules_date_in_range(D("1979-12-31")));
	ck_assert(!rules_date_in_range(CDATE_NONE));
}
END_TEST

/* A number after many short groups of one chain is still found (a fuzzer's find). */
START_TEST(individual_number_after_long_chain)
{
	char text[1024] = "";

	for (int i = 0; i < 70; i++)
		strcat(text, "1 ");
	strcat(text, "1234 5678 9018");
	ck_assert(rules_contains_individual_number(text));
	text[0] = '\0';
	for (int i = 0; i < 63; i++)
		strcat(text, "1-");
	strcat(text, "1234-5678-9018 and 2 3");
	ck_assert(rules_contains_individual_number(text));
	text[0] = '\0';
	for (int i = 0; i < 200; i++)
		strcat(text, "12 ");
	strcat(text, "1234");
	ck_assert(!rules_contains_individual_number(text));
}
END_TEST

/* All rules tests in one suite. */
static Suite *
rules_suite(void)
{
	Suite *s = suite_create("rules");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, example_adult_card_and_certificates);
	tcase_add_test(tc, example_issued_on_birthday);
	tcase_add_test(tc, example_applied_before_reform_threshold_20);
	tcase_add_test(tc, example_applied_after_reform_threshold_18);
	tcase_add_test(tc, example_minor_17);
	tcase_add_test(tc, example_born_29_february);
	tcase_add_test(tc, reform_boundary_day);
	tcase_add_test(tc, certificates_capped_by_card_and_user);
	tcase_add_test(tc, stated_card_expiry_wins);
	tcase_add_test(tc, foreign_resident_period_of_stay);
	tcase_add_test(tc, window_table);
	tcase_add_test(tc, grace_date);
	tcase_add_test(tc, visit_before_window_is_refused);
	tcase_add_test(tc, proxy_before_window_second_visit_from_window);
	tcase_add_test(tc, visit_on_window_first_day_and_expiry_is_renewal);
	tcase_add_test(tc, visit_after_expiry_is_free_reissue);
	tcase_add_test(tc, expired_card_cannot_be_renewed);
	tcase_add_test(tc, card_application_window);
	tcase_add_test(tc, attendee_self);
	tcase_add_test(tc, attendee_proxy_with_form);
	tcase_add_test(tc, attendee_proxy_without_form);
	tcase_add_test(tc, attendee_guardian_with_photo_id);
	tcase_add_test(tc, attendee_guardian_without_photo_id);
	tcase_add_test(tc, guardian_renewing_signature_needs_holder);
	tcase_add_test(tc, attendee_legal_representative);
	tcase_add_test(tc, under_15_gets_no_signature);
	tcase_add_test(tc, fifteenth_birthday_boundary);
	tcase_add_test(tc, adult_ward_gets_no_signature);
	tcase_add_test(tc, unknown_pin_is_reset_at_visit);
	tcase_add_test(tc, fees);
	tcase_add_test(tc, other_services);
	tcase_add_test(tc, inconsistent_facts);
	tcase_add_test(tc, missing_certificate_facts);
	tcase_add_test(tc, service_ids);
	tcase_add_test(tc, check_digit);
	tcase_add_test(tc, individual_number_in_text);
	tcase_add_test(tc, s6_proxy_unverifiable_pin_two_visits);
	tcase_add_test(tc, s6_guardian_unverifiable_pin_two_visits);
	tcase_add_test(tc, s6_pin_reset_service_by_proxy);
	tcase_add_test(tc, s6_holder_reset_by_mail_setting);
	tcase_add_test(tc, s6_signature_not_held);
	tcase_add_test(tc, s6_signature_own_window);
	tcase_add_test(tc, s6_card_expires_first);
	tcase_add_test(tc, s6_stay_expires_first);
	tcase_add_test(tc, s6_second_visit_after_expiry);
	tcase_add_test(tc, s6_representative_required);
	tcase_add_test(tc, s6_fee_parts);
	tcase_add_test(tc, s6_id_lists);
	tcase_add_test(tc, s6_pin_messages);
	tcase_add_test(tc, s6_dates_out_of_range);
	tcase_add_test(tc, individual_number_after_long_chain);
	suite_add_tcase(s, tc);
	return s;
}

/* Runs the suite; the exit status is 0 when every test passed. */
int
main(void)
{
	SRunner *sr = srunner_create(rules_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
