/*
 * feeds_casso.c: Casso notifications. Webhook V2 ({"error":0,"data":{}}
 * signed with HMAC-SHA512 over "t." + the body re-serialised with sorted
 * keys) and the legacy V1 ({"data":[...]} with a secure-token header), see
 * ../shared/reference/bank-feeds.md section 1.2.
 */
#include "feeds_json.h"

#include "crypto.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define CASSO_V1_MAX 1000 /* transactions in one V1 delivery */

char *feeds_casso_canonical(const char *body, size_t len, int style)
{
    json_t *root;
    char *s;

    if (style < 0 || style > 2)
        return NULL;
    if (fj_load(body, len, &root, NULL))
        return NULL;
    s = fj_canonical(root, style);
    json_decref(root);
    return s;
}

/* Split "t=<ms>,v1=<hex>" (either order, spaces allowed). */
static int parse_sig_header(const char *h, int64_t *t_ms, char *tbuf,
                            size_t tcap, uint8_t mac[CRYPTO_SHA512_LEN])
{
    const char *p = h;
    int have_t = 0, have_v = 0;

    while (*p) {
        const char *end = strchr(p, ',');
        size_t n = end ? (size_t)(end - p) : strlen(p);

        while (n && *p == ' ') {
            p++;
            n--;
        }
        if (n > 2 && strncmp(p, "t=", 2) == 0) {
            size_t i;
            int64_t v = 0;

            if (n - 2 == 0 || n - 2 >= tcap || n - 2 > 15)
                return -1;
            for (i = 2; i < n; i++) {
                if (p[i] < '0' || p[i] > '9')
                    return -1;
                v = v * 10 + (p[i] - '0');
            }
            memcpy(tbuf, p + 2, n - 2);
            tbuf[n - 2] = '\0';
            *t_ms = v;
            have_t = 1;
        } else if (n > 3 && strncmp(p, "v1=", 3) == 0) {
            size_t got = 0;

            if (crypto_unhex(p + 3, n - 3, mac, CRYPTO_SHA512_LEN, &got) ||
                got != CRYPTO_SHA512_LEN)
                return -1;
            have_v = 1;
        }
        p += n;
        if (*p == ',')
            p++;
    }
    return have_t && have_v ? 0 : -1;
}

static int verify_v2(const struct feeds_request *req, const char *key,
                     const char *hdr, int64_t now_unix, struct feeds_error *err)
{
    uint8_t given[CRYPTO_SHA512_LEN], mac[CRYPTO_SHA512_LEN];
    char tbuf[24];
    char *prev = NULL;
    int64_t t_ms = 0, t;
    json_t *root;
    int style, rc, ok = 0;

    if (parse_sig_header(hdr, &t_ms, tbuf, sizeof tbuf, given))
        return feeds_fail(err, FEEDS_E_SIGNATURE, 0, "X-Casso-Signature",
                          "header is not t=<ms>,v1=<128 hex>");
    t = t_ms / 1000;
    if (t > now_unix + FEEDS_MAX_SKEW || t < now_unix - FEEDS_MAX_SKEW)
        return feeds_fail(err, FEEDS_E_STALE, 0, "X-Casso-Signature",
                          "timestamp %s ms is %lld s from now", tbuf,
                          (long long)(t - now_unix));
    rc = fj_load(req->body, req->len, &root, err);
    if (rc)
        return rc;
    /* Casso's own samples disagree on escaping: try each form. */
    for (style = 0; style <= 2 && !ok; style++) {
        char *canon = fj_canonical(root, style);
        size_t tl = strlen(tbuf), cl;
        char *msg;

        if (!canon) {
            rc = feeds_fail(err, FEEDS_E_NOMEM, 0, "$",
                            "cannot re-serialise the body");
            break;
        }
        if (prev && strcmp(prev, canon) == 0) {
            free(canon);
            continue;
        }
        cl = strlen(canon);
        msg = malloc(tl + 1 + cl + 1);
        if (!msg) {
            free(canon);
            rc = feeds_fail(err, FEEDS_E_NOMEM, 0, "$", "out of memory");
            break;
        }
        memcpy(msg, tbuf, tl);
        msg[tl] = '.';
        memcpy(msg + tl + 1, canon, cl + 1);
        if (crypto_hmac_sha512(key, strlen(key), msg, tl + 1 + cl, mac) == 0 &&
            crypto_equal(mac, given, sizeof mac))
            ok = 1;
        free(msg);
        free(prev);
        prev = canon;
    }
    free(prev);
    json_decref(root);
    if (rc)
        return rc;
    if (!ok)
        return feeds_fail(err, FEEDS_E_SIGNATURE, 0, "X-Casso-Signature",
                          "signature does not match");
    return 0;
}

int feeds_verify_casso(const struct feeds_request *req,
                       const struct feeds_secret *s, int64_t now_unix,
                       struct feeds_error *err)
{
    const char *sig = feeds_header_get(req, "X-Casso-Signature");
    const char *tok = feeds_header_get(req, "secure-token");

    if (!s || (!s->api_key && !s->hmac_key))
        return feeds_fail(err, FEEDS_E_NO_SECRET, 0, "",
                          "no Casso secret configured");
    /* a token sent must match, whichever scheme authenticates */
    if (tok && s->api_key && !feeds_str_equal(tok, s->api_key))
        return feeds_fail(err, FEEDS_E_SIGNATURE, 0, "secure-token",
                          "secure-token does not match");
    /* with a signature key, only a valid and fresh V2 signature will do:
       the static V1 token alone is not enough */
    if (s->hmac_key) {
        if (!sig)
            return feeds_fail(err, FEEDS_E_AUTH, 0, "X-Casso-Signature",
                              "header X-Casso-Signature missing");
        return verify_v2(req, s->hmac_key, sig, now_unix, err);
    }
    if (!tok)
        return feeds_fail(err, FEEDS_E_AUTH, 0, "secure-token",
                          "header secure-token missing");
    return 0;
}

/* Signed amount to direction + magnitude. */
static int set_amount(struct bank_txn *t, int64_t a)
{
    t->direction = a < 0 ? FEEDS_DEBIT : FEEDS_CREDIT;
    t->amount = a < 0 ? -a : a;
    return 0;
}

static int parse_v2(json_t *d, struct bank_txn *t, struct feeds_error *err)
{
    const char *P = "$.data";
    char abbr[FEEDS_BANK_MAX], vname[FEEDS_NAME_MAX];
    int64_t amt, bal;
    int rc, has_bal;

    if ((rc = fj_text(d, "id", P, 1, t->provider_txn_id,
                      sizeof t->provider_txn_id, err)) ||
        (rc = fj_text(d, "reference", P, 0, t->bank_ref, sizeof t->bank_ref,
                      err)) ||
        (rc = fj_text_alloc(d, "description", P, 0, &t->description, err)) ||
        (rc = fj_amount(d, "amount", P, 1, &amt, NULL, err)) ||
        (rc = fj_amount(d, "runningBalance", P, 0, &bal, &has_bal, err)) ||
        (rc = fj_datetime(d, "transactionDateTime", P, 1, t, err)) ||
        (rc = fj_text(d, "accountNumber", P, 1, t->account, sizeof t->account,
                      err)) ||
        (rc = fj_text(d, "bankName", P, 0, t->gateway, sizeof t->gateway,
                      err)) ||
        (rc = fj_text(d, "bankAbbreviation", P, 0, abbr, sizeof abbr, err)) ||
        (rc = fj_text(d, "virtualAccountNumber", P, 0, t->sub_account,
                      sizeof t->sub_account, err)) ||
        (rc = fj_text(d, "virtualAccountName", P, 0, vname, sizeof vname,
                      err)) ||
        (rc = fj_text(d, "counterAccountName", P, 0, t->counter_name,
                      sizeof t->counter_name, err)) ||
        (rc = fj_text(d, "counterAccountNumber", P, 0, t->counter_account,
                      sizeof t->counter_account, err)) ||
        (rc = fj_text(d, "counterAccountBankId", P, 0, t->counter_bank,
                      sizeof t->counter_bank, err)))
        return rc;
    if (!t->gateway[0] && abbr[0])
        snprintf(t->gateway, sizeof t->gateway, "%s", abbr);
    set_amount(t, amt);
    t->has_balance = has_bal;
    t->balance = has_bal ? bal : 0;
    snprintf(t->source, sizeof t->source, "%s", P);
    return 0;
}

static int parse_v1(json_t *d, size_t idx, struct bank_txn *t,
                    struct feeds_error *err)
{
    char P[32];
    int64_t amt, bal;
    int rc, has_bal;

    snprintf(P, sizeof P, "$.data[%zu]", idx);
    if (!json_is_object(d))
        return feeds_fail(err, FEEDS_E_FIELD, 0, P, "not an object");
    if ((rc = fj_text(d, "id", P, 1, t->provider_txn_id,
                      sizeof t->provider_txn_id, err)) ||
        (rc = fj_text(d, "tid", P, 0, t->bank_ref, sizeof t->bank_ref, err)) ||
        (rc = fj_text_alloc(d, "description", P, 0, &t->description, err)) ||
        (rc = fj_amount(d, "amount", P, 1, &amt, NULL, err)) ||
        (rc = fj_amount(d, "cusum_balance", P, 0, &bal, &has_bal, err)) ||
        (rc = fj_datetime(d, "when", P, 1, t, err)))
        return rc;
    rc = fj_text(d, "subAccId", P, 0, t->account, sizeof t->account, err);
    if (!rc && !t->account[0])
        rc = fj_text(d, "bank_sub_acc_id", P, 0, t->account, sizeof t->account,
                     err);
    if (rc)
        return rc;
    set_amount(t, amt);
    t->has_balance = has_bal;
    t->balance = has_bal ? bal : 0;
    snprintf(t->source, sizeof t->source, "%s", P);
    return 0;
}

int feeds_parse_casso(const char *body, size_t len, struct bank_txn_list *out,
                      struct feeds_error *err)
{
    struct bank_txn_list tmp = {0};
    struct bank_txn t;
    json_t *root = NULL, *e, *d;
    size_t i;
    int rc;

    feeds_txn_init(&t, FEEDS_CASSO);
    rc = fj_load(body, len, &root, err);
    if (rc)
        return rc;
    e = json_object_get(root, "error");
    d = json_object_get(root, "data");
    if (!json_is_integer(e)) {
        rc = feeds_fail(err, FEEDS_E_FIELD, 0, "$.error",
                        "error must be an integer");
        goto fail;
    }
    if (json_integer_value(e) != 0) {
        rc = feeds_fail(err, FEEDS_E_UNSUPPORTED, 0, "$.error",
                        "Casso reports error %" JSON_INTEGER_FORMAT,
                        json_integer_value(e));
        goto fail;
    }
    if (json_is_object(d)) {
        if ((rc = parse_v2(d, &t, err)))
            goto fail;
        snprintf(t.currency, sizeof t.currency, "VND");
        if ((rc = feeds_list_push(&tmp, &t)))
            goto nomem;
    } else if (json_is_array(d)) {
        if (json_array_size(d) > CASSO_V1_MAX) {
            rc = feeds_fail(err, FEEDS_E_TOO_LARGE, 0, "$.data",
                            "more than %d transactions", CASSO_V1_MAX);
            goto fail;
        }
        json_array_foreach(d, i, e)
        {
            feeds_txn_init(&t, FEEDS_CASSO);
            if ((rc = parse_v1(e, i, &t, err)))
                goto fail;
            snprintf(t.currency, sizeof t.currency, "VND");
            if ((rc = feeds_list_push(&tmp, &t)))
                goto nomem;
        }
    } else {
        rc = feeds_fail(err, FEEDS_E_FIELD, 0, "$.data",
                        "data must be an object (V2) or an array (V1)");
        goto fail;
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
