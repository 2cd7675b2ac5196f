/*
 * The lobby display: GET /display/{office}, a page that shows the numbers being
 * called and the waits (display/ at the top of the tree, embedded at build time
 * by server/embed-display.sh), and GET /display/assets/{file} for its CSS and JS.
 */
#ifndef MADOGUCHI_DISPLAY_H
#define MADOGUCHI_DISPLAY_H

#include <stddef.h>

struct request;

/* One embedded file. */
struct display_file {
	const char *name;	/* "index.html", "display.js", ... */
	const char *data;	/* its bytes */
	size_t len;		/* how many */
};

/* The embedded files (generated). */
extern const struct display_file display_files[];
extern const size_t display_nfiles;
/* A checksum of them all, in the page's asset URLs. */
extern const char display_build[];

/* GET /display/{office}: the page; 404 for an unknown office. */
void api_display(struct request *r);
/* GET /display/assets/{file}: the page's stylesheet and script. */
void api_display_asset(struct request *r);

#endif
