/* madoguchi: the counter and kiosk client. */
#include <stdio.h>
#include <string.h>
#include <sysexits.h>

/* Prints the usage text to fp. */
static void
usage(FILE *fp)
{
	fprintf(fp,
	    "usage: madoguchi [--version | --help]\n"
	    "\n"
	    "The queue-ticket and counter client of madoguchi. Its commands (ticket,\n"
	    "queue, call, book) come with the queue; this build only identifies itself.\n");
}

int
main(int argc, char **argv)
{
	if (argc == 2 && (strcmp(argv[1], "--version") == 0 || strcmp(argv[1], "-V") == 0)) {
		printf("madoguchi %s\n", MADOGUCHI_VERSION);
		return EX_OK;
	}
	if (argc == 2 && (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0)) {
		usage(stdout);
		return EX_OK;
	}
	usage(stderr);
	return EX_USAGE;
}
