/*
 * The CSV reader behind the history import (csv_next). Whatever it reads
 * must survive a round trip: each record written back with every field
 * quoted reads back as the same fields, record for record; fields hold no
 * NUL, lengths match, line numbers never go back, and the reader ends.
 */
#include "fuzz.h"

#include "core/csv.h"

#include <stdbool.h>

/* The text written back: every field quoted, quotes doubled, CRLF after each record. */
struct out {
	char *text;
	size_t len, cap;
};

/* A record kept after the reader moved on: fields as offsets into its own copy of the text. */
struct kept {
	size_t nfields;
	size_t off[CSV_MAX_FIELDS];
	size_t lens[CSV_MAX_FIELDS];
	char text[CSV_RECORD_BYTES];
};

/* Appends n bytes to o. */
static void
put(struct out *o, const char *s, size_t n)
{
	if (o->len + n + 1 > o->cap) {
		o->cap = (o->len + n + 1) * 2;
		o->text = realloc(o->text, o->cap);
		FUZZ_ASSERT(o->text != NULL);
	}
	memcpy(o->text + o->len, s, n);
	o->len += n;
}

/* Appends rec as one quoted CSV record. */
static void
put_record(struct out *o, const struct csv_record *rec)
{
	for (size_t i = 0; i < rec->nfields; i++) {
		put(o, i ? ",\"" : "\"", i ? 2 : 1);
		for (size_t k = 0; k < rec->lens[i]; k++)
			put(o, rec->fields[i][k] == '"' ? "\"\"" : &rec->fields[i][k],
			    rec->fields[i][k] == '"' ? 2 : 1);
		put(o, "\"", 1);
	}
	put(o, "\r\n", 2);
}

/* Copies rec into k. */
static void
keep(struct kept *k, const struct csv_record *rec)
{
	k->nfields = rec->nfields;
	memcpy(k->text, rec->text, sizeof k->text);
	for (size_t i = 0; i < rec->nfields; i++) {
		FUZZ_ASSERT(rec->fields[i] >= rec->text &&
		    rec->fields[i] + rec->lens[i] < rec->text + sizeof rec->text);
		k->off[i] = (size_t)(rec->fields[i] - rec->text);
		k->lens[i] = rec->lens[i];
	}
}

/* Reads data to the end, checking each record; appends them to o; false on an error. */
static bool
read_all(const char *data, size_t size, struct out *o, struct kept **recs, size_t *n)
{
	static struct csv_record rec;
	struct csv_reader r;
	const char *cause;
	int last = 0;

	csv_init(&r, data, size);
	for (size_t guard = 0; guard <= size + 1; guard++) {
		switch (csv_next(&r, &rec, &cause)) {
		case CSV_END:
			return true;
		case CSV_ERROR:
			FUZZ_ASSERT(cause != NULL && cause[0] != '\0' && r.line >= 1);
			return false;
		case CSV_RECORD:
			FUZZ_ASSERT(rec.nfields >= 1 && rec.nfields <= CSV_MAX_FIELDS);
			FUZZ_ASSERT(rec.line >= 1 && rec.line >= last);
			last = rec.line;
			for (size_t i = 0; i < rec.nfields; i++)
				FUZZ_ASSERT(strlen(rec.fields[i]) == rec.lens[i]);
			if (o != NULL)
				put_record(o, &rec);
			if ((*n & (*n - 1)) == 0) {	/* 0, 1, 2, 4, ...: double the room */
				*recs = realloc(*recs, (*n ? 2 * *n : 1) * sizeof **recs);
				FUZZ_ASSERT(*recs != NULL);
			}
			keep(&(*recs)[(*n)++], &rec);
			break;
		}
	}
	FUZZ_ASSERT(!"the reader did not come to an end");
	return false;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct out o = { NULL, 0, 0 };
	struct kept *first = NULL, *again = NULL;
	size_t nfirst = 0, nagain = 0;

	if (read_all((const char *)data, size, &o, &first, &nfirst)) {
		FUZZ_ASSERT(read_all(o.text ? o.text : "", o.len, NULL, &again, &nagain));
		FUZZ_ASSERT(nagain == nfirst);
		for (size_t i = 0; i < nfirst; i++) {
			FUZZ_ASSERT(again[i].nfields == first[i].nfields);
			for (size_t k = 0; k < first[i].nfields; k++) {
				FUZZ_ASSERT(again[i].lens[k] == first[i].lens[k]);
				FUZZ_ASSERT(memcmp(again[i].text + again[i].off[k],
				    first[i].text + first[i].off[k], first[i].lens[k]) == 0);
			}
		}
	}
	free(first);
	free(again);
	free(o.text);
	return 0;
}
