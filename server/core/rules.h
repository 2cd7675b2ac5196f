/*
 * The domain rules of RULES.md sections 1-4 and 6: what expires when, the renewal
 * window, who may come and what they bring, fees, and the Individual Number
 * detector. Pure functions over plain structs: no allocation, no I/O. A
 * verdict holds only static strings and fixed-size buffers.
 */
#ifndef MADOGUCHI_RULES_H
#define MADOGUCHI_RULES_H

#include <stdbool.h>
#include <stddef.h>

#include "cdate.h"

/* The counter procedures (API.md service ids). */
enum rules_service {
	RULES_SVC_ECERT_RENEWAL,	/* "ecert_renewal": renew the certificates */
	RULES_SVC_CARD_APPLICATION,	/* "card_application": apply for a new card */
	RULES_SVC_CARD_PICKUP,		/* "card_pickup": collect the new card */
	RULES_SVC_PIN_RESET,		/* "pin_reset": reset a forgotten or locked PIN */
	RULES_SVC_ADDRESS_CHANGE,	/* "address_change": name/address on the card */
	RULES_SVC_RESIDENCE_UPDATE,	/* "residence_update": new period of stay */
	RULES_SVC_CARD_REISSUE_LOST,	/* "card_reissue_lost": replace a lost card */
};
#define RULES_SVC_COUNT 7

/* Who comes to the counter. */
enum rules_attendee {
	RULES_ATT_SELF,		/* "self": the card holder */
	RULES_ATT_PROXY,	/* "proxy": a voluntary proxy (任意代理人) */
	RULES_ATT_GUARDIAN,	/* "guardian": an adult guardian (成年後見人) */
	RULES_ATT_LEGAL_REP,	/* "legal_representative": of a holder under 15 */
};

/* Language of labels and messages. */
enum rules_language {
	RULES_LANG_JA,	/* "ja", the default */
	RULES_LANG_EN,	/* "en" */
};

/* What the visit does to the card or certificates. */
enum rules_kind {
	RULES_KIND_NONE,	/* the service renews nothing (JSON null) */
	RULES_KIND_RENEWAL,	/* "renewal": inside the window */
	RULES_KIND_REISSUE,	/* "reissue": certificate after its expiry, free */
	RULES_KIND_NEW_CARD,	/* "new_card": card services, or an expired card */
};

/* What happens to the signature certificate. */
enum rules_sigfate {
	RULES_SIG_NONE,		/* not applicable to the service (JSON null) */
	RULES_SIG_RENEW,	/* "renew" */
	RULES_SIG_NOT_ISSUED,	/* "not_issued": under 15 or an adult ward */
	RULES_SIG_LAPSED,	/* "lapsed": name/address/birth date/sex changed */
	RULES_SIG_NOT_HELD,	/* "not_held": the card carries none; nothing to renew */
};

/* Which photo IDs count as list A (one suffices). */
enum rules_id_list_a {
	RULES_IDA_NATIONAL,	/* "national": the national list */
	RULES_IDA_SAPPORO,	/* "sapporo": the national list and more licences */
};

/* Which documents count as list B (two needed, unless pin_reset_ids says one). */
enum rules_id_list_b {
	RULES_IDB_NATIONAL,	/* "national": the national list */
	RULES_IDB_OITA,		/* "oita": the national list and the city's bus pass */
};

/* What ID a PIN reset asks of the holder. */
enum rules_pin_ids {
	RULES_PINID_ONE_A_OR_TWO_B,	/* "one_a_or_two_b": the national rule */
	RULES_PINID_ONE_A_OR_ONE_B,	/* "one_a_or_one_b": one document from either list */
};

/* A fee in its two parts, as the cities print it ("カード800円+電子証明書200円"). */
struct rules_fee {
	int card_yen;		/* the card part */
	int certificate_yen;	/* the certificate part */
};

/* The municipality's settings that RULES.md names (§3, §6). */
struct rules_settings {
	int mail_turnaround_days;	/* mailed inquiry form: first to second visit */
	struct rules_fee lost_card_fee;	/* re-issue of a lost card */
	struct rules_fee damaged_card_fee; /* re-issue of a damaged card */
	int pin_reset_extra_minutes[RULES_SVC_COUNT]; /* counter time a PIN reset adds */
	enum rules_id_list_a id_list_a;	/* photo IDs of list A */
	enum rules_id_list_b id_list_b;	/* documents of list B */
	enum rules_pin_ids pin_reset_ids; /* what a PIN reset asks for */
	bool pin_reset_same_visit;	/* the holder's PIN is reset at the visit (else by mail) */
	int retention_days;		/* personal fields purged after this many days */
};

/* Facts about the applicant, as API.md "Applicant facts"; absent dates are CDATE_NONE. */
struct rules_facts {
	cdate birth_date;		/* required */
	cdate card_issued_on;		/* card.issued_on */
	cdate card_applied_on;		/* card.applied_on (defaults to issued_on) */
	cdate card_expires_on;		/* card.expires_on: wins over the computation */
	cdate cert_issued_on;		/* certificates.issued_on */
	cdate user_expires_on;		/* certificates.user_expires_on: wins */
	cdate signature_expires_on;	/* certificates.signature_expires_on: wins */
	bool has_signature;		/* the card carries a signature certificate */
	bool has_signature_given;	/* has_signature was stated, not defaulted */
	bool foreign_resident;		/* foreign_resident object present */
	cdate stay_expires_on;		/* foreign_resident.stay_expires_on */
	bool permanent;			/* permanent resident: no stay limit */
	bool highly_skilled_ii;		/* Highly Skilled Professional (ii): no stay limit */
	bool adult_ward;		/* 成年被後見人 */
	enum rules_attendee attendee;	/* who comes */
	bool has_inquiry_form;		/* proxy holds the sealed 照会書兼回答書 */
	bool attendee_has_photo_id;	/* the attendee has a government photo ID */
	bool holder_attends;		/* the holder comes along */
	bool pin_user_known;		/* user-certificate PIN known and not locked */
	bool pin_signature_known;	/* signature PIN known and not locked */
	bool card_lost;			/* the card is lost */
	bool card_damaged;		/* the card is damaged (re-issued for a fee) */
};

/* A document to bring; entries are static. */
struct rules_document {
	const char *id;		/* stable id, e.g. "card" */
	bool required;		/* false: bring it if you have it */
	const char *label_ja;	/* Japanese label */
	const char *label_en;	/* English label */
};

#define RULES_MESSAGE_MAX 768

/* A notice attached to a verdict; messages may hold dates. */
struct rules_notice {
	const char *code;			/* stable code, e.g. "notice_optional" */
	char message_ja[RULES_MESSAGE_MAX];	/* Japanese text */
	char message_en[RULES_MESSAGE_MAX];	/* English text */
};

#define RULES_MAX_DOCUMENTS 16
#define RULES_MAX_NOTICES 14

/* The answer to "may this applicant do this service on this day". */
struct rules_verdict {
	bool allowed;			/* false: code says why */
	const char *code;		/* refusal code, NULL when allowed */
	enum rules_service service;	/* the service asked about */
	enum rules_kind kind;		/* renewal, reissue, new card or none */
	cdate card_expires_on;		/* CDATE_NONE when unknown */
	cdate user_cert_expires_on;	/* CDATE_NONE when unknown */
	cdate signature_cert_expires_on; /* CDATE_NONE when none */
	enum rules_sigfate signature_cert; /* fate of the signature certificate */
	cdate window_opens_on;		/* renewal window, CDATE_NONE when none */
	cdate window_closes_on;		/* last day of the window (the expiry) */
	cdate signature_window_opens_on; /* the signature certificate's own window, when */
	cdate signature_window_closes_on; /* it expires before the user certificate */
	const char *suggested_service;	/* a service id to book instead, or NULL */
	cdate health_insurance_grace_until; /* CDATE_NONE when no user cert */
	int visits;			/* counter visits needed: 1 or 2 */
	cdate second_visit_earliest;	/* CDATE_NONE unless a dated second visit */
	int fee_yen;			/* fee payable at the counter */
	struct rules_fee fee;		/* its parts (card + certificate) */
	bool pin_reset;			/* a PIN reset happens at the visit */
	int extra_minutes;		/* counter time the PIN reset adds */
	size_t n_documents;		/* entries used in documents */
	const struct rules_document *documents[RULES_MAX_DOCUMENTS]; /* static */
	size_t n_notices;		/* entries used in notices */
	struct rules_notice notices[RULES_MAX_NOTICES]; /* in order of relevance */
};

/* Why facts were refused: a stable code, the field path and a sentence. */
struct rules_problem {
	const char *code;	/* e.g. "inconsistent_facts" */
	const char *field;	/* JSON path, e.g. "applicant.card.issued_on" */
	char detail[200];	/* human sentence (English), never echoing input */
};

/* The expiry dates computed from facts. */
struct rules_expiries {
	cdate card;		/* card expiry, CDATE_NONE when no card facts */
	cdate user_cert;	/* user-certificate expiry, CDATE_NONE when unknown */
	cdate signature_cert;	/* signature-certificate expiry, CDATE_NONE when none */
};

/* The first and last years the holiday law is computed for; other visit dates are refused. */
#define RULES_FIRST_YEAR 1980
#define RULES_LAST_YEAR 2099

/* The defaults RULES.md names (7 days, 800 + 200 yen, 10 minutes, national ID lists). */
struct rules_settings rules_settings_default(void);
/* Facts with every optional member at its API default (attendee "self", PINs known). */
void rules_facts_init(struct rules_facts *f);

/* Parses a service id. */
bool rules_service_parse(const char *s, enum rules_service *out)
    __attribute__((warn_unused_result));
/* The id of a service, e.g. "ecert_renewal". */
const char *rules_service_name(enum rules_service s);
/* A service's name for residents in lang ("電子証明書の更新" / "Certificate renewal"). */
const char *rules_service_label(enum rules_service s, enum rules_language lang);
/* Parses an attendee ("self", "proxy", "guardian", "legal_representative"). */
bool rules_attendee_parse(const char *s, enum rules_attendee *out)
    __attribute__((warn_unused_result));
/* Parses an ID list A name ("national", "sapporo"). */
bool rules_id_list_a_parse(const char *s, enum rules_id_list_a *out)
    __attribute__((warn_unused_result));
/* Parses an ID list B name ("national", "oita"). */
bool rules_id_list_b_parse(const char *s, enum rules_id_list_b *out)
    __attribute__((warn_unused_result));
/* Parses a PIN-reset ID rule ("one_a_or_two_b", "one_a_or_one_b"). */
bool rules_pin_ids_parse(const char *s, enum rules_pin_ids *out)
    __attribute__((warn_unused_result));
/* True when d lies in the years the holiday law is computed for (1980-2099). */
bool rules_date_in_range(cdate d);
/* Parses "ja" or "en". */
bool rules_language_parse(const char *s, enum rules_language *out)
    __attribute__((warn_unused_result));
/* "renewal", "reissue", "new_card", or NULL for RULES_KIND_NONE. */
const char *rules_kind_name(enum rules_kind k);
/* "renew", "not_issued", "lapsed", "not_held", or NULL for RULES_SIG_NONE. */
const char *rules_sigfate_name(enum rules_sigfate f);
/* A document's label in lang. */
const char *rules_document_label(const struct rules_document *d, enum rules_language lang);
/* A notice's message in lang. */
const char *rules_notice_message(const struct rules_notice *n, enum rules_language lang);

/* Card expiry per section 1 (18/20 threshold, period of stay); CDATE_NONE without card facts. */
cdate rules_card_expiry(const struct rules_facts *f);
/* Expiries of card and certificates, capped (user <= card, signature <= user). */
void rules_expiries(const struct rules_facts *f, struct rules_expiries *out);
/* First day of the renewal window: the day after the date three months before expiry. */
cdate rules_window_opens(cdate expiry);
/* Last day of the third month after the month holding the user-cert expiry. */
cdate rules_health_insurance_grace(cdate user_expiry);
/* Whether the facts can all be true at once (on the visit date); explains why not. */
bool rules_check_facts(const struct rules_facts *f, cdate visit,
    struct rules_problem *problem) __attribute__((warn_unused_result));
/*
 * Checks the facts, then fills the verdict for service on visit day. False
 * (and problem filled, code "inconsistent_facts") only for impossible facts;
 * a refusal is a true return with verdict->allowed false.
 */
bool rules_evaluate(const struct rules_settings *s, enum rules_service service,
    cdate visit, const struct rules_facts *f, struct rules_verdict *out,
    struct rules_problem *problem) __attribute__((warn_unused_result));

/* True when text holds an Individual Number (12 digits passing the check digit). */
bool rules_contains_individual_number(const char *text);
/* True when the 12 ASCII digits at digits pass the Individual Number check digit. */
bool rules_individual_number_valid(const char digits[static 12]);

#endif
