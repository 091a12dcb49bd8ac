/*
 * test_api.c: drives the real chopay-server over HTTP on an ephemeral
 * port: operator subcommands, board set-up (orgs, fees, CSV import,
 * invoices), the kiosk API (dues, intents, long poll, cancel, cash,
 * directory/ETag), idempotency, auth and scope rules, bad input of every
 * kind, limits (413, 429), metrics, the ledger invariant and the audit
 * hash chain (recomputed here with OpenSSL, not with the server's code).
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <curl/curl.h>
#include <netinet/in.h>
#include <openssl/sha.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include "harness.h"
#include "srvtest.h"
#include "vietqr.h"

static struct srvt srv;
static char admin[128], kmkt[128], ksch[128], board[128], auditor[128];

#define J(r, k)  json_object_get((r).json, k)
#define JI(r, k) json_integer_value(json_object_get((r).json, k))
#define JS(r, k) json_string_value(json_object_get((r).json, k))

static int make_key(char *out, const char *const *argv)
{
    char buf[2048];
    int rc = st_run(buf, sizeof(buf), argv);

    st_last_line(buf, out, 128);
    return rc;
}

static void test_cli(const char *dir)
{
    char buf[4096];
    const char *init[] = {"init", "--data-dir", dir, NULL};
    const char *help[] = {"--help", NULL};
    const char *bogus[] = {"frobnicate", "--data-dir", dir, NULL};
    const char *badopt[] = {"--nope", NULL};
    const char *noname[] = {"kiosk",      "add", "--org", "MKT",
                            "--data-dir", dir,   NULL};
    const char *noorg[] = {"token",      "add", "--role", "board",
                           "--data-dir", dir,   NULL};
    const char *badrole[] = {"token",      "add", "--role", "root",
                             "--data-dir", dir,   NULL};
    const char *adm[] = {"token",      "add", "--role", "admin",
                         "--data-dir", dir,   NULL};
    const char *unknown_org[] = {"kiosk",      "add",    "--org",
                                 "NOPE",       "--name", "x",
                                 "--data-dir", dir,      NULL};

    CHECK_INT(st_run(buf, sizeof(buf), init), 0);
    CHECK_INT(st_run(buf, sizeof(buf), init), 0); /* twice is fine */
    CHECK_INT(st_run(buf, sizeof(buf), help), 0);
    CHECK(strstr(buf, "kiosk add") != NULL);
    CHECK_INT(st_run(NULL, 0, bogus), 2);
    CHECK_INT(st_run(NULL, 0, badopt), 2);
    CHECK_INT(st_run(NULL, 0, noname), 2);
    CHECK_INT(st_run(NULL, 0, noorg), 2);
    CHECK_INT(st_run(NULL, 0, badrole), 2);
    CHECK_INT(st_run(NULL, 0, unknown_org), 1);
    CHECK_INT(make_key(admin, adm), 0);
    CHECK(strncmp(admin, "ct_", 3) == 0 && strlen(admin) == 67);
}

static const char market_csv[] = "\xEF\xBB\xBF"
                                 "Mã,Họ tên,Khu\r\n"
                                 "A-1,Nguyễn Thị Lan,A\r\n"
                                 "A-2,\"Trần Văn Bình, \"\"Bình rau\"\"\",A\r\n"
                                 "a-12,Lê Thị Hồng Nhung,A\r\n"
                                 "B-1,Phạm Đức Thắng,B\r\n";

static const char bad_csv[] = "code,name,zone\n"
                              "A-3,Ngô Thị Mai,A\n"
                              "A 4,Bad Code,A\n"
                              "A-5,,A\n"
                              "A-3,Duplicate,A\n"
                              "A-6,Too,Many,Fields\n";

static void setup_board(void)
{
    struct resp r;

    /* organisations */
    r = st_send(&srv, "POST", "/v1/orgs", admin, NULL,
                "{\"code\":\"MKT\",\"kind\":\"market\",\"name\":\"Chợ Bến "
                "Thành\",\"bank_bin\":\"970436\",\"account\":\"1023456789\","
                "\"account_name\":\"BAN QUAN LY CHO\",\"prefix\":\"CT\"}");
    CHECK_INT(r.status, 201);
    CHECK_STR(JS(r, "name"), "Chợ Bến Thành");
    resp_free(&r);
    r = st_send(&srv, "POST", "/v1/orgs", admin, NULL,
                "{\"code\":\"SCH\",\"kind\":\"school\",\"name\":\"Trường "
                "THCS Nguyễn Du\",\"bank_bin\":\"970415\",\"account\":"
                "\"112000345678\",\"account_name\":\"TRUONG THCS NGUYEN DU\","
                "\"prefix\":\"HS\"}");
    CHECK_INT(r.status, 201);
    resp_free(&r);
    r = st_send(&srv, "POST", "/v1/orgs", admin, NULL,
                "{\"code\":\"MKT\",\"kind\":\"market\",\"name\":\"x\","
                "\"bank_bin\":\"970436\",\"account\":\"1234\","
                "\"account_name\":\"X\",\"prefix\":\"MK\"}");
    CHECK_INT(r.status, 409);
    resp_free(&r);
    r = st_send(&srv, "POST", "/v1/orgs", admin, NULL,
                "{\"code\":\"ZZ\",\"kind\":\"market\",\"name\":\"x\","
                "\"bank_bin\":\"123456\",\"account\":\"1234\","
                "\"account_name\":\"X\",\"prefix\":\"MK\"}");
    CHECK_INT(r.status, 400); /* unknown BIN */
    resp_free(&r);
    r = st_send(&srv, "POST", "/v1/orgs", admin, NULL,
                "{\"code\":\"ZZ\",\"kind\":\"market\",\"name\":\"x\","
                "\"bank_bin\":\"970436\",\"account\":\"1234\","
                "\"account_name\":\"X\",\"prefix\":\"IO\"}");
    CHECK_INT(r.status, 400); /* I and O are not in the alphabet */
    resp_free(&r);

    /* kiosks and tokens from the command line while the server runs */
    {
        const char *km[] = {"kiosk",    "add",        "--org", "MKT", "--name",
                            "Cổng chợ", "--data-dir", srv.dir, NULL};
        const char *ks[] = {"kiosk",  "add",        "--org", "SCH", "--name",
                            "Tài vụ", "--data-dir", srv.dir, NULL};
        const char *tb[] = {"token", "add",        "--role", "board", "--org",
                            "MKT",   "--data-dir", srv.dir,  NULL};
        const char *ta[] = {"token", "add",        "--role", "auditor", "--org",
                            "MKT",   "--data-dir", srv.dir,  NULL};

        CHECK_INT(make_key(kmkt, km), 0);
        CHECK_INT(make_key(ksch, ks), 0);
        CHECK_INT(make_key(board, tb), 0);
        CHECK_INT(make_key(auditor, ta), 0);
        CHECK(strncmp(kmkt, "ck_", 3) == 0);
    }

    /* fees: the board token of the market may write its own org */
    r = st_send(&srv, "POST", "/v1/orgs/MKT/fees", board, NULL,
                "{\"code\":\"NGAY\",\"label\":\"Phí chợ ngày\",\"kind\":"
                "\"daily\",\"amount\":10000}");
    CHECK_INT(r.status, 201);
    resp_free(&r);
    r = st_send(&srv, "POST", "/v1/orgs/MKT/fees", board, NULL,
                "{\"code\":\"THUE-A\",\"label\":\"Tiền thuê sạp khu A\","
                "\"kind\":\"monthly\",\"category\":\"A\",\"amount\":"
                "1500000}");
    CHECK_INT(r.status, 201);
    resp_free(&r);
    r = st_send(&srv, "POST", "/v1/orgs/SCH/fees", admin, NULL,
                "{\"code\":\"HP\",\"label\":\"Học phí\",\"kind\":\"term\","
                "\"amount\":2000000}");
    CHECK_INT(r.status, 201);
    resp_free(&r);
    r = st_send(&srv, "POST", "/v1/orgs/MKT/fees", board, NULL,
                "{\"code\":\"X\",\"label\":\"x\",\"kind\":\"weekly\","
                "\"amount\":1}");
    CHECK_INT(r.status, 400);
    resp_free(&r);
    r = st_send(&srv, "PATCH", "/v1/orgs/MKT/fees/NGAY", board, NULL,
                "{\"amount\":12000}");
    CHECK_INT(r.status, 200);
    CHECK_INT(JI(r, "amount"), 12000);
    resp_free(&r);
    r = st_send(&srv, "PATCH", "/v1/orgs/MKT/fees/NGAY", board, NULL,
                "{\"amount\":10000}");
    CHECK_INT(r.status, 200);
    resp_free(&r);

    /* a CSV with errors: every bad row by line, nothing imported */
    r = st_http(&srv, "POST", "/v1/orgs/MKT/payers/import", board, NULL,
                bad_csv, strlen(bad_csv));
    CHECK_INT(r.status, 400);
    CHECK_STR(resp_err(&r), "invalid_csv");
    {
        json_t *rows =
            json_object_get(json_object_get(r.json, "error"), "rows");

        CHECK_INT(json_array_size(rows), 4);
        CHECK_INT(json_integer_value(
                      json_object_get(json_array_get(rows, 0), "line")),
                  3);
        CHECK_INT(json_integer_value(
                      json_object_get(json_array_get(rows, 3), "line")),
                  6);
    }
    resp_free(&r);
    r = st_get(&srv, "/v1/orgs/MKT/payers", board);
    CHECK_INT(json_array_size(J(r, "payers")), 0);
    resp_free(&r);

    /* Excel's CSV: BOM, Vietnamese headers, CRLF, quotes */
    r = st_http(&srv, "POST", "/v1/orgs/MKT/payers/import", board, NULL,
                market_csv, strlen(market_csv));
    CHECK_INT(r.status, 200);
    CHECK_INT(JI(r, "created"), 4);
    resp_free(&r);
    r = st_get(&srv, "/v1/orgs/MKT/payers", auditor);
    CHECK_INT(r.status, 200);
    CHECK_INT(json_array_size(J(r, "payers")), 4);
    CHECK_STR(json_string_value(
                  json_object_get(json_array_get(J(r, "payers"), 1), "name")),
              "Trần Văn Bình, \"Bình rau\"");
    resp_free(&r);

    /* students one by one */
    r = st_send(&srv, "POST", "/v1/orgs/SCH/payers", admin, NULL,
                "{\"code\":\"HS1001\",\"name\":\"Đỗ Gia Hân\",\"class\":"
                "\"6A1\",\"guardian\":\"Đỗ Văn Hùng\"}");
    CHECK_INT(r.status, 201);
    resp_free(&r);
    r = st_send(&srv, "POST", "/v1/orgs/SCH/payers", admin, NULL,
                "{\"code\":\"HS1001\",\"name\":\"dup\"}");
    CHECK_INT(r.status, 409);
    resp_free(&r);
    r = st_send(&srv, "PATCH", "/v1/orgs/MKT/payers/B-1", board, NULL,
                "{\"name\":\"Phạm Đức Thắng (cá)\"}");
    CHECK_INT(r.status, 200);
    resp_free(&r);

    /* invoices: idempotent per period */
    r = st_send(&srv, "POST", "/v1/orgs/MKT/invoices/generate", board, NULL,
                "{\"period\":\"2026-11\"}");
    CHECK_INT(r.status, 200);
    CHECK_INT(JI(r, "created"), 3); /* three stalls in zone A */
    resp_free(&r);
    r = st_send(&srv, "POST", "/v1/orgs/MKT/invoices/generate", board, NULL,
                "{\"period\":\"2026-11-21\"}");
    CHECK_INT(JI(r, "created"), 4);
    resp_free(&r);
    r = st_send(&srv, "POST", "/v1/orgs/MKT/invoices/generate", board, NULL,
                "{\"period\":\"2026-11-22\"}");
    CHECK_INT(JI(r, "created"), 4);
    resp_free(&r);
    r = st_send(&srv, "POST", "/v1/orgs/MKT/invoices/generate", board, NULL,
                "{\"period\":\"2026-11\"}");
    CHECK_INT(r.status, 200);
    CHECK_INT(JI(r, "created"), 0);
    resp_free(&r);
    r = st_send(&srv, "POST", "/v1/orgs/MKT/invoices/generate", board, NULL,
                "{\"period\":\"next week\"}");
    CHECK_INT(r.status, 400);
    resp_free(&r);
    {
        const char *gen[] = {"invoices",   "generate", "--org",
                             "SCH",        "--period", "2026-HK1",
                             "--data-dir", srv.dir,    NULL};
        char buf[512];

        CHECK_INT(st_run(buf, sizeof(buf), gen), 0);
        CHECK(strstr(buf, "1 new invoices") != NULL);
        CHECK_INT(st_run(buf, sizeof(buf), gen), 0);
        CHECK(strstr(buf, "0 new invoices") != NULL);
    }
}

static void test_scope(void)
{
    struct resp r;

    r = st_get(&srv, "/v1/payers/A-1/dues", NULL);
    CHECK_INT(r.status, 401);
    CHECK_STR(resp_err(&r), "unauthorized");
    resp_free(&r);
    r = st_get(&srv, "/v1/payers/A-1/dues", "ck_0000000000000000000000000");
    CHECK_INT(r.status, 401);
    resp_free(&r);
    r = st_get(&srv, "/v1/payers/A-1/dues", board); /* token, not kiosk */
    CHECK_INT(r.status, 403);
    resp_free(&r);
    r = st_get(&srv, "/v1/orgs/MKT/invoices", kmkt); /* kiosk, not board */
    CHECK_INT(r.status, 403);
    resp_free(&r);
    /* the market's kiosk cannot see the school's students */
    r = st_get(&srv, "/v1/payers/HS1001/dues", kmkt);
    CHECK_INT(r.status, 404);
    resp_free(&r);
    r = st_get(&srv, "/v1/payers/HS1001/dues", ksch);
    CHECK_INT(r.status, 200);
    CHECK_STR(JS(r, "name"), "Đỗ Gia Hân");
    CHECK_INT(JI(r, "total_due"), 2000000);
    resp_free(&r);
    /* a market board token cannot touch the school */
    r = st_get(&srv, "/v1/orgs/SCH/payers", board);
    CHECK_INT(r.status, 403);
    resp_free(&r);
    r = st_send(&srv, "POST", "/v1/orgs/SCH/fees", board, NULL,
                "{\"code\":\"Y\",\"label\":\"y\",\"kind\":\"oneoff\","
                "\"amount\":1}");
    CHECK_INT(r.status, 403);
    resp_free(&r);
    r = st_get(&srv, "/v1/orgs", board);
    CHECK_INT(json_array_size(J(r, "orgs")), 1);
    resp_free(&r);
    r = st_get(&srv, "/v1/orgs", admin);
    CHECK_INT(json_array_size(J(r, "orgs")), 2);
    resp_free(&r);
    /* only admins create organisations; auditors never write */
    r = st_send(&srv, "POST", "/v1/orgs", board, NULL, "{}");
    CHECK_INT(r.status, 403);
    resp_free(&r);
    r = st_send(&srv, "POST", "/v1/orgs/MKT/fees", auditor, NULL,
                "{\"code\":\"Y\",\"label\":\"y\",\"kind\":\"oneoff\","
                "\"amount\":1}");
    CHECK_INT(r.status, 403);
    resp_free(&r);
    r = st_send(&srv, "PATCH", "/v1/orgs/MKT", auditor, NULL,
                "{\"name\":\"x\"}");
    CHECK_INT(r.status, 403);
    resp_free(&r);
    r = st_get(&srv, "/v1/orgs/MKT/invoices", auditor);
    CHECK_INT(r.status, 200);
    CHECK_INT(json_array_size(J(r, "invoices")), 11);
    resp_free(&r);
    r = st_get(&srv, "/v1/orgs/MKT", auditor);
    CHECK_INT(r.status, 200);
    CHECK_STR(json_string_value(json_object_get(J(r, "bank"), "short_name")),
              "Vietcombank");
    resp_free(&r);
}

static void test_bad_input(void)
{
    struct resp r;
    char *big;

    r = st_get(&srv, "/v1/nothing", kmkt);
    CHECK_INT(r.status, 404);
    CHECK_STR(resp_err(&r), "not_found");
    resp_free(&r);
    r = st_send(&srv, "DELETE", "/v1/intents", kmkt, NULL, NULL);
    CHECK_INT(r.status, 405);
    CHECK_STR(r.allow, "POST");
    CHECK_STR(resp_err(&r), "method_not_allowed");
    resp_free(&r);
    r = st_send(&srv, "POST", "/v1/intents", kmkt, "bad-1", "{\"payer\":");
    CHECK_INT(r.status, 400);
    CHECK_STR(resp_err(&r), "invalid_json");
    resp_free(&r);
    r = st_send(&srv, "POST", "/v1/intents", kmkt, "bad-2", "[1,2]");
    CHECK_INT(r.status, 400);
    resp_free(&r);
    r = st_send(&srv, "POST", "/v1/intents", kmkt, "bad-3",
                "{\"payer\":\"A-1\",\"colour\":\"red\"}");
    CHECK_INT(r.status, 400);
    CHECK_STR(resp_err(&r), "unknown_field");
    resp_free(&r);
    r = st_send(&srv, "POST", "/v1/intents", kmkt, "bad-4", "{\"payer\":12}");
    CHECK_INT(r.status, 400);
    CHECK_STR(resp_err(&r), "invalid_type");
    resp_free(&r);
    r = st_send(&srv, "POST", "/v1/intents", kmkt, "bad-5",
                "{\"payer\":\"A-1\",\"amount\":\"10000\"}");
    CHECK_INT(r.status, 400);
    resp_free(&r);
    r = st_send(&srv, "POST", "/v1/intents", kmkt, "bad-6",
                "{\"payer\":\"A-1\",\"amount\":1.5}");
    CHECK_INT(r.status, 400);
    resp_free(&r);
    r = st_send(&srv, "POST", "/v1/intents", kmkt, "bad-7",
                "{\"payer\":\"A-1\",\"amount\":-5}");
    CHECK_INT(r.status, 400);
    resp_free(&r);
    r = st_send(&srv, "POST", "/v1/intents", kmkt, "bad-8",
                "{\"payer\":\"A-1\",\"invoices\":\"some\"}");
    CHECK_INT(r.status, 400);
    resp_free(&r);
    r = st_send(&srv, "POST", "/v1/intents", kmkt, "bad-9",
                "{\"payer\":\"A-1\",\"invoices\":[0]}");
    CHECK_INT(r.status, 400);
    resp_free(&r);
    r = st_send(&srv, "POST", "/v1/intents", kmkt, "bad-10",
                "{\"payer\":\"A-1\",\"payer\":\"A-2\"}");
    CHECK_INT(r.status, 400); /* duplicate keys */
    resp_free(&r);
    r = st_send(&srv, "POST", "/v1/intents", kmkt, NULL, "{\"payer\":\"A-1\"}");
    CHECK_INT(r.status, 400);
    CHECK_STR(resp_err(&r), "idempotency_key_required");
    resp_free(&r);
    r = st_send(&srv, "POST", "/v1/intents", kmkt, "bad-11",
                "{\"payer\":\"Z-99\"}");
    CHECK_INT(r.status, 404);
    CHECK_STR(resp_err(&r), "payer_not_found");
    resp_free(&r);
    r = st_send(&srv, "POST", "/v1/intents", kmkt, "bad-12",
                "{\"payer\":\"A-1\",\"invoices\":[999999]}");
    CHECK_INT(r.status, 404);
    resp_free(&r);
    r = st_send(&srv, "POST", "/v1/intents", kmkt, "bad-13",
                "{\"payer\":\"A-1\",\"amount\":999999999}");
    CHECK_INT(r.status, 400);
    CHECK_STR(resp_err(&r), "amount_exceeds_due");
    resp_free(&r);
    r = st_get(&srv, "/v1/intents/abc", kmkt);
    CHECK_INT(r.status, 404);
    resp_free(&r);
    r = st_get(&srv, "/v1/intents/1?wait=61", kmkt);
    CHECK_INT(r.status, 400);
    resp_free(&r);
    r = st_get(&srv, "/v1/intents/1?wait=x", kmkt);
    CHECK_INT(r.status, 400);
    resp_free(&r);
    r = st_get(&srv, "/v1/payers/A-1/dues?debug=1", kmkt);
    CHECK_INT(r.status, 400);
    CHECK_STR(resp_err(&r), "unknown_parameter");
    resp_free(&r);
    r = st_get(&srv, "/v1/orgs/MKT/invoices?limit=0", admin);
    CHECK_INT(r.status, 400);
    resp_free(&r);
    /* 64 KiB + 1 byte: 413 and nothing changed */
    big = malloc(65537 + 1);
    memset(big, ' ', 65537);
    big[0] = '{';
    big[65536] = '}';
    big[65537] = '\0';
    r = st_send(&srv, "POST", "/v1/intents", kmkt, "big-1", big);
    CHECK_INT(r.status, 413);
    CHECK_STR(resp_err(&r), "body_too_large");
    resp_free(&r);
    /* same without Content-Length (chunked) */
    {
        const char *h[] = {"Idempotency-Key: big-2",
                           "Transfer-Encoding: chunked", NULL};

        r = st_http(&srv, "POST", "/v1/intents", kmkt, h, big, 65537);
        CHECK_INT(r.status, 413);
        resp_free(&r);
    }
    free(big);
    r = st_get(&srv, "/v1/orgs/MKT/intents", admin);
    CHECK_INT(json_array_size(J(r, "intents")), 0); /* nothing created */
    resp_free(&r);
}

struct poll_arg {
    char path[128];
    struct resp r;
};

static void *poll_thread(void *p)
{
    struct poll_arg *a = p;

    a->r = st_get(&srv, a->path, kmkt);
    return NULL;
}

static void test_intents(void)
{
    struct resp r, r2;
    struct poll_arg pa;
    pthread_t th;
    int64_t id, id2, inv_first;
    char path[128], code[32];
    const char *h;

    r = st_get(&srv, "/v1/payers/a-12/dues", kmkt); /* case-insensitive */
    CHECK_INT(r.status, 200);
    CHECK_STR(JS(r, "name"), "Lê Thị Hồng Nhung");
    CHECK_INT(json_array_size(J(r, "invoices")), 3);
    CHECK_INT(JI(r, "total_due"), 1520000);
    /* oldest first: the month, then the two days */
    CHECK_STR(json_string_value(json_object_get(
                  json_array_get(J(r, "invoices"), 0), "period")),
              "2026-11");
    inv_first = json_integer_value(
        json_object_get(json_array_get(J(r, "invoices"), 1), "id"));
    resp_free(&r);

    r = st_send(&srv, "POST", "/v1/intents", kmkt, "int-1",
                "{\"payer\":\"A-12\",\"invoices\":\"all\"}");
    CHECK_INT(r.status, 201);
    CHECK_INT(JI(r, "amount"), 1520000);
    CHECK_STR(JS(r, "status"), "pending");
    CHECK_STR(JS(r, "account"), "1023456789");
    CHECK_STR(JS(r, "account_name"), "BAN QUAN LY CHO");
    CHECK_STR(json_string_value(json_object_get(J(r, "bank"), "bin")),
              "970436");
    CHECK(JS(r, "code") && strncmp(JS(r, "code"), "CT", 2) == 0 &&
          strlen(JS(r, "code")) == 10);
    h = JS(r, "payload");
    CHECK(h && strncmp(h, "000201010212", 12) == 0);
    CHECK(h && strstr(h, "0006970436") != NULL);
    CHECK(h && strstr(h, "54071520000") != NULL);
    CHECK(h && JS(r, "code") && strstr(h, JS(r, "code")) != NULL);
    CHECK(JS(r, "expires_at") != NULL);
    {
        /* the payload decodes as valid VietQR with our account and code */
        struct vietqr_fields f;
        struct vietqr_report rep;

        CHECK_INT(vietqr_decode(h ? h : "", h ? strlen(h) : 0, &f, &rep), 0);
        CHECK_STR(f.bin, "970436");
        CHECK_STR(f.account, "1023456789");
        CHECK_INT(f.amount, 1520000);
        CHECK(f.dynamic);
        CHECK_STR(f.content, JS(r, "code"));
    }
    CHECK(JI(r, "expires_in") > 890 && JI(r, "expires_in") <= 900);
    id = JI(r, "id");
    snprintf(code, sizeof(code), "%s", JS(r, "code") ? JS(r, "code") : "");
    CHECK(!r.replayed);
    /* replay: same answer */
    r2 = st_send(&srv, "POST", "/v1/intents", kmkt, "int-1",
                 "{\"payer\":\"A-12\",\"invoices\":\"all\"}");
    CHECK_INT(r2.status, 201);
    CHECK_INT(JI(r2, "id"), id);
    CHECK_STR(JS(r2, "code"), code);
    CHECK(r2.replayed);
    resp_free(&r2);
    /* same key, other body: 409 */
    r2 = st_send(&srv, "POST", "/v1/intents", kmkt, "int-1",
                 "{\"payer\":\"A-1\",\"invoices\":\"all\"}");
    CHECK_INT(r2.status, 409);
    CHECK_STR(resp_err(&r2), "idempotency_key_reused");
    resp_free(&r2);
    /* the school's kiosk cannot read the market's intent */
    snprintf(path, sizeof(path), "/v1/intents/%lld", (long long)id);
    r2 = st_get(&srv, path, ksch);
    CHECK_INT(r2.status, 404);
    resp_free(&r2);
    /* the same key from another kiosk is another request */
    r2 = st_send(&srv, "POST", "/v1/intents", ksch, "int-1",
                 "{\"payer\":\"HS1001\"}");
    CHECK_INT(r2.status, 201);
    CHECK(strncmp(JS(r2, "code") ? JS(r2, "code") : "", "HS", 2) == 0);
    resp_free(&r2);
    resp_free(&r);

    /* a long poll with nothing happening returns pending after the wait */
    snprintf(path, sizeof(path), "/v1/intents/%lld?wait=1", (long long)id);
    r = st_get(&srv, path, kmkt);
    CHECK_INT(r.status, 200);
    CHECK_STR(JS(r, "status"), "pending");
    CHECK(r.secs >= 0.9 && r.secs < 3);
    resp_free(&r);
    snprintf(path, sizeof(path), "/v1/intents/%lld", (long long)id);
    r = st_get(&srv, path, kmkt);
    CHECK(r.secs < 0.5);
    CHECK_INT(json_array_size(J(r, "invoices")), 3);
    resp_free(&r);

    /* cancel wakes a waiting long poll at once */
    snprintf(pa.path, sizeof(pa.path), "/v1/intents/%lld?wait=20",
             (long long)id);
    pthread_create(&th, NULL, poll_thread, &pa);
    usleep(400000);
    r = st_get(&srv, "/metrics", admin);
    CHECK(r.body && strstr(r.body, "chopay_longpoll_waiting 1") != NULL);
    resp_free(&r);
    snprintf(path, sizeof(path), "/v1/intents/%lld/cancel", (long long)id);
    r = st_send(&srv, "POST", path, kmkt, NULL, NULL);
    CHECK_INT(r.status, 200);
    CHECK_STR(JS(r, "status"), "cancelled");
    resp_free(&r);
    pthread_join(th, NULL);
    CHECK_INT(pa.r.status, 200);
    CHECK_STR(JS(pa.r, "status"), "cancelled");
    CHECK(pa.r.secs < 1.5);
    resp_free(&pa.r);
    /* cancelled: a long poll answers at once */
    snprintf(path, sizeof(path), "/v1/intents/%lld?wait=30", (long long)id);
    r = st_get(&srv, path, kmkt);
    CHECK_STR(JS(r, "status"), "cancelled");
    CHECK(r.secs < 0.5);
    resp_free(&r);

    /* a partial intent for one invoice, settled by cash meanwhile */
    {
        char body[128];

        snprintf(body, sizeof(body),
                 "{\"payer\":\"A-12\",\"invoices\":[%lld],\"amount\":5000}",
                 (long long)inv_first);
        r = st_send(&srv, "POST", "/v1/intents", kmkt, "int-2", body);
        CHECK_INT(r.status, 201);
        CHECK_INT(JI(r, "amount"), 5000);
        id2 = JI(r, "id");
        resp_free(&r);
    }
    snprintf(pa.path, sizeof(pa.path), "/v1/intents/%lld?wait=20",
             (long long)id2);
    pthread_create(&th, NULL, poll_thread, &pa);
    usleep(300000);
    r = st_send(&srv, "POST", "/v1/cash", kmkt, "cash-1",
                "{\"payer\":\"A-12\",\"invoices\":\"all\",\"amount\":"
                "1510000,\"collector\":\"Chị Hoa\"}");
    CHECK_INT(r.status, 201);
    CHECK_INT(JI(r, "remaining_due"), 10000);
    CHECK_INT(json_array_size(J(r, "allocations")), 2);
    {
        int64_t pay = JI(r, "payment");

        /* replay and conflict */
        r2 = st_send(&srv, "POST", "/v1/cash", kmkt, "cash-1",
                     "{\"payer\":\"A-12\",\"invoices\":\"all\",\"amount\":"
                     "1510000,\"collector\":\"Chị Hoa\"}");
        CHECK_INT(r2.status, 201);
        CHECK_INT(JI(r2, "payment"), pay);
        CHECK(r2.replayed);
        resp_free(&r2);
        r2 = st_send(&srv, "POST", "/v1/cash", kmkt, "cash-1",
                     "{\"payer\":\"A-12\",\"invoices\":\"all\",\"amount\":"
                     "1000,\"collector\":\"Chị Hoa\"}");
        CHECK_INT(r2.status, 409);
        resp_free(&r2);
    }
    resp_free(&r);
    pthread_join(th, NULL);
    CHECK_INT(pa.r.status, 200);
    CHECK_STR(JS(pa.r, "status"), "cancelled");
    CHECK_STR(JS(pa.r, "reason"), "invoices_paid_otherwise");
    CHECK(pa.r.secs < 1.5);
    resp_free(&pa.r);

    r = st_get(&srv, "/v1/payers/A-12/dues", kmkt);
    CHECK_INT(JI(r, "total_due"), 10000);
    CHECK_INT(json_array_size(J(r, "invoices")), 1);
    resp_free(&r);
    /* more cash than due: refused, nothing changes */
    r = st_send(&srv, "POST", "/v1/cash", kmkt, "cash-2",
                "{\"payer\":\"A-12\",\"amount\":20000,\"collector\":\"Hoa\"}");
    CHECK_INT(r.status, 400);
    CHECK_STR(resp_err(&r), "amount_exceeds_due");
    resp_free(&r);
    r = st_send(&srv, "POST", "/v1/cash", kmkt, "cash-3",
                "{\"payer\":\"A-12\",\"amount\":10000}");
    CHECK_INT(r.status, 400);
    CHECK_STR(resp_err(&r), "missing_field");
    resp_free(&r);
    /* a collector with a newline and a journald priority: one log line */
    r = st_send(&srv, "POST", "/v1/cash", kmkt, "cash-4",
                "{\"payer\":\"A-12\",\"amount\":10000,\"collector\":"
                "\"Hoa\\n<1>chopay-server: forged=cash\\\" x=\\\\\"}");
    CHECK_INT(r.status, 201);
    resp_free(&r);
    {
        int first = -1;

        CHECK_INT(st_log_grep(&srv, "forged=cash", &first), 1);
        CHECK_INT(first, 0);
        CHECK_INT(st_log_grep(&srv,
                              "collector=\"Hoa\\n<1>chopay-server: "
                              "forged=cash\\\" x=\\\\\" who=",
                              NULL),
                  1);
        CHECK_INT(st_log_grep(&srv, "<1>", &first), 1);
        CHECK_INT(first, 0);
    }
    r = st_send(&srv, "POST", "/v1/intents", kmkt, "int-3",
                "{\"payer\":\"A-12\"}");
    CHECK_INT(r.status, 409);
    CHECK_STR(resp_err(&r), "nothing_due");
    resp_free(&r);

    /* lists with filters */
    r = st_get(&srv, "/v1/orgs/MKT/invoices?payer=A-12&status=paid", board);
    CHECK_INT(json_array_size(J(r, "invoices")), 3);
    resp_free(&r);
    r = st_get(&srv, "/v1/orgs/MKT/invoices?status=open", board);
    CHECK_INT(json_array_size(J(r, "invoices")), 8);
    resp_free(&r);
    r = st_get(&srv, "/v1/orgs/MKT/payments?method=cash", auditor);
    CHECK_INT(json_array_size(J(r, "payments")), 2);
    CHECK_STR(json_string_value(json_object_get(
                  json_array_get(J(r, "payments"), 0), "collector")),
              "Chị Hoa");
    resp_free(&r);
    r = st_get(&srv, "/v1/orgs/MKT/payments?method=transfer", auditor);
    CHECK_INT(json_array_size(J(r, "payments")), 0);
    resp_free(&r);
    r = st_get(&srv, "/v1/orgs/MKT/intents?status=cancelled", board);
    CHECK_INT(json_array_size(J(r, "intents")), 2);
    resp_free(&r);
}

static void test_directory(void)
{
    struct resp r, r2;
    char inm[120];
    const char *h[2] = {inm, NULL};

    r = st_get(&srv, "/v1/kiosk/directory", kmkt);
    CHECK_INT(r.status, 200);
    CHECK(r.etag[0] == '"');
    CHECK_INT(json_array_size(J(r, "payers")), 4);
    CHECK_INT(json_array_size(J(r, "fees")), 2);
    CHECK_STR(json_string_value(json_object_get(J(r, "org"), "name")),
              "Chợ Bến Thành");
    snprintf(inm, sizeof(inm), "If-None-Match: %s", r.etag);
    r2 = st_http(&srv, "GET", "/v1/kiosk/directory", kmkt, h, NULL, 0);
    CHECK_INT(r2.status, 304);
    CHECK_INT(r2.len, 0);
    resp_free(&r2);
    r2 = st_send(&srv, "POST", "/v1/orgs/MKT/payers", board, NULL,
                 "{\"code\":\"C-7\",\"name\":\"Hồ Thị Xuân\",\"zone\":\"C\"}");
    CHECK_INT(r2.status, 201);
    resp_free(&r2);
    r2 = st_http(&srv, "GET", "/v1/kiosk/directory", kmkt, h, NULL, 0);
    CHECK_INT(r2.status, 200);
    CHECK(strcmp(r2.etag, r.etag) != 0);
    CHECK_INT(json_array_size(J(r2, "payers")), 5);
    resp_free(&r2);
    resp_free(&r);
    r = st_get(&srv, "/v1/kiosk/directory", ksch);
    CHECK_INT(json_array_size(J(r, "payers")), 1);
    resp_free(&r);
}

/* Codes reserved ahead for the kiosk's offline QR codes. */
static void test_codes(void)
{
    struct resp r, r2;
    char c0[16], body[160];

    r = st_send(&srv, "POST", "/v1/kiosk/codes", kmkt, "codes-1",
                "{\"count\":5}");
    CHECK_INT(r.status, 201);
    CHECK_INT(json_array_size(J(r, "codes")), 5);
    snprintf(c0, sizeof(c0), "%s",
             json_string_value(json_array_get(J(r, "codes"), 0))
                 ? json_string_value(json_array_get(J(r, "codes"), 0))
                 : "");
    CHECK(strncmp(c0, "CT", 2) == 0 && strlen(c0) == 10);
    r2 = st_send(&srv, "POST", "/v1/kiosk/codes", kmkt, "codes-1",
                 "{\"count\":5}");
    CHECK_INT(r2.status, 201);
    CHECK(r2.replayed);
    CHECK(json_equal(J(r, "codes"), J(r2, "codes")));
    resp_free(&r2);
    resp_free(&r);
    r = st_send(&srv, "POST", "/v1/kiosk/codes", kmkt, "codes-2",
                "{\"count\":101}");
    CHECK_INT(r.status, 400);
    resp_free(&r);
    r = st_send(&srv, "POST", "/v1/kiosk/codes", kmkt, "codes-3",
                "{\"count\":0}");
    CHECK_INT(r.status, 400);
    resp_free(&r);
    r = st_send(&srv, "POST", "/v1/kiosk/codes", board, "codes-4",
                "{\"count\":1}");
    CHECK_INT(r.status, 403);
    resp_free(&r);
    /* the offline intent arrives later with its reserved code */
    snprintf(body, sizeof(body),
             "{\"payer\":\"A-1\",\"invoices\":\"all\",\"amount\":10000,"
             "\"code\":\"%s\"}",
             c0);
    r = st_send(&srv, "POST", "/v1/intents", kmkt, "offline-1", body);
    CHECK_INT(r.status, 201);
    CHECK_STR(JS(r, "code"), c0);
    CHECK(JS(r, "payload") && strstr(JS(r, "payload"), c0) != NULL);
    CHECK_INT(JI(r, "amount"), 10000);
    resp_free(&r);
    r = st_send(&srv, "POST", "/v1/intents", kmkt, "offline-1", body);
    CHECK_INT(r.status, 201);
    CHECK(r.replayed);
    resp_free(&r);
    r = st_send(&srv, "POST", "/v1/intents", kmkt, "offline-2", body);
    CHECK_INT(r.status, 409);
    CHECK_STR(resp_err(&r), "code_used");
    resp_free(&r);
    /* another kiosk cannot claim it; a malformed code is 400 */
    snprintf(body, sizeof(body), "{\"payer\":\"HS1001\",\"code\":\"%s\"}", c0);
    r = st_send(&srv, "POST", "/v1/intents", ksch, "offline-3", body);
    CHECK_INT(r.status, 409);
    CHECK_STR(resp_err(&r), "code_not_reserved");
    resp_free(&r);
    r = st_send(&srv, "POST", "/v1/intents", kmkt, "offline-4",
                "{\"payer\":\"A-1\",\"code\":\"CT2345678Z\"}");
    CHECK_INT(r.status, 400);
    resp_free(&r);
}

static void test_ops(void)
{
    struct resp r = st_get(&srv, "/healthz", NULL);

    CHECK_INT(r.status, 200);
    CHECK_STR(JS(r, "status"), "ok");
    resp_free(&r);
    r = st_get(&srv, "/metrics", admin);
    CHECK_INT(r.status, 200);
    CHECK(r.body && strstr(r.body, "chopay_http_requests_total{method=\"GET\","
                                   "route=\"/v1/payers/{code}/dues\","
                                   "code=\"2xx\"}") != NULL);
    CHECK(r.body && strstr(r.body, "chopay_http_request_duration_seconds_"
                                   "bucket") != NULL);
    CHECK(r.body && strstr(r.body, "chopay_payments_total{method=\"cash\"} "
                                   "2") != NULL);
    CHECK(r.body &&
          strstr(r.body, "chopay_intents{status=\"cancelled\"} 2") != NULL);
    CHECK(r.body && strstr(r.body, "chopay_longpoll_waiting 0") != NULL);
    resp_free(&r);
}

/* The audit chain walked by test_audit_chain: the hash before the next
 * entry, the entries seen, 0 once one does not verify. */
struct chain {
    char prev[65];
    int n;
    int ok;
};

/* One audit entry as GET /v1/audit gives it: recompute its hash outside
 * the server from its fields (the details written back as the server
 * stores them: compact, keys sorted). */
static void chain_entry(struct chain *c, json_t *e)
{
    const char *f[6],
        *prev = json_string_value(json_object_get(e, "prev_hash"));
    const char *hash = json_string_value(json_object_get(e, "hash"));
    json_t *d = json_object_get(e, "details");
    char buf[8192], hex[65], at[24], *detail;
    unsigned char h[32];
    int len, i;

    detail = json_is_string(d) ? strdup(json_string_value(d))
                               : json_dumps(d, JSON_COMPACT | JSON_SORT_KEYS);
    snprintf(at, sizeof(at), "%lld",
             (long long)json_integer_value(json_object_get(e, "at")));
    f[0] = c->prev;
    f[1] = at;
    f[2] = json_string_value(json_object_get(e, "actor"));
    f[3] = json_string_value(json_object_get(e, "action"));
    f[4] = json_string_value(json_object_get(e, "subject"));
    f[5] = detail;
    if (prev == NULL || hash == NULL || f[2] == NULL || f[3] == NULL ||
        f[4] == NULL || detail == NULL) {
        c->ok = 0;
        free(detail);
        return;
    }
    if (json_integer_value(json_object_get(e, "encoding")) == 2) {
        len = snprintf(buf, sizeof(buf), "chopay-audit/2\n");
        for (i = 0; i < 6 && len < (int)sizeof(buf); i++)
            len += snprintf(buf + len, sizeof(buf) - (size_t)len, "%zu:%s\n",
                            strlen(f[i]), f[i]);
        CHECK(len < (int)sizeof(buf));
    } else {
        len = snprintf(buf, sizeof(buf), "%s\n%s\n%s\n%s\n%s\n%s", c->prev,
                       f[1], f[2], f[3], f[4], f[5]);
    }
    free(detail);
    SHA256((const unsigned char *)buf, (size_t)len, h);
    for (i = 0; i < 32; i++)
        sprintf(hex + 2 * i, "%02x", h[i]);
    if (strcmp(c->prev, prev) != 0 || strcmp(hex, hash) != 0)
        c->ok = 0;
    memcpy(c->prev, hex, sizeof(c->prev));
    c->n++;
}

/* The ledger's invariants (chopay-server check) and the audit hash chain,
 * read through GET /v1/audit and recomputed outside the server. */
static void test_audit_chain(const char *dir)
{
    struct chain c = {"0000000000000000000000000000000000000000000000000000"
                      "000000000000",
                      0, 1};
    struct resp r = st_get(&srv, "/v1/audit?limit=1000", admin);
    char url[300];
    json_t *e;
    size_t i;

    CHECK_INT(st_check(dir, NULL, 0), 0);
    CHECK_INT(r.status, 200);
    /* entries from audit_encodings' from_id on (encoding 2): every field
       written as its length, ':', its bytes and '\n' behind a tag;
       before: joined by newlines */
    json_array_foreach(json_object_get(r.json, "entries"), i, e)
        chain_entry(&c, e);
    CHECK_INT(st_json_int(r.json, "total"), c.n);
    CHECK(c.ok);
    CHECK(c.n > 20);
    resp_free(&r);
    /* append-only: the triggers refuse edits behind the server's back */
    st_db_url(dir, url, sizeof(url));
    CHECK(st_tamper(url, "UPDATE audit SET actor = 'x'") != 0);
    CHECK(st_tamper(url, "DELETE FROM audit") != 0);
}

static void test_rate_limit(const char *dir)
{
    struct srvt s2;
    char d2[256], conf[300], db[1024];
    const char *extra[] = {"--config", conf, "--db", db, NULL};
    FILE *f;
    int i, n429 = 0, n200 = 0;

    CHECK_INT(st_tmpdir(d2), 0);
    snprintf(conf, sizeof(conf), "%s/server.ini", d2);
    st_db_url(dir, db, sizeof(db));
    f = fopen(conf, "w");
    fprintf(f, "; test config\n[server]\nrate = 2\nburst = 5\n"
               "threads = 2\n");
    fclose(f);
    CHECK_INT(st_start(&s2, d2, extra), 0);
    for (i = 0; i < 15; i++) {
        struct resp r = st_get(&s2, "/v1/kiosk/directory", kmkt);

        if (r.status == 429) {
            n429++;
            if (n429 == 1)
                CHECK_STR(resp_err(&r), "rate_limited");
        }
        if (r.status == 200)
            n200++;
        resp_free(&r);
    }
    CHECK(n200 >= 5 && n200 <= 8);
    CHECK(n429 >= 7);
    /* another credential has its own bucket */
    {
        struct resp r = st_get(&s2, "/v1/kiosk/directory", ksch);

        CHECK_INT(r.status, 200);
        resp_free(&r);
    }
    /* unauthenticated writes (webhooks) are limited per client address:
       junk with no valid signature cannot make the journal grow at will */
    n429 = 0;
    for (i = 0; i < 15; i++) {
        struct resp r =
            st_send(&s2, "POST", "/v1/bank/sepay", NULL, NULL, "{\"junk\":1}");

        if (r.status == 429) {
            n429++;
            if (n429 == 1)
                CHECK_STR(resp_err(&r), "rate_limited");
        } else {
            CHECK(r.status >= 400 && r.status < 500);
        }
        resp_free(&r);
    }
    CHECK(n429 >= 7);
    /* behind the nginx front end (on loopback) each client's X-Real-IP
       has its own bucket */
    {
        const char *hdrs[] = {"X-Real-IP: 203.0.113.9", NULL};
        struct resp r = st_http(&s2, "POST", "/v1/bank/sepay", NULL, hdrs,
                                "{\"junk\":1}", 10);

        CHECK(r.status >= 400 && r.status < 500 && r.status != 429);
        resp_free(&r);
    }
    CHECK_INT(st_stop(&s2), 0);
    /* connections per client address */
    f = fopen(conf, "w");
    fprintf(f, "[server]\nper_ip_connections = 2\nthreads = 1\n");
    fclose(f);
    CHECK_INT(st_start(&s2, d2, extra), 0);
    {
        int fds[3], i2, port = atoi(strrchr(s2.base, ':') + 1);
        struct sockaddr_in a;
        char buf[16];

        memset(&a, 0, sizeof(a));
        a.sin_family = AF_INET;
        a.sin_port = htons((uint16_t)port);
        a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        for (i2 = 0; i2 < 3; i2++) {
            fds[i2] = socket(AF_INET, SOCK_STREAM, 0);
            CHECK_INT(connect(fds[i2], (struct sockaddr *)&a, sizeof(a)), 0);
            usleep(50000);
        }
        /* the third is closed by the server without an answer */
        {
            struct timeval tv = {3, 0};

            setsockopt(fds[2], SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
            CHECK_INT(read(fds[2], buf, sizeof(buf)), 0);
        }
        for (i2 = 0; i2 < 3; i2++)
            close(fds[i2]);
    }
    CHECK_INT(st_stop(&s2), 0);
    /* a bad config file is a usage error */
    f = fopen(conf, "w");
    fprintf(f, "[server]\nrate = lots\n");
    fclose(f);
    {
        const char *argv[] = {"serve", "--config", conf, NULL};

        CHECK_INT(st_run(NULL, 0, argv), 2);
    }
    if (th_failed == 0)
        st_rmtree(d2);
}

/* --demo: seeded once, the same keys and data on the second run. */
static void test_demo(void)
{
    struct srvt d;
    char dir[256], path[300], first[128];
    const char *extra[] = {"--demo", NULL};
    json_t *cred;
    int run;

    CHECK_INT(st_tmpdir(dir), 0);
    snprintf(path, sizeof(path), "%s/demo-credentials.json", dir);
    for (run = 0; run < 2; run++) {
        struct resp r;
        const char *km, *ad;

        CHECK_INT(st_start(&d, dir, extra), 0);
        cred = json_load_file(path, 0, NULL);
        CHECK(cred != NULL);
        km = json_string_value(
            json_object_get(json_object_get(cred, "kiosks"), "CHO-TT"));
        ad = json_string_value(json_object_get(cred, "admin_token"));
        if (run == 0)
            snprintf(first, sizeof(first), "%s", km ? km : "");
        else
            CHECK_STR(km, first);
        r = st_get(&d, "/v1/payers/A-12/dues", km);
        CHECK_INT(r.status, 200);
        CHECK_INT(json_array_size(J(r, "invoices")), 2);
        resp_free(&r);
        r = st_get(&d, "/v1/kiosk/directory", km);
        CHECK_INT(json_array_size(J(r, "payers")), 120);
        CHECK_INT(json_array_size(J(r, "fees")), 5);
        resp_free(&r);
        r = st_get(&d, "/v1/orgs/THCS-LQD/invoices?limit=1000", ad);
        CHECK_INT(json_array_size(J(r, "invoices")), 600);
        resp_free(&r);
        r = st_get(&d, "/v1/orgs/CHO-TT/payers?limit=1000", ad);
        CHECK_INT(json_array_size(J(r, "payers")), 120);
        resp_free(&r);
        json_decref(cred);
        CHECK_INT(st_stop(&d), 0);
    }
    if (th_failed == 0)
        st_rmtree(dir);
}

int main(void)
{
    char dir[256], conf[300];
    const char *extra[] = {"--config", conf, NULL};
    FILE *f;

    curl_global_init(CURL_GLOBAL_ALL);
    if (st_tmpdir(dir) != 0) {
        CHECK(0);
        return TEST_END();
    }
    test_cli(dir);
    snprintf(conf, sizeof(conf), "%s/server.ini", dir);
    f = fopen(conf, "w");
    fprintf(f, "[server]\nrate = 10000\nburst = 10000\nthreads = 3\n");
    fclose(f);
    CHECK_INT(st_start(&srv, dir, extra), 0);
    if (srv.pid <= 0) {
        fprintf(stderr, "server did not start (see %s/server.log)\n", dir);
        return TEST_END();
    }
    setup_board();
    test_scope();
    test_bad_input();
    test_intents();
    test_directory();
    test_codes();
    test_ops();
    test_audit_chain(dir);
    test_rate_limit(dir);
    CHECK_INT(st_stop(&srv), 0);
    CHECK_INT(st_check(dir, NULL, 0), 0); /* the ledger's invariants */
    test_demo();
    if (th_failed == 0)
        st_rmtree(dir);
    curl_global_cleanup();
    return TEST_END();
}
