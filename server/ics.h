/*
 * An iCalendar (RFC 5545) writer: content lines ended by CRLF and folded at 75
 * octets without splitting a UTF-8 sequence; TEXT values escaped (backslash,
 * semicolon, comma, newline), other control characters dropped; parameter
 * values quoted when they must be.
 */
#ifndef MADOGUCHI_ICS_H
#define MADOGUCHI_ICS_H

#include <stddef.h>

#define ICS_LINE_OCTETS 75	/* a content line's length at most, without CRLF */

/* A calendar object being written. */
struct ics {
	char *buf;		/* the text so far (owned until ics_finish) */
	size_t len, cap;	/* used and allocated bytes */
};

/* Starts an empty object. */
void ics_init(struct ics *w);
/* Writes "NAME:value" with value as it is (already in the property's format). */
void ics_raw(struct ics *w, const char *name, const char *value);
/* Writes "NAME:text" with text escaped as a TEXT value. */
void ics_text(struct ics *w, const char *name, const char *text);
/* Writes "NAME;PARAM=pvalue:value" (pvalue quoted if needed; value as it is). */
void ics_param_raw(struct ics *w, const char *name, const char *param, const char *pvalue,
    const char *value);
/* Escapes text as a TEXT value into a new string (caller frees). */
char *ics_escape(const char *text);
/* Ends the writer and hands over the text (NUL-terminated; *len without the NUL). */
char *ics_finish(struct ics *w, size_t *len);

#endif
