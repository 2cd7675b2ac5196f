/*
 * A reader of CSV text as RFC 4180 defines it: records separated by CRLF or
 * LF, fields by commas, a field in double quotes may hold commas, line breaks
 * and doubled quotes (""). Pure: no allocation, no I/O; a record's fields are
 * copied, unescaped, into the record itself, so they stay valid until the
 * next call. Lines that are entirely empty are skipped (spreadsheets often end
 * with one); a UTF-8 byte-order mark at the start is skipped too.
 */
#ifndef MADOGUCHI_CSV_H
#define MADOGUCHI_CSV_H

#include <stdbool.h>
#include <stddef.h>

/* Fields one record may hold at most; more is an error. */
#define CSV_MAX_FIELDS	32
/* Bytes of field text one record may hold at most (with a NUL per field). */
#define CSV_RECORD_BYTES 4096

/* A position in the text being read. */
struct csv_reader {
	const char *p;		/* next byte to read */
	const char *end;	/* one past the last byte */
	int line;		/* the line p is on, from 1 */
};

/* One record. */
struct csv_record {
	int line;			/* the line the record starts on, from 1 */
	size_t nfields;			/* how many fields */
	const char *fields[CSV_MAX_FIELDS]; /* each NUL-terminated, in text */
	size_t lens[CSV_MAX_FIELDS];	/* their lengths */
	char text[CSV_RECORD_BYTES];	/* where the fields live */
};

/* The outcome of csv_next. */
enum csv_status {
	CSV_RECORD,	/* rec holds the next record */
	CSV_END,	/* no more records */
	CSV_ERROR,	/* malformed text; *cause says why and r->line where */
};

/* Starts reading len bytes of data (not NUL-terminated). */
void csv_init(struct csv_reader *r, const char *data, size_t len);
/*
 * Reads the next record. On CSV_ERROR, *cause is a static sentence (an
 * unterminated quote, text after a closing quote, a quote inside an unquoted
 * field, a NUL byte, too many fields, a record too long) and r->line the line
 * it was found on; reading further is not meaningful.
 */
enum csv_status csv_next(struct csv_reader *r, struct csv_record *rec, const char **cause)
    __attribute__((warn_unused_result));
/* True when field i of rec is exactly s. */
bool csv_field_is(const struct csv_record *rec, size_t i, const char *s);

#endif
