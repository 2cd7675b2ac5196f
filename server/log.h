/* Logging to standard error (the journal under systemd), one line per event. */
#ifndef MADOGUCHI_LOG_H
#define MADOGUCHI_LOG_H

#include <stdbool.h>

enum log_level {
	LOG_LVL_DEBUG,
	LOG_LVL_INFO,
	LOG_LVL_WARN,
	LOG_LVL_ERROR,
};

/* Sets the lowest level that is written. */
void log_set_level(enum log_level level);
/* Parses "debug", "info", "warn" or "error". */
bool log_level_parse(const char *s, enum log_level *out) __attribute__((warn_unused_result));
void log_debug(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void log_info(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void log_warn(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void log_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* Logs and exits with status; only for start-up failures. */
void fatal(int status, const char *fmt, ...)
    __attribute__((format(printf, 2, 3), noreturn));

#endif
