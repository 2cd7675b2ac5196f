/*
 * The daemon's one clock. Everything that asks "what time is it" asks here, so
 * tests and demos can start it at a chosen instant (MADOGUCHI_NOW); it then
 * advances in real time.
 */
#ifndef MADOGUCHI_CLOCK_H
#define MADOGUCHI_CLOCK_H

#include "core/cdate.h"

#include <stdbool.h>
#include <stdint.h>
#include <time.h>

/* Parses an ISO 8601 instant with an offset ("2026-12-15T10:00:00+09:00" or "Z"). */
bool clock_parse_instant(const char *s, time_t *out) __attribute__((warn_unused_result));
/* Starts the clock at instant; later readings advance with real time. */
void clock_set_start(time_t instant);
/* Returns true when the clock was moved away from real time. */
bool clock_is_shifted(void);
/* Milliseconds of a monotonic clock (for intervals; unaffected by MADOGUCHI_NOW). */
uint64_t clock_monotonic_ms(void);
/* The current instant. */
time_t clock_now(void);
/* The civil date and minute of the day (0..1439) of an instant in Asia/Tokyo. */
void clock_jst(time_t t, cdate *date, int *minute);
/* The instant of a civil date and minute of the day in Asia/Tokyo. */
time_t clock_instant(cdate date, int minute);
/* Formats an instant in Asia/Tokyo as "2026-12-02T08:30:00+09:00". */
void clock_format_jst(time_t t, char buf[static 26]);

#endif
