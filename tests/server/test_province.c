/*
 * test_province.c: a province's credentials against the real server. A
 * province token reads the adoption statistics, the day's totals and the
 * day closes of its province's organisations and nothing else: another
 * province's, any organisation endpoint and every write are refused.
 * Province names match whatever their diacritics and case, an unknown
 * one is refused by the command line and the API alike.
 */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>

#include "harness.h"
#include "srvtest.h"

static struct srvt srv;
static char admin[128], kiosk[128];

/* POST an organisation `code` (prefix `prefix`) as the admin. */
static void org_add(const char *code, const char *account, const char *prefix)
{
    char body[512];
    struct resp r;

    snprintf(body, sizeof(body),
             "{\"code\":\"%s\",\"kind\":\"school\",\"name\":\"Trường %s\","
             "\"bank_bin\":\"970436\",\"account\":\"%s\",\"account_name\":"
             "\"TRUONG %s\",\"prefix\":\"%s\"}",
             code, code, account, code, prefix);
    r = st_send(&srv, "POST", "/v1/orgs", admin, NULL, body);
    if (r.status != 201)
        fprintf(stderr, "%s\n", r.body ? r.body : "");
    CHECK_INT(r.status, 201);
    resp_free(&r);
}

static void province_set(const char *org, const char *province)
{
    char path[64], body[128];
    struct resp r;

    snprintf(path, sizeof(path), "/v1/orgs/%s/province", org);
    snprintf(body, sizeof(body), "{\"province\":\"%s\"}", province);
    r = st_send(&srv, "PUT", path, admin, NULL, body);
    CHECK_INT(r.status, 200);
    resp_free(&r);
}

/*
 * Run `chopay-server ARGS --data-dir DIR --db URL` with its standard
 * error too into out (cap bytes): the exit status, or -1.
 */
static int run_all(const char *args, char *out, size_t cap)
{
    char url[600], cmd[2000];
    FILE *p;
    size_t n;
    int rc;

    st_db_url(srv.dir, url, sizeof(url));
    snprintf(cmd, sizeof(cmd), "'%s' %s --data-dir '%s' --db '%s' 2>&1",
             st_server_bin(), args, srv.dir, url);
    p = popen(cmd, "r");
    if (p == NULL)
        return -1;
    n = fread(out, 1, cap - 1, p);
    out[n] = '\0';
    rc = pclose(p);
    return rc != -1 && WIFEXITED(rc) ? WEXITSTATUS(rc) : -1;
}

/* The organisation codes of an adoption answer, "MKT,SCH," style. */
static void org_codes(json_t *j, char *out, size_t cap)
{
    json_t *orgs = json_object_get(j, "organisations"), *o;
    size_t i, used = 0;

    out[0] = '\0';
    json_array_foreach(orgs, i, o)
    {
        int k = snprintf(out + used, cap - used, "%s,",
                         json_string_value(json_object_get(o, "code")));

        if (k < 0 || (size_t)k >= cap - used)
            return;
        used += (size_t)k;
    }
}

static char dn[128]; /* a token of Đà Nẵng */

static void test_names(void)
{
    char out[4096];
    struct resp r;
    int rc;

    org_add("SCH", "2023456789", "HB");
    org_add("HUE", "3023456789", "HT");
    province_set("MKT", "Đà Nẵng");
    /* another spelling of a province some organisation is in: kept as
       the organisations spell it */
    province_set("SCH", "DA NANG");
    province_set("HUE", "Thừa Thiên Huế");
    r = st_get(&srv, "/v1/provinces", admin);
    CHECK_INT(
        st_count(json_object_get(r.json, "provinces"), "name=Đà Nẵng&orgs=2"),
        1);
    resp_free(&r);
    /* the command line: any spelling, the canonical one stored */
    rc = run_all("token add --role province --province 'Da Nang'", out,
                 sizeof(out));
    CHECK_INT(rc, 0);
    CHECK(strstr(out, "province Đà Nẵng: province token") == out);
    st_last_line(out, dn, sizeof(dn));
    CHECK(strncmp(dn, "ct_", 3) == 0);
    CHECK_INT(
        st_audit_count_with(srv.dir, "token.add", "\"province\":\"Đà Nẵng\""),
        1);
    /* an unknown province: said precisely, non-zero, nothing stored */
    rc = run_all("token add --role province --province 'Hà Giang'", out,
                 sizeof(out));
    CHECK(rc != 0);
    CHECK(strstr(out, "no organisation is in province 'Hà Giang'") != NULL);
    CHECK(strstr(out, "Đà Nẵng") != NULL);
    rc = run_all("user add --name tinh.hg --role province --province Nowhere",
                 out, sizeof(out));
    CHECK(rc != 0);
    CHECK(strstr(out, "no organisation is in province 'Nowhere'") != NULL);
    CHECK_INT(
        st_audit_count_with(srv.dir, "dash.user.add", "\"role\":\"province\""),
        0);
    /* a province without its name, an organisation with it: usage */
    CHECK_INT(run_all("token add --role province", out, sizeof(out)), 2);
    CHECK_INT(run_all("token add --role board --org MKT --province Hue", out,
                      sizeof(out)),
              2);
    CHECK_INT(run_all("token add --role province --province Hue --org MKT", out,
                      sizeof(out)),
              2);
    /* a dashboard user of a province */
    rc = run_all("user add --name tinh.hue --role province --province"
                 " 'THUA THIEN HUE' < /dev/null",
                 out, sizeof(out));
    CHECK_INT(rc, 0);
    CHECK_INT(st_audit_count_with(srv.dir, "dash.user.add",
                                  "\"province\":\"Thừa Thiên Huế\""),
              1);
}

static void test_reads(void)
{
    char codes[128];
    struct resp r;

    /* a cash payment in its province's market counts */
    r = st_send(&srv, "POST", "/v1/cash", kiosk, "prov-cash-1",
                "{\"payer\":\"A-1\",\"invoices\":\"all\",\"amount\":"
                "500000,\"collector\":\"Chị Hoa\"}");
    CHECK_INT(r.status, 201);
    resp_free(&r);
    /* its own province, whatever the spelling */
    r = st_get(&srv, "/v1/stats/adoption?period=month&trend=month", dn);
    CHECK_INT(r.status, 200);
    CHECK_INT(st_json_int(r.json, "current.payments"), 1);
    CHECK_INT(st_json_int(r.json, "current.value"), 500000);
    CHECK_STR(json_string_value(json_object_get(
                  json_object_get(r.json, "scope"), "province")),
              "Đà Nẵng");
    org_codes(r.json, codes, sizeof(codes));
    CHECK_STR(codes, "MKT,SCH,");
    resp_free(&r);
    r = st_get(&srv,
               "/v1/stats/adoption?period=month&province="
               "%C4%90%C3%80%20N%E1%BA%B4NG",
               dn);
    CHECK_INT(r.status, 200);
    org_codes(r.json, codes, sizeof(codes));
    CHECK_STR(codes, "MKT,SCH,");
    resp_free(&r);
    r = st_get(&srv, "/v1/stats/adoption?period=month&province=da%20nang",
               admin);
    CHECK_INT(r.status, 200);
    org_codes(r.json, codes, sizeof(codes));
    CHECK_STR(codes, "MKT,SCH,");
    resp_free(&r);
    r = st_get(&srv, "/v1/stats/adoption?period=month&org=SCH", dn);
    CHECK_INT(r.status, 200);
    resp_free(&r);
    /* the day's totals without transactions, kiosks or payers */
    r = st_get(&srv, "/v1/reports/daily?org=MKT", dn);
    CHECK_INT(r.status, 200);
    CHECK(json_object_get(r.json, "invoices") != NULL);
    CHECK(json_object_get(json_object_get(r.json, "takings"), "transfer") !=
          NULL);
    CHECK(json_object_get(json_object_get(r.json, "takings"), "by_kiosk") ==
          NULL);
    CHECK(json_object_get(json_object_get(r.json, "proof"), "balanced") !=
          NULL);
    CHECK(json_object_get(json_object_get(r.json, "proof"), "differences") ==
          NULL);
    CHECK(json_object_get(json_object_get(r.json, "corrections"), "items") ==
          NULL);
    resp_free(&r);
    r = st_get(&srv, "/v1/orgs/SCH/close?date=2026-12-01", dn);
    CHECK_INT(r.status, 200);
    resp_free(&r);
    /* the provinces it may name: its own */
    r = st_get(&srv, "/v1/provinces", dn);
    CHECK_INT(r.status, 200);
    CHECK_INT(json_array_size(json_object_get(r.json, "provinces")), 1);
    resp_free(&r);
    r = st_get(&srv, "/v1/provinces", admin);
    CHECK_INT(r.status, 200);
    CHECK_INT(json_array_size(json_object_get(r.json, "provinces")), 2);
    resp_free(&r);
    {
        /* an organisation's board has no provinces to read */
        char out[2048], board[128];
        const char *bt[] = {"token", "add",        "--role", "board", "--org",
                            "SCH",   "--data-dir", srv.dir,  NULL};

        CHECK_INT(st_run(out, sizeof(out), bt), 0);
        st_last_line(out, board, sizeof(board));
        r = st_get(&srv, "/v1/provinces", board);
        CHECK_INT(r.status, 403);
        resp_free(&r);
        r = st_get(&srv, "/v1/stats/adoption?province=da%20nang", board);
        CHECK_INT(r.status, 403);
        resp_free(&r);
    }
}

static void test_refusals(void)
{
    /* another province's organisation or the province itself, the
       organisations' own endpoints, every write: 403 */
    static const char *const gets[] = {
        "/v1/stats/adoption?province=Th%E1%BB%ABa%20Thi%C3%AAn%20Hu%E1%BA%BF",
        "/v1/stats/adoption?province=THUA%20THIEN%20HUE",
        "/v1/stats/adoption?org=HUE",
        "/v1/reports/daily?org=HUE",
        "/v1/reports/daily?org=MKT&format=csv",
        "/v1/orgs/HUE/close?date=2026-12-01",
        "/v1/orgs/NOPE/close?date=2026-12-01",
        "/v1/orgs",
        "/v1/orgs/MKT",
        "/v1/orgs/MKT/payers",
        "/v1/orgs/MKT/fees",
        "/v1/orgs/MKT/invoices",
        "/v1/orgs/MKT/payments",
        "/v1/orgs/MKT/intents",
        "/v1/orgs/MKT/bank/transactions",
        "/v1/orgs/MKT/users",
        "/v1/receipts/MKT-2026-000001",
        "/v1/payers/A-1/dues",
        "/v1/payers/A-1/standee.png?org=MKT",
        "/v1/tokens",
        "/v1/kiosks",
        "/metrics",
    };
    static const char *const posts[][3] = {
        {"POST", "/v1/orgs/MKT/close", "{\"date\":\"2026-12-01\"}"},
        {"POST", "/v1/orgs/MKT/reopen",
         "{\"date\":\"2026-12-01\",\"reason\":\"x\"}"},
        {"PUT", "/v1/orgs/MKT/province", "{\"province\":\"Huế\"}"},
        {"POST", "/v1/orgs/MKT/payers", "{\"code\":\"Z-1\",\"name\":\"Z\"}"},
        {"PATCH", "/v1/orgs/MKT", "{\"name\":\"X\"}"},
        {"POST", "/v1/cash", "{\"payer\":\"A-1\",\"amount\":1000}"},
    };
    struct resp r;
    size_t i;

    for (i = 0; i < sizeof(gets) / sizeof(gets[0]); i++) {
        r = st_get(&srv, gets[i], dn);
        if (r.status != 403)
            fprintf(stderr, "GET %s: %ld\n", gets[i], r.status);
        CHECK_INT(r.status, 403);
        CHECK(resp_err(&r) != NULL);
        resp_free(&r);
    }
    for (i = 0; i < sizeof(posts) / sizeof(posts[0]); i++) {
        r = st_send(&srv, posts[i][0], posts[i][1], dn, NULL, posts[i][2]);
        if (r.status != 403)
            fprintf(stderr, "%s %s: %ld\n", posts[i][0], posts[i][1], r.status);
        CHECK_INT(r.status, 403);
        resp_free(&r);
    }
    /* an unknown province: 404 with the error body, for anyone */
    r = st_get(&srv, "/v1/stats/adoption?province=Nowhere", dn);
    CHECK_INT(r.status, 404);
    CHECK_STR(resp_err(&r), "province_not_found");
    resp_free(&r);
    r = st_get(&srv, "/v1/stats/adoption?province=Nowhere", admin);
    CHECK_INT(r.status, 404);
    CHECK_STR(resp_err(&r), "province_not_found");
    resp_free(&r);
    /* a kiosk's key reads no statistics */
    r = st_get(&srv, "/v1/stats/adoption", kiosk);
    CHECK_INT(r.status, 403);
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
    test_names();
    test_reads();
    test_refusals();
    CHECK_INT(st_stop(&srv), 0);
    if (th_failed == 0)
        st_rmtree(dir);
    return TEST_END();
}
