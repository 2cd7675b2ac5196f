/*
 * Loading the configuration: the main YAML file, its settings table and the
 * municipality files it includes (config_muni.c), into a fresh struct config,
 * and its lifetime: references, and what a reload may not change.
 */
#ifndef MADOGUCHI_CONFIG_LOAD_H
#define MADOGUCHI_CONFIG_LOAD_H

struct config;

/*
 * Loads and validates path and its includes. On failure returns NULL and sets
 * *cause (caller frees) to "file:line:column: what was wrong, what was expected".
 * The result has one reference.
 */
struct config *config_load(const char *path, char **cause) __attribute__((warn_unused_result));
/*
 * Copies into next the settings that cannot change while running, logging each
 * one that the reloaded file tried to change. Returns how many were kept.
 */
int config_keep_fixed(struct config *next, const struct config *running);
/* Takes a reference. */
struct config *config_ref(struct config *cfg);
/* Drops a reference; frees the config with the last one. NULL is allowed. */
void config_unref(struct config *cfg);
/*
 * How many configurations are in memory: the running one, one being loaded,
 * and older ones that something still holds. Any thread may ask.
 */
unsigned long config_live(void);

#endif
