/* Availability and bookings as text for a terminal. */
#include "booking.h"

#include "text.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define SLOTS_PER_LINE 6

/* The words in one language. */
struct words {
	const char *const *weekdays;
	const char *closed, *weekly, *holiday, *year_end, *nth_weekday, *special, *full, *legend;
	const char *none, *booked, *reference, *token, *token_note, *status, *when, *office;
	const char *service, *visits, *documents, *optional, *notices;
};

static const char *const ja_days[] = { "日", "月", "火", "水", "木", "金", "土" };
static const char *const en_days[] = { "Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat" };

static const struct words ja = {
	ja_days, "休み", "定休日", "祝日", "年末年始", "休業日", "臨時休業", "満",
	"* 混雑が予想されます。ご都合がつけば別の日時をお選びください。",
	"この期間に予約できる枠はありません。", "予約しました。", "予約番号: %s",
	"確認用トークン: %s",
	"  (この一度だけ表示します。予約の確認・取消に必要ですので控えてください)",
	"状態: %s", "日時: %s", "窓口: %s", "ご用件: %s", "来庁回数: %s回",
	"ご用意いただくもの:", "（該当する方）", "お知らせ:",
};

static const struct words en = {
	en_days, "closed", "weekly closing day", "public holiday", "year-end break",
	"closing day", "special closing", "full",
	"* expected to be crowded: if you can, choose another day or time.",
	"No slot can be booked in this period.", "Booked.", "Reference: %s", "Token: %s",
	"  (shown this once: you need it to see or cancel the booking; keep it)",
	"Status: %s", "When: %s", "Office: %s", "Service: %s", "Visits: %s",
	"Please bring:", " (optional)", "Notices:",
};

/* The string member key of o, or fallback. */
static const char *
str_or(const json_t *o, const char *key, const char *fallback)
{
	const char *s = json_string_value(json_object_get(o, key));

	return s != NULL ? s : fallback;
}

/* The weekday (0 Sunday) of a YYYY-MM-DD date, or -1. */
static int
weekday(const char *date)
{
	static const int t[] = { 0, 3, 2, 5, 0, 3, 5, 1, 4, 6, 2, 4 };
	int y, m, d;

	if (date == NULL || sscanf(date, "%4d-%2d-%2d", &y, &m, &d) != 3 || m < 1 || m > 12)
		return -1;
	y -= m < 3;
	return (y + y / 4 - y / 100 + y / 400 + t[m - 1] + d) % 7;
}

/* The time of day (HH:MM) of an instant or a time. */
static void
time_of(const char *s, char out[6])
{
	const char *t = s != NULL ? strchr(s, 'T') : NULL;

	snprintf(out, 6, "%.5s", t != NULL ? t + 1 : s != NULL ? s : "??:??");
}

/* The words for a closed day's reason. */
static const char *
closed_reason(const struct words *w, const char *reason)
{
	static const char *const ids[] = { "weekly", "holiday", "year_end", "nth_weekday",
	    "special" };
	const char *const texts[] = { w->weekly, w->holiday, w->year_end, w->nth_weekday,
	    w->special };

	for (size_t i = 0; reason != NULL && i < sizeof ids / sizeof ids[0]; i++) {
		if (strcmp(reason, ids[i]) == 0)
			return texts[i];
	}
	return reason != NULL ? reason : "";
}

/* One day: its date, then its slots or why it is closed; returns whether one is crowded. */
static int
render_day(const json_t *day, const struct words *w, struct buf *out)
{
	const char *date = str_or(day, "date", "?");
	const json_t *slots = json_object_get(day, "slots"), *s;
	int wd = weekday(date), crowded = 0;
	size_t i;

	buf_printf(out, "%s (%s)", date, wd >= 0 ? w->weekdays[wd] : "?");
	if (json_array_size(slots) == 0) {
		buf_printf(out, "  %s %s\n", w->closed, closed_reason(w, str_or(day,
		    "closed_reason", NULL)));
		return 0;
	}
	json_array_foreach(slots, i, s) {
		const char *crowding = str_or(s, "crowding", "");
		json_int_t avail = json_integer_value(json_object_get(s, "available"));
		char hm[6];

		time_of(str_or(s, "start", NULL), hm);
		buf_puts(out, i % SLOTS_PER_LINE == 0 ? "\n   " : "");
		if (avail > 0)
			buf_printf(out, "  %s %2lld%s", hm, (long long)avail,
			    strcmp(crowding, "high") == 0 ? "*" : " ");
		else
			buf_printf(out, "  %s %s", hm, w->full);
		crowded |= avail > 0 && strcmp(crowding, "high") == 0;
	}
	buf_addc(out, '\n');
	return crowded;
}

int
booking_render_availability(const json_t *av, enum lang lang, struct buf *out, char **cause)
{
	const struct words *w = lang == LANG_EN ? &en : &ja;
	const json_t *days = json_object_get(av, "days"), *day;
	int crowded = 0;
	size_t i;

	if (!json_is_array(days)) {
		*cause = strdup("the server's availability lacks days");
		return -1;
	}
	buf_printf(out, "%s / %s\n", str_or(av, "office_name", str_or(av, "office", "?")),
	    str_or(av, "service_name", str_or(av, "service", "?")));
	json_array_foreach(days, i, day)
		crowded |= render_day(day, w, out);
	if (json_array_size(days) == 0)
		buf_printf(out, "%s\n", w->none);
	if (crowded)
		buf_printf(out, "%s\n", w->legend);
	return 0;
}

void
booking_render_documents(const json_t *b, enum lang lang, struct buf *out)
{
	const struct words *w = lang == LANG_EN ? &en : &ja;
	const json_t *docs = json_object_get(b, "documents"), *d;
	size_t i;

	if (json_array_size(docs) == 0)
		return;
	buf_printf(out, "%s\n", w->documents);
	json_array_foreach(docs, i, d) {
		buf_printf(out, "  %s %s%s\n", lang == LANG_EN ? "-" : "・", str_or(d, "label",
		    str_or(d, "id", "?")), json_is_false(json_object_get(d, "required")) ?
		    w->optional : "");
	}
}

/* The notices of a booking, one a line. */
static void
render_notices(const json_t *b, const struct words *w, enum lang lang, struct buf *out)
{
	const json_t *notices = json_object_get(b, "notices"), *n;
	size_t i;

	if (json_array_size(notices) == 0)
		return;
	buf_printf(out, "%s\n", w->notices);
	json_array_foreach(notices, i, n)
		buf_printf(out, "  %s %s\n", lang == LANG_EN ? "-" : "・", str_or(n, "message",
		    str_or(n, "code", "?")));
}

/* Appends a line from a template with one %s. */
static void
line(struct buf *out, const char *tmpl, const char *arg)
{
	text_subst(out, tmpl, arg, NULL);
	buf_addc(out, '\n');
}

/*
 * The language to show a booking in: the one it was made in when it says so,
 * since its documents and notices were written in that language; else lang.
 */
static enum lang
booking_lang(const json_t *b, enum lang lang)
{
	const char *made = str_or(b, "language", "");

	return strcmp(made, "en") == 0 ? LANG_EN : strcmp(made, "ja") == 0 ? LANG_JA : lang;
}

int
booking_render(const json_t *b, enum lang lang, struct buf *out, char **cause)
{
	const struct words *w = (lang = booking_lang(b, lang)) == LANG_EN ? &en : &ja;
	const char *ref = str_or(b, "reference", NULL), *token = str_or(b, "token", NULL);
	const char *start = str_or(b, "start", ""), *end = str_or(b, "end", "");
	char when[64], hm[6];

	if (ref == NULL) {
		*cause = strdup("the server's booking lacks its reference");
		return -1;
	}
	time_of(end, hm);
	snprintf(when, sizeof when, "%.10s %.5s-%s", start, strlen(start) >= 16 ? start + 11 :
	    "", hm);
	if (token != NULL)
		buf_printf(out, "%s\n", w->booked);
	line(out, w->reference, ref);
	if (token != NULL) {
		line(out, w->token, token);
		buf_printf(out, "%s\n", w->token_note);
	}
	line(out, w->status, str_or(b, "status", "?"));
	line(out, w->when, when);
	line(out, w->office, str_or(b, "office_name", str_or(b, "office", "?")));
	line(out, w->service, str_or(b, "service_name", str_or(b, "service", "?")));
	if (json_is_integer(json_object_get(b, "visits"))) {
		char n[24];
		snprintf(n, sizeof n, "%lld", (long long)json_integer_value(json_object_get(b,
		    "visits")));
		line(out, w->visits, n);
	}
	booking_render_documents(b, lang, out);
	render_notices(b, w, lang, out);
	return 0;
}

int
booking_render_verdict(const json_t *v, enum lang lang, struct buf *out, char **cause)
{
	const struct words *w = lang == LANG_EN ? &en : &ja;
	const json_t *allowed = json_object_get(v, "allowed");
	const json_t *window = json_object_get(v, "window");
	bool en_ = lang == LANG_EN;

	if (!json_is_boolean(allowed)) {
		*cause = strdup("the server's verdict lacks allowed");
		return -1;
	}
	if (json_is_true(allowed))
		buf_printf(out, "%s\n", en_ ? "Allowed: this visit can be booked." :
		    "予約できます。");
	else
		buf_printf(out, en_ ? "Not allowed (%s).\n" : "予約できません（%s）。\n",
		    str_or(v, "code", "?"));
	if (json_is_string(json_object_get(v, "kind")))
		buf_printf(out, en_ ? "Kind: %s\n" : "種別: %s\n", str_or(v, "kind", "?"));
	if (json_is_object(window))
		buf_printf(out, en_ ? "Renewal window: %s to %s\n" : "更新期間: %s〜%s\n",
		    str_or(window, "opens_on", "?"), str_or(window, "closes_on", "?"));
	if (json_is_integer(json_object_get(v, "visits"))) {
		char n[24];
		snprintf(n, sizeof n, "%lld", (long long)json_integer_value(json_object_get(v,
		    "visits")));
		line(out, w->visits, n);
	}
	if (json_is_string(json_object_get(v, "second_visit_earliest")))
		buf_printf(out, en_ ? "Second visit from: %s\n" : "2回目の来庁: %s以降\n",
		    str_or(v, "second_visit_earliest", "?"));
	if (json_is_integer(json_object_get(v, "fee_yen")))
		buf_printf(out, en_ ? "Fee: %lld yen\n" : "手数料: %lld円\n",
		    (long long)json_integer_value(json_object_get(v, "fee_yen")));
	booking_render_documents(v, lang, out);
	render_notices(v, w, lang, out);
	return 0;
}
