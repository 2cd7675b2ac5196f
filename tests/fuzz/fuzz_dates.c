/*
 * Dates and instants from outside: "YYYY-MM-DD" (cdate_parse: visit and birth
 * dates, query parameters) and ISO 8601 instants with an offset
 * (clock_parse_instant: booking starts). Whatever parses must format back to
 * the same text or instant, and the arithmetic on it must stay in range.
 */
#include "fuzz.h"

#include "clock.h"
#include "core/cdate.h"

/* A parsed date: formats back to the input, splits and rebuilds, and moves sanely. */
static void
check_date(const char *s, cdate d, int months)
{
	char buf[11];
	int y, m, day, y2, m2, day2;
	cdate back, moved;

	FUZZ_ASSERT(strcmp(cdate_format(d, buf), s) == 0);
	cdate_to_ymd(d, &y, &m, &day);
	FUZZ_ASSERT(y >= CDATE_MIN_YEAR && y <= CDATE_MAX_YEAR);
	FUZZ_ASSERT(cdate_from_ymd(y, m, day, &back) && back == d);
	FUZZ_ASSERT(cdate_weekday(d) >= 0 && cdate_weekday(d) <= 6);
	FUZZ_ASSERT(cdate_add_days(cdate_end_of_month(d), 1) > d);
	moved = cdate_add_months(d, months);
	cdate_to_ymd(moved, &y2, &m2, &day2);
	FUZZ_ASSERT((y2 * 12 + m2 - 1) - (y * 12 + m - 1) == months);
	FUZZ_ASSERT(day2 <= day && day2 >= 1);
	/* Someone born on d is 0 on d, and n on the n-th birthday after it. */
	FUZZ_ASSERT(cdate_age_on(d, d) == 0);
	FUZZ_ASSERT(cdate_age_on(d, cdate_nth_birthday_after(d, d, 5)) == 5);
}

/* A parsed instant: in range, formats back (in Tokyo time) and splits into date and minute. */
static void
check_instant(time_t t)
{
	char buf[26];
	time_t back, floor_min = t - (((t % 60) + 60) % 60);
	cdate date;
	int minute;

	/* 1970-01-01T00:00:00+14:00 .. 2199-12-31T23:59:59-14:00 */
	FUZZ_ASSERT(t >= -14 * 3600 && t <= 7289654399L + 14 * 3600);
	clock_jst(t, &date, &minute);
	clock_format_jst(t, buf);
	FUZZ_ASSERT(strlen(buf) == 25);
	/* An offset can carry the Tokyo date past the years the parser takes. */
	if (strncmp(buf, "1970", 4) >= 0 && strncmp(buf, "2200", 4) < 0)
		FUZZ_ASSERT(clock_parse_instant(buf, &back) && back == t);
	FUZZ_ASSERT(minute >= 0 && minute < 1440);
	FUZZ_ASSERT(clock_instant(date, minute) == floor_min);
	FUZZ_ASSERT(date == cdate_from_time(t));
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *s = fuzz_string(data, size);
	int months = size > 0 ? (int8_t)data[0] : 0;
	cdate d;
	time_t t;

	if (cdate_parse(s, &d))
		check_date(s, d, months);
	if (clock_parse_instant(s, &t))
		check_instant(t);
	free(s);
	return 0;
}
