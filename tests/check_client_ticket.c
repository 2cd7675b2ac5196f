/*
 * The client's ticket rendering: golden files pin the text and the ESC/POS
 * bytes; a small ESC/POS reader checks every command is one the ticket means
 * to send, that kanji appear only in kanji mode, that lines fit the paper, and
 * that the printed words are the text ticket's. Set MADOGUCHI_UPDATE_GOLDEN=1
 * to rewrite the golden files after a deliberate change (and review the diff).
 */
#include "escpos.h"
#include "sjis.h"
#include "text.h"
#include "ticket.h"

#include <check.h>
#include <iconv.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define GOLDEN "tests/golden/"

/* Reads a whole file into b; false when it is missing. */
static bool
slurp(const char *path, struct buf *b)
{
	FILE *fp = fopen(path, "rb");
	char chunk[4096];
	size_t n;

	if (fp == NULL)
		return false;
	while ((n = fread(chunk, 1, sizeof chunk, fp)) > 0)
		buf_add(b, chunk, n);
	fclose(fp);
	return true;
}

/* Renders the canned answer in tests/golden/input.json. */
static void
render(const char *input, enum lang lang, enum ticket_format format, int paper, struct buf *out)
{
	char path[256], *cause = NULL;
	json_error_t err;
	json_t *j;
	struct ticket_input in;
	struct ticket_options opt = { lang, format, paper, NULL };

	snprintf(path, sizeof path, GOLDEN "%s.json", input);
	j = json_load_file(path, 0, &err);
	ck_assert_msg(j != NULL, "%s:%d: %s", path, err.line, err.text);
	in.ticket = json_object_get(j, "ticket");
	in.office = json_object_get(j, "office");
	in.booking = json_object_get(j, "booking");
	in.reference = json_string_value(json_object_get(j, "reference"));
	ck_assert_int_eq(ticket_render(&in, &opt, out, &cause), 0);
	json_decref(j);
}

/* Compares a rendering with its golden file (or rewrites it when asked). */
static void
golden(const char *input, enum lang lang, enum ticket_format format, int paper,
    const char *name)
{
	struct buf got = { 0 }, want = { 0 };
	char path[256];
	const char *update = getenv("MADOGUCHI_UPDATE_GOLDEN");

	render(input, lang, format, paper, &got);
	snprintf(path, sizeof path, GOLDEN "%s", name);
	if (update != NULL && strcmp(update, "1") == 0) {
		FILE *fp = fopen(path, "wb");
		ck_assert(fp != NULL);
		ck_assert_uint_eq(fwrite(got.data, 1, got.len, fp), got.len);
		fclose(fp);
	}
	ck_assert_msg(slurp(path, &want), "golden file %s is missing", path);
	if (got.len != want.len || memcmp(got.data, want.data, got.len) != 0) {
		FILE *fp = fopen("/tmp/madoguchi-golden.actual", "wb");
		if (fp != NULL) {
			fwrite(got.data, 1, got.len, fp);
			fclose(fp);
		}
		ck_abort_msg("%s differs (%zu bytes, golden %zu); the rendering is in "
		    "/tmp/madoguchi-golden.actual", path, got.len, want.len);
	}
	buf_free(&got);
	buf_free(&want);
}

START_TEST(golden_text)
{
	golden("ticket_walkin", LANG_JA, TICKET_TEXT, 80, "ticket_walkin_ja.txt");
	golden("ticket_walkin", LANG_EN, TICKET_TEXT, 80, "ticket_walkin_en.txt");
	golden("ticket_busy", LANG_JA, TICKET_TEXT, 80, "ticket_busy_ja.txt");
	golden("ticket_busy", LANG_EN, TICKET_TEXT, 58, "ticket_busy_en_58.txt");
	golden("ticket_very_busy", LANG_EN, TICKET_TEXT, 80, "ticket_very_busy_en.txt");
	golden("ticket_very_busy", LANG_JA, TICKET_TEXT, 58, "ticket_very_busy_ja_58.txt");
	golden("ticket_booking", LANG_JA, TICKET_TEXT, 80, "ticket_booking_ja.txt");
	golden("ticket_booking_en", LANG_EN, TICKET_TEXT, 80, "ticket_booking_en.txt");
	/* Long Japanese labels: kinsoku and whole words on both paper widths. */
	golden("ticket_kinsoku", LANG_JA, TICKET_TEXT, 58, "ticket_kinsoku_ja_58.txt");
	golden("ticket_kinsoku", LANG_JA, TICKET_TEXT, 80, "ticket_kinsoku_ja_80.txt");
}
END_TEST

START_TEST(golden_escpos)
{
	golden("ticket_busy", LANG_JA, TICKET_ESCPOS, 80, "ticket_busy_ja_80.escpos");
	golden("ticket_busy", LANG_EN, TICKET_ESCPOS, 58, "ticket_busy_en_58.escpos");
	golden("ticket_booking", LANG_JA, TICKET_ESCPOS, 58, "ticket_booking_ja_58.escpos");
	golden("ticket_walkin", LANG_JA, TICKET_ESCPOS, 80, "ticket_walkin_ja_80.escpos");
	golden("ticket_kinsoku", LANG_JA, TICKET_ESCPOS, 58, "ticket_kinsoku_ja_58.escpos");
}
END_TEST

/* True when needle (n bytes) occurs in b. */
static bool
contains(const struct buf *b, const char *needle, size_t n)
{
	return memmem(b->data, b->len, needle, n) != NULL;
}

#define HAS(b, lit) contains((b), (lit), sizeof(lit) - 1)

/* The fixed bytes the issue asks for, written out by hand. */
START_TEST(escpos_commands)
{
	struct buf b = { 0 };

	render("ticket_busy", LANG_JA, TICKET_ESCPOS, 80, &b);
	ck_assert(b.len > 8);
	ck_assert(memcmp(b.data, "\x1b\x40\x1c\x43\x01", 5) == 0);		/* ESC @, FS C 1 */
	ck_assert(memcmp(b.data + b.len - 4, "\x1d\x56\x42\x00", 4) == 0);	/* GS V 66 0 */
	/* The number, centred, double width and height, then back to normal. */
	ck_assert(HAS(&b, "\x1b\x61\x01"));
	ck_assert(HAS(&b, "\x1d\x21\x11\x1c\x21\x0c" "A-041\n" "\x1d\x21\x00\x1c\x21\x00"));
	/* 窓口 in Shift_JIS inside kanji mode (FS & ... FS .). */
	ck_assert(HAS(&b, "\x1c\x26\x8e\x73\x96\xaf\x91\x8b\x8c\xfb"));
	/* The flag line, bold. */
	ck_assert(HAS(&b, "\x1b\x45\x01\x1c\x26\x81\x79\x8d\xac\x8e\x47\x81\x7a"));
	buf_free(&b);
	render("ticket_booking", LANG_JA, TICKET_ESCPOS, 80, &b);
	/* マイナンバーカード: the long vowel mark is 81 5B. */
	ck_assert(HAS(&b, "\x83\x7d\x83\x43\x83\x69\x83\x93\x83\x6f\x81\x5b\x83\x4a\x81\x5b\x83\x68"));
	buf_free(&b);
}
END_TEST

/* What the reader found in an ESC/POS stream. */
struct printed {
	struct buf lines;	/* the printed text in UTF-8, one line each */
	int max_columns;	/* the widest line, in half-width columns */
	bool cut;		/* GS V 66 0 came last */
};

/* Decodes one Shift_JIS line back to UTF-8 through iconv. */
static void
decode_line(struct printed *p, const char *sj, size_t n)
{
	iconv_t cd = iconv_open("UTF-8", "CP932");
	char out[1024], *in = (char *)sj, *o = out;
	size_t inleft = n, outleft = sizeof out;

	ck_assert(cd != (iconv_t)-1);
	ck_assert(iconv(cd, &in, &inleft, &o, &outleft) != (size_t)-1);
	iconv_close(cd);
	buf_add(&p->lines, out, (size_t)(o - out));
	buf_addc(&p->lines, '\n');
}

/* Reads an ESC/POS stream, failing on any byte the ticket should not send. */
static void
read_escpos(const struct buf *b, struct printed *p)
{
	const unsigned char *s = (const unsigned char *)b->data;
	struct buf line = { 0 };
	bool kanji = false;
	int scale = 1, cols = 0;

	memset(p, 0, sizeof *p);
	for (size_t i = 0; i < b->len; i++) {
		if (s[i] == 0x1b || s[i] == 0x1d || s[i] == 0x1c) {
			ck_assert(i + 1 < b->len);
			switch (s[i] << 8 | s[i + 1]) {
			case 0x1b40: i += 1; break;					/* ESC @ */
			case 0x1c26: ck_assert(!kanji); kanji = true; i += 1; break;	/* FS & */
			case 0x1c2e: ck_assert(kanji); kanji = false; i += 1; break;	/* FS . */
			case 0x1c43: ck_assert_uint_eq(s[i + 2], 1); i += 2; break;	/* FS C 1 */
			case 0x1b61: ck_assert_uint_le(s[i + 2], 1); i += 2; break;	/* ESC a n */
			case 0x1b45: ck_assert_uint_le(s[i + 2], 1); i += 2; break;	/* ESC E n */
			case 0x1d21: scale = s[i + 2] == 0x11 ? 2 : 1;			/* GS ! n */
				ck_assert(s[i + 2] == 0 || s[i + 2] == 0x11); i += 2; break;
			case 0x1c21: ck_assert(s[i + 2] == 0 || s[i + 2] == 0x0c); i += 2; break;
			case 0x1d28: {							/* GS ( k */
				ck_assert(i + 4 < b->len && s[i + 2] == 'k');
				size_t n = (size_t)s[i + 3] | (size_t)s[i + 4] << 8;
				ck_assert(i + 5 + n <= b->len);
				i += 4 + n;
				break;
			}
			case 0x1d56:							/* GS V 66 0 */
				ck_assert(i + 4 == b->len && s[i + 2] == 66 && s[i + 3] == 0);
				p->cut = true; i += 3; break;
			default: ck_abort_msg("unexpected command %02x %02x at %zu", s[i], s[i + 1], i);
			}
		} else if (s[i] == '\n') {
			ck_assert_msg(!kanji, "a line ends in kanji mode");
			decode_line(p, buf_str(&line), line.len);
			p->max_columns = cols > p->max_columns ? cols : p->max_columns;
			buf_reset(&line);
			cols = 0;
		} else if (s[i] >= 0x80) {
			ck_assert_msg(kanji, "a Shift_JIS byte outside kanji mode at %zu", i);
			ck_assert(i + 1 < b->len);
			buf_add(&line, s + i, 2);
			cols += 2 * scale;
			i++;
		} else {
			ck_assert_msg(s[i] >= 0x20 && s[i] < 0x7f, "control byte %02x at %zu", s[i], i);
			buf_addc(&line, s[i]);
			cols += scale;
		}
	}
	ck_assert_msg(!kanji && line.len == 0, "the stream ends inside a line");
	buf_free(&line);
}

/* The text rendering with centring spaces dropped and the fullwidth number made ASCII. */
static void
plain_text(const struct buf *text, const char *number, struct buf *out)
{
	struct buf wide = { 0 };
	const char *s = buf_str(text);

	text_fullwidth(&wide, number);
	while (*s) {
		const char *nl = strchr(s, '\n');
		while (*s == ' ')
			s++;
		if (strncmp(s, buf_str(&wide), wide.len) == 0 && s + wide.len == nl)
			buf_puts(out, number);
		else
			buf_add(out, s, (size_t)(nl - s));
		buf_addc(out, '\n');
		s = nl + 1;
	}
	buf_free(&wide);
}

/* ESC/POS and text print the same words, and ESC/POS lines fit the paper. */
static void
same_words(const char *input, const char *number, enum lang lang, int paper)
{
	struct buf esc = { 0 }, text = { 0 }, plain = { 0 };
	struct printed p;

	render(input, lang, TICKET_ESCPOS, paper, &esc);
	render(input, lang, TICKET_TEXT, paper, &text);
	read_escpos(&esc, &p);
	plain_text(&text, number, &plain);
	ck_assert(p.cut);
	ck_assert_int_le(p.max_columns, ticket_columns(paper));
	/* ESC/POS adds one blank line before the cut. */
	buf_addc(&plain, '\n');
	ck_assert_str_eq(buf_str(&p.lines), buf_str(&plain));
	buf_free(&esc), buf_free(&text), buf_free(&plain), buf_free(&p.lines);
}

START_TEST(escpos_reads_back)
{
	same_words("ticket_busy", "A-041", LANG_JA, 80);
	same_words("ticket_busy", "A-041", LANG_JA, 58);
	same_words("ticket_busy", "A-041", LANG_EN, 58);
	same_words("ticket_booking", "A-007", LANG_JA, 58);
	same_words("ticket_very_busy", "D-120", LANG_EN, 80);
	same_words("ticket_walkin", "A-001", LANG_EN, 80);
}
END_TEST

/* The QR code commands a printer received: what it would encode and how. */
struct qr {
	int model;		/* fn 65: 50 is model 2 */
	int module;		/* fn 67: dots per module */
	int ecc;		/* fn 69: 48 L, 49 M, 50 Q, 51 H */
	struct buf data;	/* fn 80: the stored bytes */
	int printed;		/* fn 81 after a store */
};

/* Reads every GS ( k of cn 49 (QR code) in an ESC/POS stream, as a printer does. */
static void
read_qr(const struct buf *b, struct qr *q)
{
	const unsigned char *s = (const unsigned char *)b->data;

	memset(q, 0, sizeof *q);
	for (size_t i = 0; i + 7 < b->len; i++) {
		if (s[i] != 0x1d || s[i + 1] != '(' || s[i + 2] != 'k')
			continue;
		size_t n = (size_t)s[i + 3] | (size_t)s[i + 4] << 8;
		const unsigned char *p = s + i + 5;	/* cn fn parameters... */
		ck_assert(n >= 3 && i + 5 + n <= b->len && p[0] == 49);
		switch (p[1]) {
		case 65: ck_assert_int_eq(n, 4); q->model = p[2]; ck_assert_int_eq(p[3], 0); break;
		case 67: ck_assert_int_eq(n, 3); q->module = p[2]; break;
		case 69: ck_assert_int_eq(n, 3); q->ecc = p[2]; break;
		case 80: ck_assert_int_eq(p[2], 48); buf_reset(&q->data);
			buf_add(&q->data, p + 3, n - 3); break;
		case 81: ck_assert_int_eq(n, 3); ck_assert(q->data.len > 0); q->printed++; break;
		default: ck_abort_msg("GS ( k function %d", p[1]);
		}
		i += 4 + n;
	}
}

/* Runs a shell command; its first output line (caller frees), or NULL when it failed. */
static char *
run(const char *cmd)
{
	FILE *fp = popen(cmd, "r");
	char line[1024];
	char *out = NULL;

	ck_assert(fp != NULL);
	if (fgets(line, sizeof line, fp) != NULL) {
		line[strcspn(line, "\r\n")] = '\0';
		out = strdup(line);
	}
	return pclose(fp) == 0 ? out : (free(out), NULL);
}

/*
 * With a public URL the ticket carries its page: the URL as text, and on ESC/POS
 * a QR code that decodes back to it. The printer is played here: the stored
 * bytes are encoded as the commands ask (model 2, the error correction given) by
 * Debian's qrencode, and zbarimg reads the image as a phone's camera would.
 */
START_TEST(qr_code_decodes_to_the_ticket_page)
{
	static const char *const want[] = {
		"https://madoguchi.city.kasugai.example.jp/ticket/test-main/A-041",
		"https://madoguchi.city.kasugai.example.jp/ticket/test-main/A-041?lang=en",
	};
	char path[256], *cause = NULL, cmd[1024], *got, dir[] = "/tmp/madoguchi-qr-XXXXXX";
	json_error_t err;
	json_t *j = json_load_file(GOLDEN "ticket_busy.json", 0, &err);
	struct ticket_input in = { json_object_get(j, "ticket"), json_object_get(j, "office"), NULL, NULL };
	static const char levels[] = "LMQH";

	ck_assert(j != NULL);
	ck_assert(mkdtemp(dir) != NULL);
	for (int l = 0; l < 2; l++) {
		for (int paper = 58; paper <= 80; paper += 22) {
			struct ticket_options opt = { l ? LANG_EN : LANG_JA, TICKET_ESCPOS, paper,
				"https://madoguchi.city.kasugai.example.jp/" };
			struct buf esc = { 0 }, text = { 0 };
			struct printed p;
			struct qr q;
			FILE *fp;

			ck_assert_int_eq(ticket_render(&in, &opt, &esc, &cause), 0);
			read_escpos(&esc, &p);		/* every other byte is still a known command */
			ck_assert(p.cut);
			ck_assert_int_le(p.max_columns, ticket_columns(paper));
			read_qr(&esc, &q);
			ck_assert_int_eq(q.model, 50);
			ck_assert_int_eq(q.printed, 1);
			ck_assert_int_eq(q.module, paper == 80 ? 6 : 4);
			ck_assert(q.ecc >= 48 && q.ecc <= 51);
			ck_assert_str_eq(buf_str(&q.data), want[l]);
			snprintf(path, sizeof path, "%s/data", dir);
			fp = fopen(path, "wb");
			ck_assert(fp != NULL && fwrite(q.data.data, 1, q.data.len, fp) == q.data.len);
			fclose(fp);
			snprintf(cmd, sizeof cmd, "qrencode -8 -l %c -s %d -m 4 -o %s/qr.png -r %s/data "
			    "2>/dev/null && zbarimg -q --raw %s/qr.png 2>/dev/null", levels[q.ecc - 48], q.module, dir, dir, dir);
			got = run(cmd);
			ck_assert_msg(got != NULL, "qrencode or zbarimg failed (make deps installs both)");
			ck_assert_str_eq(got, want[l]);
			free(got);

			opt.format = TICKET_TEXT;
			ck_assert_int_eq(ticket_render(&in, &opt, &text, &cause), 0);
			snprintf(cmd, sizeof cmd, "\n%s\n", want[l]);
			ck_assert_msg(strstr(buf_str(&text), cmd) != NULL, "no URL line in %s", buf_str(&text));
			buf_free(&esc), buf_free(&text), buf_free(&p.lines), buf_free(&q.data);
		}
	}
	snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
	ck_assert_int_eq(system(cmd), 0);
	json_decref(j);
}
END_TEST

/* The ticket page's URL: only from an http(s) base, and only for plain ids. */
START_TEST(ticket_page_urls)
{
	struct ticket_input in = { NULL, NULL, NULL, NULL };
	struct ticket_options opt = { LANG_JA, TICKET_TEXT, 80, "ftp://x" };
	json_t *t = json_pack("{s:s, s:s, s:s, s:i, s:i, s:s, s:s}", "number", "A-001", "office",
	    "test-main", "flag", "normal", "position", 1, "estimated_wait_min", 0, "issued_at",
	    "2026-12-16T09:30:00+09:00", "service", "pin_reset");
	struct buf b = { 0 };
	char *u, *cause = NULL;

	u = ticket_page_url("http://10.0.0.5:8080///", "kasugai-main", "B-012", LANG_JA);
	ck_assert_str_eq(u, "http://10.0.0.5:8080/ticket/kasugai-main/B-012");
	free(u);
	u = ticket_page_url("https://x.example.jp/madoguchi", "o", "A-1", LANG_EN);
	ck_assert_str_eq(u, "https://x.example.jp/madoguchi/ticket/o/A-1?lang=en");
	free(u);
	ck_assert_ptr_null(ticket_page_url("x.example.jp", "o", "A-1", LANG_JA));
	ck_assert_ptr_null(ticket_page_url("https://x y", "o", "A-1", LANG_JA));
	ck_assert_ptr_null(ticket_page_url("https://x/?a=1", "o", "A-1", LANG_JA));
	ck_assert_ptr_null(ticket_page_url("https://x", "o/../p", "A-1", LANG_JA));
	ck_assert_ptr_null(ticket_page_url("https://x", "o", "A 1", LANG_JA));
	ck_assert_ptr_null(ticket_page_url("", "o", "A-1", LANG_JA));
	/* A bad public URL is said, not printed. */
	in.ticket = t;
	ck_assert_int_eq(ticket_render(&in, &opt, &b, &cause), -1);
	ck_assert_ptr_nonnull(strstr(cause, "public_url"));
	free(cause);
	buf_free(&b);
	json_decref(t);
}
END_TEST

/* The flag line appears for busy and very busy, in both languages, and not otherwise. */
START_TEST(flag_lines)
{
	struct buf b = { 0 };

	render("ticket_walkin", LANG_JA, TICKET_TEXT, 80, &b);
	ck_assert(!HAS(&b, "混雑"));
	buf_reset(&b);
	render("ticket_busy", LANG_JA, TICKET_TEXT, 80, &b);
	ck_assert(HAS(&b, "【混雑】"));
	ck_assert(HAS(&b, "別の日"));
	buf_reset(&b);
	render("ticket_busy", LANG_EN, TICKET_TEXT, 80, &b);
	ck_assert(HAS(&b, "BUSY: waits are long today"));
	ck_assert(HAS(&b, "please choose another"));
	buf_reset(&b);
	render("ticket_very_busy", LANG_JA, TICKET_TEXT, 80, &b);
	ck_assert(HAS(&b, "【大変混雑】"));
	buf_free(&b);
	ck_assert_ptr_null(ticket_flag_line("normal", LANG_EN));
}
END_TEST

/* An answer without its number is refused, not printed half. */
START_TEST(incomplete_answer)
{
	json_t *t = json_pack("{s:s, s:i}", "office", "x", "position", 1);
	struct ticket_input in = { t, NULL, NULL, NULL };
	struct ticket_options opt = { LANG_JA, TICKET_ESCPOS, 80, NULL };
	struct buf b = { 0 };
	char *cause = NULL;

	ck_assert_int_eq(ticket_render(&in, &opt, &b, &cause), -1);
	ck_assert_ptr_nonnull(cause);
	ck_assert_uint_eq(b.len, 0);
	free(cause);
	json_decref(t);
}
END_TEST

/* Shift_JIS bytes of the characters that matter, and '?' for the rest. */
START_TEST(shift_jis)
{
	static const struct { const char *utf8, *sjis; size_t bad; } cases[] = {
		{ "窓口", "\x91\x8b\x8c\xfb", 0 },
		{ "ー", "\x81\x5b", 0 },		/* long vowel mark */
		{ "～", "\x81\x60", 0 },		/* fullwidth tilde (CP932) */
		{ "〜", "\x81\x60", 0 },		/* wave dash (JIS) */
		{ "－", "\x81\x7c", 0 },		/* fullwidth hyphen-minus (CP932) */
		{ "−", "\x81\x7c", 0 },		/* minus sign (SHIFT_JIS) */
		{ "№①", "\x87\x82\x87\x40", 0 },	/* NEC row 13 */
		{ "A-1 ｶﾅ", "A-1 \xb6\xc5", 0 },	/* ASCII and half-width kana */
		{ "😀x", "?x", 1 },			/* no Shift_JIS form */
		{ "\xff" "a", "?a", 1 },		/* not UTF-8 */
		{ "한", "?", 1 },
	};

	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		struct buf b = { 0 };
		size_t bad = sjis_append(&b, cases[i].utf8, strlen(cases[i].utf8));
		ck_assert_msg(b.len == strlen(cases[i].sjis) &&
		    memcmp(b.data, cases[i].sjis, b.len) == 0, "case %zu", i);
		ck_assert_uint_eq(bad, cases[i].bad);
		buf_free(&b);
	}
}
END_TEST

/* Collects wrapped lines, '|'-separated. */
static void
collect(void *arg, const char *line, size_t len)
{
	struct buf *b = arg;

	if (b->len > 0)
		buf_addc(b, '|');
	buf_add(b, line, len);
}

/* Wraps s at width and returns the lines joined by '|'. */
static char *
wrap(const char *s, size_t width)
{
	struct buf b = { 0 };

	text_wrap(s, width, collect, &b);
	return buf_take(&b);
}

#define WRAP_EQ(s, w, want) do { char *got_ = wrap((s), (w)); \
	ck_assert_str_eq(got_, (want)); free(got_); } while (0)

START_TEST(widths_and_wrapping)
{
	ck_assert_uint_eq(text_width("A-001"), 5);
	ck_assert_uint_eq(text_width("窓口"), 4);
	ck_assert_uint_eq(text_width("ｶﾅ"), 2);
	ck_assert_uint_eq(text_width("Ａ－００１"), 10);
	WRAP_EQ("please choose another day", 12, "please|choose|another day");
	WRAP_EQ("お急ぎでない方は", 8, "お急ぎで|ない方は");
	/* 。 never starts a line: the character before it comes down too. */
	WRAP_EQ("ああああ。", 8, "あああ|あ。");
	WRAP_EQ("a\n\nb", 10, "a||b");
	WRAP_EQ("toolongwordhere", 5, "toolo|ngwor|dhere");
}
END_TEST

/* True when line (a '|'-free piece) starts with one of the marks in set. */
static bool
starts_with_any(const char *line, const char *const *set)
{
	for (; *set != NULL; set++) {
		if (strncmp(line, *set, strlen(*set)) == 0)
			return true;
	}
	return false;
}

/* True when line ends with one of the marks in set. */
static bool
ends_with_any(const char *line, const char *const *set)
{
	size_t len = strlen(line);

	for (; *set != NULL; set++) {
		size_t n = strlen(*set);
		if (len >= n && strcmp(line + len - n, *set) == 0)
			return true;
	}
	return false;
}

/*
 * Kinsoku at every width from 8 to 48 columns: no line starts with a closing
 * mark or a small kana, none ends with an opening bracket, lines fit, words
 * (katakana, Latin letters and digits, お with its kanji) stay whole, and
 * nothing is lost.
 */
START_TEST(japanese_wrapping_kinsoku)
{
	static const char *const texts[] = {
		"有効期限通知書（届いている場合。届いていなくても手続きできます）",
		"代理人の官公署が発行した顔写真付きの本人確認書類（マイナンバーカード、運転免許証、パスポートなど）",
		"2回目の来庁：署名又は記名押印のある照会書兼回答書（1回目の来庁後にご本人あてに郵送します。封入したまま）",
		"暗証番号（利用者証明用4桁・署名用6～16桁）",
		"お急ぎでない方は、別の日にお越しくださいますようお願いします。",
		"「受付番号」をお呼びします。しばらくお待ちください。ご予約K7Q-4MXDの方は、窓口へ。",
	};
	static const char *const no_start[] = { "、", "。", "，", "．", "）", "」", "』", "】",
		"・", "：", "ー", "ッ", "ャ", "ュ", "ョ", "っ", "ゃ", "ゅ", "ょ", "々", ")", ",",
		".", NULL };
	static const char *const no_end[] = { "（", "「", "『", "【", "(", NULL };
	static const char *const words[] = { "マイナンバーカード", "パスポート", "K7Q-4MXD",
		"16", "お越し", "お願い", "お呼び", "お待ち", NULL };

	for (size_t t = 0; t < sizeof texts / sizeof texts[0]; t++) {
		for (size_t width = 8; width <= 48; width++) {
			char *got = wrap(texts[t], width), *save = NULL, *joined;
			struct buf all = { 0 };

			for (char *line = strtok_r(got, "|", &save); line != NULL;
			    line = strtok_r(NULL, "|", &save)) {
				ck_assert_msg(text_width(line) <= width, "%zu: '%s' too wide", width,
				    line);
				ck_assert_msg(!starts_with_any(line, no_start),
				    "%zu: line starts with a closing mark: '%s'", width, line);
				ck_assert_msg(!ends_with_any(line, no_end),
				    "%zu: line ends with an opening bracket: '%s'", width, line);
				buf_puts(&all, line);
			}
			joined = buf_take(&all);
			ck_assert_str_eq(joined, texts[t]);
			free(joined);
			free(got);
			/* Words (with the brackets and marks that cling to them) stay whole once they fit. */
			got = wrap(texts[t], width);
			for (const char *const *w = words; width >= 24 && *w != NULL; w++) {
				if (strstr(texts[t], *w) != NULL)
					ck_assert_msg(strstr(got, *w) != NULL, "%zu: '%s' split in %s",
					    width, *w, got);
			}
			free(got);
		}
	}
}
END_TEST

START_TEST(fullwidth_and_subst)
{
	struct buf b = { 0 };

	text_fullwidth(&b, "A-041");
	ck_assert_str_eq(buf_str(&b), "Ａ－０４１");
	buf_reset(&b);
	text_subst(&b, "約%s分 (%s)", "45", "x");
	ck_assert_str_eq(buf_str(&b), "約45分 (x)");
	buf_reset(&b);
	text_pad(&b, "窓口", 6, 0);
	ck_assert_str_eq(buf_str(&b), "窓口  ");
	buf_free(&b);
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("client_ticket");
	TCase *tc = tcase_create("ticket");
	SRunner *sr;
	int failed;

	tcase_add_test(tc, golden_text);
	tcase_add_test(tc, golden_escpos);
	tcase_add_test(tc, japanese_wrapping_kinsoku);
	tcase_add_test(tc, escpos_commands);
	tcase_add_test(tc, escpos_reads_back);
	tcase_add_test(tc, flag_lines);
	tcase_add_test(tc, incomplete_answer);
	tcase_add_test(tc, shift_jis);
	tcase_add_test(tc, qr_code_decodes_to_the_ticket_page);
	tcase_add_test(tc, ticket_page_urls);
	tcase_add_test(tc, widths_and_wrapping);
	tcase_add_test(tc, fullwidth_and_subst);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
