/*
 * The whole configuration loader (config_load): the main YAML file and a
 * municipality file it includes, written to a private directory. The input is
 * the main file, a line "#---", then the municipality file; without that line
 * it is all the municipality file, under a main file that only includes it.
 * A refusal names a file in that directory; a config that loads is whole
 * (offices point at municipalities, counters and settings within bounds), and
 * every office's calendar gives sane slots for the days around one date.
 */
#include "fuzz.h"

#include "config.h"
#include "config_load.h"
#include "log.h"
#include "core/calendar.h"
#include "core/cdate.h"

#include <unistd.h>

#define SEPARATOR "\n#---\n"

static char dir[64];

/* Removes the directory's files at exit. */
static void
cleanup(void)
{
	char path[128];

	snprintf(path, sizeof path, "%s/main.yaml", dir);
	unlink(path);
	snprintf(path, sizeof path, "%s/muni.yaml", dir);
	unlink(path);
	rmdir(dir);
}

/* Writes n bytes to dir/name. */
static void
write_file(const char *name, const char *text, size_t n)
{
	char path[128];
	FILE *f;

	snprintf(path, sizeof path, "%s/%s", dir, name);
	f = fopen(path, "w");
	FUZZ_ASSERT(f != NULL);
	FUZZ_ASSERT(fwrite(text, 1, n, f) == n);
	FUZZ_ASSERT(fclose(f) == 0);
}

/* One office: counters, services and its calendar around one date. */
static void
check_office(const struct config *cfg, const struct config_office *o)
{
	struct cal_slot slots[CAL_MAX_SLOTS];
	struct cal_day day;
	cdate first = cdate_make(2026, 12, 16);

	FUZZ_ASSERT(o->municipality < cfg->nmunicipalities);
	FUZZ_ASSERT(config_office(cfg, o->id) == o);
	FUZZ_ASSERT(o->ncounters >= 1 && o->ncounters <= CONFIG_MAX_COUNTERS);
	for (size_t c = 0; c < o->ncounters; c++) {
		FUZZ_ASSERT(o->counters[c].id >= 1 && o->counters[c].id <= 99);
		FUZZ_ASSERT(o->cal.nservices >= 32 ||
		    (o->counters[c].services >> o->cal.nservices) == 0);
	}
	for (int d = 0; d < 14; d++) {
		cal_day(&o->cal, cdate_add_days(first, d), &day);
		for (size_t s = 0; s < o->cal.nservices; s++) {
			size_t n = cal_slots(&o->cal.services[s], &day, slots, CAL_MAX_SLOTS);

			FUZZ_ASSERT(n <= CAL_MAX_SLOTS);
			for (size_t i = 0; i < n; i++) {
				FUZZ_ASSERT(slots[i].start >= 0 && slots[i].start < slots[i].end);
				FUZZ_ASSERT(slots[i].end <= 24 * 60 && slots[i].capacity >= 1);
				FUZZ_ASSERT(i == 0 || slots[i].start >= slots[i - 1].end);
			}
		}
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char main_only[] = "include: muni.yaml\n";
	char *text = fuzz_string(data, size), *sep = strstr(text, SEPARATOR), *cause, path[128];
	struct config *cfg;

	if (dir[0] == '\0') {
		snprintf(dir, sizeof dir, "%s/madoguchi-fuzz-XXXXXX",
		    getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp");
		FUZZ_ASSERT(strlen(dir) < 40 && mkdtemp(dir) != NULL);
		atexit(cleanup);
		log_set_level(LOG_LVL_ERROR);
	}
	if (sep == NULL) {
		write_file("main.yaml", main_only, strlen(main_only));
		write_file("muni.yaml", text, strlen(text));
	} else {
		/* Includes stay in the directory: no paths, only its two files. */
		if (memchr(text, '/', (size_t)(sep - text)) != NULL) {
			free(text);
			return 0;
		}
		write_file("main.yaml", text, (size_t)(sep - text) + 1);
		write_file("muni.yaml", sep + strlen(SEPARATOR), strlen(sep + strlen(SEPARATOR)));
	}
	snprintf(path, sizeof path, "%s/main.yaml", dir);
	cfg = config_load(path, &cause);
	if (cfg == NULL) {
		FUZZ_ASSERT(cause != NULL && strncmp(cause, dir, strlen(dir)) == 0);
		free(cause);
	} else {
		FUZZ_ASSERT(cause == NULL && cfg->noffices >= 1);
		FUZZ_ASSERT(cfg->db_pool_size >= 1 && cfg->db_pool_size <= 64);
		FUZZ_ASSERT(cfg->http_max_body_bytes >= 1024);
		for (size_t i = 0; i < cfg->noffices; i++)
			check_office(cfg, &cfg->offices[i]);
		FUZZ_ASSERT(config_keep_fixed(cfg, cfg) == 0);
		config_unref(cfg);
	}
	free(text);
	return 0;
}
