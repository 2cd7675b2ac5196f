/*
 * What a new booking and a hold share: the place asked for (office, service,
 * start), its check against the office calendar, and the alternatives offered
 * when the slot is full.
 */
#include "api/booking_request.h"

#include "app.h"
#include "body.h"
#include "capacity.h"
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
#include "slot_counts.h"

#include <jansson.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Days searched for alternatives to a full slot. */
#define ALTERNATIVE_DAYS 14

struct db_stmt bk_stmt_get = {
	"SELECT " BOOKING_COLUMNS " FROM bookings WHERE reference = $1", 1, 0 };

/* Frees a booking request. */
void
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
void
bk_token_key(const struct request *r, unsigned char key[TOKEN_KEY_BYTES])
{
	if (!token_key_parse(r->cfg->token_key, key))
		abort();	/* main refuses to start without a valid key */
}

/* Answers 400 for a field, with its path. */
void
bk_bad_field(struct request *r, const char *code, const char *field, const char *detail)
{
	req_problem_json(r, problem_field(400, code, field, detail));
}

/* Answers with an eligibility module error. */
void
bk_elig_failed(struct request *r, const struct elig_error *err)
{
	req_problem_json(r, elig_error_to_json(err));
}

/* Answers a problem from body.c; true when there was none. */
bool
bk_body_ok(struct request *r, json_t *problem)
{
	if (problem == NULL)
		return true;
	req_problem_json(r, problem);
	return false;
}

/* Parses "start" into the visit date and minute. */
bool
bk_parse_start(struct request *r, json_t *v, struct bk *b)
{
	return bk_body_ok(r, body_start(v, &b->date, &b->minute));
}

/* Finds the office and service of a body; answers 400/404 when they are not usable. */
bool
bk_parse_place(struct request *r, json_t *body, struct bk *b)
{
	json_t *office = json_object_get(body, "office");
	struct elig_error err;

	if (!json_is_string(office)) {
		bk_bad_field(r, office ? "invalid_field" : "missing_field", "office",
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
	b->app_capacity = r->app->capacity;
	if (!elig_parse_service(json_object_get(body, "service"), "service", &b->service, &err)) {
		bk_elig_failed(r, &err);
		return false;
	}
	b->svc = cal_service_find(&b->office->cal, rules_service_name(b->service));
	if (b->svc == NULL) {
		req_problem_json(r, problem_field(404, "service_not_offered", "service",
		    "this office does not offer that service"));
		return false;
	}
	return bk_parse_start(r, json_object_get(body, "start"), b);
}

/* Checks the slot against the office calendar; answers 422 when it cannot be booked. */
bool
bk_check_calendar(struct request *r, struct bk *b)
{
	struct cal_day day;
	struct cal_slot slots[CAL_MAX_SLOTS];
	enum cal_why why;
	cdate today;
	int now;
	size_t n;

	b->app_capacity = r->app->capacity;
	clock_jst(clock_now(), &today, &now);
	if (b->date < today || (b->date == today && b->minute < now)) {
		req_problem_json(r, problem_field(422, "visit_in_past", "start",
		    "that slot is in the past; choose one from today on"));
		return false;
	}
	if (!cal_bookable(&b->office->cal, b->svc, b->date, b->minute, today, now, &why)) {
		req_problem_json(r, problem_field(422, cal_why_name(why), "start",
		    why == CAL_WHY_CLOSED ? "the office is closed that day" :
		    why == CAL_WHY_OUTSIDE_HOURS ? "no slot of this service starts then" :
		    why == CAL_WHY_WALK_IN_ONLY ? "this service takes no reservations that day" :
		    why == CAL_WHY_BEYOND_HORIZON ? "that day is not open for booking yet" :
		    "that slot is too soon to book"));
		return false;
	}
	cal_day(&b->office->cal, b->date, &day);
	n = cal_slots(b->svc, &day, slots, CAL_MAX_SLOTS);
	for (size_t i = 0; i < n; i++) {
		if (slots[i].start == b->minute)
			b->capacity = capacity_places(slots[i].capacity, capacity_factor(
			    r->app->capacity, b->office->id, b->svc->id, b->date));
	}
	if (b->capacity > 0)
		return true;
	/* A capacity rule leaves no online place in this slot. */
	if (r->ctx == b)
		bk_alternatives_send(r);
	else
		req_problem_json(r, problem_field(409, "slot_full", "start",
		    "a capacity rule leaves no online place in that slot"));
	return false;
}

/* Refuses members a booking body does not take. */
bool
bk_known_keys(struct request *r, json_t *body, const char *const *keys)
{
	return bk_body_ok(r, body_known_keys(body, keys));
}

/* Formats d into buf as "YYYY-MM-DD"; NULL (buf untouched) for CDATE_NONE. */
const char *
bk_date_or_null(cdate d, char buf[static 11])
{
	return d == CDATE_NONE ? NULL : cdate_format(d, buf);
}

/* The start or end instant of the booked slot as text. */
void
bk_slot_instant(const struct bk *b, int minute, char out[26])
{
	clock_format_jst(clock_instant(b->date, minute), out);
}

/* Orders alternatives least crowded first, then nearest. */
static int
alt_cmp(const void *x, const void *y)
{
	const struct bk_alt *a = x, *b = y;

	if (a->crowding != b->crowding)
		return a->crowding - b->crowding;
	return (a->distance > b->distance) - (a->distance < b->distance);
}

/* Orders alternatives nearest first. */
static int
alt_near(const void *x, const void *y)
{
	const struct bk_alt *a = x, *b = y;

	return (a->distance > b->distance) - (a->distance < b->distance);
}


/* True when a cap on day d's online bookings is reached by the places taken in its slots. */
static bool
day_capped(const struct bk *b, cdate d, const struct cal_slot *slots, size_t n,
    const struct slot_counts *tk)
{
	struct slot_counts probe = *tk;
	int cap = capacity_cap(b->app_capacity, b->office->id, b->svc->id, d), sum = 0;

	if (cap < 0)
		return false;
	for (size_t i = 0; i < n; i++)
		sum += slot_counts_at(&probe, clock_instant(d, slots[i].start));
	return sum >= cap;
}

/*
 * Collects the free, bookable slots of svc from first for days days (free by
 * the counts in pg) into out; returns how many.
 */
size_t
bk_free_slots(const struct bk *b, const PGresult *pg, cdate first, int days, time_t asked,
    struct bk_alt *out, size_t max)
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
		bool capped = day_capped(b, d, slots, ns, &taken_in);
		double factor = capacity_factor(b->app_capacity, b->office->id, b->svc->id, d);
		for (size_t i = 0; i < ns && n < max; i++) {
			time_t t = clock_instant(d, slots[i].start);
			int taken = slot_counts_at(&taken_in, t);
			slots[i].capacity = capacity_places(slots[i].capacity, factor);
			if (capped || taken >= slots[i].capacity || t == asked ||
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
json_t *
bk_instant_json(time_t t)
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
	static struct bk_alt cand[ALTERNATIVE_DAYS * CAL_MAX_SLOTS / 4];
	time_t asked = clock_instant(b->date, b->minute);
	json_t *p, *list = json_array();
	size_t n;

	if (!res->ok) {
		json_decref(list);
		req_db_failed(r, res);
		return;
	}
	n = bk_free_slots(b, res->pg, b->date, ALTERNATIVE_DAYS, asked, cand,
	    sizeof cand / sizeof cand[0]);
	qsort(cand, n, sizeof cand[0], alt_near);
	n = n < 3 ? n : 3;
	qsort(cand, n, sizeof cand[0], alt_cmp);
	for (size_t i = 0; i < n; i++)
		json_array_append_new(list, json_pack("{s:o, s:s}", "start", bk_instant_json(cand[i].start),
		    "crowding", cal_crowding_name((enum cal_crowding)cand[i].crowding)));
	p = b->day_capped ? problem_field(409, "day_capped", "start", "online bookings of this "
	    "service that day are capped, and the cap is reached") :
	    problem_field(409, "slot_full", "start", "every place in that slot is taken");
	json_object_set_new(p, "alternatives", list);
	req_problem_json(r, p);
}

/* Fetches the counts for days days from first, continuing with fn. */
void
bk_counts_send(struct request *r, cdate first, int days, request_db_fn *fn)
{
	struct bk *b = r->ctx;

	slot_counts_fetch(r, b->municipality, b->office->id, b->svc->id, first,
	    cdate_add_days(first, days), fn);
}

/* Looks for free places near the slot that was full. */
void
bk_alternatives_send(struct request *r)
{
	bk_counts_send(r, ((struct bk *)r->ctx)->date, ALTERNATIVE_DAYS, alternatives_done);
}
