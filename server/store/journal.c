/*
 * journal.c: the webhook journal: every delivery stored verbatim before it is
 * answered, the entries still to process, marking one failed, and pruning
 * what strangers left (bounded by count, age and bytes).
 */
#include <string.h>
#include <time.h>

#include "store_int.h"

int sqb_journal_add(struct store *base, const struct store_journal *j,
                    int64_t *id)
{
    struct sq *s = (struct sq *)base;
    struct sqi_conn *c = sqi_get_conn(s);
    struct db_stmt *st;
    int rc;

    rc = sqi_begin_write_shared(s, c);
    if (rc != 0)
        goto out;
    st = sqb_q(c, B_JOURNAL_ADD);
    if (st == NULL) {
        rc = -STORE_E_IO;
        goto done;
    }
    sqi_bt(st, 1, j->provider);
    if (j->org_id > 0)
        sqi_bi(st, 2, j->org_id);
    sqi_bi(st, 3, j->now);
    sqi_bt(st, 4, j->headers);
    db_bind_blob(st, 5, j->body, j->len);
    sqi_bt(st, 6, j->verified);
    sqi_bt(st, 7, j->state);
    sqi_bt(st, 8, j->detail ? j->detail : "");
    rc = sqb_insert(c, st, id);
    if (rc == 0 && j->keep > 0 && strcmp(j->verified, "ok") != 0 &&
        strcmp(j->state, "received") != 0) {
        /* a stranger's entry: only the newest `keep` of them stay */
        st = sqb_q(c, B_JOURNAL_KEEP);
        if (st == NULL) {
            rc = -STORE_E_IO;
            goto done;
        }
        sqi_bi(st, 1, j->keep);
        rc = sqi_exec1(c, st);
    }
done:
    /* COMMIT with synchronous=FULL: on disk when this returns 0 */
    rc = sqi_end_write(s, c, rc);
out:
    sqi_put_conn(s, c);
    return rc;
}

int sqb_journal_pending(struct store *base, int64_t limit, json_t **out)
{
    struct sq *s = (struct sq *)base;
    struct sqi_conn *c = sqi_get_conn(s);
    struct db_stmt *st = sqb_q(c, B_JOURNAL_PENDING);
    json_t *a = json_array();
    int rc = -STORE_E_IO;

    if (st != NULL) {
        sqi_bi(st, 1, limit);
        while ((rc = sqi_step(c, st)) == 1)
            json_array_append_new(
                a, json_pack("{s:I, s:s, s:I, s:s%}", "id",
                             (json_int_t)db_column_int64(st, 0), "provider",
                             sqi_col_text(st, 1), "org_id",
                             (json_int_t)db_column_int64(st, 2), "body",
                             (const char *)db_column_blob(st, 3)
                                 ? (const char *)db_column_blob(st, 3)
                                 : "",
                             db_column_bytes(st, 3)));
        db_reset(st);
    }
    if (rc == 0)
        *out = a;
    else
        json_decref(a);
    sqi_put_conn(s, c);
    return rc;
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
    rc = sqi_begin_write(s, c);
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

int sqb_journal_fail(struct store *base, int64_t id, const char *detail)
{
    struct sq *s = (struct sq *)base;
    struct sqi_conn *c = sqi_get_conn(s);
    struct db_stmt *st;
    int rc;

    rc = sqi_begin_write_shared(s, c);
    if (rc != 0)
        goto out;
    st = sqb_q(c, B_JOURNAL_SET);
    if (st == NULL) {
        rc = -STORE_E_IO;
        goto done;
    }
    sqi_bi(st, 1, id);
    sqi_bt(st, 2, "invalid");
    sqi_bt(st, 3, detail);
    sqi_bi(st, 4, (int64_t)time(NULL));
    rc = sqi_exec1(c, st);
done:
    rc = sqi_end_write(s, c, rc);
out:
    sqi_put_conn(s, c);
    return rc;
}
