/* A queue ticket as rows, then the rows as text or as ESC/POS. */
#include "ticket.h"

#include "escpos.h"
#include "text.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_ROWS 64

/* What a row is. */
enum row_kind {
	ROW_TEXT,	/* text, wrapped to the paper */
	ROW_RULE,	/* a line of rule characters across the paper */
	ROW_NUMBER,	/* the ticket number, printed double size */
	ROW_BLANK,	/* an empty line */
	ROW_QR,		/* the ticket page's URL: a QR code on ESC/POS, the URL as text */
};

/* One row of the ticket before it meets the paper. */
struct row {
	enum row_kind kind;	/* see above */
	bool centre;		/* centred, else left-aligned */
	bool bold;		/* emphasised (the crowding flag) */
	char rule;		/* ROW_RULE: the character */
	char *text;		/* ROW_TEXT, ROW_NUMBER: UTF-8 (owned) */
};

/* A ticket's rows. */
struct rows {
	struct row r[MAX_ROWS];	/* in print order */
	size_t n;		/* how many */
};

/* The words of a ticket in one language. */
struct words {
	const char *title, *number, *service, *issued, *ahead, *ahead_none, *wait, *wait_none;
	const char *busy, *very_busy, *advice_busy, *advice_very_busy, *advice_booked;
	const char *booking, *documents, *doc, *doc_optional, *footer;
	const char *follow;	/* above the ticket page's QR code or URL */
};

static const struct words ja = {
	"整理券", "受付番号", "ご用件: %s", "発行: %s", "お待ちの方: %s人", "お待ちの方: なし",
	"待ち時間の目安: 約%s分", "待ち時間の目安: まもなくお呼びします",
	"【混雑】混み合っています", "【大変混雑】大変混み合っています",
	"お急ぎでない方は別の日のご来庁をご検討ください。",
	"お急ぎでない方は、別の日にお越しくださいますようお願いします。",
	"ご予約の方は、予約時刻を目安にお呼びします。",
	"ご予約: %s", "ご用意いただくもの:", "・%s", "・%s（該当する方）",
	"番号をお呼びします。\nしばらくお待ちください。",
	"スマートフォンで順番と待ち時間を確認できます:",
};

static const struct words en = {
	"Queue ticket", "Your number", "Service: %s", "Issued: %s", "People ahead: %s",
	"People ahead: none", "Expected wait: about %s min",
	"Expected wait: you will be called shortly",
	"BUSY: waits are long today", "VERY BUSY: waits are very long today",
	"If it can wait, please choose another day.",
	"Unless it is urgent, please come back on another day.",
	"Reservations are called around their reserved time.",
	"Booking: %s", "Please have ready:", "- %s", "- %s (optional)",
	"Please wait until your number is called.",
	"Follow your place and wait on your phone:",
};

/* Adds a row; text is copied. */
static void
add(struct rows *rs, enum row_kind kind, bool centre, bool bold, const char *text)
{
	struct row *r;

	if (rs->n == MAX_ROWS)
		return;
	r = &rs->r[rs->n++];
	r->kind = kind, r->centre = centre, r->bold = bold, r->rule = '-';
	r->text = text ? strdup(text) : NULL;
	if (text != NULL && r->text == NULL)
		abort();
}

/* Adds a rule of character c. */
static void
add_rule(struct rows *rs, char c)
{
	add(rs, ROW_RULE, false, false, NULL);
	if (rs->n > 0)
		rs->r[rs->n - 1].rule = c;
}

/* Adds a left-aligned row from a template with one %s. */
static void
add_fmt(struct rows *rs, const char *tmpl, const char *arg)
{
	struct buf line = { 0 };

	text_subst(&line, tmpl, arg, NULL);
	add(rs, ROW_TEXT, false, false, buf_str(&line));
	buf_free(&line);
}

/* Adds a left-aligned row from a template with one %s for a number. */
static void
add_num(struct rows *rs, const char *tmpl, long long n)
{
	char num[24];

	snprintf(num, sizeof num, "%lld", n);
	add_fmt(rs, tmpl, num);
}

/* The {"ja","en"} member key of o in lang, or fallback. */
static const char *
name_in(const json_t *o, const char *key, enum lang lang, const char *fallback)
{
	const char *s = json_string_value(json_object_get(json_object_get(o, key),
	    lang == LANG_EN ? "en" : "ja"));

	return s != NULL && s[0] != '\0' ? s : fallback;
}

/* Formats an instant (2026-12-01T10:00:00+09:00) as its local date and time. */
static bool
format_time(const char *iso, enum lang lang, char *out, size_t len)
{
	int y, mo, d, h, mi;

	if (iso == NULL || strlen(iso) < 16 || sscanf(iso, "%4d-%2d-%2dT%2d:%2d", &y, &mo, &d,
	    &h, &mi) != 5)
		return false;
	if (lang == LANG_EN)
		snprintf(out, len, "%04d-%02d-%02d %02d:%02d", y, mo, d, h, mi);
	else
		snprintf(out, len, "%d年%d月%d日 %02d:%02d", y, mo, d, h, mi);
	return true;
}

const char *
ticket_flag_line(const char *flag, enum lang lang)
{
	const struct words *w = lang == LANG_EN ? &en : &ja;

	if (flag != NULL && strcmp(flag, "busy") == 0)
		return w->busy;
	if (flag != NULL && strcmp(flag, "very_busy") == 0)
		return w->very_busy;
	return NULL;
}

/* The crowding flag and what to do about it. */
static void
add_flag(struct rows *rs, const struct words *w, const char *flag, bool booked,
    enum lang lang)
{
	const char *line = ticket_flag_line(flag, lang);

	if (line == NULL)
		return;
	add_rule(rs, '-');
	add(rs, ROW_TEXT, true, true, line);
	if (booked)
		add(rs, ROW_TEXT, false, false, w->advice_booked);
	else
		add(rs, ROW_TEXT, false, false, strcmp(flag, "busy") == 0 ? w->advice_busy :
		    w->advice_very_busy);
}

/* The documents to have ready, from the booking. */
static void
add_documents(struct rows *rs, const struct words *w, const json_t *booking)
{
	const json_t *docs = json_object_get(booking, "documents"), *d;
	size_t i;

	if (json_array_size(docs) == 0)
		return;
	add_rule(rs, '-');
	add(rs, ROW_TEXT, false, false, w->documents);
	json_array_foreach(docs, i, d) {
		const char *label = json_string_value(json_object_get(d, "label"));
		if (label == NULL)
			continue;
		add_fmt(rs, json_is_false(json_object_get(d, "required")) ? w->doc_optional :
		    w->doc, label);
	}
}

/* The body of the ticket: what, when, how many ahead, how long. */
static void
add_details(struct rows *rs, const struct words *w, const json_t *t, const char *when,
    enum lang lang)
{
	json_int_t position = json_integer_value(json_object_get(t, "position"));
	json_int_t wait = json_integer_value(json_object_get(t, "estimated_wait_min"));
	const char *service = json_string_value(json_object_get(t, "service"));

	add_fmt(rs, w->service, name_in(t, "service_names", lang, service ? service : "?"));
	add_fmt(rs, w->issued, when);
	if (position > 1)
		add_num(rs, w->ahead, (long long)position - 1);
	else
		add(rs, ROW_TEXT, false, false, w->ahead_none);
	if (wait > 0)
		add_num(rs, w->wait, (long long)wait);
	else
		add(rs, ROW_TEXT, false, false, w->wait_none);
}

/* True when s is 1..63 characters of [A-Za-z0-9_-] (safe in a URL path as is). */
static bool
url_segment_ok(const char *s)
{
	size_t n = s ? strlen(s) : 0;

	return n > 0 && n < 64 && strspn(s, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
	    "0123456789_-") == n;
}

char *
ticket_page_url(const char *public_url, const char *office, const char *number,
    enum lang lang)
{
	size_t n = public_url ? strlen(public_url) : 0;
	char *url;

	while (n > 0 && public_url[n - 1] == '/')
		n--;
	if (n == 0 || n > 200 || (strncmp(public_url, "https://", 8) != 0 &&
	    strncmp(public_url, "http://", 7) != 0) || !url_segment_ok(office) ||
	    !url_segment_ok(number))
		return NULL;
	for (size_t i = 0; i < n; i++) {
		if ((unsigned char)public_url[i] <= ' ' || public_url[i] == 0x7f ||
		    public_url[i] == '?' || public_url[i] == '#')
			return NULL;
	}
	if (asprintf(&url, "%.*s/ticket/%s/%s%s", (int)n, public_url, office, number,
	    lang == LANG_EN ? "?lang=en" : "") < 0)
		abort();
	return url;
}

/* Checks the answer and lays the ticket out in rows. */
static int
layout(const struct ticket_input *in, const struct ticket_options *opt, struct rows *rs,
    char **cause)
{
	enum lang lang = opt->lang;
	const struct words *w = lang == LANG_EN ? &en : &ja;
	const json_t *t = in->ticket;
	const char *number = json_string_value(json_object_get(t, "number"));
	const char *flag = json_string_value(json_object_get(t, "flag"));
	const char *office = json_string_value(json_object_get(t, "office"));
	char when[64];

	if (number == NULL || office == NULL || flag == NULL ||
	    !json_is_integer(json_object_get(t, "position")) ||
	    !json_is_integer(json_object_get(t, "estimated_wait_min")) ||
	    !format_time(json_string_value(json_object_get(t, "issued_at")), lang, when,
	    sizeof when)) {
		*cause = strdup("the server's ticket lacks number, office, position, "
		    "estimated_wait_min, flag or issued_at");
		return -1;
	}
	add_rule(rs, '=');
	add(rs, ROW_TEXT, true, true, name_in(in->office, "names", lang, office));
	add(rs, ROW_TEXT, true, false, w->title);
	add(rs, ROW_BLANK, false, false, NULL);
	add(rs, ROW_TEXT, true, false, w->number);
	add(rs, ROW_NUMBER, true, false, number);
	add(rs, ROW_BLANK, false, false, NULL);
	add_rule(rs, '-');
	add_details(rs, w, t, when, lang);
	if (in->reference != NULL)
		add_fmt(rs, w->booking, in->reference);
	add_flag(rs, w, flag, in->reference != NULL, lang);
	add_documents(rs, w, in->booking);
	add_rule(rs, '-');
	add(rs, ROW_TEXT, false, false, w->footer);
	if (opt->public_url != NULL) {
		char *url = ticket_page_url(opt->public_url, office, number, lang);
		if (url == NULL) {
			*cause = strdup("public_url must be an http:// or https:// URL without "
			    "spaces, query or fragment (and the ticket a plain office and number)");
			return -1;
		}
		add(rs, ROW_BLANK, false, false, NULL);
		add(rs, ROW_TEXT, true, false, w->follow);
		add(rs, ROW_QR, true, false, url);
		free(url);
	}
	add_rule(rs, '=');
	return 0;
}

/* Where text_wrap's lines go: the output, its width, and how to align. */
struct sink {
	struct buf *out;	/* the bytes */
	size_t columns;		/* paper width in half-width columns */
	bool centre;		/* centre each line */
	bool escpos;		/* ESC/POS (else text) */
};

/* Writes one wrapped line. */
static void
sink_line(void *arg, const char *line, size_t len)
{
	struct sink *s = arg;
	char *copy = strndup(line, len);

	if (copy == NULL)
		abort();
	if (s->escpos) {
		(void)escpos_line(s->out, copy, len);
	} else {
		size_t w = text_width(copy);
		if (s->centre && w < s->columns && len > 0)
			buf_repeat(s->out, ' ', (s->columns - w) / 2);
		buf_add(s->out, copy, len);
		buf_addc(s->out, '\n');
	}
	free(copy);
}

/* The number as text: fullwidth (so it stands twice as wide) when it fits. */
static void
text_number(struct sink *s, const char *number)
{
	struct buf wide = { 0 };

	text_fullwidth(&wide, number);
	text_wrap(text_width(buf_str(&wide)) <= s->columns ? buf_str(&wide) : number, s->columns,
	    sink_line, s);
	buf_free(&wide);
}

/* Renders the rows as text. */
static void
render_text(const struct rows *rs, size_t columns, struct buf *out)
{
	for (size_t i = 0; i < rs->n; i++) {
		const struct row *r = &rs->r[i];
		struct sink s = { out, columns, r->centre, false };

		if (r->kind == ROW_RULE) {
			buf_repeat(out, r->rule, columns);
			buf_addc(out, '\n');
		} else if (r->kind == ROW_BLANK) {
			buf_addc(out, '\n');
		} else if (r->kind == ROW_NUMBER) {
			text_number(&s, r->text);
		} else if (r->kind == ROW_QR) {
			/* Whole on one line, so it can be copied or typed as printed. */
			buf_add(out, r->text, strlen(r->text));
			buf_addc(out, '\n');
		} else {
			text_wrap(r->text, columns, sink_line, &s);
		}
	}
}

/* Renders the rows as ESC/POS. */
static void
render_escpos(const struct rows *rs, size_t columns, struct buf *out)
{
	bool centre = false;

	escpos_init(out);
	for (size_t i = 0; i < rs->n; i++) {
		const struct row *r = &rs->r[i];
		struct sink s = { out, columns, r->centre, true };

		if (r->kind == ROW_RULE || r->kind == ROW_BLANK) {
			struct buf line = { 0 };
			if (r->kind == ROW_RULE)
				buf_repeat(&line, r->rule, columns);
			(void)escpos_line(out, buf_str(&line), line.len);
			buf_free(&line);
			continue;
		}
		if (r->centre != centre)
			escpos_align(out, centre = r->centre);
		if (r->bold)
			escpos_bold(out, true);
		if (r->kind == ROW_QR) {
			/* 6-dot modules on 80 mm paper, 4 on 58 mm: about 25 mm either way. */
			(void)escpos_qr(out, r->text, strlen(r->text), columns > 32 ? 6 : 4);
			buf_addc(out, '\n');
		}
		if (r->kind == ROW_NUMBER) {
			escpos_double(out, true);
			s.columns = columns / 2;
		}
		text_wrap(r->text, s.columns, sink_line, &s);
		if (r->kind == ROW_NUMBER)
			escpos_double(out, false);
		if (r->bold)
			escpos_bold(out, false);
	}
	if (centre)
		escpos_align(out, false);
	buf_addc(out, '\n');
	escpos_cut(out);
}

int
ticket_columns(int paper_mm)
{
	return paper_mm == 58 ? 32 : 48;
}

int
ticket_render(const struct ticket_input *in, const struct ticket_options *opt,
    struct buf *out, char **cause)
{
	struct rows rs = { .n = 0 };
	size_t columns = (size_t)ticket_columns(opt->paper_mm);
	int rc = layout(in, opt, &rs, cause);

	if (rc == 0 && opt->format == TICKET_ESCPOS)
		render_escpos(&rs, columns, out);
	else if (rc == 0)
		render_text(&rs, columns, out);
	for (size_t i = 0; i < rs.n; i++)
		free(rs.r[i].text);
	return rc;
}
