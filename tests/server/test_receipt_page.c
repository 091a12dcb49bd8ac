/*
 * test_receipt_page.c: a receipt's public page, GET /r/{number}?s=SIG,
 * against the real server: the address the intent, the cash record, the
 * receipt answer and the receipts list give (`public_url`), its page
 * without a credential (organisation, payer, amount in đồng, "Biên lai
 * hợp lệ"), a tampered, missing or borrowed signature and an unknown
 * number all the same 404, and a receipt voided by an unmatch said to be
 * void.
 */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "harness.h"
#include "srvtest.h"

static struct srvt srv;
static char admin[128], kiosk[128], cfg[400];

#define JS(r, k) json_string_value(json_object_get((r).json, k))

/* GET `path` without a credential: its status, its body into `out`. */
static long page(const char *path, char *out, size_t cap)
{
    struct resp r = st_get(&srv, path, NULL);
    long status = r.status;

    snprintf(out, cap, "%s", r.body ? r.body : "");
    resp_free(&r);
    return status;
}

/* 1 when `url` is "/r/NUMBER?s=" and 16 base64url characters. */
static int url_shape(const char *url, const char *number)
{
    char head[80];
    const char *s;

    snprintf(head, sizeof(head), "/r/%s?s=", number);
    if (url == NULL || strncmp(url, head, strlen(head)) != 0)
        return 0;
    s = url + strlen(head);
    return strlen(s) == 16 && strspn(s, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghij"
                                        "klmnopqrstuvwxyz0123456789-_") == 16;
}

/* A transfer settles A-1's intent; returns its receipt's public address
 * into `url` and its number into `num`. */
static void paid_transfer(const char *payer, const char *idem, char *num,
                          char *url, size_t cap)
{
    char code[16], path[64], out[2048];
    long long id = 0, amount = 0;
    struct resp r;

    num[0] = url[0] = '\0';
    CHECK_INT(st_intent(&srv, kiosk, payer, idem, code, &id, &amount), 0);
    CHECK_INT(st_simulate_transfer(&srv, cfg, code, amount, out, sizeof(out)),
              0);
    snprintf(path, sizeof(path), "/v1/intents/%lld", id);
    r = st_get(&srv, path, kiosk);
    CHECK_INT(r.status, 200);
    CHECK_STR(JS(r, "status"), "paid");
    snprintf(num, 40, "%s", JS(r, "receipt") ? JS(r, "receipt") : "");
    snprintf(url, cap, "%s", JS(r, "public_url") ? JS(r, "public_url") : "");
    resp_free(&r);
    CHECK(url_shape(url, num));
}

static void test_page(void)
{
    char num[40], url[96], bad[96], body[8192], none[8192], path[128];
    struct resp r;
    size_t n;

    paid_transfer("A-1", "page-a1", num, url, sizeof(url));
    /* the receipt's own answer gives the same address */
    snprintf(path, sizeof(path), "/v1/receipts/%s", num);
    r = st_get(&srv, path, kiosk);
    CHECK_INT(r.status, 200);
    CHECK_STR(JS(r, "public_url"), url);
    resp_free(&r);
    /* and so does its row in the organisation's receipts list */
    r = st_get(&srv, "/v1/orgs/MKT/receipts?payer=A-1", admin);
    CHECK_INT(r.status, 200);
    {
        json_t *rows = json_object_get(r.json, "receipts");
        const char *got = NULL;

        for (n = 0; n < json_array_size(rows); n++) {
            json_t *row = json_array_get(rows, n);

            if (strcmp(json_string_value(json_object_get(row, "number")),
                       num) == 0)
                got = json_string_value(json_object_get(row, "public_url"));
        }
        CHECK_STR(got, url);
    }
    resp_free(&r);

    /* the page, no credential */
    CHECK_INT(page(url, body, sizeof(body)), 200);
    CHECK(strstr(body, "Biên lai hợp lệ") != NULL);
    CHECK(strstr(body, "1.000.000 ₫") != NULL);
    CHECK(strstr(body, "Chợ Bến Thành") != NULL);
    CHECK(strstr(body, "Nguyễn Thị Lan (A-1)") != NULL);
    CHECK(strstr(body, num) != NULL);
    CHECK(strstr(body, "Chuyển khoản") != NULL);
    /* what it paid for, its periods written the Vietnamese way */
    CHECK(strstr(body, "10/2026") != NULL && strstr(body, "11/2026") != NULL);
    CHECK(strstr(body, "2026-10") == NULL);
    CHECK(strstr(body, "lang=\"vi\"") != NULL);
    CHECK(strstr(body, "name=\"viewport\"") != NULL);
    CHECK(strstr(body, "<script") == NULL);
    CHECK(strstr(body, "đã bị huỷ") == NULL);

    /* an unknown number: 404; everything below answers the same */
    snprintf(path, sizeof(path), "/r/MKT-2000-999999?s=%s",
             url + strlen(url) - 16);
    CHECK_INT(page(path, none, sizeof(none)), 404);
    CHECK(strstr(none, "Không tìm thấy biên lai") != NULL);
    /* one character of the signature changed */
    snprintf(bad, sizeof(bad), "%s", url);
    n = strlen(bad) - 1;
    bad[n] = bad[n] == 'A' ? 'B' : 'A';
    CHECK_INT(page(bad, body, sizeof(body)), 404);
    CHECK_STR(body, none);
    /* a signature one character short, none, empty */
    snprintf(bad, sizeof(bad), "%s", url);
    bad[strlen(bad) - 1] = '\0';
    CHECK_INT(page(bad, body, sizeof(body)), 404);
    CHECK_STR(body, none);
    snprintf(path, sizeof(path), "/r/%s", num);
    CHECK_INT(page(path, body, sizeof(body)), 404);
    CHECK_STR(body, none);
    snprintf(path, sizeof(path), "/r/%s?s=", num);
    CHECK_INT(page(path, body, sizeof(body)), 404);
    CHECK_STR(body, none);
    /* the number in lower case, or not a receipt number at all */
    snprintf(path, sizeof(path), "/r/mkt%s", url + 6);
    CHECK_INT(page(path, body, sizeof(body)), 404);
    CHECK_STR(body, none);
    CHECK_INT(page("/r/%3Cscript%3E?s=AAAAAAAAAAAAAAAA", body, sizeof(body)),
              404);
    CHECK_STR(body, none);

    /* another receipt's signature does not open this one */
    {
        char num2[40], url2[96];

        paid_transfer("A-2", "page-a2", num2, url2, sizeof(url2));
        CHECK(strcmp(url2 + strlen(url2) - 16, url + strlen(url) - 16) != 0);
        snprintf(path, sizeof(path), "/r/%s?s=%s", num,
                 url2 + strlen(url2) - 16);
        CHECK_INT(page(path, body, sizeof(body)), 404);
        CHECK_STR(body, none);
    }
    /* a wrong method: 405 */
    r = st_http(&srv, "POST", url, NULL, NULL, "", 0);
    CHECK_INT(r.status, 405);
    resp_free(&r);
}

/* Cash: the record's answer carries the address; the page says cash. */
static void test_cash(void)
{
    char body[8192], url[96];
    struct resp r;

    r = st_send(&srv, "POST", "/v1/cash", kiosk, "page-cash",
                "{\"payer\":\"A-3\",\"amount\":250000,"
                "\"collector\":\"Chị Hoa\"}");
    CHECK_INT(r.status, 201);
    snprintf(url, sizeof(url), "%s",
             JS(r, "public_url") ? JS(r, "public_url") : "");
    CHECK(url_shape(url, JS(r, "receipt") ? JS(r, "receipt") : "?"));
    resp_free(&r);
    /* replayed: the same address */
    r = st_send(&srv, "POST", "/v1/cash", kiosk, "page-cash",
                "{\"payer\":\"A-3\",\"amount\":250000,"
                "\"collector\":\"Chị Hoa\"}");
    CHECK_INT(r.status, 201);
    CHECK_STR(JS(r, "public_url"), url);
    resp_free(&r);
    CHECK_INT(page(url, body, sizeof(body)), 200);
    CHECK(strstr(body, "250.000 ₫") != NULL);
    CHECK(strstr(body, "Tiền mặt") != NULL);
    CHECK(strstr(body, "Biên lai hợp lệ") != NULL);
}

/* A transfer undone by a review unmatch: its page says the receipt is
 * void, at the same address. */
static void test_void(void)
{
    char num[40], url[96], body[8192], path[160];
    long long txn = 0, pay = 0;
    struct resp r;
    size_t i;
    json_t *a;

    paid_transfer("A-4", "page-a4", num, url, sizeof(url));
    snprintf(path, sizeof(path), "/v1/receipts/%s", num);
    r = st_get(&srv, path, admin);
    pay = json_integer_value(json_object_get(r.json, "payment"));
    resp_free(&r);
    CHECK(pay > 0);
    r = st_get(&srv, "/v1/orgs/MKT/bank/transactions?state=matched&limit=500",
               admin);
    CHECK_INT(r.status, 200);
    a = json_object_get(r.json, "transactions");
    for (i = 0; i < json_array_size(a); i++) {
        json_t *t = json_array_get(a, i);

        if (json_integer_value(json_object_get(t, "payment_id")) == pay)
            txn = json_integer_value(json_object_get(t, "id"));
    }
    resp_free(&r);
    CHECK(txn > 0);
    snprintf(path, sizeof(path), "/v1/orgs/MKT/bank/transactions/%lld/unmatch",
             txn);
    r = st_send(&srv, "POST", path, admin, NULL,
                "{\"reason\":\"chuyển nhầm sạp\"}");
    CHECK_INT(r.status, 200);
    resp_free(&r);
    CHECK_INT(page(url, body, sizeof(body)), 200);
    CHECK(strstr(body, "Biên lai đã bị huỷ") != NULL);
    CHECK(strstr(body, "Biên lai hợp lệ") == NULL);
    CHECK(strstr(body, num) != NULL);
}

int main(void)
{
    char dir[256];
    const char *extra[] = {"--config", cfg, NULL};

    CHECK_INT(st_tmpdir(dir), 0);
    CHECK_INT(st_bank_config(dir, cfg, sizeof(cfg)), 0);
    if (st_start(&srv, dir, extra) != 0) {
        CHECK(0);
        return TEST_END();
    }
    CHECK_INT(st_bank_world(&srv, admin, kiosk), 0);
    test_page();
    test_cash();
    test_void();
    CHECK_INT(st_stop(&srv), 0);
    if (th_failed == 0)
        st_rmtree(dir);
    return TEST_END();
}
