/*
 * h_dash.c: the web dashboard's endpoints: the static pages compiled in
 * from assets/dashboard/ (with ETag and a strict Content-Security-Policy),
 * sign-in with a password (scrypt, lockout after repeated failures),
 * sign-out, the session and its CSRF token with the organisations its
 * user may pick, the session-cookie authentication http.c falls back to
 * when there is no bearer credential, and the sweep of expired sessions.
 */
#define _DEFAULT_SOURCE /* explicit_bzero */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "api_json.h"
#include "crypto.h"
#include "dash.h"

#define COOKIE_NAME  "chopay_session"
#define SESSION_SECS (8 * 3600) /* a working day */
#define LOGIN_LIMIT  5          /* failures per login before a lock */
#define ADDR_LIMIT   20         /* failures per client address */
#define LOCK_SECS    (15 * 60)
#define STALE_SECS   (24 * 3600) /* an idle, unlocked failure count */
#define DASH_CSP                                                               \
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src "        \
    "'self' data:; connect-src 'self'; form-action 'self'; "                   \
    "frame-ancestors 'none'; base-uri 'none'; object-src 'none'"

/* The compiled-in files (dash_assets_data.c, from scripts/embed.sh). */
extern const unsigned char dash_index_html[], dash_app_js[], dash_app_css[];
extern const size_t dash_index_html_len, dash_app_js_len, dash_app_css_len;

struct asset {
    const char *name;          /* URL name under /assets/ ("" = index) */
    const char *ctype;         /* Content-Type */
    const unsigned char *data; /* bytes */
    const size_t *len;         /* their count */
};

static const struct asset assets[] = {
    {"", "text/html; charset=utf-8", dash_index_html, &dash_index_html_len},
    {"app.js", "text/javascript; charset=utf-8", dash_app_js, &dash_app_js_len},
    {"app.css", "text/css; charset=utf-8", dash_app_css, &dash_app_css_len},
};

/* Queue a response we built (headers added by the caller). */
static enum MHD_Result send_resp(struct req *r, unsigned status,
                                 struct MHD_Response *resp)
{
    enum MHD_Result ret;

    r->status = (int)status;
    r->replied = 1;
    ret = MHD_queue_response(r->conn, status, resp);
    MHD_destroy_response(resp);
    return ret;
}

/* The headers every dashboard page carries. */
static void page_headers(struct MHD_Response *resp)
{
    MHD_add_response_header(resp, "Content-Security-Policy", DASH_CSP);
    MHD_add_response_header(resp, "X-Content-Type-Options", "nosniff");
    MHD_add_response_header(resp, "X-Frame-Options", "DENY");
    MHD_add_response_header(resp, "Referrer-Policy", "no-referrer");
}

static enum MHD_Result serve_asset(struct req *r, const struct asset *a)
{
    struct MHD_Response *resp;
    uint8_t d[CRYPTO_SHA256_LEN];
    char hex[65], etag[24];
    const char *inm =
        MHD_lookup_connection_value(r->conn, MHD_HEADER_KIND, "If-None-Match");
    unsigned status = 200;

    crypto_sha256(a->data, *a->len, d);
    crypto_hex(d, 8, hex);
    snprintf(etag, sizeof(etag), "\"%.16s\"", hex);
    if (inm != NULL && strstr(inm, etag) != NULL) {
        status = 304;
        resp = MHD_create_response_from_buffer(0, NULL, MHD_RESPMEM_PERSISTENT);
    } else {
        resp = MHD_create_response_from_buffer(
            *a->len, (void *)(uintptr_t)a->data, MHD_RESPMEM_PERSISTENT);
    }
    if (resp == NULL)
        return MHD_NO;
    if (status == 200)
        MHD_add_response_header(resp, "Content-Type", a->ctype);
    MHD_add_response_header(resp, "ETag", etag);
    MHD_add_response_header(resp, "Cache-Control", "no-cache");
    page_headers(resp);
    return send_resp(r, status, resp);
}

enum MHD_Result h_dash_index(struct req *r)
{
    return serve_asset(r, &assets[0]);
}

enum MHD_Result h_dash_asset(struct req *r)
{
    size_t i;

    for (i = 1; i < sizeof(assets) / sizeof(assets[0]); i++)
        if (strcmp(r->arg[0], assets[i].name) == 0)
            return serve_asset(r, &assets[i]);
    return api_error(r, 404, "not_found", "no such file");
}

/* ---- sessions ---------------------------------------------------------- */

const char *dash_cookie(struct req *r)
{
    const char *v =
        MHD_lookup_connection_value(r->conn, MHD_COOKIE_KIND, COOKIE_NAME);

    return v != NULL && v[0] != '\0' ? v : NULL;
}

/* Hex SHA-256 of a cookie value (what the store keeps). */
static void cookie_hash(const char *v, char hex[65])
{
    uint8_t d[CRYPTO_SHA256_LEN];

    crypto_sha256(v, strlen(v), d);
    crypto_hex(d, sizeof(d), hex);
}

/* Look up the session of this request: 0, or -1 with a 401 queued. */
static int session_of(struct req *r, struct store_principal *who, char *csrf,
                      size_t cap, char hash[65], enum MHD_Result *res)
{
    const char *v = dash_cookie(r);
    int rc;

    if (v == NULL || strlen(v) != 64) {
        *res = api_error(r, 401, "unauthorized", "sign in first");
        return -1;
    }
    cookie_hash(v, hash);
    rc = r->s->st->ops->dash_session_get(r->s->st, hash, (int64_t)time(NULL),
                                         who, csrf, cap);
    if (rc == -STORE_E_NOT_FOUND) {
        *res = api_error(r, 401, "unauthorized",
                         "the session ended or expired; sign in again");
        return -1;
    }
    if (rc != 0) {
        *res = api_store_error(r, rc);
        return -1;
    }
    return 0;
}

/* 0 when the request's X-CSRF-Token is the session's; else 403 queued. */
static int csrf_check(struct req *r, const char *csrf, enum MHD_Result *res)
{
    const char *h =
        MHD_lookup_connection_value(r->conn, MHD_HEADER_KIND, "X-CSRF-Token");

    if (h == NULL || strlen(h) != strlen(csrf) || !crypto_equal_str(h, csrf)) {
        *res = api_error(r, 403, "csrf",
                         "send the session's X-CSRF-Token header (from GET "
                         "/dash/session)");
        return -1;
    }
    return 0;
}

int dash_authenticate(struct req *r, enum MHD_Result *res)
{
    struct store_principal who;
    char csrf[80], hash[65];

    if (session_of(r, &who, csrf, sizeof(csrf), hash, res) != 0)
        return -1;
    if (strcmp(r->method, "GET") != 0 && strcmp(r->method, "HEAD") != 0 &&
        csrf_check(r, csrf, res) != 0)
        return -1;
    r->who = who;
    return 0;
}

/* "; Secure" when the request came through the TLS front end. */
static const char *secure_attr(struct req *r)
{
    const char *p = MHD_lookup_connection_value(r->conn, MHD_HEADER_KIND,
                                                "X-Forwarded-Proto");

    return p != NULL && strcmp(p, "https") == 0 ? "; Secure" : "";
}

/*
 * The organisations a principal may see, [{code, name, kind}]
 * (every one for an admin, else its own): what the dashboard's
 * organisation picker offers. *code gets the principal's own org code
 * (json null for an admin). NULL on a store failure.
 */
static json_t *orgs_of(struct req *r, int64_t org_id, json_t **code)
{
    struct store_org_list list = {0};
    json_t *out;
    size_t i;

    if (r->s->st->ops->org_list(r->s->st, org_id, &list) != 0)
        return NULL;
    out = json_array();
    for (i = 0; i < list.n; i++)
        json_array_append_new(out, api_json_org_brief(&list.rows[i]));
    *code = org_id != 0 && list.n > 0 ? json_string(list.rows[0].code)
                                      : json_null();
    store_org_list_free(&list);
    return out;
}

static const char *role_name(int role)
{
    return role == STORE_ROLE_ADMIN      ? "admin"
           : role == STORE_ROLE_BOARD    ? "board"
           : role == STORE_ROLE_PROVINCE ? "province"
                                         : "auditor";
}

/* {login, role, org, orgs, province, csrf}: a province user has no
 * organisation of its own and is offered none to pick (its province's
 * come with the statistics); NULL on a store failure. */
static json_t *session_json(struct req *r, const struct store_principal *who,
                            const char *csrf)
{
    json_t *code = json_null(), *orgs;
    int prov = who->role == STORE_ROLE_PROVINCE;

    orgs = prov ? json_array() : orgs_of(r, who->org_id, &code);
    if (orgs == NULL)
        return NULL;
    return json_pack(
        "{s:s, s:s, s:o, s:o, s:o, s:s}", "login", who->actor + 5, "role",
        role_name(who->role), "org", code, "orgs", orgs, "province",
        prov ? json_string(who->province) : json_null(), "csrf", csrf);
}

/* A scrypt hash of a fixed password: failed look-ups cost the same. */
static char dummy[DASH_PW_MAX];
static pthread_once_t dummy_once = PTHREAD_ONCE_INIT;

static void dummy_init(void)
{
    if (dash_pw_hash("chopay-no-such-user", dummy, sizeof(dummy)) != 0)
        dummy[0] = '\0';
}

static const char *dummy_hash(void)
{
    pthread_once(&dummy_once, dummy_init);
    return dummy[0] ? dummy : NULL;
}

/*
 * Reserve this attempt on the login and the address before any password
 * is checked; 1 when either is locked (429 queued, nothing reserved) or
 * the store failed (error queued).
 */
static int reserve(struct req *r, const char *lkey, const char *akey,
                   int64_t now, enum MHD_Result *res)
{
    struct store *st = r->s->st;
    int64_t until = 0;
    char secs[24];
    int rc;

    rc = st->ops->dash_reserve(st, lkey, LOGIN_LIMIT, akey, ADDR_LIMIT, now,
                               LOCK_SECS, &until);
    if (rc != 0) {
        *res = api_store_error(r, rc);
        return 1;
    }
    if (until <= now)
        return 0;
    snprintf(secs, sizeof(secs), "%lld", (long long)(until - now));
    *res = api_reply_json_h(
        r, 429,
        json_pack("{s:{s:s, s:s}}", "error", "code", "locked", "message",
                  "too many failed sign-ins; try again later"),
        "Retry-After", secs);
    return 1;
}

int dash_housekeep(struct store *st, int64_t now)
{
    int64_t ns = 0, nf = 0;
    int rc = st->ops->dash_sweep(st, now, now - STALE_SECS, &ns, &nf);

    if (rc != 0) {
        api_log(3, "event=error what=dash_sweep msg=\"%s\"",
                store_error_message());
        return rc;
    }
    if (ns > 0 || nf > 0)
        api_log(6, "event=dash_sweep sessions=%lld failures=%lld",
                (long long)ns, (long long)nf);
    return 0;
}

/*
 * 1 when the browser says the request comes from another site
 * (Sec-Fetch-Site cross-site or same-site; "same-origin" and "none", a
 * typed address or a tool, pass). A sign-in form on another site must
 * not be able to sign the visitor in to an account of its choosing.
 */
static int cross_site(struct req *r)
{
    const char *v =
        MHD_lookup_connection_value(r->conn, MHD_HEADER_KIND, "Sec-Fetch-Site");

    return v != NULL && strcmp(v, "same-origin") != 0 && strcmp(v, "none") != 0;
}

/* 1 when Content-Type is application/json (parameters allowed): a page
 * on another site cannot send that type without a CORS preflight, which
 * this server never grants. */
static int is_json(const char *ct)
{
    size_t n = strlen("application/json");

    return ct != NULL && strncasecmp(ct, "application/json", n) == 0 &&
           (ct[n] == '\0' || ct[n] == ';' || ct[n] == ' ');
}

enum MHD_Result h_dash_login(struct req *r)
{
    struct store *st = r->s->st;
    const char *ct =
        MHD_lookup_connection_value(r->conn, MHD_HEADER_KIND, "Content-Type");
    char login[40], pw[DASH_PW_MAXLEN + 1], stored[DASH_PW_MAX];
    char lkey[48], akey[72] = "addr:", cookie[65], hash[65], csrf[65];
    char hdr[200];
    uint8_t raw[32];
    struct store_principal who;
    enum MHD_Result res;
    json_t *body;
    int64_t id = 0, now = (int64_t)time(NULL), until;
    int rc, good;

    login[0] = pw[0] = '\0';
    if (cross_site(r))
        return api_error(r, 403, "cross_site",
                         "sign in from the dashboard's own page");
    if (!is_json(ct))
        return api_error(r, 415, "unsupported_media_type",
                         "send the sign-in as application/json");
    {
        static const struct api_field f[] = {
            {"login", T_STR, 1, 32},
            {"password", T_STR, 1, DASH_PW_MAXLEN},
            {NULL, 0, 0, 0},
        };
        json_t *b;

        if (api_body(r, f, &b, &res) != 0)
            return res;
        snprintf(login, sizeof(login), "%s", api_str(b, "login"));
        snprintf(pw, sizeof(pw), "%s", api_str(b, "password"));
        json_decref(b);
    }
    snprintf(lkey, sizeof(lkey), "login:%.32s", login);
    api_client_addr(r, akey + 5, sizeof(akey) - 5);
    if (reserve(r, lkey, akey, now, &res))
        return res;
    rc = st->ops->dash_user_get(st, login, stored, sizeof(stored), &id);
    if (rc != 0 && rc != -STORE_E_NOT_FOUND)
        return api_store_error(r, rc);
    if (rc == 0) {
        good = dash_pw_verify(pw, stored) == 1;
    } else {
        const char *dh = dummy_hash();

        if (dh != NULL)
            dash_pw_verify(pw, dh);
        good = 0;
    }
    explicit_bzero(pw, sizeof(pw));
    if (!good) {
        rc = st->ops->dash_attempt(st, lkey, 1, now, LOGIN_LIMIT, LOCK_SECS,
                                   &until);
        if (rc != 0)
            return api_store_error(r, rc);
        api_log(4, "event=dash_login_failed login=\"%.32s\" client=%s", login,
                akey + 5);
        return api_error(r, 401, "bad_credentials", "wrong login or password");
    }
    rc =
        st->ops->dash_attempt(st, lkey, 2, now, LOGIN_LIMIT, LOCK_SECS, &until);
    if (rc == 0)
        rc = st->ops->dash_attempt(st, akey, 3, now, ADDR_LIMIT, LOCK_SECS,
                                   &until);
    if (rc != 0)
        return api_store_error(r, rc);
    /* a sign-in sweeps what expired (a failure is logged, not fatal) */
    (void)dash_housekeep(st, now);
    if (crypto_random(raw, sizeof(raw)) != 0)
        return api_error(r, 503, "unavailable", "no randomness");
    crypto_hex(raw, sizeof(raw), cookie);
    if (crypto_random(raw, sizeof(raw)) != 0)
        return api_error(r, 503, "unavailable", "no randomness");
    crypto_hex(raw, sizeof(raw), csrf);
    explicit_bzero(raw, sizeof(raw));
    cookie_hash(cookie, hash);
    rc = st->ops->dash_session_add(st, id, hash, csrf, now + SESSION_SECS, now);
    if (rc == 0)
        rc = st->ops->dash_session_get(st, hash, now, &who, csrf, sizeof(csrf));
    if (rc != 0)
        return api_store_error(r, rc);
    snprintf(hdr, sizeof(hdr),
             COOKIE_NAME "=%s; HttpOnly; SameSite=Strict; Path=/; "
                         "Max-Age=%d%s",
             cookie, SESSION_SECS, secure_attr(r));
    explicit_bzero(cookie, sizeof(cookie));
    api_log(6, "event=dash_login login=\"%s\" client=%s", login, akey + 5);
    body = session_json(r, &who, csrf);
    if (body == NULL)
        return api_store_error(r, -STORE_E_IO);
    return api_reply_json_h(r, 200, body, "Set-Cookie", hdr);
}

enum MHD_Result h_dash_logout(struct req *r)
{
    struct store_principal who;
    enum MHD_Result res;
    char csrf[80], hash[65], hdr[160];
    int rc;

    if (session_of(r, &who, csrf, sizeof(csrf), hash, &res) != 0 ||
        csrf_check(r, csrf, &res) != 0)
        return res;
    rc = r->s->st->ops->dash_session_del(r->s->st, hash, who.actor,
                                         (int64_t)time(NULL));
    if (rc != 0)
        return api_store_error(r, rc);
    snprintf(hdr, sizeof(hdr),
             COOKIE_NAME "=; HttpOnly; SameSite=Strict; Path=/; Max-Age=0%s",
             secure_attr(r));
    return api_reply_json_h(r, 200, json_pack("{s:b}", "signed_out", 1),
                            "Set-Cookie", hdr);
}

enum MHD_Result h_dash_session(struct req *r)
{
    struct store_principal who;
    enum MHD_Result res;
    json_t *body;
    char csrf[80], hash[65];

    if (session_of(r, &who, csrf, sizeof(csrf), hash, &res) != 0)
        return res;
    body = session_json(r, &who, csrf);
    if (body == NULL)
        return api_store_error(r, -STORE_E_IO);
    return api_reply_json(r, 200, body);
}
