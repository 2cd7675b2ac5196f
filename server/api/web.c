/* The pages and their assets, served from the binary. */
#include "api/web.h"

#include "config.h"
#include "request.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/*
 * Pages load only their own scripts and styles and talk only to this origin
 * (the API and the event streams); nothing may frame them.
 */
#define PAGE_CSP "default-src 'none'; script-src 'self'; style-src 'self'; " \
	"connect-src 'self'; img-src 'self' data:; font-src 'self'; base-uri 'none'; " \
	"form-action 'self'; frame-ancestors 'none'"

/* Which file each page route serves, and whether its path names an office. */
static const struct page {
	const char *route;	/* the route's name in routes.c */
	const char *file;	/* under web/ */
	int office;		/* 1: /PAGE/{office}..., 404 page when unknown */
} pages[] = {
	{ "home", "pages/index.html", 0 },
	{ "manage", "pages/manage.html", 0 },
	{ "book", "pages/book.html", 1 },
	{ "status", "pages/status.html", 1 },
	{ "ticket", "pages/ticket.html", 1 },
	{ "manager", "pages/manager.html", 1 },
	{ "display", "display/index.html", 1 },
};

const struct web_file *
web_file_find(const char *path)
{
	for (size_t i = 0; i < web_nfiles; i++) {
		if (strcmp(web_files[i].path, path) == 0)
			return &web_files[i];
	}
	return NULL;
}

const char *
web_content_type(const char *name)
{
	static const struct { const char *ext, *type; } types[] = {
		{ ".css", "text/css; charset=utf-8" },
		{ ".js", "text/javascript; charset=utf-8" },
		{ ".svg", "image/svg+xml" },
		{ ".png", "image/png" },
		{ ".txt", "text/plain; charset=utf-8" },
	};
	const char *dot = strrchr(name, '.');

	for (size_t i = 0; dot != NULL && i < sizeof types / sizeof types[0]; i++) {
		if (strcmp(dot, types[i].ext) == 0)
			return types[i].type;
	}
	return NULL;
}

/* Headers every page and asset carries. */
static void
common_headers(struct request *r)
{
	req_header(r, "X-Content-Type-Options", "nosniff");
	req_header(r, "Referrer-Policy", "no-referrer");
}

/* Sends an embedded HTML page with status. */
static void
send_page(struct request *r, int status, const struct web_file *f)
{
	common_headers(r);
	req_header(r, "Content-Security-Policy", PAGE_CSP);
	/* Pages always ask again, so a new build shows at once; assets are immutable. */
	req_header(r, "Cache-Control", "no-cache");
	req_text(r, status, "text/html; charset=utf-8", f->data, f->len);
}

void
api_page(struct request *r)
{
	static const char *const params[] = { "lang", "service", NULL };
	const char *name = r->match.route->name;
	const struct page *p = NULL;
	const struct web_file *f;

	if (!req_query_allow(r, params))
		return;
	for (size_t i = 0; i < sizeof pages / sizeof pages[0] && p == NULL; i++) {
		if (strcmp(pages[i].route, name) == 0)
			p = &pages[i];
	}
	if (p == NULL || (f = web_file_find(p->file)) == NULL) {
		req_problem(r, 404, "not_found", "there is no such page");
		return;
	}
	if (p->office && config_office(r->cfg, req_param(r, "office")) == NULL) {
		const struct web_file *missing = web_file_find("pages/404.html");

		if (missing == NULL) {
			req_problem(r, 404, "unknown_office", "there is no office with that id");
			return;
		}
		send_page(r, 404, missing);
		return;
	}
	send_page(r, 200, f);
}

/* Sends web/dir/file when it exists and is of a served type. */
static void
send_asset(struct request *r, const char *dir, const char *file)
{
	static const char *const params[] = { "v", NULL };
	const struct web_file *f;
	const char *type = web_content_type(file);
	char path[300];
	char *v;

	if (!req_query_allow(r, params))
		return;
	snprintf(path, sizeof path, "%s/%s", dir, file);
	if (type == NULL || strchr(dir, '/') != NULL || strchr(file, '/') != NULL ||
	    (f = web_file_find(path)) == NULL) {
		req_problem(r, 404, "not_found", "there is no such file");
		return;
	}
	common_headers(r);
	/* Pages name assets with the build's checksum: that URL never changes. */
	v = req_query(r, "v");
	if (v != NULL && strcmp(v, web_build) == 0)
		req_header(r, "Cache-Control", "public, max-age=31536000, immutable");
	else
		req_header(r, "Cache-Control", "no-cache");
	free(v);
	req_text(r, 200, type, f->data, f->len);
}

void
api_web_asset(struct request *r)
{
	send_asset(r, req_param(r, "dir"), req_param(r, "file"));
}

void
api_display_asset(struct request *r)
{
	send_asset(r, "display", req_param(r, "file"));
}
