/*
 * POST /v1/offices/{office}/capacity bodies: the strict JSON object
 * (problem_parse_object), then caprule_parse for an office that offers every
 * service but pin_reset. A refusal is a 400 naming the member (or 404
 * service_not_offered, for pin_reset only); an accepted rule is a factor rule
 * (0..1, from..to within two years, weekdays among 1..7) or a cap rule
 * (0..100000 on a date), and what enforcement makes of it holds: the factor
 * applies on its days and weekdays only, places never grow and never go
 * negative, the cap applies on its date only.
 */
#include "fuzz.h"

#include "core/caprule.h"
#include "core/problem.h"
#include "core/rules.h"

#include <stdbool.h>

/* The office of the target offers everything but pin_reset. */
static bool
offered(const char *service, void *arg)
{
	(void)arg;
	return strcmp(service, "pin_reset") != 0;
}

/* A refusal: 400 naming a member with one of the parser's codes, or 404 for pin_reset. */
static void
check_refusal(json_t *p, const json_t *body)
{
	static const char *const codes[] = { "unknown_field", "unknown_service", "missing_field",
		"invalid_field", "invalid_date", "invalid_range", NULL };
	const char *code = json_string_value(json_object_get(p, "code"));
	const char *field = json_string_value(json_object_get(p, "field"));
	json_int_t status = json_integer_value(json_object_get(p, "status"));
	const char *const *c = codes;

	FUZZ_ASSERT(code != NULL && field != NULL);
	FUZZ_ASSERT(json_string_value(json_object_get(p, "detail")) != NULL);
	if (status == 404) {
		FUZZ_ASSERT(strcmp(code, "service_not_offered") == 0 && strcmp(field, "service") == 0);
		FUZZ_ASSERT(strcmp(json_string_value(json_object_get(body, "service")), "pin_reset") == 0);
		return;
	}
	FUZZ_ASSERT(status == 400);
	while (*c != NULL && strcmp(*c, code) != 0)
		c++;
	FUZZ_ASSERT(*c != NULL);
	/* A missing member is one the body lacks; an unknown one is one it has. */
	FUZZ_ASSERT(strcmp(code, "missing_field") != 0 || json_object_get(body, field) == NULL);
	FUZZ_ASSERT(strcmp(code, "unknown_field") != 0 || json_object_get(body, field) != NULL);
}

/* A factor rule: its factor applies on its days and weekdays only. */
static void
check_factor(const struct capacity_rule *r)
{
	static const int places[] = { 0, 1, 3, 7, 100, 100000 };

	FUZZ_ASSERT(r->cap == -1 && r->factor >= 0 && r->factor <= 1);
	FUZZ_ASSERT(rules_date_in_range(r->from) && rules_date_in_range(r->to));
	FUZZ_ASSERT(r->from <= r->to && r->to - r->from < CAPRULE_MAX_DAYS);
	FUZZ_ASSERT(r->weekdays != 0 && (r->weekdays & ~0xfeu) == 0);
	for (cdate d = r->from - 1; d <= r->to + 1 && d <= r->from + 8; d++) {
		int wd = cdate_weekday(d) == 0 ? 7 : cdate_weekday(d);
		bool on = d >= r->from && d <= r->to && (r->weekdays & (1u << wd));
		double f = caprule_factor(r, 1, "o", r->service, d);
		FUZZ_ASSERT(f == (on ? r->factor : 1));
		FUZZ_ASSERT(caprule_factor(r, 1, "other", r->service, d) == 1);
		FUZZ_ASSERT(caprule_cap(r, 1, "o", r->service, d) == -1);
		for (size_t i = 0; i < sizeof places / sizeof places[0]; i++) {
			int p = caprule_places(places[i], f);
			FUZZ_ASSERT(p >= 0 && p <= places[i]);
			FUZZ_ASSERT(f < 1 || p == places[i]);
		}
	}
}

/* A cap rule: its cap applies on its date only. */
static void
check_cap(const struct capacity_rule *r)
{
	FUZZ_ASSERT(r->factor < 0 && r->cap >= 0 && r->cap <= CAPRULE_MAX_CAP);
	FUZZ_ASSERT(rules_date_in_range(r->day));
	FUZZ_ASSERT(caprule_cap(r, 1, "o", r->service, r->day) == r->cap);
	FUZZ_ASSERT(caprule_cap(r, 1, "o", r->service, r->day + 1) == -1);
	FUZZ_ASSERT(caprule_cap(r, 1, "o", "other", r->day) == -1);
	FUZZ_ASSERT(caprule_factor(r, 1, "o", r->service, r->day) == 1);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct capacity_rule rule;
	enum rules_service id;
	char *cause;
	json_t *body = problem_parse_object((const char *)data, size, &cause), *p;

	if (body == NULL) {
		FUZZ_ASSERT(cause != NULL && cause[0] != '\0');
		free(cause);
		return 0;
	}
	p = caprule_parse(body, offered, NULL, &rule);
	if (p != NULL) {
		check_refusal(p, body);
		json_decref(p);
	} else {
		FUZZ_ASSERT(rules_service_parse(rule.service, &id) && offered(rule.service, NULL));
		FUZZ_ASSERT(strcmp(rule.service, json_string_value(json_object_get(body, "service"))) == 0);
		FUZZ_ASSERT((json_object_get(body, "cap") != NULL) == (rule.cap >= 0));
		snprintf(rule.office, sizeof rule.office, "o");
		if (rule.cap >= 0)
			check_cap(&rule);
		else
			check_factor(&rule);
	}
	json_decref(body);
	return 0;
}
