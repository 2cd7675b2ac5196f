/*
 * The madoguchi client (client/madoguchi) against a real daemon: every
 * subcommand, the errors a kiosk meets (unknown office, server down, bad
 * token), and the busy flag on the ticket after 40 walk-ins, in both
 * languages. The clock is pinned to Tuesday 2026-12-01 10:00 in Tokyo.
 */
#include "itest.h"

#include <check.h>
#include <curl/curl.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define CLIENT "./client/madoguchi"
#define NOW_ENV "MADOGUCHI_NOW=2026-12-01T10:00:00+09:00"
/* Certificates expire 2027-02-10: the renewal window opens 2026-11-11. */
#define RENEWAL "{\"birth_date\":\"1980-02-10\",\"card\":{\"issued_on\":\"2022-03-01\"}," \
	"\"certificates\":{\"issued_on\":\"2022-03-01\"}}"
/* A proxy without the sealed inquiry form: two visits, the second a week later. */
#define PROXY "{\"birth_date\":\"1980-02-10\",\"card\":{\"issued_on\":\"2022-03-01\"}," \
	"\"certificates\":{\"issued_on\":\"2022-03-01\"},\"attendee\":\"proxy\"," \
	"\"has_inquiry_form\":false}"

static struct itest_daemon d;
static char token[128];

/* What one run of the client did. */
struct run {
	int status;	/* exit status */
	char *out;	/* stdout */
	char *err;	/* stderr */
};

/* Writes the test municipality: two offices with 15-minute walk-in services and two counters. */
static const char *
write_config(void)
{
	static char main_path[512];
	char muni[512], text[1024];
	const char *office =
	    "    hours: {weekdays: [08:30-17:00]}\n"
	    "    services:\n"
	    "      ecert_renewal: {slot_minutes: 15, capacity: 2, horizon_days: 60, lead_minutes: 0}\n"
	    "      pin_reset: {slot_minutes: 15, capacity: 1, horizon_days: 60, lead_minutes: 0}\n"
	    "    counters:\n"
	    "      - {id: 1, services: [ecert_renewal, pin_reset]}\n"
	    "      - {id: 2, services: [ecert_renewal]}\n";
	char *yaml;

	snprintf(muni, sizeof muni, "%s", itest_tmp_path("cl-city.yaml"));
	ck_assert(asprintf(&yaml, "municipality: clientcity\n"
	    "name: {ja: 窓口市, en: Madoguchi City}\n"
	    "offices:\n"
	    "  - id: cl-main\n"
	    "    name: {ja: 市民窓口センター, en: \"Citizens' Counter Centre\"}\n%s"
	    "  - id: cl-busy\n"
	    "    name: {ja: 駅前サービスコーナー, en: Station Service Corner}\n%s",
	    office, office) > 0);
	itest_write_file(muni, yaml);
	free(yaml);
	/* very_busy_minutes is raised so that 40 walk-ins read "busy", not "very busy". */
	snprintf(main_path, sizeof main_path, "%s", itest_tmp_path("cl-main.yaml"));
	snprintf(text, sizeof text, "listen: 127.0.0.1:8080\n"
	    "ratelimit: {per_minute: 60000000, burst: 1000000}\n"
	    "queue: {busy_minutes: 30, very_busy_minutes: 600}\n"
	    "include:\n  - %s\n", muni);
	itest_write_file(main_path, text);
	return main_path;
}

/* Reads a whole file (caller frees). */
static char *
slurp_fd(int fd)
{
	off_t n = lseek(fd, 0, SEEK_END);
	char *s = calloc(1, (size_t)n + 1);

	ck_assert(s != NULL);
	ck_assert(pread(fd, s, (size_t)n, 0) == n);
	return s;
}

/* Runs the client with args; tok is MADOGUCHI_TOKEN (NULL: unset), url the server. */
static void
run_client(struct run *r, const char *tok, const char *url, const char *const *args)
{
	char po[] = "/tmp/madoguchi-cl-out-XXXXXX", pe[] = "/tmp/madoguchi-cl-err-XXXXXX";
	int fo = mkstemp(po), fe = mkstemp(pe), status;
	const char *argv[40] = { CLIENT };
	size_t n = 1;
	pid_t pid;

	ck_assert(fo >= 0 && fe >= 0);
	for (; args && *args && n < 39; args++)
		argv[n++] = *args;
	argv[n] = NULL;
	pid = fork();
	ck_assert(pid >= 0);
	if (pid == 0) {
		dup2(fo, 1), dup2(fe, 2);
		setenv("MADOGUCHI_URL", url ? url : d.url, 1);
		unsetenv("MADOGUCHI_BOOKING_TOKEN");
		if (tok != NULL)
			setenv("MADOGUCHI_TOKEN", tok, 1);
		else
			unsetenv("MADOGUCHI_TOKEN");
		execv(argv[0], (char *const *)argv);
		_exit(127);
	}
	ck_assert(waitpid(pid, &status, 0) == pid);
	r->status = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
	r->out = slurp_fd(fo);
	r->err = slurp_fd(fe);
	close(fo), close(fe);
	unlink(po), unlink(pe);
}

/* Frees a run. */
static void
run_free(struct run *r)
{
	free(r->out);
	free(r->err);
}

/* Runs the client with the staff token and the test daemon; NULL-terminated args. */
#define CLIENT_RUN(r, ...) do { const char *const a_[] = { __VA_ARGS__, NULL }; \
	run_client((r), token, NULL, a_); } while (0)

/* Asserts the run succeeded and its stdout holds each string. */
static void
expect_ok(const struct run *r, const char *const *has)
{
	ck_assert_msg(r->status == 0, "exit %d, stderr: %s", r->status, r->err);
	for (; has && *has; has++)
		ck_assert_msg(strstr(r->out, *has) != NULL, "'%s' not in:\n%s", *has, r->out);
}

/* Asserts the run failed with code and one line on stderr holding what. */
static void
expect_fail(const struct run *r, int code, const char *what)
{
	size_t len = strlen(r->err);

	ck_assert_msg(r->status == code, "exit %d, want %d; stderr: %s", r->status, code, r->err);
	ck_assert_msg(len > 0 && r->err[len - 1] == '\n' && strchr(r->err, '\n') == r->err + len - 1,
	    "stderr is not one line: '%s'", r->err);
	ck_assert_msg(strncmp(r->err, "madoguchi: ", 11) == 0, "stderr: %s", r->err);
	ck_assert_msg(strstr(r->err, what) != NULL, "'%s' not in stderr: %s", what, r->err);
	ck_assert_str_eq(r->out, "");
}

/* Starts the daemon once and makes a staff token for both offices. */
static void
setup(void)
{
	static const char *const env[] = { NOW_ENV, NULL };
	const char *cfg = write_config();
	const char *args[] = { "-c", cfg, "--create-token", "staff", "cl-main", "cl-busy", NULL };
	char *out = NULL, *last, *nl;

	curl_global_init(CURL_GLOBAL_DEFAULT);
	ck_assert_int_eq(itest_migrate(cfg), 0);
	ck_assert_int_eq(itest_run_daemon_cmd(args, &out), 0);
	/* The token is the last line. */
	while ((nl = strrchr(out, '\n')) != NULL && nl[1] == '\0')
		*nl = '\0';
	last = strrchr(out, '\n');
	last = last ? last + 1 : out;
	ck_assert_msg(strncmp(last, "mds_", 4) == 0, "no token in: %s", out);
	snprintf(token, sizeof token, "%s", last);
	free(out);
	ck_assert_int_eq(itest_psql("DELETE FROM tickets WHERE office LIKE 'cl-%'; "
	    "DELETE FROM ticket_numbers WHERE office LIKE 'cl-%'"), 0);
	itest_daemon_start(&d, cfg, env);
}

static void
teardown(void)
{
	itest_daemon_stop(&d);
}

/* Empties an office's queue for a test that counts. */
static void
clear_office(const char *office)
{
	char sql[256];

	snprintf(sql, sizeof sql, "DELETE FROM tickets WHERE office = '%s'; "
	    "DELETE FROM ticket_numbers WHERE office = '%s'", office, office);
	ck_assert_int_eq(itest_psql(sql), 0);
}

START_TEST(ticket_text_both_languages)
{
	static const char *const ja[] = { "市民窓口センター", "整理券", "受付番号", "Ａ－００１",
	    "発行: 2026年12月1日 10:00", "お待ちの方: なし", NULL };
	static const char *const en[] = { "Citizens' Counter Centre", "Queue ticket",
	    "Ａ－００２", "Issued: 2026-12-01 10:00", "People ahead: 1", NULL };
	struct run r;

	clear_office("cl-main");
	CLIENT_RUN(&r, "ticket", "--office", "cl-main", "--service", "ecert_renewal");
	expect_ok(&r, ja);
	ck_assert_ptr_null(strstr(r.out, "混雑"));
	run_free(&r);
	CLIENT_RUN(&r, "ticket", "--office", "cl-main", "--service", "ecert_renewal", "--lang",
	    "en", "--paper", "58");
	expect_ok(&r, en);
	/* 58 mm paper: no line wider than 32 columns (ASCII here). */
	for (char *line = r.out; *line; line = strchr(line, '\n') + 1)
		ck_assert_int_le((int)(strchr(line, '\n') - line), 32);
	run_free(&r);
}
END_TEST

START_TEST(ticket_escpos_to_file)
{
	char *path = itest_tmp_path("ticket.bin");
	struct run r;
	FILE *fp;
	unsigned char b[4096];
	size_t n;

	CLIENT_RUN(&r, "ticket", "--office", "cl-main", "--service", "pin_reset", "--format",
	    "escpos", "--paper", "58", "--output", path);
	expect_ok(&r, NULL);
	ck_assert_str_eq(r.out, "");
	run_free(&r);
	fp = fopen(path, "rb");
	ck_assert(fp != NULL);
	n = fread(b, 1, sizeof b, fp);
	fclose(fp);
	ck_assert_uint_gt(n, 16);
	ck_assert(memcmp(b, "\x1b\x40\x1c\x43\x01", 5) == 0);			/* ESC @, FS C 1 */
	ck_assert(memcmp(b + n - 4, "\x1d\x56\x42\x00", 4) == 0);		/* GS V 66 0 */
	ck_assert(memmem(b, n, "\x1c\x26\x8e\x73\x96\xaf\x91\x8b\x8c\xfb", 10) != NULL);
	ck_assert(memmem(b, n, "\x1d\x21\x11\x1c\x21\x0c" "D-", 8) != NULL);	/* double size */
	/* An output that cannot be opened is refused before a number is taken. */
	CLIENT_RUN(&r, "ticket", "--office", "cl-main", "--service", "pin_reset", "--output",
	    "/nonexistent/dir/lp0");
	expect_fail(&r, 73, "cannot open /nonexistent/dir/lp0");
	run_free(&r);
}
END_TEST

/*
 * With MADOGUCHI_PUBLIC_URL the ticket carries its page's address; that page is
 * served and the ticket it names is followed by the one-ticket view.
 */
START_TEST(ticket_carries_its_page)
{
	char want[256], path[128], *line, *end;
	struct itest_resp resp;
	struct run r;

	snprintf(want, sizeof want, "%s/ticket/cl-main/", d.url);
	setenv("MADOGUCHI_PUBLIC_URL", d.url, 1);
	CLIENT_RUN(&r, "ticket", "--office", "cl-main", "--service", "pin_reset");
	unsetenv("MADOGUCHI_PUBLIC_URL");
	expect_ok(&r, NULL);
	line = strstr(r.out, want);
	ck_assert_msg(line != NULL, "no ticket page in: %s", r.out);
	end = strchr(line, '\n');
	ck_assert(end != NULL);
	snprintf(path, sizeof path, "%.*s", (int)(end - line - strlen(d.url)), line + strlen(d.url));
	itest_get(&d, path, &resp);
	ck_assert_int_eq(resp.status, 200);
	itest_resp_free(&resp);
	snprintf(want, sizeof want, "/v1/offices/cl-main/tickets/%s", path + strlen("/ticket/cl-main/"));
	itest_get(&d, want, &resp);
	ck_assert_int_eq(resp.status, 200);
	ck_assert_str_eq(itest_str(&resp, "status"), "waiting");
	itest_resp_free(&resp);
	run_free(&r);
}
END_TEST

/* Books through the client and returns reference and token from its output. */
static void
book(const char *start, char ref[32], char tok[128])
{
	static const char *const has[] = { "Booked.", "Reference: ", "Token: ", "Please bring:",
	    NULL };
	char *applicant = itest_tmp_path("applicant.json"), *p;
	struct run r;

	static int n;
	char email[64];

	/* A resident of their own each time: one contact may hold only a few bookings. */
	snprintf(email, sizeof email, "r%d@example.jp", ++n);
	itest_write_file(applicant, RENEWAL);
	CLIENT_RUN(&r, "book", "--office", "cl-main", "--service", "ecert_renewal", "--start",
	    start, "--applicant", applicant, "--name", "Test Resident", "--email",
	    email, "--lang", "en");
	expect_ok(&r, has);
	p = strstr(r.out, "Reference: ");
	ck_assert(sscanf(p, "Reference: %31s", ref) == 1);
	p = strstr(r.out, "Token: ");
	ck_assert(sscanf(p, "Token: %127s", tok) == 1);
	run_free(&r);
}

START_TEST(book_show_checkin_cancel)
{
	/* Booked in English, so shown in English (its documents are). */
	static const char *const shown[] = { "Reference: ", "Please bring:", "Visits: 1", NULL };
	char ref[32], tok[128], ref2[32], tok2[128];
	const char *checkin[] = { "ご予約: ", "ご用意いただくもの:", "受付番号", NULL };
	struct run r;

	book("2026-12-01 10:15", ref, tok);
	CLIENT_RUN(&r, "booking", "show", ref, "--booking-token", tok);
	expect_ok(&r, shown);
	run_free(&r);
	/* Check-in: the ticket carries the booking's documents. */
	CLIENT_RUN(&r, "ticket", "--office", "cl-main", "--booking", ref, "--booking-token", tok);
	expect_ok(&r, checkin);
	ck_assert_ptr_nonnull(strstr(r.out, ref));
	run_free(&r);
	/* A second check-in of the same booking is refused with the server's reason. */
	CLIENT_RUN(&r, "ticket", "--office", "cl-main", "--booking", ref);
	expect_fail(&r, 65, "booking_not_open");
	run_free(&r);
	/* Cancel another booking, then it cannot be cancelled again. */
	book("2026-12-02T11:00:00+09:00", ref2, tok2);
	CLIENT_RUN(&r, "booking", "cancel", ref2, "--booking-token", tok2, "--lang", "en");
	expect_ok(&r, (const char *const[]){ "cancelled", NULL });
	run_free(&r);
	CLIENT_RUN(&r, "booking", "cancel", ref2, "--booking-token", tok2);
	expect_fail(&r, 65, "not_cancellable");
	run_free(&r);
	/* A wrong booking token reads as no such booking. */
	CLIENT_RUN(&r, "booking", "show", ref, "--booking-token", "wrong");
	expect_fail(&r, 66, "booking_not_found");
	run_free(&r);
}
END_TEST

/* A booking made in English shows in English, also with --lang ja: one language. */
START_TEST(booking_show_one_language)
{
	static const char *const has[] = { "Reference: ", "Please bring:",
	    "if you received it (optional)", NULL };
	char ref[32], tok[128];
	struct run r;

	book("2026-12-03T10:00:00+09:00", ref, tok);
	CLIENT_RUN(&r, "booking", "show", ref, "--booking-token", tok, "--lang", "ja");
	expect_ok(&r, has);
	ck_assert_msg(strstr(r.out, "予約番号") == NULL && strstr(r.out, "ご用意") == NULL,
	    "Japanese labels in an English booking:\n%s", r.out);
	ck_assert_msg(strstr(r.out, "(if applicable)") == NULL, "%s", r.out);
	run_free(&r);
}
END_TEST

/* --lang is checked the same way before the command and after it. */
START_TEST(lang_before_or_after_the_command)
{
	struct run r;

	CLIENT_RUN(&r, "--lang", "fr", "queue", "--office", "cl-main");
	expect_fail(&r, 64, "bad value 'fr' for --lang: use ja or en");
	run_free(&r);
	CLIENT_RUN(&r, "queue", "--office", "cl-main", "--lang", "fr");
	expect_fail(&r, 64, "bad value 'fr' for --lang: use ja or en");
	run_free(&r);
	CLIENT_RUN(&r, "--lang", "en", "queue", "--office", "cl-main");
	expect_ok(&r, (const char *const[]){ "waiting", NULL });
	run_free(&r);
	/* Other options still come after the command. */
	CLIENT_RUN(&r, "--office", "cl-main", "queue");
	expect_fail(&r, 64, "give the command before its options");
	run_free(&r);
}
END_TEST

START_TEST(availability_lists_slots)
{
	static const char *const has[] = { "Citizens' Counter Centre / Certificate renewal",
	    "2026-12-02 (Wed)",
	    "08:30", "16:45", "2026-12-05 (Sat)  closed", NULL };
	struct run r;

	CLIENT_RUN(&r, "availability", "--office", "cl-main", "--service", "ecert_renewal",
	    "--from", "2026-12-02", "--to", "2026-12-05", "--lang", "en");
	expect_ok(&r, has);
	run_free(&r);
	CLIENT_RUN(&r, "availability", "--office", "cl-main", "--service", "card_pickup");
	ck_assert_int_ne(r.status, 0);
	run_free(&r);
}
END_TEST

/* The ticket id that call printed ("A-001 to counter 1 (ticket 17)"). */
static long
called_id(const struct run *r)
{
	const char *p = strstr(r->out, "(ticket ");
	long id = -1;

	ck_assert_msg(p != NULL, "no ticket id in: %s", r->out);
	ck_assert(sscanf(p, "(ticket %ld)", &id) == 1);
	return id;
}

START_TEST(staff_call_recall_done_no_show)
{
	struct run r;
	char id[24];

	clear_office("cl-main");
	CLIENT_RUN(&r, "call", "--office", "cl-main", "--counter", "1", "--lang", "en");
	expect_ok(&r, (const char *const[]){ "Nobody is waiting.", NULL });
	run_free(&r);
	for (int i = 0; i < 2; i++) {
		CLIENT_RUN(&r, "ticket", "--office", "cl-main", "--service", "ecert_renewal");
		expect_ok(&r, NULL);
		run_free(&r);
	}
	CLIENT_RUN(&r, "call", "--office", "cl-main", "--counter", "1", "--lang", "en");
	expect_ok(&r, (const char *const[]){ "A-001 to counter 1", NULL });
	snprintf(id, sizeof id, "%ld", called_id(&r));
	run_free(&r);
	CLIENT_RUN(&r, "recall", id, "--lang", "en");
	expect_ok(&r, (const char *const[]){ "A-001 called again\n", NULL });
	run_free(&r);
	CLIENT_RUN(&r, "recall", id);
	expect_ok(&r, (const char *const[]){ "A-001 を再度お呼びしました\n", NULL });
	run_free(&r);
	CLIENT_RUN(&r, "done", "--ticket", id, "--lang", "en");
	expect_ok(&r, (const char *const[]){ "A-001 served: finished\n", NULL });
	run_free(&r);
	CLIENT_RUN(&r, "done", id);
	expect_fail(&r, 65, "invalid_state");
	run_free(&r);
	CLIENT_RUN(&r, "call", "--office", "cl-main", "--counter", "2");
	expect_ok(&r, (const char *const[]){ "A-002 を 2番窓口へ", NULL });
	snprintf(id, sizeof id, "%ld", called_id(&r));
	run_free(&r);
	/* A no-show needs two recalls first (the default). */
	CLIENT_RUN(&r, "no-show", id);
	expect_fail(&r, 65, "recall_first");
	run_free(&r);
	for (int i = 0; i < 2; i++) {
		CLIENT_RUN(&r, "recall", id);
		expect_ok(&r, NULL);
		run_free(&r);
	}
	CLIENT_RUN(&r, "no-show", id);
	expect_ok(&r, (const char *const[]){ "A-002 を不在として記録しました", NULL });
	ck_assert_ptr_null(strstr(r.out, "no_show"));
	run_free(&r);
	CLIENT_RUN(&r, "done", "99999999");
	expect_fail(&r, 66, "ticket_not_found");
	run_free(&r);
	CLIENT_RUN(&r, "call", "--office", "cl-main", "--counter", "7");
	expect_fail(&r, 66, "unknown_counter");
	run_free(&r);
}
END_TEST


/* Reads a file whole (caller frees), or NULL when it does not exist. */
static char *
slurp_path(const char *path)
{
	int fd = open(path, O_RDONLY);
	char *s;

	if (fd < 0)
		return NULL;
	s = slurp_fd(fd);
	close(fd);
	return s;
}

/* True when dir holds a file whose name starts with prefix (a left-over temporary file). */
static bool
leftover(const char *dir, const char *prefix)
{
	char cmd[600];

	snprintf(cmd, sizeof cmd, "ls -a '%s' | grep -q '^%s\\.'", dir, prefix);
	return system(cmd) == 0;
}

/* Eligibility, both verdicts; book shows names, not ids; reschedule; the .ics to a file. */
START_TEST(resident_actions)
{
	char ref[32], tok[128], *ics, *ics_path = itest_tmp_path("booking.ics");
	char *applicant = itest_tmp_path("applicant.json");
	struct run r;

	itest_write_file(applicant, RENEWAL);
	CLIENT_RUN(&r, "eligibility", "--service", "ecert_renewal", "--visit-date", "2026-12-16",
	    "--applicant", applicant, "--lang", "en");
	expect_ok(&r, (const char *const[]){ "Allowed", "Kind: renewal",
	    "Renewal window: 2026-11-11 to 2027-02-10", "Please bring:", NULL });
	run_free(&r);
	/* Before the window (it opens 2026-12-21): an answer (exit 0) that says no and why. */
	CLIENT_RUN(&r, "eligibility", "--service", "ecert_renewal", "--visit-date", "2026-12-10",
	    "--birth-date", "1985-03-20", "--card-issued", "2022-04-01", "--cert-issued",
	    "2022-04-01");
	expect_ok(&r, (const char *const[]){ "予約できません（before_renewal_window）", NULL });
	run_free(&r);
	CLIENT_RUN(&r, "eligibility", "--service", "ecert_renewal", "--applicant", applicant);
	expect_fail(&r, 64, "--visit-date");
	run_free(&r);

	book("2026-12-03 10:00", ref, tok);
	/* The office and service by name, in the language asked for. */
	CLIENT_RUN(&r, "booking", "show", ref, "--booking-token", tok, "--lang", "en");
	expect_ok(&r, (const char *const[]){ "Office: Citizens' Counter Centre",
	    "Service: Certificate renewal", NULL });
	ck_assert_ptr_null(strstr(r.out, "cl-main"));
	run_free(&r);
	/* Made in English, it shows in English whatever --lang says. */
	CLIENT_RUN(&r, "booking", "show", ref, "--booking-token", tok, "--lang", "ja");
	expect_ok(&r, (const char *const[]){ "Office: Citizens' Counter Centre",
	    "Service: Certificate renewal", NULL });
	run_free(&r);
	/* The availability (no language of its own) follows --lang. */
	CLIENT_RUN(&r, "availability", "--office", "cl-main", "--service", "ecert_renewal",
	    "--from", "2026-12-02", "--to", "2026-12-02");
	expect_ok(&r, (const char *const[]){ "市民窓口センター / 電子証明書の更新", NULL });
	run_free(&r);

	CLIENT_RUN(&r, "booking", "reschedule", ref, "--booking-token", tok, "--start",
	    "2026-12-04 11:00", "--lang", "en");
	expect_ok(&r, (const char *const[]){ "2026-12-04 11:00", "Citizens' Counter Centre",
	    NULL });
	run_free(&r);
	CLIENT_RUN(&r, "booking", "reschedule", ref, "--booking-token", tok);
	expect_fail(&r, 64, "--start");
	run_free(&r);

	CLIENT_RUN(&r, "booking", "ics", ref, "--booking-token", tok, "--output", ics_path);
	ck_assert_msg(r.status == 0, "exit %d: %s", r.status, r.err);
	ck_assert_str_eq(r.out, "");
	run_free(&r);
	ics = slurp_path(ics_path);
	ck_assert_ptr_nonnull(ics);
	ck_assert_msg(strncmp(ics, "BEGIN:VCALENDAR\r\n", 17) == 0, "%s", ics);
	ck_assert_msg(strstr(ics, "SEQUENCE:1\r\n") != NULL, "%s", ics);
	ck_assert_msg(strstr(ics, "DTSTART:20261204T020000Z\r\n") != NULL, "%s", ics);
	/* A failing call leaves the file as it was, and no temporary file behind. */
	CLIENT_RUN(&r, "booking", "ics", ref, "--booking-token", "wrong", "--output", ics_path);
	expect_fail(&r, 66, "booking_not_found");
	run_free(&r);
	{
		char *again = slurp_path(ics_path);
		ck_assert_str_eq(again, ics);
		free(again);
	}
	ck_assert(!leftover(itest_env("MADOGUCHI_TEST_TMP"), "booking.ics"));
	free(ics);
	/* To standard output without --output. */
	CLIENT_RUN(&r, "booking", "ics", ref, "--booking-token", tok);
	expect_ok(&r, (const char *const[]){ "END:VCALENDAR", NULL });
	run_free(&r);
}
END_TEST

/* book --first-visit: the second visit of a proxy's two-visit renewal. */
START_TEST(second_visit)
{
	char *applicant = itest_tmp_path("proxy.json"), ref[32], tok[128], *p, sql[200];
	struct run r;

	itest_write_file(applicant, PROXY);
	CLIENT_RUN(&r, "book", "--office", "cl-main", "--service", "ecert_renewal", "--start",
	    "2026-12-02 11:30", "--applicant", applicant, "--name", "Proxy", "--email",
	    "p@example.jp", "--lang", "en");
	expect_ok(&r, (const char *const[]){ "Visits: 2", NULL });
	p = strstr(r.out, "Reference: ");
	ck_assert(sscanf(p, "Reference: %31s", ref) == 1);
	p = strstr(r.out, "Token: ");
	ck_assert(sscanf(p, "Token: %127s", tok) == 1);
	run_free(&r);
	/* Without visit 1's token the client says what it needs, before asking. */
	CLIENT_RUN(&r, "book", "--office", "cl-main", "--service", "ecert_renewal", "--start",
	    "2026-12-09 10:00", "--applicant", applicant, "--name", "Proxy", "--email",
	    "p@example.jp", "--first-visit", ref);
	expect_fail(&r, 64, "--booking-token");
	run_free(&r);
	/* Too early: the server's reason, one line. */
	CLIENT_RUN(&r, "book", "--office", "cl-main", "--service", "ecert_renewal", "--start",
	    "2026-12-03 11:30", "--applicant", applicant, "--name", "Proxy", "--email",
	    "p@example.jp", "--first-visit", ref, "--booking-token", tok);
	expect_fail(&r, 65, "second_visit_too_early");
	run_free(&r);
	CLIENT_RUN(&r, "book", "--office", "cl-main", "--service", "ecert_renewal", "--start",
	    "2026-12-09 10:00", "--applicant", applicant, "--name", "Proxy", "--email",
	    "p@example.jp", "--first-visit", ref, "--booking-token", tok, "--lang", "en");
	expect_ok(&r, (const char *const[]){ "Booked.", NULL });
	run_free(&r);
	snprintf(sql, sizeof sql, "SELECT count(*) FROM bookings WHERE visit = 2 AND "
	    "first_visit = '%s'", ref);
	p = itest_psql_out(sql);
	ck_assert_int_eq(atoi(p), 1);
	free(p);
}
END_TEST

/* Staff: a check-in ticket shows the documents with the staff token alone; transfer. */
START_TEST(staff_documents_and_transfer)
{
	char ref[32], tok[128], id[24];
	struct run r;

	clear_office("cl-main");
	book("2026-12-01 10:15", ref, tok);
	/* No booking token: the staff token reads the booking's documents. */
	CLIENT_RUN(&r, "ticket", "--office", "cl-main", "--booking", ref);
	expect_ok(&r, (const char *const[]){ "ご用意いただくもの:", NULL });
	ck_assert_msg(strstr(r.err, "warning") == NULL, "%s", r.err);
	run_free(&r);

	CLIENT_RUN(&r, "ticket", "--office", "cl-main", "--service", "ecert_renewal");
	expect_ok(&r, NULL);
	run_free(&r);
	CLIENT_RUN(&r, "call", "--office", "cl-main", "--counter", "2", "--lang", "en");
	expect_ok(&r, NULL);
	snprintf(id, sizeof id, "%ld", called_id(&r));
	run_free(&r);
	CLIENT_RUN(&r, "transfer", id, "--service", "pin_reset");
	expect_ok(&r, (const char *const[]){ "waiting pin_reset", NULL });
	run_free(&r);
	CLIENT_RUN(&r, "transfer", id);
	expect_fail(&r, 64, "--service");
	run_free(&r);
	CLIENT_RUN(&r, "transfer", "99999999", "--service", "pin_reset");
	expect_fail(&r, 66, "ticket_not_found");
	run_free(&r);
	{
		const char *const a[] = { "transfer", id, "--service", "pin_reset", NULL };
		run_client(&r, NULL, NULL, a);
		expect_fail(&r, 77, "MADOGUCHI_TOKEN");
		run_free(&r);
	}
}
END_TEST

/* --output FILE survives a failed call; --server must be http(s). */
START_TEST(output_and_server_checks)
{
	char *out_path = itest_tmp_path("ticket.txt"), *text;
	struct run r;

	itest_write_file(out_path, "the previous ticket\n");
	/* A walk-in for a service the office does not offer: refused, file untouched. */
	CLIENT_RUN(&r, "ticket", "--office", "cl-main", "--service", "card_pickup", "--output",
	    out_path);
	ck_assert_msg(r.status != 0, "%s", r.out);
	run_free(&r);
	text = slurp_path(out_path);
	ck_assert_str_eq(text, "the previous ticket\n");
	free(text);
	ck_assert(!leftover(itest_env("MADOGUCHI_TEST_TMP"), "ticket.txt"));
	/* A good one replaces it. */
	CLIENT_RUN(&r, "ticket", "--office", "cl-main", "--service", "pin_reset", "--output",
	    out_path, "--lang", "en");
	expect_ok(&r, NULL);
	run_free(&r);
	text = slurp_path(out_path);
	ck_assert_msg(strstr(text, "Citizens' Counter Centre") != NULL, "%s", text);
	free(text);

	{
		const char *const a[] = { "--server", "ftp://127.0.0.1/", "queue", "--office",
			"cl-main", NULL };
		run_client(&r, token, NULL, a);
		expect_fail(&r, 64, "http:// or https://");
		run_free(&r);
	}
	{
		const char *const a[] = { "queue", "--office", "cl-main", NULL };
		run_client(&r, token, "file:///etc/passwd", a);
		expect_fail(&r, 64, "MADOGUCHI_URL");
		run_free(&r);
	}
	{
		const char *const a[] = { "queue", "--office", "cl-main", "--server",
			"127.0.0.1:8080", NULL };
		run_client(&r, token, NULL, a);
		expect_fail(&r, 64, "http:// or https://");
		run_free(&r);
	}
}
END_TEST

START_TEST(queue_view)
{
	static const char *const en[] = { "Citizens' Counter Centre (cl-main)",
	    "at 2026-12-01 10:", "waiting", "No number is being called", NULL };
	static const char *const ja[] = { "市民窓口センター (cl-main)", "待ち人数", NULL };
	struct run r;

	clear_office("cl-main");
	CLIENT_RUN(&r, "ticket", "--office", "cl-main", "--service", "pin_reset");
	expect_ok(&r, NULL);
	run_free(&r);
	CLIENT_RUN(&r, "queue", "--office", "cl-main", "--lang", "en");
	expect_ok(&r, en);
	run_free(&r);
	CLIENT_RUN(&r, "queue", "--office", "cl-main");
	expect_ok(&r, ja);
	run_free(&r);
}
END_TEST

/* Reads from fd into b until it holds needle or timeout_ms passes. */
static bool
read_until(int fd, char *b, size_t cap, size_t *len, const char *needle, int timeout_ms)
{
	struct pollfd p = { fd, POLLIN, 0 };

	while (strstr(b, needle) == NULL) {
		ssize_t n;
		if (poll(&p, 1, timeout_ms) <= 0)
			return false;
		if ((n = read(fd, b + *len, cap - 1 - *len)) <= 0)
			return strstr(b, needle) != NULL;
		*len += (size_t)n;
		b[*len] = '\0';
	}
	return true;
}

START_TEST(queue_watch_redraws_on_events)
{
	char out[16384] = "", auth[160];
	size_t len = 0;
	int fds[2], status;
	struct itest_resp resp;
	pid_t pid;

	clear_office("cl-busy");
	snprintf(auth, sizeof auth, "Authorization: Bearer %s", token);
	ck_assert(pipe(fds) == 0);
	pid = fork();
	ck_assert(pid >= 0);
	if (pid == 0) {
		dup2(fds[1], 1);
		close(fds[0]);
		setenv("MADOGUCHI_URL", d.url, 1);
		execl(CLIENT, CLIENT, "queue", "--office", "cl-busy", "--watch", "--count", "2",
		    "--lang", "en", (char *)NULL);
		_exit(127);
	}
	close(fds[1]);
	/* The first view is drawn once the stream is open. */
	ck_assert_msg(read_until(fds[0], out, sizeof out, &len, "No number is being called",
	    10000), "no first view: %s", out);
	itest_http(&d, "POST", "/v1/offices/cl-busy/tickets", "{\"service\":\"pin_reset\"}", 23,
	    NULL, (const char *const[]){ auth, NULL }, &resp);
	ck_assert_int_eq(resp.status, 201);
	itest_resp_free(&resp);
	ck_assert(waitpid(pid, &status, 0) == pid);
	read_until(fds[0], out, sizeof out, &len, "\x01", 1000);
	close(fds[0]);
	ck_assert_msg(WIFEXITED(status) && WEXITSTATUS(status) == 0, "status %d: %s", status, out);
	/* Two views: the second counts the new ticket. */
	ck_assert_ptr_nonnull(strstr(strstr(out, "flag") + 4, "flag"));
}
END_TEST

START_TEST(errors_are_one_line)
{
	const char *const args[] = { "queue", "--office", "cl-main", NULL };
	char down[64];
	struct run r;

	CLIENT_RUN(&r, "queue", "--office", "nowhere");
	expect_fail(&r, 66, "there is no office with that id");
	run_free(&r);
	CLIENT_RUN(&r, "ticket", "--office", "nowhere", "--service", "ecert_renewal");
	expect_fail(&r, 66, "unknown_office");
	run_free(&r);
	snprintf(down, sizeof down, "http://127.0.0.1:%d", itest_free_port());
	run_client(&r, token, down, args);
	expect_fail(&r, 69, "cannot reach the server at http://127.0.0.1:");
	run_free(&r);
	CLIENT_RUN(&r, "--server", down, "ticket", "--office", "cl-main", "--service",
	    "ecert_renewal");
	expect_fail(&r, 69, "cannot reach the server");
	run_free(&r);
	run_client(&r, "mds_not-a-real-token", NULL, (const char *const[]){ "ticket", "--office",
	    "cl-main", "--service", "ecert_renewal", NULL });
	expect_fail(&r, 77, "unknown, revoked or expired");
	run_free(&r);
	run_client(&r, "mds_not-a-real-token", NULL, (const char *const[]){ "call", "--office",
	    "cl-main", "--counter", "1", NULL });
	expect_fail(&r, 77, "invalid_token");
	run_free(&r);
	run_client(&r, NULL, NULL, (const char *const[]){ "ticket", "--office", "cl-main",
	    "--service", "ecert_renewal", NULL });
	expect_fail(&r, 77, "MADOGUCHI_TOKEN is not set");
	run_free(&r);
	CLIENT_RUN(&r, "ticket", "--office", "cl-main");
	expect_fail(&r, 64, "either --service");
	run_free(&r);
	CLIENT_RUN(&r, "ticket", "--office", "cl-main", "--service", "x", "--counter", "1");
	expect_fail(&r, 64, "ticket does not take --counter");
	run_free(&r);
	CLIENT_RUN(&r, "frobnicate");
	expect_fail(&r, 64, "unknown command");
	run_free(&r);
}
END_TEST

START_TEST(busy_flag_after_40_walk_ins)
{
	static const char *const ja[] = { "【混雑】混み合っています",
	    "お急ぎでない方は別の日のご来庁をご検討ください。", "お待ちの方: 40人", NULL };
	static const char *const en[] = { "BUSY: waits are long today",
	    "If it can wait, please choose another day.", "People ahead: 41", NULL };
	char auth[160];
	struct run r;

	clear_office("cl-busy");
	snprintf(auth, sizeof auth, "Authorization: Bearer %s", token);
	CLIENT_RUN(&r, "ticket", "--office", "cl-busy", "--service", "ecert_renewal");
	expect_ok(&r, (const char *const[]){ "お待ちの方: なし", NULL });
	ck_assert_ptr_null(strstr(r.out, "混雑"));
	run_free(&r);
	for (int i = 1; i < 40; i++) {
		struct itest_resp resp;
		itest_http(&d, "POST", "/v1/offices/cl-busy/tickets",
		    "{\"service\":\"ecert_renewal\"}", 27, NULL, (const char *const[]){ auth, NULL },
		    &resp);
		ck_assert_int_eq(resp.status, 201);
		itest_resp_free(&resp);
	}
	CLIENT_RUN(&r, "ticket", "--office", "cl-busy", "--service", "ecert_renewal");
	expect_ok(&r, ja);
	run_free(&r);
	CLIENT_RUN(&r, "ticket", "--office", "cl-busy", "--service", "ecert_renewal", "--lang",
	    "en");
	expect_ok(&r, en);
	run_free(&r);
	/* The queue view flags the service too, with the advice for staff. */
	CLIENT_RUN(&r, "queue", "--office", "cl-busy", "--lang", "en");
	expect_ok(&r, (const char *const[]){ "BUSY", "choose another day", NULL });
	run_free(&r);
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("client");
	TCase *tc = tcase_create("client");
	SRunner *sr;
	int failed;

	tcase_add_unchecked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 120);
	tcase_add_test(tc, ticket_text_both_languages);
	tcase_add_test(tc, ticket_escpos_to_file);
	tcase_add_test(tc, book_show_checkin_cancel);
	tcase_add_test(tc, availability_lists_slots);
	tcase_add_test(tc, staff_call_recall_done_no_show);
	tcase_add_test(tc, booking_show_one_language);
	tcase_add_test(tc, lang_before_or_after_the_command);
	tcase_add_test(tc, queue_view);
	tcase_add_test(tc, queue_watch_redraws_on_events);
	tcase_add_test(tc, errors_are_one_line);
	tcase_add_test(tc, busy_flag_after_40_walk_ins);
	tcase_add_test(tc, resident_actions);
	tcase_add_test(tc, second_visit);
	tcase_add_test(tc, staff_documents_and_transfer);
	tcase_add_test(tc, output_and_server_checks);
	tcase_add_test(tc, ticket_carries_its_page);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_set_fork_status(sr, CK_NOFORK);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
