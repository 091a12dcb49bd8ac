/*
 * test_feeds_robust.c: the feed parsers against broken input. Every
 * truncation of every sample statement and webhook body, and thousands of
 * seeded random mutations: no crash (run under ASan/UBSan), a failure
 * leaves the output list untouched, and a truncated camt or enveloped
 * MT940 file is always rejected. Also the streaming camt reader.
 */
#include "feeds.h"
#include "feeds_test.h"
#include "harness.h"

static const char *const statements[] = {
    "samples/genkgo-camt053.v2.minimal.xml",
    "samples/genkgo-camt053.v2.multi.statement.xml",
    "samples/genkgo-camt053.v8.xml",
    "samples/genkgo-camt054.v2.xml",
    "samples/genkgo-camt054.v8.xml",
    "vnd-camt053-v8.xml",
    "samples/mt940js-test1.mt940",
    "samples/mt940js-testX.mt940",
    "samples/mt940js-test-with-NS.mt940",
    "samples/centrapay-test1.mt942",
    "vnd.mt940",
    "vnd-envelope-lines.mt940",
    "vnd-soh-etx.mt940",
    "vnd-soh-etx-plain.mt940",
    "vnd-header-lines.mt940",
    "vnd-rabobank-style.mt940",
    "corpus/jejik-ing-dos.mt940",
    "corpus/jejik-postfinance.mt940",
    "corpus/jejik-rabobank.mt940",
    "corpus/mt940py-mbank.mt940",
    "corpus/mt940py-ing-headers.mt940",
    "corpus/mt940rs-danskebank-fi.mt940",
    "corpus/zilverline-two-accounts.mt940",
    "corpus/camtparser-054.xml",
    "corpus/genkgo-camt052.v8.xml",
    "vnd-vcb-export.csv",
    "vnd-semicolon.csv",
};

static const char *const webhooks[] = {
    "sepay-webhook.json",        "sepay-bankhub.json", "casso-v2.json",
    "payos-webhook-signed.json", "generic.json",       "generic-batch.json",
};

static uint32_t rng_state = 0x9E3779B9u;

static uint32_t rng(void)
{
    rng_state ^= rng_state << 13;
    rng_state ^= rng_state >> 17;
    rng_state ^= rng_state << 5;
    return rng_state;
}

/* An enveloped or SOH-framed MT940 prefix may be complete only when it
 * ends after an ETX byte, or after a "-}" line (or "-" then "}" lines)
 * whose trailer blocks are whole. */
static int at_message_end(const char *p, size_t n)
{
    size_t e = n, b;
    int depth = 1;

    while (e > 0 && (p[e - 1] == '\r' || p[e - 1] == '\n'))
        e--;
    if (e > 0 && p[e - 1] == '\x03')
        return 1;
    for (b = e; b > 0 && p[b - 1] != '\n'; b--)
        ;
    if (e - b >= 1 && p[b] == '}' && b >= 2) {
        /* "-" on the line before: the trailer split over two lines */
        size_t pb = b - 1;

        if (pb > 0 && p[pb - 1] == '\r')
            pb--;
        if (pb == 0 || p[pb - 1] != '-' || (pb >= 2 && p[pb - 2] != '\n'))
            return 0;
        for (; b < e; b++)
            depth += p[b] == '{' ? 1 : p[b] == '}' ? -1 : 0;
        return depth == 0;
    }
    if (e - b < 2 || p[b] != '-' || p[b + 1] != '}')
        return 0;
    for (b++; b < e; b++)
        depth += p[b] == '{' ? 1 : p[b] == '}' ? -1 : 0;
    return depth == 0;
}

/* A plain MT940 prefix cut between messages: after a "-" line (or a SUB
 * byte), before the next message's :20:, or inside a closing balance :62F:
 * (the balance check reports that one). Without an envelope such a cut cannot
 * be told from a shorter file. */
static int between_messages(const char *p, size_t n)
{
    size_t i, end = 0, e = n, b;

    while (e > 0 && (p[e - 1] == '\r' || p[e - 1] == '\n' || p[e - 1] == '-' ||
                     p[e - 1] == '\x1A'))
        e--;
    for (b = e; b > 0 && p[b - 1] != '\n'; b--)
        ;
    if (e - b >= 5 && memcmp(p + b, ":62F:", 5) == 0)
        return 1;

    for (i = 0; i + 3 <= n; i++)
        if (p[i] == '\n' && p[i + 1] == '-' &&
            (p[i + 2] == '\n' || p[i + 2] == '\r'))
            end = i + 2;
    if (!end)
        return 0;
    for (i = end; i + 4 <= n; i++)
        if (memcmp(p + i, ":20:", 4) == 0)
            return 0;
    return 1;
}

/* Offset just after the last occurrence of `needle`, or 0. */
static size_t end_of_last(const char *buf, size_t len, const char *needle)
{
    size_t nl = strlen(needle), i, end = 0;

    for (i = 0; i + nl <= len; i++)
        if (memcmp(buf + i, needle, nl) == 0)
            end = i + nl;
    return end;
}

static int parse_any(const char *buf, size_t len, struct bank_txn_list *l,
                     struct feeds_error *e)
{
    struct feeds_csv_map m;

    feeds_csv_map_default(&m);
    return feeds_parse_statement(buf, len, 0, &m, l, e);
}

static void test_truncation(void)
{
    size_t f;

    for (f = 0; f < sizeof statements / sizeof statements[0]; f++) {
        size_t len, cut, must_fail_below = 0, bad = 0, untouched = 1;
        char *buf = ft_read(statements[f], &len);
        int fmt = feeds_detect(buf, len);

        if (fmt == FEEDS_CAMT)
            must_fail_below = end_of_last(buf, len, "</Document>");
        else if (fmt == FEEDS_MT940 && (buf[0] == '{' || buf[0] == '\x01'))
            must_fail_below = len; /* unless at_message_end() */
        else if (fmt == FEEDS_MT940)
            must_fail_below = end_of_last(buf, len, "\n:62F:");
        for (cut = 0; cut < len; cut++) {
            struct bank_txn_list l = {0};
            struct feeds_error e;
            /* a private copy, so ASan sees any read past the cut */
            char *p = malloc(cut ? cut : 1);
            int rc;

            memcpy(p, buf, cut);
            memset(&e, 0, sizeof e);
            rc = feeds_parse_statement(p, cut, fmt, NULL, &l, &e);
            if (rc == 0 && cut < must_fail_below &&
                !(fmt == FEEDS_MT940 && (buf[0] == '{' || buf[0] == '\x01') &&
                  at_message_end(p, cut)) &&
                !(fmt == FEEDS_MT940 && buf[0] != '{' && buf[0] != '\x01' &&
                  between_messages(p, cut)))
                bad++;
            if (rc != 0 && (l.n || l.nstmts || !e.message[0]))
                untouched = 0;
            feeds_list_free(&l);
            free(p);
        }
        if (bad)
            fprintf(stderr, "%s: %zu truncations accepted\n", statements[f],
                    bad);
        CHECK_INT(bad, 0);
        CHECK(untouched);
        free(buf);
    }
}

static void test_webhook_truncation(void)
{
    size_t f;

    for (f = 0; f < sizeof webhooks / sizeof webhooks[0]; f++) {
        size_t len, cut, accepted = 0;
        char *buf = ft_read(webhooks[f], &len);

        for (cut = 0; cut < len; cut++) {
            struct bank_txn_list l = {0};
            struct feeds_error e;
            char *p = malloc(cut ? cut : 1);
            int rc = 0;

            memcpy(p, buf, cut);
            switch (f) {
            case 0:
            case 1:
                rc = feeds_parse_sepay(p, cut, &l, &e);
                break;
            case 2:
                rc = feeds_parse_casso(p, cut, &l, &e);
                break;
            case 3:
                rc = feeds_parse_payos(p, cut, &l, &e);
                break;
            default:
                rc = feeds_parse_generic(p, cut, &l, &e);
                break;
            }
            if (rc == 0)
                accepted++;
            else
                CHECK_INT(l.n, 0);
            feeds_list_free(&l);
            free(p);
        }
        /* only the body without its final newline is still whole */
        CHECK_INT(accepted, 1);
        free(buf);
    }
}

static void mutate(char *p, size_t *len, size_t cap)
{
    static const char specials[] = "<>&;:\"',\n\r\t{}[]\\/-0123456789\xC3\xE1";
    int k, n = 1 + (int)(rng() % 4);

    for (k = 0; k<n && * len> 0; k++) {
        size_t at = rng() % *len;

        switch (rng() % 4) {
        case 0:
            p[at] = (char)(p[at] ^ (1u << (rng() % 8)));
            break;
        case 1:
            p[at] = specials[rng() % (sizeof specials - 1)];
            break;
        case 2:
            if (*len + 1 < cap) {
                memmove(p + at + 1, p + at, *len - at);
                p[at] = specials[rng() % (sizeof specials - 1)];
                (*len)++;
            }
            break;
        default:
            memmove(p + at, p + at + 1, *len - at - 1);
            (*len)--;
            break;
        }
    }
}

static void test_mutations(void)
{
    size_t f;
    long runs = 0, accepted = 0, untouched = 1;

    for (f = 0; f < sizeof statements / sizeof statements[0]; f++) {
        size_t len, i;
        char *buf = ft_read(statements[f], &len);

        for (i = 0; i < 400; i++) {
            struct bank_txn_list l = {0};
            struct feeds_error e;
            size_t n = len, cap = len + 16;
            char *p = malloc(cap);
            int rc;

            memcpy(p, buf, len);
            mutate(p, &n, cap);
            rc = parse_any(p, n, &l, &e);
            runs++;
            if (rc == 0)
                accepted++;
            else if (l.n || l.nstmts)
                untouched = 0;
            feeds_list_free(&l);
            free(p);
        }
        free(buf);
    }
    for (f = 0; f < sizeof webhooks / sizeof webhooks[0]; f++) {
        size_t len, i;
        char *buf = ft_read(webhooks[f], &len);
        struct feeds_header h[3] = {{"X-SePay-Timestamp", "1795338942"},
                                    {"X-SePay-Signature", "sha256=00"},
                                    {"X-Casso-Signature", "t=1,v1=00"}};
        struct feeds_secret s = {"k", "k"};

        for (i = 0; i < 400; i++) {
            struct bank_txn_list l = {0};
            struct feeds_error e;
            size_t n = len, cap = len + 16;
            char *p = malloc(cap);
            struct feeds_request r;

            memcpy(p, buf, len);
            mutate(p, &n, cap);
            r.body = p;
            r.len = n;
            r.headers = h;
            r.nheaders = 3;
            if (feeds_parse_sepay(p, n, &l, &e) == 0 ||
                feeds_parse_casso(p, n, &l, &e) == 0 ||
                feeds_parse_payos(p, n, &l, &e) == 0 ||
                feeds_parse_generic(p, n, &l, &e) == 0)
                accepted++;
            CHECK(feeds_verify_sepay(&r, &s, 1795338942, &e) < 0);
            CHECK(feeds_verify_casso(&r, &s, 0, &e) < 0);
            CHECK(feeds_verify_payos(&r, &s, 0, &e) < 0);
            CHECK(feeds_verify_generic(&r, &s, 0, &e) < 0);
            runs++;
            feeds_list_free(&l);
            free(p);
        }
        free(buf);
    }
    fprintf(stderr, "mutations: %ld runs, %ld still parsed\n", runs, accepted);
    CHECK(runs > 7000);
    CHECK(untouched);
}

/* ---- streaming camt ---------------------------------------------------- */

struct chunks {
    const char *buf;
    size_t len, pos, step;
};

static int chunk_read(void *ctx, char *out, int cap)
{
    struct chunks *c = ctx;
    size_t n = c->len - c->pos;

    if (n > c->step)
        n = c->step;
    if (n > (size_t)cap)
        n = (size_t)cap;
    memcpy(out, c->buf + c->pos, n);
    c->pos += n;
    return (int)n;
}

struct counter {
    long txns, stmts, stop_after;
    int64_t sum;
    int last_check;
};

static int count_txn(void *ctx, const struct bank_txn *t)
{
    struct counter *c = ctx;

    c->txns++;
    c->sum += t->direction == FEEDS_CREDIT ? t->amount : -t->amount;
    return c->stop_after && c->txns >= c->stop_after;
}

static int count_stmt(void *ctx, const struct feeds_statement *s)
{
    struct counter *c = ctx;

    c->stmts++;
    c->last_check = s->check;
    return 0;
}

static void test_stream(void)
{
    size_t len;
    char *buf = ft_read("vnd-camt053-v8.xml", &len);
    struct chunks ch = {buf, len, 0, 7};
    struct counter cnt = {0, 0, 0, 0, 0};
    struct feeds_sink sink = {count_txn, count_stmt, &cnt};
    struct feeds_error e;

    CHECK_INT(feeds_parse_camt_stream(chunk_read, &ch, &sink, &e), 0);
    CHECK_INT(cnt.txns, 5);
    CHECK_INT(cnt.stmts, 1);
    CHECK_INT(cnt.sum, 2400000 - 22000);
    CHECK_INT(cnt.last_check, FEEDS_BAL_OK);
    /* the consumer stops the import */
    memset(&cnt, 0, sizeof cnt);
    cnt.stop_after = 2;
    ch.pos = 0;
    CHECK_INT(feeds_parse_camt_stream(chunk_read, &ch, &sink, &e),
              -FEEDS_E_CALLBACK);
    CHECK_INT(cnt.txns, 2);
    /* truncated stream */
    memset(&cnt, 0, sizeof cnt);
    ch.pos = 0;
    ch.len = len / 2;
    CHECK_INT(feeds_parse_camt_stream(chunk_read, &ch, &sink, &e),
              -FEEDS_E_SYNTAX);
    CHECK(e.line > 0);
    CHECK_INT(cnt.stmts, 0);
    free(buf);
    /* MT940 through a sink */
    buf = ft_read("vnd.mt940", &len);
    memset(&cnt, 0, sizeof cnt);
    CHECK_INT(feeds_parse_mt940_sink(buf, len, &sink, &e), 0);
    CHECK_INT(cnt.txns, 3);
    CHECK_INT(cnt.stmts, 1);
    free(buf);
}

int main(void)
{
    test_truncation();
    test_webhook_truncation();
    test_mutations();
    test_stream();
    return TEST_END();
}
