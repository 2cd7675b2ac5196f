/* Segment-by-segment matching of request paths against the route table. */
#include "router.h"

#include <stdio.h>
#include <string.h>

#define MAX_PATH 1024

/* Returns the value of one hex digit, or -1. */
static int
hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

bool
router_decode(const char *src, size_t srclen, char *dst, size_t len)
{
	size_t o = 0;

	for (size_t i = 0; i < srclen; i++) {
		int c = (unsigned char)src[i];

		if (c == '%') {
			if (i + 2 >= srclen)
				return false;
			int hi = hexval(src[i + 1]), lo = hexval(src[i + 2]);
			if (hi < 0 || lo < 0)
				return false;
			c = hi * 16 + lo;
			i += 2;
		}
		if (c == '\0' || o + 1 >= len)
			return false;
		dst[o++] = (char)c;
	}
	dst[o] = '\0';
	return true;
}

/* Returns the length of the segment starting at s (up to '/' or the end). */
static size_t
seglen(const char *s)
{
	const char *slash = strchr(s, '/');

	return slash ? (size_t)(slash - s) : strlen(s);
}

/*
 * True when the path segment (sl bytes) is the pattern's literal segment (pl
 * bytes), as written or once percent-decoded: "qu%65ue" is "queue", the same
 * decoding a {param} segment gets.
 */
static bool
literal_matches(const char *pat, size_t pl, const char *seg, size_t sl)
{
	char dec[MAX_PATH + 1];

	if (pl == sl && memcmp(pat, seg, pl) == 0)
		return true;
	if (memchr(seg, '%', sl) == NULL || !router_decode(seg, sl, dec, sizeof dec))
		return false;
	return strlen(dec) == pl && memcmp(dec, pat, pl) == 0;
}

/* Matches one pattern against path, filling params; true on a match. */
static bool
match_pattern(const char *pat, const char *path, struct router_match *m, bool *bad)
{
	m->nparams = 0;
	while (*pat == '/' && *path == '/') {
		pat++, path++;
		size_t pl = seglen(pat), sl = seglen(path);

		if (pat[0] == '{') {
			if (sl == 0 || m->nparams == ROUTER_MAX_PARAMS)
				return false;
			if (!router_decode(path, sl, m->values[m->nparams], ROUTER_MAX_PARAM_LEN)) {
				*bad = true;
				return false;
			}
			m->names[m->nparams++] = pat + 1;
		} else if (!literal_matches(pat, pl, path, sl)) {
			return false;
		}
		pat += pl, path += sl;
	}
	return *pat == '\0' && *path == '\0';
}

enum router_result
router_lookup(const struct router_route *routes, size_t n, int method, const char *path,
    struct router_match *m)
{
	char trimmed[MAX_PATH + 1];
	size_t len = strlen(path);
	bool bad = false;

	memset(m, 0, sizeof *m);
	if (path[0] != '/' || len > MAX_PATH)
		return ROUTER_BAD_PATH;
	/* "/v1/offices/" is "/v1/offices": one trailing slash names the same resource. */
	if (len > 1 && path[len - 1] == '/' && path[len - 2] != '/') {
		memcpy(trimmed, path, len - 1);
		trimmed[len - 1] = '\0';
		path = trimmed;
	}
	for (size_t i = 0; i < n; i++) {
		if (!match_pattern(routes[i].pattern, path, m, &bad))
			continue;
		if (routes[i].method & method) {
			m->route = &routes[i];
			return ROUTER_FOUND;
		}
		m->allowed |= routes[i].method;
	}
	if (m->allowed != 0)
		return ROUTER_BAD_METHOD;
	return bad ? ROUTER_BAD_PATH : ROUTER_NOT_FOUND;
}

const char *
router_param(const struct router_match *m, const char *name)
{
	size_t len = strlen(name);

	for (size_t i = 0; i < m->nparams; i++) {
		if (strncmp(m->names[i], name, len) == 0 && m->names[i][len] == '}')
			return m->values[i];
	}
	return NULL;
}

bool
router_validate(const struct router_route *routes, size_t n, const char **bad)
{
	for (size_t i = 0; i < n; i++) {
		const char *p = routes[i].pattern;
		int params = 0;

		*bad = p;
		if (p[0] != '/' || routes[i].method == 0 || routes[i].handler == NULL)
			return false;
		for (; *p != '\0'; p++) {
			if (*p == '}')
				return false;
			if (*p != '{')
				continue;
			const char *close = p + 1 + strcspn(p + 1, "{}/");
			if (p[-1] != '/' || *close != '}' || close == p + 1 ||
			    (close[1] != '/' && close[1] != '\0') || ++params > ROUTER_MAX_PARAMS)
				return false;
			p = close;
		}
	}
	*bad = NULL;
	return true;
}

void
router_allow_header(int mask, char *buf, size_t len)
{
	static const char *const names[] = { "GET", "POST", "DELETE", "PUT", "PATCH",
		"HEAD", "OPTIONS" };
	size_t o = 0;

	buf[0] = '\0';
	for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
		if ((mask & (1 << i)) == 0)
			continue;
		int w = snprintf(buf + o, len - o, "%s%s", o ? ", " : "", names[i]);
		if (w < 0 || (size_t)w >= len - o)
			return;
		o += (size_t)w;
	}
}
