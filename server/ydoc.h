/*
 * Walking a libyaml document with precise errors: every message names
 * file:line:column and says what was expected. Shared by the configuration
 * parsers; the first error wins and later ones are ignored.
 */
#ifndef MADOGUCHI_YDOC_H
#define MADOGUCHI_YDOC_H

#include <stdbool.h>
#include <stddef.h>
#include <yaml.h>

/* One file being read. Embed it first in a parser's own state. */
struct ydoc {
	const char *file;	/* the file being read, for messages */
	yaml_document_t doc;	/* its document, while loaded */
	bool loaded;		/* doc holds a document */
	char *cause;		/* the first error, "file:line:col: ..." (owned) */
	long nodes;		/* nodes visited, bounded against alias bombs */
};

/* Called for each key/value of a mapping; false stops the walk. */
typedef bool ydoc_pair_fn(struct ydoc *y, const yaml_node_t *key, const yaml_node_t *value,
    void *arg);
/* Called for each item of a sequence; false stops the walk. */
typedef bool ydoc_item_fn(struct ydoc *y, const yaml_node_t *item, size_t index, void *arg);

/* Loads file (at most 4 MiB) into y; false with y->cause set on any error. */
bool ydoc_load(struct ydoc *y, const char *file) __attribute__((warn_unused_result));
/* Frees the loaded document (the cause stays). */
void ydoc_close(struct ydoc *y);
/* The root node of the loaded document. */
const yaml_node_t *ydoc_root(struct ydoc *y);
/* Records the first error at node's position (file-level when NULL); returns false. */
bool ydoc_fail(struct ydoc *y, const yaml_node_t *node, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* The text of a scalar node. */
const char *ydoc_scalar(const yaml_node_t *n);
/* "a scalar", "a list", "a mapping", for messages. */
const char *ydoc_kind(const yaml_node_t *n);
/* The 1-based line of a node. */
int ydoc_line(const yaml_node_t *n);
/* Requires a scalar; otherwise fails saying what was expected. */
bool ydoc_want_scalar(struct ydoc *y, const yaml_node_t *n, const char *what)
    __attribute__((warn_unused_result));
/* A non-empty string scalar. */
bool ydoc_string(struct ydoc *y, const yaml_node_t *n, const char *key, const char **out)
    __attribute__((warn_unused_result));
/* A decimal integer scalar within [min, max]. */
bool ydoc_long(struct ydoc *y, const yaml_node_t *n, const char *key, long min, long max,
    long *out) __attribute__((warn_unused_result));
/* A decimal number scalar within [min, max]. */
bool ydoc_double(struct ydoc *y, const yaml_node_t *n, const char *key, double min,
    double max, double *out) __attribute__((warn_unused_result));
/* true/false. */
bool ydoc_bool(struct ydoc *y, const yaml_node_t *n, const char *key, bool *out)
    __attribute__((warn_unused_result));
/*
 * Walks a mapping whose keys must be scalars and distinct: a repeated key fails
 * at its second place as "what.key: given twice" (just "key: given twice" when
 * what is a phrase such as "the configuration").
 */
bool ydoc_each_pair(struct ydoc *y, const yaml_node_t *map, const char *what,
    ydoc_pair_fn *fn, void *arg) __attribute__((warn_unused_result));
/* Walks a sequence; what names it in messages. */
bool ydoc_each_item(struct ydoc *y, const yaml_node_t *seq, const char *what,
    ydoc_item_fn *fn, void *arg) __attribute__((warn_unused_result));

#endif
