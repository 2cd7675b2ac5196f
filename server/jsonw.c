/* Streaming JSON writer. */
#include "jsonw.h"

#include "core/xmalloc.h"

#include <stdlib.h>
#include <string.h>

/* Grows the buffer to hold n more bytes. */
static void
grow(struct jsonw *w, size_t n)
{
	while (w->len + n > w->cap)
		w->cap = w->cap ? w->cap * 2 : 4096;
	w->buf = xreallocarray(w->buf, w->cap, 1);
}

/* Makes room for n more bytes (cheap when there is room already). */
static inline void
reserve(struct jsonw *w, size_t n)
{
	if (w->len + n > w->cap)
		grow(w, n);
}

/* Appends n bytes. */
static void
put(struct jsonw *w, const char *s, size_t n)
{
	reserve(w, n);
	memcpy(w->buf + w->len, s, n);
	w->len += n;
}

/* Appends one byte; room must have been reserved. */
static inline void
put1(struct jsonw *w, char c)
{
	w->buf[w->len++] = c;
}

/* Writes the comma a value or key needs before it. */
static void
separate(struct jsonw *w)
{
	reserve(w, 1);
	if (w->after_key) {
		w->after_key = false;
		return;
	}
	if (w->depth > 0 && !w->first[w->depth - 1])
		put1(w, ',');
	if (w->depth > 0)
		w->first[w->depth - 1] = false;
}

/* Writes s as a quoted JSON string, escaping quotes, backslashes and controls. */
static void
quoted(struct jsonw *w, const char *s)
{
	static const char hex[] = "0123456789abcdef";
	/* Every byte that needs escaping: quote, backslash, controls (NUL ends s). */
	static const char special[] = "\"\\\x01\x02\x03\x04\x05\x06\x07\x08\x09\x0a\x0b\x0c"
	    "\x0d\x0e\x0f\x10\x11\x12\x13\x14\x15\x16\x17\x18\x19\x1a\x1b\x1c\x1d\x1e\x1f";
	size_t n = strlen(s), plain = strcspn(s, special);
	char *o;

	reserve(w, n * 6 + 2);	/* the worst case: every byte a \u00XX */
	o = w->buf + w->len;
	*o++ = '"';
	memcpy(o, s, plain);	/* usually the whole string */
	o += plain;
	for (s += plain; *s != '\0'; s++) {
		unsigned char c = (unsigned char)*s;

		if (c >= 0x20 && c != '"' && c != '\\') {
			*o++ = (char)c;
		} else if (c == '"' || c == '\\') {
			*o++ = '\\';
			*o++ = (char)c;
		} else {
			memcpy(o, "\\u00", 4);
			o[4] = hex[c >> 4];
			o[5] = hex[c & 15];
			o += 6;
		}
	}
	*o++ = '"';
	w->len = (size_t)(o - w->buf);
}

void
jsonw_init(struct jsonw *w)
{
	memset(w, 0, sizeof *w);
}

/* Opens a container with the given bracket. */
static void
open_container(struct jsonw *w, char bracket)
{
	separate(w);
	if (w->depth == JSONW_MAX_DEPTH)
		abort();	/* a programming error: raise JSONW_MAX_DEPTH */
	reserve(w, 1);
	put1(w, bracket);
	w->close[w->depth] = bracket == '{' ? '}' : ']';
	w->first[w->depth++] = true;
}

void
jsonw_object(struct jsonw *w)
{
	open_container(w, '{');
}

void
jsonw_array(struct jsonw *w)
{
	open_container(w, '[');
}

void
jsonw_end(struct jsonw *w)
{
	if (w->depth == 0)
		abort();	/* a programming error: nothing is open */
	w->depth--;
	reserve(w, 1);
	put1(w, w->close[w->depth]);
}

void
jsonw_key(struct jsonw *w, const char *key)
{
	separate(w);
	quoted(w, key);
	reserve(w, 1);
	put1(w, ':');
	w->after_key = true;
}

void
jsonw_string(struct jsonw *w, const char *s)
{
	if (s == NULL) {
		jsonw_null(w);
		return;
	}
	separate(w);
	quoted(w, s);
}

void
jsonw_int(struct jsonw *w, long long v)
{
	char num[24], *p = num + sizeof num;
	unsigned long long u = v < 0 ? 0ULL - (unsigned long long)v : (unsigned long long)v;

	do {
		*--p = (char)('0' + u % 10);
		u /= 10;
	} while (u != 0);
	if (v < 0)
		*--p = '-';
	separate(w);
	put(w, p, (size_t)(num + sizeof num - p));
}

void
jsonw_bool(struct jsonw *w, bool v)
{
	separate(w);
	put(w, v ? "true" : "false", v ? 4 : 5);
}

void
jsonw_null(struct jsonw *w)
{
	separate(w);
	put(w, "null", 4);
}

void
jsonw_reserve(struct jsonw *w, size_t n)
{
	if (w->len + n > w->cap) {
		w->cap = w->len + n;
		w->buf = xreallocarray(w->buf, w->cap, 1);
	}
}

void
jsonw_raw(struct jsonw *w, const char *json, size_t len)
{
	separate(w);
	put(w, json, len);
}

char *
jsonw_finish(struct jsonw *w, size_t *len)
{
	char *text;

	put(w, "", 1);	/* NUL-terminate */
	text = w->buf;
	*len = w->len - 1;
	jsonw_init(w);
	return text;
}
