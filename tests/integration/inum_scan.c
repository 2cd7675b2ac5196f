/*
 * Scans files (or stdin) line by line for an Individual Number with the
 * daemon's own guard; prints where one is (file and line number, never the
 * line) and exits 1 when any is found. run.sh runs it over the test database's
 * client-chosen columns and the daemons' logs after the tests.
 */
#include "core/individual_number.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Scans one stream; returns the lines holding a number. */
static long
scan(FILE *f, const char *name)
{
	char *line = NULL;
	size_t cap = 0;
	ssize_t n;
	long lineno = 0, found = 0;

	while ((n = getline(&line, &cap, f)) != -1) {
		lineno++;
		if (inum_find(line, (size_t)n)) {
			/* The line with its ASCII digits masked: where, never what. */
			for (ssize_t i = 0; i < n; i++)
				line[i] = line[i] >= '0' && line[i] <= '9' ? '#' : line[i];
			fprintf(stderr, "inum_scan: %s:%ld holds an Individual Number: %.300s", name,
			    lineno, line);
			found++;
		}
	}
	free(line);
	return found;
}

int
main(int argc, char **argv)
{
	long found = 0;

	if (argc == 1)
		found = scan(stdin, "stdin");
	for (int i = 1; i < argc; i++) {
		FILE *f = fopen(argv[i], "r");

		if (f == NULL) {
			perror(argv[i]);
			return 2;
		}
		found += scan(f, argv[i]);
		fclose(f);
	}
	printf("inum_scan: %ld line(s) with an Individual Number\n", found);
	return found == 0 ? 0 : 1;
}
