/*
 * transfer_identity.c: one identity per transfer. A new bank record is
 * another record of a transfer already known (by provider id, by
 * reference, or by amount, day, content and counter-account across
 * channels), a new transfer, or held when several candidates differ.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store_int.h"

/* What tells transfer `tr` apart, as one string (malloc'd) into *out. */
static int signature(struct store_bank *b, int64_t tr, char **out)
{
    struct db_stmt *st = sqb_q(b->c, B_SIGNATURE);
    size_t len = 0, cap = 64;
    char *sig = malloc(cap);
    int rc;

    if (st == NULL || sig == NULL) {
        free(sig);
        return -STORE_E_IO;
    }
    sig[0] = '\0';
    sqi_bi(st, 1, tr);
    while ((rc = sqi_step(b->c, st)) == 1) {
        const char *k = sqi_col_text(st, 0);
        size_t n = strlen(k);

        if (len + n + 2 > cap) {
            char *p;

            while (len + n + 2 > cap)
                cap *= 2;
            p = realloc(sig, cap);
            if (p == NULL) {
                rc = -STORE_E_IO;
                break;
            }
            sig = p;
        }
        memcpy(sig + len, k, n);
        len += n;
        sig[len++] = ' ';
        sig[len] = '\0';
    }
    db_reset(st);
    if (rc < 0) {
        free(sig);
        return rc;
    }
    *out = sig;
    return 0;
}

/*
 * The identity rule for new record k->id: *of = the transfer (its primary
 * id) it is another record of, *by_ref 1 when paired by reference; or
 * *held = the candidate transfers' ids (malloc'd array of *n_held, the
 * caller's) when they differ from each other and nothing decides between
 * them; neither when it is a new transfer.
 */
int sqb_identity_of(struct store_bank *b, const struct ident_key *k,
                    int64_t *of, int *by_ref, int64_t **held, size_t *n_held)
{
    struct db_stmt *st = sqb_q(b->c, B_CANDIDATES);
    int64_t *cand = NULL, first_ref = 0;
    size_t n = 0, cap = 0, i;
    char *sig0 = NULL, *sig = NULL;
    int rc, alike = 1;

    if (st == NULL)
        return -STORE_E_IO;
    sqi_bi(st, 1, k->org);
    sqi_bi(st, 2, k->amount);
    sqi_bt(st, 3, k->dir);
    sqi_bt(st, 4, k->currency);
    sqi_bi(st, 5, k->id);
    sqi_bt(st, 6, k->ref);
    sqi_bi(st, 7, k->pos);
    sqi_bt(st, 8, k->booking);
    sqi_bt(st, 9, k->desc);
    sqi_bt(st, 10, k->counter);
    sqi_bt(st, 11, k->source);
    while ((rc = sqi_step(b->c, st)) == 1) {
        if (n == cap) {
            int64_t *p;

            cap = cap ? cap * 2 : 8;
            p = realloc(cand, cap * sizeof(*p));
            if (p == NULL) {
                rc = -STORE_E_IO;
                break;
            }
            cand = p;
        }
        cand[n] = db_column_int64(st, 0);
        if ((int)db_column_int64(st, 1) && first_ref == 0)
            first_ref = cand[n];
        n++;
    }
    db_reset(st);
    if (rc < 0)
        goto out;
    rc = 0;
    if (n == 0)
        goto out;
    if (first_ref != 0) {
        /* the same reference: the oldest such transfer */
        *of = first_ref;
        *by_ref = 1;
        goto out;
    }
    /* by content only: one of alike transfers, whichever */
    if (n > 1) {
        rc = signature(b, cand[0], &sig0);
        for (i = 1; rc == 0 && alike && i < n; i++) {
            rc = signature(b, cand[i], &sig);
            if (rc == 0 && strcmp(sig, sig0) != 0)
                alike = 0;
            free(sig);
            sig = NULL;
        }
        if (rc != 0)
            goto out;
    }
    if (alike) {
        *of = cand[0];
        *by_ref = 0;
        goto out;
    }
    *held = cand; /* the caller's now */
    *n_held = n;
    cand = NULL;
out:
    free(sig0);
    free(cand);
    return rc;
}

/*
 * Record `id` repeats one of several different transfers, or none: held
 * `unmatched` (`possible_duplicate`), moving no money, the candidates in
 * its suggestions for a reviewer (ignore: it was one of them; match: it
 * is a transfer of its own).
 */
int sqb_hold_possible_duplicate(struct store_bank *b, int64_t id,
                                const struct bank_txn *t, const char *code,
                                const int64_t *cands, size_t n_cands)
{
    json_t *sg = json_array(), *ids = json_array();
    char obj[32], why[96], *text;
    size_t i;
    int rc;

    for (i = 0; i < n_cands; i++) {
        json_int_t c = (json_int_t)cands[i];

        snprintf(why, sizeof(why), "maybe the same transfer as #%lld",
                 (long long)c);
        json_array_append_new(
            sg, json_pack("{s:I, s:i, s:[s], s:[{s:s, s:I}]}", "transaction", c,
                          "score", 0, "why", why, "reasons", "code",
                          "possible_duplicate", "transaction", c));
        json_array_append_new(ids, json_integer(c));
    }
    text = json_dumps(sg, JSON_COMPACT);
    json_decref(sg);
    if (text == NULL) {
        json_decref(ids);
        return -STORE_E_IO;
    }
    rc =
        sqb_set_state(b, id, "unmatched", "", "possible_duplicate", code, text);
    free(text);
    snprintf(obj, sizeof(obj), "bank:%lld", (long long)id);
    if (rc == 0)
        rc = sqi_audit(b->c, b->org, b->now, b->actor, "bank.unmatched", obj,
                       json_pack("{s:s, s:I, s:s, s:O}", "reason",
                                 "possible_duplicate", "amount",
                                 (json_int_t)t->amount, "code", code,
                                 "candidates", ids));
    json_decref(ids);
    return rc;
}
