/*
 * Municipality files: a municipality, its defaults and its offices with their
 * calendars (hours, exception rules, services, peak factors). Used by config.c
 * for each included file; the schema is in config/README.md.
 */
#ifndef MADOGUCHI_CONFIG_MUNI_H
#define MADOGUCHI_CONFIG_MUNI_H

#include <stdbool.h>

struct config;
struct ydoc;

/*
 * Parses file into cfg (appending a municipality and its offices), validating
 * every office's calendar. False with y->cause set on the first error.
 */
bool config_muni_load(struct ydoc *y, struct config *cfg, const char *file)
    __attribute__((warn_unused_result));

#endif
