/*
 * test_feeds_webhooks.c: SePay, Casso, payOS and generic webhooks: every
 * signature scheme against vectors computed outside chopay (openssl,
 * python3: tests/data/feeds/make_vectors.sh), wrong keys, changed bodies,
 * stale timestamps, Vietnamese text, both body shapes, bad fields.
 */
#include "feeds.h"
#include "feeds_test.h"
#include "harness.h"

#include <jansson.h>

static int64_t num(const char *s)
{
    return strtoll(s, NULL, 10);
}

static struct feeds_request req_of(const char *body, size_t len,
                                   const struct feeds_header *h, size_t n)
{
    struct feeds_request r = {body, len, h, n};
    return r;
}

static void test_sepay(void)
{
    size_t len, len2;
    char *body = ft_read("sepay-webhook.json", &len);
    char *hub = ft_read("sepay-bankhub.json", &len2);
    char sig[128], ts[32], hubsig[128];
    const char *key = "sepay-test-secret-2026";
    struct feeds_header h[3];
    struct feeds_secret s = {NULL, key}, wrong = {NULL, "sepay-test-secret"};
    struct feeds_secret api = {"k3y-Apikey", NULL}, both = {"k3y-Apikey", key};
    struct feeds_request r;
    struct feeds_error e;
    struct bank_txn_list l = {0};
    int64_t now;

    snprintf(sig, sizeof sig, "%s", ft_vec("sepay_sig"));
    snprintf(hubsig, sizeof hubsig, "%s", ft_vec("sepay_bankhub_sig"));
    snprintf(ts, sizeof ts, "%s", ft_vec("sepay_ts"));
    CHECK_STR(ft_vec("sepay_key"), key);
    now = num(ts);
    h[0].name = "x-sepay-timestamp"; /* header names are case-insensitive */
    h[0].value = ts;
    h[1].name = "X-SePay-Signature";
    h[1].value = sig;
    h[2].name = "Authorization";
    h[2].value = "Apikey k3y-Apikey";
    r = req_of(body, len, h, 3);

    /* HMAC: right key, within the window, both edges. */
    CHECK_INT(feeds_verify_sepay(&r, &s, now, &e), 0);
    CHECK_INT(feeds_verify_sepay(&r, &s, now + 300, &e), 0);
    CHECK_INT(feeds_verify_sepay(&r, &s, now - 300, &e), 0);
    CHECK_INT(feeds_verify_sepay(&r, &s, now + 301, &e), -FEEDS_E_STALE);
    CHECK_STR(e.path, "X-SePay-Timestamp");
    CHECK_INT(feeds_verify_sepay(&r, &s, now - 3600, &e), -FEEDS_E_STALE);
    CHECK_INT(feeds_verify_sepay(&r, &wrong, now, &e), -FEEDS_E_SIGNATURE);
    /* changed body: one digit of the amount */
    {
        char *p = strstr(body, "1250000");
        p[0] = '2';
        CHECK_INT(feeds_verify_sepay(&r, &s, now, &e), -FEEDS_E_SIGNATURE);
        p[0] = '1';
        CHECK_INT(feeds_verify_sepay(&r, &s, now, &e), 0);
    }
    /* the timestamp is part of the signed text */
    snprintf(ts, sizeof ts, "%lld", (long long)now + 1);
    CHECK_INT(feeds_verify_sepay(&r, &s, now, &e), -FEEDS_E_SIGNATURE);
    snprintf(ts, sizeof ts, "%s", ft_vec("sepay_ts"));
    /* malformed signature header */
    h[1].value = "sha256=zz";
    CHECK_INT(feeds_verify_sepay(&r, &s, now, &e), -FEEDS_E_SIGNATURE);
    h[1].value = sig + 7; /* hex without "sha256=" */
    CHECK_INT(feeds_verify_sepay(&r, &s, now, &e), -FEEDS_E_SIGNATURE);
    h[1].value = sig;
    r.nheaders = 1; /* no signature header */
    CHECK_INT(feeds_verify_sepay(&r, &s, now, &e), -FEEDS_E_AUTH);
    r.nheaders = 3;
    /* the BankHub body signed the same way */
    {
        struct feeds_request r2 = req_of(hub, len2, h, 2);
        h[1].value = hubsig;
        CHECK_INT(feeds_verify_sepay(&r2, &s, now, &e), 0);
        h[1].value = sig;
        CHECK_INT(feeds_verify_sepay(&r2, &s, now, &e), -FEEDS_E_SIGNATURE);
    }

    /* API key */
    CHECK_INT(feeds_verify_sepay(&r, &api, 0, &e), 0);
    h[2].value = "Apikey k3y-apikey";
    CHECK_INT(feeds_verify_sepay(&r, &api, 0, &e), -FEEDS_E_SIGNATURE);
    h[2].value = "Bearer k3y-Apikey";
    CHECK_INT(feeds_verify_sepay(&r, &api, 0, &e), -FEEDS_E_AUTH);
    h[2].value = "Apikey k3y-Apikey";
    CHECK_INT(feeds_verify_sepay(&r, &both, now, &e), 0);
    CHECK_INT(feeds_verify_sepay(&r, &both, now + 1000, &e), -FEEDS_E_STALE);
    r.nheaders = 2;
    CHECK_INT(feeds_verify_sepay(&r, &both, now, &e), -FEEDS_E_AUTH);
    r.nheaders = 3;
    {
        struct feeds_secret none = {NULL, NULL};
        CHECK_INT(feeds_verify_sepay(&r, &none, now, &e), -FEEDS_E_NO_SECRET);
        CHECK_INT(feeds_verify_sepay(&r, NULL, now, &e), -FEEDS_E_NO_SECRET);
    }

    /* camelCase webhook */
    CHECK_INT(feeds_parse_sepay(body, len, &l, &e), 0);
    CHECK_INT(l.n, 1);
    if (l.n == 1) {
        struct bank_txn *t = &l.txns[0];
        CHECK_INT(t->provider, FEEDS_SEPAY);
        CHECK_STR(t->provider_txn_id, "4812301");
        CHECK_STR(t->account, "0901234567");
        CHECK_STR(t->gateway, "MBBank");
        CHECK_STR(t->provider_code, "CP282HYKN2");
        CHECK_STR(t->bank_ref, "FT26326912345678");
        CHECK_INT(t->direction, FEEDS_CREDIT);
        CHECK_INT(t->amount, 1250000);
        CHECK_STR(t->currency, "VND");
        CHECK_INT(t->exponent, 0);
        CHECK_INT(t->has_balance, 1);
        CHECK_INT(t->balance, 48250000);
        CHECK_STR(t->booking_date, "2026-11-22");
        CHECK_STR(t->datetime, "2026-11-22T08:15:42+07:00");
        CHECK_STR(t->description,
                  "NGUYEN THI DAO chuyen tien CP282HYKN2 hoc phi thang 11\n"
                  "BankAPINotify NGUYEN THI DAO chuyen tien CP282HYKN2 hoc "
                  "phi thang 11");
        CHECK_STR(t->sub_account, "");
        CHECK_INT(t->statement, -1);
    }
    /* BankHub snake_case, appended to the same list */
    CHECK_INT(feeds_parse_sepay(hub, len2, &l, &e), 0);
    CHECK_INT(l.n, 2);
    if (l.n == 2) {
        struct bank_txn *t = &l.txns[1];
        CHECK_STR(t->provider_txn_id, "6a1f2c3e-91b0-4f1e-8d2c-7a0b9e4d5c61");
        CHECK_STR(t->account, "1023456789");
        CHECK_STR(t->sub_account, "VCB0012345");
        CHECK_STR(t->provider_code, "CP3N6DVVJ4");
        CHECK_STR(t->bank_ref, "5213ACB2611220901");
        CHECK_INT(t->amount, 350000);
        CHECK_INT(t->direction, FEEDS_CREDIT);
        CHECK_INT(t->has_balance, 0); /* accumulated 0 = not provided */
        CHECK_STR(t->description, "Trần Văn Hùng nộp phí chợ CP3N6DVVJ4");
        CHECK_STR(t->datetime, "2026-11-22T09:01:05+07:00");
    }
    feeds_list_free(&l);

    /* SePay's documented example */
    {
        size_t n;
        char *doc = ft_read("samples/sepay-webhook-docs-example.json", &n);
        CHECK_INT(feeds_parse_sepay(doc, n, &l, &e), 0);
        CHECK_INT(l.n, 1);
        if (l.n == 1) {
            CHECK_STR(l.txns[0].provider_txn_id, "92704");
            CHECK_STR(l.txns[0].gateway, "Vietcombank");
            CHECK_STR(l.txns[0].account, "0123499999");
            CHECK_STR(l.txns[0].provider_code, "");
            CHECK_INT(l.txns[0].amount, 2277000);
            CHECK_INT(l.txns[0].balance, 19077000);
            CHECK_STR(l.txns[0].bank_ref, "MBVCB.3278907687");
            CHECK_STR(l.txns[0].description, "chuyen tien mua iphone");
            CHECK_STR(l.txns[0].booking_date, "2023-03-25");
        }
        feeds_list_free(&l);
        free(doc);
    }

    /* bad bodies: precise errors, list untouched */
    {
        static const struct {
            const char *body;
            int rc;
            const char *path;
        } bad[] = {
            {"{\"id\":1,\"transactionDate\":\"2026-11-22 08:00:00\","
             "\"accountNumber\":\"1\",\"transferType\":\"sideways\","
             "\"transferAmount\":5}",
             -FEEDS_E_FIELD, "$.transferType"},
            {"{\"id\":1,\"transactionDate\":\"2026-11-22 08:00:00\","
             "\"accountNumber\":\"1\",\"transferType\":\"in\","
             "\"transferAmount\":1.5}",
             -FEEDS_E_AMOUNT, "$.transferAmount"},
            {"{\"id\":1,\"transactionDate\":\"2026-11-22 08:00:00\","
             "\"accountNumber\":\"1\",\"transferType\":\"in\","
             "\"transferAmount\":-5}",
             -FEEDS_E_AMOUNT, "$.transferAmount"},
            {"{\"id\":1,\"transactionDate\":\"2026-11-22 08:00:00\","
             "\"transferType\":\"in\",\"transferAmount\":5}",
             -FEEDS_E_FIELD, "$.accountNumber"},
            {"{\"id\":1,\"transactionDate\":\"2026-02-30 08:00:00\","
             "\"accountNumber\":\"1\",\"transferType\":\"in\","
             "\"transferAmount\":5}",
             -FEEDS_E_DATE, "$.transactionDate"},
            {"{\"id\":1,\"transactionDate\":\"2026-11-22 08:00:00\","
             "\"accountNumber\":\"1\",\"transferType\":\"in\","
             "\"transferAmount\":10000000000000000}",
             -FEEDS_E_AMOUNT, "$.transferAmount"},
            {"{\"transfer_type\":\"credit\",\"transaction_id\":\"x\","
             "\"transaction_date\":\"2026-11-22 08:00:00\","
             "\"account_number\":\"1\",\"amount\":\"abc\"}",
             -FEEDS_E_AMOUNT, "$.amount"},
            {"{\"id\":1,\"id\":2}", -FEEDS_E_SYNTAX, "$"},
            {"[1,2]", -FEEDS_E_FIELD, "$"},
            {"{\"hello\":1}", -FEEDS_E_FIELD, "$"},
            {"{\"id\":", -FEEDS_E_SYNTAX, "$"},
        };
        size_t i;

        for (i = 0; i < sizeof bad / sizeof bad[0]; i++) {
            memset(&e, 0, sizeof e);
            CHECK_INT(
                feeds_parse_sepay(bad[i].body, strlen(bad[i].body), &l, &e),
                bad[i].rc);
            CHECK_STR(e.path, bad[i].path);
            CHECK(e.message[0] != '\0');
            CHECK_INT(l.n, 0);
        }
    }
    free(body);
    free(hub);
}

/* Re-serialise with indentation: the Casso signature must still verify,
 * since it covers the canonical form, not the bytes. */
static char *pretty(const char *body, size_t len)
{
    json_t *j = json_loadb(body, len, 0, NULL);
    char *s = json_dumps(j, JSON_INDENT(3));
    json_decref(j);
    return s;
}

static void test_casso(void)
{
    size_t len, alen, n;
    char *body = ft_read("casso-v2.json", &len);
    char *asc = ft_read("casso-v2-ascii.json", &alen);
    char hdr[300], key[128], t[32];
    struct feeds_header h[1] = {{"X-Casso-Signature", hdr}};
    struct feeds_secret s, wrong = {NULL, "casso-checksum-key"};
    struct feeds_request r = req_of(body, len, h, 1);
    struct feeds_error e;
    struct bank_txn_list l = {0};
    static const char *const styles[] = {"js", "py", "php"};
    int64_t now;
    int i;

    snprintf(key, sizeof key, "%s", ft_vec("casso_key"));
    snprintf(t, sizeof t, "%s", ft_vec("casso_t"));
    s.api_key = NULL;
    s.hmac_key = key;
    now = num(t) / 1000;

    /* our canonical forms equal python's, byte for byte */
    for (i = 0; i < 3; i++) {
        char name[64];
        char *want, *got;

        snprintf(name, sizeof name, "casso-v2.canon-%s.txt", styles[i]);
        want = ft_read(name, &n);
        got = feeds_casso_canonical(body, len, i);
        CHECK(got != NULL);
        CHECK_STR(got, want);
        free(got);
        free(want);
    }
    /* numbers and escapes exactly as node and python write them */
    {
        size_t rl;
        char *reals = ft_read("reals.json", &rl);
        char *js = ft_read("reals.canon-js.txt", &n);
        char *py = ft_read("reals.canon-py.txt", &n);
        char *got = feeds_casso_canonical(reals, rl, 0);

        CHECK_STR(got, js);
        free(got);
        got = feeds_casso_canonical(reals, rl, 1);
        CHECK_STR(got, py);
        free(got);
        free(js);
        free(py);
        free(reals);
    }
    CHECK(feeds_casso_canonical(body, len, 3) == NULL);
    CHECK(feeds_casso_canonical("[1", 2, 0) == NULL);

    /* a signature made over any of the three forms verifies */
    for (i = 0; i < 3; i++) {
        char vk[32];

        snprintf(vk, sizeof vk, "casso_v2_%s", styles[i]);
        snprintf(hdr, sizeof hdr, "t=%s,v1=%s", t, ft_vec(vk));
        CHECK_INT(feeds_verify_casso(&r, &s, now, &e), 0);
        CHECK_INT(feeds_verify_casso(&r, &wrong, now, &e), -FEEDS_E_SIGNATURE);
    }
    /* the Vietnamese text makes the forms differ: all three distinct */
    {
        char js[160], py[160];

        snprintf(js, sizeof js, "%s", ft_vec("casso_v2_js"));
        snprintf(py, sizeof py, "%s", ft_vec("casso_v2_py"));
        CHECK(strcmp(js, py) != 0);
        CHECK(strcmp(py, ft_vec("casso_v2_php")) != 0);
    }
    snprintf(hdr, sizeof hdr, "t=%s,v1=%s", t, ft_vec("casso_v2_js"));
    /* whitespace and key order of the body do not matter */
    {
        char *p = pretty(body, len);
        struct feeds_request r2 = req_of(p, strlen(p), h, 1);
        CHECK_INT(feeds_verify_casso(&r2, &s, now, &e), 0);
        free(p);
    }
    /* header order v1 first, with a space */
    {
        char h2[300];
        struct feeds_header hh[1] = {{"x-casso-signature", h2}};
        struct feeds_request r2 = req_of(body, len, hh, 1);
        snprintf(h2, sizeof h2, "v1=%s, t=%s", ft_vec("casso_v2_js"), t);
        CHECK_INT(feeds_verify_casso(&r2, &s, now, &e), 0);
    }
    /* stale and future timestamps */
    CHECK_INT(feeds_verify_casso(&r, &s, now + 301, &e), -FEEDS_E_STALE);
    CHECK_INT(feeds_verify_casso(&r, &s, now - 301, &e), -FEEDS_E_STALE);
    CHECK_INT(feeds_verify_casso(&r, &s, now + 299, &e), 0);
    /* changed body */
    {
        char *p = strstr(body, "500000");
        p[1] = '1';
        CHECK_INT(feeds_verify_casso(&r, &s, now, &e), -FEEDS_E_SIGNATURE);
        p[1] = '0';
        p = strstr(body, "Hồng");
        p[0] = 'h';
        CHECK_INT(feeds_verify_casso(&r, &s, now, &e), -FEEDS_E_SIGNATURE);
        p[0] = 'H';
        CHECK_INT(feeds_verify_casso(&r, &s, now, &e), 0);
    }
    /* a different t invalidates */
    snprintf(hdr, sizeof hdr, "t=%lld,v1=%s", (long long)num(t) + 1,
             ft_vec("casso_v2_js"));
    CHECK_INT(feeds_verify_casso(&r, &s, now, &e), -FEEDS_E_SIGNATURE);
    snprintf(hdr, sizeof hdr, "t=%s", t);
    CHECK_INT(feeds_verify_casso(&r, &s, now, &e), -FEEDS_E_SIGNATURE);
    snprintf(hdr, sizeof hdr, "t=%s,v1=abc", t);
    CHECK_INT(feeds_verify_casso(&r, &s, now, &e), -FEEDS_E_SIGNATURE);
    r.nheaders = 0;
    CHECK_INT(feeds_verify_casso(&r, &s, now, &e), -FEEDS_E_AUTH);
    r.nheaders = 1;
    /* pure-ASCII body: all three forms coincide */
    {
        char js[160];

        snprintf(js, sizeof js, "%s", ft_vec("casso_v2_ascii_js"));
        CHECK_STR(js, ft_vec("casso_v2_ascii_php"));
    }
    {
        struct feeds_request r2 = req_of(asc, alen, h, 1);
        snprintf(hdr, sizeof hdr, "t=%s,v1=%s", t, ft_vec("casso_v2_ascii_py"));
        CHECK_INT(feeds_verify_casso(&r2, &s, now, &e), 0);
    }

    /* V2 parse */
    CHECK_INT(feeds_parse_casso(body, len, &l, &e), 0);
    CHECK_INT(feeds_parse_casso(asc, alen, &l, &e), 0);
    CHECK_INT(l.n, 2);
    if (l.n == 2) {
        struct bank_txn *a = &l.txns[0], *b = &l.txns[1];
        CHECK_INT(a->provider, FEEDS_CASSO);
        CHECK_STR(a->provider_txn_id, "9134457");
        CHECK_STR(a->bank_ref, "FT26326000111222");
        CHECK_STR(a->account, "0011001234567");
        CHECK_STR(a->gateway, "Vietcombank");
        CHECK_INT(a->direction, FEEDS_CREDIT);
        CHECK_INT(a->amount, 500000);
        CHECK_INT(a->balance, 12500000);
        CHECK_STR(a->counter_name, "LE THI HONG NHUNG");
        CHECK_STR(a->counter_account, "19036112345018");
        CHECK_STR(a->counter_bank, "970407");
        CHECK_STR(a->description,
                  "Lê Thị Hồng Nhung chuyển tiền CP2X4FX95E phí ki-ốt A/12");
        CHECK_STR(a->datetime, "2026-11-22T10:30:00+07:00");
        CHECK_STR(a->source, "$.data");
        CHECK_INT(b->direction, FEEDS_DEBIT); /* negative amount */
        CHECK_INT(b->amount, 200000);
        CHECK_INT(b->balance, 12300000);
    }
    feeds_list_free(&l);

    /* Legacy V1: the official sample's body and secure-token */
    {
        char *w = ft_read("samples/casso-v1-legacy-example.json", &n);
        json_t *j = json_loads(w, 0, NULL);
        char *b1 = json_dumps(json_object_get(j, "body"), JSON_COMPACT);
        const char *tok = json_string_value(
            json_object_get(json_object_get(j, "headers"), "secure-token"));
        struct feeds_header th[1] = {{"secure-token", tok}};
        struct feeds_request r1 = req_of(b1, strlen(b1), th, 1);
        struct feeds_secret v1 = {"eogrBiWqaq", NULL},
                            v1w = {"eogrBiWqaQ", NULL};

        CHECK_INT(feeds_verify_casso(&r1, &v1, 0, &e), 0);
        CHECK_INT(feeds_verify_casso(&r1, &v1w, 0, &e), -FEEDS_E_SIGNATURE);
        /* only a V2 key configured: a token is not enough */
        CHECK_INT(feeds_verify_casso(&r1, &s, now, &e), -FEEDS_E_AUTH);
        /* both configured: the right token alone is not enough either */
        {
            struct feeds_secret both = {"eogrBiWqaq", s.hmac_key};

            CHECK_INT(feeds_verify_casso(&r1, &both, now, &e), -FEEDS_E_AUTH);
        }
        CHECK_INT(feeds_parse_casso(b1, strlen(b1), &l, &e), 0);
        CHECK_INT(l.n, 1);
        if (l.n == 1) {
            CHECK_STR(l.txns[0].provider_txn_id, "1");
            CHECK_STR(l.txns[0].bank_ref, "TF80307914");
            CHECK_INT(l.txns[0].amount, 200500);
            CHECK_INT(l.txns[0].direction, FEEDS_CREDIT);
            CHECK_INT(l.txns[0].balance, 15900500);
            CHECK_STR(l.txns[0].booking_date, "2020-11-02");
            CHECK_STR(l.txns[0].datetime, "");
            CHECK_STR(l.txns[0].account, "123456789");
            CHECK_STR(l.txns[0].description, "DH35");
            CHECK_STR(l.txns[0].source, "$.data[0]");
        }
        feeds_list_free(&l);
        free(b1);
        json_decref(j);
        free(w);
    }
    /* errors */
    {
        const char *b = "{\"error\":0,\"data\":[{\"id\":1,\"when\":"
                        "\"2020-11-02\",\"amount\":5},{\"id\":2,\"when\":"
                        "\"2020-13-02\",\"amount\":5}]}";
        CHECK_INT(feeds_parse_casso(b, strlen(b), &l, &e), -FEEDS_E_DATE);
        CHECK_STR(e.path, "$.data[1].when");
        CHECK_INT(l.n, 0);
        b = "{\"error\":1,\"data\":{}}";
        CHECK_INT(feeds_parse_casso(b, strlen(b), &l, &e),
                  -FEEDS_E_UNSUPPORTED);
        b = "{\"error\":0,\"data\":7}";
        CHECK_INT(feeds_parse_casso(b, strlen(b), &l, &e), -FEEDS_E_FIELD);
        CHECK_STR(e.path, "$.data");
    }
    free(body);
    free(asc);
}

static void test_payos(void)
{
    size_t len, n;
    char *body = ft_read("payos-webhook-signed.json", &len);
    char *query = ft_read("payos-webhook.query.txt", &n);
    char key[128];
    struct feeds_secret s, wrong = {NULL, "0a54716c8f0efb2744fb28b6e38b25da"};
    struct feeds_request r = req_of(body, len, NULL, 0);
    struct feeds_error e;
    struct bank_txn_list l = {0};
    json_t *j;
    char *data, *q;

    snprintf(key, sizeof key, "%s", ft_vec("payos_key"));
    s.api_key = NULL;
    s.hmac_key = key;
    j = json_loadb(body, len, 0, NULL);
    data = json_dumps(json_object_get(j, "data"), 0);
    q = feeds_payos_canonical(data, strlen(data));
    CHECK_STR(q, query);
    free(q);
    free(data);
    json_decref(j);
    /* values of every JSON type */
    {
        const char *d = "{\"b\":true,\"a\":null,\"c\":\"null\",\"e\":[{\"z\":1,"
                        "\"y\":\"x\"}],\"d\":false,\"f\":12,\"g\":\"a&b=c\"}";
        q = feeds_payos_canonical(d, strlen(d));
        CHECK_STR(q, "a=&b=true&c=&d=false&e=[{\"y\":\"x\",\"z\":1}]&f=12&"
                     "g=a&b=c");
        free(q);
    }

    CHECK_INT(feeds_verify_payos(&r, &s, 0, &e), 0);
    CHECK_INT(feeds_verify_payos(&r, &wrong, 0, &e), -FEEDS_E_SIGNATURE);
    {
        char *p = strstr(body, "750000");
        p[0] = '8';
        CHECK_INT(feeds_verify_payos(&r, &s, 0, &e), -FEEDS_E_SIGNATURE);
        p[0] = '7';
        p = strstr(body, "Phí điện");
        p[0] = 'p';
        CHECK_INT(feeds_verify_payos(&r, &s, 0, &e), -FEEDS_E_SIGNATURE);
        p[0] = 'P';
    }
    {
        struct feeds_secret none = {"x", NULL};
        CHECK_INT(feeds_verify_payos(&r, &none, 0, &e), -FEEDS_E_NO_SECRET);
    }
    CHECK_INT(feeds_parse_payos(body, len, &l, &e), 0);
    CHECK_INT(l.n, 1);
    if (l.n == 1) {
        struct bank_txn *t = &l.txns[0];
        CHECK_INT(t->provider, FEEDS_PAYOS);
        CHECK_STR(t->provider_txn_id, "2611220042:FT26326778899");
        CHECK_STR(t->provider_code, "2611220042");
        CHECK_STR(t->bank_ref, "FT26326778899");
        CHECK_STR(t->account, "3880123456");
        CHECK_INT(t->amount, 750000);
        CHECK_INT(t->direction, FEEDS_CREDIT);
        CHECK_STR(t->description, "CP2F9BH7KE Phí điện tháng 11");
        CHECK_STR(t->counter_name, "PHAM VAN LONG");
        CHECK_STR(t->counter_account, "0345678912");
        CHECK_STR(t->counter_bank, "970422");
        CHECK_STR(t->datetime, "2026-11-22T12:05:33+07:00");
    }
    feeds_list_free(&l);

    /* payOS's documented example: parses; its key is unknown */
    {
        char *doc = ft_read("samples/payos-webhook-docs-example.json", &n);
        struct feeds_request rd = req_of(doc, n, NULL, 0);
        CHECK_INT(feeds_verify_payos(&rd, &s, 0, &e), -FEEDS_E_SIGNATURE);
        CHECK_INT(feeds_parse_payos(doc, n, &l, &e), 0);
        CHECK_INT(l.n, 1);
        if (l.n == 1) {
            CHECK_STR(l.txns[0].provider_txn_id, "123:TF230204212323");
            CHECK_INT(l.txns[0].amount, 3000);
            CHECK_STR(l.txns[0].description, "VQRIO123");
            CHECK_STR(l.txns[0].account, "12345678");
            CHECK_STR(l.txns[0].booking_date, "2023-02-04");
        }
        feeds_list_free(&l);
        free(doc);
    }
    {
        const char *b = "{\"code\":\"01\",\"desc\":\"x\",\"success\":false,"
                        "\"data\":{},\"signature\":\"00\"}";
        CHECK_INT(feeds_parse_payos(b, strlen(b), &l, &e),
                  -FEEDS_E_UNSUPPORTED);
        b = "{\"code\":\"00\",\"success\":true,\"data\":{\"orderCode\":1,"
            "\"amount\":5,\"accountNumber\":\"1\",\"reference\":\"r\","
            "\"transactionDateTime\":\"2026-11-22 08:00:00\","
            "\"currency\":\"USD\"}}";
        CHECK_INT(feeds_parse_payos(b, strlen(b), &l, &e),
                  -FEEDS_E_UNSUPPORTED);
        CHECK_STR(e.path, "$.data.currency");
        r.body = b;
        r.len = strlen(b);
        CHECK_INT(feeds_verify_payos(&r, &s, 0, &e), -FEEDS_E_AUTH);
        CHECK_INT(l.n, 0);
    }
    free(body);
    free(query);
}

static void test_generic(void)
{
    size_t len, blen;
    char *body = ft_read("generic.json", &len);
    char *batch = ft_read("generic-batch.json", &blen);
    char sig[128], ts[32];
    struct feeds_header h[2] = {{"X-Chopay-Timestamp", ts},
                                {"X-Chopay-Signature", sig}};
    struct feeds_secret s = {NULL, "chopay-generic-secret"};
    struct feeds_secret wrong = {NULL, "chopay-generic-secreT"};
    struct feeds_request r = req_of(body, len, h, 2);
    struct feeds_error e;
    struct bank_txn_list l = {0};
    int64_t now;

    snprintf(sig, sizeof sig, "%s", ft_vec("generic_sig"));
    snprintf(ts, sizeof ts, "%s", ft_vec("generic_ts"));
    now = num(ts) + 42;
    CHECK_INT(feeds_verify_generic(&r, &s, now, &e), 0);
    CHECK_INT(feeds_verify_generic(&r, &wrong, now, &e), -FEEDS_E_SIGNATURE);
    CHECK_INT(feeds_verify_generic(&r, &s, now + 600, &e), -FEEDS_E_STALE);
    r.len--; /* drop the final newline: a changed body */
    CHECK_INT(feeds_verify_generic(&r, &s, now, &e), -FEEDS_E_SIGNATURE);
    r.len++;
    snprintf(ts, sizeof ts, "-5");
    CHECK_INT(feeds_verify_generic(&r, &s, now, &e), -FEEDS_E_AUTH);
    snprintf(ts, sizeof ts, "%s", ft_vec("generic_ts"));
    CHECK_INT(feeds_verify_generic(&r, NULL, now, &e), -FEEDS_E_NO_SECRET);

    CHECK_INT(feeds_parse_generic(body, len, &l, &e), 0);
    CHECK_INT(feeds_parse_generic(batch, blen, &l, &e), 0);
    CHECK_INT(l.n, 3);
    if (l.n == 3) {
        struct bank_txn *t = &l.txns[0];
        CHECK_INT(t->provider, FEEDS_GENERIC);
        CHECK_STR(t->provider_txn_id, "ACB-20261122-000187");
        CHECK_STR(t->account, "218756789");
        CHECK_STR(t->bank_ref, "ACB.FT2632600187");
        CHECK_INT(t->direction, FEEDS_CREDIT);
        CHECK_INT(t->amount, 2400000);
        CHECK_STR(t->currency, "VND");
        CHECK_STR(t->datetime, "2026-11-22T08:15:00+07:00");
        CHECK_STR(t->booking_date, "2026-11-22");
        CHECK_STR(t->value_date, "2026-11-22");
        CHECK_STR(t->description,
                  "Đỗ Minh Khôi chuyển khoản CP29VRA3HR tiền học");
        CHECK_STR(t->counter_name, "DO MINH KHOI");
        CHECK_STR(t->counter_account, "0071000123456");
        CHECK_STR(t->counter_bank, "970436");
        CHECK_INT(t->has_balance, 1);
        CHECK_INT(t->balance, 98400000);
        CHECK_STR(t->gateway, "ACB");
        CHECK_STR(l.txns[1].provider_txn_id, "T1");
        CHECK_STR(l.txns[1].datetime, "");
        CHECK_STR(l.txns[2].provider_txn_id, "T2");
        CHECK_INT(l.txns[2].direction, FEEDS_DEBIT);
        CHECK_INT(l.txns[2].amount, 15000);
        CHECK_STR(l.txns[2].datetime, "2026-11-22T17:00:00+07:00");
        CHECK_STR(l.txns[2].source, "$.transactions[1]");
    }
    feeds_list_free(&l);
    {
        static const struct {
            const char *body;
            int rc;
            const char *path;
        } bad[] = {
            {"{\"id\":\"a\",\"account\":\"1\",\"direction\":\"up\","
             "\"amount\":1,\"booked_at\":\"2026-11-22\","
             "\"description\":\"\"}",
             -FEEDS_E_FIELD, "$.direction"},
            {"{\"id\":\"a\",\"account\":\"1\",\"direction\":\"credit\","
             "\"amount\":\"100\",\"booked_at\":\"2026-11-22\","
             "\"description\":\"\"}",
             -FEEDS_E_AMOUNT, "$.amount"},
            {"{\"id\":\"a\",\"account\":\"1\",\"direction\":\"credit\","
             "\"amount\":100,\"booked_at\":\"22/11/2026\","
             "\"description\":\"\"}",
             -FEEDS_E_DATE, "$.booked_at"},
            {"{\"id\":\"a\",\"account\":\"1\",\"direction\":\"credit\","
             "\"amount\":100,\"booked_at\":\"2026-11-22T08:00:00+25:00\","
             "\"description\":\"\"}",
             -FEEDS_E_DATE, "$.booked_at"},
            {"{\"id\":\"a\",\"account\":\"1\",\"direction\":\"credit\","
             "\"amount\":100,\"booked_at\":\"2026-11-22\"}",
             -FEEDS_E_FIELD, "$.description"},
            {"{\"id\":\"a\",\"account\":\"1\",\"direction\":\"credit\","
             "\"amount\":100,\"booked_at\":\"2026-11-22\","
             "\"description\":\"\",\"currency\":\"vnd\"}",
             -FEEDS_E_FIELD, "$.currency"},
            {"{\"transactions\":[]}", -FEEDS_E_FIELD, "$.transactions"},
            {"{\"transactions\":[{\"id\":\"a\",\"account\":\"1\","
             "\"direction\":\"credit\",\"amount\":1,\"booked_at\":"
             "\"2026-11-22\",\"description\":\"\"},7]}",
             -FEEDS_E_FIELD, "$.transactions[1]"},
        };
        size_t i;

        for (i = 0; i < sizeof bad / sizeof bad[0]; i++) {
            memset(&e, 0, sizeof e);
            CHECK_INT(
                feeds_parse_generic(bad[i].body, strlen(bad[i].body), &l, &e),
                bad[i].rc);
            CHECK_STR(e.path, bad[i].path);
            CHECK_INT(l.n, 0);
        }
    }
    free(body);
    free(batch);
}

static void test_limits(void)
{
    struct bank_txn_list l = {0};
    struct feeds_error e;
    size_t n = FEEDS_WEBHOOK_MAX + 10;
    char *big = malloc(n);

    memset(big, ' ', n);
    big[0] = '{';
    big[n - 1] = '}';
    CHECK_INT(feeds_parse_sepay(big, n, &l, &e), -FEEDS_E_TOO_LARGE);
    CHECK_INT(feeds_parse_casso(big, n, &l, &e), -FEEDS_E_TOO_LARGE);
    CHECK_INT(feeds_parse_payos(big, n, &l, &e), -FEEDS_E_TOO_LARGE);
    CHECK_INT(feeds_parse_generic(big, n, &l, &e), -FEEDS_E_TOO_LARGE);
    CHECK_INT(feeds_parse_sepay(NULL, 0, &l, &e), -FEEDS_E_SYNTAX);
    free(big);
    /* deep nesting is refused by the canonicaliser, not a crash */
    {
        char deep[2000];
        size_t i, o = 0;
        char *c;

        memcpy(deep, "{\"a\":", 5);
        o = 5;
        for (i = 0; i < 900; i++)
            deep[o++] = '[';
        for (i = 0; i < 900; i++)
            deep[o++] = ']';
        deep[o++] = '}';
        deep[o] = '\0';
        c = feeds_casso_canonical(deep, strlen(deep), 0);
        CHECK(c == NULL);
        free(c);
    }
    CHECK_STR(feeds_provider_name(FEEDS_CAMT), "camt");
    CHECK_STR(feeds_error_name(-FEEDS_E_STALE), "stale");
}

int main(void)
{
    test_sepay();
    test_casso();
    test_payos();
    test_generic();
    test_limits();
    return TEST_END();
}
