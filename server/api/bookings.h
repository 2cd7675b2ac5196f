/* Bookings and holds: reserve, read, cancel, reschedule, never double-sold. */
#ifndef MADOGUCHI_API_BOOKINGS_H
#define MADOGUCHI_API_BOOKINGS_H

#include <stdbool.h>

struct app;
struct request;

/* POST /v1/bookings. */
void api_booking_create(struct request *r);
/* GET /v1/bookings/{reference} (Authorization: Bearer TOKEN). */
void api_booking_get(struct request *r);
/* DELETE /v1/bookings/{reference}: the place is free again at once. */
void api_booking_cancel(struct request *r);
/* POST /v1/bookings/{reference}/reschedule {"start"}: moves atomically. */
void api_booking_reschedule(struct request *r);
/* GET /v1/bookings/{reference}/calendar.ics. */
void api_booking_ics(struct request *r);
/* POST /v1/holds {"office","service","start"}: keeps a place for hold_seconds. */
void api_hold_create(struct request *r);
/*
 * Periodic work: frees expired holds; with daily_jobs also purges personal
 * fields past retention and forgets day-old idempotency keys.
 */
void bookings_maintain(struct app *app, bool daily_jobs);
/*
 * Recomputes booked and held of slots from the bookings and holds rows, and
 * repairs and logs any slot whose counters drifted.
 */
void bookings_check_counts(struct app *app);
/* Slots repaired by bookings_check_counts since start (for /metrics). */
extern unsigned long bookings_slots_repaired;

#endif
