/*
 * POST /v1/offices/{office}/tickets bodies (body_ticket): a walk-in names a
 * service, a check-in a booking reference, never both. A refusal is a whole
 * 400 problem; an accepted body is exactly one of the two, its reference
 * normalised (normalising it again changes nothing).
 */
#include "fuzz.h"

#include "body.h"
#include "core/problem.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *cause, booking[TOKEN_REF_LEN + 1] = "", again[TOKEN_REF_LEN + 1];
	json_t *body = problem_parse_object((const char *)data, size, &cause), *p;
	const char *service;

	if (body == NULL) {
		free(cause);
		return 0;
	}
	p = body_ticket(body, &service, booking);
	if (p != NULL) {
		FUZZ_ASSERT(json_integer_value(json_object_get(p, "status")) == 400);
		FUZZ_ASSERT(json_string_value(json_object_get(p, "field")) != NULL);
		json_decref(p);
	} else if (service != NULL) {
		FUZZ_ASSERT(json_object_get(body, "booking") == NULL && booking[0] == '\0');
		FUZZ_ASSERT(strcmp(service, json_string_value(json_object_get(body, "service"))) == 0);
	} else {
		FUZZ_ASSERT(json_object_get(body, "service") == NULL);
		FUZZ_ASSERT(strlen(booking) == TOKEN_REF_LEN && booking[3] == '-');
		FUZZ_ASSERT(token_reference_normalise(booking, again) && strcmp(again, booking) == 0);
	}
	json_decref(body);
	return 0;
}
