/*
 * bank_split.c: one bank transfer split across several payers from the
 * review queue (a parent paying for two children, a vendor for two
 * stalls): each part is booked as a review match to that payer is
 * (ledger.c's sqi_transfer_payer), the parts listed in bank_txn_parts.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store_int.h"

#define SPLIT_MAX 20

/* One part in the current row (payer, amount, payment). */
static int part_read(struct db_stmt *st, void *row)
{
    struct store_bank_part *p = row;

    p->payer = strdup(sqi_col_text(st, 0));
    p->amount = db_column_int64(st, 1);
    p->payment = db_column_int64(st, 2);
    return p->payer != NULL ? 0 : -STORE_E_IO;
}

int sqb_split_parts(struct sqi_conn *c, int64_t id,
                    struct store_bank_part **out, size_t *n)
{
    struct db_stmt *st;
    void *rows = NULL;
    int rc;

    st = sqi_qs(c, "SELECT y.code, p.amount, p.id FROM bank_txn_parts bp JOIN"
                   " payments p ON p.id = bp.payment_id JOIN payers y ON"
                   " y.id = p.payer_id WHERE bp.txn_id = ?1 ORDER BY"
                   " bp.position");
    if (st == NULL)
        return -STORE_E_IO;
    sqi_bi(st, 1, id);
    rc = sqi_rows_read(c, st, sizeof(**out), part_read, &rows, n);
    *out = rows;
    return rc;
}

/* The parts already booked for transaction `id` equal `parts`: 1 yes,
 * 0 no, or a negated store error. */
static int same_parts(struct sqi_conn *c, int64_t id,
                      const struct store_split_part *parts, size_t n)
{
    struct store_bank_part *got = NULL;
    size_t k, n_got = 0;
    int rc = sqb_split_parts(c, id, &got, &n_got), same;

    same = rc == 0 && n_got == n;
    for (k = 0; same && k < n; k++)
        same = strcmp(got[k].payer, parts[k].payer) == 0 &&
               got[k].amount == parts[k].amount;
    for (k = 0; k < n_got; k++)
        free(got[k].payer);
    free(got);
    return rc != 0 ? rc : same;
}

/* The parts' shape: 2..SPLIT_MAX, each amount > 0, distinct payers,
 * summing to `amount` exactly. 0 or -STORE_E_INVALID. */
static int parts_valid(const struct store_split_part *parts, size_t n,
                       int64_t amount)
{
    int64_t sum = 0;
    size_t i, j;

    if (n < 2 || n > SPLIT_MAX) {
        store_set_error("invalid_parts", "a split has 2 to %d parts",
                        SPLIT_MAX);
        return -STORE_E_INVALID;
    }
    for (i = 0; i < n; i++) {
        if (parts[i].payer == NULL || parts[i].payer[0] == '\0' ||
            parts[i].amount <= 0 || parts[i].amount > amount) {
            store_set_error("invalid_parts",
                            "part %zu needs a payer and an amount from 1 to"
                            " %lld",
                            i + 1, (long long)amount);
            return -STORE_E_INVALID;
        }
        for (j = 0; j < i; j++)
            if (strcmp(parts[i].payer, parts[j].payer) == 0) {
                store_set_error("invalid_parts", "payer %s appears twice",
                                parts[i].payer);
                return -STORE_E_INVALID;
            }
        sum += parts[i].amount; /* each <= amount, n <= SPLIT_MAX */
    }
    if (sum != amount) {
        store_set_error("parts_sum",
                        "the parts sum to %lld, the transfer is %lld",
                        (long long)sum, (long long)amount);
        return -STORE_E_INVALID;
    }
    return 0;
}

/* Payer `code` of `org` into *id; NOT_FOUND "payer_not_found". */
static int payer_of(struct sqi_conn *c, int64_t org, const char *code,
                    int64_t *id)
{
    struct db_stmt *st = sqb_q(c, B_PAYER_ID);
    int rc;

    if (st == NULL)
        return -STORE_E_IO;
    sqi_bi(st, 1, org);
    sqi_bt(st, 2, code);
    rc = sqi_step(c, st);
    if (rc == 1)
        *id = db_column_int64(st, 0);
    db_reset(st);
    if (rc == 0) {
        store_set_error("payer_not_found", "no payer '%s'", code);
        return -STORE_E_NOT_FOUND;
    }
    return rc < 0 ? rc : 0;
}

/* Book part `k` (0-based) of transaction `id`; its allocations etc.
 * appended to `booked`. In the split's write transaction. */
static int book_part(struct sqi_conn *c, int64_t org, int64_t id, size_t k,
                     int64_t payer, const struct store_split_part *part,
                     const char *provider, const char *late_day,
                     const char *actor, int64_t now, json_t *booked)
{
    struct db_stmt *st;
    json_t *r = NULL;
    int64_t pay = 0;
    char ref[48];
    int rc;

    snprintf(ref, sizeof(ref), "bank:%lld/%zu", (long long)id, k + 1);
    rc = sqi_transfer_payer(c, org, payer, part->amount, ref, provider, actor,
                            now, &r, &pay);
    if (rc != 0)
        return rc;
    st = sqi_qs(c, "INSERT INTO bank_txn_parts(payment_id, txn_id, position)"
                   " VALUES (?1, ?2, ?3)");
    rc = st ? 0 : -STORE_E_IO;
    if (rc == 0) {
        sqi_bi(st, 1, pay);
        sqi_bi(st, 2, id);
        sqi_bi(st, 3, (int64_t)k + 1);
        rc = sqi_exec1(c, st);
    }
    /* a late transfer's parts count as late on their booking day, as a
       matched late transfer's payment does */
    if (rc == 0 && late_day != NULL) {
        st = sqb_q(c, B_CORRECTS_DATE);
        rc = st ? 0 : -STORE_E_IO;
        if (rc == 0) {
            sqi_bi(st, 1, pay);
            sqi_bt(st, 2, late_day);
            rc = sqi_exec1(c, st);
        }
    }
    if (rc == 0)
        json_array_append_new(
            booked, json_pack("{s:s, s:I, s:I, s:O, s:O}", "payer", part->payer,
                              "amount", (json_int_t)part->amount, "payment",
                              (json_int_t)pay, "allocations",
                              json_object_get(r, "allocations"), "unallocated",
                              json_object_get(r, "unallocated")));
    json_decref(r);
    return rc;
}

int sqb_split(struct store *base, int64_t org, int64_t id,
              const struct store_split_part *parts, size_t n,
              const char *reason, const char *actor, int64_t now,
              struct store_bank_txn_full *out)
{
    struct sq *s = (struct sq *)base;
    struct sqi_conn *c = sqi_get_conn(s);
    struct store_bank_txn cur = {0};
    json_t *booked = json_array();
    const char *state, *outcome, *rdate, *booking;
    char obj[32], why[300];
    int64_t amount, payer = 0;
    struct db_stmt *st;
    size_t k;
    int rc;

    if (reason == NULL || reason[0] == '\0')
        reason = "chia cho nhiều người nộp";
    snprintf(obj, sizeof(obj), "bank:%lld", (long long)id);
    snprintf(why, sizeof(why), "review: %s", reason);
    rc = sqi_begin_write_org(s, c, org);
    if (rc != 0)
        goto out;
    rc = sqb_txn_fetch(c, org, id, &cur);
    if (rc != 0)
        goto end;
    state = cur.state;
    outcome = cur.outcome;
    amount = cur.amount;
    rdate = cur.report_date;
    booking = cur.booking_date;
    /* the same split again: nothing more is booked */
    if (strcmp(state, "matched") == 0 && outcome != NULL &&
        strcmp(outcome, "split") == 0) {
        rc = same_parts(c, id, parts, n);
        if (rc == 1) {
            rc = 0;
        } else if (rc == 0) {
            store_set_error("already_split",
                            "transaction %lld is already split otherwise",
                            (long long)id);
            rc = -STORE_E_CONFLICT;
        }
        goto end;
    }
    if ((strcmp(state, "unmatched") != 0 && strcmp(state, "ambiguous") != 0) ||
        strcmp(cur.direction, "credit") != 0 || amount <= 0) {
        store_set_error("not_reviewable",
                        "transaction %lld is %s; only unmatched or ambiguous"
                        " credits can be split",
                        (long long)id, state);
        rc = -STORE_E_CONFLICT;
        goto end;
    }
    rc = parts_valid(parts, n, amount);
    if (rc == 0)
        rc = sqr_refuse_closed(sqi_dbh(c), org, rdate);
    for (k = 0; rc == 0 && k < n; k++) {
        rc = payer_of(c, org, parts[k].payer, &payer);
        if (rc == 0)
            rc = book_part(c, org, id, k, payer, &parts[k], cur.provider,
                           strcmp(rdate, booking) != 0 ? booking : NULL, actor,
                           now, booked);
    }
    if (rc != 0)
        goto end;
    st = sqi_qs(c, "UPDATE bank_txns SET state = 'matched', outcome ="
                   " 'split', reason = ?2, payment_id = NULL, intent_id ="
                   " NULL, suggestions = '[]', updated_at = ?3 WHERE id = ?1");
    rc = st ? 0 : -STORE_E_IO;
    if (rc == 0) {
        sqi_bi(st, 1, id);
        sqi_bt(st, 2, why);
        sqi_bi(st, 3, now);
        rc = sqi_exec1(c, st);
    }
    if (rc == 0)
        rc = sqi_audit(c, org, now, actor, "bank.review.split", obj,
                       json_pack("{s:s, s:I, s:O}", "reason", reason, "amount",
                                 (json_int_t)amount, "parts", booked));
end:
    rc = sqi_end_write(s, c, rc);
out:
    sqi_put_conn(s, c);
    store_bank_txn_clear(&cur);
    json_decref(booked);
    if (rc == 0)
        rc = sqb_get(base, org, id, out);
    return rc;
}
