/*
 * bookload: a load generator for POST /v1/bookings. It asks the daemon which
 * slots of a service are bookable (GET /v1/offices, then availability per
 * office), takes each free place once in a shuffled order, and keeps exactly N
 * keep-alive connections busy booking them until the time or count is up or the
 * places run out. SERVICE may be a comma-separated list; places of all of them
 * are mixed. It prints requests, answers by status, bookings/s and latency
 * percentiles, one "key value" pair a line so a script can read them.
 *
 *   bookload -u http://127.0.0.1:8080 [-c CONNS] [-d SECONDS] [-n COUNT]
 *       [-S SERVICE[,...]] [-f FROM] [-D DAYS] [-a renewal|reissue] [-r SEED] [-L]
 *       [-m OFFICES]
 *
 * -L gives connection i the source address 127.0.0.(i+2), so that a daemon
 * limiting requests per client address sees many residents, not one (loopback
 * targets only). -m books at the first OFFICES offices of GET /v1/offices only
 * (a national configuration has thousands).
 * Build: cc -std=c11 -O2 -o bookload bookload.c \
 *     $(pkg-config --cflags --libs libevent jansson) -lm
 */
#define _DEFAULT_SOURCE

#include <event2/buffer.h>
#include <event2/event.h>
#include <event2/http.h>
#include <jansson.h>
#include <math.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

#define MAX_CONNS 1024
#define MAX_STATUS 600
#define SETUP_TIMEOUT_S 30
#define MAX_SERVICES 8

/* One bookable place: an office, a service and a slot start, as the API writes them. */
struct place {
	char office[64];	/* office id */
	const char *service;	/* service id (one of the load's) */
	char start[32];		/* slot start instant */
};

/* One client connection and the request it has in flight. */
struct conn {
	struct evhttp_connection *evcon;	/* keep-alive connection */
	struct load *load;			/* the run it belongs to */
	double sent;				/* when its request went out (s) */
};

/* The whole run: target, places, results. */
struct load {
	struct event_base *base;	/* the event loop */
	char host[256];			/* daemon host */
	int port;			/* and port */
	char *services[MAX_SERVICES];	/* services to book */
	int nservices;			/* how many */
	const char *applicant;		/* applicant facts (JSON text) */
	struct place *places;		/* bookable places, shuffled */
	size_t nplaces;			/* how many */
	size_t next;			/* next place to book */
	size_t limit;			/* stop after this many requests */
	double deadline;		/* stop sending after this (s) */
	double started, finished;	/* first send, last answer (s) */
	int busy;			/* requests in flight */
	double *latency;		/* latency of each answered request (s) */
	size_t answered;		/* how many */
	size_t status[MAX_STATUS];	/* answers by status; 0 = no answer */
	struct conn conns[MAX_CONNS];	/* the connections */
	int nconns;			/* how many */
	bool spread;			/* one loopback source address per connection */
	size_t max_offices;		/* book at this many offices at most */
};

/* A setup request's answer. */
struct reply {
	struct event_base *base;	/* the loop to stop */
	int status;	/* HTTP status, 0 when none came */
	char *body;	/* its body, NUL-terminated (caller frees) */
};

static const char renewal[] = "{\"birth_date\":\"1980-02-10\","
    "\"card\":{\"issued_on\":\"2022-01-15\"},\"certificates\":{\"issued_on\":\"2023-01-15\"}}";
static const char reissue[] = "{\"birth_date\":\"1990-12-20\","
    "\"card\":{\"issued_on\":\"2021-03-01\"},\"certificates\":{\"issued_on\":\"2021-03-01\"}}";

/* Prints a message and exits; only for start-up errors. */
static void __attribute__((noreturn, format(printf, 1, 2)))
fatal(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	fputs("bookload: ", stderr);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
	va_end(ap);
	exit(1);
}

/* Monotonic time in seconds. */
static double
now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Allocates or exits. */
static void *
xcalloc(size_t n, size_t size)
{
	void *p = calloc(n, size);

	if (p == NULL)
		fatal("out of memory");
	return p;
}

/* Copies a response body into a fresh NUL-terminated string (caller frees). */
static char *
body_text(struct evhttp_request *req)
{
	struct evbuffer *buf = evhttp_request_get_input_buffer(req);
	size_t len = evbuffer_get_length(buf);
	char *s = xcalloc(1, len + 1);

	evbuffer_copyout(buf, s, len);
	return s;
}

/* Ends a setup request: keeps its answer and stops the loop. */
static void
setup_done(struct evhttp_request *req, void *arg)
{
	struct reply *rep = arg;

	rep->status = req ? evhttp_request_get_response_code(req) : 0;
	rep->body = req ? body_text(req) : NULL;
	event_base_loopbreak(rep->base);
}

/* Sends one GET and waits for its answer; exits when none comes or it is not 200. */
static json_t *
get_json(struct load *l, struct evhttp_connection *evcon, const char *path)
{
	struct reply rep = { l->base, 0, NULL };
	struct evhttp_request *req = evhttp_request_new(setup_done, &rep);
	json_error_t err;
	json_t *v;

	evhttp_add_header(evhttp_request_get_output_headers(req), "Host", l->host);
	if (evhttp_make_request(evcon, req, EVHTTP_REQ_GET, path) != 0)
		fatal("GET %s: cannot send", path);
	event_base_dispatch(l->base);
	if (rep.status != 200)
		fatal("GET %s: status %d: %s", path, rep.status, rep.body ? rep.body : "no answer");
	v = json_loads(rep.body, 0, &err);
	if (v == NULL)
		fatal("GET %s: bad JSON: %s", path, err.text);
	free(rep.body);
	return v;
}

/* Appends a place, growing the array. */
static void
place_add(struct load *l, size_t *cap, const char *office, const char *service,
    const char *start)
{
	if (l->nplaces == *cap) {
		*cap = *cap ? *cap * 2 : 1024;
		l->places = realloc(l->places, *cap * sizeof *l->places);
		if (l->places == NULL)
			fatal("out of memory");
	}
	snprintf(l->places[l->nplaces].office, sizeof l->places[0].office, "%s", office);
	snprintf(l->places[l->nplaces].start, sizeof l->places[0].start, "%s", start);
	l->places[l->nplaces].service = service;
	l->nplaces++;
}

/* Adds every free place of the bookable days of one availability answer. */
static void
places_from_days(struct load *l, size_t *cap, const char *office, const char *service,
    json_t *avail)
{
	size_t i, j;
	json_t *day, *slot;

	json_array_foreach(json_object_get(avail, "days"), i, day) {
		if (!json_is_true(json_object_get(day, "bookable")))
			continue;
		json_array_foreach(json_object_get(day, "slots"), j, slot) {
			json_int_t free_places = json_integer_value(json_object_get(slot, "available"));
			const char *start = json_string_value(json_object_get(slot, "start"));
			for (json_int_t k = 0; start != NULL && k < free_places; k++)
				place_add(l, cap, office, service, start);
		}
	}
}

/* Adds days to a YYYY-MM-DD date. */
static void
date_add(const char *from, int days, char out[11])
{
	struct tm tm = { 0 };

	if (sscanf(from, "%d-%d-%d", &tm.tm_year, &tm.tm_mon, &tm.tm_mday) != 3)
		fatal("bad date %s (want YYYY-MM-DD)", from);
	tm.tm_year -= 1900;
	tm.tm_mon -= 1;
	tm.tm_mday += days;
	tm.tm_hour = 12;
	timegm(&tm);
	strftime(out, 11, "%Y-%m-%d", &tm);
}

/* True when an office entry of GET /v1/offices lists service. */
static bool
offers(json_t *office, const char *service)
{
	size_t i;
	json_t *v;

	json_array_foreach(json_object_get(office, "services"), i, v) {
		if (json_is_string(v) && strcmp(json_string_value(v), service) == 0)
			return true;
	}
	return false;
}

/* Collects the places of one office's service, days from from, 93 days a call. */
static void
collect_office(struct load *l, struct evhttp_connection *evcon, size_t *cap, const char *id,
    const char *service, const char *from, int days)
{
	for (int d = 0; d < days; d += 93) {
		char a[11], b[11], path[512];
		json_t *avail;

		date_add(from, d, a);
		date_add(from, (d + 93 < days ? d + 93 : days) - 1, b);
		snprintf(path, sizeof path, "/v1/offices/%s/availability?service=%s&from=%s&to=%s",
		    id, service, a, b);
		avail = get_json(l, evcon, path);
		places_from_days(l, cap, id, service, avail);
		json_decref(avail);
	}
}

/* Collects the bookable places of every service at every office offering it. */
static void
collect_places(struct load *l, const char *from, int days)
{
	struct evhttp_connection *evcon = evhttp_connection_base_new(l->base, NULL, l->host,
	    (unsigned short)l->port);
	json_t *offices, *o;
	size_t i, cap = 0;

	if (evcon == NULL)
		fatal("cannot create a connection");
	evhttp_connection_set_timeout(evcon, SETUP_TIMEOUT_S);
	offices = get_json(l, evcon, "/v1/offices");
	json_array_foreach(json_object_get(offices, "offices"), i, o) {
		const char *id = json_string_value(json_object_get(o, "id"));
		if (i >= l->max_offices)
			break;
		for (int k = 0; id != NULL && k < l->nservices; k++) {
			if (offers(o, l->services[k]))
				collect_office(l, evcon, &cap, id, l->services[k], from, days);
		}
	}
	json_decref(offices);
	evhttp_connection_free(evcon);
}

/* Shuffles the places (Fisher-Yates), so concurrent requests rarely share a slot. */
static void
shuffle_places(struct load *l, unsigned seed)
{
	srand(seed);
	for (size_t i = l->nplaces; i > 1; i--) {
		size_t j = (size_t)(((double)rand() / ((double)RAND_MAX + 1)) * (double)i);
		struct place t = l->places[i - 1];
		l->places[i - 1] = l->places[j];
		l->places[j] = t;
	}
}

static void conn_send(struct conn *c);

/* A booking's answer arrived (or the connection failed): record it, send the next. */
static void
booking_done(struct evhttp_request *req, void *arg)
{
	struct conn *c = arg;
	struct load *l = c->load;
	double t = now_s();
	int status = req ? evhttp_request_get_response_code(req) : 0;

	if (status < 0 || status >= MAX_STATUS)
		status = 0;
	l->status[status]++;
	l->latency[l->answered++] = t - c->sent;
	l->finished = t;
	l->busy--;
	conn_send(c);
	if (l->busy == 0)
		event_base_loopbreak(l->base);
}

/* Sends the next booking on a connection, unless the run is over. */
static void
conn_send(struct conn *c)
{
	struct load *l = c->load;
	struct evhttp_request *req;
	const struct place *p;
	char body[1024];
	int n;

	if (l->next >= l->nplaces || l->next >= l->limit || now_s() >= l->deadline)
		return;
	p = &l->places[l->next++];
	/* Each booking a resident of its own, as the per-contact limit expects. */
	n = snprintf(body, sizeof body, "{\"office\":\"%s\",\"service\":\"%s\",\"start\":\"%s\","
	    "\"applicant\":%s,\"contact\":{\"name\":\"Bench\",\"email\":\"bench%zu@example.jp\"}}",
	    p->office, p->service, p->start, l->applicant, l->next);
	req = evhttp_request_new(booking_done, c);
	evhttp_add_header(evhttp_request_get_output_headers(req), "Host", l->host);
	evhttp_add_header(evhttp_request_get_output_headers(req), "Content-Type",
	    "application/json");
	evbuffer_add(evhttp_request_get_output_buffer(req), body, (size_t)n);
	c->sent = now_s();
	if (evhttp_make_request(c->evcon, req, EVHTTP_REQ_POST, "/v1/bookings") != 0) {
		l->status[0]++;		/* counted as no answer; this connection stops */
		return;
	}
	l->busy++;
}

/* Compares latencies for qsort. */
static int
dbl_cmp(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

/* The q-quantile of sorted latencies, in milliseconds (nearest rank). */
static double
quantile_ms(const double *v, size_t n, double q)
{
	size_t i;

	if (n == 0)
		return 0;
	i = (size_t)ceil(q * (double)n);
	i = i < 1 ? 1 : i > n ? n : i;
	return v[i - 1] * 1000;
}

/* Prints the results, one "key value" pair a line. */
static void
report(struct load *l)
{
	double wall = l->finished - l->started;
	struct rusage ru;

	qsort(l->latency, l->answered, sizeof *l->latency, dbl_cmp);
	getrusage(RUSAGE_SELF, &ru);
	printf("places %zu\nconnections %d\nrequests %zu\nwall_s %.3f\n", l->nplaces, l->nconns,
	    l->answered, wall);
	for (int s = 0; s < MAX_STATUS; s++) {
		if (l->status[s] != 0)
			printf("status_%d %zu\n", s, l->status[s]);
	}
	printf("bookings_per_s %.1f\nrequests_per_s %.1f\n", wall > 0 ? l->status[201] / wall : 0,
	    wall > 0 ? l->answered / wall : 0);
	printf("p50_ms %.2f\np90_ms %.2f\np99_ms %.2f\nmax_ms %.2f\n",
	    quantile_ms(l->latency, l->answered, 0.50), quantile_ms(l->latency, l->answered, 0.90),
	    quantile_ms(l->latency, l->answered, 0.99), quantile_ms(l->latency, l->answered, 1));
	printf("bookload_cpu_s %.2f\n", (double)(ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) +
	    (double)(ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) / 1e6);
}

/* Splits http://HOST:PORT into the load's host and port. */
static void
parse_url(struct load *l, const char *url)
{
	struct evhttp_uri *u = evhttp_uri_parse(url);

	if (u == NULL || evhttp_uri_get_host(u) == NULL)
		fatal("bad URL %s (want http://HOST:PORT)", url);
	snprintf(l->host, sizeof l->host, "%s", evhttp_uri_get_host(u));
	l->port = evhttp_uri_get_port(u) > 0 ? evhttp_uri_get_port(u) : 80;
	evhttp_uri_free(u);
}

/* Splits a comma-separated service list into the load's services. */
static void
parse_services(struct load *l, const char *list)
{
	const char *p = list;

	while (*p != '\0') {
		size_t n = strcspn(p, ",");
		if (n == 0 || n > 40 || l->nservices == MAX_SERVICES)
			fatal("bad service list %s", list);
		l->services[l->nservices] = xcalloc(1, n + 1);
		memcpy(l->services[l->nservices++], p, n);
		p += n + (p[n] == ',');
	}
	if (l->nservices == 0)
		fatal("no service given");
}

/* Opens the connections and runs until the time, count or places are used up. */
static void
run(struct load *l, double seconds)
{
	l->latency = xcalloc(l->nplaces + 1, sizeof *l->latency);
	for (int i = 0; i < l->nconns; i++) {
		struct conn *c = &l->conns[i];
		c->load = l;
		c->evcon = evhttp_connection_base_new(l->base, NULL, l->host, (unsigned short)l->port);
		if (c->evcon == NULL)
			fatal("cannot create a connection");
		evhttp_connection_set_timeout(c->evcon, SETUP_TIMEOUT_S);
		if (l->spread) {
			char addr[16];
			snprintf(addr, sizeof addr, "127.0.%d.%d", (i + 2) / 256, (i + 2) % 256);
			evhttp_connection_set_local_address(c->evcon, addr);
		}
	}
	l->started = l->finished = now_s();
	l->deadline = l->started + seconds;
	for (int i = 0; i < l->nconns; i++)
		conn_send(&l->conns[i]);
	if (l->busy > 0)
		event_base_dispatch(l->base);
	for (int i = 0; i < l->nconns; i++)
		evhttp_connection_free(l->conns[i].evcon);
}

/* Prints usage and exits 64. */
static void __attribute__((noreturn))
usage(void)
{
	fputs("usage: bookload -u http://HOST:PORT [-c CONNS] [-d SECONDS] [-n COUNT]\n"
	    "    [-S SERVICE[,...]] [-f FROM] [-D DAYS] [-a renewal|reissue] [-r SEED] [-L]\n"
	    "    [-m OFFICES]\n",
	    stderr);
	exit(64);
}

int
main(int argc, char **argv)
{
	static struct load l;
	const char *url = NULL, *from = "2026-12-01", *services = "ecert_renewal";
	double seconds = 10;
	int days = 60, opt;
	unsigned seed = 1;

	l.applicant = renewal;
	l.nconns = 32;
	l.limit = SIZE_MAX;
	l.max_offices = SIZE_MAX;
	while ((opt = getopt(argc, argv, "u:c:d:n:S:f:D:a:r:Lm:")) != -1) {
		switch (opt) {
		case 'u': url = optarg; break;
		case 'c': l.nconns = atoi(optarg); break;
		case 'd': seconds = atof(optarg); break;
		case 'n': l.limit = (size_t)strtoull(optarg, NULL, 10); break;
		case 'S': services = optarg; break;
		case 'f': from = optarg; break;
		case 'D': days = atoi(optarg); break;
		case 'a': l.applicant = strcmp(optarg, "reissue") == 0 ? reissue : renewal; break;
		case 'r': seed = (unsigned)strtoul(optarg, NULL, 10); break;
		case 'L': l.spread = true; break;
		case 'm': l.max_offices = (size_t)strtoull(optarg, NULL, 10); break;
		default: usage();
		}
	}
	if (url == NULL || l.nconns < 1 || l.nconns > MAX_CONNS || days < 1 || seconds <= 0)
		usage();
	parse_url(&l, url);
	parse_services(&l, services);
	if ((l.base = event_base_new()) == NULL)
		fatal("cannot start libevent");
	collect_places(&l, from, days);
	if (l.nplaces == 0)
		fatal("no bookable places of %s from %s for %d days", services, from, days);
	shuffle_places(&l, seed);
	run(&l, seconds);
	report(&l);
	if (l.next >= l.nplaces && l.nplaces < l.limit)
		fprintf(stderr, "bookload: every place was used before the time was up\n");
	event_base_free(l.base);
	for (int k = 0; k < l.nservices; k++)
		free(l.services[k]);
	free(l.latency);
	free(l.places);
	return 0;
}
