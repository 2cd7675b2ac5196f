/*
 * Unit tests for configuration loading (links config.c, log.c, xmalloc.c). Run from
 * the repository root: fixtures live under tests/config/, one small file per case.
 */
#include <check.h>
#include <glob.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "config_load.h"
#include "log.h"

#define FIXTURES "tests/config/"
#define BAD FIXTURES "bad/"
#define GOOD FIXTURES "good/"
#define SHIPPED "config/madoguchi.yaml"

/* Loads path, failing the test with the cause when it does not load. */
static struct config *
load_ok(const char *path)
{
	char *cause = (char *)"stale";
	struct config *cfg = config_load(path, &cause);

	ck_assert_msg(cfg != NULL, "%s should load: %s", path, cfg ? "" : cause);
	ck_assert_ptr_null(cause);
	ck_assert_int_eq(cfg->refs, 1);
	return cfg;
}

/*
 * Loads the bad file path, requiring a refusal whose cause starts with prefix
 * ("file:line:column: " or "file: ") and contains phrase.
 */
static void
refused(const char *path, const char *prefix, const char *phrase)
{
	char *cause = NULL;
	struct config *cfg = config_load(path, &cause);

	ck_assert_msg(cfg == NULL, "%s must be refused", path);
	ck_assert_msg(cause != NULL, "%s: refusal without a cause", path);
	ck_assert_msg(strncmp(cause, prefix, strlen(prefix)) == 0,
	    "%s: cause \"%s\" must start with \"%s\"", path, cause, prefix);
	ck_assert_msg(strstr(cause, phrase) != NULL,
	    "%s: cause \"%s\" must contain \"%s\"", path, cause, phrase);
	free(cause);
}

/* A main-file case: BAD name refused at "name:where: " with phrase. */
#define MAIN_AT(name, where, phrase) refused(BAD name, BAD name ":" where ": ", phrase)
/* A municipality case: BAD "muni-" name refused at "munis/name:where: " with phrase. */
#define MUNI_AT(name, where, phrase) \
	refused(BAD "muni-" name, BAD "munis/" name ":" where ": ", phrase)
/* A calendar case: BAD "cal-" name refused at "munis/cal-name:where: " with phrase. */
#define CAL_AT(name, where, phrase) \
	refused(BAD "cal-" name, BAD "munis/cal-" name ":" where ": ", phrase)

/* Finds the municipality with id, failing the test when there is none. */
static const struct config_municipality *
muni(const struct config *cfg, const char *id)
{
	for (size_t i = 0; i < cfg->nmunicipalities; i++) {
		if (strcmp(cfg->municipalities[i].id, id) == 0)
			return &cfg->municipalities[i];
	}
	ck_abort_msg("municipality %s not found", id);
	return NULL;
}

/* Finds the office with id, failing the test when there is none. */
static const struct config_office *
office(const struct config *cfg, const char *id)
{
	const struct config_office *o = config_office(cfg, id);

	ck_assert_msg(o != NULL, "office %s not found", id);
	return o;
}

/* True when s ends with suffix. */
static bool
ends_with(const char *s, const char *suffix)
{
	size_t n = strlen(s), m = strlen(suffix);

	return n >= m && strcmp(s + n - m, suffix) == 0;
}

/* The shipped configuration loads with its 5 municipalities and 32 offices. */
START_TEST(shipped_config_loads)
{
	struct config *cfg = load_ok(SHIPPED);
	static const char *const munis[] = { "kasugai", "ogi", "oita", "sapporo", "shiki" };

	ck_assert_str_eq(cfg->path, SHIPPED);
	ck_assert_uint_eq(cfg->nmunicipalities, 5);
	ck_assert_uint_eq(cfg->noffices, 5 + 4 + 9 + 11 + 3);
	for (size_t i = 0; i < 5; i++)
		ck_assert_str_eq(cfg->municipalities[i].id, munis[i]);
	ck_assert_str_eq(cfg->municipalities[0].name.ja, "春日井市");
	ck_assert_str_eq(cfg->municipalities[0].name.en, "Kasugai City");
	ck_assert(ends_with(cfg->municipalities[4].file, "municipalities/shiki.yaml"));
	for (size_t i = 0; i < cfg->noffices; i++) {
		ck_assert_uint_lt(cfg->offices[i].municipality, 5);
		ck_assert_uint_ge(cfg->offices[i].cal.nservices, 1);
		ck_assert_ptr_nonnull(cfg->offices[i].name.ja);
		ck_assert_ptr_nonnull(cfg->offices[i].name.en);
	}
	config_unref(cfg);
}
END_TEST

/* The shipped settings hold the documented values, defaults included. */
START_TEST(shipped_config_settings)
{
	struct config *cfg = load_ok(SHIPPED);

	ck_assert_str_eq(cfg->listen, "127.0.0.1:8080");
	ck_assert_str_eq(cfg->database_url, "dbname=madoguchi");
	ck_assert_int_eq(cfg->db_pool_size, 4);
	ck_assert_int_eq(cfg->db_connect_timeout_s, 5);
	ck_assert_int_eq(cfg->http_max_connections, 512);
	ck_assert_int_eq(cfg->http_max_body_bytes, 1048576);
	ck_assert_int_eq(cfg->http_max_header_bytes, 16384);
	ck_assert_int_eq(cfg->http_idle_timeout_s, 30);
	ck_assert_int_eq(cfg->http_read_deadline_s, 20);
	ck_assert_int_eq(cfg->http_request_deadline_s, 10);
	ck_assert_str_eq(cfg->http_cors_origins, "");
	ck_assert_int_eq(cfg->shutdown_grace_s, 10);
	ck_assert_str_eq(cfg->log_level, "info");
	config_unref(cfg);
}
END_TEST

/* Shipped offices are found by id, belong to their municipality and offer their services. */
START_TEST(shipped_offices)
{
	struct config *cfg = load_ok(SHIPPED);
	const struct config_office *o = office(cfg, "kasugai-main");
	static const char *const all[] = { "ecert_renewal", "card_application", "card_pickup",
		"pin_reset", "address_change", "residence_update", "card_reissue_lost" };

	ck_assert_str_eq(cfg->municipalities[o->municipality].id, "kasugai");
	ck_assert_uint_eq(o->cal.nservices, 7);
	for (size_t i = 0; i < 7; i++)
		ck_assert(config_office_offers(o, all[i]));
	o = office(cfg, "kasugai-sakashita");
	ck_assert_uint_eq(o->cal.nservices, 7);
	for (size_t i = 0; i < 7; i++)
		ck_assert(config_office_offers(o, all[i]));
	o = office(cfg, "oita-tsurusaki");
	ck_assert(config_office_offers(o, "ecert_renewal"));
	ck_assert(!config_office_offers(o, "card_pickup"));
	o = office(cfg, "sapporo-card-center");
	ck_assert_str_eq(cfg->municipalities[o->municipality].id, "sapporo");
	ck_assert_str_eq(o->name.en, "My Number Card Center");
	o = office(cfg, "shiki-station");
	ck_assert_uint_eq(o->cal.nservices, 2);
	ck_assert_str_eq(cfg->municipalities[o->municipality].id, "shiki");
	ck_assert_ptr_null(config_office(cfg, "kasugai"));
	ck_assert_ptr_null(config_office(cfg, "kasugai-mai"));
	ck_assert_ptr_null(config_office(cfg, ""));
	config_unref(cfg);
}
END_TEST

/* Settings a file leaves out take their defaults. */
START_TEST(defaults_when_absent)
{
	struct config *cfg = load_ok(GOOD "defaults.yaml");

	ck_assert_str_eq(cfg->listen, "127.0.0.1:8080");
	ck_assert_str_eq(cfg->database_url, "dbname=madoguchi");
	ck_assert_int_eq(cfg->db_pool_size, 4);
	ck_assert_int_eq(cfg->db_connect_timeout_s, 5);
	ck_assert_int_eq(cfg->http_max_connections, 512);
	ck_assert_int_eq(cfg->http_max_body_bytes, 1048576);
	ck_assert_int_eq(cfg->http_max_header_bytes, 16384);
	ck_assert_int_eq(cfg->http_idle_timeout_s, 30);
	ck_assert_int_eq(cfg->http_read_deadline_s, 20);
	ck_assert_int_eq(cfg->http_request_deadline_s, 10);
	ck_assert_int_eq(cfg->shutdown_grace_s, 10);
	ck_assert_str_eq(cfg->log_level, "info");
	config_unref(cfg);
}
END_TEST

/* Every integer setting accepts both ends of its range. */
START_TEST(range_ends_accepted)
{
	struct config *cfg = load_ok(GOOD "bounds.yaml");

	ck_assert_int_eq(cfg->shutdown_grace_s, 300);
	ck_assert_int_eq(cfg->db_pool_size, 1);
	ck_assert_int_eq(cfg->db_connect_timeout_s, 60);
	ck_assert_int_eq(cfg->http_max_connections, 4);
	ck_assert_int_eq(cfg->http_max_body_bytes, 16777216);
	ck_assert_int_eq(cfg->http_max_header_bytes, 1024);
	ck_assert_int_eq(cfg->http_idle_timeout_s, 3600);
	ck_assert_int_eq(cfg->http_read_deadline_s, 1);
	ck_assert_int_eq(cfg->http_request_deadline_s, 600);
	ck_assert_str_eq(cfg->log_level, "error");
	ck_assert_str_eq(cfg->listen, "127.0.0.1:8080");
	config_unref(cfg);
}
END_TEST

/* A name without en uses the Japanese name for English too. */
START_TEST(en_name_defaults_to_ja)
{
	struct config *cfg = load_ok(GOOD "defaults.yaml");
	const struct config_municipality *m = muni(cfg, "zeta");
	const struct config_office *o = office(cfg, "zeta-main");

	ck_assert_str_eq(m->name.ja, "ゼータ市");
	ck_assert_str_eq(m->name.en, "ゼータ市");
	ck_assert_str_eq(o->name.en, "本庁");
	ck_assert_ptr_ne(o->name.en, o->name.ja);
	ck_assert_str_eq(office(cfg, "zeta-branch")->name.en, "Branch");
	ck_assert_str_eq(muni(cfg, "alpha")->name.en, "Alpha City");
	config_unref(cfg);
}
END_TEST

/* An include glob is read in sorted file-name order, offices in file order. */
START_TEST(include_glob_sorted)
{
	struct config *cfg = load_ok(GOOD "defaults.yaml");

	ck_assert_uint_eq(cfg->nmunicipalities, 2);
	ck_assert_str_eq(cfg->municipalities[0].id, "zeta");
	ck_assert_str_eq(cfg->municipalities[0].file, GOOD "munis/a.yaml");
	ck_assert_str_eq(cfg->municipalities[1].id, "alpha");
	ck_assert_str_eq(cfg->municipalities[1].file, GOOD "munis/b.yaml");
	ck_assert_uint_eq(cfg->noffices, 3);
	ck_assert_str_eq(cfg->offices[0].id, "zeta-main");
	ck_assert_str_eq(cfg->offices[1].id, "zeta-branch");
	ck_assert_str_eq(cfg->offices[2].id, "alpha-main");
	ck_assert_uint_eq(cfg->offices[0].municipality, 0);
	ck_assert_uint_eq(cfg->offices[1].municipality, 0);
	ck_assert_uint_eq(cfg->offices[2].municipality, 1);
	config_unref(cfg);
}
END_TEST

/* An include list keeps the order it is written in. */
START_TEST(include_list_order)
{
	struct config *cfg = load_ok(GOOD "list-order.yaml");

	ck_assert_uint_eq(cfg->nmunicipalities, 2);
	ck_assert_str_eq(cfg->municipalities[0].id, "alpha");
	ck_assert_str_eq(cfg->municipalities[1].id, "zeta");
	ck_assert_str_eq(cfg->offices[0].id, "alpha-main");
	ck_assert_uint_eq(office(cfg, "zeta-branch")->municipality, 1);
	config_unref(cfg);
}
END_TEST

/* Offices remember where they were defined, and their services in order. */
START_TEST(office_origin_and_services)
{
	struct config *cfg = load_ok(GOOD "defaults.yaml");
	const struct config_office *o = office(cfg, "zeta-branch");

	ck_assert_str_eq(o->file, GOOD "munis/a.yaml");
	ck_assert_int_eq(o->line, 9);
	ck_assert_uint_eq(o->cal.nservices, 1);
	ck_assert_str_eq(o->cal.services[0].id, "pin_reset");
	o = office(cfg, "zeta-main");
	ck_assert_int_eq(o->line, 5);
	ck_assert_uint_eq(o->cal.nservices, 2);
	ck_assert_str_eq(o->cal.services[0].id, "ecert_renewal");
	ck_assert_str_eq(o->cal.services[1].id, "card_pickup");
	config_unref(cfg);
}
END_TEST

/* config_office_offers matches whole service ids only. */
START_TEST(office_offers_exact)
{
	struct config *cfg = load_ok(GOOD "defaults.yaml");
	const struct config_office *o = office(cfg, "zeta-main");

	ck_assert(config_office_offers(o, "card_pickup"));
	ck_assert(!config_office_offers(o, "card_pick"));
	ck_assert(!config_office_offers(o, "card_pickup_x"));
	ck_assert(!config_office_offers(o, "pin_reset"));
	ck_assert(!config_office_offers(o, ""));
	ck_assert_ptr_eq(config_office(cfg, "alpha-main"), &cfg->offices[2]);
	ck_assert_ptr_null(config_office(cfg, "alpha-main "));
	ck_assert_ptr_null(config_office(cfg, "ALPHA-MAIN"));
	config_unref(cfg);
}
END_TEST

/* A reload keeps listen, database.url and pool_size, counts them, and applies the rest. */
START_TEST(keep_fixed_keeps_restart_settings)
{
	struct config *running = load_ok(GOOD "running.yaml");
	struct config *next = load_ok(GOOD "reloaded.yaml");

	log_set_level(LOG_LVL_ERROR);
	ck_assert_str_eq(next->listen, "[::1]:9090");
	ck_assert_int_eq(config_keep_fixed(next, running), 3);
	ck_assert_str_eq(next->listen, "127.0.0.1:8080");
	ck_assert_str_eq(next->database_url, "dbname=madoguchi");
	ck_assert_int_eq(next->db_pool_size, 4);
	ck_assert_int_eq(next->db_connect_timeout_s, 7);
	ck_assert_int_eq(next->http_max_connections, 64);
	ck_assert_int_eq(next->http_request_deadline_s, 3);
	ck_assert_str_eq(next->log_level, "debug");
	/* The running config is untouched and owns its own strings. */
	ck_assert_ptr_ne(next->listen, running->listen);
	ck_assert_int_eq(running->http_max_connections, 512);
	ck_assert_int_eq(config_keep_fixed(next, running), 0);
	config_unref(next);
	config_unref(running);
}
END_TEST

/* Only settings that actually changed are counted. */
START_TEST(keep_fixed_counts_only_changes)
{
	struct config *running = load_ok(GOOD "running.yaml");
	struct config *same = load_ok(GOOD "running.yaml");
	struct config *pool = load_ok(GOOD "reloaded-pool.yaml");

	log_set_level(LOG_LVL_ERROR);
	ck_assert_int_eq(config_keep_fixed(same, running), 0);
	ck_assert_int_eq(config_keep_fixed(pool, running), 1);
	ck_assert_int_eq(pool->db_pool_size, 4);
	ck_assert_int_eq(pool->http_max_connections, 100);
	config_unref(pool);
	config_unref(same);
	config_unref(running);
}
END_TEST

/* References keep a config alive until the last one is dropped. */
START_TEST(ref_counting)
{
	struct config *cfg = load_ok(GOOD "defaults.yaml");

	ck_assert_ptr_eq(config_ref(cfg), cfg);
	ck_assert_int_eq(cfg->refs, 2);
	config_unref(cfg);
	ck_assert_int_eq(cfg->refs, 1);
	ck_assert_str_eq(cfg->offices[0].id, "zeta-main");
	config_unref(cfg);
	config_unref(NULL);
}
END_TEST

/* An unknown top-level key is refused at the key, listing the known ones. */
START_TEST(unknown_top_level_key)
{
	MAIN_AT("unknown-top-key.yaml", "2:1", "unknown key 'colour'");
	MAIN_AT("unknown-top-key.yaml", "2:1",
	    "expected one of: database, http, log, security, bookings, ratelimit, queue, history, metrics, include, listen, shutdown_grace_s");
}
END_TEST

/* Unknown keys in the http, database and log sections are refused at the key. */
START_TEST(unknown_section_keys)
{
	MAIN_AT("unknown-http-key.yaml", "3:3", "unknown key 'max_conections' in http");
	MAIN_AT("unknown-http-key.yaml", "3:3", "max_connections, max_body_bytes");
	MAIN_AT("unknown-database-key.yaml", "2:3", "unknown key 'uri' in database");
	MAIN_AT("unknown-log-key.yaml", "2:3", "unknown key 'lvl' in log (expected one of: level)");
}
END_TEST

/* Integers outside their range are refused at the value, with the range. */
START_TEST(integer_out_of_range)
{
	MAIN_AT("int-too-large.yaml", "2:14", "pool_size: 65 is out of range (expected 1 to 64)");
	MAIN_AT("int-too-small.yaml", "2:19",
	    "max_body_bytes: 1023 is out of range (expected 1024 to 16777216)");
	MAIN_AT("int-negative.yaml", "1:19", "shutdown_grace_s: -1 is out of range");
}
END_TEST

/* Values that are not decimal integers are refused at the value. */
START_TEST(not_an_integer)
{
	MAIN_AT("not-integer.yaml", "2:19", "idle_timeout_s: expected an integer, found '30s'");
	MAIN_AT("not-integer-float.yaml", "1:19", "expected an integer, found '1.5'");
	MAIN_AT("not-integer-hex.yaml", "2:22", "expected an integer, found '0x10'");
	MAIN_AT("not-integer-empty.yaml", "2:13", "pool_size: expected an integer");
	MAIN_AT("int-overflow.yaml", "2:20", "max_connections: expected an integer");
}
END_TEST

/* A list or mapping where a scalar belongs is refused, naming both kinds. */
START_TEST(wrong_kind_for_scalar)
{
	MAIN_AT("list-for-scalar.yaml", "1:9", "expected a string, found a list");
	MAIN_AT("list-for-integer.yaml", "3:5", "expected an integer, found a list");
	MAIN_AT("mapping-for-scalar.yaml", "2:10", "expected a string, found a mapping");
}
END_TEST

/* A mapping or scalar where a list belongs is refused. */
START_TEST(wrong_kind_for_list)
{
	MAIN_AT("mapping-for-list.yaml", "2:3", "include: expected a list of files, found a mapping");
	MUNI_AT("services-mapping.yaml", "6:27", "pin_reset: expected a mapping, found a scalar");
	MUNI_AT("offices-scalar.yaml", "3:10", "offices: expected a list, found a scalar");
}
END_TEST

/* Sections and documents that are not mappings are refused. */
START_TEST(wrong_kind_for_mapping)
{
	MAIN_AT("list-for-section.yaml", "2:3", "http: expected a mapping, found a list");
	MAIN_AT("scalar-for-section.yaml", "1:11", "database: expected a mapping, found a scalar");
	MAIN_AT("root-scalar.yaml", "1:1", "configuration: expected a mapping, found a scalar");
	MAIN_AT("root-list.yaml", "1:1", "configuration: expected a mapping, found a list");
	MUNI_AT("root-list.yaml", "1:1", "municipality file: expected a mapping, found a list");
}
END_TEST

/* Listen addresses must be a numeric IPv4 or bracketed IPv6 address and a port. */
START_TEST(bad_listen_address)
{
	static const char *const bad[] = {
		"listen-no-port.yaml", "listen-port-range.yaml", "listen-port-zero.yaml",
		"listen-port-name.yaml", "listen-no-addr.yaml", "listen-hostname.yaml",
		"listen-bad-ipv4.yaml", "listen-ipv6-unbracketed.yaml",
		"listen-ipv6-unclosed.yaml", "listen-ipv4-bracketed.yaml",
	};
	char path[256], prefix[300];

	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		snprintf(path, sizeof path, BAD "%s", bad[i]);
		snprintf(prefix, sizeof prefix, "%s:1:9: ", path);
		refused(path, prefix, "listen: expected ADDR:PORT");
	}
	MAIN_AT("listen-hostname.yaml", "1:9", "found 'localhost:8080'");
}
END_TEST

/* CORS origins: a list of exact origins, kept one a line; anything else is refused. */
START_TEST(cors_origins)
{
	struct config *cfg = load_ok(GOOD "cors.yaml");

	ck_assert_str_eq(cfg->http_cors_origins,
	    "https://www.city.example.jp\nhttp://127.0.0.1:8080");
	config_unref(cfg);
	MAIN_AT("cors-path.yaml", "2:18", "'https://www.city.example.jp/' is not an origin");
	MAIN_AT("cors-twice.yaml", "4:7", "is listed twice");
	MAIN_AT("cors-mapping.yaml", "3:7", "expected an origin");
}
END_TEST

/* Log levels other than the four lower-case names are refused. */
START_TEST(bad_log_level)
{
	MAIN_AT("log-level.yaml", "2:10",
	    "level: expected debug, info, warn or error, found 'verbose'");
	MAIN_AT("log-level-case.yaml", "2:10", "found 'INFO'");
}
END_TEST

/* Empty strings are refused for settings and names. */
START_TEST(empty_strings)
{
	MAIN_AT("empty-string.yaml", "2:8", "url: must not be empty");
	MAIN_AT("empty-listen.yaml", "1:8", "listen: must not be empty");
	MUNI_AT("name-ja-empty.yaml", "2:12", "name.ja: must not be empty");
}
END_TEST

/* YAML syntax errors are reported at libyaml's position, in main and included files. */
START_TEST(yaml_syntax_errors)
{
	MAIN_AT("syntax-indent.yaml", "3:2", "expected key");
	MAIN_AT("syntax-flow.yaml", "2:4", "flow sequence");
	MAIN_AT("syntax-tab.yaml", "2:1", "cannot start any token");
	MUNI_AT("syntax.yaml", "3:8", "flow mapping");
}
END_TEST

/* Empty files (or only comments) are refused as a whole, with no position. */
START_TEST(empty_files)
{
	refused(BAD "empty.yaml", BAD "empty.yaml: ", "the file is empty");
	refused(BAD "comments-only.yaml", BAD "comments-only.yaml: ", "the file is empty");
	refused(BAD "muni-empty.yaml", BAD "munis/empty.yaml: ", "the file is empty");
}
END_TEST

/* A missing main file is refused with the reason from the system. */
START_TEST(missing_file)
{
	refused(BAD "does-not-exist.yaml", BAD "does-not-exist.yaml: ", "cannot open");
	refused(BAD "does-not-exist.yaml", BAD "does-not-exist.yaml: ",
	    "No such file or directory");
	refused("tests/config/nowhere/x.yaml", "tests/config/nowhere/x.yaml: ", "cannot open");
}
END_TEST

/* Includes that match nothing are refused at the pattern. */
START_TEST(include_without_match)
{
	MAIN_AT("include-no-match.yaml", "3:5", "include: no file matches 'nowhere/*.yaml'");
	MAIN_AT("include-glob-no-match.yaml", "1:10",
	    "include: no file matches 'munis/zzz-*.yaml'");
	MAIN_AT("include-missing-file.yaml", "1:10",
	    "include: no file matches 'munis/not-there.yaml'");
}
END_TEST

/* A configuration without any office is refused as a whole. */
START_TEST(no_offices)
{
	refused(BAD "no-offices.yaml", BAD "no-offices.yaml: ", "no offices are defined");
}
END_TEST

/* Unknown keys in municipality files, offices and names are refused at the key. */
START_TEST(unknown_key_in_municipality_file)
{
	MUNI_AT("unknown-key.yaml", "3:1",
	    "unknown key 'mayor' (expected one of: municipality, name, settings, defaults, offices)");
	MUNI_AT("office-unknown-key.yaml", "6:5", "unknown key 'fax' in office");
	MUNI_AT("name-unknown-lang.yaml", "2:15", "unknown key 'fr' in name");
}
END_TEST

/* A municipality file needs its id, and before its offices. */
START_TEST(missing_municipality_id)
{
	refused(BAD "muni-no-id.yaml", BAD "munis/no-id.yaml: ",
	    "'municipality' (its id) is required");
	MUNI_AT("offices-before-id.yaml", "2:1", "'municipality' must come before the offices");
	MUNI_AT("office-no-id.yaml", "4:5", "office: 'id' is required");
}
END_TEST

/* Ids with upper case, '_' or a trailing '-' are refused at the value. */
START_TEST(bad_id_characters)
{
	MUNI_AT("bad-muni-id.yaml", "1:15", "municipality: 'Kasugai_City' is not a valid id");
	MUNI_AT("bad-office-id.yaml", "4:9", "id: 'kasugai-main-' is not a valid id");
}
END_TEST

/* An office id used in two files is refused at the second, naming the first. */
START_TEST(duplicate_office_id_across_files)
{
	refused(BAD "dup-office.yaml", BAD "munis/dup-b.yaml:8:5: ",
	    "office id 'shared' is already defined at " BAD "munis/dup-a.yaml:8");
}
END_TEST

/* A municipality id used in two files is refused, naming the first file. */
START_TEST(duplicate_municipality)
{
	refused(BAD "dup-muni.yaml", BAD "munis/dup-muni.yaml: ",
	    "municipality 'okcity' is already defined in " BAD "munis/ok.yaml");
}
END_TEST

/* Service ids outside API.md's list are refused at the id. */
START_TEST(unknown_service)
{
	MUNI_AT("unknown-service.yaml", "6:31", "unknown service 'passport_renewal'");
	MUNI_AT("unknown-service.yaml", "6:31", "card_reissue_lost)");
}
END_TEST

/* A service listed twice for one office is refused at the second. */
START_TEST(service_listed_twice)
{
	MUNI_AT("service-twice.yaml", "9:9", "service 'pin_reset' listed twice");
}
END_TEST

/* An office must offer at least one service. */
START_TEST(office_without_services)
{
	MUNI_AT("services-empty.yaml", "6:15", "an office must offer at least one service");
	MUNI_AT("services-missing.yaml", "4:5", "office svc-main: 'services' is required");
}
END_TEST

/* A name without ja is refused, for municipalities and offices. */
START_TEST(name_without_ja)
{
	MUNI_AT("name-no-ja.yaml", "3:3", "name: 'ja' is required");
	MUNI_AT("office-name-no-ja.yaml", "5:11", "name: 'ja' is required");
}
END_TEST

/* A key given twice in the main file is refused at the second, sections included. */
START_TEST(key_given_twice)
{
	MAIN_AT("key-twice.yaml", "3:1", "listen: given twice");
	MAIN_AT("key-twice-section.yaml", "4:3", "idle_timeout_s: given twice");
	MAIN_AT("section-twice.yaml", "3:1", "http: given twice");
	MAIN_AT("key-twice-across-sections.yaml", "5:1", "http: given twice");
	MAIN_AT("include-twice.yaml", "2:1", "include: given twice");
}
END_TEST

/* A key given twice in a municipality file is refused at the second. */
START_TEST(key_given_twice_in_municipality)
{
	MUNI_AT("office-id-twice.yaml", "5:5", "id: given twice");
	MUNI_AT("name-twice.yaml", "3:1", "name: given twice");
	MUNI_AT("ja-twice.yaml", "2:15", "name.ja: given twice");
	MUNI_AT("offices-twice.yaml", "8:1", "offices: given twice");
}
END_TEST

/* Bad intervals are refused at the interval itself, even when the day's key is lines above. */
START_TEST(calendar_bad_intervals)
{
	CAL_AT("overlap.yaml", "10:11", "office cal-main: interval 1 overlaps interval 0");
	CAL_AT("inverted.yaml", "10:11", "interval 17:00-08:30 does not end after it starts");
	CAL_AT("unordered.yaml", "10:11", "interval 1 starts before interval 0; list them in order");
	CAL_AT("time-short.yaml", "7:24",
	    "expected an interval such as 08:30-17:00, found '8:30-17:00'");
	CAL_AT("time-25.yaml", "9:11",
	    "'08:30-25:00' is not a time interval between 00:00 and 24:00");
	CAL_AT("five-intervals.yaml", "8:65", "at most 4 intervals a day");
}
END_TEST

/* Keys of hours other than sun..sat, weekdays and daily are refused, as is a day given twice. */
START_TEST(calendar_bad_hours_keys)
{
	CAL_AT("hours-weekday.yaml", "9:7", "unknown key 'Sat' in hours (expected one of: daily, "
	    "weekdays, sun, mon, tue, wed, thu, fri, sat)");
	CAL_AT("hours-key.yaml", "9:7", "unknown key 'lunch' in hours");
	CAL_AT("hours-twice.yaml", "10:7", "hours.mon: given twice");
}
END_TEST

/* A rule's kind, nth, weekday and weekday set must be known values, refused at the value. */
START_TEST(calendar_bad_rule_matchers)
{
	CAL_AT("nth-zero.yaml", "10:35", "nth: 0 is out of range (expected 1 to 5)");
	CAL_AT("nth-six.yaml", "10:37", "nth: 6 is out of range (expected 1 to 5)");
	CAL_AT("rule-weekday.yaml", "10:47", "unknown weekday 'sunday' (expected sun, mon");
	CAL_AT("rule-weekdays.yaml", "10:43", "unknown weekday 'thur'");
	CAL_AT("rule-kind.yaml", "10:17", "unknown rule kind 'weekly' (expected one of: date, "
	    "annual, holiday, nth_weekday, day_after_nth, weekdays)");
	CAL_AT("rule-key.yaml", "10:40", "unknown key 'comment' in rule");
}
END_TEST

/* A rule must close (closed: true) or open (hours), never both or neither, at the rule. */
START_TEST(calendar_rule_closed_or_hours)
{
	CAL_AT("rule-no-match.yaml", "10:9", "rule: 'match' is required");
	CAL_AT("rule-neither.yaml", "10:9", "give either 'closed: true' or 'hours', not neither");
	CAL_AT("rule-both.yaml", "10:9", "give either 'closed: true' or 'hours', not both");
	CAL_AT("closed-false.yaml", "10:34", "closed: write 'closed: true', or give 'hours'");
	CAL_AT("rule-empty-hours.yaml", "10:9", "the rule opens the day but gives no hours");
}
END_TEST

/* Each kind takes exactly its own day fields: missing or foreign ones are refused at the rule. */
START_TEST(calendar_rule_fields_for_kind)
{
	CAL_AT("annual-no-until.yaml", "10:9", "match 'annual' takes 'from' and 'until' (MM-DD)");
	CAL_AT("nth-no-weekday.yaml", "10:9", "match 'nth_weekday' takes 'nth' and 'weekday'");
	CAL_AT("date-no-date.yaml", "10:9", "match 'date' takes 'date'");
	CAL_AT("holiday-date.yaml", "10:9", "match 'holiday' takes no day fields");
	CAL_AT("weekdays-nth.yaml", "10:9", "match 'weekdays' takes 'weekdays'");
}
END_TEST

/* Dates and month-days must be real and well written; effective ranges must not be inverted. */
START_TEST(calendar_rule_dates)
{
	CAL_AT("annual-0230.yaml", "10:9", "office cal-main: annual range starts on 02-30, "
	    "no such day");
	CAL_AT("annual-text.yaml", "10:45",
	    "until: expected a month and day such as 12-29, found '01-3x'");
	CAL_AT("date-text.yaml", "10:29",
	    "date: expected a date such as 2026-12-29, found '2026-12-32'");
	CAL_AT("date-slashes.yaml", "10:29", "found '2026/12/24'");
	CAL_AT("effective-text.yaml", "10:56", "effective_from: expected a date such as "
	    "2026-12-29, found 'R6-11-01'");
	CAL_AT("effective.yaml", "10:9",
	    "effective_from 2027-04-01 is after effective_until 2027-03-31");
}
END_TEST

/* Reasons and policies must be names the API knows, refused at the value. */
START_TEST(calendar_bad_names)
{
	CAL_AT("reason.yaml", "10:63", "reason: unknown value 'party' (expected weekly, holiday, "
	    "year_end, nth_weekday or special)");
	CAL_AT("rule-policy.yaml", "10:71", "policy: unknown value 'reserved' (expected "
	    "required, optional or walk_in_only)");
	CAL_AT("svc-policy.yaml", "9:31", "policy: unknown value 'booking'");
}
END_TEST

/* Service ids must be known and given once, in offices and defaults alike. */
START_TEST(calendar_bad_service_ids)
{
	CAL_AT("svc-unknown.yaml", "7:5", "unknown service 'passport' (expected one of: "
	    "ecert_renewal, card_application");
	CAL_AT("svc-twice.yaml", "8:43", "service 'pin_reset' listed twice");
	CAL_AT("svc-twice-map.yaml", "11:7", "services.pin_reset: given twice");
	CAL_AT("defaults-svc-list.yaml", "5:13",
	    "services: expected a mapping of service id to settings, found a list");
}
END_TEST

/* Service settings: ranges, known keys, and slots that fit, pinned at the interval's line. */
START_TEST(calendar_bad_service_settings)
{
	CAL_AT("capacity-zero.yaml", "9:47", "capacity: 0 is out of range (expected 1 to 100)");
	CAL_AT("svc-key.yaml", "9:37", "unknown key 'counters' in service (expected one of: "
	    "slot_minutes, capacity, policy, horizon_days, lead_minutes)");
	CAL_AT("slot-divide.yaml", "13:11", "office cal-main: interval 13:00-17:15 is not a "
	    "whole number of pin_reset's 30-minute slots");
	CAL_AT("slot-divide-rule.yaml", "13:13",
	    "interval 13:00-15:30 is not a whole number of card_pickup's 20-minute slots");
}
END_TEST

/* Dated policy entries must ascend strictly; the later entry is at fault, defaults included. */
START_TEST(calendar_policy_order)
{
	CAL_AT("policy-order.yaml", "12:13",
	    "policy from 2024-11-01 is not after the previous entry's date");
	CAL_AT("policy-same.yaml", "9:11",
	    "office cal-main: policy from 2024-11-01 is not after the previous entry's date");
}
END_TEST

/* Peak factors lie in 0.05..1 and only weekdays and after_closure are keys. */
START_TEST(calendar_bad_peak)
{
	CAL_AT("peak-zero.yaml", "5:15", "mon: 0 is out of range (expected 0.05 to 1)");
	CAL_AT("peak-big.yaml", "11:22", "after_closure: 1.5 is out of range (expected 0.05 to 1)");
	CAL_AT("peak-key.yaml", "5:20", "unknown key 'holiday' in peak (expected one of: sun, "
	    "mon, tue, wed, thu, fri, sat, after_closure)");
}
END_TEST

/* Defaults hold only rules, services and peak, and come first; every office needs hours. */
START_TEST(calendar_file_structure)
{
	CAL_AT("defaults-key.yaml", "7:3",
	    "unknown key 'hours' in defaults (expected one of: rules, services, peak)");
	CAL_AT("defaults-after.yaml", "10:3", "defaults: must come before the offices");
	CAL_AT("no-hours.yaml", "5:5", "office cal-main: 'hours' is required");
}
END_TEST

/* Every fixture under bad/ is refused with a cause naming a file under bad/. */
START_TEST(every_bad_fixture_refused)
{
	glob_t g;

	ck_assert_int_eq(glob(BAD "*.yaml", 0, NULL, &g), 0);
	ck_assert_uint_ge(g.gl_pathc, 110);
	for (size_t i = 0; i < g.gl_pathc; i++)
		refused(g.gl_pathv[i], BAD, ": ");
	globfree(&g);
}
END_TEST

/* metrics.allow: addresses and CIDR ranges, IPv4 and IPv6, and what they let in. */
START_TEST(metrics_allow_lists)
{
	const char *list = "127.0.0.1, 10.1.0.0/16 ::1,2001:db8::/32";

	ck_assert(config_addr_list_valid(""));
	ck_assert(config_addr_list_valid(list));
	ck_assert(config_addr_list_valid("[::1]"));
	ck_assert(!config_addr_list_valid("localhost"));
	ck_assert(!config_addr_list_valid("10.0.0.0/33"));
	ck_assert(!config_addr_list_valid("10.0.0.0/"));
	ck_assert(!config_addr_list_valid("::1/129"));
	ck_assert(!config_addr_list_valid("1.2.3"));
	ck_assert(config_addr_allowed(list, "127.0.0.1"));
	ck_assert(config_addr_allowed(list, "::ffff:127.0.0.1"));
	ck_assert(config_addr_allowed(list, "10.1.255.7"));
	ck_assert(!config_addr_allowed(list, "10.2.0.1"));
	ck_assert(config_addr_allowed(list, "::1"));
	ck_assert(config_addr_allowed(list, "2001:db8:ffff::5"));
	ck_assert(!config_addr_allowed(list, "2001:db9::5"));
	ck_assert(!config_addr_allowed(list, "127.0.0.2"));
	ck_assert(!config_addr_allowed("", "127.0.0.1"));
	ck_assert(!config_addr_allowed(list, ""));
	ck_assert(config_addr_allowed("10.0.0.0/7", "11.200.0.1"));
	ck_assert(!config_addr_allowed("10.0.0.0/7", "12.0.0.1"));
	ck_assert(config_addr_allowed("0.0.0.0/0", "192.0.2.1"));
}
END_TEST

/* All config tests in one suite. */
static Suite *
config_suite(void)
{
	Suite *s = suite_create("config");
	TCase *good = tcase_create("good");
	TCase *bad = tcase_create("bad");

	tcase_add_test(good, shipped_config_loads);
	tcase_add_test(good, shipped_config_settings);
	tcase_add_test(good, shipped_offices);
	tcase_add_test(good, defaults_when_absent);
	tcase_add_test(good, range_ends_accepted);
	tcase_add_test(good, en_name_defaults_to_ja);
	tcase_add_test(good, include_glob_sorted);
	tcase_add_test(good, include_list_order);
	tcase_add_test(good, office_origin_and_services);
	tcase_add_test(good, office_offers_exact);
	tcase_add_test(good, keep_fixed_keeps_restart_settings);
	tcase_add_test(good, keep_fixed_counts_only_changes);
	tcase_add_test(good, ref_counting);
	suite_add_tcase(s, good);

	tcase_add_test(bad, unknown_top_level_key);
	tcase_add_test(bad, unknown_section_keys);
	tcase_add_test(bad, integer_out_of_range);
	tcase_add_test(bad, not_an_integer);
	tcase_add_test(bad, wrong_kind_for_scalar);
	tcase_add_test(bad, wrong_kind_for_list);
	tcase_add_test(bad, wrong_kind_for_mapping);
	tcase_add_test(bad, bad_listen_address);
	tcase_add_test(bad, bad_log_level);
	tcase_add_test(bad, cors_origins);
	tcase_add_test(bad, empty_strings);
	tcase_add_test(bad, yaml_syntax_errors);
	tcase_add_test(bad, empty_files);
	tcase_add_test(bad, missing_file);
	tcase_add_test(bad, include_without_match);
	tcase_add_test(bad, no_offices);
	tcase_add_test(bad, unknown_key_in_municipality_file);
	tcase_add_test(bad, missing_municipality_id);
	tcase_add_test(bad, bad_id_characters);
	tcase_add_test(bad, duplicate_office_id_across_files);
	tcase_add_test(bad, duplicate_municipality);
	tcase_add_test(bad, unknown_service);
	tcase_add_test(bad, service_listed_twice);
	tcase_add_test(bad, office_without_services);
	tcase_add_test(bad, name_without_ja);
	tcase_add_test(bad, key_given_twice);
	tcase_add_test(bad, key_given_twice_in_municipality);
	tcase_add_test(bad, calendar_bad_intervals);
	tcase_add_test(bad, calendar_bad_hours_keys);
	tcase_add_test(bad, calendar_bad_rule_matchers);
	tcase_add_test(bad, calendar_rule_closed_or_hours);
	tcase_add_test(bad, calendar_rule_fields_for_kind);
	tcase_add_test(bad, calendar_rule_dates);
	tcase_add_test(bad, calendar_bad_names);
	tcase_add_test(bad, calendar_bad_service_ids);
	tcase_add_test(bad, calendar_bad_service_settings);
	tcase_add_test(bad, calendar_policy_order);
	tcase_add_test(bad, calendar_bad_peak);
	tcase_add_test(bad, calendar_file_structure);
	tcase_add_test(bad, every_bad_fixture_refused);
	tcase_add_test(bad, metrics_allow_lists);
	suite_add_tcase(s, bad);
	return s;
}

/* Runs the suite; the exit status is 0 when every test passed. */
int
main(void)
{
	SRunner *sr = srunner_create(config_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
