/* Unit tests for the Individual Number guard (links server/core/individual_number.c only). */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/individual_number.h"

/* 123456789018 passes the check digit; 123456789012 does not. */
static const char *const spellings[] = {
	"123456789018",
	"1234 5678 9018",
	"1234  5678  9018",				/* two spaces */
	"1234 - 5678 - 9018",				/* " - " */
	"1234ー5678ー9018",				/* katakana prolonged sound mark */
	"1234\u20135678\u20139018",			/* en dash */
	"1234\u20145678\u20149018",			/* em dash */
	"1234\u20105678\u20109018",			/* hyphen */
	"1234\u22125678\u22129018",			/* minus sign */
	"1234\uff0d5678\uff0d9018",			/* full-width hyphen-minus */
	"1234\u00a05678\u00a09018",			/* no-break space */
	"1234\u20095678\u20099018",			/* thin space */
	"1234\t5678\t9018",				/* tabs */
	"1234.5678.9018",				/* dots */
	"1234/5678/9018",				/* slashes */
	"(1234)(5678)(9018)",				/* parentheses */
	"1234\u30005678\u30009018",			/* ideographic space */
	"１２３４・５６７８・９０１８",			/* full-width, katakana middle dot */
	"\u0661\u0662\u0663\u0664\u0665\u0666\u0667\u0668\u0669\u0660\u0661\u0668", /* Arabic-Indic */
	"\u06f1\u06f2\u06f3\u06f4 \u06f5\u06f6\u06f7\u06f8 \u06f9\u06f0\u06f1\u06f8", /* Persian */
	"\U0001D7CF\U0001D7D0\U0001D7D1\U0001D7D2\U0001D7D3\U0001D7D4\U0001D7D5\U0001D7D6"
	    "\U0001D7D7\U0001D7CE\U0001D7CF\U0001D7D6",	/* mathematical bold */
	"\u0967\u0968\u0969\u096a-\u096b\u096c\u096d\u096e-\u096f\u0966\u0967\u096e", /* Devanagari */
	"\u2460\u2461\u2462\u2463\u2464\u2465\u2466\u2467\u2468\u24ea\u2460\u2467", /* circled */
	"1 2 3 4 5 6 7 8 9 0 1 8",			/* one digit at a time */
	"my number is 1234-5678-9018, thanks",
};

START_TEST(every_spelling_is_found)
{
	ck_assert_int_eq(sizeof spellings / sizeof spellings[0], 25);
	for (size_t i = 0; i < sizeof spellings / sizeof spellings[0]; i++)
		ck_assert_msg(inum_contains(spellings[i]), "not found: %s", spellings[i]);
}
END_TEST

/* After any number of digit groups, a number is still found. */
START_TEST(no_group_limit)
{
	char text[4096] = "";

	for (int i = 0; i < 200; i++)
		strcat(text, "7.");
	strcat(text, "1234 5678 9018");
	ck_assert(inum_contains(text));
	text[0] = '\0';
	for (int i = 0; i < 300; i++)
		strcat(text, "12 ");
	strcat(text, "1234 5678 9018");
	ck_assert(inum_contains(text));
}
END_TEST

/* What is not a number stays allowed. */
START_TEST(not_numbers)
{
	static const char *const fine[] = {
		"123456789012", "1234567890180", "0123456789018", "2026-12-16T10:00:00+09:00",
		"tel 03-1234-5678", "090-1234-5678", "1990-07-15", "Yamada Hanako",
		"1234 5678 abc 9018", "K7Q-4MXD", "", "\xff\xfe\x80",
		"550e8400-e29b-41d4-a716-446655440000",
	};

	for (size_t i = 0; i < sizeof fine / sizeof fine[0]; i++)
		ck_assert_msg(!inum_contains(fine[i]), "refused: %s", fine[i]);
	ck_assert(!inum_contains(NULL));
}
END_TEST

/* The check digit, and an explicit length. */
START_TEST(check_digit)
{
	ck_assert(inum_valid("123456789018"));
	ck_assert(!inum_valid("123456789012"));
	ck_assert(inum_valid("000000000000"));
	ck_assert(!inum_valid("12345678901x"));
	ck_assert(inum_find("123456789018999", 12));
	ck_assert(!inum_find("123456789018", 11));
}
END_TEST

static Suite *
inum_suite(void)
{
	Suite *s = suite_create("individual_number");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, every_spelling_is_found);
	tcase_add_test(tc, no_group_limit);
	tcase_add_test(tc, not_numbers);
	tcase_add_test(tc, check_digit);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	SRunner *sr = srunner_create(inum_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
