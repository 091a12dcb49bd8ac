/*
 * test_collectors.c: an organisation's collectors against the real
 * server. The board adds, lists and disables them (bad input 400, another
 * organisation's board 403, never a PIN or its hash in a list or the
 * audit); once an organisation has collectors, cash needs the PIN of one
 * of them and is recorded as theirs (without or with a wrong PIN nothing
 * changes, wrong PINs in a row lock the collector), the kiosk's totals
 * give a collector their own day's cash, and the store checks clean.
 */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "harness.h"
#include "srvtest.h"

static struct srvt srv;
static char admin[128], kiosk[128], board[128], other[128];

/* POST /v1/cash of `amount` from `payer` by `collector` (NULL: none)
 * with `pin` (NULL: none) under `idem`: the status; *who gets the
 * recorded collector (when 201 and `who` is not NULL). */
static long cash(const char *payer, long long amount, const char *collector,
                 const char *pin, const char *idem, char *who, char **code)
{
    char body[300], c[96] = "", p[48] = "";
    struct resp r;
    long status;

    if (collector != NULL)
        snprintf(c, sizeof(c), ",\"collector\":\"%s\"", collector);
    if (pin != NULL)
        snprintf(p, sizeof(p), ",\"pin\":\"%s\"", pin);
    snprintf(body, sizeof(body),
             "{\"payer\":\"%s\",\"invoices\":\"all\",\"amount\":%lld%s%s}",
             payer, amount, c, p);
    r = st_send(&srv, "POST", "/v1/cash", kiosk, idem, body);
    status = r.status;
    if (who != NULL && r.status == 201)
        snprintf(who, 65, "%s",
                 json_string_value(json_object_get(r.json, "collector")));
    if (code != NULL) {
        const char *e = resp_err(&r);

        *code = strdup(e ? e : "");
    }
    resp_free(&r);
    return status;
}

static long long cash_count(void)
{
    return st_list_count(&srv, admin, "/v1/orgs/MKT/payments", "payments",
                         "method=cash");
}

static long post(const char *token, const char *path, const char *body)
{
    struct resp r = st_send(&srv, "POST", path, token, NULL, body);
    long status = r.status;

    resp_free(&r);
    return status;
}

static void test_manage(void)
{
    static char out[4096];
    const char *add[] = {"collector",  "add",     "--org", "MKT",
                         "--name",     "Chị Hoa", "--pin", "5678",
                         "--data-dir", srv.dir,   NULL};
    const char *bad[] = {"collector",  "add",    "--org", "MKT",
                         "--name",     "Chú Tư", "--pin", "12",
                         "--data-dir", srv.dir,  NULL};
    const char *list[] = {"collector",  "list",  "--org", "MKT",
                          "--data-dir", srv.dir, NULL};
    struct resp r;

    CHECK_INT(post(board, "/v1/orgs/MKT/collectors",
                   "{\"name\":\"Anh Nam\",\"pin\":\"1234\"}"),
              201);
    CHECK_INT(post(admin, "/v1/orgs/MKT/collectors",
                   "{\"name\":\"Anh Nam\",\"pin\":\"4321\"}"),
              409);
    CHECK_INT(post(board, "/v1/orgs/MKT/collectors",
                   "{\"name\":\"Cô Ba\",\"pin\":\"12\"}"),
              400);
    CHECK_INT(post(board, "/v1/orgs/MKT/collectors",
                   "{\"name\":\"Cô Ba\",\"pin\":\"123456789\"}"),
              400);
    CHECK_INT(post(board, "/v1/orgs/MKT/collectors",
                   "{\"name\":\"Cô Ba\",\"pin\":\"12a4\"}"),
              400);
    CHECK_INT(post(board, "/v1/orgs/MKT/collectors",
                   "{\"name\":\"\",\"pin\":\"1234\"}"),
              400);
    CHECK_INT(post(board, "/v1/orgs/MKT/collectors", "{\"name\":\"Cô Ba\"}"),
              400);
    CHECK_INT(post(board, "/v1/orgs/MKT/collectors",
                   "{\"name\":\"Cô Ba\",\"pin\":1234}"),
              400);
    CHECK_INT(post(board, "/v1/orgs/MKT/collectors", "not json"), 400);
    /* another organisation's board and a kiosk */
    CHECK_INT(post(other, "/v1/orgs/MKT/collectors",
                   "{\"name\":\"Cô Ba\",\"pin\":\"1234\"}"),
              403);
    r = st_get(&srv, "/v1/orgs/MKT/collectors", other);
    CHECK_INT(r.status, 403);
    resp_free(&r);
    CHECK_INT(post(kiosk, "/v1/orgs/MKT/collectors",
                   "{\"name\":\"Cô Ba\",\"pin\":\"1234\"}"),
              403);
    /* the command line */
    CHECK_INT(st_run(out, sizeof(out), add), 0);
    CHECK(st_run(out, sizeof(out), bad) != 0);
    CHECK_INT(st_run(out, sizeof(out), list), 0);
    CHECK(strstr(out, "Chị Hoa") != NULL && strstr(out, "Anh Nam") != NULL);
    CHECK(strstr(out, "Chú Tư") == NULL && strstr(out, "scrypt") == NULL);
    r = st_get(&srv, "/v1/orgs/MKT/collectors", board);
    CHECK_INT(r.status, 200);
    CHECK_INT(json_array_size(json_object_get(r.json, "collectors")), 2);
    CHECK(r.body != NULL && strstr(r.body, "scrypt") == NULL &&
          strstr(r.body, "pin") == NULL && strstr(r.body, "1234") == NULL);
    resp_free(&r);
    r = st_get(&srv, "/v1/orgs/SCH/collectors", other);
    CHECK_INT(r.status, 200);
    CHECK_INT(json_array_size(json_object_get(r.json, "collectors")), 0);
    resp_free(&r);
    CHECK_INT(st_audit_count(srv.dir, NULL, "collector.add"), 2);
    CHECK_INT(st_audit_count_with(srv.dir, "collector.add", "1234"), 0);
    CHECK_INT(st_audit_count_with(srv.dir, "collector.add", "scrypt"), 0);
}

static void test_cash_needs_pin(void)
{
    char who[65] = "";
    char *code = NULL;
    long long before = cash_count();
    json_t *t;
    struct resp r;

    CHECK_INT(cash("A-2", 100000, "Anh Nam", NULL, "c-nopin", NULL, &code),
              401);
    CHECK(code != NULL && strcmp(code, "bad_pin") == 0);
    free(code);
    CHECK_INT(cash("A-2", 100000, "Anh Nam", "9999", "c-wrong", NULL, &code),
              401);
    CHECK(code != NULL && strcmp(code, "bad_pin") == 0);
    free(code);
    CHECK_INT(cash("A-2", 100000, NULL, "0000", "c-wrong2", NULL, NULL), 401);
    CHECK_INT(cash_count(), before);
    /* the PIN says who: the kiosk's word for it does not count */
    CHECK_INT(cash("A-2", 100000, "Kiosk", "1234", "c-right", who, NULL), 201);
    CHECK_STR(who, "Anh Nam");
    CHECK_INT(cash("A-3", 70000, NULL, "5678", "c-hoa", who, NULL), 201);
    CHECK_STR(who, "Chị Hoa");
    CHECK_INT(cash_count(), before + 2);
    /* a replay is the same record */
    CHECK_INT(cash("A-2", 100000, "Kiosk", "1234", "c-right", who, NULL), 201);
    CHECK_STR(who, "Anh Nam");
    CHECK_INT(cash_count(), before + 2);
    /* each collector's own day */
    r = st_get(&srv, "/v1/kiosk/totals?collector=Anh%20Nam", kiosk);
    CHECK_INT(r.status, 200);
    t = r.json;
    CHECK_INT(st_json_int(t, "collector.cash.amount"), 100000);
    CHECK_INT(st_json_int(t, "collector.cash.count"), 1);
    resp_free(&r);
    r = st_get(&srv, "/v1/kiosk/totals?collector=Ch%E1%BB%8B%20Hoa", kiosk);
    CHECK_INT(st_json_int(r.json, "collector.cash.amount"), 70000);
    resp_free(&r);
    r = st_get(&srv, "/v1/kiosk/totals?collector=Nobody", kiosk);
    CHECK_INT(r.status, 200);
    CHECK_INT(st_json_int(r.json, "collector.cash.amount"), 0);
    resp_free(&r);
    r = st_get(&srv, "/v1/kiosk/totals?collector=", kiosk);
    CHECK_INT(r.status, 400);
    resp_free(&r);
}

/* The kiosk's PIN check before it queues cash: whose PIN, or how many
 * wrong ones are left; nothing recorded. */
static long verify(const char *body, char *who, long long *left)
{
    struct resp r =
        st_send(&srv, "POST", "/v1/kiosk/collector", kiosk, NULL, body);
    long status = r.status;
    const char *c = json_string_value(json_object_get(r.json, "collector"));

    if (who != NULL)
        snprintf(who, 65, "%s", c ? c : "");
    if (left != NULL)
        *left = st_json_int(r.json, "error.attempts_left");
    resp_free(&r);
    return status;
}

static long directory_pins(void)
{
    struct resp r = st_get(&srv, "/v1/kiosk/directory", kiosk);
    json_t *v = json_object_get(r.json, "collector_pins");
    long pins = json_is_boolean(v) ? json_is_true(v) : -1;

    resp_free(&r);
    return pins;
}

static void test_kiosk_verify(void)
{
    long long before = cash_count(), left = -1;
    char who[65] = "";

    CHECK_INT(directory_pins(), 1);
    CHECK_INT(verify("{\"pin\":\"1234\"}", who, NULL), 200);
    CHECK_STR(who, "Anh Nam");
    CHECK_INT(verify("{\"pin\":\"4444\"}", NULL, &left), 401);
    CHECK_INT(left, 4);
    CHECK_INT(verify("{\"pin\":\"44\"}", NULL, &left), 401);
    CHECK_INT(left, 3);
    CHECK_INT(verify("{\"pin\":\"5678\"}", who, NULL), 200);
    CHECK_STR(who, "Chị Hoa");
    CHECK_INT(verify("{\"pin\":\"1234\"}", who, NULL), 200);
    CHECK_INT(verify("{}", NULL, NULL), 400);
    CHECK_INT(verify("{\"pin\":1234}", NULL, NULL), 400);
    CHECK_INT(cash_count(), before);
    CHECK_INT(st_audit_count_with(srv.dir, "collector.add", "5678"), 0);
}

static void test_lockout_and_disable(void)
{
    long long before = cash_count();
    char who[65] = "", idem[32];
    int i;

    for (i = 0; i < 5; i++) {
        snprintf(idem, sizeof(idem), "lock-%d", i);
        CHECK_INT(cash("A-4", 50000, "Chị Hoa", "1111", idem, NULL, NULL), 401);
    }
    /* locked: the kiosk's check says so too */
    CHECK_INT(verify("{\"pin\":\"5678\"}", NULL, NULL), 403);
    /* locked: even the right PIN is refused for a while */
    CHECK_INT(cash("A-4", 50000, "Chị Hoa", "5678", "lock-right", NULL, NULL),
              403);
    CHECK_INT(cash_count(), before);
    CHECK_INT(st_audit_count(srv.dir, NULL, "collector.lock"), 1);
    /* the others go on */
    CHECK_INT(cash("A-4", 50000, "Anh Nam", "1234", "nam-2", who, NULL), 201);
    CHECK_STR(who, "Anh Nam");
    /* disabled: the PIN no longer records cash */
    CHECK_INT(post(board, "/v1/orgs/MKT/collectors/Anh%20Nam/disable", NULL),
              200);
    CHECK_INT(post(board, "/v1/orgs/MKT/collectors/Nobody/disable", NULL), 404);
    CHECK_INT(post(other, "/v1/orgs/MKT/collectors/Anh%20Nam/disable", NULL),
              403);
    CHECK_INT(cash("A-5", 50000, NULL, "1234", "nam-3", NULL, NULL), 401);
    CHECK_INT(st_audit_count(srv.dir, NULL, "collector.disable"), 1);
    CHECK_INT(cash_count(), before + 1);
}

int main(void)
{
    char dir[256], out[2048];
    const char *btok[] = {"token", "add",        "--role", "board", "--org",
                          "MKT",   "--data-dir", NULL,     NULL};
    const char *otok[] = {"token", "add",        "--role", "board", "--org",
                          "SCH",   "--data-dir", NULL,     NULL};
    char who[65] = "";

    CHECK_INT(st_tmpdir(dir), 0);
    if (st_start(&srv, dir, NULL) != 0) {
        CHECK(0);
        return TEST_END();
    }
    CHECK_INT(st_bank_world(&srv, admin, kiosk), 0);
    CHECK_INT(post(admin, "/v1/orgs",
                   "{\"code\":\"SCH\",\"kind\":\"school\",\"name\":\"Trường "
                   "Tiểu học\",\"bank_bin\":\"970436\",\"account\":"
                   "\"2023456789\",\"account_name\":\"TRUONG TH\","
                   "\"prefix\":\"TH\"}"),
              201);
    btok[7] = otok[7] = srv.dir;
    CHECK_INT(st_run(out, sizeof(out), btok), 0);
    st_last_line(out, board, sizeof(board));
    CHECK_INT(st_run(out, sizeof(out), otok), 0);
    st_last_line(out, other, sizeof(other));
    /* no collectors: cash as it always was */
    CHECK_INT(cash("A-1", 100000, "Chú Tư", NULL, "plain-1", who, NULL), 201);
    CHECK_STR(who, "Chú Tư");
    CHECK_INT(cash("A-1", 100000, NULL, NULL, "plain-2", NULL, NULL), 400);
    CHECK_INT(directory_pins(), 0);
    CHECK_INT(verify("{\"pin\":\"1234\"}", who, NULL), 200);
    CHECK_STR(who, "");
    test_manage();
    test_cash_needs_pin();
    test_kiosk_verify();
    test_lockout_and_disable();
    CHECK_INT(st_check(srv.dir, NULL, 0), 0);
    CHECK_INT(st_stop(&srv), 0);
    if (th_failed == 0)
        st_rmtree(dir);
    return TEST_END();
}
