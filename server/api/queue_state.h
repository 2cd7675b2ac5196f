/*
 * What the queue handlers (tickets.c, counters.c, queue_view.c) share: the
 * request context, the day's state of an office, and wait estimates from it.
 * Internal to server/api/.
 */
#ifndef MADOGUCHI_API_QUEUE_STATE_H
#define MADOGUCHI_API_QUEUE_STATE_H

#include "config.h"
#include "core/waitest.h"
#include "request.h"
#include "token.h"

#include <jansson.h>
#include <libpq-fe.h>
#include <stdbool.h>
#include <time.h>

/* An event for every daemon's listeners; rows come from the CTE named in FROM. */
#define EVENT_SQL(type, counter) "event_publish(json_build_object('type', " \
	type ", 'municipality', municipality, 'office', office, 'ticket', label, 'service', " \
	"service, 'counter', " counter ", 'at', to_char(now_at AT TIME ZONE 'Asia/Tokyo', " \
	"'YYYY-MM-DD\"T\"HH24:MI:SS\"+09:00\"')))"

/* Columns of stmt_state. */
enum { S_KIND, S_ID, S_LABEL, S_SERVICE, S_TKIND, S_STATUS, S_COUNTER, S_T1, S_T2, S_T3 };

/* A queue request on its way through its statements. */
struct queue_ctx {
	const struct config_office *office;	/* the office (the request's config) */
	const char *municipality;		/* its municipality */
	char day[11];				/* today in Tokyo, YYYY-MM-DD */
	time_t now;				/* the daemon clock when the request came */
	const struct cal_service *svc;		/* the service of a new ticket */
	char booking[TOKEN_REF_LEN + 1];	/* check-in: the booking */
	time_t booking_start;			/* check-in: its slot */
	long long ticket_id;			/* the ticket acted on or issued */
	char label[16];				/* and its number */
	char action[16];			/* a state change: done, no_show, ... */
	const char *transfer_to;		/* transfer: the new service (office's id) */
	bool was_called;			/* a state change: the ticket was at a counter */
	int counter;				/* a counter number */
	size_t ahead;				/* a new ticket: tickets before it */
	double wait_min;			/* and the wait it is promised */
	double formula_min;			/* and the fixed formula's, or -1 */
};

/* The estimate inputs gathered from the open and finished tickets of today. */
struct estimate_input {
	struct waitest *est;					/* learned from finished tickets */
	size_t waiting[CAL_MAX_SERVICES];			/* walk-ins waiting, per service */
	size_t due[CAL_MAX_SERVICES];				/* reservations due, per service */
	struct waitest_serving serving[CONFIG_MAX_COUNTERS];	/* tickets being served */
	int serving_counter[CONFIG_MAX_COUNTERS];		/* and at which counter */
	size_t nserving;
	double upcoming[CAL_MAX_SERVICES][64];			/* seconds to later reservations */
	size_t nupcoming[CAL_MAX_SERVICES];
};

/* The actor of an audit row: "kiosk:<id>", else "staff:<id>" (managers act as staff). */
const char *queue_actor(struct request *r, char buf[40]);
/* Starts a queue context for the office in the path; answers 404 when unknown. */
struct queue_ctx *queue_begin(struct request *r, const char *office_id);
/* The ticket prefix of a service: A for the first service id, and so on. */
void queue_prefix_of(const char *service, char out[2]);
/* The index of service in the office's services, or -1. */
int queue_service_index(const struct config_office *o, const char *service);
/* Counters of the office that serve service index i, counted. */
int queue_counters_serving(const struct config_office *o, int i);
/* Reads the state rows into an estimator; false without memory. */
bool queue_estimate_load(const struct config *cfg, const struct config_office *o,
    const PGresult *pg, time_t now, struct estimate_input *in);
/* Like queue_estimate_load over rows first..last-1 of pg only (one office's). */
bool queue_estimate_load_rows(const struct config *cfg, const struct config_office *o,
    const PGresult *pg, int first, int last, time_t now, struct estimate_input *in);
/* The estimated wait for a newcomer to service index s, in minutes. */
double queue_estimate_minutes(const struct config_office *o, const struct estimate_input *in,
    int s, time_t now);
/* A service's names for residents, {"ja", "en"}. */
json_t *queue_service_names(const char *service);
/* Sends the queue-state statement (today, the context's office), continuing with fn. */
void queue_state_send(struct request *r, request_db_fn *fn);

#endif
