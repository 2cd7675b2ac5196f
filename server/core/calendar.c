/*
 * The office calendar: which hours a date gets, the slots a service offers in
 * them, whether one can be booked, and the checks a configuration must pass.
 * A date is decided by one scan over the rules (at most CAL_MAX_RULES), so an
 * availability answer of 93 days costs a few thousand comparisons.
 */
#include "calendar.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "holidays.h"

/* Added before truncating capacity * factor, so 10 * 0.7 is 7 and not 6. */
#define FACTOR_EPSILON 1e-9

/* Precedence of a matcher kind: the higher rank decides the day. */
static int
match_rank(enum cal_match match)
{
	switch (match) {
	case CAL_MATCH_WEEKDAYS:
		return 1;
	case CAL_MATCH_NTH_WEEKDAY:
	case CAL_MATCH_DAY_AFTER_NTH:
		return 2;
	case CAL_MATCH_HOLIDAY:
		return 3;
	case CAL_MATCH_ANNUAL:
		return 4;
	case CAL_MATCH_DATE:
		return 5;
	}
	return 0;
}

/* The reason a closing rule gives when it names none. */
static enum cal_reason
default_reason(enum cal_match match)
{
	switch (match) {
	case CAL_MATCH_WEEKDAYS:
		return CAL_REASON_WEEKLY;
	case CAL_MATCH_NTH_WEEKDAY:
	case CAL_MATCH_DAY_AFTER_NTH:
		return CAL_REASON_NTH_WEEKDAY;
	case CAL_MATCH_HOLIDAY:
		return CAL_REASON_HOLIDAY;
	case CAL_MATCH_ANNUAL:
		return CAL_REASON_YEAR_END;
	case CAL_MATCH_DATE:
		return CAL_REASON_SPECIAL;
	}
	return CAL_REASON_SPECIAL;
}

/* Intervals of h that may be read, whatever h->n says. */
static size_t
hours_count(const struct cal_hours *h)
{
	return h->n < CAL_MAX_INTERVALS ? h->n : CAL_MAX_INTERVALS;
}

/* Rules of office that may be read, whatever nrules says. */
static size_t
rule_count(const struct cal_office *office)
{
	return office->nrules < CAL_MAX_RULES ? office->nrules : CAL_MAX_RULES;
}

/* True when rule is in effect on d (both bounds inclusive, CDATE_NONE open). */
static bool
in_effect(const struct cal_rule *rule, cdate d)
{
	if (rule->effective_from != CDATE_NONE && d < rule->effective_from)
		return false;
	return rule->effective_until == CDATE_NONE || d <= rule->effective_until;
}

/* True when d is the nth (1..5) weekday of its month. */
static bool
is_nth_weekday(cdate d, int weekday, int nth)
{
	int y, m, mday;

	if (cdate_weekday(d) != weekday)
		return false;
	cdate_to_ymd(d, &y, &m, &mday);
	return (mday - 1) / 7 + 1 == nth;
}

/* True when d falls in the rule's yearly range, which may wrap the year end. */
static bool
in_annual_range(const struct cal_rule *rule, cdate d)
{
	int y, m, mday, md, from, until;

	cdate_to_ymd(d, &y, &m, &mday);
	md = m * 100 + mday;
	from = rule->from_month * 100 + rule->from_day;
	until = rule->until_month * 100 + rule->until_day;
	if (from <= until)
		return md >= from && md <= until;
	return md >= from || md <= until;
}

/* True when rule's matcher selects d (effective dates aside). */
static bool
rule_matches(const struct cal_rule *rule, cdate d)
{
	switch (rule->match) {
	case CAL_MATCH_WEEKDAYS:
		return (rule->weekdays >> cdate_weekday(d)) & 1u;
	case CAL_MATCH_NTH_WEEKDAY:
		return is_nth_weekday(d, rule->weekday, rule->nth);
	case CAL_MATCH_DAY_AFTER_NTH:
		return is_nth_weekday(cdate_add_days(d, -1), rule->weekday, rule->nth);
	case CAL_MATCH_HOLIDAY:
		return hol_lookup(d, NULL, NULL);
	case CAL_MATCH_ANNUAL:
		return in_annual_range(rule, d);
	case CAL_MATCH_DATE:
		return rule->date == d;
	}
	return false;
}

/* Index of the rule that decides d, or -1 when the base week does. */
static int
deciding_rule(const struct cal_office *office, cdate d)
{
	int best = -1, best_rank = 0;

	for (size_t i = 0; i < rule_count(office); i++) {
		const struct cal_rule *rule = &office->rules[i];
		int rank = match_rank(rule->match);

		if (rank >= best_rank && rank > 0 && in_effect(rule, d) &&
		    rule_matches(rule, d)) {
			best = (int)i;
			best_rank = rank;
		}
	}
	return best;
}

/* Fills day's hours, reason and override for d; no peak factor yet. */
static void
resolve_day(const struct cal_office *office, cdate d, struct cal_day *day)
{
	const struct cal_rule *rule;

	memset(day, 0, sizeof(*day));
	day->date = d;
	day->peak_factor = 1.0;
	day->rule = deciding_rule(office, d);
	if (day->rule < 0) {
		day->hours = office->week[cdate_weekday(d)];
		day->hours.n = hours_count(&day->hours);
		day->reason = day->hours.n > 0 ? CAL_REASON_NONE : CAL_REASON_WEEKLY;
	} else {
		rule = &office->rules[day->rule];
		day->policy = rule->policy;
		if (rule->open)
			day->hours = rule->hours;
		day->hours.n = rule->open ? hours_count(&rule->hours) : 0;
		if (day->hours.n == 0)
			day->reason = rule->reason != CAL_REASON_NONE ? rule->reason
			    : default_reason(rule->match);
	}
	day->open = day->hours.n > 0;
}

/* f when it is a usable factor (0 < f <= 1), else 1. */
static double
sane_factor(double f)
{
	return f > 0.0 && f <= 1.0 ? f : 1.0;
}

/* Fills day with office's hours, closed reason, override and peak factor on date. */
void
cal_day(const struct cal_office *office, cdate date, struct cal_day *day)
{
	struct cal_day prev;
	double f, after;

	resolve_day(office, date, day);
	resolve_day(office, cdate_add_days(date, -1), &prev);
	day->after_closure = !prev.open;
	if (!day->open)
		return;
	f = sane_factor(office->peak_weekday[cdate_weekday(date)]);
	after = sane_factor(office->peak_after_closure);
	if (day->after_closure && after < f)
		f = after;
	day->peak_factor = f;
}

/* A slot's places: capacity scaled by factor, rounded down, at least 1. */
static int
scaled_capacity(int capacity, double factor)
{
	int c = (int)(capacity * sane_factor(factor) + FACTOR_EPSILON);

	return c < 1 ? 1 : c;
}

/* Writes up to max slots of svc on day (from cal_day) into out; returns how many. */
size_t
cal_slots(const struct cal_service *svc, const struct cal_day *day,
    struct cal_slot *out, size_t max)
{
	int len = svc->slot_minutes, cap;
	size_t n = 0;

	if (!day->open || len < 1)
		return 0;
	cap = scaled_capacity(svc->capacity, day->peak_factor);
	for (size_t i = 0; i < hours_count(&day->hours); i++) {
		const struct cal_interval *iv = &day->hours.iv[i];

		for (int s = iv->from; s + len <= iv->to && n < max; s += len) {
			out[n].start = s;
			out[n].end = s + len;
			out[n].capacity = cap;
			n++;
		}
	}
	return n;
}

/* The service's own reservation policy on date (optional before any entry). */
enum cal_policy
cal_policy(const struct cal_service *svc, cdate date)
{
	enum cal_policy policy = CAL_POLICY_OPTIONAL;
	size_t n = svc->npolicies < CAL_MAX_POLICIES ? svc->npolicies : CAL_MAX_POLICIES;

	for (size_t i = 0; i < n; i++) {
		if (svc->policies[i].from != CDATE_NONE && svc->policies[i].from > date)
			break;
		policy = svc->policies[i].policy;
	}
	return policy;
}

/* The policy that applies on day: the day's override, else cal_policy. */
enum cal_policy
cal_day_policy(const struct cal_service *svc, const struct cal_day *day)
{
	if (day->policy != CAL_POLICY_NONE)
		return day->policy;
	return cal_policy(svc, day->date);
}

/* True when one of svc's slots on day starts at minute start. */
static bool
slot_starts_at(const struct cal_service *svc, const struct cal_day *day, int start)
{
	int len = svc->slot_minutes;

	if (len < 1)
		return false;
	for (size_t i = 0; i < hours_count(&day->hours); i++) {
		const struct cal_interval *iv = &day->hours.iv[i];

		if (start >= iv->from && start + len <= iv->to && (start - iv->from) % len == 0)
			return true;
	}
	return false;
}

/* Whether svc can be booked at office on date at start, asked at now; why says no. */
bool
cal_bookable(const struct cal_office *office, const struct cal_service *svc,
    cdate date, int start, cdate now_date, int now_minute, enum cal_why *why)
{
	struct cal_day day;
	long long days_ahead = (long long)date - now_date;
	long long minutes_ahead = days_ahead * CAL_DAY_MINUTES + start - now_minute;

	cal_day(office, date, &day);
	if (!day.open)
		*why = CAL_WHY_CLOSED;
	else if (!slot_starts_at(svc, &day, start))
		*why = CAL_WHY_OUTSIDE_HOURS;
	else if (cal_day_policy(svc, &day) == CAL_POLICY_WALK_IN_ONLY)
		*why = CAL_WHY_WALK_IN_ONLY;
	else if (days_ahead > svc->horizon_days)
		*why = CAL_WHY_BEYOND_HORIZON;
	else if (minutes_ahead < svc->lead_minutes || minutes_ahead < 0)
		*why = CAL_WHY_TOO_SOON;
	else
		*why = CAL_WHY_OK;
	return *why == CAL_WHY_OK;
}

/* How busy a slot looks with booked of capacity places on a day with peak_factor. */
enum cal_crowding
cal_crowding(int booked, int capacity, double peak_factor)
{
	long long b = booked < 0 ? 0 : booked, c = capacity;
	enum cal_crowding level;

	if (c < 1 || b >= c)
		return CAL_CROWDING_FULL;
	if (b * 100 >= c * 75)
		level = CAL_CROWDING_HIGH;
	else if (b * 100 >= c * 40)
		level = CAL_CROWDING_MODERATE;
	else
		level = CAL_CROWDING_LOW;
	if (peak_factor < 1.0 && level < CAL_CROWDING_HIGH)
		level++;
	return level;
}

/* The service with id at office, or NULL. */
const struct cal_service *
cal_service_find(const struct cal_office *office, const char *id)
{
	size_t n = office->nservices < CAL_MAX_SERVICES ? office->nservices : CAL_MAX_SERVICES;

	for (size_t i = 0; i < n; i++)
		if (strncmp(office->services[i].id, id, CAL_ID_MAX) == 0)
			return &office->services[i];
	return NULL;
}

/* An office with no hours, rules or services and every peak factor 1. */
void
cal_office_init(struct cal_office *office)
{
	memset(office, 0, sizeof(*office));
	for (int w = 0; w < 7; w++)
		office->peak_weekday[w] = 1.0;
	office->peak_after_closure = 1.0;
}

/* A rule of kind match that closes, in effect on every date, default reason. */
void
cal_rule_init(struct cal_rule *rule, enum cal_match match)
{
	memset(rule, 0, sizeof(*rule));
	rule->match = match;
	rule->date = CDATE_NONE;
	rule->effective_from = CDATE_NONE;
	rule->effective_until = CDATE_NONE;
}

/* A service with id: 30-minute slots, capacity 1, optional, 30-day horizon, no lead. */
void
cal_service_init(struct cal_service *svc, const char *id)
{
	memset(svc, 0, sizeof(*svc));
	snprintf(svc->id, sizeof(svc->id), "%s", id);
	svc->slot_minutes = 30;
	svc->capacity = 1;
	svc->horizon_days = 30;
}

/* Names of the enums, indexed by value. */
static const char *const reason_names[] = {
	NULL, "weekly", "holiday", "year_end", "nth_weekday", "special",
};
static const char *const policy_names[] = {
	NULL, "required", "optional", "walk_in_only",
};
static const char *const why_names[] = {
	NULL, "closed", "outside_hours", "walk_in_only", "beyond_horizon", "too_soon",
};
static const char *const crowding_names[] = {
	"low", "moderate", "high", "full",
};

#define NAMES_COUNT(a) (sizeof(a) / sizeof((a)[0]))

/* names[value], or NULL when value is out of range. */
static const char *
name_of(const char *const *names, size_t count, unsigned value)
{
	return value < count ? names[value] : NULL;
}

/* Index of s among names (NULL entries never match), or -1. */
static int
index_of(const char *const *names, size_t count, const char *s)
{
	for (size_t i = 0; s != NULL && i < count; i++)
		if (names[i] != NULL && strcmp(names[i], s) == 0)
			return (int)i;
	return -1;
}

/* API.md name of a reason ("weekly", ...), NULL for CAL_REASON_NONE. */
const char *
cal_reason_name(enum cal_reason reason)
{
	return name_of(reason_names, NAMES_COUNT(reason_names), (unsigned)reason);
}

/* Parses a reason name; false for anything else. */
bool
cal_reason_parse(const char *s, enum cal_reason *out)
{
	int i = index_of(reason_names, NAMES_COUNT(reason_names), s);

	if (i < 0)
		return false;
	*out = (enum cal_reason)i;
	return true;
}

/* Name of a policy ("required", ...), NULL for CAL_POLICY_NONE. */
const char *
cal_policy_name(enum cal_policy policy)
{
	return name_of(policy_names, NAMES_COUNT(policy_names), (unsigned)policy);
}

/* Parses a policy name; false for anything else. */
bool
cal_policy_parse(const char *s, enum cal_policy *out)
{
	int i = index_of(policy_names, NAMES_COUNT(policy_names), s);

	if (i < 0)
		return false;
	*out = (enum cal_policy)i;
	return true;
}

/* Code of a refusal ("outside_hours", ...), NULL for CAL_WHY_OK. */
const char *
cal_why_name(enum cal_why why)
{
	return name_of(why_names, NAMES_COUNT(why_names), (unsigned)why);
}

/* Label of a crowding level ("low", "moderate", "high", "full"). */
const char *
cal_crowding_name(enum cal_crowding crowding)
{
	return name_of(crowding_names, NAMES_COUNT(crowding_names), (unsigned)crowding);
}

/* Where validation problems go, and how many were found. */
struct vctx {
	struct cal_error *errs;	/* caller's array */
	size_t max;		/* its length */
	size_t found;		/* problems found, may exceed max */
};

/* Records one problem (when there is room) and counts it. */
static void __attribute__((format(printf, 6, 7)))
report(struct vctx *v, enum cal_where where, int index, int interval, int service,
    const char *fmt, ...)
{
	struct cal_error *e;
	va_list ap;

	if (v->found++ >= v->max)
		return;
	e = &v->errs[v->found - 1];
	e->where = where;
	e->index = index;
	e->interval = interval;
	e->service = service;
	va_start(ap, fmt);
	vsnprintf(e->message, sizeof(e->message), fmt, ap);
	va_end(ap);
}

/* Writes minute m as "HH:MM" (or the number when out of range) into buf. */
static const char *
hhmm(int m, char buf[static 12])
{
	if (m >= 0 && m <= CAL_DAY_MINUTES)
		snprintf(buf, 12, "%02d:%02d", m / 60, m % 60);
	else
		snprintf(buf, 12, "%d", m);
	return buf;
}

/* Checks one interval on its own: inside the day and not inverted. */
static void
check_interval(struct vctx *v, enum cal_where where, int index, int k,
    const struct cal_interval *iv)
{
	char a[12], b[12];

	if (iv->from < 0 || iv->to > CAL_DAY_MINUTES)
		report(v, where, index, k, -1, "interval %s-%s is not inside 00:00-24:00",
		    hhmm(iv->from, a), hhmm(iv->to, b));
	else if (iv->from >= iv->to)
		report(v, where, index, k, -1, "interval %s-%s does not end after it starts",
		    hhmm(iv->from, a), hhmm(iv->to, b));
}

/* True when iv lies inside the day and ends after it starts. */
static bool
interval_sane(const struct cal_interval *iv)
{
	return iv->from >= 0 && iv->to <= CAL_DAY_MINUTES && iv->from < iv->to;
}

/* Checks sane interval k against the earlier sane ones: no overlap, in order. */
static void
check_interval_order(struct vctx *v, enum cal_where where, int index,
    const struct cal_hours *h, size_t k)
{
	const struct cal_interval *iv = &h->iv[k];

	if (!interval_sane(iv))
		return;
	for (size_t j = 0; j < k; j++) {
		if (interval_sane(&h->iv[j]) && iv->from < h->iv[j].to && h->iv[j].from < iv->to) {
			report(v, where, index, (int)k, -1, "interval %zu overlaps interval %zu",
			    k, j);
			return;
		}
	}
	if (interval_sane(&h->iv[k - 1]) && iv->from < h->iv[k - 1].from)
		report(v, where, index, (int)k, -1,
		    "interval %zu starts before interval %zu; list them in order", k, k - 1);
}

/* Checks a day's hours: count, each interval, overlaps and order. */
static void
check_hours(struct vctx *v, enum cal_where where, int index, const struct cal_hours *h)
{
	if (h->n > CAL_MAX_INTERVALS) {
		report(v, where, index, -1, -1, "%zu intervals in one day; at most %d",
		    h->n, CAL_MAX_INTERVALS);
		return;
	}
	for (size_t k = 0; k < h->n; k++)
		check_interval(v, where, index, (int)k, &h->iv[k]);
	for (size_t k = 1; k < h->n; k++)
		check_interval_order(v, where, index, h, k);
}

/* Checks an annual range's two month-day pairs (29 February allowed). */
static void
check_annual(struct vctx *v, int i, const struct cal_rule *r)
{
	int fm = r->from_month, um = r->until_month;

	if (fm < 1 || fm > 12 || r->from_day < 1 || r->from_day > cdate_days_in_month(2024, fm))
		report(v, CAL_AT_RULE, i, -1, -1, "annual range starts on %02d-%02d, no such day",
		    fm, r->from_day);
	if (um < 1 || um > 12 || r->until_day < 1 || r->until_day > cdate_days_in_month(2024, um))
		report(v, CAL_AT_RULE, i, -1, -1, "annual range ends on %02d-%02d, no such day",
		    um, r->until_day);
}

/* Checks the matcher's own fields. */
static void
check_matcher(struct vctx *v, int i, const struct cal_rule *r)
{
	switch (r->match) {
	case CAL_MATCH_WEEKDAYS:
		if (r->weekdays == 0 || r->weekdays > 0x7fu)
			report(v, CAL_AT_RULE, i, -1, -1, "weekday set is empty or has bits past Saturday");
		return;
	case CAL_MATCH_NTH_WEEKDAY:
	case CAL_MATCH_DAY_AFTER_NTH:
		if (r->nth < 1 || r->nth > 5)
			report(v, CAL_AT_RULE, i, -1, -1, "nth is %d; it must be 1 to 5", r->nth);
		if (r->weekday < 0 || r->weekday > 6)
			report(v, CAL_AT_RULE, i, -1, -1, "weekday is %d; it must be 0 (Sunday) to 6",
			    r->weekday);
		return;
	case CAL_MATCH_HOLIDAY:
		return;
	case CAL_MATCH_ANNUAL:
		check_annual(v, i, r);
		return;
	case CAL_MATCH_DATE:
		if (r->date == CDATE_NONE)
			report(v, CAL_AT_RULE, i, -1, -1, "a one-off rule needs a date");
		return;
	}
	report(v, CAL_AT_RULE, i, -1, -1, "unknown matcher kind %d", (int)r->match);
}

/* Checks rule i: matcher, hours, reason, policy and effective dates. */
static void
check_rule(struct vctx *v, int i, const struct cal_rule *r)
{
	char a[11], b[11];

	check_matcher(v, i, r);
	if (r->open && r->hours.n == 0)
		report(v, CAL_AT_RULE, i, -1, -1, "the rule opens the day but gives no hours");
	else if (!r->open && r->hours.n > 0)
		report(v, CAL_AT_RULE, i, -1, -1, "the rule closes the day but gives hours");
	else if (r->open)
		check_hours(v, CAL_AT_RULE, i, &r->hours);
	if ((unsigned)r->reason > CAL_REASON_SPECIAL)
		report(v, CAL_AT_RULE, i, -1, -1, "unknown closed reason %d", (int)r->reason);
	if ((unsigned)r->policy > CAL_POLICY_WALK_IN_ONLY)
		report(v, CAL_AT_RULE, i, -1, -1, "unknown reservation policy %d", (int)r->policy);
	if (r->effective_from != CDATE_NONE && r->effective_until != CDATE_NONE &&
	    r->effective_from > r->effective_until)
		report(v, CAL_AT_RULE, i, -1, -1, "effective_from %s is after effective_until %s",
		    cdate_format(r->effective_from, a), cdate_format(r->effective_until, b));
}

/* Checks a service's dated policy entries: known policy, strictly ascending. */
static void
check_policies(struct vctx *v, int s, const struct cal_service *svc)
{
	char a[11];

	if (svc->npolicies > CAL_MAX_POLICIES) {
		report(v, CAL_AT_SERVICE, s, -1, s, "%zu policy entries; at most %d",
		    svc->npolicies, CAL_MAX_POLICIES);
		return;
	}
	for (size_t k = 0; k < svc->npolicies; k++) {
		const struct cal_policy_entry *e = &svc->policies[k];

		if (e->policy < CAL_POLICY_REQUIRED || e->policy > CAL_POLICY_WALK_IN_ONLY)
			report(v, CAL_AT_POLICY, (int)k, -1, s, "unknown reservation policy %d",
			    (int)e->policy);
		if (k > 0 && e->from <= svc->policies[k - 1].from)
			report(v, CAL_AT_POLICY, (int)k, -1, s,
			    "policy from %s is not after the previous entry's date",
			    e->from == CDATE_NONE ? "the start" : cdate_format(e->from, a));
	}
}

/* Checks service s's numbers and id (unique among the earlier services). */
static void
check_service(struct vctx *v, const struct cal_office *o, int s)
{
	const struct cal_service *svc = &o->services[s];

	if (svc->id[0] == '\0' || memchr(svc->id, '\0', CAL_ID_MAX) == NULL)
		report(v, CAL_AT_SERVICE, s, -1, s, "service id is empty or too long");
	for (int j = 0; j < s; j++)
		if (strncmp(o->services[j].id, svc->id, CAL_ID_MAX) == 0)
			report(v, CAL_AT_SERVICE, s, -1, s, "service %.*s is listed twice",
			    CAL_ID_MAX, svc->id);
	if (svc->slot_minutes < CAL_MIN_SLOT_MINUTES || svc->slot_minutes > CAL_DAY_MINUTES)
		report(v, CAL_AT_SERVICE, s, -1, s, "slot length %d minutes; it must be %d to %d",
		    svc->slot_minutes, CAL_MIN_SLOT_MINUTES, CAL_DAY_MINUTES);
	if (svc->capacity < 1)
		report(v, CAL_AT_SERVICE, s, -1, s, "capacity %d; at least 1 counter", svc->capacity);
	if (svc->horizon_days < 0)
		report(v, CAL_AT_SERVICE, s, -1, s, "booking horizon %d days is negative",
		    svc->horizon_days);
	if (svc->lead_minutes < 0)
		report(v, CAL_AT_SERVICE, s, -1, s, "lead time %d minutes is negative",
		    svc->lead_minutes);
	check_policies(v, s, svc);
}

/* Reports each sane interval of h that service s's slots do not divide. */
static void
check_divides(struct vctx *v, enum cal_where where, int index,
    const struct cal_hours *h, int s, const struct cal_service *svc)
{
	char a[12], b[12];

	for (size_t k = 0; k < hours_count(h); k++) {
		const struct cal_interval *iv = &h->iv[k];

		if (interval_sane(iv) && (iv->to - iv->from) % svc->slot_minutes != 0)
			report(v, where, index, (int)k, s,
			    "interval %s-%s is not a whole number of %.*s's %d-minute slots",
			    hhmm(iv->from, a), hhmm(iv->to, b), CAL_ID_MAX, svc->id,
			    svc->slot_minutes);
	}
}

/* Checks that service s's slot length divides every interval of the office. */
static void
check_slot_fit(struct vctx *v, const struct cal_office *o, int s)
{
	const struct cal_service *svc = &o->services[s];

	if (svc->slot_minutes < CAL_MIN_SLOT_MINUTES)
		return;
	for (int w = 0; w < 7; w++)
		check_divides(v, CAL_AT_WEEK, w, &o->week[w], s, svc);
	for (size_t i = 0; i < rule_count(o); i++)
		if (o->rules[i].open)
			check_divides(v, CAL_AT_RULE, (int)i, &o->rules[i].hours, s, svc);
}

/* Checks the peak factors: each in (0, 1]. */
static void
check_peaks(struct vctx *v, const struct cal_office *o)
{
	for (int w = 0; w < 8; w++) {
		double f = w < 7 ? o->peak_weekday[w] : o->peak_after_closure;

		if (!(f > 0.0 && f <= 1.0))
			report(v, CAL_AT_PEAK, w, -1, -1,
			    "peak factor %g must be above 0 and at most 1", f);
	}
}

/* Checks office; writes up to max problems to errs, returns how many it found. */
size_t
cal_validate_office(const struct cal_office *office, struct cal_error *errs, size_t max)
{
	struct vctx v = { errs, max, 0 };
	size_t nsvc = office->nservices;

	for (int w = 0; w < 7; w++)
		check_hours(&v, CAL_AT_WEEK, w, &office->week[w]);
	if (office->nrules > CAL_MAX_RULES)
		report(&v, CAL_AT_OFFICE, -1, -1, -1, "%zu rules; at most %d",
		    office->nrules, CAL_MAX_RULES);
	for (size_t i = 0; i < rule_count(office); i++)
		check_rule(&v, (int)i, &office->rules[i]);
	if (nsvc > CAL_MAX_SERVICES) {
		report(&v, CAL_AT_OFFICE, -1, -1, -1, "%zu services; at most %d",
		    nsvc, CAL_MAX_SERVICES);
		nsvc = CAL_MAX_SERVICES;
	}
	for (size_t s = 0; s < nsvc; s++) {
		check_service(&v, office, (int)s);
		check_slot_fit(&v, office, (int)s);
	}
	check_peaks(&v, office);
	return v.found;
}
