/* Unit tests for the planning endpoints' inputs (links core/plan_params and what it needs). */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "core/plan_params.h"

/* The daemon's window on 2026-06-15. */
static const struct plan_window window = { 20619, 730, 366 };

/* Parses text as a simulate body; the problem's field, or NULL when accepted. */
static char *
simulate(const char *text, struct plan_sim *out)
{
	json_t *body = json_loads(text, 0, NULL), *p;
	char *field = NULL;

	ck_assert_ptr_nonnull(body);
	p = plan_simulate_body(body, &window, out);
	if (p != NULL) {
		ck_assert_int_eq(json_integer_value(json_object_get(p, "status")), 400);
		field = strdup(json_string_value(json_object_get(p, "field")));
		json_decref(p);
	}
	json_decref(body);
	return field;
}

/* Asserts that text is refused naming field. */
static void
assert_refused(const char *text, const char *field)
{
	struct plan_sim s;
	char *got = simulate(text, &s);

	ck_assert_msg(got != NULL, "accepted: %s", text);
	ck_assert_str_eq(got, field);
	free(got);
}

START_TEST(simulate_defaults_and_counters)
{
	struct plan_sim s;

	ck_assert_ptr_null(simulate("{\"date\":\"2026-12-21\"}", &s));
	ck_assert_int_eq(s.runs, PLAN_DEFAULT_RUNS);
	ck_assert(s.factor == 1.0);
	for (int h = 0; h < FC_HOURS; h++)
		ck_assert_int_eq(s.counters[h], -1);
	ck_assert_ptr_null(simulate("{\"date\":\"2026-12-21\",\"runs\":60,\"arrivals_factor\":0,"
	    "\"counters\":{\"0\":0,\"9\":3,\"23\":64}}", &s));
	ck_assert_int_eq(s.runs, 60);
	ck_assert(s.factor == 0);
	ck_assert_int_eq(s.counters[0], 0);
	ck_assert_int_eq(s.counters[9], 3);
	ck_assert_int_eq(s.counters[23], 64);
	ck_assert_int_eq(s.counters[10], -1);
}
END_TEST

/* Two keys for one hour ("8" and "08") were both taken, the later silently winning. */
START_TEST(simulate_hour_keys_are_canonical)
{
	assert_refused("{\"date\":\"2026-12-21\",\"counters\":{\"8\":4,\"9\":2,\"08\":2}}",
	    "counters.08");
	assert_refused("{\"date\":\"2026-12-21\",\"counters\":{\"+8\":1}}", "counters.+8");
	assert_refused("{\"date\":\"2026-12-21\",\"counters\":{\" 8\":1}}", "counters. 8");
	assert_refused("{\"date\":\"2026-12-21\",\"counters\":{\"-0\":1}}", "counters.-0");
	assert_refused("{\"date\":\"2026-12-21\",\"counters\":{\"24\":1}}", "counters.24");
	assert_refused("{\"date\":\"2026-12-21\",\"counters\":{\"\":1}}", "counters.");
	assert_refused("{\"date\":\"2026-12-21\",\"counters\":{\"9\":65}}", "counters.9");
}
END_TEST

START_TEST(simulate_refusals)
{
	assert_refused("{}", "date");
	assert_refused("{\"date\":\"2026-12-21\",\"speed\":1}", "speed");
	assert_refused("{\"date\":\"2024-06-14\"}", "date");	/* more than two years back */
	assert_refused("{\"date\":\"2027-06-17\"}", "date");	/* more than a year ahead */
	assert_refused("{\"date\":\"2026-12-21\",\"runs\":5000}", "runs");
	assert_refused("{\"date\":\"2026-12-21\",\"runs\":1.5}", "runs");
	assert_refused("{\"date\":\"2026-12-21\",\"arrivals_factor\":10.5}", "arrivals_factor");
	assert_refused("{\"date\":\"2026-12-21\",\"arrivals_factor\":-1}", "arrivals_factor");
	assert_refused("{\"date\":\"2026-12-21\",\"counters\":[1]}", "counters");
}
END_TEST

START_TEST(forecast_defaults_and_refusals)
{
	struct plan_forecast f;
	json_t *p;

	ck_assert_ptr_null(plan_forecast_query(NULL, NULL, NULL, &window, &f));
	ck_assert_int_eq(f.from, window.today);
	ck_assert_int_eq(f.to - f.from, PLAN_DEFAULT_RANGE_DAYS - 1);
	ck_assert(!f.has_service);
	ck_assert_ptr_null(plan_forecast_query("2026-06-01", "2026-06-30", "pin_reset", &window, &f));
	ck_assert(f.has_service && f.service == RULES_SVC_PIN_RESET);
	p = plan_forecast_query("2026-06-01", "2026-09-02", NULL, &window, &f);
	ck_assert_str_eq(json_string_value(json_object_get(p, "code")), "range_too_long");
	json_decref(p);
	p = plan_forecast_query("2026-07-01", "2026-06-01", NULL, &window, &f);
	ck_assert_str_eq(json_string_value(json_object_get(p, "code")), "invalid_range");
	json_decref(p);
	p = plan_forecast_query("2026-06-01", NULL, "nothing", &window, &f);
	ck_assert_str_eq(json_string_value(json_object_get(p, "code")), "unknown_service");
	json_decref(p);
}
END_TEST

START_TEST(staffing_numbers)
{
	struct plan_staffing s;
	json_t *p;

	ck_assert_ptr_null(plan_staffing_query("2026-06-16", NULL, NULL, 15, &window, &s));
	ck_assert(s.target_wait == 15 && s.target_share == 0.8);
	ck_assert_ptr_null(plan_staffing_query("2026-06-16", "480", "0.9999", 15, &window, &s));
	p = plan_staffing_query("2026-06-16", "0", NULL, 15, &window, &s);
	ck_assert_str_eq(json_string_value(json_object_get(p, "field")), "target_wait_min");
	json_decref(p);
	p = plan_staffing_query("2026-06-16", NULL, "nan", 15, &window, &s);
	ck_assert_str_eq(json_string_value(json_object_get(p, "field")), "target_share");
	json_decref(p);
	p = plan_staffing_query(NULL, NULL, NULL, 15, &window, &s);
	ck_assert_str_eq(json_string_value(json_object_get(p, "code")), "missing_parameter");
	json_decref(p);
}
END_TEST

/* The suite. */
static Suite *
plan_params_suite(void)
{
	Suite *s = suite_create("plan_params");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, simulate_defaults_and_counters);
	tcase_add_test(tc, simulate_hour_keys_are_canonical);
	tcase_add_test(tc, simulate_refusals);
	tcase_add_test(tc, forecast_defaults_and_refusals);
	tcase_add_test(tc, staffing_numbers);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	SRunner *sr = srunner_create(plan_params_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
