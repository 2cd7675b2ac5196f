/* Booking, hold and ticket bodies, member by member. */
#include "body.h"

#include "clock.h"
#include "core/problem.h"
#include "core/rules.h"
#include "core/xmalloc.h"

#include <ctype.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#define MAX_CONTACT_NAME 100
#define MAX_EMAIL 254

/* A 400 problem for a field, with its path. */
static json_t *
bad_field(const char *code, const char *field, const char *detail)
{
	return problem_field(400, code, field, detail);
}

json_t *
body_known_keys(const json_t *body, const char *const *keys)
{
	const char *key;
	json_t *v;

	json_object_foreach((json_t *)body, key, v) {
		bool ok = false;
		for (const char *const *k = keys; *k != NULL; k++)
			ok = ok || strcmp(*k, key) == 0;
		if (!ok)
			return bad_field("unknown_field", key, "this request takes no such member");
	}
	return NULL;
}

json_t *
body_start(const json_t *v, cdate *date, int *minute)
{
	time_t t;

	if (!json_is_string(v) || !clock_parse_instant(json_string_value(v), &t))
		return bad_field(v ? "invalid_field" : "missing_field", "start",
		    "start must be an instant such as 2026-12-16T09:00:00+09:00");
	clock_jst(t, date, minute);
	if (!rules_date_in_range(*date))
		return bad_field("date_out_of_range", "start", "start must fall in the years 1980 to "
		    "2099, for which the holiday law is computed");
	if (t % 60 != 0)
		return bad_field("invalid_field", "start", "start must fall on a whole minute");
	return NULL;
}

/* True for an email address worth mailing: one '@', no spaces, a dot in the domain. */
static bool
email_ok(const char *s)
{
	const char *at = strchr(s, '@');

	if (at == NULL || at == s || strchr(at + 1, '@') != NULL || strlen(s) > MAX_EMAIL)
		return false;
	for (const char *p = s; *p != '\0'; p++) {
		if ((unsigned char)*p <= ' ' || *p == 0x7f)
			return false;
	}
	return strchr(at + 1, '.') != NULL && at[1] != '.' && s[strlen(s) - 1] != '.';
}

/* True for a phone number: 6 to 15 digits, with spaces, '-', '(', ')' and a leading '+'. */
static bool
phone_ok(const char *s)
{
	int digits = 0;

	for (const char *p = s; *p != '\0'; p++) {
		if (isdigit((unsigned char)*p))
			digits++;
		else if (!(*p == ' ' || *p == '-' || *p == '(' || *p == ')' || (*p == '+' && p == s)))
			return false;
	}
	return digits >= 6 && digits <= 15;
}

json_t *
body_opt_string(const json_t *obj, const char *key, const char *path, char **out)
{
	json_t *v = json_object_get(obj, key);

	*out = NULL;
	if (v == NULL || json_is_null(v))
		return NULL;
	if (!json_is_string(v))
		return bad_field("invalid_field", path, "expected a string");
	*out = xstrdup(json_string_value(v));
	return NULL;
}

/* Refuses members of contact other than name, email and phone. */
static json_t *
contact_keys(const json_t *c)
{
	const char *key;
	json_t *v;

	json_object_foreach((json_t *)c, key, v) {
		if (strcmp(key, "name") != 0 && strcmp(key, "email") != 0 && strcmp(key, "phone") != 0) {
			char path[80];
			snprintf(path, sizeof path, "contact.%.60s", key);
			return bad_field("unknown_field", path, "contact takes name, email and phone");
		}
	}
	return NULL;
}

json_t *
body_contact(const json_t *c, char **name, char **email, char **phone)
{
	json_t *p;

	*name = *email = *phone = NULL;
	if (!json_is_object(c))
		return bad_field(c ? "invalid_field" : "missing_field", "contact",
		    "contact must be an object with a name and an email or phone");
	if ((p = contact_keys(c)) != NULL ||
	    (p = body_opt_string(c, "name", "contact.name", name)) != NULL ||
	    (p = body_opt_string(c, "email", "contact.email", email)) != NULL ||
	    (p = body_opt_string(c, "phone", "contact.phone", phone)) != NULL)
		return p;
	if (*name == NULL || (*name)[0] == '\0' || strlen(*name) > MAX_CONTACT_NAME)
		return bad_field(*name ? "invalid_field" : "missing_field", "contact.name",
		    "a name of 1 to 100 bytes is required");
	if (*email == NULL && *phone == NULL)
		return bad_field("missing_field", "contact.email", "give an email address or a "
		    "phone number, so the office can reach you");
	if (*email != NULL && !email_ok(*email))
		return bad_field("invalid_field", "contact.email", "not an email address");
	if (*phone != NULL && !phone_ok(*phone))
		return bad_field("invalid_field", "contact.phone", "a phone number has 6 to 15 digits");
	return NULL;
}

json_t *
body_first_visit(const json_t *v, char out[TOKEN_REF_LEN + 1])
{
	if (v != NULL && !json_is_null(v) && (!json_is_string(v) ||
	    !token_reference_normalise(json_string_value(v), out)))
		return bad_field("invalid_field", "first_visit", "first_visit must be a reference");
	return NULL;
}

json_t *
body_ticket(const json_t *body, const char **service, char booking[TOKEN_REF_LEN + 1])
{
	json_t *svc = json_object_get(body, "service"), *bk = json_object_get(body, "booking");
	const char *key;
	json_t *v;

	*service = NULL;
	json_object_foreach((json_t *)body, key, v) {
		if (strcmp(key, "service") != 0 && strcmp(key, "booking") != 0)
			return bad_field("unknown_field", key, "a ticket takes service or booking");
	}
	if ((svc == NULL) == (bk == NULL))
		return bad_field("missing_field", "service",
		    "give either service (a walk-in) or booking (a check-in)");
	if (bk != NULL) {
		if (!json_is_string(bk) || !token_reference_normalise(json_string_value(bk), booking))
			return bad_field("invalid_field", "booking",
			    "booking must be a reference such as K7Q-4MXD");
		return NULL;
	}
	if (!json_is_string(svc))
		return bad_field("invalid_field", "service", "this office offers no such service");
	*service = json_string_value(svc);
	return NULL;
}
