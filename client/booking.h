/*
 * What a resident at a terminal sees of bookings: the free slots of an office,
 * and a booking with the documents to bring. Pure: JSON in, text out.
 */
#ifndef MADOGUCHI_CLIENT_BOOKING_H
#define MADOGUCHI_CLIENT_BOOKING_H

#include "buf.h"
#include "lang.h"

#include <jansson.h>

/* Appends the days and slots of an availability answer; -1 with *cause (caller frees). */
int booking_render_availability(const json_t *av, enum lang lang, struct buf *out,
    char **cause) __attribute__((warn_unused_result));
/*
 * Appends a booking (the 201 of POST /v1/bookings, or GET /v1/bookings/{ref}),
 * its token when the answer carries one, documents and notices; -1 with *cause.
 * It is shown in the language the booking was made in (its "language"), which
 * its documents and notices are written in; lang only when it has none.
 */
int booking_render(const json_t *b, enum lang lang, struct buf *out, char **cause)
    __attribute__((warn_unused_result));
/* Appends an eligibility verdict (POST /v1/eligibility); -1 with *cause. */
int booking_render_verdict(const json_t *v, enum lang lang, struct buf *out, char **cause)
    __attribute__((warn_unused_result));
/*
 * The office and service shown by name: booking_render and the availability
 * print "office_name" and "service_name" when the answer carries them (the
 * client adds them from GET /v1/offices), else the ids.
 */
/* Appends the documents list of a booking or verdict (nothing when it has none). */
void booking_render_documents(const json_t *b, enum lang lang, struct buf *out);

#endif
