/*
 * POST /v1/holds: a place kept for hold_seconds while the resident fills in the
 * form; and the periodic work that ends holds and purges personal fields.
 */
#include "api/bookings.h"

#include "api/booking_request.h"
#include "app.h"
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
		bk_alternatives_send(r);
		return;
	}
	bk_slot_instant(b, b->minute, start);
	req_json(r, 201, json_pack("{s:s, s:s, s:s, s:s, s:o}", "hold", PQgetvalue(res->pg, 0, 0),
	    "office", b->office->id, "service", b->svc->id, "start", start, "expires_at",
	    bk_instant_json(clock_now() + r->cfg->hold_seconds)));
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
	ok = bk_known_keys(r, body, keys) && bk_parse_place(r, body, b) && bk_check_calendar(r, b);
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
