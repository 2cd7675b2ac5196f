/*
 * The daemon's configuration: one YAML file plus the municipality files it
 * includes. A load parses into a fresh struct and validates all of it; a
 * running daemon swaps configs only when the new one is whole (SIGHUP).
 */
#ifndef MADOGUCHI_CONFIG_H
#define MADOGUCHI_CONFIG_H

#include "core/calendar.h"
#include "core/rules.h"

#include <stdbool.h>
#include <stddef.h>

/* A name in the two languages every resident-facing text carries. */
struct config_name {
	char *ja;		/* Japanese, required */
	char *en;		/* English; the Japanese name when the file gives none */
};

/* A municipality, from one included file. */
struct config_municipality {
	char *id;		/* "kasugai": lower-case letters, digits, '-' */
	struct config_name name; /* "春日井市" / "Kasugai City" */
	char *file;		/* the file it came from, for messages */
	struct rules_settings settings; /* fees, mail turnaround, ID lists (`settings`) */
};

#define CONFIG_MAX_COUNTERS 32

/* A counter (窓口) at an office and the services it serves. */
struct config_counter {
	int id;			/* its number as staff and the display call it, 1..99 */
	unsigned services;	/* bit i set: serves the office's cal.services[i] */
};

/* An office (a counter location) of a municipality. */
struct config_office {
	char *id;		/* "kasugai-main", unique across all municipalities */
	struct config_name name; /* display name */
	char *address;		/* postal address as the city prints it, or NULL */
	char *phone;		/* telephone number, or NULL */
	size_t municipality;	/* index into config.municipalities */
	struct cal_office cal;	/* hours, rules, services offered, peak factors */
	struct config_counter counters[CONFIG_MAX_COUNTERS]; /* in file order */
	size_t ncounters;	/* at least 1 */
	char *file;		/* file and line of the definition, for messages */
	int line;
};

/* Ids to array positions, so lookups stay O(1) with thousands of offices. */
struct config_idindex {
	size_t *slots;		/* position + 1, 0 when free; open addressing */
	size_t size;		/* a power of two, or 0 before the first id */
	size_t used;		/* ids in it */
};

/* Everything the daemon reads from its configuration files. */
struct config {
	int refs;			/* holders; freed when the last one lets go */
	char *path;			/* the main file, as given */
	char *listen;			/* "ADDR:PORT" to serve HTTP on (restart to change) */
	char *database_url;		/* libpq connection string (restart to change) */
	long db_pool_size;		/* connections in the pool (restart to change) */
	long db_connect_timeout_s;	/* a connection attempt's limit */
	long db_statement_timeout_s;	/* one statement's limit (restart to change) */
	long http_max_connections;	/* open client connections at most */
	long http_max_body_bytes;	/* larger request bodies get 413 */
	long http_max_header_bytes;	/* larger request headers are refused */
	long http_idle_timeout_s;	/* an idle keep-alive connection is closed after this */
	long http_read_deadline_s;	/* a request must arrive whole within this */
	long http_request_deadline_s;	/* a handler must answer within this, else 503 */
	long http_connections_per_client; /* open connections one address may have */
	long http_streams_per_client;	/* event streams one address may have open */
	long http_streams_per_office;	/* event streams one office may have open */
	long http_stream_lifetime_s;	/* an event stream ends after this (clients reconnect) */
	char *http_trusted_proxies;	/* addresses whose X-Forwarded-For is believed */
	char *http_cors_origins;	/* origins allowed cross-origin calls, one a line */
	long shutdown_grace_s;		/* SIGTERM waits this long for requests in flight */
	char *log_level;		/* debug, info, warn, error */
	char *token_key;		/* 64 hex digits: the key that hashes booking tokens */
	long hold_seconds;		/* a hold keeps its place this long */
	long retention_days;		/* personal fields are purged this long after the visit */
	long holds_per_client;		/* live holds one client address may have */
	long bookings_per_contact;	/* live bookings of a service per contact near a date */
	long contact_window_days;	/* "near": within this many days either side */
	long ratelimit_per_minute;	/* public requests per client IP per minute */
	long ratelimit_burst;		/* and how many at once */
	long queue_busy_minutes;	/* an expected wait this long is flagged busy */
	long queue_very_busy_minutes;	/* and this long very_busy */
	long queue_checkin_early_minutes; /* a reservation may check in this early */
	long queue_checkin_late_minutes; /* and this late */
	long queue_no_show_after_recalls; /* recalls before a no-show may be recorded */
	long queue_pass_over_limit;	/* a ticket passed over this often is called next */
	long queue_target_wait_minutes;	/* reports: a wait this long or shorter meets the target */
	long history_max_body_bytes;	/* a history import's body at most (413 beyond) */
	char *metrics_allow;		/* addresses or CIDR ranges that may scrape /metrics */
	struct config_municipality *municipalities; /* in include order */
	size_t nmunicipalities;
	struct config_office *offices;	/* in file order */
	size_t noffices;
	struct config_idindex office_ids; /* offices by id */
	struct config_idindex municipality_ids; /* municipalities by id */
};

/*
 * Adds offices[i] (municipalities[i]) to the id index; returns the position of
 * an earlier one with the same id (the new one is not added), or -1.
 */
long config_index_office(struct config *cfg, size_t i);
long config_index_municipality(struct config *cfg, size_t i);
/* Frees both indexes. */
void config_index_free(struct config *cfg);
/* Finds a municipality by id, or NULL. */
const struct config_municipality *config_municipality_find(const struct config *cfg,
    const char *id);
/* The settings of office's municipality. */
const struct rules_settings *config_office_settings(const struct config *cfg,
    const struct config_office *office);
/* Finds an office by id, or NULL. */
const struct config_office *config_office(const struct config *cfg, const char *id);
/* The counter with number id at office, or NULL. */
const struct config_counter *config_counter(const struct config_office *office, int id);
/* True when counter serves service (an id). */
bool config_counter_serves(const struct config_office *office,
    const struct config_counter *counter, const char *service);
/*
 * True when list (metrics.allow: IPv4 or IPv6 addresses or CIDR ranges,
 * separated by commas and spaces; empty allows nothing) is well formed.
 */
bool config_addr_list_valid(const char *list);
/* True when the address addr (text, as a socket peer prints) falls in list. */
bool config_addr_allowed(const char *list, const char *addr);
/* True when office offers service. */
bool config_office_offers(const struct config_office *office, const char *service);

#endif
