/*
 * The members of booking, hold and ticket request bodies, each checked apart
 * from any request: a function returns NULL when its part of the decoded JSON
 * is good, else the problem document to answer with (caller owns it). The
 * handlers call them in the order their answers depend on.
 */
#ifndef MADOGUCHI_BODY_H
#define MADOGUCHI_BODY_H

#include "core/cdate.h"
#include "token.h"

#include <jansson.h>

/* Refuses (400 unknown_field) a member of body not in keys (ending with NULL). */
json_t *body_known_keys(const json_t *body, const char *const *keys)
    __attribute__((warn_unused_result));
/*
 * Parses "start" (v, NULL when absent) into its Tokyo date and minute; it must
 * be an instant on a whole minute, in the years the holiday law is computed
 * for. *date and *minute are set once it parses.
 */
json_t *body_start(const json_t *v, cdate *date, int *minute) __attribute__((warn_unused_result));
/* Reads the optional string member key of obj into *out (caller frees; NULL when absent). */
json_t *body_opt_string(const json_t *obj, const char *key, const char *path, char **out)
    __attribute__((warn_unused_result));
/*
 * Checks contact {name, email, phone}: a name and a way to reach the resident.
 * The strings read are left in *name, *email, *phone (caller frees, also on failure).
 */
json_t *body_contact(const json_t *c, char **name, char **email, char **phone)
    __attribute__((warn_unused_result));
/* Reads "first_visit" (v; absent or null leaves out "") as a normalised reference. */
json_t *body_first_visit(const json_t *v, char out[TOKEN_REF_LEN + 1])
    __attribute__((warn_unused_result));
/*
 * Checks a ticket body: either {"service"} (a walk-in: *service is its id, to
 * look up at the office) or {"booking"} (a check-in: *service is NULL and
 * booking the normalised reference).
 */
json_t *body_ticket(const json_t *body, const char **service, char booking[TOKEN_REF_LEN + 1])
    __attribute__((warn_unused_result));

#endif
