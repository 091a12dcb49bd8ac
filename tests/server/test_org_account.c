/*
 * test_org_account.c: which organisation an incoming account names, over
 * HTTP against the real server: a board cannot move its collecting
 * account onto another organisation's feed, an account is one
 * organisation's (account_taken), statements for accounts nobody holds
 * store nothing whoever sends them, the BIN written in front of an
 * account decides between banks, an account without BIN held at two
 * banks is refused, and every move of an account is audited.
 */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "harness.h"
#include "srvtest.h"

#define SCH_ACCOUNT "112000345678"
#define SCH_KEY     "school-generic-secret"
#define X_KEY       "x-generic-secret-01"
#define Y_KEY       "y-generic-secret-02"

static struct srvt srv;
static char admin[128], kiosk[128], board[128];

/* 1 when audit detail `d` holds old.`key` == `old` and new.`key` ==
 * `new`. */
static int detail_has(json_t *d, const char *key, const char *old,
                      const char *new)
{
    const char *o =
        json_string_value(json_object_get(json_object_get(d, "old"), key));
    const char *n =
        json_string_value(json_object_get(json_object_get(d, "new"), key));

    return o != NULL && n != NULL && strcmp(o, old) == 0 && strcmp(n, new) == 0;
}

/* The audit entries of org `org`'s account changing from old_bin
 * old_acct to new_bin new_acct (their details, read by `chopay-server
 * audit list`), or -1. */
static int account_changes(const char *org, const char *old_bin,
                           const char *old_acct, const char *new_bin,
                           const char *new_acct)
{
    json_t *a = st_audit(srv.dir, org, "org.account"), *e;
    size_t i;
    int n = 0;

    if (a == NULL)
        return -1;
    json_array_foreach(json_object_get(a, "entries"), i, e)
    {
        json_t *d = json_object_get(e, "details");
        const char *subject = json_string_value(json_object_get(e, "subject"));

        if (subject != NULL && strcmp(subject, org) == 0 &&
            detail_has(d, "bank_bin", old_bin, new_bin) &&
            detail_has(d, "account", old_acct, new_acct))
            n++;
    }
    json_decref(a);
    return n;
}

/* Vietnam's date, YYYY-MM-DD (11 bytes). */
static void vn_day(char *out)
{
    time_t t = time(NULL) + 7 * 3600;
    struct tm tm;

    gmtime_r(&t, &tm);
    strftime(out, 11, "%Y-%m-%d", &tm);
}

/* A signed generic notification of one credit to `account`. */
static struct resp hook(const char *account, const char *id, const char *key)
{
    char day[16], sig[200] = "", h1[64], h2[300], tss[32], *b = NULL;
    const char *hdrs[4] = {"Content-Type: application/json", h1, h2, NULL};
    struct resp r;

    vn_day(day);
    if (asprintf(&b,
                 "{\"id\":\"%s\",\"account\":\"%s\",\"reference\":\"FT%s\","
                 "\"direction\":\"credit\",\"amount\":120000,\"booked_at\":"
                 "\"%s\",\"description\":\"chuyen tien %s\"}",
                 id, account, id, day, id) < 0)
        abort();
    snprintf(tss, sizeof(tss), "%lld", (long long)time(NULL));
    st_sign("generic", key, tss, b, sig, sizeof(sig));
    snprintf(h1, sizeof(h1), "X-Chopay-Timestamp: %s", tss);
    snprintf(h2, sizeof(h2), "X-Chopay-Signature: sha256=%s", sig);
    r = st_http(&srv, "POST", "/v1/bank/generic", NULL, hdrs, b, strlen(b));
    free(b);
    return r;
}

/* POST an MT940 statement of one credit booked today to `account`. */
static struct resp statement(const char *token, const char *query,
                             const char *account, const char *ref)
{
    char ymd[16], d[16], path[128], *b = NULL;
    struct resp r;

    vn_day(ymd);
    snprintf(d, sizeof(d), "%.2s%.2s%.2s", ymd + 2, ymd + 5, ymd + 8);
    if (asprintf(&b,
                 ":20:S%s\r\n:25:%s\r\n:28C:1/1\r\n:60F:C%sVND1000000,\r\n"
                 ":61:%s%sC75000,NTRFNONREF//%s\r\n:86:chuyen khoan %s\r\n"
                 ":62F:C%sVND1075000,\r\n-\r\n",
                 ref, account, d, d, d + 2, ref, ref, d) < 0)
        abort();
    snprintf(path, sizeof(path), "/v1/statements?format=mt940%s",
             query ? query : "");
    r = st_http(&srv, "POST", path, token, NULL, b, strlen(b));
    free(b);
    return r;
}

/* The bank transactions organisation `org` lists. */
static long long n_txns(const char *org)
{
    char path[96];
    struct resp r;
    long long n;

    snprintf(path, sizeof(path), "/v1/orgs/%s/bank/transactions?limit=1000",
             org);
    r = st_get(&srv, path, admin);
    n = r.status == 200 ? (long long)json_array_size(
                              json_object_get(r.json, "transactions"))
                        : -1;
    resp_free(&r);
    return n;
}

/* The collecting account GET /v1/orgs/{org} shows, into out. */
static const char *org_account(const char *org, char *out, size_t cap)
{
    const char *bin, *acct;
    char path[64];
    struct resp r;

    snprintf(path, sizeof(path), "/v1/orgs/%s", org);
    r = st_get(&srv, path, admin);
    bin = json_string_value(
        json_object_get(json_object_get(r.json, "bank"), "bin"));
    acct = json_string_value(json_object_get(r.json, "account"));
    snprintf(out, cap, "%s %s", bin ? bin : "?", acct ? acct : "?");
    resp_free(&r);
    return out;
}

static void make_org(const char *code, const char *bin, const char *account,
                     const char *prefix, const char *key)
{
    char body[400], path[96];
    struct resp r;

    snprintf(body, sizeof(body),
             "{\"code\":\"%s\",\"kind\":\"school\",\"name\":\"Trường %s\","
             "\"bank_bin\":\"%s\",\"account\":\"%s\",\"account_name\":"
             "\"TRUONG %s\",\"prefix\":\"%s\"}",
             code, code, bin, account, code, prefix);
    r = st_send(&srv, "POST", "/v1/orgs", admin, NULL, body);
    CHECK_INT(r.status, 201);
    resp_free(&r);
    snprintf(path, sizeof(path), "/v1/orgs/%s/bank/secrets/generic", code);
    snprintf(body, sizeof(body), "{\"hmac_key\":\"%s\"}", key);
    r = st_send(&srv, "PUT", path, admin, NULL, body);
    CHECK_INT(r.status, 200);
    resp_free(&r);
}

/* The market's board moving its account onto the school's feed. */
static void test_takeover(void)
{
    char acct[64];
    long long sch, mkt;
    struct resp r;

    /* a board token may not touch the account or the BIN at all */
    r = st_send(&srv, "PATCH", "/v1/orgs/MKT", board, NULL,
                "{\"account\":\"00345678\"}");
    CHECK_INT(r.status, 403);
    CHECK_STR(resp_err(&r), "forbidden");
    CHECK(json_is_string(
        json_object_get(json_object_get(r.json, "error"), "message")));
    resp_free(&r);
    r = st_send(&srv, "PATCH", "/v1/orgs/MKT", board, NULL,
                "{\"bank_bin\":\"970415\"}");
    CHECK_INT(r.status, 403);
    CHECK_STR(resp_err(&r), "forbidden");
    resp_free(&r);
    CHECK_STR(org_account("MKT", acct, sizeof(acct)), "970436 " ST_MKT_ACCOUNT);
    /* the rest of the organisation stays the board's to edit */
    r = st_send(&srv, "PATCH", "/v1/orgs/MKT", board, NULL,
                "{\"name\":\"Chợ Bến Thành mới\"}");
    CHECK_INT(r.status, 200);
    resp_free(&r);
    /* an admin cannot give it another organisation's account, in any
       form it may be written */
    r = st_send(&srv, "PATCH", "/v1/orgs/MKT", admin, NULL,
                "{\"account\":\"" SCH_ACCOUNT "\",\"bank_bin\":\"970415\"}");
    CHECK_INT(r.status, 409);
    CHECK_STR(resp_err(&r), "account_taken");
    resp_free(&r);
    r = st_send(&srv, "PATCH", "/v1/orgs/MKT", admin, NULL,
                "{\"account\":\"970415/1120-0034-5678\"}");
    CHECK_INT(r.status, 409);
    CHECK_STR(resp_err(&r), "account_taken");
    resp_free(&r);
    r = st_send(&srv, "POST", "/v1/orgs", admin, NULL,
                "{\"code\":\"TAKE\",\"kind\":\"market\",\"name\":\"x\","
                "\"bank_bin\":\"970415\",\"account\":\"112 000 345 678\","
                "\"account_name\":\"X\",\"prefix\":\"TK\"}");
    CHECK_INT(r.status, 409);
    CHECK_STR(resp_err(&r), "account_taken");
    resp_free(&r);
    CHECK_STR(org_account("MKT", acct, sizeof(acct)), "970436 " ST_MKT_ACCOUNT);
    /* the last 8 digits of the school's account, at the market's bank, is
       a pair nobody holds: allowed, and it takes nothing from the school */
    r = st_send(&srv, "PATCH", "/v1/orgs/MKT", admin, NULL,
                "{\"account\":\"00345678\"}");
    CHECK_INT(r.status, 200);
    CHECK_STR(json_string_value(json_object_get(r.json, "account")),
              "00345678");
    resp_free(&r);
    CHECK_INT(
        account_changes("MKT", "970436", ST_MKT_ACCOUNT, "970436", "00345678"),
        1);
    sch = n_txns("SCH");
    mkt = n_txns("MKT");
    r = hook(SCH_ACCOUNT, "SCH-1", SCH_KEY);
    CHECK_INT(r.status, 200);
    resp_free(&r);
    r = statement(admin, NULL, SCH_ACCOUNT, "SCH2");
    CHECK_INT(r.status, 201);
    resp_free(&r);
    CHECK_INT(n_txns("SCH"), sch + 2);
    CHECK_INT(n_txns("MKT"), mkt);
    /* the market's feed follows its new account */
    r = hook("00345678", "MKT-1", ST_GENERIC_KEY);
    CHECK_INT(r.status, 200);
    resp_free(&r);
    CHECK_INT(n_txns("MKT"), mkt + 1);
    CHECK_INT(n_txns("SCH"), sch + 2);
    /* back, audited again */
    r = st_send(&srv, "PATCH", "/v1/orgs/MKT", admin, NULL,
                "{\"account\":\"" ST_MKT_ACCOUNT "\"}");
    CHECK_INT(r.status, 200);
    resp_free(&r);
    CHECK_INT(st_audit_count(srv.dir, "MKT", "org.account"), 2);
    /* an edit that does not move the account is no account change */
    r = st_send(&srv, "PATCH", "/v1/orgs/MKT", admin, NULL,
                "{\"account\":\"" ST_MKT_ACCOUNT "\",\"bank_bin\":\"970436\"}");
    CHECK_INT(r.status, 200);
    resp_free(&r);
    CHECK_INT(st_audit_count(srv.dir, NULL, "org.account"), 2);
}

/* What a refused statement must not have changed: the bank transactions
 * of every organisation and the audit log's length. */
static long long stored(void)
{
    struct resp r = st_get(&srv, "/v1/orgs", admin);
    json_t *orgs = json_object_get(r.json, "orgs"), *o;
    long long n = st_audit_count(srv.dir, NULL, NULL);
    size_t i;

    json_array_foreach(orgs, i, o) n +=
        n_txns(json_string_value(json_object_get(o, "code")));
    n = r.status == 200 ? n : -1;
    resp_free(&r);
    return n;
}

/* Statements for accounts that are no organisation's. */
static void test_unknown_account(void)
{
    static const char *const nobody[] = {
        "5550001111",             /* nobody's */
        "23456789",               /* the market's last 8 digits */
        "9704361023456789",       /* BIN glued on without a separator */
        "970415/" ST_MKT_ACCOUNT, /* the market's number at another bank */
    };
    long long before = stored(), mkt = n_txns("MKT");
    struct resp r;
    size_t i;

    for (i = 0; i < sizeof(nobody) / sizeof(nobody[0]); i++) {
        r = statement(board, NULL, nobody[i], "U1");
        CHECK_INT(r.status, 422);
        CHECK_STR(resp_err(&r), "unknown_account");
        resp_free(&r);
        r = statement(admin, "&org=MKT", nobody[i], "U2");
        CHECK_INT(r.status, 422);
        CHECK_STR(resp_err(&r), "unknown_account");
        resp_free(&r);
        r = statement(admin, NULL, nobody[i], "U3");
        CHECK_INT(r.status, 422);
        CHECK_STR(resp_err(&r), "unknown_account");
        resp_free(&r);
    }
    CHECK_INT(stored(), before);
    CHECK_INT(n_txns("MKT"), mkt);
    /* another organisation's account: refused as before */
    r = statement(board, NULL, SCH_ACCOUNT, "U4");
    CHECK_INT(r.status, 422);
    CHECK_STR(resp_err(&r), "account_mismatch");
    resp_free(&r);
    CHECK_INT(stored(), before);
    /* its own account with the BIN in front: booked */
    r = statement(board, NULL, "970436/" ST_MKT_ACCOUNT, "U5");
    CHECK_INT(r.status, 201);
    CHECK_INT(json_integer_value(json_object_get(r.json, "new")), 1);
    resp_free(&r);
    CHECK_INT(n_txns("MKT"), mkt + 1);
}

/* One account number at two banks: the BIN decides, none is refused. */
static void test_two_banks(void)
{
    long long x, y, before, rej;
    struct resp r;

    make_org("XA", "970436", "5551234567", "XA", X_KEY);
    make_org("YB", "970415", "5551234567", "YB", Y_KEY);
    x = n_txns("XA");
    y = n_txns("YB");
    CHECK_INT(x, 0);
    CHECK_INT(y, 0);
    /* the BIN written in front names the bank, in each form */
    r = hook("970415/5551234567", "Y-1", Y_KEY);
    CHECK_INT(r.status, 200);
    resp_free(&r);
    r = hook("970436:5551234567", "X-1", X_KEY);
    CHECK_INT(r.status, 200);
    resp_free(&r);
    r = statement(admin, NULL, "970415 5551234567", "Y2");
    CHECK_INT(r.status, 201);
    resp_free(&r);
    r = statement(admin, NULL, "970436/5551234567", "X2");
    CHECK_INT(r.status, 201);
    resp_free(&r);
    CHECK_INT(n_txns("XA"), 2);
    CHECK_INT(n_txns("YB"), 2);
    /* without a BIN it could be either: refused, never the older one */
    rej = st_journal_count(srv.dir, "rejected", "detail=ambiguous_account");
    r = hook("5551234567", "Y-3", Y_KEY);
    CHECK_INT(r.status, 403);
    CHECK_STR(resp_err(&r), "ambiguous_account");
    resp_free(&r);
    r = hook("555.123.4567", "X-3", X_KEY);
    CHECK_INT(r.status, 403);
    CHECK_STR(resp_err(&r), "ambiguous_account");
    resp_free(&r);
    CHECK_INT(st_journal_count(srv.dir, "rejected", "detail=ambiguous_account"),
              rej + 2);
    before = stored();
    r = statement(admin, NULL, "5551234567", "A1");
    CHECK_INT(r.status, 422);
    CHECK_STR(resp_err(&r), "ambiguous_account");
    resp_free(&r);
    r = statement(board, NULL, "5551234567", "A2");
    CHECK_INT(r.status, 422);
    resp_free(&r);
    CHECK_INT(stored(), before);
    /* a BIN nobody holds the number at */
    r = hook("970422/5551234567", "Z-1", Y_KEY);
    CHECK_INT(r.status, 403);
    CHECK_STR(resp_err(&r), "unknown_account");
    resp_free(&r);
    CHECK_INT(n_txns("XA"), 2);
    CHECK_INT(n_txns("YB"), 2);
}

int main(void)
{
    char dir[256], cfg[400], out[2048];
    const char *extra[] = {"--config", cfg, NULL};
    const char *tb[] = {"token", "add",        "--role", "board", "--org",
                        "MKT",   "--data-dir", dir,      NULL};
    struct resp r;

    CHECK_INT(st_tmpdir(dir), 0);
    CHECK_INT(st_bank_config(dir, cfg, sizeof(cfg)), 0);
    if (st_start(&srv, dir, extra) != 0) {
        CHECK(0);
        return TEST_END();
    }
    CHECK_INT(st_bank_world(&srv, admin, kiosk), 0);
    CHECK_INT(st_run(out, sizeof(out), tb), 0);
    st_last_line(out, board, sizeof(board));
    make_org("SCH", "970415", SCH_ACCOUNT, "HS", SCH_KEY);
    /* the world works before anything moves */
    r = hook(SCH_ACCOUNT, "SCH-0", SCH_KEY);
    CHECK_INT(r.status, 200);
    resp_free(&r);
    test_takeover();
    test_unknown_account();
    test_two_banks();
    CHECK_INT(st_stop(&srv), 0);
    if (th_failed == 0)
        st_rmtree(dir);
    return TEST_END();
}
