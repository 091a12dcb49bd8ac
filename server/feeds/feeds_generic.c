/*
 * feeds_generic.c: chopay's own webhook format for banks and aggregators
 * without a dedicated adapter: one transaction object (or a batch under
 * "transactions") signed with HMAC-SHA256 over "<timestamp>.<body>".
 * The format is documented in docs/feeds.md.
 */
#include "feeds_json.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define GENERIC_BATCH_MAX 1000

int feeds_verify_generic(const struct feeds_request *req,
                         const struct feeds_secret *s, int64_t now_unix,
                         struct feeds_error *err)
{
    if (!s || !s->hmac_key)
        return feeds_fail(err, FEEDS_E_NO_SECRET, 0, "",
                          "no generic HMAC secret configured");
    return feeds_verify_ts_hmac(req, s->hmac_key, "X-Chopay-Timestamp",
                                "X-Chopay-Signature", now_unix, err);
}

static int parse_one(json_t *o, const char *P, struct bank_txn *t,
                     struct feeds_error *err)
{
    char dir[16], vd[16], p[128];
    int64_t amt, bal;
    json_t *ca;
    int rc, has_bal, exp;

    if (!json_is_object(o))
        return feeds_fail(err, FEEDS_E_FIELD, 0, P, "not an object");
    if ((rc = fj_text(o, "id", P, 1, t->provider_txn_id,
                      sizeof t->provider_txn_id, err)) ||
        (rc =
             fj_text(o, "account", P, 1, t->account, sizeof t->account, err)) ||
        (rc = fj_text(o, "sub_account", P, 0, t->sub_account,
                      sizeof t->sub_account, err)) ||
        (rc = fj_text(o, "reference", P, 0, t->bank_ref, sizeof t->bank_ref,
                      err)) ||
        (rc = fj_text(o, "direction", P, 1, dir, sizeof dir, err)) ||
        (rc = fj_amount(o, "amount", P, 1, &amt, NULL, err)) ||
        (rc = fj_text(o, "currency", P, 0, t->currency, sizeof t->currency,
                      err)) ||
        (rc = fj_datetime(o, "booked_at", P, 1, t, err)) ||
        (rc = fj_text(o, "value_date", P, 0, vd, sizeof vd, err)) ||
        (rc = fj_text_alloc(o, "description", P, 1, &t->description, err)) ||
        (rc = fj_amount(o, "balance_after", P, 0, &bal, &has_bal, err)) ||
        (rc = fj_text(o, "bank", P, 0, t->gateway, sizeof t->gateway, err)))
        return rc;
    if (json_is_string(json_object_get(o, "amount"))) {
        snprintf(p, sizeof p, "%s.amount", P);
        return feeds_fail(err, FEEDS_E_AMOUNT, 0, p,
                          "amount must be a JSON integer");
    }
    if (strcmp(dir, "credit") == 0) {
        t->direction = FEEDS_CREDIT;
    } else if (strcmp(dir, "debit") == 0) {
        t->direction = FEEDS_DEBIT;
    } else {
        snprintf(p, sizeof p, "%s.direction", P);
        return feeds_fail(err, FEEDS_E_FIELD, 0, p,
                          "direction \"%s\" is not credit|debit", dir);
    }
    if (amt < 0) {
        snprintf(p, sizeof p, "%s.amount", P);
        return feeds_fail(err, FEEDS_E_AMOUNT, 0, p,
                          "amount must be >= 0 (direction gives the sign)");
    }
    if (!t->currency[0])
        snprintf(t->currency, sizeof t->currency, "VND");
    exp = feeds_currency_exponent(t->currency);
    if (exp < 0) {
        snprintf(p, sizeof p, "%s.currency", P);
        return feeds_fail(err, FEEDS_E_FIELD, 0, p,
                          "currency is not an ISO 4217 code");
    }
    if (vd[0] && feeds_iso_date(vd, strlen(vd), t->value_date)) {
        snprintf(p, sizeof p, "%s.value_date", P);
        return feeds_fail(err, FEEDS_E_DATE, 0, p,
                          "value_date is not YYYY-MM-DD");
    }
    t->exponent = exp;
    t->amount = amt;
    t->has_balance = has_bal;
    t->balance = has_bal ? bal : 0;
    ca = json_object_get(o, "counter_account");
    if (ca && !json_is_null(ca)) {
        snprintf(p, sizeof p, "%s.counter_account", P);
        if (!json_is_object(ca))
            return feeds_fail(err, FEEDS_E_FIELD, 0, p,
                              "counter_account must be an object");
        if ((rc = fj_text(ca, "name", p, 0, t->counter_name,
                          sizeof t->counter_name, err)) ||
            (rc = fj_text(ca, "number", p, 0, t->counter_account,
                          sizeof t->counter_account, err)) ||
            (rc = fj_text(ca, "bank", p, 0, t->counter_bank,
                          sizeof t->counter_bank, err)))
            return rc;
    }
    snprintf(t->source, sizeof t->source, "%s", P);
    return 0;
}

int feeds_parse_generic(const char *body, size_t len, struct bank_txn_list *out,
                        struct feeds_error *err)
{
    struct bank_txn_list tmp = {0};
    struct bank_txn t;
    json_t *root = NULL, *arr, *e;
    size_t i;
    int rc;

    feeds_txn_init(&t, FEEDS_GENERIC);
    rc = fj_load(body, len, &root, err);
    if (rc)
        return rc;
    arr = json_object_get(root, "transactions");
    if (arr) {
        if (!json_is_array(arr) || json_array_size(arr) == 0 ||
            json_array_size(arr) > GENERIC_BATCH_MAX) {
            rc = feeds_fail(err, FEEDS_E_FIELD, 0, "$.transactions",
                            "transactions must be an array of 1..%d",
                            GENERIC_BATCH_MAX);
            goto fail;
        }
        json_array_foreach(arr, i, e)
        {
            char P[48];

            snprintf(P, sizeof P, "$.transactions[%zu]", i);
            feeds_txn_init(&t, FEEDS_GENERIC);
            if ((rc = parse_one(e, P, &t, err)))
                goto fail;
            if ((rc = feeds_list_push(&tmp, &t)))
                goto nomem;
        }
    } else {
        if ((rc = parse_one(root, "$", &t, err)))
            goto fail;
        if ((rc = feeds_list_push(&tmp, &t)))
            goto nomem;
    }
    if ((rc = feeds_list_append(out, &tmp)))
        goto nomem;
    json_decref(root);
    return 0;
nomem:
    rc = feeds_fail(err, FEEDS_E_NOMEM, 0, "$", "out of memory");
fail:
    feeds_txn_clear(&t);
    feeds_list_free(&tmp);
    json_decref(root);
    return rc;
}
