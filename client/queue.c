/* The queue view as text. */
#include "queue.h"

#include "text.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define NAME_MAX_COLUMNS 28

/* The words of the view in one language. */
struct words {
	const char *at, *calling, *called_at, *none_called, *service, *waiting, *due, *wait;
	const char *flag, *minutes, *busy, *very_busy, *advice;
	const char *checked_in, *due_at;
};

static const struct words ja = {
	"%s 現在", "呼び出し中: ", "%s → %s番窓口", "呼び出し中の番号はありません",
	"ご用件", "待ち人数", "予約", "待ち時間", "混雑", "約%s分", "混雑", "大変混雑",
	"混雑しています。お急ぎでない方には別の日のご来庁をお願いしてください。",
	"受付済みの予約: ", "%s（%s のご予約）",
};

static const struct words en = {
	"at %s", "Now calling: ", "%s at counter %s", "No number is being called",
	"service", "waiting", "due", "wait", "flag", "%s min", "BUSY", "VERY BUSY",
	"Busy: ask residents whose visit can wait to choose another day.",
	"Checked in: ", "%s (due %s)",
};

/* The {"ja","en"} member key of o in lang, or fallback. */
static const char *
name_in(const json_t *o, const char *key, enum lang lang, const char *fallback)
{
	const char *s = json_string_value(json_object_get(json_object_get(o, key),
	    lang == LANG_EN ? "en" : "ja"));

	return s != NULL && s[0] != '\0' ? s : fallback;
}

/* The string member key of o, or fallback. */
static const char *
str_or(const json_t *o, const char *key, const char *fallback)
{
	const char *s = json_string_value(json_object_get(o, key));

	return s != NULL ? s : fallback;
}

/* The heading: office and the time of the view. */
static void
heading(const json_t *q, const struct words *w, enum lang lang, struct buf *out)
{
	const char *office = json_string_value(json_object_get(q, "office"));
	const char *at = json_string_value(json_object_get(q, "at"));
	char when[32] = "";

	if (at != NULL && strlen(at) >= 16)
		snprintf(when, sizeof when, "%.10s %.5s", at, at + 11);
	buf_printf(out, "%s (%s)  ", name_in(q, "names", lang, office), office);
	text_subst(out, w->at, when, NULL);
	buf_addc(out, '\n');
}

/* The numbers being called, most recent first. */
static void
calling(const json_t *q, const struct words *w, struct buf *out)
{
	const json_t *called = json_object_get(q, "called"), *c;
	size_t i;

	if (json_array_size(called) == 0) {
		buf_printf(out, "%s\n", w->none_called);
		return;
	}
	buf_puts(out, w->calling);
	json_array_foreach(called, i, c) {
		if (i > 0)
			buf_puts(out, ", ");
		char counter[24];
		snprintf(counter, sizeof counter, "%lld",
		    (long long)json_integer_value(json_object_get(c, "counter")));
		text_subst(out, w->called_at, str_or(c, "ticket", "?"), counter);
	}
	buf_addc(out, '\n');
}

/* Reservations checked in and waiting, each with the time of its slot. */
static void
checked_in(const json_t *q, const struct words *w, struct buf *out)
{
	const json_t *list = json_object_get(q, "checked_in"), *c;
	size_t i;

	if (json_array_size(list) == 0)
		return;
	buf_puts(out, w->checked_in);
	json_array_foreach(list, i, c) {
		const char *due = str_or(c, "due_at", "");
		char hhmm[8] = "?";
		if (strlen(due) >= 16)
			snprintf(hhmm, sizeof hhmm, "%.5s", due + 11);
		if (i > 0)
			buf_puts(out, ", ");
		text_subst(out, w->due_at, str_or(c, "ticket", "?"), hhmm);
	}
	buf_addc(out, '\n');
}

/* The width of the service column. */
static size_t
name_columns(const json_t *services, const struct words *w, enum lang lang)
{
	size_t width = text_width(w->service), i;
	const json_t *s;

	json_array_foreach(services, i, s) {
		size_t sw = text_width(name_in(s, "names", lang,
		    str_or(s, "service", "?")));
		if (sw > width)
			width = sw;
	}
	return width < NAME_MAX_COLUMNS ? width : NAME_MAX_COLUMNS;
}

/* One service's row; returns whether it is flagged. */
static int
service_row(const json_t *s, const struct words *w, enum lang lang, size_t ncol, struct buf *out)
{
	const char *flag = json_string_value(json_object_get(s, "flag"));
	const char *label = flag == NULL ? "" : strcmp(flag, "busy") == 0 ? w->busy :
	    strcmp(flag, "very_busy") == 0 ? w->very_busy : "";
	char n[32];
	struct buf wait = { 0 };

	text_pad(out, name_in(s, "names", lang, str_or(s, "service", "?")), ncol, 0);
	snprintf(n, sizeof n, "%lld", (long long)json_integer_value(json_object_get(s, "waiting")));
	buf_puts(out, "  "), text_pad(out, n, text_width(w->waiting), 1);
	snprintf(n, sizeof n, "%lld", (long long)json_integer_value(json_object_get(s,
	    "due_reservations")));
	buf_puts(out, "  "), text_pad(out, n, text_width(w->due), 1);
	snprintf(n, sizeof n, "%lld",
	    (long long)json_integer_value(json_object_get(s, "estimated_wait_min")));
	text_subst(&wait, w->minutes, n, NULL);
	buf_puts(out, "  "), text_pad(out, buf_str(&wait), 8, 1);
	buf_free(&wait);
	if (label[0] != '\0')
		buf_printf(out, "  %s", label);
	buf_addc(out, '\n');
	return label[0] != '\0';
}

int
queue_render(const json_t *q, enum lang lang, struct buf *out, char **cause)
{
	const struct words *w = lang == LANG_EN ? &en : &ja;
	const json_t *services = json_object_get(q, "services"), *s;
	size_t ncol, i;
	int flagged = 0;

	if (!json_is_array(services) || json_string_value(json_object_get(q, "office")) == NULL) {
		*cause = strdup("the server's queue lacks office or services");
		return -1;
	}
	heading(q, w, lang, out);
	calling(q, w, out);
	checked_in(q, w, out);
	buf_addc(out, '\n');
	ncol = name_columns(services, w, lang);
	text_pad(out, w->service, ncol, 0);
	buf_printf(out, "  %s  %s  ", w->waiting, w->due);
	text_pad(out, w->wait, 8, 1);
	buf_printf(out, "  %s\n", w->flag);
	json_array_foreach(services, i, s)
		flagged |= service_row(s, w, lang, ncol, out);
	if (flagged)
		buf_printf(out, "\n%s\n", w->advice);
	return 0;
}
