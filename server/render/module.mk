# server/render/: printable documents drawn with Cairo (stall QR
# standees, receipts) as PNG and PDF from one code path, receipts also as
# HTML; built into $(LIBRENDER) for the server to link. Tests in
# tests/render/ (test_NAME.c, plus the receipt CLI shell test).

RENDER_PKGS = cairo freetype2 libqrencode
RENDER_SRCS = $(wildcard server/render/*.c)
RENDER_OBJS = $(patsubst %.c,$(BUILD)/%.o,$(RENDER_SRCS))
LIBRENDER   = $(BUILD)/libchopay-render.a
RENDER_LIBS = $(LIBRENDER) $(LIBCOMMON) $(call pc_libs,$(RENDER_PKGS)) \
              -lpthread -lm

$(RENDER_OBJS): MODFLAGS += $(call pc_cflags,$(RENDER_PKGS))

$(LIBRENDER): $(RENDER_OBJS)
	@rm -f $@
	$(AR) rcs $@ $^

RENDER_TEST_SRCS = $(wildcard tests/render/test_*.c)
RENDER_TEST_OBJS = $(patsubst %.c,$(BUILD)/%.o,$(RENDER_TEST_SRCS))
TESTS += $(patsubst tests/render/%.c,$(BUILD)/tests/render/%,\
           $(RENDER_TEST_SRCS))

$(RENDER_TEST_OBJS): MODFLAGS += $(call pc_cflags,$(RENDER_PKGS)) \
                               -Iserver/render

$(BUILD)/tests/render/test_%: $(BUILD)/tests/render/test_%.o $(LIBRENDER) \
                              $(LIBCOMMON)
	@mkdir -p $(@D)
	$(CC) $(LDFLAGS_ALL) -o $@ $< $(RENDER_LIBS) $(COMMON_LIBS)

# The `chopay receipt` command driven from the shell (keygen, sign,
# verify, interop with `openssl pkeyutl`).
TESTS += tests/render/test_receipt_cli.sh
