/*
 * audit_reads.c: the audit log as operators read it (store_ops.audit_list):
 * entries by id, filtered by action and by the organisation each concerns
 * (its column org_id, written with it; audit_orgs.c filled it for the
 * entries older than the column).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store_int.h"

void store_audit_entry_clear(struct store_audit_entry *e)
{
    if (e == NULL)
        return;
    free(e->actor);
    free(e->action);
    free(e->org);
    free(e->subject);
    free(e->detail);
    memset(e, 0, sizeof(*e));
}

SQI_LIST_FREE(store_audit_list_free, store_audit_list, store_audit_entry_clear)

/* Entry at the current row of `st` (id, at, actor, action, object,
 * detail, prev_hash, hash, encoding, org id, org code) into `row`, a
 * struct store_audit_entry (its strings owned by it, cleared on
 * failure). */
static int entry_read(struct db_stmt *st, void *row)
{
    struct store_audit_entry *e = row;
    int rc;

    memset(e, 0, sizeof(*e));
    e->id = db_column_int64(st, 0);
    e->at = db_column_int64(st, 1);
    rc = sqi_col_dup(st, 2, &e->actor);
    if (rc == 0)
        rc = sqi_col_dup(st, 3, &e->action);
    if (rc == 0)
        rc = sqi_col_dup(st, 4, &e->subject);
    if (rc == 0)
        rc = sqi_col_dup(st, 5, &e->detail);
    snprintf(e->prev_hash, sizeof(e->prev_hash), "%s", sqi_col_text(st, 6));
    snprintf(e->hash, sizeof(e->hash), "%s", sqi_col_text(st, 7));
    e->encoding = (int)db_column_int64(st, 8);
    e->org_id = db_column_int64(st, 9);
    if (rc == 0)
        rc = sqi_col_dup(st, 10, &e->org);
    if (rc != 0)
        store_audit_entry_clear(e);
    return rc;
}

/* The entries after ?1 with action ?2 ('' for any) of organisation ?3
 * (AUDIT_ORG) or of any; the list's page holds the last parameter's
 * count of them. */
#define AUDIT_WHERE " WHERE a.id > ?1 AND (?2 = '' OR a.action = ?2)"
#define AUDIT_ORG   " AND a.org_id = ?3"
#define AUDIT_COLS                                                             \
    "SELECT a.id, a.at, a.actor, a.action, a.object, a.detail, a.prev_hash,"   \
    " a.hash, CASE WHEN a.id >= coalesce((SELECT from_id FROM"                 \
    " audit_encodings WHERE version = 2), 1) THEN 2 ELSE 1 END,"               \
    " coalesce(a.org_id, 0), coalesce(o.code, '') FROM audit a"                \
    " LEFT JOIN orgs o ON o.id = a.org_id"

int sqa_audit_list(struct store *base, const struct store_audit_query *q,
                   struct store_audit_list *out)
{
    static const char *const sql[2][2] = {
        {"SELECT count(*) FROM audit a" AUDIT_WHERE,
         AUDIT_COLS AUDIT_WHERE " ORDER BY a.id LIMIT ?3"},
        {"SELECT count(*) FROM audit a" AUDIT_WHERE AUDIT_ORG,
         AUDIT_COLS AUDIT_WHERE AUDIT_ORG " ORDER BY a.id LIMIT ?4"},
    };
    struct sq *s = (struct sq *)base;
    struct sqi_conn *c = sqi_get_conn(s);
    struct store_audit_list l = {0};
    struct db_stmt *st;
    void *rows = NULL;
    int by_org = q->org_id != 0, k, rc;

    rc = sqi_begin_read(c);
    for (k = 0; rc == 0 && k < 2; k++) {
        st = sqi_qs(c, sql[by_org][k]);
        if (st == NULL) {
            rc = -STORE_E_IO;
            break;
        }
        sqi_bi(st, 1, q->after_id);
        sqi_bt(st, 2, q->action != NULL ? q->action : "");
        if (by_org)
            sqi_bi(st, 3, q->org_id);
        if (k == 0) {
            rc = sqi_step(c, st);
            if (rc == 1) {
                l.total = db_column_int64(st, 0);
                rc = 0;
            }
        } else {
            sqi_bi(st, 3 + by_org, q->limit > 0 ? q->limit : 100);
            rc = sqi_rows_read(c, st, sizeof(*l.rows), entry_read, &rows, &l.n);
            l.rows = rows;
        }
        db_reset(st);
    }
    sqi_end_read(c);
    sqi_put_conn(s, c);
    if (rc != 0) {
        store_audit_list_free(&l);
        return rc;
    }
    *out = l;
    return 0;
}
