/*
 * What the queue handlers share: the office's state of the day read from the
 * tickets table, and wait estimates computed from it. The estimates come from
 * the day's finished tickets in the database, so every daemon gives the same
 * answer, also after a restart.
 */
#include "api/queue_state.h"

#include "app.h"
#include "clock.h"
#include "config.h"
#include "core/cdate.h"
#include "core/problem.h"
#include "core/rules.h"
#include "core/waitest.h"
#include "core/xmalloc.h"
#include "log.h"
#include "request.h"
#include "staff.h"

#include <errno.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static struct db_stmt stmt_state = {
	"SELECT 'open', id, label, service, kind, status, counter, "
	"extract(epoch FROM issued_at)::bigint, extract(epoch FROM due_at)::bigint, "
	"extract(epoch FROM called_at)::bigint FROM tickets "
	"WHERE municipality = $1 AND office = $2 AND day = $3::date "
	"AND status IN ('waiting', 'called') "
	"UNION ALL SELECT 'done', id, label, service, kind, status, counter, "
	"extract(epoch FROM called_at)::bigint, extract(epoch FROM done_at)::bigint, NULL "
	"FROM (SELECT *, row_number() OVER (PARTITION BY service ORDER BY done_at DESC) AS rn "
	"FROM tickets WHERE municipality = $1 AND office = $2 AND day = $3::date "
	"AND status = 'done' AND called_at IS NOT NULL) d WHERE rn <= 32 "
	"ORDER BY 10 DESC NULLS LAST, 9", 3, 0 };

/* The actor of an audit row: "kiosk:<id>", else "staff:<id>" (managers act as staff). */
const char *
queue_actor(struct request *r, char buf[40])
{
	snprintf(buf, 40, "%s:%s", r->staff_role == STAFF_KIOSK ? "kiosk" : "staff", r->staff_id);
	return buf;
}

/* Starts a queue context for the office in the path; answers 404 when unknown. */
struct queue_ctx *
queue_begin(struct request *r, const char *office_id)
{
	struct queue_ctx *q = xcalloc(1, sizeof *q);

	r->ctx = q;
	r->ctx_free = free;
	q->now = clock_now();
	cdate_format(cdate_from_time(q->now), q->day);
	q->office = office_id ? config_office(r->cfg, office_id) : NULL;
	if (office_id != NULL && q->office == NULL) {
		req_problem(r, 404, "unknown_office", "there is no office with that id");
		return NULL;
	}
	if (q->office != NULL)
		q->municipality = r->cfg->municipalities[q->office->municipality].id;
	return q;
}

/* The ticket prefix of a service: A for the first service id of API.md, and so on. */
void
queue_prefix_of(const char *service, char out[2])
{
	enum rules_service s;

	out[0] = rules_service_parse(service, &s) ? (char)('A' + (int)s) : 'Z';
	out[1] = '\0';
}

/* The index of service in the office's services, or -1. */
int
queue_service_index(const struct config_office *o, const char *service)
{
	for (size_t i = 0; i < o->cal.nservices; i++) {
		if (strcmp(o->cal.services[i].id, service) == 0)
			return (int)i;
	}
	return -1;
}

/* Counters of the office that serve service index i, counted. */
int
queue_counters_serving(const struct config_office *o, int i)
{
	int n = 0;

	for (size_t c = 0; c < o->ncounters; c++)
		n += (o->counters[c].services >> i) & 1u;
	return n;
}

/* Reads the state rows into an estimator; false without memory. */
bool
queue_estimate_load(const struct config *cfg, const struct config_office *o,
    const PGresult *pg, time_t now, struct estimate_input *in)
{
	return queue_estimate_load_rows(cfg, o, pg, 0, PQntuples(pg), now, in);
}

/* Like queue_estimate_load over rows first..last-1 of pg only. */
bool
queue_estimate_load_rows(const struct config *cfg, const struct config_office *o,
    const PGresult *pg, int first, int last, time_t now, struct estimate_input *in)
{
	double seeds[CAL_MAX_SERVICES];

	memset(in, 0, sizeof *in);
	/* A PIN reset's handling time includes the counter time the city plans for it. */
	for (size_t i = 0; i < o->cal.nservices; i++)
		seeds[i] = o->cal.services[i].slot_minutes +
		    (strcmp(o->cal.services[i].id, "pin_reset") == 0 ?
		    config_office_settings(cfg, o)->pin_reset_extra_minutes[RULES_SVC_PIN_RESET] : 0);
	if ((in->est = waitest_new(seeds, o->cal.nservices)) == NULL)
		return false;
	for (int row = first; row < last; row++) {
		int s = queue_service_index(o, PQgetvalue(pg, row, S_SERVICE));
		bool open = strcmp(PQgetvalue(pg, row, S_KIND), "open") == 0;
		long long t1 = strtoll(PQgetvalue(pg, row, S_T1), NULL, 10);
		long long t2 = strtoll(PQgetvalue(pg, row, S_T2), NULL, 10);

		if (s < 0)
			continue;
		if (!open) {
			/* Absurd durations (a ticket left open over lunch) are refused: fine. */
			if (!waitest_observe(in->est, (size_t)s, (double)(t2 - t1), t2))
				continue;
		} else if (strcmp(PQgetvalue(pg, row, S_STATUS), "called") == 0) {
			if (in->nserving < CONFIG_MAX_COUNTERS) {
				in->serving_counter[in->nserving] =
				    atoi(PQgetvalue(pg, row, S_COUNTER));
				in->serving[in->nserving].service = (size_t)s;
				in->serving[in->nserving++].elapsed_s = (double)(now -
				    strtoll(PQgetvalue(pg, row, S_T3), NULL, 10));
			}
		} else if (strcmp(PQgetvalue(pg, row, S_TKIND), "walk_in") == 0) {
			in->waiting[s]++;
		} else if (t2 <= (long long)now) {
			in->due[s]++;
		} else if (in->nupcoming[s] < 64) {
			in->upcoming[s][in->nupcoming[s]++] = (double)(t2 - (long long)now);
		}
	}
	return true;
}

/* The estimated wait for a newcomer to service index s, in minutes. */
double
queue_estimate_minutes(const struct config_office *o, const struct estimate_input *in, int s,
    time_t now)
{
	struct waitest_serving busy[CONFIG_MAX_COUNTERS];
	struct waitest_queue q = {
		.waiting = in->waiting[s], .due = in->due[s], .serving = busy,
		.upcoming_s = in->upcoming[s], .n_upcoming = in->nupcoming[s],
		.counters = queue_counters_serving(o, s),
	};

	/* Only tickets at counters that serve s stand between a newcomer and them. */
	for (size_t i = 0; i < in->nserving; i++) {
		const struct config_counter *c = config_counter(o, in->serving_counter[i]);
		if (c != NULL && (c->services >> s & 1u))
			busy[q.n_serving++] = in->serving[i];
	}
	return waitest_estimate(in->est, (size_t)s, &q, (int64_t)now);
}

/* A service's names for residents, {"ja", "en"}. */
json_t *
queue_service_names(const char *service)
{
	enum rules_service id;

	if (!rules_service_parse(service, &id))
		return json_pack("{s:s, s:s}", "ja", service, "en", service);
	return json_pack("{s:s, s:s}", "ja", rules_service_label(id, RULES_LANG_JA), "en",
	    rules_service_label(id, RULES_LANG_EN));
}

/* Sends the queue-state statement, continuing with fn. */
void
queue_state_send(struct request *r, request_db_fn *fn)
{
	struct queue_ctx *q = r->ctx;
	const char *p[3] = { q->municipality, q->office->id, q->day };

	if (!req_db(r, &stmt_state, p, fn))
		return;
}
