/*
 * test_kiosk_codes.c: a kiosk's payer codes as people type them, on the
 * real server: "a1", "A 1" and "a.1" find A-1 for dues, intents and cash
 * when only one payer fits; a code two payers fit is 404 ambiguous_code
 * with both as suggestions; an unknown code is 404 with the nearest codes;
 * a letter O typed for a digit 0 finds the code with the 0.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "harness.h"
#include "srvtest.h"

static struct srvt srv;
static char admin[128], kiosk[128];

#define J(r, k)  json_object_get((r).json, (k))
#define JS(r, k) json_string_value(J(r, k))

/* The error's suggestions of a 404, as "A-1,A-2" into out. */
static void suggestions(const struct resp *r, char *out, size_t cap)
{
    json_t *e = json_object_get(r->json, "error"), *v;
    size_t i, n = 0;

    out[0] = '\0';
    json_array_foreach(json_object_get(e, "suggestions"), i, v)
    {
        const char *c = json_string_value(json_object_get(v, "code"));
        n += (size_t)snprintf(out + n, n < cap ? cap - n : 0, "%s%s",
                              i ? "," : "", c ? c : "?");
    }
}

static void add_payer(const char *code, const char *name)
{
    char body[256];
    struct resp r;

    snprintf(body, sizeof(body),
             "{\"code\":\"%s\",\"name\":\"%s\",\"zone\":\"B\"}", code, name);
    r = st_send(&srv, "POST", "/v1/orgs/MKT/payers", admin, NULL, body);
    CHECK_INT(r.status, 201);
    resp_free(&r);
}

static void test_dues(void)
{
    static const char *const typed[] = {"a1",    "A1",  "a-1",
                                        "a%201", "A.1", "%20a%20-%201"};
    char path[128], s[128];
    struct resp r;

    for (size_t i = 0; i < sizeof(typed) / sizeof(typed[0]); i++) {
        snprintf(path, sizeof(path), "/v1/payers/%s/dues", typed[i]);
        r = st_get(&srv, path, kiosk);
        CHECK_INT(r.status, 200);
        CHECK_STR(JS(r, "payer"), "A-1");
        resp_free(&r);
    }
    /* B-3 and B3 are both payers: "b 3" fits both, closest first */
    r = st_get(&srv, "/v1/payers/b%203/dues", kiosk);
    CHECK_INT(r.status, 404);
    CHECK_STR(resp_err(&r), "ambiguous_code");
    suggestions(&r, s, sizeof(s));
    CHECK(strncmp(s, "B-3,B3", 6) == 0); /* then one edit away */
    resp_free(&r);
    /* typed exactly, each is itself */
    r = st_get(&srv, "/v1/payers/B3/dues", kiosk);
    CHECK_INT(r.status, 200);
    resp_free(&r);
    /* unknown: the nearest codes */
    r = st_get(&srv, "/v1/payers/A-7/dues", kiosk);
    CHECK_INT(r.status, 404);
    CHECK_STR(resp_err(&r), "payer_not_found");
    suggestions(&r, s, sizeof(s));
    CHECK_STR(s, "A-1,A-2,A-3,A-4");
    resp_free(&r);
    /* a letter O for the digit 0 */
    r = st_get(&srv, "/v1/payers/hs1o/dues", kiosk);
    CHECK_INT(r.status, 200);
    CHECK_STR(JS(r, "payer"), "HS10");
    resp_free(&r);
    /* not a code at all: refused as before */
    r = st_get(&srv, "/v1/payers/A%2A1/dues", kiosk);
    CHECK_INT(r.status, 400);
    CHECK_STR(resp_err(&r), "invalid_code");
    resp_free(&r);
}

static void test_intent_and_cash(void)
{
    struct resp r;

    r = st_send(&srv, "POST", "/v1/intents", kiosk, "codes-i1",
                "{\"payer\":\"a 2\",\"invoices\":\"all\"}");
    CHECK_INT(r.status, 201);
    CHECK_INT(json_integer_value(J(r, "amount")), 1000000); /* A-2's */
    resp_free(&r);
    r = st_send(&srv, "POST", "/v1/intents", kiosk, "codes-i2",
                "{\"payer\":\"b3\",\"invoices\":\"all\"}"); /* exact B3 */
    CHECK(r.status == 201 || r.status == 409 || r.status == 400);
    resp_free(&r);
    r = st_send(&srv, "POST", "/v1/cash", kiosk, "codes-c1",
                "{\"payer\":\"a3\",\"invoices\":\"all\",\"amount\":500000,"
                "\"collector\":\"Cô Hạnh\"}");
    CHECK_INT(r.status, 201);
    resp_free(&r);
    r = st_get(&srv, "/v1/payers/A-3/dues", kiosk);
    CHECK_INT(r.status, 200);
    CHECK_INT(json_integer_value(J(r, "total_due")), 500000);
    resp_free(&r);
    /* ambiguous for cash too: nothing recorded */
    r = st_send(&srv, "POST", "/v1/cash", kiosk, "codes-c2",
                "{\"payer\":\"B 3\",\"invoices\":\"all\",\"amount\":1000,"
                "\"collector\":\"Cô Hạnh\"}");
    CHECK_INT(r.status, 404);
    CHECK_STR(resp_err(&r), "ambiguous_code");
    resp_free(&r);
}

int main(void)
{
    char dir[256];

    CHECK_INT(st_tmpdir(dir), 0);
    if (st_start(&srv, dir, NULL) != 0) {
        CHECK(0);
        return TEST_END();
    }
    CHECK_INT(st_bank_world(&srv, admin, kiosk), 0);
    add_payer("B-3", "Vũ Thị Thu");
    add_payer("B3", "Ngô Văn Tài");
    add_payer("HS10", "Trịnh Minh Anh");
    test_dues();
    test_intent_and_cash();
    CHECK_INT(st_stop(&srv), 0);
    CHECK_INT(st_check(dir, NULL, 0), 0);
    if (th_failed == 0)
        st_rmtree(dir);
    return TEST_END();
}
