/* The Individual Number guard: normalise, chain digit groups, check whole groups. */
#include "individual_number.h"

#include <stdint.h>
#include <string.h>

#define GROUPS 12	/* groups of at least one digit: 12 are enough for 12 digits */

/* The zero of every block of ten Unicode decimal digits (general category Nd). */
static const uint32_t zeros[] = {
	0x0030, 0x0660, 0x06F0, 0x07C0, 0x0966, 0x09E6, 0x0A66, 0x0AE6, 0x0B66, 0x0BE6,
	0x0C66, 0x0CE6, 0x0D66, 0x0DE6, 0x0E50, 0x0ED0, 0x0F20, 0x1040, 0x1090, 0x17E0,
	0x1810, 0x1946, 0x19D0, 0x1A80, 0x1A90, 0x1B50, 0x1BB0, 0x1C40, 0x1C50, 0xA620,
	0xA8D0, 0xA900, 0xA9D0, 0xA9F0, 0xAA50, 0xABF0, 0xFF10, 0x104A0, 0x10D30, 0x11066,
	0x110F0, 0x11136, 0x111D0, 0x112F0, 0x11450, 0x114D0, 0x11650, 0x116C0, 0x11730,
	0x118E0, 0x11950, 0x11C50, 0x11D50, 0x11DA0, 0x11F50, 0x16A60, 0x16AC0, 0x16B50,
	0x1D7CE, 0x1D7D8, 0x1D7E2, 0x1D7EC, 0x1D7F6, 0x1E140, 0x1E2F0, 0x1E4F0, 0x1E950,
	0x1FBF0,
};

/* Ranges of code points that are letters: a letter ends a chain of groups. */
static const uint32_t letters[][2] = {
	{ 'A', 'Z' }, { 'a', 'z' }, { 0x00C0, 0x024F }, { 0x0370, 0x052F },
	{ 0x0591, 0x05F4 }, { 0x0620, 0x064A }, { 0x3041, 0x3096 }, { 0x30A1, 0x30FA },
	{ 0x3400, 0x4DBF }, { 0x4E00, 0x9FFF }, { 0xAC00, 0xD7AF }, { 0xF900, 0xFAFF },
	{ 0xFF21, 0xFF3A }, { 0xFF41, 0xFF5A }, { 0xFF66, 0xFF6F }, { 0xFF71, 0xFF9D },
	{ 0x1D400, 0x1D7CB }, { 0x20000, 0x3134F },
};

bool
inum_valid(const char digits[static 12])
{
	int sum = 0, r;

	for (int n = 1; n <= 11; n++) {
		int p = digits[11 - n] - '0';
		int q = n <= 6 ? n + 1 : n - 5;

		if (p < 0 || p > 9)
			return false;
		sum += p * q;
	}
	if (digits[11] < '0' || digits[11] > '9')
		return false;
	r = sum % 11;
	return digits[11] - '0' == (r <= 1 ? 0 : 11 - r);
}

/* Decodes the code point at s (n > 0 bytes left) into *cp; returns its length. */
static size_t
utf8_next(const unsigned char *s, size_t n, uint32_t *cp)
{
	size_t len;
	uint32_t c;

	if (s[0] < 0x80) {
		*cp = s[0];
		return 1;
	}
	if (s[0] >= 0xC2 && s[0] <= 0xDF)
		len = 2, c = s[0] & 0x1F;
	else if (s[0] >= 0xE0 && s[0] <= 0xEF)
		len = 3, c = s[0] & 0x0F;
	else if (s[0] >= 0xF0 && s[0] <= 0xF4)
		len = 4, c = s[0] & 0x07;
	else
		goto bad;
	if (len > n)
		goto bad;
	for (size_t i = 1; i < len; i++) {
		if ((s[i] & 0xC0) != 0x80)
			goto bad;
		c = c << 6 | (s[i] & 0x3F);
	}
	*cp = c;
	return len;
bad:
	*cp = 0xFFFD;	/* a stray byte reads as a separator */
	return 1;
}

/* The value of a digit, NFKC's compatibility digits included, or -1. */
static int
digit_value(uint32_t cp)
{
	if (cp < 0x80)	/* most text: no need to look through the table */
		return cp >= '0' && cp <= '9' ? (int)(cp - '0') : -1;
	for (size_t i = 0; i < sizeof zeros / sizeof zeros[0]; i++) {
		if (cp >= zeros[i] && cp < zeros[i] + 10)
			return (int)(cp - zeros[i]);
	}
	if (cp == 0x2070 || cp == 0x24EA || cp == 0x1F100)
		return 0;
	if (cp == 0x00B9)
		return 1;
	if (cp == 0x00B2 || cp == 0x00B3)
		return (int)(cp - 0x00B0);
	if (cp >= 0x2074 && cp <= 0x2079)
		return (int)(cp - 0x2070);
	if (cp >= 0x2080 && cp <= 0x2089)
		return (int)(cp - 0x2080);
	if (cp >= 0x2460 && cp <= 0x2468)	/* circled */
		return (int)(cp - 0x2460 + 1);
	if (cp >= 0x2474 && cp <= 0x247C)	/* parenthesised */
		return (int)(cp - 0x2474 + 1);
	if (cp >= 0x2488 && cp <= 0x2490)	/* with a full stop */
		return (int)(cp - 0x2488 + 1);
	if (cp >= 0x1F101 && cp <= 0x1F10A)	/* with a comma */
		return (int)(cp - 0x1F101);
	return -1;
}

/* True when cp is a letter. */
static bool
is_letter(uint32_t cp)
{
	if (cp < 0x80)
		return (cp >= 'A' && cp <= 'Z') || (cp >= 'a' && cp <= 'z');
	for (size_t i = 0; i < sizeof letters / sizeof letters[0]; i++) {
		if (cp >= letters[i][0] && cp <= letters[i][1])
			return true;
	}
	return false;
}

/* The last groups of the chain being read, newest last. */
struct chain {
	char digits[GROUPS][12];	/* each group's digits */
	int len[GROUPS];		/* and their count */
	int n;				/* groups kept */
	char cur[12];			/* the group being read */
	int curlen;			/* its digits so far (may pass 12) */
};

/* Ends the group being read; true when whole groups ending with it make a number. */
static bool
group_end(struct chain *c)
{
	char number[12];
	int total = 0, first;

	if (c->curlen == 0)
		return false;
	if (c->curlen > 12) {
		/* No run of whole groups through it can hold exactly 12 digits. */
		c->n = 0;
		c->curlen = 0;
		return false;
	}
	if (c->n == GROUPS) {
		memmove(c->digits, c->digits + 1, sizeof c->digits[0] * (GROUPS - 1));
		memmove(c->len, c->len + 1, sizeof c->len[0] * (GROUPS - 1));
		c->n--;
	}
	memcpy(c->digits[c->n], c->cur, (size_t)c->curlen);
	c->len[c->n++] = c->curlen;
	c->curlen = 0;
	for (first = c->n - 1; first >= 0 && total < 12; first--)
		total += c->len[first];
	if (total != 12)
		return false;
	total = 0;
	for (int g = first + 1; g < c->n; g++) {
		memcpy(number + total, c->digits[g], (size_t)c->len[g]);
		total += c->len[g];
	}
	return inum_valid(number);
}

bool
inum_find(const char *text, size_t len)
{
	const unsigned char *s = (const unsigned char *)text;
	struct chain c = { .n = 0, .curlen = 0 };
	size_t i = 0;

	if (text == NULL)
		return false;
	if (len == (size_t)-1)
		len = strlen(text);
	while (i < len) {
		uint32_t cp;
		int v;

		i += utf8_next(s + i, len - i, &cp);
		if ((v = digit_value(cp)) >= 0) {
			if (c.curlen < 12)
				c.cur[c.curlen] = (char)('0' + v);
			c.curlen++;
			continue;
		}
		if (group_end(&c))
			return true;
		if (is_letter(cp))
			c.n = 0;	/* a word between digits ends the chain */
	}
	return group_end(&c);
}

bool
inum_contains(const char *text)
{
	return inum_find(text, (size_t)-1);
}
