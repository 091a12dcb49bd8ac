# bench/: one program per capability (bench_NAME.c); `make bench` runs
# each. Every benchmark prints throughput, latency percentiles and memory.
# bench_webhooks.sh (wrk with sepay_wrk.lua, commit_ref.py) measures
# webhooks/s through the server against the disk's single-commit rate.

EXTRA_CFLAGS_bench = $(call pc_cflags,$(COMMON_PKGS)) -Ibench

BENCH_SRCS = $(wildcard bench/bench_*.c)
BENCHES += $(patsubst bench/%.c,$(BUILD)/bench/%,$(BENCH_SRCS))

# bench/benchlib.c: clock, latency sorting, curl callbacks and RSS shared
# by the server benchmarks; a bench that has it as a prerequisite links it.
BENCHLIB = $(BUILD)/bench/benchlib.o
$(patsubst %,$(BUILD)/bench/bench_%,import reads bank db server): $(BENCHLIB)

$(BUILD)/bench/bench_%: $(BUILD)/bench/bench_%.o $(LIBCOMMON)
	@mkdir -p $(@D)
	$(CC) $(LDFLAGS_ALL) -o $@ $< $(filter $(BENCHLIB),$^) $(LIBS_bench_$*) $(LIBCOMMON) $(COMMON_LIBS) -lm

# bench/bench_db.c: the server on SQLite and on PostgreSQL (one and two
# nodes); its commit-rate references go through db.h (server/db/).
BENCH_DB_OBJS = $(patsubst %,$(BUILD)/server/%.o,db/db db/driver_sqlite \
                  db/driver_pgsql)
LIBS_bench_db = $(BENCH_DB_OBJS) \
                $(call pc_libs,libcurl libmicrohttpd sqlite3 libpq jansson) \
                -lpthread
$(BUILD)/bench/bench_db: $(BENCH_DB_OBJS)
$(BUILD)/bench/bench_db.o: MODFLAGS += -Iserver

# bench/bench_import.c: a statement import beside live intents and
# webhooks; its batched-insert reference goes through db.h.
LIBS_bench_import = $(LIBS_bench_db)
$(BUILD)/bench/bench_import: $(BENCH_DB_OBJS)
$(BUILD)/bench/bench_import.o: MODFLAGS += -Iserver

# bench/bench_reads.c: dues against nginx `return 200` (both with wrk) and
# tens of thousands of waiting long polls; runs bin/chopay-server.
LIBS_bench_reads = $(call pc_libs,libcurl)
$(BUILD)/bench/bench_reads: $(BUILD)/bin/chopay-server
