/* Staff tokens: creation on the command line, checking per request. */
#include "staff.h"

#include "app.h"
#include "clock.h"
#include "config.h"
#include "log.h"
#include "core/problem.h"
#include "request.h"
#include "staff_cache.h"
#include "token.h"
#include "core/xmalloc.h"

#include <libpq-fe.h>
#include <pwd.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>
#include <unistd.h>

/* Staff tokens start with this, so they are never mistaken for a booking's. */
#define STAFF_PREFIX "mds_"

static const char *const role_names[] = { "none", "kiosk", "staff", "manager", "admin" };

/* Valid now by the database's clock: its id, role, offices and milliseconds left. */
static struct db_stmt stmt_lookup = {
	"SELECT id, role, array_to_string(offices, ','), "
	"(extract(epoch FROM expires_at - now()) * 1000)::bigint FROM staff_tokens "
	"WHERE token_hash = $1 AND revoked_at IS NULL AND expires_at > now()", 1, 0 };

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

/* The token is known: check office and role, then continue. */
static void
token_known(struct request *r, const struct staff_cached *t)
{
	/* An empty office asks for the role alone, at any office (e.g. /metrics). */
	if (r->auth_office[0] != '\0' && !staff_cache_has_office(t, r->auth_office)) {
		req_problem(r, 403, "wrong_office", "this token does not act for office %s",
		    r->auth_office);
		return;
	}
	if (t->role < r->auth_min) {
		req_problem(r, 403, "insufficient_role", "this needs a %s token; this one is %s",
		    staff_role_name((enum staff_role)r->auth_min),
		    staff_role_name((enum staff_role)t->role));
		return;
	}
	snprintf(r->staff_id, sizeof r->staff_id, "%s", t->id);
	snprintf(r->staff_offices, sizeof r->staff_offices, ",%s,", t->offices);
	r->staff_role = t->role;
	r->after_auth(r);
}

/* The token is unknown, revoked or expired. */
static void
token_refused(struct request *r)
{
	req_header(r, "WWW-Authenticate", "Bearer");
	req_problem(r, 401, "invalid_token", "that staff token is unknown, revoked or expired");
}

/* The token lookup ran: remember the answer, then judge. */
static void
lookup_done(struct request *r, const struct db_result *res)
{
	struct staff_cache *cache = r->app->tokens;
	struct staff_cached t = { 0 };
	enum staff_role role = STAFF_NONE;
	const PGresult *pg = res->pg;
	uint64_t now = clock_monotonic_ms();

	if (!res->ok) {
		req_db_failed(r, res);
		return;
	}
	if (PQntuples(pg) != 1 || !staff_role_parse(PQgetvalue(pg, 0, 1), &role) ||
	    strlen(PQgetvalue(pg, 0, 2)) >= sizeof t.offices) {
		staff_cache_put(cache, r->auth_gen, r->auth_hash, NULL, 0, now);
		token_refused(r);
		return;
	}
	snprintf(t.id, sizeof t.id, "%s", PQgetvalue(pg, 0, 0));
	t.role = (int)role;
	snprintf(t.offices, sizeof t.offices, "%s", PQgetvalue(pg, 0, 2));
	staff_cache_put(cache, r->auth_gen, r->auth_hash, &t,
	    strtoll(PQgetvalue(pg, 0, 3), NULL, 10), now);
	token_known(r, &t);
}

void
staff_require(struct request *r, const char *office, enum staff_role min,
    void (*next)(struct request *r))
{
	unsigned char key[TOKEN_KEY_BYTES];
	struct staff_cached t;
	const char *token = token_from_header(req_get_header(r, "Authorization"));
	const char *p[1];

	if (token == NULL || strncmp(token, STAFF_PREFIX, strlen(STAFF_PREFIX)) != 0) {
		req_header(r, "WWW-Authenticate", "Bearer");
		req_problem(r, 401, "token_required", "this needs a staff token: "
		    "Authorization: Bearer mds_...");
		return;
	}
	if (!token_key_parse(r->cfg->token_key, key))
		abort();	/* main refuses to start without a valid key */
	token_hash_hex(key, token, r->auth_hash);
	snprintf(r->auth_office, sizeof r->auth_office, "%s", office);
	r->auth_min = (int)min;
	r->after_auth = next;
	switch (staff_cache_get(r->app->tokens, r->auth_hash, clock_monotonic_ms(), &t)) {
	case STAFF_CACHE_KNOWN:
		token_known(r, &t);
		return;
	case STAFF_CACHE_UNKNOWN:
		token_refused(r);
		return;
	case STAFF_CACHE_MISS:
		break;
	}
	r->auth_gen = staff_cache_generation(r->app->tokens);
	p[0] = r->auth_hash;
	if (!req_db(r, &stmt_lookup, p, lookup_done))
		return;
}

void
staff_require_any(struct request *r, enum staff_role min, void (*next)(struct request *r))
{
	staff_require(r, "", min, next);	/* the same cached, expiry-aware check */
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

/* Who ran a token command, for the audit log: "operator:<login>". */
static void
operator_actor(char *out, size_t len)
{
	struct passwd *pw = getpwuid(geteuid());

	snprintf(out, len, "operator:%s", pw != NULL ? pw->pw_name : "unknown");
}

/* Connects for a command; prints why not and returns NULL on failure. */
static PGconn *
cli_connect(const char *conninfo)
{
	PGconn *c = PQconnectdb(conninfo);

	if (PQstatus(c) != CONNECTION_OK) {
		fprintf(stderr, "madoguchid: cannot reach the database: %s", PQerrorMessage(c));
		PQfinish(c);
		return NULL;
	}
	return c;
}

/* An instant as the commands print it: Japan time, ISO 8601. */
#define CLI_TIME(col) "to_char(" col " AT TIME ZONE 'Asia/Tokyo', " \
	"'YYYY-MM-DD\"T\"HH24:MI:SS\"+09:00\"')"

int
staff_create_token(const char *conninfo, const char *token_key, const char *role,
    const char *const *offices, int noffices, int expires_days, const struct config *cfg)
{
	unsigned char key[TOKEN_KEY_BYTES];
	char raw[TOKEN_TEXT_LEN + 1], token[TOKEN_TEXT_LEN + 8], hash[65], id[13];
	char days[12], actor[80];
	enum staff_role r;
	const char *muni, *p[7];
	char *array;
	PGconn *c;
	PGresult *res;
	int rc = EX_OK;

	if (!staff_role_parse(role, &r)) {
		fprintf(stderr, "madoguchid: unknown role '%s' (kiosk, staff, manager, admin)\n", role);
		return EX_USAGE;
	}
	if (expires_days < 1 || expires_days > STAFF_MAX_DAYS) {
		fprintf(stderr, "madoguchid: --expires-days must be 1 to %d\n", STAFF_MAX_DAYS);
		return EX_USAGE;
	}
	if (noffices < 1 || (muni = token_municipality(cfg, offices, noffices)) == NULL)
		return EX_USAGE;
	if (!token_key_parse(token_key, key)) {
		fprintf(stderr, "madoguchid: security.token_key (or MADOGUCHI_TOKEN_KEY) is not set\n");
		return EX_USAGE;
	}
	if ((c = cli_connect(conninfo)) == NULL)
		return EX_UNAVAILABLE;
	token_new(raw);
	snprintf(token, sizeof token, STAFF_PREFIX "%s", raw);
	token_hash_hex(key, token, hash);
	snprintf(id, sizeof id, "%.12s", hash);
	snprintf(days, sizeof days, "%d", expires_days);
	operator_actor(actor, sizeof actor);
	array = office_array(offices, noffices);
	p[0] = muni, p[1] = id, p[2] = hash, p[3] = role, p[4] = array, p[5] = days;
	p[6] = actor;
	/* One statement: the token, its audit entry and the notice to every daemon. */
	res = PQexecParams(c, "WITH t AS (INSERT INTO staff_tokens (municipality, id, "
	    "token_hash, role, offices, expires_at) VALUES ($1, $2, $3, $4, $5::text[], "
	    "now() + make_interval(days => $6::int)) RETURNING municipality, id, role, offices, "
	    "expires_at), "
	    "a AS (INSERT INTO audit_log (municipality, actor, action, subject, detail) "
	    "SELECT municipality, $7, 'token.created', id, jsonb_build_object('role', role, "
	    "'offices', to_jsonb(offices), 'expires_at', expires_at) FROM t) "
	    "SELECT " CLI_TIME("expires_at") ", pg_notify('" STAFF_CHANNEL "', id) FROM t",
	    7, NULL, p, NULL, NULL, 0);
	if (PQresultStatus(res) != PGRES_TUPLES_OK || PQntuples(res) != 1) {
		fprintf(stderr, "madoguchid: cannot store the token: %s", PQerrorMessage(c));
		rc = EX_SOFTWARE;
	} else {
		printf("%s token %s for %s at %s, expires %s; keep it secret, it is shown "
		    "once:\n%s\n", role, id, muni, array, PQgetvalue(res, 0, 0), token);
	}
	PQclear(res);
	PQfinish(c);
	free(array);
	sodium_memzero(raw, sizeof raw);
	sodium_memzero(token, sizeof token);
	return rc;
}

int
staff_list_tokens(const char *conninfo)
{
	PGconn *c;
	PGresult *res;
	int rc = EX_OK;

	if ((c = cli_connect(conninfo)) == NULL)
		return EX_UNAVAILABLE;
	res = PQexec(c, "SELECT id, municipality, role, array_to_string(offices, ','), "
	    CLI_TIME("created_at") ", " CLI_TIME("expires_at") ", "
	    "coalesce(" CLI_TIME("revoked_at") ", '-'), "
	    "CASE WHEN revoked_at IS NOT NULL THEN 'revoked' WHEN expires_at <= now() "
	    "THEN 'expired' ELSE 'active' END FROM staff_tokens "
	    "ORDER BY created_at, municipality, id");
	if (PQresultStatus(res) != PGRES_TUPLES_OK) {
		fprintf(stderr, "madoguchid: cannot read the tokens: %s", PQerrorMessage(c));
		rc = EX_SOFTWARE;
	} else {
		printf("%-12s  %-12s  %-7s  %-25s  %-25s  %-25s  %-7s  %s\n", "ID", "MUNICIPALITY",
		    "ROLE", "CREATED", "EXPIRES", "REVOKED", "STATE", "OFFICES");
		for (int i = 0; i < PQntuples(res); i++)
			printf("%-12s  %-12s  %-7s  %-25s  %-25s  %-25s  %-7s  %s\n",
			    PQgetvalue(res, i, 0), PQgetvalue(res, i, 1), PQgetvalue(res, i, 2),
			    PQgetvalue(res, i, 4), PQgetvalue(res, i, 5), PQgetvalue(res, i, 6),
			    PQgetvalue(res, i, 7), PQgetvalue(res, i, 3));
	}
	PQclear(res);
	PQfinish(c);
	return rc;
}

int
staff_revoke_token(const char *conninfo, const char *id)
{
	char actor[80];
	const char *p[2];
	PGconn *c;
	PGresult *res;
	int rc = EX_OK;

	if (strlen(id) != 12 || strspn(id, "0123456789abcdef") != 12) {
		fprintf(stderr, "madoguchid: a token id is 12 hex digits, as --list-tokens shows\n");
		return EX_USAGE;
	}
	if ((c = cli_connect(conninfo)) == NULL)
		return EX_UNAVAILABLE;
	operator_actor(actor, sizeof actor);
	p[0] = id, p[1] = actor;
	/* One statement: the revocation, its audit entry, the notice to every daemon. */
	res = PQexecParams(c, "WITH t AS (UPDATE staff_tokens SET revoked_at = now() "
	    "WHERE id = $1 AND revoked_at IS NULL RETURNING municipality, id), "
	    "a AS (INSERT INTO audit_log (municipality, actor, action, subject) "
	    "SELECT municipality, $2, 'token.revoked', id FROM t) "
	    "SELECT municipality, pg_notify('" STAFF_CHANNEL "', id) FROM t", 2, NULL, p, NULL,
	    NULL, 0);
	if (PQresultStatus(res) == PGRES_TUPLES_OK && PQntuples(res) == 0) {
		PQclear(res);
		res = PQexecParams(c, "SELECT count(*) FROM staff_tokens WHERE id = $1", 1, NULL, p,
		    NULL, NULL, 0);
		if (PQresultStatus(res) == PGRES_TUPLES_OK && strcmp(PQgetvalue(res, 0, 0), "0") == 0) {
			fprintf(stderr, "madoguchid: no token has the id %s\n", id);
			rc = EX_DATAERR;
		} else if (PQresultStatus(res) == PGRES_TUPLES_OK) {
			printf("token %s was already revoked\n", id);
		}
	} else if (PQresultStatus(res) == PGRES_TUPLES_OK) {
		for (int i = 0; i < PQntuples(res); i++)
			printf("token %s of %s revoked\n", id, PQgetvalue(res, i, 0));
	}
	if (PQresultStatus(res) != PGRES_TUPLES_OK) {
		fprintf(stderr, "madoguchid: cannot revoke the token: %s", PQerrorMessage(c));
		rc = EX_SOFTWARE;
	}
	PQclear(res);
	PQfinish(c);
	return rc;
}
