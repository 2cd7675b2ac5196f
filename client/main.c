/*
 * madoguchi: the counter and kiosk client. Prints queue tickets (text or
 * ESC/POS), shows the queue, calls numbers for staff, and books for residents.
 * Each command is one function; errors are one line on stderr and a sysexits
 * code (see madoguchi(1)).
 */
#include "booking.h"
#include "buf.h"
#include "http.h"
#include "lang.h"
#include "output.h"
#include "queue.h"
#include "sse.h"
#include "ticket.h"

#include <ctype.h>
#include <errno.h>
#include <getopt.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sysexits.h>
#include <time.h>
#include <unistd.h>

#define DEFAULT_URL "http://127.0.0.1:8080"
#define RETRY_MS_DEFAULT 3000L

/* The options, as bits, so each command can say which it takes. */
enum opt {
	O_SERVER = 1 << 0, O_OFFICE = 1 << 1, O_SERVICE = 1 << 2, O_BOOKING = 1 << 3,
	O_BOOKING_TOKEN = 1 << 4, O_LANG = 1 << 5, O_FORMAT = 1 << 6, O_OUTPUT = 1 << 7,
	O_PAPER = 1 << 8, O_WATCH = 1 << 9, O_COUNT = 1 << 10, O_COUNTER = 1 << 11,
	O_TICKET = 1 << 12, O_FROM = 1 << 13, O_TO = 1 << 14, O_START = 1 << 15,
	O_APPLICANT = 1 << 16, O_BIRTH = 1 << 17, O_CARD = 1 << 18, O_CERT = 1 << 19,
	O_ATTENDEE = 1 << 20, O_NAME = 1 << 21, O_EMAIL = 1 << 22, O_PHONE = 1 << 23,
	O_FIRST_VISIT = 1 << 24, O_VISIT_DATE = 1 << 25,
};
#define NOPTS 26	/* the bits above */

/* What the command line and the environment said. */
struct opts {
	unsigned given;			/* enum opt bits seen */
	const char *command;		/* the command's name */
	const char *server;		/* base URL */
	const char *token;		/* MADOGUCHI_TOKEN: kiosk or staff */
	const char *booking_token;	/* --booking-token or MADOGUCHI_BOOKING_TOKEN */
	const char *office, *service, *booking, *output, *from, *to, *start;
	const char *applicant, *birth, *card, *cert, *attendee, *name, *email, *phone;
	const char *first_visit, *visit_date;
	enum lang lang;			/* --lang */
	enum ticket_format format;	/* --format */
	int paper;			/* --paper: 58 or 80 */
	long count;			/* --count: redraws before --watch ends (0: never) */
	long counter;			/* --counter */
	const char *ticket;		/* --ticket or the argument */
	char **args;			/* the arguments after the options */
	int nargs;
};

/* A running command. */
struct ctx {
	struct opts o;			/* its options */
	struct http_client http;	/* the server */
};

/* One command. */
struct command {
	const char *name;		/* as typed */
	int (*run)(struct ctx *c);	/* returns the exit status */
	unsigned takes;			/* the options it accepts (besides --server, --lang) */
	int nargs;			/* arguments it needs (-1: any) */
};

/* Prints "madoguchi: " and the message; returns code. */
static int __attribute__((format(printf, 2, 3)))
fail(int code, const char *fmt, ...)
{
	va_list ap;

	fputs("madoguchi: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	return code;
}

/* Reports a refused request (its problem detail) and returns its exit code. */
static int
fail_answer(const struct http_resp *r)
{
	char *msg = http_problem_message(r);
	int code = fail(http_exit_code(r->status), "%s", msg);

	free(msg);
	return code;
}

/*
 * Sends a request and checks its status is want (or, for want 200, also 204).
 * Returns 0, or the exit code after saying what went wrong; resp is freed then.
 */
static int
request(struct ctx *c, const char *method, const char *path, const json_t *body,
    const char *token, long want, struct http_resp *resp)
{
	char *cause = NULL;
	int code;

	if (http_call(&c->http, method, path, body, token, resp, &cause) != 0) {
		code = fail(EX_UNAVAILABLE, "%s", cause);
		free(cause);
		return code;
	}
	if (resp->status == want || (want == 200 && resp->status == 204))
		return 0;
	code = resp->status >= 200 && resp->status < 300 ? fail(EX_PROTOCOL,
	    "the server answered HTTP %ld where %ld was expected", resp->status, want) :
	    fail_answer(resp);
	http_resp_free(resp);
	return code;
}

/* Writes text to stdout; returns the exit status. */
static int
print(const struct buf *b)
{
	if (fwrite(buf_str(b), 1, b->len, stdout) != b->len || fflush(stdout) != 0)
		return fail(EX_IOERR, "cannot write the output: %s", strerror(errno));
	return EX_OK;
}

/* A path from a template whose %s are filled with escaped segments (caller frees). */
static char *
path_of(const char *tmpl, const char *a, const char *b)
{
	char *ea = http_escape(a ? a : ""), *eb = http_escape(b ? b : "");
	struct buf p = { 0 };
	int used = 0;

	for (const char *s = tmpl; *s; s++) {
		if (s[0] == '%' && s[1] == 's') {
			buf_puts(&p, used++ == 0 ? ea : eb);
			s++;
		} else {
			buf_addc(&p, (unsigned char)*s);
		}
	}
	free(ea), free(eb);
	return buf_take(&p);
}

/* The staff or kiosk token, or NULL after saying it is missing. */
static const char *
need_token(struct ctx *c, const char *what)
{
	if (c->o.token == NULL)
		fail(EX_NOPERM, "MADOGUCHI_TOKEN is not set: %s needs a %s token (mds_...)",
		    c->o.command, what);
	return c->o.token;
}

/* The office as GET /v1/offices lists it (a new reference), or NULL. */
static json_t *
office_lookup(struct ctx *c, const char *id)
{
	struct http_resp r;
	const json_t *o;
	json_t *found = NULL;
	char *cause = NULL;
	size_t i;

	if (http_call(&c->http, "GET", "/v1/offices", NULL, NULL, &r, &cause) != 0) {
		free(cause);
		return NULL;
	}
	json_array_foreach(json_object_get(r.json, "offices"), i, o) {
		if (found == NULL && json_is_string(json_object_get(o, "id")) &&
		    strcmp(json_string_value(json_object_get(o, "id")), id) == 0)
			found = json_incref((json_t *)o);
	}
	http_resp_free(&r);
	return found;
}

/*
 * Adds "office_name" and "service_name" in the chosen language to an answer
 * that names an office and service by id, from GET /v1/offices; leaves the ids
 * alone when the list cannot be read.
 */
static void
add_names(struct ctx *c, json_t *answer)
{
	const char *id = json_string_value(json_object_get(answer, "office"));
	const char *svc = json_string_value(json_object_get(answer, "service"));
	/* A booking shows in the language it was made in; anything else in --lang. */
	const char *lang = json_string_value(json_object_get(answer, "language"));
	json_t *office;
	const char *name;

	if (lang == NULL || (strcmp(lang, "en") != 0 && strcmp(lang, "ja") != 0))
		lang = c->o.lang == LANG_EN ? "en" : "ja";
	if (id == NULL || (office = office_lookup(c, id)) == NULL)
		return;
	name = json_string_value(json_object_get(json_object_get(office, "names"), lang));
	if (name != NULL)
		json_object_set_new(answer, "office_name", json_string(name));
	name = svc == NULL ? NULL : json_string_value(json_object_get(json_object_get(
	    json_object_get(office, "service_names"), svc), lang));
	if (name != NULL)
		json_object_set_new(answer, "service_name", json_string(name));
	json_decref(office);
}

/*
 * The booking of a check-in, for its documents: read with the booking's token,
 * or else the staff token (staff of the office may read its bookings). NULL
 * (with a warning) when unreadable.
 */
static json_t *
booking_lookup(struct ctx *c, const char *ref)
{
	const char *token = c->o.booking_token ? c->o.booking_token : c->o.token;
	struct http_resp r;
	char *path, *cause = NULL, *msg;
	json_t *b = NULL;

	if (token == NULL)
		return NULL;
	path = path_of("/v1/bookings/%s", ref, NULL);
	if (http_call(&c->http, "GET", path, NULL, token, &r, &cause) == 0 &&
	    r.status == 200) {
		b = json_incref(r.json);
	} else {
		msg = cause != NULL ? cause : http_problem_message(&r);
		cause = NULL;
		fprintf(stderr, "madoguchi: warning: the booking's documents could not be read: "
		    "%s\n", msg);
		free(msg);
	}
	http_resp_free(&r);
	free(path);
	free(cause);
	return b;
}

/* Upper-cases a booking reference for printing. */
static void
upper(char *s)
{
	for (; *s; s++)
		*s = (char)toupper((unsigned char)*s);
}

/* Renders an issued ticket and writes it to out. */
static int
ticket_print(struct ctx *c, const json_t *ticket, FILE *out, const char *path)
{
	const char *public_url = getenv("MADOGUCHI_PUBLIC_URL");
	struct ticket_options topt = { c->o.lang, c->o.format, c->o.paper,
		public_url && *public_url ? public_url : NULL };
	json_t *office = office_lookup(c, c->o.office);
	json_t *booking = c->o.booking ? booking_lookup(c, c->o.booking) : NULL;
	char *ref = c->o.booking ? strdup(c->o.booking) : NULL, *cause = NULL;
	struct ticket_input in = { ticket, office, booking, ref };
	struct buf b = { 0 };
	int rc = EX_OK;

	if (ref != NULL)
		upper(ref);
	if (ticket_render(&in, &topt, &b, &cause) != 0)
		rc = fail(EX_PROTOCOL, "%s", cause);
	else if (fwrite(buf_str(&b), 1, b.len, out) != b.len || fflush(out) != 0)
		rc = fail(EX_IOERR, "cannot write the ticket to %s: %s", path, strerror(errno));
	free(cause), free(ref);
	json_decref(office), json_decref(booking);
	buf_free(&b);
	return rc;
}

/* madoguchi ticket: checks in or takes a walk-in number, and prints the ticket. */
static int
cmd_ticket(struct ctx *c)
{
	const char *token = need_token(c, "kiosk or staff");
	const char *path_out = c->o.output ? c->o.output : "standard output";
	json_t *body;
	struct http_resp r;
	char *path;
	struct output out;
	int rc;

	if (token == NULL)
		return EX_NOPERM;
	if ((c->o.service == NULL) == (c->o.booking == NULL))
		return fail(EX_USAGE, "ticket needs either --service (a walk-in) or --booking REF");
	/* Open the printer first: a number nobody can print is a number lost. */
	if (output_open(&out, c->o.output) != 0)
		return fail(EX_CANTCREAT, "cannot open %s: %s", c->o.output, strerror(errno));
	body = c->o.booking ? json_pack("{s:s}", "booking", c->o.booking) :
	    json_pack("{s:s}", "service", c->o.service);
	path = path_of("/v1/offices/%s/tickets", c->o.office, NULL);
	rc = request(c, "POST", path, body, token, 201, &r);
	if (rc == 0) {
		rc = ticket_print(c, r.json, out.fp, path_out);
		http_resp_free(&r);
	}
	if (rc != 0)
		output_abort(&out);
	else if (output_commit(&out) != 0)
		rc = fail(EX_IOERR, "cannot write the ticket to %s: %s", path_out, strerror(errno));
	json_decref(body);
	free(path);
	return rc;
}

/* Fetches and prints the queue once; clear first when drawing over a terminal. */
static int
queue_show(struct ctx *c, bool clear)
{
	char *path = path_of("/v1/offices/%s/queue", c->o.office, NULL), *cause = NULL;
	struct http_resp r;
	struct buf b = { 0 };
	int rc = request(c, "GET", path, NULL, NULL, 200, &r);

	free(path);
	if (rc != 0)
		return rc;
	if (clear)
		buf_puts(&b, "\033[H\033[2J");
	if (queue_render(r.json, c->o.lang, &b, &cause) != 0)
		rc = fail(EX_PROTOCOL, "%s", cause);
	else
		rc = print(&b);
	free(cause);
	buf_free(&b);
	http_resp_free(&r);
	return rc;
}

/* A --watch in progress. */
struct watch {
	struct ctx *c;		/* the command */
	struct sse sse;		/* the stream's parser */
	bool connected;		/* bytes arrived on this connection */
	bool ever;		/* a connection ever worked */
	bool stop;		/* done: --count reached or a fatal answer */
	long draws;		/* views drawn */
	int rc;			/* exit status when stopping */
};

/* Draws the view again, and stops after --count views. */
static void
watch_draw(struct watch *w)
{
	bool tty = isatty(STDOUT_FILENO);

	if (!tty && w->draws > 0)
		fputs("\n", stdout);
	w->rc = queue_show(w->c, tty);
	w->draws++;
	if ((w->c->o.count > 0 && w->draws >= w->c->o.count) || w->rc == EX_NOINPUT ||
	    w->rc == EX_IOERR)
		w->stop = true;
}

/* An event arrived: whatever it was, the queue changed. */
static void
watch_event(void *arg, const char *type, const char *data)
{
	(void)type, (void)data;
	if (!((struct watch *)arg)->stop)
		watch_draw(arg);
}

/* Stream bytes arrived; the first of a connection draws the view. */
static bool
watch_chunk(void *arg, const char *p, size_t n)
{
	struct watch *w = arg;

	if (!w->connected) {
		w->connected = w->ever = true;
		watch_draw(w);
	}
	if (!w->stop)
		sse_feed(&w->sse, p, n);
	return !w->stop;
}

/* Sleeps for ms milliseconds. */
static void
sleep_ms(long ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };

	while (nanosleep(&ts, &ts) != 0 && errno == EINTR)
		;
}

/* madoguchi queue --watch: follows the office's event stream, redrawing on each event. */
static int
queue_watch(struct ctx *c)
{
	char *path = path_of("/v1/offices/%s/events", c->o.office, NULL);
	struct watch w = { .c = c };
	struct http_resp r;

	while (!w.stop) {
		char *cause = NULL;
		int rc;

		sse_init(&w.sse, watch_event, &w);
		w.connected = false;
		rc = http_stream(&c->http, path, watch_chunk, &w, &r, &cause);
		if (rc != 0 && !w.ever) {
			w.rc = fail(EX_UNAVAILABLE, "%s", cause);
			w.stop = true;
		} else if (rc == 0 && r.status != 200) {
			w.rc = fail_answer(&r);
			w.stop = true;
		} else if (!w.stop) {
			fprintf(stderr, "madoguchi: the event stream ended (%s); reconnecting\n",
			    cause ? cause : "closed by the server");
			sleep_ms(w.sse.retry_ms > 0 ? w.sse.retry_ms : RETRY_MS_DEFAULT);
		}
		free(cause);
		http_resp_free(&r);
		sse_free(&w.sse);
	}
	free(path);
	return w.rc;
}

/* madoguchi queue: the waiting counts, expected waits and flags per service. */
static int
cmd_queue(struct ctx *c)
{
	if (c->o.given & O_WATCH)
		return queue_watch(c);
	return queue_show(c, false);
}

/* madoguchi call: calls the next ticket to a counter. */
static int
cmd_call(struct ctx *c)
{
	const char *token = need_token(c, "staff");
	char counter[24], *path;
	struct http_resp r;
	int rc;

	if (token == NULL)
		return EX_NOPERM;
	snprintf(counter, sizeof counter, "%ld", c->o.counter);
	path = path_of("/v1/offices/%s/counters/%s/next", c->o.office, counter);
	rc = request(c, "POST", path, NULL, token, 200, &r);
	free(path);
	if (rc != 0)
		return rc;
	if (r.status == 204)
		printf("%s\n", c->o.lang == LANG_EN ? "Nobody is waiting." : "お待ちの方はいません。");
	else if (c->o.lang == LANG_EN)
		printf("%s to counter %ld (ticket %lld)\n", json_string_value(json_object_get(r.json,
		    "number")), c->o.counter,
		    (long long)json_integer_value(json_object_get(r.json, "ticket")));
	else
		printf("%s を %ld番窓口へ (ticket %lld)\n", json_string_value(json_object_get(r.json,
		    "number")), c->o.counter,
		    (long long)json_integer_value(json_object_get(r.json, "ticket")));
	http_resp_free(&r);
	return fflush(stdout) == 0 ? EX_OK : EX_IOERR;
}

/*
 * recall, done, no-show: a state change of the ticket given by id; ja and en
 * say what happened, after the ticket's number.
 */
static int
ticket_change(struct ctx *c, const char *action, const char *ja, const char *en)
{
	const char *token = need_token(c, "staff");
	const char *id = c->o.ticket ? c->o.ticket : c->o.nargs == 1 ? c->o.args[0] : NULL;
	struct http_resp r;
	char *path, *end;
	int rc;

	if (token == NULL)
		return EX_NOPERM;
	if (id == NULL || strtoll(id, &end, 10) < 1 || *end != '\0')
		return fail(EX_USAGE, "%s needs the ticket id that call printed (--ticket ID)",
		    action);
	path = path_of("/v1/tickets/%s/%s", id, action);
	rc = request(c, "POST", path, NULL, token, 200, &r);
	free(path);
	if (rc != 0)
		return rc;
	printf("%s%s\n", json_string_value(json_object_get(r.json, "number")),
	    c->o.lang == LANG_EN ? en : ja);
	http_resp_free(&r);
	return fflush(stdout) == 0 ? EX_OK : EX_IOERR;
}

/* madoguchi recall: calls the ticket again. */
static int
cmd_recall(struct ctx *c)
{
	return ticket_change(c, "recall", " を再度お呼びしました", " called again");
}

/* madoguchi done: the ticket was served. */
static int
cmd_done(struct ctx *c)
{
	return ticket_change(c, "done", " の対応を終えました", " served: finished");
}

/* madoguchi no-show: the ticket did not come after its recalls. */
static int
cmd_no_show(struct ctx *c)
{
	return ticket_change(c, "no-show", " を不在として記録しました（お呼びしても来られませんでした）",
	    " recorded as a no-show: did not come when called");
}

/* madoguchi transfer: sends a waiting or called ticket to another service's queue. */
static int
cmd_transfer(struct ctx *c)
{
	const char *token = need_token(c, "staff");
	const char *id = c->o.ticket ? c->o.ticket : c->o.nargs == 1 ? c->o.args[0] : NULL;
	struct http_resp r;
	json_t *body;
	char *path, *end;
	int rc;

	if (token == NULL)
		return EX_NOPERM;
	if (id == NULL || strtoll(id, &end, 10) < 1 || *end != '\0')
		return fail(EX_USAGE, "transfer needs the ticket id that call printed (--ticket ID)");
	path = path_of("/v1/tickets/%s/transfer", id, NULL);
	body = json_pack("{s:s}", "service", c->o.service);
	rc = request(c, "POST", path, body, token, 200, &r);
	json_decref(body);
	free(path);
	if (rc != 0)
		return rc;
	printf("%s %s %s\n", json_string_value(json_object_get(r.json, "number")),
	    json_string_value(json_object_get(r.json, "status")), c->o.service);
	http_resp_free(&r);
	return fflush(stdout) == 0 ? EX_OK : EX_IOERR;
}

/* Renders an answer with fn and prints it. */
static int
render_print(int (*fn)(const json_t *, enum lang, struct buf *, char **), const json_t *j,
    enum lang lang)
{
	struct buf b = { 0 };
	char *cause = NULL;
	int rc = fn(j, lang, &b, &cause) != 0 ? fail(EX_PROTOCOL, "%s", cause) : print(&b);

	free(cause);
	buf_free(&b);
	return rc;
}

/* madoguchi availability: free slots of an office for a service. */
static int
cmd_availability(struct ctx *c)
{
	char *path = path_of("/v1/offices/%s/availability?service=%s", c->o.office, c->o.service);
	struct buf p = { 0 };
	struct http_resp r;
	int rc;

	buf_puts(&p, path);
	if (c->o.from)
		buf_printf(&p, "&from=%s", c->o.from);
	if (c->o.to)
		buf_printf(&p, "&to=%s", c->o.to);
	free(path);
	rc = request(c, "GET", buf_str(&p), NULL, NULL, 200, &r);
	buf_free(&p);
	if (rc != 0)
		return rc;
	add_names(c, r.json);
	rc = render_print(booking_render_availability, r.json, c->o.lang);
	http_resp_free(&r);
	return rc;
}

/* The applicant's facts: a JSON file (- for stdin) or the three dates. */
static json_t *
applicant_facts(struct ctx *c, int *rc)
{
	json_error_t err;
	json_t *a;

	if (c->o.applicant != NULL) {
		a = strcmp(c->o.applicant, "-") == 0 ? json_loadf(stdin, 0, &err) :
		    json_load_file(c->o.applicant, 0, &err);
		if (a == NULL)
			*rc = fail(EX_DATAERR, "%s:%d: %s", c->o.applicant, err.line, err.text);
		return a;
	}
	if (c->o.birth == NULL || c->o.card == NULL || c->o.cert == NULL) {
		*rc = fail(EX_USAGE, "%s needs --applicant FILE, or --birth-date, --card-issued "
		    "and --cert-issued", c->o.command);
		return NULL;
	}
	a = json_pack("{s:s, s:{s:s}, s:{s:s}}", "birth_date", c->o.birth, "card", "issued_on",
	    c->o.card, "certificates", "issued_on", c->o.cert);
	if (c->o.attendee != NULL)
		json_object_set_new(a, "attendee", json_string(c->o.attendee));
	return a;
}

/* A start as the API takes it: "2026-12-16 10:00" gains its T, seconds and +09:00. */
static char *
start_instant(const char *s)
{
	char *out;

	if (strlen(s) == 16 && (s[10] == ' ' || s[10] == 'T')) {
		if (asprintf(&out, "%.10sT%s:00+09:00", s, s + 11) < 0)
			abort();
		return out;
	}
	if ((out = strdup(s)) == NULL)
		abort();
	return out;
}

/* madoguchi book: books a slot and prints the reference, token and documents. */
static int
cmd_book(struct ctx *c)
{
	int rc = EX_OK;
	json_t *applicant = applicant_facts(c, &rc), *body, *contact;
	struct http_resp r;
	char *start;

	if (applicant == NULL)
		return rc;
	if (c->o.email == NULL && c->o.phone == NULL) {
		json_decref(applicant);
		return fail(EX_USAGE, "book needs --email or --phone");
	}
	contact = json_pack("{s:s, s:s?, s:s?}", "name", c->o.name, "email", c->o.email,
	    "phone", c->o.phone);
	start = start_instant(c->o.start);
	body = json_pack("{s:s, s:s, s:s, s:o, s:o, s:s}", "office", c->o.office, "service",
	    c->o.service, "start", start, "applicant", applicant, "contact", contact, "language",
	    c->o.lang == LANG_EN ? "en" : "ja");
	free(start);
	if (c->o.first_visit != NULL && c->o.booking_token == NULL) {
		json_decref(body);
		return fail(EX_USAGE, "--first-visit needs the first visit's token: "
		    "--booking-token T or MADOGUCHI_BOOKING_TOKEN");
	}
	if (c->o.first_visit != NULL)
		json_object_set_new(body, "first_visit", json_string(c->o.first_visit));
	/* Visit 2 proves it belongs with visit 1 by visit 1's token. */
	rc = request(c, "POST", "/v1/bookings", body,
	    c->o.first_visit != NULL ? c->o.booking_token : NULL, 201, &r);
	json_decref(body);
	if (rc != 0)
		return rc;
	add_names(c, r.json);
	rc = render_print(booking_render, r.json, c->o.lang);
	http_resp_free(&r);
	return rc;
}

/* madoguchi eligibility: may this applicant book this service on that day, and what to bring. */
static int
cmd_eligibility(struct ctx *c)
{
	int rc = EX_OK;
	json_t *applicant = applicant_facts(c, &rc), *body;
	struct http_resp r;

	if (applicant == NULL)
		return rc;
	body = json_pack("{s:s, s:s, s:o, s:s}", "service", c->o.service, "visit_date",
	    c->o.visit_date, "applicant", applicant, "language", c->o.lang == LANG_EN ? "en" : "ja");
	rc = request(c, "POST", "/v1/eligibility", body, NULL, 200, &r);
	json_decref(body);
	if (rc != 0)
		return rc;
	rc = render_print(booking_render_verdict, r.json, c->o.lang);
	/* A verdict that says no is an answer, not a failure; the text says why. */
	http_resp_free(&r);
	return rc;
}

/* madoguchi booking ics REF: the calendar file, to standard output or --output. */
static int
booking_ics(struct ctx *c, const char *token)
{
	char *path = path_of("/v1/bookings/%s/calendar.ics", c->o.args[1], NULL);
	const char *where = c->o.output ? c->o.output : "standard output";
	struct output out;
	struct http_resp r;
	int rc;

	if (output_open(&out, c->o.output) != 0) {
		free(path);
		return fail(EX_CANTCREAT, "cannot open %s: %s", c->o.output, strerror(errno));
	}
	rc = request(c, "GET", path, NULL, token, 200, &r);
	free(path);
	if (rc != 0) {
		output_abort(&out);
		return rc;
	}
	if (fwrite(buf_str(&r.body), 1, r.body.len, out.fp) != r.body.len) {
		output_abort(&out);
		rc = fail(EX_IOERR, "cannot write to %s: %s", where, strerror(errno));
	} else if (output_commit(&out) != 0) {
		rc = fail(EX_IOERR, "cannot write to %s: %s", where, strerror(errno));
	}
	http_resp_free(&r);
	return rc;
}

/* madoguchi booking reschedule REF --start START. */
static int
booking_reschedule(struct ctx *c, const char *token)
{
	char *path = path_of("/v1/bookings/%s/reschedule", c->o.args[1], NULL);
	char *start = start_instant(c->o.start);
	json_t *body = json_pack("{s:s}", "start", start);
	struct http_resp r;
	int rc = request(c, "POST", path, body, token, 200, &r);

	free(start);
	free(path);
	json_decref(body);
	if (rc != 0)
		return rc;
	add_names(c, r.json);
	rc = render_print(booking_render, r.json, c->o.lang);
	http_resp_free(&r);
	return rc;
}

/* madoguchi booking show|cancel|reschedule|ics REF. */
static int
cmd_booking(struct ctx *c)
{
	const char *token = c->o.booking_token ? c->o.booking_token : c->o.token;
	bool cancel = strcmp(c->o.args[0], "cancel") == 0;
	struct http_resp r;
	char *path;
	int rc;

	const char *action = c->o.args[0];

	if (!cancel && strcmp(action, "show") != 0 && strcmp(action, "reschedule") != 0 &&
	    strcmp(action, "ics") != 0)
		return fail(EX_USAGE, "booking takes show, cancel, reschedule or ics, not '%s'",
		    action);
	if (strcmp(action, "reschedule") == 0 && c->o.start == NULL)
		return fail(EX_USAGE, "booking reschedule needs --start");
	if (strcmp(action, "reschedule") != 0 && c->o.start != NULL)
		return fail(EX_USAGE, "--start goes with booking reschedule");
	if (strcmp(action, "ics") != 0 && c->o.output != NULL)
		return fail(EX_USAGE, "--output goes with booking ics");
	if (token == NULL)
		return fail(EX_NOPERM, "give the booking's token with --booking-token or "
		    "MADOGUCHI_BOOKING_TOKEN (or a staff token in MADOGUCHI_TOKEN)");
	if (strcmp(action, "ics") == 0)
		return booking_ics(c, token);
	if (strcmp(action, "reschedule") == 0)
		return booking_reschedule(c, token);
	path = path_of("/v1/bookings/%s", c->o.args[1], NULL);
	rc = request(c, cancel ? "DELETE" : "GET", path, NULL, token, 200, &r);
	free(path);
	if (rc != 0)
		return rc;
	if (cancel) {
		printf("%s %s\n", json_string_value(json_object_get(r.json, "reference")),
		    c->o.lang == LANG_EN ? "cancelled" : "を取り消しました");
	} else {
		add_names(c, r.json);
		rc = render_print(booking_render, r.json, c->o.lang);
	}
	http_resp_free(&r);
	return rc == EX_OK && fflush(stdout) != 0 ? EX_IOERR : rc;
}

static const struct command commands[] = {
	{ "ticket", cmd_ticket, O_OFFICE | O_SERVICE | O_BOOKING | O_BOOKING_TOKEN | O_FORMAT |
	    O_OUTPUT | O_PAPER, 0 },
	{ "queue", cmd_queue, O_OFFICE | O_WATCH | O_COUNT, 0 },
	{ "call", cmd_call, O_OFFICE | O_COUNTER, 0 },
	{ "recall", cmd_recall, O_TICKET, -1 },
	{ "done", cmd_done, O_TICKET, -1 },
	{ "no-show", cmd_no_show, O_TICKET, -1 },
	{ "transfer", cmd_transfer, O_TICKET | O_SERVICE, -1 },
	{ "availability", cmd_availability, O_OFFICE | O_SERVICE | O_FROM | O_TO, 0 },
	{ "eligibility", cmd_eligibility, O_SERVICE | O_VISIT_DATE | O_APPLICANT | O_BIRTH |
	    O_CARD | O_CERT | O_ATTENDEE, 0 },
	{ "book", cmd_book, O_OFFICE | O_SERVICE | O_START | O_APPLICANT | O_BIRTH | O_CARD |
	    O_CERT | O_ATTENDEE | O_NAME | O_EMAIL | O_PHONE | O_FIRST_VISIT | O_BOOKING_TOKEN, 0 },
	{ "booking", cmd_booking, O_BOOKING_TOKEN | O_START | O_OUTPUT, 2 },
};

/* Prints the usage text to fp. */
static void
usage(FILE *fp)
{
	fprintf(fp,
	    "usage: madoguchi [--server URL] [--lang ja|en] COMMAND [options]\n"
	    "\n"
	    "  ticket --office O (--service S | --booking REF) [--booking-token T]\n"
	    "         [--format text|escpos] [--paper 58|80] [--output FILE|DEVICE]\n"
	    "  queue --office O [--watch [--count N]]\n"
	    "  call --office O --counter N\n"
	    "  recall|done|no-show TICKET-ID\n"
	    "  transfer TICKET-ID --service S\n"
	    "  availability --office O --service S [--from DATE] [--to DATE]\n"
	    "  eligibility --service S --visit-date DATE (--applicant FILE | --birth-date D\n"
	    "       --card-issued D --cert-issued D [--attendee A])\n"
	    "  book --office O --service S --start 'YYYY-MM-DD HH:MM' --name NAME\n"
	    "       (--email E | --phone P) (--applicant FILE | --birth-date D\n"
	    "       --card-issued D --cert-issued D [--attendee A])\n"
	    "       [--first-visit REF --booking-token VISIT1-TOKEN]\n"
	    "  booking show|cancel REF [--booking-token T]\n"
	    "  booking reschedule REF --start 'YYYY-MM-DD HH:MM' [--booking-token T]\n"
	    "  booking ics REF [--output FILE] [--booking-token T]\n"
	    "\n"
	    "Every command takes --lang ja|en and --server URL. Environment:\n"
	    "  MADOGUCHI_URL            the server (default " DEFAULT_URL ")\n"
	    "  MADOGUCHI_TOKEN          kiosk or staff token for ticket, call, recall, done,\n"
	    "                           no-show, transfer (staff may also act on bookings)\n"
	    "  MADOGUCHI_BOOKING_TOKEN  a booking's token (booking show|cancel, check-in documents)\n"
	    "  MADOGUCHI_PUBLIC_URL     the server as phones reach it: tickets then carry their\n"
	    "                           page's address (a QR code on ESC/POS)\n"
	    "See madoguchi(1).\n");
}

/* The option table; the values are the enum opt bits' positions + 256. */
static const struct option longopts[] = {
	{ "server", required_argument, NULL, 256 }, { "office", required_argument, NULL, 257 },
	{ "service", required_argument, NULL, 258 }, { "booking", required_argument, NULL, 259 },
	{ "booking-token", required_argument, NULL, 260 },
	{ "lang", required_argument, NULL, 261 }, { "format", required_argument, NULL, 262 },
	{ "output", required_argument, NULL, 263 }, { "paper", required_argument, NULL, 264 },
	{ "watch", no_argument, NULL, 265 }, { "count", required_argument, NULL, 266 },
	{ "counter", required_argument, NULL, 267 }, { "ticket", required_argument, NULL, 268 },
	{ "from", required_argument, NULL, 269 }, { "to", required_argument, NULL, 270 },
	{ "start", required_argument, NULL, 271 }, { "applicant", required_argument, NULL, 272 },
	{ "birth-date", required_argument, NULL, 273 },
	{ "card-issued", required_argument, NULL, 274 },
	{ "cert-issued", required_argument, NULL, 275 },
	{ "attendee", required_argument, NULL, 276 }, { "name", required_argument, NULL, 277 },
	{ "email", required_argument, NULL, 278 }, { "phone", required_argument, NULL, 279 },
	{ "first-visit", required_argument, NULL, 280 },
	{ "visit-date", required_argument, NULL, 281 },
	{ "help", no_argument, NULL, 'h' }, { "version", no_argument, NULL, 'V' },
	{ NULL, 0, NULL, 0 },
};

/* A whole positive number, or -1. */
static long
positive(const char *s)
{
	char *end;
	long v;

	errno = 0;
	v = strtol(s, &end, 10);
	return *s != '\0' && *end == '\0' && errno == 0 && v > 0 ? v : -1;
}

/* Takes the value of the option with bit position bit; returns false for a bad value. */
static bool
set_option(struct opts *o, int bit, const char *v)
{
	const char **strings[] = { &o->server, &o->office, &o->service, &o->booking,
	    &o->booking_token, NULL, NULL, &o->output, NULL, NULL, NULL, NULL, &o->ticket,
	    &o->from, &o->to, &o->start, &o->applicant, &o->birth, &o->card, &o->cert,
	    &o->attendee, &o->name, &o->email, &o->phone, &o->first_visit, &o->visit_date };

	o->given |= 1u << bit;
	if (strings[bit] != NULL) {
		*strings[bit] = v;
		return true;
	}
	switch (1 << bit) {
	case O_LANG:
		o->lang = strcmp(v, "en") == 0 ? LANG_EN : LANG_JA;
		return strcmp(v, "en") == 0 || strcmp(v, "ja") == 0;
	case O_FORMAT:
		o->format = strcmp(v, "escpos") == 0 ? TICKET_ESCPOS : TICKET_TEXT;
		return strcmp(v, "escpos") == 0 || strcmp(v, "text") == 0;
	case O_PAPER:
		o->paper = (int)positive(v);
		return o->paper == 58 || o->paper == 80;
	case O_COUNT:
		return (o->count = positive(v)) > 0;
	case O_COUNTER:
		return (o->counter = positive(v)) > 0;
	default:
		return true;	/* --watch */
	}
}

/* Parses argv (argv[0] the command, or the program for the global part). */
static int
parse(int argc, char **argv, struct opts *o, bool global)
{
	int ch;

	optind = 0;
	while ((ch = getopt_long(argc, argv, global ? "+hV" : "h", longopts, NULL)) != -1) {
		if (ch == 'h') {
			usage(stdout);
			exit(EX_OK);
		}
		if (ch == 'V') {
			printf("madoguchi %s\n", MADOGUCHI_VERSION);
			exit(EX_OK);
		}
		/* --server and --lang belong to every command: before it or after. */
		if (ch < 256 || (global && ch != 256 && ch != 261))
			return fail(EX_USAGE, "%s", global ? "give the command before its options"
			    " (madoguchi --help)" : "see madoguchi --help");
		if (!set_option(o, ch - 256, optarg))
			return fail(EX_USAGE, "bad value '%s' for --%s%s", optarg,
			    longopts[ch - 256].name, ch == 261 ? ": use ja or en" : "");
	}
	o->args = argv + optind;
	o->nargs = argc - optind;
	return EX_OK;
}

/* Checks the options against what the command takes and needs. */
static int
check(const struct command *cmd, const struct opts *o)
{
	unsigned extra = o->given & ~(cmd->takes | O_SERVER | O_LANG);
	unsigned need = cmd->takes & (O_OFFICE | O_COUNTER | O_START | O_NAME);

	if (cmd->run == cmd_availability || cmd->run == cmd_book || cmd->run == cmd_transfer ||
	    cmd->run == cmd_eligibility)
		need |= O_SERVICE;
	if (cmd->run == cmd_eligibility)
		need |= O_VISIT_DATE;
	if (cmd->run == cmd_booking)
		need &= ~O_START;	/* only booking reschedule needs it */
	for (int bit = 0; extra != 0 && bit < NOPTS; bit++) {
		if (extra & (1u << bit))
			return fail(EX_USAGE, "%s does not take --%s", cmd->name, longopts[bit].name);
	}
	for (int bit = 0; bit < NOPTS; bit++) {
		if ((need & (1u << bit)) && !(o->given & (1u << bit)))
			return fail(EX_USAGE, "%s needs --%s", cmd->name, longopts[bit].name);
	}
	if ((cmd->nargs >= 0 && o->nargs != cmd->nargs) || (cmd->nargs < 0 && o->nargs > 1))
		return fail(EX_USAGE, "%s: wrong number of arguments (madoguchi --help)",
		    cmd->name);
	if ((o->given & O_COUNT) && !(o->given & O_WATCH))
		return fail(EX_USAGE, "--count goes with --watch");
	return EX_OK;
}

/* Fills in what the environment and the defaults give. */
static void
defaults(struct opts *o)
{
	const char *url = getenv("MADOGUCHI_URL"), *t = getenv("MADOGUCHI_TOKEN");
	const char *bt = getenv("MADOGUCHI_BOOKING_TOKEN");

	if (o->server == NULL)
		o->server = url && *url ? url : DEFAULT_URL;
	if (o->booking_token == NULL && bt && *bt)
		o->booking_token = bt;
	o->token = t && *t ? t : NULL;
	if (o->paper == 0)
		o->paper = 80;
}

int
main(int argc, char **argv)
{
	struct ctx c = { .o = { .lang = LANG_JA, .format = TICKET_TEXT } };
	const struct command *cmd = NULL;
	int rc;

	if ((rc = parse(argc, argv, &c.o, true)) != EX_OK)
		return rc;
	if (c.o.nargs == 0) {
		usage(stderr);
		return EX_USAGE;
	}
	for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++) {
		if (strcmp(c.o.args[0], commands[i].name) == 0)
			cmd = &commands[i];
	}
	if (cmd == NULL)
		return fail(EX_USAGE, "unknown command '%s' (madoguchi --help)", c.o.args[0]);
	c.o.command = cmd->name;
	if ((rc = parse(c.o.nargs, c.o.args, &c.o, false)) != EX_OK ||
	    (rc = check(cmd, &c.o)) != EX_OK)
		return rc;
	defaults(&c.o);
	/* Only HTTP: anything else (ftp:, file:, a typo) would go to libcurl otherwise. */
	if (strncasecmp(c.o.server, "http://", 7) != 0 && strncasecmp(c.o.server, "https://", 8) != 0)
		return fail(EX_USAGE, "the server must be an http:// or https:// URL, not '%s'%s",
		    c.o.server, (c.o.given & O_SERVER) ? "" : " (from MADOGUCHI_URL)");
	c.http.base = c.o.server;
	c.http.timeout_s = 30;
	if (http_global_init() != 0)
		return fail(EX_SOFTWARE, "libcurl could not start");
	rc = cmd->run(&c);
	http_global_cleanup();
	return rc;
}
