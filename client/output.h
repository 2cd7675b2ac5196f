/*
 * Where a command's output goes. Standard output, a device (a printer: written
 * in place, opened before anything is asked of the server), or a file, which
 * is written to a temporary file beside it and renamed over it only when the
 * command succeeded: a failed call never leaves FILE truncated or half-written.
 */
#ifndef MADOGUCHI_CLIENT_OUTPUT_H
#define MADOGUCHI_CLIENT_OUTPUT_H

#include <stdio.h>

struct output {
	FILE *fp;		/* where to write */
	const char *path;	/* as given, or NULL for standard output */
	char *tmp;		/* the temporary file to rename, or NULL */
};

/* Opens path (NULL: standard output); -1 with errno on failure. */
int output_open(struct output *o, const char *path);
/* Done and well: flushes, closes, renames into place; -1 with errno on failure. */
int output_commit(struct output *o);
/* Failed: closes and removes the temporary file; the target is untouched. */
void output_abort(struct output *o);

#endif
