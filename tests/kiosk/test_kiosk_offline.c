/*
 * test_kiosk_offline.c: unit tests of the kiosk's on-disk state (journal
 * append/replay bookkeeping, torn lines, totals and day sums, reserved
 * codes, directory parsing with the payers' open invoices, codes matched
 * as people type them and the codes suggested), Vietnam days,
 * the retry backoff and the string tables. Ends with
 * "N passed, N failed".
 */
#define _DEFAULT_SOURCE
#include "harness.h"
#include "i18n.h"
#include "kiosk.h"
#include "labels.h"
#include "net.h"
#include "offline.h"
#include "paycode.h"

#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static void append_raw(const char *dir, const char *text)
{
    char path[600];
    int fd;

    snprintf(path, sizeof(path), "%s/journal.jsonl", dir);
    fd = open(path, O_WRONLY | O_APPEND | O_CREAT, 0600);
    if (fd >= 0) {
        if (write(fd, text, strlen(text)) < 0)
            perror("write");
        close(fd);
    }
}

static void test_journal(const char *dir)
{
    json_t *rec = NULL, *r;
    int64_t tr = -1, ca = -1;
    int pend = -1;
    time_t now = time(NULL);

    CHECK_INT(journal_next_pending(dir, &rec), -OFFLINE_E_EMPTY);
    CHECK(rec == NULL);
    r = json_pack("{s:s,s:s,s:I,s:I,s:s}", "t", "cash", "key", "k1", "at",
                  (json_int_t)now, "amount", (json_int_t)20000, "body",
                  "{\"payer\":\"A-1\"}");
    CHECK_INT(journal_append(dir, r), 0);
    json_decref(r);
    r = json_pack("{s:s,s:s,s:I,s:I,s:s}", "t", "cash", "key", "k2", "at",
                  (json_int_t)now, "amount", (json_int_t)5000, "body", "{}");
    CHECK_INT(journal_append(dir, r), 0);
    json_decref(r);
    CHECK_INT(journal_next_pending(dir, &rec), 0);
    CHECK_STR(json_string_value(json_object_get(rec, "key")), "k1");
    json_decref(rec);
    rec = NULL;
    CHECK_INT(journal_totals(dir, 0, &tr, &ca, &pend), 0);
    CHECK_INT(ca, 25000);
    CHECK_INT(pend, 2);
    /* k1 sent: k2 is next; k2 rejected: nothing left, not counted. */
    r = json_pack("{s:s,s:s}", "t", "sent", "key", "k1");
    journal_append(dir, r);
    json_decref(r);
    CHECK(journal_is_sent(dir, "k1"));
    CHECK(!journal_is_sent(dir, "k2"));
    CHECK_INT(journal_next_pending(dir, &rec), 0);
    CHECK_STR(json_string_value(json_object_get(rec, "key")), "k2");
    json_decref(rec);
    rec = NULL;
    r = json_pack("{s:s,s:s,s:I}", "t", "rejected", "key", "k2", "status",
                  (json_int_t)409);
    journal_append(dir, r);
    json_decref(r);
    CHECK_INT(journal_next_pending(dir, &rec), -OFFLINE_E_EMPTY);
    r = json_pack("{s:s,s:s,s:I,s:I}", "t", "paid", "id", "7", "at",
                  (json_int_t)now, "amount", (json_int_t)1510000);
    journal_append(dir, r);
    json_decref(r);
    CHECK_INT(journal_totals(dir, 0, &tr, &ca, &pend), 0);
    CHECK_INT(ca, 20000);
    CHECK_INT(tr, 1510000);
    CHECK_INT(pend, 0);
    /* Records before `since` are not today's. */
    CHECK_INT(journal_totals(dir, (int64_t)now + 10, &tr, &ca, &pend), 0);
    CHECK_INT(ca, 0);
    CHECK_INT(tr, 0);
    /* A torn line (crash mid-write) is closed and ignored. */
    append_raw(dir, "{\"t\":\"cash\",\"key\":\"torn\",\"amou");
    r = json_pack("{s:s,s:s,s:I,s:I,s:s}", "t", "cash", "key", "k3", "at",
                  (json_int_t)now, "amount", (json_int_t)1000, "body", "{}");
    CHECK_INT(journal_append(dir, r), 0);
    json_decref(r);
    CHECK_INT(journal_next_pending(dir, &rec), 0);
    CHECK_STR(json_string_value(json_object_get(rec, "key")), "k3");
    json_decref(rec);
    CHECK_INT(journal_totals(dir, 0, &tr, &ca, &pend), 0);
    CHECK_INT(ca, 21000);
    CHECK_INT(pend, 1);
}

static void test_compact(const char *dir)
{
    json_t *r, *rec = NULL;
    int64_t tr = -1, ca = -1;
    int pend = -1;
    const char *recs[] = {
        /* old and sent: dropped with its marker */
        "{\"t\":\"cash\",\"key\":\"o1\",\"at\":100,\"amount\":7,"
        "\"body\":\"{}\"}",
        "{\"t\":\"sent\",\"key\":\"o1\"}",
        /* old but never sent: kept */
        "{\"t\":\"cash\",\"key\":\"o2\",\"at\":100,\"amount\":8,"
        "\"body\":\"{}\"}",
        /* old paid: dropped; today's paid and sent cash: kept */
        "{\"t\":\"paid\",\"id\":\"1\",\"at\":100,\"amount\":9}",
        "{\"t\":\"paid\",\"id\":\"2\",\"at\":5000,\"amount\":10}",
        "{\"t\":\"cash\",\"key\":\"n1\",\"at\":5000,\"amount\":11,"
        "\"body\":\"{}\"}",
        "{\"t\":\"sent\",\"key\":\"n1\"}",
    };

    for (size_t i = 0; i < sizeof(recs) / sizeof(recs[0]); i++) {
        r = json_loads(recs[i], 0, NULL);
        CHECK(r != NULL);
        CHECK_INT(journal_append(dir, r), 0);
        json_decref(r);
    }
    CHECK_INT(journal_compact(dir, 1000), 3);
    CHECK_INT(journal_totals(dir, 1000, &tr, &ca, &pend), 0);
    CHECK_INT(tr, 10);
    CHECK_INT(ca, 11);
    CHECK_INT(pend, 1);
    CHECK(journal_is_sent(dir, "n1"));
    CHECK_INT(journal_next_pending(dir, &rec), 0);
    CHECK_STR(json_string_value(json_object_get(rec, "key")), "o2");
    json_decref(rec);
    CHECK_INT(journal_compact(dir, 1000), 0); /* nothing more to drop */
}

static void test_codes(const char *dir)
{
    json_t *c = json_pack("[s,s,{s:s},s,s]", "CTAAAA1", "CTBBBB2", "code",
                          "CTCCCC3", "lower-case", "CT-DASH");
    char out[32] = "untouched";

    CHECK_INT(codes_count(dir), 0);
    CHECK_INT(codes_take(dir, out, sizeof(out)), -OFFLINE_E_EMPTY);
    CHECK_STR(out, "untouched");
    CHECK_INT(codes_add(dir, c), 0);
    json_decref(c);
    CHECK_INT(codes_count(dir), 3); /* the two bad ones are refused */
    CHECK_INT(codes_take(dir, out, sizeof(out)), 0);
    CHECK_STR(out, "CTAAAA1");
    CHECK_INT(codes_count(dir), 2);
    CHECK_INT(codes_take(dir, out, sizeof(out)), 0);
    CHECK_STR(out, "CTBBBB2");
    CHECK_INT(codes_take(dir, out, 4), -OFFLINE_E_EMPTY); /* too small */
    CHECK_STR(out, "CTBBBB2");
    CHECK_INT(codes_take(dir, out, sizeof(out)), 0);
    CHECK_STR(out, "CTCCCC3");
    CHECK_INT(codes_count(dir), 0);
}

static void test_directory(void)
{
    static const char good[] =
        "{\"org\":{\"name\":\"Chợ Trung tâm\",\"kind\":\"market\","
        "\"account\":\"1023456789\",\"account_name\":\"BQL CHO\","
        "\"bank\":{\"bin\":\"970436\"}},\"payers\":[{\"code\":\"D-1\","
        "\"name\":\"Lan\"},{\"code\":\"A-12\",\"name\":\"Long\"},"
        "{\"code\":\"B-3\",\"name\":\"Hoa\"}],\"fees\":[{\"label\":"
        "\"Phí chợ ngày\",\"category\":\"\",\"amount\":10000}]}";
    static const char *const bad[] = {
        "",
        "[]",
        "{\"payers\":{}}",
        "{\"payers\":[{\"name\":\"x\"}]}",
        "{\"payers\":[],\"fees\":[{\"label\":\"x\",\"amount\":-5}]}",
        "{\"payers\":[],\"fees\":[{\"label\":\"x\",\"amount\":\"10\"}]}",
        "{\"payers\":[{\"code\":\"AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA\"}]}",
    };
    struct kiosk_directory d;

    memset(&d, 0, sizeof(d));
    CHECK_INT(offline_dir_parse(good, strlen(good), &d), 0);
    CHECK(d.loaded);
    CHECK_STR(d.org_name, "Chợ Trung tâm");
    CHECK_STR(d.bin, "970436");
    CHECK_STR(d.account, "1023456789");
    CHECK_STR(d.letters, "ABD");
    CHECK_INT(d.n_payers, 3);
    CHECK_INT(d.n_fees, 1);
    CHECK_INT(d.fees[0].amount, 10000);
    CHECK(d.has_market && !d.has_school);
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        CHECK(offline_dir_parse(bad[i], strlen(bad[i]), &d) < 0);
        CHECK_STR(d.bin, "970436"); /* untouched on error */
    }
    offline_dir_free(&d);
    CHECK_INT(d.n_payers, 0);
}

/* Codes found the way people type them, and the codes suggested. */
static void test_code_match(void)
{
    static const char dir[] =
        "{\"org\":{\"name\":\"Chợ\"},\"payers\":["
        "{\"code\":\"A-12\",\"name\":\"Long\"},"
        "{\"code\":\"B-3\",\"name\":\"Hoa\"},"
        "{\"code\":\"B.3\",\"name\":\"Hòa\"},"
        "{\"code\":\"A-13\",\"name\":\"Mai\"},"
        "{\"code\":\"A-120\",\"name\":\"Tú\"},"
        "{\"code\":\"C-7\",\"name\":\"Lan\"},"
        "{\"code\":\"HS10\",\"name\":\"Bình\"}],\"fees\":[]}";
    static const char *const a12[] = {"A-12", "A12",       "a-12", "a 12",
                                      "A.12", " a - 1 2 ", "a12"};
    struct kiosk_directory d;
    char key[32];
    size_t i = 99, s[8], n;

    CHECK_INT(paycode_key("a- 1.2", key, sizeof(key)), 3);
    CHECK_STR(key, "A12");
    CHECK_INT(paycode_key("AB-CD", key, 3), 4); /* did not fit */
    CHECK_STR(key, "AB");
    memset(&d, 0, sizeof(d));
    CHECK_INT(offline_dir_parse(dir, strlen(dir), &d), 0);
    for (size_t t = 0; t < sizeof(a12) / sizeof(a12[0]); t++) {
        i = 99;
        CHECK_INT(offline_dir_find(&d, a12[t], &i), 0);
        CHECK_STR(d.payers[i].code, "A-12");
    }
    /* a letter O where the code has a digit 0 */
    CHECK_INT(offline_dir_find(&d, "hs1o", &i), 0);
    CHECK_STR(d.payers[i].code, "HS10");
    n = offline_dir_suggest(&d, "HS1O", s, 8);
    CHECK_INT(n, 1);
    CHECK_STR(d.payers[s[0]].code, "HS10");
    CHECK_INT(offline_dir_find(&d, "HSIO", &i), -OFFLINE_E_EMPTY);
    /* "B3" fits B-3 and B.3: not found, both suggested */
    i = 99;
    CHECK_INT(offline_dir_find(&d, "B3", &i), -OFFLINE_E_AMBIGUOUS);
    CHECK_INT(i, 99);
    n = offline_dir_suggest(&d, "b 3", s, 8);
    CHECK(n >= 2);
    CHECK_STR(d.payers[s[0]].code, "B-3");
    CHECK_STR(d.payers[s[1]].code, "B.3");
    /* typed exactly, it is that one */
    CHECK_INT(offline_dir_find(&d, "B.3", &i), 0);
    CHECK_STR(d.payers[i].code, "B.3");
    /* unknown codes */
    CHECK_INT(offline_dir_find(&d, "Z-9", &i), -OFFLINE_E_EMPTY);
    CHECK_INT(offline_dir_find(&d, "", &i), -OFFLINE_E_EMPTY);
    CHECK_INT(offline_dir_find(&d, "- .", &i), -OFFLINE_E_EMPTY);
    CHECK_INT(offline_dir_suggest(&d, "Z-9", s, 8), 0);
    CHECK_INT(offline_dir_suggest(&d, "", s, 8), 0);
    /* one edit away: changed, swapped, missing; then longer codes */
    n = offline_dir_suggest(&d, "A-14", s, 8);
    CHECK_INT(n, 2);
    CHECK_STR(d.payers[s[0]].code, "A-12");
    CHECK_STR(d.payers[s[1]].code, "A-13");
    n = offline_dir_suggest(&d, "A21", s, 8);
    CHECK_INT(n, 1);
    CHECK_STR(d.payers[s[0]].code, "A-12");
    n = offline_dir_suggest(&d, "A1", s, 8);
    CHECK_INT(n, 3); /* A-12, A-13 (one added), A-120 (starts with it) */
    CHECK_STR(d.payers[s[0]].code, "A-12");
    CHECK_STR(d.payers[s[1]].code, "A-13");
    CHECK_STR(d.payers[s[2]].code, "A-120");
    n = offline_dir_suggest(&d, "A1", s, 2); /* at most `max` */
    CHECK_INT(n, 2);
    offline_dir_free(&d);
    /* an empty directory finds nothing */
    CHECK_INT(offline_dir_find(&d, "A-12", &i), -OFFLINE_E_EMPTY);
    CHECK_INT(offline_dir_suggest(&d, "A-12", s, 8), 0);
}

/* payers[].invoices: the open invoices offline dues come from. */
static void test_directory_invoices(void)
{
    static const char good[] =
        "{\"org\":{\"name\":\"Chợ\",\"bank\":{\"bin\":\"970436\"},"
        "\"account\":\"1\"},\"payers\":["
        "{\"code\":\"A-1\",\"name\":\"An\",\"category\":\"A\","
        "\"invoices\":[{\"id\":7,\"fee\":\"THUE-A\",\"label\":\"Thuê\","
        "\"period\":\"2026-11\",\"amount\":1500000,\"paid\":500000,"
        "\"due\":1000000},{\"id\":9,\"label\":\"Phí ngày\","
        "\"amount\":10000,\"paid\":0}]},"
        "{\"code\":\"HS1\",\"name\":\"Bình\",\"category\":\"\","
        "\"invoices\":[]},"
        "{\"code\":\"B-2\",\"name\":\"Chi\",\"category\":\"X\","
        "\"invoices\":[{\"id\":11,\"label\":\"Thuê\",\"due\":5}]}]}";
    static const char old[] =
        "{\"payers\":[{\"code\":\"A-1\",\"name\":\"An\"}]}";
    static const char *const bad[] = {
        "{\"payers\":[{\"code\":\"A-1\",\"invoices\":{}}]}",
        "{\"payers\":[{\"code\":\"A-1\",\"invoices\":[{\"due\":5}]}]}",
        "{\"payers\":[{\"code\":\"A-1\",\"invoices\":[{\"id\":0,"
        "\"due\":5}]}]}",
        "{\"payers\":[{\"code\":\"A-1\",\"invoices\":[{\"id\":1,"
        "\"due\":0}]}]}",
        "{\"payers\":[{\"code\":\"A-1\",\"invoices\":[{\"id\":1,"
        "\"due\":-5}]}]}",
        "{\"payers\":[{\"code\":\"A-1\",\"invoices\":[{\"id\":1,"
        "\"due\":\"5\"}]}]}",
        "{\"payers\":[{\"code\":\"A-1\",\"invoices\":[{\"id\":1,"
        "\"amount\":5,\"paid\":5}]}]}",
        "{\"payers\":[{\"code\":\"A-1\",\"invoices\":[{\"id\":1,"
        "\"due\":1000000000000001}]}]}",
        "{\"payers\":[{\"code\":\"A-1\",\"invoices\":[\"x\"]}]}",
    };
    struct kiosk_directory d;

    memset(&d, 0, sizeof(d));
    CHECK_INT(offline_dir_parse(good, strlen(good), &d), 0);
    CHECK(d.has_invoices);
    CHECK_INT(d.n_invoices, 3);
    CHECK_STR(d.payers[0].category, "A");
    CHECK_INT(d.payers[0].inv_first, 0);
    CHECK_INT(d.payers[0].inv_count, 2);
    CHECK_INT(d.invoices[0].id, 7);
    CHECK_INT(d.invoices[0].due, 1000000);
    CHECK_STR(d.invoices[0].label, "Thuê");
    CHECK_STR(d.invoices[0].period, "2026-11");
    CHECK_INT(d.invoices[1].id, 9);
    CHECK_INT(d.invoices[1].due, 10000); /* amount - paid */
    CHECK_INT(d.payers[1].inv_count, 0);
    CHECK_INT(d.payers[2].inv_first, 2);
    CHECK_INT(d.payers[2].inv_count, 1);
    CHECK_INT(d.invoices[2].due, 5);
    CHECK_STR(d.payers[2].category, "X");
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        CHECK(offline_dir_parse(bad[i], strlen(bad[i]), &d) < 0);
        CHECK_INT(d.n_invoices, 3); /* untouched on error */
    }
    /* A directory from a server that sends no invoices: none to show. */
    CHECK_INT(offline_dir_parse(old, strlen(old), &d), 0);
    CHECK(!d.has_invoices);
    CHECK_INT(d.n_invoices, 0);
    offline_dir_free(&d);
}

/* journal_sums: one day's figures, and what waits to be sent. */
static void test_sums(const char *dir)
{
    struct journal_sums js;
    const char *recs[] = {
        "{\"t\":\"cash\",\"key\":\"c1\",\"at\":999,\"amount\":1,"
        "\"body\":\"{}\"}",
        "{\"t\":\"cash\",\"key\":\"c2\",\"at\":1000,\"amount\":20,"
        "\"body\":\"{}\"}",
        "{\"t\":\"cash\",\"key\":\"c3\",\"at\":1500,\"amount\":300,"
        "\"body\":\"{}\"}",
        "{\"t\":\"sent\",\"key\":\"c3\"}",
        "{\"t\":\"cash\",\"key\":\"c4\",\"at\":1600,\"amount\":4000,"
        "\"body\":\"{}\"}",
        "{\"t\":\"rejected\",\"key\":\"c4\"}",
        "{\"t\":\"paid\",\"id\":\"5\",\"at\":1700,\"amount\":50000}",
        "{\"t\":\"paid\",\"id\":\"6\",\"at\":2000,\"amount\":600000}",
        "{\"t\":\"intent\",\"key\":\"i1\",\"at\":1800,\"amount\":7,"
        "\"body\":\"{}\"}",
    };

    for (size_t i = 0; i < sizeof(recs) / sizeof(recs[0]); i++) {
        json_t *r = json_loads(recs[i], 0, NULL);
        CHECK(r != NULL);
        CHECK_INT(journal_append(dir, r), 0);
        json_decref(r);
    }
    CHECK_INT(journal_sums(dir, 1000, 2000, &js), 0);
    CHECK_INT(js.cash, 320); /* c2, c3 (c1 before, c4 rejected) */
    CHECK_INT(js.n_cash, 2);
    CHECK_INT(js.transfer, 50000); /* paid 6 is at the end, excluded */
    CHECK_INT(js.n_transfer, 1);
    CHECK_INT(js.pending, 3);       /* c1, c2, i1 */
    CHECK_INT(js.pending_cash, 21); /* c1, c2 */
    CHECK_INT(journal_sums(dir, 2000, 2001, &js), 0);
    CHECK_INT(js.transfer, 600000);
    CHECK_INT(js.cash, 0);
    CHECK_INT(js.pending, 3);
}

/* Days as chopay-server counts them: Vietnam, UTC+7. */
static void test_days(void)
{
    char d[11];

    offline_day(1763830800, d); /* 2025-11-22 17:00:00 UTC */
    CHECK_STR(d, "2025-11-23");
    CHECK_INT(offline_day_start(1763830800), 1763830800);
    offline_day(1763830799, d);
    CHECK_STR(d, "2025-11-22");
    CHECK_INT(offline_day_start(1763830799), 1763744400);
    offline_day(0, d);
    CHECK_STR(d, "1970-01-01");
    CHECK_INT(offline_day_start(0), -25200);
    offline_day(-28800, d); /* 1969-12-31 23:00 in Vietnam */
    CHECK_STR(d, "1969-12-31");
    CHECK_INT(offline_day_start(-28800), -111600);
}

static void test_backoff(void)
{
    uint32_t lo = 1u << 31, hi = 0;

    for (uint32_t r = 0; r < 2000; r += 7) {
        uint32_t v = net_backoff_ms(2, r);
        lo = v < lo ? v : lo;
        hi = v > hi ? v : hi;
    }
    CHECK(lo >= 250 && hi <= 500 && hi > lo);
    CHECK(net_backoff_ms(3, 0) == 500);
    CHECK(net_backoff_ms(3, 500) == 1000);
    CHECK(net_backoff_ms(30, 0) == 4000);
    CHECK(net_backoff_ms(30, 0xffffffffu) <= 8000);
}

static void test_strings(void)
{
    int lang = -1, id = -1;

    CHECK_INT(i18n_check(&lang, &id), 0);
    CHECK_STR(i18n_get(LANG_VI, S_PAY_ALL), "Nộp tất cả");
    CHECK_STR(i18n_get(LANG_EN, S_PAY_ALL), "Pay all");
    CHECK_STR(i18n_get(99, S_PAY_ALL), "Nộp tất cả");
    CHECK_STR(i18n_get(LANG_EN, S__COUNT), "?");
    CHECK_INT(i18n_lang("vi"), LANG_VI);
    CHECK_INT(i18n_lang("en"), LANG_EN);
    CHECK_INT(i18n_lang("fr"), -1);
}

/* Invoice labels as people say them. */
static void test_labels(void)
{
    char s[160];

    labels_spoken(LANG_VI, "Tiền thuê sạp khu A 2026-12", "2026-12", s,
                  sizeof(s));
    CHECK_STR(s, "Tiền thuê sạp khu A tháng 12/2026");
    labels_spoken(LANG_VI, "Học phí học kỳ 2026-HK1", "2026-HK1", s, sizeof(s));
    CHECK_STR(s, "Học phí học kỳ 1 năm học 2026–2027");
    labels_spoken(LANG_VI, "Bảo hiểm y tế học sinh 2026-HK1", "2026-HK1", s,
                  sizeof(s));
    CHECK_STR(s, "Bảo hiểm y tế học sinh học kỳ 1 năm học 2026–2027");
    labels_spoken(LANG_VI, "Phí chợ ngày 2026-11-22", "2026-11-22", s,
                  sizeof(s));
    CHECK_STR(s, "Phí chợ ngày 22/11/2026");
    labels_spoken(LANG_VI, "Phí vệ sinh", "2026-11", s, sizeof(s));
    CHECK_STR(s, "Phí vệ sinh tháng 11/2026"); /* period not in the label */
    labels_spoken(LANG_EN, "Tiền thuê sạp khu A 2026-12", "2026-12", s,
                  sizeof(s));
    CHECK_STR(s, "Tiền thuê sạp khu A 12/2026");
    labels_spoken(LANG_VI, "Phí 2026-W48", "2026-W48", s, sizeof(s));
    CHECK_STR(s, "Phí 2026-W48"); /* a period it cannot say */
    labels_spoken(LANG_VI, "Phí", "Q4", s, sizeof(s));
    CHECK_STR(s, "Phí · Q4");
    labels_spoken(LANG_VI, "Phí", "", s, sizeof(s));
    CHECK_STR(s, "Phí");
    labels_spoken(LANG_VI, "Phí 2026-13", "2026-13", s, sizeof(s));
    CHECK_STR(s, "Phí 2026-13");
}

/* Cash refused for its collector's PIN is kept: not resent until the PIN
 * is typed again, then sent with that PIN; compaction keeps its markers
 * while it waits and drops the PIN once it went. */
static void test_needs_pin(const char *dir)
{
    json_t *r, *rec = NULL;
    struct journal_sums js;
    int n = -1;
    char *text = NULL;
    size_t len;
    const char *recs[] = {
        "{\"t\":\"cash\",\"key\":\"p1\",\"at\":5000,\"amount\":7,"
        "\"body\":\"{}\",\"pin\":\"1111\"}",
        "{\"t\":\"cash\",\"key\":\"p2\",\"at\":5000,\"amount\":8,"
        "\"body\":\"{}\",\"pin\":\"2222\"}",
        "{\"t\":\"needs_pin\",\"key\":\"p1\",\"status\":401,"
        "\"error\":\"bad_pin\",\"attempts_left\":3}",
    };

    for (size_t i = 0; i < sizeof(recs) / sizeof(recs[0]); i++) {
        r = json_loads(recs[i], 0, NULL);
        CHECK_INT(journal_append(dir, r), 0);
        json_decref(r);
    }
    /* p1 waits for its PIN: p2 goes first, p1 is the one to ask for */
    CHECK_INT(journal_next_pending(dir, &rec), 0);
    CHECK_STR(json_string_value(json_object_get(rec, "key")), "p2");
    CHECK_STR(json_string_value(json_object_get(rec, "pin")), "2222");
    json_decref(rec);
    CHECK_INT(journal_next_needs_pin(dir, &rec, &n), 0);
    CHECK_INT(n, 1);
    CHECK_STR(json_string_value(json_object_get(rec, "key")), "p1");
    CHECK_INT(json_integer_value(json_object_get(
                  json_object_get(rec, "refused"), "attempts_left")),
              3);
    json_decref(rec);
    CHECK_INT(journal_sums(dir, 0, 10000, &js), 0);
    CHECK_INT(js.pending, 2);
    CHECK_INT(js.needs_pin, 1);
    CHECK_INT(js.cash, 15);
    /* compaction keeps it waiting */
    CHECK(journal_compact(dir, 1000) >= 0);
    CHECK_INT(journal_next_needs_pin(dir, &rec, &n), 0);
    json_decref(rec);
    r = json_pack("{s:s,s:s}", "t", "sent", "key", "p2");
    journal_append(dir, r);
    json_decref(r);
    CHECK_INT(journal_next_pending(dir, &rec), -OFFLINE_E_EMPTY);
    /* typed again: sent with the new PIN */
    r = json_pack("{s:s,s:s,s:s}", "t", "pin", "key", "p1", "pin", "3333");
    journal_append(dir, r);
    json_decref(r);
    CHECK_INT(journal_next_needs_pin(dir, &rec, &n), -OFFLINE_E_EMPTY);
    CHECK_INT(n, 0);
    CHECK_INT(journal_next_pending(dir, &rec), 0);
    CHECK_STR(json_string_value(json_object_get(rec, "key")), "p1");
    CHECK_STR(json_string_value(json_object_get(rec, "pin")), "3333");
    json_decref(rec);
    /* refused again, then sent: no PIN left after compaction */
    r = json_pack("{s:s,s:s,s:I}", "t", "needs_pin", "key", "p1", "status",
                  (json_int_t)403);
    journal_append(dir, r);
    json_decref(r);
    CHECK_INT(journal_next_needs_pin(dir, &rec, &n), 0);
    json_decref(rec);
    r = json_pack("{s:s,s:s,s:s}", "t", "pin", "key", "p1", "pin", "4444");
    journal_append(dir, r);
    json_decref(r);
    r = json_pack("{s:s,s:s}", "t", "sent", "key", "p1");
    journal_append(dir, r);
    json_decref(r);
    CHECK(journal_compact(dir, 1000) >= 0);
    CHECK_INT(offline_read(dir, "journal.jsonl", &text, &len), 0);
    CHECK(text != NULL && strstr(text, "\"p1\"") != NULL &&
          strstr(text, "pin\":") == NULL && strstr(text, "4444") == NULL &&
          strstr(text, "2222") == NULL);
    free(text);
    CHECK_INT(journal_sums(dir, 0, 10000, &js), 0);
    CHECK_INT(js.pending, 0);
    CHECK_INT(js.cash, 15);
}

int main(void)
{
    test_labels();
    char dir[] = "/tmp/test_kiosk_offline.XXXXXX";
    char sub[64], cmd[128];

    if (!mkdtemp(dir))
        return 1;
    snprintf(sub, sizeof(sub), "%s/a/b", dir);
    CHECK_INT(offline_mkdirs(sub), 0);
    CHECK_INT(offline_write_atomic(sub, "x.json", "{}", 2), 0);
    test_journal(sub);
    test_codes(sub);
    snprintf(sub, sizeof(sub), "%s/c", dir);
    CHECK_INT(offline_mkdirs(sub), 0);
    test_compact(sub);
    snprintf(sub, sizeof(sub), "%s/d", dir);
    CHECK_INT(offline_mkdirs(sub), 0);
    test_sums(sub);
    snprintf(sub, sizeof(sub), "%s/e", dir);
    CHECK_INT(offline_mkdirs(sub), 0);
    test_needs_pin(sub);
    test_directory();
    test_directory_invoices();
    test_code_match();
    test_days();
    test_backoff();
    test_strings();
    snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
    if (system(cmd) != 0)
        fprintf(stderr, "cannot remove %s\n", dir);
    return TEST_END();
}
