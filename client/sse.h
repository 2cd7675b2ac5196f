/*
 * A parser for text/event-stream (the WHATWG server-sent events format): bytes
 * in, as they arrive, events out. Pure, so a test feeds it any split.
 */
#ifndef MADOGUCHI_CLIENT_SSE_H
#define MADOGUCHI_CLIENT_SSE_H

#include "buf.h"

#include <stdbool.h>
#include <stddef.h>

/* Called for each complete event: its type ("message" when unnamed) and data. */
typedef void sse_event_fn(void *arg, const char *type, const char *data);

/* A stream being parsed. */
struct sse {
	sse_event_fn *fn;	/* where events go */
	void *arg;		/* and its argument */
	struct buf line;	/* the line being read */
	struct buf data;	/* the event's data lines, joined by \n */
	struct buf type;	/* the event's type, empty for "message" */
	bool after_cr;		/* the last byte was a CR (a CRLF may be split) */
	bool started;		/* a line was read (a BOM before the first is dropped) */
	long retry_ms;		/* the last retry: field, or -1 */
};

/* Starts a parser. */
void sse_init(struct sse *s, sse_event_fn *fn, void *arg);
/* Feeds n bytes. */
void sse_feed(struct sse *s, const char *p, size_t n);
/* Frees the parser's buffers. */
void sse_free(struct sse *s);

#endif
