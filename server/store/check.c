/*
 * check.c: the ledger's invariants
 * (store_ops.ledger_check). Each invariant is one read-only query that
 * counts the records breaking it; all of them run in one read
 * transaction, so a server writing meanwhile (WAL) never makes a
 * consistent ledger look broken. Nothing here writes.
 */
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store_int.h"

/* The live payments: those not reversed by a review after a close. */
#define LIVE "reversed_day IS NULL"

/* One invariant: where its count goes and the query that counts. */
struct invariant {
    size_t field; /* offsetof(struct store_check, ...) */
    const char *sql;
};

static const struct invariant invariants[] = {
    {offsetof(struct store_check, invoice_paid_equals_allocations),
     "SELECT count(*) FROM invoices i LEFT JOIN (SELECT a.invoice_id AS id,"
     " sum(a.amount) AS s FROM allocations a JOIN payments p ON p.id ="
     " a.payment_id WHERE p." LIVE " GROUP BY a.invoice_id) x ON x.id = i.id"
     " WHERE i.paid != coalesce(x.s, 0)"},
    {offsetof(struct store_check, invoice_paid_within_amount),
     "SELECT count(*) FROM invoices WHERE paid < 0 OR paid > amount"},
    {offsetof(struct store_check, intent_paid_equals_payments),
     "SELECT count(*) FROM intents t LEFT JOIN (SELECT intent_id AS id,"
     " sum(amount) AS s FROM payments WHERE intent_id IS NOT NULL AND " LIVE
     " GROUP BY intent_id) x ON x.id = t.id WHERE t.paid != coalesce(x.s, 0)"},
    {offsetof(struct store_check, intent_status_follows_paid),
     "SELECT count(*) FROM intents WHERE status != 'cancelled' AND status !="
     " CASE WHEN paid <= 0 THEN 'pending' WHEN paid < amount THEN 'partial'"
     " ELSE 'paid' END"},
    {offsetof(struct store_check, payment_amount_equals_parts),
     "SELECT count(*) FROM payments p LEFT JOIN (SELECT payment_id AS id,"
     " sum(amount) AS s FROM allocations GROUP BY payment_id) a ON a.id ="
     " p.id LEFT JOIN (SELECT payment_id AS id, sum(amount) AS s FROM"
     " refund_parts GROUP BY payment_id) r ON r.id = p.id WHERE p." LIVE
     " AND p.amount != coalesce(a.s, 0) + p.unallocated + coalesce(r.s, 0)"},
    {offsetof(struct store_check, payment_parts_not_negative),
     "SELECT (SELECT count(*) FROM payments WHERE amount <= 0 OR"
     " unallocated < 0) + (SELECT count(*) FROM allocations WHERE amount <="
     " 0) + (SELECT count(*) FROM refund_parts WHERE amount <= 0)"},
    {offsetof(struct store_check, reversed_payment_holds_nothing),
     "SELECT count(*) FROM payments p WHERE p.reversed_day IS NOT NULL AND"
     " (p.unallocated != 0 OR EXISTS (SELECT 1 FROM refund_parts r WHERE"
     " r.payment_id = p.id))"},
    {offsetof(struct store_check, refund_equals_parts),
     "SELECT count(*) FROM refunds f LEFT JOIN (SELECT refund_id AS id,"
     " sum(amount) AS s FROM refund_parts GROUP BY refund_id) x ON x.id ="
     " f.id WHERE f.amount != coalesce(x.s, 0)"},
    {offsetof(struct store_check, payment_has_one_receipt),
     "SELECT count(*) FROM payments p WHERE (SELECT count(*) FROM receipts"
     " r WHERE r.payment_id = p.id AND r.voided_at IS NULL) != CASE WHEN"
     " p." LIVE " THEN 1 ELSE 0 END"},
    {offsetof(struct store_check, payer_credit_equals_unallocated),
     "SELECT count(*) FROM payers y LEFT JOIN (SELECT payer_id AS id,"
     " sum(unallocated) AS s FROM payments WHERE " LIVE
     " GROUP BY payer_id) u ON u.id = y.id WHERE y.credit != coalesce(u.s,"
     " 0)"},
    {offsetof(struct store_check, matched_txn_has_one_payment),
     "SELECT count(*) FROM bank_txns t LEFT JOIN payments p ON p.id ="
     " t.payment_id AND p." LIVE " AND p.org_id = t.org_id AND p.method ="
     " 'transfer' AND p.amount = t.amount WHERE t.state = 'matched' AND"
     " p.id IS NULL AND NOT (t.outcome = 'split' AND t.payment_id IS NULL"
     " AND t.amount = (SELECT coalesce(sum(x.amount), 0) FROM"
     " bank_txn_parts bp JOIN payments x ON x.id = bp.payment_id AND x." LIVE
     " AND x.org_id = t.org_id AND x.method = 'transfer' WHERE"
     " bp.txn_id = t.id))"},
    {offsetof(struct store_check, unmatched_txn_has_no_payment),
     "SELECT (SELECT count(*) FROM bank_txns WHERE state != 'matched' AND"
     " payment_id IS NOT NULL) + (SELECT count(*) FROM bank_txn_parts bp"
     " JOIN bank_txns t ON t.id = bp.txn_id WHERE t.state != 'matched')"},
    {offsetof(struct store_check, payment_matched_once),
     "SELECT count(*) FROM (SELECT payment_id FROM (SELECT payment_id FROM"
     " bank_txns WHERE payment_id IS NOT NULL UNION ALL SELECT payment_id"
     " FROM bank_txn_parts) u GROUP BY payment_id HAVING count(*) > 1) m"},
    {offsetof(struct store_check, duplicate_has_live_original),
     "SELECT count(*) FROM bank_txns d LEFT JOIN bank_txns o ON o.id ="
     " d.duplicate_of WHERE d.state = 'duplicate' AND (o.id IS NULL OR"
     " o.state = 'duplicate' OR o.org_id != d.org_id OR o.direction !="
     " d.direction OR o.amount != d.amount)"},
};

/* Every (organisation, day) some dated record counts on. */
static const char days_sql[] =
    "SELECT o.id, o.code, d.day FROM (SELECT org_id, day FROM invoices"
    " UNION SELECT org_id, day FROM payments"
    " UNION SELECT org_id, reversed_day FROM payments"
    " UNION SELECT p.org_id, a.day FROM allocations a JOIN payments p"
    "  ON p.id = a.payment_id"
    " UNION SELECT org_id, day FROM refunds"
    " UNION SELECT org_id, report_date FROM bank_txns"
    " UNION SELECT org_id, day FROM corrections"
    " UNION SELECT org_id, day FROM day_closes WHERE reopened_at IS NULL)"
    " d JOIN orgs o ON o.id = d.org_id WHERE d.day IS NOT NULL"
    " ORDER BY o.code, d.day";

/* The statement for `sql` (an entry of the static tables above: db_q
 * keeps it per connection), or NULL with the store's error set. */
static struct db_stmt *stmt(struct db *db, const char *sql)
{
    struct db_stmt *st = db_q(db, sql);

    if (st == NULL)
        sqi_db_error(db, -DB_E_SQL, "prepare");
    return st;
}

/* The single integer `sql` answers into *out. */
static int count_of(struct db *db, const char *sql, int64_t *out)
{
    struct db_stmt *st = stmt(db, sql);
    int rc;

    if (st == NULL)
        return -STORE_E_IO;
    rc = db_step(st);
    if (rc == 1) {
        *out = db_column_int64(st, 0);
        rc = 0;
    } else if (rc == 0) {
        store_set_error("storage_unavailable", "check: no count");
        rc = -STORE_E_IO;
    } else {
        rc = sqi_db_error(db, rc, "step");
    }
    db_reset(st);
    return rc;
}

/* The days with records into out->days; 0 or a negated store error. */
static int days_of(struct db *db, struct store_check *out)
{
    struct db_stmt *st = stmt(db, days_sql);
    struct store_check_day *days = NULL;
    size_t n = 0, cap = 0;
    int rc, oom = 0;

    if (st == NULL)
        return -STORE_E_IO;
    while ((rc = db_step(st)) == 1) {
        const char *code = db_column_text(st, 1);
        const char *day = db_column_text(st, 2);

        if (n == cap) {
            size_t ncap = cap ? cap * 2 : 64;
            struct store_check_day *nd = realloc(days, ncap * sizeof(*nd));

            if (nd == NULL) {
                store_set_error("out_of_memory", "out of memory");
                oom = 1;
                break;
            }
            days = nd;
            cap = ncap;
        }
        days[n].org_id = db_column_int64(st, 0);
        snprintf(days[n].org, sizeof(days[n].org), "%s", code ? code : "");
        /* a malformed day is kept as it is: its report must say so */
        snprintf(days[n].date, sizeof(days[n].date), "%s", day ? day : "");
        n++;
    }
    if (oom)
        rc = -STORE_E_IO;
    else if (rc < 0)
        rc = sqi_db_error(db, rc, "step");
    db_reset(st);
    if (rc < 0) {
        free(days);
        return rc;
    }
    out->days = days;
    out->n_days = n;
    return 0;
}

int sqc_ledger_check(struct store *base, struct store_check *out)
{
    struct sq *s = (struct sq *)base;
    struct sqi_conn *c = sqi_get_conn(s);
    struct db *db = sqi_dbh(c);
    struct store_check r;
    int64_t entries = 0;
    size_t i;
    int rc;

    memset(&r, 0, sizeof(r));
    rc = sqi_begin_read(c);
    for (i = 0; rc == 0 && i < sizeof(invariants) / sizeof(invariants[0]); i++)
        rc = count_of(db, invariants[i].sql,
                      (int64_t *)((char *)&r + invariants[i].field));
    if (rc == 0)
        rc = days_of(db, &r);
    sqi_end_read(c);
    sqi_put_conn(s, c);
    if (rc != 0)
        goto fail;
    /* its own snapshot: the chain only grows, a prefix verifies alike */
    rc = base->ops->audit_verify(base, &entries);
    if (rc == -STORE_E_CONFLICT) {
        r.audit_chain_verifies = 1;
        snprintf(r.audit_message, sizeof(r.audit_message), "%s",
                 store_error_message());
        rc = 0;
    }
    if (rc != 0)
        goto fail;
    *out = r;
    return 0;
fail:
    free(r.days);
    return rc;
}
