/* Allocation wrappers: they never return NULL; out of memory is fatal. */
#ifndef MADOGUCHI_XMALLOC_H
#define MADOGUCHI_XMALLOC_H

#include <stddef.h>

/* Allocates size bytes (at least 1). */
void *xmalloc(size_t size) __attribute__((malloc, returns_nonnull));
/* Allocates zeroed memory for n objects of size bytes. */
void *xcalloc(size_t n, size_t size) __attribute__((malloc, returns_nonnull));
/* Resizes ptr to n objects of size bytes, checking the multiplication. */
void *xreallocarray(void *ptr, size_t n, size_t size) __attribute__((returns_nonnull));
/* Copies a string. */
char *xstrdup(const char *s) __attribute__((malloc, returns_nonnull));
/* Copies at most n bytes of a string and terminates the copy. */
char *xstrndup(const char *s, size_t n) __attribute__((malloc, returns_nonnull));
/* Formats into a new string; the caller frees it. */
char *xasprintf(const char *fmt, ...)
    __attribute__((format(printf, 1, 2), malloc, returns_nonnull));

#endif
