/*
 * The two-visit route (a proxy's or guardian's visit, then the holder's after
 * the mailed inquiry form): how visit 2 relates to visit 1.
 */
#include "api/bookings_two_visit.h"

#include "api/booking_manage.h"
#include "api/booking_request.h"
#include "app.h"
#include "clock.h"
#include "config.h"
#include "core/calendar.h"
#include "core/cdate.h"
#include "core/eligibility.h"
#include "core/problem.h"
#include "core/rules.h"
#include "core/xmalloc.h"
#include "log.h"
#include "request.h"
#include "token.h"

#include <jansson.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Visit 1 of a two-visit route was read: check it, then go on. */
static void
first_visit_done(struct request *r, const struct db_result *res)
{
	struct bk *b = r->ctx;
	const PGresult *pg = res->pg;
	unsigned char key[TOKEN_KEY_BYTES];
	const char *token = token_from_header(req_get_header(r, "Authorization"));
	cdate earliest;

	if (!res->ok) {
		req_db_failed(r, res);
		return;
	}
	bk_token_key(r, key);
	/* A wrong token reads like a missing visit 1: no oracle of references. */
	if (PQntuples(pg) != 1 || token == NULL ||
	    !token_matches(key, token, PQgetvalue(pg, 0, B_HASH)) || strcmp(PQgetvalue(pg, 0, B_VISITS), "2") != 0 ||
	    strcmp(PQgetvalue(pg, 0, B_VISIT), "1") != 0 ||
	    strcmp(PQgetvalue(pg, 0, B_OFFICE), b->office->id) != 0 ||
	    strcmp(PQgetvalue(pg, 0, B_STATUS), "cancelled") == 0) {
		req_problem_json(r, problem_field(422, "no_first_visit", "first_visit",
		    "there is no first visit of a two-visit route with that reference here"));
		return;
	}
	if (cdate_parse(PQgetvalue(pg, 0, B_SECOND), &earliest) && b->date < earliest) {
		json_t *p = problem_field(422, "second_visit_too_early", "start",
		    "the second visit must wait until the mailed form can have arrived");
		json_object_set_new(p, "second_visit_earliest", json_string(PQgetvalue(pg, 0, B_SECOND)));
		req_problem_json(r, p);
		return;
	}
	b->then(r);
}

void
two_visit_check_first(struct request *r, void (*then)(struct request *))
{
	struct bk *b = r->ctx;
	const char *p[1] = { b->first_visit };

	b->then = then;
	if (token_from_header(req_get_header(r, "Authorization")) == NULL) {
		req_header(r, "WWW-Authenticate", "Bearer");
		req_problem(r, 401, "token_required", "a second visit is booked with the first "
		    "visit's token: Authorization: Bearer TOKEN");
		return;
	}
	if (!req_db(r, &bk_stmt_get, p, first_visit_done))
		return;	/* it answered 503 */
}
