/* The HTTP API: the route table of API.md and the system endpoints. */
#ifndef MADOGUCHI_API_H
#define MADOGUCHI_API_H

#include "router.h"

#include <stddef.h>

/* The route table; validated by main at start-up. */
extern const struct router_route api_routes[];
extern const size_t api_nroutes;

#endif
