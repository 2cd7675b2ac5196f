/*
 * The JSON side of the domain rules: parses POST /v1/eligibility bodies (and
 * the "applicant" object that POST /v1/bookings shares) field by field into
 * rules structs, and writes verdicts in the exact shape of API.md. Errors
 * name the JSON path of the field at fault and never echo its value.
 */
#ifndef MADOGUCHI_ELIGIBILITY_H
#define MADOGUCHI_ELIGIBILITY_H

#include <stdbool.h>
#include <stddef.h>

#include <jansson.h>

#include "cdate.h"
#include "rules.h"

/* A refused request, ready to become application/problem+json. */
struct elig_error {
	int status;		/* HTTP status: 400 malformed, 422 a rule says no */
	const char *code;	/* stable snake_case code, e.g. "invalid_date" */
	char field[128];	/* JSON path, e.g. "applicant.card.issued_on"; "" for the body */
	char detail[256];	/* human sentence (English) */
};

/* Bytes of an office or municipality id, NUL included. */
#define ELIG_PLACE_MAX 64

/* A parsed POST /v1/eligibility body. */
struct elig_request {
	enum rules_service service;	/* "service" */
	cdate visit_date;		/* "visit_date" (today when absent) */
	struct rules_facts applicant;	/* "applicant" */
	enum rules_language language;	/* "language", "ja" when absent */
	char municipality[ELIG_PLACE_MAX]; /* "municipality" whose settings apply, or "" */
	char office[ELIG_PLACE_MAX];	/* "office" whose municipality's settings apply, or "" */
};

/*
 * Parses a raw body; today fills a missing visit_date (CDATE_NONE: required) and
 * refuses one before it (422 visit_in_past).
 */
bool elig_parse_body(const char *body, size_t len, cdate today, struct elig_request *out,
    struct elig_error *err) __attribute__((warn_unused_result));
/* Parses an already decoded eligibility body. */
bool elig_parse_request(const json_t *root, cdate today, struct elig_request *out,
    struct elig_error *err) __attribute__((warn_unused_result));
/* Parses an "applicant" object; path prefixes error fields (e.g. "applicant"). */
bool elig_parse_applicant(const json_t *obj, const char *path, struct rules_facts *out,
    struct elig_error *err) __attribute__((warn_unused_result));
/* Parses a service id string at path. */
bool elig_parse_service(const json_t *v, const char *path, enum rules_service *out,
    struct elig_error *err) __attribute__((warn_unused_result));
/* Parses a "language" value; NULL or JSON null gives "ja". */
bool elig_parse_language(const json_t *v, const char *path, enum rules_language *out,
    struct elig_error *err) __attribute__((warn_unused_result));
/* Parses a "YYYY-MM-DD" string at path. */
bool elig_parse_date(const json_t *v, const char *path, cdate *out, struct elig_error *err)
    __attribute__((warn_unused_result));
/* True (err filled, 422) when any string under v holds an Individual Number. */
bool elig_find_individual_number(const json_t *v, const char *path, struct elig_error *err)
    __attribute__((warn_unused_result));
/* Runs the rules; false (err: 400 missing facts, 422 inconsistent) when facts cannot hold. */
bool elig_evaluate(const struct rules_settings *s, const struct elig_request *req,
    struct rules_verdict *out, struct elig_error *err) __attribute__((warn_unused_result));

/* The first day a visit can do anything: the earlier of the certificates' windows. */
cdate elig_first_visit_day(const struct rules_verdict *v);
/* The verdict of API.md in lang; caller owns (json_decref); NULL on out of memory. */
json_t *elig_verdict_to_json(const struct rules_verdict *v, enum rules_language lang);
/* Just the "documents" array of a verdict (for booking answers); caller owns. */
json_t *elig_documents_to_json(const struct rules_verdict *v, enum rules_language lang);
/* A problem+json object (type, title, status, detail, code, field); caller owns. */
json_t *elig_error_to_json(const struct elig_error *err);

#endif
