/*
 * review.c: the review queue: listing and reading bank transactions, and a
 * reviewer's decision on one (match to an intent or payer, unmatch,
 * ignore), with its ledger effect and a correction when the day it
 * touches has been closed.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store_int.h"

/* The columns of TXN_COLS (bank_statements.c) into a struct. */
static int txn_read(struct db_stmt *st, void *row)
{
    struct store_bank_txn *t = row;
    char **text[] = {&t->provider,     &t->provider_txn_id,
                     &t->channel,      &t->account,
                     &t->direction,    NULL,
                     &t->currency,     &t->booking_date,
                     &t->booked_at,    &t->bank_ref,
                     &t->code,         &t->description,
                     &t->counter_name, &t->counter_account,
                     &t->state,        &t->outcome,
                     &t->reason};
    size_t i;

    t->id = db_column_int64(st, 0);
    t->amount = db_column_int64(st, 6);
    for (i = 0; i < sizeof(text) / sizeof(text[0]); i++)
        if (text[i] != NULL && sqi_col_dup(st, (int)i + 1, text[i]) != 0)
            goto nomem;
    t->duplicate_of = db_column_int64(st, 18);
    t->confirmed = db_column_int64(st, 19) != 0;
    t->payment_id = db_column_int64(st, 20);
    t->intent_id = db_column_int64(st, 21);
    if (sqi_col_dup(st, 22, &t->suggestions) != 0)
        goto nomem;
    t->journal_id = db_column_int64(st, 23);
    t->import_id = db_column_int64(st, 24);
    t->created_at = db_column_int64(st, 25);
    t->updated_at = db_column_int64(st, 26);
    if (sqi_col_dup(st, 27, &t->report_date) != 0)
        goto nomem;
    t->has_balance = db_column_type(st, 28) == DB_INTEGER;
    t->balance = t->has_balance ? db_column_int64(st, 28) : 0;
    return 0;
nomem:
    store_bank_txn_clear(t);
    return -STORE_E_IO;
}

void store_bank_txn_clear(struct store_bank_txn *t)
{
    if (t == NULL)
        return;
    free(t->provider);
    free(t->provider_txn_id);
    free(t->channel);
    free(t->account);
    free(t->direction);
    free(t->currency);
    free(t->booking_date);
    free(t->booked_at);
    free(t->bank_ref);
    free(t->code);
    free(t->description);
    free(t->counter_name);
    free(t->counter_account);
    free(t->state);
    free(t->outcome);
    free(t->reason);
    free(t->suggestions);
    free(t->report_date);
    memset(t, 0, sizeof(*t));
}

SQI_LIST_FREE(store_bank_txn_list_free, store_bank_txn_list,
              store_bank_txn_clear)

void store_bank_txn_full_free(struct store_bank_txn_full *t)
{
    size_t i;

    if (t == NULL)
        return;
    store_bank_txn_clear(&t->txn);
    for (i = 0; i < t->n_audit; i++) {
        free(t->audit[i].actor);
        free(t->audit[i].action);
        free(t->audit[i].detail);
    }
    free(t->audit);
    t->audit = NULL;
    t->n_audit = 0;
    for (i = 0; i < t->n_parts; i++)
        free(t->parts[i].payer);
    free(t->parts);
    t->parts = NULL;
    t->n_parts = 0;
}

int sqb_list(struct store *base, int64_t org, const struct store_filter *f,
             struct store_bank_txn_list *out)
{
    struct sq *s = (struct sq *)base;
    struct sqi_conn *c = sqi_get_conn(s);
    struct store_bank_txn_list l = {0};
    struct db_stmt *st;
    void *rows = NULL;
    int rc;

    rc = sqi_begin_read(c);
    if (rc != 0)
        goto out;
    st = sqb_q(c, B_LIST);
    if (st == NULL) {
        rc = -STORE_E_IO;
        goto out;
    }
    sqi_bi(st, 1, org);
    sqi_bt(st, 2, f->status);
    sqi_bi(st, 3, f->after_id);
    sqi_bi(st, 4, f->limit > 0 && f->limit <= 1000 ? f->limit : 100);
    sqi_bi(st, 5, f->since);
    sqi_bt(st, 6, f->date);
    sqi_bi(st, 7, f->offset);
    rc = sqi_rows_read(c, st, sizeof(*l.rows), txn_read, &rows, &l.n);
    l.rows = rows;
    if (rc >= 0) {
        st = sqb_q(c, B_COUNT);
        if (st == NULL) {
            rc = -STORE_E_IO;
            goto out;
        }
        sqi_bi(st, 1, org);
        sqi_bt(st, 2, f->status);
        sqi_bi(st, 3, f->since);
        sqi_bt(st, 4, f->date);
        rc = sqi_count(c, st, &l.total);
    }
out:
    sqi_end_read(c);
    sqi_put_conn(s, c);
    if (rc == 0) {
        *out = l;
        l.rows = NULL;
        l.n = 0;
    }
    store_bank_txn_list_free(&l);
    return rc;
}

/* Load transaction `id` of `org` into *out, inside a transaction. */
int sqb_txn_fetch(struct sqi_conn *c, int64_t org, int64_t id,
                  struct store_bank_txn *out)
{
    struct db_stmt *st = sqb_q(c, B_GET);
    int rc;

    if (st == NULL)
        return -STORE_E_IO;
    sqi_bi(st, 1, org);
    sqi_bi(st, 2, id);
    rc = sqi_step(c, st);
    if (rc == 0) {
        store_set_error("transaction_not_found", "no bank transaction %lld",
                        (long long)id);
        rc = -STORE_E_NOT_FOUND;
    }
    if (rc > 0)
        rc = txn_read(st, out);
    db_reset(st);
    return rc;
}

/* An audit row (at, actor, action, detail) into a struct. */
static int audit_read(struct db_stmt *st, void *row)
{
    struct store_bank_audit *a = row;

    a->at = db_column_int64(st, 0);
    if (sqi_col_dup(st, 1, &a->actor) != 0 ||
        sqi_col_dup(st, 2, &a->action) != 0 ||
        sqi_col_dup(st, 3, &a->detail) != 0) {
        free(a->actor);
        free(a->action);
        free(a->detail);
        memset(a, 0, sizeof(*a));
        return -STORE_E_IO;
    }
    return 0;
}

int sqb_get(struct store *base, int64_t org, int64_t id,
            struct store_bank_txn_full *out)
{
    struct sq *s = (struct sq *)base;
    struct sqi_conn *c = sqi_get_conn(s);
    struct store_bank_txn_full t = {0};
    char obj[32];
    struct db_stmt *st;
    void *rows = NULL;
    int rc;

    rc = sqi_begin_read(c);
    if (rc != 0)
        goto out;
    rc = sqb_txn_fetch(c, org, id, &t.txn);
    if (rc != 0)
        goto out;
    st = sqb_q(c, B_AUDIT_OF);
    if (st == NULL) {
        rc = -STORE_E_IO;
        goto out;
    }
    snprintf(obj, sizeof(obj), "bank:%lld", (long long)id);
    sqi_bt(st, 1, obj);
    rc = sqi_rows_read(c, st, sizeof(*t.audit), audit_read, &rows, &t.n_audit);
    t.audit = rows;
    if (rc == 0 && t.txn.outcome != NULL && strcmp(t.txn.outcome, "split") == 0)
        rc = sqb_split_parts(c, id, &t.parts, &t.n_parts);
out:
    sqi_end_read(c);
    sqi_put_conn(s, c);
    if (rc == 0) {
        *out = t;
        memset(&t, 0, sizeof(t));
    }
    store_bank_txn_full_free(&t);
    return rc;
}

/*
 * The earliest closed day among payment `pay`'s own day and the days of
 * its allocations into `out` (11 bytes; "" when none is closed): undoing
 * it then would change a closed day.
 */
static int closed_day_of_payment(struct sqi_conn *c, int64_t pay, char *out)
{
    struct db_stmt *st = sqb_q(c, B_PAY_CLOSED_DAY);
    int rc;

    out[0] = '\0';
    if (st == NULL)
        return -STORE_E_IO;
    sqi_bi(st, 1, pay);
    rc = sqi_step(c, st);
    if (rc == 1)
        snprintf(out, 11, "%s", sqi_col_text(st, 0));
    db_reset(st);
    return rc < 0 ? rc : 0;
}

/* Run statement `id` with ?1 = a and, when n is 2, ?2 = b (integers);
 * rows are not read. */
static int run_ids(struct sqi_conn *c, enum sqb_q id, int n, int64_t a,
                   int64_t b)
{
    struct db_stmt *st = sqb_q(c, id);

    if (st == NULL)
        return -STORE_E_IO;
    sqi_bi(st, 1, a);
    if (n >= 2)
        sqi_bi(st, 2, b);
    return sqi_exec1(c, st);
}

/*
 * Review "unmatch" of transaction `id` whose payment `pay` is part of
 * closed day `cdate`'s figures: the payment is not deleted but reversed
 * by a correction dated on the first open day (its allocations given
 * back to the invoices, its credit taken back, its intent rolled back,
 * its receipt voided, the payment kept and marked reversed from that day
 * on). *intent gets its intent id (0 none). In the review's transaction.
 */
static int reverse_as_correction(struct sqi_conn *c, int64_t org, int64_t id,
                                 int64_t pay, const char *cdate,
                                 const char *reason, const char *actor,
                                 int64_t now, int64_t *intent)
{
    struct db_stmt *st;
    int64_t payer, amount, unalloc, in;
    char obj[32], day[11];
    int rc;

    st = sqb_q(c, B_PAY_TO_REVERSE);
    if (st == NULL)
        return -STORE_E_IO;
    sqi_bi(st, 1, pay);
    rc = sqi_step(c, st);
    if (rc <= 0) {
        db_reset(st);
        if (rc == 0) {
            store_set_error("payment_not_found", "no transfer payment %lld",
                            (long long)pay);
            rc = -STORE_E_NOT_FOUND;
        }
        return rc;
    }
    payer = db_column_int64(st, 0);
    amount = db_column_int64(st, 1);
    unalloc = db_column_int64(st, 2);
    in = db_column_int64(st, 3);
    rc = (int)db_column_int64(st, 4);
    db_reset(st);
    if (rc != 0) {
        store_set_error("refunded", "part of this transfer was refunded");
        return -STORE_E_CONFLICT;
    }
    /* the credit it created must still be held */
    rc = run_ids(c, B_CREDIT_TAKE, 2, payer, unalloc);
    if (rc != 0)
        return rc;
    if (db_changes(sqi_dbh(c)) != 1) {
        store_set_error("credit_used", "the credit this transfer created has"
                                       " been used since");
        return -STORE_E_CONFLICT;
    }
    snprintf(obj, sizeof(obj), "bank:%lld", (long long)id);
    {
        struct sqr_correction k = {org, "unmatch", cdate,   obj,   id,     pay,
                                   0,   payer,     -amount, actor, reason, now};

        rc = sqr_correction_add(c, &k, day, NULL);
    }
    if (rc != 0)
        return rc;
    rc = run_ids(c, B_INVOICES_GIVE_BACK, 1, pay, 0);
    /* kept, reversed from `day` on; its bank reference is freed so that
       the transaction can be matched again */
    if (rc == 0) {
        st = sqb_q(c, B_PAY_REVERSED);
        rc = st ? 0 : -STORE_E_IO;
        if (rc == 0) {
            sqi_bi(st, 1, pay);
            sqi_bt(st, 2, day);
            rc = sqi_exec1(c, st);
        }
    }
    if (rc == 0)
        rc = run_ids(c, B_RECEIPT_VOID, 2, pay, now);
    if (rc == 0 && in != 0) {
        rc = sqi_intent_recompute(c, in, now);
        if (rc == 0)
            sqi_queue_woken(c, in);
    }
    if (rc == 0)
        *intent = in;
    return rc;
}

/*
 * After a review matched transaction `id` (its report day `rdate`,
 * booked on `booking`): a transaction of a closed day is matched by a
 * correction dated later (its payment flagged late for that day); a
 * late one's payment is flagged late for its booking day.
 */
static int match_dated(struct sqi_conn *c, int64_t org, int64_t id,
                       const char *rdate, const char *booking, int closed,
                       const char *reason, const char *actor, int64_t now)
{
    struct db_stmt *st;
    int64_t pay = 0, payer = 0, amount = 0;
    char obj[32];
    int rc;

    if (!closed && strcmp(rdate, booking) == 0)
        return 0;
    st = sqb_q(c, B_MATCHED_PAY);
    if (st == NULL)
        return -STORE_E_IO;
    sqi_bi(st, 1, id);
    rc = sqi_step(c, st);
    if (rc == 1) {
        pay = db_column_int64(st, 0);
        payer = db_column_int64(st, 1);
        amount = db_column_int64(st, 2);
        rc = 0;
    } else if (rc == 0) {
        rc = sqi_db_error(sqi_dbh(c), -DB_E_IO, "matched payment");
    }
    db_reset(st);
    if (rc != 0)
        return rc;
    st = sqb_q(c, B_CORRECTS_DATE);
    if (st == NULL)
        return -STORE_E_IO;
    sqi_bi(st, 1, pay);
    sqi_bt(st, 2, closed ? rdate : booking);
    rc = sqi_exec1(c, st);
    if (rc < 0 || !closed)
        return rc < 0 ? rc : 0;
    snprintf(obj, sizeof(obj), "bank:%lld", (long long)id);
    {
        struct sqr_correction k = {org, "match", rdate,  obj,   id,     pay,
                                   0,   payer,   amount, actor, reason, now};

        return sqr_correction_add(c, &k, NULL, NULL);
    }
}

/*
 * Review actions. On a transaction of a closed day (docs/reports.md) they are
 * corrections dated on the first open day that point back at it: a
 * match books the payment then, an ignore is noted, an unmatch reverses
 * the payment instead of deleting it; the closed day's report, frozen by
 * its close, does not change.
 */
int sqb_review(struct store *base, int64_t org, int64_t id,
               const struct store_review *rv, const char *actor, int64_t now,
               struct store_bank_txn *out)
{
    struct sq *s = (struct sq *)base;
    struct sqi_conn *c = sqi_get_conn(s);
    struct store_bank_txn cur = {0}, res = {0};
    json_t *r = NULL;
    const char *state, *rdate, *booking;
    char obj[32], reason[300];
    struct db_stmt *st;
    int64_t amount, pay = 0;
    int rc, closed = 0;

    if (rv->reason == NULL || rv->reason[0] == '\0') {
        store_set_error("reason_required", "a reason is required");
        sqi_put_conn(s, c);
        return -STORE_E_INVALID;
    }
    snprintf(obj, sizeof(obj), "bank:%lld", (long long)id);
    snprintf(reason, sizeof(reason), "review: %s", rv->reason);
    rc = sqi_begin_write_org(s, c, org);
    if (rc != 0)
        goto out;
    rc = sqb_txn_fetch(c, org, id, &cur);
    if (rc != 0)
        goto done;
    state = cur.state;
    amount = cur.amount;
    rdate = cur.report_date;
    booking = cur.booking_date;
    rc = sqr_is_closed(c, org, rdate, &closed);
    if (rc != 0)
        goto done;
    if (strcmp(rv->action, "match") == 0) {
        const char *prov = cur.provider;

        if ((strcmp(state, "unmatched") != 0 &&
             strcmp(state, "ambiguous") != 0) ||
            strcmp(cur.direction, "credit") != 0 || amount <= 0) {
            store_set_error("not_reviewable",
                            "transaction %lld is %s; only unmatched or"
                            " ambiguous credits can be matched",
                            (long long)id, state);
            rc = -STORE_E_CONFLICT;
            goto done;
        }
        if (rv->intent > 0) {
            rc = sqb_apply_intent(c, org, id, rv->intent, amount, prov,
                                  cur.code, reason, actor, now, NULL, &r);
        } else if (rv->payer != NULL) {
            int64_t pid;
            char ref[32];
            const char *outcome;

            st = sqb_q(c, B_PAYER_ID);
            if (st == NULL) {
                rc = -STORE_E_IO;
                goto done;
            }
            sqi_bi(st, 1, org);
            sqi_bt(st, 2, rv->payer);
            rc = sqi_step(c, st);
            if (rc <= 0) {
                if (rc == 0) {
                    store_set_error("payer_not_found", "no payer '%s'",
                                    rv->payer);
                    rc = -STORE_E_NOT_FOUND;
                }
                goto done;
            }
            pid = db_column_int64(st, 0);
            db_reset(st);
            snprintf(ref, sizeof(ref), "bank:%lld", (long long)id);
            rc = sqi_transfer_payer(c, org, pid, amount, ref, prov, actor, now,
                                    &r, &pay);
            if (rc != 0)
                goto done;
            {
                int64_t left =
                    json_integer_value(json_object_get(r, "unallocated"));

                outcome = left >= amount ? "credit"
                          : left > 0     ? "over"
                                         : "exact";
            }
            st = sqb_q(c, B_SET_MATCHED);
            if (st == NULL) {
                rc = -STORE_E_IO;
                goto done;
            }
            sqi_bi(st, 1, id);
            sqi_bt(st, 2, outcome);
            sqi_bt(st, 3, reason);
            sqi_bt(st, 4, cur.code);
            sqi_bi(st, 5, pay);
            sqi_bi(st, 6, 0);
            sqi_bi(st, 7, now);
            rc = sqi_exec1(c, st);
        } else {
            store_set_error("invalid_field", "match needs intent or payer");
            rc = -STORE_E_INVALID;
        }
        if (rc == 0)
            rc = match_dated(c, org, id, rdate, booking, closed, rv->reason,
                             actor, now);
        if (rc != 0)
            goto done;
        rc = sqi_audit(c, org, now, actor, "bank.review.match", obj,
                       json_pack("{s:s, s:I, s:s?, s:O?}", "reason", rv->reason,
                                 "intent", (json_int_t)rv->intent, "payer",
                                 rv->payer, "allocations",
                                 json_object_get(r, "allocations")));
    } else if (strcmp(rv->action, "unmatch") == 0) {
        char cdate[11] = "";
        int64_t in = 0;

        if (strcmp(state, "matched") != 0) {
            store_set_error("not_matched", "transaction %lld is %s",
                            (long long)id, state);
            rc = -STORE_E_CONFLICT;
            goto done;
        }
        if (strcmp(cur.outcome, "split") == 0) {
            store_set_error("split_transfer",
                            "transaction %lld is split across payers",
                            (long long)id);
            rc = -STORE_E_CONFLICT;
            goto done;
        }
        pay = cur.payment_id;
        /* which closed day (if any) its undoing would change */
        if (closed)
            snprintf(cdate, sizeof(cdate), "%s", rdate);
        else
            rc = closed_day_of_payment(c, pay, cdate);
        if (rc != 0)
            goto done;
        st = sqb_q(c, B_CLEAR_PAYMENT);
        if (st == NULL) {
            rc = -STORE_E_IO;
            goto done;
        }
        sqi_bi(st, 1, id);
        rc = sqi_exec1(c, st);
        if (rc == 0)
            rc = cdate[0] != '\0'
                     ? reverse_as_correction(c, org, id, pay, cdate, rv->reason,
                                             actor, now, &in)
                     : sqi_payment_reverse(c, pay, now, &in);
        if (rc == 0) {
            struct store_bank tmp;

            memset(&tmp, 0, sizeof(tmp));
            tmp.c = c;
            tmp.now = now;
            rc = sqb_set_state(&tmp, id, "unmatched", "", reason, cur.code,
                               NULL);
        }
        if (rc == 0)
            rc = sqi_audit(c, org, now, actor, "bank.review.unmatch", obj,
                           json_pack("{s:s, s:I, s:I, s:b}", "reason",
                                     rv->reason, "payment", (json_int_t)pay,
                                     "intent", (json_int_t)in, "reversed",
                                     cdate[0] != '\0'));
    } else if (strcmp(rv->action, "ignore") == 0) {
        struct store_bank tmp;

        if (strcmp(state, "unmatched") != 0 &&
            strcmp(state, "ambiguous") != 0) {
            store_set_error("not_reviewable", "transaction %lld is %s",
                            (long long)id, state);
            rc = -STORE_E_CONFLICT;
            goto done;
        }
        memset(&tmp, 0, sizeof(tmp));
        tmp.c = c;
        tmp.now = now;
        rc = sqb_set_state(&tmp, id, "ignored", "", reason, cur.code, NULL);
        if (rc == 0 && closed) {
            struct sqr_correction k = {org, "ignore", rdate,      obj,
                                       id,  0,        0,          0,
                                       0,   actor,    rv->reason, now};

            rc = sqr_correction_add(c, &k, NULL, NULL);
        }
        if (rc == 0)
            rc = sqi_audit(c, org, now, actor, "bank.review.ignore", obj,
                           json_pack("{s:s}", "reason", rv->reason));
    } else {
        store_set_error("invalid_action", "action must be match, unmatch or"
                                          " ignore");
        rc = -STORE_E_INVALID;
    }
    if (rc != 0)
        goto done;
    rc = sqb_txn_fetch(c, org, id, &res);
done:
    rc = sqi_end_write(s, c, rc);
    if (rc == 0) {
        *out = res;
        memset(&res, 0, sizeof(res));
    }
    store_bank_txn_clear(&res);
out:
    store_bank_txn_clear(&cur);
    json_decref(r);
    sqi_put_conn(s, c);
    return rc;
}
