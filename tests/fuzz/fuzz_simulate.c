/*
 * POST /v1/offices/{office}/simulate bodies: the strict JSON object
 * (problem_parse_object), then plan_simulate_body on a fixed today. A refusal
 * is a 400 naming the member (counters.HOUR for an hour); an accepted body
 * has its day within the model's two years back and one ahead, a factor from
 * 0 to 10, 1 to 1000 runs (200 when not given), and per hour either the plan
 * (-1, the hours not given) or 0 to 64 counters, exactly as given.
 */
#include "fuzz.h"

#include "core/plan_params.h"
#include "core/problem.h"
#include "core/qsim.h"

#include <math.h>
#include <stdbool.h>

/* The model's window of the daemon (forecaster.h) on a fixed day. */
static const struct plan_window window = { 20619 /* 2026-06-15 */, 730, 366 };

/* A refusal: 400 with a code and detail, naming a member of the body. */
static void
check_refusal(json_t *p, const json_t *body)
{
	static const char *const fields[] = { "date", "arrivals_factor", "runs", "counters", NULL };
	const char *field = json_string_value(json_object_get(p, "field"));
	const char *code = json_string_value(json_object_get(p, "code"));
	const char *const *f = fields;

	FUZZ_ASSERT(json_integer_value(json_object_get(p, "status")) == 400);
	FUZZ_ASSERT(code != NULL && field != NULL);
	FUZZ_ASSERT(json_string_value(json_object_get(p, "detail")) != NULL);
	if (strcmp(code, "unknown_field") == 0) {
		FUZZ_ASSERT(json_object_get(body, field) != NULL);
		while (*f != NULL)
			FUZZ_ASSERT(strcmp(*f++, field) != 0);
		return;
	}
	if (strncmp(field, "counters.", 9) == 0) {
		FUZZ_ASSERT(json_is_object(json_object_get(body, "counters")));
		return;
	}
	while (*f != NULL && strcmp(*f, field) != 0)
		f++;
	FUZZ_ASSERT(*f != NULL);
	FUZZ_ASSERT(strcmp(code, "missing_field") != 0 || json_object_get(body, field) == NULL);
}

/* An accepted body: every value in its range, the counters as given. */
static void
check_sim(const struct plan_sim *s, const json_t *body)
{
	json_t *counters = json_object_get(body, "counters");
	json_t *runs = json_object_get(body, "runs");

	FUZZ_ASSERT(rules_date_in_range(s->date));
	FUZZ_ASSERT(s->date >= cdate_add_days(window.today, -window.back_days) &&
	    s->date <= cdate_add_days(window.today, window.ahead_days));
	FUZZ_ASSERT(isfinite(s->factor) && s->factor >= 0 && s->factor <= PLAN_MAX_FACTOR);
	FUZZ_ASSERT(s->runs >= 1 && s->runs <= PLAN_MAX_RUNS);
	FUZZ_ASSERT(json_is_integer(runs) || s->runs == PLAN_DEFAULT_RUNS);
	for (int h = 0; h < FC_HOURS; h++) {
		char key[4];
		json_t *n;
		snprintf(key, sizeof key, "%d", h);
		n = json_is_object(counters) ? json_object_get(counters, key) : NULL;
		FUZZ_ASSERT(s->counters[h] >= -1 && s->counters[h] <= QSIM_MAX_COUNTERS);
		FUZZ_ASSERT(n == NULL || s->counters[h] == json_integer_value(n));
		/* "09" or "+9" names hour 9 too, so only hours no key names are the plan. */
		FUZZ_ASSERT(s->counters[h] == -1 || json_is_object(counters));
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct plan_sim sim;
	char *cause;
	json_t *body = problem_parse_object((const char *)data, size, &cause), *p;

	if (body == NULL) {
		FUZZ_ASSERT(cause != NULL && cause[0] != '\0');
		free(cause);
		return 0;
	}
	p = plan_simulate_body(body, &window, &sim);
	if (p != NULL) {
		check_refusal(p, body);
		json_decref(p);
	} else {
		check_sim(&sim, body);
	}
	json_decref(body);
	return 0;
}
