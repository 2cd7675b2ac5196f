/*
 * Load generator for bench/integrity.sh: CLIENTS threads for SECONDS of mixed
 * bookings (some through holds), holds, reschedules, cancels, walk-in tickets
 * and calls at the counters, all on a small pool of slots so that moves cross
 * each other, against two daemons (a client switches daemon when one does not
 * answer). Every booking carries an Idempotency-Key and is sent again with the
 * same key until it gets a definite answer, so a 201 lost with a killed daemon
 * is recovered by its replay. Writes the references answered 201 to OUT and a
 * summary line of counts to stdout; exits 1 on any 5xx other than 503.
 *
 *   integrity PORT1 PORT2 SECONDS CLIENTS STAFF_TOKEN OUT
 */
#include <arpa/inet.h>
#include <errno.h>
#include <jansson.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

#define SLOTS 24		/* the pool: 30-minute slots of 2026-12-16 and 17 */
#define MINE 8			/* bookings a client keeps track of */
#define BODY_MAX 65536

static int ports[2];
static double deadline;
static const char *staff;
static FILE *out;
static pthread_mutex_t out_lock = PTHREAD_MUTEX_INITIALIZER;

/* Answers by kind. */
static atomic_long n_req, n_201, n_200, n_4xx, n_503, n_5xx, n_down, n_replayed, n_unresolved;

/* Seconds since the epoch, as a double. */
static double
now_s(void)
{
	struct timeval tv;

	gettimeofday(&tv, NULL);
	return tv.tv_sec + tv.tv_usec / 1e6;
}

/* The start of pool slot i. */
static void
slot_start(int i, char out_[32])
{
	int day = 16 + i / 12, minute = 9 * 60 + (i % 12) * 30;

	snprintf(out_, 32, "2026-12-%02dT%02d:%02d:00+09:00", day, minute / 60, minute % 60);
}

/*
 * One HTTP exchange on a new connection; returns the status (0 when the daemon
 * could not be reached or did not answer) and copies the body.
 */
static int
http(int port, const char *method, const char *path, const char *headers, const char *body,
    char *resp, size_t cap)
{
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_port = htons((uint16_t)port) };
	struct timeval tv = { 10, 0 };
	char req[8192];
	size_t got = 0;
	int fd, n, status = 0;
	char *sep;

	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	resp[0] = '\0';
	if ((fd = socket(AF_INET, SOCK_STREAM, 0)) < 0)
		return 0;
	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
	if (connect(fd, (struct sockaddr *)&a, sizeof a) != 0) {
		close(fd);
		return 0;
	}
	n = snprintf(req, sizeof req, "%s %s HTTP/1.1\r\nHost: x\r\nConnection: close\r\n%s"
	    "Content-Type: application/json\r\nContent-Length: %zu\r\n\r\n%s", method, path,
	    headers ? headers : "", body ? strlen(body) : 0, body ? body : "");
	if (write(fd, req, (size_t)n) != n) {
		close(fd);
		return 0;
	}
	while (got + 1 < cap) {
		ssize_t r = read(fd, resp + got, cap - got - 1);
		if (r <= 0)
			break;
		got += (size_t)r;
	}
	resp[got] = '\0';
	close(fd);
	if (got < 12 || sscanf(resp, "HTTP/1.1 %d", &status) != 1)
		return 0;
	if ((sep = strstr(resp, "\r\n\r\n")) != NULL)
		memmove(resp, sep + 4, strlen(sep + 4) + 1);
	return status;
}

/* Counts an answer; a 5xx other than 503 is a failure worth a line. */
static void
tally(int status, const char *what, const char *body)
{
	n_req++;
	if (status == 0)
		n_down++;
	else if (status == 201)
		n_201++;
	else if (status == 200 || status == 204)
		n_200++;
	else if (status == 503)
		n_503++;
	else if (status >= 500) {
		n_5xx++;
		fprintf(stderr, "integrity: %s answered %d: %.200s\n", what, status, body);
	} else
		n_4xx++;
}

/* What one client knows of its bookings. */
struct client {
	int id;				/* thread number */
	int port;			/* the daemon it talks to now */
	unsigned seed;			/* its random numbers */
	long seq;			/* for its Idempotency-Keys */
	char ref[MINE][16];		/* references answered 201 ("" when free) */
	char token[MINE][64];		/* and their tokens */
};

/* Sends a request, switching daemon once when this one does not answer. */
static int
send_any(struct client *c, const char *method, const char *path, const char *headers,
    const char *body, char *resp)
{
	int st = http(c->port, method, path, headers, body, resp, BODY_MAX);

	if (st == 0) {
		c->port = c->port == ports[0] ? ports[1] : ports[0];
		st = http(c->port, method, path, headers, body, resp, BODY_MAX);
	}
	return st;
}

/* Remembers a booking answered 201, and writes its reference out. */
static void
keep(struct client *c, const char *resp)
{
	json_t *j = json_loads(resp, 0, NULL);
	const char *ref = json_string_value(json_object_get(j, "reference"));
	const char *tok = json_string_value(json_object_get(j, "token"));
	int slot = rand_r(&c->seed) % MINE;

	if (ref != NULL && tok != NULL) {
		pthread_mutex_lock(&out_lock);
		fprintf(out, "%s\n", ref);
		pthread_mutex_unlock(&out_lock);
		snprintf(c->ref[slot], sizeof c->ref[slot], "%s", ref);
		snprintf(c->token[slot], sizeof c->token[slot], "%s", tok);
	}
	json_decref(j);
}

/* Books a pool slot (through a hold half the time) until the answer is definite. */
static void
book(struct client *c, char *resp)
{
	char start[32], body[2048], headers[160], hold[160] = "";
	int st, tries = 0;

	slot_start(rand_r(&c->seed) % SLOTS, start);
	if (rand_r(&c->seed) % 2) {
		snprintf(body, sizeof body, "{\"office\":\"it-main\",\"service\":\"ecert_renewal\","
		    "\"start\":\"%s\"}", start);
		st = send_any(c, "POST", "/v1/holds", NULL, body, resp);
		tally(st, "hold", resp);
		if (st == 201) {
			json_t *j = json_loads(resp, 0, NULL);
			snprintf(hold, sizeof hold, ",\"hold\":\"%s\"",
			    json_string_value(json_object_get(j, "hold")));
			json_decref(j);
		}
	}
	snprintf(body, sizeof body, "{\"office\":\"it-main\",\"service\":\"ecert_renewal\","
	    "\"start\":\"%s\",\"applicant\":{\"birth_date\":\"1980-02-10\",\"card\":{\"issued_on\":"
	    "\"2022-03-01\"},\"certificates\":{\"issued_on\":\"2022-03-01\"}},\"contact\":"
	    "{\"name\":\"Load\",\"email\":\"c%d-%ld@example.jp\"}%s}", start, c->id, c->seq, hold);
	snprintf(headers, sizeof headers, "Idempotency-Key: it-%d-%ld\r\n", c->id, c->seq);
	c->seq++;
	for (;;) {
		st = send_any(c, "POST", "/v1/bookings", headers, body, resp);
		tally(st, "booking", resp);
		if (st != 0 && st != 503)
			break;
		if (++tries > 60) {
			n_unresolved++;
			fprintf(stderr, "integrity: booking %s left unresolved\n", headers);
			return;
		}
		n_replayed++;
		usleep(250000);		/* the outage: the same key again */
	}
	if (st == 201)
		keep(c, resp);
}

/* Moves or cancels one of the client's bookings. */
static void
change(struct client *c, bool cancel, char *resp)
{
	int i = rand_r(&c->seed) % MINE, st;
	char path[64], headers[128], body[128], start[32];

	if (c->ref[i][0] == '\0')
		return;
	snprintf(headers, sizeof headers, "Authorization: Bearer %s\r\n", c->token[i]);
	if (cancel) {
		snprintf(path, sizeof path, "/v1/bookings/%s", c->ref[i]);
		st = send_any(c, "DELETE", path, headers, NULL, resp);
		tally(st, "cancel", resp);
		if (st == 200 || st == 409)
			c->ref[i][0] = '\0';
		return;
	}
	slot_start(rand_r(&c->seed) % SLOTS, start);
	snprintf(path, sizeof path, "/v1/bookings/%s/reschedule", c->ref[i]);
	snprintf(body, sizeof body, "{\"start\":\"%s\"}", start);
	st = send_any(c, "POST", path, headers, body, resp);
	tally(st, "reschedule", resp);
}

/* A walk-in ticket, or a call at counter 1 or 2. */
static void
queue(struct client *c, char *resp)
{
	char headers[160], path[96];
	int st;

	snprintf(headers, sizeof headers, "Authorization: Bearer %s\r\n", staff);
	if (rand_r(&c->seed) % 2) {
		st = send_any(c, "POST", "/v1/offices/it-main/tickets", headers,
		    "{\"service\":\"ecert_renewal\"}", resp);
		tally(st, "ticket", resp);
		return;
	}
	snprintf(path, sizeof path, "/v1/offices/it-main/counters/%d/next",
	    1 + rand_r(&c->seed) % 2);
	st = send_any(c, "POST", path, headers, NULL, resp);
	tally(st, "next", resp);
}

/* One client's loop. */
static void *
run(void *arg)
{
	struct client *c = arg;
	char *resp = malloc(BODY_MAX);

	while (now_s() < deadline) {
		int op = rand_r(&c->seed) % 100;

		if (op < 40)
			book(c, resp);
		else if (op < 70)
			change(c, false, resp);
		else if (op < 82)
			change(c, true, resp);
		else
			queue(c, resp);
	}
	free(resp);
	return NULL;
}

int
main(int argc, char **argv)
{
	int clients;
	pthread_t *t;
	struct client *cs;

	if (argc != 7) {
		fprintf(stderr, "usage: integrity PORT1 PORT2 SECONDS CLIENTS STAFF_TOKEN OUT\n");
		return 2;
	}
	ports[0] = atoi(argv[1]);
	ports[1] = atoi(argv[2]);
	deadline = now_s() + atof(argv[3]);
	clients = atoi(argv[4]);
	staff = argv[5];
	if ((out = fopen(argv[6], "w")) == NULL) {
		perror(argv[6]);
		return 2;
	}
	t = calloc((size_t)clients, sizeof *t);
	cs = calloc((size_t)clients, sizeof *cs);
	for (int i = 0; i < clients; i++) {
		cs[i].id = i;
		cs[i].port = ports[i % 2];
		cs[i].seed = (unsigned)(i * 7919 + 17);
		pthread_create(&t[i], NULL, run, &cs[i]);
	}
	for (int i = 0; i < clients; i++)
		pthread_join(t[i], NULL);
	fclose(out);
	printf("requests %ld: 201 %ld, 200/204 %ld, 4xx %ld, 503 %ld, other 5xx %ld, "
	    "unreachable %ld; bookings sent again with their key %ld, unresolved %ld\n",
	    (long)n_req, (long)n_201, (long)n_200, (long)n_4xx, (long)n_503, (long)n_5xx,
	    (long)n_down, (long)n_replayed, (long)n_unresolved);
	free(t);
	free(cs);
	return n_5xx == 0 && n_unresolved == 0 ? 0 : 1;
}
