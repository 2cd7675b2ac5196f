/* UTF-8 text in columns: widths, wrapping, fullwidth forms. */
#include "text.h"

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

/* Characters that must not start a line (a small kinsoku set). */
static int
no_line_start(uint32_t c)
{
	return c == 0x3001 || c == 0x3002 || c == 0xff0c || c == 0xff0e || c == 0x300d ||
	    c == 0xff09 || c == 0x30fc || c == ',' || c == '.' || c == ')';
}

/*
 * The byte length of the next line of s (len bytes, no newline) fitting width
 * columns, and in *next where the line after it starts.
 */
static size_t
line_break(const char *s, size_t len, size_t width, size_t *next)
{
	size_t i = 0, w = 0, space = 0, prev = 0;
	uint32_t cp;

	while (i < len) {
		size_t n = text_decode(s + i, len - i, &cp);
		size_t cw = (size_t)text_cp_width(cp);
		if (w + cw > width && i > 0)
			break;
		if (cp == ' ' && i > 0)
			space = i;
		prev = i;
		w += cw;
		i += n;
	}
	if (i >= len) {
		*next = len;
		return len;
	}
	if (s[i] == ' ') {
		*next = i + 1;
		return i;
	}
	if (space > 0) {
		*next = space + 1;
		return space;
	}
	text_decode(s + i, len - i, &cp);
	/* Take the last character down with a mark that may not lead a line. */
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
