/*
 * test_dash.c: the web dashboard over HTTP against the real server: board
 * users (`user add`, scrypt hashes checked against RFC 7914's vector),
 * sign-in and its cookie, lockout after repeated failures, CSRF on every
 * state change, sessions scoped to their organisation (the organisations
 * offered to pick, forged org parameters), review suggestions with reason
 * codes, CSV exports as Excel reads them, the sweep of expired sessions
 * and stale failure counters (at sign-in and periodically), sign-out, and
 * the compiled-in pages with their Content-Security-Policy and ETag.
 */
#define _GNU_SOURCE
#include <curl/curl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "dash.h"
#include "harness.h"
#include "srvtest.h"

static struct srvt srv;
static char admin[128], kiosk[128], cfg[400], today[11];

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
    char cmd[2000], path[400], url[400];
    FILE *f;
    size_t n;
    int rc;

    snprintf(path, sizeof(path), "%s/useradd.out", srv.dir);
    st_db_url(srv.dir, url, sizeof(url));
    if (stdin_text != NULL)
        snprintf(cmd, sizeof(cmd),
                 "printf '%%s\\n' '%s' | '%s' user add %s --data-dir '%s' "
                 "--db '%s' > '%s' 2>&1",
                 stdin_text, st_server_bin(), args, srv.dir, url, path);
    else
        snprintf(cmd, sizeof(cmd),
                 "'%s' user add %s --data-dir '%s' --db '%s' < /dev/null"
                 " > '%s' 2>&1",
                 st_server_bin(), args, srv.dir, url, path);
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

/* Look at (SELECT) or tamper with the test database behind the server's
 * back (st_tamper): only for how a password or a session is stored and
 * for planting what no request can make. */
static long long tamper(const char *sql)
{
    char url[400];

    st_db_url(srv.dir, url, sizeof(url));
    return st_tamper(url, sql);
}

/* How many audit entries of `action` name `subject` ("login:lan"). */
static long long audited(const char *action, const char *subject)
{
    json_t *a = st_audit(srv.dir, NULL, action);
    char where[96];
    long long n;

    snprintf(where, sizeof(where), "subject=%s", subject);
    n = st_count(json_object_get(a, "entries"), where);
    json_decref(a);
    return n;
}

/* The dashboard sessions of MKT user `login` the admin API lists. */
static long long sessions_of(const char *login)
{
    struct resp r = st_get(&srv, "/v1/orgs/MKT/users", admin);
    json_t *u = json_object_get(r.json, "users");
    char where[64];
    long long n;

    snprintf(where, sizeof(where), "name=%s", login);
    n = st_count(u, where) == 1 ? st_sum(u, "sessions", where) : -1;
    resp_free(&r);
    return n;
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

/* The sign-in form's parser and the stored-hash parser, directly. */
static void test_login_form(void)
{
    char l[40], p[64];
    struct dash_pw_params v;
    const char *kat = "scrypt$16384$8$1$U29kaXVtQ2hsb3JpZGU=$"
                      "cCO9yzr9c0hGHAbNgf046/2o+7qQT44+qbVD9lRdofI=";
    const char *body;

    body = "login=lan&password=m%E1%BA%ADt+kh%e1%ba%a9u%2B1";
    CHECK_INT(dash_login_form(body, strlen(body), l, sizeof(l), p, sizeof(p)),
              0);
    CHECK_STR(l, "lan");
    CHECK_STR(p, "mật khẩu+1");
    /* any order, other fields, the first of a repeated name */
    body = "x=1&password=a%26b&login=hoa&login=lan";
    CHECK_INT(dash_login_form(body, strlen(body), l, sizeof(l), p, sizeof(p)),
              0);
    CHECK_STR(l, "hoa");
    CHECK_STR(p, "a&b");
    /* the length given counts, not a NUL: "login=lan&password=" + "xyz" */
    body = "login=lan&password=xyzSECRET";
    CHECK_INT(dash_login_form(body, 22, l, sizeof(l), p, sizeof(p)), 0);
    CHECK_STR(p, "xyz");
    /* refused: missing, a name that only starts alike, bad escapes, a NUL,
       too long */
    body = "login=lan";
    CHECK_INT(dash_login_form(body, strlen(body), l, sizeof(l), p, sizeof(p)),
              -1);
    CHECK_STR(l, "");
    body = "xlogin=lan&password=x&passwordx=y";
    CHECK_INT(dash_login_form(body, strlen(body), l, sizeof(l), p, sizeof(p)),
              -1);
    body = "login=lan&password=ab%4";
    CHECK_INT(dash_login_form(body, strlen(body), l, sizeof(l), p, sizeof(p)),
              -1);
    body = "login=lan&password=%zz";
    CHECK_INT(dash_login_form(body, strlen(body), l, sizeof(l), p, sizeof(p)),
              -1);
    body = "login=lan&password=a%00b";
    CHECK_INT(dash_login_form(body, strlen(body), l, sizeof(l), p, sizeof(p)),
              -1);
    body = "login=lan&password=0123456789";
    CHECK_INT(dash_login_form(body, strlen(body), l, sizeof(l), p, 10), -1);
    CHECK_INT(dash_login_form(body, strlen(body), l, sizeof(l), p, 11), 0);
    /* an empty value is a value (the store then finds no such user) */
    body = "login=&password=";
    CHECK_INT(dash_login_form(body, strlen(body), l, sizeof(l), p, sizeof(p)),
              0);
    CHECK_STR(l, "");
    /* the hash parser: RFC 7914's parameters, salt and key */
    memset(&v, 0, sizeof(v));
    CHECK_INT(dash_pw_parse(kat, &v), 0);
    CHECK_INT((long long)v.n, 16384);
    CHECK_INT((long long)v.r, 8);
    CHECK_INT((long long)v.p, 1);
    CHECK_INT((long long)v.salt_len, 14);
    CHECK(memcmp(v.salt, "SodiumChloride", 14) == 0);
    CHECK_INT(v.key[0], 0x70);
    CHECK_INT(v.key[31], 0xf2);
    v.n = 99;
    CHECK_INT(dash_pw_parse("scrypt$16384$8$1$U29kaXVtQ2hsb3JpZGU=$", &v), -1);
    CHECK_INT(dash_pw_parse("scrypt$+16384$8$1$U29kaXVtQ2hsb3JpZGU=$"
                            "cCO9yzr9c0hGHAbNgf046/2o+7qQT44+qbVD9lRdofI=",
                            &v),
              -1);
    CHECK_INT(dash_pw_parse("scrypt$16384$0$1$U29kaXVtQ2hsb3JpZGU=$"
                            "cCO9yzr9c0hGHAbNgf046/2o+7qQT44+qbVD9lRdofI=",
                            &v),
              -1);
    CHECK_INT(dash_pw_parse("scrypt$99999999999999999999999$8$1$U29kaXVtQ2h"
                            "sb3JpZGU=$cCO9yzr9c0hGHAbNgf046/2o+7qQT44+qbVD9"
                            "lRdofI=",
                            &v),
              -1);
    CHECK_INT(dash_pw_parse("scrypt$16384$8$1$U29kaQ==$" /* 4-byte salt */
                            "cCO9yzr9c0hGHAbNgf046/2o+7qQT44+qbVD9lRdofI=",
                            &v),
              -1);
    CHECK_INT(dash_pw_parse("scrypt$1048576$16$4$AAAAAAAAAAA=$AAAA", &v), -1);
    CHECK_INT(dash_pw_parse(NULL, &v), -1);
    /* a cheap hash made by Python's hashlib.scrypt (N 16, r 1, p 1) */
    CHECK_INT(dash_pw_verify("chopay",
                             "scrypt$16$1$1$Y2hvcGF5LXNhbHQtMDAwMQ==$"
                             "MrVaOrbEpl3ij1Z4PCq3p1mYoQpap4N4pIX9fNzASe4="),
              1);
    CHECK_INT(dash_pw_verify("chopay!",
                             "scrypt$16$1$1$Y2hvcGF5LXNhbHQtMDAwMQ==$"
                             "MrVaOrbEpl3ij1Z4PCq3p1mYoQpap4N4pIX9fNzASe4="),
              0);
    CHECK_INT((long long)v.n, 99); /* untouched on error */
}

static void test_user_add(void)
{
    char out[2000], line[128];

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
    /* what is stored: the scrypt format, never the password */
    CHECK_INT(tamper("SELECT count(*) FROM dash_users WHERE login = 'lan'"
                     " AND pw_hash LIKE 'scrypt$32768$8$1$%'"),
              1);
    CHECK_INT(tamper("SELECT count(*) FROM dash_users WHERE pw_hash LIKE"
                     " '%" PW_LAN "%'"),
              0);
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
        char q[200];

        snprintf(q, sizeof(q),
                 "SELECT count(*) FROM dash_sessions WHERE hash = '%s'", sess);
        CHECK_INT(tamper(q), 0);
        CHECK_INT(sessions_of("lan"), 2);
    }
    /* only a JSON sign-in from the page's own origin: a form on another
       site (url-encoded or text/plain shaped like JSON) cannot sign the
       visitor in to an account of its choosing */
    {
        char body[200], enc[100], json[200];
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
        CHECK_INT(r.status, 415);
        CHECK(r.cookie[0] == '\0');
        dfree(&r);
        snprintf(json, sizeof(json), "{\"login\":\"binh\",\"password\":\"%s\"}",
                 binh_pw);
        r = dreq("POST", "/dash/login", NULL, NULL, json, "text/plain", NULL);
        CHECK_INT(r.status, 415);
        CHECK(r.cookie[0] == '\0');
        dfree(&r);
        r = dreq("POST", "/dash/login", NULL, NULL, json,
                 "multipart/form-data; boundary=x", NULL);
        CHECK_INT(r.status, 415);
        dfree(&r);
        CHECK_INT(login("binh", binh_pw, NULL, NULL,
                        "Sec-Fetch-Site: cross-site", &r),
                  403);
        CHECK_STR(err_code(&r), "cross_site");
        CHECK(r.cookie[0] == '\0');
        dfree(&r);
        CHECK_INT(login("binh", binh_pw, NULL, NULL,
                        "Sec-Fetch-Site: same-site", NULL),
                  403);
        /* none of these counted as a failed guess */
        CHECK_INT(audited("dash.login_failed", "login:binh"), 0);
        r = dreq("POST", "/dash/login", NULL, NULL, json,
                 "application/json; charset=utf-8",
                 "Sec-Fetch-Site: same-origin");
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
    CHECK_INT(audited("dash.login_failed", "login:lan"), 1);
}

static void test_lockout(void)
{
    char sess[65], csrf[65];
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
    CHECK_INT(audited("dash.lock", "login:hoa"), 1);
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
    CHECK_INT(tamper("SELECT count(*) FROM dash_failures WHERE key ="
                     " 'login:lan'"),
              0);
}

struct burst {
    pthread_barrier_t *go; /* all threads start together */
    long status;           /* the answer */
};

static void *burst_one(void *arg)
{
    struct burst *b = arg;

    pthread_barrier_wait(b->go);
    b->status = login("burst", "wrong-guess", NULL, NULL,
                      "X-Real-IP: 198.51.100.77", NULL);
    return NULL;
}

/* 40 wrong passwords at once: exactly the limit reach the password
   check (401), the rest are refused as locked (429) */
static void test_lockout_burst(void)
{
    enum { N = 40 };
    struct burst b[N];
    pthread_t th[N];
    pthread_barrier_t go;
    int i, n401 = 0, n429 = 0;

    pthread_barrier_init(&go, NULL, N);
    for (i = 0; i < N; i++) {
        b[i].go = &go;
        b[i].status = 0;
        pthread_create(&th[i], NULL, burst_one, &b[i]);
    }
    for (i = 0; i < N; i++) {
        pthread_join(th[i], NULL);
        n401 += b[i].status == 401;
        n429 += b[i].status == 429;
    }
    pthread_barrier_destroy(&go);
    CHECK_INT(n401, 5);
    CHECK_INT(n429, N - 5);
    CHECK_INT(audited("dash.login_failed", "login:burst"), 5);
    CHECK_INT(audited("dash.lock", "login:burst"), 1);
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
        json_t *a = st_audit(srv.dir, "MKT", "org.province");
        json_t *e = json_object_get(a, "entries");

        CHECK_STR(json_string_value(json_object_get(
                      json_array_get(e, json_array_size(e) - 1), "actor")),
                  "user:lan");
        json_decref(a);
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

/* ---- organisations: what a session may pick, forged org parameters ---- */

/* The codes of a session's "orgs" joined with ',' into out. */
static void org_codes(json_t *sess, char *out, size_t cap)
{
    json_t *o;
    size_t i, n = 0;

    out[0] = '\0';
    json_array_foreach(json_object_get(sess, "orgs"), i, o)
    {
        const char *c = json_string_value(json_object_get(o, "code"));

        n += (size_t)snprintf(out + n, n < cap ? cap - n : 0, "%s%s",
                              i ? "," : "", c ? c : "?");
        if (n >= cap)
            break;
    }
}

static void test_orgs(void)
{
    char sess[65], csrf[65], as[65], ac[65], codes[200], out[2000], path[200];
    struct dresp r;

    /* a board user: its own organisation only, whatever it asks */
    CHECK_INT(login("lan", PW_LAN, sess, csrf, NULL, &r), 200);
    org_codes(r.json, codes, sizeof(codes));
    CHECK_STR(codes, "MKT");
    CHECK_STR(json_string_value(json_object_get(
                  json_array_get(json_object_get(r.json, "orgs"), 0), "name")),
              "Chợ Bến Thành");
    dfree(&r);
    r = dreq("GET", "/dash/session?org=SCH", sess, NULL, NULL, NULL, NULL);
    CHECK_INT(r.status, 200);
    CHECK_STR(json_string_value(json_object_get(r.json, "org")), "MKT");
    org_codes(r.json, codes, sizeof(codes));
    CHECK_STR(codes, "MKT");
    dfree(&r);
    r = dreq("GET", "/v1/orgs", sess, NULL, NULL, NULL, NULL);
    CHECK_INT(r.status, 200);
    CHECK_INT((long long)json_array_size(json_object_get(r.json, "orgs")), 1);
    dfree(&r);
    {
        /* every read and write of another organisation: 403 */
        static const char *const reads[] = {
            "/v1/reports/daily?org=SCH",
            "/v1/reports/daily?org=SCH&format=csv",
            "/v1/stats/adoption?org=SCH",
            "/v1/stats/adoption",
            "/v1/stats/adoption?province=%C4%90%C3%A0%20N%E1%BA%B5ng",
            "/v1/orgs/SCH",
            "/v1/orgs/SCH/payers",
            "/v1/orgs/SCH/invoices",
            "/v1/orgs/SCH/bank/transactions?state=unmatched",
        };
        size_t i;

        for (i = 0; i < sizeof(reads) / sizeof(reads[0]); i++) {
            r = dreq("GET", reads[i], sess, NULL, NULL, NULL, NULL);
            if (r.status != 403)
                fprintf(stderr, "forged %s: %ld\n", reads[i], r.status);
            CHECK_INT(r.status, 403);
            dfree(&r);
        }
    }
    snprintf(path, sizeof(path), "{\"date\":\"%s\"}", today);
    r = dreq("POST", "/v1/orgs/SCH/close", sess, csrf, path, NULL, NULL);
    CHECK_INT(r.status, 403);
    dfree(&r);
    /* an unknown organisation does not tell a board user whether it exists */
    r = dreq("GET", "/v1/orgs/NOPE/payers", sess, NULL, NULL, NULL, NULL);
    CHECK_INT(r.status, 403);
    dfree(&r);
    /* the org twice: never the other organisation's report */
    r = dreq("GET", "/v1/reports/daily?org=MKT&org=SCH", sess, NULL, NULL, NULL,
             NULL);
    CHECK(r.status == 403 || r.status == 400 ||
          (r.status == 200 &&
           strcmp(json_string_value(json_object_get(r.json, "org")), "MKT") ==
               0));
    dfree(&r);
    r = dreq("GET", "/v1/reports/daily?org=SCH&org=MKT", sess, NULL, NULL, NULL,
             NULL);
    CHECK(r.status == 403 || r.status == 400 ||
          (r.status == 200 &&
           strcmp(json_string_value(json_object_get(r.json, "org")), "MKT") ==
               0));
    dfree(&r);
    /* an admin dashboard user: every organisation, and none by default */
    CHECK_INT(user_add("--role admin --name quantri", "quan-tri-mat-khau-2026",
                       out, sizeof(out)),
              0);
    CHECK_INT(login("quantri", "quan-tri-mat-khau-2026", as, ac, NULL, &r),
              200);
    CHECK_STR(json_string_value(json_object_get(r.json, "role")), "admin");
    CHECK(json_is_null(json_object_get(r.json, "org")));
    org_codes(r.json, codes, sizeof(codes));
    CHECK_STR(codes, "MKT,SCH");
    dfree(&r);
    r = dreq("GET", "/v1/reports/daily?org=SCH", as, NULL, NULL, NULL, NULL);
    CHECK_INT(r.status, 200);
    CHECK_STR(json_string_value(json_object_get(r.json, "org")), "SCH");
    dfree(&r);
    r = dreq("GET", "/v1/orgs/SCH/payers", as, NULL, NULL, NULL, NULL);
    CHECK_INT(r.status, 200);
    dfree(&r);
}

/* ---- review suggestions: stable reason codes with parameters ---------- */

/* The suggestion of payer `payer` (or intent code) in transaction `t`. */
static json_t *suggestion(json_t *t, const char *key, const char *val)
{
    json_t *e;
    size_t i;

    json_array_foreach(json_object_get(t, "suggestions"), i, e)
    {
        const char *v = json_string_value(json_object_get(e, key));

        if (v != NULL && strcmp(v, val) == 0)
            return e;
    }
    return NULL;
}

/* The reason with `code` in a suggestion, or NULL. */
static json_t *reason_of(json_t *sg, const char *code)
{
    json_t *e;
    size_t i;

    json_array_foreach(json_object_get(sg, "reasons"), i, e)
    {
        const char *c = json_string_value(json_object_get(e, "code"));

        if (c != NULL && strcmp(c, code) == 0)
            return e;
    }
    return NULL;
}

/* The first transaction with `amount` in a list answer. */
static json_t *txn_of(json_t *list, long long amount)
{
    json_t *t;
    size_t i;

    json_array_foreach(json_object_get(list, "transactions"), i, t)
    {
        if (json_integer_value(json_object_get(t, "amount")) == amount)
            return t;
    }
    return NULL;
}

static void test_reasons(void)
{
    char sess[65], csrf[65], code2[16], code3[16], code4[16], file[400];
    char d[11], out[4000];
    long long id2 = 0, id3 = 0, id4 = 0, amt2 = 0, amt3 = 0, amt4 = 0;
    struct dresp r;
    json_t *t, *sg, *rs;
    FILE *f;

    CHECK_INT(st_intent(&srv, kiosk, "A-2", "dash-r-2", code2, &id2, &amt2), 0);
    CHECK_INT(st_intent(&srv, kiosk, "A-3", "dash-r-3", code3, &id3, &amt3), 0);
    CHECK_INT(st_intent(&srv, kiosk, "A-4", "dash-r-4", code4, &id4, &amt4), 0);
    CHECK_INT(amt2, 1000000);
    /* dd/mm/yyyy of Vietnam's today, early in the morning */
    snprintf(d, sizeof(d), "%.2s/%.2s/%.4s", today + 8, today + 5, today);
    snprintf(file, sizeof(file), "%s/dash-stmt.csv", srv.dir);
    f = fopen(file, "w");
    CHECK(f != NULL);
    if (f == NULL)
        return;
    fprintf(f,
            "\"SAO KÊ TÀI KHOẢN\",\"" ST_MKT_ACCOUNT "\",,,\r\n"
            "STT,Ngày giao dịch,Số bút toán,Số tiền ghi có,Nội dung,"
            "Tên người chuyển\r\n"
            "1,%s 00:01:00,FT26DR0001,\"500,000\",tien thue sap,"
            "NGUYEN THI LAN\r\n"
            "2,%s 00:02:00,FT26DR0002,\"1,000,000\",chuyen tien,"
            "VO VAN KIET\r\n"
            "3,%s 00:03:00,FT26DR0003,\"777,000\",%s %s,LE VAN TAM\r\n",
            d, d, d, code3, code4);
    fclose(f);
    {
        const char *argv[] = {"import", "statement", file,  "--format",
                              "csv",    "--org",     "MKT", "--data-dir",
                              srv.dir,  NULL};

        CHECK_INT(st_run(out, sizeof(out), argv), 0);
    }
    CHECK_INT(login("lan", PW_LAN, sess, csrf, NULL, NULL), 200);
    r = dreq("GET", "/v1/orgs/MKT/bank/transactions?state=unmatched", sess,
             NULL, NULL, NULL, NULL);
    CHECK_INT(r.status, 200);
    /* 500,000 from Nguyễn Thị Lan: her open invoice and her name */
    t = txn_of(r.json, 500000);
    CHECK(t != NULL);
    CHECK_STR(json_string_value(json_object_get(t, "reason")), "no_code");
    sg = suggestion(t, "payer", "A-1");
    CHECK(sg != NULL);
    rs = reason_of(sg, "invoice_amount");
    CHECK(rs != NULL);
    CHECK_INT(json_integer_value(json_object_get(rs, "amount")), 500000);
    CHECK(json_integer_value(json_object_get(rs, "invoice")) > 0);
    rs = reason_of(sg, "sender_like_payer");
    CHECK(rs != NULL);
    CHECK_STR(json_string_value(json_object_get(rs, "sender")),
              "NGUYEN THI LAN");
    CHECK_INT(json_integer_value(json_object_get(rs, "similarity")), 100);
    /* the English words stay, one per reason, in the same order */
    CHECK_INT((long long)json_array_size(json_object_get(sg, "why")), 2);
    CHECK_INT((long long)json_array_size(json_object_get(sg, "reasons")), 2);
    CHECK_STR(json_string_value(json_array_get(json_object_get(sg, "why"), 1)),
              "sender named like the payer");
    /* 1,000,000 without a code: A-2's open intent of today */
    t = txn_of(r.json, 1000000);
    CHECK(t != NULL);
    sg = suggestion(t, "payer", "A-2");
    CHECK(sg != NULL);
    rs = reason_of(sg, "intent_amount_same_day");
    CHECK(rs != NULL);
    CHECK_STR(json_string_value(json_object_get(rs, "intent_code")), code2);
    CHECK_INT(json_integer_value(json_object_get(rs, "amount")), 1000000);
    CHECK_INT(json_integer_value(json_object_get(sg, "intent")), id2);
    dfree(&r);
    /* two intents' codes: ambiguous, each explained by its code */
    r = dreq("GET", "/v1/orgs/MKT/bank/transactions?state=ambiguous", sess,
             NULL, NULL, NULL, NULL);
    CHECK_INT(r.status, 200);
    t = txn_of(r.json, 777000);
    CHECK(t != NULL);
    CHECK_STR(json_string_value(json_object_get(t, "reason")), "several_codes");
    sg = suggestion(t, "code", code4);
    CHECK(sg != NULL);
    rs = reason_of(sg, "code_in_content");
    CHECK(rs != NULL);
    CHECK_STR(json_string_value(json_object_get(rs, "intent_code")), code4);
    CHECK(suggestion(t, "code", code3) != NULL);
    dfree(&r);
    /* the dashboard words every code in Vietnamese and English */
    r = dreq("GET", "/assets/app.js", NULL, NULL, NULL, NULL, NULL);
    CHECK(r.body && strstr(r.body, "why_intent_amount_same_day:") != NULL);
    CHECK(r.body && strstr(r.body, "why_invoice_amount:") != NULL);
    CHECK(r.body && strstr(r.body, "why_sender_like_payer:") != NULL);
    CHECK(r.body && strstr(r.body, "why_sender_like_guardian:") != NULL);
    CHECK(r.body && strstr(r.body, "why_code_in_content:") != NULL);
    CHECK(r.body &&
          strstr(r.body, "giống tên người nộp ({similarity}%)") != NULL);
    dfree(&r);
}

/* ---- CSV exports as Excel reads them --------------------------------- */

/* Split one CSV record at *p (RFC 4180) into up to `max` fields of 160
 * bytes; advances *p past its CRLF. The field count, or -1 at the end. */
static int csv_record(const char **p, char (*f)[160], int max, char sep)
{
    const char *s = *p;
    int n = 0, q = 0;
    size_t o = 0;

    if (*s == '\0')
        return -1;
    for (;; s++) {
        if (q) {
            if (*s == '\0')
                break;
            if (*s == '"' && s[1] == '"') {
                s++;
            } else if (*s == '"') {
                q = 0;
                continue;
            }
        } else if (*s == '"') {
            q = 1;
            continue;
        } else if (*s == sep || *s == '\r' || *s == '\0') {
            if (n < max)
                f[n][o < 160 ? o : 159] = '\0';
            n++;
            o = 0;
            if (*s == sep)
                continue;
            if (*s == '\r' && s[1] == '\n')
                s += 2;
            break;
        }
        if (n < max && o + 1 < 160)
            f[n][o] = *s;
        o++;
    }
    *p = s;
    return n;
}

/* 1 when `v` is a plain integer ("" allowed when `empty`). */
static int is_int(const char *v, int empty)
{
    size_t i = v[0] == '-' ? 1 : 0;

    if (v[i] == '\0')
        return empty && i == 0;
    for (; v[i]; i++)
        if (v[i] < '0' || v[i] > '9')
            return 0;
    return 1;
}

/* 1 when `v` is a share Excel reads as a percentage: "-12.5%" ('.' mark)
 * or "-12,5%" (',' mark). */
static int is_pct(const char *v, char mark)
{
    size_t i = v[0] == '-' ? 1 : 0, d = 0;

    while (v[i] >= '0' && v[i] <= '9')
        i++, d++;
    return d > 0 && v[i] == mark && v[i + 1] >= '0' && v[i + 1] <= '9' &&
           v[i + 2] == '%' && v[i + 3] == '\0';
}

static void test_exports(void)
{
    char sess[65], csrf[65], path[200], f[16][160];
    const char *p;
    struct dresp r;
    int n, rows = 0, bad = 0, in_table = 0, trend = 0, shares = 0;

    CHECK_INT(login("lan", PW_LAN, sess, csrf, NULL, NULL), 200);
    snprintf(path, sizeof(path), "/v1/reports/daily?org=MKT&date=%s&format=csv",
             today);
    r = dreq("GET", path, sess, NULL, NULL, NULL, NULL);
    CHECK_INT(r.status, 200);
    CHECK(strncmp(r.ctype, "text/csv", 8) == 0);
    CHECK(r.body && r.len > 3 && memcmp(r.body, "\xEF\xBB\xBF", 3) == 0);
    p = r.body ? r.body + 3 : "";
    while ((n = csv_record(&p, f, 16, ',')) >= 0) {
        if (n == 4 && strcmp(f[0], "Mã") == 0) {
            CHECK_STR(f[1], "Chỉ tiêu");
            CHECK_STR(f[3], "Số tiền (đồng)");
            in_table = 1;
            continue;
        }
        if (!in_table)
            continue;
        if (n < 2)
            break;
        rows++;
        if (n != 4 || !is_int(f[2], 1) || !is_int(f[3], 0)) {
            fprintf(stderr, "daily CSV row: %s|%s|%s|%s\n", f[0], f[1], f[2],
                    f[3]);
            bad++;
        }
        if (strcmp(f[0], "received") == 0) {
            CHECK_STR(f[2], "3");
            CHECK_STR(f[3], "2277000");
        }
        if (strcmp(f[0], "matched_over") == 0)
            CHECK_STR(f[1], "Khớp, trả thừa");
    }
    CHECK(rows >= 15);
    CHECK_INT(bad, 0);
    dfree(&r);
    /* adoption, for Excel on a vi-VN Windows: ';' and "86,2%" */
    snprintf(path, sizeof(path),
             "/v1/stats/adoption?org=MKT&from=2026-10-01&to=%s&format=csv"
             "&sep=semicolon",
             today);
    r = dreq("GET", path, sess, NULL, NULL, NULL, NULL);
    CHECK_INT(r.status, 200);
    CHECK(r.body && r.len > 3 && memcmp(r.body, "\xEF\xBB\xBF", 3) == 0);
    p = r.body ? r.body + 3 : "";
    in_table = 0;
    rows = bad = 0;
    while ((n = csv_record(&p, f, 16, ';')) >= 0) {
        if (n == 4 && strcmp(f[0], "Chỉ tiêu") == 0) {
            CHECK_STR(f[1], "Kỳ này");
            CHECK_STR(f[3], "Thay đổi");
            in_table = 1;
            continue;
        }
        if (n == 8 && strcmp(f[0], "Từ ngày") == 0) {
            in_table = 2;
            continue;
        }
        if (in_table == 0 || n < 2) {
            in_table = in_table == 2 ? 3 : in_table == 1 ? 0 : in_table;
            continue;
        }
        if (in_table == 1) {
            int pct = strncmp(f[0], "Tỷ lệ", strlen("Tỷ lệ")) == 0, k;

            rows++;
            shares += pct;
            for (k = 1; k < 4; k++)
                if (pct ? !is_pct(f[k], ',') : !is_int(f[k], 0)) {
                    fprintf(stderr, "adoption CSV: %s = %s\n", f[0], f[k]);
                    bad++;
                }
        } else if (in_table == 2) {
            trend++;
            if (strlen(f[0]) != 10 || f[0][4] != '-' || f[0][7] != '-' ||
                !is_pct(f[4], ',') || !is_int(f[5], 0)) {
                fprintf(stderr, "adoption trend: %s %s %s\n", f[0], f[4], f[5]);
                bad++;
            }
        }
    }
    CHECK(rows >= 10);
    CHECK_INT(shares, 4);
    CHECK(trend >= 5);
    CHECK_INT(bad, 0);
    dfree(&r);
    /* the same with ',' separators: "86.2%", unquoted */
    snprintf(path, sizeof(path),
             "/v1/stats/adoption?org=MKT&from=2026-10-01&to=%s&format=csv",
             today);
    r = dreq("GET", path, sess, NULL, NULL, NULL, NULL);
    CHECK_INT(r.status, 200);
    CHECK(r.body && strstr(r.body, "\r\nTỷ lệ theo số lượt,") != NULL);
    CHECK(r.body && strstr(r.body, " %") == NULL);
    CHECK(r.body && strstr(r.body, "\"0,0") == NULL);
    CHECK(r.body && strstr(r.body, "0.0%") != NULL);
    dfree(&r);
}

/* ---- housekeeping: expired sessions, stale failure counters --------- */

/* Plant an expired session and failure counters of every kind. */
static int plant_stale(void)
{
    char sql[1200];
    long long now = (long long)time(NULL);

    snprintf(sql, sizeof(sql),
             "INSERT INTO dash_sessions(hash, user_id, csrf, created_at,"
             " expires_at) SELECT '%064d', id, 'x', %lld, %lld FROM"
             " dash_users WHERE login = 'lan';"
             "INSERT INTO dash_failures(key, count, last_at, locked_until)"
             " VALUES ('login:stale', 3, %lld, 0),"
             " ('login:stale-lock-over', 5, %lld, %lld),"
             " ('login:still-locked', 5, %lld, %lld),"
             " ('login:recent', 2, %lld, 0);",
             7, now - 9 * 3600, now - 60, now - 2 * 86400, now - 2 * 86400,
             now - 2 * 86400 + 900, now - 2 * 86400, now + 600, now - 3600);
    return (int)tamper(sql);
}

/* The planted rows still there: the expired session (0 or 1) into
 * *sess, the failure keys left, comma-separated, into keys. */
static void planted(long long *sess, char *keys, size_t cap)
{
    static const char *const key[] = {"login:recent", "login:stale",
                                      "login:stale-lock-over",
                                      "login:still-locked"};
    char sql[200];
    size_t i, len = 0;

    snprintf(sql, sizeof(sql),
             "SELECT count(*) FROM dash_sessions WHERE hash = '%064d'", 7);
    *sess = tamper(sql);
    keys[0] = '\0';
    for (i = 0; i < sizeof(key) / sizeof(key[0]); i++) {
        snprintf(sql, sizeof(sql),
                 "SELECT count(*) FROM dash_failures WHERE key = '%s'", key[i]);
        if (tamper(sql) == 1 && len < cap) {
            snprintf(keys + len, cap - len, "%s%s", len ? "," : "", key[i]);
            len = strlen(keys);
        }
    }
}

static void test_sweep_signin(void)
{
    char sess[65], csrf[65], keys[200];
    long long n, live;
    struct dresp r;

    live = sessions_of("lan");
    CHECK_INT(plant_stale(), 0);
    planted(&n, keys, sizeof(keys));
    CHECK_INT(n, 1);
    CHECK_STR(keys, "login:recent,login:stale,login:stale-lock-over,"
                    "login:still-locked");
    /* the expired session does not authenticate, and a failed sign-in
       sweeps nothing */
    r = dreq("GET", "/dash/session",
             "0000000000000000000000000000000000000000000000000000000000000007",
             NULL, NULL, NULL, NULL);
    CHECK_INT(r.status, 401);
    dfree(&r);
    CHECK_INT(login("lan", "wrong-password", NULL, NULL, NULL, NULL), 401);
    planted(&n, keys, sizeof(keys));
    CHECK_INT(n, 1);
    /* a sign-in sweeps: the expired session and the idle unlocked
       counters go; a running lock and a recent count stay */
    CHECK_INT(login("lan", PW_LAN, sess, csrf, NULL, NULL), 200);
    planted(&n, keys, sizeof(keys));
    CHECK_INT(n, 0);
    CHECK_STR(keys, "login:recent,login:still-locked");
    CHECK_INT(sessions_of("lan"), live + 1);
    /* the live sessions still work */
    r = dreq("GET", "/dash/session", sess, NULL, NULL, NULL, NULL);
    CHECK_INT(r.status, 200);
    dfree(&r);
    tamper("DELETE FROM dash_failures WHERE key IN ('login:recent',"
           " 'login:still-locked')");
}

/* Write the test config with housekeeping every `secs` seconds. */
/*
 * A sign-in name with a newline, a journald priority and a quote: the
 * failure is logged as exactly one line, the name escaped inside its
 * quotes, and no line of the log starts with the forged priority.
 */
static void test_log_injection(void)
{
    char path[300], line[2048];
    int mine = 0, forged = 0, escaped = 0;
    FILE *f;

    CHECK_INT(login("ev\\n<1>chopay-server: forged=1\\\"", "x", NULL, NULL,
                    NULL, NULL),
              401);
    snprintf(path, sizeof(path), "%s/server.log", srv.dir);
    f = fopen(path, "r");
    CHECK(f != NULL);
    if (f == NULL)
        return;
    while (fgets(line, sizeof(line), f) != NULL) {
        if (strncmp(line, "<1>", 3) == 0 || strstr(line, "forged=1") == line)
            forged++;
        if (strstr(line, "forged=1") != NULL) {
            mine++;
            if (strstr(line, "event=dash_login_failed login=\"ev\\n<1>"
                             "chopay-server: forged=1\\\"\" client=") != NULL)
                escaped++;
        }
    }
    fclose(f);
    CHECK_INT(mine, 1);
    CHECK_INT(escaped, 1);
    CHECK_INT(forged, 0);
}

static int write_cfg(int secs)
{
    char text[2000], *at;
    FILE *f;
    size_t n;

    if (st_bank_config(srv.dir, cfg, sizeof(cfg)) != 0)
        return -1;
    f = fopen(cfg, "r");
    if (f == NULL)
        return -1;
    n = fread(text, 1, sizeof(text) - 1, f);
    fclose(f);
    text[n] = '\0';
    at = strstr(text, "[server]\n");
    f = fopen(cfg, "w");
    if (at == NULL || f == NULL) {
        if (f != NULL)
            fclose(f);
        return -1;
    }
    fprintf(f, "[server]\nhousekeeping_interval = %d\n%s", secs, at + 9);
    return fclose(f) == 0 ? 0 : -1;
}

/* Restarted with housekeeping every second: the sweep runs unasked. */
static void test_sweep_periodic(void)
{
    const char *extra[] = {"--config", cfg, NULL};
    char keys[200], dir[256];
    long long n = 1;
    int i;

    CHECK_INT(st_stop(&srv), 0);
    snprintf(dir, sizeof(dir), "%s", srv.dir);
    CHECK_INT(write_cfg(1), 0);
    CHECK_INT(plant_stale(), 0);
    if (st_start(&srv, dir, extra) != 0) {
        CHECK(0);
        return;
    }
    /* no request at all; generous: a busy machine may be slow */
    for (i = 0; i < 600; i++) {
        planted(&n, keys, sizeof(keys));
        if (n == 0)
            break;
        usleep(100 * 1000);
    }
    CHECK_INT(n, 0);
    CHECK_STR(keys, "login:recent,login:still-locked");
    /* a bad interval is refused at start-up */
    {
        char bad[400];
        FILE *f;
        const char *argv[] = {"--config", bad, "--data-dir", dir, "init", NULL};
        char out[1000];

        snprintf(bad, sizeof(bad), "%s/bad.ini", dir);
        f = fopen(bad, "w");
        CHECK(f != NULL);
        if (f != NULL) {
            fputs("[server]\nhousekeeping_interval = 0\n", f);
            fclose(f);
            CHECK(st_run(out, sizeof(out), argv) != 0);
        }
    }
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
    time_t now = time(NULL) + 7 * 3600; /* Vietnam */
    struct tm tm;

    curl_global_init(CURL_GLOBAL_ALL);
    gmtime_r(&now, &tm);
    strftime(today, sizeof(today), "%Y-%m-%d", &tm);
    test_pw();
    test_login_form();
    CHECK_INT(st_tmpdir(dir), 0);
    snprintf(srv.dir, sizeof(srv.dir), "%s", dir);
    /* housekeeping only at sign-in until test_sweep_periodic */
    CHECK_INT(write_cfg(86400), 0);
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
    test_lockout_burst();
    test_session_api();
    test_orgs();
    test_reasons();
    test_exports();
    test_sweep_signin();
    test_static();
    test_sweep_periodic();
    test_log_injection();
    r = dreq("GET", "/healthz", NULL, NULL, NULL, NULL, NULL);
    CHECK_INT(r.status, 200);
    dfree(&r);
    CHECK_INT(st_stop(&srv), 0);
    CHECK_INT(st_check(dir, NULL, 0), 0); /* the ledger's invariants */
    curl_global_cleanup();
    if (th_failed == 0)
        st_rmtree(dir);
    return TEST_END();
}
