/*
 * The Individual Number (マイナンバー) guard: finds 12 digits passing the check
 * digit in any text, however they are spelled. The text is read as UTF-8 and
 * normalised first: every Unicode decimal digit (ASCII, full-width,
 * Arabic-Indic, Devanagari, mathematical, ...) and the compatibility digits
 * NFKC folds to one (superscripts, subscripts, circled and parenthesised
 * digits) count as digits; any run of characters that are neither digits nor
 * letters (spaces of every width, tabs, dashes, 'ー', dots, slashes,
 * parentheses, ...) joins digit groups; a letter ends a chain. Whole groups of
 * a chain adding up to 12 digits are checked; there is no limit on groups.
 */
#ifndef MADOGUCHI_INDIVIDUAL_NUMBER_H
#define MADOGUCHI_INDIVIDUAL_NUMBER_H

#include <stdbool.h>
#include <stddef.h>

/* True when the 12 ASCII digits at digits pass the Individual Number check digit. */
bool inum_valid(const char digits[static 12]);
/* True when text (len bytes, or up to its NUL when len is (size_t)-1) holds one. */
bool inum_find(const char *text, size_t len);
/* True when the NUL-terminated text holds one (NULL holds none). */
bool inum_contains(const char *text);

#endif
