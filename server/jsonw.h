/*
 * A streaming JSON writer for large responses the daemon generates itself
 * (availability: hundreds of slots), where building a jansson tree costs a
 * dozen allocations per object. Writes into one growing buffer; commas and
 * nesting are tracked, every string is escaped. Parsing stays with jansson.
 */
#ifndef MADOGUCHI_JSONW_H
#define MADOGUCHI_JSONW_H

#include <stdbool.h>
#include <stddef.h>

#define JSONW_MAX_DEPTH 16

/* A document being written. */
struct jsonw {
	char *buf;			/* the text so far (owned until jsonw_finish) */
	size_t len, cap;		/* used and allocated bytes */
	int depth;			/* open objects and arrays */
	bool first[JSONW_MAX_DEPTH];	/* nothing written yet at this level */
	char close[JSONW_MAX_DEPTH];	/* the bracket that closes each level */
	bool after_key;			/* a key was written, its value comes next */
};

/* Starts an empty document. */
void jsonw_init(struct jsonw *w);
/* Opens an object or array (as a value, or after jsonw_key). */
void jsonw_object(struct jsonw *w);
void jsonw_array(struct jsonw *w);
/* Closes the innermost object or array. */
void jsonw_end(struct jsonw *w);
/* Writes a member name inside an object. */
void jsonw_key(struct jsonw *w, const char *key);
/* Values. A NULL string is written as null. */
void jsonw_string(struct jsonw *w, const char *s);
void jsonw_int(struct jsonw *w, long long v);
void jsonw_bool(struct jsonw *w, bool v);
void jsonw_null(struct jsonw *w);
/* Makes room for n more bytes at once (a size known beforehand). */
void jsonw_reserve(struct jsonw *w, size_t n);
/* Writes len bytes of JSON written elsewhere (one whole value) as the next value. */
void jsonw_raw(struct jsonw *w, const char *json, size_t len);
/* Hands over the text and its length (caller frees); w is empty afterwards. */
char *jsonw_finish(struct jsonw *w, size_t *len);

#endif
