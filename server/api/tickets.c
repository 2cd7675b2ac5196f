/*
 * POST /v1/offices/{office}/tickets: a walk-in ticket, or a reservation's
 * check-in. Tickets are numbered per office, day and service prefix by an
 * upsert in the statement that issues them, which also writes the audit row
 * and tells every daemon (pg_notify).
 */
#include "api/queue.h"

#include "api/queue_state.h"
#include "app.h"
#include "body.h"
#include "clock.h"
#include "config.h"
#include "core/cdate.h"
#include "core/problem.h"
#include "core/rules.h"
#include "core/waitest.h"
#include "core/xmalloc.h"
#include "log.h"
#include "request.h"
#include "core/calendar.h"
#include "staff.h"
#include "token.h"

#include <errno.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The label a ticket gets: prefix, '-', the day's number (3 digits, more past 999). */
#define LABEL_SQL "$4 || '-' || CASE WHEN last < 1000 THEN lpad(last::text, 3, '0') " \
	"ELSE last::text END"
/* Takes the next number of the day for the prefix. */
#define NUMBER_SQL(source) "n AS (INSERT INTO ticket_numbers AS t (municipality, office, " \
	"day, prefix, last) SELECT $1, $2, $3::date, $4, 1 " source " ON CONFLICT " \
	"(municipality, office, day, prefix) DO UPDATE SET last = t.last + 1 RETURNING last)"
/* What an issuing statement returns. */
#define ISSUED_SQL "a AS (INSERT INTO audit_log (municipality, actor, action, subject, " \
	"detail) SELECT $1, $7, 'ticket.issued', label, jsonb_build_object('office', $2::text, " \
	"'service', $5::text) FROM tk), ev AS (SELECT " EVENT_SQL("'issued'", "NULL::int") \
	" FROM (SELECT *, issued_at AS now_at FROM tk) x) " \
	"SELECT tk.id, tk.label, (SELECT count(*) FROM ev) FROM tk"

static struct db_stmt stmt_walk_in = {
	"WITH " NUMBER_SQL("") ", "
	"tk AS (INSERT INTO tickets (municipality, office, day, service, label, kind, issued_at, "
	"promised_wait_min, formula_wait_min) "
	"SELECT $1, $2, $3::date, $5, " LABEL_SQL ", 'walk_in', to_timestamp($6), $8::real, "
	"$9::real FROM n "
	"RETURNING id, municipality, office, label, service, issued_at), " ISSUED_SQL, 9, 0 };
static struct db_stmt stmt_check_in = {
	"WITH bk AS (UPDATE bookings SET status = 'checked_in', updated_at = now() "
	"WHERE reference = $8 AND municipality = $1 AND office = $2 AND service = $5 "
	"AND status = 'booked' AND starts_at = to_timestamp($9) RETURNING reference, starts_at), "
	NUMBER_SQL("FROM bk") ", "
	"tk AS (INSERT INTO tickets (municipality, office, day, service, label, kind, booking, "
	"due_at, issued_at, promised_wait_min, formula_wait_min) SELECT $1, $2, $3::date, $5, "
	LABEL_SQL ", 'reservation', bk.reference, bk.starts_at, to_timestamp($6), $10::real, "
	"$11::real FROM n, bk "
	"RETURNING id, municipality, office, label, service, issued_at), "
	"ci AS (INSERT INTO audit_log (municipality, actor, action, subject, detail) "
	"SELECT $1, $7, 'booking.checked_in', $8, jsonb_build_object('ticket', label) FROM tk), "
	ISSUED_SQL, 11, 0 };
static struct db_stmt stmt_booking = {
	"SELECT municipality, office, service, status, extract(epoch FROM starts_at)::bigint "
	"FROM bookings WHERE reference = $1", 1, 0 };

/* The issued ticket as the 201 shows it, with position, estimate and flag. */
static void
ticket_answer(struct request *r)
{
	struct queue_ctx *q = r->ctx;
	char issued[26];

	clock_format_jst(q->now, issued);
	req_json(r, 201, json_pack("{s:I, s:s, s:s, s:o, s:s, s:I, s:i, s:s, s:s}",
	    "ticket", (json_int_t)q->ticket_id, "number", q->label, "service", q->svc->id,
	    "service_names", queue_service_names(q->svc->id), "office", q->office->id,
	    "position", (json_int_t)(q->ahead + 1), "estimated_wait_min", (int)(q->wait_min + 0.5),
	    "flag", waitest_flag_name(waitest_flag(q->wait_min, (double)r->cfg->queue_busy_minutes,
	    (double)r->cfg->queue_very_busy_minutes)), "issued_at", issued));
}

/* The issuing statement ran. */
static void
issued(struct request *r, const struct db_result *res)
{
	struct queue_ctx *q = r->ctx;

	if (!res->ok) {
		req_db_failed(r, res);
		return;
	}
	if (PQntuples(res->pg) != 1) {
		req_problem_json(r, problem_field(409, "booking_changed", "booking",
		    "the booking changed meanwhile (cancelled, moved or already checked in)"));
		return;
	}
	q->ticket_id = strtoll(PQgetvalue(res->pg, 0, 0), NULL, 10);
	snprintf(q->label, sizeof q->label, "%s", PQgetvalue(res->pg, 0, 1));
	log_info("ticket %s issued at %s for %s", q->label, q->office->id, q->svc->id);
	ticket_answer(r);
}

/* Sends the statement that issues a ticket (a walk-in, or a check-in when booking is set). */
static void
issue_send(struct request *r)
{
	struct queue_ctx *q = r->ctx;
	char now[24], prefix[2], start[24], who[40], promised[32], formula[32];
	const char *p[11];

	queue_prefix_of(q->svc->id, prefix);
	snprintf(now, sizeof now, "%lld", (long long)q->now);
	snprintf(start, sizeof start, "%lld", (long long)q->booking_start);
	p[0] = q->municipality, p[1] = q->office->id, p[2] = q->day, p[3] = prefix;
	p[4] = q->svc->id, p[5] = now, p[6] = queue_actor(r, who), p[7] = q->booking, p[8] = start;
	/* What the resident is told, as shown (whole minutes), for the accuracy report. */
	snprintf(promised, sizeof promised, "%d", (int)(q->wait_min + 0.5));
	snprintf(formula, sizeof formula, "%.3f", q->formula_min);
	p[9] = promised, p[10] = q->formula_min >= 0 ? formula : NULL;
	if (q->booking[0] == '\0')	/* a walk-in's statement takes them as $8 and $9 */
		p[7] = p[9], p[8] = p[10];
	if (!req_db(r, q->booking[0] ? &stmt_check_in : &stmt_walk_in, p, issued))
		return;
}

/*
 * Today's queue arrived: the new ticket's place, the learned estimate it will
 * be promised, and what the fixed formula (handling time x tickets ahead /
 * counters serving the service) would have said; then issue it with both.
 */
static void
estimated(struct request *r, const struct db_result *res)
{
	struct queue_ctx *q = r->ctx;
	struct estimate_input *in;
	int s = queue_service_index(q->office, q->svc->id);
	int counters = queue_counters_serving(q->office, s);

	if (!res->ok) {
		req_db_failed(r, res);
		return;
	}
	in = xmalloc(sizeof *in);
	if (!queue_estimate_load(r->cfg, q->office, res->pg, q->now, in)) {
		free(in);
		req_problem(r, 500, "internal_error", "the wait could not be estimated");
		return;
	}
	q->ahead = in->waiting[s] + in->due[s];
	q->wait_min = queue_estimate_minutes(q->office, in, s, q->now);
	q->formula_min = counters > 0 ? q->office->cal.services[s].slot_minutes *
	    (double)q->ahead / counters : -1;
	waitest_free(in->est);
	free(in);
	issue_send(r);
}

/* The office is open now (the calendar says so), else answers 422. */
static bool
office_open_now(struct request *r, struct queue_ctx *q)
{
	struct cal_day day;
	cdate today;
	int minute;

	clock_jst(q->now, &today, &minute);
	cal_day(&q->office->cal, today, &day);
	for (size_t i = 0; i < day.hours.n; i++) {
		if (minute >= day.hours.iv[i].from && minute < day.hours.iv[i].to)
			return true;
	}
	req_problem(r, 422, "office_closed", "the office is not open now");
	return false;
}

/* Check-in: the booking arrived; check office, day and the grace window. */
static void
booking_loaded(struct request *r, const struct db_result *res)
{
	struct queue_ctx *q = r->ctx;
	const PGresult *pg = res->pg;
	long early = r->cfg->queue_checkin_early_minutes * 60;
	long late = r->cfg->queue_checkin_late_minutes * 60;
	char opens[26], *detail;
	json_t *p;

	if (!res->ok) {
		req_db_failed(r, res);
		return;
	}
	if (PQntuples(pg) != 1 || strcmp(PQgetvalue(pg, 0, 1), q->office->id) != 0) {
		req_problem_json(r, problem_field(404, "booking_not_found", "booking",
		    "no booking with that reference at this office"));
		return;
	}
	if (strcmp(PQgetvalue(pg, 0, 3), "booked") != 0) {
		req_problem_json(r, problem_field(409, "booking_not_open", "booking",
		    "the booking is not waiting for a check-in (cancelled or already checked in)"));
		return;
	}
	q->booking_start = (time_t)strtoll(PQgetvalue(pg, 0, 4), NULL, 10);
	q->svc = cal_service_find(&q->office->cal, PQgetvalue(pg, 0, 2));
	if (q->svc == NULL) {
		req_problem(r, 409, "service_not_offered", "the office no longer offers that service");
		return;
	}
	if (q->now < q->booking_start - early) {
		clock_format_jst(q->booking_start - early, opens);
		if (asprintf(&detail, "check-in opens at %.5s on %.10s, %ld minutes before the "
		    "reserved time; please come back then", opens + 11, opens, early / 60) == -1)
			abort();
		p = problem_field(422, "too_early", "booking", detail);
		free(detail);
		json_object_set_new(p, "opens_at", json_string(opens));
		req_problem_json(r, p);
		return;
	}
	if (q->now > q->booking_start + late) {
		req_problem_json(r, problem_field(422, "too_late", "booking", "the reserved time "
		    "has passed; take a walk-in ticket if the service allows it, or book again"));
		return;
	}
	queue_state_send(r, estimated);
}

/* The kiosk or staff token was accepted: issue the ticket. */
static void
ticket_authorized(struct request *r)
{
	struct queue_ctx *q = r->ctx;
	const char *p[1] = { q->booking };
	struct cal_day day;

	if (!office_open_now(r, q))
		return;
	if (q->booking[0] != '\0') {
		if (!req_db(r, &stmt_booking, p, booking_loaded))
			return;
		return;
	}
	cal_day(&q->office->cal, cdate_from_time(q->now), &day);
	if (cal_day_policy(q->svc, &day) == CAL_POLICY_REQUIRED) {
		req_problem_json(r, problem_field(422, "reservation_required", "service",
		    "this service is by reservation only today; book a slot"));
		return;
	}
	queue_state_send(r, estimated);
}

/* Reads {"service"} or {"booking"}; answers 400/404 when neither is usable. */
static bool
parse_ticket_body(struct request *r, struct queue_ctx *q, json_t *body)
{
	const char *service;
	json_t *p = body_ticket(body, &service, q->booking);

	if (p == NULL && service != NULL &&
	    (q->svc = cal_service_find(&q->office->cal, service)) == NULL)
		p = problem_field(404, "service_not_offered", "service",
		    "this office offers no such service");
	if (p == NULL)
		return true;
	req_problem_json(r, p);
	return false;
}

void
api_ticket_create(struct request *r)
{
	static const char *const none[] = { NULL };
	struct queue_ctx *q;
	json_t *body;
	bool ok;

	if ((q = queue_begin(r, req_param(r, "office"))) == NULL || !req_query_allow(r, none) ||
	    (body = req_body_object(r)) == NULL)
		return;
	ok = parse_ticket_body(r, q, body);
	json_decref(body);
	if (ok)
		staff_require(r, q->office->id, STAFF_KIOSK, ticket_authorized);
}
