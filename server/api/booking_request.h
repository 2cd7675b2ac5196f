/*
 * What a new booking and a hold share (booking_request.c), and the booking row
 * as the queries read it. Internal to the booking handlers in server/api/.
 */
#ifndef MADOGUCHI_API_BOOKING_REQUEST_H
#define MADOGUCHI_API_BOOKING_REQUEST_H

#include "core/cdate.h"
#include "core/rules.h"
#include "request.h"
#include "token.h"

#include <jansson.h>
#include <libpq-fe.h>
#include <stdbool.h>
#include <stddef.h>
#include <time.h>

struct cal_service;
struct config_office;
struct elig_error;

/* Columns of the booking queries. */
enum { B_MUNI, B_REF, B_HASH, B_OFFICE, B_SERVICE, B_START, B_END, B_STATUS, B_KIND,
	B_VISITS, B_VISIT, B_FIRST, B_SECOND, B_WOPEN, B_WCLOSE, B_LANG, B_ANSWER, B_NAME,
	B_EMAIL, B_PHONE, B_PURGED, B_SEQUENCE };

#define BOOKING_COLUMNS "municipality, reference, token_hash, office, service, " \
	"extract(epoch FROM starts_at)::bigint, extract(epoch FROM ends_at)::bigint, status, " \
	"kind, visits, visit, first_visit, second_visit_earliest, window_opens, window_closes, " \
	"language, answer, contact_name, contact_email, contact_phone, purged_at IS NOT NULL, " \
	"sequence"

/* Reads one booking by reference ($1), BOOKING_COLUMNS. */
extern struct db_stmt bk_stmt_get;

/* The SQLSTATE of bookings_day_cap: a cap on the day's online bookings is reached. */
#define BK_SQLSTATE_DAY_CAPPED "MD001"
/*
 * The SQLSTATE of bookings_contact_room: the contact has bookings.per_contact live
 * first visits of the service near the date already.
 */
#define BK_SQLSTATE_TOO_MANY "MD002"

struct capacity;

/* A booking request on its way through its statements. */
struct bk {
	const struct config_office *office;	/* where (in the request's config) */
	const char *municipality;		/* its municipality's id */
	const struct cal_service *svc;		/* what */
	enum rules_service service;		/* the same, as the rules know it */
	enum rules_language lang;		/* language of the answer */
	cdate date;				/* visit date (Tokyo) */
	int minute;				/* slot start, minutes since midnight */
	int capacity;				/* the slot's places on that day */
	struct rules_verdict verdict;		/* eligibility on the visit date */
	char reference[TOKEN_REF_LEN + 1];	/* this booking's reference */
	char token[TOKEN_TEXT_LEN + 1];		/* its secret, shown once */
	char token_hash[65];			/* what is stored */
	char *response;				/* the 201 body without the token (JSON text) */
	char *hold;				/* hold to consume, or NULL */
	char first_visit[TOKEN_REF_LEN + 1];	/* visit 2: visit 1's reference, or "" */
	char *name, *email, *phone;		/* contact */
	char *idem_key;				/* Idempotency-Key, or NULL */
	char request_hash[65];			/* BLAKE2b of the body */
	int tries;				/* references tried */
	bool day_capped;			/* refused by a cap on the day's online bookings */
	const struct capacity *app_capacity;	/* the daemon's capacity rules */
	void (*then)(struct request *);		/* where a two-visit check goes on */
};


/* One candidate slot for the alternatives. */
struct bk_alt {
	time_t start;		/* its instant */
	long distance;		/* seconds from the slot asked for */
	int crowding;		/* enum cal_crowding */
};

/* Frees a booking request (a request context). */
void bk_free(void *arg);
/* The daemon's token key (validated at start-up). */
void bk_token_key(const struct request *r, unsigned char key[TOKEN_KEY_BYTES]);
/* Answers 400 for a field, with its path. */
void bk_bad_field(struct request *r, const char *code, const char *field, const char *detail);
/* Answers with an eligibility module error. */
void bk_elig_failed(struct request *r, const struct elig_error *err);
/* Answers problem (from body.c) when there is one; true when it is NULL. */
bool bk_body_ok(struct request *r, json_t *problem);
/* Parses "start" into b's visit date and minute; answers 400 when it is not one. */
bool bk_parse_start(struct request *r, json_t *v, struct bk *b);
/* Finds the office, service and start of a body; answers 400/404 when not usable. */
bool bk_parse_place(struct request *r, json_t *body, struct bk *b);
/* Checks the slot against the office calendar; answers 422 when it cannot be booked. */
bool bk_check_calendar(struct request *r, struct bk *b);
/* Refuses members not in keys (NULL-terminated) with 400 unknown_field. */
bool bk_known_keys(struct request *r, json_t *body, const char *const *keys);
/* Formats d into buf as "YYYY-MM-DD"; NULL (buf untouched) for CDATE_NONE. */
const char *bk_date_or_null(cdate d, char buf[static 11]);
/* The instant of minute on b's visit date, as the API writes it. */
void bk_slot_instant(const struct bk *b, int minute, char out[26]);
/* A slot instant as the API writes it (a new JSON string). */
json_t *bk_instant_json(time_t t);
/*
 * Collects the free, bookable slots of b's service from first for days days
 * (free by the counts in pg) into out, skipping asked; returns how many.
 */
size_t bk_free_slots(const struct bk *b, const PGresult *pg, cdate first, int days,
    time_t asked, struct bk_alt *out, size_t max);
/* Fetches the slot counts for days days from first, continuing with fn. */
void bk_counts_send(struct request *r, cdate first, int days, request_db_fn *fn);
/* Answers 409 slot_full with up to three free slots near the one asked for. */
void bk_alternatives_send(struct request *r);

#endif
