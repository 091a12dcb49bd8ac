# loa/: chopay-loa, the stall's payment speaker (SDL2 audio, libcurl,
# jansson, inih through common/), and its headless test.

LOA_PKGS = sdl2 libcurl jansson inih
EXTRA_CFLAGS_loa = $(call pc_cflags,$(COMMON_PKGS) $(LOA_PKGS))
LOA_LIBS = $(call pc_libs,$(LOA_PKGS))

LOA_SRCS = $(wildcard loa/*.c)
LOA_OBJS = $(patsubst %.c,$(BUILD)/%.o,$(LOA_SRCS))
LOA      = $(BUILD)/bin/chopay-loa

$(LOA): $(LOA_OBJS) $(LIBCOMMON)
	@mkdir -p $(@D)
	$(CC) $(LDFLAGS_ALL) -o $@ $(LOA_OBJS) $(LIBCOMMON) $(COMMON_LIBS) \
	  $(LOA_LIBS)

PROGRAMS += $(LOA)

# Headless: SDL's disk audio driver, a fake announcements server.
TESTS += tests/loa/test_loa.sh
# Headless against the real chopay-server --demo and a signed webhook.
TESTS += tests/loa/test_loa_server.sh

# The reading of the announcements body and the clips of an amount.
$(BUILD)/tests/loa/%.o: MODFLAGS += $(EXTRA_CFLAGS_loa) -Iloa -Itests
$(BUILD)/tests/test_loa_feed: $(BUILD)/tests/loa/test_loa_feed.o \
                              $(BUILD)/loa/feed.o $(BUILD)/loa/clips.o \
                              $(LIBCOMMON)
	@mkdir -p $(@D)
	$(CC) $(LDFLAGS_ALL) -o $@ $< $(BUILD)/loa/feed.o $(BUILD)/loa/clips.o \
	  $(LIBCOMMON) $(COMMON_LIBS) $(LOA_LIBS)

TESTS += $(BUILD)/tests/test_loa_feed

# libFuzzer target for the announcements reader (tests/fuzz/fuzz_loa_feed.c).
LIBS_fuzz_loa_feed = $(BUILD)/loa/feed.o $(BUILD)/loa/clips.o $(LIBCOMMON) \
                     $(LOA_LIBS)
$(BUILD)/bin/fuzz_loa_feed: $(BUILD)/loa/feed.o $(BUILD)/loa/clips.o
$(BUILD)/tests/fuzz/fuzz_loa_feed.o: MODFLAGS += $(EXTRA_CFLAGS_loa) -Iloa
