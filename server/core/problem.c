/* Problem documents and the strict body parser. */
#include "problem.h"

#include "xmalloc.h"

#include <stdlib.h>
#include <string.h>

const char *
problem_title(int status)
{
	switch (status) {
	case 400: return "Bad Request";
	case 401: return "Unauthorized";
	case 403: return "Forbidden";
	case 404: return "Not Found";
	case 405: return "Method Not Allowed";
	case 408: return "Request Timeout";
	case 409: return "Conflict";
	case 410: return "Gone";
	case 413: return "Content Too Large";
	case 415: return "Unsupported Media Type";
	case 422: return "Unprocessable Content";
	case 429: return "Too Many Requests";
	case 500: return "Internal Server Error";
	case 503: return "Service Unavailable";
	default: return status >= 500 ? "Server Error" : "Client Error";
	}
}

/* A JSON string for s, with invalid UTF-8 (which a client could send) replaced. */
static json_t *
safe_string(const char *s)
{
	json_t *j = json_string(s);

	return j != NULL ? j : json_string("(text withheld: not valid UTF-8)");
}

json_t *
problem_new(int status, const char *code, const char *detail)
{
	char *type = xasprintf("urn:madoguchi:problem:%s", code);
	json_t *p = json_object();

	json_object_set_new(p, "type", safe_string(type));
	json_object_set_new(p, "title", json_string(problem_title(status)));
	json_object_set_new(p, "status", json_integer(status));
	json_object_set_new(p, "detail", safe_string(detail));
	json_object_set_new(p, "code", safe_string(code));
	free(type);
	return p;
}

json_t *
problem_field(int status, const char *code, const char *field, const char *detail)
{
	json_t *p = problem_new(status, code, detail);

	json_object_set_new(p, "field", safe_string(field));
	return p;
}

json_t *
problem_parse_object(const char *body, size_t len, char **cause)
{
	json_error_t err;
	json_t *root;

	*cause = NULL;
	if (len == 0) {
		*cause = xstrdup("the request body is empty; a JSON object is expected");
		return NULL;
	}
	root = json_loadb(body, len, JSON_REJECT_DUPLICATES, &err);
	if (root == NULL) {
		*cause = xasprintf("malformed JSON at line %d, column %d: %s", err.line,
		    err.column, err.text);
		return NULL;
	}
	if (!json_is_object(root)) {
		*cause = xstrdup("the request body must be a JSON object");
		json_decref(root);
		return NULL;
	}
	return root;
}
