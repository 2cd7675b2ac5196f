/*
 * The office calendar (RULES.md section 5): weekly hours, dated and recurring
 * exceptions that close a day or open it with its own hours, per-service slot
 * lengths, capacities, reservation policies and booking limits, and peak-day
 * thinning. Pure functions over fixed-size structs that a YAML parser fills in
 * place: no allocation, no I/O, no libraries beyond cdate and holidays.
 *
 * Times of day are minutes since midnight; an interval [from, to) includes its
 * start and excludes its end, so 08:30-12:00 is {510, 720}.
 *
 * Which hours a date gets: the rule of the highest-ranking kind that matches
 * the date (and is in effect on it) decides; within one kind the later rule in
 * the array wins; no matching rule leaves the base week. Ranks, highest first:
 *   CAL_MATCH_DATE > CAL_MATCH_ANNUAL > CAL_MATCH_HOLIDAY >
 *   CAL_MATCH_NTH_WEEKDAY = CAL_MATCH_DAY_AFTER_NTH > CAL_MATCH_WEEKDAYS > week.
 * So a one-off opening on New Year's Day beats the year-end break, which beats
 * the holiday that 1 January also is, which beats "closed on the third Sunday".
 */
#ifndef MADOGUCHI_CALENDAR_H
#define MADOGUCHI_CALENDAR_H

#include <stdbool.h>
#include <stddef.h>

#include "cdate.h"

/* Open intervals in one day's hours at most (Sunday morning + afternoon is 2). */
#define CAL_MAX_INTERVALS 4
/* Exception rules per office at most. */
#define CAL_MAX_RULES 48
/* Services per office at most (API.md names 7). */
#define CAL_MAX_SERVICES 8
/* Dated reservation-policy entries per service at most. */
#define CAL_MAX_POLICIES 8
/* Bytes in a service id, NUL included. */
#define CAL_ID_MAX 32
/* Shortest slot; with it a day never has more than CAL_MAX_SLOTS slots. */
#define CAL_MIN_SLOT_MINUTES 5
/* Slots in one day at most: enough for any out[] passed to cal_slots. */
#define CAL_MAX_SLOTS (24 * 60 / CAL_MIN_SLOT_MINUTES)
/* Minutes in a day: the largest interval end. */
#define CAL_DAY_MINUTES (24 * 60)
/* Longest message in a cal_error, NUL included. */
#define CAL_ERROR_MAX 160

/* One stretch of opening time. */
struct cal_interval {
	int from;	/* first minute open, 0..1439 */
	int to;		/* minute the counter closes, from+1..1440 */
};

/* The opening hours of one day: n == 0 means closed. */
struct cal_hours {
	size_t n;					/* intervals used */
	struct cal_interval iv[CAL_MAX_INTERVALS];	/* ascending, not overlapping */
};

/* Why a day is closed (API.md closed_reason). */
enum cal_reason {
	CAL_REASON_NONE,	/* open; in a rule: "the default for its kind" */
	CAL_REASON_WEEKLY,	/* "weekly": the week has no hours that day */
	CAL_REASON_HOLIDAY,	/* "holiday": a national holiday */
	CAL_REASON_YEAR_END,	/* "year_end": the 12-29..01-03 break */
	CAL_REASON_NTH_WEEKDAY,	/* "nth_weekday": e.g. the third Sunday */
	CAL_REASON_SPECIAL,	/* "special": anything else the city decides */
};

/* How a service may be used; CAL_POLICY_NONE is "no override" in a rule. */
enum cal_policy {
	CAL_POLICY_NONE,	/* in a rule: keep the service's policy */
	CAL_POLICY_REQUIRED,	/* "required": reservation only */
	CAL_POLICY_OPTIONAL,	/* "optional": book or walk in */
	CAL_POLICY_WALK_IN_ONLY, /* "walk_in_only": no bookings taken */
};

/* The kind of day a rule matches; the comment names its default reason. */
enum cal_match {
	CAL_MATCH_WEEKDAYS,	 /* weekday in rule.weekdays; weekly */
	CAL_MATCH_NTH_WEEKDAY,	 /* the nth rule.weekday of the month; nth_weekday */
	CAL_MATCH_DAY_AFTER_NTH, /* the day after the nth rule.weekday; nth_weekday */
	CAL_MATCH_HOLIDAY,	 /* a national holiday (hol_lookup); holiday */
	CAL_MATCH_ANNUAL,	 /* MM-DD..MM-DD each year, may wrap; year_end */
	CAL_MATCH_DATE,		 /* one date; special */
};

/* An exception to the week: closes matching days or opens them with hours. */
struct cal_rule {
	enum cal_match match;	/* which matcher below is used */
	cdate date;		/* CAL_MATCH_DATE: the day */
	int from_month;		/* CAL_MATCH_ANNUAL: first day's month 1..12 */
	int from_day;		/* CAL_MATCH_ANNUAL: first day's day of month */
	int until_month;	/* CAL_MATCH_ANNUAL: last day's month (inclusive) */
	int until_day;		/* CAL_MATCH_ANNUAL: earlier than from: wraps the year */
	int nth;		/* CAL_MATCH_NTH_WEEKDAY, _DAY_AFTER_NTH: 1..5 */
	int weekday;		/* CAL_MATCH_NTH_WEEKDAY, _DAY_AFTER_NTH: 0=Sunday..6 */
	unsigned weekdays;	/* CAL_MATCH_WEEKDAYS: bit w set for weekday w */
	bool open;		/* true: open with hours; false: closed */
	struct cal_hours hours;	/* the day's hours when open; unused when closed */
	enum cal_reason reason;	/* when closed; CAL_REASON_NONE: the kind's default */
	enum cal_policy policy;	/* overrides every service's policy on matched days */
	cdate effective_from;	/* first day in effect, CDATE_NONE: always was */
	cdate effective_until;	/* last day in effect, CDATE_NONE: no end */
};

/* From from on (until the next entry), a service's reservation policy is policy. */
struct cal_policy_entry {
	cdate from;		/* first day, CDATE_NONE: since always */
	enum cal_policy policy;	/* required, optional or walk_in_only */
};

/* A service's booking settings at one office. */
struct cal_service {
	char id[CAL_ID_MAX];	/* API.md service id, e.g. "ecert_renewal" */
	int slot_minutes;	/* slot length; must divide every open interval */
	int capacity;		/* counters serving it in parallel, >= 1 */
	size_t npolicies;	/* entries used; none: optional every day */
	struct cal_policy_entry policies[CAL_MAX_POLICIES]; /* strictly ascending from */
	int horizon_days;	/* bookable up to today + horizon_days, inclusive */
	int lead_minutes;	/* a booking must start at least this long from now */
};

/* One office's calendar. Start from cal_office_init, then fill it. */
struct cal_office {
	struct cal_hours week[7];	/* base hours, [0] = Sunday */
	size_t nrules;			/* entries used in rules */
	struct cal_rule rules[CAL_MAX_RULES]; /* exceptions, in file order */
	size_t nservices;		/* entries used in services */
	struct cal_service services[CAL_MAX_SERVICES]; /* services offered here */
	double peak_weekday[7];		/* capacity factor per weekday, (0, 1], 1 = none */
	double peak_after_closure;	/* factor when the day before was closed for any reason */
};

/* What one date looks like at an office. */
struct cal_day {
	cdate date;		/* the date asked about */
	bool open;		/* hours.n > 0 */
	struct cal_hours hours;	/* open intervals; n == 0 when closed */
	enum cal_reason reason;	/* why closed; CAL_REASON_NONE when open */
	enum cal_policy policy;	/* override of the deciding rule, else CAL_POLICY_NONE */
	int rule;		/* index of the deciding rule, -1 for the base week */
	bool after_closure;	/* the previous calendar day was closed */
	double peak_factor;	/* smallest factor that applies; 1.0 when closed */
};

/* One bookable slot of a service on a day. */
struct cal_slot {
	int start;	/* minute the slot starts */
	int end;	/* start + slot_minutes */
	int capacity;	/* places after the peak factor, >= 1 */
};

/* Why cal_bookable said no. */
enum cal_why {
	CAL_WHY_OK,		/* bookable */
	CAL_WHY_CLOSED,		/* "closed": the office is closed that day */
	CAL_WHY_OUTSIDE_HOURS,	/* "outside_hours": no slot starts at that minute */
	CAL_WHY_WALK_IN_ONLY,	/* "walk_in_only": the policy takes no bookings */
	CAL_WHY_BEYOND_HORIZON,	/* "beyond_horizon": later than the horizon */
	CAL_WHY_TOO_SOON,	/* "too_soon": past, or inside the lead time */
};

/* How busy a slot looks to a resident. */
enum cal_crowding {
	CAL_CROWDING_LOW,	/* "low" */
	CAL_CROWDING_MODERATE,	/* "moderate" */
	CAL_CROWDING_HIGH,	/* "high" */
	CAL_CROWDING_FULL,	/* "full" */
};

/* The part of an office a validation error points at. */
enum cal_where {
	CAL_AT_OFFICE,	/* a count (nrules, nservices) is out of range */
	CAL_AT_WEEK,	/* week[index], interval as given */
	CAL_AT_RULE,	/* rules[index], interval as given */
	CAL_AT_SERVICE,	/* services[index] */
	CAL_AT_POLICY,	/* services[service].policies[index] */
	CAL_AT_PEAK,	/* peak_weekday[index], or peak_after_closure when index is 7 */
};

/* One validation problem, precise enough for the parser to add file:line. */
struct cal_error {
	enum cal_where where;	/* which part of the office */
	int index;		/* weekday, rule, service or policy index; -1: none */
	int interval;		/* interval index in those hours; -1: not one interval */
	int service;		/* service index when a service setting is involved, else -1 */
	char message[CAL_ERROR_MAX]; /* English sentence, no location prefix */
};

/* An office with no hours, rules or services and every peak factor 1. */
void cal_office_init(struct cal_office *office);
/* A rule of kind match that closes, in effect on every date, default reason. */
void cal_rule_init(struct cal_rule *rule, enum cal_match match);
/* A service with id: 30-minute slots, capacity 1, optional, 30-day horizon, no lead. */
void cal_service_init(struct cal_service *svc, const char *id);

/* Checks office; writes up to max problems to errs, returns how many it found. */
size_t cal_validate_office(const struct cal_office *office, struct cal_error *errs,
    size_t max) __attribute__((warn_unused_result));

/* Fills day with office's hours, closed reason, override and peak factor on date. */
void cal_day(const struct cal_office *office, cdate date, struct cal_day *day);
/*
 * Writes up to max slots of svc on day (from cal_day) into out; returns how
 * many. Each open interval is cut into slot_minutes pieces from its start; a
 * slot's capacity is floor(svc->capacity * day->peak_factor), but at least 1.
 */
size_t cal_slots(const struct cal_service *svc, const struct cal_day *day,
    struct cal_slot *out, size_t max);
/* The service's own reservation policy on date (optional before any entry). */
enum cal_policy cal_policy(const struct cal_service *svc, cdate date);
/* The policy that applies on day: the day's override, else cal_policy. */
enum cal_policy cal_day_policy(const struct cal_service *svc, const struct cal_day *day);
/*
 * Whether svc can be booked at office on date at minute start, asked on
 * now_date at now_minute; why says no, checked in this order: closed,
 * outside_hours, walk_in_only, beyond_horizon (date > now_date + horizon_days),
 * too_soon (fewer than lead_minutes from now, or past).
 */
bool cal_bookable(const struct cal_office *office, const struct cal_service *svc,
    cdate date, int start, cdate now_date, int now_minute, enum cal_why *why)
    __attribute__((warn_unused_result));
/*
 * How busy a slot looks with booked of capacity places on a day with
 * peak_factor: full when booked >= capacity (or capacity < 1), high from 75 %,
 * moderate from 40 %, else low; a peak day (factor < 1) draws walk-ins, so it
 * is one level busier, but never full while places are left.
 */
enum cal_crowding cal_crowding(int booked, int capacity, double peak_factor);

/* The service with id at office, or NULL. */
const struct cal_service *cal_service_find(const struct cal_office *office, const char *id);

/* API.md name of a reason ("weekly", ...), NULL for CAL_REASON_NONE. */
const char *cal_reason_name(enum cal_reason reason);
/* Parses a reason name; false for anything else. */
bool cal_reason_parse(const char *s, enum cal_reason *out) __attribute__((warn_unused_result));
/* Name of a policy ("required", ...), NULL for CAL_POLICY_NONE. */
const char *cal_policy_name(enum cal_policy policy);
/* Parses a policy name; false for anything else. */
bool cal_policy_parse(const char *s, enum cal_policy *out) __attribute__((warn_unused_result));
/* Code of a refusal ("outside_hours", ...), NULL for CAL_WHY_OK. */
const char *cal_why_name(enum cal_why why);
/* Label of a crowding level ("low", "moderate", "high", "full"). */
const char *cal_crowding_name(enum cal_crowding crowding);

#endif
