/*
 * fees.c: an organisation's fees: put one (its kind is fixed once
 * created) and list them.
 */
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "store_int.h"

/* The fee in the current row (id, code, label, kind, category, amount,
 * active) into `row`, a struct store_fee_row (its strings owned by it,
 * cleared on failure). */
static int fee_row_read(struct db_stmt *st, void *row)
{
    struct store_fee_row *f = row;
    int rc;

    memset(f, 0, sizeof(*f));
    rc = sqi_col_dup(st, 1, &f->code);
    if (rc == 0)
        rc = sqi_col_dup(st, 2, &f->label);
    if (rc == 0)
        rc = sqi_col_dup(st, 3, &f->kind);
    if (rc == 0)
        rc = sqi_col_dup(st, 4, &f->category);
    f->amount = db_column_int64(st, 5);
    f->active = (int)db_column_int64(st, 6);
    if (rc != 0)
        store_fee_row_clear(f);
    return rc;
}

void store_fee_row_clear(struct store_fee_row *f)
{
    if (f == NULL)
        return;
    free(f->code);
    free(f->label);
    free(f->kind);
    free(f->category);
    memset(f, 0, sizeof(*f));
}

SQI_LIST_FREE(store_fee_list_free, store_fee_list, store_fee_row_clear)

int sq_fee_put(struct store *base, int64_t org, const struct store_fee *f,
               int create, const char *actor, struct store_fee_row *out)
{
    struct sq *s = (struct sq *)base;
    struct sqi_conn *c = sqi_get_conn(s);
    int64_t now = (int64_t)time(NULL);
    struct store_fee_row res = {0};
    struct db_stmt *st;
    json_t *detail = NULL;
    int rc;

    rc = sqi_begin_write(s, c);
    if (rc != 0)
        goto out;
    st = sqi_q(c, create ? Q_FEE_INSERT : Q_FEE_UPDATE);
    if (st == NULL) {
        rc = -STORE_E_IO;
        goto done;
    }
    sqi_bi(st, 1, org);
    sqi_bt(st, 2, f->code);
    sqi_bt(st, 3, f->label);
    sqi_bt(st, 4, f->kind);
    sqi_bt(st, 5, f->category);
    if (f->amount > 0)
        sqi_bi(st, 6, f->amount);
    if (f->active >= 0)
        sqi_bi(st, 7, f->active);
    rc = sqi_exec1(c, st);
    if (rc == -STORE_E_CONFLICT)
        store_set_error("fee_exists", "fee '%s' already exists", f->code);
    if (rc != 0)
        goto done;
    if (!create && db_changes(c->dbh) == 0) {
        store_set_error("fee_not_found", "no fee '%s' (of that kind)", f->code);
        rc = -STORE_E_NOT_FOUND;
        goto done;
    }
    rc = sqi_row_fetch(c, Q_FEE_GET, org, f->code, fee_row_read, &res, &detail,
                       "fee_not_found", "fee");
    if (rc != 0)
        goto done;
    rc = sqi_audit(c, org, now, actor, create ? "fee.create" : "fee.update",
                   f->code, detail);
done:
    rc = sqi_end_write(s, c, rc);
    if (rc == 0 && out != NULL)
        *out = res;
    else
        store_fee_row_clear(&res);
out:
    sqi_put_conn(s, c);
    return rc;
}

int sq_fee_list(struct store *base, int64_t org, struct store_fee_list *out)
{
    struct sq *s = (struct sq *)base;
    struct sqi_conn *c = sqi_get_conn(s);
    struct db_stmt *st = sqi_q(c, Q_FEE_LIST);
    struct store_fee_list l = {0};
    void *rows = NULL;
    int rc = -STORE_E_IO;

    if (st != NULL) {
        sqi_bi(st, 1, org);
        rc = sqi_rows_read(c, st, sizeof(*l.rows), fee_row_read, &rows, &l.n);
        l.rows = rows;
    }
    sqi_put_conn(s, c);
    if (rc < 0) {
        store_fee_list_free(&l);
        return rc;
    }
    *out = l;
    return 0;
}
