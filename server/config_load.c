/*
 * Loading the configuration with libyaml. Settings are described by one table (type,
 * bounds, default, whether a reload may change them), as pgbouncer and redis do;
 * municipality files add offices. Every message names file:line:column.
 */
#include "config_load.h"

#include "config.h"
#include "config_muni.h"
#include "cors.h"
#include "log.h"
#include "core/xmalloc.h"
#include "ydoc.h"

#include <arpa/inet.h>
#include <errno.h>
#include <glob.h>
#include <limits.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <yaml.h>

/* Included files at most. */

/* The kinds of setting values. */
enum key_type {
	KEY_INT,	/* a decimal integer within min..max */
	KEY_STRING,	/* any non-empty string */
	KEY_LISTEN,	/* "ADDR:PORT" */
	KEY_LOGLEVEL,	/* debug | info | warn | error */
	KEY_HEX32,	/* 32 bytes as 64 hex digits */
	KEY_ADDRLIST,	/* addresses or CIDR ranges, separated by commas */
	KEY_ORIGINS,	/* a list of web origins, stored one a line ("" for none) */
};

/* One setting. */
struct key {
	const char *section;	/* "" for top level, else the mapping it sits in */
	const char *name;	/* key within that section */
	enum key_type type;	/* what the value must be */
	size_t offset;		/* where it lives in struct config */
	long min, max;		/* bounds for KEY_INT */
	const char *def;	/* default, as it would be written in YAML */
	bool reload;		/* may SIGHUP change it? */
};

#define OFF(f) offsetof(struct config, f)

static const struct key keys[] = {
	{ "", "listen", KEY_LISTEN, OFF(listen), 0, 0, "127.0.0.1:8080", false },
	{ "", "shutdown_grace_s", KEY_INT, OFF(shutdown_grace_s), 1, 300, "10", true },
	{ "database", "url", KEY_STRING, OFF(database_url), 0, 0,
	    "dbname=madoguchi", false },
	{ "database", "pool_size", KEY_INT, OFF(db_pool_size), 1, 64, "4", false },
	{ "database", "connect_timeout_s", KEY_INT, OFF(db_connect_timeout_s), 1, 60,
	    "5", true },
	{ "database", "statement_timeout_s", KEY_INT, OFF(db_statement_timeout_s), 1, 600,
	    "15", false },
	{ "http", "max_connections", KEY_INT, OFF(http_max_connections), 4, 100000,
	    "512", true },
	{ "http", "max_body_bytes", KEY_INT, OFF(http_max_body_bytes), 1024,
	    16 * 1024 * 1024, "1048576", true },
	{ "http", "max_header_bytes", KEY_INT, OFF(http_max_header_bytes), 1024,
	    1024 * 1024, "16384", true },
	{ "http", "idle_timeout_s", KEY_INT, OFF(http_idle_timeout_s), 1, 3600, "30",
	    true },
	{ "http", "read_deadline_s", KEY_INT, OFF(http_read_deadline_s), 1, 600, "20",
	    true },
	{ "http", "request_deadline_s", KEY_INT, OFF(http_request_deadline_s), 1, 600,
	    "10", true },
	{ "http", "connections_per_client", KEY_INT, OFF(http_connections_per_client), 1,
	    100000, "64", true },
	{ "http", "streams_per_client", KEY_INT, OFF(http_streams_per_client), 1, 100000, "8",
	    true },
	{ "http", "streams_per_office", KEY_INT, OFF(http_streams_per_office), 1, 100000,
	    "256", true },
	{ "http", "stream_lifetime_s", KEY_INT, OFF(http_stream_lifetime_s), 10, 86400, "900",
	    true },
	{ "http", "trusted_proxies", KEY_STRING, OFF(http_trusted_proxies), 0, 0, "", true },
	{ "http", "cors_origins", KEY_ORIGINS, OFF(http_cors_origins), 0, 0, "", true },
	{ "log", "level", KEY_LOGLEVEL, OFF(log_level), 0, 0, "info", true },
	{ "security", "token_key", KEY_HEX32, OFF(token_key), 0, 0, "", false },
	{ "bookings", "hold_seconds", KEY_INT, OFF(hold_seconds), 1, 3600, "600", true },
	{ "bookings", "retention_days", KEY_INT, OFF(retention_days), 1, 3650, "90", true },
	{ "bookings", "holds_per_client", KEY_INT, OFF(holds_per_client), 1, 10000, "4", true },
	{ "bookings", "per_contact", KEY_INT, OFF(bookings_per_contact), 1, 10000, "2", true },
	{ "bookings", "contact_window_days", KEY_INT, OFF(contact_window_days), 1, 3650, "90",
	    true },
	{ "ratelimit", "per_minute", KEY_INT, OFF(ratelimit_per_minute), 1, 60000000, "120",
	    true },
	{ "ratelimit", "burst", KEY_INT, OFF(ratelimit_burst), 1, 1000000, "30", true },
	{ "queue", "busy_minutes", KEY_INT, OFF(queue_busy_minutes), 1, 600, "30", true },
	{ "queue", "very_busy_minutes", KEY_INT, OFF(queue_very_busy_minutes), 1, 600, "60",
	    true },
	{ "queue", "checkin_early_minutes", KEY_INT, OFF(queue_checkin_early_minutes), 0, 240,
	    "30", true },
	{ "queue", "checkin_late_minutes", KEY_INT, OFF(queue_checkin_late_minutes), 0, 240,
	    "15", true },
	{ "queue", "no_show_after_recalls", KEY_INT, OFF(queue_no_show_after_recalls), 0, 10,
	    "2", true },
	{ "queue", "pass_over_limit", KEY_INT, OFF(queue_pass_over_limit), 1, 100, "3", true },
	{ "queue", "target_wait_minutes", KEY_INT, OFF(queue_target_wait_minutes), 1, 600, "30",
	    true },
	{ "history", "max_body_bytes", KEY_INT, OFF(history_max_body_bytes), 1024,
	    64 * 1024 * 1024, "16777216", true },
	{ "metrics", "allow", KEY_ADDRLIST, OFF(metrics_allow), 0, 0, "", true },
};
#define NKEYS (sizeof keys / sizeof keys[0])


/* State of one load; the ydoc comes first so callbacks can find the rest. */
struct parse {
	struct ydoc y;		/* the file being read and the first error */
	struct config *cfg;	/* being filled */
	bool set[NKEYS];	/* which settings the file gave */
};

/* The parse a ydoc callback belongs to. */
static struct parse *
parse_of(struct ydoc *y)
{
	return (struct parse *)y;
}

/* Checks "ADDR:PORT" with a numeric IPv4 or bracketed IPv6 address. */
static bool
listen_valid(const char *s)
{
	const char *colon = strrchr(s, ':');
	char addr[INET6_ADDRSTRLEN + 2], *end;
	unsigned char bin[sizeof(struct in6_addr)];
	size_t alen;
	long port;
	int ok;

	if (colon == NULL || colon == s || (alen = (size_t)(colon - s)) >= sizeof addr)
		return false;
	memcpy(addr, s, alen);
	addr[alen] = '\0';
	if (addr[0] == '[' && addr[alen - 1] == ']') {
		addr[alen - 1] = '\0';
		ok = inet_pton(AF_INET6, addr + 1, bin);
	} else {
		ok = inet_pton(AF_INET, addr, bin);
	}
	if (ok != 1)
		return false;
	errno = 0;
	port = strtol(colon + 1, &end, 10);
	return colon[1] != '\0' && *end == '\0' && errno == 0 && port >= 1 && port <= 65535;
}

/* Adds one origin of a KEY_ORIGINS list to the lines at arg. */
static bool
add_origin(struct ydoc *y, const yaml_node_t *n, size_t index, void *arg)
{
	char **lines = arg, *next;

	(void)index;
	if (!ydoc_want_scalar(y, n, "an origin such as https://www.city.example.jp"))
		return false;
	if (!cors_origin_valid(ydoc_scalar(n)))
		return ydoc_fail(y, n, "cors_origins: '%s' is not an origin: write scheme and "
		    "host (and a port if not the default) in lower case, without a path or a "
		    "trailing slash, such as https://www.city.example.jp", ydoc_scalar(n));
	if (cors_origin_listed(*lines, ydoc_scalar(n)))
		return ydoc_fail(y, n, "cors_origins: '%s' is listed twice", ydoc_scalar(n));
	next = xasprintf("%s%s%s", *lines, (*lines)[0] ? "\n" : "", ydoc_scalar(n));
	free(*lines);
	*lines = next;
	return true;
}

/* Stores a list of origins (a sequence, or one origin as a scalar) into slot. */
static bool
apply_origins(struct parse *p, const struct key *k, const yaml_node_t *n, char **slot)
{
	char *lines = xstrdup("");
	bool ok;

	if (n->type == YAML_SEQUENCE_NODE)
		ok = ydoc_each_item(&p->y, n, k->name, add_origin, &lines);
	else
		ok = add_origin(&p->y, n, 0, &lines);
	if (!ok) {
		free(lines);
		return false;
	}
	free(*slot);
	*slot = lines;
	return true;
}

/* Stores a scalar value into the setting k of cfg, validating it. */
static bool
apply_key(struct parse *p, const struct key *k, const yaml_node_t *n)
{
	char *base = (char *)p->cfg;
	enum log_level lvl;

	if (k->type == KEY_ORIGINS)
		return apply_origins(p, k, n, (char **)(base + k->offset));
	if (k->type == KEY_INT)
		return ydoc_long(&p->y, n, k->name, k->min, k->max, (long *)(base + k->offset));
	if (!ydoc_want_scalar(&p->y, n, "a string"))
		return false;
	if (ydoc_scalar(n)[0] == '\0')
		return ydoc_fail(&p->y, n, "%s: must not be empty", k->name);
	if (k->type == KEY_LISTEN && !listen_valid(ydoc_scalar(n)))
		return ydoc_fail(&p->y, n, "%s: expected ADDR:PORT such as 127.0.0.1:8080, found '%s'",
		    k->name, ydoc_scalar(n));
	if (k->type == KEY_HEX32 && (strlen(ydoc_scalar(n)) != 64 ||
	    strspn(ydoc_scalar(n), "0123456789abcdefABCDEF") != 64))
		return ydoc_fail(&p->y, n, "%s: expected 64 hex digits (32 random bytes; "
		    "make one with: head -c 32 /dev/urandom | od -An -tx1 | tr -d ' \\n')", k->name);
	if (k->type == KEY_ADDRLIST && !config_addr_list_valid(ydoc_scalar(n)))
		return ydoc_fail(&p->y, n, "%s: expected addresses or CIDR ranges separated by "
		    "commas, such as 127.0.0.1, 10.0.0.0/8, ::1; found '%s'", k->name,
		    ydoc_scalar(n));
	if (k->type == KEY_LOGLEVEL && !log_level_parse(ydoc_scalar(n), &lvl))
		return ydoc_fail(&p->y, n, "%s: expected debug, info, warn or error, found '%s'",
		    k->name, ydoc_scalar(n));
	char **slot = (char **)(base + k->offset);
	free(*slot);
	*slot = xstrdup(ydoc_scalar(n));
	return true;
}

/* Lists the keys of a section for "expected one of" messages; caller frees. */
static char *
section_keys(const char *section, const char *extra)
{
	char *list = xstrdup(extra ? extra : "");

	for (size_t i = 0; i < NKEYS; i++) {
		if (strcmp(keys[i].section, section) != 0)
			continue;
		char *next = xasprintf("%s%s%s", list, list[0] ? ", " : "", keys[i].name);
		free(list);
		list = next;
	}
	return list;
}

/* Applies key/value from a settings section; unknown keys are errors. */
static bool
section_pair(struct parse *p, const char *section, const yaml_node_t *kn,
    const yaml_node_t *vn, const char *extra)
{
	for (size_t i = 0; i < NKEYS; i++) {
		if (strcmp(keys[i].section, section) != 0 ||
		    strcmp(keys[i].name, ydoc_scalar(kn)) != 0)
			continue;
		p->set[i] = true;
		return apply_key(p, &keys[i], vn);
	}
	char *list = section_keys(section, extra);
	ydoc_fail(&p->y, kn, "unknown key '%s'%s%s (expected one of: %s)", ydoc_scalar(kn),
	    section[0] ? " in " : "", section, list);
	free(list);
	return false;
}

/* Pair callback for the "database", "http" and "log" sections. */
static bool
settings_pair(struct ydoc *y, const yaml_node_t *k, const yaml_node_t *v, void *arg)
{
	return section_pair(parse_of(y), arg, k, v, NULL);
}

/* Glob error callback: a missing directory is no match; other errors abort. */
static int
glob_error(const char *path, int err)
{
	(void)path;
	return err != ENOENT;
}

/* Where the main file's include list goes while its mapping is walked. */
struct includes {
	const char *dir;	/* directory of the main file */
	char **files;		/* expanded file names */
	size_t nfiles;
};

/* Adds one included file name, expanding a glob relative to the main file. */
static bool
add_include(struct ydoc *y, const yaml_node_t *n, size_t index, void *arg)
{
	struct parse *p = parse_of(y);
	struct includes *inc = arg;
	const char *dir = inc->dir;
	char ***files = &inc->files;
	size_t *nfiles = &inc->nfiles;
	glob_t g;
	char *pattern;
	int rc;

	(void)index;
	if (!ydoc_want_scalar(&p->y, n, "a file name or pattern"))
		return false;
	if (ydoc_scalar(n)[0] == '/')
		pattern = xstrdup(ydoc_scalar(n));
	else
		pattern = xasprintf("%s/%s", dir, ydoc_scalar(n));
	rc = glob(pattern, 0, glob_error, &g);
	free(pattern);
	if (rc == GLOB_NOMATCH)
		return ydoc_fail(&p->y, n, "include: no file matches '%s'", ydoc_scalar(n));
	if (rc != 0)
		return ydoc_fail(&p->y, n, "include: cannot read '%s'", ydoc_scalar(n));
	*files = xreallocarray(*files, *nfiles + g.gl_pathc, sizeof **files);
	for (size_t i = 0; i < g.gl_pathc; i++)
		(*files)[(*nfiles)++] = xstrdup(g.gl_pathv[i]);
	globfree(&g);
	return true;
}

/* Pair callback for the main file's top level. */
static bool
main_pair(struct ydoc *y, const yaml_node_t *k, const yaml_node_t *v, void *arg)
{
	struct parse *p = parse_of(y);
	struct includes *inc = arg;
	const char *key = ydoc_scalar(k);

	if (strcmp(key, "database") == 0 || strcmp(key, "http") == 0 ||
	    strcmp(key, "log") == 0 || strcmp(key, "security") == 0 ||
	    strcmp(key, "bookings") == 0 || strcmp(key, "ratelimit") == 0 ||
	    strcmp(key, "queue") == 0 || strcmp(key, "history") == 0 ||
	    strcmp(key, "metrics") == 0) {
		if (v->type == YAML_SCALAR_NODE && ydoc_scalar(v)[0] == '\0')
			return true;	/* a section with nothing but comments */
		return ydoc_each_pair(&p->y, v, key, settings_pair, (void *)key);
	}
	if (strcmp(key, "include") != 0)
		return section_pair(p, "", k, v, "database, http, log, security, bookings, "
		    "ratelimit, queue, history, metrics, include");
	if (v->type == YAML_SCALAR_NODE)
		return add_include(y, v, 0, inc);
	if (v->type != YAML_SEQUENCE_NODE)
		return ydoc_fail(&p->y, v, "include: expected a list of files, found %s", ydoc_kind(v));
	return ydoc_each_item(y, v, "include", add_include, inc);
}

/* Fills every setting the file did not give with its default. */
static void
apply_defaults(struct parse *p)
{
	for (size_t i = 0; i < NKEYS; i++) {
		const struct key *k = &keys[i];
		char *slot = (char *)p->cfg + k->offset;

		if (p->set[i])
			continue;
		if (k->type == KEY_INT)
			*(long *)slot = strtol(k->def, NULL, 10);
		else
			*(char **)slot = xstrdup(k->def);
	}
}

/* Parses the main file and then each included file. */
static bool
load_main(struct parse *p, const char *path)
{
	struct includes inc = { 0 };
	char *dir = xstrdup(path), *slash = strrchr(dir, '/');
	bool ok;

	if (slash != NULL)
		*slash = '\0';
	inc.dir = slash != NULL ? dir : ".";
	ok = ydoc_load(&p->y, path) &&
	    ydoc_each_pair(&p->y, ydoc_root(&p->y), "the configuration", main_pair, &inc);
	ydoc_close(&p->y);
	if (ok)
		apply_defaults(p);
	for (size_t i = 0; i < inc.nfiles; i++) {
		if (ok)
			ok = config_muni_load(&p->y, p->cfg, inc.files[i]);
		free(inc.files[i]);
	}
	free(inc.files);
	free(dir);
	p->y.file = path;
	if (ok && p->cfg->noffices == 0)
		ok = ydoc_fail(&p->y, NULL, "no offices are defined (include at least one "
		    "municipality file with offices)");
	return ok;
}

/* Configurations allocated and not yet freed (loads run on a thread of their own). */
static atomic_ulong live;

unsigned long
config_live(void)
{
	return atomic_load(&live);
}

struct config *
config_load(const char *path, char **cause)
{
	struct parse p = { 0 };

	p.cfg = xcalloc(1, sizeof *p.cfg);
	p.cfg->refs = 1;
	atomic_fetch_add(&live, 1);
	p.cfg->path = xstrdup(path);
	if (!load_main(&p, path)) {
		*cause = p.y.cause ? p.y.cause : xasprintf("%s: cannot be loaded", path);
		config_unref(p.cfg);
		return NULL;
	}
	*cause = NULL;
	return p.cfg;
}

int
config_keep_fixed(struct config *next, const struct config *running)
{
	int kept = 0;

	for (size_t i = 0; i < NKEYS; i++) {
		const struct key *k = &keys[i];
		char *dst = (char *)next + k->offset;
		const char *src = (const char *)running + k->offset;

		if (k->reload)
			continue;
		if (k->type == KEY_INT) {
			if (*(long *)dst == *(const long *)src)
				continue;
			*(long *)dst = *(const long *)src;
		} else {
			if (strcmp(*(char **)dst, *(char *const *)src) == 0)
				continue;
			free(*(char **)dst);
			*(char **)dst = xstrdup(*(char *const *)src);
		}
		log_warn("config: %s%s%s cannot change while running; restart to apply it",
		    k->section, k->section[0] ? "." : "", k->name);
		kept++;
	}
	return kept;
}

struct config *
config_ref(struct config *cfg)
{
	cfg->refs++;
	return cfg;
}

/* Frees a name pair. */
static void
name_free(struct config_name *n)
{
	free(n->ja);
	free(n->en);
}

void
config_unref(struct config *cfg)
{
	if (cfg == NULL || --cfg->refs > 0)
		return;
	for (size_t i = 0; i < NKEYS; i++) {
		if (keys[i].type != KEY_INT)
			free(*(char **)((char *)cfg + keys[i].offset));
	}
	for (size_t i = 0; i < cfg->nmunicipalities; i++) {
		free(cfg->municipalities[i].id);
		free(cfg->municipalities[i].file);
		name_free(&cfg->municipalities[i].name);
	}
	for (size_t i = 0; i < cfg->noffices; i++) {
		struct config_office *o = &cfg->offices[i];
		free(o->id);
		free(o->file);
		free(o->address);
		free(o->phone);
		name_free(&o->name);
	}
	config_index_free(cfg);
	free(cfg->municipalities);
	free(cfg->offices);
	free(cfg->path);
	free(cfg);
	atomic_fetch_sub(&live, 1);
}
