/*
 * close_guard.c: what stands open on a day before it may be closed: the
 * transfers reported that day still awaiting review, and the day's bank
 * statements whose balances do not add up. A close refuses such a day
 * unless it is forced with a reason (day_close.c asks sqr_open_items).
 */
#include <stdio.h>
#include <string.h>

#include "store_int.h"

int sqr_open_items(struct db *db, int64_t org, const char *date,
                   struct store_open_items *out)
{
    /* ?1 org, ?2 day; the transfers awaiting review are the credits the
       daily report counts as unresolved; the gap of a statement is
       |opening + credits - debits - closing|, when both balances are
       known */
    static const char *const q =
        "SELECT (SELECT count(*) FROM bank_txns t WHERE t.org_id = ?1 AND"
        " t.report_date = ?2 AND t.state IN ('unmatched', 'ambiguous') AND"
        " t.direction = 'credit' AND t.amount > 0),"
        " (SELECT coalesce(sum(t.amount), 0) FROM bank_txns t WHERE"
        " t.org_id = ?1 AND t.report_date = ?2 AND t.state IN"
        " ('unmatched', 'ambiguous') AND t.direction = 'credit' AND"
        " t.amount > 0),"
        " (SELECT count(*) FROM bank_statements s WHERE s.org_id = ?1 AND"
        " s.balance_check = 'mismatch' AND EXISTS (SELECT 1 FROM bank_txns t"
        " WHERE t.import_id = s.import_id AND t.org_id = ?1 AND"
        " t.report_date = ?2)),"
        " (SELECT coalesce(sum(abs(s.opening + s.credits - s.debits -"
        " s.closing)), 0) FROM bank_statements s WHERE s.org_id = ?1 AND"
        " s.balance_check = 'mismatch' AND s.opening IS NOT NULL AND"
        " s.closing IS NOT NULL AND EXISTS (SELECT 1 FROM bank_txns t WHERE"
        " t.import_id = s.import_id AND t.org_id = ?1 AND"
        " t.report_date = ?2))";
    struct db_stmt *st = NULL;
    int rc;

    rc = sqr_stmt(db, q, &st);
    if (rc != 0)
        return rc;
    db_bind_int64(st, 1, org);
    db_bind_text(st, 2, date);
    rc = sqr_step(db, st);
    if (rc == 1) {
        out->review_count = db_column_int64(st, 0);
        out->review_amount = db_column_int64(st, 1);
        out->unbalanced_count = db_column_int64(st, 2);
        out->unbalanced_amount = db_column_int64(st, 3);
        rc = 0;
    } else if (rc == 0) {
        rc = sqi_db_error(db, -DB_E_IO, "open items");
    }
    sqr_done(st);
    return rc;
}

int sqr_open_items_any(const struct store_open_items *o)
{
    return o->review_count > 0 || o->unbalanced_count > 0;
}

int sqr_open_items_refuse(const char *date, const struct store_open_items *o)
{
    store_set_error("open_items",
                    "Ngày %s còn %lld giao dịch chờ xử lý (%lld đ) và %lld"
                    " sao kê lệch số dư (%lld đ)",
                    date, (long long)o->review_count,
                    (long long)o->review_amount, (long long)o->unbalanced_count,
                    (long long)o->unbalanced_amount);
    return -STORE_E_CONFLICT;
}

int sqr_day_open_items(struct store *st, int64_t org_id, const char *date,
                       struct store_open_items *out)
{
    struct sq *s = (struct sq *)st;
    struct sqi_conn *c = sqi_get_conn(s);
    struct store_open_items o;
    int rc;

    memset(&o, 0, sizeof(o));
    rc = sqi_begin_read(c);
    if (rc == 0) {
        rc = sqr_open_items(sqi_dbh(c), org_id, date, &o);
        sqi_end_read(c);
    }
    sqi_put_conn(s, c);
    if (rc == 0)
        *out = o;
    return rc;
}

int sqr_day_force_reason(struct store *st, int64_t org_id, const char *date,
                         char *out, size_t cap)
{
    struct sq *s = (struct sq *)st;
    struct sqi_conn *c = sqi_get_conn(s);
    struct db *db = sqi_dbh(c);
    struct db_stmt *q = NULL;
    int rc;

    if (cap > 0)
        out[0] = '\0';
    rc = sqi_begin_read(c);
    if (rc == 0) {
        rc = sqr_stmt(db,
                      "SELECT r.reason FROM day_closes d JOIN"
                      " day_close_reasons r ON r.close_id = d.id WHERE"
                      " d.org_id = ?1 AND d.day = ?2 AND d.reopened_at IS"
                      " NULL",
                      &q);
        if (rc == 0) {
            db_bind_int64(q, 1, org_id);
            db_bind_text(q, 2, date);
            rc = sqr_step(db, q);
            if (rc == 1)
                sqr_copy_col(q, 0, out, cap);
            rc = rc < 0 ? rc : 0;
            sqr_done(q);
        }
        sqi_end_read(c);
    }
    sqi_put_conn(s, c);
    return rc;
}
