/*
 * POST /v1/holds: a place kept for hold_seconds while the resident fills in the
 * form; and the periodic work that ends holds and purges personal fields.
 */
#include "api/bookings.h"

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
#include "db.h"
#include "token.h"

#include <jansson.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/*
 * A hold: the client's live holds are counted first ($8 the client, $9 its
 * limit), and the expiry is the database's clock plus $7 seconds.
 */
static struct db_stmt stmt_hold = {
	"WITH mine AS (SELECT count(*) < $9::int AS room FROM holds "
	"WHERE client = $8 AND expires_at > now()), "
	"slot AS (INSERT INTO slot_usage AS s (municipality, office, service, starts_at, "
	"capacity, held) SELECT $1, $2, $3, to_timestamp($4), $5, 1 FROM mine WHERE room "
	"ON CONFLICT (municipality, office, service, starts_at) DO UPDATE "
	"SET held = s.held + 1, capacity = EXCLUDED.capacity "
	"WHERE s.booked + s.held < EXCLUDED.capacity RETURNING 1), "
	"h AS (INSERT INTO holds (municipality, id, office, service, starts_at, expires_at, client) "
	"SELECT $1, $6, $2, $3, to_timestamp($4), now() + make_interval(secs => $7::int), $8 "
	"FROM slot RETURNING id, expires_at), "
	"n AS (SELECT count(*) AS n FROM (SELECT "
	AVAIL_NOTIFY_SQL("$2::text", "$3::text", "$4::float8") " FROM h) x) "
	"SELECT (SELECT room FROM mine), h.id, extract(epoch FROM h.expires_at)::bigint, "
	"(SELECT n FROM n) FROM (SELECT 1) one LEFT JOIN h ON true", 9, 0 };
/*
 * Ends holds past their time by the database's clock, slots locked by key;
 * every daemon hears which slots changed (the holds are read before they go).
 */
static struct db_stmt stmt_expire_holds = {
	"WITH e AS (SELECT DISTINCT office, service, starts_at FROM holds "
	"WHERE expires_at <= now()), x AS (SELECT holds_expire() AS n) "
	"SELECT (SELECT n FROM x), (SELECT count(*) FROM (SELECT "
	AVAIL_NOTIFY_SQL("e.office", "e.service", "extract(epoch FROM e.starts_at)")
	" FROM e, x WHERE x.n > 0) y)", 0, 0 };
/* Makes booked and held agree with the rows again; one line per slot repaired. */
static struct db_stmt stmt_repair = {
	"SELECT r, pg_notify('madoguchi_events', '{\"type\":\"" AVAIL_NOTIFY_TYPE "\","
	"\"office\":\"*\"}') FROM slot_usage_repair() r", 0, 0 };
static struct db_stmt stmt_purge = {
	"WITH p AS (UPDATE bookings SET contact_name = NULL, contact_email = NULL, "
	"contact_phone = NULL, purged_at = now() WHERE purged_at IS NULL "
	"AND ends_at < now() - make_interval(days => $1::int) "
	"RETURNING municipality, reference) "
	"INSERT INTO audit_log (municipality, actor, action, subject) "
	"SELECT municipality, 'system', 'booking.purged', reference FROM p", 1, 0 };
static struct db_stmt stmt_forget_keys = {
	"DELETE FROM idempotency_keys WHERE created_at < now() - interval '24 hours'", 0, 0 };

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
	if (strcmp(PQgetvalue(res->pg, 0, 0), "t") != 0) {
		req_header(r, "Retry-After", "60");
		req_problem(r, 429, "too_many_holds", "this address already holds %ld places; "
		    "book or let them expire first", r->cfg->holds_per_client);
		return;
	}
	if (PQgetisnull(res->pg, 0, 1)) {
		bk_alternatives_send(r);
		return;
	}
	bk_slot_instant(b, b->minute, start);
	req_json(r, 201, json_pack("{s:s, s:s, s:s, s:s, s:o}", "hold", PQgetvalue(res->pg, 0, 1),
	    "office", b->office->id, "service", b->svc->id, "start", start, "expires_at",
	    bk_instant_json((time_t)strtoll(PQgetvalue(res->pg, 0, 2), NULL, 10))));
}

void
api_hold_create(struct request *r)
{
	static const char *const none[] = { NULL };
	static const char *const keys[] = { "office", "service", "start", NULL };
	struct bk *b = xcalloc(1, sizeof *b);
	char id[TOKEN_TEXT_LEN + 1], start[24], cap[12], secs[24], limit[12];
	const char *p[9];
	json_t *body;
	bool ok;

	r->ctx = b;
	r->ctx_free = bk_free;
	if (!req_query_allow(r, none) || (body = req_body_object(r)) == NULL)
		return;
	ok = bk_known_keys(r, body, keys) && bk_parse_place(r, body, b) && bk_check_calendar(r, b);
	json_decref(body);
	if (!ok)
		return;
	token_new(id);
	snprintf(start, sizeof start, "%lld", (long long)clock_instant(b->date, b->minute));
	snprintf(cap, sizeof cap, "%d", b->capacity);
	snprintf(secs, sizeof secs, "%ld", r->cfg->hold_seconds);
	snprintf(limit, sizeof limit, "%ld", r->cfg->holds_per_client);
	p[0] = b->municipality, p[1] = b->office->id, p[2] = b->svc->id, p[3] = start;
	p[4] = cap, p[5] = id, p[6] = secs, p[7] = req_client(r), p[8] = limit;
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

/* The expiry ran: log how many holds ended. */
static void
holds_expired(const struct db_result *res, void *arg)
{
	(void)arg;
	if (!res->ok && !res->unavailable)
		log_error("bookings: expiring holds failed: %s", res->error);
	else if (res->ok && PQntuples(res->pg) == 1 && atoi(PQgetvalue(res->pg, 0, 0)) > 0)
		log_info("bookings: %s holds expired", PQgetvalue(res->pg, 0, 0));
}

/* Names of the maintenance jobs, for their log lines. */
static char job_purge[] = "purging personal fields",
    job_keys[] = "forgetting idempotency keys", job_events[] = "forgetting old events";

static struct db_stmt stmt_forget_events = {
	"DELETE FROM office_events WHERE at < now() - interval '2 hours'", 0, 0 };

unsigned long bookings_slots_repaired;

/* The counter check ran: log and count every slot it repaired. */
static void
repair_done(const struct db_result *res, void *arg)
{
	(void)arg;
	if (!res->ok) {
		if (!res->unavailable)
			log_error("bookings: checking slot counters failed: %s", res->error);
		return;
	}
	for (int i = 0; i < PQntuples(res->pg); i++) {
		log_warn("bookings: slot counters drifted from the rows; repaired %s",
		    PQgetvalue(res->pg, i, 0));
		bookings_slots_repaired++;
	}
}

void
bookings_check_counts(struct app *app)
{
	if (db_is_up(app->db) && !db_exec(app->db, &stmt_repair, NULL, repair_done, NULL))
		log_warn("bookings: counter check postponed: the database is busy");
}

void
bookings_maintain(struct app *app, bool daily_jobs)
{
	char days[12];
	const char *p[1] = { days };

	if (!db_is_up(app->db))
		return;
	snprintf(days, sizeof days, "%ld", app->cfg->retention_days);
	if (!db_exec(app->db, &stmt_expire_holds, NULL, holds_expired, NULL))
		return;
	if (!daily_jobs)
		return;
	if (!db_exec(app->db, &stmt_purge, p, maintenance_done, job_purge) ||
	    !db_exec(app->db, &stmt_forget_keys, NULL, maintenance_done, job_keys) ||
	    !db_exec(app->db, &stmt_forget_events, NULL, maintenance_done, job_events))
		log_warn("bookings: maintenance postponed: the database is busy");
}
