# server/feeds/: parsers for bank notifications and statements (SePay,
# Casso, payOS, generic webhooks; camt.053/054, MT940/942, CSV), pure
# functions from bytes to normalised transactions, built into
# $(LIBFEEDS). Unit tests in tests/feeds/, fuzz targets
# tests/fuzz/fuzz_feed_*.c, benchmark bench/bench_feeds.c.

FEEDS_PKGS  = libxml-2.0 jansson openssl
FEEDS_SRCS  = $(wildcard server/feeds/*.c)
FEEDS_OBJS  = $(patsubst %.c,$(BUILD)/%.o,$(FEEDS_SRCS))
LIBFEEDS    = $(BUILD)/libchopay-feeds.a
FEEDS_LIBS  = $(LIBFEEDS) $(LIBCOMMON) $(call pc_libs,$(FEEDS_PKGS))

$(FEEDS_OBJS): MODFLAGS += $(call pc_cflags,$(FEEDS_PKGS))

$(LIBFEEDS): $(FEEDS_OBJS)
	@rm -f $@
	$(AR) rcs $@ $^

# Unit tests: tests/feeds/test_NAME.c -> $(BUILD)/tests/feeds/test_NAME.
FEEDS_TEST_SRCS = $(wildcard tests/feeds/test_*.c)
FEEDS_TEST_OBJS = $(patsubst %.c,$(BUILD)/%.o,$(FEEDS_TEST_SRCS))
FEEDS_TESTS     = $(patsubst tests/feeds/%.c,$(BUILD)/tests/feeds/%,\
                    $(FEEDS_TEST_SRCS))
TESTS += $(FEEDS_TESTS)

$(FEEDS_TEST_OBJS): MODFLAGS += $(call pc_cflags,$(FEEDS_PKGS)) -Iserver/feeds

$(BUILD)/tests/feeds/test_%: $(BUILD)/tests/feeds/test_%.o $(LIBFEEDS) \
                             $(LIBCOMMON)
	@mkdir -p $(@D)
	$(CC) $(LDFLAGS_ALL) -o $@ $< $(FEEDS_LIBS) $(COMMON_LIBS)

# Fuzz targets and the benchmark link the feeds library too.
FEEDS_FUZZ = sepay casso payos generic camt mt940 csv
$(foreach f,$(FEEDS_FUZZ),$(eval LIBS_fuzz_feed_$(f) = $$(FEEDS_LIBS)))
$(foreach f,$(FEEDS_FUZZ),$(eval $$(BUILD)/bin/fuzz_feed_$(f): $$(LIBFEEDS)))
$(foreach f,$(FEEDS_FUZZ),$(eval \
  $$(BUILD)/tests/fuzz/fuzz_feed_$(f).o: MODFLAGS += -Iserver/feeds))

LIBS_bench_feeds = $(FEEDS_LIBS)
$(BUILD)/bench/bench_feeds: $(LIBFEEDS)
$(BUILD)/bench/bench_feeds.o: MODFLAGS += -Iserver/feeds
