/*
 * feeds_payos.c: payOS payment webhooks. The signature sits in the body:
 * hex HMAC-SHA256(checksum key, "k1=v1&k2=v2..." over `data` with sorted
 * keys, null as "", values not URL-encoded), as in the payOS SDK; see
 * ../shared/reference/bank-feeds.md section 1.3.
 */
#include "feeds_json.h"

#include "crypto.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct qbuf {
    char *p;
    size_t n, cap;
    int bad;
};

static void qput(struct qbuf *b, const char *s, size_t n)
{
    if (b->bad)
        return;
    if (b->n + n + 1 > b->cap) {
        size_t ncap = b->cap ? b->cap : 256;
        char *q;

        while (ncap < b->n + n + 1)
            ncap *= 2;
        q = realloc(b->p, ncap);
        if (!q) {
            b->bad = 1;
            return;
        }
        b->p = q;
        b->cap = ncap;
    }
    memcpy(b->p + b->n, s, n);
    b->n += n;
    b->p[b->n] = '\0';
}

static int keycmp(const void *a, const void *b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* The query string of a data object, or NULL. */
static char *payos_query(json_t *data)
{
    size_t n = json_object_size(data), i = 0;
    struct qbuf b = {0};
    const char **keys;
    const char *k;
    json_t *v;

    keys = malloc((n ? n : 1) * sizeof *keys);
    if (!keys)
        return NULL;
    json_object_foreach(data, k, v) keys[i++] = k;
    qsort(keys, n, sizeof *keys, keycmp);
    qput(&b, "", 0);
    for (i = 0; i < n; i++) {
        char num[64];
        char *js = NULL;
        const char *val = "";

        v = json_object_get(data, keys[i]);
        switch (json_typeof(v)) {
        case JSON_STRING:
            val = json_string_value(v);
            if (strcmp(val, "null") == 0 || strcmp(val, "undefined") == 0)
                val = "";
            break;
        case JSON_INTEGER:
            snprintf(num, sizeof num, "%" JSON_INTEGER_FORMAT,
                     json_integer_value(v));
            val = num;
            break;
        case JSON_REAL:
            fj_js_number(json_real_value(v), num, sizeof num);
            val = num;
            break;
        case JSON_TRUE:
            val = "true";
            break;
        case JSON_FALSE:
            val = "false";
            break;
        case JSON_NULL:
            val = "";
            break;
        case JSON_ARRAY:
        case JSON_OBJECT:
            js = fj_canonical(v, 0);
            if (!js)
                b.bad = 1;
            val = js ? js : "";
            break;
        }
        if (i)
            qput(&b, "&", 1);
        qput(&b, keys[i], strlen(keys[i]));
        qput(&b, "=", 1);
        qput(&b, val, strlen(val));
        free(js);
    }
    free(keys);
    if (b.bad) {
        free(b.p);
        return NULL;
    }
    return b.p;
}

char *feeds_payos_canonical(const char *data_json, size_t len)
{
    json_t *data;
    char *s;

    if (fj_load(data_json, len, &data, NULL))
        return NULL;
    s = payos_query(data);
    json_decref(data);
    return s;
}

int feeds_verify_payos(const struct feeds_request *req,
                       const struct feeds_secret *s, int64_t now_unix,
                       struct feeds_error *err)
{
    uint8_t given[CRYPTO_SHA256_LEN], mac[CRYPTO_SHA256_LEN];
    json_t *root = NULL, *data, *sig;
    size_t glen = 0;
    char *q = NULL;
    int rc;

    (void)now_unix; /* payOS signs no timestamp */
    if (!s || !s->hmac_key)
        return feeds_fail(err, FEEDS_E_NO_SECRET, 0, "",
                          "no payOS checksum key configured");
    rc = fj_load(req->body, req->len, &root, err);
    if (rc)
        return rc;
    data = json_object_get(root, "data");
    sig = json_object_get(root, "signature");
    if (!json_is_object(data)) {
        rc = feeds_fail(err, FEEDS_E_FIELD, 0, "$.data",
                        "data must be an object");
        goto out;
    }
    if (!json_is_string(sig)) {
        rc = feeds_fail(err, FEEDS_E_AUTH, 0, "$.signature",
                        "signature missing");
        goto out;
    }
    if (crypto_unhex(json_string_value(sig), json_string_length(sig), given,
                     sizeof given, &glen) ||
        glen != sizeof given) {
        rc = feeds_fail(err, FEEDS_E_SIGNATURE, 0, "$.signature",
                        "signature is not 64 hex digits");
        goto out;
    }
    q = payos_query(data);
    if (!q) {
        rc = feeds_fail(err, FEEDS_E_NOMEM, 0, "$.data", "out of memory");
        goto out;
    }
    if (crypto_hmac_sha256(s->hmac_key, strlen(s->hmac_key), q, strlen(q),
                           mac) ||
        !crypto_equal(mac, given, sizeof mac))
        rc = feeds_fail(err, FEEDS_E_SIGNATURE, 0, "$.signature",
                        "signature does not match");
out:
    free(q);
    json_decref(root);
    return rc;
}

int feeds_parse_payos(const char *body, size_t len, struct bank_txn_list *out,
                      struct feeds_error *err)
{
    const char *P = "$.data";
    char code[16], dcode[16], ccy[8], link[FEEDS_ID_MAX], order[FEEDS_ID_MAX];
    struct bank_txn t;
    json_t *root = NULL, *d, *ok;
    int64_t amt;
    int rc, n;

    feeds_txn_init(&t, FEEDS_PAYOS);
    rc = fj_load(body, len, &root, err);
    if (rc)
        return rc;
    d = json_object_get(root, "data");
    ok = json_object_get(root, "success");
    if (!json_is_object(d)) {
        rc = feeds_fail(err, FEEDS_E_FIELD, 0, P, "data must be an object");
        goto fail;
    }
    if ((rc = fj_text(root, "code", "$", 1, code, sizeof code, err)) ||
        (rc = fj_text(d, "code", P, 0, dcode, sizeof dcode, err)))
        goto fail;
    if (strcmp(code, "00") != 0 || (ok && !json_is_true(ok)) ||
        (dcode[0] && strcmp(dcode, "00") != 0)) {
        rc = feeds_fail(err, FEEDS_E_UNSUPPORTED, 0, "$.code",
                        "payOS reports code %s/%s: not a payment", code, dcode);
        goto fail;
    }
    if ((rc = fj_text(d, "orderCode", P, 1, order, sizeof order, err)) ||
        (rc = fj_amount(d, "amount", P, 1, &amt, NULL, err)) ||
        (rc = fj_text_alloc(d, "description", P, 0, &t.description, err)) ||
        (rc = fj_text(d, "accountNumber", P, 1, t.account, sizeof t.account,
                      err)) ||
        (rc = fj_text(d, "reference", P, 1, t.bank_ref, sizeof t.bank_ref,
                      err)) ||
        (rc = fj_datetime(d, "transactionDateTime", P, 1, &t, err)) ||
        (rc = fj_text(d, "currency", P, 0, ccy, sizeof ccy, err)) ||
        (rc = fj_text(d, "paymentLinkId", P, 0, link, sizeof link, err)) ||
        (rc = fj_text(d, "counterAccountBankId", P, 0, t.counter_bank,
                      sizeof t.counter_bank, err)) ||
        (rc = fj_text(d, "counterAccountName", P, 0, t.counter_name,
                      sizeof t.counter_name, err)) ||
        (rc = fj_text(d, "counterAccountNumber", P, 0, t.counter_account,
                      sizeof t.counter_account, err)) ||
        (rc = fj_text(d, "virtualAccountNumber", P, 0, t.sub_account,
                      sizeof t.sub_account, err)))
        goto fail;
    if (ccy[0] && strcmp(ccy, "VND") != 0) {
        rc = feeds_fail(err, FEEDS_E_UNSUPPORTED, 0, "$.data.currency",
                        "currency %s is not VND", ccy);
        goto fail;
    }
    if (amt < 0) {
        rc = feeds_fail(err, FEEDS_E_AMOUNT, 0, "$.data.amount",
                        "amount is negative");
        goto fail;
    }
    t.amount = amt;
    t.direction = FEEDS_CREDIT;
    snprintf(t.currency, sizeof t.currency, "VND");
    snprintf(t.provider_code, sizeof t.provider_code, "%s", order);
    /* payOS retries are idempotent on orderCode + reference. */
    n = snprintf(t.provider_txn_id, sizeof t.provider_txn_id, "%s:%s", order,
                 t.bank_ref);
    if (n < 0 || (size_t)n >= sizeof t.provider_txn_id) {
        rc = feeds_fail(err, FEEDS_E_TOO_LARGE, 0, P,
                        "orderCode + reference too long");
        goto fail;
    }
    snprintf(t.source, sizeof t.source, "%s", P);
    if ((rc = feeds_list_push(out, &t))) {
        rc = feeds_fail(err, FEEDS_E_NOMEM, 0, P, "out of memory");
        goto fail;
    }
fail:
    feeds_txn_clear(&t);
    json_decref(root);
    return rc;
}
