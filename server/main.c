/* madoguchid: options, start-up, signals and the staged shutdown. */
#include "api/routes.h"
#include "api/bookings.h"
#include "app.h"
#include "capacity.h"
#include "avail_cache.h"
#include "clock.h"
#include "config.h"
#include "config_load.h"
#include "db.h"
#include "events.h"
#include "forecaster.h"
#include "http.h"
#include "log.h"
#include "migrate.h"
#include "ratelimit.h"
#include "staff.h"
#include "staff_cache.h"
#include "request.h"
#include "core/xmalloc.h"

#include <event2/event.h>
#include <errno.h>
#include <malloc.h>
#include <getopt.h>
#include <pthread.h>
#include <signal.h>
#include <sodium.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/time.h>
#include <sysexits.h>
#include <unistd.h>

#define DRAIN_POLL_MS 50
#define MAINTENANCE_S 5		/* holds expire within this */
#define COUNT_CHECK_EVERY 12	/* maintenance rounds between slot counter checks */
#define DAILY_JOBS_EVERY 720	/* maintenance rounds between purges (an hour) */
#define RATELIMIT_CLIENTS 65536	/* client addresses the rate limiter tracks at most */
#define AVAIL_CACHE_BYTES (24u << 20) /* memory for rendered availability days */

/* What the command line asked for. */
struct options {
	const char *config;	/* -c FILE */
	const char *listen;	/* --listen ADDR:PORT, overrides the config */
	bool migrate;		/* apply migrations and exit */
	bool check_config;	/* validate and exit */
	const char *create_token; /* --create-token ROLE: the role; offices follow */
	char **offices;		/* the offices after --create-token ROLE */
	int noffices;
	int expires_days;	/* --expires-days N for --create-token */
	bool list_tokens;	/* --list-tokens */
	const char *revoke_token; /* --revoke-token ID */
};

static struct app app;
static struct event *drain_timer;	/* polls in-flight requests while draining */
static struct timeval drain_until;	/* when draining gives up */

/* Prints the usage text to fp. */
static void
usage(FILE *fp)
{
	fprintf(fp,
	    "usage: madoguchid [-c FILE] [--listen ADDR:PORT] [--migrate | --check-config |\n"
	    "                  --create-token ROLE [--expires-days N] OFFICE... |\n"
	    "                  --list-tokens | --revoke-token ID]\n"
	    "\n"
	    "  -c, --config FILE      configuration (default /etc/madoguchi/madoguchi.yaml)\n"
	    "      --listen ADDR:PORT serve HTTP here instead of the configured address\n"
	    "      --migrate          apply pending database migrations and exit\n"
	    "      --check-config     validate the configuration and exit\n"
	    "      --create-token ROLE OFFICE...\n"
	    "                         make a kiosk, staff, manager or admin token for the\n"
	    "                         offices; it is printed once, as the last line\n"
	    "      --expires-days N   the new token's life in days (default 365)\n"
	    "      --list-tokens      list the tokens: id, municipality, role, dates, state\n"
	    "      --revoke-token ID  revoke a token; every daemon refuses it at once\n"
	    "  -V, --version          print the version and exit\n"
	    "  -h, --help             print this help and exit\n"
	    "\n"
	    "environment:\n"
	    "  MADOGUCHI_DATABASE_URL  overrides database.url\n"
	    "  MADOGUCHI_TOKEN_KEY     overrides security.token_key (64 hex digits)\n"
	    "  MADOGUCHI_NOW           start the clock at this instant (tests and demos),\n"
	    "                          e.g. 2026-12-15T10:00:00+09:00\n");
}

/* Parses the command line; exits on --help, --version and bad usage. */
static void
parse_options(int argc, char **argv, struct options *o)
{
	static const struct option longopts[] = {
		{ "config", required_argument, NULL, 'c' },
		{ "listen", required_argument, NULL, 'l' },
		{ "migrate", no_argument, NULL, 'm' },
		{ "check-config", no_argument, NULL, 'k' },
		{ "create-token", required_argument, NULL, 't' },
		{ "expires-days", required_argument, NULL, 'e' },
		{ "list-tokens", no_argument, NULL, 'L' },
		{ "revoke-token", required_argument, NULL, 'R' },
		{ "version", no_argument, NULL, 'V' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	int ch, modes;
	char *end;
	long days;

	o->config = "/etc/madoguchi/madoguchi.yaml";
	o->expires_days = STAFF_DEFAULT_DAYS;
	while ((ch = getopt_long(argc, argv, "c:hV", longopts, NULL)) != -1) {
		switch (ch) {
		case 'c': o->config = optarg; break;
		case 'l': o->listen = optarg; break;
		case 'm': o->migrate = true; break;
		case 'k': o->check_config = true; break;
		case 't': o->create_token = optarg; break;
		case 'e':
			days = strtol(optarg, &end, 10);
			if (end == optarg || *end != '\0' || days < 1 || days > STAFF_MAX_DAYS) {
				fprintf(stderr, "madoguchid: --expires-days wants a whole number of "
				    "days from 1 to %d\n", STAFF_MAX_DAYS);
				exit(EX_USAGE);
			}
			o->expires_days = (int)days;
			break;
		case 'L': o->list_tokens = true; break;
		case 'R': o->revoke_token = optarg; break;
		case 'V': printf("madoguchid %s\n", MADOGUCHI_VERSION); exit(EX_OK);
		case 'h': usage(stdout); exit(EX_OK);
		default: usage(stderr); exit(EX_USAGE);
		}
	}
	if (o->create_token != NULL) {
		o->offices = argv + optind;
		o->noffices = argc - optind;
		if (o->noffices == 0) {
			fprintf(stderr, "madoguchid: --create-token ROLE needs at least one office\n");
			exit(EX_USAGE);
		}
	} else if (optind != argc) {
		fprintf(stderr, "madoguchid: unexpected argument '%s'\n", argv[optind]);
		usage(stderr);
		exit(EX_USAGE);
	}
	modes = o->migrate + o->check_config + (o->create_token != NULL) + o->list_tokens +
	    (o->revoke_token != NULL);
	if (modes > 1) {
		fprintf(stderr, "madoguchid: --migrate, --check-config, --create-token, "
		    "--list-tokens and --revoke-token exclude each other\n");
		exit(EX_USAGE);
	}
}

/* Loads the config with the environment's overrides applied; NULL with *cause. */
static struct config *
load_config(const char *path, char **cause)
{
	struct config *cfg = config_load(path, cause);
	const char *url = getenv("MADOGUCHI_DATABASE_URL");
	const char *key = getenv("MADOGUCHI_TOKEN_KEY");

	if (cfg == NULL)
		return NULL;
	if (url != NULL && url[0] != '\0') {
		free(cfg->database_url);
		cfg->database_url = xstrdup(url);
	}
	if (key != NULL && key[0] != '\0') {
		if (strlen(key) != 64 || strspn(key, "0123456789abcdefABCDEF") != 64) {
			*cause = xstrdup("MADOGUCHI_TOKEN_KEY: expected 64 hex digits");
			config_unref(cfg);
			return NULL;
		}
		free(cfg->token_key);
		cfg->token_key = xstrdup(key);
	}
	return cfg;
}

/* Applies the config's log level. */
static void
apply_log_level(const struct config *cfg)
{
	enum log_level lvl;

	if (log_level_parse(cfg->log_level, &lvl))
		log_set_level(lvl);
}

/* Applies MADOGUCHI_NOW, if set. */
static void
setup_clock(void)
{
	const char *now = getenv("MADOGUCHI_NOW");
	time_t t;

	if (now == NULL || now[0] == '\0')
		return;
	if (!clock_parse_instant(now, &t))
		fatal(EX_USAGE, "MADOGUCHI_NOW='%s' is not an instant like "
		    "2026-12-15T10:00:00+09:00", now);
	clock_set_start(t);
	log_warn("clock: MADOGUCHI_NOW is set; the clock starts at %s, not the real time", now);
}


/* Raises the descriptor limit to its hard maximum so the connection cap binds first. */
static void
raise_nofile(void)
{
	struct rlimit rl;

	if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < rl.rlim_max) {
		rl.rlim_cur = rl.rlim_max;
		if (setrlimit(RLIMIT_NOFILE, &rl) != 0)
			log_warn("cannot raise the open-file limit");
	}
}

/* Polls until in-flight requests are done or the grace period is over. */
static void
drain_poll(evutil_socket_t fd, short what, void *arg)
{
	struct timeval now, tv = { 0, DRAIN_POLL_MS * 1000 };

	(void)fd, (void)what, (void)arg;
	gettimeofday(&now, NULL);
	/* Answered means written too: a reply still in its buffer would be lost. */
	if (request_inflight() == 0 && !http_server_writing(app.http)) {
		log_info("shutdown: all requests answered");
		event_base_loopbreak(app.base);
	} else if (timercmp(&now, &drain_until, >)) {
		log_warn("shutdown: %d requests still in flight after %lds; leaving them",
		    request_inflight(), app.cfg->shutdown_grace_s);
		event_base_loopbreak(app.base);
	} else {
		evtimer_add(drain_timer, &tv);
	}
}

/* SIGTERM or SIGINT: the first drains, the second exits at once. */
static void
on_terminate(evutil_socket_t sig, short what, void *arg)
{
	struct timeval grace;

	(void)what, (void)arg;
	if (app.draining) {
		log_warn("shutdown: second %s; exiting now", strsignal((int)sig));
		_exit(1);
	}
	app.draining = true;
	log_info("shutdown: %s; no new connections, finishing %d requests (at most %lds)",
	    strsignal((int)sig), request_inflight(), app.cfg->shutdown_grace_s);
	http_server_stop_accepting(app.http);
	events_drain(app.events);	/* event streams end now; drained like requests */
	gettimeofday(&drain_until, NULL);
	grace.tv_sec = app.cfg->shutdown_grace_s;
	grace.tv_usec = 0;
	timeradd(&drain_until, &grace, &drain_until);
	drain_poll(-1, 0, NULL);
}

/*
 * A reload runs in a thread of its own: thousands of municipality files take
 * a second to parse, and the loop keeps answering meanwhile with the running
 * config. The thread writes one byte to a pipe when it is done.
 */
static struct {
	pthread_t thread;	/* the loader */
	int pipe[2];		/* its "done" byte: [1] written, [0] watched by done_ev */
	struct event *done_ev;	/* the loop's side */
	bool running;		/* a load is under way */
	bool again;		/* another SIGHUP came meanwhile */
	char *path;		/* the file to load */
	struct config *next;	/* the result, or NULL */
	char *cause;		/* why not */
	struct timeval started;	/* for the log line */
} reload;

/* The loader thread. */
static void *
reload_thread(void *arg)
{
	(void)arg;
	reload.next = load_config(reload.path, &reload.cause);
	malloc_trim(0);	/* what parsing left free goes back to the system */
	if (write(reload.pipe[1], "", 1) != 1)
		abort();	/* a pipe of our own cannot refuse one byte */
	return NULL;
}

/* Starts loading the config in the loader thread. */
static void
reload_start(void)
{
	int err;

	gettimeofday(&reload.started, NULL);
	free(reload.path);
	reload.path = xstrdup(app.cfg->path);
	reload.running = true;
	if ((err = pthread_create(&reload.thread, NULL, reload_thread, NULL)) != 0) {
		log_error("reload: cannot start a thread: %s", strerror(err));
		reload.running = false;
	}
}

/* SIGHUP: load the config again; keep the running one if the new one is bad. */
static void
on_reload(evutil_socket_t sig, short what, void *arg)
{
	(void)sig, (void)what, (void)arg;
	if (reload.running)
		reload.again = true;	/* load once more when this one is done */
	else
		reload_start();
}

/* The loader thread is done: swap the config in, or say why not. */
static void
reload_done(evutil_socket_t fd, short what, void *arg)
{
	struct timeval now, took;
	struct config *next;
	char byte;

	(void)what, (void)arg;
	if (read(fd, &byte, 1) != 1)
		return;
	pthread_join(reload.thread, NULL);
	reload.running = false;
	gettimeofday(&now, NULL);
	timersub(&now, &reload.started, &took);
	next = reload.next;
	reload.next = NULL;
	if (next == NULL) {
		log_error("reload: keeping the running configuration: %s", reload.cause);
		free(reload.cause);
		reload.cause = NULL;
	} else {
		apply_log_level(next);
		config_keep_fixed(next, app.cfg);
		config_unref(app.cfg);
		app.cfg = next;
		forecaster_configure(app.forecaster, app.cfg);	/* the old one goes now */
		malloc_trim(0);	/* and its memory back to the system */
		avail_cache_invalidate_all(app.avail);	/* hours, capacities and rules may differ */
		http_server_configure(app.http, app.cfg);
		if (!ratelimit_configure(app.ratelimit, app.cfg->ratelimit_per_minute / 60.0,
		    (double)app.cfg->ratelimit_burst))
			log_warn("reload: rate limit settings refused; keeping the old ones");
		log_info("reload: configuration loaded in %ld ms: %zu municipalities, %zu offices",
		    (long)(took.tv_sec * 1000 + took.tv_usec / 1000), app.cfg->nmunicipalities,
		    app.cfg->noffices);
	}
	if (reload.again) {
		reload.again = false;
		reload_start();
	}
}

/* Sets up the loader's pipe and its event. */
static void
reload_init(void)
{
	if (pipe(reload.pipe) != 0)
		fatal(EX_OSERR, "cannot make the reload pipe: %s", strerror(errno));
	reload.done_ev = event_new(app.base, reload.pipe[0], EV_READ | EV_PERSIST, reload_done,
	    NULL);
	if (reload.done_ev == NULL || event_add(reload.done_ev, NULL) != 0)
		fatal(EX_OSERR, "cannot watch the reload pipe");
}

/* Waits for a load under way and frees what reloading holds. */
static void
reload_free(void)
{
	if (reload.running) {
		pthread_join(reload.thread, NULL);
		config_unref(reload.next);
		free(reload.cause);
	}
	event_free(reload.done_ev);
	close(reload.pipe[0]);
	close(reload.pipe[1]);
	free(reload.path);
}

/* Periodic housekeeping: expired holds, purges, and vital signs in the log. */
static void
maintenance(evutil_socket_t fd, short what, void *arg)
{
	static unsigned rounds;
	int up, busy, queued;
	uint64_t hits, misses;

	(void)fd, (void)what, (void)arg;
	if (!app.draining) {
		bookings_maintain(&app, rounds % DAILY_JOBS_EVERY == 0);
		capacity_maintain(app.capacity);
		forecaster_maintain(app.forecaster, app.cfg);
	}
	if (!app.draining && rounds % COUNT_CHECK_EVERY == 0)
		bookings_check_counts(&app);
	rounds++;
	(void)ratelimit_sweep(app.ratelimit, clock_monotonic_ms());
	db_stats(app.db, &up, &busy, &queued);
	staff_cache_stats(app.tokens, &hits, &misses);
	log_debug("stats: connections=%d requests=%d db_up=%d db_busy=%d db_queued=%d "
	    "token_cache_hits=%llu token_cache_misses=%llu", http_server_connections(app.http),
	    request_inflight(), up, busy, queued, (unsigned long long)hits,
	    (unsigned long long)misses);
}

/* Runs --migrate. */
static int
run_migrate(void)
{
	char *cause;
	int n = migrate_apply(app.cfg->database_url, &cause);

	if (n < 0) {
		log_error("migrate: %s", cause);
		free(cause);
		return n == MIGRATE_UNREACHABLE ? EX_UNAVAILABLE : EX_DATAERR;
	}
	log_info("migrate: %d applied, schema at version %d", n,
	    migrate_count ? migrate_all[migrate_count - 1].version : 0);
	return EX_OK;
}

/* Runs the daemon until it is told to stop. */
static int
run_daemon(const struct options *o)
{
	struct event *ev_term, *ev_int, *ev_hup, *ev_maint;
	struct timeval every = { MAINTENANCE_S, 0 };
	const char *bad;
	char *cause;

	if (app.cfg->token_key[0] == '\0')
		fatal(EX_USAGE, "security.token_key (or MADOGUCHI_TOKEN_KEY) is not set: it keys "
		    "the hashes of booking tokens; make one with: head -c 32 /dev/urandom | "
		    "od -An -tx1 | tr -d ' \\n'");
	if (!router_validate(api_routes, api_nroutes, &bad))
		fatal(EX_SOFTWARE, "route table: bad pattern '%s'", bad);
	request_set_routes(api_routes, api_nroutes);
	request_set_large_body_route("history_import");
	raise_nofile();
	signal(SIGPIPE, SIG_IGN);
	app.base = event_base_new();
	if (app.base == NULL)
		fatal(EX_OSERR, "cannot create the event loop");
	app.started = time(NULL);
	app.db = db_pool_new(app.base, app.cfg->database_url, (int)app.cfg->db_pool_size,
	    (int)app.cfg->db_connect_timeout_s, (int)app.cfg->db_statement_timeout_s);
	app.tokens = staff_cache_new();	/* before events, which sets it live */
	app.capacity = capacity_new(app.db);
	capacity_reload(app.capacity);
	app.forecaster = forecaster_new(app.base, app.cfg->database_url);
	forecaster_configure(app.forecaster, app.cfg);
	forecaster_maintain(app.forecaster, app.cfg);	/* the first fits, at once */
	app.avail = avail_cache_new(AVAIL_CACHE_BYTES);
	app.events = events_new(&app);
	app.ratelimit = ratelimit_new(app.cfg->ratelimit_per_minute / 60.0,
	    (double)app.cfg->ratelimit_burst, RATELIMIT_CLIENTS);
	if (app.ratelimit == NULL)
		fatal(EX_SOFTWARE, "cannot set up the rate limiter");
	app.http = http_server_new(&app, o->listen, request_dispatch, &cause);
	if (app.http == NULL)
		fatal(EX_UNAVAILABLE, "%s", cause);
	ev_term = evsignal_new(app.base, SIGTERM, on_terminate, NULL);
	ev_int = evsignal_new(app.base, SIGINT, on_terminate, NULL);
	ev_hup = evsignal_new(app.base, SIGHUP, on_reload, NULL);
	reload_init();
	ev_maint = event_new(app.base, -1, EV_PERSIST, maintenance, NULL);
	drain_timer = evtimer_new(app.base, drain_poll, NULL);
	event_add(ev_term, NULL);
	event_add(ev_int, NULL);
	event_add(ev_hup, NULL);
	event_add(ev_maint, &every);
	log_info("madoguchid %s listening on %s with %zu offices", MADOGUCHI_VERSION,
	    o->listen ? o->listen : app.cfg->listen, app.cfg->noffices);
	event_base_dispatch(app.base);

	forecaster_free(app.forecaster);
	http_server_free(app.http);
	db_pool_free(app.db);
	capacity_free(app.capacity);
	events_free(app.events);
	avail_cache_free(app.avail);
	ratelimit_free(app.ratelimit);
	staff_cache_free(app.tokens);
	event_free(ev_term);
	event_free(ev_int);
	event_free(ev_hup);
	reload_free();
	event_free(ev_maint);
	event_free(drain_timer);
	event_base_free(app.base);
	log_info("madoguchid stopped");
	return EX_OK;
}

int
main(int argc, char **argv)
{
	struct options o = { 0 };
	char *cause;
	int rc;

	parse_options(argc, argv, &o);
	if (sodium_init() < 0)
		fatal(EX_SOFTWARE, "libsodium failed to initialize");
	app.cfg = load_config(o.config, &cause);
	if (app.cfg == NULL) {
		fprintf(stderr, "madoguchid: %s\n", cause);
		free(cause);
		return EX_USAGE;
	}
	apply_log_level(app.cfg);
	if (o.check_config) {
		printf("%s: OK (%zu municipalities, %zu offices)\n", o.config,
		    app.cfg->nmunicipalities, app.cfg->noffices);
		config_unref(app.cfg);
		return EX_OK;
	}
	setup_clock();
	if (o.create_token != NULL)
		rc = staff_create_token(app.cfg->database_url, app.cfg->token_key, o.create_token,
		    (const char *const *)o.offices, o.noffices, o.expires_days, app.cfg);
	else if (o.list_tokens)
		rc = staff_list_tokens(app.cfg->database_url);
	else if (o.revoke_token != NULL)
		rc = staff_revoke_token(app.cfg->database_url, o.revoke_token);
	else
		rc = o.migrate ? run_migrate() : run_daemon(&o);
	config_unref(app.cfg);
	return rc;
}
