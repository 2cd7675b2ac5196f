/* text/event-stream parsing, line by line as the WHATWG HTML standard says. */
#include "sse.h"

#include <stdlib.h>
#include <string.h>

void
sse_init(struct sse *s, sse_event_fn *fn, void *arg)
{
	memset(s, 0, sizeof *s);
	s->fn = fn;
	s->arg = arg;
	s->retry_ms = -1;
}

/* A blank line: dispatches the event gathered, if it has data. */
static void
dispatch(struct sse *s)
{
	if (s->data.len > 0) {
		/* The last data line's newline is not part of the data. */
		s->data.data[--s->data.len] = '\0';
		s->fn(s->arg, s->type.len ? buf_str(&s->type) : "message", buf_str(&s->data));
	}
	buf_reset(&s->data);
	buf_reset(&s->type);
}

/* Handles one field line (name, then the value after ':' and one optional space). */
static void
field(struct sse *s, const char *line)
{
	const char *colon = strchr(line, ':');
	size_t nlen = colon ? (size_t)(colon - line) : strlen(line);
	const char *value = colon ? colon + 1 : "";
	char *end;
	long v;

	if (*value == ' ')
		value++;
	if (nlen == 4 && strncmp(line, "data", 4) == 0) {
		buf_puts(&s->data, value);
		buf_addc(&s->data, '\n');
	} else if (nlen == 5 && strncmp(line, "event", 5) == 0) {
		buf_reset(&s->type);
		buf_puts(&s->type, value);
	} else if (nlen == 5 && strncmp(line, "retry", 5) == 0) {
		v = strtol(value, &end, 10);
		if (*value >= '0' && *value <= '9' && *end == '\0')
			s->retry_ms = v;
	}
	/* id: and unknown fields are of no use here. */
}

/* A whole line arrived. */
static void
line_done(struct sse *s)
{
	const char *line = buf_str(&s->line);

	if (!s->started) {
		s->started = true;
		if (strncmp(line, "\xef\xbb\xbf", 3) == 0)
			line += 3;
	}
	if (line[0] == '\0')
		dispatch(s);
	else if (line[0] != ':')
		field(s, line);
	buf_reset(&s->line);
}

void
sse_feed(struct sse *s, const char *p, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		char c = p[i];

		if (c == '\n' && s->after_cr) {
			s->after_cr = false;
			continue;
		}
		s->after_cr = c == '\r';
		if (c == '\r' || c == '\n')
			line_done(s);
		else
			buf_addc(&s->line, (unsigned char)c);
	}
}

void
sse_free(struct sse *s)
{
	buf_free(&s->line);
	buf_free(&s->data);
	buf_free(&s->type);
}
