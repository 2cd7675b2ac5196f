/* The lobby display's page and assets, served from the binary. */
#include "api/display.h"

#include "config.h"
#include "request.h"

#include <stdlib.h>
#include <string.h>

/*
 * The page loads only its own script and style and talks only to this origin
 * (the queue and the event stream); nothing may frame it.
 */
#define DISPLAY_CSP "default-src 'none'; script-src 'self'; style-src 'self'; " \
	"connect-src 'self'; img-src 'self' data:; font-src 'self'; base-uri 'none'; " \
	"form-action 'none'; frame-ancestors 'none'"

/* The embedded file called name, or NULL. */
static const struct display_file *
file_find(const char *name)
{
	for (size_t i = 0; i < display_nfiles; i++) {
		if (strcmp(display_files[i].name, name) == 0)
			return &display_files[i];
	}
	return NULL;
}

/* The content type of a file name by its extension, or NULL when not served. */
static const char *
asset_type(const char *name)
{
	const char *dot = strrchr(name, '.');

	if (dot == NULL)
		return NULL;
	if (strcmp(dot, ".css") == 0)
		return "text/css; charset=utf-8";
	if (strcmp(dot, ".js") == 0)
		return "text/javascript; charset=utf-8";
	return NULL;
}

/* Headers every display answer carries. */
static void
common_headers(struct request *r)
{
	req_header(r, "X-Content-Type-Options", "nosniff");
	req_header(r, "Referrer-Policy", "no-referrer");
}

void
api_display(struct request *r)
{
	static const char *const no_params[] = { NULL };
	const struct display_file *f = file_find("index.html");

	if (!req_query_allow(r, no_params))
		return;
	if (config_office(r->cfg, req_param(r, "office")) == NULL || f == NULL) {
		req_problem(r, 404, "unknown_office", "there is no office with that id");
		return;
	}
	common_headers(r);
	req_header(r, "Content-Security-Policy", DISPLAY_CSP);
	/* A kiosk reloads now and then: always ask, so a new build shows at once. */
	req_header(r, "Cache-Control", "no-cache");
	req_text(r, 200, "text/html; charset=utf-8", f->data, f->len);
}

void
api_display_asset(struct request *r)
{
	static const char *const params[] = { "v", NULL };
	const char *name = req_param(r, "file");
	const struct display_file *f = file_find(name);
	const char *type = asset_type(name);
	char *v;

	if (!req_query_allow(r, params))
		return;
	if (f == NULL || type == NULL) {
		req_problem(r, 404, "not_found", "there is no such display file");
		return;
	}
	common_headers(r);
	/* The page names assets with the build's checksum: that URL never changes. */
	v = req_query(r, "v");
	if (v != NULL && strcmp(v, display_build) == 0)
		req_header(r, "Cache-Control", "public, max-age=31536000, immutable");
	else
		req_header(r, "Cache-Control", "no-cache");
	free(v);
	req_text(r, 200, type, f->data, f->len);
}
