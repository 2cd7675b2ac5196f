/*
 * UTF-8 text laid out in columns, as terminals and receipt printers count them:
 * East Asian wide characters take two columns, everything else one.
 */
#ifndef MADOGUCHI_CLIENT_TEXT_H
#define MADOGUCHI_CLIENT_TEXT_H

#include "buf.h"

#include <stddef.h>
#include <stdint.h>

/* Decodes the code point at s (len > 0 bytes); returns the bytes used (bad bytes: U+FFFD, 1). */
size_t text_decode(const char *s, size_t len, uint32_t *cp);
/* Columns one code point takes (0 for controls and combining marks, 2 for wide). */
int text_cp_width(uint32_t cp);
/* Columns of a UTF-8 string. */
size_t text_width(const char *s);

/* Called for each line text_wrap makes (len bytes at line, no newline). */
typedef void text_line_fn(void *arg, const char *line, size_t len);
/*
 * Breaks s into lines of at most width columns: at spaces where a line has
 * them, else between characters with Japanese line-breaking rules (no line
 * starts with 、。）」ー or a small kana, none ends with （「), keeping
 * katakana words, Latin words and numbers whole and preferring phrase
 * boundaries (after punctuation, where hiragana meets the next word); a run
 * the rules cannot break is cut only when it is wider than the line.
 * Newlines in s end lines too.
 */
void text_wrap(const char *s, size_t width, text_line_fn *fn, void *arg);
/* Appends s with printable ASCII turned into its fullwidth form (A → Ａ). */
void text_fullwidth(struct buf *out, const char *s);
/* Appends s padded with spaces to width columns (left-aligned; right when right is set). */
void text_pad(struct buf *out, const char *s, size_t width, int right);

/* Appends tmpl with its first "%s" replaced by a and its second by b (no other escapes). */
void text_subst(struct buf *out, const char *tmpl, const char *a, const char *b);

#endif
