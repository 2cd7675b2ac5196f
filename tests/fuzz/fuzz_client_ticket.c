/*
 * The client's ticket printing (ticket_render) from what the server sent: the
 * ticket answer, the office, the booking of a check-in and its reference, as
 * one JSON object like tests/golden/ticket_*.json. An answer good enough for
 * one layout is good enough for all (both languages, text and ESC/POS, 58 and
 * 80 mm paper), a refusal says why, and every text line fits the paper.
 */
#include "fuzz.h"

#include "client/buf.h"
#include "client/text.h"
#include "client/ticket.h"

#include <stdbool.h>

/* Every line of a text ticket fits columns. */
static void
check_lines(const struct buf *out, int columns)
{
	char *copy = strndup(out->data ? out->data : "", out->len), *save = NULL;

	FUZZ_ASSERT(copy != NULL);
	for (char *line = strtok_r(copy, "\n", &save); line; line = strtok_r(NULL, "\n", &save))
		/* The ticket page's URL stays whole on its line, to be copied as printed. */
		FUZZ_ASSERT(text_width(line) <= (size_t)columns || strncmp(line, "http", 4) == 0);
	free(copy);
}

/* The ticket page's base URL for this input, or NULL: every layout gets the same. */
static const char *public_url;

/* Renders in one layout; true when it rendered. */
static bool
render(const struct ticket_input *in, enum lang lang, enum ticket_format format, int paper)
{
	struct ticket_options opt = { .lang = lang, .format = format, .paper_mm = paper,
		.public_url = public_url };
	struct buf out = { 0 };
	char *cause = NULL;
	int rc = ticket_render(in, &opt, &out, &cause);

	FUZZ_ASSERT(rc == 0 || rc == -1);
	FUZZ_ASSERT((rc == -1) == (cause != NULL));
	if (rc == 0 && format == TICKET_TEXT)
		check_lines(&out, ticket_columns(paper));
	free(cause);
	buf_free(&out);
	return rc == 0;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	json_t *j = json_loadb((const char *)data, size, 0, NULL);
	struct ticket_input in;
	bool first;

	if (j == NULL)
		return 0;
	/* Half the inputs also print the ticket page (a QR code on ESC/POS). */
	public_url = size % 2 ? "https://madoguchi.example.jp" : NULL;
	in.ticket = json_object_get(j, "ticket");
	in.office = json_object_get(j, "office");
	in.booking = json_object_get(j, "booking");
	in.reference = json_string_value(json_object_get(j, "reference"));
	first = render(&in, LANG_JA, TICKET_TEXT, 58);
	FUZZ_ASSERT(render(&in, LANG_EN, TICKET_TEXT, 80) == first);
	FUZZ_ASSERT(render(&in, LANG_JA, TICKET_ESCPOS, 80) == first);
	FUZZ_ASSERT(render(&in, LANG_EN, TICKET_ESCPOS, 58) == first);
	json_decref(j);
	return 0;
}
