# kiosk/: chopay-kiosk (the SDL2 touch app), its tests and benchmark.

KIOSK_PKGS = sdl2 SDL2_ttf SDL2_image libcurl jansson inih libqrencode
EXTRA_CFLAGS_kiosk = $(call pc_cflags,$(COMMON_PKGS) $(KIOSK_PKGS))
KIOSK_LIBS = $(call pc_libs,$(KIOSK_PKGS)) -lm

KIOSK_SRCS = $(wildcard kiosk/*.c)
KIOSK_OBJS = $(patsubst %.c,$(BUILD)/%.o,$(KIOSK_SRCS))
KIOSK      = $(BUILD)/bin/chopay-kiosk

$(KIOSK): $(KIOSK_OBJS) $(LIBCOMMON)
	@mkdir -p $(@D)
	$(CC) $(LDFLAGS_ALL) -o $@ $(KIOSK_OBJS) $(LIBCOMMON) $(COMMON_LIBS) \
	  $(KIOSK_LIBS)

PROGRAMS += $(KIOSK)

# Headless end-to-end tests (shell; read $CHOPAY_BUILD): flows against a
# fake and the real server; rotation, window mode under Xvfb, sound and
# valgrind; pages, offline dues, totals, a wrong clock and collectors' PINs
# against the real server. (tests/kiosk/tls_kiosk.sh runs inside
# tests/packaging/test_tls.sh.)
TESTS += tests/kiosk/test_kiosk.sh tests/kiosk/test_kiosk_display.sh \
         tests/kiosk/test_kiosk_org.sh tests/kiosk/test_kiosk_collectors.sh

# Unit tests of the kiosk's non-drawing parts (journal, codes, directory,
# backoff, strings, the HTTP client's status reports):
# tests/kiosk/test_kiosk_*.c.
KIOSK_UNIT_SRCS = $(wildcard tests/kiosk/test_kiosk_*.c)
KIOSK_UNIT      = $(patsubst tests/kiosk/%.c,$(BUILD)/tests/%,$(KIOSK_UNIT_SRCS))
KIOSK_UNIT_OBJS = $(BUILD)/kiosk/offline.o $(BUILD)/kiosk/net.o \
                  $(BUILD)/kiosk/labels.o \
                  $(BUILD)/kiosk/i18n.o

$(BUILD)/tests/kiosk/%.o: MODFLAGS += $(EXTRA_CFLAGS_kiosk) -Ikiosk

$(BUILD)/tests/test_kiosk_%: $(BUILD)/tests/kiosk/test_kiosk_%.o \
                             $(KIOSK_UNIT_OBJS) $(LIBCOMMON)
	@mkdir -p $(@D)
	$(CC) $(LDFLAGS_ALL) -o $@ $< $(KIOSK_UNIT_OBJS) $(LIBCOMMON) \
	  $(COMMON_LIBS) $(KIOSK_LIBS)

TESTS += $(KIOSK_UNIT)

# libFuzzer target for the directory parser (tests/fuzz/fuzz_kiosk_directory.c).
LIBS_fuzz_kiosk_directory = $(BUILD)/kiosk/offline.o $(LIBCOMMON) $(KIOSK_LIBS)
$(BUILD)/bin/fuzz_kiosk_directory: $(BUILD)/kiosk/offline.o
$(BUILD)/tests/fuzz/fuzz_kiosk_directory.o: MODFLAGS += $(EXTRA_CFLAGS_kiosk) -Ikiosk
