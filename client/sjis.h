/*
 * UTF-8 to Shift_JIS for Japanese receipt printers, through glibc's iconv.
 * CP932 (Shift_JIS with the Windows and NEC extensions) is tried first, as it
 * knows the fullwidth forms residents' text carries (～, －, №, ①); strict
 * SHIFT_JIS second (it alone maps U+2212 −, U+2225 ∥ and kin). A character
 * neither knows becomes '?', so printing never stops on one.
 */
#ifndef MADOGUCHI_CLIENT_SJIS_H
#define MADOGUCHI_CLIENT_SJIS_H

#include "buf.h"

#include <stddef.h>

/* Appends len bytes of UTF-8 at s to out as Shift_JIS; returns how many became '?'. */
size_t sjis_append(struct buf *out, const char *s, size_t len);

#endif
