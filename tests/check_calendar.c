/* Unit tests for the office calendar (links server/calendar.c, holidays.c, cdate.c). */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "core/calendar.h"
#include "core/holidays.h"

/* Minutes since midnight of h:m. */
#define HM(h, m) ((h) * 60 + (m))

/* Parses s, failing the test when it does not parse. */
static cdate
D(const char *s)
{
	cdate d = CDATE_NONE;

	ck_assert_msg(cdate_parse(s, &d), "date %s should parse", s);
	return d;
}

/* Sets h to one interval. */
static void
hours1(struct cal_hours *h, int from, int to)
{
	h->n = 1;
	h->iv[0].from = from;
	h->iv[0].to = to;
}

/* Sets h to two intervals. */
static void
hours2(struct cal_hours *h, int from1, int to1, int from2, int to2)
{
	hours1(h, from1, to1);
	h->n = 2;
	h->iv[1].from = from2;
	h->iv[1].to = to2;
}

/* Appends a closing rule of kind match to o and returns it for tuning. */
static struct cal_rule *
add_rule(struct cal_office *o, enum cal_match match)
{
	struct cal_rule *r;

	ck_assert_uint_lt(o->nrules, CAL_MAX_RULES);
	r = &o->rules[o->nrules++];
	cal_rule_init(r, match);
	return r;
}

/* Appends a service to o and returns it for tuning. */
static struct cal_service *
add_service(struct cal_office *o, const char *id, int slot, int capacity)
{
	struct cal_service *s;

	ck_assert_uint_lt(o->nservices, CAL_MAX_SERVICES);
	s = &o->services[o->nservices++];
	cal_service_init(s, id);
	s->slot_minutes = slot;
	s->capacity = capacity;
	return s;
}

/* Closes o on national holidays and over 12-29..01-03. */
static void
add_holiday_and_year_end(struct cal_office *o)
{
	struct cal_rule *r;

	(void)add_rule(o, CAL_MATCH_HOLIDAY);
	r = add_rule(o, CAL_MATCH_ANNUAL);
	r->from_month = 12;
	r->from_day = 29;
	r->until_month = 1;
	r->until_day = 3;
}

/*
 * Kasugai main office: weekdays 08:30-17:00, Wednesdays to 19:30, Sundays
 * 08:30-12:00 and 13:00-17:00 except the third Sunday, holidays and the
 * year-end break; certificate renewal by reservation only from 2024-11-01.
 */
static void
kasugai_main(struct cal_office *o)
{
	struct cal_rule *r;
	struct cal_service *s;

	cal_office_init(o);
	for (int w = 1; w <= 5; w++)
		hours1(&o->week[w], HM(8, 30), HM(17, 0));
	hours1(&o->week[3], HM(8, 30), HM(19, 30));
	hours2(&o->week[0], HM(8, 30), HM(12, 0), HM(13, 0), HM(17, 0));
	r = add_rule(o, CAL_MATCH_NTH_WEEKDAY);
	r->weekday = 0;
	r->nth = 3;
	add_holiday_and_year_end(o);
	s = add_service(o, "ecert_renewal", 30, 10);
	s->npolicies = 2;
	s->policies[0].from = CDATE_NONE;
	s->policies[0].policy = CAL_POLICY_OPTIONAL;
	s->policies[1].from = D("2024-11-01");
	s->policies[1].policy = CAL_POLICY_REQUIRED;
	s->horizon_days = 14;
	s->lead_minutes = 60;
	o->peak_weekday[1] = 0.6;
	o->peak_after_closure = 0.7;
}

/* A Kasugai branch: weekdays 08:30-17:00, closed on holidays and at year end. */
static void
kasugai_branch(struct cal_office *o)
{
	cal_office_init(o);
	for (int w = 1; w <= 5; w++)
		hours1(&o->week[w], HM(8, 30), HM(17, 0));
	add_holiday_and_year_end(o);
	(void)add_service(o, "ecert_renewal", 30, 2);
}

/*
 * Shiki's counter in the shopping building: every day but Wednesday, closed
 * 12-29..01-03. ASSUMPTION: 10:00-18:00 every open day, holidays included;
 * the sources name the days, not the hours.
 */
static void
shiki_station(struct cal_office *o)
{
	struct cal_rule *r;

	cal_office_init(o);
	for (int w = 0; w < 7; w++)
		if (w != 3)
			hours1(&o->week[w], HM(10, 0), HM(18, 0));
	r = add_rule(o, CAL_MATCH_ANNUAL);
	r->from_month = 12;
	r->from_day = 29;
	r->until_month = 1;
	r->until_day = 3;
	(void)add_service(o, "ecert_renewal", 15, 1);
}

/*
 * Shiki main office: weekdays 08:30-17:15, holidays and year end closed, and
 * open on the Sunday after the third Saturday. ASSUMPTION: that Sunday keeps
 * the weekday hours.
 */
static void
shiki_main(struct cal_office *o)
{
	struct cal_rule *r;

	cal_office_init(o);
	for (int w = 1; w <= 5; w++)
		hours1(&o->week[w], HM(8, 30), HM(17, 15));
	add_holiday_and_year_end(o);
	r = add_rule(o, CAL_MATCH_DAY_AFTER_NTH);
	r->weekday = 6;
	r->nth = 3;
	r->open = true;
	hours1(&r->hours, HM(8, 30), HM(17, 15));
	(void)add_service(o, "ecert_renewal", 15, 2);
}

/* Asserts that office is open on date with exactly the intervals given (n of them). */
static void
assert_open(const struct cal_office *o, const char *date, size_t n, const int *iv)
{
	struct cal_day day;

	cal_day(o, D(date), &day);
	ck_assert_msg(day.open, "%s should be open", date);
	ck_assert_int_eq(day.reason, CAL_REASON_NONE);
	ck_assert_uint_eq(day.hours.n, n);
	for (size_t i = 0; i < n; i++) {
		ck_assert_int_eq(day.hours.iv[i].from, iv[2 * i]);
		ck_assert_int_eq(day.hours.iv[i].to, iv[2 * i + 1]);
	}
}

/* Asserts that office is closed on date for reason. */
static void
assert_closed(const struct cal_office *o, const char *date, enum cal_reason reason)
{
	struct cal_day day;

	cal_day(o, D(date), &day);
	ck_assert_msg(!day.open, "%s should be closed", date);
	ck_assert_uint_eq(day.hours.n, 0);
	ck_assert_msg(day.reason == reason, "%s: reason %s, want %s", date,
	    cal_reason_name(day.reason), cal_reason_name(reason));
}

/* Runs the validator and returns its count, writing up to 8 problems into errs. */
static size_t
validate(const struct cal_office *o, struct cal_error errs[8])
{
	memset(errs, 0, 8 * sizeof(errs[0]));
	return cal_validate_office(o, errs, 8);
}

/* Asserts exactly one problem, at where/index/interval/service. */
static void
assert_one_error(const struct cal_office *o, enum cal_where where, int index,
    int interval, int service)
{
	struct cal_error errs[8];
	size_t n = validate(o, errs);

	ck_assert_msg(n == 1, "want 1 problem, got %zu (first: %s)", n, errs[0].message);
	ck_assert_int_eq(errs[0].where, where);
	ck_assert_int_eq(errs[0].index, index);
	ck_assert_int_eq(errs[0].interval, interval);
	ck_assert_int_eq(errs[0].service, service);
	ck_assert_msg(errs[0].message[0] != '\0', "a problem must explain itself");
}

START_TEST(kasugai_wednesday_evening_main_only)
{
	static struct cal_office main_office, branch;
	static const int late[] = { HM(8, 30), HM(19, 30) };
	static const int day[] = { HM(8, 30), HM(17, 0) };

	kasugai_main(&main_office);
	kasugai_branch(&branch);
	assert_open(&main_office, "2026-12-16", 1, late);
	assert_open(&branch, "2026-12-16", 1, day);
	assert_open(&main_office, "2026-12-15", 1, day);
}
END_TEST

START_TEST(kasugai_sundays)
{
	static struct cal_office o;
	static const int split[] = { HM(8, 30), HM(12, 0), HM(13, 0), HM(17, 0) };
	struct cal_day day;

	kasugai_main(&o);
	assert_open(&o, "2026-12-13", 2, split);
	assert_closed(&o, "2026-12-20", CAL_REASON_NTH_WEEKDAY);
	cal_day(&o, D("2026-12-20"), &day);
	ck_assert_int_eq(day.rule, 0);
	assert_open(&o, "2026-12-27", 2, split);
	/* November 2026 begins on a Sunday: the third Sunday is the 15th. */
	assert_closed(&o, "2026-11-15", CAL_REASON_NTH_WEEKDAY);
	assert_open(&o, "2026-11-22", 2, split);
	assert_open(&o, "2026-11-08", 2, split);
}
END_TEST

START_TEST(kasugai_closures)
{
	static struct cal_office o, branch;
	static const int day[] = { HM(8, 30), HM(17, 0) };

	kasugai_main(&o);
	kasugai_branch(&branch);
	for (cdate d = D("2026-12-29"); d <= D("2027-01-03"); d++) {
		char buf[11];

		assert_closed(&o, cdate_format(d, buf), CAL_REASON_YEAR_END);
		assert_closed(&branch, buf, CAL_REASON_YEAR_END);
	}
	assert_open(&o, "2026-12-28", 1, day);
	assert_open(&o, "2027-01-04", 1, day);
	assert_closed(&o, "2026-11-23", CAL_REASON_HOLIDAY);
	assert_closed(&branch, "2026-11-23", CAL_REASON_HOLIDAY);
	assert_closed(&o, "2026-12-12", CAL_REASON_WEEKLY);
	assert_closed(&branch, "2026-12-13", CAL_REASON_WEEKLY);
}
END_TEST

START_TEST(branch_matches_holiday_table_all_year)
{
	static struct cal_office o;
	struct cal_day day;
	int y, m, mday;

	kasugai_branch(&o);
	for (cdate d = D("2026-01-01"); d <= D("2027-12-31"); d++) {
		int w = cdate_weekday(d);
		bool year_end, want;

		cdate_to_ymd(d, &y, &m, &mday);
		year_end = (m == 12 && mday >= 29) || (m == 1 && mday <= 3);
		want = w >= 1 && w <= 5 && !hol_lookup(d, NULL, NULL) && !year_end;
		cal_day(&o, d, &day);
		ck_assert_msg(day.open == want, "day %d: open %d", (int)d, day.open);
	}
}
END_TEST

START_TEST(shiki_station_every_day_but_wednesday)
{
	static struct cal_office o;
	static const int hours[] = { HM(10, 0), HM(18, 0) };

	shiki_station(&o);
	assert_closed(&o, "2026-12-16", CAL_REASON_WEEKLY);
	assert_closed(&o, "2026-12-09", CAL_REASON_WEEKLY);
	assert_open(&o, "2026-12-12", 1, hours);
	assert_open(&o, "2026-12-13", 1, hours);
	assert_open(&o, "2026-11-23", 1, hours);
	assert_open(&o, "2026-12-28", 1, hours);
	for (cdate d = D("2026-12-29"); d <= D("2027-01-03"); d++) {
		char buf[11];

		assert_closed(&o, cdate_format(d, buf), CAL_REASON_YEAR_END);
	}
	assert_open(&o, "2027-01-04", 1, hours);
}
END_TEST

START_TEST(shiki_sunday_after_third_saturday)
{
	static struct cal_office o;
	static const int hours[] = { HM(8, 30), HM(17, 15) };
	struct cal_day day;

	shiki_main(&o);
	/* 2026-11: third Saturday the 21st, so the 22nd; the third Sunday is the 15th. */
	assert_open(&o, "2026-11-22", 1, hours);
	cal_day(&o, D("2026-11-22"), &day);
	ck_assert_int_eq(day.rule, 2);
	assert_closed(&o, "2026-11-15", CAL_REASON_WEEKLY);
	assert_closed(&o, "2026-11-21", CAL_REASON_WEEKLY);
	/* 2026-12 begins on a Tuesday: both readings give the 20th. */
	assert_open(&o, "2026-12-20", 1, hours);
	assert_closed(&o, "2026-12-13", CAL_REASON_WEEKLY);
	assert_open(&o, "2026-12-18", 1, hours);
}
END_TEST

START_TEST(day_after_fifth_crosses_month)
{
	static struct cal_office o;
	static const int hours[] = { HM(9, 0), HM(12, 0) };
	struct cal_rule *r;

	cal_office_init(&o);
	r = add_rule(&o, CAL_MATCH_DAY_AFTER_NTH);
	r->weekday = 6;
	r->nth = 5;
	r->open = true;
	hours1(&r->hours, HM(9, 0), HM(12, 0));
	/* 2026-10-31 is October's fifth Saturday; the day after is 1 November. */
	assert_open(&o, "2026-11-01", 1, hours);
	assert_closed(&o, "2026-10-31", CAL_REASON_WEEKLY);
	/* The Sunday after November's fourth (last) Saturday stays closed. */
	assert_closed(&o, "2026-11-29", CAL_REASON_WEEKLY);
}
END_TEST

START_TEST(precedence_between_kinds)
{
	static struct cal_office o;
	static const int special[] = { HM(9, 0), HM(12, 0) };
	struct cal_rule *r;

	kasugai_main(&o);
	/* 2027-01-01 is a holiday inside the break: the annual range wins. */
	assert_closed(&o, "2027-01-01", CAL_REASON_YEAR_END);
	/* A one-off opening beats the annual range. */
	r = add_rule(&o, CAL_MATCH_DATE);
	r->date = D("2026-12-29");
	r->open = true;
	hours1(&r->hours, HM(9, 0), HM(12, 0));
	assert_open(&o, "2026-12-29", 1, special);
	assert_closed(&o, "2026-12-30", CAL_REASON_YEAR_END);
	/* A one-off closure with its own reason beats the base week. */
	r = add_rule(&o, CAL_MATCH_DATE);
	r->date = D("2026-12-15");
	r->reason = CAL_REASON_SPECIAL;
	assert_closed(&o, "2026-12-15", CAL_REASON_SPECIAL);
	/* A weekday-set rule closing Sundays beats the base week... */
	r = add_rule(&o, CAL_MATCH_WEEKDAYS);
	r->weekdays = 1u << 0;
	assert_closed(&o, "2026-12-13", CAL_REASON_WEEKLY);
	/* ...and the third-Sunday rule still decides the 20th. */
	assert_closed(&o, "2026-12-20", CAL_REASON_NTH_WEEKDAY);
}
END_TEST

START_TEST(later_rule_of_same_kind_wins)
{
	static struct cal_office o;
	static const int first[] = { HM(9, 0), HM(12, 0) };
	static const int second[] = { HM(13, 0), HM(16, 0) };
	struct cal_rule *r;

	kasugai_branch(&o);
	r = add_rule(&o, CAL_MATCH_WEEKDAYS);
	r->weekdays = 1u << 2;
	r->open = true;
	hours1(&r->hours, HM(9, 0), HM(12, 0));
	assert_open(&o, "2026-12-15", 1, first);
	r = add_rule(&o, CAL_MATCH_WEEKDAYS);
	r->weekdays = (1u << 2) | (1u << 4);
	r->open = true;
	hours1(&r->hours, HM(13, 0), HM(16, 0));
	assert_open(&o, "2026-12-15", 1, second);
	assert_open(&o, "2026-12-17", 1, second);
}
END_TEST

START_TEST(rule_effective_from_a_date)
{
	static struct cal_office o;
	static const int day[] = { HM(8, 30), HM(17, 0) };
	static const int late[] = { HM(8, 30), HM(19, 30) };
	struct cal_rule *r;

	kasugai_branch(&o);
	r = add_rule(&o, CAL_MATCH_WEEKDAYS);
	r->weekdays = 1u << 3;
	r->open = true;
	hours1(&r->hours, HM(8, 30), HM(19, 30));
	r->effective_from = D("2025-04-01");
	assert_open(&o, "2025-03-26", 1, day);
	assert_open(&o, "2025-04-02", 1, late);
	assert_open(&o, "2026-12-16", 1, late);
	/* The last day is inclusive. */
	r->effective_until = D("2025-04-09");
	assert_open(&o, "2025-04-09", 1, late);
	assert_open(&o, "2025-04-16", 1, day);
}
END_TEST

START_TEST(kasugai_reservation_required_from_2024_11_01)
{
	static struct cal_office o;
	const struct cal_service *s;
	struct cal_day day;

	kasugai_main(&o);
	s = cal_service_find(&o, "ecert_renewal");
	ck_assert_ptr_nonnull(s);
	ck_assert_ptr_null(cal_service_find(&o, "pin_reset"));
	ck_assert_int_eq(cal_policy(s, D("2024-10-31")), CAL_POLICY_OPTIONAL);
	ck_assert_int_eq(cal_policy(s, D("2024-11-01")), CAL_POLICY_REQUIRED);
	ck_assert_int_eq(cal_policy(s, D("2026-12-16")), CAL_POLICY_REQUIRED);
	cal_day(&o, D("2024-10-31"), &day);
	ck_assert_int_eq(cal_day_policy(s, &day), CAL_POLICY_OPTIONAL);
	/* No entries at all: optional every day. */
	o.services[0].npolicies = 0;
	ck_assert_int_eq(cal_policy(s, D("2026-12-16")), CAL_POLICY_OPTIONAL);
	/* Entries starting later: optional before the first. */
	o.services[0].npolicies = 1;
	o.services[0].policies[0].from = D("2025-01-01");
	o.services[0].policies[0].policy = CAL_POLICY_WALK_IN_ONLY;
	ck_assert_int_eq(cal_policy(s, D("2024-12-31")), CAL_POLICY_OPTIONAL);
	ck_assert_int_eq(cal_policy(s, D("2025-01-01")), CAL_POLICY_WALK_IN_ONLY);
}
END_TEST

START_TEST(oita_holiday_openings_reservation_only)
{
	static struct cal_office o;
	struct cal_service *s;
	struct cal_rule *r;
	struct cal_day day;
	enum cal_why why;

	cal_office_init(&o);
	for (int w = 1; w <= 5; w++)
		hours1(&o.week[w], HM(8, 30), HM(17, 15));
	r = add_rule(&o, CAL_MATCH_HOLIDAY);
	r->open = true;
	hours1(&r->hours, HM(9, 0), HM(12, 0));
	r->policy = CAL_POLICY_REQUIRED;
	s = add_service(&o, "ecert_renewal", 15, 2);
	s->npolicies = 1;
	s->policies[0].from = CDATE_NONE;
	s->policies[0].policy = CAL_POLICY_WALK_IN_ONLY;
	cal_day(&o, D("2026-11-23"), &day);
	ck_assert(day.open);
	ck_assert_int_eq(day.policy, CAL_POLICY_REQUIRED);
	ck_assert_int_eq(cal_day_policy(s, &day), CAL_POLICY_REQUIRED);
	ck_assert(cal_bookable(&o, s, D("2026-11-23"), HM(9, 0), D("2026-11-20"), 0, &why));
	ck_assert(!cal_bookable(&o, s, D("2026-11-24"), HM(9, 0), D("2026-11-20"), 0, &why));
	ck_assert_int_eq(why, CAL_WHY_WALK_IN_ONLY);
	ck_assert_str_eq(cal_why_name(why), "walk_in_only");
}
END_TEST

START_TEST(slots_around_lunch_break)
{
	static struct cal_office o;
	struct cal_slot slots[CAL_MAX_SLOTS];
	struct cal_day day;
	size_t n;

	kasugai_main(&o);
	cal_day(&o, D("2026-12-13"), &day);
	n = cal_slots(&o.services[0], &day, slots, CAL_MAX_SLOTS);
	ck_assert_uint_eq(n, 15);
	ck_assert_int_eq(slots[0].start, HM(8, 30));
	ck_assert_int_eq(slots[0].end, HM(9, 0));
	ck_assert_int_eq(slots[6].start, HM(11, 30));
	ck_assert_int_eq(slots[6].end, HM(12, 0));
	ck_assert_int_eq(slots[7].start, HM(13, 0));
	ck_assert_int_eq(slots[14].start, HM(16, 30));
	ck_assert_int_eq(slots[14].end, HM(17, 0));
	for (size_t i = 0; i < n; i++)
		ck_assert(slots[i].start < HM(12, 0) || slots[i].start >= HM(13, 0));
	/* Wednesday runs to 19:30: 22 half-hours. */
	cal_day(&o, D("2026-12-16"), &day);
	ck_assert_uint_eq(cal_slots(&o.services[0], &day, slots, CAL_MAX_SLOTS), 22);
	/* max caps the output. */
	ck_assert_uint_eq(cal_slots(&o.services[0], &day, slots, 3), 3);
	/* A closed day has none. */
	cal_day(&o, D("2026-12-20"), &day);
	ck_assert_uint_eq(cal_slots(&o.services[0], &day, slots, CAL_MAX_SLOTS), 0);
}
END_TEST

START_TEST(peak_factors_scale_capacity)
{
	static struct cal_office o;
	struct cal_slot slots[CAL_MAX_SLOTS];
	struct cal_day day;

	kasugai_main(&o);	/* capacity 10, Monday 0.6, after a closure 0.7 */
	/* Ordinary Tuesday. */
	cal_day(&o, D("2026-12-15"), &day);
	ck_assert(!day.after_closure);
	ck_assert_uint_eq(cal_slots(&o.services[0], &day, slots, CAL_MAX_SLOTS), 17);
	ck_assert_int_eq(slots[0].capacity, 10);
	/* Monday after an open Sunday: the Monday factor only. */
	cal_day(&o, D("2026-12-14"), &day);
	ck_assert(!day.after_closure);
	ck_assert_uint_gt(cal_slots(&o.services[0], &day, slots, CAL_MAX_SLOTS), 0);
	ck_assert_int_eq(slots[0].capacity, 6);
	/* Tuesday after the 11-23 holiday: after a closure only; 10 * 0.7 is 7. */
	cal_day(&o, D("2026-11-24"), &day);
	ck_assert(day.after_closure);
	ck_assert_uint_gt(cal_slots(&o.services[0], &day, slots, CAL_MAX_SLOTS), 0);
	ck_assert_int_eq(slots[0].capacity, 7);
	/* 2027-01-04: Monday and first day after the break; the smaller wins. */
	cal_day(&o, D("2027-01-04"), &day);
	ck_assert(day.after_closure);
	ck_assert(day.peak_factor == 0.6);
	ck_assert_uint_gt(cal_slots(&o.services[0], &day, slots, CAL_MAX_SLOTS), 0);
	ck_assert_int_eq(slots[0].capacity, 6);
	o.peak_weekday[1] = 0.8;
	cal_day(&o, D("2027-01-04"), &day);
	ck_assert(day.peak_factor == 0.7);
	/* A closed day reports no thinning. */
	cal_day(&o, D("2027-01-03"), &day);
	ck_assert(day.peak_factor == 1.0);
}
END_TEST

START_TEST(peak_capacity_rounds_down_but_not_below_one)
{
	static struct cal_office o;
	struct cal_slot slots[CAL_MAX_SLOTS];
	struct cal_day day;

	kasugai_main(&o);
	cal_day(&o, D("2026-12-14"), &day);	/* Monday, 0.6 */
	o.services[0].capacity = 3;		/* 1.8 -> 1 */
	ck_assert_uint_gt(cal_slots(&o.services[0], &day, slots, CAL_MAX_SLOTS), 0);
	ck_assert_int_eq(slots[0].capacity, 1);
	o.services[0].capacity = 1;		/* 0.6 -> 0 -> at least 1 */
	ck_assert_uint_gt(cal_slots(&o.services[0], &day, slots, CAL_MAX_SLOTS), 0);
	ck_assert_int_eq(slots[0].capacity, 1);
	o.services[0].capacity = 5;		/* 3.0 -> 3 */
	ck_assert_uint_gt(cal_slots(&o.services[0], &day, slots, CAL_MAX_SLOTS), 0);
	ck_assert_int_eq(slots[0].capacity, 3);
	/* 50 * 0.58 is 28.999999999999996 in binary: still 29 places. */
	o.peak_weekday[1] = 0.58;
	cal_day(&o, D("2026-12-14"), &day);
	o.services[0].capacity = 50;
	ck_assert_uint_gt(cal_slots(&o.services[0], &day, slots, CAL_MAX_SLOTS), 0);
	ck_assert_int_eq(slots[0].capacity, 29);
}
END_TEST

START_TEST(bookable_checks)
{
	static struct cal_office o;
	const struct cal_service *s;
	cdate now = D("2026-12-01");	/* Tuesday, asked at 10:00 */
	enum cal_why why;

	kasugai_main(&o);	/* horizon 14 days, lead 60 minutes, 30-minute slots */
	s = &o.services[0];
	ck_assert(cal_bookable(&o, s, D("2026-12-09"), HM(8, 30), now, HM(10, 0), &why));
	ck_assert_int_eq(why, CAL_WHY_OK);
	ck_assert_ptr_null(cal_why_name(why));
	/* Not on a slot boundary, and the 19:30 closing minute. */
	ck_assert(!cal_bookable(&o, s, D("2026-12-09"), HM(8, 45), now, HM(10, 0), &why));
	ck_assert_int_eq(why, CAL_WHY_OUTSIDE_HOURS);
	ck_assert(!cal_bookable(&o, s, D("2026-12-09"), HM(19, 30), now, HM(10, 0), &why));
	ck_assert_int_eq(why, CAL_WHY_OUTSIDE_HOURS);
	ck_assert(cal_bookable(&o, s, D("2026-12-09"), HM(19, 0), now, HM(10, 0), &why));
	/* Sunday lunch break. */
	ck_assert(!cal_bookable(&o, s, D("2026-12-13"), HM(12, 0), now, HM(10, 0), &why));
	ck_assert_int_eq(why, CAL_WHY_OUTSIDE_HOURS);
	ck_assert(!cal_bookable(&o, s, D("2026-12-12"), HM(9, 0), now, HM(10, 0), &why));
	ck_assert_int_eq(why, CAL_WHY_CLOSED);
	/* Horizon: 12-15 is the 14th day, 12-16 the 15th. */
	ck_assert(cal_bookable(&o, s, D("2026-12-15"), HM(9, 0), now, HM(10, 0), &why));
	ck_assert(!cal_bookable(&o, s, D("2026-12-16"), HM(9, 0), now, HM(10, 0), &why));
	ck_assert_int_eq(why, CAL_WHY_BEYOND_HORIZON);
	/* Lead time: 11:00 is exactly 60 minutes away, 10:30 is not, 09:00 is past. */
	ck_assert(cal_bookable(&o, s, now, HM(11, 0), now, HM(10, 0), &why));
	ck_assert(!cal_bookable(&o, s, now, HM(10, 30), now, HM(10, 0), &why));
	ck_assert_int_eq(why, CAL_WHY_TOO_SOON);
	ck_assert(!cal_bookable(&o, s, now, HM(9, 0), now, HM(10, 0), &why));
	ck_assert_int_eq(why, CAL_WHY_TOO_SOON);
	ck_assert(!cal_bookable(&o, s, D("2026-11-30"), HM(9, 0), now, HM(10, 0), &why));
	ck_assert_int_eq(why, CAL_WHY_TOO_SOON);
	/* Lead time across midnight: 16:50 today to 08:30 tomorrow is enough... */
	ck_assert(cal_bookable(&o, s, D("2026-12-02"), HM(8, 30), now, HM(16, 50), &why));
	/* ...unless the lead is a day. */
	o.services[0].lead_minutes = 24 * 60;
	ck_assert(!cal_bookable(&o, s, D("2026-12-02"), HM(8, 30), now, HM(16, 50), &why));
	ck_assert_int_eq(why, CAL_WHY_TOO_SOON);
	/* Walk-in only. */
	o.services[0].npolicies = 1;
	o.services[0].policies[0].from = CDATE_NONE;
	o.services[0].policies[0].policy = CAL_POLICY_WALK_IN_ONLY;
	ck_assert(!cal_bookable(&o, s, D("2026-12-09"), HM(8, 30), now, HM(10, 0), &why));
	ck_assert_int_eq(why, CAL_WHY_WALK_IN_ONLY);
	ck_assert_str_eq(cal_why_name(why), "walk_in_only");
}
END_TEST

START_TEST(crowding_labels)
{
	ck_assert_int_eq(cal_crowding(0, 10, 1.0), CAL_CROWDING_LOW);
	ck_assert_int_eq(cal_crowding(3, 10, 1.0), CAL_CROWDING_LOW);
	ck_assert_int_eq(cal_crowding(4, 10, 1.0), CAL_CROWDING_MODERATE);
	ck_assert_int_eq(cal_crowding(7, 10, 1.0), CAL_CROWDING_MODERATE);
	ck_assert_int_eq(cal_crowding(8, 10, 1.0), CAL_CROWDING_HIGH);
	ck_assert_int_eq(cal_crowding(9, 10, 1.0), CAL_CROWDING_HIGH);
	ck_assert_int_eq(cal_crowding(10, 10, 1.0), CAL_CROWDING_FULL);
	ck_assert_int_eq(cal_crowding(12, 10, 1.0), CAL_CROWDING_FULL);
	ck_assert_int_eq(cal_crowding(0, 0, 1.0), CAL_CROWDING_FULL);
	/* A peak day is one level busier, never full while places are left. */
	ck_assert_int_eq(cal_crowding(0, 6, 0.6), CAL_CROWDING_MODERATE);
	ck_assert_int_eq(cal_crowding(3, 6, 0.6), CAL_CROWDING_HIGH);
	ck_assert_int_eq(cal_crowding(5, 6, 0.6), CAL_CROWDING_HIGH);
	ck_assert_int_eq(cal_crowding(6, 6, 0.6), CAL_CROWDING_FULL);
	ck_assert_str_eq(cal_crowding_name(CAL_CROWDING_MODERATE), "moderate");
	ck_assert_str_eq(cal_crowding_name(CAL_CROWDING_FULL), "full");
}
END_TEST

START_TEST(names_round_trip)
{
	static const char *const reasons[] = {
		"weekly", "holiday", "year_end", "nth_weekday", "special",
	};
	static const char *const policies[] = { "required", "optional", "walk_in_only" };
	enum cal_reason r;
	enum cal_policy p;

	for (size_t i = 0; i < 5; i++) {
		ck_assert(cal_reason_parse(reasons[i], &r));
		ck_assert_str_eq(cal_reason_name(r), reasons[i]);
	}
	for (size_t i = 0; i < 3; i++) {
		ck_assert(cal_policy_parse(policies[i], &p));
		ck_assert_str_eq(cal_policy_name(p), policies[i]);
	}
	ck_assert(!cal_reason_parse("closed", &r));
	ck_assert(!cal_policy_parse("", &p));
	ck_assert(!cal_policy_parse(NULL, &p));
	ck_assert_ptr_null(cal_reason_name(CAL_REASON_NONE));
	ck_assert_ptr_null(cal_policy_name(CAL_POLICY_NONE));
	ck_assert_str_eq(cal_why_name(CAL_WHY_BEYOND_HORIZON), "beyond_horizon");
}
END_TEST

START_TEST(validate_accepts_real_offices)
{
	static struct cal_office o;
	struct cal_error errs[8];

	kasugai_main(&o);
	ck_assert_uint_eq(validate(&o, errs), 0);
	kasugai_branch(&o);
	ck_assert_uint_eq(validate(&o, errs), 0);
	shiki_station(&o);
	ck_assert_uint_eq(validate(&o, errs), 0);
	shiki_main(&o);
	ck_assert_uint_eq(validate(&o, errs), 0);
}
END_TEST

START_TEST(validate_intervals)
{
	static struct cal_office o;

	/* Sunday afternoon starting 11:30 overlaps the morning. */
	kasugai_main(&o);
	o.week[0].iv[1].from = HM(11, 30);
	assert_one_error(&o, CAL_AT_WEEK, 0, 1, -1);
	/* Tuesday 17:00-08:30 is inverted. */
	kasugai_main(&o);
	hours1(&o.week[2], HM(17, 0), HM(8, 30));
	assert_one_error(&o, CAL_AT_WEEK, 2, 0, -1);
	/* Afternoon listed before the morning. */
	kasugai_main(&o);
	hours2(&o.week[0], HM(13, 0), HM(17, 0), HM(8, 30), HM(12, 0));
	assert_one_error(&o, CAL_AT_WEEK, 0, 1, -1);
	/* Past midnight. */
	kasugai_main(&o);
	hours1(&o.week[4], HM(8, 30), HM(24, 30));
	assert_one_error(&o, CAL_AT_WEEK, 4, 0, -1);
	/* An inverted interval inside a rule's hours. */
	kasugai_main(&o);
	o.rules[1].open = true;
	hours2(&o.rules[1].hours, HM(9, 0), HM(10, 0), HM(12, 0), HM(11, 0));
	assert_one_error(&o, CAL_AT_RULE, 1, 1, -1);
}
END_TEST

START_TEST(validate_rules)
{
	static struct cal_office o;

	kasugai_main(&o);
	o.rules[0].nth = 6;
	assert_one_error(&o, CAL_AT_RULE, 0, -1, -1);
	kasugai_main(&o);
	o.rules[0].nth = 0;
	assert_one_error(&o, CAL_AT_RULE, 0, -1, -1);
	kasugai_main(&o);
	o.rules[2].effective_from = D("2026-04-01");
	o.rules[2].effective_until = D("2026-03-31");
	assert_one_error(&o, CAL_AT_RULE, 2, -1, -1);
	kasugai_main(&o);
	o.rules[2].until_month = 2;
	o.rules[2].until_day = 30;
	assert_one_error(&o, CAL_AT_RULE, 2, -1, -1);
	kasugai_main(&o);
	o.rules[1].open = true;
	assert_one_error(&o, CAL_AT_RULE, 1, -1, -1);
	kasugai_main(&o);
	(void)add_rule(&o, CAL_MATCH_DATE);
	assert_one_error(&o, CAL_AT_RULE, 3, -1, -1);
}
END_TEST

START_TEST(validate_services)
{
	static struct cal_office o;

	kasugai_main(&o);
	o.services[0].capacity = 0;
	assert_one_error(&o, CAL_AT_SERVICE, 0, -1, 0);
	kasugai_main(&o);
	o.services[0].policies[1].from = D("2020-01-01");
	o.services[0].policies[0].from = D("2024-11-01");
	assert_one_error(&o, CAL_AT_POLICY, 1, -1, 0);
	kasugai_main(&o);
	(void)add_service(&o, "ecert_renewal", 30, 1);
	assert_one_error(&o, CAL_AT_SERVICE, 1, -1, 1);
	kasugai_main(&o);
	o.peak_weekday[1] = 1.5;
	assert_one_error(&o, CAL_AT_PEAK, 1, -1, -1);
	kasugai_main(&o);
	o.peak_after_closure = 0.0;
	assert_one_error(&o, CAL_AT_PEAK, 7, -1, -1);
}
END_TEST

START_TEST(validate_slot_length_divides)
{
	static struct cal_office o;
	struct cal_rule *r;

	/* Wednesday to 19:15 is 645 minutes: not whole half-hours. */
	kasugai_main(&o);
	o.week[3].iv[0].to = HM(19, 15);
	assert_one_error(&o, CAL_AT_WEEK, 3, 0, 0);
	/* A rule's second interval of 165 minutes: 30-minute slots do not fit, 15 do. */
	kasugai_main(&o);
	(void)add_service(&o, "pin_reset", 15, 1);
	r = add_rule(&o, CAL_MATCH_DATE);
	r->date = D("2026-12-26");
	r->open = true;
	hours2(&r->hours, HM(8, 30), HM(9, 0), HM(9, 0), HM(11, 45));
	assert_one_error(&o, CAL_AT_RULE, 3, 1, 0);
}
END_TEST

START_TEST(validate_counts_past_max)
{
	static struct cal_office o;
	struct cal_error errs[2];

	kasugai_main(&o);
	o.rules[0].nth = 9;
	o.services[0].capacity = -1;
	o.services[0].horizon_days = -3;
	memset(errs, 0, sizeof(errs));
	ck_assert_uint_eq(cal_validate_office(&o, errs, 2), 3);
	ck_assert_int_eq(errs[0].where, CAL_AT_RULE);
	ck_assert_int_eq(errs[1].where, CAL_AT_SERVICE);
	ck_assert_uint_eq(cal_validate_office(&o, NULL, 0), 3);
}
END_TEST

/* All calendar tests in one suite. */
static Suite *
calendar_suite(void)
{
	Suite *s = suite_create("calendar");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, kasugai_wednesday_evening_main_only);
	tcase_add_test(tc, kasugai_sundays);
	tcase_add_test(tc, kasugai_closures);
	tcase_add_test(tc, branch_matches_holiday_table_all_year);
	tcase_add_test(tc, shiki_station_every_day_but_wednesday);
	tcase_add_test(tc, shiki_sunday_after_third_saturday);
	tcase_add_test(tc, day_after_fifth_crosses_month);
	tcase_add_test(tc, precedence_between_kinds);
	tcase_add_test(tc, later_rule_of_same_kind_wins);
	tcase_add_test(tc, rule_effective_from_a_date);
	tcase_add_test(tc, kasugai_reservation_required_from_2024_11_01);
	tcase_add_test(tc, oita_holiday_openings_reservation_only);
	tcase_add_test(tc, slots_around_lunch_break);
	tcase_add_test(tc, peak_factors_scale_capacity);
	tcase_add_test(tc, peak_capacity_rounds_down_but_not_below_one);
	tcase_add_test(tc, bookable_checks);
	tcase_add_test(tc, crowding_labels);
	tcase_add_test(tc, names_round_trip);
	tcase_add_test(tc, validate_accepts_real_offices);
	tcase_add_test(tc, validate_intervals);
	tcase_add_test(tc, validate_rules);
	tcase_add_test(tc, validate_services);
	tcase_add_test(tc, validate_slot_length_divides);
	tcase_add_test(tc, validate_counts_past_max);
	suite_add_tcase(s, tc);
	return s;
}

/* Runs the suite; the exit status is 0 when every test passed. */
int
main(void)
{
	SRunner *sr = srunner_create(calendar_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
