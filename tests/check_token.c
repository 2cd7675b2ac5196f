/* References and tokens: shapes, hashing, derivation, header parsing. */
#include "token.h"

#include <check.h>
#include <sodium.h>
#include <stdlib.h>
#include <string.h>

static const char key_hex[] =
    "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f";

/* Parses the test key. */
static void
key(unsigned char out[TOKEN_KEY_BYTES])
{
	ck_assert(token_key_parse(key_hex, out));
}

/* A reference is XXX-XXXX from the unambiguous alphabet, and references differ. */
START_TEST(reference_shape)
{
	char a[TOKEN_REF_LEN + 1], b[TOKEN_REF_LEN + 1], norm[TOKEN_REF_LEN + 1];

	token_reference(a);
	token_reference(b);
	ck_assert_uint_eq(strlen(a), 8);
	ck_assert_int_eq(a[3], '-');
	ck_assert_uint_eq(strspn(a, "23456789ABCDEFGHJKLMNPQRSTUVWXYZ-"), 8);
	ck_assert_str_ne(a, b);
	ck_assert(token_reference_normalise(a, norm));
	ck_assert_str_eq(norm, a);
}
END_TEST

/* Normalising accepts lower case and a missing dash, and refuses look-alikes. */
START_TEST(reference_normalise)
{
	char out[TOKEN_REF_LEN + 1];

	ck_assert(token_reference_normalise("k7q4mxd", out));
	ck_assert_str_eq(out, "K7Q-4MXD");
	ck_assert(token_reference_normalise("K7Q-4MXD", out));
	ck_assert(!token_reference_normalise("K7Q-4MX0", out));	/* 0 is not in the alphabet */
	ck_assert(!token_reference_normalise("I7Q-4MXD", out));	/* nor I */
	ck_assert(!token_reference_normalise("K7Q-4MX", out));
	ck_assert(!token_reference_normalise("K7Q-4MXDD", out));
	ck_assert(!token_reference_normalise("K7-Q4MXD", out));
	ck_assert(!token_reference_normalise("", out));
	ck_assert(!token_reference_normalise("K7Q/4MXD", out));
}
END_TEST

/* Tokens are 43 base64url characters and differ. */
START_TEST(token_shape)
{
	char a[TOKEN_TEXT_LEN + 1], b[TOKEN_TEXT_LEN + 1];

	token_new(a);
	token_new(b);
	ck_assert_uint_eq(strlen(a), TOKEN_TEXT_LEN);
	ck_assert_uint_eq(strspn(a, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
	    "0123456789-_"), TOKEN_TEXT_LEN);
	ck_assert_str_ne(a, b);
}
END_TEST

/* A token matches its own hash only, and only under the same key. */
START_TEST(hash_and_match)
{
	unsigned char k[TOKEN_KEY_BYTES], other[TOKEN_KEY_BYTES];
	char t[TOKEN_TEXT_LEN + 1], h[65];

	key(k);
	memcpy(other, k, sizeof other);
	other[0] ^= 1;
	token_new(t);
	token_hash_hex(k, t, h);
	ck_assert_uint_eq(strlen(h), 64);
	ck_assert(token_matches(k, t, h));
	ck_assert(!token_matches(other, t, h));
	ck_assert(!token_matches(k, "not the token", h));
	ck_assert(!token_matches(k, t, "zz"));
	ck_assert(!token_matches(k, t, ""));
}
END_TEST

/* Derived tokens are stable for a context and differ across contexts and keys. */
START_TEST(derive)
{
	unsigned char k[TOKEN_KEY_BYTES], other[TOKEN_KEY_BYTES];
	char a[TOKEN_TEXT_LEN + 1], b[TOKEN_TEXT_LEN + 1], c[TOKEN_TEXT_LEN + 1];

	key(k);
	memcpy(other, k, sizeof other);
	other[31] ^= 0x80;
	token_derive(k, "kasugai\nkey-1\nabc", a);
	token_derive(k, "kasugai\nkey-1\nabc", b);
	ck_assert_str_eq(a, b);
	token_derive(k, "kasugai\nkey-2\nabc", c);
	ck_assert_str_ne(a, c);
	token_derive(other, "kasugai\nkey-1\nabc", c);
	ck_assert_str_ne(a, c);
}
END_TEST

/* Keys must be exactly 64 hex digits. */
START_TEST(key_parse)
{
	unsigned char k[TOKEN_KEY_BYTES];

	ck_assert(token_key_parse(key_hex, k));
	ck_assert_int_eq(k[31], 0x1f);
	ck_assert(!token_key_parse("00", k));
	ck_assert(!token_key_parse(
	    "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1g", k));
	ck_assert(!token_key_parse(
	    "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f00", k));
}
END_TEST

/* Bearer tokens are found case-insensitively; anything else is not a token. */
START_TEST(bearer_header)
{
	ck_assert_str_eq(token_from_header("Bearer abc"), "abc");
	ck_assert_str_eq(token_from_header("bearer   abc"), "abc");
	ck_assert_ptr_null(token_from_header(NULL));
	ck_assert_ptr_null(token_from_header("Basic abc"));
	ck_assert_ptr_null(token_from_header("Bearer "));
	ck_assert_ptr_null(token_from_header("Bearerabc"));
}
END_TEST

/* The suite. */
static Suite *
token_suite(void)
{
	Suite *s = suite_create("token");
	TCase *tc = tcase_create("token");

	tcase_add_test(tc, reference_shape);
	tcase_add_test(tc, reference_normalise);
	tcase_add_test(tc, token_shape);
	tcase_add_test(tc, hash_and_match);
	tcase_add_test(tc, derive);
	tcase_add_test(tc, key_parse);
	tcase_add_test(tc, bearer_header);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	SRunner *sr;
	int failed;

	if (sodium_init() < 0)
		return EXIT_FAILURE;
	sr = srunner_create(token_suite());
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
