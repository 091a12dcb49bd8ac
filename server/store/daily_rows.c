/*
 * daily_rows.c: the rows of a day's reconciliation report, read in one
 * transaction: the bank side as a close froze it when the day is closed,
 * live otherwise, with the digest a close checks them against.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "crypto.h"
#include "store_int.h"

/* Canonical text of rows read, for their digest; `failed` once out of
 * memory. */
struct sqr_digest {
    char *buf;  /* malloc'd */
    size_t len; /* bytes used */
    size_t cap; /* bytes allocated */
    int failed; /* 1: out of memory */
};

static void dg_add(struct sqr_digest *d, const char *s, size_t n)
{
    if (d->failed)
        return;
    if (d->len + n > d->cap) {
        size_t cap = d->cap ? d->cap : 1024;
        char *p;

        while (cap < d->len + n)
            cap *= 2;
        p = realloc(d->buf, cap);
        if (p == NULL) {
            d->failed = 1;
            return;
        }
        d->buf = p;
        d->cap = cap;
    }
    memcpy(d->buf + d->len, s, n);
    d->len += n;
}

/* Column `i` of the current row of `q` into `d`: "i" and the integer,
 * "n" for NULL, or "t", the length and the text, each ending in ";". */
static void dg_col(struct sqr_digest *d, struct db_stmt *q, int i)
{
    char num[48];
    const char *t;
    int n;

    if (db_column_type(q, i) == DB_INTEGER) {
        n = snprintf(num, sizeof(num), "i%lld;",
                     (long long)db_column_int64(q, i));
    } else if (db_column_type(q, i) == DB_NULL) {
        n = snprintf(num, sizeof(num), "n;");
    } else {
        t = db_column_text(q, i);
        t = t ? t : "";
        n = snprintf(num, sizeof(num), "t%zu:", strlen(t));
        dg_add(d, num, (size_t)n);
        dg_add(d, t, strlen(t));
        n = snprintf(num, sizeof(num), ";");
    }
    dg_add(d, num, (size_t)n);
}

int sqr_rows_read(struct db *db, const char *sql, int nparams, int64_t org,
                  const char *date, int64_t close_id, struct sqr_digest *dg,
                  size_t size, int (*read)(struct db_stmt *st, void *row),
                  void **rows, size_t *n)
{
    struct db_stmt *q = NULL;
    void *a = NULL;
    size_t k = 0;
    int rc, i;

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
        rc = sqi_room(&a, k, size);
        if (rc != 0)
            break;
        /* counted before it is read: what a failed read kept is freed
           with the rest */
        memset((char *)a + k * size, 0, size);
        rc = read(q, (char *)a + k++ * size);
        if (rc != 0)
            break;
        for (i = 0; dg != NULL && i < db_column_count(q); i++)
            dg_col(dg, q, i);
        if (dg != NULL)
            dg_add(dg, "\n", 1);
    }
    sqr_done(q);
    if (dg != NULL)
        dg_add(dg, "|", 1);
    *rows = a;
    *n = k;
    return rc < 0 ? rc : 0;
}

/* Column `i` as a malloc'd copy, "" for NULL, into *out (store error). */
#define DUP(i, out)                                                            \
    do {                                                                       \
        if (rc == 0)                                                           \
            rc = sqi_col_dup(q, (i), (out));                                   \
    } while (0)

static int invoice_read(struct db_stmt *q, void *row)
{
    struct store_day_invoice *v = row;
    int rc = 0;

    v->id = db_column_int64(q, 0);
    DUP(1, &v->payer);
    DUP(2, &v->period);
    DUP(3, &v->day);
    v->amount = db_column_int64(q, 4);
    v->paid_transfer = db_column_int64(q, 5);
    v->paid_cash = db_column_int64(q, 6);
    return rc;
}

static int bank_read(struct db_stmt *q, void *row)
{
    struct store_day_bank *b = row;
    int rc = 0;

    DUP(0, &b->ref);
    b->amount = db_column_int64(q, 1);
    DUP(2, &b->direction);
    DUP(3, &b->state);
    DUP(4, &b->outcome);
    b->late = db_column_int64(q, 5) != 0;
    DUP(6, &b->booked_at);
    b->has_balance = db_column_type(q, 7) == DB_INTEGER;
    b->balance = b->has_balance ? db_column_int64(q, 7) : 0;
    b->id = db_column_int64(q, 8);
    return rc;
}

static int ledger_read(struct db_stmt *q, void *row)
{
    struct store_day_ledger *l = row;
    int rc = 0;

    DUP(0, &l->ref);
    l->amount = db_column_int64(q, 1);
    l->late = db_column_int64(q, 2) != 0;
    return rc;
}

static int credit_read(struct db_stmt *q, void *row)
{
    struct store_day_credit *k = row;
    int rc = 0;

    DUP(0, &k->payer);
    k->amount = db_column_int64(q, 1);
    return rc;
}

/* A statement's opening and closing balances. */
struct balances {
    int64_t opening, closing;
};

static int statement_read(struct db_stmt *q, void *row)
{
    struct balances *b = row;

    b->opening = db_column_int64(q, 0);
    b->closing = db_column_int64(q, 1);
    return 0;
}

static int correction_read(struct db_stmt *q, void *row)
{
    struct store_day_correction *k = row;
    int rc = 0;

    k->id = db_column_int64(q, 0);
    DUP(1, &k->kind);
    DUP(2, &k->corrects_date);
    DUP(3, &k->corrects);
    k->amount = db_column_int64(q, 4);
    DUP(5, &k->payer);
    DUP(6, &k->reason);
    return rc;
}

static int refund_read(struct db_stmt *q, void *row)
{
    struct store_day_refund *r = row;
    int rc = 0;

    r->id = db_column_int64(q, 0);
    DUP(1, &r->payer);
    r->amount = db_column_int64(q, 2);
    return rc;
}

int sqr_taking_read(struct db_stmt *q, void *row)
{
    struct store_taking *t = row;
    int rc = 0;

    t->id = db_column_int64(q, 0);
    DUP(1, &t->method);
    t->amount = db_column_int64(q, 2);
    t->credit = db_column_int64(q, 3);
    t->kiosk = db_column_int64(q, 4);
    DUP(5, &t->kiosk_name);
    DUP(6, &t->collector);
    return rc;
}

void store_takings_free(struct store_takings *t)
{
    size_t i;

    if (t == NULL)
        return;
    for (i = 0; i < t->n; i++) {
        free(t->rows[i].method);
        free(t->rows[i].kiosk_name);
        free(t->rows[i].collector);
    }
    free(t->rows);
    t->rows = NULL;
    t->n = 0;
}

void store_day_rows_free(struct store_day_rows *r)
{
    size_t i;

    if (r == NULL)
        return;
    for (i = 0; i < r->n_invoices; i++) {
        free(r->invoices[i].payer);
        free(r->invoices[i].period);
        free(r->invoices[i].day);
    }
    for (i = 0; i < r->n_bank; i++) {
        free(r->bank[i].ref);
        free(r->bank[i].direction);
        free(r->bank[i].state);
        free(r->bank[i].outcome);
        free(r->bank[i].booked_at);
    }
    for (i = 0; i < r->n_ledger; i++)
        free(r->ledger[i].ref);
    for (i = 0; i < r->n_credits; i++)
        free(r->credits[i].payer);
    for (i = 0; i < r->n_corrections; i++) {
        free(r->corrections[i].kind);
        free(r->corrections[i].corrects_date);
        free(r->corrections[i].corrects);
        free(r->corrections[i].payer);
        free(r->corrections[i].reason);
    }
    for (i = 0; i < r->n_refunds; i++)
        free(r->refunds[i].payer);
    free(r->invoices);
    free(r->bank);
    free(r->ledger);
    free(r->credits);
    free(r->corrections);
    free(r->refunds);
    store_takings_free(&r->takings);
    memset(r, 0, sizeof(*r));
}

#define TXN_REF                                                                \
    "coalesce(nullif(t.bank_ref, ''), t.provider || ':' || t.provider_txn_id)"
#define LATE_COL "CASE WHEN " TXN_LATE " THEN 1 ELSE 0 END"

/*
 * The rows of the daily reconciliation of `date` of `org` (see
 * store.h daily_rows), read in the caller's transaction: the bank side
 * as the active close froze it when the day is closed, live otherwise.
 */
int sqr_rows_of_day(struct db *db, int64_t org, const char *date,
                    struct store_day_rows *out)
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
    struct store_day_rows r;
    struct sqr_digest dg = {NULL, 0, 0, 0};
    struct balances *stmt = NULL;
    size_t n_stmt = 0;
    uint8_t h[CRYPTO_SHA256_LEN];
    int64_t close_id = 0;
    void *rows;
    int rc;

    memset(&r, 0, sizeof(r));
/* Read `sql` into r.FIELD / r.N_FIELD with `read` (digest included). */
#define READ(sql, np, read, field, n_field)                                    \
    do {                                                                       \
        if (rc == 0) {                                                         \
            rows = NULL;                                                       \
            rc = sqr_rows_read(db, (sql), (np), org, date, close_id, &dg,      \
                               sizeof(*(field)), (read), &rows, &(n_field));   \
            (field) = rows;                                                    \
        }                                                                      \
    } while (0)

    rc = sqr_close_of(db, org, date, &close_id);
    READ(q_inv, 2, invoice_read, r.invoices, r.n_invoices);
    READ(close_id ? q_bank_closed : q_bank_live, close_id ? 3 : 2, bank_read,
         r.bank, r.n_bank);
    READ(close_id ? q_ledger_closed : q_ledger_live, close_id ? 3 : 2,
         ledger_read, r.ledger, r.n_ledger);
    READ(q_credit, 2, credit_read, r.credits, r.n_credits);
    READ(q_stmt, 2, statement_read, stmt, n_stmt);
    READ(q_corr, 2, correction_read, r.corrections, r.n_corrections);
    if (rc == 0) {
        rows = NULL;
        rc = sqr_takings_rows(db, org, date, &dg, &rows, &r.takings.n);
        r.takings.rows = rows;
    }
    READ(q_refunds, 2, refund_read, r.refunds, r.n_refunds);
#undef READ
    if (rc != 0)
        goto out;
    if (n_stmt > 0) {
        r.has_statement = 1;
        r.opening = stmt[0].opening;
        r.closing = stmt[0].closing;
    }
    if (dg.failed || crypto_sha256(dg.buf, dg.len, h) != 0) {
        store_set_error("out_of_memory", "out of memory");
        rc = -STORE_E_IO;
        goto out;
    }
    crypto_hex(h, sizeof(h), r.digest);
    r.closed = close_id != 0;
    *out = r;
    memset(&r, 0, sizeof(r));
out:
    free(dg.buf);
    free(stmt);
    store_day_rows_free(&r);
    return rc;
}

int sqr_daily_rows(struct store *st, int64_t org_id, const char *date,
                   struct store_day_rows *out)
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
