/*
 * Civil-date arithmetic on day numbers. The conversions are Howard Hinnant's
 * days_from_civil / civil_from_days, which work on 400-year eras so they need
 * no tables and no loops.
 */
#include "cdate.h"

#include <stdio.h>

/* Asia/Tokyo is UTC+9 all year; Japan has not observed DST since 1951. */
#define TOKYO_OFFSET_SECONDS (9 * 3600)
#define SECONDS_PER_DAY 86400

/* Floor division for possibly negative numerators. */
static long long
floor_div(long long a, long long b)
{
	long long q = a / b;

	if ((a % b != 0) && ((a < 0) != (b < 0)))
		q--;
	return q;
}

/* Returns true when year is a Gregorian leap year. */
bool
cdate_is_leap(int year)
{
	return (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
}

/* Days in month (1..12) of year; 0 for a month out of range. */
int
cdate_days_in_month(int year, int month)
{
	static const int days[12] = {
		31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31
	};

	if (month < 1 || month > 12)
		return 0;
	if (month == 2 && cdate_is_leap(year))
		return 29;
	return days[month - 1];
}

/* The day number of a date the caller knows to be valid (no checking). */
cdate
cdate_make(int year, int month, int day)
{
	long long y = (long long)year - (month <= 2);
	long long era = floor_div(y, 400);
	long long yoe = y - era * 400;
	long long mp = (month + 9) % 12;
	long long doy = (153 * mp + 2) / 5 + day - 1;
	long long doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;

	return (cdate)(era * 146097 + doe - 719468);
}

/* The day number of y-m-d, or false when there is no such day. */
bool
cdate_from_ymd(int year, int month, int day, cdate *out)
{
	if (year < -1000000 || year > 1000000)
		return false;
	if (day < 1 || day > cdate_days_in_month(year, month))
		return false;
	*out = cdate_make(year, month, day);
	return true;
}

/* Splits a day number into year, month (1..12) and day (1..31). */
void
cdate_to_ymd(cdate d, int *year, int *month, int *day)
{
	long long z = (long long)d + 719468;
	long long era = floor_div(z, 146097);
	long long doe = z - era * 146097;
	long long yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	long long doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	long long mp = (5 * doy + 2) / 153;
	long long m = mp < 10 ? mp + 3 : mp - 9;

	*day = (int)(doy - (153 * mp + 2) / 5 + 1);
	*month = (int)m;
	*year = (int)(yoe + era * 400 + (m <= 2));
}

/* Reads n ASCII digits at s into *out; false on anything else. */
static bool
read_digits(const char *s, int n, int *out)
{
	int v = 0;

	for (int i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return false;
		v = v * 10 + (s[i] - '0');
	}
	*out = v;
	return true;
}

/* Parses exactly "YYYY-MM-DD" (years 1900..2199), nothing before or after. */
bool
cdate_parse(const char *s, cdate *out)
{
	int y, m, d;

	if (s == NULL)
		return false;
	if (!read_digits(s, 4, &y) || s[4] != '-' || !read_digits(s + 5, 2, &m) ||
	    s[7] != '-' || !read_digits(s + 8, 2, &d) || s[10] != '\0')
		return false;
	if (y < CDATE_MIN_YEAR || y > CDATE_MAX_YEAR)
		return false;
	return cdate_from_ymd(y, m, d, out);
}

/* Writes "YYYY-MM-DD" and its NUL into buf; returns buf. */
char *
cdate_format(cdate d, char buf[static 11])
{
	int y, m, day;

	cdate_to_ymd(d, &y, &m, &day);
	if (y < 0 || y > 9999)
		y = 0;
	snprintf(buf, 11, "%04d-%02d-%02d", y, m, day);
	return buf;
}

/* Day of the week: 0 = Sunday .. 6 = Saturday. */
int
cdate_weekday(cdate d)
{
	/* 1970-01-01 was a Thursday (4). */
	return (int)(((long long)d % 7 + 7 + 4) % 7);
}

/* The date n days later (earlier for negative n). */
cdate
cdate_add_days(cdate d, int n)
{
	return (cdate)((long long)d + n);
}

/* The same day n months later; a day the target month lacks becomes its last day. */
cdate
cdate_add_months(cdate d, int n)
{
	int y, m, day;
	long long total;

	cdate_to_ymd(d, &y, &m, &day);
	total = (long long)y * 12 + (m - 1) + n;
	y = (int)floor_div(total, 12);
	m = (int)(total - (long long)y * 12) + 1;
	if (day > cdate_days_in_month(y, m))
		day = cdate_days_in_month(y, m);
	return cdate_make(y, m, day);
}

/* The last day of the month that holds d. */
cdate
cdate_end_of_month(cdate d)
{
	int y, m, day;

	cdate_to_ymd(d, &y, &m, &day);
	return cdate_make(y, m, cdate_days_in_month(y, m));
}

/* The n-th (1..5) given weekday of year-month, false when the month has none. */
bool
cdate_nth_weekday(int year, int month, int weekday, int n, cdate *out)
{
	cdate first, d;

	if (n < 1 || n > 5 || weekday < 0 || weekday > 6)
		return false;
	if (!cdate_from_ymd(year, month, 1, &first))
		return false;
	d = first + (weekday - cdate_weekday(first) + 7) % 7 + 7 * (n - 1);
	if (d - first >= cdate_days_in_month(year, month))
		return false;
	*out = d;
	return true;
}

/* The civil date in Asia/Tokyo (UTC+9, no DST) of an instant. */
cdate
cdate_from_time(time_t t)
{
	long long local = (long long)t + TOKYO_OFFSET_SECONDS;

	return (cdate)floor_div(local, SECONDS_PER_DAY);
}

/* The holder's birthday in year; 29 February is 28 February in common years. */
cdate
cdate_birthday_in(cdate birth, int year)
{
	int y, m, d;

	cdate_to_ymd(birth, &y, &m, &d);
	if (m == 2 && d == 29 && !cdate_is_leap(year))
		d = 28;
	return cdate_make(year, m, d);
}

/* Completed years of age on date on (birthdays per cdate_birthday_in). */
int
cdate_age_on(cdate birth, cdate on)
{
	int by, bm, bd, y, m, d, age;

	cdate_to_ymd(birth, &by, &bm, &bd);
	cdate_to_ymd(on, &y, &m, &d);
	age = y - by;
	if (on < cdate_birthday_in(birth, y))
		age--;
	return age;
}

/* The n-th birthday strictly after date after (n >= 1). */
cdate
cdate_nth_birthday_after(cdate birth, cdate after, int n)
{
	int y, m, d;

	cdate_to_ymd(after, &y, &m, &d);
	if (cdate_birthday_in(birth, y) <= after)
		y++;
	return cdate_birthday_in(birth, y + n - 1);
}
