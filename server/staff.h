/*
 * Staff, kiosk, manager and admin tokens: created on the command line, kept
 * as keyed hashes, checked per request against the office acted on.
 */
#ifndef MADOGUCHI_STAFF_H
#define MADOGUCHI_STAFF_H

#include <stdbool.h>

struct config;
struct request;

/* What a token may do; each role includes the ones before it. */
enum staff_role {
	STAFF_NONE,	/* no token */
	STAFF_KIOSK,	/* "kiosk": issue tickets */
	STAFF_STAFF,	/* "staff": call, recall, finish and transfer tickets */
	STAFF_MANAGER,	/* "manager": reports */
	STAFF_ADMIN,	/* "admin": everything */
};

/* Parses a role name. */
bool staff_role_parse(const char *s, enum staff_role *out) __attribute__((warn_unused_result));
/* The name of a role. */
const char *staff_role_name(enum staff_role role);
/*
 * Checks the request's bearer token for at least role min at office (an id),
 * then runs next. Answers 401 (no or unknown token) or 403 (another office, a
 * lesser role) itself. On success r->staff_id and r->staff_role are set. An
 * office of "" accepts a token for any office (operator endpoints: /metrics).
 */
void staff_require(struct request *r, const char *office, enum staff_role min,
    void (*next)(struct request *r));
/* True when the request carries a staff token (one that staff_require would check). */
bool staff_token_present(struct request *r);
#define STAFF_CHANNEL "madoguchi_tokens"	/* NOTIFY channel: a token was made or revoked */
#define STAFF_DEFAULT_DAYS 365			/* a new token's life */
#define STAFF_MAX_DAYS 3660			/* the longest life allowed */

/*
 * Checks the Authorization staff token and its role before anything is read
 * for a request whose office is not known yet (a ticket's, a booking's); then
 * next(r). staff_acts_for tells whether it may act at an office found later:
 * answer "not found" when not, as for a missing ticket or booking.
 */
void staff_require_any(struct request *r, enum staff_role min,
    void (*next)(struct request *r));
bool staff_acts_for(const struct request *r, const char *office);
/*
 * Command line: creates a token for role at offices (all of one municipality),
 * valid for expires_days by the database's clock, and prints it as the last
 * line of standard output. Audited; every daemon hears of it. Returns an exit
 * status.
 */
int staff_create_token(const char *conninfo, const char *token_key, const char *role,
    const char *const *offices, int noffices, int expires_days, const struct config *cfg);
/* Command line: prints every token (never the token itself). Returns an exit status. */
int staff_list_tokens(const char *conninfo);
/*
 * Command line: revokes the token with that id, audited; every daemon refuses
 * it from the moment the notification reaches it. Returns an exit status.
 */
int staff_revoke_token(const char *conninfo, const char *id);

#endif
