/*
 * test_payers.c: payers over HTTP against the real server: search by
 * code or name without diacritics or case ("nguyen" finds "Nguyễn",
 * "a12" finds "A-12"), the search key following a renamed payer, the
 * holder's name of a payer's own account (stored, audited, upper-case
 * ASCII only), every list a page beside its total, bad paging refused
 * with 400, payers with their own account or holding credit, and a CSV file
 * with bad lines refused whole with each line named in Vietnamese.
 */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "harness.h"
#include "srvtest.h"

#define J(r, k)  json_object_get((r).json, k)
#define JI(r, k) json_integer_value(json_object_get((r).json, k))
#define JS(r, k) json_string_value(json_object_get((r).json, k))

static struct srvt srv;
static char admin[128], kiosk[128], cfg[400];

/* The codes of a payer list answer, comma-separated, into `out`. */
static const char *codes_of(const struct resp *r, char *out, size_t cap)
{
    json_t *a = json_object_get(r->json, "payers"), *p;
    size_t i, n = 0;

    out[0] = '\0';
    json_array_foreach(a, i, p)
    {
        n += (size_t)snprintf(out + n, cap - n, "%s%s", i ? "," : "",
                              json_string_value(json_object_get(p, "code")));
        if (n >= cap)
            break;
    }
    return out;
}

/* GET the payers matching `q` (URL-encoded); their codes into `out`,
 * the total answered into *total. */
static const char *search(const char *q, char *out, size_t cap,
                          long long *total)
{
    char path[256];
    struct resp r;

    snprintf(path, sizeof(path), "/v1/orgs/MKT/payers?q=%s", q);
    r = st_get(&srv, path, admin);
    CHECK_INT(r.status, 200);
    *total = JI(r, "total");
    codes_of(&r, out, cap);
    resp_free(&r);
    return out;
}

static void test_search(void)
{
    char got[256];
    long long total = -1;
    struct resp r;

    r = st_send(&srv, "POST", "/v1/orgs/MKT/payers", admin, NULL,
                "{\"code\":\"a-12\",\"name\":\"Nguyễn Văn Tùng\","
                "\"zone\":\"A\"}");
    CHECK_INT(r.status, 201);
    resp_free(&r);
    r = st_send(&srv, "POST", "/v1/orgs/MKT/payers", admin, NULL,
                "{\"code\":\"B-7\",\"name\":\"Bà Tư Bún Bò\",\"zone\":\"B\"}");
    CHECK_INT(r.status, 201);
    resp_free(&r);
    /* A-1 is Nguyễn Thị Lan */
    CHECK_STR(search("nguyen", got, sizeof(got), &total), "A-1,A-12");
    CHECK_INT(total, 2);
    CHECK_STR(search("NGUY%E1%BB%84N", got, sizeof(got), &total), "A-1,A-12");
    CHECK_STR(search("a12", got, sizeof(got), &total), "A-12");
    CHECK_INT(total, 1);
    CHECK_STR(search("a-12", got, sizeof(got), &total), "A-12");
    CHECK_STR(search("A%2012", got, sizeof(got), &total), "A-12");
    CHECK_STR(search("van%20tung", got, sizeof(got), &total), "A-12");
    CHECK_STR(search("bun%20bo", got, sizeof(got), &total), "B-7");
    CHECK_STR(search("%C4%91%E1%BB%A9c", got, sizeof(got), &total), "A-4");
    CHECK_STR(search("khong-co-ai", got, sizeof(got), &total), "");
    CHECK_INT(total, 0);
    /* the key follows an edit of the name */
    r = st_send(&srv, "PATCH", "/v1/orgs/MKT/payers/B-7", admin, NULL,
                "{\"name\":\"Cô Ba Hủ Tiếu\"}");
    CHECK_INT(r.status, 200);
    resp_free(&r);
    CHECK_STR(search("bun", got, sizeof(got), &total), "");
    CHECK_STR(search("hu%20tieu", got, sizeof(got), &total), "B-7");
    /* one payer by its exact code */
    r = st_get(&srv, "/v1/orgs/MKT/payers?code=A-1", admin);
    CHECK_STR(codes_of(&r, got, sizeof(got)), "A-1");
    CHECK_INT(JI(r, "total"), 1);
    resp_free(&r);
    /* paging inside a search: the total stays the search's */
    r = st_get(&srv, "/v1/orgs/MKT/payers?q=nguyen&limit=1&offset=1", admin);
    CHECK_INT(r.status, 200);
    CHECK_STR(codes_of(&r, got, sizeof(got)), "A-12");
    CHECK_INT(JI(r, "total"), 2);
    resp_free(&r);
}

static void test_holder(void)
{
    struct resp r;

    r = st_send(&srv, "PATCH", "/v1/orgs/MKT/payers/A-12", admin, NULL,
                "{\"bank_bin\":\"970436\",\"bank_account\":\"0011001234567\","
                "\"bank_account_name\":\"NGUYEN VAN TUNG\"}");
    CHECK_INT(r.status, 200);
    CHECK_STR(JS(r, "bank_account_name"), "NGUYEN VAN TUNG");
    CHECK_STR(JS(r, "name"), "Nguyễn Văn Tùng");
    resp_free(&r);
    /* the bank writes it in upper-case ASCII: anything else is refused */
    r = st_send(&srv, "PATCH", "/v1/orgs/MKT/payers/A-12", admin, NULL,
                "{\"bank_account_name\":\"Nguyễn Văn Tùng\"}");
    CHECK_INT(r.status, 400);
    CHECK_STR(resp_err(&r), "invalid_field");
    resp_free(&r);
    r = st_get(&srv, "/v1/orgs/MKT/payers?q=a12", admin);
    CHECK_STR(json_string_value(json_object_get(
                  json_array_get(J(r, "payers"), 0), "bank_account_name")),
              "NGUYEN VAN TUNG");
    resp_free(&r);
    /* audited like every payer edit */
    CHECK_INT(st_audit_count_with(srv.dir, "payer.update", "NGUYEN VAN TUNG"),
              1);
    /* the standee of its own account is made */
    r = st_get(&srv, "/v1/payers/A-12/standee.png?org=MKT", admin);
    CHECK_INT(r.status, 200);
    resp_free(&r);
}

/* Every list: a page of `limit` beside the total; bad paging is 400. */
static void test_paging(void)
{
    static const char *const lists[][2] = {
        {"/v1/orgs/MKT/payers", "payers"},
        {"/v1/orgs/MKT/invoices", "invoices"},
        {"/v1/orgs/MKT/intents", "intents"},
        {"/v1/orgs/MKT/payments", "payments"},
        {"/v1/orgs/MKT/fees", "fees"},
        {"/v1/orgs/MKT/bank/transactions", "transactions"},
        {"/v1/orgs/MKT/receipts", "receipts"},
    };
    static const char *const bad[] = {
        "limit=0",  "limit=1001", "limit=abc", "limit=",   "offset=-1",
        "offset=x", "limit=1e3",  "offset=",   "after=-3",
    };
    char path[256], got[256];
    size_t i, k;
    struct resp r;

    for (i = 0; i < sizeof(lists) / sizeof(lists[0]); i++) {
        r = st_get(&srv, lists[i][0], admin);
        CHECK_INT(r.status, 200);
        CHECK(json_is_integer(J(r, "total")));
        CHECK(json_is_array(J(r, lists[i][1])));
        CHECK_INT((long long)json_array_size(J(r, lists[i][1])),
                  JI(r, "total"));
        resp_free(&r);
        snprintf(path, sizeof(path), "%s?limit=1&offset=0", lists[i][0]);
        r = st_get(&srv, path, admin);
        CHECK_INT(r.status, 200);
        CHECK(json_array_size(J(r, lists[i][1])) <= 1);
        resp_free(&r);
        for (k = 0; k < sizeof(bad) / sizeof(bad[0]); k++) {
            snprintf(path, sizeof(path), "%s?%s", lists[i][0], bad[k]);
            r = st_get(&srv, path, admin);
            CHECK_INT(r.status, 400);
            /* fees are not paged by id: `after` is unknown there */
            CHECK_STR(resp_err(&r), strcmp(lists[i][1], "fees") == 0 &&
                                            strncmp(bad[k], "after", 5) == 0
                                        ? "unknown_parameter"
                                        : "invalid_parameter");
            CHECK(json_is_string(
                json_object_get(json_object_get(r.json, "error"), "message")));
            resp_free(&r);
        }
    }
    /* 8 payers: pages of 3 */
    r = st_get(&srv, "/v1/orgs/MKT/payers?limit=3", admin);
    CHECK_STR(codes_of(&r, got, sizeof(got)), "A-1,A-2,A-3");
    CHECK_INT(JI(r, "total"), 8);
    resp_free(&r);
    r = st_get(&srv, "/v1/orgs/MKT/payers?limit=3&offset=6", admin);
    CHECK_STR(codes_of(&r, got, sizeof(got)), "A-12,B-7");
    CHECK_INT(JI(r, "total"), 8);
    resp_free(&r);
    r = st_get(&srv, "/v1/orgs/MKT/payers?offset=100", admin);
    CHECK_INT(r.status, 200);
    CHECK_INT((long long)json_array_size(J(r, "payers")), 0);
    CHECK_INT(JI(r, "total"), 8);
    resp_free(&r);
    /* invoices: 12 (two months of six stalls), filters count too */
    r = st_get(&srv, "/v1/orgs/MKT/invoices?limit=5&offset=10", admin);
    CHECK_INT((long long)json_array_size(J(r, "invoices")), 2);
    CHECK_INT(JI(r, "total"), 12);
    resp_free(&r);
    r = st_get(&srv, "/v1/orgs/MKT/invoices?payer=A-2&limit=1", admin);
    CHECK_INT((long long)json_array_size(J(r, "invoices")), 1);
    CHECK_INT(JI(r, "total"), 2);
    resp_free(&r);
    /* what a payer owes: open and partly paid invoices */
    r = st_get(&srv, "/v1/orgs/MKT/invoices?payer=A-2&status=unpaid", admin);
    CHECK_INT(JI(r, "total"), 2);
    resp_free(&r);
    /* a payer's receipts */
    r = st_send(&srv, "POST", "/v1/cash", kiosk, "cash-a2",
                "{\"payer\":\"A-2\",\"invoices\":\"all\",\"amount\":"
                "700000,\"collector\":\"Chị Hoa\"}");
    CHECK_INT(r.status, 201);
    resp_free(&r);
    r = st_get(&srv, "/v1/orgs/MKT/receipts?payer=A-2", admin);
    CHECK_INT(r.status, 200);
    CHECK_INT(JI(r, "total"), 1);
    CHECK_STR(json_string_value(json_object_get(
                  json_array_get(J(r, "receipts"), 0), "payer")),
              "A-2");
    CHECK_INT(json_integer_value(json_object_get(
                  json_array_get(J(r, "receipts"), 0), "amount")),
              700000);
    resp_free(&r);
    r = st_get(&srv, "/v1/orgs/MKT/invoices?payer=A-2&status=unpaid", admin);
    CHECK_INT(JI(r, "total"), 1); /* 700000: October paid, November partly */
    CHECK_STR(json_string_value(json_object_get(
                  json_array_get(J(r, "invoices"), 0), "status")),
              "partial");
    resp_free(&r);
    r = st_get(&srv, "/v1/orgs/MKT/receipts?payer=A-3", admin);
    CHECK_INT(JI(r, "total"), 0);
    resp_free(&r);
    r = st_get(&srv, "/v1/orgs/MKT/payments?payer=A-2", admin);
    CHECK_INT(JI(r, "total"), 1);
    resp_free(&r);
    /* a search text that is too long or not UTF-8 */
    r = st_get(&srv,
               "/v1/orgs/MKT/payers?q=0123456789012345678901234567890123456789"
               "0123456789012345678901234",
               admin);
    CHECK_INT(r.status, 400);
    CHECK_STR(resp_err(&r), "invalid_parameter");
    resp_free(&r);
    r = st_get(&srv, "/v1/orgs/MKT/payers?q=%C3%28", admin);
    CHECK_INT(r.status, 400);
    resp_free(&r);
}

/* The payers with their own account (own_account=1) and those holding
 * credit (credit=1): filtered and counted by the server, paged. */
static void test_filters(void)
{
    char got[256], code[16], out[2048];
    long long id = 0, amount = 0;
    struct resp r;

    r = st_get(&srv, "/v1/orgs/MKT/payers?own_account=1", admin);
    CHECK_INT(r.status, 200);
    CHECK_STR(codes_of(&r, got, sizeof(got)), "A-12");
    CHECK_INT(JI(r, "total"), 1);
    resp_free(&r);
    r = st_get(&srv, "/v1/orgs/MKT/payers?own_account=0&limit=2", admin);
    CHECK_INT(JI(r, "total"), 8);
    resp_free(&r);
    r = st_get(&srv, "/v1/orgs/MKT/payers?credit=1", admin);
    CHECK_INT(r.status, 200);
    CHECK_INT(JI(r, "total"), 0);
    resp_free(&r);
    /* A-4 pays 200.000 more than it owes: credit */
    CHECK_INT(st_intent(&srv, kiosk, "A-4", "filter-a4", code, &id, &amount),
              0);
    CHECK_INT(st_simulate_transfer(&srv, cfg, code, amount + 200000, out,
                                   sizeof(out)),
              0);
    r = st_get(&srv, "/v1/orgs/MKT/payers?credit=1&limit=1&offset=0", admin);
    CHECK_STR(codes_of(&r, got, sizeof(got)), "A-4");
    CHECK_INT(JI(r, "total"), 1);
    CHECK_INT(json_integer_value(
                  json_object_get(json_array_get(J(r, "payers"), 0), "credit")),
              200000);
    resp_free(&r);
    r = st_get(&srv, "/v1/orgs/MKT/payers?credit=1&own_account=1", admin);
    CHECK_INT(JI(r, "total"), 0);
    resp_free(&r);
    r = st_get(&srv, "/v1/orgs/MKT/payers?credit=1&q=a4", admin);
    CHECK_INT(JI(r, "total"), 1);
    resp_free(&r);
    r = st_get(&srv, "/v1/orgs/MKT/payers?own_account=2", admin);
    CHECK_INT(r.status, 400);
    CHECK_STR(resp_err(&r), "invalid_parameter");
    resp_free(&r);
    r = st_get(&srv, "/v1/orgs/MKT/payers?credit=yes", admin);
    CHECK_INT(r.status, 400);
    resp_free(&r);
}

/* The message of error row `i` of a refused import. */
static const char *row_msg(const struct resp *r, size_t i, const char *key)
{
    return json_string_value(json_object_get(
        json_array_get(
            json_object_get(json_object_get(r->json, "error"), "rows"), i),
        key));
}

static void test_csv(void)
{
    static const char bad[] = "Mã,Họ tên,Khu,Tên chủ tài khoản\n"
                              "C-1,Võ Thị Sáu,C,\n"
                              ",Không Mã,C,\n"
                              "C-3,,C,\n"
                              "C-1,Lặp Lại,C,\n";
    static const char good[] = "Mã,Họ tên,Khu,Ngân hàng,Số tài khoản,"
                               "Tên chủ tài khoản\n"
                               "C-1,Võ Thị Sáu,C,970436,0123456789,"
                               "Võ Thị Sáu\n"
                               "A-1,Nguyễn Thị Lan,A,,,\n";
    long long before =
        st_list_count(&srv, admin, "/v1/orgs/MKT/payers", "payers", NULL);
    long long total = 0;
    char got[64];
    struct resp r;

    r = st_http(&srv, "POST", "/v1/orgs/MKT/payers/import", admin, NULL, bad,
                sizeof(bad) - 1);
    CHECK_INT(r.status, 400);
    CHECK_STR(resp_err(&r), "invalid_csv");
    CHECK_STR(row_msg(&r, 0, "message"), "Dòng 3: thiếu mã người nộp");
    CHECK_STR(row_msg(&r, 0, "message_en"),
              "Line 3: the payer code is missing");
    CHECK_STR(row_msg(&r, 1, "message"), "Dòng 4: thiếu tên người nộp");
    CHECK_STR(row_msg(&r, 2, "message"),
              "Dòng 5: mã 'C-1' xuất hiện hai lần trong tệp");
    CHECK(row_msg(&r, 3, "message") == NULL);
    resp_free(&r);
    /* nothing changed, not even the good line */
    CHECK_INT(st_list_count(&srv, admin, "/v1/orgs/MKT/payers", "payers", NULL),
              before);
    r = st_http(&srv, "POST", "/v1/orgs/MKT/payers/import", admin, NULL, good,
                sizeof(good) - 1);
    CHECK_INT(r.status, 200);
    CHECK_INT(JI(r, "created"), 1);
    CHECK_INT(JI(r, "updated"), 1);
    resp_free(&r);
    /* the holder folded as banks write it; the new payer is found */
    CHECK_STR(search("vo%20thi%20sau", got, sizeof(got), &total), "C-1");
    CHECK_INT(st_list_count(&srv, admin, "/v1/orgs/MKT/payers", "payers",
                            "code=C-1&bank_account_name=VO THI SAU"),
              1);
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
    test_search();
    test_holder();
    test_paging();
    test_filters();
    test_csv();
    CHECK_INT(st_stop(&srv), 0);
    if (th_failed == 0)
        st_rmtree(dir);
    return TEST_END();
}
