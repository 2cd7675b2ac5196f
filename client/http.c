/* libcurl requests, problem+json answers, and the event stream. */
#include "http.h"

#include <curl/curl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>

#define CONNECT_TIMEOUT_S 5L

int
http_global_init(void)
{
	return curl_global_init(CURL_GLOBAL_DEFAULT) == CURLE_OK ? 0 : -1;
}

void
http_global_cleanup(void)
{
	curl_global_cleanup();
}

/* libcurl's body callback: appends to the answer's buffer. */
static size_t
collect(char *p, size_t size, size_t n, void *arg)
{
	buf_add(arg, p, size * n);
	return size * n;
}

/* A handle for base+path with the token; headers collects the lists to free. */
static CURL *
handle_new(const struct http_client *c, const char *path, const char *token,
    struct curl_slist **headers)
{
	CURL *h = curl_easy_init();
	char *url, *auth;

	if (h == NULL)
		return NULL;
	if (asprintf(&url, "%s%s", c->base, path) < 0)
		abort();
	curl_easy_setopt(h, CURLOPT_URL, url);
	free(url);
	curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT, CONNECT_TIMEOUT_S);
	curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(h, CURLOPT_USERAGENT, "madoguchi/" MADOGUCHI_VERSION);
	*headers = curl_slist_append(*headers, "Accept: application/json, "
	    "application/problem+json, text/event-stream");
	if (token != NULL) {
		if (asprintf(&auth, "Authorization: Bearer %s", token) < 0)
			abort();
		*headers = curl_slist_append(*headers, auth);
		free(auth);
	}
	return h;
}

void
http_parse_body(struct http_resp *out)
{
	out->json = out->body.len > 0 ? json_loadb(buf_str(&out->body), out->body.len, 0, NULL) :
	    NULL;
}

/* The one-line reason a transfer failed, naming the server. */
static char *
transport_cause(const struct http_client *c, CURLcode rc, const char *errbuf)
{
	char *cause;

	if (asprintf(&cause, "cannot reach the server at %s: %s", c->base,
	    errbuf[0] ? errbuf : curl_easy_strerror(rc)) < 0)
		abort();
	return cause;
}

int
http_call(const struct http_client *c, const char *method, const char *path,
    const json_t *body, const char *token, struct http_resp *out, char **cause)
{
	struct curl_slist *headers = NULL;
	char errbuf[CURL_ERROR_SIZE] = "", *text = NULL;
	CURL *h = handle_new(c, path, token, &headers);
	CURLcode rc;

	memset(out, 0, sizeof *out);
	if (h == NULL) {
		*cause = strdup("libcurl could not start a request");
		curl_slist_free_all(headers);
		return -1;
	}
	if (body != NULL) {
		if ((text = json_dumps(body, JSON_COMPACT)) == NULL)
			abort();
		headers = curl_slist_append(headers, "Content-Type: application/json");
		curl_easy_setopt(h, CURLOPT_POSTFIELDS, text);
	}
	curl_easy_setopt(h, CURLOPT_CUSTOMREQUEST, method);
	if (strcmp(method, "POST") == 0 && body == NULL)
		curl_easy_setopt(h, CURLOPT_POSTFIELDS, "");
	curl_easy_setopt(h, CURLOPT_HTTPHEADER, headers);
	curl_easy_setopt(h, CURLOPT_TIMEOUT, c->timeout_s > 0 ? c->timeout_s : 30L);
	curl_easy_setopt(h, CURLOPT_ERRORBUFFER, errbuf);
	curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, collect);
	curl_easy_setopt(h, CURLOPT_WRITEDATA, &out->body);
	rc = curl_easy_perform(h);
	if (rc == CURLE_OK) {
		curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &out->status);
		http_parse_body(out);
	} else {
		*cause = transport_cause(c, rc, errbuf);
		buf_free(&out->body);
	}
	curl_easy_cleanup(h);
	curl_slist_free_all(headers);
	free(text);
	return rc == CURLE_OK ? 0 : -1;
}

/* A stream in progress. */
struct stream {
	CURL *h;		/* the transfer */
	http_chunk_fn *fn;	/* where a 200's bytes go */
	void *arg;		/* and its argument */
	struct http_resp *out;	/* status, and the body of a refusal */
	bool stopped;		/* fn asked to stop */
};

/* libcurl's body callback for a stream. */
static size_t
stream_write(char *p, size_t size, size_t n, void *arg)
{
	struct stream *s = arg;

	if (s->out->status == 0)
		curl_easy_getinfo(s->h, CURLINFO_RESPONSE_CODE, &s->out->status);
	if (s->out->status != 200) {
		buf_add(&s->out->body, p, size * n);
		return size * n;
	}
	if (!s->fn(s->arg, p, size * n)) {
		s->stopped = true;
		return 0;
	}
	return size * n;
}

int
http_stream(const struct http_client *c, const char *path, http_chunk_fn *fn, void *arg,
    struct http_resp *out, char **cause)
{
	struct curl_slist *headers = NULL;
	char errbuf[CURL_ERROR_SIZE] = "";
	struct stream s = { NULL, fn, arg, out, false };
	CURLcode rc;

	memset(out, 0, sizeof *out);
	if ((s.h = handle_new(c, path, NULL, &headers)) == NULL) {
		*cause = strdup("libcurl could not start a request");
		curl_slist_free_all(headers);
		return -1;
	}
	curl_easy_setopt(s.h, CURLOPT_HTTPHEADER, headers);
	curl_easy_setopt(s.h, CURLOPT_ERRORBUFFER, errbuf);
	curl_easy_setopt(s.h, CURLOPT_WRITEFUNCTION, stream_write);
	curl_easy_setopt(s.h, CURLOPT_WRITEDATA, &s);
	rc = curl_easy_perform(s.h);
	if (rc == CURLE_OK && out->status == 0)
		curl_easy_getinfo(s.h, CURLINFO_RESPONSE_CODE, &out->status);
	if (rc != CURLE_OK && !s.stopped)
		*cause = transport_cause(c, rc, errbuf);
	else if (out->status != 200)
		http_parse_body(out);
	curl_easy_cleanup(s.h);
	curl_slist_free_all(headers);
	return rc == CURLE_OK || s.stopped ? 0 : -1;
}

void
http_resp_free(struct http_resp *r)
{
	buf_free(&r->body);
	json_decref(r->json);
	r->json = NULL;
}

char *
http_problem_message(const struct http_resp *r)
{
	const char *detail = json_string_value(json_object_get(r->json, "detail"));
	const char *code = json_string_value(json_object_get(r->json, "code"));
	const char *title = json_string_value(json_object_get(r->json, "title"));
	char *msg;
	int n;

	/* An empty member says nothing: fall back to the next. */
	if (detail != NULL && detail[0] == '\0')
		detail = NULL;
	if (title != NULL && title[0] == '\0')
		title = NULL;
	if (detail != NULL && code != NULL)
		n = asprintf(&msg, "%s (%s)", detail, code);
	else if (detail != NULL || title != NULL)
		n = asprintf(&msg, "%s", detail ? detail : title);
	else
		n = asprintf(&msg, "the server answered HTTP %ld", r->status);
	if (n < 0)
		abort();
	/* One line, whatever the server sent. */
	for (char *p = msg; *p; p++) {
		if (*p == '\n' || *p == '\r')
			*p = ' ';
	}
	return msg;
}

int
http_exit_code(long status)
{
	switch (status) {
	case 401:
	case 403:
		return EX_NOPERM;
	case 404:
	case 410:
		return EX_NOINPUT;
	case 429:
	case 503:
		return EX_TEMPFAIL;
	default:
		break;
	}
	if (status >= 400 && status < 500)
		return EX_DATAERR;
	if (status >= 500)
		return EX_UNAVAILABLE;
	return EX_PROTOCOL;
}

char *
http_escape(const char *segment)
{
	char *e = curl_easy_escape(NULL, segment, 0), *copy;

	if (e == NULL || (copy = strdup(e)) == NULL)
		abort();
	curl_free(e);
	return copy;
}
