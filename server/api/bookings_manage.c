/*
 * An existing booking: GET, DELETE (cancel) and reschedule, by its token or a
 * staff token for its office. A cancel frees the place in the same statement; a
 * reschedule takes the new place and frees the old one together.
 */
#include "api/bookings.h"

#include "api/booking_manage.h"
#include "api/booking_request.h"
#include "app.h"
#include "avail_cache.h"
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
#include "staff.h"
#include "token.h"

#include <jansson.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/*
 * Both lock the booking, then the slots by key (migration 0005 says why);
 * every daemon hears which slots changed (AVAIL_NOTIFY_SQL).
 */
static struct db_stmt stmt_cancel = {
	"SELECT c.reference, c.visit, "
	AVAIL_NOTIFY_SQL("b.office", "b.service", "extract(epoch FROM b.starts_at)")
	" FROM booking_cancel($1, $2, $3) c JOIN bookings b ON b.reference = c.reference", 3, 0 };
/*
 * The statement reads the booking as it was before the move (its old slot),
 * so both slots' notifications go out when it moved. A first visit moves only
 * within the per-contact limit ($8 the window in days, $9 the limit), counted
 * as a new booking's is (migration 0012).
 */
static struct db_stmt stmt_move = {
	"SELECT m.outcome, m.detail, (SELECT count(*) FROM (SELECT "
	AVAIL_NOTIFY_SQL("b.office", "b.service", "t.at") " FROM bookings b, "
	"unnest(ARRAY[extract(epoch FROM b.starts_at)::float8, $4::float8]) t(at) "
	"WHERE b.reference = $1 AND m.outcome = 'moved') n) "
	"FROM booking_move($1, $2, $3, $4, $5, $6, $7, $8::int, $9::int) m", 9, 0 };

static void move_send(struct request *r);


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
struct manage *
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
	bk_token_key(r, key);
	token_hash_hex(key, m->token, m->token_hash);
	return m;
}

/* The staff token was accepted: read the booking as its office's staff. */
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
bool
manage_owns(struct request *r, const struct db_result *res)
{
	struct manage *m = r->ctx;
	unsigned char key[TOKEN_KEY_BYTES];

	if (!res->ok) {
		req_db_failed(r, res);
		return false;
	}
	/* The staff token was checked first; another office's booking reads as missing. */
	if (m->staff && PQntuples(res->pg) == 1 &&
	    staff_acts_for(r, PQgetvalue(res->pg, 0, B_OFFICE))) {
		snprintf(m->token_hash, sizeof m->token_hash, "%s", PQgetvalue(res->pg, 0, B_HASH));
		return true;
	}
	if (m->staff) {
		req_problem(r, 404, "booking_not_found", "no booking matches that reference");
		return false;
	}
	bk_token_key(r, key);
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
	return bk_instant_json((time_t)strtoll(PQgetvalue(pg, 0, c), NULL, 10));
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
void
manage_step(struct request *r, request_db_fn *fn)
{
	struct manage *m = r->ctx;
	const char *p[1] = { m->reference };

	m->step = fn;
	if (m->staff && r->staff_role == STAFF_NONE) {
		staff_require_any(r, STAFF_STAFF, manage_staff_ok);	/* the token first */
		return;
	}
	if (!req_db(r, &bk_stmt_get, p, fn))
		return;
}

/* Checks reference and token, reads the booking, and continues with fn. */
void
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

	if (!res->ok && strcmp(res->sqlstate, BK_SQLSTATE_DAY_CAPPED) == 0) {
		req_problem_json(r, problem_field(409, "day_capped", "start", "online bookings of "
		    "this service that day are capped, and the cap is reached; the booking is "
		    "unchanged"));
		return;
	}
	if (!res->ok) {
		req_db_failed(r, res);
		return;
	}
	if (PQntuples(res->pg) >= 1) {
		json_t *also = json_array();

		for (int i = 0; i < PQntuples(res->pg); i++) {
			if (strcmp(PQgetvalue(res->pg, i, 0), m->reference) != 0)
				json_array_append_new(also, json_string(PQgetvalue(res->pg, i, 0)));
		}
		log_info("booking %s cancelled (with %zu second visit)", m->reference,
		    json_array_size(also));
		req_json(r, 200, json_pack("{s:s, s:s, s:o}", "reference", m->reference,
		    "status", "cancelled", "also_cancelled", also));
		return;
	}
	if (!req_db(r, &bk_stmt_get, p, cancel_explained))
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
	const char *outcome, *detail;
	json_t *pj;

	if (!res->ok || PQntuples(res->pg) != 1) {
		req_db_failed(r, res);
		return;
	}
	outcome = PQgetvalue(res->pg, 0, 0);
	detail = PQgetvalue(res->pg, 0, 1);
	if (strcmp(outcome, "moved") == 0) {
		log_info("booking %s rescheduled", m->reference);
		if (!req_db(r, &bk_stmt_get, p, get_done))
			return;	/* it answered 503 */
		return;		/* get_done answers with the moved booking */
	}
	if (strcmp(outcome, "second_visit_conflict") == 0) {
		pj = problem_field(409, "second_visit_conflict", "start", "the second visit of "
		    "this route is booked too soon after that date; move or cancel it first");
		json_object_set_new(pj, "second_visit", json_string(detail));
		req_problem_json(r, pj);
		return;
	}
	if (strcmp(outcome, "second_visit_too_early") == 0) {
		pj = problem_field(422, "second_visit_too_early", "start",
		    "the second visit must not come before the mailed form can arrive");
		json_object_set_new(pj, "second_visit_earliest", json_string(detail));
		req_problem_json(r, pj);
		return;
	}
	if (strcmp(outcome, "changed") == 0) {
		req_problem(r, 409, "booking_changed", "the booking changed meanwhile; read it "
		    "and try again");
		return;
	}
	if (strcmp(outcome, "too_many_bookings") == 0) {
		char text[200];

		snprintf(text, sizeof text, "this contact already has %ld other bookings of this "
		    "service within %ld days of that date; the booking is unchanged",
		    r->cfg->bookings_per_contact, r->cfg->contact_window_days);
		req_problem_json(r, problem_field(409, "too_many_bookings", "start", text));
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
	if (!bk_check_calendar(r, &probe))
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
	m->old_end = (time_t)strtoll(PQgetvalue(pg, 0, B_END), NULL, 10);
	if (clock_instant(m->date, m->minute) == m->old_start) {
		req_problem_json(r, problem_field(422, "same_slot", "start",
		    "the booking is already in that slot"));
		return;
	}
	if (!move_allowed(r, m, pg))
		return;
	move_send(r);	/* the move checks the other visit of a two-visit route itself */
}

/* Sends the move statement for a checked reschedule. */
static void
move_send(struct request *r)
{
	struct manage *m = r->ctx;
	char old[24], new_start[24], end[24], cap[12], days[12], limit[12];
	const char *p[9];

	snprintf(old, sizeof old, "%lld", (long long)m->old_start);
	snprintf(new_start, sizeof new_start, "%lld", (long long)clock_instant(m->date, m->minute));
	snprintf(end, sizeof end, "%lld",
	    (long long)(clock_instant(m->date, m->minute) + (m->old_end > m->old_start ?
	    m->old_end - m->old_start : m->svc->slot_minutes * 60)));
	snprintf(cap, sizeof cap, "%d", m->capacity);
	p[0] = m->reference, p[1] = m->token_hash, p[2] = old, p[3] = new_start;
	snprintf(days, sizeof days, "%ld", r->cfg->contact_window_days);
	snprintf(limit, sizeof limit, "%ld", r->cfg->bookings_per_contact);
	p[4] = cap, p[5] = end, p[6] = m->actor, p[7] = days, p[8] = limit;
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
	ok = bk_known_keys(r, body, keys) && bk_parse_start(r, json_object_get(body, "start"), &probe);
	json_decref(body);
	if (!ok)
		return;
	m->date = probe.date;
	m->minute = probe.minute;
	manage_step(r, reschedule_loaded);
}
