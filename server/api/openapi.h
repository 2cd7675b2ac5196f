/*
 * GET /v1/openapi.yaml: the HTTP contract (docs/openapi.yaml), embedded at build
 * time by server/embed-openapi.sh.
 */
#ifndef MADOGUCHI_OPENAPI_H
#define MADOGUCHI_OPENAPI_H

#include <stddef.h>

struct request;

/* The document's bytes (generated), NUL-terminated, and their length without the NUL. */
extern const char openapi_yaml[];
extern const size_t openapi_yaml_len;

/* GET /v1/openapi.yaml: the document, application/yaml. */
void api_openapi(struct request *r);

#endif
