/*
 * h_stall.c: a vendor's own payment feed over HTTP: linking and
 * unlinking it (admin or board, with the vendor's consent), the
 * provider's notifications to the stall's own path (verified with the
 * stall's secret, counted for the vendor, never matched to the board's
 * invoices), the vendor's announcements (a long poll with the stall key)
 * and what the board may read of it: daily aggregates only.
 */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "api.h"
#include "crypto.h"
#include "srv_report.h"
#include "stall_feeds.h"
#include "vnwords.h"

/* Announcements answered at once, at most. */
#define ANNOUNCE_MAX 100

static int provider_ok(const char *p)
{
    return p != NULL && (strcmp(p, "sepay") == 0 || strcmp(p, "casso") == 0 ||
                         strcmp(p, "payos") == 0 || strcmp(p, "generic") == 0);
}

/* The stall's code (URL arg 1) and its market's scope; -1 with the reply
 * queued in *res. */
static int stall_scope(struct req *r, int64_t *org, enum MHD_Result *res)
{
    if (api_org_scope(r, org, res) != 0)
        return -1;
    if (!api_code_ok(r->arg[1], 1, 32)) {
        *res = api_error(r, 404, "payer_not_found", "no such payer");
        return -1;
    }
    return 0;
}

/* POST /v1/orgs/{org}/payers/{code}/feed */
enum MHD_Result h_stall_feed_link(struct req *r)
{
    static const struct api_field fields[] = {
        {"provider", T_STR, 1, 16},
        {"consent_by", T_STR, 1, 120},
        {"api_key", T_STR, 0, STALL_SECRET_MAX - 1},
        {"hmac_key", T_STR, 0, STALL_SECRET_MAX - 1},
        {NULL, 0, 0, 0},
    };
    struct stall_link l;
    enum MHD_Result res;
    json_t *body = NULL, *out;
    const char *prov, *by, *ak, *hk;
    char path[96];
    int64_t org;
    int rc;

    if (api_query_check(r, NULL, &res) != 0 || stall_scope(r, &org, &res) != 0)
        return res;
    if (api_body(r, fields, &body, &res) != 0)
        return res;
    prov = api_str(body, "provider");
    by = api_str(body, "consent_by");
    ak = api_str(body, "api_key");
    hk = api_str(body, "hmac_key");
    if (!provider_ok(prov)) {
        json_decref(body);
        return api_error(r, 400, "invalid_provider",
                         "provider: sepay, casso, payos or generic");
    }
    if (strspn(by, " \t") == strlen(by)) {
        json_decref(body);
        return api_error(r, 400, "consent_required",
                         "consent_by: the name of the vendor who agreed");
    }
    if ((ak && *ak && strlen(ak) < 8) || (hk && *hk && strlen(hk) < 8)) {
        json_decref(body);
        return api_error(r, 400, "invalid_field",
                         "secrets are at least 8 bytes");
    }
    rc = stall_feed_link(r->s->st, org, r->arg[1], prov, by, ak, hk,
                         r->who.actor, (int64_t)time(NULL), &l);
    json_decref(body);
    if (rc == -STORE_E_CONFLICT)
        return api_error(r, 409, store_error_code(), "%s",
                         store_error_message());
    if (rc != 0)
        return api_store_error(r, rc);
    snprintf(path, sizeof(path), "/v1/stall-feeds/%lld/%s",
             (long long)l.feed_id, l.provider);
    out = json_pack("{s:I, s:s, s:s, s:s}", "feed", (json_int_t)l.feed_id,
                    "provider", l.provider, "path", path, "stall_key",
                    l.stall_key);
    if (l.api_key[0] != '\0')
        json_object_set_new(out, "api_key", json_string(l.api_key));
    if (l.hmac_key[0] != '\0')
        json_object_set_new(out, "hmac_key", json_string(l.hmac_key));
    api_log(6, "event=stall_feed_link org=%s payer=%s provider=%s", r->arg[0],
            r->arg[1], l.provider);
    memset(&l, 0, sizeof(l));
    return api_reply_json(r, 201, out);
}

/* DELETE /v1/orgs/{org}/payers/{code}/feed */
enum MHD_Result h_stall_feed_unlink(struct req *r)
{
    enum MHD_Result res;
    int64_t org, gone = 0;
    int rc;

    if (api_query_check(r, NULL, &res) != 0 || stall_scope(r, &org, &res) != 0)
        return res;
    rc = stall_feed_unlink(r->s->st, org, r->arg[1], r->who.actor,
                           (int64_t)time(NULL), &gone);
    if (rc != 0)
        return api_store_error(r, rc);
    return api_reply_json(
        r, 200,
        json_pack("{s:b, s:I}", "unlinked", 1, "deleted", (json_int_t)gone));
}

/* `from`/`to` query days (default: the last 31 days to today) into
 * out; -1 with a 400 queued in *res. */
static int day_range(struct req *r, char from[11], char to[11],
                     enum MHD_Result *res)
{
    const char *f = api_query(r, "from"), *t = api_query(r, "to");
    int32_t df, dt, today = srv_vn_day((int64_t)time(NULL));

    dt = today;
    df = today - 30;
    if ((t != NULL && report_day_parse(t, &dt) != 0) ||
        (f != NULL && report_day_parse(f, &df) != 0) || df > dt ||
        dt - df > 400) {
        *res = api_error(r, 400, "invalid_parameter",
                         "from, to: days YYYY-MM-DD, from <= to, at most"
                         " 400 days");
        return -1;
    }
    report_day_format(df, from);
    report_day_format(dt, to);
    return 0;
}

/* GET /v1/orgs/{org}/payers/{code}/feed: the link and the stall's daily
 * aggregates; never a transaction. */
enum MHD_Result h_stall_feed_get(struct req *r)
{
    static const char *const allowed[] = {"from", "to", NULL};
    struct stall_summary sm;
    enum MHD_Result res;
    char from[11], to[11];
    json_t *o, *days;
    int64_t org;
    size_t i;
    int rc;

    if (api_query_check(r, allowed, &res) != 0 ||
        stall_scope(r, &org, &res) != 0 || day_range(r, from, to, &res) != 0)
        return res;
    rc = stall_summary_get(r->s->st, org, r->arg[1], from, to, &sm);
    if (rc != 0)
        return api_store_error(r, rc);
    days = json_array();
    for (i = 0; i < sm.n; i++)
        json_array_append_new(
            days, json_pack("{s:s, s:I, s:I}", "day", sm.days[i].day,
                            "payments", (json_int_t)sm.days[i].payments,
                            "amount", (json_int_t)sm.days[i].amount));
    o = json_pack("{s:s, s:b, s:s, s:s, s:o}", "payer", r->arg[1], "linked",
                  sm.linked, "from", from, "to", to, "days", days);
    if (sm.linked) {
        json_object_set_new(o, "provider", json_string(sm.provider));
        json_object_set_new(o, "consent_by", json_string(sm.consent_by));
        json_object_set_new(o, "consent_at", json_integer(sm.consent_at));
    }
    stall_summary_free(&sm);
    return api_reply_json(r, 200, o);
}

/* GET /v1/orgs/{org}/payers/{code}/feed/transactions: a vendor's own
 * payments are the vendor's; no board credential reads them. */
enum MHD_Result h_stall_feed_txns(struct req *r)
{
    return api_error(r, 403, "vendor_private",
                     "a stall's own payments are read only by the vendor,"
                     " with the stall key; the board sees daily totals");
}

/* ---- the provider's notifications ---------------------------------------- */

/* Headers a provider signs with. */
static const char *const hook_headers[] = {
    "Authorization",      "X-SePay-Signature", "X-SePay-Timestamp",
    "X-Casso-Signature",  "secure-token",      "X-Chopay-Signature",
    "X-Chopay-Timestamp",
};

#define N_HOOK_HEADERS (sizeof(hook_headers) / sizeof(hook_headers[0]))

static int verify(const char *p, const struct feeds_request *rq,
                  const struct feeds_secret *fs, int64_t now,
                  struct feeds_error *fe)
{
    if (strcmp(p, "sepay") == 0)
        return feeds_verify_sepay(rq, fs, now, fe);
    if (strcmp(p, "casso") == 0)
        return feeds_verify_casso(rq, fs, now, fe);
    if (strcmp(p, "payos") == 0)
        return feeds_verify_payos(rq, fs, now, fe);
    return feeds_verify_generic(rq, fs, now, fe);
}

static int parse(const char *p, const char *body, size_t len,
                 struct bank_txn_list *l, struct feeds_error *fe)
{
    if (strcmp(p, "sepay") == 0)
        return feeds_parse_sepay(body, len, l, fe);
    if (strcmp(p, "casso") == 0)
        return feeds_parse_casso(body, len, l, fe);
    if (strcmp(p, "payos") == 0)
        return feeds_parse_payos(body, len, l, fe);
    return feeds_parse_generic(body, len, l, fe);
}

/* Letters and digits of an account number, upper-cased. */
static void account_key(const char *a, char *out, size_t cap)
{
    size_t n = 0;

    for (; *a != '\0' && n + 1 < cap; a++)
        if ((*a >= '0' && *a <= '9') || (*a >= 'A' && *a <= 'Z'))
            out[n++] = *a;
        else if (*a >= 'a' && *a <= 'z')
            out[n++] = (char)(*a - 'a' + 'A');
    out[n] = '\0';
}

/* The identity of transfer `t`: the hex HMAC under the feed's key of
 * the bank's reference (else the provider's id). */
static void ref_hash(const struct stall_feed *f, const struct bank_txn *t,
                     char out[65])
{
    uint8_t d[CRYPTO_SHA256_LEN];
    char msg[FEEDS_ID_MAX + 8];

    if (t->bank_ref[0] != '\0')
        snprintf(msg, sizeof(msg), "ref:%s", t->bank_ref);
    else
        snprintf(msg, sizeof(msg), "id:%s", t->provider_txn_id);
    crypto_hmac_sha256(f->ref_key, strlen(f->ref_key), msg, strlen(msg), d);
    crypto_hex(d, sizeof(d), out);
}

/* POST /v1/stall-feeds/{id}/{provider} */
enum MHD_Result h_stall_hook(struct req *r)
{
    struct feeds_header hs[N_HOOK_HEADERS];
    struct bank_txn_list l = {0};
    struct feeds_error fe = {0};
    struct stall_feed f;
    struct feeds_request rq;
    struct feeds_secret fs;
    enum MHD_Result res;
    int64_t id = 0, now = (int64_t)time(NULL), counted = 0, dup = 0,
            skipped = 0;
    char want[72], got[72];
    size_t i, n = 0;
    int rc;

    if (api_query_check(r, NULL, &res) != 0)
        return res;
    if (api_decimal(r->arg[0], 1, INT64_MAX, &id) != 0 ||
        !provider_ok(r->arg[1]))
        return api_error(r, 404, "feed_not_found", "no such stall feed");
    rc = stall_feed_get(r->s->st, id, &f);
    if (rc == -STORE_E_NOT_FOUND || (rc == 0 && strcmp(f.provider, r->arg[1])))
        return api_error(r, 404, "feed_not_found", "no such stall feed");
    if (rc != 0)
        return api_store_error(r, rc);
    for (i = 0; i < N_HOOK_HEADERS; i++) {
        const char *v = MHD_lookup_connection_value(r->conn, MHD_HEADER_KIND,
                                                    hook_headers[i]);

        if (v != NULL) {
            hs[n].name = hook_headers[i];
            hs[n].value = v;
            n++;
        }
    }
    rq.body = r->body ? r->body : "";
    rq.len = r->len;
    rq.headers = hs;
    rq.nheaders = n;
    fs.api_key = f.api_key[0] ? f.api_key : NULL;
    fs.hmac_key = f.hmac_key[0] ? f.hmac_key : NULL;
    rc = verify(f.provider, &rq, &fs, now, &fe);
    if (rc != 0) {
        memset(&f, 0, sizeof(f));
        api_log(4, "event=stall_hook feed=%lld status=401 code=%s",
                (long long)id, feeds_error_name(-rc));
        return api_error(
            r, 401, -rc == FEEDS_E_STALE ? "stale_timestamp" : "bad_signature",
            "%s", fe.message);
    }
    rc = parse(f.provider, rq.body, rq.len, &l, &fe);
    if (rc != 0 || l.n == 0) {
        feeds_list_free(&l);
        memset(&f, 0, sizeof(f));
        return api_error(r, 400, "invalid_notification", "%s",
                         rc != 0 ? fe.message : "no transaction");
    }
    account_key(f.account, want, sizeof(want));
    for (i = 0; i < l.n; i++) {
        const struct bank_txn *t = &l.txns[i];
        char h[65];
        int64_t pid = 0;

        account_key(t->account, got, sizeof(got));
        if (got[0] != '\0' && strcmp(got, want) != 0) {
            feeds_list_free(&l);
            memset(&f, 0, sizeof(f));
            return api_error(r, 403, "unknown_account",
                             "the receiving account is not this stall's");
        }
        if (t->direction != FEEDS_CREDIT || t->reversal || t->amount <= 0 ||
            (t->bank_ref[0] == '\0' && t->provider_txn_id[0] == '\0')) {
            skipped++;
            continue;
        }
        ref_hash(&f, t, h);
        /* on disk (committed) before anything is answered */
        rc = stall_feed_add(r->s->st, &f, t->amount, h, now, &pid);
        if (rc != 0)
            break;
        if (pid != 0)
            counted++;
        else
            dup++;
    }
    feeds_list_free(&l);
    memset(&f, 0, sizeof(f));
    if (rc != 0)
        return api_error(r, 503, "storage_unavailable",
                         "the notification could not be stored; retry");
    api_log(6, "event=stall_hook feed=%lld counted=%lld duplicates=%lld",
            (long long)id, (long long)counted, (long long)dup);
    return api_reply_json(r, 200,
                          json_pack("{s:b, s:I, s:I, s:I}", "success", 1,
                                    "counted", (json_int_t)counted,
                                    "duplicates", (json_int_t)dup, "ignored",
                                    (json_int_t)skipped));
}

/* ---- the vendor's announcements ------------------------------------------ */

/* The feed of the stall key in the Authorization header; -1 with 401
 * (429 once the client's network keeps failing) queued in *res. */
static int stall_auth(struct req *r, int64_t *feed, enum MHD_Result *res)
{
    const char *h =
        MHD_lookup_connection_value(r->conn, MHD_HEADER_KIND, "Authorization");
    uint8_t d[CRYPTO_SHA256_LEN];
    char hex[65];
    int rc;

    if (h == NULL || strncmp(h, "Bearer ", 7) != 0 || strlen(h + 7) < 16 ||
        strlen(h + 7) > 256) {
        *res = api_unauthorized(r, "send 'Authorization: Bearer <stall key>'");
        return -1;
    }
    crypto_sha256(h + 7, strlen(h + 7), d);
    crypto_hex(d, sizeof(d), hex);
    rc = stall_feed_auth(r->s->st, hex, feed);
    if (rc == -STORE_E_NOT_FOUND) {
        *res = api_unauthorized(r, "unknown or revoked key");
        return -1;
    }
    if (rc != 0) {
        *res = api_store_error(r, rc);
        return -1;
    }
    return 0;
}

/* Answer with feed `feed`'s announcements after `after`. */
static enum MHD_Result announce(struct req *r, int64_t feed, int64_t after)
{
    struct stall_announcement a[ANNOUNCE_MAX];
    json_t *arr;
    size_t n = 0, i;
    int rc;

    rc = stall_announcements(r->s->st, feed, after, a, ANNOUNCE_MAX, &n);
    if (rc != 0)
        return api_store_error(r, rc);
    arr = json_array();
    for (i = 0; i < n; i++) {
        char words[VNWORDS_MAX], said[VNWORDS_MAX + 16];

        if (vnwords_amount(a[i].amount, words, sizeof(words)) != 0)
            snprintf(words, sizeof(words), "%lld đồng", (long long)a[i].amount);
        snprintf(said, sizeof(said), "Đã nhận %s", words);
        json_array_append_new(
            arr, json_pack("{s:I, s:I, s:I, s:s}", "id", (json_int_t)a[i].id,
                           "amount", (json_int_t)a[i].amount, "at",
                           (json_int_t)a[i].at, "words", said));
    }
    return api_reply_json(r, 200, json_pack("{s:o}", "announcements", arr));
}

static void wake_conn(void *arg)
{
    struct req *r = arg;

    atomic_store(&r->resumed, 1);
    MHD_resume_connection(r->conn);
}

static void suspend_conn(void *arg)
{
    struct req *r = arg;

    MHD_suspend_connection(r->conn);
    r->suspended = 1;
}

/* GET /v1/stall/announcements?after=ID&wait=SECONDS (the stall key) */
enum MHD_Result h_stall_announcements(struct req *r)
{
    static const char *const allowed[] = {"after", "wait", NULL};
    struct stall_announcement one;
    struct notify_waiter *w;
    enum MHD_Result res;
    const char *v;
    int64_t feed = 0, after = 0, wait = 0;
    size_t n = 0;

    if (r->suspended || atomic_load(&r->resumed)) {
        /* woken by a payment, the wait's end or shutdown: the key is
           checked again (it may have been revoked meanwhile) */
        r->suspended = 0;
        if (stall_auth(r, &feed, &res) != 0)
            return res;
        v = api_query(r, "after");
        if (v != NULL)
            api_decimal(v, 0, INT64_MAX, &after);
        return announce(r, feed, after);
    }
    if (api_query_check(r, allowed, &res) != 0)
        return res;
    if (stall_auth(r, &feed, &res) != 0)
        return res;
    v = api_query(r, "after");
    if (v != NULL && api_decimal(v, 0, INT64_MAX, &after) != 0)
        return api_error(r, 400, "invalid_parameter",
                         "after: the last announcement's id");
    v = api_query(r, "wait");
    if (v != NULL && api_decimal(v, 0, r->s->cfg.max_wait, &wait) != 0)
        return api_error(r, 400, "invalid_parameter",
                         "wait: whole seconds from 0 to %d",
                         r->s->cfg.max_wait);
    if (wait == 0)
        return announce(r, feed, after);
    /* armed before the look, so a payment between the two still wakes */
    w = notify_arm(r->s->nt, -feed, notify_now_ms() + wait * 1000, wake_conn,
                   r);
    if (w == NULL ||
        stall_announcements(r->s->st, feed, after, &one, 1, &n) != 0 || n > 0) {
        if (w != NULL)
            notify_disarm(r->s->nt, w);
        return announce(r, feed, after);
    }
    r->poll_id = -feed;
    if (notify_suspend(r->s->nt, w, suspend_conn) != 0)
        return announce(r, feed, after);
    return MHD_YES;
}

/* ---- the market's zones -------------------------------------------------- */

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* GET /v1/orgs/{org}/stall-activity?from=&to=: per zone, the stalls with
 * a standee, with a linked feed, with shopper payments in the period, and
 * the codes of those with a standee but no payment. */
enum MHD_Result h_stall_activity(struct req *r)
{
    static const char *const allowed[] = {"from", "to", NULL};
    struct stall_side *rows = NULL;
    enum MHD_Result res;
    const char **zones = NULL;
    char from[11], to[11];
    json_t *arr;
    size_t n = 0, nz = 0, i, z;
    int64_t org;
    int rc;

    if (api_query_check(r, allowed, &res) != 0 ||
        api_org_scope(r, &org, &res) != 0 || day_range(r, from, to, &res) != 0)
        return res;
    rc = stall_sides(r->s->st, org, NULL, from, to, &rows, &n);
    if (rc != 0)
        return api_store_error(r, rc);
    zones = calloc(n ? n : 1, sizeof(*zones));
    if (zones == NULL) {
        free(rows);
        return api_error(r, 503, "storage_unavailable", "out of memory");
    }
    for (i = 0; i < n; i++) {
        for (z = 0; z < nz && strcmp(zones[z], rows[i].zone) != 0; z++)
            ;
        if (z == nz)
            zones[nz++] = rows[i].zone;
    }
    qsort(zones, nz, sizeof(*zones), cmp_str);
    arr = json_array();
    for (z = 0; z < nz; z++) {
        json_t *idle = json_array();
        int64_t stalls = 0, standee = 0, linked = 0, active = 0;

        for (i = 0; i < n; i++) {
            const struct stall_side *s = &rows[i];

            if (strcmp(s->zone, zones[z]) != 0)
                continue;
            stalls++;
            standee += s->standee;
            linked += s->linked;
            active += s->payments > 0;
            if (s->standee && s->payments == 0)
                json_array_append_new(idle, json_string(s->code));
        }
        json_array_append_new(
            arr, json_pack("{s:s, s:I, s:I, s:I, s:I, s:o}", "zone", zones[z],
                           "stalls", (json_int_t)stalls, "with_standee",
                           (json_int_t)standee, "with_feed", (json_int_t)linked,
                           "active", (json_int_t)active, "standee_no_activity",
                           idle));
    }
    free(zones);
    free(rows);
    return api_reply_json(r, 200,
                          json_pack("{s:s, s:s, s:s, s:o}", "org", r->arg[0],
                                    "from", from, "to", to, "zones", arr));
}

/* ---- the vendor's page --------------------------------------------------- */

extern const unsigned char loa_page_html[];
extern const size_t loa_page_html_len;

/* GET /loa/{stall}: the announcements page for a phone (the key in the
 * fragment or ?k=, read by the page's script). */
enum MHD_Result h_stall_page(struct req *r)
{
    struct MHD_Response *resp;
    enum MHD_Result ret;

    resp = MHD_create_response_from_buffer(loa_page_html_len,
                                           (void *)(uintptr_t)loa_page_html,
                                           MHD_RESPMEM_PERSISTENT);
    if (resp == NULL)
        return MHD_NO;
    MHD_add_response_header(resp, "Content-Type", "text/html; charset=utf-8");
    MHD_add_response_header(resp, "Cache-Control", "no-store");
    MHD_add_response_header(resp, "Content-Security-Policy",
                            "default-src 'none'; script-src 'unsafe-inline';"
                            " style-src 'unsafe-inline'; connect-src 'self';"
                            " frame-ancestors 'none'");
    MHD_add_response_header(resp, "Referrer-Policy", "no-referrer");
    MHD_add_response_header(resp, "X-Content-Type-Options", "nosniff");
    r->status = 200;
    r->replied = 1;
    ret = MHD_queue_response(r->conn, 200, resp);
    MHD_destroy_response(resp);
    return ret;
}
