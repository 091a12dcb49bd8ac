/*
 * refunds.c: giving a payer's credit back. A payer's credit is the
 * unallocated part of their payments (over-payments, money for invoices
 * already paid); a refund records money sent back to the payer and draws
 * it from those payments, oldest first, in one transaction, so that every
 * payment keeps amount = allocated + unallocated + refunded and the
 * payer's credit stays the sum of their unallocated money. A refund made
 * after today was closed is dated on the next open day, a correction.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store_int.h"

/* The connection's cached statement for `sql` (a string with static
 * storage) into *st: 0, or the store's error. */
static int stmt(struct db *db, const char *sql, struct db_stmt **st)
{
    *st = db_q(db, sql);
    return *st != NULL ? 0 : sqi_db_error(db, -DB_E_SQL, "prepare");
}

/* One step of `st` of `db`: 1 row, 0 done, or the store's error. */
static int step(struct db *db, struct db_stmt *st)
{
    int rc = db_step(st);

    return rc >= 0 ? rc : sqi_db_error(db, rc, "step");
}

/* Run statement `sql` (static storage) without rows with its first
 * `n` (up to three) integer parameters a, b, c. */
static int run(struct db *db, const char *sql, int n, int64_t a, int64_t b,
               int64_t c)
{
    struct db_stmt *st;
    int rc = stmt(db, sql, &st);

    if (rc != 0)
        return rc;
    if (n >= 1)
        db_bind_int64(st, 1, a);
    if (n >= 2)
        db_bind_int64(st, 2, b);
    if (n >= 3)
        db_bind_int64(st, 3, c);
    rc = step(db, st);
    db_reset(st);
    return rc < 0 ? rc : 0;
}

/*
 * Run a guarded UPDATE (parameters ?1 a, ?2 b) that must change exactly
 * one row; when its guard held no row (the ledger moved under it), the
 * refund fails with a "ledger" conflict and its transaction is rolled
 * back.
 */
static int run_guarded(struct db *db, const char *sql, int64_t a, int64_t b,
                       const char *what)
{
    int rc = run(db, sql, 2, a, b, 0);

    if (rc == 0 && db_changes(db) != 1) {
        store_set_error("ledger", "%s %lld: the guarded update changed no row",
                        what, (long long)a);
        rc = -STORE_E_CONFLICT;
    }
    return rc;
}

/*
 * Refund `id` was made while today (Vietnam) is closed: it is dated on
 * the next open day (the day its insert bound) and recorded as a correction
 * pointing at today, the day it was made.
 */
static int refund_dated(struct sqi_conn *c, int64_t org_id, int64_t id,
                        int64_t pid, const struct store_refund_req *req,
                        const char *actor, int64_t now)
{
    char today[11] = "", obj[32];
    int rc, closed = 0;

    if (sqr_vn_day(now, today) != 0) {
        store_set_error("invalid_time", "time %lld is out of range",
                        (long long)now);
        return -STORE_E_INVALID;
    }
    rc = sqr_is_closed(c, org_id, today, &closed);
    if (rc != 0 || !closed)
        return rc;
    snprintf(obj, sizeof(obj), "refund:%lld", (long long)id);
    {
        struct sqr_correction k = {
            org_id, "refund", today,        obj,   0,           0,
            id,     pid,      -req->amount, actor, req->reason, now};

        return sqr_correction_add(c, &k, NULL, NULL);
    }
}

void store_refund_free(struct store_refund *r)
{
    if (r == NULL)
        return;
    free(r->parts);
    memset(r, 0, sizeof(*r));
}

/* The parts of `r` as the audit entry lists them: [{payment, amount}]. */
static json_t *parts_json(const struct store_refund *r)
{
    json_t *a = json_array();
    size_t i;

    for (i = 0; a != NULL && i < r->n_parts; i++)
        json_array_append_new(a, json_pack("{s:I, s:I}", "payment",
                                           (json_int_t)r->parts[i].payment,
                                           "amount",
                                           (json_int_t)r->parts[i].amount));
    return a;
}

/* In a write transaction: the refund itself, into *out. */
static int refund(struct db *db, struct sqi_conn *c, int64_t org_id,
                  const struct store_refund_req *req, const char *actor,
                  int64_t now, struct store_refund *out)
{
    struct db_stmt *st = NULL;
    struct store_refund r;
    void *parts = NULL;
    int64_t pid = 0, credit = 0, id = 0, left = req->amount;
    char day[11];
    int rc;

    memset(&r, 0, sizeof(r));
    rc = stmt(db,
              "SELECT id, credit FROM payers WHERE org_id = ?1 AND code = ?2",
              &st);
    if (rc != 0)
        goto out;
    db_bind_int64(st, 1, org_id);
    db_bind_text(st, 2, req->payer);
    rc = step(db, st);
    if (rc == 1) {
        pid = db_column_int64(st, 0);
        credit = db_column_int64(st, 1);
    }
    db_reset(st);
    st = NULL;
    if (rc <= 0) {
        if (rc == 0) {
            store_set_error("payer_not_found", "no payer '%s'", req->payer);
            rc = -STORE_E_NOT_FOUND;
        }
        goto out;
    }
    if (req->amount > credit) {
        store_set_error("insufficient_credit",
                        "payer %s holds %lld đồng of credit, less than "
                        "%lld",
                        req->payer, (long long)credit, (long long)req->amount);
        rc = -STORE_E_CONFLICT;
        goto out;
    }
    /* dated on the first open day: after today when today is closed */
    rc = sqr_open_day(db, org_id, now, day);
    if (rc != 0)
        goto out;
    rc = stmt(db,
              "INSERT INTO refunds(org_id, payer_id, amount, reference,"
              " reason, actor, created_at, day) VALUES (?1, ?2, ?3, ?4, ?5, ?6,"
              " ?7, ?8) RETURNING id",
              &st);
    if (rc != 0)
        goto out;
    db_bind_int64(st, 1, org_id);
    db_bind_int64(st, 2, pid);
    db_bind_int64(st, 3, req->amount);
    db_bind_text(st, 4, req->reference);
    db_bind_text(st, 5, req->reason);
    db_bind_text(st, 6, actor);
    db_bind_int64(st, 7, now);
    db_bind_text(st, 8, day);
    rc = step(db, st);
    if (rc == 1)
        id = db_column_int64(st, 0);
    db_reset(st);
    st = NULL;
    if (rc == 0)
        rc = sqi_db_error(db, -DB_E_IO, "refund id");
    if (rc < 0) {
        /* dated on an open day: the one conflict is the reference */
        if (rc == -STORE_E_CONFLICT)
            store_set_error("duplicate_reference",
                            "a refund with reference '%s' exists",
                            req->reference);
        goto out;
    }

    /* draw on the payer's payments, oldest first */
    rc = stmt(db,
              "SELECT id, unallocated FROM payments WHERE payer_id = ?1"
              " AND unallocated > 0 ORDER BY id",
              &st);
    if (rc != 0)
        goto out;
    db_bind_int64(st, 1, pid);
    while (left > 0 && (rc = step(db, st)) == 1) {
        int64_t pay = db_column_int64(st, 0);
        int64_t un = db_column_int64(st, 1);
        int64_t take = un < left ? un : left;

        rc = sqi_room(&parts, r.n_parts, sizeof(*r.parts));
        if (rc != 0)
            break;
        r.parts = parts;
        r.parts[r.n_parts].payment = pay;
        r.parts[r.n_parts++].amount = take;
        left -= take;
    }
    db_reset(st);
    st = NULL;
    if (rc < 0)
        goto out;
    if (left != 0) {
        /* the payer's credit and their payments disagree */
        store_set_error("ledger",
                        "payer %s: credit %lld is not backed by "
                        "unallocated payments",
                        req->payer, (long long)credit);
        rc = -STORE_E_CONFLICT;
        goto out;
    }
    {
        size_t i;

        for (i = 0; i < r.n_parts; i++) {
            int64_t pay = r.parts[i].payment;
            int64_t take = r.parts[i].amount;

            rc = run_guarded(db,
                             "UPDATE payments SET unallocated = unallocated"
                             " - ?2 WHERE id = ?1 AND unallocated >= ?2",
                             pay, take, "payment");
            if (rc == 0)
                rc = run(db,
                         "INSERT INTO refund_parts(refund_id, payment_id,"
                         " amount) VALUES (?1, ?2, ?3)",
                         3, id, pay, take);
            if (rc != 0)
                goto out;
        }
    }
    rc = run_guarded(db,
                     "UPDATE payers SET credit = credit - ?2 WHERE id = ?1"
                     " AND credit >= ?2",
                     pid, req->amount, "payer");
    if (rc != 0)
        goto out;
    rc = sqi_audit(c, org_id, now, actor, "credit.refund", req->payer,
                   json_pack("{s:I, s:I, s:s, s:s, s:o}", "refund",
                             (json_int_t)id, "amount", (json_int_t)req->amount,
                             "reference", req->reference, "reason", req->reason,
                             "payments", parts_json(&r)));
    if (rc == 0)
        rc = refund_dated(c, org_id, id, pid, req, actor, now);
    if (rc != 0)
        goto out;
    r.id = id;
    r.amount = req->amount;
    r.credit_left = credit - req->amount;
    *out = r;
    memset(&r, 0, sizeof(r));
out:
    db_reset(st);
    store_refund_free(&r);
    return rc;
}

int sqr_payer_refund(struct store *st, int64_t org_id,
                     const struct store_refund_req *req, const char *actor,
                     int64_t now, struct store_refund *out)
{
    struct sq *s = (struct sq *)st;
    struct sqi_conn *c;
    struct store_refund r;
    int rc;

    memset(&r, 0, sizeof(r));
    c = sqi_get_conn(s);
    if (req->amount <= 0 || req->reason == NULL || req->reason[0] == '\0' ||
        req->reference == NULL || req->reference[0] == '\0') {
        store_set_error("invalid_field",
                        "a refund needs a positive amount, the bank "
                        "reference of the outgoing transfer and a reason");
        sqi_put_conn(s, c);
        return -STORE_E_INVALID;
    }
    rc = sqi_begin_write_org(s, c, org_id);
    if (rc == 0) {
        rc = refund(sqi_dbh(c), c, org_id, req, actor, now, &r);
        rc = sqi_end_write(s, c, rc);
    }
    sqi_put_conn(s, c);
    if (rc == 0)
        *out = r;
    else
        store_refund_free(&r);
    return rc;
}
