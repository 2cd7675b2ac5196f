/*
 * Configuration parsing with libyaml. Settings are described by one table (type,
 * bounds, default, whether a reload may change them), as pgbouncer and redis do;
 * municipality files add offices. Every message names file:line:column.
 */
#include "config.h"

#include "log.h"
#include "xmalloc.h"

#include <arpa/inet.h>
#include <errno.h>
#include <glob.h>
#include <limits.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <yaml.h>

/* A config file larger than this is refused before parsing. */
#define MAX_FILE_BYTES (4 * 1024 * 1024)
/* Nodes visited across one load at most (guards against alias bombs). */
#define MAX_NODES 200000
/* Included files at most. */
#define MAX_INCLUDES 256

/* The kinds of setting values. */
enum key_type {
	KEY_INT,	/* a decimal integer within min..max */
	KEY_STRING,	/* any non-empty string */
	KEY_LISTEN,	/* "ADDR:PORT" */
	KEY_LOGLEVEL,	/* debug | info | warn | error */
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
	{ "log", "level", KEY_LOGLEVEL, OFF(log_level), 0, 0, "info", true },
};
#define NKEYS (sizeof keys / sizeof keys[0])

/* The service ids offices may offer (API.md). */
static const char *const known_services[] = { "ecert_renewal", "card_application",
	"card_pickup", "pin_reset", "address_change", "residence_update",
	"card_reissue_lost" };

/* State of one load. */
struct parse {
	struct config *cfg;	/* being filled */
	const char *file;	/* the file being read */
	yaml_document_t *doc;	/* its document */
	char *cause;		/* the first error, "file:line:col: ..." */
	long nodes;		/* nodes visited, bounded by MAX_NODES */
	bool set[NKEYS];	/* which settings the file gave */
};

/* Records the first error at node's position; always returns false. */
static bool __attribute__((format(printf, 3, 4)))
fail(struct parse *p, const yaml_node_t *node, const char *fmt, ...)
{
	va_list ap;
	char *msg;

	if (p->cause != NULL)
		return false;
	va_start(ap, fmt);
	if (vasprintf(&msg, fmt, ap) == -1)
		msg = NULL;
	va_end(ap);
	if (node != NULL)
		p->cause = xasprintf("%s:%zu:%zu: %s", p->file, node->start_mark.line + 1,
		    node->start_mark.column + 1, msg ? msg : "error");
	else
		p->cause = xasprintf("%s: %s", p->file, msg ? msg : "error");
	free(msg);
	return false;
}

/* Returns the node with index id, counting visits against MAX_NODES. */
static yaml_node_t *
node_at(struct parse *p, int id)
{
	if (++p->nodes > MAX_NODES)
		return NULL;
	return yaml_document_get_node(p->doc, id);
}

/* The text of a scalar node. */
static const char *
scalar(const yaml_node_t *n)
{
	return (const char *)n->data.scalar.value;
}

/* Names a node kind for messages. */
static const char *
kind_name(const yaml_node_t *n)
{
	switch (n->type) {
	case YAML_SCALAR_NODE: return "a scalar";
	case YAML_SEQUENCE_NODE: return "a list";
	case YAML_MAPPING_NODE: return "a mapping";
	default: return "nothing";
	}
}

/* Requires n to be a scalar; describes what was expected otherwise. */
static bool
want_scalar(struct parse *p, const yaml_node_t *n, const char *what)
{
	if (n->type == YAML_SCALAR_NODE)
		return true;
	return fail(p, n, "expected %s, found %s", what, kind_name(n));
}

/* Parses a decimal integer scalar within [min, max]. */
static bool
parse_long(struct parse *p, const yaml_node_t *n, const char *key, long min, long max,
    long *out)
{
	char *end;
	long v;

	if (!want_scalar(p, n, "an integer"))
		return false;
	errno = 0;
	v = strtol(scalar(n), &end, 10);
	if (scalar(n)[0] == '\0' || *end != '\0' || errno != 0)
		return fail(p, n, "%s: expected an integer, found '%s'", key, scalar(n));
	if (v < min || v > max)
		return fail(p, n, "%s: %ld is out of range (expected %ld to %ld)", key, v,
		    min, max);
	*out = v;
	return true;
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

/* Stores a scalar value into the setting k of cfg, validating it. */
static bool
apply_key(struct parse *p, const struct key *k, const yaml_node_t *n)
{
	char *base = (char *)p->cfg;
	enum log_level lvl;

	if (k->type == KEY_INT)
		return parse_long(p, n, k->name, k->min, k->max, (long *)(base + k->offset));
	if (!want_scalar(p, n, "a string"))
		return false;
	if (scalar(n)[0] == '\0')
		return fail(p, n, "%s: must not be empty", k->name);
	if (k->type == KEY_LISTEN && !listen_valid(scalar(n)))
		return fail(p, n, "%s: expected ADDR:PORT such as 127.0.0.1:8080, found '%s'",
		    k->name, scalar(n));
	if (k->type == KEY_LOGLEVEL && !log_level_parse(scalar(n), &lvl))
		return fail(p, n, "%s: expected debug, info, warn or error, found '%s'",
		    k->name, scalar(n));
	char **slot = (char **)(base + k->offset);
	free(*slot);
	*slot = xstrdup(scalar(n));
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
		    strcmp(keys[i].name, scalar(kn)) != 0)
			continue;
		if (p->set[i])
			return fail(p, kn, "%s: given twice", scalar(kn));
		p->set[i] = true;
		return apply_key(p, &keys[i], vn);
	}
	char *list = section_keys(section, extra);
	fail(p, kn, "unknown key '%s'%s%s (expected one of: %s)", scalar(kn),
	    section[0] ? " in " : "", section, list);
	free(list);
	return false;
}

/* Callback for each key/value of a mapping. */
typedef bool pair_fn(struct parse *p, const yaml_node_t *k, const yaml_node_t *v, void *arg);

/* Walks a mapping node, requiring scalar keys, and calls fn for each pair. */
static bool
each_pair(struct parse *p, const yaml_node_t *map, const char *what, pair_fn *fn, void *arg)
{
	if (map->type != YAML_MAPPING_NODE)
		return fail(p, map, "%s: expected a mapping, found %s", what, kind_name(map));
	for (yaml_node_pair_t *pr = map->data.mapping.pairs.start;
	    pr < map->data.mapping.pairs.top; pr++) {
		yaml_node_t *k = node_at(p, pr->key), *v = node_at(p, pr->value);
		if (k == NULL || v == NULL)
			return fail(p, map, "document too large or too deeply aliased");
		if (!want_scalar(p, k, "a key") || !fn(p, k, v, arg))
			return false;
	}
	return true;
}

/* Pair callback for the "database", "http" and "log" sections. */
static bool
settings_pair(struct parse *p, const yaml_node_t *k, const yaml_node_t *v, void *arg)
{
	return section_pair(p, arg, k, v, NULL);
}

/* Glob error callback: a missing directory is no match; other errors abort. */
static int
glob_error(const char *path, int err)
{
	(void)path;
	return err != ENOENT;
}

/* Adds one included file name, expanding a glob relative to the main file. */
static bool
add_include(struct parse *p, const yaml_node_t *n, const char *dir, char ***files,
    size_t *nfiles)
{
	glob_t g;
	char *pattern;
	int rc;

	if (!want_scalar(p, n, "a file name or pattern"))
		return false;
	if (scalar(n)[0] == '/')
		pattern = xstrdup(scalar(n));
	else
		pattern = xasprintf("%s/%s", dir, scalar(n));
	rc = glob(pattern, 0, glob_error, &g);
	free(pattern);
	if (rc == GLOB_NOMATCH)
		return fail(p, n, "include: no file matches '%s'", scalar(n));
	if (rc != 0)
		return fail(p, n, "include: cannot read '%s'", scalar(n));
	for (size_t i = 0; i < g.gl_pathc && *nfiles < MAX_INCLUDES; i++) {
		*files = xreallocarray(*files, *nfiles + 1, sizeof **files);
		(*files)[(*nfiles)++] = xstrdup(g.gl_pathv[i]);
	}
	globfree(&g);
	if (*nfiles >= MAX_INCLUDES)
		return fail(p, n, "include: more than %d files", MAX_INCLUDES);
	return true;
}

/* True when an earlier key of the document's root mapping has the same text as k. */
static bool
root_key_repeated(struct parse *p, const yaml_node_t *k)
{
	const yaml_node_t *root = yaml_document_get_root_node(p->doc);

	for (yaml_node_pair_t *pr = root->data.mapping.pairs.start;
	    pr < root->data.mapping.pairs.top; pr++) {
		const yaml_node_t *q = yaml_document_get_node(p->doc, pr->key);
		if (q == k)
			return false;
		if (q->type == YAML_SCALAR_NODE && strcmp(scalar(q), scalar(k)) == 0)
			return true;
	}
	return false;
}

/* Where the main file's include list goes while its mapping is walked. */
struct includes {
	const char *dir;	/* directory of the main file */
	char **files;		/* expanded file names */
	size_t nfiles;
};

/* Pair callback for the main file's top level. */
static bool
main_pair(struct parse *p, const yaml_node_t *k, const yaml_node_t *v, void *arg)
{
	struct includes *inc = arg;
	const char *key = scalar(k);

	if (strcmp(key, "database") == 0 || strcmp(key, "http") == 0 ||
	    strcmp(key, "log") == 0 || strcmp(key, "include") == 0) {
		if (root_key_repeated(p, k))
			return fail(p, k, "%s: given twice", key);
	}
	if (strcmp(key, "database") == 0 || strcmp(key, "http") == 0 ||
	    strcmp(key, "log") == 0)
		return each_pair(p, v, key, settings_pair, (void *)key);
	if (strcmp(key, "include") != 0)
		return section_pair(p, "", k, v, "database, http, log, include");
	if (v->type == YAML_SCALAR_NODE)
		return add_include(p, v, inc->dir, &inc->files, &inc->nfiles);
	if (v->type != YAML_SEQUENCE_NODE)
		return fail(p, v, "include: expected a list of files, found %s", kind_name(v));
	for (yaml_node_item_t *it = v->data.sequence.items.start;
	    it < v->data.sequence.items.top; it++) {
		yaml_node_t *n = node_at(p, *it);
		if (n == NULL || !add_include(p, n, inc->dir, &inc->files, &inc->nfiles))
			return n == NULL ? fail(p, v, "document too large") : false;
	}
	return true;
}

/* True for ids made of lower-case ASCII letters, digits and inner '-', 1..63 long. */
static bool
id_valid(const char *s)
{
	size_t n = strlen(s);

	if (n == 0 || n > 63 || s[0] == '-' || s[n - 1] == '-')
		return false;
	for (size_t i = 0; i < n; i++) {
		if (!((s[i] >= 'a' && s[i] <= 'z') || (s[i] >= '0' && s[i] <= '9') || s[i] == '-'))
			return false;
	}
	return true;
}

/* Reads an id scalar into *out. */
static bool
parse_id(struct parse *p, const yaml_node_t *n, const char *what, char **out)
{
	if (!want_scalar(p, n, "an id"))
		return false;
	if (!id_valid(scalar(n)))
		return fail(p, n, "%s: '%s' is not a valid id (lower-case letters, digits and "
		    "'-', at most 63)", what, scalar(n));
	free(*out);
	*out = xstrdup(scalar(n));
	return true;
}

/* Pair callback for {ja: ..., en: ...}. */
static bool
name_pair(struct parse *p, const yaml_node_t *k, const yaml_node_t *v, void *arg)
{
	struct config_name *name = arg;
	char **slot;

	if (strcmp(scalar(k), "ja") == 0)
		slot = &name->ja;
	else if (strcmp(scalar(k), "en") == 0)
		slot = &name->en;
	else
		return fail(p, k, "unknown key '%s' in name (expected one of: ja, en)", scalar(k));
	if (*slot != NULL)
		return fail(p, k, "name.%s: given twice", scalar(k));
	if (!want_scalar(p, v, "a string"))
		return false;
	if (scalar(v)[0] == '\0')
		return fail(p, v, "name.%s: must not be empty", scalar(k));
	*slot = xstrdup(scalar(v));
	return true;
}

/* Parses a name mapping; ja is required, en defaults to ja. */
static bool
parse_name(struct parse *p, const yaml_node_t *n, struct config_name *name)
{
	if (name->ja != NULL)
		return fail(p, n, "name: given twice");
	if (!each_pair(p, n, "name", name_pair, name))
		return false;
	if (name->ja == NULL)
		return fail(p, n, "name: 'ja' is required");
	if (name->en == NULL)
		name->en = xstrdup(name->ja);
	return true;
}

/* True when s is a service id of API.md. */
static bool
service_known(const char *s)
{
	for (size_t i = 0; i < sizeof known_services / sizeof known_services[0]; i++) {
		if (strcmp(s, known_services[i]) == 0)
			return true;
	}
	return false;
}

/* Parses an office's list of service ids. */
static bool
parse_services(struct parse *p, const yaml_node_t *n, struct config_office *o)
{
	if (n->type != YAML_SEQUENCE_NODE)
		return fail(p, n, "services: expected a list of service ids, found %s",
		    kind_name(n));
	for (yaml_node_item_t *it = n->data.sequence.items.start;
	    it < n->data.sequence.items.top; it++) {
		yaml_node_t *s = node_at(p, *it);
		if (s == NULL || !want_scalar(p, s, "a service id"))
			return s == NULL ? fail(p, n, "document too large") : false;
		if (!service_known(scalar(s)))
			return fail(p, s, "unknown service '%s' (expected one of: ecert_renewal, "
			    "card_application, card_pickup, pin_reset, address_change, "
			    "residence_update, card_reissue_lost)", scalar(s));
		if (config_office_offers(o, scalar(s)))
			return fail(p, s, "service '%s' listed twice", scalar(s));
		o->services = xreallocarray(o->services, o->nservices + 1, sizeof *o->services);
		o->services[o->nservices++] = xstrdup(scalar(s));
	}
	if (o->nservices == 0)
		return fail(p, n, "services: an office must offer at least one service");
	return true;
}

/* Pair callback for one office mapping. */
static bool
office_pair(struct parse *p, const yaml_node_t *k, const yaml_node_t *v, void *arg)
{
	struct config_office *o = arg;
	const char *key = scalar(k);

	if (strcmp(key, "id") == 0)
		return o->id == NULL ? parse_id(p, v, "id", &o->id) : fail(p, k, "id: given twice");
	if (strcmp(key, "name") == 0)
		return parse_name(p, v, &o->name);
	if (strcmp(key, "services") == 0)
		return o->nservices == 0 ? parse_services(p, v, o) :
		    fail(p, k, "services: given twice");
	return fail(p, k, "unknown key '%s' in office (expected one of: id, name, services)",
	    key);
}

/* Parses one office of the municipality with index muni. */
static bool
parse_office(struct parse *p, const yaml_node_t *n, size_t muni)
{
	struct config *cfg = p->cfg;
	struct config_office *o;

	cfg->offices = xreallocarray(cfg->offices, cfg->noffices + 1, sizeof *cfg->offices);
	o = &cfg->offices[cfg->noffices++];
	memset(o, 0, sizeof *o);
	o->municipality = muni;
	o->file = xstrdup(p->file);
	o->line = (int)n->start_mark.line + 1;
	if (!each_pair(p, n, "office", office_pair, o))
		return false;
	if (o->id == NULL)
		return fail(p, n, "office: 'id' is required");
	if (o->name.ja == NULL)
		return fail(p, n, "office %s: 'name' is required", o->id);
	if (o->nservices == 0)
		return fail(p, n, "office %s: 'services' is required", o->id);
	for (size_t i = 0; i + 1 < cfg->noffices; i++) {
		if (strcmp(cfg->offices[i].id, o->id) == 0)
			return fail(p, n, "office id '%s' is already defined at %s:%d", o->id,
			    cfg->offices[i].file, cfg->offices[i].line);
	}
	return true;
}

/* Pair callback for a municipality file's top level. */
static bool
muni_pair(struct parse *p, const yaml_node_t *k, const yaml_node_t *v, void *arg)
{
	struct config_municipality *m = arg;
	const char *key = scalar(k);

	if (strcmp(key, "municipality") == 0)
		return m->id == NULL ? parse_id(p, v, "municipality", &m->id) :
		    fail(p, k, "municipality: given twice");
	if (strcmp(key, "name") == 0)
		return parse_name(p, v, &m->name);
	if (strcmp(key, "offices") != 0)
		return fail(p, k, "unknown key '%s' (expected one of: municipality, name, "
		    "offices)", key);
	if (root_key_repeated(p, k))
		return fail(p, k, "offices: given twice");
	if (m->id == NULL)
		return fail(p, k, "offices: 'municipality' must come before the offices");
	if (v->type != YAML_SEQUENCE_NODE)
		return fail(p, v, "offices: expected a list, found %s", kind_name(v));
	for (yaml_node_item_t *it = v->data.sequence.items.start;
	    it < v->data.sequence.items.top; it++) {
		yaml_node_t *n = node_at(p, *it);
		if (n == NULL || !parse_office(p, n, p->cfg->nmunicipalities - 1))
			return n == NULL ? fail(p, v, "document too large") : false;
	}
	return true;
}

/* Reads a whole file into a yaml document; false with a cause on any error. */
static bool
load_document(struct parse *p, const char *file, yaml_document_t *doc)
{
	yaml_parser_t parser;
	FILE *fp;
	bool ok;

	p->file = file;
	if ((fp = fopen(file, "rb")) == NULL)
		return fail(p, NULL, "cannot open: %s", strerror(errno));
	if (fseek(fp, 0, SEEK_END) == 0 && ftell(fp) > MAX_FILE_BYTES) {
		fclose(fp);
		return fail(p, NULL, "larger than %d bytes", MAX_FILE_BYTES);
	}
	rewind(fp);
	yaml_parser_initialize(&parser);
	yaml_parser_set_input_file(&parser, fp);
	ok = yaml_parser_load(&parser, doc) != 0;
	if (!ok)
		p->cause = xasprintf("%s:%zu:%zu: %s%s%s", file, parser.problem_mark.line + 1,
		    parser.problem_mark.column + 1, parser.problem ? parser.problem : "syntax error",
		    parser.context ? " " : "", parser.context ? parser.context : "");
	yaml_parser_delete(&parser);
	fclose(fp);
	if (ok && yaml_document_get_root_node(doc) == NULL) {
		yaml_document_delete(doc);
		return fail(p, NULL, "the file is empty");
	}
	return ok;
}

/* Parses one municipality file. */
static bool
load_municipality(struct parse *p, const char *file)
{
	struct config *cfg = p->cfg;
	struct config_municipality *m;
	yaml_document_t doc;
	bool ok;

	if (!load_document(p, file, &doc))
		return false;
	cfg->municipalities = xreallocarray(cfg->municipalities, cfg->nmunicipalities + 1,
	    sizeof *cfg->municipalities);
	m = &cfg->municipalities[cfg->nmunicipalities++];
	memset(m, 0, sizeof *m);
	m->file = xstrdup(file);
	p->doc = &doc;
	ok = each_pair(p, yaml_document_get_root_node(&doc), "municipality file", muni_pair, m);
	if (ok && m->id == NULL)
		ok = fail(p, NULL, "'municipality' (its id) is required");
	if (ok && m->name.ja == NULL)
		ok = fail(p, NULL, "'name' is required");
	for (size_t i = 0; ok && i + 1 < cfg->nmunicipalities; i++) {
		if (strcmp(cfg->municipalities[i].id, m->id) == 0)
			ok = fail(p, NULL, "municipality '%s' is already defined in %s", m->id,
			    cfg->municipalities[i].file);
	}
	yaml_document_delete(&doc);
	return ok;
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
	yaml_document_t doc;
	char *dir = xstrdup(path), *slash = strrchr(dir, '/');
	bool ok;

	if (slash != NULL)
		*slash = '\0';
	inc.dir = slash != NULL ? dir : ".";
	if (!load_document(p, path, &doc)) {
		free(dir);
		return false;
	}
	p->doc = &doc;
	ok = each_pair(p, yaml_document_get_root_node(&doc), "configuration", main_pair, &inc);
	yaml_document_delete(&doc);
	if (ok)
		apply_defaults(p);
	for (size_t i = 0; i < inc.nfiles; i++) {
		if (ok)
			ok = load_municipality(p, inc.files[i]);
		free(inc.files[i]);
	}
	free(inc.files);
	free(dir);
	p->file = path;
	if (ok && p->cfg->noffices == 0)
		ok = fail(p, NULL, "no offices are defined (include at least one municipality "
		    "file with offices)");
	return ok;
}

struct config *
config_load(const char *path, char **cause)
{
	struct parse p = { 0 };

	p.cfg = xcalloc(1, sizeof *p.cfg);
	p.cfg->refs = 1;
	p.cfg->path = xstrdup(path);
	if (!load_main(&p, path)) {
		*cause = p.cause ? p.cause : xasprintf("%s: cannot be loaded", path);
		config_unref(p.cfg);
		return NULL;
	}
	*cause = NULL;
	return p.cfg;
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
		name_free(&o->name);
		for (size_t j = 0; j < o->nservices; j++)
			free(o->services[j]);
		free(o->services);
	}
	free(cfg->municipalities);
	free(cfg->offices);
	free(cfg->path);
	free(cfg);
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

const struct config_office *
config_office(const struct config *cfg, const char *id)
{
	for (size_t i = 0; i < cfg->noffices; i++) {
		if (strcmp(cfg->offices[i].id, id) == 0)
			return &cfg->offices[i];
	}
	return NULL;
}

bool
config_office_offers(const struct config_office *office, const char *service)
{
	for (size_t i = 0; i < office->nservices; i++) {
		if (strcmp(office->services[i], service) == 0)
			return true;
	}
	return false;
}
