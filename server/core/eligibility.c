/*
 * JSON in and out for the eligibility rules. Applicant objects are parsed by
 * walking a table of field descriptors (key, type, where it lands in struct
 * rules_facts), so every key is either known or refused with its path.
 */
#include "eligibility.h"

#include "problem.h"

#include <stdio.h>
#include <string.h>

#define NO_OFFSET ((size_t)-1)

/* Kinds of value an applicant field may hold. */
enum field_type {
	FT_DATE,	/* "YYYY-MM-DD" string into a cdate */
	FT_BOOL,	/* true/false into a bool */
	FT_ATTENDEE,	/* attendee id into enum rules_attendee */
	FT_OBJECT,	/* nested object described by sub */
};

/* One accepted key of an applicant object (or of one of its nested objects). */
struct field_desc {
	const char *key;		/* JSON key */
	enum field_type type;		/* what it must hold */
	size_t offset;			/* where the value lands in struct rules_facts */
	size_t given;			/* bool set when present (NO_OFFSET: none) */
	const struct field_desc *sub;	/* FT_OBJECT: its fields, ended by a NULL key */
};

#define AT(m) offsetof(struct rules_facts, m)

static const struct field_desc card_fields[] = {
	{ "issued_on", FT_DATE, AT(card_issued_on), NO_OFFSET, NULL },
	{ "applied_on", FT_DATE, AT(card_applied_on), NO_OFFSET, NULL },
	{ "expires_on", FT_DATE, AT(card_expires_on), NO_OFFSET, NULL },
	{ NULL, FT_BOOL, 0, NO_OFFSET, NULL },
};

static const struct field_desc cert_fields[] = {
	{ "issued_on", FT_DATE, AT(cert_issued_on), NO_OFFSET, NULL },
	{ "has_signature", FT_BOOL, AT(has_signature), AT(has_signature_given), NULL },
	{ "user_expires_on", FT_DATE, AT(user_expires_on), NO_OFFSET, NULL },
	{ "signature_expires_on", FT_DATE, AT(signature_expires_on), NO_OFFSET, NULL },
	{ NULL, FT_BOOL, 0, NO_OFFSET, NULL },
};

static const struct field_desc foreign_fields[] = {
	{ "stay_expires_on", FT_DATE, AT(stay_expires_on), NO_OFFSET, NULL },
	{ "permanent", FT_BOOL, AT(permanent), NO_OFFSET, NULL },
	{ "highly_skilled_professional_ii", FT_BOOL, AT(highly_skilled_ii), NO_OFFSET, NULL },
	{ NULL, FT_BOOL, 0, NO_OFFSET, NULL },
};

static const struct field_desc pins_fields[] = {
	{ "user", FT_BOOL, AT(pin_user_known), NO_OFFSET, NULL },
	{ "signature", FT_BOOL, AT(pin_signature_known), NO_OFFSET, NULL },
	{ NULL, FT_BOOL, 0, NO_OFFSET, NULL },
};

static const struct field_desc applicant_fields[] = {
	{ "birth_date", FT_DATE, AT(birth_date), NO_OFFSET, NULL },
	{ "card", FT_OBJECT, 0, NO_OFFSET, card_fields },
	{ "certificates", FT_OBJECT, 0, NO_OFFSET, cert_fields },
	{ "foreign_resident", FT_OBJECT, 0, AT(foreign_resident), foreign_fields },
	{ "adult_ward", FT_BOOL, AT(adult_ward), NO_OFFSET, NULL },
	{ "attendee", FT_ATTENDEE, AT(attendee), NO_OFFSET, NULL },
	{ "has_inquiry_form", FT_BOOL, AT(has_inquiry_form), NO_OFFSET, NULL },
	{ "attendee_has_photo_id", FT_BOOL, AT(attendee_has_photo_id), NO_OFFSET, NULL },
	{ "holder_attends", FT_BOOL, AT(holder_attends), NO_OFFSET, NULL },
	{ "pins_known", FT_OBJECT, 0, NO_OFFSET, pins_fields },
	{ "card_lost", FT_BOOL, AT(card_lost), NO_OFFSET, NULL },
	{ "card_damaged", FT_BOOL, AT(card_damaged), NO_OFFSET, NULL },
	{ NULL, FT_BOOL, 0, NO_OFFSET, NULL },
};

/* Fills err and returns false, so parsers can "return fail(...)". */
static bool
fail(struct elig_error *err, int status, const char *code, const char *field,
    const char *detail)
{
	err->status = status;
	err->code = code;
	snprintf(err->field, sizeof(err->field), "%s", field);
	snprintf(err->detail, sizeof(err->detail), "%s", detail);
	return false;
}

/* Writes "path.key" (or just key when path is empty) into buf. */
static void
join_path(char *buf, size_t size, const char *path, const char *key)
{
	if (path == NULL || path[0] == '\0')
		snprintf(buf, size, "%s", key);
	else
		snprintf(buf, size, "%s.%s", path, key);
}

/* Parses a "YYYY-MM-DD" string at path. */
bool
elig_parse_date(const json_t *v, const char *path, cdate *out, struct elig_error *err)
{
	if (!json_is_string(v))
		return fail(err, 400, "invalid_field", path,
		    "Must be a date string in the form YYYY-MM-DD.");
	if (!cdate_parse(json_string_value(v), out))
		return fail(err, 400, "invalid_date", path,
		    "Not a valid date: expected YYYY-MM-DD with a real day (years 1900-2199).");
	return true;
}

/* Parses a service id string at path. */
bool
elig_parse_service(const json_t *v, const char *path, enum rules_service *out,
    struct elig_error *err)
{
	if (v == NULL || json_is_null(v))
		return fail(err, 400, "missing_field", path, "The service is required.");
	if (!json_is_string(v))
		return fail(err, 400, "invalid_field", path, "Must be a service id string.");
	if (!rules_service_parse(json_string_value(v), out))
		return fail(err, 400, "unknown_service", path,
		    "Unknown service: one of ecert_renewal, card_application, card_pickup, "
		    "pin_reset, address_change, residence_update, card_reissue_lost.");
	return true;
}

/* Parses a "language" value; NULL or JSON null gives "ja". */
bool
elig_parse_language(const json_t *v, const char *path, enum rules_language *out,
    struct elig_error *err)
{
	*out = RULES_LANG_JA;
	if (v == NULL || json_is_null(v))
		return true;
	if (!json_is_string(v))
		return fail(err, 400, "invalid_field", path, "Must be a language string.");
	if (!rules_language_parse(json_string_value(v), out))
		return fail(err, 400, "unknown_language", path,
		    "Unknown language: \"ja\" or \"en\".");
	return true;
}

/* Parses an attendee id string at path into *out. */
static bool
parse_attendee(const json_t *v, const char *path, enum rules_attendee *out,
    struct elig_error *err)
{
	if (!json_is_string(v))
		return fail(err, 400, "invalid_field", path, "Must be an attendee string.");
	if (!rules_attendee_parse(json_string_value(v), out))
		return fail(err, 400, "unknown_attendee", path,
		    "Unknown attendee: one of self, proxy, guardian, legal_representative.");
	return true;
}

/* Finds the descriptor of key in a NULL-terminated table. */
static const struct field_desc *
find_field(const struct field_desc *table, const char *key)
{
	for (; table->key != NULL; table++)
		if (strcmp(table->key, key) == 0)
			return table;
	return NULL;
}

static bool parse_fields(const json_t *obj, const char *path,
    const struct field_desc *table, struct rules_facts *f, struct elig_error *err);

/* Parses one present, non-null value per its descriptor into the facts. */
static bool
parse_value(const struct field_desc *d, const json_t *v, const char *path,
    struct rules_facts *f, struct elig_error *err)
{
	char *base = (char *)f;

	switch (d->type) {
	case FT_DATE:
		return elig_parse_date(v, path, (cdate *)(void *)(base + d->offset), err);
	case FT_BOOL:
		if (!json_is_boolean(v))
			return fail(err, 400, "invalid_field", path, "Must be true or false.");
		*(bool *)(void *)(base + d->offset) = json_is_true(v);
		return true;
	case FT_ATTENDEE:
		return parse_attendee(v, path,
		    (enum rules_attendee *)(void *)(base + d->offset), err);
	case FT_OBJECT:
		if (!json_is_object(v))
			return fail(err, 400, "invalid_field", path, "Must be an object.");
		return parse_fields(v, path, d->sub, f, err);
	}
	return fail(err, 400, "invalid_field", path, "Unexpected field.");
}

/* Parses every key of obj against table; unknown keys are refused. */
static bool
parse_fields(const json_t *obj, const char *path, const struct field_desc *table,
    struct rules_facts *f, struct elig_error *err)
{
	const char *key;
	json_t *v;
	char sub[128];

	json_object_foreach((json_t *)obj, key, v) {
		const struct field_desc *d = find_field(table, key);

		join_path(sub, sizeof(sub), path, key);
		if (d == NULL)
			return fail(err, 400, "unknown_field", sub, "Unknown field.");
		if (json_is_null(v))
			continue;
		if (!parse_value(d, v, sub, f, err))
			return false;
		if (d->given != NO_OFFSET)
			*(bool *)(void *)((char *)f + d->given) = true;
	}
	return true;
}

/* True when obj has key with a non-null value. */
static bool
present(const json_t *obj, const char *key)
{
	const json_t *v = json_object_get(obj, key);

	return v != NULL && !json_is_null(v);
}

/* Parses an "applicant" object; path prefixes error fields (e.g. "applicant"). */
bool
elig_parse_applicant(const json_t *obj, const char *path, struct rules_facts *out,
    struct elig_error *err)
{
	char sub[128];

	rules_facts_init(out);
	if (obj == NULL || json_is_null(obj))
		return fail(err, 400, "missing_field", path, "The applicant is required.");
	if (!json_is_object(obj))
		return fail(err, 400, "invalid_field", path, "Must be an object.");
	if (!parse_fields(obj, path, applicant_fields, out, err))
		return false;
	join_path(sub, sizeof(sub), path, "birth_date");
	if (out->birth_date == CDATE_NONE)
		return fail(err, 400, "missing_field", sub, "The birth date is required.");
	/* Only the holder is sure to be there; anyone else must say so. */
	if (out->attendee != RULES_ATT_SELF && !present(obj, "holder_attends"))
		out->holder_attends = false;
	return true;
}

/* Checks one string (and the keys of objects) for an Individual Number. */
static bool
string_has_number(const char *s, const char *path, struct elig_error *err)
{
	if (!rules_contains_individual_number(s))
		return false;
	fail(err, 400, "individual_number_refused", path,
	    "This field holds what looks like an Individual Number (My Number). "
	    "The server must never receive it: remove it and send again.");
	return true;
}

/* True (err filled, 422) when any string under v holds an Individual Number. */
bool
elig_find_individual_number(const json_t *v, const char *path, struct elig_error *err)
{
	char sub[128];
	const char *key;
	json_t *item;
	size_t i;

	if (json_is_string(v))
		return string_has_number(json_string_value(v), path, err);
	if (json_is_object(v)) {
		json_object_foreach((json_t *)v, key, item) {
			if (string_has_number(key, path, err))
				return true;
			join_path(sub, sizeof(sub), path, key);
			if (elig_find_individual_number(item, sub, err))
				return true;
		}
	} else if (json_is_array(v)) {
		json_array_foreach(v, i, item) {
			snprintf(sub, sizeof(sub), "%s[%zu]", path, i);
			if (elig_find_individual_number(item, sub, err))
				return true;
		}
	}
	return false;
}

/* Refuses keys of the request body other than the four of API.md and the place. */
static bool
check_request_keys(const json_t *root, struct elig_error *err)
{
	static const char *const known[] = { "service", "visit_date", "applicant", "language",
		"municipality", "office" };
	const char *key;
	json_t *v;

	json_object_foreach((json_t *)root, key, v) {
		bool ok = false;

		for (size_t i = 0; i < sizeof(known) / sizeof(known[0]); i++)
			ok = ok || strcmp(key, known[i]) == 0;
		if (!ok)
			return fail(err, 400, "unknown_field", key, "Unknown field.");
	}
	return true;
}

/* Copies the optional id string at key into out (ELIG_PLACE_MAX bytes); "" when absent. */
static bool
parse_place(const json_t *root, const char *key, char *out, struct elig_error *err)
{
	const json_t *v = json_object_get(root, key);
	const char *s;

	out[0] = '\0';
	if (v == NULL || json_is_null(v))
		return true;
	if (!json_is_string(v))
		return fail(err, 400, "invalid_field", key, "Must be a string (an id).");
	s = json_string_value(v);
	if (s[0] == '\0' || strlen(s) >= ELIG_PLACE_MAX ||
	    strspn(s, "abcdefghijklmnopqrstuvwxyz0123456789-") != strlen(s))
		return fail(err, 400, "invalid_field", key,
		    "Must be an id: lower-case letters, digits and '-'.");
	memcpy(out, s, strlen(s) + 1);
	return true;
}

/* Parses an already decoded eligibility body. */
bool
elig_parse_request(const json_t *root, cdate today, struct elig_request *out,
    struct elig_error *err)
{
	const json_t *visit;

	memset(out, 0, sizeof(*out));
	if (!json_is_object(root))
		return fail(err, 400, "invalid_body", "", "The body must be a JSON object.");
	if (elig_find_individual_number(root, "", err))
		return false;
	if (!check_request_keys(root, err))
		return false;
	if (!elig_parse_service(json_object_get(root, "service"), "service", &out->service, err))
		return false;
	visit = json_object_get(root, "visit_date");
	out->visit_date = today;
	if (visit != NULL && !json_is_null(visit)) {
		if (!elig_parse_date(visit, "visit_date", &out->visit_date, err))
			return false;
	} else if (today == CDATE_NONE) {
		return fail(err, 400, "missing_field", "visit_date", "The visit date is required.");
	}
	if (today != CDATE_NONE && out->visit_date < today)
		return fail(err, 422, "visit_in_past", "visit_date",
		    "The visit date is in the past; give today or a later day.");
	if (!elig_parse_language(json_object_get(root, "language"), "language",
	    &out->language, err))
		return false;
	if (!parse_place(root, "municipality", out->municipality, err) ||
	    !parse_place(root, "office", out->office, err))
		return false;
	if (out->municipality[0] != '\0' && out->office[0] != '\0')
		return fail(err, 400, "invalid_field", "office",
		    "Give the office or the municipality, not both.");
	return elig_parse_applicant(json_object_get(root, "applicant"), "applicant",
	    &out->applicant, err);
}

/* Parses a raw body; today fills a missing visit_date (CDATE_NONE: required). */
bool
elig_parse_body(const char *body, size_t len, cdate today, struct elig_request *out,
    struct elig_error *err)
{
	json_error_t jerr;
	json_t *root;
	bool ok;
	char detail[128];

	root = json_loadb(body, len, JSON_REJECT_DUPLICATES, &jerr);
	if (root == NULL) {
		/* jerr.text may quote the input, so only the position is reported. */
		snprintf(detail, sizeof(detail),
		    "The body is not valid JSON (line %d, column %d).", jerr.line, jerr.column);
		return fail(err, 400, "invalid_json", "", detail);
	}
	ok = elig_parse_request(root, today, out, err);
	json_decref(root);
	return ok;
}

/* Runs the rules; false (err: 400 missing facts, 422 inconsistent) when facts cannot hold. */
bool
elig_evaluate(const struct rules_settings *s, const struct elig_request *req,
    struct rules_verdict *out, struct elig_error *err)
{
	struct rules_problem p;

	if (rules_evaluate(s, req->service, req->visit_date, &req->applicant, out, &p))
		return true;
	return fail(err, strcmp(p.code, "inconsistent_facts") == 0 ? 422 : 400, p.code,
	    p.field, p.detail);
}

/* The first day a visit can do anything: the earlier of the two certificates' windows. */
cdate
elig_first_visit_day(const struct rules_verdict *v)
{
	if (v->signature_window_opens_on != CDATE_NONE &&
	    (v->window_opens_on == CDATE_NONE || v->signature_window_opens_on < v->window_opens_on))
		return v->signature_window_opens_on;
	return v->window_opens_on;
}

/* ---- output ------------------------------------------------------------ */

/* Sets key on obj, recording failure (a NULL value or a failed set) in *ok. */
static void
put(json_t *obj, const char *key, json_t *value, bool *ok)
{
	if (value == NULL || json_object_set_new(obj, key, value) != 0)
		*ok = false;
}

/* A date as a JSON string, or null when absent. */
static json_t *
date_json(cdate d)
{
	char buf[11];

	if (d == CDATE_NONE)
		return json_null();
	return json_string(cdate_format(d, buf));
}

/* A string, or null for NULL. */
static json_t *
string_or_null(const char *s)
{
	return s == NULL ? json_null() : json_string(s);
}

/* Just the "documents" array of a verdict (for booking answers); caller owns. */
json_t *
elig_documents_to_json(const struct rules_verdict *v, enum rules_language lang)
{
	json_t *arr = json_array();
	bool ok = arr != NULL;

	for (size_t i = 0; ok && i < v->n_documents; i++) {
		const struct rules_document *d = v->documents[i];
		json_t *o = json_object();

		ok = o != NULL && json_array_append_new(arr, o) == 0;
		if (!ok)
			break;
		put(o, "id", json_string(d->id), &ok);
		put(o, "required", json_boolean(d->required), &ok);
		put(o, "label", json_string(rules_document_label(d, lang)), &ok);
	}
	if (!ok) {
		json_decref(arr);
		return NULL;
	}
	return arr;
}

/* The "notices" array of a verdict. */
static json_t *
notices_json(const struct rules_verdict *v, enum rules_language lang)
{
	json_t *arr = json_array();
	bool ok = arr != NULL;

	for (size_t i = 0; ok && i < v->n_notices; i++) {
		json_t *o = json_object();

		ok = o != NULL && json_array_append_new(arr, o) == 0;
		if (!ok)
			break;
		put(o, "code", json_string(v->notices[i].code), &ok);
		put(o, "message", json_string(rules_notice_message(&v->notices[i], lang)), &ok);
	}
	if (!ok) {
		json_decref(arr);
		return NULL;
	}
	return arr;
}

/* A window object {opens_on, closes_on}, or null when there is none. */
static json_t *
window_json(cdate opens, cdate closes)
{
	json_t *o;
	bool ok = true;

	if (opens == CDATE_NONE)
		return json_null();
	o = json_object();
	if (o == NULL)
		return NULL;
	put(o, "opens_on", date_json(opens), &ok);
	put(o, "closes_on", date_json(closes), &ok);
	if (!ok) {
		json_decref(o);
		return NULL;
	}
	return o;
}

/* The verdict of API.md in lang; caller owns (json_decref); NULL on out of memory. */
json_t *
elig_verdict_to_json(const struct rules_verdict *v, enum rules_language lang)
{
	json_t *o = json_object();
	bool ok = o != NULL;

	if (!ok)
		return NULL;
	put(o, "allowed", json_boolean(v->allowed), &ok);
	put(o, "code", string_or_null(v->allowed ? NULL : v->code), &ok);
	put(o, "kind", string_or_null(rules_kind_name(v->kind)), &ok);
	put(o, "card_expires_on", date_json(v->card_expires_on), &ok);
	put(o, "user_cert_expires_on", date_json(v->user_cert_expires_on), &ok);
	put(o, "signature_cert_expires_on", date_json(v->signature_cert_expires_on), &ok);
	put(o, "signature_cert", string_or_null(rules_sigfate_name(v->signature_cert)), &ok);
	put(o, "window", window_json(v->window_opens_on, v->window_closes_on), &ok);
	put(o, "signature_window", window_json(v->signature_window_opens_on,
	    v->signature_window_closes_on), &ok);
	put(o, "health_insurance_grace_until", date_json(v->health_insurance_grace_until), &ok);
	put(o, "visits", json_integer(v->visits), &ok);
	put(o, "second_visit_earliest", date_json(v->second_visit_earliest), &ok);
	put(o, "fee_yen", json_integer(v->fee_yen), &ok);
	put(o, "fee_parts", v->fee_yen == 0 ? json_null() : json_pack("{s:i, s:i}", "card",
	    v->fee.card_yen, "certificate", v->fee.certificate_yen), &ok);
	put(o, "suggested_service", string_or_null(v->suggested_service), &ok);
	put(o, "pin_reset", json_boolean(v->pin_reset), &ok);
	put(o, "extra_minutes", json_integer(v->extra_minutes), &ok);
	put(o, "documents", elig_documents_to_json(v, lang), &ok);
	put(o, "notices", notices_json(v, lang), &ok);
	if (!ok) {
		json_decref(o);
		return NULL;
	}
	return o;
}

json_t *
elig_error_to_json(const struct elig_error *err)
{
	const char *code = err->code != NULL ? err->code : "error";

	if (err->field[0] != '\0')
		return problem_field(err->status, code, err->field, err->detail);
	return problem_new(err->status, code, err->detail);
}
