/* libyaml document walking with file:line:column errors. */
#include "ydoc.h"

#include "core/xmalloc.h"

#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* A file larger than this is refused before parsing. */
#define MAX_FILE_BYTES (4 * 1024 * 1024)
/* Nodes visited in one file at most (guards against alias bombs). */
#define MAX_NODES 200000

bool
ydoc_fail(struct ydoc *y, const yaml_node_t *node, const char *fmt, ...)
{
	va_list ap;
	char *msg;

	if (y->cause != NULL)
		return false;
	va_start(ap, fmt);
	if (vasprintf(&msg, fmt, ap) == -1)
		msg = NULL;
	va_end(ap);
	if (node != NULL)
		y->cause = xasprintf("%s:%zu:%zu: %s", y->file, node->start_mark.line + 1,
		    node->start_mark.column + 1, msg ? msg : "error");
	else
		y->cause = xasprintf("%s: %s", y->file, msg ? msg : "error");
	free(msg);
	return false;
}

bool
ydoc_load(struct ydoc *y, const char *file)
{
	yaml_parser_t parser;
	FILE *fp;
	bool ok;

	y->file = file;
	y->nodes = 0;
	if ((fp = fopen(file, "rb")) == NULL)
		return ydoc_fail(y, NULL, "cannot open: %s", strerror(errno));
	if (fseek(fp, 0, SEEK_END) == 0 && ftell(fp) > MAX_FILE_BYTES) {
		fclose(fp);
		return ydoc_fail(y, NULL, "larger than %d bytes", MAX_FILE_BYTES);
	}
	rewind(fp);
	yaml_parser_initialize(&parser);
	yaml_parser_set_input_file(&parser, fp);
	ok = yaml_parser_load(&parser, &y->doc) != 0;
	if (!ok && y->cause == NULL)
		y->cause = xasprintf("%s:%zu:%zu: %s%s%s", file, parser.problem_mark.line + 1,
		    parser.problem_mark.column + 1, parser.problem ? parser.problem : "syntax error",
		    parser.context ? " " : "", parser.context ? parser.context : "");
	yaml_parser_delete(&parser);
	fclose(fp);
	if (!ok)
		return false;
	y->loaded = true;
	if (yaml_document_get_root_node(&y->doc) == NULL) {
		ydoc_close(y);
		return ydoc_fail(y, NULL, "the file is empty");
	}
	return true;
}

void
ydoc_close(struct ydoc *y)
{
	if (y->loaded)
		yaml_document_delete(&y->doc);
	y->loaded = false;
}

const yaml_node_t *
ydoc_root(struct ydoc *y)
{
	return yaml_document_get_root_node(&y->doc);
}

const char *
ydoc_scalar(const yaml_node_t *n)
{
	return (const char *)n->data.scalar.value;
}

const char *
ydoc_kind(const yaml_node_t *n)
{
	switch (n->type) {
	case YAML_SCALAR_NODE: return "a scalar";
	case YAML_SEQUENCE_NODE: return "a list";
	case YAML_MAPPING_NODE: return "a mapping";
	default: return "nothing";
	}
}

int
ydoc_line(const yaml_node_t *n)
{
	return (int)n->start_mark.line + 1;
}

/* The node with index id, counting visits against MAX_NODES. */
static const yaml_node_t *
node_at(struct ydoc *y, int id)
{
	if (++y->nodes > MAX_NODES)
		return NULL;
	return yaml_document_get_node(&y->doc, id);
}

bool
ydoc_want_scalar(struct ydoc *y, const yaml_node_t *n, const char *what)
{
	if (n->type == YAML_SCALAR_NODE)
		return true;
	return ydoc_fail(y, n, "expected %s, found %s", what, ydoc_kind(n));
}

bool
ydoc_string(struct ydoc *y, const yaml_node_t *n, const char *key, const char **out)
{
	if (!ydoc_want_scalar(y, n, "a string"))
		return false;
	if (ydoc_scalar(n)[0] == '\0')
		return ydoc_fail(y, n, "%s: must not be empty", key);
	*out = ydoc_scalar(n);
	return true;
}

bool
ydoc_long(struct ydoc *y, const yaml_node_t *n, const char *key, long min, long max,
    long *out)
{
	const char *s;
	char *end;
	long v;

	if (!ydoc_want_scalar(y, n, "an integer"))
		return false;
	s = ydoc_scalar(n);
	errno = 0;
	v = strtol(s, &end, 10);
	if (s[0] == '\0' || *end != '\0' || errno != 0)
		return ydoc_fail(y, n, "%s: expected an integer, found '%s'", key, s);
	if (v < min || v > max)
		return ydoc_fail(y, n, "%s: %ld is out of range (expected %ld to %ld)", key, v,
		    min, max);
	*out = v;
	return true;
}

bool
ydoc_double(struct ydoc *y, const yaml_node_t *n, const char *key, double min, double max,
    double *out)
{
	const char *s;
	char *end;
	double v;

	if (!ydoc_want_scalar(y, n, "a number"))
		return false;
	s = ydoc_scalar(n);
	errno = 0;
	v = strtod(s, &end);
	if (s[0] == '\0' || *end != '\0' || errno != 0 || !isfinite(v))
		return ydoc_fail(y, n, "%s: expected a number, found '%s'", key, s);
	if (v < min || v > max)
		return ydoc_fail(y, n, "%s: %g is out of range (expected %g to %g)", key, v, min,
		    max);
	*out = v;
	return true;
}

bool
ydoc_bool(struct ydoc *y, const yaml_node_t *n, const char *key, bool *out)
{
	if (!ydoc_want_scalar(y, n, "true or false"))
		return false;
	if (strcmp(ydoc_scalar(n), "true") == 0)
		*out = true;
	else if (strcmp(ydoc_scalar(n), "false") == 0)
		*out = false;
	else
		return ydoc_fail(y, n, "%s: expected true or false, found '%s'", key,
		    ydoc_scalar(n));
	return true;
}

/* True when a key before pr in map has the same text as key. */
static bool
key_repeated(struct ydoc *y, const yaml_node_t *map, const yaml_node_pair_t *pr,
    const yaml_node_t *key)
{
	for (const yaml_node_pair_t *q = map->data.mapping.pairs.start; q < pr; q++) {
		const yaml_node_t *k = yaml_document_get_node(&y->doc, q->key);
		if (k != NULL && k->type == YAML_SCALAR_NODE &&
		    strcmp(ydoc_scalar(k), ydoc_scalar(key)) == 0)
			return true;
	}
	return false;
}

bool
ydoc_each_pair(struct ydoc *y, const yaml_node_t *map, const char *what, ydoc_pair_fn *fn,
    void *arg)
{
	if (map->type != YAML_MAPPING_NODE)
		return ydoc_fail(y, map, "%s: expected a mapping, found %s", what, ydoc_kind(map));
	for (yaml_node_pair_t *pr = map->data.mapping.pairs.start;
	    pr < map->data.mapping.pairs.top; pr++) {
		const yaml_node_t *k = node_at(y, pr->key), *v = node_at(y, pr->value);
		if (k == NULL || v == NULL)
			return ydoc_fail(y, map, "document too large or too deeply aliased");
		if (!ydoc_want_scalar(y, k, "a key"))
			return false;
		if (key_repeated(y, map, pr, k) && strchr(what, ' ') == NULL)
			return ydoc_fail(y, k, "%s.%s: given twice", what, ydoc_scalar(k));
		if (key_repeated(y, map, pr, k))
			return ydoc_fail(y, k, "%s: given twice", ydoc_scalar(k));
		if (!fn(y, k, v, arg))
			return false;
	}
	return true;
}

bool
ydoc_each_item(struct ydoc *y, const yaml_node_t *seq, const char *what, ydoc_item_fn *fn,
    void *arg)
{
	size_t i = 0;

	if (seq->type != YAML_SEQUENCE_NODE)
		return ydoc_fail(y, seq, "%s: expected a list, found %s", what, ydoc_kind(seq));
	for (yaml_node_item_t *it = seq->data.sequence.items.start;
	    it < seq->data.sequence.items.top; it++, i++) {
		const yaml_node_t *n = node_at(y, *it);
		if (n == NULL)
			return ydoc_fail(y, seq, "document too large or too deeply aliased");
		if (!fn(y, n, i, arg))
			return false;
	}
	return true;
}
