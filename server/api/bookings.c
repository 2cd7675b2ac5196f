/*
 * Bookings and holds. Every change is one SQL statement, so it either happens
 * whole or not at all: a booking's place is taken by a guarded counter
 * (booked + held < capacity) in the same statement that inserts the booking,
 * its audit row and its idempotency record; a reschedule takes the new place
 * and frees the old one together. PostgreSQL decides; nothing is cached.
 */
#include "api/bookings.h"

#include "app.h"
#include "core/calendar.h"
#include "core/cdate.h"
#include "clock.h"
#include "config.h"
#include "core/eligibility.h"
#include "log.h"
#include "core/problem.h"
#include "request.h"
#include "core/rules.h"
#include "slot_counts.h"
#include "staff.h"
#include "token.h"
#include "core/xmalloc.h"

#include <ctype.h>
#include <jansson.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_CONTACT_NAME 100
#define MAX_EMAIL 254
#define REFERENCE_TRIES 3
#define ALTERNATIVE_DAYS 14
#define EARLIEST_DAYS 62

/* Columns of the booking queries. */
enum { B_MUNI, B_REF, B_HASH, B_OFFICE, B_SERVICE, B_START, B_END, B_STATUS, B_KIND,
	B_VISITS, B_VISIT, B_FIRST, B_SECOND, B_WOPEN, B_WCLOSE, B_LANG, B_ANSWER, B_NAME,
	B_EMAIL, B_PHONE, B_PURGED };

#define BOOKING_COLUMNS "municipality, reference, token_hash, office, service, " \
	"extract(epoch FROM starts_at)::bigint, extract(epoch FROM ends_at)::bigint, status, " \
	"kind, visits, visit, first_visit, second_visit_earliest, window_opens, window_closes, " \
	"language, answer, contact_name, contact_email, contact_phone, purged_at IS NOT NULL"

/* The place-taking part of a new booking, without a hold. */
#define TAKE_SLOT \
	"slot AS (INSERT INTO slot_usage AS s (municipality, office, service, starts_at, " \
	"capacity, booked) VALUES ($1, $2, $3, to_timestamp($4), $5, 1) " \
	"ON CONFLICT (municipality, office, service, starts_at) DO UPDATE " \
	"SET booked = s.booked + 1, capacity = EXCLUDED.capacity " \
	"WHERE s.booked + s.held < EXCLUDED.capacity RETURNING 1)"

/* The place-taking part of a booking that consumes a hold. */
#define TAKE_HOLD \
	"h AS (DELETE FROM holds WHERE id = $24 AND municipality = $1 AND office = $2 " \
	"AND service = $3 AND starts_at = to_timestamp($4) AND expires_at > to_timestamp($25) " \
	"AND $5::int > 0 RETURNING 1), " \
	"slot AS (UPDATE slot_usage SET booked = booked + 1, held = held - 1 " \
	"WHERE municipality = $1 AND office = $2 AND service = $3 " \
	"AND starts_at = to_timestamp($4) AND EXISTS (SELECT 1 FROM h) RETURNING 1)"

/* The booking, its idempotency record and its audit row, once the place is taken. */
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
	"SELECT reference FROM b"

static struct db_stmt stmt_create = { "WITH " TAKE_SLOT ", " INSERT_BOOKING, 23, 0 };
static struct db_stmt stmt_create_hold = { "WITH " TAKE_HOLD ", " INSERT_BOOKING, 25, 0 };
static struct db_stmt stmt_get = {
	"SELECT " BOOKING_COLUMNS " FROM bookings WHERE reference = $1", 1, 0 };
static struct db_stmt stmt_idempotent = {
	"SELECT request_hash, reference, response FROM idempotency_keys "
	"WHERE municipality = $1 AND key = $2 AND created_at > now() - interval '24 hours'", 2, 0 };
static struct db_stmt stmt_cancel = {
	"WITH b AS (UPDATE bookings SET status = 'cancelled', updated_at = now() "
	"WHERE reference = $1 AND token_hash = $2 AND status = 'booked' "
	"RETURNING municipality, office, service, starts_at, reference), "
	"s AS (UPDATE slot_usage u SET booked = u.booked - 1 FROM b "
	"WHERE u.municipality = b.municipality AND u.office = b.office "
	"AND u.service = b.service AND u.starts_at = b.starts_at RETURNING 1), "
	"a AS (INSERT INTO audit_log (municipality, actor, action, subject) "
	"SELECT municipality, $3, 'booking.cancelled', reference FROM b) "
	"SELECT reference FROM b", 3, 0 };
static struct db_stmt stmt_move = {
	"WITH b AS (SELECT municipality, office, service, starts_at FROM bookings "
	"WHERE reference = $1 AND token_hash = $2 AND status = 'booked' "
	"AND starts_at = to_timestamp($3) FOR UPDATE), "
	"n AS (INSERT INTO slot_usage AS s (municipality, office, service, starts_at, "
	"capacity, booked) SELECT municipality, office, service, to_timestamp($4), $5, 1 FROM b "
	"ON CONFLICT (municipality, office, service, starts_at) DO UPDATE "
	"SET booked = s.booked + 1, capacity = EXCLUDED.capacity "
	"WHERE s.booked + s.held < EXCLUDED.capacity RETURNING 1), "
	"m AS (UPDATE bookings SET starts_at = to_timestamp($4), ends_at = to_timestamp($6), "
	"second_visit_earliest = second_visit_earliest + "
	"((to_timestamp($4) AT TIME ZONE 'Asia/Tokyo')::date - "
	"(to_timestamp($3) AT TIME ZONE 'Asia/Tokyo')::date), "
	"updated_at = now() WHERE reference = $1 AND EXISTS (SELECT 1 FROM n) "
	"RETURNING municipality, reference), "
	"o AS (UPDATE slot_usage u SET booked = u.booked - 1 FROM b "
	"WHERE EXISTS (SELECT 1 FROM m) AND u.municipality = b.municipality "
	"AND u.office = b.office AND u.service = b.service AND u.starts_at = b.starts_at "
	"RETURNING 1), "
	"a AS (INSERT INTO audit_log (municipality, actor, action, subject, detail) "
	"SELECT municipality, $7, 'booking.rescheduled', reference, "
	"jsonb_build_object('from', to_timestamp($3), 'to', to_timestamp($4)) FROM m) "
	"SELECT (SELECT count(*) FROM b), (SELECT count(*) FROM m)", 7, 0 };
static struct db_stmt stmt_hold = {
	"WITH slot AS (INSERT INTO slot_usage AS s (municipality, office, service, starts_at, "
	"capacity, held) VALUES ($1, $2, $3, to_timestamp($4), $5, 1) "
	"ON CONFLICT (municipality, office, service, starts_at) DO UPDATE "
	"SET held = s.held + 1, capacity = EXCLUDED.capacity "
	"WHERE s.booked + s.held < EXCLUDED.capacity RETURNING 1), "
	"h AS (INSERT INTO holds (municipality, id, office, service, starts_at, expires_at) "
	"SELECT $1, $6, $2, $3, to_timestamp($4), to_timestamp($7) FROM slot RETURNING id) "
	"SELECT id FROM h", 7, 0 };
static struct db_stmt stmt_expire_holds = {
	"WITH e AS (DELETE FROM holds WHERE expires_at <= to_timestamp($1) "
	"RETURNING municipality, office, service, starts_at), "
	"c AS (SELECT municipality, office, service, starts_at, count(*) AS n FROM e "
	"GROUP BY 1, 2, 3, 4) "
	"UPDATE slot_usage u SET held = u.held - c.n FROM c WHERE u.municipality = c.municipality "
	"AND u.office = c.office AND u.service = c.service AND u.starts_at = c.starts_at", 1, 0 };
static struct db_stmt stmt_purge = {
	"WITH p AS (UPDATE bookings SET contact_name = NULL, contact_email = NULL, "
	"contact_phone = NULL, purged_at = now() WHERE purged_at IS NULL "
	"AND ends_at < to_timestamp($1) - make_interval(days => $2::int) "
	"RETURNING municipality, reference) "
	"INSERT INTO audit_log (municipality, actor, action, subject) "
	"SELECT municipality, 'system', 'booking.purged', reference FROM p", 2, 0 };
static struct db_stmt stmt_forget_keys = {
	"DELETE FROM idempotency_keys WHERE created_at < now() - interval '24 hours'", 0, 0 };

/* A booking request on its way through its statements. */
struct bk {
	const struct config_office *office;	/* where (in the request's config) */
	const char *municipality;		/* its municipality's id */
	const struct cal_service *svc;		/* what */
	enum rules_service service;		/* the same, as the rules know it */
	enum rules_language lang;		/* language of the answer */
	cdate date;				/* visit date (Tokyo) */
	int minute;				/* slot start, minutes since midnight */
	int capacity;				/* the slot's places on that day */
	struct rules_verdict verdict;		/* eligibility on the visit date */
	char reference[TOKEN_REF_LEN + 1];	/* this booking's reference */
	char token[TOKEN_TEXT_LEN + 1];		/* its secret, shown once */
	char token_hash[65];			/* what is stored */
	char *response;				/* the 201 body without the token (JSON text) */
	char *hold;				/* hold to consume, or NULL */
	char first_visit[TOKEN_REF_LEN + 1];	/* visit 2: visit 1's reference, or "" */
	char *name, *email, *phone;		/* contact */
	char *idem_key;				/* Idempotency-Key, or NULL */
	char request_hash[65];			/* BLAKE2b of the body */
	int tries;				/* references tried */
};

/* Frees a booking request. */
static void
bk_free(void *arg)
{
	struct bk *b = arg;

	free(b->response);
	free(b->hold);
	free(b->name);
	free(b->email);
	free(b->phone);
	free(b->idem_key);
	sodium_memzero(b->token, sizeof b->token);
	free(b);
}

/* The daemon's token key (validated at start-up). */
static void
token_key(const struct request *r, unsigned char key[TOKEN_KEY_BYTES])
{
	if (!token_key_parse(r->cfg->token_key, key))
		abort();	/* main refuses to start without a valid key */
}

/* Answers 400 for a field, with its path. */
static void
bad_field(struct request *r, const char *code, const char *field, const char *detail)
{
	req_problem_json(r, problem_field(400, code, field, detail));
}

/* Answers with an eligibility module error. */
static void
elig_failed(struct request *r, const struct elig_error *err)
{
	req_problem_json(r, elig_error_to_json(err));
}

/* True for an email address worth mailing: one '@', no spaces, a dot in the domain. */
static bool
email_ok(const char *s)
{
	const char *at = strchr(s, '@');

	if (at == NULL || at == s || strchr(at + 1, '@') != NULL || strlen(s) > MAX_EMAIL)
		return false;
	for (const char *p = s; *p != '\0'; p++) {
		if ((unsigned char)*p <= ' ' || *p == 0x7f)
			return false;
	}
	return strchr(at + 1, '.') != NULL && at[1] != '.' && s[strlen(s) - 1] != '.';
}

/* True for a phone number: 6 to 15 digits, with spaces, '-', '(', ')' and a leading '+'. */
static bool
phone_ok(const char *s)
{
	int digits = 0;

	for (const char *p = s; *p != '\0'; p++) {
		if (isdigit((unsigned char)*p))
			digits++;
		else if (!(*p == ' ' || *p == '-' || *p == '(' || *p == ')' || (*p == '+' && p == s)))
			return false;
	}
	return digits >= 6 && digits <= 15;
}

/* Reads an optional string member; answers 400 when it is not a string. */
static bool
opt_string(struct request *r, json_t *obj, const char *key, const char *path, char **out)
{
	json_t *v = json_object_get(obj, key);

	*out = NULL;
	if (v == NULL || json_is_null(v))
		return true;
	if (!json_is_string(v)) {
		bad_field(r, "invalid_field", path, "expected a string");
		return false;
	}
	*out = xstrdup(json_string_value(v));
	return true;
}

/* Validates contact {name, email, phone}: a name and a way to reach the resident. */
static bool
parse_contact(struct request *r, json_t *c, struct bk *b)
{
	const char *key;
	json_t *v;

	if (!json_is_object(c)) {
		bad_field(r, c ? "invalid_field" : "missing_field", "contact",
		    "contact must be an object with a name and an email or phone");
		return false;
	}
	json_object_foreach(c, key, v) {
		if (strcmp(key, "name") != 0 && strcmp(key, "email") != 0 && strcmp(key, "phone") != 0) {
			char path[80];
			snprintf(path, sizeof path, "contact.%.60s", key);
			bad_field(r, "unknown_field", path, "contact takes name, email and phone");
			return false;
		}
	}
	if (!opt_string(r, c, "name", "contact.name", &b->name) ||
	    !opt_string(r, c, "email", "contact.email", &b->email) ||
	    !opt_string(r, c, "phone", "contact.phone", &b->phone))
		return false;
	if (b->name == NULL || b->name[0] == '\0' || strlen(b->name) > MAX_CONTACT_NAME) {
		bad_field(r, b->name ? "invalid_field" : "missing_field", "contact.name",
		    "a name of 1 to 100 bytes is required");
		return false;
	}
	if (b->email == NULL && b->phone == NULL) {
		bad_field(r, "missing_field", "contact.email", "give an email address or a phone "
		    "number, so the office can reach you");
		return false;
	}
	if (b->email != NULL && !email_ok(b->email)) {
		bad_field(r, "invalid_field", "contact.email", "not an email address");
		return false;
	}
	if (b->phone != NULL && !phone_ok(b->phone)) {
		bad_field(r, "invalid_field", "contact.phone", "a phone number has 6 to 15 digits");
		return false;
	}
	return true;
}

/* Parses "start" into the visit date and minute. */
static bool
parse_start(struct request *r, json_t *v, struct bk *b)
{
	time_t t;

	if (!json_is_string(v) || !clock_parse_instant(json_string_value(v), &t)) {
		bad_field(r, v ? "invalid_field" : "missing_field", "start",
		    "start must be an instant such as 2026-12-16T09:00:00+09:00");
		return false;
	}
	clock_jst(t, &b->date, &b->minute);
	if (t % 60 != 0) {
		bad_field(r, "invalid_field", "start", "start must fall on a whole minute");
		return false;
	}
	return true;
}

/* Finds the office and service of a body; answers 400/404 when they are not usable. */
static bool
parse_place(struct request *r, json_t *body, struct bk *b)
{
	json_t *office = json_object_get(body, "office");
	struct elig_error err;

	if (!json_is_string(office)) {
		bad_field(r, office ? "invalid_field" : "missing_field", "office",
		    "office must be an office id");
		return false;
	}
	b->office = config_office(r->cfg, json_string_value(office));
	if (b->office == NULL) {
		req_problem_json(r, problem_field(404, "unknown_office", "office",
		    "there is no office with that id"));
		return false;
	}
	b->municipality = r->cfg->municipalities[b->office->municipality].id;
	if (!elig_parse_service(json_object_get(body, "service"), "service", &b->service, &err)) {
		elig_failed(r, &err);
		return false;
	}
	b->svc = cal_service_find(&b->office->cal, rules_service_name(b->service));
	if (b->svc == NULL) {
		req_problem_json(r, problem_field(404, "service_not_offered", "service",
		    "this office does not offer that service"));
		return false;
	}
	return parse_start(r, json_object_get(body, "start"), b);
}

/* Checks the slot against the office calendar; answers 422 when it cannot be booked. */
static bool
check_calendar(struct request *r, struct bk *b)
{
	struct cal_day day;
	struct cal_slot slots[CAL_MAX_SLOTS];
	enum cal_why why;
	cdate today;
	int now;
	size_t n;

	clock_jst(clock_now(), &today, &now);
	if (!cal_bookable(&b->office->cal, b->svc, b->date, b->minute, today, now, &why)) {
		req_problem_json(r, problem_field(422, cal_why_name(why), "start",
		    why == CAL_WHY_CLOSED ? "the office is closed that day" :
		    why == CAL_WHY_OUTSIDE_HOURS ? "no slot of this service starts then" :
		    why == CAL_WHY_WALK_IN_ONLY ? "this service takes no reservations that day" :
		    why == CAL_WHY_BEYOND_HORIZON ? "that day is not open for booking yet" :
		    "that slot is in the past or too soon to book"));
		return false;
	}
	cal_day(&b->office->cal, b->date, &day);
	n = cal_slots(b->svc, &day, slots, CAL_MAX_SLOTS);
	for (size_t i = 0; i < n; i++) {
		if (slots[i].start == b->minute)
			b->capacity = slots[i].capacity;
	}
	return b->capacity > 0;
}

static const char *const create_keys[] = { "office", "service", "start", "applicant",
	"contact", "language", "hold", "first_visit", NULL };

/* Refuses members a booking body does not take. */
static bool
known_keys(struct request *r, json_t *body, const char *const *keys)
{
	const char *key;
	json_t *v;

	json_object_foreach(body, key, v) {
		bool ok = false;
		for (const char *const *k = keys; *k != NULL; k++)
			ok = ok || strcmp(*k, key) == 0;
		if (!ok) {
			bad_field(r, "unknown_field", key, "this request takes no such member");
			return false;
		}
	}
	return true;
}

/* Runs the eligibility rules for the visit date. */
static bool
check_rules(struct request *r, json_t *body, struct bk *b, struct elig_request *er)
{
	struct rules_settings s = rules_settings_default();
	struct elig_error err;

	if (!elig_parse_language(json_object_get(body, "language"), "language", &b->lang, &err) ||
	    !elig_parse_applicant(json_object_get(body, "applicant"), "applicant", &er->applicant,
	    &err)) {
		elig_failed(r, &err);
		return false;
	}
	er->service = b->service;
	er->visit_date = b->date;
	er->language = b->lang;
	if (!elig_evaluate(&s, er, &b->verdict, &err)) {
		elig_failed(r, &err);
		return false;
	}
	return true;
}

/* Formats d into buf as "YYYY-MM-DD"; NULL (buf untouched) for CDATE_NONE. */
static const char *
date_or_null(cdate d, char buf[static 11])
{
	return d == CDATE_NONE ? NULL : cdate_format(d, buf);
}

/* The start or end instant of the booked slot as text. */
static void
slot_instant(const struct bk *b, int minute, char out[26])
{
	clock_format_jst(clock_instant(b->date, minute), out);
}

/* Builds the 201 answer without the token; it is also what the booking keeps. */
static void
build_answer(struct bk *b)
{
	json_t *v = elig_verdict_to_json(&b->verdict, b->lang);
	char start[26], end[26], second[11];
	json_t *resp;

	slot_instant(b, b->minute, start);
	slot_instant(b, b->minute + b->svc->slot_minutes, end);
	resp = json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:s?, s:i, s:i, s:s?, s:s?, s:i, s:O, "
	    "s:O, s:s}", "reference", b->reference, "status", "booked", "office", b->office->id,
	    "service", b->svc->id, "start", start, "end", end,
	    "kind", rules_kind_name(b->verdict.kind), "visits", b->verdict.visits,
	    "visit", b->first_visit[0] ? 2 : 1,
	    "first_visit", b->first_visit[0] ? b->first_visit : NULL,
	    "second_visit_earliest", b->first_visit[0] ? NULL :
	    date_or_null(b->verdict.second_visit_earliest, second), "fee_yen", b->verdict.fee_yen,
	    "documents", json_object_get(v, "documents"), "notices", json_object_get(v, "notices"),
	    "language", b->lang == RULES_LANG_EN ? "en" : "ja");
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
	char start[24], end[24], cap[12], visits[4], visit[4], now[24], context[200];
	char second[11], opens[11], closes[11];
	const char *p[25];

	token_key(r, key);
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
	    (long long)clock_instant(b->date, b->minute + b->svc->slot_minutes));
	snprintf(cap, sizeof cap, "%d", b->capacity);
	snprintf(visits, sizeof visits, "%d", b->verdict.visits);
	snprintf(visit, sizeof visit, "%d", b->first_visit[0] ? 2 : 1);
	snprintf(now, sizeof now, "%lld", (long long)clock_now());
	p[0] = b->municipality, p[1] = b->office->id, p[2] = b->svc->id, p[3] = start;
	p[4] = cap, p[5] = b->reference, p[6] = b->token_hash, p[7] = end;
	p[8] = rules_kind_name(b->verdict.kind) ? rules_kind_name(b->verdict.kind) : "renewal";
	p[9] = visits, p[10] = visit, p[11] = b->first_visit[0] ? b->first_visit : NULL;
	p[12] = b->first_visit[0] ? NULL : date_or_null(b->verdict.second_visit_earliest, second);
	p[13] = date_or_null(b->verdict.window_opens_on, opens);
	p[14] = date_or_null(b->verdict.window_closes_on, closes);
	/* The answer kept with the booking is the response: GET shows its documents. */
	p[15] = b->lang == RULES_LANG_EN ? "en" : "ja", p[16] = b->response;
	p[17] = b->name, p[18] = b->email, p[19] = b->phone;
	p[20] = b->idem_key, p[21] = b->request_hash, p[22] = b->response;
	p[23] = b->hold, p[24] = now;
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

static void alternatives_send(struct request *r);

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
		alternatives_send(r);
		return;
	}
	if (strcmp(res->sqlstate, "23505") == 0 && constraint != NULL &&
	    strstr(constraint, "idempotency") != NULL) {
		req_problem(r, 409, "idempotency_conflict", "the same Idempotency-Key is being used "
		    "by another request right now; retry it in a moment");
		return;
	}
	if (strcmp(res->sqlstate, "23505") == 0 && ++b->tries < REFERENCE_TRIES) {
		create_send(r);		/* a reference collision: draw another */
		return;
	}
	req_db_failed(r, res);
}

/* One candidate slot for the alternatives. */
struct alt {
	time_t start;		/* its instant */
	long distance;		/* seconds from the slot asked for */
	int crowding;		/* enum cal_crowding */
};

/* Orders alternatives least crowded first, then nearest. */
static int
alt_cmp(const void *x, const void *y)
{
	const struct alt *a = x, *b = y;

	if (a->crowding != b->crowding)
		return a->crowding - b->crowding;
	return (a->distance > b->distance) - (a->distance < b->distance);
}

/* Orders alternatives nearest first. */
static int
alt_near(const void *x, const void *y)
{
	const struct alt *a = x, *b = y;

	return (a->distance > b->distance) - (a->distance < b->distance);
}

/*
 * Collects the free, bookable slots of svc from first for days days (free by
 * the counts in pg) into out; returns how many.
 */
static size_t
free_slots(const struct bk *b, const PGresult *pg, cdate first, int days, time_t asked,
    struct alt *out, size_t max)
{
	struct cal_slot slots[CAL_MAX_SLOTS];
	struct cal_day day;
	struct slot_counts taken_in;
	enum cal_why why;
	cdate today;
	int now;
	size_t n = 0;

	clock_jst(clock_now(), &today, &now);
	slot_counts_init(&taken_in, pg);
	for (cdate d = first; d < cdate_add_days(first, days) && n < max; d = cdate_add_days(d, 1)) {
		cal_day(&b->office->cal, d, &day);
		size_t ns = cal_slots(b->svc, &day, slots, CAL_MAX_SLOTS);
		for (size_t i = 0; i < ns && n < max; i++) {
			time_t t = clock_instant(d, slots[i].start);
			int taken = slot_counts_at(&taken_in, t);
			if (taken >= slots[i].capacity || t == asked ||
			    !cal_bookable(&b->office->cal, b->svc, d, slots[i].start, today, now, &why))
				continue;
			out[n].start = t;
			out[n].distance = labs((long)(t - asked));
			out[n++].crowding = (int)cal_crowding(taken, slots[i].capacity, day.peak_factor);
		}
	}
	return n;
}

/* A slot instant as the API writes it. */
static json_t *
instant_json(time_t t)
{
	char text[26];

	clock_format_jst(t, text);
	return json_string(text);
}

/* Counts around the asked slot arrived: answer 409 with up to three alternatives. */
static void
alternatives_done(struct request *r, const struct db_result *res)
{
	struct bk *b = r->ctx;
	static struct alt cand[ALTERNATIVE_DAYS * CAL_MAX_SLOTS / 4];
	time_t asked = clock_instant(b->date, b->minute);
	json_t *p, *list = json_array();
	size_t n;

	if (!res->ok) {
		json_decref(list);
		req_db_failed(r, res);
		return;
	}
	n = free_slots(b, res->pg, b->date, ALTERNATIVE_DAYS, asked, cand,
	    sizeof cand / sizeof cand[0]);
	qsort(cand, n, sizeof cand[0], alt_near);
	n = n < 3 ? n : 3;
	qsort(cand, n, sizeof cand[0], alt_cmp);
	for (size_t i = 0; i < n; i++)
		json_array_append_new(list, json_pack("{s:o, s:s}", "start", instant_json(cand[i].start),
		    "crowding", cal_crowding_name((enum cal_crowding)cand[i].crowding)));
	p = problem_field(409, "slot_full", "start", "every place in that slot is taken");
	json_object_set_new(p, "alternatives", list);
	req_problem_json(r, p);
}

/* Fetches the counts for days days from first, continuing with fn. */
static void
counts_send(struct request *r, cdate first, int days, request_db_fn *fn)
{
	struct bk *b = r->ctx;

	slot_counts_fetch(r, b->municipality, b->office->id, b->svc->id, first,
	    cdate_add_days(first, days), fn);
}

/* Looks for free places near the slot that was full. */
static void
alternatives_send(struct request *r)
{
	counts_send(r, ((struct bk *)r->ctx)->date, ALTERNATIVE_DAYS, alternatives_done);
}

/* Counts from the window's first day arrived: answer 422 before_renewal_window. */
static void
earliest_done(struct request *r, const struct db_result *res)
{
	struct bk *b = r->ctx;
	struct alt first;
	char opens[11];
	json_t *p;

	if (!res->ok) {
		req_db_failed(r, res);
		return;
	}
	p = problem_field(422, "before_renewal_window", "start",
	    "the visit is before the renewal window opens");
	json_object_set_new(p, "window_opens", json_string(date_or_null(b->verdict.window_opens_on,
	    opens)));
	json_object_set_new(p, "earliest_slot",
	    free_slots(b, res->pg, b->verdict.window_opens_on, EARLIEST_DAYS, 0, &first, 1) == 1 ?
	    instant_json(first.start) : json_null());
	req_problem_json(r, p);
}

/* Answers a refusal of the rules, with recovery members where they help. */
static void
rules_refused(struct request *r, struct bk *b)
{
	json_t *p;

	if (strcmp(b->verdict.code, "before_renewal_window") == 0 &&
	    b->verdict.window_opens_on != CDATE_NONE) {
		counts_send(r, b->verdict.window_opens_on, EARLIEST_DAYS, earliest_done);
		return;
	}
	p = problem_new(422, b->verdict.code, "the rules do not allow this visit; see the "
	    "eligibility answer for why");
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
	token_key(r, key);
	snprintf(context, sizeof context, "%s\n%s\n%s", b->municipality, b->idem_key,
	    b->request_hash);
	token_derive(key, context, token);
	req_header(r, "Idempotent-Replayed", "true");
	answer_created(r, PQgetvalue(res->pg, 0, 2), PQgetvalue(res->pg, 0, 1), token);
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
		bad_field(r, "invalid_header", "Idempotency-Key",
		    "1 to 128 letters, digits and -_.: please");
		return false;
	}
	b->idem_key = xstrdup(k);
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

/* Visit 1 of a two-visit route was read: check it, then go on. */
static void
first_visit_done(struct request *r, const struct db_result *res)
{
	struct bk *b = r->ctx;
	const PGresult *pg = res->pg;
	cdate earliest;

	if (!res->ok) {
		req_db_failed(r, res);
		return;
	}
	if (PQntuples(pg) != 1 || strcmp(PQgetvalue(pg, 0, B_VISITS), "2") != 0 ||
	    strcmp(PQgetvalue(pg, 0, B_VISIT), "1") != 0 ||
	    strcmp(PQgetvalue(pg, 0, B_OFFICE), b->office->id) != 0 ||
	    strcmp(PQgetvalue(pg, 0, B_STATUS), "cancelled") == 0) {
		req_problem_json(r, problem_field(422, "no_first_visit", "first_visit",
		    "there is no first visit of a two-visit route with that reference here"));
		return;
	}
	if (cdate_parse(PQgetvalue(pg, 0, B_SECOND), &earliest) && b->date < earliest) {
		json_t *p = problem_field(422, "second_visit_too_early", "start",
		    "the second visit must wait until the mailed form can have arrived");
		json_object_set_new(p, "second_visit_earliest", json_string(PQgetvalue(pg, 0, B_SECOND)));
		req_problem_json(r, p);
		return;
	}
	create_next(r);
}

/* Parses the rest of a booking body: hold, first visit, contact. */
static bool
parse_extras(struct request *r, json_t *body, struct bk *b)
{
	json_t *fv = json_object_get(body, "first_visit");

	if (!opt_string(r, body, "hold", "hold", &b->hold))
		return false;
	if (fv != NULL && !json_is_null(fv) && (!json_is_string(fv) ||
	    !token_reference_normalise(json_string_value(fv), b->first_visit))) {
		bad_field(r, "invalid_field", "first_visit", "first_visit must be a reference");
		return false;
	}
	return parse_contact(r, json_object_get(body, "contact"), b);
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
		elig_failed(r, &err);
	ok = ok && known_keys(r, body, create_keys) && parse_place(r, body, b) &&
	    parse_extras(r, body, b) && check_calendar(r, b) && check_rules(r, body, b, &er) &&
	    parse_idempotency(r, req_body_text(r), req_body_length(r), b);
	json_decref(body);
	if (!ok)
		return;
	if (!b->verdict.allowed) {
		rules_refused(r, b);
		return;
	}
	if (b->first_visit[0] != '\0') {
		const char *p[1] = { b->first_visit };

		if (!req_db(r, &stmt_get, p, first_visit_done))
			return;	/* it answered 503 */
		return;		/* first_visit_done goes on */
	}
	create_next(r);
}

/* What an existing booking's handlers share. */
struct manage {
	char reference[TOKEN_REF_LEN + 1];	/* from the path */
	char token_hash[65];			/* the caller's token, hashed */
	char *token;				/* the caller's token */
	cdate date;				/* reschedule: the new date */
	int minute;				/* and minute */
	int capacity;				/* and the new slot's places */
	time_t old_start;			/* the booking's current start */
	const struct config_office *office;	/* the booking's office */
	const struct cal_service *svc;		/* and service */
	bool staff;				/* the caller has a staff token, not the booking's */
	request_db_fn *step;			/* what reads the booking (re-run after a staff check) */
	char actor[40];				/* "resident" or "staff:<id>", for the audit log */
};

/* Frees a manage context. */
static void
manage_free(void *arg)
{
	struct manage *m = arg;

	free(m->token);
	free(m);
}

/*
 * Reads the reference and bearer token of a request. Answers 400/401 and
 * returns NULL when they are missing or malformed.
 */
static struct manage *
manage_begin(struct request *r)
{
	static const char *const none[] = { NULL };
	struct manage *m = xcalloc(1, sizeof *m);
	unsigned char key[TOKEN_KEY_BYTES];
	const char *token;

	r->ctx = m;
	r->ctx_free = manage_free;
	snprintf(m->actor, sizeof m->actor, "resident");
	if (!req_query_allow(r, none))
		return NULL;
	if (!token_reference_normalise(req_param(r, "reference"), m->reference)) {
		req_problem(r, 404, "booking_not_found", "no booking matches that reference and token");
		return NULL;
	}
	if (staff_token_present(r)) {
		m->staff = true;	/* checked against the booking's office once it is read */
		return m;
	}
	token = token_from_header(req_get_header(r, "Authorization"));
	if (token == NULL) {
		req_header(r, "WWW-Authenticate", "Bearer");
		req_problem(r, 401, "token_required", "send the booking's token as "
		    "Authorization: Bearer TOKEN");
		return NULL;
	}
	m->token = xstrdup(token);
	token_key(r, key);
	token_hash_hex(key, m->token, m->token_hash);
	return m;
}

static void manage_step(struct request *r, request_db_fn *fn);

/* A staff token was accepted for the booking's office: read it again as its owner. */
static void
manage_staff_ok(struct request *r)
{
	struct manage *m = r->ctx;

	snprintf(m->actor, sizeof m->actor, "staff:%s", r->staff_id);
	manage_step(r, m->step);
}

/*
 * True when the row exists and the caller may act on it: its token, or a staff
 * token for its office. Otherwise answers 404, or (staff, not checked yet)
 * starts the staff check, which reads the row again and goes on.
 */
static bool
manage_owns(struct request *r, const struct db_result *res)
{
	struct manage *m = r->ctx;
	unsigned char key[TOKEN_KEY_BYTES];

	if (!res->ok) {
		req_db_failed(r, res);
		return false;
	}
	if (m->staff && PQntuples(res->pg) == 1) {
		if (r->staff_role == STAFF_NONE) {
			staff_require(r, PQgetvalue(res->pg, 0, B_OFFICE), STAFF_STAFF,
			    manage_staff_ok);
			return false;
		}
		snprintf(m->token_hash, sizeof m->token_hash, "%s", PQgetvalue(res->pg, 0, B_HASH));
		return true;
	}
	if (m->staff) {
		req_problem(r, 404, "booking_not_found", "no booking matches that reference");
		return false;
	}
	token_key(r, key);
	if (PQntuples(res->pg) != 1 || !token_matches(key, m->token,
	    PQgetvalue(res->pg, 0, B_HASH))) {
		req_problem(r, 404, "booking_not_found", "no booking matches that reference and token");
		return false;
	}
	return true;
}

/* A text column, or NULL for SQL NULL. */
static const char *
col(const PGresult *pg, int c)
{
	return PQgetisnull(pg, 0, c) ? NULL : PQgetvalue(pg, 0, c);
}

/* An epoch column as an instant. */
static json_t *
col_instant(const PGresult *pg, int c)
{
	return instant_json((time_t)strtoll(PQgetvalue(pg, 0, c), NULL, 10));
}

/* The booking as GET shows it. */
static json_t *
booking_json(const PGresult *pg)
{
	json_t *answer = json_loads(PQgetvalue(pg, 0, B_ANSWER), 0, NULL);
	json_t *o = json_pack("{s:s, s:s, s:s, s:s, s:o, s:o, s:s, s:i, s:i, s:s?, s:s?, s:s}",
	    "reference", col(pg, B_REF), "status", col(pg, B_STATUS), "office", col(pg, B_OFFICE),
	    "service", col(pg, B_SERVICE), "start", col_instant(pg, B_START),
	    "end", col_instant(pg, B_END), "kind", col(pg, B_KIND),
	    "visits", atoi(PQgetvalue(pg, 0, B_VISITS)), "visit", atoi(PQgetvalue(pg, 0, B_VISIT)),
	    "first_visit", col(pg, B_FIRST), "second_visit_earliest", col(pg, B_SECOND),
	    "language", col(pg, B_LANG));

	if (answer != NULL) {
		json_object_set(o, "documents", json_object_get(answer, "documents"));
		json_object_set(o, "notices", json_object_get(answer, "notices"));
		json_decref(answer);
	}
	if (strcmp(PQgetvalue(pg, 0, B_PURGED), "t") != 0)
		json_object_set_new(o, "contact", json_pack("{s:s?, s:s?, s:s?}", "name",
		    col(pg, B_NAME), "email", col(pg, B_EMAIL), "phone", col(pg, B_PHONE)));
	return o;
}

/* GET: the row arrived. */
static void
get_done(struct request *r, const struct db_result *res)
{
	if (manage_owns(r, res))
		req_json(r, 200, booking_json(res->pg));
}

/* Reads the booking and continues with fn (which starts with manage_owns). */
static void
manage_step(struct request *r, request_db_fn *fn)
{
	struct manage *m = r->ctx;
	const char *p[1] = { m->reference };

	m->step = fn;
	if (!req_db(r, &stmt_get, p, fn))
		return;
}

/* Checks reference and token, reads the booking, and continues with fn. */
static void
manage_read(struct request *r, request_db_fn *fn)
{
	if (manage_begin(r) != NULL)
		manage_step(r, fn);
}

void
api_booking_get(struct request *r)
{
	manage_read(r, get_done);
}

/* DELETE: explains why nothing was cancelled. */
static void
cancel_explained(struct request *r, const struct db_result *res)
{
	if (!manage_owns(r, res))
		return;
	req_problem(r, 409, "not_cancellable", "the booking is %s and cannot be cancelled",
	    PQgetvalue(res->pg, 0, B_STATUS));
}

/* DELETE: the cancel statement ran. */
static void
cancel_done(struct request *r, const struct db_result *res)
{
	struct manage *m = r->ctx;
	const char *p[1] = { m->reference };

	if (!res->ok) {
		req_db_failed(r, res);
		return;
	}
	if (PQntuples(res->pg) == 1) {
		log_info("booking %s cancelled", m->reference);
		req_json(r, 200, json_pack("{s:s, s:s}", "reference", m->reference,
		    "status", "cancelled"));
		return;
	}
	if (!req_db(r, &stmt_get, p, cancel_explained))
		return;
}

/* Sends the cancel statement (the token's hash makes it the owner's act). */
static void
cancel_send(struct request *r)
{
	struct manage *m = r->ctx;
	const char *p[3] = { m->reference, m->token_hash, m->actor };

	if (!req_db(r, &stmt_cancel, p, cancel_done))
		return;
}

/* DELETE by staff: the booking was read and the staff token accepted. */
static void
cancel_staff_loaded(struct request *r, const struct db_result *res)
{
	if (manage_owns(r, res))
		cancel_send(r);
}

void
api_booking_cancel(struct request *r)
{
	struct manage *m = manage_begin(r);

	if (m == NULL)
		return;
	if (m->staff)
		manage_step(r, cancel_staff_loaded);
	else
		cancel_send(r);
}

/* Reschedule: the move statement ran. */
static void
move_done(struct request *r, const struct db_result *res)
{
	struct manage *m = r->ctx;
	const char *p[1] = { m->reference };

	if (!res->ok) {
		req_db_failed(r, res);
		return;
	}
	if (strcmp(PQgetvalue(res->pg, 0, 1), "1") == 0) {
		log_info("booking %s rescheduled", m->reference);
		if (!req_db(r, &stmt_get, p, get_done))
			return;	/* it answered 503 */
		return;		/* get_done answers with the moved booking */
	}
	if (strcmp(PQgetvalue(res->pg, 0, 0), "0") == 0) {
		req_problem(r, 409, "booking_changed", "the booking changed meanwhile; read it "
		    "and try again");
		return;
	}
	req_problem_json(r, problem_field(409, "slot_full", "start",
	    "every place in that slot is taken; the booking is unchanged"));
}

/* Checks the new slot against the calendar and the stored window; answers 422 if not. */
static bool
move_allowed(struct request *r, struct manage *m, const PGresult *pg)
{
	struct bk probe = { 0 };
	cdate opens, closes;

	probe.office = m->office;
	probe.svc = m->svc;
	probe.date = m->date;
	probe.minute = m->minute;
	if (!check_calendar(r, &probe))
		return false;
	m->capacity = probe.capacity;
	if (strcmp(PQgetvalue(pg, 0, B_KIND), "renewal") == 0 &&
	    cdate_parse(PQgetvalue(pg, 0, B_WOPEN), &opens) &&
	    cdate_parse(PQgetvalue(pg, 0, B_WCLOSE), &closes) &&
	    (m->date < opens || m->date > closes)) {
		json_t *p = problem_field(422, m->date < opens ? "before_renewal_window" :
		    "after_renewal_window", "start", "the new date is outside the renewal window "
		    "this booking was made for");
		json_object_set_new(p, "window_opens", json_string(PQgetvalue(pg, 0, B_WOPEN)));
		req_problem_json(r, p);
		return false;
	}
	return true;
}

static void move_send(struct request *r);

/*
 * Reschedule of a second visit: its first visit arrived; the new date must not
 * come before the mailed form can have arrived.
 */
static void
move_first_loaded(struct request *r, const struct db_result *res)
{
	struct manage *m = r->ctx;
	cdate second;

	if (!res->ok) {
		req_db_failed(r, res);
		return;
	}
	if (PQntuples(res->pg) == 1 && cdate_parse(PQgetvalue(res->pg, 0, B_SECOND), &second) &&
	    m->date < second) {
		json_t *p = problem_field(422, "second_visit_too_early", "start",
		    "the second visit must not come before the mailed form can arrive");
		json_object_set_new(p, "second_visit_earliest",
		    json_string(PQgetvalue(res->pg, 0, B_SECOND)));
		req_problem_json(r, p);
		return;
	}
	move_send(r);
}

/* Reschedule: the booking arrived; check the move and send it. */
static void
reschedule_loaded(struct request *r, const struct db_result *res)
{
	struct manage *m = r->ctx;
	const PGresult *pg = res->pg;

	if (!manage_owns(r, res))
		return;
	if (strcmp(PQgetvalue(pg, 0, B_STATUS), "booked") != 0) {
		req_problem(r, 409, "not_reschedulable", "the booking is %s",
		    PQgetvalue(pg, 0, B_STATUS));
		return;
	}
	m->office = config_office(r->cfg, PQgetvalue(pg, 0, B_OFFICE));
	m->svc = m->office ? cal_service_find(&m->office->cal, PQgetvalue(pg, 0, B_SERVICE)) : NULL;
	if (m->svc == NULL) {
		req_problem(r, 409, "office_gone", "the office no longer offers this service");
		return;
	}
	m->old_start = (time_t)strtoll(PQgetvalue(pg, 0, B_START), NULL, 10);
	if (clock_instant(m->date, m->minute) == m->old_start) {
		req_problem_json(r, problem_field(422, "same_slot", "start",
		    "the booking is already in that slot"));
		return;
	}
	if (!move_allowed(r, m, pg))
		return;
	if (strcmp(PQgetvalue(pg, 0, B_VISIT), "2") == 0 && !PQgetisnull(pg, 0, B_FIRST)) {
		const char *first[1] = { PQgetvalue(pg, 0, B_FIRST) };

		if (!req_db(r, &stmt_get, first, move_first_loaded))
			return;	/* it answered 503 */
		return;		/* move_first_loaded checks the date, then moves */
	}
	move_send(r);
}

/* Sends the move statement for a checked reschedule. */
static void
move_send(struct request *r)
{
	struct manage *m = r->ctx;
	char old[24], new_start[24], end[24], cap[12];
	const char *p[7];

	snprintf(old, sizeof old, "%lld", (long long)m->old_start);
	snprintf(new_start, sizeof new_start, "%lld", (long long)clock_instant(m->date, m->minute));
	snprintf(end, sizeof end, "%lld",
	    (long long)clock_instant(m->date, m->minute + m->svc->slot_minutes));
	snprintf(cap, sizeof cap, "%d", m->capacity);
	p[0] = m->reference, p[1] = m->token_hash, p[2] = old, p[3] = new_start;
	p[4] = cap, p[5] = end, p[6] = m->actor;
	if (!req_db(r, &stmt_move, p, move_done))
		return;
}

void
api_booking_reschedule(struct request *r)
{
	static const char *const keys[] = { "start", NULL };
	struct manage *m = manage_begin(r);
	json_t *body;
	struct bk probe = { 0 };
	bool ok;

	if (m == NULL || (body = req_body_object(r)) == NULL)
		return;
	ok = known_keys(r, body, keys) && parse_start(r, json_object_get(body, "start"), &probe);
	json_decref(body);
	if (!ok)
		return;
	m->date = probe.date;
	m->minute = probe.minute;
	manage_step(r, reschedule_loaded);
}

/* Appends text to an iCalendar property value, escaped per RFC 5545. */
static void
ics_text(char *out, size_t len, const char *s)
{
	size_t o = strlen(out);

	for (; *s != '\0' && o + 3 < len; s++) {
		if (*s == '\\' || *s == ';' || *s == ',') {
			out[o++] = '\\';
			out[o++] = *s;
		} else if (*s == '\n') {
			out[o++] = '\\';
			out[o++] = 'n';
		} else if ((unsigned char)*s >= 0x20) {
			out[o++] = *s;
		}
	}
	out[o] = '\0';
}

/* Formats an epoch column as an iCalendar UTC time (20261216T003000Z). */
static void
ics_time(const PGresult *pg, int c, char out[17])
{
	time_t t = (time_t)strtoll(PQgetvalue(pg, 0, c), NULL, 10);
	struct tm tm;

	gmtime_r(&t, &tm);
	strftime(out, 17, "%Y%m%dT%H%M%SZ", &tm);
}

/* .ics: the row arrived. */
static void
ics_done(struct request *r, const struct db_result *res)
{
	const PGresult *pg = res->pg;
	const struct config_office *o;
	char start[17], end[17], stamp[17], summary[512] = "", where[512] = "", text[2048];
	struct tm tm;
	time_t now = clock_now();
	int n;

	if (!manage_owns(r, res))
		return;
	o = config_office(r->cfg, PQgetvalue(pg, 0, B_OFFICE));
	ics_time(pg, B_START, start);
	ics_time(pg, B_END, end);
	gmtime_r(&now, &tm);
	strftime(stamp, sizeof stamp, "%Y%m%dT%H%M%SZ", &tm);
	ics_text(summary, sizeof summary, "マイナンバー窓口 / My Number counter: ");
	ics_text(summary, sizeof summary, PQgetvalue(pg, 0, B_REF));
	ics_text(where, sizeof where, o ? o->name.ja : PQgetvalue(pg, 0, B_OFFICE));
	n = snprintf(text, sizeof text, "BEGIN:VCALENDAR\r\nVERSION:2.0\r\n"
	    "PRODID:-//madoguchi//madoguchid//EN\r\nMETHOD:PUBLISH\r\nBEGIN:VEVENT\r\n"
	    "UID:%s@madoguchi\r\nDTSTAMP:%s\r\nDTSTART:%s\r\nDTEND:%s\r\nSUMMARY:%s\r\n"
	    "LOCATION:%s\r\nDESCRIPTION:%s %s\r\nSTATUS:%s\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n",
	    PQgetvalue(pg, 0, B_REF), stamp, start, end, summary, where,
	    PQgetvalue(pg, 0, B_SERVICE), PQgetvalue(pg, 0, B_REF),
	    strcmp(PQgetvalue(pg, 0, B_STATUS), "cancelled") == 0 ? "CANCELLED" : "CONFIRMED");
	req_header(r, "Content-Disposition", "attachment; filename=\"madoguchi.ics\"");
	req_text(r, 200, "text/calendar; charset=utf-8", text,
	    n > 0 && (size_t)n < sizeof text ? (size_t)n : strlen(text));
}

void
api_booking_ics(struct request *r)
{
	manage_read(r, ics_done);
}

/* Holds: the statement ran. */
static void
hold_done(struct request *r, const struct db_result *res)
{
	struct bk *b = r->ctx;
	char start[26];

	if (!res->ok) {
		req_db_failed(r, res);
		return;
	}
	if (PQntuples(res->pg) != 1) {
		alternatives_send(r);
		return;
	}
	slot_instant(b, b->minute, start);
	req_json(r, 201, json_pack("{s:s, s:s, s:s, s:s, s:o}", "hold", PQgetvalue(res->pg, 0, 0),
	    "office", b->office->id, "service", b->svc->id, "start", start, "expires_at",
	    instant_json(clock_now() + r->cfg->hold_seconds)));
}

void
api_hold_create(struct request *r)
{
	static const char *const none[] = { NULL };
	static const char *const keys[] = { "office", "service", "start", NULL };
	struct bk *b = xcalloc(1, sizeof *b);
	char id[TOKEN_TEXT_LEN + 1], start[24], cap[12], expires[24];
	const char *p[7];
	json_t *body;
	bool ok;

	r->ctx = b;
	r->ctx_free = bk_free;
	if (!req_query_allow(r, none) || (body = req_body_object(r)) == NULL)
		return;
	ok = known_keys(r, body, keys) && parse_place(r, body, b) && check_calendar(r, b);
	json_decref(body);
	if (!ok)
		return;
	token_new(id);
	snprintf(start, sizeof start, "%lld", (long long)clock_instant(b->date, b->minute));
	snprintf(cap, sizeof cap, "%d", b->capacity);
	snprintf(expires, sizeof expires, "%lld", (long long)(clock_now() + r->cfg->hold_seconds));
	p[0] = b->municipality, p[1] = b->office->id, p[2] = b->svc->id, p[3] = start;
	p[4] = cap, p[5] = id, p[6] = expires;
	if (!req_db(r, &stmt_hold, p, hold_done))
		return;
}

/* Logs a failed maintenance statement. */
static void
maintenance_done(const struct db_result *res, void *arg)
{
	if (!res->ok && !res->unavailable)
		log_error("bookings: %s failed: %s", (const char *)arg, res->error);
	else if (res->ok && PQcmdTuples((PGresult *)res->pg)[0] != '0' &&
	    PQcmdTuples((PGresult *)res->pg)[0] != '\0')
		log_info("bookings: %s: %s rows", (const char *)arg,
		    PQcmdTuples((PGresult *)res->pg));
}

/* Names of the maintenance jobs, for their log lines. */
static char job_holds[] = "expiring holds", job_purge[] = "purging personal fields",
    job_keys[] = "forgetting idempotency keys";

void
bookings_maintain(struct app *app, bool daily_jobs)
{
	char now[24], days[12];
	const char *p[2] = { now, days };

	if (!db_is_up(app->db))
		return;
	snprintf(now, sizeof now, "%lld", (long long)clock_now());
	snprintf(days, sizeof days, "%ld", app->cfg->retention_days);
	if (!db_exec(app->db, &stmt_expire_holds, p, maintenance_done, job_holds))
		return;
	if (!daily_jobs)
		return;
	if (!db_exec(app->db, &stmt_purge, p, maintenance_done, job_purge) ||
	    !db_exec(app->db, &stmt_forget_keys, NULL, maintenance_done, job_keys))
		log_warn("bookings: maintenance postponed: the database is busy");
}
