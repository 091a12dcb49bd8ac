/*
 * test_audit.c: reading the audit log, GET /v1/audit and `chopay-server
 * audit list`, against the real server: an admin reads every entry, a
 * board or auditor token only its own organisation's and never another's;
 * filters by organisation and action, paging by id and limit; bad
 * parameters are 400 with an error code and change nothing; the command
 * prints what the endpoint answers.
 */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "harness.h"
#include "srvtest.h"

static struct srvt srv;
static char admin[128], kiosk[128], board_a[128], board_b[128], auditor_a[128];

/* Run the server binary with `argv` (NULL-terminated; --data-dir added);
 * its output into `out` (cap bytes); the exit status. */
static int cli(char *out, size_t cap, const char *const *args)
{
    const char *argv[16];
    int n = 0;

    while (args[n] != NULL && n < 12) {
        argv[n] = args[n];
        n++;
    }
    argv[n++] = "--data-dir";
    argv[n++] = srv.dir;
    argv[n] = NULL;
    return st_run(out, cap, argv);
}

/* A new token of `role` for organisation `org` into `key` (128). */
static int token(const char *role, const char *org, char *key)
{
    const char *args[] = {"token", "add", "--role", role, "--org", org, NULL};
    char out[1024];
    int rc = cli(out, sizeof(out), args);

    st_last_line(out, key, 128);
    return rc;
}

/* 1 when a request with `token` succeeds with 201 or 200. */
static int send_ok(const char *path, const char *tok, const char *body)
{
    struct resp r = st_send(&srv, "POST", path, tok, NULL, body);
    int ok = r.status == 200 || r.status == 201;

    if (!ok)
        fprintf(stderr, "%s: %ld %s\n", path, r.status, r.body ? r.body : "");
    resp_free(&r);
    return ok;
}

/* How many entries of answer `j` have `field` equal to `value`. */
static size_t count_field(json_t *j, const char *field, const char *value)
{
    json_t *e;
    size_t i, n = 0;

    json_array_foreach(json_object_get(j, "entries"), i, e)
    {
        const char *v = json_string_value(json_object_get(e, field));

        n += v != NULL && strcmp(v, value) == 0;
    }
    return n;
}

/* 1 when entry `e` carries the fields the API promises. */
static int entry_ok(json_t *e)
{
    json_t *org = json_object_get(e, "org");

    return json_is_integer(json_object_get(e, "id")) &&
           json_is_integer(json_object_get(e, "at")) &&
           json_is_string(json_object_get(e, "actor")) &&
           json_is_string(json_object_get(e, "action")) &&
           (json_is_string(org) || json_is_null(org)) &&
           json_is_string(json_object_get(e, "subject")) &&
           json_is_object(json_object_get(e, "details"));
}

static void world(void)
{
    CHECK_INT(st_bank_world(&srv, admin, kiosk), 0);
    CHECK(send_ok("/v1/orgs", admin,
                  "{\"code\":\"TRUONG\",\"kind\":\"school\",\"name\":"
                  "\"Trường Tiểu học Lê Lợi\",\"bank_bin\":\"970436\","
                  "\"account\":\"2034567890\",\"account_name\":\"TRUONG LE "
                  "LOI\",\"prefix\":\"TH\"}"));
    CHECK_INT(token("board", "MKT", board_a), 0);
    CHECK_INT(token("board", "TRUONG", board_b), 0);
    CHECK_INT(token("auditor", "MKT", auditor_a), 0);
    CHECK(send_ok("/v1/orgs/MKT/payers", board_a,
                  "{\"code\":\"B-1\",\"name\":\"Võ Thị Sáu\",\"zone\":\"B\"}"));
    CHECK(send_ok("/v1/orgs/TRUONG/payers", board_b,
                  "{\"code\":\"HS1024\",\"name\":\"Ngô Bảo Châu\","
                  "\"class\":\"5A\",\"guardian\":\"Ngô Huy Cẩn\"}"));
}

static void test_admin_reads_all(void)
{
    struct resp r = st_get(&srv, "/v1/audit?limit=1000", admin);
    json_t *e;
    size_t i;
    int ok = 1;

    CHECK_INT(r.status, 200);
    CHECK(json_array_size(json_object_get(r.json, "entries")) > 10);
    CHECK_INT(st_json_int(r.json, "total"),
              (long long)json_array_size(json_object_get(r.json, "entries")));
    json_array_foreach(json_object_get(r.json, "entries"), i, e) ok &=
        entry_ok(e);
    CHECK(ok);
    /* both organisations' payers, each told of its organisation */
    CHECK_INT(count_field(r.json, "subject", "B-1"), 1);
    CHECK_INT(count_field(r.json, "subject", "HS1024"), 1);
    CHECK_INT(count_field(r.json, "org", "MKT") > 0, 1);
    CHECK_INT(count_field(r.json, "org", "TRUONG") > 0, 1);
    /* the command line reads the same entries */
    CHECK_INT(st_audit_count(srv.dir, NULL, NULL),
              st_json_int(r.json, "total"));
    resp_free(&r);
}

/* Every entry `tok` reads concerns `org`; none of `other`'s appears. */
static void scoped(const char *tok, const char *org, const char *own_payer,
                   const char *other_payer)
{
    struct resp r = st_get(&srv, "/v1/audit?limit=1000", tok), a;
    size_t n = json_array_size(json_object_get(r.json, "entries"));
    char path[64];

    CHECK_INT(r.status, 200);
    CHECK(n > 0);
    CHECK_INT(count_field(r.json, "org", org), n);
    CHECK_INT(count_field(r.json, "subject", own_payer), 1);
    CHECK_INT(count_field(r.json, "subject", other_payer), 0);
    /* the same as an admin asking for that organisation */
    snprintf(path, sizeof(path), "/v1/audit?org=%s&limit=1000", org);
    a = st_get(&srv, path, admin);
    CHECK_INT(a.status, 200);
    CHECK_INT(st_json_int(a.json, "total"), st_json_int(r.json, "total"));
    CHECK_INT(st_audit_count(srv.dir, org, NULL), st_json_int(r.json, "total"));
    resp_free(&a);
    resp_free(&r);
}

static void test_scope(void)
{
    struct resp r;

    scoped(board_a, "MKT", "B-1", "HS1024");
    scoped(auditor_a, "MKT", "B-1", "HS1024");
    scoped(board_b, "TRUONG", "HS1024", "B-1");
    /* asking for the other organisation is refused, not answered empty */
    r = st_get(&srv, "/v1/audit?org=TRUONG", board_a);
    CHECK_INT(r.status, 403);
    CHECK_STR(resp_err(&r), "forbidden");
    resp_free(&r);
    r = st_get(&srv, "/v1/audit?org=MKT&action=payer.create", board_b);
    CHECK_INT(r.status, 403);
    resp_free(&r);
    /* a kiosk key reads no audit log */
    r = st_get(&srv, "/v1/audit", kiosk);
    CHECK(r.status == 401 || r.status == 403);
    resp_free(&r);
    r = st_get(&srv, "/v1/audit", NULL);
    CHECK_INT(r.status, 401);
    resp_free(&r);
}

static void test_filters_and_paging(void)
{
    struct resp r, p1, p2;
    long long first;
    char path[96];

    r = st_get(&srv, "/v1/audit?action=payer.create&limit=1000", admin);
    CHECK_INT(r.status, 200);
    /* A-1..A-6 by the admin, B-1 and HS1024 by the boards */
    CHECK_INT(st_json_int(r.json, "total"), 8);
    CHECK_INT(count_field(r.json, "action", "payer.create"), 8);
    resp_free(&r);
    r = st_get(&srv, "/v1/audit?action=payer.create&org=TRUONG", admin);
    CHECK_INT(st_json_int(r.json, "total"), 1);
    CHECK_INT(count_field(r.json, "subject", "HS1024"), 1);
    resp_free(&r);
    CHECK_INT(st_audit_count(srv.dir, "TRUONG", "payer.create"), 1);
    CHECK_INT(st_audit_count(srv.dir, NULL, "no.such.action"), 0);
    /* limit 2, then the page after its last id */
    p1 = st_get(&srv, "/v1/audit?action=payer.create&limit=2", admin);
    CHECK_INT(p1.status, 200);
    CHECK_INT(json_array_size(json_object_get(p1.json, "entries")), 2);
    CHECK_INT(st_json_int(p1.json, "total"), 8);
    first = json_integer_value(json_object_get(
        json_array_get(json_object_get(p1.json, "entries"), 1), "id"));
    snprintf(path, sizeof(path),
             "/v1/audit?action=payer.create&limit=1000&after=%lld", first);
    p2 = st_get(&srv, path, admin);
    CHECK_INT(p2.status, 200);
    CHECK_INT(st_json_int(p2.json, "total"), 6);
    CHECK(json_integer_value(json_object_get(
              json_array_get(json_object_get(p2.json, "entries"), 0), "id")) >
          first);
    resp_free(&p1);
    resp_free(&p2);
}

static void test_bad_params(void)
{
    static const char *const bad[][2] = {
        {"/v1/audit?limit=0", "bad_limit"},
        {"/v1/audit?limit=1001", "bad_limit"},
        {"/v1/audit?limit=ten", "bad_limit"},
        {"/v1/audit?after=-1", "bad_after"},
        {"/v1/audit?after=1x", "bad_after"},
        {"/v1/audit?action=Payer%20create", "bad_action"},
        {"/v1/audit?action=", "bad_action"},
        {"/v1/audit?org=mkt%3B", "bad_org"},
        {"/v1/audit?since=1", NULL},
    };
    long long before = st_audit_count(srv.dir, NULL, NULL);
    size_t i;

    for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        struct resp r = st_get(&srv, bad[i][0], admin);
        json_t *err = json_object_get(r.json, "error");

        CHECK_INT(r.status, 400);
        CHECK(json_is_string(json_object_get(err, "code")));
        CHECK(json_is_string(json_object_get(err, "message")));
        if (bad[i][1] != NULL)
            CHECK_STR(resp_err(&r), bad[i][1]);
        resp_free(&r);
    }
    /* an organisation that does not exist */
    {
        struct resp r = st_get(&srv, "/v1/audit?org=NOPE", admin);

        CHECK_INT(r.status, 404);
        resp_free(&r);
    }
    /* reading changed nothing */
    CHECK_INT(st_audit_count(srv.dir, NULL, NULL), before);
}

static void test_cli(void)
{
    const char *lines[] = {"audit",    "list",         "--org", "TRUONG",
                           "--action", "payer.create", NULL};
    const char *nope[] = {"audit", "list", "--org", "NOPE", NULL};
    const char *zero[] = {"audit", "list", "--limit", "0", NULL};
    char out[4096];

    CHECK_INT(cli(out, sizeof(out), lines), 0);
    CHECK(strstr(out, "TRUONG") != NULL);
    CHECK(strstr(out, "payer.create") != NULL);
    CHECK(strstr(out, "HS1024") != NULL);
    CHECK(strstr(out, "B-1") == NULL);
    CHECK(strstr(out, "1 of 1 entries") != NULL);
    CHECK_INT(cli(out, sizeof(out), nope), 1);
    CHECK_INT(cli(out, sizeof(out), zero), 2);
}

/* journal list: no webhook came, nothing journaled; bad options refused */
static void test_journal_cli(void)
{
    const char *bad_state[] = {"journal", "list", "--state", "lost", NULL};
    const char *bad_prov[] = {"journal", "list", "--provider", "vcb", NULL};
    const char *plain[] = {"journal", "list", NULL};
    char out[4096];
    json_t *j = st_journal(srv.dir, NULL);

    CHECK_INT(st_json_int(j, "total"), 0);
    CHECK_INT(json_array_size(json_object_get(j, "entries")), 0);
    json_decref(j);
    CHECK_INT(cli(out, sizeof(out), plain), 0);
    CHECK(strstr(out, "0 of 0 entries") != NULL);
    CHECK_INT(cli(out, sizeof(out), bad_state), 2);
    CHECK_INT(cli(out, sizeof(out), bad_prov), 2);
}

/*
 * Entries written before the audit log had its organisation column: the
 * migration that adds it tells each old entry's organisation from who
 * acted or what it names, the one its write would have filed it under;
 * an admin's edit by code names none and stays without. The hash chain
 * is as it was and its guard is back.
 */
static void test_old_entries(void)
{
    struct resp was = st_get(&srv, "/v1/audit?limit=1000", admin), now;
    char dir[256], url[400], out[4096];
    const char *verify[] = {"audit", "verify", NULL};
    size_t i, n, told = 0, same = 0;

    CHECK_INT(was.status, 200);
    CHECK_INT(st_stop(&srv), 0);
    snprintf(dir, sizeof(dir), "%s", srv.dir);
    st_db_url(dir, url, sizeof(url));
    /* back to version 17: the later migrations' objects go too, so that
       they all run again at the next start */
    CHECK_INT(st_tamper(url, "DROP INDEX audit_org;"
                             " ALTER TABLE audit DROP COLUMN org_id;"
                             " DROP TABLE collectors;"
                             " DROP TABLE stall_payments;"
                             " DROP TABLE stall_days; DROP TABLE stall_feeds;"
                             " DROP INDEX bank_imports_unfinished;"
                             " DROP INDEX intents_remainder;"
                             " DROP INDEX invoices_remainder;"
                             " ALTER TABLE bank_imports DROP COLUMN digest;"
                             " ALTER TABLE bank_imports DROP COLUMN rows_done;"
                             " ALTER TABLE bank_imports DROP COLUMN finished;"
                             " DELETE FROM schema_version"
                             " WHERE version >= 18;"),
              0);
    CHECK_INT(st_start(&srv, dir, NULL), 0);
    now = st_get(&srv, "/v1/audit?limit=1000", admin);
    CHECK_INT(now.status, 200);
    n = json_array_size(json_object_get(was.json, "entries"));
    CHECK_INT(json_array_size(json_object_get(now.json, "entries")), n);
    for (i = 0; i < n; i++) {
        json_t *a = json_array_get(json_object_get(was.json, "entries"), i);
        json_t *b = json_array_get(json_object_get(now.json, "entries"), i);
        json_t *oa = json_object_get(a, "org"), *ob = json_object_get(b, "org");

        if (json_is_string(ob)) {
            told++;
            same += json_equal(oa, ob);
        } else {
            /* untold: an edit by code, of an admin */
            same += strcmp(json_string_value(json_object_get(b, "actor")),
                           "cli") == 0 ||
                    strncmp(json_string_value(json_object_get(b, "actor")),
                            "token:", 6) == 0;
        }
    }
    CHECK_INT(same, n);
    CHECK(told > 0);
    CHECK_INT(count_field(now.json, "org", "TRUONG"),
              count_field(was.json, "org", "TRUONG"));
    resp_free(&was);
    resp_free(&now);
    CHECK_INT(st_audit_count(srv.dir, "TRUONG", "payer.create"), 1);
    CHECK_INT(cli(out, sizeof(out), verify), 0);
    CHECK_INT(st_check(srv.dir, NULL, 0), 0);
    /* the log is append-only again */
    CHECK_INT(st_tamper(url, "UPDATE audit SET org_id = NULL"), -1);
}

int main(void)
{
    char dir[256];

    CHECK_INT(st_tmpdir(dir), 0);
    if (st_start(&srv, dir, NULL) != 0) {
        CHECK(0);
        return TEST_END();
    }
    world();
    test_admin_reads_all();
    test_scope();
    test_filters_and_paging();
    test_bad_params();
    test_cli();
    test_journal_cli();
    test_old_entries();
    CHECK_INT(st_stop(&srv), 0);
    if (th_failed == 0)
        st_rmtree(dir);
    return TEST_END();
}
