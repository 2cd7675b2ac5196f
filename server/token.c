/* References and tokens with libsodium. */
#include "token.h"

#include <ctype.h>
#include <sodium.h>
#include <string.h>
#include <strings.h>

/* 32 symbols, none easily confused with another when read aloud or written. */
static const char alphabet[] = "23456789ABCDEFGHJKLMNPQRSTUVWXYZ";

bool
token_key_parse(const char *hex, unsigned char key[TOKEN_KEY_BYTES])
{
	size_t len;

	return strlen(hex) == 2 * TOKEN_KEY_BYTES &&
	    sodium_hex2bin(key, TOKEN_KEY_BYTES, hex, strlen(hex), NULL, &len, NULL) == 0 &&
	    len == TOKEN_KEY_BYTES;
}

void
token_reference(char out[TOKEN_REF_LEN + 1])
{
	unsigned char raw[7];

	/* 32 symbols: the low 5 bits of a random byte pick one uniformly. */
	randombytes_buf(raw, sizeof raw);
	for (int i = 0, o = 0; i < 7; i++) {
		if (i == 3)
			out[o++] = '-';
		out[o++] = alphabet[raw[i] & 31];
	}
	out[TOKEN_REF_LEN] = '\0';
}

bool
token_reference_normalise(const char *s, char out[TOKEN_REF_LEN + 1])
{
	char sym[7];
	int n = 0;

	for (; *s != '\0'; s++) {
		char c = (char)toupper((unsigned char)*s);
		if (c == '-' && n == 3)
			continue;
		if (n == 7 || strchr(alphabet, c) == NULL)
			return false;
		sym[n++] = c;
	}
	if (n != 7)
		return false;
	memcpy(out, sym, 3);
	out[3] = '-';
	memcpy(out + 4, sym + 3, 4);
	out[TOKEN_REF_LEN] = '\0';
	return true;
}

/* Writes 32 bytes as base64url without padding. */
static void
encode(const unsigned char bytes[32], char out[TOKEN_TEXT_LEN + 1])
{
	sodium_bin2base64(out, TOKEN_TEXT_LEN + 1, bytes, 32,
	    sodium_base64_VARIANT_URLSAFE_NO_PADDING);
}

void
token_new(char out[TOKEN_TEXT_LEN + 1])
{
	unsigned char raw[32];

	randombytes_buf(raw, sizeof raw);
	encode(raw, out);
	sodium_memzero(raw, sizeof raw);
}

void
token_derive(const unsigned char key[TOKEN_KEY_BYTES], const char *context,
    char out[TOKEN_TEXT_LEN + 1])
{
	unsigned char raw[32];
	crypto_generichash_state st;
	static const char domain[] = "madoguchi idempotent token\n";

	crypto_generichash_init(&st, key, TOKEN_KEY_BYTES, sizeof raw);
	crypto_generichash_update(&st, (const unsigned char *)domain, sizeof domain - 1);
	crypto_generichash_update(&st, (const unsigned char *)context, strlen(context));
	crypto_generichash_final(&st, raw, sizeof raw);
	encode(raw, out);
	sodium_memzero(raw, sizeof raw);
}

/* The keyed hash of a token. */
static void
hash(const unsigned char key[TOKEN_KEY_BYTES], const char *token,
    unsigned char out[TOKEN_HASH_BYTES])
{
	crypto_generichash(out, TOKEN_HASH_BYTES, (const unsigned char *)token, strlen(token),
	    key, TOKEN_KEY_BYTES);
}

void
token_hash_hex(const unsigned char key[TOKEN_KEY_BYTES], const char *token,
    char out[2 * TOKEN_HASH_BYTES + 1])
{
	unsigned char h[TOKEN_HASH_BYTES];

	hash(key, token, h);
	sodium_bin2hex(out, 2 * TOKEN_HASH_BYTES + 1, h, sizeof h);
}

bool
token_matches(const unsigned char key[TOKEN_KEY_BYTES], const char *token,
    const char *stored_hex)
{
	unsigned char h[TOKEN_HASH_BYTES], stored[TOKEN_HASH_BYTES];
	size_t len;

	if (sodium_hex2bin(stored, sizeof stored, stored_hex, strlen(stored_hex), NULL, &len,
	    NULL) != 0 || len != sizeof stored)
		return false;
	hash(key, token, h);
	return sodium_memcmp(h, stored, sizeof h) == 0;
}

const char *
token_from_header(const char *authorization)
{
	const char *t;

	if (authorization == NULL || strncasecmp(authorization, "Bearer ", 7) != 0)
		return NULL;
	for (t = authorization + 7; *t == ' '; t++)
		;
	return *t != '\0' && strlen(t) <= 128 ? t : NULL;
}
