/*
 * test_import_slices.c: a statement import applied in slices. A broken
 * file changes nothing; an import interrupted after some slices (the
 * importer exits) and run again ends with the ledger of an import never
 * interrupted: each entry recorded once under the one import, the
 * matched ones paid once, the statement's balance recorded once, `check`
 * and `audit verify` clean; the same file imported again afterwards
 * books nothing.
 */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "harness.h"
#include "srvtest.h"

#define ENTRIES 30 /* every other one names an intent's code */

static struct srvt srv;
static char admin[128], kiosk[128], cfg[400];
static char codes[3][16];
static long long intents[3];

#define JI(r, k) json_integer_value(json_object_get((r).json, k))
#define TXNS(where)                                                            \
    st_list_count(&srv, admin, "/v1/orgs/MKT/bank/transactions",               \
                  "transactions", where)
#define PAYMENTS(where)                                                        \
    st_list_count(&srv, admin, "/v1/orgs/MKT/payments", "payments", where)
#define PAID(where)                                                            \
    st_list_sum(&srv, admin, "/v1/orgs/MKT/payments", "payments", "amount",    \
                where)

/* Today's MT940 statement of ENTRIES credits (amount 1000 + i đồng, the
 * even ones naming codes[i / 2 % 3]); `broken` cuts it in the middle. */
static char *statement(int broken, long long *matched_sum)
{
    char yymmdd[8], ymd[16], line[256];
    time_t t = time(NULL) + 7 * 3600;
    struct tm tm;
    size_t cap = 64 * ENTRIES + 512, n = 0;
    char *s = malloc(cap);
    long long bal = 0;
    int i;

    gmtime_r(&t, &tm);
    strftime(ymd, sizeof(ymd), "%Y-%m-%d", &tm);
    snprintf(yymmdd, sizeof(yymmdd), "%.2s%.2s%.2s", ymd + 2, ymd + 5, ymd + 8);
    *matched_sum = 0;
    n += (size_t)snprintf(s + n, cap - n,
                          ":20:SLICE1\r\n:25:" ST_MKT_ACCOUNT
                          "\r\n:28C:1/1\r\n:60F:C%sVND0,\r\n",
                          yymmdd);
    for (i = 0; i < ENTRIES; i++) {
        long long amt = 1000 + i;

        snprintf(line, sizeof(line),
                 ":61:%s%sC%lld,NTRFNONREF//FS%04d\r\n:86:CK %s\r\n", yymmdd,
                 yymmdd + 2, amt, i, i % 2 ? "TIEN CHO" : codes[i / 2 % 3]);
        n += (size_t)snprintf(s + n, cap - n, "%s", line);
        bal += amt;
        if (i % 2 == 0)
            *matched_sum += amt;
    }
    n += (size_t)snprintf(s + n, cap - n, ":62F:C%sVND%lld,\r\n-\r\n", yymmdd,
                          bal);
    if (broken)
        s[n / 2] = '\0';
    return s;
}

/* chopay-server import statement FILE: its exit status, output in out. */
static int import(const char *text, char *out, size_t cap)
{
    char path[400];
    const char *argv[] = {"import", "statement",  path,    "--format",
                          "mt940",  "--data-dir", srv.dir, NULL};
    FILE *f;

    snprintf(path, sizeof(path), "%s/slices.mt940", srv.dir);
    f = fopen(path, "w");
    if (f == NULL)
        return -1;
    fputs(text, f);
    fclose(f);
    return st_run(out, cap, argv);
}

static int clean(void)
{
    const char *argv[] = {"audit", "verify", "--data-dir", srv.dir, NULL};
    char out[4096];

    return st_check(srv.dir, NULL, 0) != 0 || st_run(out, sizeof(out), argv);
}

/* A file broken in the middle: refused where it broke, nothing applied. */
static void test_broken(void)
{
    long long sum, n0 = TXNS(NULL), p0 = PAYMENTS(NULL);
    char *s = statement(1, &sum), out[2048];
    struct resp r;

    CHECK(import(s, out, sizeof(out)) != 0);
    r = st_http(&srv, "POST", "/v1/statements?format=mt940", admin, NULL, s,
                strlen(s));
    CHECK_INT(r.status, 422);
    resp_free(&r);
    free(s);
    CHECK_INT(TXNS(NULL), n0);
    CHECK_INT(PAYMENTS(NULL), p0);
}

/* Interrupted after two slices of 4 entries, then run again. */
static void test_interrupted(void)
{
    long long sum, p0 = PAYMENTS("method=transfer"),
                   paid0 = PAID("method=transfer");
    char *s = statement(0, &sum), out[4096];
    json_t *l;
    long long imp = 0;
    int i, same = 1;

    setenv("CHOPAY_IMPORT_SLICE_ROWS", "4", 1);
    setenv("CHOPAY_IMPORT_CRASH_AFTER", "2", 1);
    CHECK_INT(import(s, out, sizeof(out)), 3);
    unsetenv("CHOPAY_IMPORT_CRASH_AFTER");
    /* two slices committed: 8 entries, 4 of them matched */
    CHECK_INT(TXNS("bank_ref^=FS"), 8);
    CHECK_INT(PAYMENTS("method=transfer"), p0 + 4);
    CHECK_INT(clean(), 0);
    /* the same file again: goes on after the 8 */
    CHECK_INT(import(s, out, sizeof(out)), 0);
    unsetenv("CHOPAY_IMPORT_SLICE_ROWS");
    CHECK(strstr(out, "22 rows (11 matched, 11 unmatched") != NULL);
    CHECK(strstr(out, "8 replayed") != NULL);
    CHECK(strstr(out, "balance ok") != NULL);
    CHECK_INT(TXNS("bank_ref^=FS"), ENTRIES);
    CHECK_INT(TXNS("bank_ref^=FS&state=matched"), ENTRIES / 2);
    CHECK_INT(PAYMENTS("method=transfer"), p0 + ENTRIES / 2);
    CHECK_INT(PAID("method=transfer"), paid0 + sum);
    /* one import, each row once, in order: as if never interrupted */
    l = st_list(&srv, admin, "/v1/orgs/MKT/bank/transactions", "transactions");
    for (i = 0; l != NULL && i < (int)json_array_size(l); i++) {
        const char *key = json_string_value(
            json_object_get(json_array_get(l, (size_t)i), "provider_txn_id"));
        long long a = 0, row = 0;

        if (key == NULL || sscanf(key, "imp:%lld:%lld", &a, &row) != 2)
            continue;
        if (imp == 0)
            imp = a;
        if (a != imp || row != i + 1)
            same = 0;
    }
    json_decref(l);
    CHECK(imp > 0);
    CHECK(same);
    CHECK_INT(clean(), 0);
    free(s);
}

/*
 * Interrupted after its last entry, before its statement's record: run
 * again, it applies no entry and records the balance once. Slices of 5
 * entries end where the file's 30 end.
 */
static void test_interrupted_at_end(void)
{
    long long sum, p0 = PAYMENTS("method=transfer");
    char *s = statement(0, &sum), out[4096];

    /* another file: its entries are told apart by their references */
    for (char *q = s; (q = strstr(q, "//FS")) != NULL; q += 4)
        q[3] = 'E';
    setenv("CHOPAY_IMPORT_SLICE_ROWS", "5", 1);
    setenv("CHOPAY_IMPORT_CRASH_AFTER", "6", 1);
    CHECK_INT(import(s, out, sizeof(out)), 3);
    unsetenv("CHOPAY_IMPORT_CRASH_AFTER");
    CHECK_INT(TXNS("bank_ref^=FE"), ENTRIES);
    CHECK_INT(PAYMENTS("method=transfer"), p0 + ENTRIES / 2);
    CHECK_INT(import(s, out, sizeof(out)), 0);
    CHECK(strstr(out, "0 rows (0 matched") != NULL);
    CHECK(strstr(out, "30 replayed") != NULL);
    CHECK(strstr(out, "balance ok") != NULL);
    CHECK_INT(TXNS("bank_ref^=FE"), ENTRIES);
    CHECK_INT(PAYMENTS("method=transfer"), p0 + ENTRIES / 2);
    CHECK_INT(clean(), 0);
    unsetenv("CHOPAY_IMPORT_SLICE_ROWS");
    free(s);
}

/* A finished file imported again (in slices that end where its entries
 * do): records of known transfers, nothing booked. */
static void test_replay(void)
{
    long long sum, p0 = PAYMENTS(NULL), paid0 = PAID(NULL);
    char *s = statement(0, &sum), out[4096];

    setenv("CHOPAY_IMPORT_SLICE_ROWS", "5", 1);
    CHECK_INT(import(s, out, sizeof(out)), 0);
    unsetenv("CHOPAY_IMPORT_SLICE_ROWS");
    CHECK(strstr(out, "0 matched") != NULL);
    CHECK(strstr(out, "30 records of known transfers") != NULL);
    CHECK_INT(PAYMENTS(NULL), p0);
    CHECK_INT(PAID(NULL), paid0);
    CHECK_INT(clean(), 0);
    free(s);
}

int main(void)
{
    char dir[256];
    const char *extra[] = {"--config", cfg, NULL};
    long long amount;
    int i;

    CHECK_INT(st_tmpdir(dir), 0);
    CHECK_INT(st_bank_config(dir, cfg, sizeof(cfg)), 0);
    if (st_start(&srv, dir, extra) != 0) {
        CHECK(0);
        return TEST_END();
    }
    CHECK_INT(st_bank_world(&srv, admin, kiosk), 0);
    for (i = 0; i < 3; i++) {
        char payer[16], idem[24];

        snprintf(payer, sizeof(payer), "A-%d", i + 1);
        snprintf(idem, sizeof(idem), "sl-%d", i);
        CHECK_INT(
            st_intent(&srv, kiosk, payer, idem, codes[i], &intents[i], &amount),
            0);
    }
    test_broken();
    test_interrupted();
    test_replay();
    test_interrupted_at_end();
    CHECK_INT(st_stop(&srv), 0);
    if (th_failed == 0)
        st_rmtree(dir);
    return TEST_END();
}
