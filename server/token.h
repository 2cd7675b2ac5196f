/*
 * Booking references and secret tokens. A reference ("K7Q-4MXD") is what a
 * resident reads out at the counter: 7 characters from an alphabet without
 * look-alikes (no 0/O, 1/I). A token is 32 random bytes (base64url), shown
 * once; only its keyed BLAKE2b hash is stored, compared in constant time.
 */
#ifndef MADOGUCHI_TOKEN_H
#define MADOGUCHI_TOKEN_H

#include <stdbool.h>
#include <stddef.h>

#define TOKEN_KEY_BYTES 32
#define TOKEN_HASH_BYTES 32
#define TOKEN_TEXT_LEN 43	/* base64url of 32 bytes, no padding */
#define TOKEN_REF_LEN 8		/* "XXX-XXXX" */

/* Parses the 64-hex-digit key. */
bool token_key_parse(const char *hex, unsigned char key[TOKEN_KEY_BYTES])
    __attribute__((warn_unused_result));
/* A new random reference, "XXX-XXXX". */
void token_reference(char out[TOKEN_REF_LEN + 1]);
/* True when s has the shape of a reference (case-insensitive, '-' optional). */
bool token_reference_normalise(const char *s, char out[TOKEN_REF_LEN + 1])
    __attribute__((warn_unused_result));
/* A new random token. */
void token_new(char out[TOKEN_TEXT_LEN + 1]);
/*
 * The token for an idempotent request: derived from the key and context, so a
 * replay can hand out the same token without it ever being stored.
 */
void token_derive(const unsigned char key[TOKEN_KEY_BYTES], const char *context,
    char out[TOKEN_TEXT_LEN + 1]);
/* The keyed hash of a token, as 64 hex digits (how it is stored). */
void token_hash_hex(const unsigned char key[TOKEN_KEY_BYTES], const char *token,
    char out[2 * TOKEN_HASH_BYTES + 1]);
/* True when token hashes to stored_hex (constant time). */
bool token_matches(const unsigned char key[TOKEN_KEY_BYTES], const char *token,
    const char *stored_hex) __attribute__((warn_unused_result));
/* The token in an "Authorization: Bearer TOKEN" header, or NULL. */
const char *token_from_header(const char *authorization);

#endif
