/*
 * The pages the daemon serves from its binary: every file under web/ (the
 * resident pages, the lobby display, the manager's dashboard, their shared
 * scripts and vendored libraries), embedded at build time by
 * server/embed-web.sh. Pages are GET /, /book/{office}, /manage,
 * /status/{office}, /ticket/{office}/{ticket}, /manager/{office} and
 * /display/{office}; their assets are GET /assets/{dir}/{file} (and the
 * display's older /display/assets/{file}).
 */
#ifndef MADOGUCHI_WEB_H
#define MADOGUCHI_WEB_H

#include <stddef.h>

struct request;

/* One embedded file. */
struct web_file {
	const char *path;	/* "pages/book.html", "common/api.js", ... (under web/) */
	const char *data;	/* its bytes, @BUILD@ replaced */
	size_t len;		/* how many */
};

/* The embedded files (generated). */
extern const struct web_file web_files[];
extern const size_t web_nfiles;
/* A checksum of them all, in the pages' asset URLs. */
extern const char web_build[];

/* The embedded file at path (under web/), or NULL. */
const struct web_file *web_file_find(const char *path);
/* The content type served for a file name, or NULL when such files are not served. */
const char *web_content_type(const char *name);

/*
 * A page, chosen by the route's name (home, manage, book, status, ticket,
 * manager, display); for an office page an unknown office gets the HTML 404 page.
 */
void api_page(struct request *r);
/* GET /assets/{dir}/{file}: a page's style sheet, script, image or licence. */
void api_web_asset(struct request *r);
/* GET /display/assets/{file}: the lobby display's assets under their first URLs. */
void api_display_asset(struct request *r);

#endif
