/* Applies the compiled-in migrations with a blocking libpq connection. */
#include "migrate.h"

#include "log.h"
#include "core/xmalloc.h"

#include <libpq-fe.h>
#include <sodium.h>
#include <stdlib.h>
#include <string.h>

/* Arbitrary key of the advisory lock that serializes migrating daemons. */
#define MIGRATE_LOCK_KEY "724166001"

/* Writes the hex SHA-256 of a migration's text into hex (65 bytes). */
static void
checksum(const struct migration *m, char hex[65])
{
	unsigned char h[crypto_hash_sha256_BYTES];

	crypto_hash_sha256(h, (const unsigned char *)m->sql, m->len);
	sodium_bin2hex(hex, 65, h, sizeof h);
}

/* Runs sql without parameters; false with *cause on error. */
static bool
exec_ok(PGconn *c, const char *sql, char **cause)
{
	PGresult *r = PQexec(c, sql);
	ExecStatusType st = PQresultStatus(r);
	bool ok = st == PGRES_COMMAND_OK || st == PGRES_TUPLES_OK;

	if (!ok && *cause == NULL)
		*cause = xasprintf("%s", PQresultErrorMessage(r));
	PQclear(r);
	return ok;
}

/* Looks up the checksum recorded for version; NULL when not applied (caller frees). */
static char *
applied_checksum(PGconn *c, int version, char **cause)
{
	char v[16];
	const char *params[1] = { v };
	PGresult *r;
	char *sum = NULL;

	snprintf(v, sizeof v, "%d", version);
	r = PQexecParams(c, "SELECT checksum FROM schema_migrations WHERE version = $1",
	    1, NULL, params, NULL, NULL, 0);
	if (PQresultStatus(r) != PGRES_TUPLES_OK)
		*cause = xasprintf("reading schema_migrations: %s", PQresultErrorMessage(r));
	else if (PQntuples(r) == 1)
		sum = xstrdup(PQgetvalue(r, 0, 0));
	PQclear(r);
	return sum;
}

/* Applies one migration in a transaction and records it. */
static bool
apply_one(PGconn *c, const struct migration *m, const char *sum, char **cause)
{
	char v[16];
	const char *params[3] = { v, m->name, sum };
	PGresult *r;
	bool ok;

	snprintf(v, sizeof v, "%d", m->version);
	if (!exec_ok(c, "BEGIN", cause))
		return false;
	if (!exec_ok(c, m->sql, cause)) {
		char *why = *cause;
		*cause = xasprintf("migration %s failed: %s", m->name, why);
		free(why);
		PQclear(PQexec(c, "ROLLBACK"));
		return false;
	}
	r = PQexecParams(c, "INSERT INTO schema_migrations (version, name, checksum) "
	    "VALUES ($1, $2, $3)", 3, NULL, params, NULL, NULL, 0);
	ok = PQresultStatus(r) == PGRES_COMMAND_OK;
	if (!ok)
		*cause = xasprintf("recording %s: %s", m->name, PQresultErrorMessage(r));
	PQclear(r);
	if (!ok || !exec_ok(c, "COMMIT", cause)) {
		PQclear(PQexec(c, "ROLLBACK"));
		return false;
	}
	log_info("migrate: applied %s", m->name);
	return true;
}

/* Applies what is pending, under the advisory lock already held. */
static int
apply_pending(PGconn *c, char **cause)
{
	int applied = 0;

	if (!exec_ok(c, "CREATE TABLE IF NOT EXISTS schema_migrations ("
	    "version integer PRIMARY KEY, name text NOT NULL, checksum text NOT NULL, "
	    "applied_at timestamptz NOT NULL DEFAULT now())", cause))
		return -1;
	for (size_t i = 0; i < migrate_count; i++) {
		const struct migration *m = &migrate_all[i];
		char sum[65], *have;

		checksum(m, sum);
		have = applied_checksum(c, m->version, cause);
		if (*cause != NULL)
			return -1;
		if (have != NULL) {
			bool same = strcmp(have, sum) == 0;
			free(have);
			if (!same) {
				*cause = xasprintf("migration %s was changed after it was applied "
				    "(checksum differs); add a new migration instead", m->name);
				return -1;
			}
			continue;
		}
		if (!apply_one(c, m, sum, cause))
			return -1;
		applied++;
	}
	return applied;
}

int
migrate_apply(const char *conninfo, char **cause)
{
	PGconn *c = PQconnectdb(conninfo);
	int applied = MIGRATE_FAILED;

	*cause = NULL;
	if (PQstatus(c) != CONNECTION_OK) {
		*cause = xasprintf("cannot connect to the database: %s", PQerrorMessage(c));
		PQfinish(c);
		return MIGRATE_UNREACHABLE;
	}
	PQclear(PQexec(c, "SET client_min_messages = warning"));
	if (exec_ok(c, "SELECT pg_advisory_lock(" MIGRATE_LOCK_KEY ")", cause)) {
		applied = apply_pending(c, cause);
		if (applied < 0)
			applied = MIGRATE_FAILED;
		PQclear(PQexec(c, "SELECT pg_advisory_unlock(" MIGRATE_LOCK_KEY ")"));
	}
	PQfinish(c);
	return applied;
}
