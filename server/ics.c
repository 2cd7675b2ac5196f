/* The iCalendar writer: escaping, quoting and folding. */
#include "ics.h"

#include "core/xmalloc.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

void
ics_init(struct ics *w)
{
	w->cap = 1024;
	w->buf = xmalloc(w->cap);
	w->len = 0;
	w->buf[0] = '\0';
}

/* Appends n bytes. */
static void
put(struct ics *w, const char *s, size_t n)
{
	if (w->len + n + 1 > w->cap) {
		while (w->len + n + 1 > w->cap)
			w->cap *= 2;
		w->buf = xreallocarray(w->buf, w->cap, 1);
	}
	memcpy(w->buf + w->len, s, n);
	w->len += n;
	w->buf[w->len] = '\0';
}

/*
 * Appends one unfolded content line, folded: at most ICS_LINE_OCTETS octets per
 * physical line (the leading space of a continuation counts), never inside a
 * UTF-8 sequence.
 */
static void
put_line(struct ics *w, const char *line)
{
	size_t n = strlen(line), room = ICS_LINE_OCTETS;
	const char *p = line;

	while (n > room) {
		size_t cut = room;
		/* Back off from continuation bytes (10xxxxxx) to a character's start. */
		while (cut > 0 && ((unsigned char)p[cut] & 0xc0) == 0x80)
			cut--;
		if (cut == 0)
			cut = room;	/* not UTF-8; cannot happen with checked input */
		put(w, p, cut);
		put(w, "\r\n ", 3);
		p += cut;
		n -= cut;
		room = ICS_LINE_OCTETS - 1;
	}
	put(w, p, n);
	put(w, "\r\n", 2);
}

char *
ics_escape(const char *text)
{
	size_t n = strlen(text), o = 0;
	char *out = xmalloc(2 * n + 1);

	for (const unsigned char *s = (const unsigned char *)text; *s != '\0'; s++) {
		if (*s == '\\' || *s == ';' || *s == ',') {
			out[o++] = '\\';
			out[o++] = (char)*s;
		} else if (*s == '\n') {
			out[o++] = '\\';
			out[o++] = 'n';
		} else if (*s >= 0x20 && *s != 0x7f) {
			out[o++] = (char)*s;
		} else if (*s == '\t') {
			out[o++] = ' ';
		}
	}
	out[o] = '\0';
	return out;
}

void
ics_raw(struct ics *w, const char *name, const char *value)
{
	char *line = xasprintf("%s:%s", name, value);

	put_line(w, line);
	free(line);
}

void
ics_text(struct ics *w, const char *name, const char *text)
{
	char *v = ics_escape(text);

	ics_raw(w, name, v);
	free(v);
}

void
ics_param_raw(struct ics *w, const char *name, const char *param, const char *pvalue,
    const char *value)
{
	size_t n = strlen(pvalue), o = 0;
	char *pv = xmalloc(n + 1), *line;
	bool quote = false;

	/* A parameter value holds no DQUOTE or control character; quote it for : ; , */
	for (const unsigned char *s = (const unsigned char *)pvalue; *s != '\0'; s++) {
		if (*s == '"' || *s < 0x20 || *s == 0x7f)
			continue;
		quote = quote || *s == ':' || *s == ';' || *s == ',';
		pv[o++] = (char)*s;
	}
	pv[o] = '\0';
	line = xasprintf(quote ? "%s;%s=\"%s\":%s" : "%s;%s=%s:%s", name, param, pv, value);
	put_line(w, line);
	free(line);
	free(pv);
}

char *
ics_finish(struct ics *w, size_t *len)
{
	char *text = w->buf;

	*len = w->len;
	w->buf = NULL;
	w->len = w->cap = 0;
	return text;
}
