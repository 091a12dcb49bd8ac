# server/report/: the daily reconciliation and cashless-adoption
# statistics as pure functions over in-memory records,
# with JSON and CSV output; built into $(LIBREPORT) for the server to
# link. Unit tests in tests/report/ (test_NAME.c), the benchmark
# bench/bench_report.c.

REPORT_SRCS = $(wildcard server/report/*.c)
REPORT_OBJS = $(patsubst %.c,$(BUILD)/%.o,$(REPORT_SRCS))
LIBREPORT   = $(BUILD)/libchopay-report.a
REPORT_LIBS = $(LIBREPORT) $(LIBCOMMON)

$(REPORT_OBJS): MODFLAGS += $(call pc_cflags,jansson)

$(LIBREPORT): $(REPORT_OBJS)
	@rm -f $@
	$(AR) rcs $@ $^

REPORT_TEST_SRCS = $(wildcard tests/report/test_*.c)
REPORT_TEST_OBJS = $(patsubst %.c,$(BUILD)/%.o,$(REPORT_TEST_SRCS))
TESTS += $(patsubst tests/report/%.c,$(BUILD)/tests/report/%,\
           $(REPORT_TEST_SRCS))

$(REPORT_TEST_OBJS): MODFLAGS += -Iserver/report

$(BUILD)/tests/report/test_%: $(BUILD)/tests/report/test_%.o $(LIBREPORT) \
                              $(LIBCOMMON)
	@mkdir -p $(@D)
	$(CC) $(LDFLAGS_ALL) -o $@ $< $(REPORT_LIBS) $(COMMON_LIBS)

LIBS_bench_report = $(REPORT_LIBS) $(COMMON_LIBS)
$(BUILD)/bench/bench_report: $(LIBREPORT)
$(BUILD)/bench/bench_report.o: MODFLAGS += -Iserver/report

# bench/bench_report_store.c: the same reports through the real SQLite
# store (server/store/*.c, server/srv_report.c) on a generated store.
LIBS_bench_report_store = $(SERVER_LIB_OBJS) $(BUILD)/server/srv_report.o \
                          $(BUILD)/server/stall_stats.o \
                          $(LIBFEEDS) $(LIBREPORT) $(SERVER_LIBS)
$(BUILD)/bench/bench_report_store: $(BUILD)/bin/chopay-server $(LIBREPORT) \
                                   $(LIBFEEDS)
$(BUILD)/bench/bench_report_store.o: MODFLAGS += -Iserver -Iserver/report \
                                     $(call pc_cflags,jansson)
