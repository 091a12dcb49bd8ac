/*
 * feeds_sepay.c: SePay notifications. Two body shapes (the camelCase
 * webhook and the snake_case BankHub IPN) and two credentials (API key
 * header, HMAC-SHA256 over "<timestamp>.<body>"), see
 * ../shared/reference/bank-feeds.md section 1.1.
 */
#include "feeds_json.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int feeds_verify_sepay(const struct feeds_request *req,
                       const struct feeds_secret *s, int64_t now_unix,
                       struct feeds_error *err)
{
    int rc;

    if (!s || (!s->api_key && !s->hmac_key))
        return feeds_fail(err, FEEDS_E_NO_SECRET, 0, "",
                          "no SePay secret configured");
    if (s->api_key) {
        const char *h = feeds_header_get(req, "Authorization");

        if (!h)
            return feeds_fail(err, FEEDS_E_AUTH, 0, "Authorization",
                              "Authorization header missing");
        if (strncmp(h, "Apikey ", 7) != 0)
            return feeds_fail(err, FEEDS_E_AUTH, 0, "Authorization",
                              "Authorization is not \"Apikey KEY\"");
        if (!feeds_str_equal(h + 7, s->api_key))
            return feeds_fail(err, FEEDS_E_SIGNATURE, 0, "Authorization",
                              "API key does not match");
    }
    if (s->hmac_key) {
        rc = feeds_verify_ts_hmac(req, s->hmac_key, "X-SePay-Timestamp",
                                  "X-SePay-Signature", now_unix, err);
        if (rc)
            return rc;
    }
    return 0;
}

static int parse_webhook(json_t *o, struct bank_txn *t, struct feeds_error *err)
{
    char type[16], content[FEEDS_DESC_MAX / 2];
    char *desc = NULL;
    int64_t amt, bal;
    int rc, has_bal;

    if ((rc = fj_text(o, "id", "$", 1, t->provider_txn_id,
                      sizeof t->provider_txn_id, err)) ||
        (rc = fj_text(o, "gateway", "$", 0, t->gateway, sizeof t->gateway,
                      err)) ||
        (rc = fj_datetime(o, "transactionDate", "$", 1, t, err)) ||
        (rc = fj_text(o, "accountNumber", "$", 1, t->account, sizeof t->account,
                      err)) ||
        (rc = fj_text(o, "subAccount", "$", 0, t->sub_account,
                      sizeof t->sub_account, err)) ||
        (rc = fj_text(o, "code", "$", 0, t->provider_code,
                      sizeof t->provider_code, err)) ||
        (rc = fj_text(o, "referenceCode", "$", 0, t->bank_ref,
                      sizeof t->bank_ref, err)) ||
        (rc = fj_text(o, "transferType", "$", 1, type, sizeof type, err)) ||
        (rc = fj_amount(o, "transferAmount", "$", 1, &amt, NULL, err)) ||
        (rc = fj_amount(o, "accumulated", "$", 0, &bal, &has_bal, err)) ||
        (rc = fj_text(o, "content", "$", 0, content, sizeof content, err)) ||
        (rc = fj_text_alloc(o, "description", "$", 0, &desc, err)))
        goto out;
    if (strcmp(type, "in") == 0) {
        t->direction = FEEDS_CREDIT;
    } else if (strcmp(type, "out") == 0) {
        t->direction = FEEDS_DEBIT;
    } else {
        rc = feeds_fail(err, FEEDS_E_FIELD, 0, "$.transferType",
                        "transferType \"%s\" is not in|out", type);
        goto out;
    }
    if (amt < 0) {
        rc = feeds_fail(err, FEEDS_E_AMOUNT, 0, "$.transferAmount",
                        "transferAmount is negative");
        goto out;
    }
    t->amount = amt;
    t->has_balance = has_bal;
    t->balance = has_bal ? bal : 0;
    rc = fj_join_desc(t, content, desc, err);
out:
    free(desc);
    return rc;
}

static int parse_bankhub(json_t *o, struct bank_txn *t, struct feeds_error *err)
{
    char type[16], xid[FEEDS_ID_MAX];
    int64_t amt, bal;
    int rc, has_bal;

    if ((rc = fj_text(o, "transaction_id", "$", 1, t->provider_txn_id,
                      sizeof t->provider_txn_id, err)) ||
        (rc = fj_text(o, "gateway", "$", 0, t->gateway, sizeof t->gateway,
                      err)) ||
        (rc = fj_datetime(o, "transaction_date", "$", 1, t, err)) ||
        (rc = fj_text(o, "account_number", "$", 1, t->account,
                      sizeof t->account, err)) ||
        (rc = fj_text(o, "bank_account_xid", "$", 0, xid, sizeof xid, err)) ||
        (rc = fj_text(o, "va", "$", 0, t->sub_account, sizeof t->sub_account,
                      err)) ||
        (rc = fj_text(o, "payment_code", "$", 0, t->provider_code,
                      sizeof t->provider_code, err)) ||
        (rc = fj_text(o, "reference_code", "$", 0, t->bank_ref,
                      sizeof t->bank_ref, err)) ||
        (rc = fj_text(o, "transfer_type", "$", 1, type, sizeof type, err)) ||
        (rc = fj_amount(o, "amount", "$", 1, &amt, NULL, err)) ||
        (rc = fj_amount(o, "accumulated", "$", 0, &bal, &has_bal, err)) ||
        (rc = fj_text_alloc(o, "content", "$", 0, &t->description, err)))
        return rc;
    if (strcmp(type, "credit") == 0)
        t->direction = FEEDS_CREDIT;
    else if (strcmp(type, "debit") == 0)
        t->direction = FEEDS_DEBIT;
    else
        return feeds_fail(err, FEEDS_E_FIELD, 0, "$.transfer_type",
                          "transfer_type \"%s\" is not credit|debit", type);
    if (amt < 0)
        return feeds_fail(err, FEEDS_E_AMOUNT, 0, "$.amount",
                          "amount is negative");
    t->amount = amt;
    /* BankHub sends accumulated = 0 until it supports balances. */
    t->has_balance = has_bal && bal != 0;
    t->balance = t->has_balance ? bal : 0;
    return 0;
}

int feeds_parse_sepay(const char *body, size_t len, struct bank_txn_list *out,
                      struct feeds_error *err)
{
    struct bank_txn t;
    json_t *root = NULL;
    int rc;

    feeds_txn_init(&t, FEEDS_SEPAY);
    rc = fj_load(body, len, &root, err);
    if (rc)
        return rc;
    if (json_object_get(root, "transferType") ||
        json_object_get(root, "transferAmount"))
        rc = parse_webhook(root, &t, err);
    else if (json_object_get(root, "transfer_type") ||
             json_object_get(root, "transaction_id"))
        rc = parse_bankhub(root, &t, err);
    else
        rc = feeds_fail(err, FEEDS_E_FIELD, 0, "$",
                        "neither a SePay webhook nor a BankHub body");
    if (rc)
        goto fail;
    snprintf(t.currency, sizeof t.currency, "VND");
    snprintf(t.source, sizeof t.source, "$");
    rc = feeds_list_push(out, &t);
    if (rc)
        feeds_fail(err, FEEDS_E_NOMEM, 0, "$", "out of memory");
fail:
    feeds_txn_clear(&t);
    json_decref(root);
    return rc;
}
