# server/: chopay-server (the daemon and its operator commands), its
# integration tests (tests/server/test_*.c: they start the real binary on
# an ephemeral port) and its benchmark (bench/bench_server.c).

SERVER_PKGS = libmicrohttpd sqlite3 libpq jansson inih libcurl libxml-2.0
EXTRA_CFLAGS_server = $(call pc_cflags,$(SERVER_PKGS) $(COMMON_PKGS) \
                        $(RENDER_PKGS)) -Iserver -Iserver/render -Iserver/report
# receipts and standees are drawn by $(LIBRENDER), reports computed by
# $(LIBREPORT) (server/render/module.mk, server/report/module.mk)
SERVER_LIBS = $(call pc_libs,$(SERVER_PKGS) $(RENDER_PKGS)) -lpthread -lm

SERVER_SRCS = $(wildcard server/*.c server/store/*.c server/db/*.c)
SERVER_OBJS = $(patsubst %.c,$(BUILD)/%.o,$(SERVER_SRCS)) \
              $(BUILD)/server/dash_assets_data.o \
              $(BUILD)/server/loa_page_data.o \
              $(BUILD)/server/schema_files_data.o
# the storage side, linked into the tests that call the store directly
STORE_SRCS = $(wildcard server/store/*.c)
SERVER_LIB_OBJS = $(patsubst %.c,$(BUILD)/%.o,$(STORE_SRCS)) \
                  $(patsubst %,$(BUILD)/server/%.o,account dash_pw \
                    match \
                    ingest statement_import api_json_bank intent \
                    notify \
                    csv_payers \
                    schema_files schema_files_data \
                    db/db db/driver_sqlite db/driver_pgsql)
SERVER_BIN = $(BUILD)/bin/chopay-server

$(SERVER_BIN): $(SERVER_OBJS) $(LIBFEEDS) $(LIBREPORT) $(LIBRENDER) \
    $(LIBCOMMON)
	@mkdir -p $(@D)
	$(CC) $(LDFLAGS_ALL) -o $@ $(SERVER_OBJS) $(LIBFEEDS) $(LIBREPORT) \
	  $(LIBRENDER) $(LIBCOMMON) $(SERVER_LIBS) $(COMMON_LIBS)

PROGRAMS += $(SERVER_BIN)

# The web dashboard's pages are compiled in from assets/dashboard/, so the
# server needs no data files at run time (and markets no CDN).
DASH_ASSETS = assets/dashboard/index.html assets/dashboard/app.js \
              assets/dashboard/app.css
$(BUILD)/server/dash_assets_data.c: $(DASH_ASSETS) scripts/embed.sh
	@mkdir -p $(@D)
	{ sh scripts/embed.sh dash_index_html assets/dashboard/index.html && \
	  sh scripts/embed.sh dash_app_js assets/dashboard/app.js && \
	  sh scripts/embed.sh dash_app_css assets/dashboard/app.css; } > $@.tmp
	mv $@.tmp $@

$(BUILD)/server/dash_assets_data.o: $(BUILD)/server/dash_assets_data.c
	$(CC) $(CFLAGS_ALL) -c $< -o $@

# The vendor's announcements page (h_stall.c), compiled in the same way.
$(BUILD)/server/loa_page_data.c: assets/stall/loa.html scripts/embed.sh
	@mkdir -p $(@D)
	sh scripts/embed.sh loa_page_html assets/stall/loa.html > $@.tmp
	mv $@.tmp $@

$(BUILD)/server/loa_page_data.o: $(BUILD)/server/loa_page_data.c
	$(CC) $(CFLAGS_ALL) -c $< -o $@

# The schema's SQL files, one per version and dialect (server/schema/
# README.md), compiled in like the dashboard; the script stops the build
# when their versions have a gap or a duplicate. The directories are
# prerequisites too, so that taking a file away regenerates the table.
SCHEMA_SQL = $(sort $(wildcard server/schema/sqlite/*.sql \
                                server/schema/pgsql/*.sql))
$(BUILD)/server/schema_files_data.c: $(SCHEMA_SQL) server/schema/sqlite \
    server/schema/pgsql scripts/embed_schema.sh
	@mkdir -p $(@D)
	sh scripts/embed_schema.sh $(SCHEMA_SQL) > $@.tmp
	mv $@.tmp $@

$(BUILD)/server/schema_files_data.o: $(BUILD)/server/schema_files_data.c
	$(CC) $(CFLAGS_ALL) -Iserver -c $< -o $@

# Integration tests: the server binary's path is compiled in, so they work
# for BUILD=build and BUILD=build/asan alike (CHOPAY_SERVER overrides).
SERVER_TEST_SRCS = $(wildcard tests/server/test_*.c)
SERVER_TESTS = $(patsubst tests/server/%.c,$(BUILD)/tests/server/%,\
                 $(SERVER_TEST_SRCS))
TESTS += $(SERVER_TESTS)
# A write on disk before its answer, seen in the server's system calls.
TESTS += tests/server/test_durable.sh

SERVER_TEST_CFLAGS = $(call pc_cflags,libcurl jansson $(COMMON_PKGS)) \
  -Itests -Iserver -DSERVER_BIN='"$(SERVER_BIN)"'
SERVER_TEST_LIBS = $(call pc_libs,libcurl) $(SERVER_LIBS)

$(BUILD)/tests/server/%.o: tests/server/%.c
	@mkdir -p $(@D)
	$(CC) $(CFLAGS_ALL) $(SERVER_TEST_CFLAGS) -c $< -o $@

$(BUILD)/tests/server/test_%: $(BUILD)/tests/server/test_%.o \
    $(BUILD)/tests/server/srvtest.o $(SERVER_LIB_OBJS) $(LIBFEEDS) $(LIBCOMMON) \
    | $(SERVER_BIN)
	@mkdir -p $(@D)
	$(CC) $(LDFLAGS_ALL) -o $@ $< $(BUILD)/tests/server/srvtest.o \
	  $(SERVER_LIB_OBJS) $(LIBFEEDS) $(LIBCOMMON) $(SERVER_TEST_LIBS) \
	  $(COMMON_LIBS)

# The test binaries need the server built first.
$(SERVER_TESTS): $(SERVER_BIN)

# bench/bench_server.c is built by bench/module.mk's rule; it needs these.
LIBS_bench_server = $(call pc_libs,libcurl libmicrohttpd) -lpthread

# libFuzzer target for the payer CSV reader (tests/fuzz/fuzz_payers_csv.c).
LIBS_fuzz_payers_csv = $(BUILD)/server/csv_payers.o
$(BUILD)/bin/fuzz_payers_csv: $(BUILD)/server/csv_payers.o
$(BUILD)/tests/fuzz/fuzz_payers_csv.o: MODFLAGS += -Iserver

# bench/bench_bank.c: webhooks/s and statement import.
# Its SQLite reference rate is measured through db.h (server/db/).
BENCH_BANK_DB_OBJS = $(patsubst %,$(BUILD)/server/%.o,db/db db/driver_sqlite \
                       db/driver_pgsql)
LIBS_bench_bank = $(BENCH_BANK_DB_OBJS) \
                  $(call pc_libs,libcurl sqlite3 libpq jansson) -lpthread
$(BUILD)/bench/bench_bank: $(BENCH_BANK_DB_OBJS)
$(BUILD)/bench/bench_bank.o: MODFLAGS += -Iserver

# libFuzzer target for the matching engine's pure parts (tests/fuzz/fuzz_match.c).
LIBS_fuzz_match = $(BUILD)/server/match.o $(BUILD)/server/account.o
$(BUILD)/bin/fuzz_match: $(BUILD)/server/match.o $(BUILD)/server/account.o
$(BUILD)/tests/fuzz/fuzz_match.o: MODFLAGS += -Iserver

# libFuzzer target for the dashboard's sign-in form and stored-hash parsers
# (tests/fuzz/fuzz_dash_login.c, server/dash_pw.c).
LIBS_fuzz_dash_login = $(BUILD)/server/dash_pw.o
$(BUILD)/bin/fuzz_dash_login: $(BUILD)/server/dash_pw.o
$(BUILD)/tests/fuzz/fuzz_dash_login.o: MODFLAGS += -Iserver

# The dashboard in a real browser, part of `check`: Debian's
# chromium driven by playwright-core (tests/dashboard/, pinned in its
# package-lock.json, `npm ci` in a temporary directory from npm's registry
# or cache; scripts/deps.sh installs chromium, nodejs and npm); screenshots
# of every page and the exported CSVs in $(BUILD)/dash-screens/.
# `make dashboard-check` runs it alone.
TESTS += tests/dashboard/test_dashboard.sh

.PHONY: dashboard-check
dashboard-check: $(SERVER_BIN)
	CHOPAY_BUILD=$(BUILD) sh tests/dashboard/test_dashboard.sh $(BUILD)
