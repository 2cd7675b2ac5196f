/*
 * The queue. Tickets are numbered per office, day and service prefix by an
 * upsert in the statement that issues them; calling the next ticket, and
 * every other state change, is one statement that also writes the audit row
 * and tells every daemon (pg_notify) so lobby displays follow. Wait estimates
 * are computed from the day's finished tickets in the database, so every
 * daemon gives the same answer, also after a restart.
 */
#include "api/queue.h"

#include "app.h"
#include "core/cdate.h"
#include "clock.h"
#include "config.h"
#include "log.h"
#include "core/problem.h"
#include "request.h"
#include "core/rules.h"
#include "staff.h"
#include "token.h"
#include "core/waitest.h"
#include "core/xmalloc.h"

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
/* An event for every daemon's listeners; rows come from the CTE named in FROM. */
#define EVENT_SQL(type, counter) "pg_notify('madoguchi_events', json_build_object('type', " \
	type ", 'municipality', municipality, 'office', office, 'ticket', label, 'service', " \
	"service, 'counter', " counter ", 'at', to_char(now_at AT TIME ZONE 'Asia/Tokyo', " \
	"'YYYY-MM-DD\"T\"HH24:MI:SS\"+09:00\"'))::text)"
/* What an issuing statement returns. */
#define ISSUED_SQL "a AS (INSERT INTO audit_log (municipality, actor, action, subject, " \
	"detail) SELECT $1, $7, 'ticket.issued', label, jsonb_build_object('office', $2::text, " \
	"'service', $5::text) FROM tk), ev AS (SELECT " EVENT_SQL("'issued'", "NULL::int") \
	" FROM (SELECT *, issued_at AS now_at FROM tk) x) " \
	"SELECT tk.id, tk.label, (SELECT count(*) FROM ev) FROM tk"

static struct db_stmt stmt_walk_in = {
	"WITH " NUMBER_SQL("") ", "
	"tk AS (INSERT INTO tickets (municipality, office, day, service, label, kind, issued_at) "
	"SELECT $1, $2, $3::date, $5, " LABEL_SQL ", 'walk_in', to_timestamp($6) FROM n "
	"RETURNING id, municipality, office, label, service, issued_at), " ISSUED_SQL, 7, 0 };
static struct db_stmt stmt_check_in = {
	"WITH bk AS (UPDATE bookings SET status = 'checked_in', updated_at = now() "
	"WHERE reference = $8 AND municipality = $1 AND office = $2 AND service = $5 "
	"AND status = 'booked' AND starts_at = to_timestamp($9) RETURNING reference, starts_at), "
	NUMBER_SQL("FROM bk") ", "
	"tk AS (INSERT INTO tickets (municipality, office, day, service, label, kind, booking, "
	"due_at, issued_at) SELECT $1, $2, $3::date, $5, " LABEL_SQL ", 'reservation', "
	"bk.reference, bk.starts_at, to_timestamp($6) FROM n, bk "
	"RETURNING id, municipality, office, label, service, issued_at), "
	"ci AS (INSERT INTO audit_log (municipality, actor, action, subject, detail) "
	"SELECT $1, $7, 'booking.checked_in', $8, jsonb_build_object('ticket', label) FROM tk), "
	ISSUED_SQL, 9, 0 };
static struct db_stmt stmt_booking = {
	"SELECT municipality, office, service, status, extract(epoch FROM starts_at)::bigint "
	"FROM bookings WHERE reference = $1", 1, 0 };
static struct db_stmt stmt_next = {
	"WITH prev AS (UPDATE tickets SET status = 'done', done_at = to_timestamp($7) "
	"WHERE municipality = $1 AND office = $2 AND day = $3::date AND counter = $4 "
	"AND status = 'called' RETURNING municipality, office, label, service, done_at AS now_at), "
	"pick AS (SELECT id, issued_at, kind FROM tickets WHERE municipality = $1 AND office = $2 "
	"AND day = $3::date AND status = 'waiting' AND service = ANY($5::text[]) "
	"ORDER BY passed_over >= $6 DESC, "
	"(kind = 'reservation' AND due_at <= to_timestamp($7)) DESC, "
	"CASE WHEN kind = 'reservation' AND due_at <= to_timestamp($7) THEN due_at END, "
	"kind = 'walk_in' DESC, issued_at, id LIMIT 1 FOR UPDATE SKIP LOCKED), "
	"called AS (UPDATE tickets t SET status = 'called', counter = $4, "
	"called_at = to_timestamp($7) FROM pick WHERE t.municipality = $1 AND t.id = pick.id "
	"RETURNING t.id, t.municipality, t.office, t.label, t.service, t.kind, t.booking, "
	"t.called_at AS now_at), "
	"passed AS (UPDATE tickets t SET passed_over = t.passed_over + 1 FROM pick "
	"WHERE pick.kind = 'reservation' AND t.municipality = $1 AND t.office = $2 "
	"AND t.day = $3::date AND t.status = 'waiting' AND t.kind = 'walk_in' "
	"AND t.service = ANY($5::text[]) AND (t.issued_at, t.id) < (pick.issued_at, pick.id)), "
	"ad AS (INSERT INTO audit_log (municipality, actor, action, subject, detail) "
	"SELECT $1, $8, 'ticket.called', label, jsonb_build_object('counter', $4::int) FROM called "
	"UNION ALL SELECT $1, $8, 'ticket.done', label, '{}'::jsonb FROM prev), "
	"ev AS (SELECT " EVENT_SQL("'called'", "$4::int") " FROM called UNION ALL "
	"SELECT " EVENT_SQL("'done'", "$4::int") " FROM prev) "
	"SELECT (SELECT count(*) FROM ev), c.id, c.label, c.service, c.kind, c.booking, "
	"extract(epoch FROM c.now_at)::bigint FROM (SELECT 1) one LEFT JOIN called c ON true",
	8, 0 };
static struct db_stmt stmt_ticket = {
	"SELECT municipality, office, label, service, status, counter, recalls, kind "
	"FROM tickets WHERE id = $1", 1, 0 };
/* A state change: $1 id, $2 now, $3 actor, $4 from-states, $5 min recalls, $6 service. */
static struct db_stmt stmt_change = {
	"WITH t AS (UPDATE tickets SET "
	"status = CASE $7 WHEN 'done' THEN 'done' WHEN 'no_show' THEN 'no_show' "
	"WHEN 'recalled' THEN 'called' ELSE 'waiting' END, "
	"done_at = CASE WHEN $7 IN ('done', 'no_show') THEN to_timestamp($2) ELSE done_at END, "
	"called_at = CASE $7 WHEN 'recalled' THEN to_timestamp($2) WHEN 'transferred' THEN NULL "
	"ELSE called_at END, "
	"recalls = recalls + CASE $7 WHEN 'recalled' THEN 1 ELSE 0 END, "
	"counter = CASE $7 WHEN 'transferred' THEN NULL ELSE counter END, "
	"transfers = transfers + CASE $7 WHEN 'transferred' THEN 1 ELSE 0 END, "
	"service = COALESCE($6, service) "
	"WHERE id = $1 AND status = ANY($4::text[]) AND recalls >= $5 "
	"RETURNING municipality, office, label, service, counter, status, to_timestamp($2) AS now_at), "
	"a AS (INSERT INTO audit_log (municipality, actor, action, subject) "
	"SELECT municipality, $3, 'ticket.' || $7, label FROM t), "
	"ev AS (SELECT " EVENT_SQL("$7", "counter") " FROM t) "
	"SELECT (SELECT count(*) FROM ev), t.label, t.status, t.service FROM t", 7, 0 };
static struct db_stmt stmt_state = {
	"SELECT 'open', id, label, service, kind, status, counter, "
	"extract(epoch FROM issued_at)::bigint, extract(epoch FROM due_at)::bigint, "
	"extract(epoch FROM called_at)::bigint FROM tickets "
	"WHERE municipality = $1 AND office = $2 AND day = $3::date "
	"AND status IN ('waiting', 'called') "
	"UNION ALL SELECT 'done', id, label, service, kind, status, counter, "
	"extract(epoch FROM called_at)::bigint, extract(epoch FROM done_at)::bigint, NULL "
	"FROM (SELECT *, row_number() OVER (PARTITION BY service ORDER BY done_at DESC) AS rn "
	"FROM tickets WHERE municipality = $1 AND office = $2 AND day = $3::date "
	"AND status = 'done' AND called_at IS NOT NULL) d WHERE rn <= 32 "
	"ORDER BY 10 DESC NULLS LAST, 9", 3, 0 };

/* Columns of stmt_state. */
enum { S_KIND, S_ID, S_LABEL, S_SERVICE, S_TKIND, S_STATUS, S_COUNTER, S_T1, S_T2, S_T3 };

/* A queue request on its way through its statements. */
struct queue_ctx {
	const struct config_office *office;	/* the office (the request's config) */
	const char *municipality;		/* its municipality */
	char day[11];				/* today in Tokyo, YYYY-MM-DD */
	time_t now;				/* the daemon clock when the request came */
	const struct cal_service *svc;		/* the service of a new ticket */
	char booking[TOKEN_REF_LEN + 1];	/* check-in: the booking */
	time_t booking_start;			/* check-in: its slot */
	long long ticket_id;			/* the ticket acted on or issued */
	char label[16];				/* and its number */
	char action[16];			/* a state change: done, no_show, ... */
	const char *transfer_to;		/* transfer: the new service (office's id) */
	bool was_called;			/* a state change: the ticket was at a counter */
	int counter;				/* a counter number */
};

/* The actor of an audit row: "kiosk:<id>", else "staff:<id>" (managers act as staff). */
static const char *
actor(struct request *r, char buf[40])
{
	snprintf(buf, 40, "%s:%s", r->staff_role == STAFF_KIOSK ? "kiosk" : "staff", r->staff_id);
	return buf;
}

/* Starts a queue context for the office in the path; answers 404 when unknown. */
static struct queue_ctx *
queue_begin(struct request *r, const char *office_id)
{
	struct queue_ctx *q = xcalloc(1, sizeof *q);

	r->ctx = q;
	r->ctx_free = free;
	q->now = clock_now();
	cdate_format(cdate_from_time(q->now), q->day);
	q->office = office_id ? config_office(r->cfg, office_id) : NULL;
	if (office_id != NULL && q->office == NULL) {
		req_problem(r, 404, "unknown_office", "there is no office with that id");
		return NULL;
	}
	if (q->office != NULL)
		q->municipality = r->cfg->municipalities[q->office->municipality].id;
	return q;
}

/* The ticket prefix of a service: A for the first service id of API.md, and so on. */
static void
prefix_of(const char *service, char out[2])
{
	enum rules_service s;

	out[0] = rules_service_parse(service, &s) ? (char)('A' + (int)s) : 'Z';
	out[1] = '\0';
}

/* The index of service in the office's services, or -1. */
static int
service_index(const struct config_office *o, const char *service)
{
	for (size_t i = 0; i < o->cal.nservices; i++) {
		if (strcmp(o->cal.services[i].id, service) == 0)
			return (int)i;
	}
	return -1;
}

/* Counters of the office that serve service index i, counted. */
static int
counters_serving(const struct config_office *o, int i)
{
	int n = 0;

	for (size_t c = 0; c < o->ncounters; c++)
		n += (o->counters[c].services >> i) & 1u;
	return n;
}

/* The estimate inputs gathered from the open and finished tickets of today. */
struct estimate_input {
	struct waitest *est;					/* learned from finished tickets */
	size_t waiting[CAL_MAX_SERVICES];			/* walk-ins waiting, per service */
	size_t due[CAL_MAX_SERVICES];				/* reservations due, per service */
	struct waitest_serving serving[CONFIG_MAX_COUNTERS];	/* tickets being served */
	int serving_counter[CONFIG_MAX_COUNTERS];		/* and at which counter */
	size_t nserving;
	double upcoming[CAL_MAX_SERVICES][64];			/* seconds to later reservations */
	size_t nupcoming[CAL_MAX_SERVICES];
};

/* Reads the state rows into an estimator; NULL without memory. */
static bool
estimate_load(const struct config_office *o, const PGresult *pg, time_t now,
    struct estimate_input *in)
{
	double seeds[CAL_MAX_SERVICES];

	memset(in, 0, sizeof *in);
	for (size_t i = 0; i < o->cal.nservices; i++)
		seeds[i] = o->cal.services[i].slot_minutes;
	if ((in->est = waitest_new(seeds, o->cal.nservices)) == NULL)
		return false;
	for (int row = 0; row < PQntuples(pg); row++) {
		int s = service_index(o, PQgetvalue(pg, row, S_SERVICE));
		bool open = strcmp(PQgetvalue(pg, row, S_KIND), "open") == 0;
		long long t1 = strtoll(PQgetvalue(pg, row, S_T1), NULL, 10);
		long long t2 = strtoll(PQgetvalue(pg, row, S_T2), NULL, 10);

		if (s < 0)
			continue;
		if (!open) {
			/* Absurd durations (a ticket left open over lunch) are refused: fine. */
			if (!waitest_observe(in->est, (size_t)s, (double)(t2 - t1), t2))
				continue;
		} else if (strcmp(PQgetvalue(pg, row, S_STATUS), "called") == 0) {
			if (in->nserving < CONFIG_MAX_COUNTERS) {
				in->serving_counter[in->nserving] =
				    atoi(PQgetvalue(pg, row, S_COUNTER));
				in->serving[in->nserving].service = (size_t)s;
				in->serving[in->nserving++].elapsed_s = (double)(now -
				    strtoll(PQgetvalue(pg, row, S_T3), NULL, 10));
			}
		} else if (strcmp(PQgetvalue(pg, row, S_TKIND), "walk_in") == 0) {
			in->waiting[s]++;
		} else if (t2 <= (long long)now) {
			in->due[s]++;
		} else if (in->nupcoming[s] < 64) {
			in->upcoming[s][in->nupcoming[s]++] = (double)(t2 - (long long)now);
		}
	}
	return true;
}

/* The estimated wait for a newcomer to service index s, in minutes. */
static double
estimate_minutes(const struct config_office *o, const struct estimate_input *in, int s,
    time_t now)
{
	struct waitest_serving busy[CONFIG_MAX_COUNTERS];
	struct waitest_queue q = {
		.waiting = in->waiting[s], .due = in->due[s], .serving = busy,
		.upcoming_s = in->upcoming[s], .n_upcoming = in->nupcoming[s],
		.counters = counters_serving(o, s),
	};

	/* Only tickets at counters that serve s stand between a newcomer and them. */
	for (size_t i = 0; i < in->nserving; i++) {
		const struct config_counter *c = config_counter(o, in->serving_counter[i]);
		if (c != NULL && (c->services >> s & 1u))
			busy[q.n_serving++] = in->serving[i];
	}
	return waitest_estimate(in->est, (size_t)s, &q, (int64_t)now);
}

/* A service's names for residents, {"ja", "en"}. */
static json_t *
service_names(const char *service)
{
	enum rules_service id;

	if (!rules_service_parse(service, &id))
		return json_pack("{s:s, s:s}", "ja", service, "en", service);
	return json_pack("{s:s, s:s}", "ja", rules_service_label(id, RULES_LANG_JA), "en",
	    rules_service_label(id, RULES_LANG_EN));
}

/* Sends the queue-state statement, continuing with fn. */
static void
state_send(struct request *r, request_db_fn *fn)
{
	struct queue_ctx *q = r->ctx;
	const char *p[3] = { q->municipality, q->office->id, q->day };

	if (!req_db(r, &stmt_state, p, fn))
		return;
}

/* Takes a just-issued ticket out of the counts it was loaded into (walk-in, due or later). */
static void
forget_new_ticket(const struct queue_ctx *q, struct estimate_input *in, int s)
{
	double later = (double)(q->booking_start - q->now);

	if (q->booking[0] == '\0') {
		if (in->waiting[s] > 0)
			in->waiting[s]--;
	} else if (q->booking_start <= q->now) {
		if (in->due[s] > 0)
			in->due[s]--;
	} else {
		for (size_t i = 0; i < in->nupcoming[s]; i++) {
			if (in->upcoming[s][i] == later) {
				in->upcoming[s][i] = in->upcoming[s][--in->nupcoming[s]];
				break;
			}
		}
	}
}

/* The issued ticket as the 201 shows it, with position, estimate and flag. */
static void
ticket_answer(struct request *r, const struct db_result *res)
{
	struct queue_ctx *q = r->ctx;
	struct estimate_input *in;
	int s = service_index(q->office, q->svc->id);
	double wait;
	size_t ahead;
	char issued[26];

	if (!res->ok) {
		req_db_failed(r, res);
		return;
	}
	in = xmalloc(sizeof *in);
	if (!estimate_load(q->office, res->pg, q->now, in)) {
		free(in);
		req_problem(r, 500, "internal_error", "the wait could not be estimated");
		return;
	}
	/* The new ticket is among the rows: it waits behind the others, not itself. */
	forget_new_ticket(q, in, s);
	ahead = in->waiting[s] + in->due[s];
	wait = estimate_minutes(q->office, in, s, q->now);
	waitest_free(in->est);
	free(in);
	clock_format_jst(q->now, issued);
	req_json(r, 201, json_pack("{s:I, s:s, s:s, s:o, s:s, s:I, s:i, s:s, s:s}",
	    "ticket", (json_int_t)q->ticket_id, "number", q->label, "service", q->svc->id,
	    "service_names", service_names(q->svc->id), "office", q->office->id,
	    "position", (json_int_t)(ahead + 1), "estimated_wait_min", (int)(wait + 0.5),
	    "flag", waitest_flag_name(waitest_flag(wait, (double)r->cfg->queue_busy_minutes,
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
	state_send(r, ticket_answer);
}

/* Sends the statement that issues a ticket (a walk-in, or a check-in when booking is set). */
static void
issue_send(struct request *r)
{
	struct queue_ctx *q = r->ctx;
	char now[24], prefix[2], start[24], who[40];
	const char *p[9];

	prefix_of(q->svc->id, prefix);
	snprintf(now, sizeof now, "%lld", (long long)q->now);
	snprintf(start, sizeof start, "%lld", (long long)q->booking_start);
	p[0] = q->municipality, p[1] = q->office->id, p[2] = q->day, p[3] = prefix;
	p[4] = q->svc->id, p[5] = now, p[6] = actor(r, who), p[7] = q->booking, p[8] = start;
	if (!req_db(r, q->booking[0] ? &stmt_check_in : &stmt_walk_in, p, issued))
		return;
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
	char opens[26];
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
		p = problem_field(422, "too_early", "booking", "check-in opens a little before "
		    "the reserved time; please come back then");
		json_object_set_new(p, "checkin_opens_at", json_string(opens));
		req_problem_json(r, p);
		return;
	}
	if (q->now > q->booking_start + late) {
		req_problem_json(r, problem_field(422, "too_late", "booking", "the reserved time "
		    "has passed; take a walk-in ticket if the service allows it, or book again"));
		return;
	}
	issue_send(r);
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
	issue_send(r);
}

/* Reads {"service"} or {"booking"}; answers 400/404 when neither is usable. */
static bool
parse_ticket_body(struct request *r, struct queue_ctx *q, json_t *body)
{
	json_t *svc = json_object_get(body, "service"), *bk = json_object_get(body, "booking");
	const char *key;
	json_t *v;

	json_object_foreach(body, key, v) {
		if (strcmp(key, "service") != 0 && strcmp(key, "booking") != 0) {
			req_problem_json(r, problem_field(400, "unknown_field", key,
			    "a ticket takes service or booking"));
			return false;
		}
	}
	if ((svc == NULL) == (bk == NULL)) {
		req_problem_json(r, problem_field(400, "missing_field", "service",
		    "give either service (a walk-in) or booking (a check-in)"));
		return false;
	}
	if (bk != NULL) {
		if (!json_is_string(bk) || !token_reference_normalise(json_string_value(bk),
		    q->booking)) {
			req_problem_json(r, problem_field(400, "invalid_field", "booking",
			    "booking must be a reference such as K7Q-4MXD"));
			return false;
		}
		return true;
	}
	if (!json_is_string(svc) ||
	    (q->svc = cal_service_find(&q->office->cal, json_string_value(svc))) == NULL) {
		req_problem_json(r, problem_field(json_is_string(svc) ? 404 : 400,
		    json_is_string(svc) ? "service_not_offered" : "invalid_field", "service",
		    "this office offers no such service"));
		return false;
	}
	return true;
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

/* The next-ticket statement ran. */
static void
next_done(struct request *r, const struct db_result *res)
{
	struct queue_ctx *q = r->ctx;
	const PGresult *pg = res->pg;
	char called[26];

	if (!res->ok) {
		req_db_failed(r, res);
		return;
	}
	if (PQgetisnull(pg, 0, 1)) {
		req_text(r, 204, "application/json", "", 0);
		return;
	}
	log_info("ticket %s called to counter %d at %s", PQgetvalue(pg, 0, 2), q->counter,
	    q->office->id);
	clock_format_jst((time_t)strtoll(PQgetvalue(pg, 0, 6), NULL, 10), called);
	req_json(r, 200, json_pack("{s:I, s:s, s:s, s:s, s:s?, s:i, s:s, s:s}",
	    "ticket", (json_int_t)strtoll(PQgetvalue(pg, 0, 1), NULL, 10),
	    "number", PQgetvalue(pg, 0, 2), "service", PQgetvalue(pg, 0, 3),
	    "kind", PQgetvalue(pg, 0, 4), "booking", PQgetisnull(pg, 0, 5) ? NULL :
	    PQgetvalue(pg, 0, 5), "counter", q->counter, "status", "called", "called_at", called));
}

/* Formats a counter's services as a PostgreSQL text[] literal ({a,b}). */
static void
services_array(const struct config_office *o, const struct config_counter *c, char *buf,
    size_t len)
{
	size_t n = 0;

	n += (size_t)snprintf(buf, len, "{");
	for (size_t i = 0; i < o->cal.nservices && n < len; i++) {
		if (c->services & (1u << i))
			n += (size_t)snprintf(buf + n, len - n, "%s%s", n > 1 ? "," : "",
			    o->cal.services[i].id);
	}
	if (n < len)
		snprintf(buf + n, len - n, "}");
}

/* The staff token was accepted: call the next ticket to the counter. */
static void
next_authorized(struct request *r)
{
	struct queue_ctx *q = r->ctx;
	const struct config_counter *c = config_counter(q->office, q->counter);
	char counter[8], services[512], limit[12], now[24], who[40];
	const char *p[8];

	snprintf(counter, sizeof counter, "%d", q->counter);
	services_array(q->office, c, services, sizeof services);
	snprintf(limit, sizeof limit, "%ld", r->cfg->queue_pass_over_limit);
	snprintf(now, sizeof now, "%lld", (long long)q->now);
	p[0] = q->municipality, p[1] = q->office->id, p[2] = q->day, p[3] = counter;
	p[4] = services, p[5] = limit, p[6] = now, p[7] = actor(r, who);
	if (!req_db(r, &stmt_next, p, next_done))
		return;
}

void
api_counter_next(struct request *r)
{
	static const char *const none[] = { NULL };
	struct queue_ctx *q;
	char *end;
	long n;

	if ((q = queue_begin(r, req_param(r, "office"))) == NULL || !req_query_allow(r, none))
		return;
	errno = 0;
	n = strtol(req_param(r, "counter"), &end, 10);
	if (*end != '\0' || errno != 0 || n < 1 || n > 99 ||
	    config_counter(q->office, (int)n) == NULL) {
		req_problem(r, 404, "unknown_counter", "this office has no such counter");
		return;
	}
	q->counter = (int)n;
	staff_require(r, q->office->id, STAFF_STAFF, next_authorized);
}

/* A state change ran. */
static void
change_done(struct request *r, const struct db_result *res)
{
	struct queue_ctx *q = r->ctx;

	if (!res->ok) {
		req_db_failed(r, res);
		return;
	}
	if (PQntuples(res->pg) != 1 && strcmp(q->action, "no_show") == 0 && q->was_called) {
		req_problem(r, 409, "recall_first", "a no-show needs the ticket called, and "
		    "recalled %ld times, first", r->cfg->queue_no_show_after_recalls);
		return;
	}
	if (PQntuples(res->pg) != 1) {
		req_problem(r, 409, "invalid_state", "the ticket is not in a state that allows this");
		return;
	}
	log_info("ticket %s %s", PQgetvalue(res->pg, 0, 1), q->action);
	req_json(r, 200, json_pack("{s:I, s:s, s:s, s:s}", "ticket", (json_int_t)q->ticket_id,
	    "number", PQgetvalue(res->pg, 0, 1), "status", PQgetvalue(res->pg, 0, 2),
	    "service", PQgetvalue(res->pg, 0, 3)));
}

/* The staff token was accepted: change the ticket's state. */
static void
change_authorized(struct request *r)
{
	struct queue_ctx *q = r->ctx;
	char id[24], now[24], who[40], recalls[12];
	const char *from = strcmp(q->action, "transferred") == 0 ? "{waiting,called}" : "{called}";
	const char *p[7];

	snprintf(id, sizeof id, "%lld", q->ticket_id);
	snprintf(now, sizeof now, "%lld", (long long)q->now);
	snprintf(recalls, sizeof recalls, "%ld", strcmp(q->action, "no_show") == 0 ?
	    r->cfg->queue_no_show_after_recalls : 0);
	p[0] = id, p[1] = now, p[2] = actor(r, who), p[3] = from, p[4] = recalls;
	p[5] = q->transfer_to, p[6] = q->action;
	if (!req_db(r, &stmt_change, p, change_done))
		return;
}

/* The ticket arrived: now its office is known, check the staff token for it. */
static void
ticket_loaded(struct request *r, const struct db_result *res)
{
	struct queue_ctx *q = r->ctx;

	if (!res->ok) {
		req_db_failed(r, res);
		return;
	}
	if (PQntuples(res->pg) != 1 ||
	    (q->office = config_office(r->cfg, PQgetvalue(res->pg, 0, 1))) == NULL) {
		req_problem(r, 404, "ticket_not_found", "there is no such ticket");
		return;
	}
	q->municipality = r->cfg->municipalities[q->office->municipality].id;
	q->was_called = strcmp(PQgetvalue(res->pg, 0, 4), "called") == 0;
	if (q->transfer_to != NULL && cal_service_find(&q->office->cal, q->transfer_to) == NULL) {
		req_problem_json(r, problem_field(404, "service_not_offered", "service",
		    "this office offers no such service"));
		return;
	}
	staff_require(r, q->office->id, STAFF_STAFF, change_authorized);
}

/* Shared start of the ticket state changes; transfer_to only for a transfer. */
static void
ticket_change(struct request *r, const char *action, const char *transfer_to)
{
	static const char *const none[] = { NULL };
	struct queue_ctx *q = queue_begin(r, NULL);
	const char *id = req_param(r, "id");
	char idtext[24];
	const char *p[1] = { idtext };
	char *end;

	snprintf(q->action, sizeof q->action, "%s", action);
	q->transfer_to = transfer_to;
	if (!req_query_allow(r, none))
		return;
	errno = 0;
	q->ticket_id = strtoll(id, &end, 10);
	if (*end != '\0' || errno != 0 || q->ticket_id < 1) {
		req_problem(r, 404, "ticket_not_found", "there is no such ticket");
		return;
	}
	snprintf(idtext, sizeof idtext, "%lld", q->ticket_id);
	if (!req_db(r, &stmt_ticket, p, ticket_loaded))
		return;
}

void
api_ticket_done(struct request *r)
{
	ticket_change(r, "done", NULL);
}

void
api_ticket_no_show(struct request *r)
{
	ticket_change(r, "no_show", NULL);
}

void
api_ticket_recall(struct request *r)
{
	ticket_change(r, "recalled", NULL);
}

void
api_ticket_transfer(struct request *r)
{
	json_t *body, *svc;
	enum rules_service id;
	bool known;

	if ((body = req_body_object(r)) == NULL)
		return;
	svc = json_object_get(body, "service");
	known = json_is_string(svc) && rules_service_parse(json_string_value(svc), &id);
	if (!json_is_string(svc) || json_object_size(body) != 1)
		req_problem_json(r, problem_field(400, "invalid_field", "service",
		    "a transfer takes {\"service\": ID}"));
	else if (!known)
		req_problem_json(r, problem_field(404, "service_not_offered", "service",
		    "no office offers that service"));
	else
		ticket_change(r, "transferred", rules_service_name(id));	/* a static string */
	json_decref(body);
}

/* One service's line of the queue view. */
static json_t *
service_json(struct request *r, const struct config_office *o, const struct estimate_input *in,
    int s, time_t now)
{
	double wait = estimate_minutes(o, in, s, now);

	return json_pack("{s:s, s:o, s:I, s:I, s:i, s:s}", "service", o->cal.services[s].id,
	    "names", service_names(o->cal.services[s].id), "waiting", (json_int_t)in->waiting[s],
	    "due_reservations", (json_int_t)in->due[s], "estimated_wait_min", (int)(wait + 0.5),
	    "flag", waitest_flag_name(waitest_flag(wait, (double)r->cfg->queue_busy_minutes,
	    (double)r->cfg->queue_very_busy_minutes)));
}

/* The numbers being called now, most recent first, and each counter's ticket. */
static void
called_json(const struct config_office *o, const PGresult *pg, json_t *called, json_t *counters)
{
	for (int row = 0; row < PQntuples(pg); row++) {
		char at[26];
		if (strcmp(PQgetvalue(pg, row, S_KIND), "open") != 0 ||
		    strcmp(PQgetvalue(pg, row, S_STATUS), "called") != 0)
			continue;
		clock_format_jst((time_t)strtoll(PQgetvalue(pg, row, S_T3), NULL, 10), at);
		json_array_append_new(called, json_pack("{s:s, s:I, s:i, s:s, s:s}", "ticket",
		    PQgetvalue(pg, row, S_LABEL), "id",
		    (json_int_t)strtoll(PQgetvalue(pg, row, S_ID), NULL, 10),
		    "counter", atoi(PQgetvalue(pg, row, S_COUNTER)),
		    "service", PQgetvalue(pg, row, S_SERVICE), "called_at", at));
	}
	for (size_t c = 0; c < o->ncounters; c++) {
		json_t *svcs = json_array(), *ticket = json_null();
		for (size_t i = 0; i < o->cal.nservices; i++) {
			if (o->counters[c].services & (1u << i))
				json_array_append_new(svcs, json_string(o->cal.services[i].id));
		}
		for (size_t i = 0; i < json_array_size(called); i++) {
			json_t *e = json_array_get(called, i);
			if (json_integer_value(json_object_get(e, "counter")) == o->counters[c].id) {
				json_decref(ticket);
				ticket = json_incref(json_object_get(e, "ticket"));
			}
		}
		json_array_append_new(counters, json_pack("{s:i, s:o, s:o}", "counter",
		    o->counters[c].id, "services", svcs, "ticket", ticket));
	}
}

/* The state arrived: answer the queue view. */
static void
queue_done(struct request *r, const struct db_result *res)
{
	struct queue_ctx *q = r->ctx;
	const struct config_office *o = q->office;
	struct estimate_input *in;
	json_t *services = json_array(), *called = json_array(), *counters = json_array();
	char at[26];

	if (!res->ok) {
		json_decref(services), json_decref(called), json_decref(counters);
		req_db_failed(r, res);
		return;
	}
	in = xmalloc(sizeof *in);
	if (!estimate_load(o, res->pg, q->now, in)) {
		free(in);
		json_decref(services), json_decref(called), json_decref(counters);
		req_problem(r, 500, "internal_error", "the wait could not be estimated");
		return;
	}
	for (size_t s = 0; s < o->cal.nservices; s++)
		json_array_append_new(services, service_json(r, o, in, (int)s, q->now));
	waitest_free(in->est);
	free(in);
	called_json(o, res->pg, called, counters);
	clock_format_jst(q->now, at);
	req_header(r, "Cache-Control", "no-cache");
	req_json(r, 200, json_pack("{s:s, s:{s:s, s:s}, s:s, s:o, s:o, s:o}", "office", o->id,
	    "names", "ja", o->name.ja, "en", o->name.en, "at", at, "called", called,
	    "services", services, "counters", counters));
}

void
api_queue(struct request *r)
{
	static const char *const none[] = { NULL };
	struct queue_ctx *q;

	if ((q = queue_begin(r, req_param(r, "office"))) == NULL || !req_query_allow(r, none))
		return;
	state_send(r, queue_done);
}
