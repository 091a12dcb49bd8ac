/*
 * day_takings.c: the payments dated on a day, each with the kiosk and
 * collector that took it and the credit it left: what the daily
 * reconciliation and the kiosk's day totals both sum.
 */
#include "store_int.h"

int sqr_takings_rows(struct db *db, int64_t org, const char *date,
                     struct sqr_digest *dg, void **rows, size_t *n)
{
    /* dated that day and not reversed by then (a transfer undone after
       its day closed stays in that day's figures); a transfer counts for
       the kiosk that made its intent, cash for the kiosk that recorded
       it; the credit is what the day's allocations left of it */
    static const char *const q =
        "SELECT p.id, p.method, p.amount, p.amount - coalesce((SELECT"
        " sum(a.amount) FROM allocations a WHERE a.payment_id = p.id AND"
        " a.day <= ?2), 0), coalesce(k.id, 0), coalesce(k.name, ''),"
        " coalesce(cr.collector, '') FROM payments p"
        " LEFT JOIN intents t ON t.id = p.intent_id"
        " LEFT JOIN cash_records cr ON cr.payment_id = p.id"
        " LEFT JOIN kiosks k ON k.id = CASE WHEN p.method = 'cash' THEN"
        " cr.kiosk_id ELSE t.kiosk_id END"
        " WHERE p.org_id = ?1 AND p.day = ?2 AND (p.reversed_day IS NULL"
        " OR p.reversed_day > ?2) ORDER BY p.id";

    return sqr_rows_read(db, q, 2, org, date, 0, dg,
                         sizeof(struct store_taking), sqr_taking_read, rows, n);
}

int sqr_day_takings(struct store *st, int64_t org_id, const char *date,
                    struct store_takings *out)
{
    struct sq *s = (struct sq *)st;
    struct sqi_conn *c;
    struct store_takings t = {NULL, 0};
    void *rows = NULL;
    int rc;

    if (!sqr_day_valid(date)) {
        store_set_error("invalid_date", "date: YYYY-MM-DD");
        return -STORE_E_INVALID;
    }
    c = sqi_get_conn(s);
    rc = sqi_begin_read(c);
    if (rc == 0) {
        rc = sqr_takings_rows(sqi_dbh(c), org_id, date, NULL, &rows, &t.n);
        t.rows = rows;
        sqi_end_read(c);
    }
    sqi_put_conn(s, c);
    if (rc == 0)
        *out = t;
    else
        store_takings_free(&t);
    return rc;
}
