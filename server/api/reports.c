/*
 * GET /v1/reports/load and /v1/reports/estimates: figures a manager reads,
 * computed by PostgreSQL over the office's tickets (live and imported alike)
 * in the statement that also writes the audit row of the reading.
 */
#include "api/reports.h"

#include "clock.h"
#include "config.h"
#include "core/calendar.h"
#include "core/cdate.h"
#include "core/problem.h"
#include "core/rules.h"
#include "core/xmalloc.h"
#include "request.h"
#include "staff.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The longest range one report covers, in days (two years). */
#define MAX_RANGE_DAYS 731

/* The tickets of the report: office, day range and service ('' for all). */
#define REPORT_ROWS "FROM tickets WHERE municipality = $1 AND office = $2 " \
	"AND day BETWEEN $3::date AND $4::date"
/* The audit row of a report reading. */
#define AUDIT_SQL(action) "a AS (INSERT INTO audit_log (municipality, actor, action, " \
	"subject, detail) VALUES ($1, $6, " action ", $2, jsonb_build_object('from', $3::text, " \
	"'to', $4::text, 'service', NULLIF($5::text, ''))))"
/*
 * The load figures over the rows of t, per day, per weekday and hour, and in
 * total, in one pass (the day grouping reads tickets_report in day order, so
 * only the weekday-hour grouping sorts); then, per weekday, the days on which
 * the office had any ticket, to average arrivals over. Minutes come from
 * date_part (double precision): extract() would compute in numeric, several
 * times slower. A ticket's wait and service count as at least zero: rows stored
 * by earlier versions may be called before they were issued, or done before
 * their call (a daemon whose clock ran behind another's called or finished
 * them), and such a ticket waited, or took, no time.
 */
static struct db_stmt stmt_load = {
	"WITH " AUDIT_SQL("'report.load'") ", "
	"t AS NOT MATERIALIZED (SELECT day, status = 'done' AS served, status = 'no_show' AS no_show, "
	"date_part('isodow', day)::int AS wd, "
	"date_part('hour', issued_at AT TIME ZONE 'Asia/Tokyo')::int AS hr, "
	"CASE WHEN status = 'done' THEN greatest(date_part('epoch', first_called_at - issued_at), 0) "
	"/ 60 END "
	"AS wait, CASE WHEN status = 'done' AND called_at IS NOT NULL "
	"THEN greatest(date_part('epoch', done_at - called_at), 0) / 60 END "
	"AS svc " REPORT_ROWS " AND ($5 = '' OR service = $5)) "
	"SELECT CASE WHEN day IS NOT NULL THEN 'day' WHEN wd IS NOT NULL THEN 'hour' "
	"ELSE 'total' END, day::text, wd, hr, NULL::bigint, count(*), count(*) FILTER (WHERE served), "
	"count(*) FILTER (WHERE no_show), "
	"round(percentile_cont(0.5) WITHIN GROUP (ORDER BY wait)::numeric, 3), "
	"round(percentile_cont(0.9) WITHIN GROUP (ORDER BY wait)::numeric, 3), "
	"round(avg(svc)::numeric, 3), round(avg((wait <= $7::float8)::int)::numeric, 4) "
	"FROM t GROUP BY GROUPING SETS ((day), (), (wd, hr)) "
	"UNION ALL SELECT 'open', NULL, date_part('isodow', day)::int, NULL, count(*), NULL, NULL, "
	"NULL, NULL, NULL, NULL, NULL FROM (SELECT day " REPORT_ROWS " GROUP BY day) x "
	"GROUP BY 3 ORDER BY 1, 2, 3, 4", 7, 0 };

/* Columns of stmt_load. */
enum { L_KIND, L_DATE, L_WEEKDAY, L_HOUR, L_DAYS, L_ARRIVALS, L_SERVED, L_NO_SHOWS, L_P50,
	L_P90, L_SERVICE_MEAN, L_WITHIN };

/* Columns of stmt_estimates. */
enum { E_DATE, E_TICKETS, E_WAIT_MEAN, E_PROMISED_MAE, E_FORMULA_MAE, E_WITHIN,
	E_FORMULA_WITHIN };

static struct db_stmt stmt_estimates = {
	"WITH " AUDIT_SQL("'report.estimates'") ", "
	"t AS (SELECT day, greatest(date_part('epoch', first_called_at - issued_at), 0) / 60 "
	"AS waited, "
	"promised_wait_min AS p, formula_wait_min AS f " REPORT_ROWS
	" AND source = 'live' AND first_called_at IS NOT NULL AND promised_wait_min IS NOT NULL) "
	"SELECT day::text, count(*), round(avg(waited)::numeric, 3), "
	"round(avg(abs(waited - p))::numeric, 3), "
	"round((avg(abs(waited - f)) FILTER (WHERE f IS NOT NULL))::numeric, 3), "
	"round(avg((abs(waited - p) <= 10)::int)::numeric, 4), "
	"round((avg((abs(waited - f) <= 10)::int) FILTER (WHERE f IS NOT NULL))::numeric, 4) "
	"FROM t GROUP BY GROUPING SETS ((day), ()) ORDER BY day NULLS LAST", 6, 0 };

/* A report on its way: what was asked. */
struct report_ctx {
	const struct config_office *office;	/* the office */
	char from[11], to[11];			/* the range, YYYY-MM-DD */
	char service[32];			/* one service, or "" for all */
	bool csv;				/* Accept: text/csv (load report) */
};

/* Reads a required date parameter; answers 400 and returns false when unusable. */
static bool
date_param(struct request *r, const char *name, cdate *out)
{
	char *s = req_query(r, name);
	bool ok = s != NULL && cdate_parse(s, out);

	if (!ok)
		req_problem_json(r, problem_field(400, s ? "invalid_date" : "missing_parameter", name,
		    s ? "dates are written YYYY-MM-DD and must exist" : "give from and to "
		    "(YYYY-MM-DD)"));
	free(s);
	return ok;
}

/* Reads office, from, to (and service when allowed); false after answering. */
static bool
report_params(struct request *r, struct report_ctx *c, bool with_service)
{
	char *office = req_query(r, "office"), *service = with_service ? req_query(r, "service") : NULL;
	cdate from, to;
	bool ok = false;

	if (office == NULL)
		req_problem_json(r, problem_field(400, "missing_parameter", "office",
		    "say which office: ?office=kasugai-main"));
	else if ((c->office = config_office(r->cfg, office)) == NULL)
		req_problem_json(r, problem_field(404, "unknown_office", "office",
		    "there is no office with that id"));
	else if (service != NULL && cal_service_find(&c->office->cal, service) == NULL)
		req_problem_json(r, problem_field(404, "service_not_offered", "service",
		    "this office offers no such service"));
	else if (date_param(r, "from", &from) && date_param(r, "to", &to)) {
		if (to < from)
			req_problem_json(r, problem_field(400, "invalid_range", "to",
			    "'to' must not be before 'from'"));
		else if (to - from + 1 > MAX_RANGE_DAYS)
			req_problem_json(r, problem_field(400, "range_too_long", "to",
			    "ask for at most 731 days (two years) at a time"));
		else
			ok = true;
		cdate_format(from, c->from);
		cdate_format(to, c->to);
	}
	if (ok && service != NULL)
		snprintf(c->service, sizeof c->service, "%s", service);
	free(office);
	free(service);
	return ok;
}

/* A numeric column as a JSON number, or null when SQL gave NULL. */
static json_t *
num(const PGresult *pg, int row, int col)
{
	if (PQgetisnull(pg, row, col))
		return json_null();
	return json_real(strtod(PQgetvalue(pg, row, col), NULL));
}

/* A count column as a JSON integer. */
static json_t *
count(const PGresult *pg, int row, int col)
{
	return json_integer(strtoll(PQgetvalue(pg, row, col), NULL, 10));
}

/* The figures of a day or of the totals. */
static json_t *
load_figures(const PGresult *pg, int row)
{
	return json_pack("{s:o, s:o, s:o, s:o, s:o, s:o, s:o}",
	    "arrivals", count(pg, row, L_ARRIVALS), "served", count(pg, row, L_SERVED),
	    "no_shows", count(pg, row, L_NO_SHOWS), "wait_p50_min", num(pg, row, L_P50),
	    "wait_p90_min", num(pg, row, L_P90), "service_mean_min", num(pg, row, L_SERVICE_MEAN),
	    "within_target", num(pg, row, L_WITHIN));
}

/* One weekday-hour row: mean arrivals over the office's open days of that weekday. */
static json_t *
load_hour(const PGresult *pg, int row, long days)
{
	double arrivals = strtod(PQgetvalue(pg, row, L_ARRIVALS), NULL);

	return json_pack("{s:i, s:i, s:I, s:f, s:o, s:o}",
	    "weekday", atoi(PQgetvalue(pg, row, L_WEEKDAY)), "hour", atoi(PQgetvalue(pg, row, L_HOUR)),
	    "days", (json_int_t)days, "arrivals_mean",
	    days > 0 ? (double)(long long)(arrivals / days * 1000 + 0.5) / 1000 : 0.0,
	    "wait_p50_min", num(pg, row, L_P50), "wait_p90_min", num(pg, row, L_P90));
}

/* The by_day rows as CSV (RFC 4180; every field is a date or a number). */
static void
load_csv(struct request *r, const PGresult *pg)
{
	static const int cols[] = { L_DATE, L_ARRIVALS, L_SERVED, L_NO_SHOWS, L_P50, L_P90,
	    L_SERVICE_MEAN, L_WITHIN };
	char *text = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&text, &len);

	if (f == NULL)
		abort();
	fputs("date,arrivals,served,no_shows,wait_p50_min,wait_p90_min,service_mean_min,"
	    "within_target\r\n", f);
	for (int row = 0; row < PQntuples(pg); row++) {
		if (strcmp(PQgetvalue(pg, row, L_KIND), "day") != 0)
			continue;
		for (size_t i = 0; i < sizeof cols / sizeof cols[0]; i++)
			fprintf(f, "%s%s", i ? "," : "", PQgetvalue(pg, row, cols[i]));
		fputs("\r\n", f);
	}
	fclose(f);
	req_text(r, 200, "text/csv; charset=utf-8", text, len);
	free(text);
}

/* The load statement ran: answer JSON, or CSV when asked. */
static void
load_done(struct request *r, const struct db_result *res)
{
	struct report_ctx *c = r->ctx;
	json_t *days, *hours, *totals = NULL, *body;
	long open_days[8] = { 0 };

	if (!res->ok) {
		req_db_failed(r, res);
		return;
	}
	if (c->csv) {
		load_csv(r, res->pg);
		return;
	}
	days = json_array();
	hours = json_array();
	/* The 'open' rows (days per weekday) sort after the 'hour' rows: read them first. */
	for (int row = 0; row < PQntuples(res->pg); row++) {
		int wd = atoi(PQgetvalue(res->pg, row, L_WEEKDAY));
		if (strcmp(PQgetvalue(res->pg, row, L_KIND), "open") == 0 && wd >= 1 && wd <= 7)
			open_days[wd] = strtol(PQgetvalue(res->pg, row, L_DAYS), NULL, 10);
	}
	for (int row = 0; row < PQntuples(res->pg); row++) {
		const char *kind = PQgetvalue(res->pg, row, L_KIND);
		if (strcmp(kind, "day") == 0) {
			json_t *d = load_figures(res->pg, row);
			json_object_set_new(d, "date", json_string(PQgetvalue(res->pg, row, L_DATE)));
			json_array_append_new(days, d);
		} else if (strcmp(kind, "total") == 0) {
			totals = load_figures(res->pg, row);
		} else if (strcmp(kind, "hour") == 0) {
			int wd = atoi(PQgetvalue(res->pg, row, L_WEEKDAY));
			json_array_append_new(hours, load_hour(res->pg, row,
			    wd >= 1 && wd <= 7 ? open_days[wd] : 0));
		}
	}
	body = json_pack("{s:s, s:s, s:s, s:o, s:o, s:o}", "office", c->office->id,
	    "from", c->from, "to", c->to, "by_day", days, "by_weekday_hour", hours,
	    "totals", totals ? totals : json_object());
	json_object_set_new(body, "service", c->service[0] ? json_string(c->service) : json_null());
	json_object_set_new(body, "target_wait_min", json_integer(r->cfg->queue_target_wait_minutes));
	req_json(r, 200, body);
}

/* The manager's token was accepted: run the report with its audit row. */
static void
load_authorized(struct request *r)
{
	struct report_ctx *c = r->ctx;
	char who[40], target[24];
	const char *p[7];

	snprintf(who, sizeof who, "staff:%s", r->staff_id);
	snprintf(target, sizeof target, "%ld", r->cfg->queue_target_wait_minutes);
	p[0] = r->cfg->municipalities[c->office->municipality].id, p[1] = c->office->id;
	p[2] = c->from, p[3] = c->to, p[4] = c->service, p[5] = who, p[6] = target;
	if (!req_db(r, &stmt_load, p, load_done))
		return;
}

/* True when the Accept header asks for CSV (and not JSON first). */
static bool
wants_csv(struct request *r)
{
	const char *a = req_get_header(r, "Accept");
	const char *csv = a ? strstr(a, "text/csv") : NULL;
	const char *json = a ? strstr(a, "application/json") : NULL;

	return csv != NULL && (json == NULL || csv < json);
}

/* Starts a report context; NULL after answering when the query is unusable. */
static struct report_ctx *
report_begin(struct request *r, const char *const *allowed, bool with_service)
{
	struct report_ctx *c = xcalloc(1, sizeof *c);

	r->ctx = c;
	r->ctx_free = free;
	if (!req_query_allow(r, allowed) || !report_params(r, c, with_service))
		return NULL;
	return c;
}

void
api_report_load(struct request *r)
{
	static const char *const allowed[] = { "office", "from", "to", "service", NULL };
	struct report_ctx *c = report_begin(r, allowed, true);

	if (c == NULL)
		return;
	c->csv = wants_csv(r);
	staff_require(r, c->office->id, STAFF_MANAGER, load_authorized);
}

/* The estimate figures of a day or of the totals. */
static json_t *
estimate_figures(const PGresult *pg, int row)
{
	return json_pack("{s:o, s:o, s:o, s:o, s:o, s:o}",
	    "tickets", count(pg, row, E_TICKETS), "wait_mean_min", num(pg, row, E_WAIT_MEAN),
	    "promised_mae_min", num(pg, row, E_PROMISED_MAE),
	    "formula_mae_min", num(pg, row, E_FORMULA_MAE),
	    "within_10_min", num(pg, row, E_WITHIN),
	    "formula_within_10_min", num(pg, row, E_FORMULA_WITHIN));
}

/* The estimates statement ran. */
static void
estimates_done(struct request *r, const struct db_result *res)
{
	struct report_ctx *c = r->ctx;
	json_t *days = json_array(), *totals = NULL;

	if (!res->ok) {
		json_decref(days);
		req_db_failed(r, res);
		return;
	}
	for (int row = 0; row < PQntuples(res->pg); row++) {
		json_t *d = estimate_figures(res->pg, row);
		if (PQgetisnull(res->pg, row, E_DATE)) {
			json_decref(totals);
			totals = d;
			continue;
		}
		json_object_set_new(d, "date", json_string(PQgetvalue(res->pg, row, E_DATE)));
		json_array_append_new(days, d);
	}
	req_json(r, 200, json_pack("{s:s, s:s, s:s, s:o, s:o}", "office", c->office->id,
	    "from", c->from, "to", c->to, "days", days, "totals", totals ? totals :
	    json_object()));
}

/* The manager's token was accepted: run the estimates report with its audit row. */
static void
estimates_authorized(struct request *r)
{
	struct report_ctx *c = r->ctx;
	char who[40];
	const char *p[6];

	snprintf(who, sizeof who, "staff:%s", r->staff_id);
	p[0] = r->cfg->municipalities[c->office->municipality].id, p[1] = c->office->id;
	p[2] = c->from, p[3] = c->to, p[4] = "", p[5] = who;
	if (!req_db(r, &stmt_estimates, p, estimates_done))
		return;
}

void
api_report_estimates(struct request *r)
{
	static const char *const allowed[] = { "office", "from", "to", NULL };
	struct report_ctx *c = report_begin(r, allowed, false);

	if (c == NULL)
		return;
	staff_require(r, c->office->id, STAFF_MANAGER, estimates_authorized);
}
