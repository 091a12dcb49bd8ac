/*
 * orgs.c: organisations: create and update (the collecting account in its
 * normal form, see accounts.c), read, list and look up by code, each write
 * audited in its transaction.
 */
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "store_int.h"

/* The org id for `code`, inside an open transaction. */
int sqi_org_id_of(struct sqi_conn *c, const char *code, int64_t *id)
{
    struct db_stmt *st = sqi_q(c, Q_ORG_BY_CODE);
    int rc;

    if (st == NULL)
        return -STORE_E_IO;
    sqi_bt(st, 1, code);
    rc = sqi_step(c, st);
    if (rc < 0)
        return rc;
    if (rc == 0) {
        store_set_error("org_not_found", "no organisation '%s'", code);
        return -STORE_E_NOT_FOUND;
    }
    *id = db_column_int64(st, 0);
    db_reset(st);
    return 0;
}

int sqi_org_row_read(struct db_stmt *st, void *row)
{
    struct store_org_row *o = row;
    int rc;

    memset(o, 0, sizeof(*o));
    o->id = db_column_int64(st, 0);
    rc = sqi_col_dup(st, 1, &o->code);
    if (rc == 0)
        rc = sqi_col_dup(st, 2, &o->kind);
    if (rc == 0)
        rc = sqi_col_dup(st, 3, &o->name);
    if (rc == 0)
        rc = sqi_col_dup(st, 4, &o->bank_bin);
    if (rc == 0)
        rc = sqi_col_dup(st, 5, &o->account);
    if (rc == 0)
        rc = sqi_col_dup(st, 6, &o->account_name);
    if (rc == 0)
        rc = sqi_col_dup(st, 7, &o->prefix);
    if (rc != 0)
        store_org_row_clear(o);
    return rc;
}

void store_org_row_clear(struct store_org_row *o)
{
    if (o == NULL)
        return;
    free(o->code);
    free(o->kind);
    free(o->name);
    free(o->bank_bin);
    free(o->account);
    free(o->account_name);
    free(o->prefix);
    memset(o, 0, sizeof(*o));
}

SQI_LIST_FREE(store_org_list_free, store_org_list, store_org_row_clear)

static int org_fetch(struct sqi_conn *c, const char *code,
                     struct store_org_row *out)
{
    struct db_stmt *st = sqi_q(c, Q_ORG_BY_CODE);
    int rc;

    if (st == NULL)
        return -STORE_E_IO;
    sqi_bt(st, 1, code);
    rc = sqi_step(c, st);
    if (rc < 0)
        return rc;
    if (rc == 0) {
        store_set_error("org_not_found", "no organisation '%s'", code);
        return -STORE_E_NOT_FOUND;
    }
    rc = sqi_org_row_read(st, out);
    db_reset(st);
    return rc;
}

static json_t *org_detail(const struct store_org *o)
{
    json_t *d = json_object();

#define SETS(f)                                                                \
    if (o->f)                                                                  \
    json_object_set_new(d, #f, json_string(o->f))
    SETS(kind);
    SETS(name);
    SETS(bank_bin);
    SETS(account);
    SETS(account_name);
    SETS(prefix);
#undef SETS
    return d;
}

int sq_org_create(struct store *base, const struct store_org *org,
                  const char *actor, struct store_org_row *out)
{
    struct sq *s = (struct sq *)base;
    struct sqi_conn *c = sqi_get_conn(s);
    int64_t now = (int64_t)time(NULL), id = 0;
    struct sqi_account was, acct;
    struct store_org norm = *org, *o = &norm;
    struct db_stmt *st;
    struct store_org_row res = {0};
    int rc;

    rc = sqi_begin_write(s, c);
    if (rc != 0)
        goto out;
    /* the account in normal form, and no other organisation's */
    rc = sqi_org_account(c, NULL, org->bank_bin, org->account, &was, &acct);
    if (rc != 0)
        goto done;
    norm.bank_bin = acct.bin;
    norm.account = acct.key;
    st = sqi_q(c, Q_ORG_INSERT);
    if (st == NULL) {
        rc = -STORE_E_IO;
        goto done;
    }
    sqi_bt(st, 1, o->code);
    sqi_bt(st, 2, o->kind);
    sqi_bt(st, 3, o->name);
    sqi_bt(st, 4, o->bank_bin);
    sqi_bt(st, 5, o->account);
    sqi_bt(st, 6, o->account_name);
    sqi_bt(st, 7, o->prefix);
    sqi_bi(st, 8, now);
    rc = sqi_exec1(c, st);
    if (rc == -STORE_E_CONFLICT)
        store_set_error("org_exists",
                        "an organisation with this code or prefix exists");
    if (rc != 0)
        goto done;
    rc = sqi_org_id_of(c, o->code, &id);
    if (rc == 0)
        rc = sqi_audit(c, id, now, actor, "org.create", o->code, org_detail(o));
    if (rc != 0)
        goto done;
    rc = org_fetch(c, o->code, &res);
done:
    rc = sqi_end_write(s, c, rc);
    if (rc == 0 && out != NULL)
        *out = res;
    else
        store_org_row_clear(&res);
out:
    sqi_put_conn(s, c);
    return rc;
}

int sq_org_update(struct store *base, const char *code,
                  const struct store_org *org, const char *actor,
                  struct store_org_row *out)
{
    struct sq *s = (struct sq *)base;
    struct sqi_conn *c = sqi_get_conn(s);
    int64_t now = (int64_t)time(NULL), id = 0;
    struct sqi_account was, acct;
    struct store_org norm = *org, *o = &norm;
    struct db_stmt *st;
    struct store_org_row res = {0};
    int rc, moved = 0;

    rc = sqi_begin_write(s, c);
    if (rc != 0)
        goto out;
    if (org->bank_bin != NULL || org->account != NULL) {
        /* the account in normal form, and no other organisation's */
        rc = sqi_org_account(c, code, org->bank_bin, org->account, &was, &acct);
        if (rc != 0)
            goto done;
        norm.bank_bin = acct.bin;
        norm.account = acct.key;
        moved = strcmp(was.bin, acct.bin) != 0 || strcmp(was.key, acct.key);
    }
    st = sqi_q(c, Q_ORG_UPDATE);
    if (st == NULL) {
        rc = -STORE_E_IO;
        goto done;
    }
    sqi_bt(st, 1, code);
    sqi_bt(st, 2, o->name);
    sqi_bt(st, 3, o->bank_bin);
    sqi_bt(st, 4, o->account);
    sqi_bt(st, 5, o->account_name);
    sqi_bt(st, 6, o->prefix);
    sqi_bi(st, 7, now);
    rc = sqi_exec1(c, st);
    if (rc == -STORE_E_CONFLICT)
        store_set_error("prefix_taken", "another organisation uses this "
                                        "payment-code prefix");
    if (rc != 0)
        goto done;
    if (db_changes(c->dbh) == 0) {
        store_set_error("org_not_found", "no organisation '%s'", code);
        rc = -STORE_E_NOT_FOUND;
        goto done;
    }
    rc = sqi_org_id_of(c, code, &id);
    if (rc == 0)
        rc = sqi_audit(c, id, now, actor, "org.update", code, org_detail(o));
    if (rc == 0 && moved)
        rc = sqi_audit(c, id, now, actor, "org.account", code,
                       json_pack("{s:{s:s, s:s}, s:{s:s, s:s}}", "old",
                                 "bank_bin", was.bin, "account", was.key, "new",
                                 "bank_bin", acct.bin, "account", acct.key));
    if (rc != 0)
        goto done;
    rc = org_fetch(c, code, &res);
done:
    rc = sqi_end_write(s, c, rc);
    if (rc == 0 && out != NULL)
        *out = res;
    else
        store_org_row_clear(&res);
out:
    sqi_put_conn(s, c);
    return rc;
}

int sq_org_get(struct store *base, const char *code, struct store_org_row *out)
{
    struct sq *s = (struct sq *)base;
    struct sqi_conn *c = sqi_get_conn(s);
    struct store_org_row res;
    int rc = org_fetch(c, code, &res);

    sqi_put_conn(s, c);
    if (rc == 0)
        *out = res;
    return rc;
}

int sq_org_id(struct store *base, const char *code, int64_t *out)
{
    struct sq *s = (struct sq *)base;
    struct sqi_conn *c = sqi_get_conn(s);
    int rc = sqi_org_id_of(c, code, out);

    sqi_put_conn(s, c);
    return rc;
}

int sq_org_list(struct store *base, int64_t org_id, struct store_org_list *out)
{
    struct sq *s = (struct sq *)base;
    struct sqi_conn *c = sqi_get_conn(s);
    struct db_stmt *st = sqi_q(c, Q_ORG_LIST);
    struct store_org_list l = {0};
    void *rows = NULL;
    int rc;

    if (st == NULL) {
        rc = -STORE_E_IO;
        goto out;
    }
    sqi_bi(st, 1, org_id);
    rc = sqi_rows_read(c, st, sizeof(*l.rows), sqi_org_row_read, &rows, &l.n);
    l.rows = rows;
out:
    sqi_put_conn(s, c);
    if (rc < 0) {
        store_org_list_free(&l);
        return rc;
    }
    *out = l;
    return 0;
}
