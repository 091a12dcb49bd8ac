/*
 * bench_feeds.c: speed of the bank feed parsers. Webhooks: verify + parse
 * per second for each provider, with p50/p99 latency. Statements: a
 * generated 1,000,000-entry camt.053 streamed through the parser (never
 * held in memory), a 1,000,000-entry MT940 and a 100,000-row CSV, in
 * entries per second, with the peak RSS after each.
 */
#define _POSIX_C_SOURCE 200809L
#include "crypto.h"
#include "feeds.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>

#define WEBHOOK_RUNS 20000
#define STMT_ENTRIES 1000000L
#define CSV_ROWS     100000L

static double now_s(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static long peak_rss_kb(void)
{
    struct rusage ru;

    getrusage(RUSAGE_SELF, &ru);
    return ru.ru_maxrss;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;

    return x < y ? -1 : x > y;
}

static void hexmac256(const char *key, const char *msg, size_t len,
                      char out[65])
{
    uint8_t mac[CRYPTO_SHA256_LEN];

    crypto_hmac_sha256(key, strlen(key), msg, len, mac);
    crypto_hex(mac, sizeof mac, out);
}

/* Sign "<ts>.<body>" with HMAC-SHA256 into "sha256=<hex>". */
static void sign_ts(const char *key, const char *ts, const char *body,
                    char out[80])
{
    size_t tl = strlen(ts), bl = strlen(body);
    char *msg = malloc(tl + 1 + bl);
    char hex[65];

    memcpy(msg, ts, tl);
    msg[tl] = '.';
    memcpy(msg + tl + 1, body, bl);
    hexmac256(key, msg, tl + 1 + bl, hex);
    snprintf(out, 80, "sha256=%s", hex);
    free(msg);
}

typedef int (*verify_fn)(const struct feeds_request *,
                         const struct feeds_secret *, int64_t,
                         struct feeds_error *);
typedef int (*parse_fn)(const char *, size_t, struct bank_txn_list *,
                        struct feeds_error *);

static int bench_webhook(const char *name, verify_fn verify, parse_fn parse,
                         const struct feeds_request *r,
                         const struct feeds_secret *s, int64_t now)
{
    double *lat = malloc(WEBHOOK_RUNS * sizeof *lat), t0, total;
    struct feeds_error e;
    int i;

    for (i = 0; i < WEBHOOK_RUNS; i++) {
        struct bank_txn_list l = {0};
        double a = now_s();

        if (verify(r, s, now, &e) || parse(r->body, r->len, &l, &e) ||
            l.n < 1) {
            fprintf(stderr, "%s: %s\n", name, e.message);
            free(lat);
            return -1;
        }
        feeds_list_free(&l);
        lat[i] = now_s() - a;
    }
    t0 = 0;
    for (i = 0; i < WEBHOOK_RUNS; i++)
        t0 += lat[i];
    total = t0;
    qsort(lat, WEBHOOK_RUNS, sizeof *lat, cmp_double);
    printf("webhook %-8s %8.0f verify+parse/s  p50 %6.1f us  p99 %6.1f us  "
           "(%d runs)\n",
           name, WEBHOOK_RUNS / total, lat[WEBHOOK_RUNS / 2] * 1e6,
           lat[WEBHOOK_RUNS * 99 / 100] * 1e6, WEBHOOK_RUNS);
    free(lat);
    return 0;
}

static int bench_webhooks(void)
{
    const int64_t now = 1795338942;
    const char *ts = "1795338942";
    char sig[80], casso_hdr[200], hex[2 * CRYPTO_SHA512_LEN + 1];
    int rc = 0;

    /* SePay, HMAC-signed */
    {
        const char *body =
            "{\"id\":4812301,\"gateway\":\"MBBank\",\"transactionDate\":"
            "\"2026-11-22 08:15:42\",\"accountNumber\":\"0901234567\","
            "\"code\":\"CP282HYKN2\",\"content\":\"NGUYEN THI DAO chuyen "
            "tien CP282HYKN2 hoc phi thang 11\",\"transferType\":\"in\","
            "\"transferAmount\":1250000,\"accumulated\":48250000,"
            "\"subAccount\":null,\"referenceCode\":\"FT26326912345678\","
            "\"description\":\"BankAPINotify NGUYEN THI DAO\"}";
        struct feeds_header h[2] = {{"X-SePay-Timestamp", ts},
                                    {"X-SePay-Signature", sig}};
        struct feeds_request r = {body, strlen(body), h, 2};
        struct feeds_secret s = {NULL, "sepay-secret"};

        sign_ts("sepay-secret", ts, body, sig);
        rc |= bench_webhook("sepay", feeds_verify_sepay, feeds_parse_sepay, &r,
                            &s, now);
    }
    /* Casso V2: canonical JSON + HMAC-SHA512 */
    {
        const char *body =
            "{\"error\":0,\"data\":{\"id\":9134457,\"reference\":"
            "\"FT26326000111222\",\"description\":\"Lê Thị Hồng Nhung "
            "chuyển tiền CP2X4FX95E phí ki-ốt A/12\",\"amount\":500000,"
            "\"runningBalance\":12500000,\"transactionDateTime\":"
            "\"2026-11-22 10:30:00\",\"accountNumber\":\"0011001234567\","
            "\"bankName\":\"Vietcombank\",\"bankAbbreviation\":\"VCB\","
            "\"counterAccountName\":\"LE THI HONG NHUNG\"}}";
        char *canon = feeds_casso_canonical(body, strlen(body), 0);
        const char *t = "1795338942000";
        size_t cl = strlen(canon);
        char *msg = malloc(cl + 20);
        uint8_t mac[CRYPTO_SHA512_LEN];
        struct feeds_header h[1] = {{"X-Casso-Signature", casso_hdr}};
        struct feeds_request r = {body, strlen(body), h, 1};
        struct feeds_secret s = {NULL, "casso-key"};
        int n = snprintf(msg, cl + 20, "%s.%s", t, canon);

        crypto_hmac_sha512("casso-key", 9, msg, (size_t)n, mac);
        crypto_hex(mac, sizeof mac, hex);
        snprintf(casso_hdr, sizeof casso_hdr, "t=%s,v1=%s", t, hex);
        rc |= bench_webhook("casso", feeds_verify_casso, feeds_parse_casso, &r,
                            &s, now);
        free(msg);
        free(canon);
    }
    /* payOS: signature over the sorted data query string */
    {
        const char *data =
            "{\"orderCode\":2611220042,\"amount\":750000,\"description\":"
            "\"CP2F9BH7KE Phí điện tháng 11\",\"accountNumber\":"
            "\"3880123456\",\"reference\":\"FT26326778899\","
            "\"transactionDateTime\":\"2026-11-22 12:05:33\",\"currency\":"
            "\"VND\",\"paymentLinkId\":\"4b1a7c2e\",\"code\":\"00\","
            "\"desc\":\"Thành công\",\"counterAccountName\":null}";
        char *q = feeds_payos_canonical(data, strlen(data));
        char body[1024], h256[65];
        struct feeds_request r;
        struct feeds_secret s = {NULL, "payos-key"};

        hexmac256("payos-key", q, strlen(q), h256);
        snprintf(body, sizeof body,
                 "{\"code\":\"00\",\"desc\":\"success\",\"success\":true,"
                 "\"data\":%s,\"signature\":\"%s\"}",
                 data, h256);
        r.body = body;
        r.len = strlen(body);
        r.headers = NULL;
        r.nheaders = 0;
        rc |= bench_webhook("payos", feeds_verify_payos, feeds_parse_payos, &r,
                            &s, now);
        free(q);
    }
    /* generic */
    {
        const char *body =
            "{\"id\":\"ACB-20261122-000187\",\"account\":\"218756789\","
            "\"reference\":\"ACB.FT2632600187\",\"direction\":\"credit\","
            "\"amount\":2400000,\"currency\":\"VND\",\"booked_at\":"
            "\"2026-11-22T08:15:00+07:00\",\"description\":\"Đỗ Minh Khôi "
            "chuyển khoản CP29VRA3HR\"}";
        struct feeds_header h[2] = {{"X-Chopay-Timestamp", ts},
                                    {"X-Chopay-Signature", sig}};
        struct feeds_request r = {body, strlen(body), h, 2};
        struct feeds_secret s = {NULL, "generic-secret"};

        sign_ts("generic-secret", ts, body, sig);
        rc |= bench_webhook("generic", feeds_verify_generic,
                            feeds_parse_generic, &r, &s, now);
    }
    return rc;
}

/* ---- a 1,000,000-entry camt.053, generated while it is read ----------- */

static int64_t entry_amount(long i)
{
    return 10000 + (int64_t)(i % 997) * 1000;
}

static int entry_credit(long i)
{
    return i % 10 != 0;
}

struct gen {
    long i, n;
    int stage; /* 0 header, 1 entries, 2 trailer, 3 done */
    char pending[2048];
    size_t plen, ppos;
    int64_t closing;
};

static void gen_fill(struct gen *g)
{
    int k = 0;

    if (g->stage == 0) {
        k = snprintf(g->pending, sizeof g->pending,
                     "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
                     "<Document xmlns=\"urn:iso:std:iso:20022:tech:xsd:"
                     "camt.053.001.08\"><BkToCstmrStmt><GrpHdr><MsgId>B"
                     "</MsgId></GrpHdr><Stmt><Id>BENCH</Id><Acct><Id><Othr>"
                     "<Id>0011001234567</Id></Othr></Id><Ccy>VND</Ccy>"
                     "</Acct>\n<Bal><Tp><CdOrPrtry><Cd>OPBD</Cd></CdOrPrtry>"
                     "</Tp><Amt Ccy=\"VND\">1000000000</Amt><CdtDbtInd>CRDT"
                     "</CdtDbtInd><Dt><Dt>2026-11-21</Dt></Dt></Bal>\n"
                     "<Bal><Tp><CdOrPrtry><Cd>CLBD</Cd></CdOrPrtry></Tp>"
                     "<Amt Ccy=\"VND\">%" PRId64 "</Amt><CdtDbtInd>CRDT"
                     "</CdtDbtInd><Dt><Dt>2026-11-22</Dt></Dt></Bal>\n",
                     g->closing);
        g->stage = 1;
    } else if (g->stage == 1 && g->i < g->n) {
        long i = g->i++;

        k = snprintf(g->pending, sizeof g->pending,
                     "<Ntry><Amt Ccy=\"VND\">%" PRId64 "</Amt><CdtDbtInd>%s"
                     "</CdtDbtInd><Sts><Cd>BOOK</Cd></Sts><BookgDt><Dt>"
                     "2026-11-22</Dt></BookgDt><AcctSvcrRef>FT%010ld"
                     "</AcctSvcrRef><NtryDtls><TxDtls><RltdPties><Dbtr><Pty>"
                     "<Nm>Nguyễn Thị Đào</Nm></Pty></Dbtr></RltdPties>"
                     "<RmtInf><Ustrd>NGUYEN THI DAO chuyen tien CP282HYKN2 "
                     "hoc phi %ld</Ustrd></RmtInf></TxDtls></NtryDtls>"
                     "</Ntry>\n",
                     entry_amount(i), entry_credit(i) ? "CRDT" : "DBIT", i, i);
    } else if (g->stage == 1) {
        k = snprintf(g->pending, sizeof g->pending,
                     "</Stmt></BkToCstmrStmt></Document>\n");
        g->stage = 3;
    }
    g->plen = k > 0 ? (size_t)k : 0;
    g->ppos = 0;
}

static int gen_read(void *ctx, char *buf, int cap)
{
    struct gen *g = ctx;
    int out = 0;

    while (out < cap) {
        size_t n;

        if (g->ppos == g->plen) {
            if (g->stage == 3)
                break;
            gen_fill(g);
            if (g->plen == 0)
                break;
        }
        n = g->plen - g->ppos;
        if (n > (size_t)(cap - out))
            n = (size_t)(cap - out);
        memcpy(buf + out, g->pending + g->ppos, n);
        g->ppos += n;
        out += (int)n;
    }
    return out;
}

struct tally {
    long txns, stmts;
    int64_t net;
    int check;
};

static int tally_txn(void *ctx, const struct bank_txn *t)
{
    struct tally *y = ctx;

    y->txns++;
    y->net += t->direction == FEEDS_CREDIT ? t->amount : -t->amount;
    return 0;
}

static int tally_stmt(void *ctx, const struct feeds_statement *s)
{
    struct tally *y = ctx;

    y->stmts++;
    y->check = s->check;
    return 0;
}

static int bench_camt(void)
{
    struct gen g;
    struct tally y = {0, 0, 0, 0};
    struct feeds_sink sink = {tally_txn, tally_stmt, &y};
    struct feeds_error e;
    double t0, dt;
    long i;
    int rc;

    memset(&g, 0, sizeof g);
    g.n = STMT_ENTRIES;
    g.closing = 1000000000;
    for (i = 0; i < g.n; i++)
        g.closing += entry_credit(i) ? entry_amount(i) : -entry_amount(i);
    t0 = now_s();
    rc = feeds_parse_camt_stream(gen_read, &g, &sink, &e);
    dt = now_s() - t0;
    if (rc || y.txns != STMT_ENTRIES || y.check != FEEDS_BAL_OK) {
        fprintf(stderr, "camt: rc %d (%s) txns %ld check %d\n", rc, e.message,
                y.txns, y.check);
        return -1;
    }
    printf("camt.053 %ld entries streamed in %.2f s: %.0f entries/s, "
           "balance OK, peak RSS %ld KiB\n",
           y.txns, dt, y.txns / dt, peak_rss_kb());
    return 0;
}

static int bench_mt940(void)
{
    size_t cap = (size_t)STMT_ENTRIES * 140 + 4096, n = 0;
    char *buf = malloc(cap);
    struct tally y = {0, 0, 0, 0};
    struct feeds_sink sink = {tally_txn, tally_stmt, &y};
    struct feeds_error e;
    int64_t bal = 100000000;
    double t0, dt;
    long i;
    int rc;

    n += (size_t)snprintf(buf + n, cap - n,
                          ":20:BENCH\r\n:25:0011001234567\r\n:28C:1/1\r\n"
                          ":60F:C261121VND%" PRId64 ",\r\n",
                          bal);
    for (i = 0; i < STMT_ENTRIES; i++) {
        int cr = entry_credit(i);

        bal += cr ? entry_amount(i) : -entry_amount(i);
        n += (size_t)snprintf(buf + n, cap - n,
                              ":61:2611221122%c%" PRId64
                              ",NTRFNONREF//FT%010ld\r\n:86:NGUYEN THI DAO "
                              "chuyen tien CP282HYKN2 %ld\r\n",
                              cr ? 'C' : 'D', entry_amount(i), i, i);
    }
    n += (size_t)snprintf(buf + n, cap - n, ":62F:C261122VND%" PRId64 ",\r\n",
                          bal);
    t0 = now_s();
    rc = feeds_parse_mt940_sink(buf, n, &sink, &e);
    dt = now_s() - t0;
    free(buf);
    if (rc || y.txns != STMT_ENTRIES || y.check != FEEDS_BAL_OK) {
        fprintf(stderr, "mt940: rc %d (%s)\n", rc, e.message);
        return -1;
    }
    printf("mt940    %ld entries (%.0f MB in memory) in %.2f s: %.0f "
           "entries/s, balance OK, peak RSS %ld KiB\n",
           y.txns, n / 1e6, dt, y.txns / dt, peak_rss_kb());
    return 0;
}

static int bench_csv(void)
{
    size_t cap = (size_t)CSV_ROWS * 120 + 4096, n = 0;
    char *buf = malloc(cap);
    struct bank_txn_list l = {0};
    struct feeds_error e;
    int64_t bal = 100000000;
    double t0, dt;
    long i;
    int rc;

    n += (size_t)snprintf(buf + n, cap - n,
                          "\xEF\xBB\xBFNgày giao dịch,Số bút toán,Số tiền "
                          "ghi nợ,Số tiền ghi có,Số dư,Nội dung\r\n");
    for (i = 0; i < CSV_ROWS; i++) {
        int cr = entry_credit(i);

        bal += cr ? entry_amount(i) : -entry_amount(i);
        char amt[32];

        snprintf(amt, sizeof amt, "%" PRId64, entry_amount(i));
        n += (size_t)snprintf(buf + n, cap - n,
                              "22/11/2026,FT%010ld,%s,%s,%" PRId64
                              ",\"Nộp phí, CP282HYKN2 %ld\"\r\n",
                              i, cr ? "" : amt, cr ? amt : "", bal, i);
    }
    t0 = now_s();
    rc = feeds_parse_csv(buf, n, NULL, &l, &e);
    dt = now_s() - t0;
    free(buf);
    if (rc || l.n != (size_t)CSV_ROWS || l.stmts[0].check != FEEDS_BAL_OK) {
        fprintf(stderr, "csv: rc %d line %ld (%s)\n", rc, e.line, e.message);
        feeds_list_free(&l);
        return -1;
    }
    printf("csv      %ld rows in %.2f s: %.0f rows/s, balance OK, peak RSS "
           "%ld KiB (rows are kept: %zu bytes each)\n",
           CSV_ROWS, dt, CSV_ROWS / dt, peak_rss_kb(), sizeof(struct bank_txn));
    feeds_list_free(&l);
    return 0;
}

int main(void)
{
    int rc = 0;

    rc |= bench_webhooks();
    rc |= bench_camt();
    rc |= bench_mt940();
    rc |= bench_csv();
    return rc ? 1 : 0;
}
