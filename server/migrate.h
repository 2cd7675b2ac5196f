/*
 * Schema migrations: numbered SQL files compiled into the daemon, each applied
 * once in its own transaction, recorded with a checksum, serialized across
 * daemons by an advisory lock. Runs at start-up only (blocking libpq).
 */
#ifndef MADOGUCHI_MIGRATE_H
#define MADOGUCHI_MIGRATE_H

#include <stdbool.h>
#include <stddef.h>

/* One migration file. */
struct migration {
	int version;		/* the leading number of its file name */
	const char *name;	/* the file name without ".sql" */
	const char *sql;	/* its text */
	size_t len;		/* its length in bytes */
};

extern const struct migration migrate_all[];	/* in version order */
extern const size_t migrate_count;

/* migrate_apply's failures. */
#define MIGRATE_UNREACHABLE (-1)	/* cannot connect */
#define MIGRATE_FAILED (-2)		/* a changed applied file, or a failing statement */

/*
 * Applies every pending migration over conninfo. Returns the number applied, or
 * MIGRATE_UNREACHABLE or MIGRATE_FAILED with *cause set (caller frees). A
 * failing migration's transaction is rolled back.
 */
int migrate_apply(const char *conninfo, char **cause) __attribute__((warn_unused_result));

#endif
