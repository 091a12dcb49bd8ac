# tests/: one binary per module under tests/unit/ (test_NAME.c), each
# ending with the line "N passed, N failed"; libFuzzer targets under
# tests/fuzz/ (fuzz_NAME.c). tests/run.sh runs them all.

EXTRA_CFLAGS_tests = $(call pc_cflags,$(COMMON_PKGS)) -Itests

UNIT_SRCS = $(wildcard tests/unit/test_*.c)
TESTS += $(patsubst tests/unit/%.c,$(BUILD)/tests/%,$(UNIT_SRCS))

$(BUILD)/tests/test_%: $(BUILD)/tests/unit/test_%.o $(LIBCOMMON)
	@mkdir -p $(@D)
	$(CC) $(LDFLAGS_ALL) -o $@ $< $(LIBS_test_$*) $(LIBCOMMON) $(COMMON_LIBS)

FUZZ_SRCS = $(wildcard tests/fuzz/fuzz_*.c)
FUZZERS += $(patsubst tests/fuzz/%.c,%,$(FUZZ_SRCS))

$(BUILD)/bin/fuzz_%: $(BUILD)/tests/fuzz/fuzz_%.o $(LIBCOMMON)
	@mkdir -p $(@D)
	$(CC) $(LDFLAGS_ALL) -fsanitize=fuzzer -o $@ $< $(LIBS_fuzz_$*) \
	  $(LIBCOMMON) $(COMMON_LIBS)

# Shell tests that drive the built programs (they read $CHOPAY_BUILD).
TESTS += tests/cli/test_cli.sh

# Interop: our encoder's payloads decoded by an independent implementation
# (npm vietnam-qr-pay, pinned in tests/interop/package-lock.json).
$(BUILD)/tests/gen_payloads: $(BUILD)/tests/interop/gen_payloads.o $(LIBCOMMON)
	@mkdir -p $(@D)
	$(CC) $(LDFLAGS_ALL) -o $@ $< $(LIBCOMMON) $(COMMON_LIBS)

TEST_HELPERS += $(BUILD)/tests/gen_payloads
TESTS += tests/interop/test_interop.sh
