/*
 * day_close.c: closing and reopening a day: a close records the day's
 * totals and digest and freezes its bank side; a reopen (with a reason)
 * lifts it; both audited. Listing closes and asking whether a day is
 * closed.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store_int.h"

int sqr_day_close(struct store *st, int64_t org_id, const char *date,
                  const char *totals, const char *digest,
                  const char *force_reason, const char *actor, int64_t now,
                  struct store_day_closed *out)
{
    struct sq *s = (struct sq *)st;
    struct sqi_conn *c = sqi_get_conn(s);
    struct db *db = sqi_dbh(c);
    struct db_stmt *q = NULL;
    char head[65] = "", obj[64];
    int64_t audit_id = 0, close_id = 0;
    struct store_open_items open;
    struct store_day_rows rows;
    json_t *detail;
    int rc;

    memset(&open, 0, sizeof(open));
    memset(&rows, 0, sizeof(rows));
    rc = sqi_begin_write_org(s, c, org_id);
    if (rc != 0) {
        sqi_put_conn(s, c);
        return rc;
    }
    rc = sqr_close_of(db, org_id, date, &close_id);
    if (rc == 0 && close_id != 0) {
        store_set_error("already_closed", "%s is already closed", date);
        rc = -STORE_E_CONFLICT;
    }
    /* the totals must describe the day as it is now, under the write
       lock: nothing can be dated that day between this and the commit */
    if (rc == 0)
        rc = sqr_rows_of_day(db, org_id, date, &rows);
    if (rc == 0 && strcmp(rows.digest, digest) != 0) {
        store_set_error("changed_while_closing",
                        "%s changed while it was being closed", date);
        rc = -STORE_E_CONFLICT;
    }
    /* a day with items still open closes only when forced with a reason;
       one without closes as it always did, a reason given or not */
    if (rc == 0)
        rc = sqr_open_items(db, org_id, date, &open);
    if (rc == 0 && !sqr_open_items_any(&open))
        force_reason = NULL;
    else if (rc == 0 && force_reason == NULL)
        rc = sqr_open_items_refuse(date, &open);
    /* the audit entry of the close itself is the head it stores */
    snprintf(obj, sizeof(obj), "org:%lld/%s", (long long)org_id, date);
    if (rc == 0) {
        detail = json_pack("{s:s, s:s}", "date", date, "totals", totals);
        if (force_reason != NULL && detail != NULL)
            json_object_set_new(
                detail, "forced",
                json_pack("{s:s, s:I, s:I, s:I, s:I}", "reason", force_reason,
                          "review_count", (json_int_t)open.review_count,
                          "review_amount", (json_int_t)open.review_amount,
                          "unbalanced_count", (json_int_t)open.unbalanced_count,
                          "unbalanced_amount",
                          (json_int_t)open.unbalanced_amount));
        rc = sqi_audit(c, org_id, now, actor, "day.close", obj, detail);
    }
    if (rc == 0)
        rc = sqr_stmt(db, "SELECT id, hash FROM audit ORDER BY id DESC LIMIT 1",
                      &q);
    if (rc == 0) {
        rc = sqr_step(db, q);
        if (rc == 1) {
            audit_id = db_column_int64(q, 0);
            sqr_copy_col(q, 1, head, sizeof(head));
            rc = 0;
        } else if (rc == 0) {
            rc = sqi_db_error(db, -DB_E_IO, "audit head");
        }
        sqr_done(q);
        q = NULL;
    }
    if (rc == 0)
        rc = sqr_stmt(
            db,
            "INSERT INTO day_closes(org_id, day, closed_at, actor,"
            " totals, audit_id, audit_head, bank_seq, version) VALUES"
            " (?1, ?2, ?3, ?4, ?5, ?6, ?7, (SELECT coalesce(max(id), 0)"
            " FROM bank_txns), 3) RETURNING id",
            &q);
    if (rc == 0) {
        db_bind_int64(q, 1, org_id);
        db_bind_text(q, 2, date);
        db_bind_int64(q, 3, now);
        db_bind_text(q, 4, actor);
        db_bind_text(q, 5, totals);
        db_bind_int64(q, 6, audit_id);
        db_bind_text(q, 7, head);
        rc = sqr_step(db, q);
        if (rc == 1) {
            close_id = db_column_int64(q, 0);
            rc = 0;
        } else if (rc == 0) {
            rc = sqi_db_error(db, -DB_E_IO, "day close id");
        }
        sqr_done(q);
        q = NULL;
    }
    /* the reason it was closed with items open, kept beside it */
    if (rc == 0 && force_reason != NULL)
        rc = sqr_stmt(db,
                      "INSERT INTO day_close_reasons(close_id, reason) VALUES"
                      " (?1, ?2)",
                      &q);
    if (rc == 0 && force_reason != NULL) {
        db_bind_int64(q, 1, close_id);
        db_bind_text(q, 2, force_reason);
        rc = sqr_step(db, q);
        sqr_done(q);
        q = NULL;
    }
    /* freeze the bank side: each transaction's matching state and what
       the ledger booked from it, as the totals saw them */
    if (rc == 0)
        rc = sqr_stmt(
            db,
            "INSERT INTO day_close_txns(close_id, txn_id, state, outcome,"
            " ledger, ledger_late) SELECT ?1, t.id, t.state, t.outcome,"
            " coalesce(p.amount, (SELECT sum(x.amount) FROM bank_txn_parts"
            " bp JOIN payments x ON x.id = bp.payment_id WHERE bp.txn_id ="
            " t.id)), CASE WHEN " TXN_LATE " OR p.corrects_date IS NOT"
            " NULL THEN 1 ELSE 0 END FROM bank_txns t LEFT JOIN payments "
            "p ON p.id ="
            " t.payment_id WHERE t.org_id = ?2 AND t.report_date = ?3",
            &q);
    if (rc == 0) {
        db_bind_int64(q, 1, close_id);
        db_bind_int64(q, 2, org_id);
        db_bind_text(q, 3, date);
        rc = sqr_step(db, q);
        sqr_done(q);
    }
    rc = sqi_end_write(s, c, rc);
    sqi_put_conn(s, c);
    store_day_rows_free(&rows);
    if (rc == 0) {
        out->closed_at = now;
        out->audit_id = audit_id;
        snprintf(out->audit_head, sizeof(out->audit_head), "%s", head);
        out->force_reason = force_reason;
    }
    return rc;
}

int sqr_day_reopen(struct store *st, int64_t org_id, const char *date,
                   const char *reason, const char *actor, int64_t now)
{
    struct sq *s = (struct sq *)st;
    struct sqi_conn *c = sqi_get_conn(s);
    struct db *db = sqi_dbh(c);
    struct db_stmt *q = NULL;
    char obj[64];
    int rc;

    rc = sqi_begin_write_org(s, c, org_id);
    if (rc != 0) {
        sqi_put_conn(s, c);
        return rc;
    }
    rc = sqr_stmt(db,
                  "UPDATE day_closes SET reopened_at = ?3, reopen_actor = ?4,"
                  " reopen_reason = ?5 WHERE org_id = ?1 AND day = ?2 AND"
                  " reopened_at IS NULL",
                  &q);
    if (rc == 0) {
        db_bind_int64(q, 1, org_id);
        db_bind_text(q, 2, date);
        db_bind_int64(q, 3, now);
        db_bind_text(q, 4, actor);
        db_bind_text(q, 5, reason);
        rc = sqr_step(db, q);
        sqr_done(q);
        if (rc == 0 && db_changes(db) != 1) {
            store_set_error("not_closed", "%s is not closed", date);
            rc = -STORE_E_NOT_FOUND;
        }
    }
    snprintf(obj, sizeof(obj), "org:%lld/%s", (long long)org_id, date);
    if (rc == 0)
        rc = sqi_audit(c, org_id, now, actor, "day.reopen", obj,
                       json_pack("{s:s, s:s}", "date", date, "reason", reason));
    rc = sqi_end_write(s, c, rc);
    sqi_put_conn(s, c);
    return rc;
}

/* The current row of the closes query into `row`, a struct
 * store_close_row. */
static int close_row_read(struct db_stmt *q, void *row)
{
    struct store_close_row *d = row;
    int rc;

    d->id = db_column_int64(q, 0);
    rc = sqi_col_dup(q, 1, &d->org);
    d->org_id = db_column_int64(q, 2);
    if (rc == 0)
        rc = sqi_col_dup(q, 3, &d->date);
    if (rc == 0)
        rc = sqi_col_dup(q, 4, &d->totals);
    d->audit_id = db_column_int64(q, 5);
    if (rc == 0)
        rc = sqi_col_dup(q, 6, &d->audit_head);
    if (rc == 0)
        rc = sqi_col_dup(q, 7, &d->audit_now);
    d->bank_seq = db_column_int64(q, 8);
    d->version = db_column_int64(q, 9);
    if (rc == 0)
        rc = sqi_col_dup_or_null(q, 10, &d->force_reason);
    return rc;
}

static void close_row_clear(struct store_close_row *d)
{
    free(d->org);
    free(d->date);
    free(d->totals);
    free(d->audit_head);
    free(d->audit_now);
    free(d->force_reason);
    memset(d, 0, sizeof(*d));
}

SQI_LIST_FREE(store_close_list_free, store_close_list, close_row_clear)

int sqr_day_closes(struct store *st, struct store_close_list *out)
{
    struct sq *s = (struct sq *)st;
    struct sqi_conn *c = sqi_get_conn(s);
    struct db *db = sqi_dbh(c);
    struct store_close_list l = {NULL, 0};
    void *rows = NULL;
    int rc;

    rc = sqi_begin_read(c);
    if (rc == 0) {
        rc = sqr_rows_read(
            db,
            "SELECT d.id, o.code, d.org_id, d.day, d.totals,"
            " d.audit_id, d.audit_head, coalesce((SELECT hash FROM"
            " audit a WHERE a.id = d.audit_id), ''), d.bank_seq,"
            " d.version, (SELECT r.reason FROM day_close_reasons r WHERE"
            " r.close_id = d.id) FROM"
            " day_closes d JOIN orgs o ON o.id = d.org_id"
            " WHERE d.reopened_at IS NULL ORDER BY d.id",
            0, 0, NULL, 0, NULL, sizeof(*l.rows), close_row_read, &rows, &l.n);
        l.rows = rows;
        sqi_end_read(c);
    }
    sqi_put_conn(s, c);
    if (rc == 0)
        *out = l;
    else
        store_close_list_free(&l);
    return rc;
}

int sqr_day_closed(struct store *st, int64_t org_id, const char *date,
                   int *closed)
{
    struct sq *s = (struct sq *)st;
    struct sqi_conn *c = sqi_get_conn(s);
    struct db *db = sqi_dbh(c);
    struct db_stmt *q = NULL;
    int rc;

    rc = sqi_begin_read(c);
    if (rc == 0) {
        rc = sqr_stmt(db,
                      "SELECT 1 FROM day_closes WHERE org_id = ?1 AND day = ?2"
                      " AND reopened_at IS NULL",
                      &q);
        if (rc == 0) {
            db_bind_int64(q, 1, org_id);
            db_bind_text(q, 2, date);
            rc = sqr_step(db, q);
            if (rc >= 0) {
                *closed = rc == 1;
                rc = 0;
            }
            sqr_done(q);
        }
        sqi_end_read(c);
    }
    sqi_put_conn(s, c);
    return rc;
}
