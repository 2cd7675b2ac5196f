/* Holidays and eligibility over HTTP; the rules themselves live in rules.c. */
#include "api/rules.h"

#include "core/cdate.h"
#include "clock.h"
#include "config.h"
#include "core/eligibility.h"
#include "core/holidays.h"
#include "core/problem.h"
#include "request.h"
#include "core/rules.h"

#include <errno.h>
#include <stdio.h>
#include <jansson.h>
#include <stdlib.h>
#include <string.h>

/* Parses the year parameter; answers 400 and returns false when it is bad. */
static bool
holiday_year(struct request *r, int *year)
{
	char *s = req_query(r, "year"), *end;
	long v;
	int y, m, d;

	if (s == NULL) {
		cdate_to_ymd(cdate_from_time(clock_now()), &y, &m, &d);
		*year = y;
		return true;
	}
	errno = 0;
	v = strtol(s, &end, 10);
	if (s[0] == '\0' || *end != '\0' || errno != 0 || v < HOL_FIRST_YEAR || v > HOL_LAST_YEAR) {
		req_problem_json(r, problem_field(400, "invalid_year", "year",
		    "year must be a whole number from 1980 to 2099"));
		free(s);
		return false;
	}
	free(s);
	*year = (int)v;
	return true;
}

/* Fills err for an office or municipality id that is not configured. */
static bool
unknown_place(struct elig_error *err, const char *field, const char *detail)
{
	err->status = 404;
	err->code = strcmp(field, "office") == 0 ? "unknown_office" : "unknown_municipality";
	snprintf(err->field, sizeof err->field, "%s", field);
	snprintf(err->detail, sizeof err->detail, "%s", detail);
	return false;
}

void
api_holidays(struct request *r)
{
	static const char *const allowed[] = { "year", NULL };
	struct hol_day days[HOL_MAX_PER_YEAR];
	json_t *list;
	char date[11];
	size_t n;
	int year;

	if (!req_query_allow(r, allowed) || !holiday_year(r, &year))
		return;
	n = hol_year(year, days, HOL_MAX_PER_YEAR);
	list = json_array();
	for (size_t i = 0; i < n; i++) {
		cdate_format(days[i].date, date);
		json_array_append_new(list, json_pack("{s:s, s:s, s:s}", "date", date,
		    "name", days[i].name_ja, "name_en", days[i].name_en));
	}
	req_header(r, "Cache-Control", "public, max-age=86400");
	req_json(r, 200, json_pack("{s:i, s:o}", "year", year, "holidays", list));
}

/* The settings of the municipality or office the request names (404 when unknown). */
static bool
place_settings(const struct config *cfg, const struct elig_request *er,
    const struct rules_settings **out, struct elig_error *err)
{
	const struct config_municipality *m;
	const struct config_office *o;

	if (er->office[0] != '\0') {
		if ((o = config_office(cfg, er->office)) == NULL)
			return unknown_place(err, "office", "There is no office with that id.");
		*out = config_office_settings(cfg, o);
	} else if (er->municipality[0] != '\0') {
		if ((m = config_municipality_find(cfg, er->municipality)) == NULL)
			return unknown_place(err, "municipality",
			    "There is no municipality with that id.");
		*out = &m->settings;
	}
	return true;
}

void
api_eligibility(struct request *r)
{
	static const char *const none[] = { NULL };
	struct rules_settings defaults = rules_settings_default();
	const struct rules_settings *settings = &defaults;
	struct elig_request er;
	struct rules_verdict v;
	struct elig_error err;
	json_t *body;

	if (!req_query_allow(r, none) || (body = req_body_object(r)) == NULL)
		return;
	if (!elig_parse_request(body, cdate_from_time(clock_now()), &er, &err) ||
	    !place_settings(r->cfg, &er, &settings, &err) ||
	    !elig_evaluate(settings, &er, &v, &err)) {
		json_decref(body);
		req_problem_json(r, elig_error_to_json(&err));
		return;
	}
	json_decref(body);
	req_json(r, 200, elig_verdict_to_json(&v, er.language));
}
