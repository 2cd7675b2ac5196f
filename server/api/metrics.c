/*
 * GET /metrics: the Prometheus text format 0.0.4, for an admin token or a
 * client address listed in metrics.allow. HTTP figures are this daemon's
 * (metrics.c); bookings, holds, tickets and queues are read from the database
 * at scrape time, so every daemon reports the same exact counts.
 */
#include "api/bookings.h"
#include "api/reports.h"

#include "api/queue_state.h"
#include "app.h"
#include "clock.h"
#include "config.h"
#include "config_load.h"
#include "core/cdate.h"
#include "core/xmalloc.h"
#include "db.h"
#include "events.h"
#include "metrics.h"
#include "request.h"
#include "staff.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define PROM_TYPE "text/plain; version=0.0.4; charset=utf-8"

static struct db_stmt stmt_counts = {
	"SELECT 'booking', municipality, action, count(*) FROM audit_log "
	"WHERE action IN ('booking.created', 'booking.cancelled', 'booking.rescheduled') "
	"GROUP BY municipality, action "
	"UNION ALL SELECT 'holds', municipality, '', count(*) FROM holds "
	"WHERE expires_at > to_timestamp($1) GROUP BY municipality "
	"UNION ALL SELECT 'tickets', office, v.s, v.n FROM (SELECT office, count(*) AS issued, "
	"count(first_called_at) AS called, count(*) FILTER (WHERE status = 'done') AS done, "
	"count(*) FILTER (WHERE status = 'no_show') AS no_show FROM tickets "
	"WHERE source = 'live' GROUP BY office) x CROSS JOIN LATERAL (VALUES ('issued', issued), "
	"('called', called), ('done', done), ('no_show', no_show)) v(s, n) ORDER BY 1, 2, 3", 1, 0 };

/* Today's queue rows of every office, columns as stmt_state's plus the office (S_T3 + 1). */
static struct db_stmt stmt_queues = {
	"SELECT 'open', id, label, service, kind, status, counter, "
	"extract(epoch FROM issued_at)::bigint, extract(epoch FROM due_at)::bigint, "
	"extract(epoch FROM called_at)::bigint, office FROM tickets "
	"WHERE day = $1::date AND status IN ('waiting', 'called') AND source = 'live' "
	"UNION ALL SELECT 'done', id, label, service, kind, status, counter, "
	"extract(epoch FROM called_at)::bigint, extract(epoch FROM done_at)::bigint, NULL, office "
	"FROM (SELECT *, row_number() OVER (PARTITION BY office, service ORDER BY done_at DESC) "
	"AS rn FROM tickets WHERE day = $1::date AND status = 'done' AND called_at IS NOT NULL) d "
	"WHERE rn <= 32 ORDER BY 11, 10 DESC NULLS LAST, 9", 1, 0 };
#define S_OFFICE (S_T3 + 1)

/* A scrape on its way: the text written so far. */
struct scrape {
	char *text;		/* the exposition being written */
	size_t len;
	FILE *f;		/* open_memstream over text */
	time_t now;		/* the daemon clock at the scrape */
	char today[11];		/* its date in Tokyo */
};

/* Frees a scrape. */
static void
scrape_free(void *arg)
{
	struct scrape *s = arg;

	if (s->f != NULL)
		fclose(s->f);
	free(s->text);
	free(s);
}

/* Closes the text and answers with it. */
static void
scrape_send(struct request *r, struct scrape *s)
{
	fclose(s->f);
	s->f = NULL;
	req_text(r, 200, PROM_TYPE, s->text, s->len);
}

/* Writes a HELP and TYPE header. */
static void
family(FILE *f, const char *name, const char *type, const char *help)
{
	fprintf(f, "# HELP %s %s\n# TYPE %s %s\n", name, help, name, type);
}

/* Writes the counter families of one kind of stmt_counts rows. */
static void
write_counts(FILE *f, const PGresult *pg, const char *kind, const char *sub, const char *name,
    const char *label, const char *type, const char *help)
{
	family(f, name, type, help);
	for (int row = 0; row < PQntuples(pg); row++) {
		if (strcmp(PQgetvalue(pg, row, 0), kind) != 0 ||
		    strcmp(PQgetvalue(pg, row, 2), sub) != 0)
			continue;
		fprintf(f, "%s{%s=\"%s\"} %s\n", name, label, PQgetvalue(pg, row, 1),
		    PQgetvalue(pg, row, 3));
	}
}

/* Writes the residents waiting and the expected wait of each office and service. */
static void
write_queues(struct request *r, struct scrape *s, const PGresult *pg)
{
	struct estimate_input *in = xmalloc(sizeof *in);
	int row = 0, n = PQntuples(pg);
	char *waiting = NULL, *wait = NULL;
	size_t wlen = 0, elen = 0;
	FILE *fw = open_memstream(&waiting, &wlen), *fe = open_memstream(&wait, &elen);

	if (fw == NULL || fe == NULL)
		abort();
	for (size_t i = 0; i < r->cfg->noffices; i++) {
		const struct config_office *o = &r->cfg->offices[i];
		int first, last;

		/* Rows come sorted by office; find this office's run. */
		for (first = 0; first < n && strcmp(PQgetvalue(pg, first, S_OFFICE), o->id) != 0; first++)
			;
		for (last = first; last < n && strcmp(PQgetvalue(pg, last, S_OFFICE), o->id) == 0; last++)
			;
		row = last;
		if (!queue_estimate_load_rows(r->cfg, o, pg, first, last, s->now, in))
			continue;
		for (size_t k = 0; k < o->cal.nservices; k++) {
			const char *svc = o->cal.services[k].id;
			double min = queue_estimate_minutes(o, in, (int)k, s->now);
			fprintf(fw, "madoguchi_queue_waiting{office=\"%s\",service=\"%s\"} %zu\n",
			    o->id, svc, in->waiting[k] + in->due[k]);
			fprintf(fe, "madoguchi_queue_expected_wait_seconds{office=\"%s\","
			    "service=\"%s\"} %.0f\n", o->id, svc, min * 60);
		}
		waitest_free(in->est);
	}
	(void)row;
	fclose(fw);
	fclose(fe);
	family(s->f, "madoguchi_queue_waiting", "gauge", "Residents waiting to be called "
	    "(walk-ins and reservations that are due), by office and service.");
	fwrite(waiting, 1, wlen, s->f);
	family(s->f, "madoguchi_queue_expected_wait_seconds", "gauge", "The wait a resident "
	    "taking a ticket now is told, by office and service.");
	fwrite(wait, 1, elen, s->f);
	free(waiting);
	free(wait);
	free(in);
}

/* The queue statement ran: the last part, then answer. */
static void
queues_done(struct request *r, const struct db_result *res)
{
	struct scrape *s = r->ctx;

	if (res->ok)
		write_queues(r, s, res->pg);
	scrape_send(r, s);
}

/* Writes whether the database answered the scrape's statements. */
static void
write_database_up(FILE *f, bool up)
{
	family(f, "madoguchi_database_up", "gauge", "1 when the database answered this scrape.");
	fprintf(f, "madoguchi_database_up %d\n", up ? 1 : 0);
}

/* The counts statement ran: bookings, holds, tickets; then the queues. */
static void
counts_done(struct request *r, const struct db_result *res)
{
	struct scrape *s = r->ctx;
	const PGresult *pg = res->pg;
	const char *p[1] = { s->today };

	write_database_up(s->f, res->ok);
	if (!res->ok) {
		scrape_send(r, s);
		return;
	}
	write_counts(s->f, pg, "booking", "booking.created", "madoguchi_bookings_created_total",
	    "municipality", "counter", "Bookings made.");
	write_counts(s->f, pg, "booking", "booking.cancelled", "madoguchi_bookings_cancelled_total",
	    "municipality", "counter", "Bookings cancelled.");
	write_counts(s->f, pg, "booking", "booking.rescheduled",
	    "madoguchi_bookings_rescheduled_total", "municipality", "counter", "Bookings moved.");
	write_counts(s->f, pg, "holds", "", "madoguchi_holds_live", "municipality", "gauge",
	    "Holds on a slot that have not expired.");
	write_counts(s->f, pg, "tickets", "issued", "madoguchi_tickets_issued_total", "office",
	    "counter", "Queue tickets issued (walk-ins and check-ins).");
	write_counts(s->f, pg, "tickets", "called", "madoguchi_tickets_called_total", "office",
	    "counter", "Queue tickets called to a counter at least once.");
	write_counts(s->f, pg, "tickets", "done", "madoguchi_tickets_done_total", "office",
	    "counter", "Queue tickets served.");
	write_counts(s->f, pg, "tickets", "no_show", "madoguchi_tickets_no_show_total", "office",
	    "counter", "Queue tickets closed as no-shows.");
	if (!req_db(r, &stmt_queues, p, queues_done))
		return;
}

/* Writes this daemon's own figures: HTTP, the pool, streams, the target. */
static void
write_local(struct request *r, FILE *f)
{
	int up, busy, queued;

	metrics_write_http(f);
	db_stats(r->app->db, &up, &busy, &queued);
	family(f, "madoguchi_db_pool_connections", "gauge", "Database connections that are up.");
	fprintf(f, "madoguchi_db_pool_connections %d\n", up);
	family(f, "madoguchi_db_pool_connections_in_use", "gauge",
	    "Database connections running a statement.");
	fprintf(f, "madoguchi_db_pool_connections_in_use %d\n", busy);
	family(f, "madoguchi_db_pool_waiting_statements", "gauge",
	    "Statements waiting for a free database connection.");
	fprintf(f, "madoguchi_db_pool_waiting_statements %d\n", queued);
	family(f, "madoguchi_db_pool_reconnects_total", "counter",
	    "Database connections lost (each is reopened with backoff).");
	fprintf(f, "madoguchi_db_pool_reconnects_total %lu\n", db_reconnects(r->app->db));
	family(f, "madoguchi_db_conflicts_retried_total", "counter",
	    "Statements run again after a deadlock or serialization failure.");
	fprintf(f, "madoguchi_db_conflicts_retried_total %lu\n", db_conflicts_retried);
	family(f, "madoguchi_slot_usage_repairs_total", "counter",
	    "Slots whose booked or held counter disagreed with the rows and was repaired.");
	fprintf(f, "madoguchi_slot_usage_repairs_total %lu\n", bookings_slots_repaired);
	family(f, "madoguchi_config_generations", "gauge", "Configurations in memory: the running "
	    "one, and older ones that requests still hold (1 once a reload has settled).");
	fprintf(f, "madoguchi_config_generations %lu\n", config_live());
	family(f, "madoguchi_event_stream_clients", "gauge", "Open live-event streams (displays).");
	fprintf(f, "madoguchi_event_stream_clients %d\n", events_subscribers(r->app->events));
	family(f, "madoguchi_queue_target_wait_seconds", "gauge",
	    "The wait reports count as within target (queue.target_wait_minutes).");
	fprintf(f, "madoguchi_queue_target_wait_seconds %ld\n", r->cfg->queue_target_wait_minutes * 60);
}

/* Access is granted: write the local figures, then ask the database. */
static void
metrics_authorized(struct request *r)
{
	struct scrape *s = r->ctx;
	char now[24];
	const char *p[1] = { now };

	write_local(r, s->f);
	snprintf(now, sizeof now, "%lld", (long long)s->now);
	if (!db_is_up(r->app->db)) {
		write_database_up(s->f, false);
		scrape_send(r, s);
		return;
	}
	if (!req_db(r, &stmt_counts, p, counts_done))
		return;
}

void
api_metrics(struct request *r)
{
	static const char *const none[] = { NULL };
	struct scrape *s;

	if (!req_query_allow(r, none))
		return;
	s = xcalloc(1, sizeof *s);
	r->ctx = s;
	r->ctx_free = scrape_free;
	if ((s->f = open_memstream(&s->text, &s->len)) == NULL)
		abort();
	s->now = clock_now();
	cdate_format(cdate_from_time(s->now), s->today);
	if (config_addr_allowed(r->cfg->metrics_allow, req_peer(r)))
		metrics_authorized(r);
	else
		staff_require(r, "", STAFF_ADMIN, metrics_authorized);
}
