/*
 * A queue ticket laid out for paper: as UTF-8 text, or as ESC/POS bytes for a
 * 58 or 80 mm thermal receipt printer. Pure: the same JSON gives the same
 * bytes (the time printed is the answer's issued_at), so golden files pin it.
 */
#ifndef MADOGUCHI_CLIENT_TICKET_H
#define MADOGUCHI_CLIENT_TICKET_H

#include "buf.h"
#include "lang.h"

#include <jansson.h>

/* What the bytes are for. */
enum ticket_format {
	TICKET_TEXT,	/* UTF-8 text, one line per printed line */
	TICKET_ESCPOS,	/* ESC/POS with Shift_JIS kanji */
};

/* What a ticket is made from. */
struct ticket_input {
	const json_t *ticket;	/* the 201 answer of POST /v1/offices/{office}/tickets */
	const json_t *office;	/* the office as GET /v1/offices lists it, or NULL */
	const json_t *booking;	/* GET /v1/bookings/{reference} of a check-in, or NULL */
	const char *reference;	/* the booking checked in, or NULL for a walk-in */
};

/* How it is printed. */
struct ticket_options {
	enum lang lang;		/* language */
	enum ticket_format format;	/* text or ESC/POS */
	int paper_mm;			/* 58 or 80 */
	const char *public_url;		/* the server as residents' phones reach it, or NULL:
					 * then the ticket page's URL is printed (a QR code
					 * on ESC/POS) */
};

/* Half-width columns a line holds on paper_mm paper (32 on 58 mm, 48 on 80 mm). */
int ticket_columns(int paper_mm);
/*
 * Appends the ticket to out. Returns -1 with *cause set (caller frees) when the
 * answer lacks what a ticket shows.
 */
int ticket_render(const struct ticket_input *in, const struct ticket_options *opt,
    struct buf *out, char **cause) __attribute__((warn_unused_result));
/*
 * The ticket page's URL for a ticket: public_url (without a trailing slash)
 * + "/ticket/OFFICE/NUMBER", "?lang=en" in English. Caller frees; NULL when
 * public_url is not an http(s) URL or office or number hold other characters.
 */
char *ticket_page_url(const char *public_url, const char *office, const char *number,
    enum lang lang);
/* The crowding line for flag ("busy", "very_busy") in lang, or NULL for "normal". */
const char *ticket_flag_line(const char *flag, enum lang lang);

#endif
