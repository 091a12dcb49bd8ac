/*
 * test_reports.c: receipts, reports and statistics over HTTP against the real
 * server: signed receipts for transfers and cash (numbers per organisation, the
 * CPR1 text checked with the `chopay receipt verify` tool against the key the
 * server publishes, HTML/PNG/PDF renderings, scopes), the daily
 * reconciliation, adoption statistics and standees.
 */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "harness.h"
#include "srvtest.h"

static struct srvt srv;
static char admin[128], kiosk[128], cfg[400];
static char board_sch[128], auditor[128]; /* SCH's board, MKT's auditor */
static char board_mkt[128];               /* MKT's board */

#define JI(r, k) json_integer_value(json_object_get((r).json, k))
#define JS(r, k) json_string_value(json_object_get((r).json, k))

/* The `chopay` tool beside the server binary. */
static void tool_path(char *out, size_t cap)
{
    const char *s = st_server_bin();
    const char *slash = strrchr(s, '/');

    snprintf(out, cap, "%.*schopay", slash ? (int)(slash - s + 1) : 0, s);
}

static int write_file(const char *path, const char *data, size_t len)
{
    FILE *f = fopen(path, "wb");
    int ok;

    if (f == NULL)
        return -1;
    ok = fwrite(data, 1, len, f) == len;
    return fclose(f) == 0 && ok ? 0 : -1;
}

/*
 * `chopay receipt verify --key KEY` on `text` (via a file on stdin):
 * its exit status, its output into out.
 */
static int verify(const char *key, const char *text, char *out, size_t cap)
{
    char tool[300], in[400], res[400], cmd[1600];
    FILE *f;
    size_t n;
    int rc;

    tool_path(tool, sizeof(tool));
    snprintf(in, sizeof(in), "%s/verify.in", srv.dir);
    snprintf(res, sizeof(res), "%s/verify.out", srv.dir);
    if (write_file(in, text, strlen(text)) != 0)
        return -1;
    snprintf(cmd, sizeof(cmd), "'%s' receipt verify --key '%s' < '%s' > '%s'",
             tool, key, in, res);
    rc = system(cmd);
    if (rc == -1 || !WIFEXITED(rc))
        return -1;
    rc = WEXITSTATUS(rc);
    f = fopen(res, "rb");
    if (f == NULL)
        return -1;
    n = fread(out, 1, cap - 1, f);
    out[n] = '\0';
    fclose(f);
    return rc;
}

/* Vietnam's local date or date-time now. */
static void vn_now(char *out, size_t cap, int date_only)
{
    time_t t = time(NULL) + 7 * 3600;
    struct tm tm;

    gmtime_r(&t, &tm);
    strftime(out, cap, date_only ? "%Y-%m-%d" : "%Y-%m-%d %H:%M:%S", &tm);
}

/* A signed SePay webhook for `amount` with content `content`. */
static long post_sepay(long long id, const char *content, long long amount,
                       const char *ref)
{
    char when[32], *b = NULL, h1[300], h2[64], h3[300], sig[200] = "", tss[32];
    const char *hdrs[5] = {"Content-Type: application/json"};
    struct resp r;
    long status;

    vn_now(when, sizeof(when), 0);
    if (asprintf(&b,
                 "{\"id\":%lld,\"gateway\":\"MBBank\",\"transactionDate\":"
                 "\"%s\",\"accountNumber\":\"" ST_MKT_ACCOUNT "\",\"code\":"
                 "null,\"content\":\"%s\",\"transferType\":\"in\","
                 "\"transferAmount\":%lld,\"accumulated\":0,\"subAccount\":"
                 "null,\"referenceCode\":\"%s\",\"description\":"
                 "\"BankAPINotify %s\"}",
                 id, when, content, amount, ref, content) < 0)
        return -1;
    snprintf(tss, sizeof(tss), "%lld", (long long)time(NULL));
    snprintf(h1, sizeof(h1), "Authorization: Apikey %s", ST_SEPAY_KEY);
    if (st_sign("sepay", ST_SEPAY_HMAC, tss, b, sig, sizeof(sig)) != 0) {
        free(b);
        return -1;
    }
    snprintf(h2, sizeof(h2), "X-SePay-Timestamp: %s", tss);
    snprintf(h3, sizeof(h3), "X-SePay-Signature: sha256=%s", sig);
    hdrs[1] = h1;
    hdrs[2] = h2;
    hdrs[3] = h3;
    hdrs[4] = NULL;
    r = st_http(&srv, "POST", "/v1/bank/sepay", NULL, hdrs, b, strlen(b));
    status = r.status;
    resp_free(&r);
    free(b);
    return status;
}

/* The receipt year: the current year in Vietnam. */
static int vn_year(void)
{
    time_t t = time(NULL) + 7 * 3600;
    struct tm tm;

    gmtime_r(&t, &tm);
    return tm.tm_year + 1900;
}

static void test_receipts(void)
{
    char code[16], path[200], key[400], num[64], want[64], out[4096];
    long long id, amount;
    struct resp r, k;
    int year = vn_year();

    /* the published key: no credential needed, PEM */
    k = st_get(&srv, "/v1/orgs/MKT/receipt-key", NULL);
    CHECK_INT(k.status, 200);
    CHECK(k.body && strstr(k.body, "BEGIN PUBLIC KEY") != NULL);
    snprintf(key, sizeof(key), "%s/mkt.pem", srv.dir);
    CHECK_INT(write_file(key, k.body ? k.body : "", k.len), 0);
    r = st_get(&srv, "/v1/orgs/MKT/receipt-key.pem", NULL);
    CHECK_INT(r.status, 200);
    CHECK(r.body && k.body && strcmp(r.body, k.body) == 0); /* stable */
    resp_free(&r);
    resp_free(&k);
    r = st_get(&srv, "/v1/orgs/NOPE/receipt-key", NULL);
    CHECK_INT(r.status, 404);
    resp_free(&r);

    /* a transfer settles an intent: the kiosk sees its receipt number */
    CHECK_INT(st_intent(&srv, kiosk, "A-1", "r-a1", code, &id, &amount), 0);
    CHECK_INT(amount, 1000000);
    CHECK_INT(st_simulate_transfer(&srv, cfg, code, amount, out, sizeof(out)),
              0);
    snprintf(path, sizeof(path), "/v1/intents/%lld", id);
    r = st_get(&srv, path, kiosk);
    CHECK_INT(r.status, 200);
    CHECK_STR(JS(r, "status"), "paid");
    snprintf(want, sizeof(want), "MKT-%d-000001", year);
    CHECK_STR(JS(r, "receipt"), want);
    snprintf(num, sizeof(num), "%s", JS(r, "receipt") ? JS(r, "receipt") : "");
    resp_free(&r);

    snprintf(path, sizeof(path), "/v1/receipts/%s", num);
    r = st_get(&srv, path, kiosk);
    CHECK_INT(r.status, 200);
    CHECK_INT(JI(r, "amount"), 1000000);
    CHECK_STR(JS(r, "method"), "transfer");
    CHECK_STR(JS(r, "payer"), "A-1");
    CHECK(JS(r, "text") && strncmp(JS(r, "text"), "CPR1|MKT|", 9) == 0);
    if (JS(r, "text") != NULL) {
        char text[400], bad[400];
        char *p;

        snprintf(text, sizeof(text), "%s", JS(r, "text"));
        /* the intent's payment code is the receipt's reference */
        CHECK(strstr(text, code) != NULL);
        CHECK_INT(verify(key, text, out, sizeof(out)), 0);
        CHECK(strstr(out, "\"valid\":true") != NULL);
        CHECK(strstr(out, "\"amount\":1000000") != NULL);
        CHECK(strstr(out, "\"method\":\"transfer\"") != NULL);
        /* one changed digit of the amount: the signature fails */
        snprintf(bad, sizeof(bad), "%s", text);
        p = strstr(bad, "|1000000|");
        CHECK(p != NULL);
        if (p != NULL)
            p[1] = '2';
        CHECK_INT(verify(key, bad, out, sizeof(out)), 1);
        CHECK(strstr(out, "bad_signature") != NULL);
    }
    resp_free(&r);
    /* admin and the board see it; no credential: 401 */
    r = st_get(&srv, path, admin);
    CHECK_INT(r.status, 200);
    resp_free(&r);
    r = st_get(&srv, path, NULL);
    CHECK_INT(r.status, 401);
    resp_free(&r);
    r = st_get(&srv, "/v1/receipts/MKT-2026-999999", kiosk);
    CHECK_INT(r.status, 404);
    CHECK_STR(resp_err(&r), "receipt_not_found");
    resp_free(&r);
    r = st_get(&srv, "/v1/receipts/bad%20number", kiosk);
    CHECK_INT(r.status, 404);
    resp_free(&r);

    /* renderings */
    snprintf(path, sizeof(path), "/v1/receipts/%s.html", num);
    r = st_get(&srv, path, kiosk);
    CHECK_INT(r.status, 200);
    CHECK(r.body && strstr(r.body, "<svg") != NULL);
    CHECK(r.body && strstr(r.body, "Chợ Bến Thành") != NULL);
    CHECK(r.body && strstr(r.body, "<script") == NULL);
    resp_free(&r);
    snprintf(path, sizeof(path), "/v1/receipts/%s.png", num);
    r = st_get(&srv, path, kiosk);
    CHECK_INT(r.status, 200);
    CHECK(r.len > 1000 && memcmp(r.body, "\x89PNG\r\n\x1a\n", 8) == 0);
    resp_free(&r);
    snprintf(path, sizeof(path), "/v1/receipts/%s.pdf?paper=a5", num);
    r = st_get(&srv, path, kiosk);
    CHECK_INT(r.status, 200);
    CHECK(r.len > 500 && memcmp(r.body, "%PDF-", 5) == 0);
    resp_free(&r);
    snprintf(path, sizeof(path), "/v1/receipts/%s.pdf?paper=a4", num);
    r = st_get(&srv, path, kiosk);
    CHECK_INT(r.status, 400);
    resp_free(&r);
    snprintf(path, sizeof(path), "/v1/receipts/%s.gif", num);
    r = st_get(&srv, path, kiosk);
    CHECK_INT(r.status, 404);
    resp_free(&r);

    /* cash gets the next number and a TM receipt */
    r = st_send(&srv, "POST", "/v1/cash", kiosk, "r-cash-a2",
                "{\"payer\":\"A-2\",\"invoices\":\"all\",\"amount\":"
                "700000,\"collector\":\"Chị Hoa\"}");
    CHECK_INT(r.status, 201);
    snprintf(want, sizeof(want), "MKT-%d-000002", year);
    CHECK_STR(JS(r, "receipt"), want);
    resp_free(&r);
    /* the replay answers with the same receipt, no new number */
    r = st_send(&srv, "POST", "/v1/cash", kiosk, "r-cash-a2",
                "{\"payer\":\"A-2\",\"invoices\":\"all\",\"amount\":"
                "700000,\"collector\":\"Chị Hoa\"}");
    CHECK_INT(r.status, 201);
    CHECK_STR(JS(r, "receipt"), want);
    resp_free(&r);
    snprintf(path, sizeof(path), "/v1/receipts/%s", want);
    r = st_get(&srv, path, kiosk);
    CHECK_INT(r.status, 200);
    CHECK_STR(JS(r, "method"), "cash");
    if (JS(r, "text") != NULL) {
        CHECK(strstr(JS(r, "text"), "|700000|TM|") != NULL);
        CHECK_INT(verify(key, JS(r, "text"), out, sizeof(out)), 0);
        CHECK(strstr(out, "\"method\":\"cash\"") != NULL);
    }
    resp_free(&r);
    CHECK_INT(
        st_list_count(&srv, admin, "/v1/orgs/MKT/payments", "payments", NULL),
        2);
    /* every payment has its receipt, among the ledger's invariants */
    CHECK_INT(st_check(srv.dir, NULL, 0), 0);
    /* one key pair, made on first use; its private key never leaves the
       server */
    CHECK_INT(st_audit_count(srv.dir, "MKT", "receipt_key.create"), 1);
}

/* A second organisation: its kiosk and board cannot read MKT receipts. */
static void test_receipt_scope(void)
{
    char k2[128], b2[128], buf[2048], path[128];
    const char *km[] = {"kiosk", "add",        "--org", "SCH", "--name",
                        "Cổng",  "--data-dir", srv.dir, NULL};
    const char *bt[] = {"token", "add",        "--role", "board", "--org",
                        "SCH",   "--data-dir", srv.dir,  NULL};
    struct resp r;

    r = st_send(&srv, "POST", "/v1/orgs", admin, NULL,
                "{\"code\":\"SCH\",\"kind\":\"school\",\"name\":\"Trường"
                " Tiểu học Hoà Bình\",\"bank_bin\":\"970436\",\"account\":"
                "\"2023456789\",\"account_name\":\"TRUONG TH HOA BINH\","
                "\"prefix\":\"HB\"}");
    CHECK_INT(r.status, 201);
    resp_free(&r);
    CHECK_INT(st_run(buf, sizeof(buf), km), 0);
    st_last_line(buf, k2, sizeof(k2));
    CHECK_INT(st_run(buf, sizeof(buf), bt), 0);
    st_last_line(buf, b2, sizeof(b2));
    snprintf(board_sch, sizeof(board_sch), "%s", b2);
    {
        const char *au[] = {"token", "add",        "--role", "auditor", "--org",
                            "MKT",   "--data-dir", srv.dir,  NULL};

        const char *bm[] = {"token", "add",        "--role", "board", "--org",
                            "MKT",   "--data-dir", srv.dir,  NULL};

        CHECK_INT(st_run(buf, sizeof(buf), au), 0);
        st_last_line(buf, auditor, sizeof(auditor));
        CHECK_INT(st_run(buf, sizeof(buf), bm), 0);
        st_last_line(buf, board_mkt, sizeof(board_mkt));
    }
    snprintf(path, sizeof(path), "/v1/receipts/MKT-%d-000001", vn_year());
    r = st_get(&srv, path, k2);
    CHECK_INT(r.status, 404);
    resp_free(&r);
    r = st_get(&srv, path, b2);
    CHECK_INT(r.status, 404);
    resp_free(&r);
    /* each organisation has its own key */
    {
        struct resp a = st_get(&srv, "/v1/orgs/MKT/receipt-key", NULL);
        struct resp b = st_get(&srv, "/v1/orgs/SCH/receipt-key", NULL);

        CHECK_INT(b.status, 200);
        CHECK(a.body && b.body && strcmp(a.body, b.body) != 0);
        resp_free(&a);
        resp_free(&b);
    }
}

/* The id of payer `payer`'s invoice for `period`, or -1. */
static long long invoice_id(const char *payer, const char *period)
{
    char path[200];
    struct resp r;
    long long id = -1;

    snprintf(path, sizeof(path), "/v1/orgs/MKT/invoices?payer=%s&period=%s",
             payer, period);
    r = st_get(&srv, path, admin);
    if (r.status == 200 && r.json != NULL) {
        json_t *a = json_object_get(r.json, "invoices");

        if (json_array_size(a) == 1)
            id =
                json_integer_value(json_object_get(json_array_get(a, 0), "id"));
    }
    resp_free(&r);
    return id;
}

/*
 * Today's reconciliation on hand-computed figures: six daily fees of
 * 20.000 due today; A-3 pays in cash, A-4 by exact transfer, A-5 a
 * partial 5.000; an unmatched 12.345 credit; A-1's 1.000.000 transfer
 * of this morning (test_receipts) settles older invoices.
 */
static void test_daily(void)
{
    char today[16], body[256], path[256], code[16], out[4096];
    long long id, amount, inv;
    struct resp r;
    json_t *j;

    vn_now(today, sizeof(today), 1);
    r = st_send(&srv, "POST", "/v1/orgs/MKT/fees", admin, NULL,
                "{\"code\":\"VS\",\"label\":\"Phí vệ sinh\",\"kind\":"
                "\"daily\",\"category\":\"A\",\"amount\":20000}");
    CHECK_INT(r.status, 201);
    resp_free(&r);
    snprintf(body, sizeof(body), "{\"period\":\"%s\",\"fee\":\"VS\"}", today);
    r = st_send(&srv, "POST", "/v1/orgs/MKT/invoices/generate", admin, NULL,
                body);
    CHECK_INT(r.status, 200);
    resp_free(&r);
    inv = invoice_id("A-3", today);
    snprintf(body, sizeof(body),
             "{\"payer\":\"A-3\",\"invoices\":[%lld],\"amount\":20000,"
             "\"collector\":\"Chị Hoa\"}",
             inv);
    r = st_send(&srv, "POST", "/v1/cash", kiosk, "d-cash-a3", body);
    CHECK_INT(r.status, 201);
    resp_free(&r);
    {
        static const char *const payers[] = {"A-4", "A-5"};
        static const char *const amounts[] = {"20000", "5000"};
        int i;

        for (i = 0; i < 2; i++) {
            char idem[32];
            const char *argv[] = {
                "simulate", "transfer", "--org",      "MKT",   "--code",
                code,       "--amount", amounts[i],   "--via", "sepay",
                "--config", cfg,        "--data-dir", srv.dir, NULL};

            inv = invoice_id(payers[i], today);
            snprintf(body, sizeof(body),
                     "{\"payer\":\"%s\",\"invoices\":[%lld]}", payers[i], inv);
            snprintf(idem, sizeof(idem), "d-%s", payers[i]);
            r = st_send(&srv, "POST", "/v1/intents", kiosk, idem, body);
            CHECK_INT(r.status, 201);
            snprintf(code, sizeof(code), "%s",
                     JS(r, "code") ? JS(r, "code") : "");
            id = JI(r, "id");
            amount = JI(r, "amount");
            CHECK_INT(amount, 20000);
            (void)id;
            resp_free(&r);
            CHECK_INT(st_run(out, sizeof(out), argv), 0);
        }
    }
    CHECK_INT(post_sepay(770001, "CK KHONG RO NOI DUNG", 12345, "FT77001"),
              200);

    snprintf(path, sizeof(path), "/v1/reports/daily?org=MKT&date=%s", today);
    r = st_get(&srv, path, admin);
    CHECK_INT(r.status, 200);
    j = r.json;
    CHECK_STR(json_string_value(json_object_get(j, "date")), today);
    CHECK_INT(st_json_int(j, "invoices.due_count"), 6);
    CHECK_INT(st_json_int(j, "invoices.due_amount"), 120000);
    CHECK_INT(st_json_int(j, "invoices.collected_transfer"), 25000);
    CHECK_INT(st_json_int(j, "invoices.collected_cash"), 20000);
    CHECK_INT(st_json_int(j, "invoices.outstanding"), 75000);
    /* 300.000 of November; A-3..A-6: October and November */
    CHECK_INT(st_json_int(j, "invoices.overdue_count"), 9);
    CHECK_INT(st_json_int(j, "invoices.overdue_outstanding"), 4300000);
    CHECK_INT(st_json_int(j, "bank.received_count"), 4);
    CHECK_INT(st_json_int(j, "bank.received_amount"), 1037345);
    CHECK_INT(st_json_int(j, "bank.by_state.matched_exact.count"), 2);
    CHECK_INT(st_json_int(j, "bank.by_state.matched_exact.amount"), 1020000);
    CHECK_INT(st_json_int(j, "bank.by_state.matched_partial.amount"), 5000);
    CHECK_INT(st_json_int(j, "bank.by_state.unmatched.amount"), 12345);
    CHECK_INT(st_json_int(j, "proof.ledger_movement"), 1025000);
    CHECK_INT(st_json_int(j, "proof.difference"), 12345);
    CHECK_INT(st_json_int(j, "proof.unexplained"), 0);
    CHECK_INT(json_array_size(json_object_get(j, "differences")), 1);
    CHECK_STR(json_string_value(json_object_get(
                  json_array_get(json_object_get(j, "differences"), 0), "ref")),
              "FT77001");
    resp_free(&r);

    /* CSV for Excel: BOM, Vietnamese headers, an attachment */
    {
        const char *hdr[] = {"Accept: text/csv", NULL};

        r = st_http(&srv, "GET", path, admin, hdr, NULL, 0);
        CHECK_INT(r.status, 200);
        CHECK(r.len > 3 && memcmp(r.body, "\xEF\xBB\xBF", 3) == 0);
        CHECK(r.body && strstr(r.body, "\r\n") != NULL);
        CHECK(r.body && strstr(r.body, "120000") != NULL);
        CHECK(r.body && strstr(r.body, "FT77001") != NULL);
        resp_free(&r);
    }
    snprintf(path, sizeof(path),
             "/v1/reports/daily?org=MKT&date=%s&format=csv&sep=semicolon",
             today);
    r = st_get(&srv, path, admin);
    CHECK_INT(r.status, 200);
    CHECK(r.body && strstr(r.body, ";120000") != NULL);
    resp_free(&r);
    /* the same report from the command line */
    {
        const char *argv[] = {"report", "daily",      "--org", "MKT", "--date",
                              today,    "--data-dir", srv.dir, NULL};
        static char big[16384];
        json_t *cj;

        CHECK_INT(st_run(big, sizeof(big), argv), 0);
        cj = json_loads(big, 0, NULL);
        CHECK(cj != NULL);
        CHECK_INT(st_json_int(cj, "invoices.collected_cash"), 20000);
        CHECK_INT(st_json_int(cj, "proof.difference"), 12345);
        json_decref(cj);
    }
    /* bad input and scopes */
    r = st_get(&srv, "/v1/reports/daily?org=MKT&date=2026-02-30", admin);
    CHECK_INT(r.status, 400);
    resp_free(&r);
    r = st_get(&srv, "/v1/reports/daily?date=2026-11-01", admin);
    CHECK_INT(r.status, 400);
    resp_free(&r);
    r = st_get(&srv, "/v1/reports/daily?org=MKT&bogus=1", admin);
    CHECK_INT(r.status, 400);
    resp_free(&r);
    r = st_get(&srv, "/v1/reports/daily?org=MKT", kiosk);
    CHECK_INT(r.status, 403);
    resp_free(&r);
    r = st_get(&srv, "/v1/reports/daily?org=MKT", board_sch);
    CHECK_INT(r.status, 403);
    resp_free(&r);
    r = st_get(&srv, "/v1/reports/daily?org=SCH", board_sch);
    CHECK_INT(r.status, 200);
    CHECK_INT(st_json_int(r.json, "invoices.due_count"), 0);
    resp_free(&r);
    r = st_get(&srv, "/v1/reports/daily?org=MKT", auditor);
    CHECK_INT(r.status, 200);
    resp_free(&r);
}

/*
 * Adoption statistics over what the tests above recorded today (hand
 * computed): payments A-1 1.000.000 transfer, A-2 700.000 cash, A-3
 * 20.000 cash, A-4 20.000 and A-5 5.000 transfers; 6 registered stalls.
 */
static void test_adoption(void)
{
    char today[16], path[300], out[65536];
    struct resp r;
    json_t *j;

    vn_now(today, sizeof(today), 1);
    r = st_send(&srv, "PUT", "/v1/orgs/MKT/province", admin, NULL,
                "{\"province\":\"Đà Nẵng\"}");
    CHECK_INT(r.status, 200);
    resp_free(&r);
    r = st_send(&srv, "PUT", "/v1/orgs/SCH/province", board_sch, NULL,
                "{\"province\":\"Đà Nẵng\"}");
    CHECK_INT(r.status, 200);
    resp_free(&r);
    r = st_send(&srv, "PUT", "/v1/orgs/MKT/province", board_sch, NULL,
                "{\"province\":\"Huế\"}");
    CHECK_INT(r.status, 403);
    resp_free(&r);
    r = st_send(&srv, "PUT", "/v1/orgs/MKT/province", admin, NULL,
                "{\"province\":\"\"}");
    CHECK_INT(r.status, 400);
    resp_free(&r);

    snprintf(path, sizeof(path),
             "/v1/stats/adoption?org=MKT&from=%s&to=%s&trend=day", today,
             today);
    r = st_get(&srv, path, admin);
    CHECK_INT(r.status, 200);
    j = json_object_get(r.json, "current");
    CHECK_INT(st_json_int(j, "payments"), 5);
    CHECK_INT(st_json_int(j, "payments_cashless"), 3);
    CHECK_INT(st_json_int(j, "value"), 1745000);
    CHECK_INT(st_json_int(j, "value_cashless"), 1025000);
    CHECK_INT(st_json_int(j, "share_count_permille"), 600);
    CHECK_INT(st_json_int(j, "payers_registered"), 6);
    CHECK_INT(st_json_int(j, "payers_paying"), 5);
    CHECK_INT(st_json_int(j, "payers_cashless"), 3);
    CHECK_INT(st_json_int(j, "share_payers_permille"), 600);
    CHECK_INT(st_json_int(r.json, "previous.payments"), 0);
    CHECK(r.body && strstr(r.body, "\"share_count_pct\":60.0") != NULL);
    /* 1.025.000 / 1.745.000 = 58.74 %, rounded half up per mille */
    CHECK(r.body && strstr(r.body, "\"share_value_pct\":58.7") != NULL);
    resp_free(&r);
    /* one fee type: the daily cleaning fee (cash 1 of 3) */
    snprintf(path, sizeof(path),
             "/v1/stats/adoption?org=MKT&period=day&date=%s&fee=VS", today);
    r = st_get(&srv, path, auditor);
    CHECK_INT(r.status, 200);
    CHECK_INT(st_json_int(r.json, "current.payments"), 3);
    CHECK_INT(st_json_int(r.json, "current.payments_cashless"), 2);
    CHECK_INT(st_json_int(r.json, "current.value"), 45000);
    resp_free(&r);
    /* the province roll-up: both organisations */
    snprintf(path, sizeof(path),
             "/v1/stats/adoption?province=%%C4%%90%%C3%%A0%%20N%%E1%%BA%%B5ng"
             "&period=month&date=%s",
             today);
    r = st_get(&srv, path, admin);
    CHECK_INT(r.status, 200);
    CHECK_INT(st_json_int(r.json, "current.payments"), 5);
    CHECK_INT(json_array_size(json_object_get(r.json, "organisations")), 2);
    resp_free(&r);
    r = st_get(&srv, path, board_sch); /* a board: its own org only */
    CHECK_INT(r.status, 403);
    resp_free(&r);
    /* a province no organisation is in: said so */
    r = st_get(&srv, "/v1/stats/adoption?province=Hu%E1%BA%BF&period=month",
               admin);
    CHECK_INT(r.status, 404);
    CHECK_STR(resp_err(&r), "province_not_found");
    resp_free(&r);
    snprintf(path, sizeof(path), "/v1/stats/adoption?org=SCH&from=%s&to=%s",
             today, today);
    r = st_get(&srv, path, board_sch);
    CHECK_INT(r.status, 200);
    CHECK_INT(st_json_int(r.json, "current.payments"), 0);
    resp_free(&r);
    /* bad input */
    r = st_get(&srv, "/v1/stats/adoption?org=MKT&from=2026-11-30&to=2026-11-01",
               admin);
    CHECK_INT(r.status, 400);
    resp_free(&r);
    r = st_get(&srv, "/v1/stats/adoption?org=MKT&period=year", admin);
    CHECK_INT(r.status, 400);
    resp_free(&r);
    r = st_get(&srv, "/v1/stats/adoption?org=MKT&period=day&trend=hour", admin);
    CHECK_INT(r.status, 400);
    resp_free(&r);
    r = st_get(&srv, "/v1/stats/adoption?org=MKT&period=day", kiosk);
    CHECK_INT(r.status, 403);
    resp_free(&r);
    /* CSV */
    snprintf(path, sizeof(path),
             "/v1/stats/adoption?org=MKT&period=day&date=%s&format=csv", today);
    r = st_get(&srv, path, admin);
    CHECK_INT(r.status, 200);
    CHECK(r.len > 3 && memcmp(r.body, "\xEF\xBB\xBF", 3) == 0);
    CHECK(r.body && strstr(r.body, "1745000") != NULL);
    CHECK(r.body && strstr(r.body, ",60.0%,") != NULL);
    resp_free(&r);
    /* a province's month from one command */
    {
        char from[16], to[16];
        const char *argv[] = {"stats",      "adoption", "--from",     from,
                              "--to",       to,         "--province", "Đà Nẵng",
                              "--data-dir", srv.dir,    NULL};

        snprintf(from, sizeof(from), "%.8s01", today);
        snprintf(to, sizeof(to), "%s", today);
        CHECK_INT(st_run(out, sizeof(out), argv), 0);
        j = json_loads(out, 0, NULL);
        CHECK(j != NULL);
        CHECK_INT(st_json_int(j, "current.payments"), 5);
        CHECK_INT(st_json_int(j, "current.payers_cashless"), 3);
        json_decref(j);
    }
    {
        const char *argv[] = {"stats",      "adoption", "--from", "2026-11-02",
                              "--data-dir", srv.dir,    NULL};

        CHECK_INT(st_run(out, sizeof(out), argv), 2);
    }
}

/* 1 when `path` exists and is a non-empty file starting with `magic`. */
static int file_starts(const char *path, const char *magic)
{
    char buf[16] = "";
    FILE *f = fopen(path, "rb");
    size_t n;

    if (f == NULL)
        return 0;
    n = fread(buf, 1, sizeof(buf), f);
    fclose(f);
    return n >= strlen(magic) && memcmp(buf, magic, strlen(magic)) == 0;
}

/* Stall QR standees: only for stalls with their own account; counted. */
static void test_standees(void)
{
    char today[16], path[600], out[4096], dir[400];
    struct resp r;

    vn_now(today, sizeof(today), 1);
    r = st_send(&srv, "PATCH", "/v1/orgs/MKT/payers/A-1", admin, NULL,
                "{\"bank_bin\":\"970436\",\"bank_account\":"
                "\"0071000123456\"}");
    CHECK_INT(r.status, 200);
    resp_free(&r);
    r = st_get(&srv, "/v1/payers/A-1/standee.png?org=MKT", admin);
    CHECK_INT(r.status, 200);
    CHECK(r.len > 1000 && memcmp(r.body, "\x89PNG", 4) == 0);
    if (r.status == 200 && system("command -v zbarimg >/dev/null 2>&1") == 0) {
        /* the QR is a static VietQR for the stall's own account */
        char png[400], cmd[900];
        FILE *f;

        snprintf(png, sizeof(png), "%s/standee.png", srv.dir);
        CHECK_INT(write_file(png, r.body, r.len), 0);
        snprintf(cmd, sizeof(cmd), "zbarimg --raw -q '%s' 2>/dev/null", png);
        f = popen(cmd, "r");
        if (f != NULL) {
            size_t n = fread(out, 1, sizeof(out) - 1, f);

            out[n] = '\0';
            pclose(f);
            CHECK(strstr(out, "0071000123456") != NULL);
            CHECK(strstr(out, "970436") != NULL);
        }
    }
    resp_free(&r);
    r = st_get(&srv, "/v1/payers/A-1/standee.pdf?paper=a6", board_mkt);
    CHECK_INT(r.status, 200);
    CHECK(r.len > 500 && memcmp(r.body, "%PDF-", 5) == 0);
    resp_free(&r);
    r = st_get(&srv, "/v1/payers/A-2/standee.pdf", board_mkt);
    CHECK_INT(r.status, 404);
    CHECK_STR(resp_err(&r), "no_own_account");
    resp_free(&r);
    r = st_get(&srv, "/v1/payers/A-1/standee.pdf", board_sch);
    CHECK_INT(r.status, 404);
    resp_free(&r);
    r = st_get(&srv, "/v1/payers/A-1/standee.pdf", admin); /* no org */
    CHECK_INT(r.status, 400);
    resp_free(&r);
    r = st_get(&srv, "/v1/payers/A-1/standee.pdf?paper=a4", board_mkt);
    CHECK_INT(r.status, 400);
    resp_free(&r);
    r = st_get(&srv, "/v1/payers/A-1/standee.pdf", kiosk);
    CHECK_INT(r.status, 403);
    resp_free(&r);
    /* reading a standee changes nothing: nothing recorded, not counted */
    CHECK_INT(st_audit_count(srv.dir, NULL, "standee.record"), 0);
    snprintf(path, sizeof(path),
             "/v1/stats/adoption?org=MKT&period=day&date=%s", today);
    r = st_get(&srv, path, admin);
    CHECK_INT(st_json_int(r.json, "current.with_standee"), 0);
    resp_free(&r);
    /* producing one is recorded by an explicit POST */
    r = st_send(&srv, "POST", "/v1/payers/A-1/standee", board_mkt, NULL,
                "{\"format\":\"png\",\"paper\":\"a6\"}");
    CHECK_INT(r.status, 201);
    CHECK_STR(json_string_value(json_object_get(r.json, "format")), "png");
    CHECK_STR(json_string_value(json_object_get(r.json, "paper")), "a6");
    resp_free(&r);
    r = st_send(&srv, "POST", "/v1/payers/A-1/standee?org=MKT", admin, NULL,
                NULL);
    CHECK_INT(r.status, 201);
    CHECK_STR(json_string_value(json_object_get(r.json, "format")), "pdf");
    resp_free(&r);
    r = st_send(&srv, "POST", "/v1/payers/A-2/standee", board_mkt, NULL, "{}");
    CHECK_INT(r.status, 404);
    CHECK_STR(resp_err(&r), "no_own_account");
    resp_free(&r);
    r = st_send(&srv, "POST", "/v1/payers/A-1/standee", board_mkt, NULL,
                "{\"format\":\"svg\"}");
    CHECK_INT(r.status, 400);
    resp_free(&r);
    r = st_send(&srv, "POST", "/v1/payers/A-1/standee", board_sch, NULL, "{}");
    CHECK_INT(r.status, 404);
    resp_free(&r);
    r = st_send(&srv, "POST", "/v1/payers/A-1/standee", kiosk, NULL, "{}");
    CHECK_INT(r.status, 403);
    resp_free(&r);
    CHECK_INT(st_audit_count(srv.dir, "MKT", "standee.record"), 2);
    CHECK_INT(st_audit_count_with(srv.dir, "standee.record",
                                  "\"format\":\"png\",\"org\":1,"
                                  "\"paper\":\"a6\""),
              1);

    /* the command line: every stall with an account, PDF and PNG */
    snprintf(dir, sizeof(dir), "%s/standees", srv.dir);
    {
        const char *argv[] = {"standee",    "--org", "MKT",
                              "--all",      "--out", dir,
                              "--data-dir", srv.dir, NULL};

        CHECK_INT(st_run(out, sizeof(out), argv), 0);
    }
    snprintf(path, sizeof(path), "%s/A-1.pdf", dir);
    CHECK(file_starts(path, "%PDF-"));
    snprintf(path, sizeof(path), "%s/A-1.png", dir);
    CHECK(file_starts(path, "\x89PNG"));
    snprintf(path, sizeof(path), "%s/A-2.pdf", dir);
    CHECK(!file_starts(path, "%PDF-"));
    {
        const char *argv[] = {"standee", "--org", "MKT", "--payer",
                              "A-2",     "--out", dir,   "--data-dir",
                              srv.dir,   NULL};

        CHECK_INT(st_run(out, sizeof(out), argv), 1);
    }
    CHECK_INT(st_audit_count(srv.dir, "MKT", "standee.record"), 3);
    /* counted: 1 of 6 stalls has an account and a standee */
    snprintf(path, sizeof(path),
             "/v1/stats/adoption?org=MKT&period=day&date=%s", today);
    r = st_get(&srv, path, admin);
    CHECK_INT(r.status, 200);
    CHECK_INT(st_json_int(r.json, "current.with_bank_account"), 1);
    CHECK_INT(st_json_int(r.json, "current.with_standee"), 1);
    CHECK_INT(st_json_int(r.json, "current.with_either"), 1);
    resp_free(&r);
}

/* Run `sql` on the server's database behind its back (tampering). */
static int tamper(const char *sql)
{
    char url[400];

    st_db_url(srv.dir, url, sizeof(url));
    return (int)st_tamper(url, sql);
}

/* chopay-server audit verify: exit status, output into out. */
static int audit_verify(char *out, size_t cap)
{
    const char *argv[] = {"audit", "verify", "--data-dir", srv.dir, NULL};

    return st_run(out, cap, argv);
}

/* Close today; writes dated today are refused; verify; reopen. */
static void test_day_close(void)
{
    char today[16], body[256], out[8192], path[256];
    struct resp r;
    long long txn = -1;

    vn_now(today, sizeof(today), 1);
    snprintf(body, sizeof(body), "{\"date\":\"%s\"}", today);
    r = st_send(&srv, "POST", "/v1/orgs/MKT/close", kiosk, NULL, body);
    CHECK_INT(r.status, 403);
    resp_free(&r);
    r = st_send(&srv, "POST", "/v1/orgs/MKT/close", auditor, NULL, body);
    CHECK_INT(r.status, 403);
    resp_free(&r);
    r = st_send(&srv, "POST", "/v1/orgs/MKT/close", board_sch, NULL, body);
    CHECK_INT(r.status, 403);
    resp_free(&r);
    r = st_send(&srv, "POST", "/v1/orgs/MKT/close", board_mkt, NULL,
                "{\"date\":\"2999-01-01\"}");
    CHECK_INT(r.status, 400);
    resp_free(&r);
    r = st_send(&srv, "POST", "/v1/orgs/MKT/close", board_mkt, NULL,
                "{\"date\":\"2026-13-01\"}");
    CHECK_INT(r.status, 400);
    resp_free(&r);

    snprintf(path, sizeof(path), "/v1/orgs/MKT/close?date=%s", today);
    r = st_send(&srv, "GET", path, auditor, NULL, NULL);
    CHECK_INT(r.status, 200);
    CHECK(json_is_false(json_object_get(r.json, "closed")));
    resp_free(&r);
    r = st_send(&srv, "GET", path, board_sch, NULL, NULL);
    CHECK_INT(r.status, 403);
    resp_free(&r);
    r = st_send(&srv, "GET", "/v1/orgs/MKT/close?date=2026-02-30", auditor,
                NULL, NULL);
    CHECK_INT(r.status, 400);
    resp_free(&r);
    r = st_send(&srv, "GET", "/v1/orgs/MKT/close", auditor, NULL, NULL);
    CHECK_INT(r.status, 400);
    resp_free(&r);
    /* a transfer awaits review (12.345 đ): refused, then closed with a
       reason */
    r = st_send(&srv, "POST", "/v1/orgs/MKT/close", board_mkt, NULL, body);
    CHECK_INT(r.status, 409);
    CHECK_STR(resp_err(&r), "open_items");
    resp_free(&r);
    {
        char forced[256];

        snprintf(forced, sizeof(forced),
                 "{\"date\":\"%s\",\"force\":true,\"reason\":\"phí"
                 " ngân hàng, xử lý sau\"}",
                 today);
        r = st_send(&srv, "POST", "/v1/orgs/MKT/close", board_mkt, NULL,
                    forced);
    }
    CHECK_INT(r.status, 201);
    CHECK(JS(r, "audit_head") && strlen(JS(r, "audit_head")) == 64);
    CHECK_INT(st_json_int(r.json, "totals.bank.received_amount"), 1037345);
    CHECK_INT(st_json_int(r.json, "totals.invoices.collected_cash"), 20000);
    resp_free(&r);
    r = st_send(&srv, "GET", path, auditor, NULL, NULL);
    CHECK_INT(r.status, 200);
    CHECK(json_is_true(json_object_get(r.json, "closed")));
    CHECK_STR(JS(r, "date"), today);
    resp_free(&r);
    r = st_send(&srv, "POST", "/v1/orgs/MKT/close", board_mkt, NULL, body);
    CHECK_INT(r.status, 409);
    CHECK_STR(resp_err(&r), "already_closed");
    resp_free(&r);

    /* cash a kiosk explicitly dates on the closed day: refused, nothing
       recorded (without a date it would be dated tomorrow: test_close.c) */
    snprintf(body, sizeof(body),
             "{\"payer\":\"A-6\",\"invoices\":\"all\",\"amount\":"
             "100000,\"collector\":\"Chị Hoa\",\"date\":\"%s\"}",
             today);
    r = st_send(&srv, "POST", "/v1/cash", kiosk, "dc-cash-a6", body);
    CHECK_INT(r.status, 409);
    CHECK_STR(resp_err(&r), "day_closed");
    resp_free(&r);
    CHECK_INT(st_list_count(&srv, admin, "/v1/orgs/MKT/payments", "payments",
                            "payer=A-6"),
              0);
    /* a review action on a transaction booked that day: a correction
       dated later (the closed day's report does not change) */
    r = st_get(&srv, "/v1/orgs/MKT/bank/transactions?state=unmatched", admin);
    CHECK_INT(r.status, 200);
    {
        json_t *a = json_object_get(r.json, "transactions");
        size_t i;

        for (i = 0; i < json_array_size(a); i++)
            if (json_integer_value(
                    json_object_get(json_array_get(a, i), "amount")) == 12345)
                txn = json_integer_value(
                    json_object_get(json_array_get(a, i), "id"));
    }
    resp_free(&r);
    CHECK(txn > 0);
    snprintf(path, sizeof(path), "/v1/orgs/MKT/bank/transactions/%lld/ignore",
             txn);
    r = st_send(&srv, "POST", path, board_mkt, NULL,
                "{\"reason\":\"phí ngân hàng hoàn lại\"}");
    CHECK_INT(r.status, 200);
    resp_free(&r);
    {
        char t[40];

        snprintf(t, sizeof(t), "\"corrects_date\":\"%s\"", today);
        CHECK_INT(st_audit_count_with(srv.dir, "correction.ignore", t), 1);
    }
    /* the other organisation's day is not closed */
    r = st_get(&srv, "/v1/reports/daily?org=MKT", board_mkt);
    CHECK_INT(r.status, 200);
    resp_free(&r);

    /* audit verify: the chain and the closed day */
    CHECK_INT(audit_verify(out, sizeof(out)), 0);
    CHECK(strstr(out, "closed days ok: 1") != NULL);
    /* a transfer the bank reports late, dated the closed day, is still
       booked (money is never refused), on the next open day, and the
       close still verifies */
    CHECK_INT(post_sepay(770002, "CK MUON", 5000, "FT77002"), 200);
    CHECK_INT(st_list_count(&srv, admin, "/v1/orgs/MKT/bank/transactions",
                            "transactions", "bank_ref=FT77002"),
              1);
    CHECK_INT(audit_verify(out, sizeof(out)), 0);
    /* a bank amount changed behind the server's back: caught */
    CHECK_INT(tamper("UPDATE bank_txns SET amount = 12346 WHERE"
                     " bank_ref = 'FT77001'"),
              0);
    CHECK_INT(audit_verify(out, sizeof(out)), 1);
    CHECK_INT(tamper("UPDATE bank_txns SET amount = 12345 WHERE"
                     " bank_ref = 'FT77001'"),
              0);
    CHECK_INT(audit_verify(out, sizeof(out)), 0);

    /* reopening: admin only, with a reason, audited */
    snprintf(body, sizeof(body),
             "{\"date\":\"%s\",\"reason\":\"thu tiền mặt ghi thiếu\"}", today);
    r = st_send(&srv, "POST", "/v1/orgs/MKT/reopen", board_mkt, NULL, body);
    CHECK_INT(r.status, 403);
    resp_free(&r);
    {
        char nb[128];

        snprintf(nb, sizeof(nb), "{\"date\":\"%s\"}", today);
        r = st_send(&srv, "POST", "/v1/orgs/MKT/reopen", admin, NULL, nb);
        CHECK_INT(r.status, 400);
        resp_free(&r);
    }
    r = st_send(&srv, "POST", "/v1/orgs/MKT/reopen", admin, NULL, body);
    CHECK_INT(r.status, 200);
    resp_free(&r);
    r = st_send(&srv, "POST", "/v1/orgs/MKT/reopen", admin, NULL, body);
    CHECK_INT(r.status, 404);
    resp_free(&r);
    CHECK_INT(st_audit_count_with(srv.dir, "day.reopen", "ghi thiếu"), 1);
    r = st_send(&srv, "POST", "/v1/cash", kiosk, "dc-cash-a6b",
                "{\"payer\":\"A-6\",\"invoices\":\"all\",\"amount\":"
                "100000,\"collector\":\"Chị Hoa\"}");
    CHECK_INT(r.status, 201);
    resp_free(&r);
    CHECK_INT(audit_verify(out, sizeof(out)), 0);
    CHECK(strstr(out, "closed days ok: 0") != NULL);
}

/* Last: an audit entry rewritten behind the server's back breaks it. */
static void test_audit_tamper(void)
{
    char out[4096];

    CHECK_INT(audit_verify(out, sizeof(out)), 0);
    CHECK_INT(st_check(srv.dir, out, sizeof(out)), 0);
    CHECK_INT(tamper("DROP TRIGGER audit_no_update;"
                     " UPDATE audit SET actor = 'someone' WHERE id = 5;"),
              0);
    CHECK_INT(audit_verify(out, sizeof(out)), 1);
    CHECK(strstr(out, "audit chain ok") == NULL);
    CHECK_INT(st_check(srv.dir, out, sizeof(out)), 1);
    CHECK(strstr(out, "audit_chain_verifies: 1\n") != NULL);
    CHECK(strstr(out, "payment_has_one_receipt: 0\n") != NULL);
}

/* A transfer undone by a review keeps its receipt, marked void. */
/* 1 when `chopay-server check` finds every live payment with exactly one
 * receipt that is not void and none on a reversed one (the audit chain
 * was broken on purpose before: only that invariant is read). */
static int receipts_hold(void)
{
    char out[4096];

    st_check(srv.dir, out, sizeof(out));
    return strstr(out, "\npayment_has_one_receipt: 0\n") != NULL;
}

static void test_receipt_void(void)
{
    char path[256];
    struct resp r;
    long long txn = -1;

    snprintf(path, sizeof(path), "/v1/receipts/MKT-%d-000004", vn_year());
    r = st_get(&srv, path, kiosk);
    CHECK_INT(r.status, 200);
    CHECK_STR(JS(r, "payer"), "A-4");
    CHECK(json_is_false(json_object_get(r.json, "voided")));
    resp_free(&r);
    r = st_get(&srv, "/v1/orgs/MKT/bank/transactions?state=matched", admin);
    CHECK_INT(r.status, 200);
    {
        json_t *a = json_object_get(r.json, "transactions");
        size_t i;

        for (i = 0; i < json_array_size(a); i++)
            if (json_integer_value(
                    json_object_get(json_array_get(a, i), "amount")) == 20000)
                txn = json_integer_value(
                    json_object_get(json_array_get(a, i), "id"));
    }
    resp_free(&r);
    CHECK(txn > 0);
    {
        char up[128];

        snprintf(up, sizeof(up), "/v1/orgs/MKT/bank/transactions/%lld/unmatch",
                 txn);
        r = st_send(&srv, "POST", up, board_mkt, NULL,
                    "{\"reason\":\"khách chuyển nhầm sạp\"}");
        CHECK_INT(r.status, 200);
        resp_free(&r);
    }
    r = st_get(&srv, path, kiosk);
    CHECK_INT(r.status, 200);
    CHECK(json_is_true(json_object_get(r.json, "voided")));
    resp_free(&r);
    CHECK_INT(receipts_hold(), 1);
    /* matched again: a new payment, a new receipt number */
    {
        char mp[128];

        snprintf(mp, sizeof(mp), "/v1/orgs/MKT/bank/transactions/%lld/match",
                 txn);
        r = st_send(&srv, "POST", mp, board_mkt, NULL,
                    "{\"payer\":\"A-4\",\"reason\":\"đúng sạp A-4\"}");
        CHECK_INT(r.status, 200);
        resp_free(&r);
    }
    /* A-4's payment has its one live receipt */
    CHECK_INT(st_list_count(&srv, admin, "/v1/orgs/MKT/payments", "payments",
                            "payer=A-4"),
              1);
    CHECK_INT(receipts_hold(), 1);
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
    test_receipts();
    test_receipt_scope();
    test_daily();
    test_adoption();
    test_standees();
    test_receipt_void();
    test_day_close();
    test_audit_tamper();
    CHECK_INT(st_stop(&srv), 0);
    if (th_failed == 0)
        st_rmtree(dir);
    return TEST_END();
}
