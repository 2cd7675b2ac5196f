/*
 * Request paths: percent-decoding (router_decode) and routing (router_lookup)
 * over the daemon's route patterns. A match must hold together: the method is
 * one the route takes, every parameter is there, and a path rebuilt from the
 * parameters with the client's escaping (http_escape) finds the same route and
 * values again, so what the client sends the server reads back unchanged.
 * The first input byte picks the method, the rest is the path.
 */
#include "fuzz.h"

#include "client/http.h"
#include "router.h"

/* Stands in for the handlers, which the router never calls. */
static void
handler(void)
{
}

/* The patterns and methods of the daemon's table (server/api/routes.c). */
static const struct router_route routes[] = {
	{ ROUTER_GET, "/healthz", handler, "healthz", 0 },
	{ ROUTER_GET, "/v1/offices", handler, "offices", 1 },
	{ ROUTER_GET, "/v1/offices/{office}/availability", handler, "availability", 1 },
	{ ROUTER_GET, "/v1/holidays", handler, "holidays", 1 },
	{ ROUTER_GET, "/v1/openapi.yaml", handler, "openapi", 1 },
	{ ROUTER_POST, "/v1/bookings", handler, "booking_create", 2 },
	{ ROUTER_GET, "/v1/bookings/{reference}", handler, "booking_get", 1 },
	{ ROUTER_DELETE, "/v1/bookings/{reference}", handler, "booking_cancel", 2 },
	{ ROUTER_POST, "/v1/bookings/{reference}/reschedule", handler, "booking_reschedule", 2 },
	{ ROUTER_GET, "/v1/bookings/{reference}/calendar.ics", handler, "booking_ics", 1 },
	{ ROUTER_POST, "/v1/holds", handler, "hold_create", 2 },
	{ ROUTER_POST, "/v1/eligibility", handler, "eligibility", 2 },
	{ ROUTER_POST, "/v1/offices/{office}/tickets", handler, "ticket_create", 0 },
	{ ROUTER_GET, "/v1/offices/{office}/queue", handler, "queue", 1 },
	{ ROUTER_POST, "/v1/offices/{office}/counters/{counter}/next", handler, "counter_next", 0 },
	{ ROUTER_POST, "/v1/tickets/{id}/done", handler, "ticket_done", 0 },
	{ ROUTER_POST, "/v1/tickets/{id}/no-show", handler, "ticket_no_show", 0 },
	{ ROUTER_POST, "/v1/tickets/{id}/recall", handler, "ticket_recall", 0 },
	{ ROUTER_POST, "/v1/tickets/{id}/transfer", handler, "ticket_transfer", 0 },
	{ ROUTER_GET, "/v1/offices/{office}/events", handler, "events", 1 },
	{ ROUTER_GET, "/display/{office}", handler, "display", 1 },
	{ ROUTER_GET, "/display/assets/{file}", handler, "display_asset", 1 },
};
#define NROUTES (sizeof routes / sizeof routes[0])

/* The route's pattern with each {name} replaced by the escaped value (caller frees). */
static char *
rebuild(const struct router_match *m)
{
	const char *p = m->route->pattern;
	size_t cap = 4096, o = 0, k = 0;
	char *out = malloc(cap);

	FUZZ_ASSERT(out != NULL);
	while (*p != '\0') {
		if (*p != '{') {
			out[o++] = *p++;
			continue;
		}
		FUZZ_ASSERT(k < m->nparams);
		char *e = http_escape(m->values[k++]);
		FUZZ_ASSERT(o + strlen(e) < cap - 64);
		memcpy(out + o, e, strlen(e));
		o += strlen(e);
		free(e);
		p = strchr(p, '}') + 1;
	}
	out[o] = '\0';
	FUZZ_ASSERT(k == m->nparams);
	return out;
}

/* A match: the method fits, the parameters are whole, and the path rebuilds. */
static void
check_found(const struct router_match *m, int method)
{
	struct router_match again;
	char *path;

	FUZZ_ASSERT(m->route != NULL && (m->route->method & method) != 0);
	for (size_t i = 0; i < m->nparams; i++) {
		char name[32];
		size_t n = strcspn(m->names[i], "}");

		FUZZ_ASSERT(m->values[i][0] != '\0');
		FUZZ_ASSERT(strlen(m->values[i]) < ROUTER_MAX_PARAM_LEN);
		FUZZ_ASSERT(n < sizeof name);
		memcpy(name, m->names[i], n);
		name[n] = '\0';
		FUZZ_ASSERT(router_param(m, name) == m->values[i]);
	}
	path = rebuild(m);
	FUZZ_ASSERT(router_lookup(routes, NROUTES, method, path, &again) == ROUTER_FOUND);
	FUZZ_ASSERT(again.route == m->route && again.nparams == m->nparams);
	for (size_t i = 0; i < m->nparams; i++)
		FUZZ_ASSERT(strcmp(again.values[i], m->values[i]) == 0);
	free(path);
}

/* Decoding into a buffer of exactly len bytes stays inside it and escapes back. */
static void
check_decode(const char *src, size_t srclen, size_t len)
{
	char *dst = malloc(len), *e;
	char *back;

	FUZZ_ASSERT(dst != NULL);
	if (router_decode(src, srclen, dst, len)) {
		FUZZ_ASSERT(strlen(dst) < len && strlen(dst) <= srclen);
		e = http_escape(dst);
		back = malloc(strlen(dst) + 1);
		FUZZ_ASSERT(back != NULL);
		FUZZ_ASSERT(router_decode(e, strlen(e), back, strlen(dst) + 1));
		FUZZ_ASSERT(strcmp(back, dst) == 0);
		free(back);
		free(e);
	}
	free(dst);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static bool valid;
	struct router_match m;
	char allow[64], *path;
	const char *bad;
	int method;

	if (!valid) {
		FUZZ_ASSERT(router_validate(routes, NROUTES, &bad));
		valid = true;
	}
	if (size == 0)
		return 0;
	method = 1 << (data[0] % 7);
	path = fuzz_string(data + 1, size - 1);
	switch (router_lookup(routes, NROUTES, method, path, &m)) {
	case ROUTER_FOUND:
		check_found(&m, method);
		break;
	case ROUTER_BAD_METHOD:
		FUZZ_ASSERT(m.allowed != 0 && (m.allowed & method) == 0);
		router_allow_header(m.allowed, allow, sizeof allow);
		FUZZ_ASSERT(allow[0] != '\0' && strlen(allow) < sizeof allow);
		break;
	case ROUTER_NOT_FOUND:
	case ROUTER_BAD_PATH:
		FUZZ_ASSERT(m.route == NULL);
		break;
	}
	check_decode(path, strlen(path), 1 + data[0] % 64);
	check_decode(path, strlen(path), strlen(path) + 1);
	free(path);
	return 0;
}
