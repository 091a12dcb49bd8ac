/*
 * journal.c: the webhook journal: every delivery stored verbatim before it is
 * answered, the entries still to process, marking one failed, and pruning
 * what strangers left (bounded by count, age and bytes).
 */
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "store_int.h"

int sqi_journal_insert(struct sqi_conn *c, const struct store_journal *j,
                       int64_t *id)
{
    struct db_stmt *st = sqb_q(c, B_JOURNAL_ADD);
    int rc;

    if (st == NULL)
        return -STORE_E_IO;
    sqi_bt(st, 1, j->provider);
    if (j->org_id > 0)
        sqi_bi(st, 2, j->org_id);
    sqi_bi(st, 3, j->now);
    sqi_bt(st, 4, j->headers);
    db_bind_blob(st, 5, j->body, j->len);
    sqi_bt(st, 6, j->verified);
    sqi_bt(st, 7, j->state);
    sqi_bt(st, 8, j->detail ? j->detail : "");
    if (j->processed_at > 0)
        sqi_bi(st, 9, j->processed_at);
    rc = sqb_insert(c, st, id);
    if (rc == 0 && j->keep > 0 && strcmp(j->verified, "ok") != 0 &&
        strcmp(j->state, "received") != 0) {
        /* a stranger's entry: only the newest `keep` of them stay */
        st = sqb_q(c, B_JOURNAL_KEEP);
        if (st == NULL)
            return -STORE_E_IO;
        sqi_bi(st, 1, j->keep);
        rc = sqi_exec1(c, st);
    }
    return rc;
}

int sqb_journal_add(struct store *base, const struct store_journal *j,
                    int64_t *id)
{
    struct sq *s = (struct sq *)base;
    struct sqi_conn *c = sqi_get_conn(s);
    int rc;

    rc = sqi_begin_write_shared(s, c);
    if (rc != 0)
        goto out;
    rc = sqi_journal_insert(c, j, id);
    /* committed and on disk (the WAL fdatasync'd) when this returns 0 */
    rc = sqi_end_write(s, c, rc);
out:
    sqi_put_conn(s, c);
    return rc;
}

/* The journal entry in the current row (B_JOURNAL_PENDING) into `row`, a
 * struct store_pending_entry. */
static int entry_read(struct db_stmt *st, void *row)
{
    struct store_pending_entry *e = row;
    const void *body = db_column_blob(st, 3);
    int n = db_column_bytes(st, 3);

    memset(e, 0, sizeof(*e));
    e->id = db_column_int64(st, 0);
    e->org_id = db_column_int64(st, 2);
    e->len = body != NULL && n > 0 ? (size_t)n : 0;
    e->body = malloc(e->len + 1);
    if (e->body == NULL || sqi_col_dup(st, 1, &e->provider) != 0) {
        free(e->body);
        memset(e, 0, sizeof(*e));
        store_set_error("out_of_memory", "out of memory reading a row");
        return -STORE_E_IO;
    }
    if (e->len > 0)
        memcpy(e->body, body, e->len);
    e->body[e->len] = '\0';
    return 0;
}

static void entry_clear(struct store_pending_entry *e)
{
    free(e->provider);
    free(e->body);
    memset(e, 0, sizeof(*e));
}

SQI_LIST_FREE(store_pending_list_free, store_pending_list, entry_clear)

int sqb_journal_pending(struct store *base, int64_t limit,
                        struct store_pending_list *out)
{
    struct sq *s = (struct sq *)base;
    struct sqi_conn *c = sqi_get_conn(s);
    struct db_stmt *st = sqb_q(c, B_JOURNAL_PENDING);
    struct store_pending_list l = {NULL, 0};
    void *rows = NULL;
    int rc = -STORE_E_IO;

    if (st != NULL) {
        sqi_bi(st, 1, limit);
        rc = sqi_rows_read(c, st, sizeof(*l.rows), entry_read, &rows, &l.n);
        l.rows = rows;
    }
    sqi_put_conn(s, c);
    if (rc != 0) {
        store_pending_list_free(&l);
        return rc;
    }
    *out = l;
    return 0;
}

int sqb_journal_prune(struct store *base,
                      const struct store_journal_limits *lim, int64_t now,
                      int64_t *removed)
{
    struct sq *s = (struct sq *)base;
    struct sqi_conn *c = sqi_get_conn(s);
    static const int which[] = {B_JOURNAL_AGE, B_JOURNAL_KEEP, B_JOURNAL_BYTES};
    int64_t bound[3], n = 0;
    size_t i;
    int rc;

    bound[0] = lim->max_age > 0 ? now - lim->max_age : 0;
    bound[1] = lim->max_entries;
    bound[2] = lim->max_bytes;
    /* beside other writers: it deletes rows none of them reads, and an
       exclusive writer queued behind a long one would hold every writer
       of every node back until that one ends */
    rc = sqi_begin_write_shared(s, c);
    if (rc != 0)
        goto out;
    for (i = 0; i < 3 && rc == 0; i++) {
        struct db_stmt *st;

        if (bound[i] <= 0)
            continue;
        st = sqb_q(c, which[i]);
        if (st == NULL) {
            rc = -STORE_E_IO;
            break;
        }
        sqi_bi(st, 1, bound[i]);
        rc = sqi_exec1(c, st);
        if (rc == 0)
            n += db_changes(sqi_dbh(c));
    }
    rc = sqi_end_write(s, c, rc);
    if (rc == 0 && removed != NULL)
        *removed = n;
out:
    sqi_put_conn(s, c);
    return rc;
}

int sqi_journal_set(struct sqi_conn *c, int64_t id, const char *state,
                    const char *detail, int64_t now)
{
    struct db_stmt *st = sqb_q(c, B_JOURNAL_SET);

    if (st == NULL)
        return -STORE_E_IO;
    sqi_bi(st, 1, id);
    sqi_bt(st, 2, state);
    sqi_bt(st, 3, detail);
    sqi_bi(st, 4, now);
    return sqi_exec1(c, st);
}

int sqb_journal_fail(struct store *base, int64_t id, const char *detail)
{
    struct sq *s = (struct sq *)base;
    struct sqi_conn *c = sqi_get_conn(s);
    int rc;

    rc = sqi_begin_write_shared(s, c);
    if (rc != 0)
        goto out;
    rc = sqi_journal_set(c, id, "invalid", detail, (int64_t)time(NULL));
    rc = sqi_end_write(s, c, rc);
out:
    sqi_put_conn(s, c);
    return rc;
}
