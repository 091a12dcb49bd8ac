/*
 * test_report.c: the daily reconciliation and the adoption statistics
 * against expectations computed apart from the code under test: a
 * hand-worked day (cash, transfers, partial, over, unmatched, ignored,
 * duplicate, a refund, a booking error, a missing booking, a balance gap),
 * and generated data whose figures a second, naive loop recomputes; the
 * "946 of 1,097 = 86,2 %" case; the JSON and CSV forms; a day after a
 * close with its corrections; the provider's running balance.
 */
#include <stdlib.h>
#include <string.h>

#include "harness.h"
#include "report.h"
#include "report_int.h"

#define D 20779 /* 2026-11-22 (python3: date(2026,11,22) - date(1970,1,1)) */

static void test_days(void)
{
    int32_t d = -1, f, t;
    char s[11];

    CHECK_INT(report_day_parse("2026-11-22", &d), 0);
    CHECK_INT(d, 20779);
    CHECK_INT(report_day_parse("1970-01-01", &d), 0);
    CHECK_INT(d, 0);
    CHECK_INT(report_day_parse("2026-02-29", &d), REPORT_E_ARG);
    CHECK_INT(report_day_parse("2026-1-22", &d), REPORT_E_ARG);
    CHECK_INT(report_day_parse("2026-11-22x", &d), REPORT_E_ARG);
    CHECK_INT(d, 0); /* untouched on error */
    report_day_format(20787, s);
    CHECK_STR(s, "2026-11-30");
    /* Weekdays from python3's date.weekday(). */
    CHECK_INT(report_weekday(20779), 6);
    CHECK_INT(report_weekday(20780), 0);
    CHECK_INT(report_weekday(20728), 4);
    CHECK_INT(report_weekday(0), 3);
    report_period_of(REPORT_WEEK, D, &f, &t);
    CHECK_INT(f, 20773); /* Monday 2026-11-16 */
    CHECK_INT(t, 20779);
    report_period_of(REPORT_MONTH, D, &f, &t);
    CHECK_INT(f, 20758);
    CHECK_INT(t, 20787);
    report_period_of(REPORT_MONTH, 20758 + 31 + 30, &f, &t); /* Jan 2027 */
    report_day_format(f, s);
    CHECK_STR(s, "2027-01-01");
    report_day_format(t, s);
    CHECK_STR(s, "2027-01-31");
    report_period_of(REPORT_DAY, D, &f, &t);
    CHECK(f == D && t == D);
}

static void test_permille(void)
{
    char b[16];

    CHECK_INT(report_permille(946, 1097), 862); /* 862.35 */
    CHECK_INT(report_permille(1, 8), 125);
    CHECK_INT(report_permille(1, 2000), 1); /* 0.5 rounds up */
    CHECK_INT(report_permille(1, 2001), 0); /* 0.4998 */
    CHECK_INT(report_permille(2, 3), 667);
    CHECK_INT(report_permille(0, 0), 0);
    CHECK_INT(report_permille(5, 5), 1000);
    CHECK_INT(report_permille(INT64_MAX / 3, INT64_MAX), 333);
    CHECK_INT(report_permille(INT64_MAX - 1, INT64_MAX), 1000);
    report_pct(862, 1, 0, b);
    CHECK_STR(b, "86,2 %");
    report_pct(862, 0, 0, b);
    CHECK_STR(b, "86.2");
    report_pct(1000, 1, 0, b);
    CHECK_STR(b, "100,0 %");
    report_pct(5, 1, 0, b);
    CHECK_STR(b, "0,5 %");
    report_pct(-35, 1, 1, b);
    CHECK_STR(b, "-3,5 %");
    report_pct(35, 1, 1, b);
    CHECK_STR(b, "+3,5 %");
    report_pct(0, 0, 1, b);
    CHECK_STR(b, "0.0");
}

/* --- the hand-worked day --------------------------------------------- */

static const struct report_invoice inv[] = {
    {"I1", "A", D, 100000, 100000, 0},   /* exact */
    {"I2", "B", D, 100000, 60000, 0},    /* partial: 40000 owed */
    {"I3", "C", D, 100000, 130000, 0},   /* over by 30000 */
    {"I4", "D", D, 50000, 0, 50000},     /* cash */
    {"I5", "E", D, 80000, 0, 0},         /* unpaid */
    {"I6", "F", D - 3, 70000, 20000, 0}, /* overdue: 50000 */
    {"I7", "G", D - 5, 40000, 0, 40000}, /* earlier, settled */
    {"I8", "H", D + 1, 90000, 0, 0},     /* not yet due */
};
static const struct report_bank_txn bank[] = {
    {"T1", 100000, REPORT_MATCHED_EXACT, 0},
    {"T2", 60000, REPORT_MATCHED_PARTIAL, 0},
    {"T3", 130000, REPORT_MATCHED_OVER, 0},
    {"T4", 25000, REPORT_UNMATCHED, 0},
    {"T5", 500000, REPORT_IGNORED, 0},
    {"T2", 60000, REPORT_DUPLICATE, 0},
    {"T7", 30000, REPORT_DEBIT, 0},
};
static const struct report_ledger_entry ledger[] = {
    {"T1", 100000, 0}, {"T2", 60000, 0}, {"T3", 100000, 0},
    {"T3", 30000, 0},  {"T4", 52000, 0}, /* booked wrong */
    {"T7", -30000, 0}, {"T9", 15000, 0}, /* not on the bank */
};
static const struct report_payer_credit credits[] = {
    {"C", 30000}, {"X", 0}, {"Y", 12000}};

static void test_daily(void)
{
    struct report_daily_input in = {"CHOBT",
                                    D,
                                    inv,
                                    8,
                                    bank,
                                    7,
                                    ledger,
                                    7,
                                    credits,
                                    3,
                                    REPORT_BALANCE_STATEMENT,
                                    1000000,
                                    1800000,
                                    NULL,
                                    0,
                                    NULL,
                                    0,
                                    NULL,
                                    0};
    struct report_daily *r = NULL;

    CHECK_INT(report_daily(&in, &r), 0);
    if (!r)
        return;
    CHECK_INT(r->due.count, 5);
    CHECK_INT(r->due.amount, 430000);
    CHECK_INT(r->collected_transfer, 290000);
    CHECK_INT(r->collected_cash, 50000);
    CHECK_INT(r->outstanding, 120000);
    CHECK_INT(r->overpaid, 30000);
    CHECK_INT(r->overdue.count, 1);
    CHECK_INT(r->overdue.amount, 50000);
    CHECK_INT(r->received.count, 5);
    CHECK_INT(r->received.amount, 815000);
    CHECK_INT(r->by_state[REPORT_MATCHED_EXACT].amount, 100000);
    CHECK_INT(r->by_state[REPORT_MATCHED_PARTIAL].amount, 60000);
    CHECK_INT(r->by_state[REPORT_MATCHED_OVER].amount, 130000);
    CHECK_INT(r->by_state[REPORT_UNMATCHED].amount, 25000);
    CHECK_INT(r->by_state[REPORT_IGNORED].amount, 500000);
    CHECK_INT(r->by_state[REPORT_DUPLICATE].count, 1);
    CHECK_INT(r->by_state[REPORT_DEBIT].amount, 30000);
    CHECK_INT(r->payer_credits.count, 2);
    CHECK_INT(r->payer_credits.amount, 42000);
    CHECK_INT(r->txn_movement, 785000);
    CHECK_INT(r->ledger_movement, 327000);
    CHECK_INT(r->bank_movement, 800000);
    CHECK_INT(r->difference, 473000);
    CHECK_INT(r->explained, 458000);
    CHECK_INT(r->unexplained, 15000);
    CHECK_INT(r->balanced, 0);
    CHECK_INT(r->n_diffs, 3);
    if (r->n_diffs == 3) {
        CHECK_STR(r->diffs[0].ref, "T4");
        CHECK_INT(r->diffs[0].kind, REPORT_DIFF_AMOUNT);
        CHECK_INT(r->diffs[0].difference, -27000);
        CHECK_STR(r->diffs[1].ref, "T5");
        CHECK_INT(r->diffs[1].kind, REPORT_DIFF_MISSING_IN_LEDGER);
        CHECK_INT(r->diffs[1].bank, 500000);
        CHECK_STR(r->diffs[2].ref, "T9");
        CHECK_INT(r->diffs[2].kind, REPORT_DIFF_MISSING_IN_BANK);
        CHECK_INT(r->diffs[2].ledger, 15000);
        CHECK_INT(r->diffs[2].difference, -15000);
    }

    json_t *j = report_daily_json(r);
    char *s = report_json_dump(j);
    CHECK(s != NULL);
    if (s) {
        CHECK(strncmp(s,
                      "{\"org\":\"CHOBT\",\"date\":\"2026-11-22\","
                      "\"invoices\":{\"due_count\":5,\"due_amount\":"
                      "430000,\"collected_transfer\":290000,",
                      90) == 0);
        CHECK(strstr(s, "\"outstanding\":120000") != NULL);
        CHECK(strstr(s, "\"overdue_outstanding\":50000") != NULL);
        CHECK(strstr(s, "\"unmatched\":{\"count\":1,\"amount\":25000}") !=
              NULL);
        CHECK(strstr(s, "\"balance_source\":\"statement\"") != NULL);
        CHECK(strstr(s, "\"unexplained\":15000,\"balanced\":false") != NULL);
        CHECK(strstr(s, "{\"kind\":\"missing_in_bank\",\"ref\":\"T9\","
                        "\"bank\":0,\"ledger\":15000,\"difference\":-15000}") !=
              NULL);
    }
    free(s);
    json_decref(j);

    char *csv = NULL;
    size_t len = 0;
    CHECK_INT(report_daily_csv(r, NULL, &csv, &len), 0);
    if (csv) {
        CHECK(memcmp(csv, "\xEF\xBB\xBF", 3) == 0);
        CHECK_INT(strlen(csv), len);
        CHECK(strstr(csv, "Đối soát ngày 22/11/2026 - CHOBT\r\n\r\n") != NULL);
        CHECK(strstr(csv, "Mã,Chỉ tiêu,Số lượng,Số tiền (đồng)\r\n") != NULL);
        CHECK(strstr(csv, "due,Hóa đơn đến hạn,5,430000\r\n") != NULL);
        CHECK(strstr(csv, "collected_cash,Đã thu bằng tiền mặt,,50000\r\n") !=
              NULL);
        /* The label with a comma is quoted (RFC 4180). */
        CHECK(strstr(csv, "matched_over,\"Khớp, trả thừa\",1,130000\r\n") !=
              NULL);
        CHECK(strstr(csv, "Sai số tiền,T4,25000,52000,-27000\r\n") != NULL);
        /* Every line ends CRLF: no bare LF. */
        int bare = 0;
        for (size_t i = 0; i < len; i++)
            if (csv[i] == '\n' && (i == 0 || csv[i - 1] != '\r'))
                bare++;
        CHECK_INT(bare, 0);
    }
    free(csv);
    struct report_csv_opts semi = {';'};
    CHECK_INT(report_daily_csv(r, &semi, &csv, &len), 0);
    if (csv) {
        CHECK(strstr(csv, "matched_over;Khớp, trả thừa;1;130000\r\n") != NULL);
        free(csv);
    }
    report_daily_free(r);

    /* A clean day balances. */
    struct report_bank_txn b1 = {"T1", 100000, REPORT_MATCHED_EXACT, 0};
    struct report_ledger_entry l1 = {"T1", 100000, 0};
    struct report_daily_input ok = {"CHOBT",
                                    D,
                                    inv,
                                    1,
                                    &b1,
                                    1,
                                    &l1,
                                    1,
                                    NULL,
                                    0,
                                    REPORT_BALANCE_PROVIDER,
                                    5000,
                                    105000,
                                    NULL,
                                    0,
                                    NULL,
                                    0,
                                    NULL,
                                    0};
    CHECK_INT(report_daily(&ok, &r), 0);
    if (r) {
        CHECK_INT(r->balanced, 1);
        CHECK_INT(r->difference, 0);
        report_daily_free(r);
    }
    /* Without a bank balance: the transaction list is the bank side. */
    ok.balance_source = REPORT_BALANCE_NONE;
    l1.amount = 90000;
    CHECK_INT(report_daily(&ok, &r), 0);
    if (r) {
        CHECK_INT(r->difference, 10000);
        CHECK_INT(r->unexplained, 0);
        CHECK_INT(r->balanced, 0);
        report_daily_free(r);
    }
    /* Bad input: refused, *out untouched. */
    r = (struct report_daily *)&ok; /* sentinel */
    struct report_invoice bad_inv = {"I", "A", D, -1, 0, 0};
    ok.invoices = &bad_inv;
    CHECK_INT(report_daily(&ok, &r), REPORT_E_AMOUNT);
    CHECK(r == (struct report_daily *)&ok);
    ok.invoices = inv;
    b1.amount = 0;
    CHECK_INT(report_daily(&ok, &r), REPORT_E_AMOUNT);
    b1.amount = -1;
    b1.state = REPORT_IGNORED;
    CHECK_INT(report_daily(&ok, &r), REPORT_E_AMOUNT);
    /* a zero-amount row stored as ignored counts there, and nowhere else */
    b1.amount = 0;
    r = NULL;
    CHECK_INT(report_daily(&ok, &r), 0);
    if (r) {
        CHECK_INT(r->by_state[REPORT_IGNORED].count, 1);
        CHECK_INT(r->by_state[REPORT_IGNORED].amount, 0);
        CHECK_INT(r->received.count, 0);
        for (size_t i = 0; i < r->n_diffs; i++)
            CHECK(r->diffs[i].bank != 0 || r->diffs[i].ledger != 0);
        report_daily_free(r);
    }
    r = (struct report_daily *)&ok;
    b1.state = REPORT_MATCHED_EXACT;
    b1.amount = 100000;
    b1.state = (enum report_credit_state)42;
    CHECK_INT(report_daily(&ok, &r), REPORT_E_ARG);
    b1.state = REPORT_MATCHED_EXACT;
    struct report_invoice big[2] = {{"I", "A", D, 1000000000000000, 0, 0},
                                    {"J", "A", D, 1000000000000000, 0, 0}};
    ok.invoices = big;
    ok.n_invoices = 2;
    CHECK_INT(report_daily(&ok, &r), REPORT_E_OVERFLOW);
    ok.org = NULL;
    CHECK_INT(report_daily(&ok, &r), REPORT_E_ARG);
    report_daily_free(NULL);
}

/* --- adoption: 946 of 1,097 ------------------------------------------- */

static void test_946(void)
{
    static struct report_payer payers[1097];
    static struct report_payment pays[1097];
    struct report_org org = {"THCS1", "Trường THCS Lê Lợi", "HCM"};
    const char *fees[] = {"Học phí"};
    struct report_adoption *a = NULL;

    for (int i = 0; i < 1097; i++) {
        payers[i].org = 0;
        pays[i].payer = (uint32_t)i;
        pays[i].day = 20758 + i % 30;
        pays[i].amount = 500000;
        pays[i].cashless = i < 946;
    }
    struct report_adoption_data d = {&org, 1,    payers, 1097,
                                     pays, 1097, fees,   1};
    struct report_adoption_query q = {NULL,  0,     -1,
                                      20758, 20787, REPORT_BUCKET_MONTH};
    CHECK_INT(report_adoption(&d, &q, &a), 0);
    if (!a)
        return;
    CHECK_INT(a->cur.payers_paying, 1097);
    CHECK_INT(a->cur.payers_cashless, 946);
    CHECK_INT(a->cur.share_payers, 862);
    CHECK_INT(a->cur.share_count, 862);
    CHECK_INT(a->cur.share_value, 862);
    CHECK_INT(a->n_trend, 1);
    json_t *j = report_adoption_json(a, &d);
    char *s = report_json_dump(j);
    CHECK(s && strstr(s, "\"share_payers_permille\":862,"
                         "\"share_payers_pct\":86.2,") != NULL);
    CHECK(s && strstr(s, "\"period\":{\"from\":\"2026-11-01\",\"to\":"
                         "\"2026-11-30\",\"days\":30}") != NULL);
    CHECK(s && strstr(s, "\"previous_period\":{\"from\":\"2026-10-02\","
                         "\"to\":\"2026-10-31\"}") != NULL);
    free(s);
    json_decref(j);
    char *csv = NULL;
    size_t len;
    CHECK_INT(report_adoption_csv(a, &d, NULL, &csv, &len), 0);
    /* shares are numbers to Excel: "86.2%" (0.862), the decimal mark of
       the separator's locale, no space, no '+'; dates ISO */
    CHECK(csv && strstr(csv, "Tỷ lệ người nộp không dùng tiền mặt,"
                             "86.2%,0.0%,86.2%\r\n") != NULL);
    CHECK(csv && strstr(csv, "Người nộp đã chuyển khoản ít nhất một lần,946,"
                             "0,946\r\n") != NULL);
    CHECK(csv && strstr(csv, "THCS1,Trường THCS Lê Lợi,HCM,1097,946,"
                             "86.2%,548500000,473000000,") != NULL);
    CHECK(csv &&
          strstr(csv, "\r\n2026-11-01,2026-11-30,1097,946,86.2%,") != NULL);
    free(csv);
    csv = NULL;
    struct report_csv_opts semi = {';'};
    CHECK_INT(report_adoption_csv(a, &d, &semi, &csv, &len), 0);
    CHECK(csv && strstr(csv, "Tỷ lệ người nộp không dùng tiền mặt;"
                             "86,2%;0,0%;86,2%\r\n") != NULL);
    CHECK(csv && strstr(csv, "THCS1;Trường THCS Lê Lợi;HCM;1097;946;"
                             "86,2%;548500000;473000000;") != NULL);
    free(csv);
    report_adoption_free(a);
}

/* --- adoption: generated data against a naive recount ------------------ */

static uint64_t rng = 0x9E3779B97F4A7C15u;
static uint32_t rnd(uint32_t n)
{
    rng ^= rng << 13;
    rng ^= rng >> 7;
    rng ^= rng << 17;
    return (uint32_t)(rng % n);
}

#define NORG   5
#define NPAYER (NORG * 40)
#define NPAY   6000

static const struct report_org orgs[NORG] = {{"CHO1", "Chợ Bến Thành", "HCM"},
                                             {"CHO2", "Chợ Bình Tây", "HCM"},
                                             {"CHO3", "Chợ Đồng Xuân", "HN"},
                                             {"CHO4", "Chợ Tân Định", "HCM"},
                                             {"CHO5", "Chợ Hôm", "HN"}};
static struct report_payer gp[NPAYER];
static struct report_payment gpay[NPAY];
static const char *const gfees[3] = {"Phí chợ", "Điện", "Nước"};

struct naive {
    int64_t n, nc, v, vc, reg, paying, cashless, bank, standee, either;
};

/* Everything the straightforward way: scan all payments per question. */
static struct naive recount(const char *prov, int org, int fee, int32_t f,
                            int32_t t)
{
    struct naive x = {0};
    for (int i = 0; i < NPAY; i++) {
        const struct report_payment *p = &gpay[i];
        int o = (int)gp[p->payer].org;
        if ((org >= 0 && o != org) ||
            (org < 0 && prov && strcmp(orgs[o].province, prov) != 0))
            continue;
        if ((fee >= 0 && p->fee != fee) || p->day < f || p->day > t)
            continue;
        x.n++;
        x.v += p->amount;
        if (p->cashless) {
            x.nc++;
            x.vc += p->amount;
        }
    }
    for (int k = 0; k < NPAYER; k++) {
        int o = (int)gp[k].org;
        if ((org >= 0 && o != org) ||
            (org < 0 && prov && strcmp(orgs[o].province, prov) != 0))
            continue;
        x.reg++;
        x.bank += gp[k].bank_account;
        x.standee += gp[k].standee;
        x.either += gp[k].bank_account | gp[k].standee;
        int paid = 0, cl = 0;
        for (int i = 0; i < NPAY; i++)
            if (gpay[i].payer == (uint32_t)k && gpay[i].day >= f &&
                gpay[i].day <= t && (fee < 0 || gpay[i].fee == fee)) {
                paid = 1;
                cl |= gpay[i].cashless;
            }
        x.paying += paid;
        x.cashless += cl;
    }
    return x;
}

/* Per-mille by a different integer formula than the library's. */
static int32_t pm(int64_t a, int64_t b)
{
    return b ? (int32_t)((a * 2000 + b) / (2 * b)) : 0;
}

static void same(const struct report_adoption_totals *t, struct naive x)
{
    CHECK_INT(t->payments, x.n);
    CHECK_INT(t->payments_cashless, x.nc);
    CHECK_INT(t->value, x.v);
    CHECK_INT(t->value_cashless, x.vc);
    CHECK_INT(t->payers_registered, x.reg);
    CHECK_INT(t->payers_paying, x.paying);
    CHECK_INT(t->payers_cashless, x.cashless);
    CHECK_INT(t->with_bank_account, x.bank);
    CHECK_INT(t->with_standee, x.standee);
    CHECK_INT(t->with_either, x.either);
    CHECK_INT(t->share_count, pm(x.nc, x.n));
    CHECK_INT(t->share_value, pm(x.vc, x.v));
    CHECK_INT(t->share_payers, pm(x.cashless, x.paying));
    CHECK_INT(t->share_either, pm(x.either, x.reg));
}

static void test_generated(void)
{
    for (int k = 0; k < NPAYER; k++) {
        gp[k].org = (uint32_t)(k % NORG);
        gp[k].bank_account = rnd(3) == 0;
        gp[k].standee = rnd(4) == 0;
    }
    for (int i = 0; i < NPAY; i++) {
        gpay[i].payer = rnd(NPAYER);
        gpay[i].day = 20700 + (int32_t)rnd(120); /* Sept .. Dec 2026 */
        gpay[i].amount = 1000 * (1 + (int64_t)rnd(2000));
        gpay[i].fee = (uint16_t)rnd(3);
        /* Each org adopts at its own pace. */
        gpay[i].cashless = rnd(100) < 40 + 10 * gp[gpay[i].payer].org;
    }
    struct report_adoption_data d = {orgs, NORG, gp,    NPAYER,
                                     gpay, NPAY, gfees, 3};
    static const struct {
        const char *prov;
        int org, fee;
        int32_t f, t;
        enum report_bucket b;
    } qs[] = {
        {"HCM", -1, -1, 20758, 20787, REPORT_BUCKET_WEEK},
        {NULL, 2, 0, 20758, 20787, REPORT_BUCKET_DAY},
        {NULL, -1, -1, 20710, 20800, REPORT_BUCKET_MONTH},
        {"HN", -1, 2, 20773, 20779, REPORT_BUCKET_DAY},
        {"XX", -1, -1, 20773, 20779, REPORT_BUCKET_WEEK}, /* no orgs */
    };
    for (size_t n = 0; n < sizeof qs / sizeof qs[0]; n++) {
        struct report_adoption_query q = {qs[n].prov, qs[n].org, qs[n].fee,
                                          qs[n].f,    qs[n].t,   qs[n].b};
        struct report_adoption *a = NULL;
        int32_t len = qs[n].t - qs[n].f + 1;
        CHECK_INT(report_adoption(&d, &q, &a), 0);
        if (!a)
            continue;
        CHECK_INT(a->prev_to, qs[n].f - 1);
        CHECK_INT(a->prev_from, qs[n].f - len);
        same(&a->cur,
             recount(qs[n].prov, qs[n].org, qs[n].fee, qs[n].f, qs[n].t));
        same(&a->prev, recount(qs[n].prov, qs[n].org, qs[n].fee, qs[n].f - len,
                               qs[n].f - 1));
        CHECK_INT(a->change_share_count,
                  a->cur.share_count - a->prev.share_count);
        /* Per-organisation rows, each against its own recount. */
        for (size_t r = 0; r < a->n_orgs; r++)
            same(&a->orgs[r].cur, recount(NULL, (int)a->orgs[r].org, qs[n].fee,
                                          qs[n].f, qs[n].t));
        /* The trend covers the range without gaps; each bucket matches a
         * recount over its days, and never straddles a week/month. */
        int32_t next = qs[n].f;
        int64_t total = 0;
        for (size_t i = 0; i < a->n_trend; i++) {
            const struct report_adoption_point *p = &a->trend[i];
            CHECK_INT(p->from, next);
            next = p->to + 1;
            struct naive x =
                recount(qs[n].prov, qs[n].org, qs[n].fee, p->from, p->to);
            CHECK_INT(p->payments, x.n);
            CHECK_INT(p->value_cashless, x.vc);
            CHECK_INT(p->share_count, pm(x.nc, x.n));
            total += p->payments;
            if (qs[n].b == REPORT_BUCKET_DAY)
                CHECK_INT(p->to, p->from);
            if (qs[n].b == REPORT_BUCKET_WEEK) {
                CHECK(p->to - p->from <= 6);
                CHECK(i == 0 || report_weekday(p->from) == 0);
                CHECK(p->to == qs[n].t || report_weekday(p->to) == 6);
            }
            if (qs[n].b == REPORT_BUCKET_MONTH) {
                char a1[11], a2[11];
                report_day_format(p->from, a1);
                report_day_format(p->to, a2);
                CHECK(memcmp(a1, a2, 7) == 0);
                CHECK(i == 0 || strcmp(a1 + 8, "01") == 0);
            }
        }
        CHECK_INT(next, qs[n].t + 1);
        CHECK_INT(total, a->cur.payments);
        if (qs[n].prov && strcmp(qs[n].prov, "XX") == 0) {
            CHECK_INT(a->n_orgs, 0);
            CHECK_INT(a->cur.share_count, 0);
        }
        json_t *j = report_adoption_json(a, &d);
        CHECK(j != NULL);
        json_decref(j);
        char *csv = NULL;
        size_t clen;
        CHECK_INT(report_adoption_csv(a, &d, NULL, &csv, &clen), 0);
        free(csv);
        report_adoption_free(a);
    }
    /* Refused: bad indices, range, fee. */
    struct report_adoption *a = NULL;
    struct report_adoption_query q = {NULL,  -1,    -1,
                                      20787, 20758, REPORT_BUCKET_DAY};
    CHECK_INT(report_adoption(&d, &q, &a), REPORT_E_ARG);
    q.from = 20000;
    q.to = 20000 + 3660;
    CHECK_INT(report_adoption(&d, &q, &a), REPORT_E_ARG);
    q.to = 20010;
    q.fee = 3;
    CHECK_INT(report_adoption(&d, &q, &a), REPORT_E_ARG);
    q.fee = -1;
    q.org = NORG;
    CHECK_INT(report_adoption(&d, &q, &a), REPORT_E_ARG);
    q.org = -1;
    gpay[7].payer = NPAYER;
    CHECK_INT(report_adoption(&d, &q, &a), REPORT_E_ARG);
    gpay[7].payer = 0;
    gpay[7].amount = 0;
    CHECK_INT(report_adoption(&d, &q, &a), REPORT_E_AMOUNT);
    CHECK(a == NULL);
    report_adoption_free(NULL);
}

/* CSV quoting rules on text that needs them. */
static void test_csv_quoting(void)
{
    struct report_org o[1] = {
        {"=HYPERLINK(\"x\")", "Chợ \"Lớn\", Q5", "HCM\r\nX"}};
    struct report_payer p[1] = {{0, 1, 0}};
    const char *fees[1] = {"Phí"};
    struct report_adoption_data d = {o, 1, p, 1, NULL, 0, fees, 1};
    struct report_adoption_query q = {NULL, -1, -1, D, D, REPORT_BUCKET_DAY};
    struct report_adoption *a = NULL;
    char *csv = NULL;
    size_t len;

    CHECK_INT(report_adoption(&d, &q, &a), 0);
    CHECK_INT(report_adoption_csv(a, &d, NULL, &csv, &len), 0);
    CHECK(csv && strstr(csv, "\"'=HYPERLINK(\"\"x\"\")\",\"Chợ \"\"Lớn\"\", "
                             "Q5\",\"HCM\r\nX\",0,0,") != NULL);
    free(csv);
    report_adoption_free(a);
}

/* One text cell written alone, without the BOM and the CRLF. */
static char *one_cell(const char *text)
{
    struct csv c;
    char *out = NULL, *cell = NULL;
    size_t len = 0;

    csv_begin(&c, NULL);
    csv_text(&c, text);
    csv_end_row(&c);
    if (csv_finish(&c, &out, &len) != 0 || len < 5)
        return out;
    cell = strndup(out + 3, len - 5);
    free(out);
    return cell;
}

/* Cells a spreadsheet would run as a formula get the apostrophe guard,
 * whatever white space or control characters come first. */
static void test_csv_formula_guard(void)
{
    static const char *const cases[][2] = {
        {"=1+1", "\"'=1+1\""},
        {"\t=1+1", "\"'\t=1+1\""},
        {"\r=1+1", "\"'\r=1+1\""},
        {"\t+1", "\"'\t+1\""},
        {"\r-1", "\"'\r-1\""},
        {" @SUM(A1)", "\"' @SUM(A1)\""},
        {"\n\t=cmd", "\"'\n\t=cmd\""},
        {"\x01\x1f\x7f+1", "\"'\x01\x1f\x7f+1\""},
        {"\tplain", "\"'\tplain\""},
        {"\rplain", "\"'\rplain\""},
        {"plain", "plain"},
        {" plain", " plain"},
        {"a=1", "a=1"},
        {"", ""},
    };
    size_t i;

    for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        char *got = one_cell(cases[i][0]);

        CHECK(got != NULL && strcmp(got, cases[i][1]) == 0);
        if (got == NULL || strcmp(got, cases[i][1]) != 0)
            fprintf(stderr, "  cell %zu: got [%s]\n", i, got ? got : "?");
        free(got);
    }
}

/*
 * The day after a close: late transactions count in the
 * day's figures by state but not in its proof (they moved an earlier
 * day's balance), and the corrections dated that day are listed and
 * summed. Figures worked by hand.
 */
static void test_corrections(void)
{
    static const struct report_bank_txn b[] = {
        {"T1", 100000, REPORT_MATCHED_EXACT, 0},
        {"L1", 40000, REPORT_MATCHED_EXACT, 1},
        {"L2", 15000, REPORT_UNMATCHED, 1},
        {"L3", 7000, REPORT_DEBIT, 1},
    };
    static const struct report_ledger_entry l[] = {{"T1", 100000, 0},
                                                   {"L1", 40000, 1}};
    static const struct report_correction k[] = {
        {"1", "late_credit", D - 1, "bank:5", 40000, "A", ""},
        {"2", "late_credit", D - 1, "bank:6", 15000, "", ""},
        {"3", "late_debit", D - 1, "bank:7", -7000, "", ""},
        {"4", "cash", D - 2, "payment:9", 20000, "B", "thu hộ"},
        {"5", "unmatch", D - 1, "bank:3", -30000, "C", "khách chuyển nhầm"},
        {"6", "ignore", D - 1, "bank:4", 0, "", "phí"},
    };
    struct report_daily_input in;
    struct report_daily *r = NULL;

    memset(&in, 0, sizeof in);
    in.org = "CHOBT";
    in.day = D;
    in.bank = b;
    in.n_bank = 4;
    in.ledger = l;
    in.n_ledger = 2;
    in.corrections = k;
    in.n_corrections = 6;
    in.balance_source = REPORT_BALANCE_PROVIDER;
    in.bank_opening = 500000;
    in.bank_closing = 600000;
    CHECK_INT(report_daily(&in, &r), 0);
    if (!r)
        return;
    /* T1, L1, L2 received (L3 is a debit); of them L1 and L2 late */
    CHECK_INT(r->received.count, 3);
    CHECK_INT(r->received.amount, 155000);
    CHECK_INT(r->late.count, 2);
    CHECK_INT(r->late.amount, 55000);
    CHECK_INT(r->by_state[REPORT_MATCHED_EXACT].count, 2);
    CHECK_INT(r->by_state[REPORT_MATCHED_EXACT].amount, 140000);
    CHECK_INT(r->by_state[REPORT_DEBIT].amount, 7000);
    /* the proof is the day's own: T1 against its balance movement */
    CHECK_INT(r->txn_movement, 100000);
    CHECK_INT(r->ledger_movement, 100000);
    CHECK_INT(r->bank_movement, 100000);
    CHECK_INT(r->difference, 0);
    CHECK_INT(r->n_diffs, 0);
    CHECK_INT(r->balanced, 1);
    /* 40000 + 15000 - 7000 + 20000 - 30000 + 0 */
    CHECK_INT(r->corrections.count, 6);
    CHECK_INT(r->corrections.amount, 38000);

    json_t *j = report_daily_json(r);
    char *s = report_json_dump(j);
    CHECK(s && strstr(s, "\"received_amount\":155000,\"late_count\":2,"
                         "\"late_amount\":55000,") != NULL);
    CHECK(s && strstr(s, "\"corrections\":{\"count\":6,\"amount\":38000,"
                         "\"items\":[{\"id\":\"1\",\"kind\":\"late_credit\","
                         "\"corrects_date\":\"2026-11-21\",\"corrects\":"
                         "\"bank:5\",\"amount\":40000,\"payer\":\"A\","
                         "\"reason\":\"\"},") != NULL);
    CHECK(s &&
          strstr(s, "{\"id\":\"4\",\"kind\":\"cash\",\"corrects_date\":"
                    "\"2026-11-20\",\"corrects\":\"payment:9\",\"amount\":"
                    "20000,\"payer\":\"B\",\"reason\":\"thu hộ\"}") != NULL);
    CHECK(s && strstr(s, "\"balance_source\":\"provider\"") != NULL);
    free(s);
    json_decref(j);

    char *csv = NULL;
    size_t len = 0;
    CHECK_INT(report_daily_csv(r, NULL, &csv, &len), 0);
    CHECK(csv && strstr(csv, "late,Trong đó: báo muộn cho ngày đã chốt,2,"
                             "55000\r\n") != NULL);
    CHECK(csv && strstr(csv, "corrections,Bút toán điều chỉnh ngày đã chốt,"
                             "6,38000\r\n") != NULL);
    CHECK(csv && strstr(csv, "\r\n5,Hủy khớp sau khi chốt,2026-11-21,"
                             "bank:3,-30000,C,khách chuyển nhầm\r\n") != NULL);
    CHECK(csv && strstr(csv, "\r\n3,Tiền ra báo muộn,2026-11-21,bank:7,"
                             "-7000,,\r\n") != NULL);
    free(csv);
    report_daily_free(r);

    /* a correction out of range, or without its fields */
    struct report_correction bad = {
        "9", "cash", D - 1, "payment:1", 1000000000000001, "", ""};
    in.corrections = &bad;
    in.n_corrections = 1;
    r = NULL;
    CHECK_INT(report_daily(&in, &r), REPORT_E_AMOUNT);
    CHECK(r == NULL);
    bad.amount = 1;
    bad.kind = NULL;
    CHECK_INT(report_daily(&in, &r), REPORT_E_ARG);
    in.corrections = NULL;
    CHECK_INT(report_daily(&in, &r), REPORT_E_ARG);
}

/*
 * The provider's running balance as the bank-side proof: SePay's
 * `accumulated` after each transfer, given out of order, with a transfer
 * the feed missed (+50.000 before the 09:00 debit) that shows as
 * unexplained.
 */
static void test_provider_balance(void)
{
    static const struct report_balance_point p[] = {
        {"2026-11-22T09:00:00+07:00", 3, 20000, 1165000},
        {"2026-11-22T08:00:00+07:00", 1, 100000, 1100000},
        {"2026-11-22T09:00:00+07:00", 2, -5000, 1145000},
    };
    static const struct report_bank_txn b[] = {
        {"T1", 100000, REPORT_MATCHED_EXACT, 0},
        {"T2", 5000, REPORT_DEBIT, 0},
        {"T3", 20000, REPORT_MATCHED_EXACT, 0},
    };
    static const struct report_ledger_entry l[] = {
        {"T1", 100000, 0}, {"T2", -5000, 0}, {"T3", 20000, 0}};
    int64_t open = -1, close = -1;
    struct report_daily_input in;
    struct report_daily *r = NULL;

    CHECK_INT(report_provider_balance(p, 3, &open, &close), 0);
    CHECK_INT(open, 1000000); /* 1.100.000 before the first +100.000 */
    CHECK_INT(close, 1165000);
    /* a first debit: the balance before it was higher */
    CHECK_INT(report_provider_balance(p + 2, 1, &open, &close), 0);
    CHECK_INT(open, 1150000);
    CHECK_INT(close, 1145000);
    memset(&in, 0, sizeof in);
    in.org = "CHOBT";
    in.day = D;
    in.bank = b;
    in.n_bank = 3;
    in.ledger = l;
    in.n_ledger = 3;
    in.balance_source = REPORT_BALANCE_PROVIDER;
    CHECK_INT(report_provider_balance(p, 3, &in.bank_opening, &in.bank_closing),
              0);
    CHECK_INT(report_daily(&in, &r), 0);
    if (r) {
        CHECK_INT(r->bank_movement, 165000);
        CHECK_INT(r->txn_movement, 115000);
        CHECK_INT(r->ledger_movement, 115000);
        CHECK_INT(r->difference, 50000);
        CHECK_INT(r->explained, 0);
        CHECK_INT(r->unexplained, 50000);
        CHECK_INT(r->balanced, 0);
    }
    report_daily_free(r);
    /* a statement with dates only, newest first: the balances give the
       order (100.000 in, 5.000 out, 20.000 in, from 1.000.000) */
    static const struct report_balance_point dated[] = {
        {"", 1, 20000, 1115000},
        {"", 2, -5000, 1095000},
        {"", 3, 100000, 1100000},
    };
    CHECK_INT(report_provider_balance(dated, 3, &open, &close), 0);
    CHECK_INT(open, 1000000);
    CHECK_INT(close, 1115000);
    /* bad input: outputs untouched */
    open = close = 7;
    CHECK_INT(report_provider_balance(p, 0, &open, &close), REPORT_E_ARG);
    CHECK_INT(report_provider_balance(NULL, 1, &open, &close), REPORT_E_ARG);
    struct report_balance_point q = {NULL, 1, 1, 1};
    CHECK_INT(report_provider_balance(&q, 1, &open, &close), REPORT_E_ARG);
    q.at = "x";
    q.balance = 1000000000000001;
    CHECK_INT(report_provider_balance(&q, 1, &open, &close), REPORT_E_AMOUNT);
    q.balance = -1000000000000000;
    q.amount = 1;
    CHECK_INT(report_provider_balance(&q, 1, &open, &close), REPORT_E_OVERFLOW);
    CHECK_INT(open, 7);
    CHECK_INT(close, 7);
}

/*
 * The day's takings: sums by method, by kiosk (ids in order, no kiosk
 * last) and by collector at each kiosk; the credit created; the daily
 * report carries them with the refunds and what is under review.
 */
static void test_takings(void)
{
    const struct report_taking p[] = {
        {1, 300000, 0, 7, "Cổng", "Hoa"}, {0, 500000, 0, 7, "Cổng", ""},
        {1, 200000, 0, 3, "Sau", "Nam"},  {1, 100000, 0, 7, "Cổng", "Hoa"},
        {0, 650000, 150000, 0, "", ""},   {1, 40000, 0, 3, "Sau", "Hoa"},
    };
    const struct report_refund f[] = {{"A-4", 50000}};
    const struct report_bank_txn b[] = {{"T1", 77000, REPORT_UNMATCHED, 0}};
    struct report_daily_input in;
    struct report_takings t;
    struct report_taking bad = {0, 1000, 1001, 0, "", ""};
    struct report_daily *r = NULL;
    json_t *j;

    CHECK_INT(report_takings(p, 6, &t), 0);
    CHECK_INT(t.cash.count, 4);
    CHECK_INT(t.cash.amount, 640000);
    CHECK_INT(t.transfer.count, 2);
    CHECK_INT(t.transfer.amount, 1150000);
    CHECK_INT(t.total, 1790000);
    CHECK_INT(t.credit_created.count, 1);
    CHECK_INT(t.credit_created.amount, 150000);
    CHECK_INT(t.n_kiosks, 3);
    CHECK_INT(t.kiosks[0].kiosk, 3);
    CHECK_INT(t.kiosks[1].kiosk, 7);
    CHECK_INT(t.kiosks[1].cash.amount, 400000);
    CHECK_INT(t.kiosks[1].transfer.amount, 500000);
    CHECK_INT(t.kiosks[2].kiosk, 0);
    CHECK_INT(t.n_collectors, 3);
    CHECK_STR(t.collectors[0].collector, "Hoa");
    CHECK_INT(t.collectors[0].kiosk, 3);
    CHECK_INT(t.collectors[1].kiosk, 7);
    CHECK_INT(t.collectors[1].cash.count, 2);
    CHECK_INT(t.collectors[1].cash.amount, 400000);
    CHECK_STR(t.collectors[2].collector, "Nam");
    j = report_takings_json(&t);
    CHECK(json_is_null(json_object_get(
        json_array_get(json_object_get(j, "by_kiosk"), 2), "kiosk")));
    json_decref(j);
    report_takings_clear(&t);
    report_takings_clear(NULL);
    CHECK_INT(report_takings(&bad, 1, &t), REPORT_E_AMOUNT);
    CHECK_INT(report_takings(NULL, 1, &t), REPORT_E_ARG);

    memset(&in, 0, sizeof(in));
    in.org = "CHOBT";
    in.day = D;
    in.takings = p;
    in.n_takings = 6;
    in.refunds = f;
    in.n_refunds = 1;
    in.bank = b;
    in.n_bank = 1;
    CHECK_INT(report_daily(&in, &r), 0);
    if (r) {
        char *csv = NULL;
        size_t len = 0;

        CHECK_INT(r->takings.total, 1790000);
        CHECK_INT(r->refunds.amount, 50000);
        CHECK_INT(r->unresolved.count, 1);
        CHECK_INT(r->unresolved.amount, 77000);
        j = report_daily_json(r);
        CHECK_INT(json_integer_value(json_object_get(
                      json_object_get(json_object_get(j, "takings"), "cash"),
                      "amount")),
                  640000);
        json_decref(j);
        CHECK_INT(report_daily_csv(r, NULL, &csv, &len), 0);
        CHECK(csv && strstr(csv, "takings_cash,Thu tiền mặt,4,640000\r\n"));
        CHECK(csv && strstr(csv, "Hoa,7,Cổng,2,400000\r\n"));
        free(csv);
    }
    report_daily_free(r);
}

int main(void)
{
    test_days();
    test_permille();
    test_daily();
    test_946();
    test_generated();
    test_csv_quoting();
    test_csv_formula_guard();
    test_corrections();
    test_provider_balance();
    test_takings();
    return TEST_END();
}
