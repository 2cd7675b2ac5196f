/* An RFC 4180 CSV reader over a buffer (see csv.h). */
#include "csv.h"

#include <string.h>

void
csv_init(struct csv_reader *r, const char *data, size_t len)
{
	r->p = data;
	r->end = data + len;
	r->line = 1;
	if (len >= 3 && memcmp(data, "\xEF\xBB\xBF", 3) == 0)
		r->p += 3;
}

/* Appends byte c to the record's text; false when it is full. */
static bool
put(struct csv_record *rec, size_t *used, char c)
{
	if (*used >= sizeof rec->text)
		return false;
	rec->text[(*used)++] = c;
	return true;
}

/* Consumes a line break at r->p (CRLF or LF); true when there was one. */
static bool
line_break(struct csv_reader *r)
{
	if (r->p < r->end && *r->p == '\n') {
		r->p++;
		r->line++;
		return true;
	}
	if (r->end - r->p >= 2 && r->p[0] == '\r' && r->p[1] == '\n') {
		r->p += 2;
		r->line++;
		return true;
	}
	return false;
}

/* Reads a quoted field (r->p just past the opening quote) into the record. */
static bool
quoted(struct csv_reader *r, struct csv_record *rec, size_t *used, const char **cause)
{
	for (;;) {
		if (r->p >= r->end) {
			*cause = "a quoted field is not closed before the end";
			return false;
		}
		char c = *r->p++;
		if (c == '\0') {
			*cause = "the text holds a NUL byte";
			return false;
		}
		if (c == '"') {
			if (r->p < r->end && *r->p == '"') {
				r->p++;
			} else {
				break;
			}
		} else if (c == '\n') {
			r->line++;
		}
		if (!put(rec, used, c)) {
			*cause = "a record is too long";
			return false;
		}
	}
	if (r->p < r->end && *r->p != ',' && *r->p != '\n' && *r->p != '\r') {
		*cause = "text follows a closing quote (write a quote inside a quoted field as \"\")";
		return false;
	}
	return true;
}

/* Reads an unquoted field into the record, up to a comma, a line break or the end. */
static bool
unquoted(struct csv_reader *r, struct csv_record *rec, size_t *used, const char **cause)
{
	while (r->p < r->end && *r->p != ',' && *r->p != '\n') {
		char c = *r->p;
		if (c == '\r') {
			if (r->end - r->p >= 2 && r->p[1] == '\n')
				break;
			*cause = "a carriage return outside quotes is not followed by a line feed";
			return false;
		}
		if (c == '"' || c == '\0') {
			*cause = c == '"' ? "a quote inside an unquoted field (quote the whole field)" :
			    "the text holds a NUL byte";
			return false;
		}
		if (!put(rec, used, c)) {
			*cause = "a record is too long";
			return false;
		}
		r->p++;
	}
	return true;
}

/* Skips lines that are entirely empty. */
static void
skip_empty_lines(struct csv_reader *r)
{
	while (line_break(r))
		;
}

enum csv_status
csv_next(struct csv_reader *r, struct csv_record *rec, const char **cause)
{
	size_t used = 0;

	*cause = NULL;
	skip_empty_lines(r);
	if (r->p >= r->end)
		return CSV_END;
	rec->line = r->line;
	rec->nfields = 0;
	for (;;) {
		size_t start = used;
		bool ok;

		if (rec->nfields == CSV_MAX_FIELDS) {
			*cause = "a record has too many fields";
			return CSV_ERROR;
		}
		if (r->p < r->end && *r->p == '"') {
			r->p++;
			ok = quoted(r, rec, &used, cause);
		} else {
			ok = unquoted(r, rec, &used, cause);
		}
		if (!ok || !put(rec, &used, '\0')) {
			if (*cause == NULL)
				*cause = "a record is too long";
			return CSV_ERROR;
		}
		rec->fields[rec->nfields] = rec->text + start;
		rec->lens[rec->nfields++] = used - start - 1;
		if (r->p < r->end && *r->p == ',') {
			r->p++;
			continue;
		}
		line_break(r);
		return CSV_RECORD;
	}
}

bool
csv_field_is(const struct csv_record *rec, size_t i, const char *s)
{
	return i < rec->nfields && strcmp(rec->fields[i], s) == 0;
}
