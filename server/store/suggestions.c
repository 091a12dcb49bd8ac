/*
 * suggestions.c: what a reviewer is offered for an unmatched credit, never
 * applied: open intents and invoices whose remainder equals the amount,
 * payers and guardians named like the counter-account holder, ranked.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "match.h"
#include "store_int.h"

static int load_payers(struct store_bank *b)
{
    if (b->pn == NULL)
        b->pn = sqi_payer_names_get(b->s, b->c, b->org);
    if (b->pn == NULL) {
        store_set_error("storage_unavailable", "the payers' names");
        return -STORE_E_IO;
    }
    return 0;
}

/*
 * The payers named like sender `folded` (similarity 60 or more to the
 * payer's or the guardian's name) into b->names: scored once for each
 * sender of the batch in a row (a statement names the same senders again
 * and again). 0 or -STORE_E_IO.
 */
static int name_scores(struct store_bank *b, const char *folded)
{
    const struct payer_names *pn = b->pn;
    struct match_word cw[MATCH_WORDS_MAX];
    size_t i, ncw;

    if (b->names != NULL && strcmp(b->named, folded) == 0)
        return 0;
    free(b->names);
    b->n_names = 0;
    b->names = malloc((pn->n_payers ? pn->n_payers : 1) * sizeof(*b->names));
    if (b->names == NULL)
        return -STORE_E_IO;
    ncw = match_words(folded, cw, MATCH_WORDS_MAX);
    for (i = 0; i < pn->n_payers; i++) {
        const struct bpayer *p = &pn->payers[i];
        int sc = match_words_score(folded, cw, ncw, p->folded,
                                   pn->words + p->folded_at, p->n_folded);
        int sg = match_words_score(folded, cw, ncw, p->guardian,
                                   pn->words + p->guardian_at, p->n_guardian);

        if (sc >= 60 || sg >= 60) {
            b->names[b->n_names].payer = i;
            b->names[b->n_names].name = sc;
            b->names[b->n_names++].guardian = sg;
        }
    }
    snprintf(b->named, sizeof(b->named), "%s", folded);
    return 0;
}

/*
 * Add `score` for payer `code` (and intent) to the suggestion list, with
 * its explanation twice: `why` in English words (kept for API clients)
 * and `reason` (stolen), {"code": STABLE_CODE, ...parameters}, from which
 * the dashboard writes Vietnamese or English.
 */
static void suggest(json_t *list, const char *payer, const char *name,
                    int64_t intent, const char *icode, int score,
                    const char *why, json_t *reason)
{
    size_t i;
    json_t *e;

    for (i = 0; i < json_array_size(list); i++) {
        e = json_array_get(list, i);
        if (strcmp(json_string_value(json_object_get(e, "payer")), payer) != 0)
            continue;
        json_object_set_new(
            e, "score",
            json_integer(json_integer_value(json_object_get(e, "score")) +
                         score));
        json_array_append_new(json_object_get(e, "why"), json_string(why));
        json_array_append_new(json_object_get(e, "reasons"), reason);
        if (intent > 0 && json_object_get(e, "intent") == NULL) {
            json_object_set_new(e, "intent", json_integer(intent));
            json_object_set_new(e, "code", json_string(icode));
        }
        return;
    }
    e = json_pack("{s:s, s:s, s:i, s:[s], s:[o]}", "payer", payer, "name", name,
                  "score", score, "why", why, "reasons", reason);
    if (e == NULL)
        return;
    if (intent > 0) {
        json_object_set_new(e, "intent", json_integer(intent));
        json_object_set_new(e, "code", json_string(icode));
    }
    json_array_append_new(list, e);
}

static int by_score(const void *a, const void *b)
{
    json_t *x = *(json_t *const *)a, *y = *(json_t *const *)b;
    json_int_t sx = json_integer_value(json_object_get(x, "score")),
               sy = json_integer_value(json_object_get(y, "score"));
    int c;

    if (sx != sy)
        return sx > sy ? -1 : 1;
    c = strcmp(json_string_value(json_object_get(x, "payer")),
               json_string_value(json_object_get(y, "payer")));
    return c;
}

/*
 * Ranked suggestions for an unmatched credit (never applied): an open
 * intent or invoice whose remainder equals the amount (same day counts
 * more), a payer or guardian named like the counter-account holder.
 * Returns a JSON text (malloc'd) of the best 5.
 */
char *sqb_suggestions(struct store_bank *b, const struct bank_txn *t)
{
    json_t *list = json_array(), *sorted;
    json_t *items[64];
    char folded[FEEDS_NAME_MAX];
    struct db_stmt *st;
    size_t i, k, n;
    char *text;

    st = sqb_q(b->c, B_SUGG_INTENTS);
    if (st != NULL) {
        int64_t day = 0, from = 0, to = 0;

        /* the booking day, Vietnam time, as the times [from, to) */
        if (sqr_day_valid(t->booking_date) &&
            sqr_day_number(t->booking_date, &day) == 0) {
            from = day * 86400 - 25200;
            to = from + 86400;
        }
        sqi_bi(st, 1, b->org);
        sqi_bi(st, 2, t->amount);
        sqi_bi(st, 3, from);
        sqi_bi(st, 4, to);
        while (sqi_step(b->c, st) == 1) {
            int same = (int)db_column_int64(st, 4);

            suggest(list, sqi_col_text(st, 2), sqi_col_text(st, 3),
                    db_column_int64(st, 0), sqi_col_text(st, 1), same ? 60 : 45,
                    same ? "open intent of this amount, same day"
                         : "open intent of this amount",
                    json_pack("{s:s, s:s, s:I}", "code",
                              same ? "intent_amount_same_day" : "intent_amount",
                              "intent_code", sqi_col_text(st, 1), "amount",
                              (json_int_t)t->amount));
        }
        db_reset(st);
    }
    st = sqb_q(b->c, B_SUGG_INVOICES);
    if (st != NULL) {
        sqi_bi(st, 1, b->org);
        sqi_bi(st, 2, t->amount);
        while (sqi_step(b->c, st) == 1)
            suggest(list, sqi_col_text(st, 0), sqi_col_text(st, 1), 0, "", 30,
                    "open invoice of this amount",
                    json_pack("{s:s, s:I, s:I}", "code", "invoice_amount",
                              "invoice", (json_int_t)db_column_int64(st, 2),
                              "amount", (json_int_t)t->amount));
        db_reset(st);
    }
    match_fold_name(t->counter_name, folded, sizeof(folded));
    if (folded[0] == '\0' && t->description != NULL) {
        /* banks often put the sender's name first in the content */
        char tmp[FEEDS_NAME_MAX];

        snprintf(tmp, sizeof(tmp), "%.*s", 80, t->description);
        match_fold_name(tmp, folded, sizeof(folded));
    }
    if (folded[0] != '\0' && load_payers(b) == 0 &&
        name_scores(b, folded) == 0) {
        for (k = 0; k < b->n_names; k++) {
            int sc = b->names[k].name, sg = b->names[k].guardian;
            const struct bpayer *y = &b->pn->payers[b->names[k].payer];

            if (sc >= 60)
                suggest(list, y->code, y->name, 0, "", sc * 40 / 100,
                        "sender named like the payer",
                        json_pack("{s:s, s:s, s:i}", "code",
                                  "sender_like_payer", "sender", folded,
                                  "similarity", sc));
            else if (sg >= 60)
                suggest(list, y->code, y->name, 0, "", sg * 35 / 100,
                        "sender named like the guardian",
                        json_pack("{s:s, s:s, s:i}", "code",
                                  "sender_like_guardian", "sender", folded,
                                  "similarity", sg));
        }
    }
    n = json_array_size(list);
    if (n > 64)
        n = 64;
    for (i = 0; i < n; i++)
        items[i] = json_array_get(list, i);
    qsort(items, n, sizeof(items[0]), by_score);
    sorted = json_array();
    for (i = 0; i < n && i < 5; i++)
        json_array_append(sorted, items[i]);
    text = json_dumps(sorted, JSON_COMPACT);
    json_decref(sorted);
    json_decref(list);
    return text;
}
