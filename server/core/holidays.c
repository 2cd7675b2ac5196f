/*
 * National holidays from the rules of the Public Holidays Act. The named days
 * are a table of rules with the years each was in force; substitute and
 * citizens' holidays are derived from them as the Act says, with the wording
 * that changed in 2007. All years are computed once into a static table.
 */
#include "holidays.h"

#include <pthread.h>
#include <stdint.h>
#include <string.h>

#define YEARS (HOL_LAST_YEAR - HOL_FIRST_YEAR + 1)
#define NO_END 9999

/* How a rule places its day in the year. */
enum placement {
	FIXED,		/* month and day */
	MONDAY,		/* the n-th Monday of the month ("happy Monday") */
	VERNAL,		/* 春分日 by the standard formula */
	AUTUMNAL,	/* 秋分日 by the standard formula */
};

/* One named holiday as the law placed it during a span of years. */
struct rule {
	int first;		/* first year the rule applies */
	int last;		/* last year it applies (NO_END: still in force) */
	enum placement how;	/* how the day is found */
	int month;		/* month of the day */
	int day;		/* day of month (FIXED) or n (MONDAY) */
	const char *ja;		/* Japanese name */
	const char *en;		/* English name */
};

static const struct rule rules[] = {
	{ 1949, NO_END, FIXED, 1, 1, "元日", "New Year's Day" },
	{ 1949, 1999, FIXED, 1, 15, "成人の日", "Coming of Age Day" },
	{ 2000, NO_END, MONDAY, 1, 2, "成人の日", "Coming of Age Day" },
	{ 1967, NO_END, FIXED, 2, 11, "建国記念の日", "National Foundation Day" },
	{ 2020, NO_END, FIXED, 2, 23, "天皇誕生日", "Emperor's Birthday" },
	{ 1949, NO_END, VERNAL, 3, 0, "春分の日", "Vernal Equinox Day" },
	{ 1949, 1988, FIXED, 4, 29, "天皇誕生日", "Emperor's Birthday" },
	{ 1989, 2006, FIXED, 4, 29, "みどりの日", "Greenery Day" },
	{ 2007, NO_END, FIXED, 4, 29, "昭和の日", "Showa Day" },
	{ 1949, NO_END, FIXED, 5, 3, "憲法記念日", "Constitution Memorial Day" },
	{ 2007, NO_END, FIXED, 5, 4, "みどりの日", "Greenery Day" },
	{ 1949, NO_END, FIXED, 5, 5, "こどもの日", "Children's Day" },
	{ 1996, 2002, FIXED, 7, 20, "海の日", "Marine Day" },
	{ 2003, 2019, MONDAY, 7, 3, "海の日", "Marine Day" },
	{ 2020, 2020, FIXED, 7, 23, "海の日", "Marine Day" },
	{ 2021, 2021, FIXED, 7, 22, "海の日", "Marine Day" },
	{ 2022, NO_END, MONDAY, 7, 3, "海の日", "Marine Day" },
	{ 2016, 2019, FIXED, 8, 11, "山の日", "Mountain Day" },
	{ 2020, 2020, FIXED, 8, 10, "山の日", "Mountain Day" },
	{ 2021, 2021, FIXED, 8, 8, "山の日", "Mountain Day" },
	{ 2022, NO_END, FIXED, 8, 11, "山の日", "Mountain Day" },
	{ 1966, 2002, FIXED, 9, 15, "敬老の日", "Respect for the Aged Day" },
	{ 2003, NO_END, MONDAY, 9, 3, "敬老の日", "Respect for the Aged Day" },
	{ 1949, NO_END, AUTUMNAL, 9, 0, "秋分の日", "Autumnal Equinox Day" },
	{ 1966, 1999, FIXED, 10, 10, "体育の日", "Health and Sports Day" },
	{ 2000, 2019, MONDAY, 10, 2, "体育の日", "Health and Sports Day" },
	{ 2020, 2020, FIXED, 7, 24, "スポーツの日", "Sports Day" },
	{ 2021, 2021, FIXED, 7, 23, "スポーツの日", "Sports Day" },
	{ 2022, NO_END, MONDAY, 10, 2, "スポーツの日", "Sports Day" },
	{ 1948, NO_END, FIXED, 11, 3, "文化の日", "Culture Day" },
	{ 1948, NO_END, FIXED, 11, 23, "勤労感謝の日", "Labour Thanksgiving Day" },
	{ 1989, 2018, FIXED, 12, 23, "天皇誕生日", "Emperor's Birthday" },
	/* Days made holidays by one-off laws. */
	{ 1989, 1989, FIXED, 2, 24, "昭和天皇の大喪の礼",
	  "State Funeral of Emperor Showa" },
	{ 1990, 1990, FIXED, 11, 12, "即位礼正殿の儀",
	  "Enthronement Ceremony" },
	{ 1993, 1993, FIXED, 6, 9, "皇太子徳仁親王の結婚の儀",
	  "Wedding of Crown Prince Naruhito" },
	{ 2019, 2019, FIXED, 5, 1, "即位の日", "Enthronement Day" },
	{ 2019, 2019, FIXED, 10, 22, "即位礼正殿の儀",
	  "Enthronement Ceremony" },
};

static const char substitute_ja[] = "振替休日";
static const char substitute_en[] = "Substitute Holiday";
static const char citizens_ja[] = "国民の休日";
static const char citizens_en[] = "Citizens' Holiday";

/* The 1985 amendment (in force 1985-12-27) created the citizens' holiday. */
#define CITIZENS_FROM_YEAR 1986
/* The 2005 amendment (in force 2007-01-01) changed both derived holidays. */
#define REFORM_2007 2007

/* One computed year: its holidays and, per day of the year, which one. */
struct year_table {
	struct hol_day days[HOL_MAX_PER_YEAR];	/* sorted by date */
	size_t n;				/* entries used in days */
	uint8_t index[366];			/* day of year -> days index + 1, 0 none */
};

static struct year_table tables[YEARS];
static pthread_once_t tables_once = PTHREAD_ONCE_INIT;

/* Day of the month of an equinox by the formula valid for 1980-2099. */
static int
equinox_day(int year, bool autumn)
{
	/* 20.8431 / 23.2488 + 0.242194 (y - 1980) - floor((y - 1980) / 4), in millionths. */
	long base = autumn ? 23248800L : 20843100L;
	long k = year - HOL_FIRST_YEAR;

	return (int)((base + 242194L * k - 1000000L * (k / 4)) / 1000000L);
}

/* The date a rule gives in year, false if it gives none. */
static bool
rule_date(const struct rule *r, int year, cdate *out)
{
	switch (r->how) {
	case FIXED:
		return cdate_from_ymd(year, r->month, r->day, out);
	case MONDAY:
		return cdate_nth_weekday(year, r->month, 1, r->day, out);
	case VERNAL:
		return cdate_from_ymd(year, 3, equinox_day(year, false), out);
	case AUTUMNAL:
		return cdate_from_ymd(year, 9, equinox_day(year, true), out);
	}
	return false;
}

/* Appends a holiday to a year being built (capacity is proven by the tests). */
static void
append(struct year_table *t, cdate d, enum hol_kind kind, const char *ja,
    const char *en)
{
	if (t->n >= HOL_MAX_PER_YEAR)
		return;
	t->days[t->n].date = d;
	t->days[t->n].kind = kind;
	t->days[t->n].name_ja = ja;
	t->days[t->n].name_en = en;
	t->n++;
}

/* Sorts a year's holidays by date (insertion sort: at most a couple dozen). */
static void
sort_days(struct year_table *t)
{
	for (size_t i = 1; i < t->n; i++) {
		struct hol_day key = t->days[i];
		size_t j = i;

		while (j > 0 && t->days[j - 1].date > key.date) {
			t->days[j] = t->days[j - 1];
			j--;
		}
		t->days[j] = key;
	}
}

/* Rebuilds the day-of-year index after the list changed. */
static void
reindex(struct year_table *t, cdate jan1)
{
	memset(t->index, 0, sizeof(t->index));
	for (size_t i = 0; i < t->n; i++)
		t->index[t->days[i].date - jan1] = (uint8_t)(i + 1);
}

/* The kind of holiday d is within a year being built, or -1 for none. */
static int
kind_of(const struct year_table *t, cdate jan1, cdate d)
{
	long doy = (long)d - jan1;

	if (doy < 0 || doy >= 366 || t->index[doy] == 0)
		return -1;
	return (int)t->days[t->index[doy] - 1].kind;
}

/* Adds every named holiday whose rule is in force in year. */
static void
add_national(struct year_table *t, int year)
{
	cdate d;

	for (size_t i = 0; i < sizeof(rules) / sizeof(rules[0]); i++) {
		if (year < rules[i].first || year > rules[i].last)
			continue;
		if (rule_date(&rules[i], year, &d))
			append(t, d, HOL_NATIONAL, rules[i].ja, rules[i].en);
	}
}

/*
 * 振替休日: before 2007 the Monday after a national holiday on a Sunday; from
 * 2007 the first following day that is not a national holiday.
 */
static void
add_substitutes(struct year_table *t, int year, cdate jan1)
{
	size_t n = t->n;

	for (size_t i = 0; i < n; i++) {
		cdate d = t->days[i].date;

		if (cdate_weekday(d) != 0)
			continue;
		d++;
		if (year >= REFORM_2007) {
			while (kind_of(t, jan1, d) == HOL_NATIONAL)
				d++;
		} else if (kind_of(t, jan1, d) == HOL_NATIONAL) {
			continue;
		}
		if (d - jan1 < 366 && kind_of(t, jan1, d) < 0)
			append(t, d, HOL_SUBSTITUTE, substitute_ja, substitute_en);
	}
}

/*
 * 国民の休日: a day whose eve and morrow are national holidays and which is
 * not one itself; before 2007 also not a Sunday nor a substitute holiday.
 */
static void
add_citizens(struct year_table *t, int year, cdate jan1)
{
	size_t n = t->n;

	if (year < CITIZENS_FROM_YEAR)
		return;
	for (size_t i = 0; i < n; i++) {
		cdate d = t->days[i].date + 1;

		if (t->days[i].kind != HOL_NATIONAL ||
		    kind_of(t, jan1, d + 1) != HOL_NATIONAL)
			continue;
		if (kind_of(t, jan1, d) >= 0)
			continue;
		if (year < REFORM_2007 && cdate_weekday(d) == 0)
			continue;
		append(t, d, HOL_CITIZENS, citizens_ja, citizens_en);
	}
}

/* Computes one year's holidays into its table. */
static void
build_year(struct year_table *t, int year)
{
	cdate jan1 = cdate_make(year, 1, 1);

	t->n = 0;
	add_national(t, year);
	sort_days(t);
	reindex(t, jan1);
	add_substitutes(t, year, jan1);
	sort_days(t);
	reindex(t, jan1);
	add_citizens(t, year, jan1);
	sort_days(t);
	reindex(t, jan1);
}

/* Fills the whole table; run once. */
static void
build_all(void)
{
	for (int y = HOL_FIRST_YEAR; y <= HOL_LAST_YEAR; y++)
		build_year(&tables[y - HOL_FIRST_YEAR], y);
}

/* The computed table of year, or NULL outside the supported years. */
static const struct year_table *
table_of(int year)
{
	if (year < HOL_FIRST_YEAR || year > HOL_LAST_YEAR)
		return NULL;
	(void)pthread_once(&tables_once, build_all);
	return &tables[year - HOL_FIRST_YEAR];
}

/* The holiday record of d, or NULL. */
static const struct hol_day *
find(cdate d)
{
	int y, m, day;
	const struct year_table *t;
	long doy;

	if (d == CDATE_NONE)
		return NULL;
	cdate_to_ymd(d, &y, &m, &day);
	t = table_of(y);
	if (t == NULL)
		return NULL;
	doy = (long)d - cdate_make(y, 1, 1);
	if (t->index[doy] == 0)
		return NULL;
	return &t->days[t->index[doy] - 1];
}

/* True when d is a national holiday; names (either may be NULL) are static. */
bool
hol_lookup(cdate d, const char **name_ja, const char **name_en)
{
	const struct hol_day *h = find(d);

	if (h == NULL)
		return false;
	if (name_ja != NULL)
		*name_ja = h->name_ja;
	if (name_en != NULL)
		*name_en = h->name_en;
	return true;
}

/* Like hol_lookup, but fills a whole record; false when d is no holiday. */
bool
hol_get(cdate d, struct hol_day *out)
{
	const struct hol_day *h = find(d);

	if (h == NULL)
		return false;
	*out = *h;
	return true;
}

/* Writes up to max holidays of year in date order; returns how many it wrote
 * (HOL_MAX_PER_YEAR is always enough; 0 outside HOL_FIRST_YEAR..HOL_LAST_YEAR). */
size_t
hol_year(int year, struct hol_day *out, size_t max)
{
	const struct year_table *t = table_of(year);
	size_t n;

	if (t == NULL)
		return 0;
	n = t->n < max ? t->n : max;
	if (n > 0)
		memcpy(out, t->days, n * sizeof(*out));
	return n;
}
