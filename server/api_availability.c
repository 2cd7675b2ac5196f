/*
 * GET /v1/offices/{office}/availability: every day of a range with its hours,
 * why it is closed, and each slot's places left. The calendar is computed in
 * memory from the configuration; one statement fetches the places taken.
 */
#include "api_availability.h"

#include "app.h"
#include "calendar.h"
#include "cdate.h"
#include "clock.h"
#include "config.h"
#include "holidays.h"
#include "problem.h"
#include "request.h"
#include "rules.h"
#include "xmalloc.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The longest range one request may ask for, in days. */
#define MAX_RANGE_DAYS 93
/* The range when "to" is not given, in days. */
#define DEFAULT_RANGE_DAYS 14

/* What a request asked for, kept while the counts are fetched. */
struct avail {
	const struct config_office *office;	/* the office (in the request's config) */
	const struct cal_service *svc;		/* its service */
	cdate from, to;				/* the range, inclusive */
	cdate today;				/* now, in Tokyo */
	int now_minute;				/* minute of the day now */
};

/* Places taken per slot start, from the database, in ascending order. */
struct taken {
	const struct db_result *res;	/* rows: starts_at epoch, places taken */
	int row, nrows;			/* cursor */
};

static struct db_stmt stmt_taken = {
	"SELECT extract(epoch FROM starts_at)::bigint, booked + held FROM slot_usage "
	"WHERE municipality = $1 AND office = $2 AND service = $3 "
	"AND starts_at >= to_timestamp($4) AND starts_at < to_timestamp($5) "
	"ORDER BY starts_at", 5, 0
};

/* Places taken in the slot starting at t; advances the cursor past earlier rows. */
static int
taken_at(struct taken *tk, time_t t)
{
	while (tk->row < tk->nrows) {
		long long start = strtoll(PQgetvalue(tk->res->pg, tk->row, 0), NULL, 10);
		if (start > (long long)t)
			return 0;
		if (start == (long long)t)
			return atoi(PQgetvalue(tk->res->pg, tk->row, 1));
		tk->row++;
	}
	return 0;
}

/* Formats minute of the day (0..1440) as "HH:MM". */
static void
hhmm(int minute, char buf[6])
{
	unsigned m = (unsigned)minute % 1441u;

	buf[0] = (char)('0' + m / 600);
	buf[1] = (char)('0' + m / 60 % 10);
	buf[2] = ':';
	buf[3] = (char)('0' + m % 60 / 10);
	buf[4] = (char)('0' + m % 10);
	buf[5] = '\0';
}

/* The day's open intervals as [{"from","to"}]. */
static json_t *
open_json(const struct cal_day *day)
{
	json_t *list = json_array();
	char from[6], to[6];

	for (size_t i = 0; i < day->hours.n; i++) {
		hhmm(day->hours.iv[i].from, from);
		hhmm(day->hours.iv[i].to, to);
		json_array_append_new(list, json_pack("{s:s, s:s}", "from", from, "to", to));
	}
	return list;
}

/* One slot as the API shows it. */
static json_t *
slot_json(const struct cal_day *day, const struct cal_slot *s, int taken)
{
	char start[26], end[26];
	int left = s->capacity - taken;

	clock_format_jst(clock_instant(day->date, s->start), start);
	clock_format_jst(clock_instant(day->date, s->end), end);
	return json_pack("{s:s, s:s, s:i, s:i, s:s}", "start", start, "end", end,
	    "capacity", s->capacity, "available", left > 0 ? left : 0, "crowding",
	    cal_crowding_name(cal_crowding(taken, s->capacity, day->peak_factor)));
}

/* The bookable slots of a day: not past, not inside the lead time. */
static json_t *
slots_json(const struct avail *a, const struct cal_day *day, struct taken *tk)
{
	struct cal_slot slots[CAL_MAX_SLOTS];
	size_t n = cal_slots(a->svc, day, slots, CAL_MAX_SLOTS);
	json_t *list = json_array();
	enum cal_why why;

	for (size_t i = 0; i < n; i++) {
		if (!cal_bookable(&a->office->cal, a->svc, day->date, slots[i].start, a->today,
		    a->now_minute, &why))
			continue;
		json_array_append_new(list, slot_json(day, &slots[i],
		    taken_at(tk, clock_instant(day->date, slots[i].start))));
	}
	return list;
}

/* One day of the answer. */
static json_t *
day_json(const struct avail *a, cdate d, struct taken *tk)
{
	struct cal_day day;
	enum cal_policy policy;
	const char *holiday = NULL;
	char date[11];
	bool bookable;
	json_t *o;

	cal_day(&a->office->cal, d, &day);
	policy = cal_day_policy(a->svc, &day);
	bookable = day.open && policy != CAL_POLICY_WALK_IN_ONLY && d >= a->today &&
	    d <= cdate_add_days(a->today, a->svc->horizon_days);
	(void)hol_lookup(d, &holiday, NULL);
	o = json_pack("{s:s, s:o, s:s?, s:s?, s:s, s:b}", "date", cdate_format(d, date),
	    "open", open_json(&day), "closed_reason", cal_reason_name(day.reason),
	    "holiday", holiday, "policy", cal_policy_name(policy), "bookable", bookable);
	json_object_set_new(o, "slots", bookable ? slots_json(a, &day, tk) : json_array());
	return o;
}

/* The counts arrived: answer with every day of the range. */
static void
availability_done(struct request *r, const struct db_result *res)
{
	struct avail *a = r->ctx;
	struct taken tk = { res, 0, 0 };
	json_t *days = json_array();

	if (!res->ok) {
		json_decref(days);
		req_db_failed(r, res);
		return;
	}
	tk.nrows = PQntuples(res->pg);
	for (cdate d = a->from; d <= a->to; d = cdate_add_days(d, 1))
		json_array_append_new(days, day_json(a, d, &tk));
	req_json(r, 200, json_pack("{s:s, s:s, s:s, s:s, s:o}", "office", a->office->id,
	    "service", a->svc->id, "from", cdate_format(a->from, (char[11]){ 0 }),
	    "to", cdate_format(a->to, (char[11]){ 0 }), "days", days));
}

/* Reads an optional date parameter; answers 400 and returns false when malformed. */
static bool
date_param(struct request *r, const char *name, cdate def, cdate *out)
{
	char *s = req_query(r, name);
	bool ok = true;

	*out = def;
	if (s != NULL && !cdate_parse(s, out)) {
		req_problem_json(r, problem_field(400, "invalid_date", name,
		    "dates are written YYYY-MM-DD and must exist"));
		ok = false;
	}
	free(s);
	return ok;
}

/* Finds the office and service asked for; answers 400/404 and returns false if not. */
static bool
resolve(struct request *r, struct avail *a)
{
	char *service = req_query(r, "service");
	enum rules_service id;
	bool ok = false;

	a->office = config_office(r->cfg, req_param(r, "office"));
	if (a->office == NULL)
		req_problem(r, 404, "unknown_office", "there is no office with that id");
	else if (service == NULL)
		req_problem_json(r, problem_field(400, "missing_parameter", "service",
		    "say which service: ?service=ecert_renewal"));
	else if (!rules_service_parse(service, &id))
		req_problem_json(r, problem_field(400, "unknown_service", "service",
		    "no such service; see API.md for the service ids"));
	else if ((a->svc = cal_service_find(&a->office->cal, service)) == NULL)
		req_problem_json(r, problem_field(404, "service_not_offered", "service",
		    "this office does not offer that service"));
	else
		ok = true;
	free(service);
	return ok;
}

/* Validates the range; answers 400 and returns false when it is not usable. */
static bool
resolve_range(struct request *r, struct avail *a)
{
	if (!date_param(r, "from", a->today, &a->from) ||
	    !date_param(r, "to", cdate_add_days(a->from, DEFAULT_RANGE_DAYS - 1), &a->to))
		return false;
	if (a->to < a->from) {
		req_problem_json(r, problem_field(400, "invalid_range", "to",
		    "'to' must not be before 'from'"));
		return false;
	}
	if (a->to - a->from + 1 > MAX_RANGE_DAYS) {
		req_problem_json(r, problem_field(400, "range_too_long", "to",
		    "ask for at most 93 days at a time"));
		return false;
	}
	return true;
}

void
api_availability(struct request *r)
{
	static const char *const allowed[] = { "service", "from", "to", NULL };
	struct avail *a = xcalloc(1, sizeof *a);
	char p4[24], p5[24];
	const char *params[5];

	r->ctx = a;
	r->ctx_free = free;
	clock_jst(clock_now(), &a->today, &a->now_minute);
	if (!req_query_allow(r, allowed) || !resolve(r, a) || !resolve_range(r, a))
		return;
	snprintf(p4, sizeof p4, "%lld", (long long)clock_instant(a->from, 0));
	snprintf(p5, sizeof p5, "%lld", (long long)clock_instant(cdate_add_days(a->to, 1), 0));
	params[0] = r->cfg->municipalities[a->office->municipality].id;
	params[1] = a->office->id;
	params[2] = a->svc->id;
	params[3] = p4;
	params[4] = p5;
	if (!req_db(r, &stmt_taken, params, availability_done))
		return;	/* it answered 503 */
}
