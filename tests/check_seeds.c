/*
 * Every checkable fact of the five source pages the rules and the shipped
 * municipality files were written from, one table row per fact, each with the
 * source file and line it comes from (the pages are kept outside the
 * repository; the rows quote what they need). Each row is checked against the
 * shipped configuration and the rules, as the daemon loads and runs them.
 * Run from the repository root.
 */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "config_load.h"
#include "core/calendar.h"
#include "core/rules.h"

#define SHIPPED "config/madoguchi.yaml"

/* What a row checks. */
enum fact_kind {
	F_OFFICE,	/* office a exists in municipality b, its Japanese name holds c */
	F_PHONE,	/* office a's telephone is b */
	F_ADDRESS,	/* office a's address holds b */
	F_SERVICE,	/* office a offers service b */
	F_OPEN,		/* office a on date b is open with hours c */
	F_CLOSED,	/* office a on date b is closed for reason c */
	F_POLICY,	/* office a, service b, date c: reservation policy d */
	F_SETTING,	/* municipality a's setting b has value c */
	F_CARD_EXPIRY,	/* born a, card issued b (applied c or ""): expires d */
	F_CERT_EXPIRY,	/* born a, certificates issued b: expire c */
	F_WINDOW,	/* expiry a: the window opens on b */
	F_GRACE,	/* user certificate expiry a: health insurance until b */
	F_RULE,		/* a named rule check (a) */
};

/* One fact of one source page. */
struct fact {
	const char *seed;	/* the source file's number, "000".."004" */
	int line;		/* its line */
	enum fact_kind kind;	/* what is checked */
	const char *a, *b, *c, *d; /* the operands, by kind */
};

static const struct fact facts[] = {
	/* seeds/000: the Saga city (Ogi) page. */
	{ "000", 3, F_CARD_EXPIRY, "1990-07-15", "2021-03-01", "", "2030-07-15" },
	{ "000", 3, F_CARD_EXPIRY, "2004-07-15", "2022-06-01", "2022-05-01", "2026-07-15" },
	{ "000", 3, F_CERT_EXPIRY, "1990-07-15", "2021-03-01", "2025-07-15", NULL },
	{ "000", 5, F_RULE, "stay_limits_card", NULL, NULL, NULL },
	{ "000", 24, F_CARD_EXPIRY, "1990-07-15", "2021-07-15", "", "2031-07-15" },
	{ "000", 52, F_OFFICE, "ogi-main", "ogi", "市民課", NULL },
	{ "000", 52, F_SERVICE, "ogi-main", "card_application", NULL, NULL },
	{ "000", 52, F_SERVICE, "ogi-mikatsuki", "card_application", NULL, NULL },
	{ "000", 52, F_SERVICE, "ogi-ushizu", "card_application", NULL, NULL },
	{ "000", 52, F_SERVICE, "ogi-ashikari", "card_application", NULL, NULL },
	{ "000", 54, F_RULE, "photo_free", NULL, NULL, NULL },
	{ "000", 59, F_SERVICE, "ogi-main", "card_pickup", NULL, NULL },
	{ "000", 61, F_RULE, "pickup_hands_in_card", NULL, NULL, NULL },
	{ "000", 62, F_SETTING, "ogi", "lost_card_fee.card", "800", NULL },
	{ "000", 62, F_SETTING, "ogi", "lost_card_fee.certificate", "200", NULL },
	{ "000", 62, F_SERVICE, "ogi-main", "card_reissue_lost", NULL, NULL },
	{ "000", 66, F_CERT_EXPIRY, "1985-02-10", "2022-01-20", "2026-02-10", NULL },
	{ "000", 68, F_RULE, "reissue_unusable_services", NULL, NULL, NULL },
	{ "000", 76, F_WINDOW, "2026-05-01", "2026-02-02", NULL, NULL },
	{ "000", 77, F_RULE, "before_window_refused", NULL, NULL, NULL },
	{ "000", 81, F_RULE, "after_expiry_reissue", NULL, NULL, NULL },
	{ "000", 83, F_RULE, "renewal_free", NULL, NULL, NULL },
	{ "000", 87, F_SERVICE, "ogi-main", "ecert_renewal", NULL, NULL },
	{ "000", 87, F_SERVICE, "ogi-ashikari", "ecert_renewal", NULL, NULL },
	{ "000", 90, F_RULE, "holder_brings_card", NULL, NULL, NULL },
	{ "000", 91, F_RULE, "notice_optional_doc", NULL, NULL, NULL },
	{ "000", 94, F_RULE, "signature_pin_form", NULL, NULL, NULL },
	{ "000", 96, F_RULE, "user_pin_form", NULL, NULL, NULL },
	{ "000", 98, F_SETTING, "ogi", "pin_reset_same_visit", "true", NULL },
	{ "000", 98, F_SERVICE, "ogi-main", "pin_reset", NULL, NULL },
	{ "000", 106, F_RULE, "proxy_brings_holder_card", NULL, NULL, NULL },
	{ "000", 108, F_RULE, "proxy_photo_id", NULL, NULL, NULL },
	{ "000", 112, F_RULE, "proxy_inquiry_form", NULL, NULL, NULL },
	{ "000", 121, F_PHONE, "ogi-main", "0952-37-0120", NULL, NULL },

	/* seeds/001: Kasugai. */
	{ "001", 3, F_PHONE, "kasugai-main", "0568-85-6138", NULL, NULL },
	{ "001", 5, F_OFFICE, "kasugai-main", "kasugai", "戸籍住民課", NULL },
	{ "001", 6, F_OFFICE, "kasugai-sakashita", "kasugai", "坂下出張所", NULL },
	{ "001", 7, F_OFFICE, "kasugai-tobu", "kasugai", "東部市民センター", NULL },
	{ "001", 8, F_OFFICE, "kasugai-ajiyoshi", "kasugai", "味美ふれあいセンター", NULL },
	{ "001", 9, F_OFFICE, "kasugai-kozoji", "kasugai", "高蔵寺ふれあいセンター", NULL },
	{ "001", 4, F_RULE, "kasugai_every_procedure_everywhere", NULL, NULL, NULL },
	{ "001", 11, F_OPEN, "kasugai-sakashita", "2026-12-16", "08:30-17:00", NULL },
	{ "001", 11, F_OPEN, "kasugai-kozoji", "2026-12-14", "08:30-17:00", NULL },
	{ "001", 11, F_CLOSED, "kasugai-tobu", "2026-12-13", "weekly", NULL },
	{ "001", 12, F_OPEN, "kasugai-main", "2026-12-16", "08:30-19:30", NULL },
	{ "001", 12, F_OPEN, "kasugai-main", "2026-12-13", "08:30-12:00 13:00-17:00", NULL },
	{ "001", 12, F_CLOSED, "kasugai-main", "2026-12-20", "nth_weekday", NULL },
	{ "001", 12, F_CLOSED, "kasugai-main", "2026-11-23", "holiday", NULL },
	{ "001", 12, F_CLOSED, "kasugai-main", "2026-12-30", "year_end", NULL },
	{ "001", 15, F_CARD_EXPIRY, "2000-01-10", "2023-05-01", "", "2033-01-10" },
	{ "001", 15, F_CARD_EXPIRY, "2010-01-10", "2023-05-01", "", "2028-01-10" },
	{ "001", 15, F_RULE, "stay_limits_card", NULL, NULL, NULL },
	{ "001", 16, F_RULE, "signature_not_issued_under_15", NULL, NULL, NULL },
	{ "001", 16, F_CERT_EXPIRY, "2000-01-10", "2023-05-01", "2028-01-10", NULL },
	{ "001", 19, F_RULE, "signature_pin_form", NULL, NULL, NULL },
	{ "001", 21, F_RULE, "user_pin_form", NULL, NULL, NULL },
	{ "001", 31, F_SETTING, "kasugai", "pin_reset_ids", "one_a_or_one_b", NULL },
	{ "001", 31, F_RULE, "kasugai_pin_reset_one_document", NULL, NULL, NULL },
	{ "001", 33, F_RULE, "list_a_national", NULL, NULL, NULL },
	{ "001", 35, F_RULE, "list_b_national", NULL, NULL, NULL },
	{ "001", 57, F_RULE, "address_change_signature_lapses", NULL, NULL, NULL },
	{ "001", 61, F_WINDOW, "2026-05-01", "2026-02-02", NULL, NULL },
	{ "001", 61, F_RULE, "notice_optional_doc", NULL, NULL, NULL },
	{ "001", 63, F_POLICY, "kasugai-main", "ecert_renewal", "2024-11-01", "required" },
	{ "001", 63, F_POLICY, "kasugai-main", "ecert_renewal", "2024-10-31", "optional" },
	{ "001", 63, F_POLICY, "kasugai-tobu", "ecert_renewal", "2026-12-14", "required" },
	{ "001", 69, F_SETTING, "kasugai", "lost_card_fee.total", "1000", NULL },
	{ "001", 75, F_RULE, "permanent_no_stay_limit", NULL, NULL, NULL },
	{ "001", 76, F_SERVICE, "kasugai-main", "residence_update", NULL, NULL },
	{ "001", 76, F_SERVICE, "kasugai-tobu", "residence_update", NULL, NULL },

	/* seeds/002: Shiki. */
	{ "002", 16, F_WINDOW, "2026-03-24", "2025-12-25", NULL, NULL },
	{ "002", 20, F_RULE, "renewal_free", NULL, NULL, NULL },
	{ "002", 24, F_RULE, "after_expiry_reissue", NULL, NULL, NULL },
	{ "002", 45, F_RULE, "signature_pin_form", NULL, NULL, NULL },
	{ "002", 50, F_RULE, "user_pin_form", NULL, NULL, NULL },
	{ "002", 67, F_WINDOW, "2026-03-24", "2025-12-25", NULL, NULL },
	{ "002", 75, F_OFFICE, "shiki-main", "shiki", "総合窓口課", NULL },
	{ "002", 76, F_OFFICE, "shiki-yanasegawa", "shiki", "柳瀬川駅前出張所", NULL },
	{ "002", 77, F_OFFICE, "shiki-station", "shiki", "市民サービスステーション", NULL },
	{ "002", 77, F_ADDRESS, "shiki-station", "フォーシーズンズ志木マルイ8階", NULL, NULL },
	{ "002", 81, F_OPEN, "shiki-main", "2026-12-16", "08:30-17:15", NULL },
	{ "002", 81, F_OPEN, "shiki-yanasegawa", "2026-12-18", "08:30-17:15", NULL },
	{ "002", 83, F_OPEN, "shiki-main", "2026-11-22", "08:30-17:15", NULL },
	{ "002", 83, F_CLOSED, "shiki-main", "2026-11-15", "weekly", NULL },
	{ "002", 83, F_CLOSED, "shiki-main", "2026-12-29", "year_end", NULL },
	{ "002", 83, F_OPEN, "shiki-main", "2027-01-04", "08:30-17:15", NULL },
	{ "002", 85, F_CLOSED, "shiki-station", "2026-12-16", "weekly", NULL },
	{ "002", 85, F_OPEN, "shiki-station", "2026-12-13", "10:00-18:00", NULL },
	{ "002", 106, F_SETTING, "shiki", "pin_reset_same_visit", "false", NULL },
	{ "002", 106, F_RULE, "shiki_holder_pin_by_mail", NULL, NULL, NULL },
	{ "002", 110, F_RULE, "proxy_inquiry_form", NULL, NULL, NULL },
	{ "002", 116, F_RULE, "proxy_unverifiable_pin_mailed", NULL, NULL, NULL },
	{ "002", 117, F_RULE, "proxy_photo_id", NULL, NULL, NULL },
	{ "002", 122, F_RULE, "proxy_without_form_two_visits", NULL, NULL, NULL },
	{ "002", 133, F_RULE, "visit2_signed_form", NULL, NULL, NULL },
	{ "002", 143, F_RULE, "guardian_signature_holder_attends", NULL, NULL, NULL },
	{ "002", 149, F_RULE, "guardian_without_photo_two_visits", NULL, NULL, NULL },
	{ "002", 150, F_RULE, "guardian_certificate", NULL, NULL, NULL },
	{ "002", 154, F_RULE, "guardian_unverifiable_pin_mailed", NULL, NULL, NULL },

	/* seeds/003: Oita. */
	{ "003", 9, F_CARD_EXPIRY, "1990-07-15", "2021-03-01", "", "2030-07-15" },
	{ "003", 11, F_CERT_EXPIRY, "1990-07-15", "2021-03-01", "2025-07-15", NULL },
	{ "003", 12, F_CARD_EXPIRY, "2002-07-15", "2022-03-01", "2022-01-10", "2026-07-15" },
	{ "003", 12, F_CARD_EXPIRY, "2002-07-15", "2022-05-01", "2022-04-05", "2031-07-15" },
	{ "003", 15, F_GRACE, "2026-05-10", "2026-08-31", NULL, NULL },
	{ "003", 18, F_RULE, "notice_optional_doc", NULL, NULL, NULL },
	{ "003", 24, F_PHONE, "oita-main", "097-537-7298", NULL, NULL },
	{ "003", 24, F_WINDOW, "2026-05-01", "2026-02-02", NULL, NULL },
	{ "003", 28, F_RULE, "photo_free", NULL, NULL, NULL },
	{ "003", 31, F_POLICY, "oita-main", "card_application", "2026-12-16", "required" },
	{ "003", 36, F_POLICY, "oita-main", "card_pickup", "2026-12-16", "optional" },
	{ "003", 36, F_POLICY, "oita-main", "card_pickup", "2026-12-13", "required" },
	{ "003", 37, F_SETTING, "oita", "lost_card_fee.total", "1000", NULL },
	{ "003", 38, F_OFFICE, "oita-main", "oita", "市民課", NULL },
	{ "003", 38, F_SERVICE, "oita-tsurusaki", "ecert_renewal", NULL, NULL },
	{ "003", 41, F_POLICY, "oita-main", "ecert_renewal", "2026-12-16", "optional" },
	{ "003", 41, F_POLICY, "oita-main", "ecert_renewal", "2026-12-13", "required" },
	{ "003", 42, F_RULE, "address_change_signature_lapses", NULL, NULL, NULL },
	{ "003", 45, F_SETTING, "oita", "pin_reset_same_visit", "true", NULL },
	{ "003", 48, F_RULE, "oita_list_b", NULL, NULL, NULL },
	{ "003", 51, F_RULE, "proxy_unverifiable_pin_mailed", NULL, NULL, NULL },
	{ "003", 53, F_GRACE, "2025-07-15", "2025-10-31", NULL, NULL },
	{ "003", 55, F_RULE, "lock_counts", NULL, NULL, NULL },
	{ "003", 57, F_SERVICE, "oita-akeno", "pin_reset", NULL, NULL },
	{ "003", 62, F_CLOSED, "oita-main", "2026-12-30", "year_end", NULL },

	/* seeds/004: Sapporo. */
	{ "004", 6, F_RULE, "after_expiry_reissue", NULL, NULL, NULL },
	{ "004", 21, F_CERT_EXPIRY, "1990-07-15", "2021-03-01", "2025-07-15", NULL },
	{ "004", 22, F_RULE, "user_cert_capped_by_card", NULL, NULL, NULL },
	{ "004", 26, F_RULE, "signature_not_issued_under_15", NULL, NULL, NULL },
	{ "004", 26, F_RULE, "signature_not_issued_ward", NULL, NULL, NULL },
	{ "004", 30, F_RULE, "signature_pin_form", NULL, NULL, NULL },
	{ "004", 36, F_WINDOW, "2020-04-10", "2020-01-11", NULL, NULL },
	{ "004", 36, F_RULE, "window_2020_01_10_refused", NULL, NULL, NULL },
	{ "004", 37, F_RULE, "renewal_free", NULL, NULL, NULL },
	{ "004", 40, F_RULE, "lock_counts", NULL, NULL, NULL },
	{ "004", 44, F_RULE, "representative_required", NULL, NULL, NULL },
	{ "004", 48, F_RULE, "proxy_without_form_two_visits", NULL, NULL, NULL },
	{ "004", 52, F_SETTING, "sapporo", "id_list_a", "sapporo", NULL },
	{ "004", 52, F_RULE, "sapporo_list_a", NULL, NULL, NULL },
	{ "004", 53, F_PHONE, "sapporo-card-center", "011-600-2323", NULL, NULL },
	{ "004", 56, F_OFFICE, "sapporo-chuo", "sapporo", "中央区役所", NULL },
	{ "004", 57, F_ADDRESS, "sapporo-chuo", "〒060-8612 札幌市中央区南3条西11丁目330番地2", NULL, NULL },
	{ "004", 58, F_PHONE, "sapporo-chuo", "011-205-3238", NULL, NULL },
	{ "004", 59, F_OFFICE, "sapporo-kita", "sapporo", "北区役所", NULL },
	{ "004", 59, F_ADDRESS, "sapporo-kita", "〒001-8612 札幌市北区北24条西6丁目1番1号", NULL, NULL },
	{ "004", 60, F_PHONE, "sapporo-kita", "011-757-2412", NULL, NULL },
	{ "004", 61, F_OFFICE, "sapporo-higashi", "sapporo", "東区役所", NULL },
	{ "004", 61, F_ADDRESS, "sapporo-higashi", "〒065-8612 札幌市東区北11条東7丁目1番1号", NULL, NULL },
	{ "004", 62, F_PHONE, "sapporo-higashi", "011-741-2449", NULL, NULL },
	{ "004", 63, F_OFFICE, "sapporo-shiroishi", "sapporo", "白石区役所", NULL },
	{ "004", 63, F_ADDRESS, "sapporo-shiroishi", "〒003-8612 札幌市白石区南郷通1丁目南8番1号", NULL, NULL },
	{ "004", 64, F_PHONE, "sapporo-shiroishi", "011-861-2432", NULL, NULL },
	{ "004", 65, F_OFFICE, "sapporo-atsubetsu", "sapporo", "厚別区役所", NULL },
	{ "004", 65, F_ADDRESS, "sapporo-atsubetsu", "〒004-8612 札幌市厚別区厚別中央1条5丁目3番2号", NULL, NULL },
	{ "004", 66, F_PHONE, "sapporo-atsubetsu", "011-895-2452", NULL, NULL },
	{ "004", 67, F_OFFICE, "sapporo-toyohira", "sapporo", "豊平区役所", NULL },
	{ "004", 67, F_ADDRESS, "sapporo-toyohira", "〒062-8612 札幌市豊平区平岸6条10丁目1番1号", NULL, NULL },
	{ "004", 68, F_PHONE, "sapporo-toyohira", "011-822-2441", NULL, NULL },
	{ "004", 69, F_OFFICE, "sapporo-kiyota", "sapporo", "清田区役所", NULL },
	{ "004", 69, F_ADDRESS, "sapporo-kiyota", "〒004-8613 札幌市清田区平岡1条1丁目2番1号", NULL, NULL },
	{ "004", 70, F_PHONE, "sapporo-kiyota", "011-889-2030", NULL, NULL },
	{ "004", 71, F_OFFICE, "sapporo-minami", "sapporo", "南区役所", NULL },
	{ "004", 71, F_ADDRESS, "sapporo-minami", "〒005-8612 札幌市南区真駒内幸町2丁目2番1号", NULL, NULL },
	{ "004", 72, F_PHONE, "sapporo-minami", "011-582-4728", NULL, NULL },
	{ "004", 73, F_OFFICE, "sapporo-nishi", "sapporo", "西区役所", NULL },
	{ "004", 73, F_ADDRESS, "sapporo-nishi", "〒063-8612 札幌市西区琴似2条7丁目1番1号", NULL, NULL },
	{ "004", 74, F_PHONE, "sapporo-nishi", "011-641-6936", NULL, NULL },
	{ "004", 75, F_OFFICE, "sapporo-teine", "sapporo", "手稲区役所", NULL },
	{ "004", 75, F_ADDRESS, "sapporo-teine", "〒006-8612 札幌市手稲区前田1条11丁目1番10号", NULL, NULL },
	{ "004", 76, F_PHONE, "sapporo-teine", "011-681-2451", NULL, NULL },
};

/* The shipped configuration, loaded once. */
static struct config *cfg;

/* Parses s, failing the test when it does not parse. */
static cdate
D(const char *s)
{
	cdate d = CDATE_NONE;

	ck_assert_msg(cdate_parse(s, &d), "date %s should parse", s);
	return d;
}

/* The shipped office id, failing when there is none. */
static const struct config_office *
office(const char *id)
{
	const struct config_office *o = config_office(cfg, id);

	ck_assert_msg(o != NULL, "office %s not configured", id);
	return o;
}

/* The settings of municipality id, failing when there is none. */
static const struct rules_settings *
settings(const char *id)
{
	const struct config_municipality *m = config_municipality_find(cfg, id);

	ck_assert_msg(m != NULL, "municipality %s not configured", id);
	return &m->settings;
}

/* A holder born on birth whose card and certificates were issued on issued. */
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

/* Evaluates svc on visit for f with s, failing on refused facts. */
static struct rules_verdict
judge(const struct rules_settings *s, enum rules_service svc, const char *visit,
    const struct rules_facts *f)
{
	struct rules_verdict v;
	struct rules_problem p;

	ck_assert_msg(rules_evaluate(s, svc, D(visit), f, &v, &p), "facts refused: %s", p.detail);
	return v;
}

/* The document id of v, or NULL. */
static const struct rules_document *
doc(const struct rules_verdict *v, const char *id)
{
	for (size_t i = 0; i < v->n_documents; i++)
		if (strcmp(v->documents[i]->id, id) == 0)
			return v->documents[i];
	return NULL;
}

/* The notice code of v, or NULL. */
static const struct rules_notice *
notice(const struct rules_verdict *v, const char *code)
{
	for (size_t i = 0; i < v->n_notices; i++)
		if (strcmp(v->notices[i].code, code) == 0)
			return &v->notices[i];
	return NULL;
}

/* True when document id of v has ja in its Japanese label (and en in the English one). */
static bool
doc_says(const struct rules_verdict *v, const char *id, const char *ja, const char *en)
{
	const struct rules_document *d = doc(v, id);

	return d != NULL && strstr(d->label_ja, ja) != NULL &&
	    (en == NULL || strstr(d->label_en, en) != NULL);
}

/* True when notice code of v has ja in Japanese (and en in English). */
static bool
notice_says(const struct rules_verdict *v, const char *code, const char *ja, const char *en)
{
	const struct rules_notice *n = notice(v, code);

	return n != NULL && strstr(n->message_ja, ja) != NULL &&
	    (en == NULL || strstr(n->message_en, en) != NULL);
}

/* The national defaults. */
static const struct rules_settings *
national(void)
{
	static struct rules_settings s;

	s = rules_settings_default();
	return &s;
}

/* An adult holder with a 2021-03-01 card: certificates expire 2025-07-15. */
#define ADULT() holder("1990-07-15", "2021-03-01")

/* A named rule check: true when the rules say what the source says. */
static bool
rule_check(const char *name)
{
	struct rules_facts f = ADULT();
	struct rules_verdict v;
	const struct rules_settings *s = national();

	if (strcmp(name, "stay_limits_card") == 0) {
		f.foreign_resident = true;
		f.stay_expires_on = D("2027-01-31");
		return rules_card_expiry(&f) == D("2027-01-31");
	}
	if (strcmp(name, "permanent_no_stay_limit") == 0) {
		f.foreign_resident = true;
		f.stay_expires_on = D("2027-01-31");
		f.permanent = true;
		return rules_card_expiry(&f) == D("2030-07-15");
	}
	if (strcmp(name, "photo_free") == 0)
		return notice_says((v = judge(s, RULES_SVC_CARD_APPLICATION, "2030-05-01", &f), &v),
		    "photo_taken_free", "無料", "free");
	if (strcmp(name, "pickup_hands_in_card") == 0)
		return doc((v = judge(s, RULES_SVC_CARD_PICKUP, "2030-06-01", &f), &v),
		    "current_card") != NULL;
	if (strcmp(name, "reissue_unusable_services") == 0)
		return notice_says((v = judge(s, RULES_SVC_ECERT_RENEWAL, "2025-08-01", &f), &v),
		    "reissue_unusable_services", "e-Tax", "My Number Portal");
	if (strcmp(name, "before_window_refused") == 0)
		return v = judge(s, RULES_SVC_ECERT_RENEWAL, "2025-04-15", &f), !v.allowed &&
		    strcmp(v.code, "before_renewal_window") == 0 && v.window_opens_on == D("2025-04-16");
	if (strcmp(name, "after_expiry_reissue") == 0)
		return v = judge(s, RULES_SVC_ECERT_RENEWAL, "2025-08-01", &f), v.allowed &&
		    v.kind == RULES_KIND_REISSUE && v.fee_yen == 0;
	if (strcmp(name, "renewal_free") == 0)
		return v = judge(s, RULES_SVC_ECERT_RENEWAL, "2025-05-01", &f), v.allowed &&
		    v.kind == RULES_KIND_RENEWAL && v.fee_yen == 0;
	if (strcmp(name, "holder_brings_card") == 0)
		return v = judge(s, RULES_SVC_ECERT_RENEWAL, "2025-05-01", &f),
		    doc(&v, "card") != NULL && doc(&v, "card")->required;
	if (strcmp(name, "notice_optional_doc") == 0)
		return v = judge(s, RULES_SVC_ECERT_RENEWAL, "2025-05-01", &f),
		    doc(&v, "expiry_notice") != NULL && !doc(&v, "expiry_notice")->required;
	if (strcmp(name, "signature_pin_form") == 0)
		return v = judge(s, RULES_SVC_ECERT_RENEWAL, "2025-05-01", &f),
		    doc_says(&v, "pin_signature", "英大文字と数字の6〜16文字", "6-16 capital letters and digits");
	if (strcmp(name, "user_pin_form") == 0)
		return v = judge(s, RULES_SVC_ECERT_RENEWAL, "2025-05-01", &f),
		    doc_says(&v, "pin_user", "数字4桁", "4 digits");
	if (strcmp(name, "lock_counts") == 0)
		return f.pin_user_known = false, v = judge(s, RULES_SVC_ECERT_RENEWAL, "2025-05-01", &f),
		    notice_says(&v, "pin_reset_at_visit", "3回", "3 wrong") &&
		    notice_says(&v, "pin_reset_at_visit", "5回", "after 5");
	f.attendee = RULES_ATT_PROXY;
	if (strcmp(name, "proxy_without_form_two_visits") == 0)
		return v = judge(s, RULES_SVC_ECERT_RENEWAL, "2025-05-01", &f), v.visits == 2 &&
		    v.second_visit_earliest == D("2025-05-08");
	if (strcmp(name, "visit2_signed_form") == 0)
		return v = judge(s, RULES_SVC_ECERT_RENEWAL, "2025-05-01", &f),
		    doc_says(&v, "visit2_inquiry_form", "署名又は記名押印", NULL);
	f.has_inquiry_form = true;
	if (strcmp(name, "proxy_brings_holder_card") == 0)
		return doc((v = judge(s, RULES_SVC_ECERT_RENEWAL, "2025-05-01", &f), &v),
		    "holder_card") != NULL;
	if (strcmp(name, "proxy_photo_id") == 0)
		return doc((v = judge(s, RULES_SVC_ECERT_RENEWAL, "2025-05-01", &f), &v),
		    "proxy_photo_id") != NULL;
	if (strcmp(name, "proxy_inquiry_form") == 0)
		return v = judge(s, RULES_SVC_ECERT_RENEWAL, "2025-05-01", &f),
		    doc(&v, "inquiry_form") != NULL && v.visits == 1;
	if (strcmp(name, "proxy_unverifiable_pin_mailed") == 0)
		return f.pin_signature_known = false,
		    v = judge(s, RULES_SVC_ECERT_RENEWAL, "2025-05-01", &f),
		    v.visits == 2 && !v.pin_reset && notice(&v, "pin_reset_by_mail") != NULL;
	f = ADULT();
	f.attendee = RULES_ATT_GUARDIAN;
	f.holder_attends = true;
	if (strcmp(name, "guardian_certificate") == 0)
		return doc((v = judge(s, RULES_SVC_ECERT_RENEWAL, "2025-05-01", &f), &v),
		    "guardianship_certificate") != NULL;
	if (strcmp(name, "guardian_unverifiable_pin_mailed") == 0)
		return f.pin_user_known = false,
		    v = judge(s, RULES_SVC_ECERT_RENEWAL, "2025-05-01", &f), v.visits == 2 && !v.pin_reset;
	if (strcmp(name, "guardian_without_photo_two_visits") == 0)
		return f.attendee_has_photo_id = false,
		    v = judge(s, RULES_SVC_ECERT_RENEWAL, "2025-05-01", &f), v.visits == 2;
	if (strcmp(name, "guardian_signature_holder_attends") == 0)
		return f.holder_attends = false,
		    v = judge(s, RULES_SVC_ECERT_RENEWAL, "2025-05-01", &f), !v.allowed &&
		    strcmp(v.code, "holder_must_attend") == 0;
	f = ADULT();
	if (strcmp(name, "signature_not_issued_ward") == 0)
		return f.adult_ward = true, f.attendee = RULES_ATT_GUARDIAN, f.holder_attends = true,
		    v = judge(s, RULES_SVC_ECERT_RENEWAL, "2025-05-01", &f),
		    v.signature_cert == RULES_SIG_NOT_ISSUED;
	if (strcmp(name, "address_change_signature_lapses") == 0)
		return v = judge(s, RULES_SVC_ADDRESS_CHANGE, "2024-05-01", &f),
		    v.signature_cert == RULES_SIG_LAPSED;
	if (strcmp(name, "user_cert_capped_by_card") == 0) {
		struct rules_expiries e;

		f.card_expires_on = D("2024-01-01");
		rules_expiries(&f, &e);
		return e.user_cert == D("2024-01-01");
	}
	if (strcmp(name, "window_2020_01_10_refused") == 0) {
		f = holder("1980-04-10", "2016-01-15");
		v = judge(s, RULES_SVC_ECERT_RENEWAL, "2020-01-10", &f);
		if (v.allowed || v.user_cert_expires_on != D("2020-04-10"))
			return false;
		return judge(s, RULES_SVC_ECERT_RENEWAL, "2020-01-11", &f).allowed;
	}
	if (strcmp(name, "shiki_holder_pin_by_mail") == 0)
		return f.pin_user_known = false,
		    v = judge(settings("shiki"), RULES_SVC_ECERT_RENEWAL, "2025-05-01", &f),
		    v.visits == 2 && !v.pin_reset;
	if (strcmp(name, "kasugai_pin_reset_one_document") == 0)
		return v = judge(settings("kasugai"), RULES_SVC_PIN_RESET, "2025-05-01", &f),
		    doc_says(&v, "pin_reset_id", "B（1点）", "one document from list B");
	if (strcmp(name, "list_a_national") == 0)
		return v = judge(s, RULES_SVC_PIN_RESET, "2025-05-01", &f),
		    doc_says(&v, "pin_reset_id", "運転経歴証明書（平成24年4月1日以降", "2012-04-01") &&
		    doc_says(&v, "pin_reset_id", "仮滞在許可書", "provisional-stay permit");
	if (strcmp(name, "list_b_national") == 0)
		return v = judge(s, RULES_SVC_PIN_RESET, "2025-05-01", &f),
		    doc_says(&v, "pin_reset_id", "学校名が記載された各種証書", "school's name");
	if (strcmp(name, "oita_list_b") == 0)
		return v = judge(settings("oita"), RULES_SVC_PIN_RESET, "2025-05-01", &f),
		    doc_says(&v, "pin_reset_id", "長寿応援バス乗車証", "bus pass");
	if (strcmp(name, "sapporo_list_a") == 0)
		return v = judge(settings("sapporo"), RULES_SVC_PIN_RESET, "2025-05-01", &f),
		    doc_says(&v, "pin_reset_id", "無線従事者免許証", "radio");
	if (strcmp(name, "kasugai_every_procedure_everywhere") == 0) {
		static const char *const ids[] = { "kasugai-main", "kasugai-sakashita",
			"kasugai-tobu", "kasugai-ajiyoshi", "kasugai-kozoji" };

		for (size_t i = 0; i < 5; i++)
			for (int k = 0; k < RULES_SVC_COUNT; k++)
				if (!config_office_offers(office(ids[i]), rules_service_name(k)))
					return false;
		return true;
	}
	f = holder("2015-06-01", "2024-03-01");
	f.user_expires_on = D("2026-06-01");
	if (strcmp(name, "representative_required") == 0)
		return v = judge(s, RULES_SVC_ECERT_RENEWAL, "2026-05-01", &f), !v.allowed &&
		    strcmp(v.code, "legal_representative_required") == 0;
	if (strcmp(name, "signature_not_issued_under_15") == 0)
		return f.attendee = RULES_ATT_LEGAL_REP, f.holder_attends = true,
		    v = judge(s, RULES_SVC_ECERT_RENEWAL, "2026-05-01", &f),
		    v.allowed && v.signature_cert == RULES_SIG_NOT_ISSUED;
	ck_abort_msg("no rule check named %s", name);
	return false;
}

/* Hours of day as "08:30-12:00 13:00-17:00". */
static void
hours_text(const struct cal_day *day, char *buf, size_t size)
{
	size_t len = 0;

	buf[0] = '\0';
	for (size_t i = 0; i < day->hours.n && len < size; i++) {
		const struct cal_interval *iv = &day->hours.iv[i];

		len += (size_t)snprintf(buf + len, size - len, "%s%02d:%02d-%02d:%02d",
		    i > 0 ? " " : "", iv->from / 60, iv->from % 60, iv->to / 60, iv->to % 60);
	}
}

/* The value of municipality setting key, as text. */
static void
setting_text(const struct rules_settings *s, const char *key, char *buf, size_t size)
{
	static const char *const pin_ids[] = { "one_a_or_two_b", "one_a_or_one_b" };
	static const char *const lists_a[] = { "national", "sapporo" };

	if (strcmp(key, "lost_card_fee.card") == 0)
		snprintf(buf, size, "%d", s->lost_card_fee.card_yen);
	else if (strcmp(key, "lost_card_fee.certificate") == 0)
		snprintf(buf, size, "%d", s->lost_card_fee.certificate_yen);
	else if (strcmp(key, "lost_card_fee.total") == 0)
		snprintf(buf, size, "%d", s->lost_card_fee.card_yen + s->lost_card_fee.certificate_yen);
	else if (strcmp(key, "pin_reset_same_visit") == 0)
		snprintf(buf, size, "%s", s->pin_reset_same_visit ? "true" : "false");
	else if (strcmp(key, "pin_reset_ids") == 0)
		snprintf(buf, size, "%s", pin_ids[s->pin_reset_ids]);
	else if (strcmp(key, "id_list_a") == 0)
		snprintf(buf, size, "%s", lists_a[s->id_list_a]);
	else
		ck_abort_msg("no setting %s", key);
}

/* Checks one fact; true when the configuration and rules agree with it. */
static bool
fact_holds(const struct fact *t, char *why, size_t size)
{
	struct cal_day day;
	char buf[160];
	struct rules_facts f;
	struct rules_expiries e;
	const struct cal_service *svc;

	why[0] = '\0';
	switch (t->kind) {
	case F_OFFICE:
		return strcmp(cfg->municipalities[office(t->a)->municipality].id, t->b) == 0 &&
		    strstr(office(t->a)->name.ja, t->c) != NULL;
	case F_PHONE:
		return office(t->a)->phone != NULL && strcmp(office(t->a)->phone, t->b) == 0;
	case F_ADDRESS:
		return office(t->a)->address != NULL && strstr(office(t->a)->address, t->b) != NULL;
	case F_SERVICE:
		return config_office_offers(office(t->a), t->b);
	case F_OPEN:
		cal_day(&office(t->a)->cal, D(t->b), &day);
		hours_text(&day, buf, sizeof buf);
		snprintf(why, size, "hours \"%s\"", buf);
		return day.open && strcmp(buf, t->c) == 0;
	case F_CLOSED:
		cal_day(&office(t->a)->cal, D(t->b), &day);
		snprintf(why, size, "reason %s", cal_reason_name(day.reason));
		return !day.open && strcmp(cal_reason_name(day.reason), t->c) == 0;
	case F_POLICY:
		svc = cal_service_find(&office(t->a)->cal, t->b);
		if (svc == NULL)
			return false;
		cal_day(&office(t->a)->cal, D(t->c), &day);
		snprintf(why, size, "policy %s", cal_policy_name(cal_day_policy(svc, &day)));
		return strcmp(cal_policy_name(cal_day_policy(svc, &day)), t->d) == 0;
	case F_SETTING:
		setting_text(settings(t->a), t->b, buf, sizeof buf);
		snprintf(why, size, "value %s", buf);
		return strcmp(buf, t->c) == 0;
	case F_CARD_EXPIRY:
		f = holder(t->a, t->b);
		if (t->c[0] != '\0')
			f.card_applied_on = D(t->c);
		return rules_card_expiry(&f) == D(t->d);
	case F_CERT_EXPIRY:
		f = holder(t->a, t->b);
		rules_expiries(&f, &e);
		return e.user_cert == D(t->c);
	case F_WINDOW:
		return rules_window_opens(D(t->a)) == D(t->b);
	case F_GRACE:
		return rules_health_insurance_grace(D(t->a)) == D(t->b);
	case F_RULE:
		return rule_check(t->a);
	}
	return false;
}

/* Loads the shipped configuration. */
static void
load_shipped(void)
{
	char *cause = NULL;

	cfg = config_load(SHIPPED, &cause);
	ck_assert_msg(cfg != NULL, SHIPPED " should load: %s", cause ? cause : "");
}

/* Drops it. */
static void
unload_shipped(void)
{
	config_unref(cfg);
	cfg = NULL;
}

/* Row _i of the table holds. */
START_TEST(seed_fact)
{
	const struct fact *t = &facts[_i];
	char why[200];

	ck_assert_msg(fact_holds(t, why, sizeof why), "seeds/%s line %d (kind %d, %s %s): %s",
	    t->seed, t->line, (int)t->kind, t->a, t->b ? t->b : "", why);
}
END_TEST

/* Each of the five sources has its facts in the table, in line order. */
START_TEST(every_seed_counted)
{
	static const char *const seeds[] = { "000", "001", "002", "003", "004" };

	for (size_t s = 0; s < 5; s++) {
		int n = 0;

		for (size_t i = 0; i < sizeof facts / sizeof facts[0]; i++)
			n += strcmp(facts[i].seed, seeds[s]) == 0;
		ck_assert_msg(n >= 20, "seeds/%s has only %d facts", seeds[s], n);
		printf("seeds/%s: %d facts\n", seeds[s], n);
	}
}
END_TEST

/* Runs the table; the exit status is 0 when every fact holds. */
int
main(void)
{
	Suite *s = suite_create("seeds");
	TCase *tc = tcase_create("facts");
	SRunner *sr;
	int failed;

	tcase_add_checked_fixture(tc, load_shipped, unload_shipped);
	tcase_add_loop_test(tc, seed_fact, 0, (int)(sizeof facts / sizeof facts[0]));
	tcase_add_test(tc, every_seed_counted);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
