/*
 * test_creds.c: listing and revoking credentials against the real
 * server: kiosk keys and API tokens revoked through the admin API are
 * refused on their very next request, even right after use (when the
 * server has them cached), and revoked on the command line (another
 * process) within the cache's bound of a second; lists show
 * ids, organisations, names or roles, created and last-used times and
 * never a secret or its hash; a disabled dashboard user cannot sign in
 * and its sessions are gone; every revocation is audited; only an admin
 * may do any of it.
 */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "harness.h"
#include "srvtest.h"

static struct srvt srv;
static char admin[128], kiosk[128];

/* Run the server binary on the test's data directory; its last output
 * line into `last` (128 bytes, may be NULL); the exit status. */
static int cli(char *out, size_t cap, char *last, const char *a1,
               const char *a2, const char *a3, const char *a4, const char *a5,
               const char *a6)
{
    const char *argv[12];
    char buf[4096];
    int n = 0, rc;

    argv[n++] = a1;
    argv[n++] = a2;
    if (a3)
        argv[n++] = a3;
    if (a4)
        argv[n++] = a4;
    if (a5)
        argv[n++] = a5;
    if (a6)
        argv[n++] = a6;
    argv[n++] = "--data-dir";
    argv[n++] = srv.dir;
    argv[n] = NULL;
    rc = st_run(buf, sizeof(buf), argv);
    if (out != NULL)
        snprintf(out, cap, "%s", buf);
    if (last != NULL)
        st_last_line(buf, last, 128);
    return rc;
}

/* The status of one GET with `token`. */
static long get_status(const char *path, const char *token)
{
    struct resp r = st_get(&srv, path, token);
    long st = r.status;

    resp_free(&r);
    return st;
}

/*
 * The status of GET `path` with `token` once the server refuses it, or
 * the last status after five seconds: a revocation by another process
 * (the command line) reaches the server's credential cache within a
 * second.
 */
static long refused_soon(const char *path, const char *token)
{
    long st = 0;
    int i;

    for (i = 0; i < 50; i++) {
        st = get_status(path, token);
        if (st == 401)
            break;
        usleep(100000);
    }
    return st;
}

/* The first element of list `key` whose `field` equals `value`. */
static json_t *find(json_t *list, const char *field, const char *value)
{
    size_t i;
    json_t *e;

    json_array_foreach(list, i, e)
    {
        const char *v = json_string_value(json_object_get(e, field));

        if (v != NULL && strcmp(v, value) == 0)
            return e;
    }
    return NULL;
}

static void test_kiosk_revoke_api(void)
{
    struct resp r;
    json_t *k;
    long long id;
    char path[64];

    CHECK_INT(get_status("/v1/kiosk/directory", kiosk), 200);
    r = st_get(&srv, "/v1/kiosks?org=MKT", admin);
    CHECK_INT(r.status, 200);
    k = find(json_object_get(r.json, "kiosks"), "name", "Cổng");
    CHECK(k != NULL);
    id = k ? json_integer_value(json_object_get(k, "id")) : 0;
    CHECK_STR(json_string_value(json_object_get(k, "org")), "MKT");
    CHECK(json_is_true(json_object_get(k, "active")));
    CHECK(json_is_integer(json_object_get(k, "created_at")));
    /* it was just used: last-used is recorded */
    CHECK(json_is_integer(json_object_get(k, "last_used_at")));
    /* never the secret or its hash */
    CHECK(r.body != NULL && strstr(r.body, kiosk) == NULL);
    CHECK(r.body != NULL && strstr(r.body, "hash") == NULL);
    CHECK(json_object_get(k, "key") == NULL);
    resp_free(&r);
    /* a board token may not list or revoke */
    {
        char board[128];

        CHECK_INT(cli(NULL, 0, board, "token", "add", "--role", "board",
                      "--org", "MKT"),
                  0);
        CHECK_INT(get_status("/v1/kiosks", board), 403);
        CHECK_INT(get_status("/v1/tokens", board), 403);
        CHECK_INT(get_status("/v1/orgs/MKT/users", board), 403);
        snprintf(path, sizeof(path), "/v1/kiosks/%lld", id);
        r = st_http(&srv, "DELETE", path, board, NULL, NULL, 0);
        CHECK_INT(r.status, 403);
        resp_free(&r);
        CHECK_INT(get_status("/v1/kiosk/directory", kiosk), 200);
    }
    /* the wrong organisation or an unknown id: 404, nothing revoked */
    snprintf(path, sizeof(path), "/v1/kiosks/%lld?org=NOPE", id);
    r = st_http(&srv, "DELETE", path, admin, NULL, NULL, 0);
    CHECK_INT(r.status, 404);
    resp_free(&r);
    r = st_http(&srv, "DELETE", "/v1/kiosks/99999", admin, NULL, NULL, 0);
    CHECK_INT(r.status, 404);
    resp_free(&r);
    /* just used, several times: the server has it cached */
    CHECK_INT(get_status("/v1/kiosk/directory", kiosk), 200);
    CHECK_INT(get_status("/v1/payers/A-1/dues", kiosk), 200);
    CHECK_INT(get_status("/v1/kiosk/directory", kiosk), 200);
    /* revoked: the very next request is refused */
    snprintf(path, sizeof(path), "/v1/kiosks/%lld?org=MKT", id);
    r = st_http(&srv, "DELETE", path, admin, NULL, NULL, 0);
    CHECK_INT(r.status, 200);
    CHECK(json_is_true(json_object_get(r.json, "revoked")));
    resp_free(&r);
    CHECK_INT(get_status("/v1/kiosk/directory", kiosk), 401);
    CHECK_INT(get_status("/v1/payers/A-1/dues", kiosk), 401);
    /* again: still revoked, audited once */
    r = st_http(&srv, "DELETE", path, admin, NULL, NULL, 0);
    CHECK_INT(r.status, 200);
    CHECK(json_is_false(json_object_get(r.json, "was_active")));
    resp_free(&r);
    CHECK_INT(st_audit_count(srv.dir, NULL, "kiosk.revoke"), 1);
    r = st_get(&srv, "/v1/kiosks", admin);
    k = find(json_object_get(r.json, "kiosks"), "name", "Cổng");
    CHECK(k != NULL && json_is_false(json_object_get(k, "active")));
    CHECK(k != NULL && json_is_integer(json_object_get(k, "revoked_at")));
    resp_free(&r);
}

static void test_kiosk_revoke_cli(void)
{
    char key[128], out[4096], last[128], id[24];

    CHECK_INT(cli(out, sizeof(out), key, "kiosk", "add", "--org", "MKT",
                  "--name", "Cửa-sau"),
              0);
    /* "kiosk N for MKT: ..." */
    CHECK(sscanf(out, "kiosk %23s", id) == 1);
    CHECK_INT(get_status("/v1/kiosk/directory", key), 200);
    CHECK_INT(cli(out, sizeof(out), NULL, "kiosk", "list", "--org", "MKT", NULL,
                  NULL),
              0);
    CHECK(strstr(out, "Cửa-sau") != NULL);
    CHECK(strstr(out, key) == NULL);
    /* another organisation's scope: refused */
    CHECK(cli(NULL, 0, NULL, "kiosk", "revoke", id, "--org", "NOPE", NULL) !=
          0);
    CHECK_INT(get_status("/v1/kiosk/directory", key), 200);
    CHECK_INT(cli(NULL, 0, last, "kiosk", "revoke", id, "--org", "MKT", NULL),
              0);
    CHECK(strstr(last, "revoked") != NULL);
    CHECK_INT(refused_soon("/v1/kiosk/directory", key), 401);
    CHECK_INT(
        cli(out, sizeof(out), NULL, "kiosk", "list", NULL, NULL, NULL, NULL),
        0);
    CHECK(strstr(out, "revoked") != NULL);
}

static void test_token_revoke(void)
{
    char tok[128], tok2[128], out[4096], last[128];
    struct resp r;
    json_t *list, *e;
    long long id = 0;
    size_t i;
    char path[64];

    CHECK_INT(cli(out, sizeof(out), tok, "token", "add", "--role", "auditor",
                  "--org", "MKT"),
              0);
    CHECK_INT(get_status("/v1/orgs/MKT/payers", tok), 200);
    r = st_get(&srv, "/v1/tokens", admin);
    CHECK_INT(r.status, 200);
    list = json_object_get(r.json, "tokens");
    json_array_foreach(list, i, e)
    {
        const char *role = json_string_value(json_object_get(e, "role"));

        if (role != NULL && strcmp(role, "auditor") == 0)
            id = json_integer_value(json_object_get(e, "id"));
    }
    CHECK(id > 0);
    CHECK(r.body != NULL && strstr(r.body, tok) == NULL);
    CHECK(r.body != NULL && strstr(r.body, "hash") == NULL);
    /* the admin token in use has a last-used time */
    e = find(list, "role", "admin");
    CHECK(e != NULL && json_is_integer(json_object_get(e, "last_used_at")));
    resp_free(&r);
    snprintf(path, sizeof(path), "/v1/tokens/%lld", id);
    r = st_http(&srv, "DELETE", path, admin, NULL, NULL, 0);
    CHECK_INT(r.status, 200);
    resp_free(&r);
    CHECK_INT(get_status("/v1/orgs/MKT/payers", tok), 401);
    CHECK_INT(st_audit_count(srv.dir, NULL, "token.revoke"), 1);
    /* through the command line */
    CHECK_INT(cli(out, sizeof(out), tok2, "token", "add", "--role", "admin",
                  NULL, NULL),
              0);
    CHECK_INT(get_status("/v1/tokens", tok2), 200);
    CHECK(sscanf(out, "admin token %lld", &id) == 1);
    snprintf(path, sizeof(path), "%lld", id);
    CHECK_INT(
        cli(out, sizeof(out), NULL, "token", "list", NULL, NULL, NULL, NULL),
        0);
    CHECK(strstr(out, tok2) == NULL);
    CHECK_INT(cli(NULL, 0, last, "token", "revoke", path, NULL, NULL, NULL), 0);
    CHECK_INT(refused_soon("/v1/tokens", tok2), 401);
    /* the admin that did the rest still works */
    CHECK_INT(get_status("/v1/tokens", admin), 200);
}

/* Sign in over HTTP; the status. */
static long dash_login(const char *login, const char *pw)
{
    char body[256];
    const char *h[] = {"Content-Type: application/json", NULL};
    struct resp r;
    long st;

    snprintf(body, sizeof(body), "{\"login\":\"%s\",\"password\":\"%s\"}",
             login, pw);
    r = st_http(&srv, "POST", "/dash/login", NULL, h, body, strlen(body));
    st = r.status;
    resp_free(&r);
    return st;
}

/* The dashboard sessions of user `login` of MKT the admin API lists, or
 * -1. */
static long long user_sessions(const char *login)
{
    struct resp r = st_get(&srv, "/v1/orgs/MKT/users", admin);
    long long n = st_json_int(
        find(json_object_get(r.json, "users"), "name", login), "sessions");

    resp_free(&r);
    return n;
}

static void test_user_disable(void)
{
    char pw_lan[128], pw_hoa[128], out[4096];
    struct resp r;
    json_t *u;

    CHECK_INT(
        cli(NULL, 0, pw_lan, "user", "add", "--org", "MKT", "--name", "lan"),
        0);
    CHECK_INT(
        cli(NULL, 0, pw_hoa, "user", "add", "--org", "MKT", "--name", "hoa"),
        0);
    CHECK_INT(dash_login("lan", pw_lan), 200);
    CHECK_INT(dash_login("lan", pw_lan), 200);
    CHECK_INT(dash_login("hoa", pw_hoa), 200);
    CHECK_INT(user_sessions("lan"), 2);
    r = st_get(&srv, "/v1/orgs/MKT/users", admin);
    CHECK_INT(r.status, 200);
    u = find(json_object_get(r.json, "users"), "name", "lan");
    CHECK(u != NULL && json_is_integer(json_object_get(u, "last_used_at")));
    CHECK(r.body != NULL && strstr(r.body, "scrypt") == NULL);
    CHECK(r.body != NULL && strstr(r.body, "pw_hash") == NULL);
    resp_free(&r);
    /* the command line: sessions ended, sign-in refused */
    CHECK_INT(cli(out, sizeof(out), NULL, "user", "disable", "--org", "MKT",
                  "--name", "lan"),
              0);
    CHECK(strstr(out, "2 session") != NULL);
    CHECK_INT(user_sessions("lan"), 0);
    CHECK_INT(dash_login("lan", pw_lan), 401);
    CHECK_INT(
        cli(out, sizeof(out), NULL, "user", "list", "--org", "MKT", NULL, NULL),
        0);
    CHECK(strstr(out, "lan") != NULL && strstr(out, "revoked") != NULL);
    /* the admin API */
    r = st_send(&srv, "POST", "/v1/orgs/MKT/users/hoa/disable", admin, NULL,
                "{}");
    CHECK_INT(r.status, 200);
    CHECK_INT(json_integer_value(json_object_get(r.json, "sessions_ended")), 1);
    resp_free(&r);
    CHECK_INT(dash_login("hoa", pw_hoa), 401);
    r = st_send(&srv, "POST", "/v1/orgs/MKT/users/nobody/disable", admin, NULL,
                "{}");
    CHECK_INT(r.status, 404);
    resp_free(&r);
    CHECK_INT(st_audit_count(srv.dir, NULL, "dash.user.disable"), 2);
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
    test_kiosk_revoke_api();
    test_kiosk_revoke_cli();
    test_token_revoke();
    test_user_disable();
    CHECK_INT(st_stop(&srv), 0);
    if (th_failed == 0)
        st_rmtree(dir);
    return TEST_END();
}
