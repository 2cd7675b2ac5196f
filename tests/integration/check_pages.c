/*
 * The pages served from the binary (their headers, the 404 page for an unknown
 * office, assets cached by the build's checksum), CORS for the origins in
 * http.cors_origins, the one-ticket view the ticket page follows, and the queue
 * view's reservation-only services. The pages themselves run in a browser in
 * tests/e2e/pages.mjs.
 */
#include "itest.h"

#include <check.h>
#include <curl/curl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define OFFICE "kasugai-main"
#define ORIGIN "https://www.city.kasugai.example.jp"

/* A Wednesday morning, when the office is open and takes walk-ins. */
static const char *const open_env[] = { "MADOGUCHI_NOW=2026-12-16T09:30:00+09:00", NULL };

/* The daemon the tests share: the test offices, with ORIGIN allowed. */
static struct itest_daemon d;

static void
setup(void)
{
	char *config = itest_tmp_path("pages.yaml");
	char text[1024];

	curl_global_init(CURL_GLOBAL_DEFAULT);
	snprintf(text, sizeof text, "ratelimit: {per_minute: 100000, burst: 10000}\n"
	    "http:\n  cors_origins: [\"" ORIGIN "\", \"http://127.0.0.1:9\"]\n"
	    "include:\n  - %s/config/municipalities/*.yaml\n", getenv("PWD"));
	itest_write_file(config, text);
	itest_daemon_start(&d, config, open_env);
}

static void
teardown(void)
{
	itest_daemon_stop(&d);
}

/* A staff token for the office (caller frees). */
static char *
staff_token(void)
{
	char tok[128];

	itest_create_token(getenv("MADOGUCHI_TEST_CONFIG"), "staff", OFFICE, tok, sizeof tok);
	return strdup(tok);
}

/* The build checksum a page names its assets with ("?v=..."), copied into v. */
static void
build_of(const char *html, char *v, size_t len)
{
	const char *p = strstr(html, "?v=");
	size_t n;

	ck_assert_msg(p != NULL, "the page names no versioned asset");
	p += 3;
	n = strspn(p, "0123456789");
	ck_assert(n > 0 && n < len);
	memcpy(v, p, n);
	v[n] = '\0';
}

/* Every page: HTML, its policy, asked again each time; an unknown office a 404 page. */
START_TEST(pages_and_headers)
{
	static const char *const paths[] = { "/", "/manage", "/book/" OFFICE, "/status/" OFFICE,
		"/ticket/" OFFICE "/A-001", "/manager/" OFFICE, "/display/" OFFICE, "/?lang=en",
		"/book/" OFFICE "?service=pin_reset" };
	static const char *const missing[] = { "/book/nowhere", "/status/nowhere",
		"/ticket/nowhere/A-001", "/manager/nowhere", "/display/nowhere" };
	struct itest_resp r;
	char h[512];

	for (size_t i = 0; i < sizeof paths / sizeof paths[0]; i++) {
		itest_get(&d, paths[i], &r);
		ck_assert_msg(r.status == 200, "%s: %ld", paths[i], r.status);
		ck_assert_str_eq(itest_header(&r, "Content-Type", h, sizeof h), "text/html; charset=utf-8");
		ck_assert_str_eq(itest_header(&r, "Cache-Control", h, sizeof h), "no-cache");
		ck_assert_ptr_nonnull(itest_header(&r, "Content-Security-Policy", h, sizeof h));
		ck_assert_ptr_nonnull(strstr(h, "default-src 'none'"));
		ck_assert_ptr_nonnull(strstr(h, "connect-src 'self'"));
		ck_assert_str_eq(itest_header(&r, "X-Content-Type-Options", h, sizeof h), "nosniff");
		ck_assert_ptr_null(strstr(r.body, "@BUILD@"));
		/* No request to any other site: no absolute URL in a page. */
		ck_assert_msg(strstr(r.body, "http://") == NULL && strstr(r.body, "https://") == NULL &&
		    strstr(r.body, "src=\"//") == NULL, "%s names another site", paths[i]);
		itest_resp_free(&r);
	}
	for (size_t i = 0; i < sizeof missing / sizeof missing[0]; i++) {
		itest_get(&d, missing[i], &r);
		ck_assert_msg(r.status == 404, "%s: %ld", missing[i], r.status);
		ck_assert_str_eq(itest_header(&r, "Content-Type", h, sizeof h), "text/html; charset=utf-8");
		ck_assert_ptr_nonnull(strstr(r.body, "notfound.js"));
		itest_resp_free(&r);
	}
	itest_get(&d, "/?debug=1", &r);
	ck_assert_int_eq(r.status, 400);
	ck_assert_str_eq(itest_str(&r, "code"), "unknown_parameter");
	itest_resp_free(&r);
}
END_TEST

/* Assets: the right types; immutable under the build's checksum, else asked again. */
START_TEST(assets)
{
	static const struct { const char *path, *type; } files[] = {
		{ "/assets/common/api.js", "text/javascript; charset=utf-8" },
		{ "/assets/common/i18n.js", "text/javascript; charset=utf-8" },
		{ "/assets/common/messages.js", "text/javascript; charset=utf-8" },
		{ "/assets/common/site.css", "text/css; charset=utf-8" },
		{ "/assets/pages/book.js", "text/javascript; charset=utf-8" },
		{ "/assets/vendor/uPlot.esm.js", "text/javascript; charset=utf-8" },
		{ "/assets/vendor/uPlot.LICENSE.txt", "text/plain; charset=utf-8" },
		{ "/assets/display/display.js", "text/javascript; charset=utf-8" },
		{ "/display/assets/display.css", "text/css; charset=utf-8" },
	};
	static const char *const missing[] = { "/assets/pages/book.html", "/assets/common/nope.js",
		"/assets/..%2Fserver/main.c", "/assets/common/..%2F..%2Fserver%2Fmain.js",
		"/assets/display/index.html", "/assets/x/api.js" };
	struct itest_resp r;
	char h[256], v[32], path[128];

	itest_get(&d, "/", &r);
	build_of(r.body, v, sizeof v);
	itest_resp_free(&r);
	for (size_t i = 0; i < sizeof files / sizeof files[0]; i++) {
		itest_get(&d, files[i].path, &r);
		ck_assert_msg(r.status == 200, "%s: %ld", files[i].path, r.status);
		ck_assert_str_eq(itest_header(&r, "Content-Type", h, sizeof h), files[i].type);
		ck_assert_str_eq(itest_header(&r, "Cache-Control", h, sizeof h), "no-cache");
		ck_assert(r.len > 0);
		itest_resp_free(&r);
		snprintf(path, sizeof path, "%s?v=%s", files[i].path, v);
		itest_get(&d, path, &r);
		ck_assert_int_eq(r.status, 200);
		ck_assert_str_eq(itest_header(&r, "Cache-Control", h, sizeof h),
		    "public, max-age=31536000, immutable");
		itest_resp_free(&r);
	}
	itest_get(&d, "/assets/vendor/uPlot.LICENSE.txt", &r);
	ck_assert_ptr_nonnull(strstr(r.body, "MIT License"));
	itest_resp_free(&r);
	for (size_t i = 0; i < sizeof missing / sizeof missing[0]; i++) {
		itest_get(&d, missing[i], &r);
		ck_assert_msg(r.status == 404 || r.status == 400, "%s: %ld", missing[i], r.status);
		itest_resp_free(&r);
	}
}
END_TEST

/* One exchange with libcurl, not recorded (preflights are not in the contract's paths). */
static long
raw(const char *method, const char *path, const char *const *headers, char **hdrs)
{
	CURL *c = curl_easy_init();
	struct curl_slist *hl = NULL;
	char url[256];
	long status = 0;
	FILE *mem;
	size_t len = 0;

	*hdrs = NULL;
	mem = open_memstream(hdrs, &len);
	snprintf(url, sizeof url, "%s%s", d.url, path);
	for (; headers && *headers; headers++)
		hl = curl_slist_append(hl, *headers);
	curl_easy_setopt(c, CURLOPT_URL, url);
	curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST, method);
	curl_easy_setopt(c, CURLOPT_NOBODY, 1L);
	curl_easy_setopt(c, CURLOPT_HTTPHEADER, hl);
	curl_easy_setopt(c, CURLOPT_HEADERDATA, mem);
	curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, 10000L);
	ck_assert(curl_easy_perform(c) == CURLE_OK);
	curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &status);
	fclose(mem);
	curl_slist_free_all(hl);
	curl_easy_cleanup(c);
	return status;
}

/* True when the raw header block has the line "name: value" (name case-insensitive). */
static bool
has_header(const char *hdrs, const char *name, const char *value)
{
	char want[256];

	snprintf(want, sizeof want, "\n%s: %s\r", name, value);
	return strcasestr(hdrs, want) != NULL;
}

/* Listed origins get CORS headers and preflights; others get neither. */
START_TEST(cors)
{
	const char *listed[] = { "Origin: " ORIGIN, NULL };
	const char *other[] = { "Origin: https://evil.example", NULL };
	const char *pre[] = { "Origin: " ORIGIN, "Access-Control-Request-Method: POST",
		"Access-Control-Request-Headers: content-type, idempotency-key", NULL };
	const char *pre_other[] = { "Origin: https://evil.example",
		"Access-Control-Request-Method: POST", NULL };
	struct itest_resp r;
	char h[256], *hdrs;
	long st;

	itest_http(&d, "GET", "/v1/offices", NULL, 0, NULL, listed, &r);
	ck_assert_int_eq(r.status, 200);
	ck_assert_str_eq(itest_header(&r, "Access-Control-Allow-Origin", h, sizeof h), ORIGIN);
	ck_assert_str_eq(itest_header(&r, "Vary", h, sizeof h), "Origin");
	ck_assert_ptr_nonnull(itest_header(&r, "Access-Control-Expose-Headers", h, sizeof h));
	ck_assert_ptr_nonnull(strstr(h, "Retry-After"));
	itest_resp_free(&r);
	/* Errors carry them too, so a page can read the problem. */
	itest_http(&d, "GET", "/v1/offices/nowhere/queue", NULL, 0, NULL, listed, &r);
	ck_assert_int_eq(r.status, 404);
	ck_assert_str_eq(itest_header(&r, "Access-Control-Allow-Origin", h, sizeof h), ORIGIN);
	itest_resp_free(&r);
	itest_http(&d, "GET", "/v1/offices", NULL, 0, NULL, other, &r);
	ck_assert_int_eq(r.status, 200);
	ck_assert_ptr_null(itest_header(&r, "Access-Control-Allow-Origin", h, sizeof h));
	itest_resp_free(&r);

	st = raw("OPTIONS", "/v1/bookings", pre, &hdrs);
	ck_assert_int_eq(st, 204);
	ck_assert_msg(has_header(hdrs, "Access-Control-Allow-Origin", ORIGIN), "%s", hdrs);
	ck_assert_msg(strcasestr(hdrs, "\nAccess-Control-Allow-Methods: POST, OPTIONS\r") != NULL, "%s", hdrs);
	ck_assert_msg(strcasestr(hdrs, "\nAccess-Control-Allow-Headers: ") != NULL &&
	    strstr(hdrs, "Idempotency-Key") != NULL && strstr(hdrs, "Authorization") != NULL, "%s", hdrs);
	ck_assert_msg(has_header(hdrs, "Access-Control-Max-Age", "600"), "%s", hdrs);
	free(hdrs);
	st = raw("OPTIONS", "/v1/bookings/ABCD-EFGH", pre, &hdrs);
	ck_assert_int_eq(st, 204);
	ck_assert_msg(strcasestr(hdrs, "\nAccess-Control-Allow-Methods: GET, DELETE, HEAD, OPTIONS\r") != NULL ||
	    strcasestr(hdrs, "\nAccess-Control-Allow-Methods: ") != NULL, "%s", hdrs);
	ck_assert_ptr_nonnull(strstr(hdrs, "DELETE"));
	free(hdrs);
	/* An unlisted origin's preflight gets no permission. */
	raw("OPTIONS", "/v1/bookings", pre_other, &hdrs);
	ck_assert_msg(strcasestr(hdrs, "Access-Control-Allow-Origin") == NULL, "%s", hdrs);
	free(hdrs);
	/* A preflight for a path that does not exist is not answered as one. */
	st = raw("OPTIONS", "/v1/nowhere", pre, &hdrs);
	ck_assert_int_eq(st, 404);
	ck_assert_msg(strcasestr(hdrs, "Access-Control-Allow-Methods") == NULL, "%s", hdrs);
	free(hdrs);
}
END_TEST

/* The ticket view: waiting with its place, then at its counter; bad and unknown numbers. */
START_TEST(ticket_view)
{
	char *token = staff_token(), *first = itest_issue_ticket(&d, OFFICE, token, "address_change");
	char *second = itest_issue_ticket(&d, OFFICE, token, "address_change"), path[128], auth[160];
	const char *hdr[] = { auth, NULL };
	struct itest_resp r;
	long pos1, pos2;

	snprintf(path, sizeof path, "/v1/offices/" OFFICE "/tickets/%s", first);
	itest_get(&d, path, &r);
	ck_assert_int_eq(r.status, 200);
	ck_assert_str_eq(itest_str(&r, "status"), "waiting");
	ck_assert_str_eq(itest_str(&r, "number"), first);
	ck_assert_str_eq(itest_str(&r, "kind"), "walk_in");
	ck_assert_int_eq(strncmp(itest_str(&r, "at"), "2026-12-16T", 11), 0);
	pos1 = (long)json_integer_value(json_object_get(r.json, "position"));
	ck_assert(pos1 >= 1);
	ck_assert_int_eq(json_integer_value(json_object_get(r.json, "ahead")), pos1 - 1);
	ck_assert(json_is_integer(json_object_get(r.json, "estimated_wait_min")));
	itest_resp_free(&r);
	snprintf(path, sizeof path, "/v1/offices/" OFFICE "/tickets/%s", second);
	itest_get(&d, path, &r);
	ck_assert_int_eq(r.status, 200);
	pos2 = (long)json_integer_value(json_object_get(r.json, "position"));
	ck_assert_int_eq(pos2, pos1 + 1);
	itest_resp_free(&r);

	/* Counter 2 serves address changes: call until the first is there. */
	snprintf(auth, sizeof auth, "Authorization: Bearer %s", token);
	for (int i = 0; i < 200; i++) {
		bool mine;
		itest_http(&d, "POST", "/v1/offices/" OFFICE "/counters/2/next", "{}", 2, NULL, hdr, &r);
		ck_assert_msg(r.status == 200, "calling: %ld %s", r.status, r.body);
		mine = strcmp(itest_str(&r, "number"), first) == 0;
		itest_resp_free(&r);
		if (mine)
			break;
	}
	snprintf(path, sizeof path, "/v1/offices/" OFFICE "/tickets/%s", first);
	itest_get(&d, path, &r);
	ck_assert_str_eq(itest_str(&r, "status"), "called");
	ck_assert_int_eq(json_integer_value(json_object_get(r.json, "counter")), 2);
	ck_assert_ptr_null(json_object_get(r.json, "position"));
	itest_resp_free(&r);
	snprintf(path, sizeof path, "/v1/offices/" OFFICE "/tickets/%s", second);
	itest_get(&d, path, &r);
	ck_assert_str_eq(itest_str(&r, "status"), "waiting");
	ck_assert_int_eq(json_integer_value(json_object_get(r.json, "position")), 1);
	ck_assert_int_eq(json_integer_value(json_object_get(r.json, "ahead")), 0);
	itest_resp_free(&r);

	itest_get(&d, "/v1/offices/" OFFICE "/tickets/Z-999", &r);
	ck_assert_int_eq(r.status, 404);
	ck_assert_str_eq(itest_str(&r, "code"), "ticket_not_found");
	itest_resp_free(&r);
	itest_get(&d, "/v1/offices/" OFFICE "/tickets/a%3Cb", &r);
	ck_assert_int_eq(r.status, 400);
	ck_assert_str_eq(itest_str(&r, "code"), "invalid_ticket_number");
	itest_resp_free(&r);
	itest_get(&d, "/v1/offices/nowhere/tickets/A-001", &r);
	ck_assert_int_eq(r.status, 404);
	ck_assert_str_eq(itest_str(&r, "code"), "unknown_office");
	itest_resp_free(&r);
	itest_get(&d, "/v1/offices/" OFFICE "/tickets/A-001?x=1", &r);
	ck_assert_int_eq(r.status, 400);
	itest_resp_free(&r);
	free(first);
	free(second);
	free(token);
}
END_TEST

/* The queue view says which services take reservations only today. */
START_TEST(reservation_only_in_queue)
{
	struct itest_resp r;
	json_t *svcs, *s;
	size_t i;
	bool seen_required = false, seen_walk_in = false;

	itest_get(&d, "/v1/offices/" OFFICE "/queue", &r);
	ck_assert_int_eq(r.status, 200);
	svcs = json_object_get(r.json, "services");
	json_array_foreach(svcs, i, s) {
		json_t *ro = json_object_get(s, "reservation_only");
		const char *id = json_string_value(json_object_get(s, "service"));
		ck_assert(json_is_boolean(ro));
		/* kasugai-main: e-certificates by reservation only (since 2024-11-01). */
		if (strcmp(id, "ecert_renewal") == 0) {
			ck_assert(json_is_true(ro));
			seen_required = true;
		}
		if (strcmp(id, "pin_reset") == 0)
			seen_walk_in = !json_is_true(ro);
	}
	ck_assert(seen_required && seen_walk_in);
	itest_resp_free(&r);
}
END_TEST

static Suite *
pages_suite(void)
{
	Suite *s = suite_create("pages");
	TCase *tc = tcase_create("pages");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, pages_and_headers);
	tcase_add_test(tc, assets);
	tcase_add_test(tc, cors);
	tcase_add_test(tc, ticket_view);
	tcase_add_test(tc, reservation_only_in_queue);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	SRunner *sr = srunner_create(pages_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
