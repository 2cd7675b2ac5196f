/*
 * PUT /v1/municipalities/{municipality}/expiries bodies: the CSV reader and
 * then the expiries' header and row checks (imports.c). Every accepted row is
 * a date of 1980 to 2099 not seen before in the upload, as the row wrote it,
 * with two counts from 0 to 10000000; an upload holds at most 4000 dates; a
 * refusal is 400 bad_csv naming a column (or the header, or the row) and a
 * line the reader has reached.
 */
#include "fuzz.h"

#include "core/rules.h"
#include "imports.h"

#include <stdbool.h>

/* A refusal: 400 bad_csv with a line up to the reader's and a field. */
static void
check_refusal(json_t *p, const struct import_expiries *e)
{
	static const char *const fields[] = { "date", "certificates", "cards", "row", "header",
		NULL };
	const char *field = json_string_value(json_object_get(p, "field"));
	json_int_t line = json_integer_value(json_object_get(p, "line"));
	const char *const *f = fields;

	FUZZ_ASSERT(json_integer_value(json_object_get(p, "status")) == 400);
	FUZZ_ASSERT(strcmp(json_string_value(json_object_get(p, "code")), "bad_csv") == 0);
	FUZZ_ASSERT(json_string_value(json_object_get(p, "detail")) != NULL);
	FUZZ_ASSERT(line >= 1 && line <= e->rd.line);
	FUZZ_ASSERT(field != NULL);
	while (*f != NULL && strcmp(*f, field) != 0)
		f++;
	FUZZ_ASSERT(*f != NULL);
	json_decref(p);
}

/* An accepted row: in range, as written, and a new date. */
static void
check_row(const struct expiry_row *row, const struct import_expiries *e)
{
	char text[11];

	FUZZ_ASSERT(e->rec.nfields == EXP_NCOLS && e->n >= 1 && e->n <= IMPORT_EXPIRIES_MAX_ROWS);
	FUZZ_ASSERT(rules_date_in_range(row->date));
	FUZZ_ASSERT(strcmp(cdate_format(row->date, text), e->rec.fields[e->col[EXP_DATE]]) == 0);
	for (size_t i = 0; i + 1 < e->n; i++)
		FUZZ_ASSERT(e->dates[i] != row->date);
	FUZZ_ASSERT(e->dates[e->n - 1] == row->date);
	FUZZ_ASSERT(row->certificates >= 0 && row->certificates <= IMPORT_MAX_COUNT);
	FUZZ_ASSERT(row->cards >= 0 && row->cards <= IMPORT_MAX_COUNT);
	FUZZ_ASSERT(strtol(e->rec.fields[e->col[EXP_CERTS]], NULL, 10) == row->certificates);
	FUZZ_ASSERT(strtol(e->rec.fields[e->col[EXP_CARDS]], NULL, 10) == row->cards);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct import_expiries e;
	struct expiry_row row;
	enum import_status st;
	json_t *p;

	import_expiries_init(&e, (const char *)data, size);
	if ((p = import_expiries_header(&e)) != NULL) {
		check_refusal(p, &e);
	} else {
		while ((st = import_expiries_next(&e, &row, &p)) == IMPORT_ROW)
			check_row(&row, &e);
		if (st == IMPORT_BAD)
			check_refusal(p, &e);
		else
			FUZZ_ASSERT(p == NULL);
	}
	import_expiries_free(&e);
	return 0;
}
