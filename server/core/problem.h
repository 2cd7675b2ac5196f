/*
 * RFC 9457 problem details and strict JSON request bodies. Pure (jansson only),
 * so the shapes clients rely on are unit-tested without a server.
 */
#ifndef MADOGUCHI_PROBLEM_H
#define MADOGUCHI_PROBLEM_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

/* The standard reason phrase for an HTTP status ("Unprocessable Content"). */
const char *problem_title(int status);
/*
 * Builds {"type","title","status","detail","code"}; extra members can be set on
 * the result. The caller owns the reference.
 */
json_t *problem_new(int status, const char *code, const char *detail);
/* Like problem_new with a "field" member naming the JSON path or parameter at fault. */
json_t *problem_field(int status, const char *code, const char *field, const char *detail);
/*
 * Parses a request body that must be one JSON object: valid UTF-8, no duplicate
 * keys, no NUL. On failure returns NULL and sets *cause (caller frees) to a
 * sentence with the line and column.
 */
json_t *problem_parse_object(const char *body, size_t len, char **cause)
    __attribute__((warn_unused_result));

#endif
