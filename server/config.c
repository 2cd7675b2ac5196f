/*
 * Lookups in a loaded configuration: offices, counters and the services they
 * offer. Loading, references and reload rules live in config_load.c.
 */
#include "config.h"

#include "core/xmalloc.h"

#include <arpa/inet.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/* The id at position i of an array of structs (elem bytes each) whose id is at off. */
struct id_array {
	const void *base;	/* the array */
	size_t elem, off;	/* its element size, the id pointer's offset */
};

/* The id at position i. */
static const char *
id_at(const struct id_array *a, size_t i)
{
	return *(char *const *)((const char *)a->base + i * a->elem + a->off);
}

/* FNV-1a of an id. */
static uint64_t
id_hash(const char *id)
{
	uint64_t h = 14695981039346656037ull;

	for (; *id != '\0'; id++)
		h = (h ^ (unsigned char)*id) * 1099511628211ull;
	return h;
}

/* The slot holding id, or the free slot where it would go. */
static size_t *
id_slot(const struct config_idindex *ix, const struct id_array *a, const char *id)
{
	size_t mask = ix->size - 1, i = (size_t)id_hash(id) & mask;

	while (ix->slots[i] != 0 && strcmp(id_at(a, ix->slots[i] - 1), id) != 0)
		i = (i + 1) & mask;
	return &ix->slots[i];
}

/* Position of id, or -1. */
static long
id_find(const struct config_idindex *ix, const struct id_array *a, const char *id)
{
	size_t *slot;

	if (ix->size == 0 || id == NULL)
		return -1;
	slot = id_slot(ix, a, id);
	return *slot ? (long)(*slot - 1) : -1;
}

/* Adds position i; returns an earlier position with its id, or -1. */
static long
id_add(struct config_idindex *ix, const struct id_array *a, size_t i)
{
	size_t *slot;

	if ((ix->used + 1) * 2 > ix->size) {	/* keep it at most half full */
		struct config_idindex bigger = { NULL, ix->size ? ix->size * 2 : 64, 0 };

		bigger.slots = xcalloc(bigger.size, sizeof *bigger.slots);
		for (size_t j = 0; j < ix->size; j++) {
			if (ix->slots[j] != 0)
				*id_slot(&bigger, a, id_at(a, ix->slots[j] - 1)) = ix->slots[j];
		}
		bigger.used = ix->used;
		free(ix->slots);
		*ix = bigger;
	}
	slot = id_slot(ix, a, id_at(a, i));
	if (*slot != 0)
		return (long)(*slot - 1);
	*slot = i + 1;
	ix->used++;
	return -1;
}

/* The offices as an id array. */
static struct id_array
office_ids(const struct config *cfg)
{
	struct id_array a = { cfg->offices, sizeof *cfg->offices,
		offsetof(struct config_office, id) };
	return a;
}

/* The municipalities as an id array. */
static struct id_array
municipality_ids(const struct config *cfg)
{
	struct id_array a = { cfg->municipalities, sizeof *cfg->municipalities,
		offsetof(struct config_municipality, id) };
	return a;
}

long
config_index_office(struct config *cfg, size_t i)
{
	struct id_array a = office_ids(cfg);

	return id_add(&cfg->office_ids, &a, i);
}

long
config_index_municipality(struct config *cfg, size_t i)
{
	struct id_array a = municipality_ids(cfg);

	return id_add(&cfg->municipality_ids, &a, i);
}

void
config_index_free(struct config *cfg)
{
	free(cfg->office_ids.slots);
	free(cfg->municipality_ids.slots);
	memset(&cfg->office_ids, 0, sizeof cfg->office_ids);
	memset(&cfg->municipality_ids, 0, sizeof cfg->municipality_ids);
}

const struct config_office *
config_office(const struct config *cfg, const char *id)
{
	struct id_array a = office_ids(cfg);
	long i = id_find(&cfg->office_ids, &a, id);

	return i >= 0 ? &cfg->offices[i] : NULL;
}

const struct config_municipality *
config_municipality_find(const struct config *cfg, const char *id)
{
	struct id_array a = municipality_ids(cfg);
	long i = id_find(&cfg->municipality_ids, &a, id);

	return i >= 0 ? &cfg->municipalities[i] : NULL;
}

const struct rules_settings *
config_office_settings(const struct config *cfg, const struct config_office *office)
{
	return &cfg->municipalities[office->municipality].settings;
}

bool
config_office_offers(const struct config_office *office, const char *service)
{
	return cal_service_find(&office->cal, service) != NULL;
}

const struct config_counter *
config_counter(const struct config_office *office, int id)
{
	for (size_t i = 0; i < office->ncounters; i++) {
		if (office->counters[i].id == id)
			return &office->counters[i];
	}
	return NULL;
}

bool
config_counter_serves(const struct config_office *office, const struct config_counter *counter,
    const char *service)
{
	for (size_t i = 0; i < office->cal.nservices; i++) {
		if (strcmp(office->cal.services[i].id, service) == 0)
			return (counter->services & (1u << i)) != 0;
	}
	return false;
}

/* Parses an address ("10.0.0.1", "::1", "[::1]", "::ffff:10.0.0.1") as 16 bytes. */
static bool
addr_parse(const char *s, size_t n, unsigned char out[16], int *bits)
{
	char buf[INET6_ADDRSTRLEN + 2];
	unsigned char v4[4];

	if (n >= 2 && s[0] == '[' && s[n - 1] == ']')
		s++, n -= 2;
	if (n == 0 || n >= sizeof buf)
		return false;
	memcpy(buf, s, n);
	buf[n] = '\0';
	if (inet_pton(AF_INET, buf, v4) == 1) {
		/* IPv4 as IPv4-mapped IPv6, so both spellings of a peer match. */
		memset(out, 0, 10);
		out[10] = out[11] = 0xff;
		memcpy(out + 12, v4, 4);
		*bits = 32;
		return true;
	}
	*bits = 128;
	return inet_pton(AF_INET6, buf, out) == 1;
}

/* Reads "ADDR" or "ADDR/LEN" from s (n bytes) as a network and a prefix length. */
static bool
net_parse(const char *s, size_t n, unsigned char net[16], int *prefix)
{
	const char *slash = memchr(s, '/', n);
	int bits;
	long len;
	char *end;
	char lenbuf[8];

	if (!addr_parse(s, slash ? (size_t)(slash - s) : n, net, &bits))
		return false;
	*prefix = 128;
	if (slash == NULL)
		return true;
	if (n - (size_t)(slash - s) - 1 == 0 || n - (size_t)(slash - s) - 1 >= sizeof lenbuf)
		return false;
	memcpy(lenbuf, slash + 1, n - (size_t)(slash - s) - 1);
	lenbuf[n - (size_t)(slash - s) - 1] = '\0';
	len = strtol(lenbuf, &end, 10);
	if (*end != '\0' || len < 0 || len > bits)
		return false;
	*prefix = (int)len + (128 - bits);
	return true;
}

/* Calls fn for each item of a comma- and space-separated list; false when fn says so. */
static bool
list_each(const char *list, bool (*fn)(const char *s, size_t n, void *arg), void *arg)
{
	const char *p = list;

	while (*p != '\0') {
		size_t n;

		p += strspn(p, ", \t");
		n = strcspn(p, ", \t");
		if (n > 0 && !fn(p, n, arg))
			return false;
		p += n;
	}
	return true;
}

/* list_each callback: the item is a network. */
static bool
item_valid(const char *s, size_t n, void *arg)
{
	unsigned char net[16];
	int prefix;

	(void)arg;
	return net_parse(s, n, net, &prefix);
}

bool
config_addr_list_valid(const char *list)
{
	return list_each(list, item_valid, NULL);
}

/* What config_addr_allowed looks for. */
struct addr_probe {
	unsigned char addr[16];	/* the peer, as IPv6 */
	bool found;		/* a network holds it */
};

/* list_each callback: stops (false) at the first network holding the probe. */
static bool
item_holds(const char *s, size_t n, void *arg)
{
	struct addr_probe *a = arg;
	unsigned char net[16];
	int prefix, whole;

	if (!net_parse(s, n, net, &prefix))
		return true;
	whole = prefix / 8;
	if (memcmp(net, a->addr, (size_t)whole) != 0)
		return true;
	if (prefix % 8 != 0) {
		unsigned char mask = (unsigned char)(0xff << (8 - prefix % 8));
		if ((net[whole] & mask) != (a->addr[whole] & mask))
			return true;
	}
	a->found = true;
	return false;
}

bool
config_addr_allowed(const char *list, const char *addr)
{
	struct addr_probe a = { .found = false };
	int bits;

	if (list == NULL || addr == NULL || !addr_parse(addr, strlen(addr), a.addr, &bits))
		return false;
	(void)list_each(list, item_holds, &a);
	return a.found;
}
