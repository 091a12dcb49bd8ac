/*
 * test_close_guard.c: a day with open items against the real server: two
 * transfers awaiting review and a statement that does not balance. Its
 * close is refused (409 open_items, how many and how much) until forced
 * with a reason, which the close, its audit entry and `audit verify`
 * keep; a clean day closes as before. One transfer is split across two
 * payers (the transfer shows its parts; bad splits change nothing, a
 * retried split books nothing more), the other is refused a split once
 * its day is closed; the review list filters by day; `chopay-server
 * check` stays clean throughout. Everything is read through the API and
 * the command line.
 */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "harness.h"
#include "srvtest.h"

static struct srvt srv;
static char admin[128], kiosk[128], cfg[400];
static char today[11], yesterday[11];
static long long txn_a, txn_b; /* the transfers awaiting review */

#define JS(r, k) json_string_value(json_object_get((r).json, k))

/* Vietnam's date `days` after today into out (11 bytes). */
static void vn_date(int days, char *out)
{
    time_t t = time(NULL) + 7 * 3600 + (time_t)days * 86400;
    struct tm tm;

    gmtime_r(&t, &tm);
    strftime(out, 11, "%Y-%m-%d", &tm);
}

/* POST `json` to `path` as admin: the response (free it). */
static struct resp post(const char *path, const char *json)
{
    return st_send(&srv, "POST", path, admin, NULL, json);
}

/* The status of POST `json` to `path`; the error code into code (64). */
static long post_status(const char *path, const char *json, char *code)
{
    struct resp r = post(path, json);
    long s = r.status;

    snprintf(code, 64, "%s", resp_err(&r) ? resp_err(&r) : "");
    resp_free(&r);
    return s;
}

/* How many elements of list `key` GET `path` answers match `where`. */
static long long count(const char *path, const char *key, const char *where)
{
    return st_list_count(&srv, admin, path, key, where);
}

/* Payments of MKT, every audit entry, and the payers' credit. */
#define PAYMENTS() count("/v1/orgs/MKT/payments", "payments", NULL)
#define AUDITS()   st_audit_count(srv.dir, NULL, NULL)
#define CREDIT()                                                               \
    st_list_sum(&srv, admin, "/v1/orgs/MKT/payers", "payers", "credit", NULL)
#define UNMATCHED()                                                            \
    count("/v1/orgs/MKT/bank/transactions?state=unmatched", "transactions",    \
          NULL)

/* The id of MKT's bank transaction of `amount`, or -1. */
static long long txn_of(long long amount)
{
    json_t *a =
        st_list(&srv, admin, "/v1/orgs/MKT/bank/transactions", "transactions");
    long long id = -1;
    size_t i;

    for (i = 0; i < json_array_size(a); i++)
        if (st_json_int(json_array_get(a, i), "amount") == amount)
            id = st_json_int(json_array_get(a, i), "id");
    json_decref(a);
    return id;
}

/* The parts of bank transaction `id` as GET .../transactions/{id} shows
 * them (a new reference; an empty array when it has none), NULL on
 * failure. */
static json_t *parts_of(long long id)
{
    char path[128];
    json_t *p;
    struct resp r;

    snprintf(path, sizeof(path), "/v1/orgs/MKT/bank/transactions/%lld", id);
    r = st_get(&srv, path, admin);
    if (r.status != 200) {
        resp_free(&r);
        return NULL;
    }
    p = json_object_get(r.json, "parts");
    p = p ? json_incref(p) : json_array();
    resp_free(&r);
    return p;
}

/* How many parts transactions txn_a and txn_b have, or -1. */
static long long parts_count(void)
{
    json_t *a = parts_of(txn_a), *b = parts_of(txn_b);
    long long n =
        a && b ? (long long)(json_array_size(a) + json_array_size(b)) : -1;

    json_decref(a);
    json_decref(b);
    return n;
}

/* Whether `date` is closed (1, 0, -1 on failure) as GET .../close?date=
 * shows it; with its force reason (or "") into why (256). */
static int closed(const char *date, char *why)
{
    char path[128];
    const char *w;
    struct resp r;
    int c;

    snprintf(path, sizeof(path), "/v1/orgs/MKT/close?date=%s", date);
    r = st_get(&srv, path, admin);
    c = r.status == 200 ? json_is_true(json_object_get(r.json, "closed")) : -1;
    w = JS(r, "force_reason");
    snprintf(why, 256, "%s", w ? w : "");
    resp_free(&r);
    return c;
}

/* What payer `payer` has paid of its invoices of `period`. */
static long long paid(const char *payer, const char *period)
{
    char where[80];

    snprintf(where, sizeof(where), "payer=%s&period=%s", payer, period);
    return st_list_sum(&srv, admin, "/v1/orgs/MKT/invoices", "invoices", "paid",
                       where);
}

/* `chopay-server check` on the running server's data: 0 when clean. */
static int check_clean(void)
{
    char out[4096];

    return st_check(srv.dir, out, sizeof(out));
}

/*
 * Today's MT940 statement: opening 100.000.000, credits of 700.000
 * ("CK TIEN CHO 2 CHAU", no payment code) and 300.000 ("NOP TIEN SAP"),
 * a closing balance 5 đồng more than they add up to.
 */
static void import_statement(void)
{
    char yymmdd[8], *s = NULL;
    struct resp r;

    snprintf(yymmdd, sizeof(yymmdd), "%.2s%.2s%.2s", today + 2, today + 5,
             today + 8);
    CHECK(asprintf(&s,
                   ":20:STMTG1\r\n:25:" ST_MKT_ACCOUNT "\r\n:28C:1/1\r\n"
                   ":60F:C%sVND100000000,\r\n"
                   ":61:%s%sC700000,NTRFNONREF//FT5501\r\n"
                   ":86:CK TIEN CHO 2 CHAU\r\n"
                   ":61:%s%sC300000,NTRFNONREF//FT5502\r\n"
                   ":86:NOP TIEN SAP\r\n"
                   ":62F:C%sVND101000005,\r\n-\r\n",
                   yymmdd, yymmdd, yymmdd + 2, yymmdd, yymmdd + 2, yymmdd) > 0);
    r = st_http(&srv, "POST", "/v1/statements?format=mt940", admin, NULL, s,
                strlen(s));
    CHECK_INT(r.status, 201);
    resp_free(&r);
    free(s);
    txn_a = txn_of(700000);
    txn_b = txn_of(300000);
    CHECK(txn_a > 0 && txn_b > 0);
    CHECK_INT(UNMATCHED(), 2);
}

/* The open items of today as GET .../close shows them. */
static void test_open_items_shown(void)
{
    char path[128];
    struct resp r;

    snprintf(path, sizeof(path), "/v1/orgs/MKT/close?date=%s", today);
    r = st_get(&srv, path, admin);
    CHECK_INT(r.status, 200);
    CHECK_INT(st_json_int(r.json, "open_items.review.count"), 2);
    CHECK_INT(st_json_int(r.json, "open_items.review.amount"), 1000000);
    CHECK_INT(st_json_int(r.json, "open_items.unbalanced.count"), 1);
    CHECK_INT(st_json_int(r.json, "open_items.unbalanced.amount"), 5);
    resp_free(&r);
}

/* The review list of one day, and bad days refused. */
static void test_list_by_day(void)
{
    char path[160];
    struct resp r;

    snprintf(path, sizeof(path),
             "/v1/orgs/MKT/bank/transactions?state=unmatched&date=%s", today);
    r = st_get(&srv, path, admin);
    CHECK_INT(r.status, 200);
    CHECK_INT(
        (long long)json_array_size(json_object_get(r.json, "transactions")), 2);
    resp_free(&r);
    snprintf(path, sizeof(path), "/v1/orgs/MKT/bank/transactions?date=%s",
             yesterday);
    r = st_get(&srv, path, admin);
    CHECK_INT(r.status, 200);
    CHECK_INT(
        (long long)json_array_size(json_object_get(r.json, "transactions")), 0);
    resp_free(&r);
    r = st_get(&srv, "/v1/orgs/MKT/bank/transactions?date=2026-13-01", admin);
    CHECK_INT(r.status, 400);
    resp_free(&r);
}

/* Closing today is refused while items are open; force needs a reason. */
static void test_close_refused(void)
{
    char body[200], code[64], why[256];
    const char *msg, *e;
    struct resp r;
    long long audits = AUDITS();

    snprintf(body, sizeof(body), "{\"date\":\"%s\"}", today);
    r = post("/v1/orgs/MKT/close", body);
    CHECK_INT(r.status, 409);
    CHECK_STR(resp_err(&r), "open_items");
    CHECK_INT(st_json_int(r.json, "error.open_items.review.count"), 2);
    CHECK_INT(st_json_int(r.json, "error.open_items.review.amount"), 1000000);
    CHECK_INT(st_json_int(r.json, "error.open_items.unbalanced.count"), 1);
    CHECK_INT(st_json_int(r.json, "error.open_items.unbalanced.amount"), 5);
    msg = json_string_value(
        json_object_get(json_object_get(r.json, "error"), "message"));
    CHECK(msg != NULL && strncmp(msg, "Ngày ", strlen("Ngày ")) == 0);
    CHECK(msg != NULL && strstr(msg, "2 giao dịch chờ xử lý") != NULL);
    CHECK(msg != NULL && strstr(msg, "1.000.000") != NULL);
    CHECK(msg != NULL && strstr(msg, "1 sao kê lệch số dư") != NULL);
    e = msg ? strstr(msg, " / ") : NULL;
    CHECK(e != NULL && strstr(e, "2 transfers awaiting review") != NULL);
    resp_free(&r);
    /* force without a reason, or with a blank one */
    snprintf(body, sizeof(body), "{\"date\":\"%s\",\"force\":true}", today);
    CHECK_INT(post_status("/v1/orgs/MKT/close", body, code), 400);
    CHECK_STR(code, "reason_required");
    snprintf(body, sizeof(body),
             "{\"date\":\"%s\",\"force\":true,\"reason\":\" \"}", today);
    CHECK_INT(post_status("/v1/orgs/MKT/close", body, code), 400);
    CHECK_STR(code, "reason_required");
    /* a reason without force closes nothing either */
    snprintf(body, sizeof(body), "{\"date\":\"%s\",\"reason\":\"x\"}", today);
    CHECK_INT(post_status("/v1/orgs/MKT/close", body, code), 409);
    CHECK_STR(code, "open_items");
    CHECK_INT(closed(today, why), 0);
    CHECK_INT(closed(yesterday, why), 0);
    CHECK_INT(AUDITS(), audits);
}

/* Bad splits answer 4xx and change nothing. */
static void test_split_refused(void)
{
    static const char *const bad[][3] = {
        /* body, status, code */
        {"{\"parts\":[{\"payer\":\"A-1\",\"amount\":300000},"
         "{\"payer\":\"A-2\",\"amount\":300000}]}",
         "400", "parts_sum"},
        {"{\"parts\":[{\"payer\":\"A-1\",\"amount\":800000},"
         "{\"payer\":\"A-2\",\"amount\":200000}]}",
         "400", "invalid_parts"},
        {"{\"parts\":[{\"payer\":\"A-1\",\"amount\":500000},"
         "{\"payer\":\"Z-9\",\"amount\":200000}]}",
         "404", "payer_not_found"},
        {"{\"parts\":[{\"payer\":\"A-1\",\"amount\":700000}]}", "400",
         "invalid_parts"},
        {"{\"parts\":[{\"payer\":\"A-1\",\"amount\":350000},"
         "{\"payer\":\"A-1\",\"amount\":350000}]}",
         "400", "invalid_parts"},
        {"{\"parts\":[{\"payer\":\"A-1\",\"amount\":699999.5},"
         "{\"payer\":\"A-2\",\"amount\":0.5}]}",
         "400", "invalid_parts"},
        {"{\"parts\":[{\"payer\":\"A-1\",\"amount\":-100000},"
         "{\"payer\":\"A-2\",\"amount\":800000}]}",
         "400", "invalid_parts"},
        {"{\"parts\":\"A-1\"}", "400", "invalid_type"},
    };
    long long pays = PAYMENTS();
    long long audits = AUDITS();
    long long credit = CREDIT();
    char path[128], code[64];
    size_t i;

    snprintf(path, sizeof(path), "/v1/orgs/MKT/bank/transactions/%lld/split",
             txn_a);
    for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        CHECK_INT(post_status(path, bad[i][0], code), atol(bad[i][1]));
        CHECK_STR(code, bad[i][2]);
    }
    /* a transaction of another number, and a kiosk's key */
    CHECK_INT(post_status("/v1/orgs/MKT/bank/transactions/999999/split",
                          bad[0][0], code),
              404);
    {
        struct resp r = st_send(&srv, "POST", path, kiosk, NULL, bad[0][0]);

        CHECK(r.status == 401 || r.status == 403);
        resp_free(&r);
    }
    CHECK_INT(PAYMENTS(), pays);
    CHECK_INT(AUDITS(), audits);
    CHECK_INT(CREDIT(), credit);
    CHECK_INT(parts_count(), 0);
    CHECK_INT(UNMATCHED(), 2);
}

/*
 * 700.000 split: A-1 600.000 (its rent of 2026-10, 500.000, then 100.000
 * of 2026-11), A-2 100.000 (of its 2026-10). Again: nothing more; other
 * parts: 409.
 */
static void test_split(void)
{
    static const char parts[] = "{\"parts\":[{\"payer\":\"A-1\",\"amount\":"
                                "600000},{\"payer\":\"A-2\",\"amount\":"
                                "100000}],\"reason\":\"mẹ nộp cho hai con\"}";
    char path[128], code[64];
    long long pays = PAYMENTS();
    struct resp r;
    json_t *p;
    size_t k;

    snprintf(path, sizeof(path), "/v1/orgs/MKT/bank/transactions/%lld/split",
             txn_a);
    r = post(path, parts);
    CHECK_INT(r.status, 200);
    CHECK_STR(JS(r, "state"), "matched");
    CHECK_STR(JS(r, "outcome"), "split");
    resp_free(&r);
    CHECK_INT(PAYMENTS(), pays + 2);
    CHECK_INT(paid("A-1", "2026-10"), 500000);
    CHECK_INT(paid("A-1", "2026-11"), 100000);
    CHECK_INT(paid("A-2", "2026-10"), 100000);
    CHECK_INT(st_audit_count(srv.dir, "MKT", "bank.review.split"), 1);
    /* the transaction shows its parts in order, each its own payment */
    p = parts_of(txn_a);
    CHECK_INT((long long)json_array_size(p), 2);
    for (k = 0; k < json_array_size(p) && k < 2; k++) {
        json_t *e = json_array_get(p, k);
        char where[64];

        CHECK_STR(json_string_value(json_object_get(e, "payer")),
                  k == 0 ? "A-1" : "A-2");
        CHECK_INT(st_json_int(e, "amount"), k == 0 ? 600000 : 100000);
        snprintf(where, sizeof(where), "id=%lld&payer=%s&amount=%lld",
                 st_json_int(e, "payment"), k == 0 ? "A-1" : "A-2",
                 k == 0 ? 600000LL : 100000LL);
        CHECK_INT(count("/v1/orgs/MKT/payments", "payments", where), 1);
    }
    json_decref(p);
    p = parts_of(txn_b);
    CHECK_INT((long long)json_array_size(p), 0);
    json_decref(p);
    /* a retry books nothing more */
    r = post(path, parts);
    CHECK_INT(r.status, 200);
    CHECK_STR(JS(r, "outcome"), "split");
    resp_free(&r);
    CHECK_INT(PAYMENTS(), pays + 2);
    CHECK_INT(st_audit_count(srv.dir, "MKT", "bank.review.split"), 1);
    CHECK_INT(post_status(path,
                          "{\"parts\":[{\"payer\":\"A-1\",\"amount\":"
                          "350000},{\"payer\":\"A-2\",\"amount\":350000}]}",
                          code),
              409);
    CHECK_STR(code, "already_split");
    /* the day's report books the parts against the transfer: no
       difference between the bank's side and the ledger's for it */
    {
        char rp[128];
        json_t *d;
        size_t i;

        snprintf(rp, sizeof(rp), "/v1/reports/daily?org=MKT&date=%s", today);
        r = st_get(&srv, rp, admin);
        CHECK_INT(r.status, 200);
        CHECK_INT(st_json_int(r.json, "bank.by_state.matched_exact.count"), 1);
        CHECK_INT(st_json_int(r.json, "proof.ledger_movement"), 700000);
        d = json_object_get(json_object_get(r.json, "proof"), "differences");
        for (i = 0; i < json_array_size(d); i++)
            CHECK(strstr(json_string_value(
                             json_object_get(json_array_get(d, i), "ref")),
                         "FT5501") == NULL);
        resp_free(&r);
    }
    /* a split transfer is not unmatched as a whole */
    snprintf(path, sizeof(path), "/v1/orgs/MKT/bank/transactions/%lld/unmatch",
             txn_a);
    CHECK_INT(post_status(path, "{\"reason\":\"nhầm\"}", code), 409);
    CHECK_INT(PAYMENTS(), pays + 2);
    CHECK_INT(check_clean(), 0);
}

/* Forced close with a reason: kept with the close and in its audit entry;
 * a clean day closes as before. */
static void test_forced_close(void)
{
    static const char why[] = "sao kê ngân hàng lệch 5 đồng, đã báo ngân hàng";
    char body[300], path[128], code[64], reason[256];
    const char *argv[] = {"audit", "verify", "--data-dir", srv.dir, NULL};
    static char out[16384];
    struct resp r;

    snprintf(body, sizeof(body), "{\"date\":\"%s\"}", today);
    r = post("/v1/orgs/MKT/close", body);
    CHECK_INT(r.status, 409);
    CHECK_INT(st_json_int(r.json, "error.open_items.review.count"), 1);
    CHECK_INT(st_json_int(r.json, "error.open_items.review.amount"), 300000);
    resp_free(&r);
    snprintf(body, sizeof(body),
             "{\"date\":\"%s\",\"force\":true,\"reason\":\"%s\"}", today, why);
    r = post("/v1/orgs/MKT/close", body);
    CHECK_INT(r.status, 201);
    CHECK_STR(JS(r, "force_reason"), why);
    resp_free(&r);
    CHECK_INT(st_audit_count_with(srv.dir, "day.close", why), 1);
    snprintf(path, sizeof(path), "/v1/orgs/MKT/close?date=%s", today);
    r = st_get(&srv, path, admin);
    CHECK_INT(r.status, 200);
    CHECK(json_is_true(json_object_get(r.json, "closed")));
    CHECK_STR(JS(r, "force_reason"), why);
    resp_free(&r);
    CHECK_INT(st_run(out, sizeof(out), argv), 0);
    CHECK(strstr(out, why) != NULL);
    /* the other transfer's day is closed: no split */
    snprintf(path, sizeof(path), "/v1/orgs/MKT/bank/transactions/%lld/split",
             txn_b);
    CHECK_INT(post_status(path,
                          "{\"parts\":[{\"payer\":\"A-3\",\"amount\":"
                          "100000},{\"payer\":\"A-4\",\"amount\":200000}]}",
                          code),
              409);
    CHECK_STR(code, "day_closed");
    CHECK_INT(parts_count(), 2);
    /* yesterday had nothing open: closed without force, no reason kept */
    snprintf(body, sizeof(body), "{\"date\":\"%s\"}", yesterday);
    r = post("/v1/orgs/MKT/close", body);
    CHECK_INT(r.status, 201);
    CHECK(json_object_get(r.json, "force_reason") == NULL);
    resp_free(&r);
    CHECK_INT(closed(today, reason), 1);
    CHECK_STR(reason, why);
    CHECK_INT(closed(yesterday, reason), 1);
    CHECK_STR(reason, "");
    CHECK_INT(st_run(out, sizeof(out), argv), 0);
    CHECK_INT(check_clean(), 0);
}

int main(void)
{
    char dir[256];
    const char *extra[] = {"--config", cfg, NULL};

    vn_date(0, today);
    vn_date(-1, yesterday);
    CHECK_INT(st_tmpdir(dir), 0);
    CHECK_INT(st_bank_config(dir, cfg, sizeof(cfg)), 0);
    if (st_start(&srv, dir, extra) != 0) {
        CHECK(0);
        return TEST_END();
    }
    CHECK_INT(st_bank_world(&srv, admin, kiosk), 0);
    import_statement();
    test_open_items_shown();
    test_list_by_day();
    test_close_refused();
    test_split_refused();
    test_split();
    test_forced_close();
    CHECK_INT(st_stop(&srv), 0);
    if (th_failed == 0)
        st_rmtree(dir);
    return TEST_END();
}
