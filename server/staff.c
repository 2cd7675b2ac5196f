/* Staff tokens: creation on the command line, checking per request. */
#include "staff.h"

#include "config.h"
#include "log.h"
#include "core/problem.h"
#include "request.h"
#include "token.h"
#include "core/xmalloc.h"

#include <libpq-fe.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>

/* Staff tokens start with this, so they are never mistaken for a booking's. */
#define STAFF_PREFIX "mds_"

static const char *const role_names[] = { "none", "kiosk", "staff", "manager", "admin" };

static struct db_stmt stmt_lookup = {
	"SELECT id, role, $2 = '' OR $2 = ANY(offices) FROM staff_tokens "
	"WHERE token_hash = $1 AND revoked_at IS NULL", 2, 0 };

bool
staff_role_parse(const char *s, enum staff_role *out)
{
	for (int i = STAFF_KIOSK; i <= STAFF_ADMIN; i++) {
		if (strcmp(s, role_names[i]) == 0) {
			*out = (enum staff_role)i;
			return true;
		}
	}
	return false;
}

const char *
staff_role_name(enum staff_role role)
{
	return role_names[role <= STAFF_ADMIN ? role : STAFF_NONE];
}

bool
staff_token_present(struct request *r)
{
	const char *t = token_from_header(req_get_header(r, "Authorization"));

	return t != NULL && strncmp(t, STAFF_PREFIX, strlen(STAFF_PREFIX)) == 0;
}

/* The token lookup ran: check office and role, then continue. */
static void
lookup_done(struct request *r, const struct db_result *res)
{
	enum staff_role role = STAFF_NONE;

	if (!res->ok) {
		req_db_failed(r, res);
		return;
	}
	if (PQntuples(res->pg) != 1 || !staff_role_parse(PQgetvalue(res->pg, 0, 1), &role)) {
		req_header(r, "WWW-Authenticate", "Bearer");
		req_problem(r, 401, "invalid_token", "that staff token is unknown or revoked");
		return;
	}
	if (strcmp(PQgetvalue(res->pg, 0, 2), "t") != 0) {
		req_problem(r, 403, "wrong_office", "this token does not act for office %s",
		    r->auth_office);
		return;
	}
	if ((int)role < r->auth_min) {
		req_problem(r, 403, "insufficient_role", "this needs a %s token; this one is %s",
		    staff_role_name((enum staff_role)r->auth_min), staff_role_name(role));
		return;
	}
	snprintf(r->staff_id, sizeof r->staff_id, "%s", PQgetvalue(res->pg, 0, 0));
	r->staff_role = (int)role;
	r->after_auth(r);
}

void
staff_require(struct request *r, const char *office, enum staff_role min,
    void (*next)(struct request *r))
{
	unsigned char key[TOKEN_KEY_BYTES];
	char hash[65];
	const char *token = token_from_header(req_get_header(r, "Authorization"));
	const char *p[2];

	if (token == NULL || strncmp(token, STAFF_PREFIX, strlen(STAFF_PREFIX)) != 0) {
		req_header(r, "WWW-Authenticate", "Bearer");
		req_problem(r, 401, "token_required", "this needs a staff token: "
		    "Authorization: Bearer mds_...");
		return;
	}
	if (!token_key_parse(r->cfg->token_key, key))
		abort();	/* main refuses to start without a valid key */
	token_hash_hex(key, token, hash);
	snprintf(r->auth_office, sizeof r->auth_office, "%s", office);
	r->auth_min = (int)min;
	r->after_auth = next;
	p[0] = hash;
	p[1] = r->auth_office;
	if (!req_db(r, &stmt_lookup, p, lookup_done))
		return;
}

static struct db_stmt stmt_lookup_any = {
	"SELECT id, role, ',' || array_to_string(offices, ',') || ',' FROM staff_tokens "
	"WHERE token_hash = $1 AND revoked_at IS NULL", 1, 0 };

/* The token lookup for an office not known yet ran: check the role, then continue. */
static void
lookup_any_done(struct request *r, const struct db_result *res)
{
	enum staff_role role = STAFF_NONE;

	if (!res->ok) {
		req_db_failed(r, res);
		return;
	}
	if (PQntuples(res->pg) != 1 || !staff_role_parse(PQgetvalue(res->pg, 0, 1), &role)) {
		req_header(r, "WWW-Authenticate", "Bearer");
		req_problem(r, 401, "invalid_token", "that staff token is unknown or revoked");
		return;
	}
	if ((int)role < r->auth_min) {
		req_problem(r, 403, "insufficient_role", "this needs a %s token; this one is %s",
		    staff_role_name((enum staff_role)r->auth_min), staff_role_name(role));
		return;
	}
	snprintf(r->staff_id, sizeof r->staff_id, "%s", PQgetvalue(res->pg, 0, 0));
	snprintf(r->staff_offices, sizeof r->staff_offices, "%s", PQgetvalue(res->pg, 0, 2));
	r->staff_role = (int)role;
	r->after_auth(r);
}

void
staff_require_any(struct request *r, enum staff_role min, void (*next)(struct request *r))
{
	unsigned char key[TOKEN_KEY_BYTES];
	char hash[65];
	const char *token = token_from_header(req_get_header(r, "Authorization"));
	const char *p[1] = { hash };

	if (token == NULL || strncmp(token, STAFF_PREFIX, strlen(STAFF_PREFIX)) != 0) {
		req_header(r, "WWW-Authenticate", "Bearer");
		req_problem(r, 401, "token_required", "this needs a staff token: "
		    "Authorization: Bearer mds_...");
		return;
	}
	if (!token_key_parse(r->cfg->token_key, key))
		abort();	/* main refuses to start without a valid key */
	token_hash_hex(key, token, hash);
	r->auth_office[0] = '\0';
	r->auth_min = (int)min;
	r->after_auth = next;
	if (!req_db(r, &stmt_lookup_any, p, lookup_any_done))
		return;
}

bool
staff_acts_for(const struct request *r, const char *office)
{
	char needle[72];

	if (r->staff_role == STAFF_NONE || r->staff_offices[0] == '\0')
		return false;
	snprintf(needle, sizeof needle, ",%s,", office);
	return strstr(r->staff_offices, needle) != NULL;
}

/* Checks the offices of a new token: known, and all of one municipality. */
static const char *
token_municipality(const struct config *cfg, const char *const *offices, int n)
{
	const char *muni = NULL;

	for (int i = 0; i < n; i++) {
		const struct config_office *o = config_office(cfg, offices[i]);
		if (o == NULL) {
			fprintf(stderr, "madoguchid: unknown office '%s'\n", offices[i]);
			return NULL;
		}
		if (muni != NULL && strcmp(muni, cfg->municipalities[o->municipality].id) != 0) {
			fprintf(stderr, "madoguchid: a token acts for offices of one municipality\n");
			return NULL;
		}
		muni = cfg->municipalities[o->municipality].id;
	}
	return muni;
}

/* Formats offices as a PostgreSQL array literal ({a,b}); ids need no quoting. */
static char *
office_array(const char *const *offices, int n)
{
	char *s = xstrdup("{");

	for (int i = 0; i < n; i++) {
		char *next = xasprintf("%s%s%s", s, i ? "," : "", offices[i]);
		free(s);
		s = next;
	}
	char *done = xasprintf("%s}", s);
	free(s);
	return done;
}

int
staff_create_token(const char *conninfo, const char *token_key, const char *role,
    const char *const *offices, int noffices, const struct config *cfg)
{
	unsigned char key[TOKEN_KEY_BYTES];
	char raw[TOKEN_TEXT_LEN + 1], token[TOKEN_TEXT_LEN + 8], hash[65], id[13];
	enum staff_role r;
	const char *muni, *p[5];
	char *array;
	PGconn *c;
	PGresult *res;
	int rc = EX_OK;

	if (!staff_role_parse(role, &r)) {
		fprintf(stderr, "madoguchid: unknown role '%s' (kiosk, staff, manager, admin)\n", role);
		return EX_USAGE;
	}
	if (noffices < 1 || (muni = token_municipality(cfg, offices, noffices)) == NULL)
		return EX_USAGE;
	if (!token_key_parse(token_key, key)) {
		fprintf(stderr, "madoguchid: security.token_key (or MADOGUCHI_TOKEN_KEY) is not set\n");
		return EX_USAGE;
	}
	token_new(raw);
	snprintf(token, sizeof token, STAFF_PREFIX "%s", raw);
	token_hash_hex(key, token, hash);
	snprintf(id, sizeof id, "%.12s", hash);
	array = office_array(offices, noffices);
	p[0] = muni, p[1] = id, p[2] = hash, p[3] = role, p[4] = array;
	c = PQconnectdb(conninfo);
	res = PQexecParams(c, "INSERT INTO staff_tokens (municipality, id, token_hash, role, "
	    "offices) VALUES ($1, $2, $3, $4, $5::text[])", 5, NULL, p, NULL, NULL, 0);
	if (PQstatus(c) != CONNECTION_OK || PQresultStatus(res) != PGRES_COMMAND_OK) {
		fprintf(stderr, "madoguchid: cannot store the token: %s", PQerrorMessage(c));
		rc = PQstatus(c) != CONNECTION_OK ? EX_UNAVAILABLE : EX_SOFTWARE;
	} else {
		printf("%s token %s for %s at %s; keep it secret, it is shown once:\n%s\n", role, id,
		    muni, array, token);
	}
	PQclear(res);
	PQfinish(c);
	free(array);
	sodium_memzero(raw, sizeof raw);
	sodium_memzero(token, sizeof token);
	return rc;
}
