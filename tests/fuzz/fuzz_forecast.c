/*
 * GET /v1/offices/{office}/forecast and /staffing query strings: query_check
 * with each endpoint's parameters, then query_get and plan_forecast_query or
 * plan_staffing_query, as the handlers do, on a fixed today. A refusal is a
 * 400 naming one of the endpoint's parameters; an accepted forecast covers
 * from..to (defaults today and 28 days) within 93 days and the model's two
 * years back and one ahead; an accepted staffing request has its day there, a
 * target wait in (0, 480] and a share in (0, 0.9999].
 */
#include "fuzz.h"

#include "core/cdate.h"
#include "core/plan_params.h"
#include "core/problem.h"
#include "core/rules.h"
#include "query.h"

#include <math.h>
#include <stdbool.h>

/* The model's window of the daemon (forecaster.h) on a fixed day. */
static const struct plan_window window = { 20619 /* 2026-06-15 */, 730, 366 };

/* A refusal: 400, a code and detail, and field one of names. */
static void
check_refusal(json_t *p, const char *const *names)
{
	const char *field = json_string_value(json_object_get(p, "field"));
	const char *const *n = names;

	FUZZ_ASSERT(json_integer_value(json_object_get(p, "status")) == 400);
	FUZZ_ASSERT(json_string_value(json_object_get(p, "code")) != NULL);
	FUZZ_ASSERT(json_string_value(json_object_get(p, "detail")) != NULL);
	FUZZ_ASSERT(field != NULL);
	while (*n != NULL && strcmp(*n, field) != 0)
		n++;
	FUZZ_ASSERT(*n != NULL);
	json_decref(p);
}

/* A day the model answers for. */
static bool
in_window(cdate d)
{
	return rules_date_in_range(d) && d >= cdate_add_days(window.today, -window.back_days) &&
	    d <= cdate_add_days(window.today, window.ahead_days);
}

/* The forecast's parameters, as api_forecast reads them. */
static void
forecast(const char *q)
{
	static const char *const names[] = { "from", "to", "service", NULL };
	char *from, *to, *service, *bad;
	struct plan_forecast f;
	enum rules_service id;
	json_t *p;

	if (query_check(q, names, &bad) != QUERY_OK) {
		free(bad);
		return;
	}
	from = query_get(q, "from"), to = query_get(q, "to"), service = query_get(q, "service");
	p = plan_forecast_query(from, to, service, &window, &f);
	if (p != NULL) {
		check_refusal(p, names);
	} else {
		FUZZ_ASSERT(f.from <= f.to && f.to - f.from < PLAN_MAX_RANGE_DAYS);
		FUZZ_ASSERT(in_window(f.from) && in_window(f.to));
		FUZZ_ASSERT(from != NULL || f.from == window.today);
		FUZZ_ASSERT(to != NULL || f.to - f.from == PLAN_DEFAULT_RANGE_DAYS - 1);
		FUZZ_ASSERT(f.has_service == (service != NULL));
		FUZZ_ASSERT(service == NULL || (rules_service_parse(service, &id) && id == f.service));
	}
	free(from);
	free(to);
	free(service);
}

/* The staffing parameters, as api_staffing reads them. */
static void
staffing(const char *q)
{
	static const char *const names[] = { "date", "target_wait_min", "target_share", NULL };
	char *date, *wait, *share, *bad;
	struct plan_staffing s;
	json_t *p;

	if (query_check(q, names, &bad) != QUERY_OK) {
		free(bad);
		return;
	}
	date = query_get(q, "date"), wait = query_get(q, "target_wait_min");
	share = query_get(q, "target_share");
	p = plan_staffing_query(date, wait, share, 15, &window, &s);
	if (p != NULL) {
		check_refusal(p, names);
	} else {
		FUZZ_ASSERT(date != NULL && in_window(s.date));
		FUZZ_ASSERT(isfinite(s.target_wait) && s.target_wait > 0 &&
		    s.target_wait <= PLAN_MAX_WAIT_MIN);
		FUZZ_ASSERT(isfinite(s.target_share) && s.target_share > 0 &&
		    s.target_share <= PLAN_MAX_SHARE);
		FUZZ_ASSERT(wait != NULL || s.target_wait == 15);
		FUZZ_ASSERT(share != NULL || s.target_share == 0.8);
	}
	free(date);
	free(wait);
	free(share);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *q = fuzz_string(data, size);

	forecast(q);
	staffing(q);
	free(q);
	return 0;
}
