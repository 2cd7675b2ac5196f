/*
 * The CSV imports' rows, checked apart from any request: the ticket history
 * of POST /v1/offices/{office}/history (issued_at,service,kind,called_at,
 * done_at,status) and the expiry counts of PUT
 * /v1/municipalities/{municipality}/expiries (date,certificates,cards). Each
 * reads the header (the columns in any order, each once), then one row per
 * call. A refusal is the problem to answer: 400 bad_csv with the line the
 * record starts on and the column (field) at fault (caller owns it).
 */
#ifndef MADOGUCHI_IMPORTS_H
#define MADOGUCHI_IMPORTS_H

#include "core/cdate.h"
#include "core/csv.h"

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <time.h>

/* Longest wait or service an imported ticket may show, in seconds. */
#define IMPORT_MAX_SPAN_S (24 * 3600)
/* Dates one expiries upload holds at most, and the largest count. */
#define IMPORT_EXPIRIES_MAX_ROWS 4000
#define IMPORT_MAX_COUNT 10000000

/* What reading a row found. */
enum import_status {
	IMPORT_ROW,	/* the row is good */
	IMPORT_END,	/* no more rows */
	IMPORT_BAD,	/* *problem says what is wrong; stop reading */
};

/* The history's columns, in the order the contract's header names them. */
enum { HIST_ISSUED, HIST_SERVICE, HIST_KIND, HIST_CALLED, HIST_DONE, HIST_STATUS, HIST_NCOLS };
/* The expiries' columns. */
enum { EXP_DATE, EXP_CERTS, EXP_CARDS, EXP_NCOLS };

/* True when the office offers service (the caller's calendar lookup). */
typedef bool import_offered_fn(const char *service, void *arg);

/* A history import being read. */
struct import_history {
	struct csv_reader rd;		/* over the body */
	struct csv_record rec;		/* the record being read */
	int col[HIST_NCOLS];		/* where each column is in a record */
	cdate today;			/* rows must be from days before this */
	import_offered_fn *offered;	/* the office's services */
	void *arg;			/* for offered */
};

/* One good history row; the strings point into the reader's record. */
struct history_row {
	time_t issued;			/* issued_at */
	bool has_called;		/* called_at is given */
	time_t called;			/* when it is */
	bool done;			/* status done (else no_show) */
	time_t finished;		/* done_at, for a done ticket */
	const char *service, *kind, *status;
};

/* An expiries upload being read. */
struct import_expiries {
	struct csv_reader rd;		/* over the body */
	struct csv_record rec;		/* the record being read */
	int col[EXP_NCOLS];		/* where each column is in a record */
	cdate *dates;			/* the dates so far */
	size_t n;			/* how many */
};

/* One good expiries row. */
struct expiry_row {
	cdate date;		/* the date, unique in the upload */
	long certificates;	/* e-certificates expiring, 0 to 10000000 */
	long cards;		/* cards expiring, 0 to 10000000 */
};

/* Starts reading len bytes of history for an office that offers what offered says. */
void import_history_init(struct import_history *h, const char *data, size_t len, cdate today,
    import_offered_fn *offered, void *arg);
/* Reads the header: NULL when good, else the problem. */
json_t *import_history_header(struct import_history *h) __attribute__((warn_unused_result));
/* Reads and checks the next row. */
enum import_status import_history_next(struct import_history *h, struct history_row *row,
    json_t **problem) __attribute__((warn_unused_result));

/* Starts reading len bytes of expiry counts (import_expiries_free frees). */
void import_expiries_init(struct import_expiries *e, const char *data, size_t len);
void import_expiries_free(struct import_expiries *e);
/* Reads the header: NULL when good, else the problem. */
json_t *import_expiries_header(struct import_expiries *e) __attribute__((warn_unused_result));
/* Reads and checks the next row (a date not seen before, two counts). */
enum import_status import_expiries_next(struct import_expiries *e, struct expiry_row *row,
    json_t **problem) __attribute__((warn_unused_result));

#endif
