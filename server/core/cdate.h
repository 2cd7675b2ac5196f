/*
 * Civil dates (no time of day, no zone) as a day number, so comparing and
 * subtracting dates is integer arithmetic. Everything the domain rules count
 * in days, months or birthdays is here; the calendar is proleptic Gregorian.
 */
#ifndef MADOGUCHI_CDATE_H
#define MADOGUCHI_CDATE_H

#include <stdbool.h>
#include <stdint.h>
#include <time.h>

/* Days since 1970-01-01 (negative before it). */
typedef int32_t cdate;

/* "No date": a sentinel that is smaller than every real date. */
#define CDATE_NONE INT32_MIN

/* Smallest and largest year cdate_parse accepts. */
#define CDATE_MIN_YEAR 1900
#define CDATE_MAX_YEAR 2199

/* Returns true when year is a Gregorian leap year. */
bool cdate_is_leap(int year);
/* Days in month (1..12) of year; 0 for a month out of range. */
int cdate_days_in_month(int year, int month);
/* The day number of a date the caller knows to be valid (no checking). */
cdate cdate_make(int year, int month, int day);
/* The day number of y-m-d, or false when there is no such day. */
bool cdate_from_ymd(int year, int month, int day, cdate *out)
    __attribute__((warn_unused_result));
/* Splits a day number into year, month (1..12) and day (1..31). */
void cdate_to_ymd(cdate d, int *year, int *month, int *day);
/* Parses exactly "YYYY-MM-DD" (years 1900..2199), nothing before or after. */
bool cdate_parse(const char *s, cdate *out) __attribute__((warn_unused_result));
/* Writes "YYYY-MM-DD" and its NUL into buf; returns buf. */
char *cdate_format(cdate d, char buf[static 11]);
/* Day of the week: 0 = Sunday .. 6 = Saturday. */
int cdate_weekday(cdate d);
/* The date n days later (earlier for negative n). */
cdate cdate_add_days(cdate d, int n);
/* The same day n months later; a day the target month lacks becomes its last day. */
cdate cdate_add_months(cdate d, int n);
/* The last day of the month that holds d. */
cdate cdate_end_of_month(cdate d);
/* The n-th (1..5) given weekday of year-month, false when the month has none. */
bool cdate_nth_weekday(int year, int month, int weekday, int n, cdate *out)
    __attribute__((warn_unused_result));
/* The civil date in Asia/Tokyo (UTC+9, no DST) of an instant. */
cdate cdate_from_time(time_t t);
/* The holder's birthday in year; 29 February is 28 February in common years. */
cdate cdate_birthday_in(cdate birth, int year);
/* Completed years of age on date on (birthdays per cdate_birthday_in). */
int cdate_age_on(cdate birth, cdate on);
/* The n-th birthday strictly after date after (n >= 1). */
cdate cdate_nth_birthday_after(cdate birth, cdate after, int n);

#endif
