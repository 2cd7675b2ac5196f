/* Timestamped log lines on standard error. */
#include "log.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/time.h>
#include <time.h>

/* Longer lines are cut. */
#define LOG_LINE_MAX 2048

static enum log_level min_level = LOG_LVL_INFO;
static const char *const level_names[] = { "debug", "info", "warn", "error" };

void
log_set_level(enum log_level level)
{
	min_level = level;
}

bool
log_level_parse(const char *s, enum log_level *out)
{
	for (size_t i = 0; i < sizeof level_names / sizeof level_names[0]; i++) {
		if (strcmp(s, level_names[i]) == 0) {
			*out = (enum log_level)i;
			return true;
		}
	}
	return false;
}

/* Writes one line: UTC time with milliseconds, level, message. */
/*
 * Rewrites control characters in line[0..n) as \xNN, in place, within cap
 * bytes (what does not fit is cut); returns the new length. A line then cannot
 * forge another or move the terminal.
 */
static int
escape_controls(char *line, int n, size_t cap)
{
	char out[LOG_LINE_MAX];
	size_t o = 0;

	for (int i = 0; i < n; i++) {
		unsigned char ch = (unsigned char)line[i];

		if (ch >= 0x20 && ch != 0x7f) {
			if (o + 1 >= cap)
				break;
			out[o++] = (char)ch;
			continue;
		}
		if (o + 4 >= cap)
			break;
		o += (size_t)snprintf(out + o, 5, "\\x%02x", ch);
	}
	memcpy(line, out, o);
	return (int)o;
}

static void __attribute__((format(printf, 2, 0)))
log_write(enum log_level level, const char *fmt, va_list ap)
{
	struct timeval tv;
	struct tm tm;
	char line[LOG_LINE_MAX];
	int n, m;

	if (level < min_level)
		return;
	gettimeofday(&tv, NULL);
	gmtime_r(&tv.tv_sec, &tm);
	n = (int)strftime(line, sizeof line, "%Y-%m-%dT%H:%M:%S", &tm);
	n += snprintf(line + n, sizeof line - (size_t)n, ".%03ldZ %s ",
	    (long)(tv.tv_usec / 1000), level_names[level]);
	m = vsnprintf(line + n, sizeof line - (size_t)n - 1, fmt, ap);
	n = m < 0 ? n : n + m >= (int)sizeof line - 1 ? (int)sizeof line - 2 : n + m;
	n = escape_controls(line, n, sizeof line - 1);
	line[n++] = '\n';
	/* One write per line: stderr is unbuffered, and lines must not interleave. */
	fwrite(line, 1, (size_t)n, stderr);
}

#define LOG_FN(name, level)			\
	void name(const char *fmt, ...)		\
	{					\
		va_list ap;			\
		va_start(ap, fmt);		\
		log_write(level, fmt, ap);	\
		va_end(ap);			\
	}

LOG_FN(log_debug, LOG_LVL_DEBUG)
LOG_FN(log_info, LOG_LVL_INFO)
LOG_FN(log_warn, LOG_LVL_WARN)
LOG_FN(log_error, LOG_LVL_ERROR)

void
fatal(int status, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	log_write(LOG_LVL_ERROR, fmt, ap);
	va_end(ap);
	exit(status);
}
