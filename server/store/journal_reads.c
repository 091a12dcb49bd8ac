/*
 * journal_reads.c: the webhook journal as operators read it
 * (store_ops.journal_list): each delivery's provider, organisation,
 * verdict, state and size, never its body.
 */
#include <stdlib.h>
#include <string.h>

#include "store_int.h"

void store_journal_entry_clear(struct store_journal_entry *e)
{
    if (e == NULL)
        return;
    free(e->provider);
    free(e->org);
    free(e->verified);
    free(e->state);
    free(e->detail);
    free(e->headers);
    memset(e, 0, sizeof(*e));
}

SQI_LIST_FREE(store_journal_list_free, store_journal_list,
              store_journal_entry_clear)

/* The entry at the current row of the list statement into `row`. */
static int entry_read(struct db_stmt *st, void *row)
{
    struct store_journal_entry *e = row;
    int rc;

    memset(e, 0, sizeof(*e));
    e->id = db_column_int64(st, 0);
    rc = sqi_col_dup(st, 1, &e->provider);
    if (rc == 0)
        rc = sqi_col_dup(st, 2, &e->org);
    e->received_at = db_column_int64(st, 3);
    if (rc == 0)
        rc = sqi_col_dup(st, 4, &e->verified);
    if (rc == 0)
        rc = sqi_col_dup(st, 5, &e->state);
    if (rc == 0)
        rc = sqi_col_dup(st, 6, &e->detail);
    if (rc == 0)
        rc = sqi_col_dup(st, 7, &e->headers);
    e->body_bytes = db_column_int64(st, 8);
    e->processed_at = db_column_int64(st, 9);
    e->bytes = db_column_int64(st, 10);
    if (rc != 0)
        store_journal_entry_clear(e);
    return rc;
}

int sqb_journal_list(struct store *base, const struct store_journal_query *q,
                     struct store_journal_list *out)
{
    static const char count_sql[] = "SELECT count(*) FROM bank_journal j"
                                    " LEFT JOIN orgs o ON o.id = j.org_id"
                                    " WHERE (?1 = '' OR j.state = ?1) AND"
                                    " (?2 = '' OR j.provider = ?2) AND"
                                    " j.id > ?3";
    static const char list_sql[] =
        "SELECT j.id, j.provider, coalesce(o.code, ''), j.received_at,"
        " j.verified, j.state, j.detail, j.headers, length(j.body),"
        " coalesce(j.processed_at, 0), length(j.headers) + length(j.body) +"
        " length(j.detail) FROM bank_journal j LEFT JOIN orgs o"
        " ON o.id = j.org_id WHERE (?1 = '' OR j.state = ?1) AND"
        " (?2 = '' OR j.provider = ?2) AND j.id > ?3 ORDER BY j.id LIMIT ?4";
    struct sq *s = (struct sq *)base;
    struct sqi_conn *c = sqi_get_conn(s);
    struct store_journal_list l = {0};
    struct db_stmt *st;
    void *rows = NULL;
    int rc;

    rc = sqi_begin_read(c);
    if (rc != 0)
        goto out;
    st = sqi_qs(c, count_sql);
    if (st == NULL) {
        rc = -STORE_E_IO;
        goto read;
    }
    sqi_bt(st, 1, q->state != NULL ? q->state : "");
    sqi_bt(st, 2, q->provider != NULL ? q->provider : "");
    sqi_bi(st, 3, q->after_id);
    rc = sqi_step(c, st);
    if (rc == 1) {
        l.total = db_column_int64(st, 0);
        rc = 0;
    }
    db_reset(st);
    if (rc != 0)
        goto read;
    st = sqi_qs(c, list_sql);
    if (st == NULL) {
        rc = -STORE_E_IO;
        goto read;
    }
    sqi_bt(st, 1, q->state != NULL ? q->state : "");
    sqi_bt(st, 2, q->provider != NULL ? q->provider : "");
    sqi_bi(st, 3, q->after_id);
    sqi_bi(st, 4, q->limit > 0 ? q->limit : 100);
    rc = sqi_rows_read(c, st, sizeof(*l.rows), entry_read, &rows, &l.n);
    l.rows = rows;
    db_reset(st);
read:
    sqi_end_read(c);
out:
    sqi_put_conn(s, c);
    if (rc != 0) {
        store_journal_list_free(&l);
        return rc;
    }
    *out = l;
    return 0;
}
