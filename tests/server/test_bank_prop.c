/*
 * test_bank_prop.c: property test of bank confirmation. Random sets of
 * transfers (exact, partial, over, unknown codes, no code, debits) are
 * delivered to fresh servers in different ways: shuffled, repeated, and
 * split between signed webhooks (SePay, generic) and MT940 statements
 * (the same transfer often both ways). Every delivery of one set must
 * give the same ledger (invoice payments, payer credit, what waits for
 * review), and for the bank account credits = allocated + credit +
 * unmatched must hold.
 */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "harness.h"
#include "payref.h"
#include "srvtest.h"

#define N_PAYERS 6
#define MAX_T    24

enum kind { K_EXACT, K_PARTIAL, K_OVER, K_UNKNOWN, K_NOCODE, K_DEBIT };

struct xfer {
    enum kind kind;
    int payer;        /* intent index (0..N_PAYERS-1) */
    long long amount; /* đồng */
    char ref[24];     /* bank reference digits */
    char unknown[16]; /* K_UNKNOWN: a valid code of no intent */
};

static unsigned rnd(unsigned *s)
{
    *s = *s * 1103515245u + 12345u;
    return (*s >> 8) & 0xffffff;
}

static void vn_date(char *out, size_t cap)
{
    time_t t = time(NULL) + 7 * 3600;
    struct tm tm;

    gmtime_r(&t, &tm);
    strftime(out, cap, "%Y-%m-%d", &tm);
}

/* The transfer's content as the bank writes it. */
static void content(const struct xfer *x, char codes[][16], char *out,
                    size_t cap)
{
    switch (x->kind) {
    case K_UNKNOWN:
        snprintf(out, cap, "MBVCB.%s.%s.CT tu 0071 NGUYEN VAN A", x->ref,
                 x->unknown);
        break;
    case K_NOCODE:
        snprintf(out, cap, "MBVCB.%s.tien thue sap thang nay", x->ref);
        break;
    default:
        snprintf(out, cap, "MBVCB.%s.%s.CT tu 0071 chuyển tiền", x->ref,
                 codes[x->payer]);
    }
}

static int post_webhook(struct srvt *s, const struct xfer *x, int i,
                        char codes[][16], int via_generic)
{
    char text[200], when[40], date[16], *body = NULL, sig[200], h1[64];
    char h2[300], h3[300], tss[32];
    long long now = (long long)time(NULL);
    struct resp r;
    int ok;

    content(x, codes, text, sizeof(text));
    vn_date(date, sizeof(date));
    snprintf(tss, sizeof(tss), "%lld", now);
    if (via_generic) {
        const char *hdrs[] = {h1, h2, NULL};

        if (asprintf(&body,
                     "{\"id\":\"P-%d\",\"account\":\"" ST_MKT_ACCOUNT "\","
                     "\"reference\":\"ACB.%s\",\"direction\":\"%s\","
                     "\"amount\":%lld,\"booked_at\":\"%s\","
                     "\"description\":\"%s\"}",
                     i, x->ref, x->kind == K_DEBIT ? "debit" : "credit",
                     x->amount, date, text) < 0)
            return -1;
        st_sign("generic", ST_GENERIC_KEY, tss, body, sig, sizeof(sig));
        snprintf(h1, sizeof(h1), "X-Chopay-Timestamp: %s", tss);
        snprintf(h2, sizeof(h2), "X-Chopay-Signature: sha256=%s", sig);
        r = st_http(s, "POST", "/v1/bank/generic", NULL, hdrs, body,
                    strlen(body));
    } else {
        const char *hdrs[] = {h1, h2, h3, NULL};

        snprintf(when, sizeof(when), "%s 09:%02d:00", date, i % 60);
        if (asprintf(&body,
                     "{\"id\":%d,\"gateway\":\"MBBank\",\"transactionDate\":"
                     "\"%s\",\"accountNumber\":\"" ST_MKT_ACCOUNT "\","
                     "\"code\":null,\"content\":\"%s\",\"transferType\":"
                     "\"%s\",\"transferAmount\":%lld,\"accumulated\":0,"
                     "\"subAccount\":null,\"referenceCode\":\"MBVCB.%s\","
                     "\"description\":\"%s\"}",
                     700000 + i, when, text, x->kind == K_DEBIT ? "out" : "in",
                     x->amount, x->ref, text) < 0)
            return -1;
        st_sign("sepay", ST_SEPAY_HMAC, tss, body, sig, sizeof(sig));
        snprintf(h1, sizeof(h1), "Authorization: Apikey %s", ST_SEPAY_KEY);
        snprintf(h2, sizeof(h2), "X-SePay-Timestamp: %s", tss);
        snprintf(h3, sizeof(h3), "X-SePay-Signature: sha256=%s", sig);
        r = st_http(s, "POST", "/v1/bank/sepay", NULL, hdrs, body,
                    strlen(body));
    }
    ok = r.status == 200;
    if (!ok)
        fprintf(stderr, "webhook %d: %ld %s\n", i, r.status,
                r.body ? r.body : "");
    resp_free(&r);
    free(body);
    return ok ? 0 : -1;
}

static char admin[128], kiosk[128];

/* One MT940 statement holding transfers `idx` (n of them). */
static int post_statement(struct srvt *s, const struct xfer *xs, const int *idx,
                          int n, char codes[][16], int seq)
{
    char date[16], yymmdd[8], text[200];
    long long open = 50000000, bal;
    size_t cap = 65536, len = 0;
    char *f = malloc(cap);
    struct resp r;
    int i, ok;

    if (f == NULL)
        return -1;
    vn_date(date, sizeof(date));
    snprintf(yymmdd, sizeof(yymmdd), "%.2s%.2s%.2s", date + 2, date + 5,
             date + 8);
    len += (size_t)snprintf(f + len, cap - len,
                            ":20:PROP%d\r\n:25:" ST_MKT_ACCOUNT
                            "\r\n:28C:%d/1\r\n:60F:C%sVND%lld,\r\n",
                            seq, seq, yymmdd, open);
    bal = open;
    for (i = 0; i < n; i++) {
        const struct xfer *x = &xs[idx[i]];

        content(x, codes, text, sizeof(text));
        len += (size_t)snprintf(
            f + len, cap - len, ":61:%s%s%c%lld,NTRFNONREF//FT%s\r\n:86:%s\r\n",
            yymmdd, yymmdd + 2, x->kind == K_DEBIT ? 'D' : 'C', x->amount,
            x->ref, text);
        bal += x->kind == K_DEBIT ? -x->amount : x->amount;
    }
    len += (size_t)snprintf(f + len, cap - len, ":62F:%c%sVND%lld,\r\n-\r\n",
                            bal < 0 ? 'D' : 'C', yymmdd, bal < 0 ? -bal : bal);
    r = st_http(s, "POST", "/v1/statements?format=mt940", admin, NULL, f, len);
    ok = r.status == 201 &&
         strcmp(json_string_value(json_object_get(
                    json_array_get(json_object_get(r.json, "balances"), 0),
                    "balance_check")),
                "ok") == 0;
    if (!ok)
        fprintf(stderr, "statement %d: %ld %s\n", seq, r.status,
                r.body ? r.body : "");
    resp_free(&r);
    free(f);
    return ok ? 0 : -1;
}

/* A random set of transfers for the seed. */
static int make_set(unsigned seed, struct xfer *xs)
{
    unsigned s = seed;
    int n = 12 + (int)(rnd(&s) % (MAX_T - 12)), i;

    for (i = 0; i < n; i++) {
        struct xfer *x = &xs[i];
        long long due = 1000000;

        memset(x, 0, sizeof(*x));
        x->kind = (enum kind)(rnd(&s) % 6);
        x->payer = (int)(rnd(&s) % N_PAYERS);
        switch (x->kind) {
        case K_EXACT:
            x->amount = due;
            break;
        case K_PARTIAL:
            x->amount = 1000 * (1 + (long long)(rnd(&s) % 999));
            break;
        case K_OVER:
            x->amount = due + 1000 * (1 + (long long)(rnd(&s) % 500));
            break;
        default:
            x->amount = 1000 * (1 + (long long)(rnd(&s) % 2000));
        }
        snprintf(x->ref, sizeof(x->ref), "%u%04d%05u", seed % 1000, i,
                 rnd(&s) % 100000);
        payref_from_number("CT", 4000000000u + seed * 100u + (unsigned)i,
                           x->unknown);
    }
    return n;
}

/* Append `text` and `sep` to out (cap bytes, NUL-terminated). */
static void put(char *out, size_t cap, const char *text, char sep)
{
    size_t len = strlen(out);

    snprintf(out + len, cap - len, "%s%c", text, sep);
}

/* Each element of list `key` at `path` as "F1=F2" (fields `f1`, `f2`),
 * joined by ',' into out, then '|'. */
static void put_list(struct srvt *s, const char *path, const char *key,
                     const char *f1, const char *f2, char *out, size_t cap)
{
    json_t *a = st_list(s, admin, path, key), *e;
    char one[96];
    size_t i;

    CHECK(a != NULL);
    json_array_foreach(a, i, e)
    {
        json_t *v1 = json_object_get(e, f1);

        snprintf(one, sizeof(one), "%s=%lld",
                 json_is_string(v1) ? json_string_value(v1) : "?",
                 (long long)json_integer_value(json_object_get(e, f2)));
        put(out, cap, one, i + 1 < json_array_size(a) ? ',' : '|');
    }
    if (json_array_size(a) == 0)
        put(out, cap, "", '|');
    json_decref(a);
}

/* The ledger as a text fingerprint, as the board API shows it. */
static void ledger(struct srvt *s, char *out, size_t cap)
{
    static const char *const txn_states[] = {"state=unmatched",
                                             "state=ambiguous", "state=ignored",
                                             "state!=duplicate"};
    json_t *inv = st_list(s, admin, "/v1/orgs/MKT/invoices", "invoices");
    json_t *txns =
        st_list(s, admin, "/v1/orgs/MKT/bank/transactions", "transactions");
    json_t *e;
    char one[96];
    size_t i;

    out[0] = '\0';
    /* invoices: payer:period=paid, by payer and period */
    CHECK(inv != NULL);
    json_array_foreach(inv, i, e)
    {
        snprintf(one, sizeof(one), "%s:%s=%lld",
                 json_string_value(json_object_get(e, "payer")),
                 json_string_value(json_object_get(e, "period")),
                 (long long)json_integer_value(json_object_get(e, "paid")));
        put(out, cap, one, i + 1 < json_array_size(inv) ? ',' : '|');
    }
    json_decref(inv);
    put_list(s, "/v1/orgs/MKT/payers", "payers", "code", "credit", out, cap);
    /* bank transactions: count/sum awaiting review (unmatched and
       ambiguous), ignored, and all but duplicates */
    for (i = 0; i < 4; i++) {
        long long n = st_count(txns, txn_states[i]),
                  sum = st_sum(txns, "amount", txn_states[i]);

        if (i == 0) {
            n += st_count(txns, txn_states[1]);
            sum += st_sum(txns, "amount", txn_states[1]);
        } else if (i == 1) {
            continue;
        }
        snprintf(one, sizeof(one), "%lld/%lld", n, sum);
        put(out, cap, one, '|');
    }
    json_decref(txns);
    put_list(s, "/v1/orgs/MKT/intents", "intents", "status", "paid", out, cap);
}

/* Deliver set xs[0..n) to a fresh server in the way `how` picks. */
static int deliver(const struct xfer *xs, int n, unsigned how, char *fp,
                   size_t cap)
{
    struct srvt srv;
    char dir[256], cfg[400], codes[N_PAYERS][16], payer[16], idem[16];
    const char *extra[] = {"--config", cfg, NULL};
    int events[4 * MAX_T][2], ne = 0, i, k, rc = -1;
    int stmt_idx[2][MAX_T], ns[2] = {0, 0};
    unsigned s = how * 2654435761u + 7;

    if (st_tmpdir(dir) != 0 || st_bank_config(dir, cfg, sizeof(cfg)) != 0 ||
        st_start(&srv, dir, extra) != 0)
        return -1;
    if (st_bank_world(&srv, admin, kiosk) != 0)
        goto out;
    for (i = 0; i < N_PAYERS; i++) {
        long long id, amount;

        snprintf(payer, sizeof(payer), "A-%d", i + 1);
        snprintf(idem, sizeof(idem), "p-%d", i);
        if (st_intent(&srv, kiosk, payer, idem, codes[i], &id, &amount) != 0)
            goto out;
    }
    /* how each transfer arrives: webhook(s), statement(s) or both */
    for (i = 0; i < n; i++) {
        unsigned mode = how == 0 ? 0 : rnd(&s) % 4;
        int hooks = mode == 1 ? 0 : 1 + (int)(mode == 3);

        for (k = 0; k < hooks; k++) {
            events[ne][0] = 0;
            events[ne][1] = i;
            ne++;
        }
        if (mode >= 1) {
            int which = (int)(rnd(&s) % 2);

            stmt_idx[which][ns[which]++] = i;
            if (mode == 3) /* in both statements */
                stmt_idx[!which][ns[!which]++] = i;
        }
    }
    for (k = 0; k < 2; k++)
        if (ns[k] > 0) {
            events[ne][0] = 1;
            events[ne][1] = k;
            ne++;
        }
    for (i = ne - 1; i > 0 && how != 0; i--) { /* shuffle */
        int j = (int)(rnd(&s) % (unsigned)(i + 1)), t0 = events[i][0],
            t1 = events[i][1];

        events[i][0] = events[j][0];
        events[i][1] = events[j][1];
        events[j][0] = t0;
        events[j][1] = t1;
    }
    for (i = 0; i < ne; i++) {
        if (events[i][0] == 0) {
            /* a transfer keeps its provider: the same id when repeated */
            int t = events[i][1];

            if (post_webhook(&srv, &xs[t], t, codes, t % 2) != 0)
                goto out;
        } else if (post_statement(&srv, xs, stmt_idx[events[i][1]],
                                  ns[events[i][1]], codes,
                                  events[i][1] + 1) != 0) {
            goto out;
        }
    }
    ledger(&srv, fp, cap);
    /* the ledger's invariants: among them, every matched credit is one
       payment of its amount, split into allocated + credit */
    CHECK_INT(st_check(dir, NULL, 0), 0);
    /* every transfer is one record */
    CHECK_INT(st_list_count(&srv, admin, "/v1/orgs/MKT/bank/transactions",
                            "transactions", "state!=duplicate"),
              n);
    rc = 0;
out:
    if (st_stop(&srv) != 0)
        rc = -1;
    if (rc == 0)
        st_rmtree(dir);
    return rc;
}

int main(int argc, char **argv)
{
    unsigned seeds = argc > 1 ? (unsigned)atoi(argv[1]) : 3, seed;
    struct xfer xs[MAX_T];

    for (seed = 1; seed <= seeds; seed++) {
        char ref[4096], got[4096];
        unsigned how;
        int n = make_set(seed * 7919u, xs);

        CHECK_INT(deliver(xs, n, 0, ref, sizeof(ref)), 0);
        CHECK(strlen(ref) > 20);
        if (getenv("PROP_VERBOSE"))
            fprintf(stderr, "seed %u: %d transfers: %s\n", seed, n, ref);
        for (how = 1; how <= 2; how++) {
            CHECK_INT(deliver(xs, n, seed * 10 + how, got, sizeof(got)), 0);
            if (strcmp(ref, got) != 0)
                fprintf(stderr, "seed %u how %u:\n  %s\n  %s\n", seed, how, ref,
                        got);
            CHECK_STR(ref, got);
        }
    }
    return TEST_END();
}
