/* Origins allowed to call the API from another site. */
#include "cors.h"

#include <stdlib.h>
#include <string.h>

/* True when the port text p (up to end) is 1..65535 without leading zeros. */
static bool
port_valid(const char *p, const char *end)
{
	long v = 0;

	if (p == end || end - p > 5 || *p == '0')
		return false;
	for (; p < end; p++) {
		if (*p < '0' || *p > '9')
			return false;
		v = v * 10 + (*p - '0');
	}
	return v <= 65535;
}

/* True when [host, end) is a lower-case DNS name, IPv4 address or [IPv6] literal. */
static bool
host_valid(const char *host, const char *end)
{
	size_t n = (size_t)(end - host);

	if (n == 0 || n > 253)
		return false;
	if (host[0] == '[')
		return n > 2 && end[-1] == ']' &&
		    strspn(host + 1, "0123456789abcdef:.") == n - 2;
	if (host[0] == '.' || host[0] == '-' || end[-1] == '.' || end[-1] == '-')
		return false;
	return strspn(host, "abcdefghijklmnopqrstuvwxyz0123456789.-") >= n &&
	    strstr(host, "..") == NULL;
}

bool
cors_origin_valid(const char *s)
{
	const char *host, *end, *colon;

	if (strncmp(s, "https://", 8) == 0)
		host = s + 8;
	else if (strncmp(s, "http://", 7) == 0)
		host = s + 7;
	else
		return false;
	end = host + strlen(host);
	if (host[0] == '[') {
		const char *close = strchr(host, ']');
		colon = close != NULL && close[1] == ':' ? close + 1 : NULL;
	} else {
		colon = strchr(host, ':');
	}
	if (colon != NULL)
		return host_valid(host, colon) && port_valid(colon + 1, end);
	return host_valid(host, end);
}

bool
cors_origin_listed(const char *list, const char *origin)
{
	size_t n = strlen(origin);

	if (list == NULL || n == 0)
		return false;
	for (const char *line = list; *line != '\0';) {
		const char *nl = strchr(line, '\n');
		size_t len = nl != NULL ? (size_t)(nl - line) : strlen(line);

		if (len == n && memcmp(line, origin, n) == 0)
			return true;
		if (nl == NULL)
			break;
		line = nl + 1;
	}
	return false;
}
