/* UTF-8 text in columns: widths, wrapping, fullwidth forms. */
#include "text.h"

#include <stdbool.h>
#include <string.h>

size_t
text_decode(const char *s, size_t len, uint32_t *cp)
{
	const unsigned char *u = (const unsigned char *)s;
	size_t n;
	uint32_t c;

	if (u[0] < 0x80) {
		*cp = u[0];
		return 1;
	}
	if (u[0] >= 0xc2 && u[0] <= 0xdf)
		n = 2, c = u[0] & 0x1fu;
	else if (u[0] >= 0xe0 && u[0] <= 0xef)
		n = 3, c = u[0] & 0x0fu;
	else if (u[0] >= 0xf0 && u[0] <= 0xf4)
		n = 4, c = u[0] & 0x07u;
	else
		goto bad;
	if (len < n)
		goto bad;
	for (size_t i = 1; i < n; i++) {
		if ((u[i] & 0xc0) != 0x80)
			goto bad;
		c = c << 6 | (u[i] & 0x3fu);
	}
	/* Overlong forms, surrogates and values past U+10FFFF are not characters. */
	if ((n == 3 && c < 0x800) || (n == 4 && (c < 0x10000 || c > 0x10ffff)) ||
	    (c >= 0xd800 && c <= 0xdfff))
		goto bad;
	*cp = c;
	return n;
bad:
	*cp = 0xfffd;
	return 1;
}

int
text_cp_width(uint32_t c)
{
	if (c < 0x20 || (c >= 0x7f && c < 0xa0) || (c >= 0x300 && c < 0x370) ||
	    (c >= 0x200b && c <= 0x200f) || (c >= 0xfe00 && c <= 0xfe0f) ||
	    c == 0x3099 || c == 0x309a)
		return 0;
	if ((c >= 0x1100 && c <= 0x115f) || (c >= 0x2e80 && c <= 0x303e) ||
	    (c >= 0x3041 && c <= 0x33ff) || (c >= 0x3400 && c <= 0x4dbf) ||
	    (c >= 0x4e00 && c <= 0x9fff) || (c >= 0xa000 && c <= 0xa4cf) ||
	    (c >= 0xac00 && c <= 0xd7a3) || (c >= 0xf900 && c <= 0xfaff) ||
	    (c >= 0xfe30 && c <= 0xfe4f) || (c >= 0xff00 && c <= 0xff60) ||
	    (c >= 0xffe0 && c <= 0xffe6) || (c >= 0x1f300 && c <= 0x1f64f) ||
	    (c >= 0x20000 && c <= 0x3fffd))
		return 2;
	return 1;
}

size_t
text_width(const char *s)
{
	size_t len = strlen(s), w = 0;
	uint32_t cp;

	for (size_t i = 0; i < len;) {
		i += text_decode(s + i, len - i, &cp);
		w += (size_t)text_cp_width(cp);
	}
	return w;
}

/*
 * Line breaking (kinsoku shori, JIS X 4051 in small): closing brackets and
 * marks, the prolonged-sound mark, iteration marks and small kana never start
 * a line; opening brackets never end one. Words stay whole: a run of katakana
 * (マイナンバーカード), a run of Latin letters and digits, and digits with the
 * wide character next to them (約35分) are not broken. Lines break at spaces
 * where they have them, else preferably after punctuation or where hiragana
 * (a particle, an ending) meets the next word, else between any two
 * characters the rules allow, and only as a last resort anywhere.
 */

/* Closing punctuation: a good place to end a line, never to start one. */
static bool
closing_punct(uint32_t c)
{
	static const uint32_t set[] = { 0x3001, 0x3002, 0xff0c, 0xff0e, 0xff09, 0x300d,
		0x300f, 0x3011, 0x3015, 0x3009, 0x300b, 0xff3d, 0xff5d, 0x30fb, 0xff1a, 0xff1b,
		0xff1f, 0xff01, ',', '.', ')', ']', '}', ':', ';', '!', '?' };

	for (size_t i = 0; i < sizeof set / sizeof set[0]; i++) {
		if (set[i] == c)
			return true;
	}
	return false;
}

/* Characters that must not start a line. */
static bool
no_line_start(uint32_t c)
{
	static const char small[] = "ぁぃぅぇぉっゃゅょゎゕゖァィゥェォッャュョヮヵヶー々ゝゞヽヾ";
	uint32_t k;

	if (closing_punct(c))
		return true;
	for (size_t i = 0; small[i] != '\0';) {
		i += text_decode(small + i, sizeof small - 1 - i, &k);
		if (k == c)
			return true;
	}
	return false;
}

/* Opening brackets: they must not end a line. */
static bool
no_line_end(uint32_t c)
{
	return c == 0xff08 || c == 0x300c || c == 0x300e || c == 0x3010 || c == 0x3014 ||
	    c == 0x3008 || c == 0x300a || c == 0xff3b || c == 0xff5b || c == '(' || c == '[' ||
	    c == '{';
}

/* Katakana, with the prolonged-sound mark and the halfwidth forms. */
static bool
is_katakana(uint32_t c)
{
	return (c >= 0x30a1 && c <= 0x30fa) || c == 0x30fc || c == 0x30fd || c == 0x30fe ||
	    (c >= 0xff66 && c <= 0xff9f);
}

/* Hiragana. */
static bool
is_hiragana(uint32_t c)
{
	return c >= 0x3041 && c <= 0x309f;
}

/* Latin letters and digits, halfwidth or fullwidth: the letters of a word. */
static bool
is_alnum(uint32_t c)
{
	return (c >= '0' && c <= '9') || ((c | 0x20) >= 'a' && (c | 0x20) <= 'z') ||
	    (c >= 0xff10 && c <= 0xff19) || (c >= 0xff21 && c <= 0xff3a) ||
	    (c >= 0xff41 && c <= 0xff5a);
}

/* How good a break between a and b is: 0 not allowed, 1 allowed, 2 a phrase boundary. */
static int
break_rank(uint32_t a, uint32_t b)
{
	bool a_wide = text_cp_width(a) == 2, b_wide = text_cp_width(b) == 2;

	if (no_line_start(b) || no_line_end(a) || text_cp_width(b) == 0)
		return 0;
	if (is_katakana(a) && is_katakana(b))
		return 0;
	if ((is_alnum(a) || a == '-') && (is_alnum(b) || b == '-' || b_wide))
		return 0;
	if (a_wide && is_alnum(b))
		return 0;
	/* The honorific お・ご stays with its word (お越し, ご用意) and starts a phrase. */
	if ((a == 0x304a || a == 0x3054) && b >= 0x4e00 && b <= 0x9fff)
		return 0;
	if (closing_punct(a) || no_line_end(b) || b == 0x304a || b == 0x3054)
		return 2;
	if (is_hiragana(a) && !is_hiragana(b))
		return 2;
	return 1;
}

/* A place the current line may end: its byte offset and its columns. */
struct brk {
	size_t at;	/* bytes before the break; 0: none yet */
	size_t cols;	/* columns before it */
};

/*
 * The byte length of the next line of s (len bytes, no newline) fitting width
 * columns, and in *next where the line after it starts.
 */
static size_t
line_break(const char *s, size_t len, size_t width, size_t *next)
{
	struct brk space = { 0, 0 }, phrase = { 0, 0 }, any = { 0, 0 };
	size_t i = 0, w = 0, prev = 0;
	uint32_t cp, last = 0;

	while (i < len) {
		size_t n = text_decode(s + i, len - i, &cp);
		size_t cw = (size_t)text_cp_width(cp);
		if (i > 0 && cp == ' ') {
			space = (struct brk){ i, w };
		} else if (i > 0 && last != ' ') {
			int rank = break_rank(last, cp);
			if (rank >= 1)
				any = (struct brk){ i, w };
			if (rank == 2)
				phrase = (struct brk){ i, w };
		}
		if (w + cw > width && i > 0)
			break;
		prev = i;
		last = cp;
		w += cw;
		i += n;
	}
	if (i >= len) {
		*next = len;
		return len;
	}
	if (space.at > 0) {
		*next = space.at + 1;
		return space.at;
	}
	/* A phrase boundary when it leaves the line at least two thirds full. */
	if (phrase.at > 0 && 3 * phrase.cols >= 2 * width) {
		*next = phrase.at;
		return phrase.at;
	}
	if (any.at > 0) {
		*next = any.at;
		return any.at;
	}
	/* No break the rules allow: cut, still keeping a closing mark off the next line. */
	if (no_line_start(cp) && prev > 0)
		i = prev;
	*next = i;
	return i;
}

void
text_wrap(const char *s, size_t width, text_line_fn *fn, void *arg)
{
	while (*s != '\0') {
		const char *nl = strchr(s, '\n');
		size_t len = nl ? (size_t)(nl - s) : strlen(s), off = 0, next;

		if (len == 0)
			fn(arg, s, 0);
		while (off < len) {
			size_t n = line_break(s + off, len - off, width ? width : 1, &next);
			fn(arg, s + off, n);
			off += next;
		}
		s += len + (nl != NULL);
	}
}

void
text_fullwidth(struct buf *out, const char *s)
{
	for (; *s != '\0'; s++) {
		unsigned char c = (unsigned char)*s;
		if (c == ' ') {
			buf_puts(out, "\xe3\x80\x80");	/* U+3000 */
		} else if (c > 0x20 && c < 0x7f) {
			uint32_t cp = 0xff01u + (c - 0x21u);
			buf_addc(out, (unsigned char)(0xe0 | cp >> 12));
			buf_addc(out, (unsigned char)(0x80 | (cp >> 6 & 0x3f)));
			buf_addc(out, (unsigned char)(0x80 | (cp & 0x3f)));
		} else {
			buf_addc(out, c);
		}
	}
}

void
text_pad(struct buf *out, const char *s, size_t width, int right)
{
	size_t w = text_width(s), fill = w < width ? width - w : 0;

	if (right)
		buf_repeat(out, ' ', fill);
	buf_puts(out, s);
	if (!right)
		buf_repeat(out, ' ', fill);
}

void
text_subst(struct buf *out, const char *tmpl, const char *a, const char *b)
{
	const char *args[2] = { a, b };
	int used = 0;

	for (const char *p = tmpl; *p != '\0'; p++) {
		if (p[0] == '%' && p[1] == 's' && used < 2) {
			buf_puts(out, args[used] != NULL ? args[used] : "");
			used++;
			p++;
		} else {
			buf_addc(out, (unsigned char)*p);
		}
	}
}
