/*
 * test_dash.c: the web dashboard over HTTP against the real server: board
 * users (`user add`, scrypt hashes checked against RFC 7914's vector),
 * sign-in and its cookie, lockout after repeated failures, CSRF on every
 * state change, sessions scoped to their organisation, sign-out, and the
 * compiled-in pages with their Content-Security-Policy and ETag.
 */
#define _GNU_SOURCE
#include <curl/curl.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>

#include "dash.h"
#include "harness.h"
#include "srvtest.h"

static struct srvt srv;
static char admin[128], kiosk[128], cfg[400];

/* An answer with the headers the dashboard cares about. */
struct dresp {
    long status;      /* HTTP status */
    char *body;       /* body (owned) */
    size_t len;       /* its length */
    json_t *json;     /* parsed body or NULL */
    char cookie[300]; /* Set-Cookie */
    char csp[400];    /* Content-Security-Policy */
    char ctype[80];   /* Content-Type */
    char etag[80];    /* ETag */
    char retry[24];   /* Retry-After */
};

static size_t on_body(char *p, size_t sz, size_t n, void *ud)
{
    struct dresp *r = ud;
    char *nb = realloc(r->body, r->len + sz * n + 1);

    if (nb == NULL)
        return 0;
    r->body = nb;
    memcpy(r->body + r->len, p, sz * n);
    r->len += sz * n;
    r->body[r->len] = '\0';
    return sz * n;
}

/* Copy header `name`'s value into out when line `p` is that header. */
static void grab(const char *p, size_t n, const char *name, char *out,
                 size_t cap)
{
    size_t nl = strlen(name);

    if (n > nl + 1 && strncasecmp(p, name, nl) == 0 && p[nl] == ':') {
        size_t s = nl + 1, e = n;

        while (s < e && p[s] == ' ')
            s++;
        while (e > s && (p[e - 1] == '\r' || p[e - 1] == '\n'))
            e--;
        snprintf(out, cap, "%.*s", (int)(e - s), p + s);
    }
}

static size_t on_header(char *p, size_t sz, size_t n, void *ud)
{
    struct dresp *r = ud;

    grab(p, sz * n, "Set-Cookie", r->cookie, sizeof(r->cookie));
    grab(p, sz * n, "Content-Security-Policy", r->csp, sizeof(r->csp));
    grab(p, sz * n, "Content-Type", r->ctype, sizeof(r->ctype));
    grab(p, sz * n, "ETag", r->etag, sizeof(r->etag));
    grab(p, sz * n, "Retry-After", r->retry, sizeof(r->retry));
    return sz * n;
}

/*
 * One request: `session` (cookie value) and `csrf` may be NULL; `ctype`
 * the body's type (default JSON); `extra` one more header or NULL.
 */
static struct dresp dreq(const char *method, const char *path,
                         const char *session, const char *csrf,
                         const char *body, const char *ctype, const char *extra)
{
    struct dresp r;
    struct curl_slist *h = NULL;
    char url[400], line[400];
    CURL *c = curl_easy_init();

    memset(&r, 0, sizeof(r));
    if (c == NULL)
        return r;
    snprintf(url, sizeof(url), "%s%s", srv.base, path);
    curl_easy_setopt(c, CURLOPT_URL, url);
    curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST, method);
    curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, on_body);
    curl_easy_setopt(c, CURLOPT_WRITEDATA, &r);
    curl_easy_setopt(c, CURLOPT_HEADERFUNCTION, on_header);
    curl_easy_setopt(c, CURLOPT_HEADERDATA, &r);
    curl_easy_setopt(c, CURLOPT_TIMEOUT, 30L);
    if (session != NULL) {
        snprintf(line, sizeof(line), "chopay_session=%s", session);
        curl_easy_setopt(c, CURLOPT_COOKIE, line);
    }
    if (csrf != NULL) {
        snprintf(line, sizeof(line), "X-CSRF-Token: %s", csrf);
        h = curl_slist_append(h, line);
    }
    if (body != NULL) {
        snprintf(line, sizeof(line), "Content-Type: %s",
                 ctype ? ctype : "application/json");
        h = curl_slist_append(h, line);
        curl_easy_setopt(c, CURLOPT_POSTFIELDS, body);
        curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE, (long)strlen(body));
    }
    if (extra != NULL)
        h = curl_slist_append(h, extra);
    curl_easy_setopt(c, CURLOPT_HTTPHEADER, h);
    if (curl_easy_perform(c) == CURLE_OK)
        curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &r.status);
    curl_slist_free_all(h);
    curl_easy_cleanup(c);
    if (r.body != NULL)
        r.json = json_loads(r.body, 0, NULL);
    return r;
}

static void dfree(struct dresp *r)
{
    free(r->body);
    json_decref(r->json);
    memset(r, 0, sizeof(*r));
}

static const char *err_code(const struct dresp *r)
{
    const char *s = json_string_value(
        json_object_get(json_object_get(r->json, "error"), "code"));

    return s ? s : "";
}

/* Sign in; the cookie value (64 hex) and CSRF token into out params. */
static long login(const char *user, const char *pw, char *session, char *csrf,
                  const char *extra, struct dresp *keep)
{
    char body[200];
    struct dresp r;
    long st;

    snprintf(body, sizeof(body), "{\"login\":\"%s\",\"password\":\"%s\"}", user,
             pw);
    r = dreq("POST", "/dash/login", NULL, NULL, body, NULL, extra);
    st = r.status;
    if (st == 200 && session != NULL && csrf != NULL) {
        const char *v = strstr(r.cookie, "chopay_session=");
        const char *t = json_string_value(json_object_get(r.json, "csrf"));

        snprintf(session, 65, "%.64s", v ? v + 15 : "");
        snprintf(csrf, 65, "%s", t ? t : "");
    }
    if (keep != NULL)
        *keep = r;
    else
        dfree(&r);
    return st;
}

/* Run `user add ARGS` with `stdin_text` (NULL: /dev/null): exit status. */
static int user_add(const char *args, const char *stdin_text, char *out,
                    size_t cap)
{
    char cmd[1200], path[400];
    FILE *f;
    size_t n;
    int rc;

    snprintf(path, sizeof(path), "%s/useradd.out", srv.dir);
    if (stdin_text != NULL)
        snprintf(cmd, sizeof(cmd),
                 "printf '%%s\\n' '%s' | '%s' user add %s --data-dir '%s' "
                 "> '%s' 2>&1",
                 stdin_text, st_server_bin(), args, srv.dir, path);
    else
        snprintf(cmd, sizeof(cmd),
                 "'%s' user add %s --data-dir '%s' < /dev/null > '%s' 2>&1",
                 st_server_bin(), args, srv.dir, path);
    rc = system(cmd);
    if (rc == -1 || !WIFEXITED(rc))
        return -1;
    f = fopen(path, "rb");
    if (f == NULL)
        return -1;
    n = fread(out, 1, cap - 1, f);
    out[n] = '\0';
    fclose(f);
    return WEXITSTATUS(rc);
}

/* One text column of the test database (first row), into out. */
static void db_text(const char *sql, char *out, size_t cap)
{
    char path[400];
    sqlite3 *db = NULL;
    sqlite3_stmt *st = NULL;

    out[0] = '\0';
    snprintf(path, sizeof(path), "%s/chopay.db", srv.dir);
    if (sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY, NULL) == SQLITE_OK &&
        sqlite3_prepare_v2(db, sql, -1, &st, NULL) == SQLITE_OK &&
        sqlite3_step(st) == SQLITE_ROW && sqlite3_column_text(st, 0))
        snprintf(out, cap, "%s", (const char *)sqlite3_column_text(st, 0));
    sqlite3_finalize(st);
    sqlite3_close(db);
}

#define PW_LAN "lan-mật-khẩu-2026"

static char binh_pw[64]; /* the generated password of auditor binh */

/* Hashes: RFC 7914's vector through dash_pw_verify, fresh hashes. */
static void test_pw(void)
{
    /* RFC 7914 §12: P "pleaseletmein", S "SodiumChloride", N 16384, r 8,
       p 1; the first 32 bytes of its 64-byte key */
    const char *kat = "scrypt$16384$8$1$U29kaXVtQ2hsb3JpZGU=$"
                      "cCO9yzr9c0hGHAbNgf046/2o+7qQT44+qbVD9lRdofI=";
    char h1[DASH_PW_MAX], h2[DASH_PW_MAX];

    CHECK_INT(dash_pw_verify("pleaseletmein", kat), 1);
    CHECK_INT(dash_pw_verify("pleaseletmeim", kat), 0);
    CHECK_INT(dash_pw_verify("pleaseletmein", "scrypt$16384$8$1$$"), -1);
    CHECK_INT(dash_pw_verify("x",
                             "scrypt$16385$8$1$U29kaXVtQ2hsb3JpZGU=$"
                             "cCO9yzr9c0hGHAbNgf046/2o+7qQT44+qbVD9lRdofI="),
              -1);
    CHECK_INT(dash_pw_verify("x", "bcrypt$2b$10$abc"), -1);
    /* parameters beyond 256 MiB are refused, not run */
    CHECK_INT(dash_pw_verify("x",
                             "scrypt$1048576$16$1$U29kaXVtQ2hsb3JpZGU=$"
                             "cCO9yzr9c0hGHAbNgf046/2o+7qQT44+qbVD9lRdofI="),
              -1);
    CHECK_INT(dash_pw_verify("x", "scrypt$16384$8$1$U29kaXVtQ2hsb3JpZGU="), -1);
    CHECK_INT(dash_pw_verify("x",
                             "scrypt$16384$8$1$!!!!$"
                             "cCO9yzr9c0hGHAbNgf046/2o+7qQT44+qbVD9lRdofI="),
              -1);
    CHECK_INT(dash_pw_hash("mật khẩu", h1, sizeof(h1)), 0);
    CHECK_INT(dash_pw_hash("mật khẩu", h2, sizeof(h2)), 0);
    CHECK(strncmp(h1, "scrypt$32768$8$1$", 17) == 0);
    CHECK(strcmp(h1, h2) != 0); /* fresh salts */
    CHECK_INT(dash_pw_verify("mật khẩu", h1), 1);
    CHECK_INT(dash_pw_verify("mật khẩu", h2), 1);
    CHECK_INT(dash_pw_verify("mat khau", h1), 0);
    CHECK_INT(dash_pw_hash("x", h1, 20), -1); /* short buffer */
}

static void test_user_add(void)
{
    char out[2000], line[128], stored[DASH_PW_MAX];

    CHECK_INT(user_add("--org MKT --name lan", PW_LAN, out, sizeof(out)), 0);
    CHECK(strstr(out, "board user") != NULL);
    CHECK(strstr(out, PW_LAN) == NULL); /* a given password is not echoed */
    /* no password on stdin: one is generated and printed once */
    CHECK_INT(user_add("--org MKT --name binh --role auditor", NULL, out,
                       sizeof(out)),
              0);
    st_last_line(out, line, sizeof(line));
    CHECK_INT((long long)strlen(line), 16);
    snprintf(binh_pw, sizeof(binh_pw), "%.63s", line);
    CHECK_INT(
        user_add("--org SCH --name hoa", "hoa-mat-khau-2026", out, sizeof(out)),
        0);
    CHECK_INT(
        user_add("--org SCH --name hoa", "hoa-mat-khau-2026", out, sizeof(out)),
        1); /* duplicate login */
    CHECK_INT(user_add("--org MKT --name ngan", "short", out, sizeof(out)), 1);
    CHECK_INT(user_add("--org NOPE --name tuan", "tuan-mat-khau-2026", out,
                       sizeof(out)),
              1);
    CHECK_INT(user_add("--org MKT --name Bad!Name", "tuan-mat-khau-2026", out,
                       sizeof(out)),
              1);
    CHECK_INT(
        user_add("--role admin --org MKT --name root", "x", out, sizeof(out)),
        2);
    CHECK_INT(user_add("--name orphan", "orphan-mat-khau", out, sizeof(out)),
              2);
    /* what is stored: the scrypt format, and it verifies */
    db_text("SELECT pw_hash FROM dash_users WHERE login = 'lan'", stored,
            sizeof(stored));
    CHECK(strncmp(stored, "scrypt$32768$8$1$", 17) == 0);
    CHECK(strstr(stored, PW_LAN) == NULL);
    CHECK_INT(dash_pw_verify(PW_LAN, stored), 1);
    CHECK_INT(dash_pw_verify("lan-mat-khau-2026", stored), 0);
}

static void test_login(void)
{
    char sess[65], csrf[65], s2[65], c2[65];
    struct dresp r;

    /* success: cookie flags, the session's principal */
    CHECK_INT(login("lan", PW_LAN, sess, csrf, NULL, &r), 200);
    CHECK(strstr(r.cookie, "HttpOnly") != NULL);
    CHECK(strstr(r.cookie, "SameSite=Strict") != NULL);
    CHECK(strstr(r.cookie, "Path=/") != NULL);
    CHECK(strstr(r.cookie, "Secure") == NULL); /* plain HTTP */
    CHECK_INT((long long)strlen(sess), 64);
    CHECK_INT((long long)strlen(csrf), 64);
    CHECK_STR(json_string_value(json_object_get(r.json, "role")), "board");
    CHECK_STR(json_string_value(json_object_get(r.json, "org")), "MKT");
    CHECK_STR(json_string_value(json_object_get(r.json, "login")), "lan");
    dfree(&r);
    /* through the TLS front end: Secure */
    CHECK_INT(login("lan", PW_LAN, s2, c2, "X-Forwarded-Proto: https", &r),
              200);
    CHECK(strstr(r.cookie, "; Secure") != NULL);
    CHECK(strcmp(s2, sess) != 0 && strcmp(c2, csrf) != 0);
    dfree(&r);
    /* the session is stored hashed, never as the cookie */
    {
        char q[200], got[80];

        snprintf(q, sizeof(q),
                 "SELECT count(*) FROM dash_sessions WHERE hash = '%s'", sess);
        db_text(q, got, sizeof(got));
        CHECK_STR(got, "0");
        db_text("SELECT count(*) FROM dash_sessions", got, sizeof(got));
        CHECK_STR(got, "2");
    }
    /* a form post signs in as well */
    r = dreq("POST", "/dash/login", NULL, NULL,
             "login=binh&password=" /* base64 may hold + and / */,
             "application/x-www-form-urlencoded", NULL);
    CHECK_INT(r.status, 401);
    dfree(&r);
    {
        char body[200], enc[100];
        size_t i, o = 0;

        for (i = 0; binh_pw[i] && o + 4 < sizeof(enc); i++) {
            unsigned char ch = (unsigned char)binh_pw[i];

            if ((ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') ||
                (ch >= '0' && ch <= '9'))
                enc[o++] = (char)ch;
            else
                o += (size_t)snprintf(enc + o, 4, "%%%02X", ch);
        }
        enc[o] = '\0';
        snprintf(body, sizeof(body), "login=binh&password=%s", enc);
        r = dreq("POST", "/dash/login", NULL, NULL, body,
                 "application/x-www-form-urlencoded", NULL);
        CHECK_INT(r.status, 200);
        CHECK_STR(json_string_value(json_object_get(r.json, "role")),
                  "auditor");
        dfree(&r);
    }
    /* failures */
    CHECK_INT(login("lan", "wrong-password", NULL, NULL, NULL, &r), 401);
    CHECK_STR(err_code(&r), "bad_credentials");
    CHECK(r.cookie[0] == '\0');
    dfree(&r);
    CHECK_INT(login("nobody", PW_LAN, NULL, NULL, NULL, NULL), 401);
    r = dreq("POST", "/dash/login", NULL, NULL, "{\"login\":\"lan\"}", NULL,
             NULL);
    CHECK_INT(r.status, 400);
    dfree(&r);
    /* a failure was audited */
    {
        char got[40];

        db_text("SELECT count(*) FROM audit WHERE action ="
                " 'dash.login_failed' AND object = 'login:lan'",
                got, sizeof(got));
        CHECK_STR(got, "1");
    }
}

static void test_lockout(void)
{
    char sess[65], csrf[65], got[40];
    struct dresp r;
    int i;

    /* hoa: 5 failures lock the login, even the right password then */
    for (i = 0; i < 5; i++)
        CHECK_INT(login("hoa", "doan-mo-2026", NULL, NULL, NULL, NULL), 401);
    CHECK_INT(login("hoa", "hoa-mat-khau-2026", sess, csrf, NULL, &r), 429);
    CHECK_STR(err_code(&r), "locked");
    CHECK(atoi(r.retry) > 800 && atoi(r.retry) <= 900);
    CHECK(r.cookie[0] == '\0');
    dfree(&r);
    db_text("SELECT count(*) FROM audit WHERE action = 'dash.lock' AND"
            " object = 'login:hoa'",
            got, sizeof(got));
    CHECK_STR(got, "1");
    /* other logins are not affected */
    CHECK_INT(login("lan", PW_LAN, sess, csrf, NULL, NULL), 200);
    /* per address (behind the proxy on loopback: X-Real-IP): 20 failures
       over any logins lock that address out */
    for (i = 0; i < 20; i++) {
        char u[24];

        snprintf(u, sizeof(u), "guess%d", i);
        CHECK_INT(login(u, "doan-mo-2026", NULL, NULL, "X-Real-IP: 203.0.113.9",
                        NULL),
                  401);
    }
    CHECK_INT(login("lan", PW_LAN, sess, csrf, "X-Real-IP: 203.0.113.9", NULL),
              429);
    CHECK_INT(login("lan", PW_LAN, sess, csrf, "X-Real-IP: 203.0.113.10", NULL),
              200);
    /* a success clears the login's count */
    CHECK_INT(login("lan", "wrong", NULL, NULL, NULL, NULL), 401);
    CHECK_INT(login("lan", PW_LAN, sess, csrf, NULL, NULL), 200);
    db_text("SELECT count(*) FROM dash_failures WHERE key = 'login:lan'", got,
            sizeof(got));
    CHECK_STR(got, "0");
}

static void test_session_api(void)
{
    char sess[65], csrf[65], as[65], ac[65];
    const char *prov = "{\"province\":\"Đà Nẵng\"}";
    struct dresp r;

    CHECK_INT(login("lan", PW_LAN, sess, csrf, NULL, NULL), 200);
    r = dreq("GET", "/dash/session", sess, NULL, NULL, NULL, NULL);
    CHECK_INT(r.status, 200);
    CHECK_STR(json_string_value(json_object_get(r.json, "csrf")), csrf);
    CHECK_STR(json_string_value(json_object_get(r.json, "org")), "MKT");
    dfree(&r);
    r = dreq("GET", "/dash/session", NULL, NULL, NULL, NULL, NULL);
    CHECK_INT(r.status, 401);
    dfree(&r);
    r = dreq("GET", "/dash/session",
             "00000000000000000000000000000000"
             "00000000000000000000000000000000",
             NULL, NULL, NULL, NULL);
    CHECK_INT(r.status, 401);
    dfree(&r);
    /* the board API with the cookie: own organisation only */
    r = dreq("GET", "/v1/orgs/MKT/payers", sess, NULL, NULL, NULL, NULL);
    CHECK_INT(r.status, 200);
    CHECK(json_is_array(json_object_get(r.json, "payers")) ||
          json_is_array(r.json));
    dfree(&r);
    r = dreq("GET", "/v1/orgs/SCH/payers", sess, NULL, NULL, NULL, NULL);
    CHECK_INT(r.status, 403);
    dfree(&r);
    r = dreq("GET", "/v1/reports/daily?org=SCH", sess, NULL, NULL, NULL, NULL);
    CHECK(r.status == 403 || r.status == 404);
    dfree(&r);
    r = dreq("GET", "/v1/reports/daily?org=MKT", sess, NULL, NULL, NULL, NULL);
    CHECK_INT(r.status, 200);
    dfree(&r);
    r = dreq("GET", "/v1/reports/daily?org=MKT&format=csv", sess, NULL, NULL,
             NULL, NULL);
    CHECK_INT(r.status, 200);
    CHECK(strncmp(r.ctype, "text/csv", 8) == 0);
    dfree(&r);
    /* kiosk routes are not for board users */
    r = dreq("GET", "/v1/kiosk/directory", sess, NULL, NULL, NULL, NULL);
    CHECK_INT(r.status, 403);
    dfree(&r);
    /* CSRF: a state change needs the session's token */
    r = dreq("PUT", "/v1/orgs/MKT/province", sess, NULL, prov, NULL, NULL);
    CHECK_INT(r.status, 403);
    CHECK_STR(err_code(&r), "csrf");
    dfree(&r);
    r = dreq("PUT", "/v1/orgs/MKT/province", sess,
             "1111111111111111111111111111111111111111111111111111111111111111",
             prov, NULL, NULL);
    CHECK_INT(r.status, 403);
    CHECK_STR(err_code(&r), "csrf");
    dfree(&r);
    /* another session's token does not do either */
    CHECK_INT(login("lan", PW_LAN, as, ac, NULL, NULL), 200);
    r = dreq("PUT", "/v1/orgs/MKT/province", sess, ac, prov, NULL, NULL);
    CHECK_INT(r.status, 403);
    dfree(&r);
    r = dreq("PUT", "/v1/orgs/MKT/province", sess, csrf, prov, NULL, NULL);
    CHECK_INT(r.status, 200);
    dfree(&r);
    {
        char got[80];

        db_text("SELECT actor FROM audit WHERE action LIKE '%province%'"
                " ORDER BY id DESC LIMIT 1",
                got, sizeof(got));
        CHECK_STR(got, "user:lan");
    }
    /* an auditor reads but does not write */
    CHECK_INT(login("binh", binh_pw, as, ac, NULL, NULL), 200);
    r = dreq("GET", "/v1/orgs/MKT/invoices", as, NULL, NULL, NULL, NULL);
    CHECK_INT(r.status, 200);
    dfree(&r);
    r = dreq("PUT", "/v1/orgs/MKT/province", as, ac, prov, NULL, NULL);
    CHECK_INT(r.status, 403);
    CHECK_STR(err_code(&r), "forbidden");
    dfree(&r);
    /* a bearer token still wins over a cookie */
    {
        char hdr[200];

        snprintf(hdr, sizeof(hdr), "Authorization: Bearer %s", admin);
        r = dreq("GET", "/v1/orgs/SCH/payers", sess, NULL, NULL, NULL, hdr);
        CHECK_INT(r.status, 200);
        dfree(&r);
    }
    /* sign out: CSRF needed, then the session is gone */
    r = dreq("POST", "/dash/logout", sess, NULL, "{}", NULL, NULL);
    CHECK_INT(r.status, 403);
    dfree(&r);
    r = dreq("POST", "/dash/logout", sess, csrf, "{}", NULL, NULL);
    CHECK_INT(r.status, 200);
    CHECK(strstr(r.cookie, "Max-Age=0") != NULL);
    dfree(&r);
    r = dreq("GET", "/dash/session", sess, NULL, NULL, NULL, NULL);
    CHECK_INT(r.status, 401);
    dfree(&r);
    r = dreq("GET", "/v1/orgs/MKT/payers", sess, NULL, NULL, NULL, NULL);
    CHECK_INT(r.status, 401);
    dfree(&r);
    /* the auditor's session is still there */
    r = dreq("GET", "/dash/session", as, NULL, NULL, NULL, NULL);
    CHECK_INT(r.status, 200);
    dfree(&r);
}

/* 1 when every "http://" in `s` is SVG's namespace (no outside URLs). */
static int only_svg_ns(const char *s)
{
    const char *ns = "http://www.w3.org/2000/svg";

    while ((s = strstr(s, "http://")) != NULL) {
        if (strncmp(s, ns, strlen(ns)) != 0)
            return 0;
        s += strlen(ns);
    }
    return 1;
}

static void test_static(void)
{
    struct dresp r, r2;
    char hdr[120];

    r = dreq("GET", "/", NULL, NULL, NULL, NULL, NULL);
    CHECK_INT(r.status, 200);
    CHECK(strncmp(r.ctype, "text/html", 9) == 0);
    CHECK(strstr(r.csp, "default-src 'self'") != NULL);
    CHECK(strstr(r.csp, "frame-ancestors 'none'") != NULL);
    CHECK(r.etag[0] == '"');
    CHECK(r.body && strstr(r.body, "/assets/app.js") != NULL);
    CHECK(r.body && strstr(r.body, "lang=\"vi\"") != NULL);
    /* everything local: no absolute URLs to elsewhere */
    CHECK(r.body && strstr(r.body, "//") == NULL);
    snprintf(hdr, sizeof(hdr), "If-None-Match: %s", r.etag);
    r2 = dreq("GET", "/", NULL, NULL, NULL, NULL, hdr);
    CHECK_INT(r2.status, 304);
    CHECK_INT((long long)r2.len, 0);
    dfree(&r2);
    dfree(&r);
    r = dreq("GET", "/assets/app.js", NULL, NULL, NULL, NULL, NULL);
    CHECK_INT(r.status, 200);
    CHECK(strncmp(r.ctype, "text/javascript", 15) == 0);
    CHECK(strstr(r.csp, "default-src 'self'") != NULL);
    CHECK(r.len > 1000);
    CHECK(r.body && strstr(r.body, "https://") == NULL);
    CHECK(r.body && only_svg_ns(r.body));
    /* Vietnamese first, with its diacritics, and English */
    CHECK(r.body && strstr(r.body, "Đăng nhập") != NULL);
    CHECK(r.body && strstr(r.body, "Sign in") != NULL);
    dfree(&r);
    r = dreq("GET", "/assets/app.css", NULL, NULL, NULL, NULL, NULL);
    CHECK_INT(r.status, 200);
    CHECK(strncmp(r.ctype, "text/css", 8) == 0);
    dfree(&r);
    r = dreq("GET", "/assets/secret.db", NULL, NULL, NULL, NULL, NULL);
    CHECK_INT(r.status, 404);
    dfree(&r);
    r = dreq("GET", "/assets/..%2Fchopay.db", NULL, NULL, NULL, NULL, NULL);
    CHECK_INT(r.status, 404);
    dfree(&r);
    r = dreq("POST", "/", NULL, NULL, "{}", NULL, NULL);
    CHECK_INT(r.status, 405);
    dfree(&r);
}

int main(void)
{
    char dir[256];
    const char *extra[] = {"--config", cfg, NULL};
    struct dresp r;

    curl_global_init(CURL_GLOBAL_ALL);
    test_pw();
    CHECK_INT(st_tmpdir(dir), 0);
    CHECK_INT(st_bank_config(dir, cfg, sizeof(cfg)), 0);
    if (st_start(&srv, dir, extra) != 0) {
        CHECK(0);
        return TEST_END();
    }
    CHECK_INT(st_bank_world(&srv, admin, kiosk), 0);
    {
        struct resp o =
            st_send(&srv, "POST", "/v1/orgs", admin, NULL,
                    "{\"code\":\"SCH\",\"kind\":\"school\",\"name\":\"Trường"
                    " Tiểu học Hoà Bình\",\"bank_bin\":\"970436\",\"account\":"
                    "\"2023456789\",\"account_name\":\"TRUONG TH HOA BINH\","
                    "\"prefix\":\"HB\"}");

        CHECK_INT(o.status, 201);
        resp_free(&o);
    }
    test_user_add();
    test_login();
    test_lockout();
    test_session_api();
    test_static();
    r = dreq("GET", "/healthz", NULL, NULL, NULL, NULL, NULL);
    CHECK_INT(r.status, 200);
    dfree(&r);
    CHECK_INT(st_stop(&srv), 0);
    curl_global_cleanup();
    if (th_failed == 0)
        st_rmtree(dir);
    return TEST_END();
}
