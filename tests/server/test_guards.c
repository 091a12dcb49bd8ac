/*
 * test_guards.c: the ledger's guards the store decides in C, on a real
 * SQLite store without HTTP: a payment or an allocation dated on a
 * closed day is not deleted, a refunded payment is not deleted, a
 * reversed payment's receipt is voided at the reversal's time, nothing
 * is inserted on a closed day or without its day, and after the
 * migrations the only triggers left are the append-only guards.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "harness.h"
#include "srvtest.h"
#include "store.h"
#include "store/store_int.h"

static char db_file[300]; /* the test database's file */
static char today[11];    /* today in Vietnam */

/* Payment `pay` of `org` as store.h lists it, with its allocations:
 * 1 and *out filled (the caller clears it), 0 when it is not listed
 * (reversed), -1 on failure. */
static int payment_of(struct store *st, int64_t org, int64_t pay,
                      struct store_payment_row *out)
{
    struct store_filter f = {0};
    struct store_payment_list l = {0};
    size_t i;
    int found = 0;

    f.limit = 1000;
    if (st->ops->payment_list(st, org, &f, &l) != 0)
        return -1;
    for (i = 0; i < l.n && !found; i++)
        if (l.rows[i].id == pay) {
            *out = l.rows[i];
            memset(&l.rows[i], 0, sizeof(l.rows[i]));
            found = 1;
        }
    store_payment_list_free(&l);
    return found;
}

/* How many allocations payment `pay` of `org` has; -1 when the payment
 * is not listed. */
static long long allocations_of(struct store *st, int64_t org, int64_t pay)
{
    struct store_payment_row p;
    long long n;

    if (payment_of(st, org, pay, &p) != 1)
        return -1;
    n = (long long)p.n_allocations;
    store_payment_row_clear(&p);
    return n;
}

/* 1 when payment `pay` of `org` and each of its allocations count on
 * `day`. */
static int dated_on(struct store *st, int64_t org, int64_t pay, const char *day)
{
    struct store_payment_row p;
    size_t i;
    int ok;

    if (payment_of(st, org, pay, &p) != 1)
        return 0;
    ok = strcmp(p.day, day) == 0 && p.n_allocations > 0;
    for (i = 0; i < p.n_allocations; i++)
        ok &= strcmp(p.allocations[i].day, day) == 0;
    store_payment_row_clear(&p);
    return ok;
}

/* When the receipt of payment `pay` (payer `code` of `org`) was voided
 * as receipt_get reads it: 0 while it is valid, -1 when there is none. */
static long long voided_at(struct store *st, int64_t org, const char *code,
                           int64_t pay)
{
    struct store_filter f = {0};
    struct store_receipt_list l = {0};
    long long v = -1;
    size_t i;

    f.payer = code;
    f.limit = 1000;
    if (st->ops->receipt_list(st, org, &f, &l) != 0)
        return -1;
    for (i = 0; i < l.n && v < 0; i++) {
        struct store_receipt r;

        memset(&r, 0, sizeof(r));
        if (st->ops->receipt_get(st, org, l.rows[i].number, &r) == 0 &&
            r.payment == pay)
            v = r.voided ? r.voided_at : 0;
        store_receipt_clear(&r);
    }
    store_receipt_list_free(&l);
    return v;
}

/* 1 when every payment of `org` and each of its allocations carry the
 * day they count on. */
static int all_dated(struct store *st, int64_t org)
{
    struct store_filter f = {0};
    struct store_payment_list l = {0};
    size_t i, k;
    int ok;

    f.limit = 1000;
    if (st->ops->payment_list(st, org, &f, &l) != 0)
        return 0;
    ok = l.n > 0;
    for (i = 0; i < l.n; i++) {
        ok &= strlen(l.rows[i].day) == 10;
        for (k = 0; k < l.rows[i].n_allocations; k++)
            ok &= strlen(l.rows[i].allocations[k].day) == 10;
    }
    store_payment_list_free(&l);
    return ok;
}

/* The credit of payer `code` of `org` as store.h lists it, or -1. */
static long long credit_of(struct store *st, int64_t org, const char *code)
{
    struct store_filter f = {0};
    struct store_payer_list l = {0};
    long long v = -1;
    size_t i;

    f.limit = 1000;
    if (st->ops->payer_list(st, org, &f, &l) == 0)
        for (i = 0; i < l.n; i++)
            if (strcmp(l.rows[i].code, code) == 0)
                v = l.rows[i].credit;
    store_payer_list_free(&l);
    return v;
}

/* The invoices of `org` (payer `payer` and period `period`, each NULL:
 * any) as store.h lists them: how many (paid 0) or their paid sum. */
static long long invoices(struct store *st, int64_t org, const char *payer,
                          const char *period, int paid)
{
    struct store_filter f = {0};
    struct store_invoice_list l = {0};
    long long v = 0;
    size_t i;

    f.payer = payer;
    f.period = period;
    f.limit = 1000;
    if (st->ops->invoice_list(st, org, &f, &l) != 0)
        return -1;
    for (i = 0; i < l.n; i++)
        v += paid ? l.rows[i].paid : 1;
    store_invoice_list_free(&l);
    return v;
}

/* A transfer of `amount` for payer `code` (its open invoices, oldest
 * first; excess to credit), at `now`: the payment's id, or -1. */
static int64_t transfer(struct store *st, int64_t org, const char *code,
                        int64_t amount, const char *ref, int64_t now)
{
    struct sq *s = (struct sq *)st;
    struct sqi_conn *c;
    struct store_filter f = {0};
    struct store_payer_list l = {0};
    int64_t payer = 0, pay = -1;
    json_t *res = NULL;
    size_t i;
    int rc;

    f.limit = 1000;
    if (st->ops->payer_list(st, org, &f, &l) == 0)
        for (i = 0; i < l.n; i++)
            if (strcmp(l.rows[i].code, code) == 0)
                payer = l.rows[i].id;
    store_payer_list_free(&l);
    c = sqi_get_conn(s); /* after the list: the pool holds one */
    rc = sqi_begin_write(s, c);
    if (rc == 0)
        rc = sqi_transfer_payer(c, org, payer, amount, ref, "test", "test", now,
                                &res, &pay);
    rc = sqi_end_write(s, c, rc);
    sqi_put_conn(s, c);
    json_decref(res);
    return rc == 0 ? pay : -1;
}

/* sqi_payment_reverse of `pay` at `now` in its own write transaction. */
static int reverse(struct store *st, int64_t pay, int64_t now)
{
    struct sq *s = (struct sq *)st;
    struct sqi_conn *c = sqi_get_conn(s);
    int64_t intent = 0;
    int rc;

    rc = sqi_begin_write(s, c);
    if (rc == 0)
        rc = sqi_payment_reverse(c, pay, now, &intent);
    rc = sqi_end_write(s, c, rc);
    sqi_put_conn(s, c);
    return rc;
}

/* Close `day` of `org` as a day close records it. */
static int close_day(int64_t org, const char *day)
{
    char sql[512];

    snprintf(sql, sizeof(sql),
             "INSERT INTO day_closes(org_id, day, closed_at, actor, totals,"
             " audit_id, audit_head, bank_seq) VALUES (%lld, '%s', 1,"
             " 'test', '{}', 0, '', 0)",
             (long long)org, day);
    return (int)st_tamper(db_file, sql);
}

/* A refusal with the detail a guard trigger gave ("conflict"). */
static void check_refused(int rc, const char *detail)
{
    CHECK_INT(rc, -STORE_E_CONFLICT);
    CHECK_STR(store_error_code(), "conflict");
    CHECK_STR(store_error_message(), detail);
}

static void setup(struct store *st, int64_t *org_id)
{
    const struct store_ops *op = st->ops;
    struct store_org org = {"MKT",        "market",  "Chợ Hôm", "970436",
                            "1023456789", "CHO HOM", "CH"};
    struct store_fee rent = {"THUE", "Tiền thuê", "monthly", "", 300000, 1};
    const char *codes[] = {"A-1", "A-2", "A-3", "A-4", "A-5"};
    size_t i;

    CHECK_INT(op->org_create(st, &org, "test", NULL), 0);
    CHECK_INT(op->org_id(st, "MKT", org_id), 0);
    CHECK_INT(op->fee_put(st, *org_id, &rent, 1, "test", NULL), 0);
    for (i = 0; i < sizeof(codes) / sizeof(codes[0]); i++) {
        struct store_payer p = {codes[i], "Vũ Thị Yến", NULL, "A", NULL,
                                NULL,     NULL,         NULL, 1,   NULL};

        CHECK_INT(op->payer_put(st, *org_id, &p, 1, "test", NULL), 0);
    }
    CHECK_INT(op->invoices_generate(st, *org_id, "2026-10", NULL, "t", NULL),
              0);
}

static void test_guards(struct store *st, int64_t org)
{
    struct store_refund_req rf = {"A-1", 50000, "RF1", "trả lại tiền thừa"};
    int64_t now = (int64_t)time(NULL), p1, p2, p3, p4, p5;
    struct store_refund out;

    /* a refunded payment is not deleted: nothing changes */
    p1 = transfer(st, org, "A-1", 400000, "FT1", now);
    CHECK(p1 > 0);
    CHECK_INT(st->ops->payer_refund(st, org, &rf, "test", now, &out), 0);
    store_refund_free(&out);
    check_refused(reverse(st, p1, now), "refunded");
    CHECK_INT(allocations_of(st, org, p1), 1);
    CHECK_INT(credit_of(st, org, "A-1"), 50000);

    /* a reversed payment's receipt is kept, void from the reversal on */
    p2 = transfer(st, org, "A-2", 200000, "FT2", now);
    CHECK(p2 > 0);
    CHECK_INT(voided_at(st, org, "A-2", p2), 0);
    CHECK_INT(reverse(st, p2, now + 7), 0);
    CHECK_INT(allocations_of(st, org, p2), -1);
    CHECK_INT(voided_at(st, org, "A-2", p2), now + 7);

    /* an allocation dated on a closed day is not deleted */
    p3 = transfer(st, org, "A-3", 100000, "FT3", now);
    CHECK(p3 > 0);
    CHECK_INT(close_day(org, "2020-01-02"), 0);
    CHECK_INT(st_tamper(db_file, "UPDATE allocations SET day = '2020-01-02'"
                                 " WHERE payment_id = (SELECT p.id FROM"
                                 " payments p WHERE p.reference = 'FT3')"),
              0);
    check_refused(reverse(st, p3, now), "day_closed");
    CHECK_INT(allocations_of(st, org, p3), 1);

    /* a payment dated on a closed day is not deleted (today closes) */
    p4 = transfer(st, org, "A-4", 100000, "FT4", now);
    CHECK(p4 > 0);
    CHECK_INT(close_day(org, today), 0);
    check_refused(reverse(st, p4, now), "day_closed");
    CHECK_INT(allocations_of(st, org, p4), 1);
    CHECK_INT(voided_at(st, org, "A-4", p4), 0);
    CHECK_INT(invoices(st, org, "A-4", NULL, 1), 100000);

    /* with today closed, what is made now is dated on the next open day,
       never on a closed one */
    p5 = transfer(st, org, "A-5", 500000, "FT5", now);
    CHECK(p5 > 0);
    {
        char next[11] = "";

        CHECK_INT(sqr_next_day(today, next), 0);
        CHECK(dated_on(st, org, p5, next));
    }
    /* an allocation that would be dated on its payment's day, closed
       since: refused (the credit A-5's over-payment left, applied to a
       new invoice) */
    CHECK_INT(close_day(org, "2099-12-31"), 0);
    CHECK_INT(st_tamper(db_file, "UPDATE payments SET day = '2099-12-31'"
                                 " WHERE reference = 'FT5'"),
              0);
    check_refused(
        st->ops->invoices_generate(st, org, "2026-11", NULL, "t", NULL),
        "day_closed");
    CHECK_INT(invoices(st, org, NULL, "2026-11", 0), 0);
    /* every record carries its day (invoices and refunds show none: a
       look at how they are stored) */
    CHECK(all_dated(st, org));
    CHECK_INT(st_tamper(db_file, "SELECT (SELECT count(*) FROM invoices"
                                 " WHERE day IS NULL) + (SELECT count(*)"
                                 " FROM refunds WHERE day IS NULL)"),
              0);
}

/* After the migrations, the only triggers are the append-only guards. */
static void test_triggers(void)
{
    CHECK_INT(st_tamper(db_file, "SELECT count(*) FROM sqlite_master WHERE"
                                 " type = 'trigger'"),
              10);
    CHECK_INT(st_tamper(db_file,
                        "SELECT count(*) FROM sqlite_master WHERE type ="
                        " 'trigger' AND name IN ('audit_encodings_no_delete',"
                        " 'audit_encodings_no_update', 'audit_no_delete',"
                        " 'audit_no_update', 'corrections_no_delete',"
                        " 'corrections_no_update', 'day_close_txns_no_delete',"
                        " 'day_close_txns_no_update', 'day_closes_no_delete',"
                        " 'receipts_no_delete')"),
              10);
    CHECK_INT(st_tamper(db_file, "SELECT max(version) FROM schema_version"),
              21);
}

int main(void)
{
    char dir[256], path[300];
    struct store *st = NULL;
    int64_t org = 0;

    CHECK_INT(st_tmpdir(dir), 0);
    snprintf(path, sizeof(path), "sqlite:%s/t.db", dir);
    snprintf(db_file, sizeof(db_file), "%s/t.db", dir);
    CHECK_INT(sqr_vn_day((int64_t)time(NULL), today), 0);
    CHECK_INT(store_open(path, 1, &st), 0);
    if (st == NULL)
        return TEST_END();
    test_triggers();
    setup(st, &org);
    test_guards(st, org);
    store_close(st);
    if (th_failed == 0)
        st_rmtree(dir);
    return TEST_END();
}
