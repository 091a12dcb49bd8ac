# bench/: one program per capability (bench_NAME.c); `make bench` runs
# each. Every benchmark prints throughput, latency percentiles and memory.

EXTRA_CFLAGS_bench = $(call pc_cflags,$(COMMON_PKGS)) -Ibench

BENCH_SRCS = $(wildcard bench/bench_*.c)
BENCHES += $(patsubst bench/%.c,$(BUILD)/bench/%,$(BENCH_SRCS))

$(BUILD)/bench/bench_%: $(BUILD)/bench/bench_%.o $(LIBCOMMON)
	@mkdir -p $(@D)
	$(CC) $(LDFLAGS_ALL) -o $@ $< $(LIBS_bench_$*) $(LIBCOMMON) $(COMMON_LIBS) -lm
