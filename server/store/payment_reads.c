/*
 * payment_reads.c: reads over payments: the payment list with its
 * allocations, a kiosk's and its organisation's totals over a time range,
 * and the counts behind stats.
 */
#include <stdio.h>
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
    snprintf(p->day, sizeof(p->day), "%s", sqi_col_text(st, 11));
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
    snprintf(a->day, sizeof(a->day), "%s", sqi_col_text(st, 2));
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
    sqi_bi(st, 7, f->offset);
    rc = sqi_rows_read(c, st, sizeof(*l.rows), payment_row_read, &rows, &l.n);
    l.rows = rows;
    if (rc >= 0) {
        st = sqi_q(c, Q_PAYMENT_COUNT);
        if (st == NULL) {
            rc = -STORE_E_IO;
            goto out;
        }
        sqi_bi(st, 1, org);
        sqi_bt(st, 2, f->payer);
        sqi_bt(st, 3, f->method);
        sqi_bi(st, 4, f->since);
        rc = sqi_count(c, st, &l.total);
    }
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

/* The current row of a stats query (key, count[, amount]) into `row`, a
 * struct store_stat. */
static int stat_read(struct db_stmt *st, void *row)
{
    struct store_stat *t = row;

    memset(t, 0, sizeof(*t));
    t->count = db_column_int64(st, 1);
    if (db_column_count(st) > 2)
        t->amount = db_column_int64(st, 2);
    return sqi_col_dup(st, 0, &t->key);
}

void store_stats_free(struct store_stats *t)
{
    size_t i;

    if (t == NULL)
        return;
    for (i = 0; i < t->n_intents; i++)
        free(t->intents[i].key);
    for (i = 0; i < t->n_payments; i++)
        free(t->payments[i].key);
    free(t->intents);
    free(t->payments);
    memset(t, 0, sizeof(*t));
}

int sq_stats(struct store *base, struct store_stats *out)
{
    struct sq *s = (struct sq *)base;
    struct sqi_conn *c = sqi_get_conn(s);
    struct store_stats t;
    struct db_stmt *st;
    void *rows = NULL;
    int rc;

    memset(&t, 0, sizeof(t));
    rc = sqi_begin_read(c);
    if (rc != 0)
        goto out;
    st = sqi_q(c, Q_STATS_INTENTS);
    if (st == NULL) {
        rc = -STORE_E_IO;
        goto out;
    }
    sqi_bi(st, 1, (int64_t)time(NULL));
    rc = sqi_rows_read(c, st, sizeof(*t.intents), stat_read, &rows,
                       &t.n_intents);
    t.intents = rows;
    if (rc != 0)
        goto out;
    st = sqi_q(c, Q_STATS_PAYMENTS);
    if (st == NULL) {
        rc = -STORE_E_IO;
        goto out;
    }
    rows = NULL;
    rc = sqi_rows_read(c, st, sizeof(*t.payments), stat_read, &rows,
                       &t.n_payments);
    t.payments = rows;
    if (rc != 0)
        goto out;
    *out = t;
    memset(&t, 0, sizeof(t));
out:
    sqi_end_read(c);
    sqi_put_conn(s, c);
    store_stats_free(&t);
    return rc;
}
