/* The injectable clock: real time plus a fixed shift chosen at start-up. */
#include "clock.h"

#include "core/cdate.h"

#include <stdio.h>
#include <string.h>

/* Seconds added to real time; 0 unless MADOGUCHI_NOW was given. */
static time_t shift;

/* True when s starts with tmpl, where '9' in tmpl stands for one ASCII digit. */
static bool
has_shape(const char *s, const char *tmpl)
{
	for (; *tmpl != '\0'; s++, tmpl++) {
		if (*tmpl == '9' ? *s < '0' || *s > '9' : *s != *tmpl)
			return false;
	}
	return true;
}

/*
 * Parses the "+09:00", "-05:30" or "Z" suffix into seconds east of UTC. Offsets
 * in use lie within 14 hours either side; "+14:15" is refused (it carried an
 * instant in 1970 before the epoch's first day, below the range promised).
 */
static bool
parse_offset(const char *s, long *out)
{
	int hh, mm, n = 0;

	if (strcmp(s, "Z") == 0) {
		*out = 0;
		return true;
	}
	if ((s[0] != '+' && s[0] != '-') || !has_shape(s + 1, "99:99") ||
	    sscanf(s + 1, "%2d:%2d%n", &hh, &mm, &n) != 2 || n != 5 || s[6] != '\0' ||
	    mm > 59 || hh * 60 + mm > 14 * 60)
		return false;
	*out = (s[0] == '-' ? -1 : 1) * (hh * 3600L + mm * 60L);
	return true;
}

bool
clock_parse_instant(const char *s, time_t *out)
{
	int y, mo, d, h, mi, sec, n = 0;
	cdate day;
	long off;

	if (strlen(s) < 20 || !has_shape(s, "9999-99-99T99:99:99"))
		return false;
	if (sscanf(s, "%4d-%2d-%2dT%2d:%2d:%2d%n", &y, &mo, &d, &h, &mi, &sec, &n) != 6 ||
	    n != 19)
		return false;
	if (y < 1970 || y > CDATE_MAX_YEAR || !cdate_from_ymd(y, mo, d, &day) || h > 23 || mi > 59 || sec > 59 ||
	    !parse_offset(s + 19, &off))
		return false;
	*out = (time_t)((long)day * 86400L + h * 3600L + mi * 60L + sec - off);
	return true;
}

void
clock_set_start(time_t instant)
{
	shift = instant - time(NULL);
}

bool
clock_is_shifted(void)
{
	return shift != 0;
}

time_t
clock_now(void)
{
	return time(NULL) + shift;
}

void
clock_format_jst(time_t t, char buf[static 26])
{
	time_t local = t + 9 * 3600;
	struct tm tm;

	gmtime_r(&local, &tm);
	strftime(buf, 26, "%Y-%m-%dT%H:%M:%S+09:00", &tm);
}

void
clock_jst(time_t t, cdate *date, int *minute)
{
	long local = (long)t + 9 * 3600L;
	long sec = local % 86400L;

	if (sec < 0)
		sec += 86400L;
	*date = cdate_from_time(t);
	*minute = (int)(sec / 60);
}

time_t
clock_instant(cdate date, int minute)
{
	return (time_t)((long)date * 86400L + minute * 60L - 9 * 3600L);
}

uint64_t
clock_monotonic_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}
