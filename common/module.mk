# common/: the static library shared by the server, the kiosk and the
# `chopay` tool, and the tool itself (common/tool/).

COMMON_PKGS = openssl jansson inih libqrencode libpng
EXTRA_CFLAGS_common = $(call pc_cflags,$(COMMON_PKGS))
COMMON_LIBS = $(call pc_libs,$(COMMON_PKGS))

COMMON_SRCS = $(wildcard common/src/*.c)
COMMON_OBJS = $(patsubst %.c,$(BUILD)/%.o,$(COMMON_SRCS)) \
              $(BUILD)/common/banks_data.o
LIBCOMMON   = $(BUILD)/libchopay-common.a

# The bank directory is compiled in from assets/banks.csv, so no program
# depends on finding a data file at run time.
$(BUILD)/common/banks_data.c: assets/banks.csv scripts/embed.sh
	@mkdir -p $(@D)
	sh scripts/embed.sh bank_csv_data $< > $@

$(BUILD)/common/banks_data.o: $(BUILD)/common/banks_data.c
	$(CC) $(CFLAGS_ALL) -Wno-missing-prototypes -c $< -o $@

$(LIBCOMMON): $(COMMON_OBJS)
	@rm -f $@
	$(AR) rcs $@ $^

TOOL_SRCS = $(wildcard common/tool/*.c)
TOOL_OBJS = $(patsubst %.c,$(BUILD)/%.o,$(TOOL_SRCS))
CHOPAY    = $(BUILD)/bin/chopay

$(CHOPAY): $(TOOL_OBJS) $(LIBCOMMON)
	@mkdir -p $(@D)
	$(CC) $(LDFLAGS_ALL) -o $@ $(TOOL_OBJS) $(LIBCOMMON) $(COMMON_LIBS)

PROGRAMS += $(CHOPAY)
