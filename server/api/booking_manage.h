/*
 * What the handlers of an existing booking share: who may act on it (its token,
 * or staff of its office) and reading its row. Internal to server/api/.
 */
#ifndef MADOGUCHI_API_BOOKING_MANAGE_H
#define MADOGUCHI_API_BOOKING_MANAGE_H

#include "core/cdate.h"
#include "request.h"
#include "token.h"

#include <stdbool.h>
#include <time.h>

struct cal_service;
struct config_office;

/* What an existing booking's handlers share. */
struct manage {
	char reference[TOKEN_REF_LEN + 1];	/* from the path */
	char token_hash[65];			/* the caller's token, hashed */
	char *token;				/* the caller's token */
	cdate date;				/* reschedule: the new date */
	int minute;				/* and minute */
	int capacity;				/* and the new slot's places */
	time_t old_start;			/* the booking's current start */
	time_t old_end;				/* and end: a move keeps the length */
	const struct config_office *office;	/* the booking's office */
	const struct cal_service *svc;		/* and service */
	bool staff;				/* the caller has a staff token, not the booking's */
	request_db_fn *step;			/* what reads the booking (re-run after a staff check) */
	void (*then)(struct request *);		/* where a two-visit check goes on */
	char actor[40];				/* "resident" or "staff:<id>", for the audit log */
};

/*
 * Reads the reference and bearer token (or notes a staff token) of a request
 * into a new r->ctx. Answers 400/401/404 and returns NULL when they are unusable.
 */
struct manage *manage_begin(struct request *r);
/* Reads the booking and continues with fn (which starts with manage_owns). */
void manage_step(struct request *r, request_db_fn *fn);
/* manage_begin, then manage_step. */
void manage_read(struct request *r, request_db_fn *fn);
/*
 * True when the row exists and the caller may act on it: its token, or a staff
 * token for its office. Otherwise answers 404, or (staff, not checked yet)
 * starts the staff check, which reads the row again and goes on.
 */
bool manage_owns(struct request *r, const struct db_result *res);

#endif
