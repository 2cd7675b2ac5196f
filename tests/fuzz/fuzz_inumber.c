/*
 * The Individual Number guard (inum_find, behind rules_contains_individual_number),
 * which decides whether a request is refused before anything of it is stored.
 * On ASCII text it must agree with a plain restatement of the rule: digit
 * groups joined by runs of characters that are neither digits nor letters, a
 * letter ending the chain, whole groups of a chain adding up to 12 digits that
 * pass the check digit, no limit on groups. Spelling the digits full-width and
 * the spaces as U+3000 must not change the answer, nor reading by length.
 */
#include "fuzz.h"

#include "core/individual_number.h"

#include <ctype.h>
#include <stdbool.h>

/* The rule on ASCII text, restated: keep every group of every chain. */
static bool
reference(const char *s)
{
	size_t len = strlen(s), n = 0, used = 0;
	char *digits = malloc(len + 1);
	size_t *start = malloc((len + 1) * sizeof *start), *glen = malloc((len + 1) * sizeof *glen);
	bool found = false;

	FUZZ_ASSERT(digits && start && glen);
	for (size_t i = 0; i <= len && !found; i++) {
		if (i < len && isdigit((unsigned char)s[i])) {
			if (i == 0 || !isdigit((unsigned char)s[i - 1])) {
				start[n] = used;
				glen[n++] = 0;
			}
			digits[used++] = s[i];
			glen[n - 1]++;
			continue;
		}
		/* A group just ended (or the text): check the runs of whole groups ending with it. */
		if (n > 0 && i > 0 && isdigit((unsigned char)s[i - 1])) {
			size_t total = 0, g = n;

			while (g > 0 && total < 12)
				total += glen[--g];
			found = total == 12 && inum_valid(&digits[start[g]]);
		}
		if (i < len && isalpha((unsigned char)s[i]))
			n = 0, used = 0;	/* a letter ends the chain */
	}
	free(digits);
	free(start);
	free(glen);
	return found;
}

/* s with ASCII digits full-width and spaces ideographic (caller frees). */
static char *
widen(const char *s)
{
	char *out = malloc(strlen(s) * 3 + 1), *o = out;

	FUZZ_ASSERT(out != NULL);
	for (; *s != '\0'; s++) {
		if (*s >= '0' && *s <= '9')
			o += sprintf(o, "\xEF\xBC%c", (char)(0x90 + *s - '0'));
		else if (*s == ' ')
			o += sprintf(o, "\xE3\x80\x80");
		else
			*o++ = *s;
	}
	*o = '\0';
	return out;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *s = fuzz_string(data, size), *wide;
	bool ascii = true, found = inum_contains(s);

	(void)inum_find((const char *)data, size);	/* NUL bytes and all */
	FUZZ_ASSERT(inum_find(s, strlen(s)) == found);
	for (const char *p = s; *p != '\0'; p++)
		ascii = ascii && (unsigned char)*p < 0x80;
	if (ascii) {
		FUZZ_ASSERT(found == reference(s));
		wide = widen(s);
		FUZZ_ASSERT(inum_contains(wide) == found);
		free(wide);
	}
	free(s);
	return 0;
}
