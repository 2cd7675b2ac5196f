/*
 * POST /v1/bookings, /v1/holds and /v1/bookings/{ref}/reschedule bodies: the
 * strict JSON object (problem_parse_object), then each member in the order
 * the handlers check them (body.c, and eligibility.c for the applicant), all
 * but the office and calendar lookups. Every refusal is a whole 400 problem;
 * what is accepted holds: the start is a whole minute of a Tokyo day that
 * formats back to itself, the contact has a name and a well-formed way to
 * reach the resident, a first visit is a normalised reference.
 */
#include "fuzz.h"

#include "body.h"
#include "clock.h"
#include "core/eligibility.h"
#include "core/problem.h"
#include "core/rules.h"

#include <ctype.h>
#include <stdbool.h>

/* A refusal: a 400 problem naming a field, with a code and a sentence. */
static bool
refused(json_t *p)
{
	if (p == NULL)
		return false;
	FUZZ_ASSERT(json_integer_value(json_object_get(p, "status")) == 400);
	FUZZ_ASSERT(json_string_value(json_object_get(p, "code")) != NULL);
	FUZZ_ASSERT(json_string_value(json_object_get(p, "field")) != NULL);
	FUZZ_ASSERT(json_string_value(json_object_get(p, "detail")) != NULL);
	json_decref(p);
	return true;
}

/* An accepted start: in the day, and the same date and minute after a round trip. */
static void
check_start(cdate date, int minute)
{
	char text[26];
	time_t t = clock_instant(date, minute), back;
	cdate d2;
	int m2;

	FUZZ_ASSERT(minute >= 0 && minute < 24 * 60 && t % 60 == 0 && rules_date_in_range(date));
	clock_format_jst(t, text);
	if (strncmp(text, "2200", 4) < 0 && strncmp(text, "1970", 4) >= 0) {
		FUZZ_ASSERT(clock_parse_instant(text, &back) && back == t);
		clock_jst(back, &d2, &m2);
		FUZZ_ASSERT(d2 == date && m2 == minute);
	}
}

/* An accepted contact: a name, and an email or phone of the right shape. */
static void
check_contact(const char *name, const char *email, const char *phone)
{
	int digits = 0;

	FUZZ_ASSERT(name != NULL && name[0] != '\0' && strlen(name) <= 100);
	FUZZ_ASSERT(email != NULL || phone != NULL);
	if (email != NULL)
		FUZZ_ASSERT(strchr(email, '@') != NULL && strchr(email, '@') == strrchr(email, '@'));
	for (const char *p = phone; p != NULL && *p != '\0'; p++)
		digits += isdigit((unsigned char)*p) != 0;
	FUZZ_ASSERT(phone == NULL || (digits >= 6 && digits <= 15));
}

/* The members of a booking, in the handler's order. */
static void
booking(json_t *body)
{
	static const char *const keys[] = { "office", "service", "start", "applicant",
		"contact", "language", "hold", "first_visit", NULL };
	char *hold = NULL, *name, *email, *phone, fv[TOKEN_REF_LEN + 1] = "", again[TOKEN_REF_LEN + 1];
	enum rules_service service;
	enum rules_language lang;
	struct rules_facts facts;
	struct elig_error err;
	cdate date;
	int minute;

	if (elig_find_individual_number(body, "", &err)) {
		FUZZ_ASSERT(strcmp(err.code, "individual_number_refused") == 0);
		return;
	}
	if (refused(body_known_keys(body, keys)) || !json_is_string(json_object_get(body, "office")))
		return;
	if (!elig_parse_service(json_object_get(body, "service"), "service", &service, &err) ||
	    refused(body_start(json_object_get(body, "start"), &date, &minute)))
		return;
	check_start(date, minute);
	if (refused(body_opt_string(body, "hold", "hold", &hold)) ||
	    refused(body_first_visit(json_object_get(body, "first_visit"), fv))) {
		free(hold);
		return;
	}
	FUZZ_ASSERT(fv[0] == '\0' || (token_reference_normalise(fv, again) && strcmp(fv, again) == 0));
	if (!refused(body_contact(json_object_get(body, "contact"), &name, &email, &phone)))
		check_contact(name, email, phone);
	if (elig_parse_language(json_object_get(body, "language"), "language", &lang, &err))
		(void)elig_parse_applicant(json_object_get(body, "applicant"), "applicant", &facts,
		    &err);
	free(hold);
	free(name);
	free(email);
	free(phone);
}

/* The members of a hold, then of a reschedule. */
static void
hold_and_reschedule(json_t *body)
{
	static const char *const hold_keys[] = { "office", "service", "start", NULL };
	static const char *const move_keys[] = { "start", NULL };
	enum rules_service service;
	struct elig_error err;
	cdate date;
	int minute;

	/* holds.c: the keys, the office (looked up), the service, then the start. */
	if (!refused(body_known_keys(body, hold_keys)) &&
	    json_is_string(json_object_get(body, "office")) &&
	    elig_parse_service(json_object_get(body, "service"), "service", &service, &err) &&
	    !refused(body_start(json_object_get(body, "start"), &date, &minute)))
		check_start(date, minute);
	if (!refused(body_known_keys(body, move_keys)) &&
	    !refused(body_start(json_object_get(body, "start"), &date, &minute)))
		check_start(date, minute);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *cause;
	json_t *body = problem_parse_object((const char *)data, size, &cause);

	if (body == NULL) {
		FUZZ_ASSERT(cause != NULL && cause[0] != '\0');
		free(cause);
		return 0;
	}
	FUZZ_ASSERT(cause == NULL && json_is_object(body));
	booking(body);
	hold_and_reschedule(body);
	json_decref(body);
	return 0;
}
