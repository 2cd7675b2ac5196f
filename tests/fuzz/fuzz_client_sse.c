/*
 * The client's text/event-stream parser (sse_feed). The same bytes must give
 * the same events however they are split into reads (whole, byte by byte, or
 * at the cuts the input's first byte picks), and no event type or data holds
 * a CR, nor a type a LF.
 */
#include "fuzz.h"

#include "client/sse.h"

/* The events of one parse, written one after another. */
struct log {
	char *text;
	size_t len;
};

/* Appends an event to the log, checking its shape. */
static void
on_event(void *arg, const char *type, const char *data)
{
	struct log *l = arg;
	size_t tl = strlen(type), dl = strlen(data);

	FUZZ_ASSERT(tl > 0 && strpbrk(type, "\r\n") == NULL);
	FUZZ_ASSERT(strchr(data, '\r') == NULL);
	l->text = realloc(l->text, l->len + tl + dl + 2);
	FUZZ_ASSERT(l->text != NULL);
	memcpy(l->text + l->len, type, tl + 1);
	memcpy(l->text + l->len + tl + 1, data, dl + 1);
	l->len += tl + dl + 2;
}

/* Parses data in reads of at most step bytes (0: all at once). */
static struct log
parse(const uint8_t *data, size_t size, size_t step)
{
	struct log l = { NULL, 0 };
	struct sse s;

	sse_init(&s, on_event, &l);
	for (size_t o = 0; o < size;) {
		size_t n = step == 0 || size - o < step ? size - o : step;

		sse_feed(&s, (const char *)data + o, n);
		o += n;
	}
	FUZZ_ASSERT(s.retry_ms >= -1);
	sse_free(&s);
	return l;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct log whole = parse(data, size, 0);
	size_t steps[] = { 1, size > 0 ? 1 + data[0] % 7 : 2 };

	for (size_t i = 0; i < sizeof steps / sizeof steps[0]; i++) {
		struct log split = parse(data, size, steps[i]);

		FUZZ_ASSERT(split.len == whole.len);
		FUZZ_ASSERT(whole.len == 0 || memcmp(split.text, whole.text, whole.len) == 0);
		free(split.text);
	}
	free(whole.text);
	return 0;
}
