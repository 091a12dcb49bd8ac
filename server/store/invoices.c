/*
 * invoices.c: invoices: generating a period's invoices from the active
 * fees of its kind (existing ones untouched, payer credit applied after),
 * and the invoice list.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "store_int.h"

/* The fee kind a period names: YYYY-MM-DD, YYYY-MM, YYYY-HKn; else NULL. */
static const char *period_kind(const char *p)
{
    size_t n = strlen(p), i;
    int digits = 1;

    for (i = 0; i < 4 && i < n; i++)
        if (p[i] < '0' || p[i] > '9')
            digits = 0;
    if (n < 6 || !digits || p[4] != '-')
        return NULL;
    if (n == 10 && p[7] == '-' && strspn(p + 5, "0123456789") == 2 &&
        strspn(p + 8, "0123456789") == 2)
        return "daily";
    if (n == 7 && strspn(p + 5, "0123456789") == 2)
        return "monthly";
    if (n == 8 && p[5] == 'H' && p[6] == 'K' && p[7] >= '1' && p[7] <= '3')
        return "term";
    return NULL;
}

static int gen_one(struct sqi_conn *c, int64_t org, int64_t fee_id,
                   const char *label, const char *category, int64_t amount,
                   const char *period, int64_t now, int64_t *count)
{
    struct db_stmt *st;
    char full[256], day[11];
    int rc;

    /* dated on the first open day as of now */
    rc = sqr_open_day(c->dbh, org, now, day);
    if (rc != 0)
        return rc;
    st = sqi_q(c, Q_INVOICE_GEN);
    if (st == NULL)
        return -STORE_E_IO;
    snprintf(full, sizeof(full), "%s %s", label, period);
    sqi_bi(st, 1, org);
    sqi_bi(st, 2, fee_id);
    sqi_bt(st, 3, period);
    sqi_bt(st, 4, full);
    sqi_bi(st, 5, amount);
    sqi_bi(st, 6, now);
    sqi_bt(st, 7, category);
    sqi_bt(st, 8, day);
    rc = sqi_exec1(c, st);
    if (rc == 0)
        *count += db_changes(c->dbh);
    return rc;
}

int sq_invoices_generate(struct store *base, int64_t org, const char *period,
                         const char *fee_code, const char *actor,
                         struct store_invoices_made *out)
{
    struct sq *s = (struct sq *)base;
    struct sqi_conn *c = sqi_get_conn(s);
    int64_t now = (int64_t)time(NULL), count = 0, fees = 0;
    const char *kind = period_kind(period);
    struct db_stmt *st;
    int rc;

    if (fee_code == NULL && kind == NULL) {
        store_set_error("invalid_period",
                        "period must be YYYY-MM-DD, YYYY-MM or YYYY-HKn "
                        "(or name a one-off fee)");
        sqi_put_conn(s, c);
        return -STORE_E_INVALID;
    }
    rc = sqi_begin_write(s, c);
    if (rc != 0)
        goto out;
    if (fee_code != NULL) {
        char label[128], cat[64];
        int64_t id, amount;

        st = sqi_q(c, Q_FEE_GET);
        if (st == NULL) {
            rc = -STORE_E_IO;
            goto done;
        }
        sqi_bi(st, 1, org);
        sqi_bt(st, 2, fee_code);
        rc = sqi_step(c, st);
        if (rc < 0)
            goto done;
        if (rc == 0) {
            store_set_error("fee_not_found", "no fee '%s'", fee_code);
            rc = -STORE_E_NOT_FOUND;
            goto done;
        }
        if (strcmp(sqi_col_text(st, 3), "oneoff") != 0 &&
            (kind == NULL || strcmp(kind, sqi_col_text(st, 3)) != 0)) {
            store_set_error("invalid_period",
                            "period '%s' does not fit a %s fee", period,
                            sqi_col_text(st, 3));
            rc = -STORE_E_INVALID;
            goto done;
        }
        id = db_column_int64(st, 0);
        amount = db_column_int64(st, 5);
        snprintf(label, sizeof(label), "%s", sqi_col_text(st, 2));
        snprintf(cat, sizeof(cat), "%s", sqi_col_text(st, 4));
        db_reset(st);
        fees = 1;
        rc = gen_one(c, org, id, label, cat, amount, period, now, &count);
    } else {
        /* collect the fees first: gen_one reuses the connection */
        struct fee_row {
            int64_t id, amount;
            char label[128], cat[64];
        } rows[64];
        int64_t i, n = 0;

        st = sqi_q(c, Q_FEES_OF_KIND);
        if (st == NULL) {
            rc = -STORE_E_IO;
            goto done;
        }
        sqi_bi(st, 1, org);
        sqi_bt(st, 2, kind);
        while ((rc = sqi_step(c, st)) == 1 && n < 64) {
            rows[n].id = db_column_int64(st, 0);
            snprintf(rows[n].label, sizeof(rows[n].label), "%s",
                     sqi_col_text(st, 1));
            snprintf(rows[n].cat, sizeof(rows[n].cat), "%s",
                     sqi_col_text(st, 2));
            rows[n].amount = db_column_int64(st, 3);
            n++;
        }
        if (rc < 0)
            goto done;
        db_reset(st);
        rc = 0;
        for (i = 0; i < n && rc == 0; i++)
            rc = gen_one(c, org, rows[i].id, rows[i].label, rows[i].cat,
                         rows[i].amount, period, now, &count);
        fees = n;
    }
    if (rc != 0)
        goto done;
    if (count > 0)
        rc = sqi_audit(c, org, now, actor, "invoices.generate", period,
                       json_pack("{s:I, s:s?}", "created", (json_int_t)count,
                                 "fee", fee_code));
    /* payers' credit pays their new invoices */
    if (rc == 0 && count > 0)
        rc = sqi_apply_credits(c, org, actor, now);
done:
    rc = sqi_end_write(s, c, rc);
    if (rc == 0 && out != NULL) {
        out->fees = fees;
        out->created = count;
    }
out:
    sqi_put_conn(s, c);
    return rc;
}

/* The invoice in the current row (Q_INVOICE_LIST) into `row`, a struct
 * store_invoice_row (its strings owned by it, cleared on failure). */
static int invoice_row_read(struct db_stmt *st, void *row)
{
    struct store_invoice_row *v = row;
    int rc;

    memset(v, 0, sizeof(*v));
    v->id = db_column_int64(st, 0);
    rc = sqi_col_dup(st, 1, &v->payer);
    if (rc == 0)
        rc = sqi_col_dup(st, 2, &v->fee);
    if (rc == 0)
        rc = sqi_col_dup(st, 3, &v->period);
    if (rc == 0)
        rc = sqi_col_dup(st, 4, &v->label);
    v->amount = db_column_int64(st, 5);
    v->paid = db_column_int64(st, 6);
    v->due = db_column_int64(st, 7);
    if (rc == 0)
        rc = sqi_col_dup(st, 8, &v->status);
    v->created_at = db_column_int64(st, 9);
    if (rc != 0)
        store_invoice_row_clear(v);
    return rc;
}

void store_invoice_row_clear(struct store_invoice_row *v)
{
    if (v == NULL)
        return;
    free(v->payer);
    free(v->fee);
    free(v->period);
    free(v->label);
    free(v->status);
    memset(v, 0, sizeof(*v));
}

SQI_LIST_FREE(store_invoice_list_free, store_invoice_list,
              store_invoice_row_clear)

int sq_invoice_list(struct store *base, int64_t org,
                    const struct store_filter *f,
                    struct store_invoice_list *out)
{
    struct sq *s = (struct sq *)base;
    struct sqi_conn *c = sqi_get_conn(s);
    struct db_stmt *st = sqi_q(c, Q_INVOICE_LIST);
    struct store_invoice_list l = {0};
    void *rows = NULL;
    int rc = -STORE_E_IO;

    if (st != NULL) {
        sqi_bi(st, 1, org);
        sqi_bt(st, 2, f->payer);
        sqi_bt(st, 3, f->period);
        sqi_bt(st, 4, f->status);
        sqi_bi(st, 5, f->after_id);
        sqi_bi(st, 6, sqi_lim(f));
        sqi_bi(st, 7, f->offset);
        rc = sqi_rows_read(c, st, sizeof(*l.rows), invoice_row_read, &rows,
                           &l.n);
        l.rows = rows;
    }
    if (rc >= 0) {
        st = sqi_q(c, Q_INVOICE_COUNT);
        rc = -STORE_E_IO;
        if (st != NULL) {
            sqi_bi(st, 1, org);
            sqi_bt(st, 2, f->payer);
            sqi_bt(st, 3, f->period);
            sqi_bt(st, 4, f->status);
            rc = sqi_count(c, st, &l.total);
        }
    }
    sqi_put_conn(s, c);
    if (rc < 0) {
        store_invoice_list_free(&l);
        return rc;
    }
    *out = l;
    return 0;
}
