/*
 * Places taken per slot of an office's service over a range of days: the one
 * statement that reads slot_usage for availability, alternatives and the
 * earliest free slot, and an ascending lookup over its rows.
 */
#ifndef MADOGUCHI_SLOT_COUNTS_H
#define MADOGUCHI_SLOT_COUNTS_H

#include "core/cdate.h"
#include "request.h"

#include <libpq-fe.h>
#include <time.h>

/* A cursor over the rows (slot start, places taken), in ascending start order. */
struct slot_counts {
	const PGresult *pg;	/* the statement's rows; valid during the continuation */
	int row, nrows;		/* next row, and how many */
};

/*
 * Reads the places taken at municipality/office/service from the first day up
 * to (not including) end, then continues with fn; answers 503 itself when the
 * database is down.
 */
void slot_counts_fetch(struct request *r, const char *municipality, const char *office,
    const char *service, cdate first, cdate end, request_db_fn *fn);
/* Starts a cursor over the rows of a finished fetch. */
void slot_counts_init(struct slot_counts *c, const PGresult *pg);
/* Places taken in the slot starting at t; t must not go backwards between calls. */
int slot_counts_at(struct slot_counts *c, time_t t);

#endif
