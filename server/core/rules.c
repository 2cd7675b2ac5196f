/*
 * RULES.md sections 1-4 as pure functions. The documents are one static
 * table; a verdict points into it. Notices are rendered from templates with
 * {a}/{b} (dates) and {n} (a number) so no format string is ever built from
 * data.
 */
#include "rules.h"

#include "individual_number.h"

#include <stdio.h>
#include <string.h>

/* RULES.md §1: the age threshold fell from 20 to 18 for applications from this day. */
#define ADULT_AGE_REFORM_Y 2022
#define ADULT_AGE_REFORM_M 4
/* My Number cards were first issued in January 2016. */
#define CARD_FIRST_YEAR 2016
/* No signature certificate below this age. */
#define SIGNATURE_MIN_AGE 15

/* ---- names ------------------------------------------------------------ */

static const char *const service_names[RULES_SVC_COUNT] = {
	"ecert_renewal", "card_application", "card_pickup", "pin_reset",
	"address_change", "residence_update", "card_reissue_lost",
};

static const char *const attendee_names[] = {
	"self", "proxy", "guardian", "legal_representative",
};

/* The defaults RULES.md names (7 days, 800 + 200 yen, 10 minutes, national ID lists). */
struct rules_settings
rules_settings_default(void)
{
	struct rules_settings s = {
		.mail_turnaround_days = 7,
		.lost_card_fee = { 800, 200 },
		.damaged_card_fee = { 800, 200 },
		.id_list_a = RULES_IDA_NATIONAL,
		.id_list_b = RULES_IDB_NATIONAL,
		.pin_reset_ids = RULES_PINID_ONE_A_OR_TWO_B,
		.pin_reset_same_visit = true,
		.retention_days = 90,
	};

	for (int i = 0; i < RULES_SVC_COUNT; i++)
		s.pin_reset_extra_minutes[i] = 10;
	return s;
}

/* Index of s in names (n entries), or -1. */
static int
name_index(const char *s, const char *const *names, int n)
{
	for (int i = 0; s != NULL && i < n; i++) {
		if (strcmp(s, names[i]) == 0)
			return i;
	}
	return -1;
}

/* Parses an ID list A name ("national", "sapporo"). */
bool
rules_id_list_a_parse(const char *s, enum rules_id_list_a *out)
{
	static const char *const names[] = { "national", "sapporo" };
	int i = name_index(s, names, 2);

	if (i >= 0)
		*out = (enum rules_id_list_a)i;
	return i >= 0;
}

/* Parses an ID list B name ("national", "oita"). */
bool
rules_id_list_b_parse(const char *s, enum rules_id_list_b *out)
{
	static const char *const names[] = { "national", "oita" };
	int i = name_index(s, names, 2);

	if (i >= 0)
		*out = (enum rules_id_list_b)i;
	return i >= 0;
}

/* Parses a PIN-reset ID rule ("one_a_or_two_b", "one_a_or_one_b"). */
bool
rules_pin_ids_parse(const char *s, enum rules_pin_ids *out)
{
	static const char *const names[] = { "one_a_or_two_b", "one_a_or_one_b" };
	int i = name_index(s, names, 2);

	if (i >= 0)
		*out = (enum rules_pin_ids)i;
	return i >= 0;
}

/* True when d lies in the years the holiday law is computed for (1980-2099). */
bool
rules_date_in_range(cdate d)
{
	return d != CDATE_NONE && d >= cdate_make(RULES_FIRST_YEAR, 1, 1) &&
	    d <= cdate_make(RULES_LAST_YEAR, 12, 31);
}

/* Facts with every optional member at its API default (attendee "self", PINs known). */
void
rules_facts_init(struct rules_facts *f)
{
	memset(f, 0, sizeof(*f));
	f->birth_date = CDATE_NONE;
	f->card_issued_on = CDATE_NONE;
	f->card_applied_on = CDATE_NONE;
	f->card_expires_on = CDATE_NONE;
	f->cert_issued_on = CDATE_NONE;
	f->user_expires_on = CDATE_NONE;
	f->signature_expires_on = CDATE_NONE;
	f->stay_expires_on = CDATE_NONE;
	f->has_signature = true;
	f->attendee = RULES_ATT_SELF;
	f->attendee_has_photo_id = true;
	f->holder_attends = true;
	f->pin_user_known = true;
	f->pin_signature_known = true;
}

/* Parses a service id. */
bool
rules_service_parse(const char *s, enum rules_service *out)
{
	for (int i = 0; s != NULL && i < RULES_SVC_COUNT; i++) {
		if (strcmp(s, service_names[i]) == 0) {
			*out = (enum rules_service)i;
			return true;
		}
	}
	return false;
}

/* The id of a service, e.g. "ecert_renewal". */
const char *
rules_service_name(enum rules_service s)
{
	if ((int)s < 0 || (int)s >= RULES_SVC_COUNT)
		return "unknown";
	return service_names[s];
}

/* What residents read for each service, in Japanese and English. */
static const char *const service_labels[RULES_SVC_COUNT][2] = {
	{ "電子証明書の更新", "Certificate renewal" },
	{ "マイナンバーカードの申請", "Card application" },
	{ "マイナンバーカードの受け取り", "Card pickup" },
	{ "暗証番号の再設定", "PIN reset" },
	{ "氏名・住所などの変更", "Change of name or address" },
	{ "在留期間の更新", "Period-of-stay update" },
	{ "紛失したカードの再交付", "Re-issue of a lost card" },
};

/* A service's name for residents in lang. */
const char *
rules_service_label(enum rules_service s, enum rules_language lang)
{
	if ((int)s < 0 || (int)s >= RULES_SVC_COUNT)
		return "?";
	return service_labels[s][lang == RULES_LANG_EN ? 1 : 0];
}

/* Parses an attendee ("self", "proxy", "guardian", "legal_representative"). */
bool
rules_attendee_parse(const char *s, enum rules_attendee *out)
{
	for (size_t i = 0; s != NULL && i < 4; i++) {
		if (strcmp(s, attendee_names[i]) == 0) {
			*out = (enum rules_attendee)i;
			return true;
		}
	}
	return false;
}

/* Parses "ja" or "en". */
bool
rules_language_parse(const char *s, enum rules_language *out)
{
	if (s != NULL && strcmp(s, "ja") == 0)
		*out = RULES_LANG_JA;
	else if (s != NULL && strcmp(s, "en") == 0)
		*out = RULES_LANG_EN;
	else
		return false;
	return true;
}

/* "renewal", "reissue", "new_card", or NULL for RULES_KIND_NONE. */
const char *
rules_kind_name(enum rules_kind k)
{
	switch (k) {
	case RULES_KIND_RENEWAL:
		return "renewal";
	case RULES_KIND_REISSUE:
		return "reissue";
	case RULES_KIND_NEW_CARD:
		return "new_card";
	case RULES_KIND_NONE:
		break;
	}
	return NULL;
}

/* "renew", "not_issued", "lapsed", or NULL for RULES_SIG_NONE. */
const char *
rules_sigfate_name(enum rules_sigfate f)
{
	switch (f) {
	case RULES_SIG_RENEW:
		return "renew";
	case RULES_SIG_NOT_ISSUED:
		return "not_issued";
	case RULES_SIG_LAPSED:
		return "lapsed";
	case RULES_SIG_NOT_HELD:
		return "not_held";
	case RULES_SIG_NONE:
		break;
	}
	return NULL;
}

/* A document's label in lang. */
const char *
rules_document_label(const struct rules_document *d, enum rules_language lang)
{
	return lang == RULES_LANG_EN ? d->label_en : d->label_ja;
}

/* A notice's message in lang. */
const char *
rules_notice_message(const struct rules_notice *n, enum rules_language lang)
{
	return lang == RULES_LANG_EN ? n->message_en : n->message_ja;
}

/* ---- documents (wording from the municipalities' pages) ----------------- */

/* List A (photo IDs), nationally and with Sapporo's additions. */
#define IDA_JA \
	"運転免許証、運転経歴証明書（平成24年4月1日以降に交付されたもの）、" \
	"旅券、住民基本台帳カード（写真付き）、身体障害者手帳、精神障害者保健福祉手帳、療育手帳、" \
	"在留カード、特別永住者証明書、一時庇護許可書、仮滞在許可書"
#define IDA_SAPPORO_JA IDA_JA \
	"、船員手帳、海技免状、小型船舶操縦免許証、猟銃・空気銃所持許可証、戦傷病者手帳、" \
	"宅地建物取引士証、電気工事士免状、無線従事者免許証、認定電気工事従事者認定証、" \
	"特種電気工事資格者認定証、耐空検査員の証、航空従事者技能証明書、運航管理者技能検定合格証明書、" \
	"動力車操縦者運転免許証、教習資格認定証、検定合格証、官公署がその職員に対して発行した写真付の身分証明書"
#define IDA_EN \
	"driver's licence, driving-history certificate issued on or after 2012-04-01, " \
	"passport, Basic Resident Register card with photo, physical or mental disability or " \
	"rehabilitation certificate, residence card, special permanent resident certificate, " \
	"temporary-refuge or provisional-stay permit"
#define IDA_SAPPORO_EN IDA_EN \
	", seaman's pocketbook, maritime officer's or small-craft licence, firearm permit, " \
	"war-wounded handbook, real-estate transaction agent card, electrician's or radio " \
	"operator's licence, aviation, train-driver or driving-instructor licences, or a photo " \
	"ID a public office issues to its staff"
/* List B (documents without a photo), nationally and with Oita's bus pass. */
#define IDB_JA \
	"健康保険証（資格確認書）、介護保険証、年金手帳、母子健康手帳、" \
	"子ども医療費受給者証、社員証、学生証、学校名が記載された各種証書"
#define IDB_OITA_JA IDB_JA "、長寿応援バス乗車証"
#define IDB_EN \
	"health-insurance card or eligibility certificate, long-term care insurance card, " \
	"pension book, maternal and child health handbook, child medical subsidy certificate, " \
	"employee ID, student ID, school documents with the school's name"
#define IDB_OITA_EN IDB_EN ", the city's senior bus pass (長寿応援バス乗車証)"

/* "one from A or two from B" (or "one from A or B") in both languages. */
#define IDS_JA(a, b, nb) "A（顔写真付き・1点）" a "　または　B（" nb "）" b
#define IDS_EN(a, b, nb) "one photo ID from list A (" a ") or " nb " from list B (" b ")"

static const struct rules_document doc_card = {
	"card", true, "マイナンバーカード", "Your My Number card"
};
static const struct rules_document doc_notice = {
	"expiry_notice", false,
	"有効期限通知書（届いている場合。届いていなくても手続きできます）",
	"The notice of expiry (有効期限通知書), if you received it"
};
static const struct rules_document doc_pin_user = {
	"pin_user", true, "利用者証明用電子証明書の暗証番号（数字4桁。3回続けて間違えるとロックされます）",
	"The user-certificate PIN (4 digits; it locks after 3 wrong tries): know it"
};
static const struct rules_document doc_pin_signature = {
	"pin_signature", true,
	"署名用電子証明書の暗証番号（英大文字と数字の6〜16文字、英字・数字をそれぞれ1文字以上。5回続けて間違えるとロックされます）",
	"The signature-certificate PIN (6-16 capital letters and digits, at least one of each; "
	"it locks after 5 wrong tries): know it"
};
static const struct rules_document doc_pin_residence = {
	"pin_residence", true, "住民基本台帳用暗証番号（数字4桁）",
	"The resident-register PIN (4 digits): know it"
};
/* One PIN-reset ID document for lists a, b and b's count nb. */
#define PIN_ID_DOC(a, b, nb_ja, nb_en) { "pin_reset_id", true, \
	"暗証番号の再設定に必要な本人確認書類：" IDS_JA(a##_JA, b##_JA, nb_ja), \
	"ID for the PIN reset: " IDS_EN(a##_EN, b##_EN, nb_en) }
/* One proof-of-identity document (one from A or two from B) for lists a and b. */
#define IDENTITY_DOC(a, b) { "identity_documents", true, \
	"本人確認書類：" IDS_JA(a##_JA, b##_JA, "2点"), \
	"Proof of identity: " IDS_EN(a##_EN, b##_EN, "two documents") }

/* The PIN-reset ID by [list A][list B][rule]. */
static const struct rules_document doc_pin_reset_ids[2][2][2] = {
	{ { PIN_ID_DOC(IDA, IDB, "2点", "two documents"), PIN_ID_DOC(IDA, IDB, "1点", "one document") },
	  { PIN_ID_DOC(IDA, IDB_OITA, "2点", "two documents"),
	    PIN_ID_DOC(IDA, IDB_OITA, "1点", "one document") } },
	{ { PIN_ID_DOC(IDA_SAPPORO, IDB, "2点", "two documents"),
	    PIN_ID_DOC(IDA_SAPPORO, IDB, "1点", "one document") },
	  { PIN_ID_DOC(IDA_SAPPORO, IDB_OITA, "2点", "two documents"),
	    PIN_ID_DOC(IDA_SAPPORO, IDB_OITA, "1点", "one document") } },
};
/* Proof of identity by [list A][list B]. */
static const struct rules_document doc_identities[2][2] = {
	{ IDENTITY_DOC(IDA, IDB), IDENTITY_DOC(IDA, IDB_OITA) },
	{ IDENTITY_DOC(IDA_SAPPORO, IDB), IDENTITY_DOC(IDA_SAPPORO, IDB_OITA) },
};

/* The PIN-reset ID document the municipality's lists and rule call for. */
static const struct rules_document *
doc_pin_reset_id(const struct rules_settings *s)
{
	return &doc_pin_reset_ids[s->id_list_a != RULES_IDA_NATIONAL]
	    [s->id_list_b != RULES_IDB_NATIONAL][s->pin_reset_ids != RULES_PINID_ONE_A_OR_TWO_B];
}

/* The proof-of-identity document of the municipality's lists. */
static const struct rules_document *
doc_identity(const struct rules_settings *s)
{
	return &doc_identities[s->id_list_a != RULES_IDA_NATIONAL]
	    [s->id_list_b != RULES_IDB_NATIONAL];
}
static const struct rules_document doc_holder_card = {
	"holder_card", true, "更新対象者本人のマイナンバーカード", "The holder's My Number card"
};
static const struct rules_document doc_inquiry_form = {
	"inquiry_form", true,
	"照会書兼回答書（ご本人が暗証番号を含む必要事項を記入し、封入したもの）",
	"The inquiry-and-answer form (照会書兼回答書), filled in by the holder, PINs inside, sealed"
};
static const struct rules_document doc_proxy_photo_id = {
	"proxy_photo_id", true,
	"代理人の官公署が発行した顔写真付きの本人確認書類（マイナンバーカード、運転免許証、パスポートなど）",
	"The proxy's government-issued photo ID (My Number card, driver's licence, passport, ...)"
};
static const struct rules_document doc_proxy_id = {
	"proxy_id", true, "代理人の本人確認書類（マイナンバーカード、運転免許証、健康保険証など）",
	"The proxy's ID (My Number card, driver's licence, health-insurance card, ...)"
};
static const struct rules_document doc_guardian_photo_id = {
	"guardian_photo_id", true, "成年後見人の官公署が発行した顔写真付きの本人確認書類（マイナンバーカード、運転免許証、パスポートなど）",
	"The guardian's government-issued photo ID (My Number card, driver's licence, passport, ...)"
};
static const struct rules_document doc_guardian_id = {
	"guardian_id", true, "成年後見人の本人確認書類", "The guardian's ID"
};
static const struct rules_document doc_guardianship = {
	"guardianship_certificate", true, "成年後見人であることが確認できる登記事項証明書",
	"A certificate of registered matters (登記事項証明書) proving the guardianship"
};
static const struct rules_document doc_rep_photo_id = {
	"representative_photo_id", true, "法定代理人の官公署が発行した顔写真付きの本人確認書類",
	"The legal representative's government-issued photo ID"
};
static const struct rules_document doc_relationship = {
	"relationship_proof", false,
	"法定代理人であることが確認できる書類（戸籍謄本など。住民票で確認できない場合）",
	"Proof of the relationship (e.g. a family register), where the resident register does not show it"
};
static const struct rules_document doc_v2_holder_card = {
	"visit2_holder_card", true, "2回目の来庁：更新対象者本人のマイナンバーカード",
	"Second visit: the holder's My Number card"
};
static const struct rules_document doc_v2_notice = {
	"visit2_expiry_notice", false, "2回目の来庁：有効期限通知書（届いている場合）",
	"Second visit: the notice of expiry, if received"
};
static const struct rules_document doc_v2_form = {
	"visit2_inquiry_form", true,
	"2回目の来庁：署名又は記名押印のある照会書兼回答書（1回目の来庁後にご本人あてに郵送します。封入したまま）",
	"Second visit: the inquiry-and-answer form mailed to the holder after the first visit, signed and sealed"
};
static const struct rules_document doc_v2_proxy_photo_id = {
	"visit2_proxy_photo_id", true, "2回目の来庁：代理人の官公署が発行した顔写真付きの本人確認書類",
	"Second visit: the proxy's government-issued photo ID"
};
static const struct rules_document doc_v2_guardian_id = {
	"visit2_guardian_id", true, "2回目の来庁：成年後見人の本人確認書類",
	"Second visit: the guardian's ID"
};
static const struct rules_document doc_v2_guardianship = {
	"visit2_guardianship_certificate", true, "2回目の来庁：成年後見人であることが確認できる登記事項証明書",
	"Second visit: the certificate of registered matters proving the guardianship"
};
static const struct rules_document doc_current_card = {
	"current_card", true, "現在お持ちのマイナンバーカード（新しいカードと交換します）",
	"Your current My Number card (handed in for the new one)"
};
static const struct rules_document doc_pickup_notice = {
	"pickup_notice", true, "交付通知書（はがき）", "The pickup notice (交付通知書)"
};
static const struct rules_document doc_v2_pin_inquiry = {
	"visit2_pin_inquiry", true,
	"2回目の来庁：暗証番号の再設定のためにご本人あてに郵送する照会書（届いたもの）",
	"Second visit: the inquiry for the PIN reset that the office mails to the holder"
};
static const struct rules_document doc_residence_card = {
	"residence_card", true, "新たに交付された在留カード", "Your newly issued residence card"
};

/* ---- dates ------------------------------------------------------------- */

/* First day of the renewal window: the day after the date three months before expiry. */
cdate
rules_window_opens(cdate expiry)
{
	return cdate_add_days(cdate_add_months(expiry, -3), 1);
}

/* Last day of the third month after the month holding the user-cert expiry. */
cdate
rules_health_insurance_grace(cdate user_expiry)
{
	return cdate_end_of_month(cdate_add_months(cdate_end_of_month(user_expiry), 3));
}

/* The earlier of two dates, ignoring absent ones. */
static cdate
min_date(cdate a, cdate b)
{
	if (a == CDATE_NONE)
		return b;
	if (b == CDATE_NONE)
		return a;
	return a < b ? a : b;
}

/* True for a foreign resident whose card follows the period of stay. */
static bool
has_stay_limit(const struct rules_facts *f)
{
	return f->foreign_resident && !f->permanent && !f->highly_skilled_ii &&
	    f->stay_expires_on != CDATE_NONE;
}

/* Card expiry per section 1 (18/20 threshold, period of stay); CDATE_NONE without card facts. */
cdate
rules_card_expiry(const struct rules_facts *f)
{
	cdate applied, reform;
	int threshold;

	if (f->card_expires_on != CDATE_NONE)
		return f->card_expires_on;
	if (f->card_issued_on == CDATE_NONE || f->birth_date == CDATE_NONE)
		return CDATE_NONE;
	if (has_stay_limit(f))
		return f->stay_expires_on;
	applied = f->card_applied_on != CDATE_NONE ? f->card_applied_on : f->card_issued_on;
	reform = cdate_make(ADULT_AGE_REFORM_Y, ADULT_AGE_REFORM_M, 1);
	threshold = applied < reform ? 20 : 18;
	if (cdate_age_on(f->birth_date, f->card_issued_on) >= threshold)
		return cdate_nth_birthday_after(f->birth_date, f->card_issued_on, 10);
	return cdate_nth_birthday_after(f->birth_date, f->card_issued_on, 5);
}

/* The certificates' issue date: stated, or else that of the card. */
static cdate
cert_issue(const struct rules_facts *f)
{
	return f->cert_issued_on != CDATE_NONE ? f->cert_issued_on : f->card_issued_on;
}

/* Whether the card carries a signature certificate: as stated, or by age at issue. */
static bool
holds_signature(const struct rules_facts *f)
{
	cdate issued = cert_issue(f);

	if (f->has_signature_given)
		return f->has_signature;
	if (f->adult_ward)
		return false;
	return issued == CDATE_NONE || f->birth_date == CDATE_NONE ||
	    cdate_age_on(f->birth_date, issued) >= SIGNATURE_MIN_AGE;
}

/* Expiries of card and certificates, capped (user <= card, signature <= user). */
void
rules_expiries(const struct rules_facts *f, struct rules_expiries *out)
{
	cdate issued = cert_issue(f), own = CDATE_NONE;

	out->card = rules_card_expiry(f);
	out->user_cert = f->user_expires_on;
	if (out->user_cert == CDATE_NONE && issued != CDATE_NONE && f->birth_date != CDATE_NONE)
		out->user_cert = min_date(cdate_nth_birthday_after(f->birth_date, issued, 5),
		    out->card);
	out->signature_cert = CDATE_NONE;
	if (!holds_signature(f))
		return;
	if (f->signature_expires_on != CDATE_NONE) {
		out->signature_cert = f->signature_expires_on;
		return;
	}
	if (f->cert_issued_on != CDATE_NONE && f->birth_date != CDATE_NONE)
		own = cdate_nth_birthday_after(f->birth_date, f->cert_issued_on, 5);
	out->signature_cert = min_date(own, out->user_cert);
}

/* ---- consistency ------------------------------------------------------- */

/* Fills a problem and returns false, for one-line refusals. */
static bool
inconsistent(struct rules_problem *p, const char *field, const char *detail)
{
	p->code = "inconsistent_facts";
	p->field = field;
	snprintf(p->detail, sizeof(p->detail), "%s", detail);
	return false;
}

/* Checks the card dates against birth, visit and each other. */
static bool
check_card(const struct rules_facts *f, cdate visit, struct rules_problem *p)
{
	if (f->card_issued_on != CDATE_NONE) {
		if (f->card_issued_on < f->birth_date)
			return inconsistent(p, "applicant.card.issued_on",
			    "The card is issued before the birth date.");
		if (f->card_issued_on > visit)
			return inconsistent(p, "applicant.card.issued_on",
			    "The card is issued after the visit date.");
		if (f->card_issued_on < cdate_make(CARD_FIRST_YEAR, 1, 1))
			return inconsistent(p, "applicant.card.issued_on",
			    "My Number cards were first issued in January 2016.");
	}
	if (f->card_applied_on != CDATE_NONE) {
		if (f->card_applied_on < f->birth_date)
			return inconsistent(p, "applicant.card.applied_on",
			    "The card is applied for before the birth date.");
		if (f->card_issued_on != CDATE_NONE && f->card_applied_on > f->card_issued_on)
			return inconsistent(p, "applicant.card.applied_on",
			    "The card is applied for after it was issued.");
	}
	if (f->card_expires_on != CDATE_NONE && (f->card_expires_on <= f->birth_date ||
	    (f->card_issued_on != CDATE_NONE && f->card_expires_on <= f->card_issued_on)))
		return inconsistent(p, "applicant.card.expires_on",
		    "The card expires before it was issued.");
	return true;
}

/* Checks the certificate issue date. */
static bool
check_cert_issue(const struct rules_facts *f, cdate visit, struct rules_problem *p)
{
	cdate issued = f->cert_issued_on;

	if (issued == CDATE_NONE)
		return true;
	if (issued < f->birth_date)
		return inconsistent(p, "applicant.certificates.issued_on",
		    "The certificates are issued before the birth date.");
	if (issued > visit)
		return inconsistent(p, "applicant.certificates.issued_on",
		    "The certificates are issued after the visit date.");
	if (f->card_issued_on != CDATE_NONE && issued < f->card_issued_on)
		return inconsistent(p, "applicant.certificates.issued_on",
		    "The certificates are issued before the card existed.");
	if (f->has_signature && f->has_signature_given &&
	    cdate_age_on(f->birth_date, issued) < SIGNATURE_MIN_AGE)
		return inconsistent(p, "applicant.certificates.has_signature",
		    "No signature certificate is issued to anyone under 15.");
	return true;
}

/* Checks stated certificate expiries against issue dates and the caps. */
static bool
check_cert_expiry(const struct rules_facts *f, struct rules_problem *p)
{
	cdate card = rules_card_expiry(f), issued = cert_issue(f);
	cdate user = f->user_expires_on, sig = f->signature_expires_on;
	struct rules_expiries e;

	if (user != CDATE_NONE && (user <= f->birth_date || (issued != CDATE_NONE && user <= issued)))
		return inconsistent(p, "applicant.certificates.user_expires_on",
		    "The user certificate expires before it was issued.");
	if (user != CDATE_NONE && card != CDATE_NONE && user > card)
		return inconsistent(p, "applicant.certificates.user_expires_on",
		    "The user certificate cannot outlive the card.");
	if (sig == CDATE_NONE)
		return true;
	if (sig <= f->birth_date || (issued != CDATE_NONE && sig <= issued))
		return inconsistent(p, "applicant.certificates.signature_expires_on",
		    "The signature certificate expires before it was issued.");
	rules_expiries(f, &e);
	if (min_date(e.user_cert, card) != CDATE_NONE && sig > min_date(e.user_cert, card))
		return inconsistent(p, "applicant.certificates.signature_expires_on",
		    "The signature certificate cannot outlive the user certificate.");
	return true;
}

/* Whether the facts can all be true at once (on the visit date); explains why not. */
bool
rules_check_facts(const struct rules_facts *f, cdate visit, struct rules_problem *p)
{
	if (f->birth_date == CDATE_NONE) {
		p->code = "missing_field";
		p->field = "applicant.birth_date";
		snprintf(p->detail, sizeof(p->detail), "The birth date is required.");
		return false;
	}
	if (f->birth_date > visit)
		return inconsistent(p, "applicant.birth_date",
		    "The birth date is after the visit date.");
	if (f->foreign_resident && f->stay_expires_on != CDATE_NONE &&
	    f->stay_expires_on <= f->birth_date)
		return inconsistent(p, "applicant.foreign_resident.stay_expires_on",
		    "The period of stay ends before the birth date.");
	return check_card(f, visit, p) && check_cert_issue(f, visit, p) &&
	    check_cert_expiry(f, p);
}

/* ---- verdict building -------------------------------------------------- */

/* Appends a document unless the list is full or already has it. */
static void
add_doc(struct rules_verdict *v, const struct rules_document *d)
{
	for (size_t i = 0; i < v->n_documents; i++)
		if (v->documents[i] == d)
			return;
	if (v->n_documents < RULES_MAX_DOCUMENTS)
		v->documents[v->n_documents++] = d;
}

/* Writes date d for lang into buf: "2026年5月10日" or "2026-05-10". */
static void
date_text(cdate d, enum rules_language lang, char buf[static 24])
{
	int y, m, day;

	if (lang == RULES_LANG_EN) {
		cdate_format(d, buf);
		return;
	}
	cdate_to_ymd(d, &y, &m, &day);
	snprintf(buf, 24, "%d年%d月%d日", y, m, day);
}

/* Numbers a notice may hold: {n}, {p} and {q}. */
struct nums {
	int n, p, q;
};

/* Expands {a}, {b} (dates) and {n}, {p}, {q} (numbers) in tpl into out. */
static void
render(char out[static RULES_MESSAGE_MAX], const char *tpl, enum rules_language lang,
    cdate a, cdate b, struct nums k)
{
	size_t len = 0;
	char piece[24];

	while (*tpl != '\0' && len + 1 < RULES_MESSAGE_MAX) {
		const char *ins = NULL;

		if (tpl[0] == '{' && (tpl[1] == 'a' || tpl[1] == 'b') && tpl[2] == '}') {
			date_text(tpl[1] == 'a' ? a : b, lang, piece);
			ins = piece;
		} else if (tpl[0] == '{' && (tpl[1] == 'n' || tpl[1] == 'p' || tpl[1] == 'q') &&
		    tpl[2] == '}') {
			snprintf(piece, sizeof(piece), "%d",
			    tpl[1] == 'n' ? k.n : tpl[1] == 'p' ? k.p : k.q);
			ins = piece;
		}
		if (ins == NULL) {
			out[len++] = *tpl++;
			continue;
		}
		for (; *ins != '\0' && len + 1 < RULES_MESSAGE_MAX; ins++)
			out[len++] = *ins;
		tpl += 3;
	}
	out[len] = '\0';
}

/* Appends a notice with up to three numbers, in both languages (full list: dropped). */
static void
add_notice_nums(struct rules_verdict *v, const char *code, const char *ja, const char *en,
    cdate a, cdate b, struct nums k)
{
	struct rules_notice *t;

	if (v->n_notices >= RULES_MAX_NOTICES)
		return;
	t = &v->notices[v->n_notices++];
	t->code = code;
	render(t->message_ja, ja, RULES_LANG_JA, a, b, k);
	render(t->message_en, en, RULES_LANG_EN, a, b, k);
}

/* Appends a notice rendered in both languages (full list: dropped). */
static void
add_notice(struct rules_verdict *v, const char *code, const char *ja, const char *en,
    cdate a, cdate b, int n)
{
	struct nums k = { n, 0, 0 };

	add_notice_nums(v, code, ja, en, a, b, k);
}

/* Appends a notice without placeholders. */
static void
add_plain_notice(struct rules_verdict *v, const char *code, const char *ja, const char *en)
{
	add_notice(v, code, ja, en, CDATE_NONE, CDATE_NONE, 0);
}

/* Marks the verdict refused with code, keeping the first reason given. */
static void
refuse(struct rules_verdict *v, const char *code)
{
	if (v->allowed) {
		v->allowed = false;
		v->code = code;
	}
}

/* Starts a verdict for service with nothing known yet. */
static void
verdict_init(struct rules_verdict *v, enum rules_service service)
{
	memset(v, 0, sizeof(*v));
	v->allowed = true;
	v->service = service;
	v->card_expires_on = CDATE_NONE;
	v->user_cert_expires_on = CDATE_NONE;
	v->signature_cert_expires_on = CDATE_NONE;
	v->window_opens_on = CDATE_NONE;
	v->window_closes_on = CDATE_NONE;
	v->health_insurance_grace_until = CDATE_NONE;
	v->signature_window_opens_on = CDATE_NONE;
	v->signature_window_closes_on = CDATE_NONE;
	v->second_visit_earliest = CDATE_NONE;
	v->visits = 1;
}

/* True when the holder gets no signature certificate (under 15 on the visit, or ward). */
static bool
signature_barred(const struct rules_facts *f, cdate visit)
{
	return f->adult_ward || cdate_age_on(f->birth_date, visit) < SIGNATURE_MIN_AGE;
}

/* True when the applicant said the card carries no signature certificate (§6). */
static bool
signature_not_held(const struct rules_facts *f)
{
	return f->has_signature_given && !f->has_signature;
}

/* The fate of the signature certificate for service. */
static enum rules_sigfate
signature_fate(enum rules_service service, const struct rules_facts *f, cdate visit)
{
	switch (service) {
	case RULES_SVC_PIN_RESET:
	case RULES_SVC_RESIDENCE_UPDATE:
		return RULES_SIG_NONE;
	case RULES_SVC_ADDRESS_CHANGE:
		if (signature_barred(f, visit))
			return RULES_SIG_NOT_ISSUED;
		return f->has_signature ? RULES_SIG_LAPSED : RULES_SIG_NOT_HELD;
	default:
		if (signature_barred(f, visit))
			return RULES_SIG_NOT_ISSUED;
		return signature_not_held(f) ? RULES_SIG_NOT_HELD : RULES_SIG_RENEW;
	}
}

/* ---- notices ----------------------------------------------------------- */

static const char ja_notice_optional[] =
	"有効期限通知書は届いていなくても手続きできます。届いている場合はお持ちください。";
static const char en_notice_optional[] =
	"The notice of expiry is useful but not required: you can come without it.";
static const char ja_before_window[] =
	"更新手続きは有効期限の3か月前の翌日（{a}）から有効期限（{b}）までです。{a}以降にお越しください。";
static const char en_before_window[] =
	"Renewal is possible from {a} (the day after the date three months before expiry) "
	"up to the expiry date {b}. Please come on or after {a}.";
static const char ja_reissue[] =
	"電子証明書は有効期限（{a}）を過ぎて失効しています。再発行（無料）までの間、"
	"コンビニ交付サービス、e-Tax（税の電子申告）、マイナポータルへのログインは利用できません。";
static const char en_reissue[] =
	"The certificate expired on {a}. Until it is re-issued (free of charge), "
	"convenience-store certificates, e-Tax and My Number Portal login cannot be used.";
static const char ja_grace[] =
	"電子証明書の有効期限（{a}）後も、{b}まではマイナ保険証（健康保険証）として利用できます。"
	"期間内に更新すれば保険証利用の再登録は不要です。";
static const char en_grace[] =
	"After the certificate's expiry on {a} the card still works as a health-insurance card "
	"until {b}; renewing before then keeps that registration.";
static const char ja_reregister[] =
	"マイナ保険証として利用できる期間（{b}まで）を過ぎています。電子証明書の再発行に加えて、"
	"健康保険証利用の再登録が必要です。";
static const char en_reregister[] =
	"The health-insurance grace period ended on {b}: the certificate must be re-issued "
	"and health-insurance use registered again.";
static const char ja_sig_not_issued[] =
	"15歳未満の方・成年被後見人の方には署名用電子証明書は発行されません。利用者証明用電子証明書のみ更新します。";
static const char en_sig_not_issued[] =
	"No signature certificate is issued to a holder under 15 or to an adult ward: "
	"only the user certificate is renewed.";
static const char ja_sig_lapsed[] =
	"氏名・住所などの変更により署名用電子証明書は失効します。同じ来庁時に再発行しますので、"
	"署名用電子証明書の暗証番号（英大文字と数字の6〜16文字、それぞれ1文字以上）を設定できるようにしてお越しください。";
static const char en_sig_lapsed[] =
	"A change of name or address makes the signature certificate lapse; it is re-issued at "
	"the same visit, so be ready to set its PIN (6-16 capital letters and digits, at least "
	"one of each).";
static const char ja_second_visit[] =
	"照会書兼回答書をご本人の住民登録地へ郵送します。届いた照会書兼回答書を持って、"
	"{a}以降にもう一度お越しください（合計2回の来庁）。";
static const char en_second_visit[] =
	"The office mails the inquiry-and-answer form to the holder's registered address. "
	"Come back with it on or after {a} (two visits in all).";
static const char ja_pin_reset[] =
	"暗証番号が分からない・ロックされている場合（利用者証明用は3回、署名用は5回続けて間違えるとロック）は、"
	"同じ来庁時に再設定します。本人確認書類をお持ちください。手続きに{n}分ほど余分にかかります。";
static const char en_pin_reset[] =
	"A forgotten or locked PIN (the user PIN locks after 3 wrong tries, the signature PIN "
	"after 5) is reset at the same visit: bring the ID listed, and allow about {n} extra minutes.";
static const char ja_pin_inquiry[] =
	"暗証番号の照合ができない場合（不明、または利用者証明用は3回・署名用は5回の誤入力でロック）、"
	"その場では再設定できません。ご本人の住民登録地へ照会書を郵送しますので、届いたら{a}以降に"
	"もう一度お越しください（当日は手続きが完了しません）。";
static const char en_pin_inquiry[] =
	"A PIN that cannot be verified (forgotten, or locked after 3 wrong user-PIN or 5 wrong "
	"signature-PIN tries) cannot be reset on the spot: the office mails an inquiry to the "
	"holder's registered address; come back with it on or after {a} (the procedure is not "
	"completed on the first day).";
static const char ja_sig_not_held[] =
	"このカードには署名用電子証明書が搭載されていないため、更新するものはなく、署名用の暗証番号も不要です。";
static const char en_sig_not_held[] =
	"The card carries no signature certificate: there is none to renew and no signature PIN to bring.";
static const char ja_sig_window[] =
	"署名用電子証明書は利用者証明用電子証明書より先に有効期限（{a}）を迎えます。署名用の更新期間は{b}から{a}まで、"
	"利用者証明用の更新期間は別です（下記の更新期間）。";
static const char en_sig_window[] =
	"The signature certificate expires first, on {a}: it has its own window from {b} to {a}; "
	"the user certificate's window is the one shown.";
static const char ja_sig_reissue[] =
	"署名用電子証明書は{a}に失効しています。再発行（無料）までの間、e-Taxなどの電子申請は利用できません。";
static const char en_sig_reissue[] =
	"The signature certificate expired on {a}; until it is re-issued (free of charge), "
	"e-Tax and other electronic applications cannot be used.";
static const char ja_card_first[] =
	"マイナンバーカード本体の有効期限（{a}）が電子証明書と同じか先に来るため、電子証明書だけの更新はできません。"
	"カードの更新（新しいカードの申請）をしてください。新しいカードには新しい電子証明書が搭載されます。"
	"申請は{b}から受け付けます。";
static const char en_card_first[] =
	"The card itself expires on {a}, no later than its certificates, so renewing the "
	"certificates alone is pointless: apply for a new card (card_application), which comes "
	"with new certificates. Applications are taken from {b}.";
static const char ja_second_after_expiry[] =
	"2回目の来庁（{b}以降）は電子証明書の有効期限（{a}）の後になるため、更新ではなく再発行（無料）になります。"
	"それまでの間、コンビニ交付サービス、e-Tax、マイナポータルへのログインは利用できません。";
static const char en_second_after_expiry[] =
	"The second visit (on or after {b}) comes after the certificate's expiry on {a}: it "
	"becomes a re-issue (free of charge), and from the expiry until that visit "
	"convenience-store certificates, e-Tax and My Number Portal login cannot be used.";
static const char ja_rep_required[] =
	"15歳未満の方・成年被後見人の方が申請するときは、法定代理人の同行が必要です。"
	"法定代理人（成年後見人）と一緒にお越しください。";
static const char en_rep_required[] =
	"A holder under 15 or an adult ward applies with the legal representative (guardian) "
	"present: come together, with the representative as the attendee.";
static const char ja_damaged_fee[] =
	"破損によるカードの再交付には手数料{n}円（カード{p}円＋電子証明書{q}円）がかかります。";
static const char en_damaged_fee[] =
	"Re-issuing a damaged card costs {n} yen (card {p} yen + certificate {q} yen).";
static const char ja_card_expired[] =
	"マイナンバーカードの有効期限（{a}）が過ぎているため、更新できません。新しいカードの申請が必要です。";
static const char en_card_expired[] =
	"The card expired on {a} and cannot be renewed: apply for a new card instead.";
static const char ja_card_lost[] =
	"紛失したカードの電子証明書は更新できません。カードの再交付（有料）を申請してください。";
static const char en_card_lost[] =
	"Certificates on a lost card cannot be renewed: apply for a replacement card (a fee applies).";
static const char ja_residence[] =
	"在留期間を更新した場合は、カードの有効期限（{a}）までに新しい在留カードとマイナンバーカードを持って"
	"窓口で手続きしてください。期限を過ぎるとカードは失効します。";
static const char en_residence[] =
	"After a new period of stay is granted, register it at the counter with the new residence "
	"card and this card before the card expires on {a}, or the card lapses.";
static const char ja_not_applicable[] =
	"在留期間の定めがある外国人住民の方のみの手続きです（永住者・高度専門職2号の方は不要です）。";
static const char en_not_applicable[] =
	"This procedure is only for foreign residents with a period of stay (not permanent "
	"residents or Highly Skilled Professionals (ii)).";
static const char ja_lost_fee[] =
	"紛失によるカードの再交付には手数料{n}円（カード{p}円＋電子証明書{q}円）がかかります。";
static const char en_lost_fee[] =
	"Re-issuing a lost card costs {n} yen (card {p} yen + certificate {q} yen).";
static const char ja_photo[] =
	"申請に必要な顔写真は窓口で無料で撮影します。";
static const char en_photo[] =
	"The photo for the application is taken at the counter free of charge.";
static const char ja_pickup_later[] =
	"申請から約1か月後に交付通知書（はがき）が届きます。交付通知書と現在のカードを持って受け取りにお越しください（2回目の来庁）。";
static const char en_pickup_later[] =
	"About a month after applying, a pickup notice (交付通知書) arrives; bring it and your "
	"current card to collect the new card (a second visit).";
static const char ja_holder_attends_sig[] =
	"成年後見人が署名用電子証明書を更新する場合は、ご本人も必ず窓口に同行してください。";
static const char en_holder_attends_sig[] =
	"When a guardian renews a signature certificate, the holder must come to the counter too.";
static const char ja_holder_attends_rep[] =
	"法定代理人による手続きには、ご本人も一緒にお越しください。";
static const char en_holder_attends_rep[] =
	"The holder must come along with the legal representative.";

/* ---- who attends ------------------------------------------------------- */

/* Records a PIN reset at this visit: its ID documents, notice and counter time. */
static void
plan_pin_reset(const struct rules_settings *s, struct rules_verdict *v)
{
	if (v->pin_reset)
		return;
	v->pin_reset = true;
	v->extra_minutes = s->pin_reset_extra_minutes[v->service];
	add_doc(v, doc_pin_reset_id(s));
	add_notice(v, "pin_reset_at_visit", ja_pin_reset, en_pin_reset, CDATE_NONE, CDATE_NONE,
	    v->extra_minutes);
}

/* The mailed-inquiry route: a second visit after the mail turnaround. */
static void
plan_second_visit(const struct rules_settings *s, cdate visit, struct rules_verdict *v)
{
	v->visits = 2;
	v->second_visit_earliest = cdate_add_days(visit, s->mail_turnaround_days);
	add_notice(v, "second_visit_required", ja_second_visit, en_second_visit,
	    v->second_visit_earliest, CDATE_NONE, 0);
}

/* True when the holder leads the visit (alone, or with the legal representative). */
static bool
holder_led(const struct rules_facts *f)
{
	return f->attendee == RULES_ATT_SELF || f->attendee == RULES_ATT_LEGAL_REP;
}

/*
 * §6: a PIN that cannot be verified. The holder has it reset at the visit
 * where the city does so; otherwise, and always for a proxy or a guardian,
 * the office mails an inquiry and the procedure ends at a second visit.
 */
static void
plan_unverified_pin(const struct rules_settings *s, const struct rules_facts *f, cdate visit,
    struct rules_verdict *v)
{
	if (holder_led(f) && s->pin_reset_same_visit) {
		plan_pin_reset(s, v);
		return;
	}
	v->visits = 2;
	if (v->second_visit_earliest == CDATE_NONE)
		v->second_visit_earliest = cdate_add_days(visit, s->mail_turnaround_days);
	add_doc(v, &doc_v2_pin_inquiry);
	if (holder_led(f))
		add_doc(v, doc_pin_reset_id(s));
	add_notice(v, "pin_reset_by_mail", ja_pin_inquiry, en_pin_inquiry,
	    v->second_visit_earliest, CDATE_NONE, 0);
}

/* The PINs a renewal needs: listed when known, the §6 route when not. */
static void
plan_pins(const struct rules_settings *s, const struct rules_facts *f, cdate visit,
    struct rules_verdict *v, bool list)
{
	bool sig = v->signature_cert == RULES_SIG_RENEW;

	if (list && f->pin_user_known)
		add_doc(v, &doc_pin_user);
	if (list && sig && f->pin_signature_known)
		add_doc(v, &doc_pin_signature);
	if (!f->pin_user_known || (sig && !f->pin_signature_known))
		plan_unverified_pin(s, f, visit, v);
}

/* A voluntary proxy: same day with the sealed form, else two visits (§3). */
static void
route_proxy(const struct rules_settings *s, const struct rules_facts *f, cdate visit,
    struct rules_verdict *v)
{
	add_doc(v, &doc_holder_card);
	if (f->has_inquiry_form) {
		add_doc(v, &doc_inquiry_form);
		add_doc(v, &doc_proxy_photo_id);
		add_doc(v, &doc_notice);
		plan_pins(s, f, visit, v, false);
		return;
	}
	add_doc(v, &doc_notice);
	add_doc(v, &doc_proxy_id);
	add_doc(v, &doc_v2_holder_card);
	add_doc(v, &doc_v2_notice);
	add_doc(v, &doc_v2_form);
	add_doc(v, &doc_v2_proxy_photo_id);
	plan_second_visit(s, visit, v);
	plan_pins(s, f, visit, v, false);
}

/* An adult guardian: one visit with a photo ID, the mailed route without (§3). */
static void
route_guardian(const struct rules_settings *s, const struct rules_facts *f, cdate visit,
    struct rules_verdict *v)
{
	add_doc(v, &doc_holder_card);
	add_doc(v, &doc_notice);
	if (f->attendee_has_photo_id) {
		add_doc(v, &doc_guardian_photo_id);
		add_doc(v, &doc_guardianship);
		plan_pins(s, f, visit, v, true);
		return;
	}
	add_doc(v, &doc_guardian_id);
	add_doc(v, &doc_guardianship);
	add_doc(v, &doc_v2_holder_card);
	add_doc(v, &doc_v2_notice);
	add_doc(v, &doc_v2_form);
	add_doc(v, &doc_v2_guardianship);
	add_doc(v, &doc_v2_guardian_id);
	plan_second_visit(s, visit, v);
	plan_pins(s, f, visit, v, false);
}

/* Documents and visits of a certificate renewal, by who attends (§3 table). */
static void
route_ecert(const struct rules_settings *s, const struct rules_facts *f, cdate visit,
    struct rules_verdict *v)
{
	switch (f->attendee) {
	case RULES_ATT_SELF:
		add_doc(v, &doc_card);
		add_doc(v, &doc_notice);
		plan_pins(s, f, visit, v, true);
		break;
	case RULES_ATT_PROXY:
		route_proxy(s, f, visit, v);
		break;
	case RULES_ATT_GUARDIAN:
		route_guardian(s, f, visit, v);
		break;
	case RULES_ATT_LEGAL_REP:
		add_doc(v, &doc_holder_card);
		add_doc(v, &doc_rep_photo_id);
		add_doc(v, &doc_relationship);
		add_doc(v, &doc_notice);
		plan_pins(s, f, visit, v, true);
		break;
	}
}

/* The attendee's own papers for the services outside the §3 table. */
static void
attendee_docs(const struct rules_facts *f, struct rules_verdict *v)
{
	switch (f->attendee) {
	case RULES_ATT_SELF:
		break;
	case RULES_ATT_PROXY:
		add_doc(v, f->attendee_has_photo_id ? &doc_proxy_photo_id : &doc_proxy_id);
		break;
	case RULES_ATT_GUARDIAN:
		add_doc(v, f->attendee_has_photo_id ? &doc_guardian_photo_id : &doc_guardian_id);
		add_doc(v, &doc_guardianship);
		break;
	case RULES_ATT_LEGAL_REP:
		add_doc(v, &doc_rep_photo_id);
		add_doc(v, &doc_relationship);
		break;
	}
}

/*
 * Who must be present: a holder under 15 or an adult ward only with the legal
 * representative (§6), the holder with a legal representative, and the holder
 * with a guardian renewing a signature certificate.
 */
static void
check_presence(const struct rules_facts *f, cdate visit, struct rules_verdict *v)
{
	bool barred = signature_barred(f, visit);

	if (barred && (f->attendee == RULES_ATT_SELF || f->attendee == RULES_ATT_PROXY)) {
		refuse(v, "legal_representative_required");
		add_plain_notice(v, "legal_representative_required", ja_rep_required,
		    en_rep_required);
	}
	if (f->attendee == RULES_ATT_LEGAL_REP) {
		add_plain_notice(v, "holder_must_attend", ja_holder_attends_rep,
		    en_holder_attends_rep);
		if (!f->holder_attends)
			refuse(v, "holder_must_attend");
	}
	if (f->attendee == RULES_ATT_GUARDIAN && v->service == RULES_SVC_ECERT_RENEWAL &&
	    v->signature_cert == RULES_SIG_RENEW) {
		add_plain_notice(v, "holder_must_attend", ja_holder_attends_sig,
		    en_holder_attends_sig);
		if (!f->holder_attends)
			refuse(v, "holder_must_attend");
	}
}

/* ---- services ---------------------------------------------------------- */

/* Sets the window for expiry; refuses a visit before it opens. */
static void
apply_window(struct rules_verdict *v, cdate visit, cdate expiry)
{
	v->window_opens_on = rules_window_opens(expiry);
	v->window_closes_on = expiry;
	if (visit >= v->window_opens_on)
		return;
	refuse(v, "before_renewal_window");
	add_notice(v, "before_renewal_window", ja_before_window, en_before_window,
	    v->window_opens_on, expiry, 0);
}

/* Refuses a visit after the card's expiry; true when it refused. */
static bool
refuse_expired_card(struct rules_verdict *v, cdate visit)
{
	if (v->card_expires_on == CDATE_NONE || visit <= v->card_expires_on)
		return false;
	refuse(v, "card_expired");
	add_notice(v, "card_expired", ja_card_expired, en_card_expired,
	    v->card_expires_on, CDATE_NONE, 0);
	return true;
}

/* Health-insurance notice for a visit after the user certificate's expiry. */
static void
note_health_insurance(struct rules_verdict *v, cdate visit)
{
	cdate exp = v->user_cert_expires_on, grace = v->health_insurance_grace_until;

	if (visit <= grace)
		add_notice(v, "health_insurance_grace", ja_grace, en_grace, exp, grace, 0);
	else
		add_notice(v, "health_insurance_reregistration", ja_reregister, en_reregister,
		    exp, grace, 0);
}

/* §6: a card that expires no later than its certificates is renewed instead; true when it steered. */
static bool
steer_to_card(struct rules_verdict *v)
{
	cdate card = v->card_expires_on;

	if (card == CDATE_NONE || v->user_cert_expires_on == CDATE_NONE ||
	    card > v->user_cert_expires_on)
		return false;
	refuse(v, "renew_card_instead");
	v->kind = RULES_KIND_NEW_CARD;
	v->suggested_service = "card_application";
	add_notice(v, "card_expires_first", ja_card_first, en_card_first, card,
	    rules_window_opens(card), 0);
	return true;
}

/* True when the signature certificate is renewed and expires before the user certificate. */
static bool
signature_expires_first(const struct rules_verdict *v)
{
	return v->signature_cert == RULES_SIG_RENEW &&
	    v->signature_cert_expires_on != CDATE_NONE &&
	    v->user_cert_expires_on != CDATE_NONE &&
	    v->signature_cert_expires_on < v->user_cert_expires_on;
}

/*
 * §2 and §6: each certificate's window. A visit before every window is refused;
 * inside the signature certificate's own window it renews (or re-issues) that
 * one; inside the user certificate's window both.
 */
static void
ecert_windows(struct rules_verdict *v, cdate visit)
{
	cdate exp = v->user_cert_expires_on, sig = v->signature_cert_expires_on;

	if (!signature_expires_first(v)) {
		apply_window(v, visit, exp);
	} else {
		v->window_opens_on = rules_window_opens(exp);
		v->window_closes_on = exp;
		v->signature_window_opens_on = rules_window_opens(sig);
		v->signature_window_closes_on = sig;
		add_notice(v, "signature_own_window", ja_sig_window, en_sig_window, sig,
		    v->signature_window_opens_on, 0);
		if (visit < v->signature_window_opens_on) {
			refuse(v, "before_renewal_window");
			add_notice(v, "before_renewal_window", ja_before_window, en_before_window,
			    v->signature_window_opens_on, sig, 0);
		}
		if (visit > sig)
			add_notice(v, "signature_reissue", ja_sig_reissue, en_sig_reissue, sig,
			    CDATE_NONE, 0);
		if (visit > sig && visit < v->window_opens_on)
			v->kind = RULES_KIND_REISSUE;
	}
	if (visit > exp) {
		v->kind = RULES_KIND_REISSUE;
		add_notice(v, "reissue_unusable_services", ja_reissue, en_reissue, exp,
		    CDATE_NONE, 0);
		note_health_insurance(v, visit);
	}
}

/* §6: warns when the second visit falls after the user certificate's expiry. */
static void
note_second_visit_after_expiry(struct rules_verdict *v)
{
	cdate exp = v->user_cert_expires_on;

	if (v->visits == 2 && v->kind == RULES_KIND_RENEWAL && exp != CDATE_NONE &&
	    v->second_visit_earliest != CDATE_NONE && v->second_visit_earliest > exp)
		add_notice(v, "second_visit_after_expiry", ja_second_after_expiry,
		    en_second_after_expiry, exp, v->second_visit_earliest, 0);
}

/* §2, §6: certificate renewal inside the window, free re-issue after expiry. */
static void
eval_ecert(const struct rules_settings *s, const struct rules_facts *f, cdate visit,
    struct rules_verdict *v)
{
	v->kind = RULES_KIND_RENEWAL;
	if (f->card_lost) {
		v->kind = RULES_KIND_NEW_CARD;
		refuse(v, "card_lost");
		add_plain_notice(v, "card_lost", ja_card_lost, en_card_lost);
	} else if (refuse_expired_card(v, visit)) {
		v->kind = RULES_KIND_NEW_CARD;
	} else if (!steer_to_card(v)) {
		ecert_windows(v, visit);
	}
	/*
	 * Before the window the visit cannot happen: a second visit counts from the
	 * first day the first one could (the window's first day), not from the
	 * refused date.
	 */
	route_ecert(s, f, visit < v->window_opens_on && v->window_opens_on != CDATE_NONE ?
	    v->window_opens_on : visit, v);
	note_second_visit_after_expiry(v);
	add_plain_notice(v, "notice_optional", ja_notice_optional, en_notice_optional);
}

/* A fee in its parts, and its notice. */
static void
charge(struct rules_verdict *v, struct rules_fee fee, const char *code, const char *ja,
    const char *en)
{
	struct nums k = { fee.card_yen + fee.certificate_yen, fee.card_yen, fee.certificate_yen };

	v->fee = fee;
	v->fee_yen = k.n;
	add_notice_nums(v, code, ja, en, CDATE_NONE, CDATE_NONE, k);
}

/* Lost (or damaged) card: identity documents instead of the card, and the fee. */
static void
plan_lost_card(const struct rules_settings *s, const struct rules_facts *f,
    struct rules_verdict *v)
{
	if (f->card_damaged && !f->card_lost) {
		add_doc(v, &doc_card);
		charge(v, s->damaged_card_fee, "damaged_card_fee", ja_damaged_fee, en_damaged_fee);
		return;
	}
	add_doc(v, doc_identity(s));
	charge(v, s->lost_card_fee, "lost_card_fee", ja_lost_fee, en_lost_fee);
}

/* Application for a new card: window on the card's expiry, pickup later. */
static void
eval_card_application(const struct rules_settings *s, const struct rules_facts *f,
    cdate visit, struct rules_verdict *v)
{
	v->kind = RULES_KIND_NEW_CARD;
	v->visits = 2;
	if (f->card_lost || f->card_damaged) {
		plan_lost_card(s, f, v);
	} else if (v->card_expires_on != CDATE_NONE) {
		apply_window(v, visit, v->card_expires_on);
		add_doc(v, &doc_card);
		add_doc(v, &doc_notice);
		add_plain_notice(v, "notice_optional", ja_notice_optional, en_notice_optional);
	}
	attendee_docs(f, v);
	add_plain_notice(v, "photo_taken_free", ja_photo, en_photo);
	add_plain_notice(v, "card_pickup_later", ja_pickup_later, en_pickup_later);
}

/* Pickup of a new card: the pickup notice and the current card. */
static void
eval_card_pickup(const struct rules_settings *s, const struct rules_facts *f,
    struct rules_verdict *v)
{
	v->kind = RULES_KIND_NEW_CARD;
	add_doc(v, &doc_pickup_notice);
	add_doc(v, f->card_lost ? doc_identity(s) : &doc_current_card);
	attendee_docs(f, v);
}

/* Replacement of a lost card: fee, identity documents, pickup later. */
static void
eval_card_reissue_lost(const struct rules_settings *s, const struct rules_facts *f,
    struct rules_verdict *v)
{
	v->kind = RULES_KIND_NEW_CARD;
	v->visits = 2;
	plan_lost_card(s, f, v);
	attendee_docs(f, v);
	add_plain_notice(v, "photo_taken_free", ja_photo, en_photo);
	add_plain_notice(v, "card_pickup_later", ja_pickup_later, en_pickup_later);
}

/*
 * PIN reset: the card and ID documents, extra counter time; by mail and a
 * second visit for a proxy or a guardian, or where the city resets by mail (§6).
 */
static void
eval_pin_reset(const struct rules_settings *s, const struct rules_facts *f, cdate visit,
    struct rules_verdict *v)
{
	(void)refuse_expired_card(v, visit);
	add_doc(v, holder_led(f) ? &doc_card : &doc_holder_card);
	plan_unverified_pin(s, f, visit, v);
	attendee_docs(f, v);
}

/* Change of name or address: the signature certificate lapses and is re-issued. */
static void
eval_address_change(const struct rules_facts *f, cdate visit, struct rules_verdict *v)
{
	(void)refuse_expired_card(v, visit);
	add_doc(v, &doc_card);
	add_doc(v, &doc_pin_residence);
	if (v->signature_cert == RULES_SIG_LAPSED) {
		add_doc(v, &doc_pin_signature);
		add_plain_notice(v, "signature_lapsed", ja_sig_lapsed, en_sig_lapsed);
	}
	attendee_docs(f, v);
}

/* New period of stay: only with a stay limit, and before the card lapses. */
static void
eval_residence_update(const struct rules_facts *f, cdate visit, struct rules_verdict *v)
{
	if (!f->foreign_resident || f->permanent || f->highly_skilled_ii) {
		refuse(v, "not_applicable");
		add_plain_notice(v, "not_applicable", ja_not_applicable, en_not_applicable);
	}
	(void)refuse_expired_card(v, visit);
	add_doc(v, &doc_residence_card);
	add_doc(v, &doc_card);
	attendee_docs(f, v);
}

/* Runs the service's own rules. */
static void
eval_service(const struct rules_settings *s, const struct rules_facts *f, cdate visit,
    struct rules_verdict *v)
{
	switch (v->service) {
	case RULES_SVC_ECERT_RENEWAL:
		eval_ecert(s, f, visit, v);
		break;
	case RULES_SVC_CARD_APPLICATION:
		eval_card_application(s, f, visit, v);
		break;
	case RULES_SVC_CARD_PICKUP:
		eval_card_pickup(s, f, v);
		break;
	case RULES_SVC_PIN_RESET:
		eval_pin_reset(s, f, visit, v);
		break;
	case RULES_SVC_ADDRESS_CHANGE:
		eval_address_change(f, visit, v);
		break;
	case RULES_SVC_RESIDENCE_UPDATE:
		eval_residence_update(f, visit, v);
		break;
	case RULES_SVC_CARD_REISSUE_LOST:
		eval_card_reissue_lost(s, f, v);
		break;
	}
}

/* Notices shared by the services: signature not issued, period of stay. */
static void
common_notices(const struct rules_facts *f, struct rules_verdict *v)
{
	if (v->signature_cert == RULES_SIG_NOT_ISSUED)
		add_plain_notice(v, "signature_not_issued", ja_sig_not_issued, en_sig_not_issued);
	if (v->signature_cert == RULES_SIG_NOT_HELD && v->service == RULES_SVC_ECERT_RENEWAL)
		add_plain_notice(v, "signature_not_held", ja_sig_not_held, en_sig_not_held);
	if (has_stay_limit(f) && v->card_expires_on != CDATE_NONE &&
	    v->service != RULES_SVC_CARD_REISSUE_LOST)
		add_notice(v, "residence_update_before_expiry", ja_residence, en_residence,
		    v->card_expires_on, CDATE_NONE, 0);
}

/* The facts each service cannot do without; false with problem filled. */
static bool
check_required(enum rules_service service, const struct rules_facts *f,
    const struct rules_expiries *e, struct rules_problem *p)
{
	bool card_needed = service == RULES_SVC_ECERT_RENEWAL || service == RULES_SVC_PIN_RESET ||
	    service == RULES_SVC_ADDRESS_CHANGE || service == RULES_SVC_RESIDENCE_UPDATE;

	p->code = "missing_field";
	if (card_needed && e->card == CDATE_NONE) {
		p->field = "applicant.card.issued_on";
		snprintf(p->detail, sizeof(p->detail),
		    "The card's issue date (or card.expires_on) is required for this service.");
		return false;
	}
	if (service == RULES_SVC_ECERT_RENEWAL && f->cert_issued_on == CDATE_NONE &&
	    f->user_expires_on == CDATE_NONE) {
		p->field = "applicant.certificates.issued_on";
		snprintf(p->detail, sizeof(p->detail),
		    "The certificates' issue date (or certificates.user_expires_on) is required.");
		return false;
	}
	return true;
}

/*
 * Checks the facts, then fills the verdict for service on visit day. False
 * (and problem filled, code "inconsistent_facts") only for impossible facts;
 * a refusal is a true return with verdict->allowed false.
 */
bool
rules_evaluate(const struct rules_settings *s, enum rules_service service, cdate visit,
    const struct rules_facts *f, struct rules_verdict *v, struct rules_problem *p)
{
	struct rules_expiries e;

	if ((int)service < 0 || (int)service >= RULES_SVC_COUNT) {
		p->code = "unknown_service";
		p->field = "service";
		snprintf(p->detail, sizeof(p->detail), "Unknown service.");
		return false;
	}
	if (!rules_date_in_range(visit)) {
		p->code = "date_out_of_range";
		p->field = "visit_date";
		snprintf(p->detail, sizeof(p->detail), "The visit date must lie in the years "
		    "%d to %d, for which the holiday law is computed.", RULES_FIRST_YEAR,
		    RULES_LAST_YEAR);
		return false;
	}
	if (!rules_check_facts(f, visit, p))
		return false;
	rules_expiries(f, &e);
	if (!check_required(service, f, &e, p))
		return false;
	verdict_init(v, service);
	v->card_expires_on = e.card;
	v->user_cert_expires_on = e.user_cert;
	v->signature_cert_expires_on = e.signature_cert;
	if (e.user_cert != CDATE_NONE)
		v->health_insurance_grace_until = rules_health_insurance_grace(e.user_cert);
	v->signature_cert = signature_fate(service, f, visit);
	eval_service(s, f, visit, v);
	check_presence(f, visit, v);
	common_notices(f, v);
	return true;
}

/* ---- Individual Number (§4) -------------------------------------------- */

bool
rules_individual_number_valid(const char digits[static 12])
{
	return inum_valid(digits);
}

bool
rules_contains_individual_number(const char *text)
{
	return inum_contains(text);
}
