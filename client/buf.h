/* A growable byte buffer; every function aborts when memory runs out. */
#ifndef MADOGUCHI_CLIENT_BUF_H
#define MADOGUCHI_CLIENT_BUF_H

#include <stddef.h>

/* Bytes, kept NUL-terminated after len for convenience. */
struct buf {
	char *data;	/* the bytes, or NULL while empty */
	size_t len;	/* how many */
	size_t cap;	/* allocated */
};

/* Appends n bytes. */
void buf_add(struct buf *b, const void *p, size_t n);
/* Appends a NUL-terminated string. */
void buf_puts(struct buf *b, const char *s);
/* Appends one byte. */
void buf_addc(struct buf *b, unsigned char c);
/* Appends c n times. */
void buf_repeat(struct buf *b, char c, size_t n);
/* Appends formatted text. */
void buf_printf(struct buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* The contents as a string ("" while empty); valid until the next change. */
const char *buf_str(const struct buf *b);
/* Empties the buffer, keeping its memory. */
void buf_reset(struct buf *b);
/* Releases the memory. */
void buf_free(struct buf *b);
/* Hands the contents over as a malloc'd string (caller frees); the buffer is empty after. */
char *buf_take(struct buf *b);

#endif
