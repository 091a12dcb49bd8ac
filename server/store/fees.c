/*
 * fees.c: an organisation's fees: put one (its kind is fixed once
 * created) and list them.
 */
#include <time.h>

#include "store_int.h"

static int fee_fetch(struct sqi_conn *c, int64_t org, const char *code,
                     json_t **out)
{
    struct db_stmt *st = sqi_q(c, Q_FEE_GET);
    int rc;

    if (st == NULL)
        return -STORE_E_IO;
    sqi_bi(st, 1, org);
    sqi_bt(st, 2, code);
    rc = sqi_step(c, st);
    if (rc < 0)
        return rc;
    if (rc == 0) {
        store_set_error("fee_not_found", "no fee '%s'", code);
        return -STORE_E_NOT_FOUND;
    }
    *out = sqi_row_json(st);
    json_object_del(*out, "id");
    db_reset(st);
    return 0;
}

int sq_fee_put(struct store *base, int64_t org, const struct store_fee *f,
               int create, const char *actor, json_t **out)
{
    struct sq *s = (struct sq *)base;
    struct sqi_conn *c = sqi_get_conn(s);
    int64_t now = (int64_t)time(NULL);
    struct db_stmt *st;
    json_t *res = NULL;
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
    rc = fee_fetch(c, org, f->code, &res);
    if (rc != 0)
        goto done;
    rc = sqi_audit(c, now, actor, create ? "fee.create" : "fee.update", f->code,
                   json_deep_copy(res));
done:
    rc = sqi_end_write(s, c, rc);
    if (rc == 0)
        *out = res;
    else
        json_decref(res);
out:
    sqi_put_conn(s, c);
    return rc;
}

int sq_fee_list(struct store *base, int64_t org, json_t **out)
{
    struct sq *s = (struct sq *)base;
    struct sqi_conn *c = sqi_get_conn(s);
    struct db_stmt *st = sqi_q(c, Q_FEE_LIST);
    int rc = -STORE_E_IO;

    if (st != NULL) {
        sqi_bi(st, 1, org);
        rc = sqi_rows_json(c, st, out);
    }
    sqi_put_conn(s, c);
    return rc;
}
