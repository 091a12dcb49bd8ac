# chopay: top-level build.
#
# GNU make + pkg-config. Every part of the system (common/, server/, kiosk/,
# tests/, bench/) contributes a module.mk fragment that appends to the
# variables below; this file holds the rules they share.
#
#   make            build everything into $(BUILD)/
#   make check      run every test (installs missing Debian packages first)
#   make asan       the whole suite under AddressSanitizer + UBSan
#   make check-pg   server tests on PostgreSQL 15; two nodes on one database
#   make fuzz       libFuzzer targets (FUZZ_SECONDS=N runs each for N s)
#   make bench      benchmarks
#   make bench-pg   bench_db on SQLite and PostgreSQL 15 side by side
#   make demo       the demo system on its embedded default
#   make install    PREFIX=/usr/local DESTDIR=

BUILD     ?= build
PREFIX    ?= /usr/local
BINDIR    ?= $(PREFIX)/bin
DATADIR   ?= $(PREFIX)/share/chopay
MANDIR    ?= $(PREFIX)/share/man
FUZZ_SECONDS ?= 5

CC        ?= cc
PKG_CONFIG ?= pkg-config

WARN   = -Wall -Wextra -Werror -Wpedantic -Wshadow -Wstrict-prototypes \
         -Wmissing-prototypes -Wformat=2 -Wwrite-strings -Wvla
STD    = -std=c11 -D_POSIX_C_SOURCE=200809L
OPT   ?= -O2 -g
# MODFLAGS: flags a module.mk sets per target ($(OBJS): MODFLAGS += ...);
# a CFLAGS given on the command line (as dpkg-buildpackage does) cannot
# override them the way it would override a target-specific CFLAGS.
CFLAGS_ALL = $(STD) $(WARN) $(OPT) -Icommon/include -MMD -MP \
             -DCHOPAY_DATADIR='"$(DATADIR)"' $(MODFLAGS) $(CFLAGS)
LDFLAGS_ALL = $(LDFLAGS)

ifeq ($(SAN),1)
CFLAGS_ALL  += -fsanitize=address,undefined -fno-omit-frame-pointer \
               -fno-sanitize-recover=undefined
LDFLAGS_ALL += -fsanitize=address,undefined
endif

pc_cflags = $(shell $(PKG_CONFIG) --cflags $(1) 2>/dev/null)
pc_libs   = $(shell $(PKG_CONFIG) --libs $(1) 2>/dev/null)

# Filled in by the module.mk fragments.
PROGRAMS :=
TESTS    :=
BENCHES  :=
FUZZERS  :=
TEST_HELPERS :=

.PHONY: all check asan fuzz bench demo install format-check format clean \
        deps deps-ok unit-check check-pg bench-pg

all: deps-ok-quiet

include common/module.mk
include server/feeds/module.mk
include server/render/module.mk
include server/report/module.mk
include server/module.mk
include kiosk/module.mk
include loa/module.mk
include tests/module.mk
include tests/sim/module.mk
include bench/module.mk
include packaging/module.mk

all: $(PROGRAMS)

# Keep intermediate objects (tests link through pattern chains), so a
# second `make check` rebuilds only what changed.
.SECONDARY:

# Object files: one rule for every C source in the tree.
$(BUILD)/%.o: %.c
	@mkdir -p $(@D)
	$(CC) $(CFLAGS_ALL) $(EXTRA_CFLAGS_$(firstword $(subst /, ,$<))) -c $< -o $@

# --- dependencies -------------------------------------------------------
# `make deps` installs the Debian 12 packages the build and the tests need
# (safe to run twice). check/demo run it only when something is missing.
deps:
	@sh scripts/deps.sh install

deps-ok:
	@sh scripts/deps.sh ensure

# `make` alone does not install anything; it says what is missing.
.PHONY: deps-ok-quiet
deps-ok-quiet:
	@sh scripts/deps.sh check-build || \
	  { echo "missing build packages: run 'make deps'" >&2; exit 1; }

# --- tests --------------------------------------------------------------
check: deps-ok
	@$(MAKE) --no-print-directory all-tests
	@sh tests/run.sh $(BUILD) $(TESTS)

.PHONY: all-tests
all-tests: $(PROGRAMS) $(TESTS) $(TEST_HELPERS)

# The tests that also run against PostgreSQL: all of them in one
# throw-away PostgreSQL 15 cluster (tests/pg/with-pg.sh sets
# CHOPAY_TEST_PG to its URL; the harness then gives every data directory
# a database of its own there), besides their SQLite run. The simulator
# runs CHOPAY_SIM_SEEDS seeds (10 unless set). test_nodes.sh runs only
# there: two nodes on one database.
PG_TESTS = $(SERVER_TESTS) tests/pg/test_copy_db.sh tests/sim/test_sim.sh \
           tests/pg/test_nodes.sh

check-pg: deps-ok
	@$(MAKE) --no-print-directory $(PROGRAMS) $(filter $(BUILD)/%,$(PG_TESTS))
	@CHOPAY_SIM_SEEDS=$${CHOPAY_SIM_SEEDS:-10} \
	  sh tests/pg/with-pg.sh sh tests/run.sh $(BUILD) $(PG_TESTS)

asan: deps-ok
	@$(MAKE) --no-print-directory BUILD=$(BUILD)/asan SAN=1 OPT="-O1 -g" \
	  all-tests
	@ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 \
	 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
	 CHOPAY_SAN=1 sh tests/run.sh $(BUILD)/asan \
	   $(patsubst $(BUILD)/%,$(BUILD)/asan/%,$(TESTS))

# --- fuzzing (clang + libFuzzer) -----------------------------------------
# FUZZERS holds target names (fuzz_qr, ...); tests/module.mk has the rule
# that links $(BUILD)/bin/fuzz_NAME with -fsanitize=fuzzer.
fuzz: deps-ok
	@$(MAKE) --no-print-directory BUILD=$(BUILD)/fuzz CC=clang SAN=1 \
	  OPT="-O1 -g -fsanitize=fuzzer-no-link" FUZZING=1 fuzz-build
	@sh tests/fuzz/run.sh $(BUILD)/fuzz/bin $(FUZZ_SECONDS) $(FUZZERS)

# A campaign: each target for 10 million executions or 30 minutes,
# whichever comes first, what adds coverage merged into its corpus in
# the tree (commit it). FUZZ_TARGETS narrows it to some targets.
FUZZ_TARGETS ?= $(FUZZERS)
.PHONY: fuzz-long
fuzz-long: deps-ok
	@$(MAKE) --no-print-directory BUILD=$(BUILD)/fuzz CC=clang SAN=1 \
	  OPT="-O1 -g -fsanitize=fuzzer-no-link" FUZZING=1 fuzz-build
	@FUZZ_RUNS=10000000 FUZZ_KEEP=1 sh tests/fuzz/run.sh $(BUILD)/fuzz/bin \
	  1800 $(FUZZ_TARGETS)

.PHONY: fuzz-build
fuzz-build: $(patsubst %,$(BUILD)/bin/%,$(FUZZERS))

# --- demo ---------------------------------------------------------------
demo: deps-ok
	@$(MAKE) --no-print-directory all
	@sh scripts/demo.sh $(BUILD)

# --- benchmarks ---------------------------------------------------------
bench: deps-ok
	@$(MAKE) --no-print-directory all $(BENCHES)
	@for b in $(BENCHES); do echo "== $$b"; ./$$b || exit 1; done
	@echo "== bench/bench_webhooks.sh" && \
	  sh bench/bench_webhooks.sh $(BUILD)/bin/chopay-server $(BUILD)

# The database benchmark with PostgreSQL: inside a throw-away PostgreSQL
# 15 cluster (tests/pg/with-pg.sh), SQLite and PostgreSQL side by side.
bench-pg: deps-ok
	@$(MAKE) --no-print-directory all $(BUILD)/bench/bench_db
	@sh tests/pg/with-pg.sh ./$(BUILD)/bench/bench_db

# --- install ------------------------------------------------------------
# The programs to $(BINDIR); everything in assets/ but its README
# (bank directory, kiosk sounds, fonts, dashboard files) to $(DATADIR),
# keeping sub-folders; the manual pages (docs/man) to $(MANDIR); the
# default configs to $(SYSCONFDIR)/chopay, never
# over an existing one. packaging/debian/rules uses this with PREFIX=/usr
# SYSCONFDIR=/etc.
install: all
	install -d "$(DESTDIR)$(BINDIR)" "$(DESTDIR)$(DATADIR)" \
	  "$(DESTDIR)$(SYSCONFDIR)/chopay"
	install -m 755 $(PROGRAMS) "$(DESTDIR)$(BINDIR)/"
	cd assets && find . -type f ! -name README.md | sort | \
	  while read -r f; do \
	    install -D -m 644 "$$f" "$(DESTDIR)$(DATADIR)/$${f#./}" || exit 1; \
	  done
	for f in docs/man/*.[18]; do \
	  install -D -m 644 "$$f" "$(DESTDIR)$(MANDIR)/man$${f##*.}/$${f##*/}" || exit 1; \
	done
	@for f in $(INSTALL_CONF); do \
	  t="$(DESTDIR)$(SYSCONFDIR)/chopay/$${f##*/}"; \
	  if [ -e "$$t" ]; then echo "install: keeping $$t"; \
	  else echo "install -m 644 $$f $$t"; install -m 644 "$$f" "$$t" || exit 1; fi; \
	done

# --- formatting ---------------------------------------------------------
FORMAT_SOURCES = $(shell git ls-files '*.c' '*.h' 2>/dev/null)
format-check:
	@clang-format --dry-run --Werror $(FORMAT_SOURCES) && \
	  echo "format-check: $(words $(FORMAT_SOURCES)) files clean"

format:
	clang-format -i $(FORMAT_SOURCES)

clean:
	rm -rf $(BUILD)

-include $(shell find $(BUILD) -name '*.d' 2>/dev/null)
