/*
 * Live queue events: one libpq connection of its own (not from the pool) runs
 * LISTEN madoguchi_events on the event loop and comes back with backoff when
 * PostgreSQL goes away; each notification (a ticket changing state, JSON with
 * "type" and "office") goes out as a Server-Sent Event to the clients of
 * GET /v1/offices/{office}/events. Every daemon on the database hears every
 * notification, so any of them can serve any display.
 */
#ifndef MADOGUCHI_EVENTS_H
#define MADOGUCHI_EVENTS_H

#include <stdbool.h>

struct app;
struct request;
struct events;

#define EVENTS_CHANNEL "madoguchi_events"	/* the NOTIFY channel */
#define EVENTS_KEEPALIVE_S 15			/* a comment this often keeps proxies open */
#define EVENTS_RETRY_MS 2000			/* the client's reconnect delay (retry:) */
/* A notification that an office's forecast inputs changed (office "*": every office). */
#define EVENTS_FORECAST_TYPE "forecast"

/* Starts connecting and listening with app's database URL and loop. */
struct events *events_new(struct app *app);
/* Ends every stream cleanly (SIGTERM) and refuses new ones. */
void events_drain(struct events *ev);
/* Closes the connection; streams must be gone already (the HTTP server is freed first). */
void events_free(struct events *ev);
/* Streams open now, for logs. */
int events_subscribers(const struct events *ev);

/* GET /v1/offices/{office}/events: a text/event-stream of the office's events. */
void api_events(struct request *r);

#endif
