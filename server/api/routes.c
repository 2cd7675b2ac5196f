/* Route table, /healthz and /v1/offices. */
#include "api/routes.h"

#include "api/availability.h"
#include "api/bookings.h"
#include "api/planning.h"
#include "api/queue.h"
#include "api/reports.h"
#include "api/rules.h"
#include "app.h"
#include "config.h"
#include "core/rules.h"
#include "api/openapi.h"
#include "api/web.h"
#include "events.h"
#include "core/problem.h"
#include "request.h"

#include <jansson.h>

static const char *const no_params[] = { NULL };
static struct db_stmt stmt_ping = { "SELECT 1", 0, 0 };

/* Answers 503 for the health probe, saying which part is down. */
static void
healthz_unavailable(struct request *r)
{
	json_t *p = problem_new(503, "database_unavailable", "the database is unreachable");

	json_object_set_new(p, "database", json_string("unavailable"));
	req_header(r, "Retry-After", "5");
	req_problem_json(r, p);
}

/* The database answered (or failed) the health probe. */
static void
healthz_done(struct request *r, const struct db_result *res)
{
	if (res->ok)
		req_json(r, 200, json_pack("{s:s, s:s}", "status", "ok", "database", "ok"));
	else
		healthz_unavailable(r);
}

/* GET /healthz: 200 when the daemon can reach its database, else 503. */
static void
healthz(struct request *r)
{
	if (!req_query_allow(r, no_params))
		return;
	if (r->app->draining) {
		req_problem(r, 503, "shutting_down", "the daemon is shutting down");
		return;
	}
	if (!db_is_up(r->app->db)) {
		healthz_unavailable(r);
		return;
	}
	if (!req_db(r, &stmt_ping, NULL, healthz_done))
		return;	/* it answered 503 */
}

/* A {"ja","en"} object. */
static json_t *
name_json(const struct config_name *n)
{
	return json_pack("{s:s, s:s}", "ja", n->ja, "en", n->en);
}

/* One office as the API shows it. */
static json_t *
office_json(const struct config *cfg, const struct config_office *o)
{
	const struct config_municipality *m = &cfg->municipalities[o->municipality];
	json_t *services = json_array(), *service_names = json_object();
	enum rules_service svc;

	for (size_t i = 0; i < o->cal.nservices; i++) {
		const char *id = o->cal.services[i].id;
		json_array_append_new(services, json_string(id));
		if (rules_service_parse(id, &svc))
			json_object_set_new(service_names, id, json_pack("{s:s, s:s}",
			    "ja", rules_service_label(svc, RULES_LANG_JA),
			    "en", rules_service_label(svc, RULES_LANG_EN)));
	}
	return json_pack("{s:s, s:s, s:o, s:s, s:o, s:o, s:o, s:s?, s:s?}", "id", o->id,
	    "name", o->name.ja, "names", name_json(&o->name), "municipality", m->id,
	    "municipality_names", name_json(&m->name), "services", services,
	    "service_names", service_names, "address", o->address, "phone", o->phone);
}

/* GET /v1/offices: every configured office with the services it offers. */
static void
offices(struct request *r)
{
	json_t *list = json_array();

	if (!req_query_allow(r, no_params)) {
		json_decref(list);
		return;
	}
	for (size_t i = 0; i < r->cfg->noffices; i++)
		json_array_append_new(list, office_json(r->cfg, &r->cfg->offices[i]));
	req_json(r, 200, json_pack("{s:o}", "offices", list));
}

#define H(fn) ((router_fn *)(void (*)(struct request *))(fn))

const struct router_route api_routes[] = {
	{ ROUTER_GET, "/healthz", H(healthz), "healthz", 0 },
	{ ROUTER_GET, "/v1/offices", H(offices), "offices", 1 },
	{ ROUTER_GET, "/v1/offices/{office}/availability", H(api_availability), "availability", 1 },
	{ ROUTER_GET, "/v1/holidays", H(api_holidays), "holidays", 1 },
	{ ROUTER_GET, "/v1/openapi.yaml", H(api_openapi), "openapi", 1 },
	{ ROUTER_POST, "/v1/bookings", H(api_booking_create), "booking_create", 2 },
	{ ROUTER_GET, "/v1/bookings/{reference}", H(api_booking_get), "booking_get", 1 },
	{ ROUTER_DELETE, "/v1/bookings/{reference}", H(api_booking_cancel), "booking_cancel", 2 },
	{ ROUTER_POST, "/v1/bookings/{reference}/reschedule", H(api_booking_reschedule),
	    "booking_reschedule", 2 },
	{ ROUTER_GET, "/v1/bookings/{reference}/calendar.ics", H(api_booking_ics), "booking_ics", 1 },
	{ ROUTER_POST, "/v1/holds", H(api_hold_create), "hold_create", 2 },
	{ ROUTER_POST, "/v1/eligibility", H(api_eligibility), "eligibility", 2 },
	{ ROUTER_POST, "/v1/offices/{office}/tickets", H(api_ticket_create), "ticket_create", 0 },
	{ ROUTER_GET, "/v1/offices/{office}/queue", H(api_queue), "queue", 1 },
	{ ROUTER_GET, "/v1/offices/{office}/tickets/{number}", H(api_ticket_view), "ticket_view", 1 },
	{ ROUTER_POST, "/v1/offices/{office}/counters/{counter}/next", H(api_counter_next),
	    "counter_next", 0 },
	{ ROUTER_POST, "/v1/tickets/{id}/done", H(api_ticket_done), "ticket_done", 0 },
	{ ROUTER_POST, "/v1/tickets/{id}/no-show", H(api_ticket_no_show), "ticket_no_show", 0 },
	{ ROUTER_POST, "/v1/tickets/{id}/recall", H(api_ticket_recall), "ticket_recall", 0 },
	{ ROUTER_POST, "/v1/tickets/{id}/transfer", H(api_ticket_transfer), "ticket_transfer", 0 },
	/* Managers and operators (history.c, reports.c, metrics.c). */
	{ ROUTER_POST, "/v1/offices/{office}/history", H(api_history_import), "history_import", 0 },
	{ ROUTER_GET, "/v1/reports/load", H(api_report_load), "report_load", 0 },
	{ ROUTER_GET, "/v1/reports/estimates", H(api_report_estimates), "report_estimates", 0 },
	{ ROUTER_GET, "/metrics", H(api_metrics), "metrics", 0 },
	/* Planning (expiries.c, forecast.c, simulate.c, capacity_rules.c). */
	{ ROUTER_PUT, "/v1/municipalities/{municipality}/expiries", H(api_expiries_put),
	    "expiries_put", 0 },
	{ ROUTER_GET, "/v1/offices/{office}/forecast", H(api_forecast), "forecast", 1 },
	{ ROUTER_GET, "/v1/offices/{office}/staffing", H(api_staffing), "staffing", 0 },
	{ ROUTER_POST, "/v1/offices/{office}/simulate", H(api_simulate), "simulate", 0 },
	{ ROUTER_GET, "/v1/offices/{office}/capacity", H(api_capacity_list), "capacity_list", 0 },
	{ ROUTER_POST, "/v1/offices/{office}/capacity", H(api_capacity_create),
	    "capacity_create", 0 },
	{ ROUTER_DELETE, "/v1/offices/{office}/capacity/{id}", H(api_capacity_delete),
	    "capacity_delete", 0 },
	/*
	 * Live queue events and the lobby display (events.c, web.c). Not rate
	 * limited: lobby screens and watching terminals behind one address would
	 * spend the budget residents need, the page and its assets are served from
	 * memory, and streams have their own caps (events.h).
	 */
	{ ROUTER_GET, "/v1/offices/{office}/events", H(api_events), "events", 0 },
	{ ROUTER_GET, "/display/{office}", H(api_page), "display", 0 },
	{ ROUTER_GET, "/display/assets/{file}", H(api_display_asset), "display_asset", 0 },
	/* The pages (web.c): served from memory, rate limited like the API they call. */
	{ ROUTER_GET, "/", H(api_page), "home", 1 },
	{ ROUTER_GET, "/manage", H(api_page), "manage", 1 },
	{ ROUTER_GET, "/book/{office}", H(api_page), "book", 1 },
	{ ROUTER_GET, "/status/{office}", H(api_page), "status", 1 },
	{ ROUTER_GET, "/ticket/{office}/{ticket}", H(api_page), "ticket", 1 },
	{ ROUTER_GET, "/manager/{office}", H(api_page), "manager", 1 },
	{ ROUTER_GET, "/assets/{dir}/{file}", H(api_web_asset), "asset", 0 },
};
const size_t api_nroutes = sizeof api_routes / sizeof api_routes[0];
