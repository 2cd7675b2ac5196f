/* Unit tests for capacity rules (links core/caprule and what it needs). */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "core/caprule.h"

/* The office of the tests offers everything but pin_reset. */
static bool
offered(const char *service, void *arg)
{
	(void)arg;
	return strcmp(service, "pin_reset") != 0;
}

/* Parses text; the problem's status and field (NULL, 0 when accepted). */
static int
parse(const char *text, struct capacity_rule *out, const char **field)
{
	static char buf[64];
	json_t *body = json_loads(text, 0, NULL), *p;
	int status = 0;

	ck_assert_ptr_nonnull(body);
	*field = NULL;
	p = caprule_parse(body, offered, NULL, out);
	if (p != NULL) {
		status = (int)json_integer_value(json_object_get(p, "status"));
		snprintf(buf, sizeof buf, "%s", json_string_value(json_object_get(p, "field")));
		*field = buf;
		json_decref(p);
	}
	json_decref(body);
	return status;
}

START_TEST(factor_rule)
{
	struct capacity_rule r;
	const char *field;
	cdate mon = cdate_make(2026, 12, 21);

	ck_assert_int_eq(parse("{\"service\":\"ecert_renewal\",\"from\":\"2026-12-21\","
	    "\"to\":\"2027-01-31\",\"weekdays\":[1],\"factor\":0.5}", &r, &field), 0);
	ck_assert_str_eq(r.service, "ecert_renewal");
	ck_assert(r.factor == 0.5 && r.cap == -1 && r.weekdays == 1u << 1);
	ck_assert_int_eq(r.from, mon);
	ck_assert(caprule_factor(&r, 1, "", "ecert_renewal", mon) == 0.5);
	ck_assert(caprule_factor(&r, 1, "", "ecert_renewal", mon + 1) == 1);	/* Tuesday */
	ck_assert(caprule_factor(&r, 1, "", "ecert_renewal", mon - 7) == 1);	/* before */
	ck_assert(caprule_factor(&r, 1, "", "pin_reset", mon) == 1);
	ck_assert_int_eq(caprule_places(3, 0.5), 1);
	ck_assert_int_eq(caprule_places(3, 1), 3);
	ck_assert_int_eq(caprule_places(3, 0), 0);
	ck_assert_int_eq(parse("{\"service\":\"ecert_renewal\",\"from\":\"2026-12-21\","
	    "\"to\":\"2026-12-21\",\"factor\":0.1234567}", &r, &field), 0);
	ck_assert(r.factor == 0.123457 && r.weekdays == 0xfeu);
}
END_TEST

START_TEST(cap_rule)
{
	struct capacity_rule r;
	const char *field;
	cdate day = cdate_make(2026, 12, 22);

	ck_assert_int_eq(parse("{\"service\":\"ecert_renewal\",\"date\":\"2026-12-22\",\"cap\":2}",
	    &r, &field), 0);
	ck_assert(r.cap == 2 && r.day == day && r.factor < 0);
	ck_assert_int_eq(caprule_cap(&r, 1, "", "ecert_renewal", day), 2);
	ck_assert_int_eq(caprule_cap(&r, 1, "", "ecert_renewal", day + 1), -1);
	ck_assert(caprule_factor(&r, 1, "", "ecert_renewal", day) == 1);
}
END_TEST

START_TEST(refusals)
{
	struct capacity_rule r;
	const char *f;

	ck_assert_int_eq(parse("{\"service\":\"pin_reset\",\"date\":\"2026-12-22\",\"cap\":2}", &r,
	    &f), 404);
	ck_assert_int_eq(parse("{\"service\":\"x\",\"date\":\"2026-12-22\",\"cap\":2}", &r, &f), 400);
	ck_assert_str_eq(f, "service");
	ck_assert_int_eq(parse("{\"service\":\"ecert_renewal\",\"from\":\"2026-12-21\","
	    "\"to\":\"2027-01-31\",\"factor\":2}", &r, &f), 400);
	ck_assert_str_eq(f, "factor");
	ck_assert_int_eq(parse("{\"service\":\"ecert_renewal\",\"from\":\"2026-12-21\","
	    "\"to\":\"2027-01-31\",\"weekdays\":[1,1],\"factor\":0.5}", &r, &f), 400);
	ck_assert_str_eq(f, "weekdays");
	ck_assert_int_eq(parse("{\"service\":\"ecert_renewal\",\"from\":\"2026-12-21\","
	    "\"to\":\"2028-12-21\",\"factor\":0.5}", &r, &f), 400);
	ck_assert_str_eq(f, "to");
	ck_assert_int_eq(parse("{\"service\":\"ecert_renewal\",\"date\":\"2026-12-22\"}", &r, &f),
	    400);
	ck_assert_str_eq(f, "date");
	ck_assert_int_eq(parse("{\"service\":\"ecert_renewal\",\"date\":\"2026-12-22\",\"cap\":1,"
	    "\"factor\":1}", &r, &f), 400);
	ck_assert_str_eq(f, "factor");
	ck_assert_int_eq(parse("{\"service\":\"ecert_renewal\",\"size\":1}", &r, &f), 400);
	ck_assert_str_eq(f, "size");
}
END_TEST

/* The suite. */
static Suite *
caprule_suite(void)
{
	Suite *s = suite_create("caprule");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, factor_rule);
	tcase_add_test(tc, cap_rule);
	tcase_add_test(tc, refusals);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	SRunner *sr = srunner_create(caprule_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
