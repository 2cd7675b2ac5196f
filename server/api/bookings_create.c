/*
 * POST /v1/bookings. The place is taken by a guarded counter (booked + held <
 * capacity) in the same statement that checks the contact's limit and inserts
 * the booking, its audit row and its idempotency record, so a booking happens
 * whole or not at all, in one round trip.
 */
#include "api/bookings.h"

#include "api/booking_request.h"
#include "api/bookings_two_visit.h"
#include "app.h"
#include "avail_cache.h"
#include "body.h"
#include "clock.h"
#include "config.h"
#include "core/calendar.h"
#include "core/cdate.h"
#include "core/eligibility.h"
#include "core/problem.h"
#include "core/rules.h"
#include "core/xmalloc.h"
#include "log.h"
#include "request.h"
#include "token.h"

#include <jansson.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define REFERENCE_TRIES 3
#define EARLIEST_DAYS 62

/*
 * The per-contact limit (migration 0010): the contact ($19 email, $20 phone)
 * may have fewer than $25 live first visits of the service within $24 days;
 * else the statement fails with BK_SQLSTATE_TOO_MANY. It locks the contact
 * before the slot is touched, so same-contact bookings are counted one by one.
 */
#define CONTACT_ROOM \
	"bookings_contact_room($1, $3, $19, $20, to_timestamp($4), $24::int, $25::int)"

/* The place-taking part of a new booking, without a hold. */
#define TAKE_SLOT \
	"slot AS (INSERT INTO slot_usage AS s (municipality, office, service, starts_at, " \
	"capacity, booked) SELECT $1, $2, $3, to_timestamp($4), $5, 1 WHERE " CONTACT_ROOM " " \
	"ON CONFLICT (municipality, office, service, starts_at) DO UPDATE " \
	"SET booked = s.booked + 1, capacity = EXCLUDED.capacity " \
	"WHERE s.booked + s.held < EXCLUDED.capacity RETURNING 1)"

/* The place-taking part of a booking that consumes a hold. */
#define TAKE_HOLD \
	"h AS (DELETE FROM holds WHERE id = $26 AND municipality = $1 AND office = $2 " \
	"AND service = $3 AND starts_at = to_timestamp($4) AND expires_at > now() " \
	"AND $5::int > 0 AND " CONTACT_ROOM " RETURNING 1), " \
	"slot AS (UPDATE slot_usage SET booked = booked + 1, held = held - 1 " \
	"WHERE municipality = $1 AND office = $2 AND service = $3 " \
	"AND starts_at = to_timestamp($4) AND EXISTS (SELECT 1 FROM h) RETURNING 1)"

/*
 * The booking, its idempotency record and its audit row, once the place is
 * taken; every daemon hears that the slot changed.
 */
#define INSERT_BOOKING \
	"b AS (INSERT INTO bookings (municipality, reference, token_hash, office, service, " \
	"starts_at, ends_at, kind, visits, visit, first_visit, second_visit_earliest, " \
	"window_opens, window_closes, language, answer, contact_name, contact_email, " \
	"contact_phone) SELECT $1, $6, $7, $2, $3, to_timestamp($4), to_timestamp($8), $9, " \
	"$10, $11, $12, $13::date, $14::date, $15::date, $16, $17::jsonb, $18, $19, $20 " \
	"FROM slot RETURNING reference), " \
	"i AS (INSERT INTO idempotency_keys (municipality, key, request_hash, reference, " \
	"response) SELECT $1, $21, $22, reference, $23::jsonb FROM b " \
	"WHERE $21::text IS NOT NULL), " \
	"a AS (INSERT INTO audit_log (municipality, actor, action, subject, detail) " \
	"SELECT $1, 'resident', 'booking.created', reference, jsonb_build_object('office', " \
	"$2::text, 'service', $3::text, 'start', to_timestamp($4)) FROM b) " \
	"SELECT reference, " AVAIL_NOTIFY_SQL("$2::text", "$3::text", "$4::float8") " FROM b"

static struct db_stmt stmt_create = { "WITH " TAKE_SLOT ", " INSERT_BOOKING, 25, 0 };
static struct db_stmt stmt_create_hold = { "WITH " TAKE_HOLD ", " INSERT_BOOKING, 26, 0 };
static struct db_stmt stmt_idempotent = {
	"SELECT request_hash, reference, response FROM idempotency_keys "
	"WHERE municipality = $1 AND key = $2 AND created_at > now() - interval '24 hours'", 2, 0 };

/* Validates contact {name, email, phone}: a name and a way to reach the resident. */
static bool
parse_contact(struct request *r, json_t *c, struct bk *b)
{
	return bk_body_ok(r, body_contact(c, &b->name, &b->email, &b->phone));
}

static const char *const create_keys[] = { "office", "service", "start", "applicant",
	"contact", "language", "hold", "first_visit", NULL };

/* Runs the eligibility rules for the visit date. */
static bool
check_rules(struct request *r, json_t *body, struct bk *b, struct elig_request *er)
{
	const struct rules_settings *s = config_office_settings(r->cfg, b->office);
	struct elig_error err;

	if (!elig_parse_language(json_object_get(body, "language"), "language", &b->lang, &err) ||
	    !elig_parse_applicant(json_object_get(body, "applicant"), "applicant", &er->applicant,
	    &err)) {
		bk_elig_failed(r, &err);
		return false;
	}
	er->service = b->service;
	er->visit_date = b->date;
	er->language = b->lang;
	if (!elig_evaluate(s, er, &b->verdict, &err)) {
		bk_elig_failed(r, &err);
		return false;
	}
	return true;
}

/* The visit's length: the slot, plus the counter time a PIN reset adds. */
static int
visit_minutes(const struct bk *b)
{
	return b->svc->slot_minutes + (b->verdict.pin_reset ? b->verdict.extra_minutes : 0);
}

/*
 * Visit 2's answer: only what to bring to visit 2 (the "visit2_" documents),
 * without the notice that plans a second visit.
 */
static void
second_visit_only(json_t *resp)
{
	json_t *docs = json_object_get(resp, "documents");
	json_t *notices = json_object_get(resp, "notices");
	size_t i = 0;

	while (json_is_array(docs) && i < json_array_size(docs)) {
		const char *id = json_string_value(json_object_get(json_array_get(docs, i), "id"));
		if (id == NULL || strncmp(id, "visit2_", 7) != 0)
			json_array_remove(docs, i);
		else
			i++;
	}
	i = 0;
	while (json_is_array(notices) && i < json_array_size(notices)) {
		const char *code = json_string_value(json_object_get(json_array_get(notices, i),
		    "code"));
		if (code != NULL && strcmp(code, "second_visit_required") == 0)
			json_array_remove(notices, i);
		else
			i++;
	}
}

/* Builds the 201 answer without the token; it is also what the booking keeps. */
static void
build_answer(struct bk *b)
{
	json_t *v = elig_verdict_to_json(&b->verdict, b->lang);
	char start[26], end[26], second[11];
	json_t *resp;

	bk_slot_instant(b, b->minute, start);
	bk_slot_instant(b, b->minute + visit_minutes(b), end);
	resp = json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:s?, s:i, s:i, s:s?, s:s?, s:i, s:O, "
	    "s:O, s:s}", "reference", b->reference, "status", "booked", "office", b->office->id,
	    "service", b->svc->id, "start", start, "end", end,
	    "kind", rules_kind_name(b->verdict.kind), "visits", b->verdict.visits,
	    "visit", b->first_visit[0] ? 2 : 1,
	    "first_visit", b->first_visit[0] ? b->first_visit : NULL,
	    "second_visit_earliest", b->first_visit[0] ? NULL :
	    bk_date_or_null(b->verdict.second_visit_earliest, second), "fee_yen", b->verdict.fee_yen,
	    "documents", json_object_get(v, "documents"), "notices", json_object_get(v, "notices"),
	    "language", b->lang == RULES_LANG_EN ? "en" : "ja");
	if (b->first_visit[0] != '\0')
		second_visit_only(resp);
	b->response = json_dumps(resp, JSON_COMPACT);
	json_decref(resp);
	json_decref(v);
}

static void create_done(struct request *r, const struct db_result *res);

/* Sends the booking statement. */
static void
create_send(struct request *r)
{
	struct bk *b = r->ctx;
	unsigned char key[TOKEN_KEY_BYTES];
	char start[24], end[24], cap[12], visits[4], visit[4], context[200];
	char second[11], opens[11], closes[11], days[12], limit[12];
	const char *p[26];

	bk_token_key(r, key);
	token_reference(b->reference);
	if (b->idem_key != NULL) {
		snprintf(context, sizeof context, "%s\n%s\n%s", b->municipality, b->idem_key,
		    b->request_hash);
		token_derive(key, context, b->token);
	} else {
		token_new(b->token);
	}
	token_hash_hex(key, b->token, b->token_hash);
	free(b->response);
	build_answer(b);
	snprintf(start, sizeof start, "%lld", (long long)clock_instant(b->date, b->minute));
	snprintf(end, sizeof end, "%lld",
	    (long long)clock_instant(b->date, b->minute + visit_minutes(b)));
	snprintf(cap, sizeof cap, "%d", b->capacity);
	snprintf(visits, sizeof visits, "%d", b->verdict.visits);
	snprintf(visit, sizeof visit, "%d", b->first_visit[0] ? 2 : 1);
	p[0] = b->municipality, p[1] = b->office->id, p[2] = b->svc->id, p[3] = start;
	p[4] = cap, p[5] = b->reference, p[6] = b->token_hash, p[7] = end;
	p[8] = rules_kind_name(b->verdict.kind) ? rules_kind_name(b->verdict.kind) : "renewal";
	p[9] = visits, p[10] = visit, p[11] = b->first_visit[0] ? b->first_visit : NULL;
	p[12] = b->first_visit[0] ? NULL : bk_date_or_null(b->verdict.second_visit_earliest, second);
	p[13] = bk_date_or_null(elig_first_visit_day(&b->verdict), opens);
	p[14] = bk_date_or_null(b->verdict.window_closes_on, closes);
	/* The answer kept with the booking is the response: GET shows its documents. */
	p[15] = b->lang == RULES_LANG_EN ? "en" : "ja", p[16] = b->response;
	p[17] = b->name, p[18] = b->email, p[19] = b->phone;
	p[20] = b->idem_key, p[21] = b->request_hash, p[22] = b->response;
	/* Visit 2 belongs to its first visit's route: no limit (NULL). */
	snprintf(days, sizeof days, "%ld", r->cfg->contact_window_days);
	snprintf(limit, sizeof limit, "%ld", r->cfg->bookings_per_contact);
	p[23] = days, p[24] = b->first_visit[0] ? NULL : limit;
	p[25] = b->hold;
	if (!req_db(r, b->hold ? &stmt_create_hold : &stmt_create, p, create_done))
		return;
}

/*
 * The 201 answer: the stored response (a JSON object this module wrote) with
 * the token spliced in before its closing brace. The token is base64url, so it
 * needs no escaping, and the answer is not parsed again.
 */
static void
answer_created(struct request *r, const char *response, const char *reference,
    const char *token)
{
	size_t len = strlen(response);
	char location[32], *text;

	if (len < 2 || response[len - 1] != '}') {
		req_problem(r, 500, "internal_error", "the stored answer could not be read");
		return;
	}
	text = xasprintf("%.*s,\"token\":\"%s\"}", (int)(len - 1), response, token);
	snprintf(location, sizeof location, "/v1/bookings/%s", reference);
	req_header(r, "Location", location);
	req_json_text(r, 201, text, strlen(text));
}



/* The booking statement ran. */
static void
create_done(struct request *r, const struct db_result *res)
{
	struct bk *b = r->ctx;
	const char *constraint = res->pg ? PQresultErrorField(res->pg, PG_DIAG_CONSTRAINT_NAME) : NULL;

	if (res->ok && PQntuples(res->pg) == 1) {
		log_debug("booking %s created at %s for %s", b->reference, b->office->id,
		    b->svc->id);
		answer_created(r, b->response, b->reference, b->token);
		return;
	}
	if (res->ok && b->hold != NULL) {
		req_problem_json(r, problem_field(409, "hold_expired", "hold",
		    "the hold has expired or does not match this slot; book again without it"));
		return;
	}
	if (res->ok) {
		bk_alternatives_send(r);
		return;
	}
	if (strcmp(res->sqlstate, BK_SQLSTATE_DAY_CAPPED) == 0) {
		b->day_capped = true;	/* bookings_day_cap: the day's cap is reached */
		bk_alternatives_send(r);
		return;
	}
	if (strcmp(res->sqlstate, BK_SQLSTATE_TOO_MANY) == 0) {
		req_problem(r, 409, "too_many_bookings", "this contact already has %ld bookings of "
		    "this service within %ld days of that one; cancel one to book another",
		    r->cfg->bookings_per_contact, r->cfg->contact_window_days);
		return;
	}
	if (strcmp(res->sqlstate, "23505") == 0 && constraint != NULL &&
	    strstr(constraint, "idempotency") != NULL) {
		req_problem(r, 409, "idempotency_conflict", "the same Idempotency-Key is being used "
		    "by another request right now; retry it in a moment");
		return;
	}
	if (strcmp(res->sqlstate, "23505") == 0 && constraint != NULL &&
	    strstr(constraint, "one_second_visit") != NULL) {
		req_problem_json(r, problem_field(409, "second_visit_exists", "first_visit",
		    "this first visit already has its second visit booked"));
		return;
	}
	if (strcmp(res->sqlstate, "23505") == 0 && ++b->tries < REFERENCE_TRIES) {
		create_send(r);		/* a reference collision: draw another */
		return;
	}
	req_db_failed(r, res);
}

/* Counts from the window's first day arrived: answer 422 before_renewal_window. */
static void
earliest_done(struct request *r, const struct db_result *res)
{
	struct bk *b = r->ctx;
	struct bk_alt first;
	char opens[11];
	json_t *p;

	if (!res->ok) {
		req_db_failed(r, res);
		return;
	}
	p = problem_field(422, "before_renewal_window", "start",
	    "the visit is before the renewal window opens");
	json_object_set_new(p, "window_opens", json_string(bk_date_or_null(
	    elig_first_visit_day(&b->verdict), opens)));
	json_object_set_new(p, "earliest_slot",
	    bk_free_slots(b, res->pg, elig_first_visit_day(&b->verdict), EARLIEST_DAYS, 0, &first,
	    1) == 1 ?
	    bk_instant_json(first.start) : json_null());
	req_problem_json(r, p);
}

/* Answers a refusal of the rules, with recovery members where they help. */
static void
rules_refused(struct request *r, struct bk *b)
{
	json_t *p;

	if (strcmp(b->verdict.code, "before_renewal_window") == 0 &&
	    elig_first_visit_day(&b->verdict) != CDATE_NONE) {
		bk_counts_send(r, elig_first_visit_day(&b->verdict), EARLIEST_DAYS, earliest_done);
		return;
	}
	p = problem_new(422, b->verdict.code, "the rules do not allow this visit; see the "
	    "eligibility answer for why");
	if (b->verdict.suggested_service != NULL)
		json_object_set_new(p, "suggested_service",
		    json_string(b->verdict.suggested_service));
	json_object_set_new(p, "eligibility", elig_verdict_to_json(&b->verdict, b->lang));
	req_problem_json(r, p);
}

/* The Idempotency-Key lookup ran: replay, refuse a changed body, or book. */
static void
idempotent_done(struct request *r, const struct db_result *res)
{
	struct bk *b = r->ctx;
	unsigned char key[TOKEN_KEY_BYTES];
	char context[200], token[TOKEN_TEXT_LEN + 1];

	if (!res->ok) {
		req_db_failed(r, res);
		return;
	}
	if (PQntuples(res->pg) == 0) {
		create_send(r);
		return;
	}
	if (strcmp(PQgetvalue(res->pg, 0, 0), b->request_hash) != 0) {
		req_problem(r, 422, "idempotency_key_reused", "this Idempotency-Key was used for a "
		    "different request in the last 24 hours");
		return;
	}
	bk_token_key(r, key);
	snprintf(context, sizeof context, "%s\n%s\n%s", b->municipality, b->idem_key,
	    b->request_hash);
	token_derive(key, context, token);
	req_header(r, "Idempotent-Replayed", "true");
	answer_created(r, PQgetvalue(res->pg, 0, 2), PQgetvalue(res->pg, 0, 1), token);
}

/*
 * The Idempotency-Key as it is kept: a keyed hash, never the client's text, so
 * whatever a client chooses (a UUID whose digits happen to look like an
 * Individual Number, or one on purpose) is neither stored nor refused. Base64url
 * has too few digits for a run of twelve. Caller frees.
 */
static char *
idempotency_key_hash(const struct request *r, const char *k)
{
	unsigned char key[TOKEN_KEY_BYTES], h[32];
	char *out = xmalloc(sodium_base64_ENCODED_LEN(sizeof h,
	    sodium_base64_VARIANT_URLSAFE_NO_PADDING));

	bk_token_key(r, key);
	crypto_generichash(h, sizeof h, (const unsigned char *)k, strlen(k), key, sizeof key);
	sodium_bin2base64(out, sodium_base64_ENCODED_LEN(sizeof h,
	    sodium_base64_VARIANT_URLSAFE_NO_PADDING), h, sizeof h,
	    sodium_base64_VARIANT_URLSAFE_NO_PADDING);
	sodium_memzero(key, sizeof key);
	return out;
}

/* Reads the Idempotency-Key header and hashes the body; false when the key is bad. */
static bool
parse_idempotency(struct request *r, const char *body, size_t len, struct bk *b)
{
	const char *k = req_get_header(r, "Idempotency-Key");
	unsigned char h[32];

	crypto_generichash(h, sizeof h, (const unsigned char *)body, len, NULL, 0);
	sodium_bin2hex(b->request_hash, sizeof b->request_hash, h, sizeof h);
	if (k == NULL)
		return true;
	if (k[0] == '\0' || strlen(k) > 128 || strspn(k, "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
	    "abcdefghijklmnopqrstuvwxyz0123456789-_.:") != strlen(k)) {
		bk_bad_field(r, "invalid_header", "Idempotency-Key",
		    "1 to 128 letters, digits and -_.: please");
		return false;
	}
	b->idem_key = idempotency_key_hash(r, k);
	return true;
}

/* Looks the Idempotency-Key up when there is one (idempotent_done books), else books. */
static void
create_next(struct request *r)
{
	struct bk *b = r->ctx;
	const char *p[2] = { b->municipality, b->idem_key };

	if (b->idem_key == NULL)
		create_send(r);
	else if (!req_db(r, &stmt_idempotent, p, idempotent_done))
		return;	/* it answered 503 */
}

/* Parses the rest of a booking body: hold, first visit, contact. */
static bool
parse_extras(struct request *r, json_t *body, struct bk *b)
{
	return bk_body_ok(r, body_opt_string(body, "hold", "hold", &b->hold)) &&
	    bk_body_ok(r, body_first_visit(json_object_get(body, "first_visit"), b->first_visit)) &&
	    parse_contact(r, json_object_get(body, "contact"), b);
}

void
api_booking_create(struct request *r)
{
	static const char *const none[] = { NULL };
	struct bk *b = xcalloc(1, sizeof *b);
	struct elig_request er;
	struct elig_error err;
	json_t *body;
	bool ok;

	r->ctx = b;
	r->ctx_free = bk_free;
	if (!req_query_allow(r, none) || (body = req_body_object(r)) == NULL)
		return;
	ok = !elig_find_individual_number(body, "", &err);
	if (!ok)
		bk_elig_failed(r, &err);
	ok = ok && bk_known_keys(r, body, create_keys) && bk_parse_place(r, body, b) &&
	    parse_extras(r, body, b) && bk_check_calendar(r, b) && check_rules(r, body, b, &er) &&
	    parse_idempotency(r, req_body_text(r), req_body_length(r), b);
	json_decref(body);
	if (!ok)
		return;
	if (!b->verdict.allowed) {
		rules_refused(r, b);
		return;
	}
	if (b->first_visit[0] != '\0')
		two_visit_check_first(r, create_next);	/* goes on when visit 1 allows it */
	else
		create_next(r);
}
