# madoguchi: make, make check, make run, make install, make SANITIZE=address,undefined

VERSION   := 0.1.0
PREFIX    ?= /usr/local
DESTDIR   ?=
CC        ?= cc
OPT       ?= -O2 -g
WERROR    ?= -Werror
SANITIZE  ?=

PKGS      := libevent libpq yaml-0.1 jansson libsodium
WARN      := -std=c11 -Wall -Wextra -Wformat=2 -Wmissing-prototypes \
             -Wstrict-prototypes -Wshadow -Wwrite-strings $(WERROR)
CPPFLAGS  += -D_GNU_SOURCE -DMADOGUCHI_VERSION='"$(VERSION)"' -Iserver
SAN_FLAGS := $(if $(SANITIZE),-fsanitize=$(SANITIZE) -fno-omit-frame-pointer -fno-sanitize-recover=all)
ALL_CFLAGS = $(OPT) $(WARN) $(SAN_FLAGS) $(CFLAGS)
ALL_LDFLAGS = $(SAN_FLAGS) $(LDFLAGS)

# Objects of each build flavour live apart, so switching SANITIZE rebuilds all.
FLAVOUR   := $(if $(SANITIZE),san,plain)
B         := build/$(FLAVOUR)

# pkg-config is asked only when building, so "make deps" works on a bare machine.
pc_cflags = $(shell pkg-config --cflags $(1) 2>/dev/null)
pc_libs   = $(shell pkg-config --libs $(1) 2>/dev/null)

# The layers, each including only the ones below it: server/core/ is the pure
# domain (no libevent, no libpq, no I/O); server/ is the daemon's machinery;
# server/api/ the HTTP handlers, one file per resource; web/ the files served.
CORE      := xmalloc problem cdate holidays individual_number rules eligibility calendar waitest \
             forecast staffing qsim csv caprule plan_params
MACHINERY := log clock router query body imports cors jsonw ratelimit ydoc config config_load config_muni \
             token staff_cache staff ics db migrate migrations_data http request slot_counts \
             avail_cache events metrics capacity forecaster
API       := routes rules availability booking_request bookings_create bookings_manage \
             bookings_two_visit bookings_ics holds queue_state tickets counters \
             queue_view ticket_view web web_data openapi openapi_data history reports metrics \
             expiries forecast simulate capacity_rules
SERVER_OBJS := $(CORE:%=$(B)/server/core/%.o) $(MACHINERY:%=$(B)/server/%.o) \
               $(API:%=$(B)/server/api/%.o) $(B)/server/main.o

# Unit tests: tests/check_NAME.c links the server modules listed in NAME_MODS.
UNIT      := individual_number router query cors problem config clock cdate holidays rules eligibility \
             calendar jsonw shipped seeds token ratelimit waitest forecast staffing qsim csv \
             client_ticket client_sse client_http staff_cache ics avail_cache plan_params caprule \
             imports
# (core/NAME for the pure domain).
CONFIG_MODS  := config config_load config_muni cors ydoc log core/calendar core/holidays \
                core/cdate core/rules core/individual_number core/xmalloc
router_MODS  := router
cors_MODS    := cors
individual_number_MODS := core/individual_number
query_MODS   := query core/xmalloc
problem_MODS := core/problem core/xmalloc
config_MODS  := $(CONFIG_MODS)
clock_MODS   := clock core/cdate
cdate_MODS   := core/cdate
holidays_MODS := core/holidays core/cdate
rules_MODS   := core/rules core/individual_number core/cdate
calendar_MODS := core/calendar core/holidays core/cdate
jsonw_MODS   := jsonw core/xmalloc
avail_cache_MODS := avail_cache core/xmalloc
token_MODS   := token
ratelimit_MODS := ratelimit core/xmalloc
waitest_MODS := core/waitest
forecast_MODS := core/forecast core/cdate core/xmalloc
staffing_MODS := core/staffing
plan_params_MODS := core/plan_params core/rules core/individual_number core/cdate core/problem \
                core/xmalloc
imports_MODS := imports clock core/csv core/rules core/individual_number core/cdate \
                core/problem core/xmalloc
caprule_MODS := core/caprule core/rules core/individual_number core/cdate core/problem \
                core/xmalloc
qsim_MODS    := core/qsim core/xmalloc
csv_MODS     := core/csv
staff_cache_MODS := staff_cache core/xmalloc
ics_MODS     := ics core/xmalloc
eligibility_MODS := core/eligibility core/rules core/individual_number core/cdate core/problem core/xmalloc
shipped_MODS := $(CONFIG_MODS)
seeds_MODS   := $(CONFIG_MODS)
# Client unit tests: tests/check_client_NAME.c links the client modules in client_NAME_MODS.
client_ticket_MODS := ticket escpos sjis text buf
client_sse_MODS := sse buf
client_http_MODS := http buf
UNIT_BINS := $(UNIT:%=tests/check_%)

# Integration tests: tests/integration/check_NAME.c with the harness itest.c.
INTEGRATION := system availability bookings display queue client reports integrity forecast \
               tokens ics pages attendees
# Extra pkg-config packages of an integration program (libical checks calendar files).
ics_ITEST_PKGS := libical
INTEGRATION_BINS := $(INTEGRATION:%=tests/integration/check_%)

.PHONY: check-ha all deps run token check lint unit integration fuzz fuzz-build fuzz-check \
	install check-install clean distclean
all: server/madoguchid client/madoguchi

deps:
	@./deploy/deps.sh

# Binaries live outside build/$(FLAVOUR), so they relink when the flavour changes.
build/flavour: FORCE
	@mkdir -p $(@D)
	@echo '$(FLAVOUR)' | cmp -s - $@ || echo '$(FLAVOUR)' > $@

$(B)/flags: FORCE
	@mkdir -p $(@D)
	@echo '$(CC) $(ALL_CFLAGS) $(CPPFLAGS) $(ALL_LDFLAGS)' | cmp -s - $@ || \
		echo '$(CC) $(ALL_CFLAGS) $(CPPFLAGS) $(ALL_LDFLAGS)' > $@
FORCE:

$(B)/%.o: %.c $(B)/flags
	@mkdir -p $(@D)
	$(CC) $(ALL_CFLAGS) $(CPPFLAGS) $(call pc_cflags,$(PKGS) check libcurl) -MMD -MP -c $< -o $@

# Migrations are compiled into the daemon, so the binary and its schema travel together.
# The folder is a prerequisite too: its time changes when a file is removed or renamed.
$(B)/server/migrations_data.c: server/embed-migrations.sh migrations $(sort $(wildcard migrations/*.sql))
	@mkdir -p $(@D)
	./server/embed-migrations.sh $(sort $(wildcard migrations/*.sql)) > $@
$(B)/server/migrations_data.o: $(B)/server/migrations_data.c $(B)/flags
	$(CC) $(ALL_CFLAGS) $(CPPFLAGS) -c $< -o $@

# So are the pages (every web/DIR/FILE: the resident pages, the lobby display, the
# manager's dashboard, shared scripts, vendored libraries).
WEB_FILES := $(sort $(wildcard web/*/*))
$(B)/server/api/web_data.c: server/embed-web.sh $(WEB_FILES)
	@mkdir -p $(@D)
	./server/embed-web.sh $(WEB_FILES) > $@
$(B)/server/api/web_data.o: $(B)/server/api/web_data.c $(B)/flags
	$(CC) $(ALL_CFLAGS) $(CPPFLAGS) -c $< -o $@

# And the contract (docs/openapi.yaml), served at GET /v1/openapi.yaml.
$(B)/server/api/openapi_data.c: server/embed-openapi.sh docs/openapi.yaml
	@mkdir -p $(@D)
	./server/embed-openapi.sh docs/openapi.yaml > $@
$(B)/server/api/openapi_data.o: $(B)/server/api/openapi_data.c $(B)/flags
	$(CC) $(ALL_CFLAGS) $(CPPFLAGS) -c $< -o $@

server/madoguchid: $(SERVER_OBJS) build/flavour
	$(CC) $(ALL_LDFLAGS) -o $@ $(SERVER_OBJS) $(call pc_libs,$(PKGS)) -lm -pthread

# The client: every client/*.c, with libcurl and jansson (iconv is glibc's).
CLIENT_PKGS := libcurl jansson
CLIENT_OBJS := $(patsubst %.c,$(B)/%.o,$(sort $(wildcard client/*.c)))
client/madoguchi: $(CLIENT_OBJS) build/flavour
	$(CC) $(ALL_LDFLAGS) -o $@ $(CLIENT_OBJS) $(call pc_libs,$(CLIENT_PKGS))

.SECONDEXPANSION:
tests/check_%: $(B)/tests/check_%.o $$(addprefix $(B)/server/,$$(addsuffix .o,$$($$*_MODS))) build/flavour
	$(CC) $(ALL_LDFLAGS) -o $@ $(filter %.o,$^) $(call pc_libs,$(PKGS) check)

tests/check_client_%: $(B)/tests/check_client_%.o $$(addprefix $(B)/client/,$$(addsuffix .o,$$(client_$$*_MODS))) build/flavour
	$(CC) $(ALL_LDFLAGS) -o $@ $(filter %.o,$^) $(call pc_libs,$(CLIENT_PKGS) check)
$(B)/tests/check_client_%.o: CPPFLAGS := -Iclient $(CPPFLAGS)

tests/integration/check_%: $(B)/tests/integration/check_%.o $(B)/tests/integration/itest.o build/flavour
	$(CC) $(ALL_LDFLAGS) -o $@ $(filter %.o,$^) $(call pc_libs,jansson check libcurl $($*_ITEST_PKGS))

unit: $(UNIT_BINS)
	@set -e; for t in $(UNIT_BINS); do CK_DEFAULT_TIMEOUT=60 ./$$t; done
	@./tests/check_config_docs.sh

# The scanner run.sh uses on the database and the logs after the tests.
tests/integration/inum_scan: $(B)/tests/integration/inum_scan.o $(B)/server/core/individual_number.o build/flavour
	$(CC) $(ALL_LDFLAGS) -o $@ $(filter %.o,$^)

integration: all $(INTEGRATION_BINS) tests/integration/inum_scan
	@./tests/integration/run.sh

# The contract, linted offline by the pinned Redocly CLI (redocly.yaml), and every
# problem code the server writes found in it.
REDOCLY_ENV := REDOCLY_TELEMETRY=off REDOCLY_SUPPRESS_UPDATE_NOTICE=true
lint:
	@$(REDOCLY_ENV) npx --no-install redocly lint --format=stylish docs/openapi.yaml
	@node tests/openapi/codes.mjs
	@./tests/check_layers.sh

check: deps
	@$(MAKE) --no-print-directory lint
	@$(MAKE) --no-print-directory all
	@$(MAKE) --no-print-directory unit
	@$(MAKE) --no-print-directory check-install
	@$(MAKE) --no-print-directory fuzz-check
	@$(MAKE) --no-print-directory integration

# High availability: failover to a synchronous standby behind nginx, then the
# booking and queue suites through PgBouncer (tests/ha/).
check-ha: deps
	@$(MAKE) --no-print-directory all tests/integration/check_bookings tests/integration/check_queue
	@./tests/ha/failover.sh
	@./tests/ha/pgbouncer.sh

# Fuzzing (libFuzzer, clang only): tests/fuzz/fuzz_NAME.c links the modules in
# fuzz_NAME_MODS, all built with ASan and UBSan into build/fuzz/. "make fuzz
# SECONDS=N" runs each target N seconds from its seeds (tests/fuzz/corpus/NAME);
# what it finds goes to build/fuzz/corpus/NAME, crashes to build/fuzz/crashes/.
FUZZ      := dates router query eligibility inumber booking ticket config csv client_http \
             client_sse client_ticket capacity simulate forecast history expiries
FUZZ_CC   ?= clang
SECONDS   ?= 60
FUZZ_SAN  := -fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer
FUZZ_CFLAGS = -O1 -g $(WARN) $(FUZZ_SAN) -fsanitize=fuzzer-no-link
FB        := build/fuzz
fuzz_dates_MODS  := server/clock server/core/cdate
fuzz_router_MODS := server/router client/http client/buf
fuzz_query_MODS  := server/query server/core/xmalloc
fuzz_eligibility_MODS := server/core/eligibility server/core/rules server/core/individual_number \
                    server/core/cdate \
                    server/core/problem server/core/xmalloc
fuzz_inumber_MODS := server/core/individual_number
fuzz_booking_MODS := server/body server/clock server/token server/core/eligibility \
                    server/core/individual_number \
                    server/core/rules server/core/cdate server/core/problem server/core/xmalloc
fuzz_ticket_MODS := server/body server/clock server/token server/core/rules \
                    server/core/individual_number \
                    server/core/cdate server/core/problem server/core/xmalloc
fuzz_config_MODS := $(addprefix server/,$(CONFIG_MODS))
fuzz_csv_MODS    := server/core/csv
fuzz_capacity_MODS := server/core/caprule server/core/rules server/core/individual_number \
                    server/core/cdate server/core/problem server/core/xmalloc
fuzz_simulate_MODS := server/core/plan_params server/core/rules server/core/individual_number \
                    server/core/cdate server/core/problem server/core/xmalloc
fuzz_forecast_MODS := server/core/plan_params server/query server/core/rules \
                    server/core/individual_number server/core/cdate server/core/problem \
                    server/core/xmalloc
fuzz_history_MODS := server/imports server/clock server/core/csv server/core/rules \
                    server/core/individual_number server/core/cdate server/core/problem \
                    server/core/xmalloc
fuzz_expiries_MODS := $(fuzz_history_MODS)
fuzz_client_http_MODS := client/http client/buf
fuzz_client_sse_MODS := client/sse client/buf
fuzz_client_ticket_MODS := $(addprefix client/,$(client_ticket_MODS))
FUZZ_BINS := $(FUZZ:%=$(FB)/fuzz_%)

$(FB)/%.o: %.c
	@mkdir -p $(@D)
	$(FUZZ_CC) $(FUZZ_CFLAGS) $(CPPFLAGS) -I. $(call pc_cflags,$(PKGS) libcurl) -MMD -MP -c $< -o $@

$(FB)/fuzz_%: $(FB)/tests/fuzz/fuzz_%.o $$(addprefix $(FB)/,$$(addsuffix .o,$$(fuzz_$$*_MODS)))
	$(FUZZ_CC) $(FUZZ_SAN) -fsanitize=fuzzer -o $@ $^ $(call pc_libs,$(PKGS) libcurl) -lm

fuzz-build: $(FUZZ_BINS)
.PRECIOUS: $(FB)/%.o

fuzz: fuzz-build
	@./tests/fuzz/run.sh $(SECONDS) $(FUZZ)

# A short run of every target, part of make check when clang is there.
fuzz-check:
	@if command -v $(FUZZ_CC) >/dev/null 2>&1; then \
		$(MAKE) --no-print-directory fuzz SECONDS=10; \
	else \
		echo "fuzz: $(FUZZ_CC) not found, fuzz targets skipped (make deps installs it)"; \
	fi

run: deps
	@$(MAKE) --no-print-directory all
	@./deploy/run.sh

# A token for the database of a running `make run`:
#   make token ROLE=staff OFFICE=kasugai-main [EXPIRES_DAYS=365]
ROLE ?= staff
OFFICE ?=
EXPIRES_DAYS ?= 365
token: server/madoguchid
	@./deploy/token.sh '$(ROLE)' '$(OFFICE)' '$(EXPIRES_DAYS)'

# Binaries, both manual pages, the guides, the sample configuration and the
# systemd unit. DESTDIR stages it (packaging, and the check below).
DOCDIR  ?= $(PREFIX)/share/doc/madoguchi
DATADIR ?= $(PREFIX)/share/madoguchi
MANDIR  ?= $(PREFIX)/share/man
install: all
	install -d $(DESTDIR)$(PREFIX)/sbin $(DESTDIR)$(PREFIX)/bin $(DESTDIR)$(MANDIR)/man1 \
		$(DESTDIR)$(MANDIR)/man8 $(DESTDIR)$(DOCDIR) $(DESTDIR)$(DATADIR)/config/municipalities
	install -m 755 server/madoguchid $(DESTDIR)$(PREFIX)/sbin/madoguchid
	install -m 755 client/madoguchi $(DESTDIR)$(PREFIX)/bin/madoguchi
	install -m 644 client/madoguchi.1 $(DESTDIR)$(MANDIR)/man1/madoguchi.1
	install -m 644 server/madoguchid.8 $(DESTDIR)$(MANDIR)/man8/madoguchid.8
	install -m 644 README.md $(wildcard docs/*) $(DESTDIR)$(DOCDIR)/
	install -m 644 config/README.md $(DESTDIR)$(DOCDIR)/config.md
	install -m 644 config/madoguchi.yaml $(DESTDIR)$(DATADIR)/config/
	install -m 644 config/municipalities/*.yaml $(DESTDIR)$(DATADIR)/config/municipalities/
	install -m 644 deploy/madoguchid.service $(DESTDIR)$(DATADIR)/

# The manual pages render without warnings; make install puts every file in place.
check-install: all
	@./tests/check_install.sh

clean:
	rm -rf build server/madoguchid client/madoguchi $(UNIT_BINS) $(INTEGRATION_BINS) tests/integration/inum_scan

distclean: clean
	rm -rf var

-include $(shell find build -name '*.d' 2>/dev/null)
