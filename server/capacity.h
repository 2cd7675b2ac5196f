/*
 * Capacity rules for online booking, as this daemon holds them: factor rules
 * (scale the online places of a service's slots on some weekdays of a date
 * range) and cap rules (at most N online bookings of a service on a date).
 * The rules live in the capacity_rules table; each daemon keeps a copy in
 * memory, loaded at start, reloaded whenever a "capacity" notification says
 * they changed (any daemon's POST or DELETE sends one) and whenever its LISTEN
 * connection comes back. Availability, holds and bookings read factors here;
 * caps are also enforced by the database (bookings_day_cap, SQLSTATE MD001),
 * so no interleaving of daemons books past one.
 */
#ifndef MADOGUCHI_CAPACITY_H
#define MADOGUCHI_CAPACITY_H

#include "core/caprule.h"
#include "core/cdate.h"

#include <stdbool.h>
#include <stddef.h>

struct db_pool;
struct capacity;

/* The notification a rule change sends: {"type":"capacity","office":...}. */
#define CAPACITY_NOTIFY_TYPE "capacity"

/* An empty rule set that loads from pool (capacity_reload starts it). */
struct capacity *capacity_new(struct db_pool *pool);
void capacity_free(struct capacity *c);
/* Reads every rule again (now, or once the reload in flight is back). */
void capacity_reload(struct capacity *c);
/* Retries a load that failed (maintenance). */
void capacity_maintain(struct capacity *c);
/* Applies a rule this daemon just stored, before its notification comes back. */
void capacity_add(struct capacity *c, const struct capacity_rule *rule);
/* Forgets a rule this daemon just deleted. */
void capacity_remove(struct capacity *c, long long id);
/* A number that changes whenever the rules do (for what is kept rendered from them). */
unsigned long capacity_generation(const struct capacity *c);
/* True once the rules were read at least once. */
bool capacity_loaded(const struct capacity *c);

/* The factor on the online places of service at office on d: the smallest rule's, else 1. */
double capacity_factor(const struct capacity *c, const char *office, const char *service,
    cdate d);
/* The cap on online bookings of service at office on d: the smallest, or -1 for none. */
int capacity_cap(const struct capacity *c, const char *office, const char *service, cdate d);
/* The online places of a slot of places under factor (rounded down, never negative). */
int capacity_places(int places, double factor);

#endif
