/* Origins for cross-origin requests: what counts as one, and the listed ones. */
#include "cors.h"

#include <check.h>
#include <stdlib.h>

START_TEST(valid_origins)
{
	ck_assert(cors_origin_valid("https://www.city.kasugai.example.jp"));
	ck_assert(cors_origin_valid("http://127.0.0.1:8080"));
	ck_assert(cors_origin_valid("http://localhost:3000"));
	ck_assert(cors_origin_valid("https://[::1]:8443"));
	ck_assert(cors_origin_valid("https://[::1]"));
	ck_assert(cors_origin_valid("http://a:65535"));
}
END_TEST

START_TEST(invalid_origins)
{
	static const char *const bad[] = { "", "*", "null", "www.city.example.jp",
		"ftp://city.example.jp", "https://", "https://city.example.jp/",
		"https://city.example.jp/path", "https://City.example.jp",
		"HTTPS://city.example.jp", "https://city.example.jp:0",
		"https://city.example.jp:65536", "https://city.example.jp:080",
		"https://city.example.jp:", "https://.example.jp", "https://a..b",
		"https://city.example.jp?x=1", "https://user@city.example.jp",
		"https://[::1", "https://[]", "https://city.example.jp:80:80",
		"https://city example.jp", "https://-a.example.jp" };

	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
		ck_assert_msg(!cors_origin_valid(bad[i]), "'%s' was taken", bad[i]);
}
END_TEST

START_TEST(listed_origins)
{
	const char *list = "https://a.example.jp\nhttp://127.0.0.1:8080\nhttps://b.example.jp";

	ck_assert(cors_origin_listed(list, "https://a.example.jp"));
	ck_assert(cors_origin_listed(list, "http://127.0.0.1:8080"));
	ck_assert(cors_origin_listed(list, "https://b.example.jp"));
	ck_assert(!cors_origin_listed(list, "https://a.example"));
	ck_assert(!cors_origin_listed(list, "https://a.example.jp.evil.example"));
	ck_assert(!cors_origin_listed(list, "http://127.0.0.1"));
	ck_assert(!cors_origin_listed(list, ""));
	ck_assert(!cors_origin_listed("", "https://a.example.jp"));
	ck_assert(!cors_origin_listed(NULL, "https://a.example.jp"));
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("cors");
	TCase *tc = tcase_create("origins");
	SRunner *sr;
	int failed;

	tcase_add_test(tc, valid_origins);
	tcase_add_test(tc, invalid_origins);
	tcase_add_test(tc, listed_origins);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
