/*
 * test_store.c: the storage interface and the notifier without HTTP: the
 * ledger entry point that bank ingestion will call
 * (transfer_apply: exact, partial, over, duplicate, expired intent), the
 * payer credit an over-payment leaves used for the next invoices, the
 * changed callback, idempotency in the store, the audit chain check, the
 * migrations on reopen, and the notifier's arm/suspend/fire protocol.
 */
#define _GNU_SOURCE
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "harness.h"
#include "notify.h"
#include "schema_files.h"
#include "srvtest.h"
#include "store.h"

static int64_t changed[16];
static int n_changed;

static void on_changed(void *ctx, int64_t id)
{
    (void)ctx;
    if (n_changed < 16)
        changed[n_changed++] = id;
}

static char db_file[300]; /* the test database's file ("" on PostgreSQL) */

/* The answer an intent's idempotency record keeps, here its code. */
static char *intent_text(const void *res)
{
    const struct store_intent *t = res;
    json_t *j = json_pack("{s:s}", "code", t->code);
    char *text = j ? json_dumps(j, JSON_COMPACT) : NULL;

    json_decref(j);
    return text;
}

/* The total due of payer `payer` of `org_id`, -1 when dues fail. */
static int64_t total_due(struct store *st, int64_t org_id, const char *payer)
{
    struct store_dues d = {0};
    int64_t total = -1;

    if (st->ops->dues(st, org_id, payer, &d) == 0)
        total = d.total_due;
    store_dues_free(&d);
    return total;
}

/* The credit of the first payer `f` lists in `org_id`, -1 when the list
 * fails or is empty. */
static int64_t first_credit(struct store *st, int64_t org_id,
                            const struct store_filter *f)
{
    struct store_payer_list l = {0};
    int64_t credit = -1;

    if (st->ops->payer_list(st, org_id, f, &l) == 0 && l.n > 0)
        credit = l.rows[0].credit;
    store_payer_list_free(&l);
    return credit;
}

/*
 * A refund whose guarded update changes no row (a trigger that silently
 * skips it stands in for a ledger moved under the refund) fails and
 * leaves nothing behind: the payer keeps `credit`, and the reference can
 * be used again.
 */
static void refund_guards(struct store *st, int64_t org_id, int64_t credit)
{
    static const char *const skips[] = {
        "CREATE TRIGGER skip BEFORE UPDATE OF credit ON payers"
        " BEGIN SELECT RAISE(IGNORE); END;",
        "CREATE TRIGGER skip BEFORE UPDATE OF unallocated ON payments"
        " BEGIN SELECT RAISE(IGNORE); END;",
    };
    struct store_refund_req rf = {"A-1", 5000, "RF0", "trả lại tiền thừa"};
    struct store_filter f = {0};
    struct store_refund out;
    size_t i;

    if (db_file[0] == '\0') {
        printf("refund guards: skipped: the skipping triggers are"
               " SQLite's\n");
        return;
    }
    for (i = 0; i < sizeof(skips) / sizeof(skips[0]); i++) {
        CHECK_INT(st_tamper(db_file, skips[i]), 0);
        memset(&out, 0, sizeof(out));
        CHECK_INT(st->ops->payer_refund(st, org_id, &rf, "test",
                                        (int64_t)time(NULL), &out),
                  -STORE_E_CONFLICT);
        CHECK_STR(store_error_code(), "ledger");
        CHECK(out.id == 0 && out.parts == NULL);
        CHECK_INT(st_tamper(db_file, "DROP TRIGGER skip;"), 0);
        CHECK_INT(first_credit(st, org_id, &f), credit);
    }
}

static void test_ledger(struct store *st)
{
    const struct store_ops *op = st->ops;
    struct store_org org = {"MKT",        "market",  "Chợ Hôm", "970436",
                            "1023456789", "CHO HOM", "CH"};
    struct store_fee rent = {"THUE", "Tiền thuê", "monthly", "", 300000, 1};
    struct store_fee day = {"NGAY", "Phí ngày", "daily", "", 10000, 1};
    struct store_payer p = {"A-1", "Vũ Thị Yến", NULL, "A", NULL,
                            NULL,  NULL,         NULL, 1,   NULL};
    struct store_principal k = {STORE_ROLE_KIOSK, 0, 0, "kiosk:1", ""};
    struct store_intent_req ir = {"A-1", NULL, 0, 0, 900, NULL};
    struct store_idem idem = {"key-1", "hash-1", intent_text};
    struct store_transfer t = {NULL, 0, "FT1", "test"};
    struct store_org_row row = {0};
    struct store_invoices_made made = {0, 0};
    struct store_dues dues = {0};
    struct store_intent in;
    struct store_transfer_made tr;
    char code[16], code2[16], hex[65], *replay = NULL;
    int64_t org_id = 0, kid = 0, n = 0, now = (int64_t)time(NULL);

    CHECK_INT(op->org_create(st, &org, "test", &row), 0);
    CHECK_STR(row.code, "MKT");
    CHECK_STR(row.kind, "market");
    CHECK_STR(row.bank_bin, "970436");
    store_org_row_clear(&row);
    CHECK_INT(op->org_id(st, "MKT", &org_id), 0);
    CHECK_INT(op->fee_put(st, org_id, &rent, 1, "test", NULL), 0);
    CHECK_INT(op->fee_put(st, org_id, &day, 1, "test", NULL), 0);
    CHECK_INT(op->payer_put(st, org_id, &p, 1, "test", NULL), 0);
    CHECK_INT(op->invoices_generate(st, org_id, "2026-10", NULL, "t", &made),
              0);
    CHECK_INT(made.created, 1);
    CHECK_INT(made.fees, 1);
    CHECK_INT(op->invoices_generate(st, org_id, "2026-11", NULL, "t", NULL), 0);
    CHECK_INT(op->invoices_generate(st, org_id, "2026-11-02", NULL, "t", NULL),
              0);
    memset(hex, 'a', 64);
    hex[64] = '\0';
    CHECK_INT(op->kiosk_add(st, "MKT", "k", hex, &kid), 0);
    k.id = kid;
    k.org_id = org_id;

    /* exact: one intent for everything, paid by one transfer */
    CHECK_INT(op->intent_create(st, &k, &idem, &ir, now, &in, &replay), 0);
    CHECK(replay == NULL);
    CHECK_INT(in.amount, 610000);
    snprintf(code, sizeof(code), "%s", in.code ? in.code : "");
    store_intent_free(&in);
    /* a replay through the store returns the answer recorded */
    CHECK_INT(op->intent_create(st, &k, &idem, &ir, now, &in, &replay), 0);
    CHECK(replay != NULL);
    {
        json_t *j = replay ? json_loads(replay, 0, NULL) : NULL;

        CHECK_STR(json_string_value(json_object_get(j, "code")), code);
        json_decref(j);
        free(replay);
        replay = NULL;
    }
    idem.body_hash = "other";
    CHECK_INT(op->intent_create(st, &k, &idem, &ir, now, &in, &replay),
              -STORE_E_IDEM);

    /* partial: 400.000 pays October (300.000) then 100.000 of November */
    t.intent_code = code;
    t.amount = 400000;
    n_changed = 0;
    CHECK_INT(op->transfer_apply(st, org_id, &t, "bank", now, &tr), 0);
    CHECK_STR(tr.status, "partial");
    CHECK_INT(tr.n_allocations, 2);
    CHECK_INT(tr.n_allocations > 0 ? tr.allocations[0].amount : 0, 300000);
    CHECK_INT(tr.unallocated, 0);
    CHECK_INT(n_changed, 1);
    store_transfer_made_free(&tr);
    /* the same bank reference again is a duplicate and changes nothing */
    CHECK_INT(op->transfer_apply(st, org_id, &t, "bank", now, &tr),
              -STORE_E_CONFLICT);
    CHECK_INT(total_due(st, org_id, "A-1"), 210000);
    /* over: 250.000 for the 210.000 left: paid, 40.000 credit, flagged */
    t.reference = "FT2";
    t.amount = 250000;
    CHECK_INT(op->transfer_apply(st, org_id, &t, "bank", now, &tr), 0);
    CHECK_STR(tr.status, "paid");
    CHECK_INT(tr.unallocated, 40000); /* flagged "over" */
    store_transfer_made_free(&tr);
    CHECK_INT(total_due(st, org_id, "A-1"), 0);
    {
        struct store_filter f = {0};

        CHECK_INT(first_credit(st, org_id, &f), 40000);
    }
    /* a code that is not an intent of this organisation */
    t.intent_code = "CH22222222";
    t.reference = "FT3";
    CHECK_INT(op->transfer_apply(st, org_id, &t, "bank", now, &tr),
              -STORE_E_NOT_FOUND);
    t.amount = 0;
    CHECK_INT(op->transfer_apply(st, org_id, &t, "bank", now, &tr),
              -STORE_E_INVALID);

    /* refunds of credit: never more than the credit, always with a
       reason and a reference, each reference once */
    {
        struct store_refund_req rf = {"A-1", 50000, "RF1", "trả lại tiền thừa"};
        struct store_refund rd;

        CHECK_INT(op->payer_refund(st, org_id, &rf, "test", now, &rd),
                  -STORE_E_CONFLICT);
        CHECK_STR(store_error_code(), "insufficient_credit");
        rf.amount = 5000;
        rf.reason = "";
        CHECK_INT(op->payer_refund(st, org_id, &rf, "test", now, &rd),
                  -STORE_E_INVALID);
        rf.reason = "trả lại tiền thừa";
        rf.payer = "Z-99";
        CHECK_INT(op->payer_refund(st, org_id, &rf, "test", now, &rd),
                  -STORE_E_NOT_FOUND);
        rf.payer = "A-1";
        refund_guards(st, org_id, 40000);
        CHECK_INT(op->payer_refund(st, org_id, &rf, "test", now, &rd), 0);
        CHECK_INT(rd.credit_left, 35000);
        CHECK_INT(rd.n_parts, 1);
        store_refund_free(&rd);
        CHECK_INT(op->payer_refund(st, org_id, &rf, "test", now, &rd),
                  -STORE_E_CONFLICT);
        CHECK_STR(store_error_code(), "duplicate_reference");
    }
    /* the credit pays the next invoices: all of 2026-11-03 (10.000) ... */
    CHECK_INT(op->invoices_generate(st, org_id, "2026-11-03", NULL, "t", NULL),
              0);
    CHECK_INT(total_due(st, org_id, "A-1"), 0);
    {
        struct store_filter f = {0};

        CHECK_INT(first_credit(st, org_id, &f), 25000);
    }
    /* ... and 25.000 of December's rent, which leaves 275.000 due */
    CHECK_INT(op->invoices_generate(st, org_id, "2026-12", NULL, "t", NULL), 0);
    CHECK_INT(op->dues(st, org_id, "A-1", &dues), 0);
    CHECK_INT(dues.total_due, 275000);
    CHECK(dues.n_invoices > 0 && dues.invoices[0].paid == 25000);
    store_dues_free(&dues);
    {
        struct store_filter f = {0};

        CHECK_INT(first_credit(st, org_id, &f), 0);
    }
    /* generating again changes nothing (no credit used twice) */
    CHECK_INT(op->invoices_generate(st, org_id, "2026-12", NULL, "t", &made),
              0);
    CHECK_INT(made.created, 0);

    /* an expired intent still pays its open invoices */
    idem.key = "key-2";
    idem.body_hash = "hash-2";
    CHECK_INT(op->intent_create(st, &k, &idem, &ir, now - 3600, &in, &replay),
              0);
    snprintf(code2, sizeof(code2), "%s", in.code ? in.code : "");
    {
        int64_t id = in.id;

        store_intent_free(&in);
        CHECK_INT(op->intent_get(st, org_id, id, now, &in), 0);
        CHECK_STR(in.status, "expired");
        store_intent_free(&in);
        t.intent_code = code2;
        t.reference = "FT4";
        t.amount = 275000;
        n_changed = 0;
        CHECK_INT(op->transfer_apply(st, org_id, &t, "bank", now, &tr), 0);
        CHECK_STR(tr.status, "paid");
        store_transfer_made_free(&tr);
        CHECK_INT(op->intent_get(st, org_id, id, now, &in), 0);
        CHECK_STR(in.status, "paid");
        CHECK_INT(in.n_payments, 1);
        /* the signed receipt's number: ORG-YYYY-NNNNNN */
        CHECK(in.receipt != NULL &&
              strncmp(in.receipt, org.code, strlen(org.code)) == 0 &&
              strlen(in.receipt) == strlen(org.code) + 12);
        CHECK(in.paid >= in.amount); /* nothing remains */
        store_intent_free(&in);
        CHECK_INT(n_changed, 1);
        CHECK_INT(changed[0], id);
        /* the other organisation's view: not found */
        CHECK_INT(op->intent_get(st, org_id + 1, id, now, &in),
                  -STORE_E_NOT_FOUND);
    }
    CHECK_INT(op->audit_verify(st, &n), 0);
    CHECK(n >= 10);
}

/* `audit_verify` on the database at `url`: its result, entries in *n. */
static int verify_at(const char *url, int64_t *n)
{
    struct store *st = NULL;
    int rc = store_open(url, 1, &st);

    if (rc != 0)
        return rc;
    rc = st->ops->audit_verify(st, n);
    store_close(st);
    return rc;
}

/*
 * The audit hash covers where each field ends: an entry whose actor and
 * action are rewritten so that a newline moves from one into the other
 * (the text joined by newlines unchanged) no longer verifies.
 */
static void test_audit_boundaries(const char *dir)
{
    struct store_org org = {"BND",        "market",   "Chợ Biên", "970436",
                            "1023450000", "CHO BIEN", "BN"};
    char url[320], file[300];
    struct store *st = NULL;
    int64_t n = 0;

    snprintf(file, sizeof(file), "%s/boundary.db", dir);
    snprintf(url, sizeof(url), "sqlite:%s", file);
    CHECK_INT(store_open(url, 1, &st), 0);
    if (st == NULL)
        return;
    CHECK_INT(st->ops->org_create(st, &org, "tester\nsecond line", NULL), 0);
    store_close(st);
    CHECK_INT(verify_at(url, &n), 0);
    CHECK_INT(n, 1);
    CHECK_INT(st_tamper(file, "DROP TRIGGER audit_no_update;"
                              " UPDATE audit SET actor = 'tester', action ="
                              " 'second line' || char(10) || action;"),
              0);
    CHECK_INT(verify_at(url, &n), -STORE_E_CONFLICT);
    CHECK_STR(store_error_code(), "audit_broken");
}

/* How many entries of `st`'s audit log have hash encoding `encoding`
 * (audit_list); -1 on failure. *total gets the whole log's count. */
static long long encoded(struct store *st, int encoding, long long *total)
{
    struct store_audit_query q = {0, NULL, 0, 1000};
    struct store_audit_list l = {0};
    long long n = 0;
    size_t i;

    if (st->ops->audit_list(st, &q, &l) != 0)
        return -1;
    for (i = 0; i < l.n; i++)
        n += l.rows[i].encoding == encoding;
    *total = l.total;
    store_audit_list_free(&l);
    return n;
}

/*
 * A database written before the hash version existed (its schema and
 * audit chain as the demo left them, tests/data/store/audit_v1.sql):
 * after the migration its entries still verify with their encoding, new
 * entries use the length-prefixed one, the whole chain verifies through
 * `audit_verify` and the check behind `chopay-server check`, and a
 * changed old entry is still caught.
 */
static void test_audit_old_chain(const char *dir)
{
    struct store_org org = {"NEW",        "market",  "Chợ Mới", "970436",
                            "1023459999", "CHO MOI", "NW"};
    char url[320], file[300], *sql = NULL, *at;
    struct store *st = NULL;
    struct store_check k;
    int64_t n = 0, old = 0;
    long long total = 0;
    size_t len;
    FILE *f;

    f = fopen("tests/data/store/audit_v1.sql", "rb");
    CHECK(f != NULL);
    if (f == NULL)
        return;
    sql = malloc(1 << 20);
    len = sql ? fread(sql, 1, (1 << 20) - 1, f) : 0;
    fclose(f);
    if (sql == NULL)
        return;
    sql[len] = '\0';
    /* the entries planted: one INSERT each */
    for (at = strstr(sql, "INSERT INTO audit "); at != NULL;
         at = strstr(at + 1, "INSERT INTO audit "))
        old++;
    CHECK(old > 10);
    snprintf(file, sizeof(file), "%s/old.db", dir);
    snprintf(url, sizeof(url), "sqlite:%s", file);
    CHECK_INT(st_tamper(file, sql), 0);
    free(sql);
    CHECK_INT(store_open(url, 1, &st), 0); /* migrates */
    if (st == NULL)
        return;
    CHECK_INT(st->ops->audit_verify(st, &n), 0);
    CHECK_INT(n, old);
    CHECK_INT(encoded(st, 1, &total), old);
    CHECK_INT(total, old);
    CHECK_INT(st->ops->org_create(st, &org, "tester", NULL), 0);
    CHECK_INT(st->ops->audit_verify(st, &n), 0);
    CHECK_INT(n, old + 1);
    /* the old entries keep encoding 1, the new one has 2 */
    CHECK_INT(encoded(st, 1, &total), old);
    CHECK_INT(encoded(st, 2, &total), 1);
    CHECK_INT(total, old + 1);
    store_close(st);
    st = NULL;
    CHECK_INT(store_open_readonly(url, 1, &st), 0);
    if (st != NULL) {
        memset(&k, 0, sizeof(k));
        CHECK_INT(st->ops->ledger_check(st, &k), 0);
        CHECK_INT(k.audit_chain_verifies, 0);
        free(k.days);
        store_close(st);
    }
    /* an old entry changed, or a new one passed off as old: caught */
    CHECK_INT(st_tamper(file, "DROP TRIGGER audit_encodings_no_update;"
                              " UPDATE audit_encodings SET from_id ="
                              " from_id + 1;"),
              0);
    CHECK_INT(verify_at(url, &n), -STORE_E_CONFLICT);
    CHECK_INT(st_tamper(file, "UPDATE audit_encodings SET from_id ="
                              " from_id - 1; DROP TRIGGER audit_no_update;"
                              " UPDATE audit SET detail = '{}' WHERE id = 3;"),
              0);
    CHECK_INT(verify_at(url, &n), -STORE_E_CONFLICT);
}

/*
 * The journal's unverified entries are pruned by age, count and bytes,
 * oldest first; verified ones, however old, stay.
 */
static void test_journal_prune(const char *dir)
{
    static const char body[] = "{\"x\":1}";
    struct store_journal j = {
        "sepay", 0, "{}", body, strlen(body), "signature", "rejected",
        "bad",   0, 0,    0};
    struct store_journal_limits lim = {0, 0, 0};
    char url[320], file[300];
    struct store *st = NULL;
    int64_t id = 0, gone = -1, now = 2000000000;
    int i;

    snprintf(file, sizeof(file), "%s/journal.db", dir);
    snprintf(url, sizeof(url), "sqlite:%s", file);
    CHECK_INT(store_open(url, 1, &st), 0);
    if (st == NULL)
        return;
    /* ten unverified a day apart (oldest first), a verified one at the
       very start, one invalid among them */
    j.verified = "ok";
    j.state = "received";
    j.now = now - 100 * 86400;
    CHECK_INT(st->ops->journal_add(st, &j, &id), 0);
    j.verified = "signature";
    j.state = "rejected";
    for (i = 0; i < 10; i++) {
        j.now = now - (10 - i) * 86400;
        j.state = i == 5 ? "invalid" : "rejected";
        j.verified = i == 5 ? "unverified" : "signature";
        CHECK_INT(st->ops->journal_add(st, &j, &id), 0);
    }
    /* older than 7 days: 3 go */
    lim.max_age = 7 * 86400 + 10;
    CHECK_INT(st->ops->journal_prune(st, &lim, now, &gone), 0);
    CHECK_INT(gone, 3);
    /* at most 5: 2 more go */
    lim.max_entries = 5;
    CHECK_INT(st->ops->journal_prune(st, &lim, now, &gone), 0);
    CHECK_INT(gone, 2);
    /* bytes: each entry is 2 + 7 + 3 bytes; 30 keeps the newest 2 */
    lim.max_bytes = 30;
    CHECK_INT(st->ops->journal_prune(st, &lim, now, &gone), 0);
    CHECK_INT(gone, 3);
    /* a stranger's entry added with keep = 1 leaves only itself */
    j.keep = 1;
    j.now = now;
    CHECK_INT(st->ops->journal_add(st, &j, &id), 0);
    {
        struct store_journal_query q = {NULL, NULL, 0, 1000};
        struct store_journal_list l = {0};

        CHECK_INT(st->ops->journal_list(st, &q, &l), 0);
        /* the verified one (received, so at the start) and the new one */
        CHECK_INT(l.total, 2);
        CHECK(l.n == 2 && strcmp(l.rows[0].verified, "ok") == 0);
        CHECK(l.n == 2 && strcmp(l.rows[1].verified, "ok") != 0 &&
              l.rows[1].id == id);
        store_journal_list_free(&l);
    }
    store_close(st);
}

/*
 * The ledger's invariants through the store operation behind
 * `chopay-server check`, on database `url` opened read-only: nothing
 * breaks any of them.
 */
static void check_ledger(const char *url)
{
    struct store *st = NULL;
    struct store_check k;

    CHECK_INT(store_open_readonly(url, 1, &st), 0);
    if (st == NULL)
        return;
    memset(&k, 0, sizeof(k));
    CHECK_INT(st->ops->ledger_check(st, &k), 0);
    CHECK_INT(k.invoice_paid_equals_allocations, 0);
    CHECK_INT(k.invoice_paid_within_amount, 0);
    CHECK_INT(k.intent_paid_equals_payments, 0);
    CHECK_INT(k.intent_status_follows_paid, 0);
    CHECK_INT(k.payment_amount_equals_parts, 0);
    CHECK_INT(k.payment_parts_not_negative, 0);
    CHECK_INT(k.reversed_payment_holds_nothing, 0);
    CHECK_INT(k.refund_equals_parts, 0);
    CHECK_INT(k.payment_has_one_receipt, 0);
    CHECK_INT(k.payer_credit_equals_unallocated, 0);
    CHECK_INT(k.matched_txn_has_one_payment, 0);
    CHECK_INT(k.unmatched_txn_has_no_payment, 0);
    CHECK_INT(k.payment_matched_once, 0);
    CHECK_INT(k.duplicate_has_live_original, 0);
    CHECK_INT(k.audit_chain_verifies, 0);
    CHECK(k.n_days > 0);
    free(k.days);
    store_close(st);
}

/*
 * Two intents of one payer over overlapping invoices (A, B) and (B, C),
 * paid by 15.000 and 10.000: whichever transfer arrives first, every
 * invoice ends with the same amount paid and the payer with the same
 * credit. `first` is 0 or 1; *paid gets the three invoices' paid amounts
 * and the payer's credit.
 */
static void order_run(const char *dir, int first, int64_t paid[4])
{
    struct store_org org = {"ORD",        "market",  "Chợ Thử", "970436",
                            "1023456789", "CHO THU", "CH"};
    struct store_fee day = {"NGAY", "Phí ngày", "daily", "", 10000, 1};
    struct store_payer p = {"B-1", "Hồ Văn Tư", NULL, "B", NULL,
                            NULL,  NULL,        NULL, 1,   NULL};
    struct store_principal k = {STORE_ROLE_KIOSK, 0, 0, "kiosk:1", ""};
    const char *days[] = {"2026-11-01", "2026-11-02", "2026-11-03"};
    int64_t org_id = 0, kid = 0, inv[3] = {0}, now = (int64_t)time(NULL);
    char path[320], hex[65], codes[2][16];
    struct store *st = NULL;
    struct store_dues dues = {0};
    char *replay = NULL;
    int i;

    snprintf(path, sizeof(path), "sqlite:%s/order%d.db", dir, first);
    CHECK_INT(store_open(path, 1, &st), 0);
    if (st == NULL)
        return;
    CHECK_INT(st->ops->org_create(st, &org, "t", NULL), 0);
    CHECK_INT(st->ops->org_id(st, "ORD", &org_id), 0);
    CHECK_INT(st->ops->fee_put(st, org_id, &day, 1, "t", NULL), 0);
    CHECK_INT(st->ops->payer_put(st, org_id, &p, 1, "t", NULL), 0);
    for (i = 0; i < 3; i++) {
        CHECK_INT(
            st->ops->invoices_generate(st, org_id, days[i], NULL, "t", NULL),
            0);
    }
    CHECK_INT(st->ops->dues(st, org_id, "B-1", &dues), 0);
    CHECK_INT(dues.n_invoices, 3);
    for (i = 0; i < 3 && (size_t)i < dues.n_invoices; i++)
        inv[i] = dues.invoices[i].id;
    store_dues_free(&dues);
    memset(hex, 'b', 64);
    hex[64] = '\0';
    CHECK_INT(st->ops->kiosk_add(st, "ORD", "k", hex, &kid), 0);
    k.id = kid;
    k.org_id = org_id;
    for (i = 0; i < 2; i++) {
        struct store_intent_req ir = {"B-1", inv + i, 2, 0, 900, NULL};
        struct store_idem idem = {i ? "o-2" : "o-1", i ? "h-2" : "h-1",
                                  intent_text};
        struct store_intent in;

        CHECK_INT(st->ops->intent_create(st, &k, &idem, &ir, now, &in, &replay),
                  0);
        snprintf(codes[i], sizeof(codes[i]), "%s", in.code ? in.code : "");
        store_intent_free(&in);
    }
    for (i = 0; i < 2; i++) {
        int w = first ^ i; /* which intent's transfer comes now */
        struct store_transfer t = {codes[w], w ? 10000 : 15000,
                                   w ? "FT-O2" : "FT-O1", "test"};

        struct store_transfer_made made;

        CHECK_INT(st->ops->transfer_apply(st, org_id, &t, "bank", now, &made),
                  0);
        store_transfer_made_free(&made);
    }
    {
        struct store_filter f = {0};
        struct store_invoice_list l = {0};

        CHECK_INT(st->ops->invoice_list(st, org_id, &f, &l), 0);
        for (i = 0; i < 3; i++) {
            size_t j;

            for (j = 0; j < l.n; j++)
                if (l.rows[j].id == inv[i])
                    paid[i] = l.rows[j].paid;
        }
        store_invoice_list_free(&l);
        paid[3] = first_credit(st, org_id, &f);
    }
    store_close(st);
    check_ledger(path);
}

static void test_order(const char *dir)
{
    int64_t a[4] = {-1, -1, -1, -1}, b[4] = {-2, -2, -2, -2};
    int i;

    order_run(dir, 0, a);
    order_run(dir, 1, b);
    for (i = 0; i < 4; i++)
        CHECK_INT(a[i], b[i]);
    /* 25.000 for 30.000 due: the oldest two paid, 5.000 on the third */
    CHECK_INT(a[0] + a[1] + a[2], 25000);
    CHECK_INT(a[3], 0);
}

/*
 * The read-only store behind `chopay-server check`: no database is not
 * created; a schema older than the program's is refused, not migrated;
 * nothing can be written. And the command's exit statuses: 0 clean, 2
 * when the database cannot be checked.
 */
static void test_readonly(const char *dir)
{
    char url[340], file[320], out[4096];
    const char *argv[] = {"check", "--db", url, NULL};
    struct store_org org = {"RO",         "market",  "Chợ Đọc", "970436",
                            "1023456789", "CHO DOC", "RO"};
    struct store *st = NULL;
    char older[64];
    int before = schema_files_version();

    snprintf(file, sizeof(file), "%s/none.db", dir);
    snprintf(url, sizeof(url), "sqlite:%s", file);
    CHECK_INT(store_open_readonly(url, 1, &st), -STORE_E_USAGE);
    CHECK_STR(store_error_code(), "no_database");
    CHECK(access(file, F_OK) != 0);
    CHECK_INT(st_run(out, sizeof(out), argv), 2);
    CHECK(access(file, F_OK) != 0);
    snprintf(file, sizeof(file), "%s/t.db", dir);
    snprintf(url, sizeof(url), "sqlite:%s", file);
    CHECK_INT(st_run(out, sizeof(out), argv), 0);
    CHECK(strstr(out, "\nledger ok: ") != NULL);
    st = NULL;
    CHECK_INT(store_open_readonly(url, 1, &st), 0);
    if (st != NULL) {
        CHECK(st->ops->org_create(st, &org, "t", NULL) < 0);
        store_close(st);
    }
    /* an older schema: said so, left as it is */
    CHECK(before > 1);
    CHECK_INT(st_tamper(file, "DELETE FROM schema_version WHERE version ="
                              " (SELECT max(version) FROM schema_version)"),
              0);
    snprintf(older, sizeof(older), "database schema %d is older", before - 1);
    st = NULL;
    CHECK_INT(store_open_readonly(url, 1, &st), -STORE_E_USAGE);
    CHECK_STR(store_error_code(), "schema_too_old");
    CHECK(strstr(store_error_message(), older) != NULL);
    CHECK_INT(st_run(out, sizeof(out), argv), 2);
    /* the check changed nothing: the version is still the older one */
    st = NULL;
    CHECK_INT(store_open_readonly(url, 1, &st), -STORE_E_USAGE);
    CHECK(strstr(store_error_message(), older) != NULL);
}

/* ---- notifier ----------------------------------------------------------- */

static atomic_int woken;
static void wake(void *arg)
{
    (void)arg;
    atomic_fetch_add(&woken, 1);
}
static void suspend(void *arg)
{
    (void)arg;
}

static void test_notify(void)
{
    struct notify *n = notify_new();
    struct notify_waiter *w;
    int64_t t0;

    CHECK(n != NULL);
    /* fired before suspension: notify_suspend says "re-check" */
    w = notify_arm(n, 7, notify_now_ms() + 10000, wake, NULL);
    notify_signal(n, 7);
    CHECK_INT(notify_suspend(n, w, suspend), 1);
    CHECK_INT(atomic_load(&woken), 0);
    /* suspended, then signalled: woken once; other keys untouched */
    w = notify_arm(n, 8, notify_now_ms() + 10000, wake, NULL);
    CHECK_INT(notify_suspend(n, w, suspend), 0);
    CHECK_INT(notify_waiting(n), 1);
    notify_signal(n, 9);
    CHECK_INT(atomic_load(&woken), 0);
    notify_signal(n, 8);
    CHECK_INT(atomic_load(&woken), 1);
    CHECK_INT(notify_waiting(n), 0);
    notify_signal(n, 8);
    CHECK_INT(atomic_load(&woken), 1);
    /* the deadline fires it */
    t0 = notify_now_ms();
    w = notify_arm(n, 10, t0 + 150, wake, NULL);
    CHECK_INT(notify_suspend(n, w, suspend), 0);
    while (atomic_load(&woken) < 2 && notify_now_ms() - t0 < 3000)
        usleep(5000);
    CHECK_INT(atomic_load(&woken), 2);
    CHECK(notify_now_ms() - t0 >= 140 && notify_now_ms() - t0 < 1000);
    /* disarm without suspending */
    w = notify_arm(n, 11, notify_now_ms() + 10000, wake, NULL);
    notify_disarm(n, w);
    /* close wakes everyone and refuses new waiters */
    w = notify_arm(n, 12, notify_now_ms() + 60000, wake, NULL);
    CHECK_INT(notify_suspend(n, w, suspend), 0);
    notify_close(n);
    CHECK_INT(atomic_load(&woken), 3);
    CHECK(notify_arm(n, 13, notify_now_ms() + 1000, wake, NULL) == NULL);
    notify_free(n);
}

/* Deadlines fired in the order they fall due, whatever order they were
 * armed in, with waiters signalled or disarmed in between. */
static int64_t fired_at[300];
static atomic_int n_fired;
static void wake_order(void *arg)
{
    int i = atomic_fetch_add(&n_fired, 1);

    if (i < 300)
        fired_at[i] = *(const int64_t *)arg;
}

static void test_notify_deadlines(void)
{
    struct notify *n = notify_new();
    static int64_t due[300];
    struct notify_waiter *w;
    int64_t t0 = notify_now_ms();
    int i, expect = 0, in_order = 1;

    CHECK(n != NULL);
    for (i = 0; i < 300; i++) {
        due[i] = t0 + 100 + (i * 7919) % 300;
        w = notify_arm(n, 1000 + i, due[i], wake_order, &due[i]);
        if (i % 10 == 3) {
            notify_disarm(n, w); /* never fires */
            continue;
        }
        CHECK_INT(notify_suspend(n, w, suspend), 0);
        expect++;
    }
    CHECK_INT(notify_waiting(n), expect);
    /* signalled ones leave the heap too */
    for (i = 0; i < 300; i += 10) {
        notify_signal(n, 1000 + i);
        expect--;
    }
    CHECK_INT(atomic_load(&n_fired), 30);
    atomic_store(&n_fired, 0);
    while (atomic_load(&n_fired) < expect && notify_now_ms() - t0 < 5000)
        usleep(5000);
    CHECK_INT(atomic_load(&n_fired), expect);
    for (i = 1; i < expect; i++)
        if (fired_at[i] < fired_at[i - 1])
            in_order = 0;
    CHECK(in_order);
    CHECK_INT(notify_waiting(n), 0);
    notify_free(n);
}

/* The ledger test on a PostgreSQL database of its own. */
static void test_ledger_pg(void)
{
    char dir[256], url[400];
    struct store *st = NULL;

    CHECK_INT(st_tmpdir(dir), 0);
    st_db_url(dir, url, sizeof(url));
    db_file[0] = '\0';
    CHECK_INT(store_open(url, 2, &st), 0);
    if (st == NULL)
        return;
    st->changed = on_changed;
    test_ledger(st);
    store_close(st);
    check_ledger(url);
    st_rmtree(dir);
}

int main(void)
{
    char dir[256], path[300];
    struct store *st = NULL;
    int64_t n = 0;

    CHECK_INT(st_tmpdir(dir), 0);
    snprintf(path, sizeof(path), "sqlite:%s/t.db", dir);
    snprintf(db_file, sizeof(db_file), "%s/t.db", dir);
    CHECK_INT(store_open(path, 2, &st), 0);
    if (st == NULL)
        return TEST_END();
    st->changed = on_changed;
    test_ledger(st);
    store_close(st);
    check_ledger(path);
    /* reopen: migrations are not applied twice, data is there */
    st = NULL;
    CHECK_INT(store_open(path, 1, &st), 0);
    CHECK_INT(st->ops->audit_verify(st, &n), 0);
    CHECK(n >= 10);
    store_close(st);
    /* a PostgreSQL URL is the same store; none answers on this one */
    CHECK_INT(store_open("postgresql:///none?host=/nonexistent", 1, &st),
              -STORE_E_IO);
    CHECK_INT(store_open("mysql://x", 1, &st), -STORE_E_USAGE);
    if (st_on_pg())
        test_ledger_pg();
    test_readonly(dir);
    test_order(dir);
    test_audit_boundaries(dir);
    test_audit_old_chain(dir);
    test_journal_prune(dir);
    test_notify();
    test_notify_deadlines();
    if (th_failed == 0)
        st_rmtree(dir);
    return TEST_END();
}
