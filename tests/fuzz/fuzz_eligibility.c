/*
 * POST /v1/eligibility bodies (elig_parse_body), and the rules run on what
 * parses (elig_evaluate). A refusal is a 400 or 422 with a code, and neither
 * its field (unless cut short) nor its detail holds an Individual Number; an accepted body
 * gives a verdict whose JSON serialises, with documents and notices in range.
 */
#include "fuzz.h"

#include "core/cdate.h"
#include "core/eligibility.h"
#include "core/rules.h"

/* A refusal: status, code, and nothing personal echoed. */
static void
check_error(const struct elig_error *err)
{
	json_t *p;

	FUZZ_ASSERT(err->status == 400 || err->status == 422);
	FUZZ_ASSERT(err->code != NULL && err->code[0] != '\0');
	FUZZ_ASSERT(strlen(err->field) < sizeof err->field);
	/*
	 * Every key was scanned before any path was built, so a whole path holds
	 * no number; one cut to fit field may, by the cut (the client's digits).
	 */
	FUZZ_ASSERT(strlen(err->field) == sizeof err->field - 1 ||
	    !rules_contains_individual_number(err->field));
	FUZZ_ASSERT(!rules_contains_individual_number(err->detail));
	p = elig_error_to_json(err);
	FUZZ_ASSERT(p != NULL && json_integer_value(json_object_get(p, "status")) == err->status);
	json_decref(p);
}

/* An accepted request: the verdict is whole and serialises. */
static void
check_verdict(const struct elig_request *req, const struct rules_verdict *v)
{
	json_t *j = elig_verdict_to_json(v, req->language);
	char *text;

	FUZZ_ASSERT(v->n_documents <= RULES_MAX_DOCUMENTS && v->n_notices <= RULES_MAX_NOTICES);
	FUZZ_ASSERT(v->allowed == (v->code == NULL));
	FUZZ_ASSERT(v->visits == 0 || v->visits == 1 || v->visits == 2);
	FUZZ_ASSERT(j != NULL);
	text = json_dumps(j, JSON_COMPACT);
	FUZZ_ASSERT(text != NULL);
	free(text);
	json_decref(j);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct rules_settings s = rules_settings_default();
	cdate today = cdate_make(2026, 12, 16);
	struct elig_request req;
	struct rules_verdict v;
	struct elig_error err;

	for (int i = 0; i < 2; i++) {
		if (!elig_parse_body((const char *)data, size, i ? CDATE_NONE : today, &req, &err)) {
			check_error(&err);
			continue;
		}
		FUZZ_ASSERT(req.visit_date != CDATE_NONE);
		if (elig_evaluate(&s, &req, &v, &err))
			check_verdict(&req, &v);
		else
			check_error(&err);
	}
	return 0;
}
