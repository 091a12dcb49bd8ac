/*
 * bench_report.c: the reports at the scale of a province programme:
 * 8,000 markets' daily reconciliations (each with its invoices, bank
 * transactions and ledger; computed, then JSON and CSV made), and a
 * month's cashless-adoption statistics rolled up over all 8,000 markets
 * (with the previous month, a weekly trend and a row per market). Prints
 * throughput, p50/p99 latency and peak RSS.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>

#include "report.h"

#define MARKETS      8000
#define STALLS       100 /* payers per market */
#define PAYS_PER_MON 5   /* payments per stall per month */
#define INVOICES     120 /* invoices in one market's day */
#define BANK_TXNS    90
#define ADOPT_RUNS   5

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

static uint64_t rng = 0x2545F4914F6CDD1Du;
static uint32_t rnd(uint32_t n)
{
    rng ^= rng << 13;
    rng ^= rng >> 7;
    rng ^= rng << 17;
    return (uint32_t)(rng % n);
}

static void percentiles(const char *what, double *t, size_t n, double total,
                        const char *unit)
{
    qsort(t, n, sizeof *t, cmp_double);
    printf("%-34s %10.1f %s/s   p50 %8.3f ms   p99 %8.3f ms   total %.2f s\n",
           what, (double)n / total, unit, t[n / 2] * 1e3, t[n * 99 / 100] * 1e3,
           total);
}

static void bench_daily(void)
{
    static struct report_invoice inv[INVOICES];
    static struct report_bank_txn bank[BANK_TXNS];
    static struct report_ledger_entry led[BANK_TXNS * 2];
    static struct report_payer_credit cred[8];
    static char ids[INVOICES][16], refs[BANK_TXNS][16];
    double *lat = malloc(MARKETS * sizeof *lat);
    size_t bytes = 0;
    int64_t check = 0;
    double t0 = now();
    const int32_t day = 20779;

    if (!lat)
        exit(3);
    for (int i = 0; i < INVOICES; i++)
        snprintf(ids[i], sizeof ids[i], "I%d", i);
    for (int i = 0; i < BANK_TXNS; i++)
        snprintf(refs[i], sizeof refs[i], "FT%08d", i * 7919 % 100000000);
    for (int m = 0; m < MARKETS; m++) {
        /* A market's day: most invoices due today, some overdue. */
        for (int i = 0; i < INVOICES; i++) {
            int64_t amt = 1000 * (20 + (int64_t)rnd(500));
            inv[i] = (struct report_invoice){
                ids[i], ids[i], day - (rnd(10) == 0 ? (int32_t)rnd(20) : 0),
                amt,    0,      0};
            uint32_t how = rnd(10);
            if (how < 6)
                inv[i].paid_transfer = amt;
            else if (how < 8)
                inv[i].paid_cash = amt;
            else if (how < 9)
                inv[i].paid_transfer = amt / 2;
        }
        size_t nl = 0;
        for (int i = 0; i < BANK_TXNS; i++) {
            bank[i] = (struct report_bank_txn){
                refs[i], 1000 * (20 + (int64_t)rnd(500)),
                (enum report_credit_state)rnd(REPORT_STATE__COUNT), 0};
            if (bank[i].state == REPORT_DUPLICATE)
                continue;
            int64_t signed_amt = bank[i].state == REPORT_DEBIT ? -bank[i].amount
                                                               : bank[i].amount;
            if (rnd(50) == 0)
                continue; /* a booking missing */
            led[nl++] = (struct report_ledger_entry){refs[i], signed_amt, 0};
        }
        for (int i = 0; i < 8; i++)
            cred[i] = (struct report_payer_credit){ids[i], rnd(50000)};
        struct report_daily_input in = {"CHO",
                                        day,
                                        inv,
                                        INVOICES,
                                        bank,
                                        BANK_TXNS,
                                        led,
                                        nl,
                                        cred,
                                        8,
                                        REPORT_BALANCE_STATEMENT,
                                        500000000,
                                        510000000,
                                        NULL,
                                        0,
                                        NULL,
                                        0,
                                        NULL,
                                        0};
        double s = now();
        struct report_daily *r = NULL;
        char *csv = NULL, *js;
        size_t len = 0;
        if (report_daily(&in, &r) != 0)
            exit(1);
        json_t *j = report_daily_json(r);
        js = report_json_dump(j);
        if (!js || report_daily_csv(r, NULL, &csv, &len) != 0)
            exit(1);
        bytes += strlen(js) + len;
        check += r->difference;
        free(js);
        free(csv);
        json_decref(j);
        report_daily_free(r);
        lat[m] = now() - s;
    }
    double total = now() - t0;
    double work = 0;
    for (int m = 0; m < MARKETS; m++)
        work += lat[m];
    percentiles("daily report (+JSON+CSV)", lat, MARKETS, work, "reports");
    printf("  %d markets x (%d invoices, %d bank txns): %.2f s with data "
           "generation, %.1f MB of output, checksum %lld\n",
           MARKETS, INVOICES, BANK_TXNS, total, bytes / 1e6, (long long)check);
    free(lat);
}

static void bench_adoption(void)
{
    size_t n_payers = (size_t)MARKETS * STALLS;
    size_t n_pay = n_payers * PAYS_PER_MON * 2; /* this month + previous */
    struct report_org *orgs = calloc(MARKETS, sizeof *orgs);
    char(*codes)[12] = calloc(MARKETS, sizeof *codes);
    struct report_payer *payers = calloc(n_payers, sizeof *payers);
    struct report_payment *pays = calloc(n_pay, sizeof *pays);
    static const char *const fees[] = {"Phí chợ", "Điện", "Nước", "Vệ sinh"};
    static const char *const provinces[] = {"HCM", "HN", "DN", "CT"};
    double lat[ADOPT_RUNS];

    if (!orgs || !codes || !payers || !pays)
        exit(3);
    for (int m = 0; m < MARKETS; m++) {
        snprintf(codes[m], sizeof codes[m], "CHO%05d", m);
        orgs[m] = (struct report_org){codes[m], codes[m], provinces[m % 4]};
    }
    for (size_t i = 0; i < n_payers; i++)
        payers[i] = (struct report_payer){(uint32_t)(i / STALLS), rnd(2) == 0,
                                          rnd(3) == 0};
    for (size_t i = 0; i < n_pay; i++)
        pays[i] = (struct report_payment){
            (uint32_t)rnd((uint32_t)n_payers), 20728 + (int32_t)rnd(60),
            1000 * (10 + (int64_t)rnd(2000)), (uint16_t)rnd(4), rnd(100) < 70};
    struct report_adoption_data d = {orgs, MARKETS, payers, n_payers,
                                     pays, n_pay,   fees,   4};
    struct report_adoption_query q = {NULL,  -1,    -1,
                                      20758, 20787, REPORT_BUCKET_WEEK};
    size_t out_bytes = 0;
    double t0 = now();
    for (int r = 0; r < ADOPT_RUNS; r++) {
        struct report_adoption *a = NULL;
        double s = now();
        if (report_adoption(&d, &q, &a) != 0)
            exit(1);
        lat[r] = now() - s;
        if (r == 0)
            printf("  share cashless %d per-mille by count, payers %lld of "
                   "%lld\n",
                   a->cur.share_count, (long long)a->cur.payers_cashless,
                   (long long)a->cur.payers_paying);
        report_adoption_free(a);
    }
    percentiles("adoption, month, all 8000 markets", lat, ADOPT_RUNS,
                now() - t0, "runs");
    /* With its JSON and CSV (8,000 organisation rows). */
    struct report_adoption *a = NULL;
    double s = now();
    if (report_adoption(&d, &q, &a) != 0)
        exit(1);
    json_t *j = report_adoption_json(a, &d);
    char *js = report_json_dump(j), *csv = NULL;
    size_t len = 0;
    if (!js || report_adoption_csv(a, &d, NULL, &csv, &len) != 0)
        exit(1);
    out_bytes = strlen(js) + len;
    printf("%-34s %10.3f s   (%.1f MB JSON+CSV)\n", "adoption + JSON + CSV",
           now() - s, out_bytes / 1e6);
    free(js);
    free(csv);
    json_decref(j);
    report_adoption_free(a);
    /* One province, one fee type. */
    q.province = "HN";
    q.fee = 0;
    for (int r = 0; r < ADOPT_RUNS; r++) {
        s = now();
        if (report_adoption(&d, &q, &a) != 0)
            exit(1);
        lat[r] = now() - s;
        report_adoption_free(a);
    }
    percentiles("adoption, month, 1 province/fee", lat, ADOPT_RUNS,
                lat[0] + lat[1] + lat[2] + lat[3] + lat[4], "runs");
    printf("  data: %d markets, %zu payers, %zu payments (%.0f MB)\n", MARKETS,
           n_payers, n_pay,
           (double)(n_pay * sizeof *pays + n_payers * sizeof *payers) / 1e6);
    free(orgs);
    free(codes);
    free(payers);
    free(pays);
}

int main(void)
{
    struct rusage ru;

    bench_daily();
    bench_adoption();
    getrusage(RUSAGE_SELF, &ru);
    printf("peak RSS %.1f MB\n", ru.ru_maxrss / 1024.0);
    return 0;
}
