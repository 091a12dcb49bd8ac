/*
 * payment_reads.c: reads over payments: the payment list with its
 * allocations, a kiosk's and its organisation's totals over a time range,
 * and the counts behind stats.
 */
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "money.h"
#include "store_int.h"

/* The payment in the current row (Q_PAYMENT_LIST) into `row`, a struct
 * store_payment_row without allocations (its strings owned by it,
 * cleared on failure). */
static int payment_row_read(struct db_stmt *st, void *row)
{
    struct store_payment_row *p = row;
    int rc;

    memset(p, 0, sizeof(*p));
    p->id = db_column_int64(st, 0);
    rc = sqi_col_dup(st, 1, &p->method);
    p->amount = db_column_int64(st, 2);
    p->unallocated = db_column_int64(st, 3);
    if (rc == 0)
        rc = sqi_col_dup(st, 4, &p->flag);
    if (rc == 0)
        rc = sqi_col_dup(st, 5, &p->payer);
    if (rc == 0)
        rc = sqi_col_dup_or_null(st, 6, &p->intent);
    if (rc == 0)
        rc = sqi_col_dup_or_null(st, 7, &p->reference);
    if (rc == 0)
        rc = sqi_col_dup_or_null(st, 8, &p->source);
    if (rc == 0)
        rc = sqi_col_dup_or_null(st, 9, &p->collector);
    p->created_at = db_column_int64(st, 10);
    if (rc != 0)
        store_payment_row_clear(p);
    return rc;
}

/* An allocation (Q_ALLOCS_OF_PAYMENT) into `row`, a struct
 * store_allocation. */
static int allocation_read(struct db_stmt *st, void *row)
{
    struct store_allocation *a = row;

    a->invoice = db_column_int64(st, 0);
    a->amount = db_column_int64(st, 1);
    return 0;
}

void store_payment_row_clear(struct store_payment_row *p)
{
    if (p == NULL)
        return;
    free(p->method);
    free(p->flag);
    free(p->payer);
    free(p->intent);
    free(p->reference);
    free(p->source);
    free(p->collector);
    free(p->allocations);
    memset(p, 0, sizeof(*p));
}

SQI_LIST_FREE(store_payment_list_free, store_payment_list,
              store_payment_row_clear)

int sq_payment_list(struct store *base, int64_t org,
                    const struct store_filter *f,
                    struct store_payment_list *out)
{
    struct sq *s = (struct sq *)base;
    struct sqi_conn *c = sqi_get_conn(s);
    struct store_payment_list l = {0};
    struct db_stmt *st;
    void *rows = NULL;
    size_t i;
    int rc;

    rc = sqi_begin_read(c);
    if (rc != 0)
        goto out;
    st = sqi_q(c, Q_PAYMENT_LIST);
    if (st == NULL) {
        rc = -STORE_E_IO;
        goto out;
    }
    sqi_bi(st, 1, org);
    sqi_bt(st, 2, f->payer);
    sqi_bt(st, 3, f->method);
    sqi_bi(st, 4, f->since);
    sqi_bi(st, 5, f->after_id);
    sqi_bi(st, 6, sqi_lim(f));
    rc = sqi_rows_read(c, st, sizeof(*l.rows), payment_row_read, &rows, &l.n);
    l.rows = rows;
    for (i = 0; i < l.n && rc == 0; i++) {
        struct store_payment_row *p = &l.rows[i];

        st = sqi_q(c, Q_ALLOCS_OF_PAYMENT);
        if (st == NULL) {
            rc = -STORE_E_IO;
            goto out;
        }
        sqi_bi(st, 1, p->id);
        rc = sqi_rows_read(c, st, sizeof(*p->allocations), allocation_read,
                           &rows, &p->n_allocations);
        p->allocations = rows;
    }
    if (rc == 0) {
        *out = l;
        l.rows = NULL;
        l.n = 0;
    }
out:
    sqi_end_read(c);
    store_payment_list_free(&l);
    sqi_put_conn(s, c);
    return rc;
}

/* {"count": n, "amount": a} */
static json_t *count_amount(int64_t n, int64_t amount)
{
    return json_pack("{s:I, s:I}", "count", (json_int_t)n, "amount",
                     (json_int_t)amount);
}

/* Add `n` payments of `amount` to the pair at `o`.`key`. */
static int add_pair(json_t *o, const char *key, int64_t n, int64_t amount)
{
    json_t *p = json_object_get(o, key);
    int64_t a = json_integer_value(json_object_get(p, "amount"));

    if (money_add(a, amount, &a) != 0) {
        store_set_error("overflow", "the day's total overflows");
        return -STORE_E_OVERFLOW;
    }
    n += json_integer_value(json_object_get(p, "count"));
    json_object_set_new(o, key, count_amount(n, a));
    return 0;
}

int sq_kiosk_totals(struct store *base, int64_t org, int64_t kiosk, int64_t t0,
                    int64_t t1, json_t **out)
{
    struct sq *s = (struct sq *)base;
    struct sqi_conn *c = sqi_get_conn(s);
    json_t *o = json_pack("{s:o, s:o, s:{s:o, s:o}, s:[]}", "transfer",
                          count_amount(0, 0), "cash", count_amount(0, 0),
                          "kiosk", "transfer", count_amount(0, 0), "cash",
                          count_amount(0, 0), "by_kiosk");
    json_t *by = json_object_get(o, "by_kiosk");
    struct db_stmt *st = NULL;
    int rc;

    if (o == NULL) {
        sqi_put_conn(s, c);
        return -STORE_E_IO;
    }
    rc = sqi_begin_read(c);
    if (rc != 0)
        goto out;
    /* a transfer counts for the kiosk that made its intent, cash for the
       kiosk that recorded it; by when the money came (what the collector
       holds), not by the report day a correction is dated on; a transfer
       undone by a review after its day closed (reversed) is not money */
    st = sqi_qs(
        c, "SELECT g.method, g.kiosk, (SELECT name FROM kiosks WHERE id ="
           " g.kiosk), g.n, g.total FROM (SELECT p.method AS method,"
           " CASE WHEN p.method = 'cash' THEN cr.kiosk_id ELSE t.kiosk_id END"
           " AS kiosk, count(*) AS n, sum(p.amount) AS total FROM payments p"
           " LEFT JOIN intents t ON t.id = p.intent_id"
           " LEFT JOIN cash_records cr ON cr.payment_id = p.id"
           " WHERE p.org_id = ?1 AND p.created_at >= ?2 AND p.created_at < ?3"
           " AND p.reversed_day IS NULL GROUP BY 1, 2) g"
           " ORDER BY CASE WHEN g.kiosk IS NULL THEN 1 ELSE 0 END, g.kiosk,"
           " g.method");
    if (st == NULL) {
        rc = -STORE_E_IO;
        goto out;
    }
    sqi_bi(st, 1, org);
    sqi_bi(st, 2, t0);
    sqi_bi(st, 3, t1);
    while ((rc = sqi_step(c, st)) == 1) {
        const char *method = sqi_col_text(st, 0);
        int has_kiosk = db_column_type(st, 1) != DB_NULL;
        int64_t kid = db_column_int64(st, 1);
        int64_t n = db_column_int64(st, 3);
        int64_t amount = db_column_int64(st, 4);
        json_t *last = json_array_get(by, json_array_size(by) - 1);
        json_t *lk = json_object_get(last, "kiosk");

        if (strcmp(method, "cash") != 0)
            method = "transfer";
        rc = add_pair(o, method, n, amount);
        if (rc == 0 && has_kiosk && kid == kiosk)
            rc = add_pair(json_object_get(o, "kiosk"), method, n, amount);
        if (rc != 0)
            break;
        /* rows come grouped by kiosk: start an entry at each new one */
        if (last == NULL ||
            (has_kiosk ? !json_is_integer(lk) || json_integer_value(lk) != kid
                       : !json_is_null(lk))) {
            last = json_pack("{s:o, s:s, s:o, s:o}", "kiosk",
                             has_kiosk ? json_integer(kid) : json_null(),
                             "name", sqi_col_text(st, 2), "transfer",
                             count_amount(0, 0), "cash", count_amount(0, 0));
            if (last == NULL || json_array_append_new(by, last) != 0) {
                rc = -STORE_E_IO;
                break;
            }
        }
        rc = add_pair(last, method, n, amount);
        if (rc != 0)
            break;
    }
    if (rc > 0)
        rc = 0;
out:
    sqi_end_read(c);
    sqi_put_conn(s, c);
    if (rc == 0)
        *out = o;
    else
        json_decref(o);
    return rc;
}

int sq_stats(struct store *base, json_t **out)
{
    struct sq *s = (struct sq *)base;
    struct sqi_conn *c = sqi_get_conn(s);
    json_t *intents = json_object(), *pays = json_object();
    struct db_stmt *st;
    int rc;

    rc = sqi_begin_read(c);
    if (rc != 0)
        goto out;
    st = sqi_q(c, Q_STATS_INTENTS);
    if (st == NULL) {
        rc = -STORE_E_IO;
        goto out;
    }
    sqi_bi(st, 1, (int64_t)time(NULL));
    while ((rc = sqi_step(c, st)) == 1)
        json_object_set_new(intents, sqi_col_text(st, 0),
                            json_integer(db_column_int64(st, 1)));
    if (rc < 0)
        goto out;
    st = sqi_q(c, Q_STATS_PAYMENTS);
    if (st == NULL) {
        rc = -STORE_E_IO;
        goto out;
    }
    while ((rc = sqi_step(c, st)) == 1)
        json_object_set_new(
            pays, sqi_col_text(st, 0),
            json_pack("{s:I, s:I}", "count", (json_int_t)db_column_int64(st, 1),
                      "amount", (json_int_t)db_column_int64(st, 2)));
    if (rc < 0)
        goto out;
    *out = json_pack("{s:O, s:O}", "intents", intents, "payments", pays);
    rc = 0;
out:
    sqi_end_read(c);
    sqi_put_conn(s, c);
    json_decref(intents);
    json_decref(pays);
    return rc;
}
