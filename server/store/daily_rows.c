/*
 * daily_rows.c: the rows of a day's reconciliation report, read in one
 * transaction: the bank side as a close froze it when the day is closed,
 * live otherwise.
 */
#include <stdlib.h>
#include <string.h>

#include "crypto.h"
#include "store_int.h"

/*
 * Run `sql` (a string with static storage) with its first `nparams`
 * parameters of ?1 org id, ?2 the date text, ?3 the active close's id or
 * 0, and append every row as a JSON array of its columns (integers,
 * text, null) to `arr`.
 */
int sqr_rows_into(struct db *db, const char *sql, int nparams, int64_t org,
                  const char *date, int64_t close_id, json_t *arr)
{
    struct db_stmt *q = NULL;
    int rc, i, n;

    rc = sqr_stmt(db, sql, &q);
    if (rc != 0)
        return rc;
    if (nparams >= 1)
        db_bind_int64(q, 1, org);
    if (nparams >= 2)
        db_bind_text(q, 2, date);
    if (nparams >= 3)
        db_bind_int64(q, 3, close_id);
    while ((rc = sqr_step(db, q)) == 1) {
        json_t *row = json_array();

        n = db_column_count(q);
        for (i = 0; i < n; i++) {
            if (db_column_type(q, i) == DB_INTEGER)
                json_array_append_new(row, json_integer(db_column_int64(q, i)));
            else if (db_column_type(q, i) == DB_NULL)
                json_array_append_new(row, json_null());
            else
                json_array_append_new(row, json_string(db_column_text(q, i)));
        }
        json_array_append_new(arr, row);
    }
    sqr_done(q);
    return rc < 0 ? rc : 0;
}

#define TXN_REF                                                                \
    "coalesce(nullif(t.bank_ref, ''), t.provider || ':' || t.provider_txn_id)"
#define LATE_COL "CASE WHEN " TXN_LATE " THEN 1 ELSE 0 END"

/*
 * The rows of the daily reconciliation of `date` of `org` (see
 * store.h daily_rows), read in the caller's transaction: the bank side
 * as the active close froze it when the day is closed, live otherwise.
 */
int sqr_rows_of_day(struct db *db, int64_t org, const char *date, json_t **out)
{
    /* invoices issued by the end of the day, paid as of then (an
       allocation counts from its day on, until its payment is reversed);
       only those still owed then and those due that day are needed */
    static const char *const q_inv =
        "SELECT id, code, period, day, amount, pt, pc FROM"
        " (SELECT v.id, y.code, v.period, v.day, v.amount,"
        " coalesce(sum(CASE WHEN p.method = 'transfer' THEN a.amount END),"
        " 0) AS pt,"
        " coalesce(sum(CASE WHEN p.method = 'cash' THEN a.amount END), 0)"
        " AS pc FROM invoices v JOIN payers y ON y.id = v.payer_id"
        " LEFT JOIN allocations a ON a.invoice_id = v.id AND a.day <= ?2"
        " LEFT JOIN payments p ON p.id = a.payment_id AND"
        " (p.reversed_day IS NULL OR p.reversed_day > ?2)"
        " WHERE v.org_id = ?1 AND v.day <= ?2 GROUP BY v.id, y.id) x"
        " WHERE pt + pc < amount OR day = ?2 OR period = ?2"
        " OR period = substr(?2, 1, 7) ORDER BY id";
    static const char *const q_bank_live =
        "SELECT " TXN_REF ", t.amount, t.direction, t.state, t.outcome,"
        " " LATE_COL ", t.booked_at, t.balance, t.id FROM bank_txns t"
        " WHERE t.org_id = ?1 AND t.report_date = ?2 ORDER BY t.id";
    static const char *const q_bank_closed =
        "SELECT " TXN_REF ", t.amount, t.direction, s.state, s.outcome,"
        " " LATE_COL ", t.booked_at, t.balance, t.id FROM day_close_txns s"
        " JOIN bank_txns t ON t.id = s.txn_id WHERE s.close_id = ?3"
        " AND t.org_id = ?1 AND t.report_date = ?2 ORDER BY t.id";
    /* the ledger's side: payments booked from those transactions (the
       parts of a split one each); late
       when the transaction is, or when the payment corrects another day */
    static const char *const q_ledger_live =
        "SELECT " TXN_REF ", p.amount, CASE WHEN " TXN_LATE " OR"
        " p.corrects_date IS NOT NULL THEN 1 ELSE 0 END FROM bank_txns t JOIN "
        "payments p ON p.id = t.payment_id OR p.id IN (SELECT bp.payment_id"
        " FROM bank_txn_parts bp WHERE bp.txn_id = t.id)"
        " WHERE t.org_id = ?1 AND t.report_date = ?2 ORDER BY t.id, p.id";
    static const char *const q_ledger_closed =
        "SELECT " TXN_REF ", s.ledger, s.ledger_late FROM day_close_txns s"
        " JOIN bank_txns t ON t.id = s.txn_id WHERE s.close_id = ?3"
        " AND t.org_id = ?1 AND t.report_date = ?2 AND s.ledger IS NOT NULL"
        " ORDER BY t.id";
    /* credit held at the end of the day: what payments dated by then
       (not reversed by then) kept unallocated, less refunds dated by
       then. Only an over-payment (flag 'over') ever holds any: every
       other payment is allocated in full when it is made. */
    static const char *const q_credit =
        "SELECT code, held FROM (SELECT y.code, sum(p.amount -"
        " coalesce((SELECT sum(a.amount) FROM"
        " allocations a WHERE a.payment_id = p.id AND a.day <= ?2), 0)"
        " - coalesce((SELECT sum(rp.amount) FROM refund_parts rp JOIN"
        " refunds r ON r.id = rp.refund_id WHERE rp.payment_id = p.id AND"
        " r.day <= ?2), 0)) AS held FROM payments p JOIN payers y"
        " ON y.id = p.payer_id WHERE p.org_id = ?1 AND p.flag = 'over'"
        " AND p.day <= ?2 AND (p.reversed_day IS NULL OR"
        " p.reversed_day > ?2) GROUP BY y.id) x WHERE held > 0"
        " ORDER BY code";
    /* a statement that covers exactly this day (booked and counted on
       it), with both balances */
    static const char *const q_stmt =
        "SELECT s.opening, s.closing FROM bank_statements s"
        " WHERE s.org_id = ?1 AND s.opening IS NOT NULL"
        " AND s.closing IS NOT NULL AND EXISTS (SELECT 1 FROM bank_txns t"
        " WHERE t.import_id = s.import_id AND t.org_id = ?1"
        " AND t.booking_date = ?2 AND t.report_date = ?2) AND NOT EXISTS"
        " (SELECT 1 FROM bank_txns t WHERE t.import_id = s.import_id"
        " AND t.org_id = ?1 AND (t.booking_date <> ?2 OR"
        " t.report_date <> ?2)) ORDER BY s.id DESC LIMIT 1";
    static const char *const q_corr =
        "SELECT c.id, c.kind, c.corrects_date, c.corrects, c.amount,"
        " coalesce(y.code, ''), c.reason FROM corrections c"
        " LEFT JOIN payers y ON y.id = c.payer_id"
        " WHERE c.org_id = ?1 AND c.day = ?2 ORDER BY c.id";
    static const char *const q_refunds =
        "SELECT r.id, y.code, r.amount FROM refunds r JOIN payers y"
        " ON y.id = r.payer_id WHERE r.org_id = ?1 AND r.day = ?2"
        " ORDER BY r.id";
    json_t *inv = json_array(), *bank = json_array(), *ledger = json_array(),
           *credits = json_array(), *statement = json_array(),
           *corr = json_array(), *takings = json_array(),
           *refunds = json_array(), *j = NULL;
    uint8_t h[CRYPTO_SHA256_LEN];
    char hex[2 * CRYPTO_SHA256_LEN + 1], *text = NULL;
    int64_t close_id = 0;
    int rc;

    rc = sqr_close_of(db, org, date, &close_id);
    if (rc == 0)
        rc = sqr_rows_into(db, q_inv, 2, org, date, close_id, inv);
    if (rc == 0)
        rc = sqr_rows_into(db, close_id ? q_bank_closed : q_bank_live,
                           close_id ? 3 : 2, org, date, close_id, bank);
    if (rc == 0)
        rc = sqr_rows_into(db, close_id ? q_ledger_closed : q_ledger_live,
                           close_id ? 3 : 2, org, date, close_id, ledger);
    if (rc == 0)
        rc = sqr_rows_into(db, q_credit, 2, org, date, close_id, credits);
    if (rc == 0)
        rc = sqr_rows_into(db, q_stmt, 2, org, date, close_id, statement);
    if (rc == 0)
        rc = sqr_rows_into(db, q_corr, 2, org, date, close_id, corr);
    if (rc == 0)
        rc = sqr_takings_rows(db, org, date, takings);
    if (rc == 0)
        rc = sqr_rows_into(db, q_refunds, 2, org, date, close_id, refunds);
    if (rc != 0)
        goto out;
    j = json_pack(
        "{s:O, s:O, s:O, s:O, s:O, s:O, s:O, s:O}", "invoices", inv, "bank",
        bank, "ledger", ledger, "credits", credits, "statement",
        json_array_size(statement) ? json_array_get(statement, 0) : json_null(),
        "corrections", corr, "takings", takings, "refunds", refunds);
    text = j ? json_dumps(j, JSON_COMPACT | JSON_SORT_KEYS) : NULL;
    if (text == NULL || crypto_sha256(text, strlen(text), h) != 0) {
        store_set_error("out_of_memory", "out of memory");
        rc = -STORE_E_IO;
        goto out;
    }
    crypto_hex(h, sizeof(h), hex);
    json_object_set_new(j, "digest", json_string(hex));
    json_object_set_new(j, "closed", json_boolean(close_id != 0));
    *out = j;
    j = NULL;
out:
    free(text);
    json_decref(j);
    json_decref(inv);
    json_decref(bank);
    json_decref(ledger);
    json_decref(credits);
    json_decref(statement);
    json_decref(corr);
    json_decref(takings);
    json_decref(refunds);
    return rc;
}

int sqr_daily_rows(struct store *st, int64_t org_id, const char *date,
                   json_t **out)
{
    struct sq *s = (struct sq *)st;
    struct sqi_conn *c = sqi_get_conn(s);
    int rc;

    rc = sqi_begin_read(c);
    if (rc == 0) {
        rc = sqr_rows_of_day(sqi_dbh(c), org_id, date, out);
        sqi_end_read(c);
    }
    sqi_put_conn(s, c);
    return rc;
}
