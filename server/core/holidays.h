/*
 * Japanese national holidays for 1980-2099, computed from the rules of the
 * Public Holidays Act (国民の祝日に関する法律) and the special laws of 1989, 1990,
 * 1993, 2019, 2020 and 2021: fixed days, happy Mondays, equinoxes, substitute
 * holidays and citizens' holidays. Years are computed once, on first use, into
 * a static table (guarded by pthread_once), so a lookup is an array index.
 */
#ifndef MADOGUCHI_HOLIDAYS_H
#define MADOGUCHI_HOLIDAYS_H

#include <stdbool.h>
#include <stddef.h>

#include "cdate.h"

/* First and last year the module knows; other years have no holidays. */
#define HOL_FIRST_YEAR 1980
#define HOL_LAST_YEAR 2099
/* No year has more holidays than this (2019 has 22). */
#define HOL_MAX_PER_YEAR 26

/* What kind of day off a holiday is. */
enum hol_kind {
	HOL_NATIONAL,	/* a 国民の祝日 named in the Act or a special law */
	HOL_SUBSTITUTE,	/* 振替休日: for a national holiday on a Sunday */
	HOL_CITIZENS,	/* 国民の休日: a day between two national holidays */
};

/* One holiday. The strings are static and never freed. */
struct hol_day {
	cdate date;		/* the day itself */
	enum hol_kind kind;	/* national, substitute or citizens' holiday */
	const char *name_ja;	/* official Japanese name, e.g. "元日" */
	const char *name_en;	/* English name, e.g. "New Year's Day" */
};

/* True when d is a national holiday; names (either may be NULL) are static. */
bool hol_lookup(cdate d, const char **name_ja, const char **name_en);
/* Like hol_lookup, but fills a whole record; false when d is no holiday. */
bool hol_get(cdate d, struct hol_day *out) __attribute__((warn_unused_result));
/* Writes up to max holidays of year in date order; returns how many it wrote
 * (HOL_MAX_PER_YEAR is always enough; 0 outside HOL_FIRST_YEAR..HOL_LAST_YEAR). */
size_t hol_year(int year, struct hol_day *out, size_t max);

#endif
