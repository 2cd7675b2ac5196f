/*
 * GET /v1/offices/{office}/availability: every day of a range with its hours,
 * why it is closed, and each slot's places left. The calendar is computed in
 * memory from the configuration; one statement fetches the places taken, and
 * each day is kept rendered in the availability cache (avail_cache.h) until a
 * booking, hold or cancellation on any daemon changes it, or the capacity
 * rules, the office's forecast or the configuration do. A range whose every
 * day is kept rendered is kept whole as well, and sent as it is (by
 * reference, not copied) until one of its days changes.
 */
#include "api/availability.h"

#include "app.h"
#include "avail_cache.h"
#include "capacity.h"
#include "core/calendar.h"
#include "core/cdate.h"
#include "clock.h"
#include "config.h"
#include "core/holidays.h"
#include "forecaster.h"
#include "jsonw.h"
#include "core/problem.h"
#include "request.h"
#include "core/rules.h"
#include "slot_counts.h"
#include "core/xmalloc.h"

#include <stdint.h>
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
	const struct capacity *caps;		/* capacity rules in force */
	struct fc_forecast *fc;			/* the forecast of each day, or NULL */
	bool fc_done;				/* fc was looked for */
	uint64_t stamp;				/* what renderings depend on besides counts */
	unsigned long ticket;			/* the cache's ticket for the fetch, or 0 */
};

/* A cursor over one day's places taken, looked up in ascending slot order. */
struct day_counts {
	const struct avail_count *c;	/* the day's counts, ascending */
	size_t n, i;			/* how many, and the next one */
};

/* What one day's slots offer online: the rule's factor, and whether a cap is reached. */
struct day_rules {
	double factor;		/* scales each slot's places */
	bool capped;		/* the day's cap on online bookings is reached */
	const struct fc_forecast *fc;	/* the day's forecast, or NULL */
};

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

/* Places taken in the slot starting at minute; minutes must not go backwards. */
static int
taken_at(struct day_counts *dc, int minute)
{
	while (dc->i < dc->n && dc->c[dc->i].minute < minute)
		dc->i++;
	return dc->i < dc->n && dc->c[dc->i].minute == minute ? dc->c[dc->i].taken : 0;
}

/* Writes the day's open intervals as [{"from","to"}]. */
static void
write_open(struct jsonw *w, const struct cal_day *day)
{
	char from[6], to[6];

	jsonw_array(w);
	for (size_t i = 0; i < day->hours.n; i++) {
		hhmm(day->hours.iv[i].from, from);
		hhmm(day->hours.iv[i].to, to);
		jsonw_object(w);
		jsonw_key(w, "from");
		jsonw_string(w, from);
		jsonw_key(w, "to");
		jsonw_string(w, to);
		jsonw_end(w);
	}
	jsonw_end(w);
}

/* Writes the instant of minute on the day whose "YYYY-MM-DDT" is prefix. */
static void
instant_text(const struct cal_day *day, const char *prefix, int minute, char out[26])
{
	if (minute >= CAL_DAY_MINUTES) {	/* a slot ending at 24:00 */
		clock_format_jst(clock_instant(day->date, minute), out);
		return;
	}
	memcpy(out, prefix, 11);
	hhmm(minute, out + 11);
	memcpy(out + 16, ":00+09:00", 10);
}

/* Writes one slot as the API shows it. */
static void
write_slot(struct jsonw *w, const struct cal_day *day, const char *prefix,
    const struct cal_slot *s, int taken, const struct day_rules *dr)
{
	char text[26];
	int places = capacity_places(s->capacity, dr->factor);
	int left = dr->capped ? 0 : places - taken;
	enum cal_crowding crowd = cal_crowding(dr->capped ? places : taken, places,
	    day->peak_factor);
	int level = dr->fc != NULL ? dr->fc->hour_level[s->start / 60 % FC_HOURS] : 0;

	jsonw_object(w);
	instant_text(day, prefix, s->start, text);
	jsonw_key(w, "start");
	jsonw_string(w, text);
	instant_text(day, prefix, s->end, text);
	jsonw_key(w, "end");
	jsonw_string(w, text);
	jsonw_key(w, "capacity");
	jsonw_int(w, places);
	jsonw_key(w, "available");
	jsonw_int(w, left > 0 ? left : 0);
	jsonw_key(w, "crowding");
	/* The forecast's crowd at the counter, for a slot with places left. */
	if (crowd != CAL_CROWDING_FULL && level >= 4)
		crowd = crowd > (level >= 5 ? CAL_CROWDING_HIGH : CAL_CROWDING_MODERATE) ? crowd :
		    level >= 5 ? CAL_CROWDING_HIGH : CAL_CROWDING_MODERATE;
	jsonw_string(w, cal_crowding_name(crowd));
	jsonw_end(w);
}

/* The first minute a slot of the day may start: after the lead time today. */
static int
earliest_start(const struct avail *a, const struct cal_day *day)
{
	return day->date == a->today ? a->now_minute + a->svc->lead_minutes : -1;
}

/* True when a slot of the day that is still offered has a place left. */
static bool
day_has_room(const struct avail *a, const struct cal_day *day, struct day_counts probe,
    const struct day_rules *dr)
{
	struct cal_slot slots[CAL_MAX_SLOTS];
	size_t n = cal_slots(a->svc, day, slots, CAL_MAX_SLOTS);
	int earliest = earliest_start(a, day);

	for (size_t i = 0; i < n && !dr->capped; i++) {
		if (slots[i].start >= earliest && capacity_places(slots[i].capacity, dr->factor) >
		    taken_at(&probe, slots[i].start))
			return true;
	}
	return false;
}

/* Writes the bookable slots of a day: not past, not inside the lead time. */
static void
write_slots(struct jsonw *w, const struct avail *a, const struct cal_day *day,
    struct day_counts dc, const struct day_rules *dr)
{
	struct cal_slot slots[CAL_MAX_SLOTS];
	size_t n = cal_slots(a->svc, day, slots, CAL_MAX_SLOTS);
	int earliest = earliest_start(a, day);
	char prefix[12];

	cdate_format(day->date, prefix);
	prefix[10] = 'T';
	prefix[11] = '\0';
	jsonw_array(w);
	for (size_t i = 0; i < n; i++) {
		if (slots[i].start < earliest)
			continue;
		write_slot(w, day, prefix, &slots[i], taken_at(&dc, slots[i].start), dr);
	}
	jsonw_end(w);
}

/* The capacity rules and forecast of day d (cap: places taken in its slots against it). */
static void
day_rules(const struct avail *a, const struct cal_day *day, struct day_counts probe,
    struct day_rules *dr)
{
	struct cal_slot slots[CAL_MAX_SLOTS];
	int cap = capacity_cap(a->caps, a->office->id, a->svc->id, day->date), sum = 0;
	size_t n;

	dr->factor = capacity_factor(a->caps, a->office->id, a->svc->id, day->date);
	dr->capped = false;
	dr->fc = a->fc != NULL ? &a->fc[day->date - a->from] : NULL;
	if (cap < 0)
		return;
	n = cal_slots(a->svc, day, slots, CAL_MAX_SLOTS);
	for (size_t i = 0; i < n; i++)
		sum += taken_at(&probe, slots[i].start);
	dr->capped = sum >= cap;
}

/* Writes one day of the answer, with n counts of places taken that day. */
static void
write_day(struct jsonw *w, const struct avail *a, cdate d, const struct avail_count *counts,
    size_t n)
{
	struct day_counts dc = { counts, n, 0 };
	struct cal_day day;
	enum cal_policy policy;
	const char *holiday = NULL;
	char date[11];
	bool sold;
	struct day_rules dr;

	cal_day(&a->office->cal, d, &day);
	day_rules(a, &day, dc, &dr);
	policy = cal_day_policy(a->svc, &day);
	/* Sold online that day; bookable only while a slot still has a place. */
	sold = day.open && policy != CAL_POLICY_WALK_IN_ONLY && d >= a->today &&
	    d <= cdate_add_days(a->today, a->svc->horizon_days);
	(void)hol_lookup(d, &holiday, NULL);
	jsonw_object(w);
	jsonw_key(w, "date");
	jsonw_string(w, cdate_format(d, date));
	jsonw_key(w, "open");
	write_open(w, &day);
	jsonw_key(w, "closed_reason");
	jsonw_string(w, cal_reason_name(day.reason));
	jsonw_key(w, "holiday");
	jsonw_string(w, holiday);
	jsonw_key(w, "policy");
	jsonw_string(w, cal_policy_name(policy));
	jsonw_key(w, "bookable");
	jsonw_bool(w, sold && day_has_room(a, &day, dc, &dr));
	jsonw_key(w, "slots");
	if (sold) {
		write_slots(w, a, &day, dc, &dr);
	} else {
		jsonw_array(w);
		jsonw_end(w);
	}
	jsonw_end(w);
}

/* The forecast of each day of the range, once, when some day is to be rendered. */
static void
need_forecast(struct request *r, struct avail *a)
{
	const struct fc_snapshot *snap;

	if (a->fc_done)
		return;
	a->fc_done = true;
	snap = forecaster_get(r->app->forecaster, a->office->id);
	if (snap != NULL && snap->ok) {
		a->fc = xcalloc((size_t)(a->to - a->from) + 1, sizeof *a->fc);
		forecaster_predict(snap, a->office, a->from, a->to, NULL, a->fc);
	}
}

/*
 * What a day's rendering depends on besides its counts and the clock: the
 * config, the capacity rules, and the office's forecast (a refit replaces it).
 */
static uint64_t
stamp_of(struct request *r, const struct avail *a)
{
	const struct fc_snapshot *snap = forecaster_get(r->app->forecaster, a->office->id);
	uint64_t h = 14695981039346656037ull;
	uint64_t parts[4] = { (uint64_t)(uintptr_t)r->cfg, capacity_generation(a->caps),
		(uint64_t)(uintptr_t)snap, snap != NULL ? (uint64_t)snap->generated_at : 0 };

	for (int i = 0; i < 4; i++)
		h = (h ^ parts[i]) * 1099511628211ull;
	return h;
}

/*
 * The last minute of today a rendering of day d holds for: today's first
 * offered slot drops out once the lead time passes its start. Other days hold
 * all day (a new day renders again).
 */
static int
valid_until(const struct avail *a, cdate d)
{
	struct cal_slot slots[CAL_MAX_SLOTS];
	struct cal_day day;
	size_t n;
	int earliest = a->now_minute + a->svc->lead_minutes;

	if (d != a->today)
		return CAL_DAY_MINUTES;
	cal_day(&a->office->cal, d, &day);
	n = cal_slots(a->svc, &day, slots, CAL_MAX_SLOTS);
	for (size_t i = 0; i < n; i++) {
		if (slots[i].start >= earliest)
			return slots[i].start - a->svc->lead_minutes;
	}
	return CAL_DAY_MINUTES;
}

/* True when day's kept rendering holds now. */
static bool
fragment_fresh(const struct avail *a, const struct avail_day *day)
{
	return day->fragment != NULL && day->fragment_today == a->today &&
	    a->now_minute <= day->fragment_until;
}

/*
 * Writes day d into w from its counts, and keeps the rendering in the cache
 * when the day is cached (cached is not NULL).
 */
static void
render_day(struct request *r, struct jsonw *w, struct avail *a, cdate d,
    struct avail_day *cached, const struct avail_count *counts, size_t n)
{
	struct jsonw one;
	char *text;
	size_t len;

	need_forecast(r, a);
	if (cached == NULL) {
		write_day(w, a, d, counts, n);
		return;
	}
	jsonw_init(&one);
	write_day(&one, a, d, counts, n);
	text = jsonw_finish(&one, &len);
	jsonw_raw(w, text, len);
	avail_cache_keep_fragment(r->app->avail, cached, a->today, valid_until(a, d), text, len);
}

/* Starts the answer: office, service, range, and the days array opened. */
static void
answer_open(struct jsonw *w, const struct avail *a)
{
	char date[11];

	jsonw_init(w);
	jsonw_object(w);
	jsonw_key(w, "office");
	jsonw_string(w, a->office->id);
	jsonw_key(w, "service");
	jsonw_string(w, a->svc->id);
	jsonw_key(w, "from");
	jsonw_string(w, cdate_format(a->from, date));
	jsonw_key(w, "to");
	jsonw_string(w, cdate_format(a->to, date));
	jsonw_key(w, "days");
	jsonw_array(w);
}

/* Closes the answer and sends it. */
static void
answer_close(struct request *r, struct jsonw *w)
{
	char *text;
	size_t len;

	jsonw_end(w);
	jsonw_end(w);
	text = jsonw_finish(w, &len);
	req_json_text(r, 200, text, len);
}

/* Sends the answer kept in the cache (the reference is the request's until sent). */
static void
answer_shared(struct request *r, struct avail_shared *s)
{
	req_json_shared(r, 200, s->text, s->len, avail_shared_unref, s);
}

/*
 * Answers from the cache when every day of the range is in it; false
 * otherwise. When every day holds its rendering, the whole answer is kept
 * beside the first day and sent again as it is until one of them changes.
 */
static bool
answer_cached(struct request *r, struct avail *a)
{
	struct avail_cache *c = r->app->avail;
	const char *office = a->office->id, *service = a->svc->id;
	struct avail_day *days[MAX_RANGE_DAYS];
	struct avail_shared *whole;
	struct jsonw w;
	char *text;
	size_t size = 256, i = 0, len;
	bool kept = false, fresh = true;
	uint64_t newest = 0;
	int until = CAL_DAY_MINUTES;

	for (cdate d = a->from; d <= a->to; d = cdate_add_days(d, 1), i++) {
		if ((days[i] = avail_cache_get(c, a->stamp, office, service, d)) == NULL)
			return false;
		size += days[i]->fragment_len + 1;
		newest = days[i]->seq > newest ? days[i]->seq : newest;
		if (!fragment_fresh(a, days[i]))
			fresh = false;
		else if (days[i]->fragment_until < until)
			until = days[i]->fragment_until;
	}
	if (fresh && (whole = avail_cache_answer(c, days[0], a->to, a->today, a->now_minute,
	    newest)) != NULL) {
		answer_shared(r, whole);
		return true;
	}
	answer_open(&w, a);
	jsonw_reserve(&w, size);
	i = 0;
	for (cdate d = a->from; d <= a->to; d = cdate_add_days(d, 1), i++) {
		/* Keeping a rendering may have made room by dropping days looked up above. */
		struct avail_day *day = kept ? avail_cache_get(c, a->stamp, office, service, d) : days[i];

		if (day != NULL && fragment_fresh(a, day)) {
			jsonw_raw(&w, day->fragment, day->fragment_len);
		} else if (day != NULL) {
			render_day(r, &w, a, d, day, day->counts, day->ncounts);
			kept = true;
		} else {
			free(jsonw_finish(&w, &size));
			return false;	/* dropped for room meanwhile: read them again */
		}
	}
	if (kept) {	/* days changed: the next request keeps the whole */
		answer_close(r, &w);
		return true;
	}
	jsonw_end(&w);
	jsonw_end(&w);
	text = jsonw_finish(&w, &len);
	whole = avail_cache_keep_answer(c, days[0], a->to, a->today, until, text, len);
	answer_shared(r, whole);
	return true;
}

/* Reads the fetched rows (slot start as epoch seconds, places taken) into counts. */
static struct avail_count *
read_counts(const PGresult *pg, const struct avail *a, cdate **day_of, size_t *n)
{
	struct avail_count *c;
	int rows = PQntuples(pg);

	*n = 0;
	c = xreallocarray(NULL, (size_t)rows + 1, sizeof *c);
	*day_of = xreallocarray(NULL, (size_t)rows + 1, sizeof **day_of);
	for (int i = 0; i < rows; i++) {
		time_t t = (time_t)strtoll(PQgetvalue(pg, i, 0), NULL, 10);
		cdate d;
		int minute;

		clock_jst(t, &d, &minute);
		if (d < a->from || d > a->to)
			continue;
		(*day_of)[*n] = d;
		c[*n].minute = minute;
		c[(*n)++].taken = atoi(PQgetvalue(pg, i, 1));
	}
	return c;
}

/* The counts arrived: answer with every day of the range, and fill the cache. */
static void
availability_done(struct request *r, const struct db_result *res)
{
	struct avail *a = r->ctx;
	struct avail_cache *c = r->app->avail;
	struct avail_count *counts;
	cdate *day_of;
	size_t n, i = 0;
	struct jsonw w;

	if (!res->ok) {
		req_db_failed(r, res);
		return;
	}
	counts = read_counts(res->pg, a, &day_of, &n);
	answer_open(&w, a);
	for (cdate d = a->from; d <= a->to; d = cdate_add_days(d, 1)) {
		size_t first = i;
		struct avail_day *day;

		while (i < n && day_of[i] == d)
			i++;
		day = avail_cache_fill(c, a->ticket, a->stamp, a->office->id, a->svc->id, d,
		    counts + first, i - first);
		render_day(r, &w, a, d, day, counts + first, i - first);
	}
	free(counts);
	free(day_of);
	answer_close(r, &w);
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
	} else if (!rules_date_in_range(*out)) {
		req_problem_json(r, problem_field(400, "date_out_of_range", name,
		    "dates must fall in the years 1980 to 2099, for which the holiday law is "
		    "computed"));
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

/* Frees a request's state. */
static void
avail_free(void *arg)
{
	struct avail *a = arg;

	free(a->fc);
	free(a);
}

void
api_availability(struct request *r)
{
	static const char *const allowed[] = { "service", "from", "to", NULL };
	struct avail *a = xcalloc(1, sizeof *a);
	r->ctx = a;
	r->ctx_free = avail_free;
	clock_jst(clock_now(), &a->today, &a->now_minute);
	if (!req_query_allow(r, allowed) || !resolve(r, a) || !resolve_range(r, a))
		return;
	a->caps = r->app->capacity;
	a->stamp = stamp_of(r, a);
	if (answer_cached(r, a))
		return;
	/* Some day is missing: reserve the missing ones, read the whole range. */
	a->ticket = avail_cache_ticket(r->app->avail);
	for (cdate d = a->from; d <= a->to; d = cdate_add_days(d, 1)) {
		if (avail_cache_get(r->app->avail, a->stamp, a->office->id, a->svc->id, d) == NULL)
			avail_cache_reserve(r->app->avail, a->ticket, a->stamp, a->office->id,
			    a->svc->id, d);
	}
	slot_counts_fetch(r, r->cfg->municipalities[a->office->municipality].id, a->office->id,
	    a->svc->id, a->from, cdate_add_days(a->to, 1), availability_done);
}
