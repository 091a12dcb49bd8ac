/*
 * flow.c: the kiosk's conversations with chopay-server, shared by the
 * screens: dues lookup (with the cached directory as the offline fallback),
 * intent creation (with an offline QR from a reserved code), the long poll,
 * cash records through the journal, and the background work: directory
 * refresh, code reservation and exactly-once journal replay.
 */
#define _GNU_SOURCE
#include "kiosk.h"
#include "net.h"
#include "offline.h"

#include <curl/curl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "bank.h"
#include "crypto.h"
#include "money.h"
#include "vietqr.h"

#define DIR_REFRESH_MS (10u * 60u * 1000u)
#define DIR_RETRY_MS   (60u * 1000u)
#define SYNC_IDLE_MS   (30u * 1000u)
#define CODES_LOW      5
#define DIR_REPLY_MAX  (16u * 1024u * 1024u)
#define CODES_BATCH    20

static void new_key(char out[33])
{
    uint8_t b[16];

    if (crypto_random(b, sizeof(b)) < 0) {
        /* Never reuse a key: fall back to time and address entropy. */
        uint64_t t = (uint64_t)time(NULL) ^ (uint64_t)(uintptr_t)out;
        memcpy(b, &t, sizeof(t));
        t = SDL_GetPerformanceCounter();
        memcpy(b + 8, &t, sizeof(t));
    }
    crypto_hex(b, sizeof(b), out);
}

static int64_t get_money(const json_t *o, const char *a, const char *b)
{
    const json_t *v = json_object_get(o, a);

    if (!v && b)
        v = json_object_get(o, b);
    if (json_is_integer(v)) {
        json_int_t x = json_integer_value(v);
        return x >= 0 && x <= MONEY_MAX ? (int64_t)x : -1;
    }
    if (json_is_string(v)) {
        int64_t x;
        if (money_parse(json_string_value(v), &x) == 0 && x >= 0)
            return x;
    }
    return -1;
}

/* An id that may come as a string or a number. */
static void get_id(const json_t *v, char *out, size_t cap)
{
    if (json_is_string(v))
        snprintf(out, cap, "%s", json_string_value(v));
    else if (json_is_integer(v))
        snprintf(out, cap, "%lld", (long long)json_integer_value(v));
    else
        out[0] = '\0';
}

static void get_str(const json_t *o, const char *name, char *out, size_t cap)
{
    const char *s = json_string_value(json_object_get(o, name));
    snprintf(out, cap, "%s", s ? s : "");
}

/* Fetch the directory again soon (after money moved: fresher dues). */
static void refresh_directory_soon(struct kiosk *k)
{
    uint32_t at = SDL_GetTicks() + 2000;

    if (!at)
        at = 1;
    if (!k->dir_next_ms || (int32_t)(at - k->dir_next_ms) < 0)
        k->dir_next_ms = at;
}

int64_t flow_selected_total(const struct kiosk *k, int all)
{
    int64_t sum = 0;
    const struct kiosk_payer *p = &k->s.payer;

    for (int i = 0; i < p->n_inv; i++)
        if ((all || p->inv[i].selected) &&
            money_add(sum, p->inv[i].due, &sum) < 0)
            return -1;
    return sum;
}

/* ---- dues ------------------------------------------------------------ */

/* The directory's payer the typed code means, or NULL (none or several). */
static const struct kiosk_dir_payer *dir_payer(const struct kiosk *k,
                                               const char *code)
{
    size_t i;

    if (offline_dir_find(&k->dir, code, &i) < 0)
        return NULL;
    return &k->dir.payers[i];
}

/*
 * Say on the code screen that the typed code was not found, with the
 * directory's codes nearest to it to tap instead.
 */
static void code_not_found(struct kiosk *k)
{
    size_t idx[KIOSK_SUGGEST_MAX];
    size_t n = offline_dir_suggest(&k->dir, k->s.code, idx, KIOSK_SUGGEST_MAX);

    k->s.has_msg = 1;
    k->s.msg = S_CODE_NOT_FOUND;
    k->s.n_suggest = (int)n;
    for (size_t i = 0; i < n; i++)
        snprintf(k->s.suggest[i], sizeof(k->s.suggest[i]), "%s",
                 k->dir.payers[idx[i]].code);
    kiosk_dirty(k);
}

/*
 * The codes the server suggested with its 404 (error.suggestions: the
 * payers it has nearest the typed code), for a kiosk whose directory
 * knows none.
 */
static void server_suggestions(struct kiosk *k, const json_t *j)
{
    const json_t *list =
        json_object_get(json_object_get(j, "error"), "suggestions");
    const json_t *v;
    size_t i;

    json_array_foreach(list, i, v)
    {
        const char *c = json_string_value(json_object_get(v, "code"));
        if (k->s.n_suggest >= KIOSK_SUGGEST_MAX)
            break;
        if (c && *c && strlen(c) <= KIOSK_CODE_MAX)
            snprintf(k->s.suggest[k->s.n_suggest++], KIOSK_CODE_MAX + 1, "%s",
                     c);
    }
}

/*
 * Fill the session payer from the cached directory (offline): its open
 * invoices as the server listed them when the directory was made, no
 * guessing from fee schedules. -1 when the payer is unknown or the
 * directory carries no invoices (a server older than this kiosk).
 */
static int offline_payer(struct kiosk *k)
{
    const struct kiosk_dir_payer *dp = dir_payer(k, k->s.code);
    struct kiosk_payer *p = &k->s.payer;

    if (!dp || !k->dir.has_invoices)
        return -1;
    memset(p, 0, sizeof(*p));
    snprintf(p->code, sizeof(p->code), "%s", dp->code);
    snprintf(p->name, sizeof(p->name), "%s", dp->name);
    p->offline = 1;
    for (size_t i = 0; i < dp->inv_count; i++) {
        const struct kiosk_dir_invoice *di =
            &k->dir.invoices[dp->inv_first + i];
        struct kiosk_invoice *in;
        if (p->n_inv >= KIOSK_MAX_INVOICES) {
            p->n_more++;
            continue;
        }
        in = &p->inv[p->n_inv++];
        in->id = di->id;
        snprintf(in->label, sizeof(in->label), "%s", di->label);
        snprintf(in->period, sizeof(in->period), "%s", di->period);
        in->due = di->due;
    }
    fprintf(stderr, "chopay-kiosk: offline dues payer=%s invoices=%d\n",
            p->code, p->n_inv);
    return 0;
}

static int parse_dues(struct kiosk *k, const json_t *j)
{
    struct kiosk_payer p;
    const json_t *payer = json_object_get(j, "payer");
    const json_t *invs = json_object_get(j, "invoices"), *v;
    size_t i;

    memset(&p, 0, sizeof(p));
    snprintf(p.code, sizeof(p.code), "%s", k->s.code);
    if (json_is_object(payer)) {
        get_str(payer, "name", p.name, sizeof(p.name));
        if (json_string_value(json_object_get(payer, "code")))
            get_str(payer, "code", p.code, sizeof(p.code));
    } else {
        get_str(j, "name", p.name, sizeof(p.name));
    }
    if (!json_is_array(invs))
        return -1;
    json_array_foreach(invs, i, v)
    {
        struct kiosk_invoice *in;
        int64_t due, paid, left;
        if (p.n_inv >= KIOSK_MAX_INVOICES) {
            p.n_more++;
            continue;
        }
        in = &p.inv[p.n_inv];
        in->id = json_integer_value(json_object_get(v, "id"));
        get_str(v, "label", in->label, sizeof(in->label));
        get_str(v, "period", in->period, sizeof(in->period));
        /*
         * chopay-server sends amount, paid and due (= amount - paid); the
         * issue's wording is amount_due / amount_paid. Accept both.
         */
        due = get_money(v, "amount", "amount_due");
        paid = get_money(v, "paid", "amount_paid");
        left = get_money(v, "due", "outstanding");
        if (left < 0) {
            if (due < 0)
                return -1;
            if (paid < 0)
                paid = 0;
            if (money_sub(due, paid, &left) < 0 || left < 0)
                return -1;
        }
        if (in->id <= 0)
            return -1;
        if (left == 0)
            continue;
        in->due = left;
        p.n_inv++;
    }
    k->s.payer = p;
    return 0;
}

static void fail_from(struct kiosk *k, const struct net_result *res,
                      const struct kiosk_screen *retry)
{
    char d[160];

    snprintf(d, sizeof(d), "%.60s%s%.90s", res->err_code,
             res->err_msg[0] ? ": " : "", res->err_msg);
    if (!res->transport_ok && res->tls_error)
        kiosk_fail(k, S_ERR_TLS, S_ERR_TLS_HINT, d, retry);
    else if (!res->transport_ok)
        kiosk_fail(k, S_ERR_NETWORK, S_ERR_NETWORK_HINT, d, retry);
    else if (res->status == 401 || res->status == 403)
        kiosk_fail(k, S_ERR_AUTH, S_ERR_AUTH_HINT, d, retry);
    else
        kiosk_fail(k, S_ERR_SERVER, S_ERR_SERVER_HINT, d, retry);
}

static void on_dues(struct kiosk *k, const struct net_result *res, void *ctx)
{
    (void)ctx;
    k->s.busy = 0;
    kiosk_dirty(k);
    if (res->transport_ok && res->status == 200 && res->json) {
        if (parse_dues(k, res->json) < 0) {
            kiosk_fail(k, S_ERR_SERVER, S_ERR_SERVER_HINT, "bad_reply: dues",
                       &kiosk_screen_code);
            return;
        }
        kiosk_goto(k, &kiosk_screen_dues);
    } else if (res->transport_ok && res->status == 404) {
        code_not_found(k);
        if (k->s.n_suggest == 0)
            server_suggestions(k, res->json);
    } else if ((!res->transport_ok || res->status >= 500) &&
               offline_payer(k) == 0) {
        kiosk_goto(k, &kiosk_screen_dues);
    } else {
        fail_from(k, res, &kiosk_screen_code);
    }
}

void flow_lookup(struct kiosk *k)
{
    char path[128];
    char *esc;
    struct net_opts o = {.method = "GET", .path = path, .max_attempts = 3};
    size_t i;
    int rc = offline_dir_find(&k->dir, k->s.code, &i);

    /* "a 12" means A-12 when the directory has no other code like it */
    if (rc == 0)
        snprintf(k->s.code, sizeof(k->s.code), "%s", k->dir.payers[i].code);
    k->s.n_suggest = 0;
    if (rc == -OFFLINE_E_AMBIGUOUS) {
        code_not_found(k);
        return;
    }
    esc = curl_easy_escape(NULL, k->s.code, 0);
    if (!esc)
        return;
    snprintf(path, sizeof(path), "/v1/payers/%s/dues", esc);
    curl_free(esc);
    k->s.busy = 1;
    k->s.has_msg = 0;
    if (net_request(k->net, &o, on_dues, NULL) < 0) {
        k->s.busy = 0;
        kiosk_fail(k, S_ERR_NETWORK, S_ERR_NETWORK_HINT, "out_of_memory",
                   &kiosk_screen_code);
    }
    kiosk_dirty(k);
}

/* ---- intents --------------------------------------------------------- */

/* Check a server payload: valid VietQR, same amount, code in content. */
static int payload_ok(const struct kiosk_intent *in)
{
    struct vietqr_fields f;
    struct vietqr_report rep;

    if (vietqr_decode(in->payload, strlen(in->payload), &f, &rep) < 0)
        return 0;
    if (f.has_amount && f.amount != in->amount)
        return 0;
    if (in->code[0] && f.has_content && !strstr(f.content, in->code))
        return 0;
    if (in->account[0] && strcmp(f.account, in->account))
        return 0;
    return 1;
}

/*
 * An intent reply into *out. `now` is the server's time of the reply (its
 * Date header, else kiosk_now): an absolute expires_at is taken relative
 * to it, never to the kiosk's own clock.
 */
static int parse_intent(const json_t *j, int64_t now, struct kiosk_intent *out)
{
    struct kiosk_intent in;
    const json_t *bank = json_object_get(j, "bank"), *exp;
    int64_t expires = 0;
    const struct bank *b;

    memset(&in, 0, sizeof(in));
    get_id(json_object_get(j, "id"), in.id, sizeof(in.id));
    get_str(j, "code", in.code, sizeof(in.code));
    get_str(j, "payload", in.payload, sizeof(in.payload));
    get_str(j, "account", in.account, sizeof(in.account));
    get_str(j, "account_name", in.account_name, sizeof(in.account_name));
    in.amount = get_money(j, "amount", NULL);
    if (json_is_object(bank)) {
        get_str(bank, "bin", in.bin, sizeof(in.bin));
        get_str(bank, "short_name", in.bank_name, sizeof(in.bank_name));
        if (!in.bank_name[0])
            get_str(bank, "name", in.bank_name, sizeof(in.bank_name));
    }
    if (!in.bank_name[0] && (b = bank_by_bin(in.bin)))
        snprintf(in.bank_name, sizeof(in.bank_name), "%s", b->short_name);
    exp = json_object_get(j, "expires_at");
    if (json_is_integer(json_object_get(j, "expires_in"))) {
        /* Relative: immune to clock differences with the server. */
        json_int_t left = json_integer_value(json_object_get(j, "expires_in"));
        expires = now + (left > 0 ? left : 0);
        if (!expires)
            expires = 1;
    } else if (json_is_integer(exp)) {
        expires = json_integer_value(exp);
    } else if (json_is_string(exp)) {
        struct tm tm;
        memset(&tm, 0, sizeof(tm));
        if (strptime(json_string_value(exp), "%Y-%m-%dT%H:%M:%S", &tm))
            expires = (int64_t)timegm(&tm);
    }
    if (!in.id[0] || !in.payload[0] || in.amount <= 0 || !expires)
        return -1;
    if (expires - now > 86400)
        expires = now + 86400;
    in.expires_tick =
        SDL_GetTicks() + (uint32_t)(expires > now ? (expires - now) * 1000 : 0);
    *out = in;
    return 0;
}

/* The body of POST /v1/intents or /v1/cash for the session selection. */
static char *selection_body(struct kiosk *k, int64_t amount, const char *code,
                            int cash)
{
    json_t *o = json_object(), *inv;
    char *s;

    if (!o)
        return NULL;
    json_object_set_new(o, "payer", json_string(k->s.payer.code));
    if (k->s.pay_all || k->s.n_ids == 0) {
        inv = json_string("all");
    } else {
        inv = json_array();
        for (int i = 0; i < k->s.n_ids; i++)
            json_array_append_new(inv, json_integer(k->s.inv_ids[i]));
    }
    json_object_set_new(o, "invoices", inv);
    if (amount > 0)
        json_object_set_new(o, "amount", json_integer(amount));
    if (code)
        json_object_set_new(o, "code", json_string(code));
    if (cash)
        json_object_set_new(o, "collector", json_string(k->cfg.collector));
    if (cash && k->clock_known)
        /*
         * When the cash was taken, by the server's clock (never the Pi's
         * own): cash replayed after its day was closed is dated as the
         * server's rules say. Unknown before any reply: left to the server.
         */
        json_object_set_new(o, "recorded_at", json_integer(kiosk_now(k)));
    s = json_dumps(o, JSON_COMPACT | JSON_SORT_KEYS);
    json_decref(o);
    return s;
}

/* Build a QR locally from a reserved code; 0 or -1. */
static int offline_intent(struct kiosk *k, int64_t amount)
{
    struct kiosk_intent in;
    struct vietqr_request rq;
    const struct bank *b;
    json_t *rec;
    char *body;
    int rc;

    if (!k->dir.loaded || !k->dir.bin[0] || !k->dir.account[0])
        return -1;
    memset(&in, 0, sizeof(in));
    if (codes_take(k->cfg.data_dir, in.code, sizeof(in.code)) < 0)
        return -1;
    memset(&rq, 0, sizeof(rq));
    rq.bin = k->dir.bin;
    rq.account = k->dir.account;
    rq.amount = amount;
    rq.content = in.code;
    if (vietqr_encode(&rq, in.payload, sizeof(in.payload)) < 0)
        return -1;
    in.amount = amount;
    in.offline = 1;
    snprintf(in.bin, sizeof(in.bin), "%s", k->dir.bin);
    b = bank_by_bin(in.bin);
    snprintf(in.bank_name, sizeof(in.bank_name), "%s",
             b ? b->short_name : in.bin);
    snprintf(in.account, sizeof(in.account), "%s", k->dir.account);
    snprintf(in.account_name, sizeof(in.account_name), "%s",
             k->dir.account_name);
    new_key(in.offline_key);
    body = selection_body(k, amount, in.code, 0);
    if (!body)
        return -1;
    rec = json_pack("{s:s,s:s,s:I,s:s,s:I,s:s,s:s}", "t", "intent", "key",
                    in.offline_key, "at", (json_int_t)kiosk_now(k), "payer",
                    k->s.payer.code, "amount", (json_int_t)amount, "code",
                    in.code, "body", body);
    free(body);
    rc = rec ? journal_append(k->cfg.data_dir, rec) : -1;
    json_decref(rec);
    if (rc < 0)
        return -1;
    k->s.intent = in;
    k->sync_next_ms = SDL_GetTicks();
    fprintf(stderr, "chopay-kiosk: offline intent code=%s amount=%lld\n",
            in.code, (long long)in.amount);
    return 0;
}

static void on_intent(struct kiosk *k, const struct net_result *res, void *ctx)
{
    int64_t amount = (int64_t)(intptr_t)ctx;
    const struct kiosk_screen *back = k->screen == &kiosk_screen_partial
                                          ? &kiosk_screen_partial
                                          : &kiosk_screen_dues;

    k->s.busy = 0;
    kiosk_dirty(k);
    if (res->transport_ok && (res->status == 200 || res->status == 201) &&
        res->json) {
        struct kiosk_intent in;
        if (parse_intent(res->json,
                         res->server_date ? res->server_date : kiosk_now(k),
                         &in) < 0) {
            kiosk_fail(k, S_ERR_SERVER, S_ERR_SERVER_HINT, "bad_reply: intent",
                       back);
            return;
        }
        if (!payload_ok(&in)) {
            kiosk_fail(k, S_ERR_BAD_QR, S_ERR_SERVER_HINT, in.code, back);
            return;
        }
        k->s.intent = in;
        k->intent_pc = SDL_GetPerformanceCounter();
        fprintf(stderr,
                "chopay-kiosk: intent id=%s code=%s amount=%lld "
                "expires_in=%ld\n",
                in.id, in.code, (long long)in.amount,
                (long)((int32_t)(in.expires_tick - SDL_GetTicks()) / 1000));
        if (k->screen == &kiosk_screen_partial)
            flow_poll(k);
        else
            kiosk_goto(k, &kiosk_screen_qr);
        return;
    }
    if (!res->transport_ok || res->status >= 500) {
        if (offline_intent(k, amount) == 0) {
            kiosk_goto(k, &kiosk_screen_qr);
            return;
        }
        if (!res->transport_ok) {
            kiosk_fail(k, S_ERR_NO_OFFLINE, S_ERR_NETWORK_HINT, res->err_code,
                       back);
            return;
        }
    }
    fail_from(k, res, back);
}

void flow_create_intent(struct kiosk *k, int64_t amount)
{
    char key[33];
    char *body;
    struct net_opts o = {.method = "POST",
                         .path = "/v1/intents",
                         .max_attempts = 3,
                         .idem_key = key};

    if (amount <= 0)
        return;
    new_key(key);
    /* An explicit amount only when paying less than the selection. */
    body = selection_body(k, k->s.payer.offline || k->s.remaining ? amount : 0,
                          NULL, 0);
    o.body = body;
    k->s.busy = 1;
    if (!body ||
        net_request(k->net, &o, on_intent, (void *)(intptr_t)amount) < 0) {
        k->s.busy = 0;
        kiosk_fail(k, S_ERR_NETWORK, S_ERR_NETWORK_HINT, "out_of_memory",
                   &kiosk_screen_dues);
    }
    free(body);
    kiosk_dirty(k);
}

/* ---- long poll ------------------------------------------------------- */

static void record_paid(struct kiosk *k, int64_t amount)
{
    json_t *rec;

    if (!strcmp(k->s.paid_id, k->s.intent.id))
        return;
    snprintf(k->s.paid_id, sizeof(k->s.paid_id), "%s", k->s.intent.id);
    rec =
        json_pack("{s:s,s:s,s:I,s:I}", "t", "paid", "id", k->s.intent.id, "at",
                  (json_int_t)kiosk_now(k), "amount", (json_int_t)amount);
    if (rec && journal_append(k->cfg.data_dir, rec) < 0)
        fprintf(stderr, "chopay-kiosk: cannot write the journal\n");
    json_decref(rec);
    refresh_directory_soon(k);
}

/*
 * The address of the receipt's public page from an answer's `public_url`
 * (a path on the server) into k->s.receipt_qr; 0 when the answer has one.
 */
static int receipt_url(struct kiosk *k, const json_t *answer)
{
    const char *path = json_string_value(json_object_get(answer, "public_url"));
    int n;

    if (!path || path[0] != '/')
        return -1;
    n = snprintf(k->s.receipt_qr, sizeof(k->s.receipt_qr), "%s%s",
                 k->cfg.server, path);
    if (n < 0 || (size_t)n >= sizeof(k->s.receipt_qr)) {
        k->s.receipt_qr[0] = '\0';
        return -1;
    }
    return 0;
}

static void on_poll(struct kiosk *k, const struct net_result *res, void *ctx)
{
    const char *state;
    int64_t paid, remaining;

    (void)ctx;
    if (!res->transport_ok || res->status != 200 || !res->json) {
        if (res->transport_ok && res->status >= 400 && res->status < 500)
            fail_from(k, res, NULL);
        else
            flow_poll(k);
        return;
    }
    state = json_string_value(json_object_get(res->json, "state"));
    if (!state)
        state = json_string_value(json_object_get(res->json, "status"));
    if (!state)
        state = "pending";
    paid = get_money(res->json, "amount_paid", "paid");
    remaining = get_money(res->json, "remaining", NULL);
    if (!strcmp(state, "paid")) {
        get_str(res->json, "receipt", k->s.receipt, sizeof(k->s.receipt));
        k->s.receipt_known = k->s.receipt[0] != '\0';
        k->s.receipt_qr[0] = '\0';
        if (k->s.receipt_known)
            receipt_url(k, res->json);
        if (!k->s.receipt[0])
            snprintf(k->s.receipt, sizeof(k->s.receipt), "%.20s-%.20s",
                     k->s.intent.code, k->s.intent.id);
        k->s.paid_amount = paid > 0 ? paid : k->s.intent.amount;
        record_paid(k, k->s.paid_amount);
        kiosk_goto(k, &kiosk_screen_paid);
    } else if (!strcmp(state, "partial") && remaining > 0) {
        if (paid < 0 && money_sub(k->s.intent.amount, remaining, &paid) < 0)
            paid = 0;
        /* What this kiosk saw paid so far across intents. */
        if (money_add(k->s.received, paid, &k->s.received) < 0)
            k->s.received = paid;
        k->s.remaining = remaining;
        record_paid(k, paid);
        kiosk_goto(k, &kiosk_screen_partial);
    } else if (!strcmp(state, "expired") || !strcmp(state, "cancelled")) {
        const char *why =
            json_string_value(json_object_get(res->json, "reason"));
        k->s.paid_otherwise = why && !strcmp(why, "invoices_paid_otherwise");
        kiosk_goto(k, &kiosk_screen_expired);
    } else {
        flow_poll(k);
    }
}

static void on_receipt(struct kiosk *k, const struct net_result *res, void *ctx)
{
    (void)ctx;
    if (!res->transport_ok || res->status != 200 || !res->json)
        return;
    if (receipt_url(k, res->json) != 0)
        get_str(res->json, "text", k->s.receipt_qr, sizeof(k->s.receipt_qr));
    if (k->s.receipt_qr[0])
        kiosk_dirty(k);
}

void flow_fetch_receipt(struct kiosk *k)
{
    char path[128];
    char *esc;
    struct net_opts o = {.method = "GET", .path = path, .max_attempts = 2};

    if (k->s.receipt_qr[0] || !k->s.receipt_known)
        return;
    esc = curl_easy_escape(NULL, k->s.receipt, 0);
    if (!esc)
        return;
    snprintf(path, sizeof(path), "/v1/receipts/%s", esc);
    curl_free(esc);
    net_request(k->net, &o, on_receipt, NULL);
}

void flow_poll(struct kiosk *k)
{
    char path[128];
    struct net_opts o = {.method = "GET",
                         .path = path,
                         .timeout_ms = (k->cfg.long_poll_s + 10) * 1000L,
                         .max_attempts = 0};

    if (k->s.intent.offline || !k->s.intent.id[0])
        return;
    snprintf(path, sizeof(path), "/v1/intents/%s?wait=%d", k->s.intent.id,
             k->cfg.long_poll_s);
    if (net_request(k->net, &o, on_poll, NULL) < 0)
        fprintf(stderr, "chopay-kiosk: cannot start the long poll\n");
}

static void on_cancel(struct kiosk *k, const struct net_result *res, void *ctx)
{
    (void)k;
    (void)ctx;
    if (res->transport_ok && res->status >= 400 && res->status != 409)
        fprintf(stderr, "chopay-kiosk: cancel refused: %s %s\n", res->err_code,
                res->err_msg);
}

void flow_cancel_intent(struct kiosk *k)
{
    char path[128], key[33];
    struct net_opts o = {.method = "POST",
                         .path = path,
                         .body = "{}",
                         .idem_key = key,
                         .max_attempts = 2,
                         .background = 1};

    if (k->s.intent.offline || !k->s.intent.id[0])
        return;
    new_key(key);
    snprintf(path, sizeof(path), "/v1/intents/%s/cancel", k->s.intent.id);
    if (net_request(k->net, &o, on_cancel, NULL) < 0)
        fprintf(stderr, "chopay-kiosk: cannot send the cancel\n");
}

/* ---- cash ------------------------------------------------------------ */

static void on_sync(struct kiosk *k, const struct net_result *res, void *ctx);

void flow_record_cash(struct kiosk *k, int64_t amount, const char *pin)
{
    char key[33];
    char *body;
    json_t *rec = NULL;
    char amt[MONEY_FORMAT_MAX];

    if (amount <= 0)
        return;
    new_key(key);
    body = selection_body(k, amount, NULL, 1);
    if (body)
        rec =
            json_pack("{s:s,s:s,s:I,s:s,s:I,s:s}", "t", "cash", "key", key,
                      "at", (json_int_t)kiosk_now(k), "payer", k->s.payer.code,
                      "amount", (json_int_t)amount, "body", body);
    free(body);
    /* the collector's PIN goes with the record, never into its body or a
       log: sync_step adds it to what it sends */
    if (rec && pin && pin[0])
        json_object_set_new(rec, "pin", json_string(pin));
    if (!rec || journal_append(k->cfg.data_dir, rec) < 0) {
        json_decref(rec);
        kiosk_fail(k, S_ERR_SERVER, S_ERR_NETWORK_HINT, "journal_write",
                   &kiosk_screen_collector);
        return;
    }
    json_decref(rec);
    money_format(amount, amt, sizeof(amt));
    snprintf(k->s.note, sizeof(k->s.note), "%s: %s, %s",
             kiosk_tr(k, S_CASH_QUEUED), k->s.payer.code, amt);
    snprintf(k->s.cash_key, sizeof(k->s.cash_key), "%s", key);
    k->s.paid_amount = amount;
    k->s.receipt[0] = '\0';
    k->s.my_cash_known = 0;
    /* The journal is the only sender: replay it now. */
    k->sync_next_ms = SDL_GetTicks();
    kiosk_goto(k, &kiosk_screen_cash_done);
}

static int totals_pair(const json_t *o, const char *name, int *count,
                       int64_t *amount);

/* The wrong-PIN answer of the server (401/403 "bad_pin") into the session. */
static void pin_refused(struct kiosk *k, long status, const json_t *err)
{
    const json_t *left = json_object_get(err, "attempts_left");

    k->s.pin_left = json_is_integer(left) ? (int)json_integer_value(left) : -1;
    k->s.pin_error =
        status == 403 || k->s.pin_left == 0 ? PIN_LOCKED : PIN_WRONG;
}

static void on_verify(struct kiosk *k, const struct net_result *res, void *ctx)
{
    (void)ctx;
    k->s.busy = 0;
    kiosk_dirty(k);
    if (k->screen != &kiosk_screen_cash_pin)
        return;
    if (res->transport_ok && (res->status == 401 || res->status == 403) &&
        !strcmp(res->err_code, "bad_pin")) {
        pin_refused(k, res->status, json_object_get(res->json, "error"));
        memset(k->s.pin, 0, sizeof(k->s.pin));
        return;
    }
    /* right, or not checked (no server, an older one): the cash is queued
       with the PIN and the server judges it when it gets there */
    flow_record_cash(k, k->s.cash_amount, k->s.pin);
    memset(k->s.pin, 0, sizeof(k->s.pin));
}

void flow_verify_pin(struct kiosk *k)
{
    char body[64];
    struct net_opts o = {.method = "POST",
                         .path = "/v1/kiosk/collector",
                         .body = body,
                         .max_attempts = 1,
                         .timeout_ms = 8000};

    snprintf(body, sizeof(body), "{\"pin\":\"%s\"}", k->s.pin);
    k->s.busy = 1;
    k->s.pin_error = PIN_OK;
    if (net_request(k->net, &o, on_verify, NULL) < 0) {
        k->s.busy = 0;
        flow_record_cash(k, k->s.cash_amount, k->s.pin);
    }
    memset(body, 0, sizeof(body));
    kiosk_dirty(k);
}

int flow_load_needs_pin(struct kiosk *k)
{
    json_t *rec = NULL, *refused;
    const struct kiosk_dir_payer *dp;
    const char *payer, *key;
    int n = 0;

    if (journal_next_needs_pin(k->cfg.data_dir, &rec, &n) < 0)
        return -1;
    payer = json_string_value(json_object_get(rec, "payer"));
    key = json_string_value(json_object_get(rec, "key"));
    memset(&k->s.payer, 0, sizeof(k->s.payer));
    snprintf(k->s.payer.code, sizeof(k->s.payer.code), "%s",
             payer ? payer : "");
    if ((dp = dir_payer(k, k->s.payer.code)) != NULL)
        snprintf(k->s.payer.name, sizeof(k->s.payer.name), "%s", dp->name);
    snprintf(k->s.cash_key, sizeof(k->s.cash_key), "%s", key ? key : "");
    k->s.paid_amount = json_integer_value(json_object_get(rec, "amount"));
    k->s.receipt[0] = '\0';
    k->s.my_cash_known = 0;
    refused = json_object_get(rec, "refused");
    pin_refused(k, (long)json_integer_value(json_object_get(refused, "status")),
                refused);
    k->s.repin = 1;
    json_decref(rec);
    return 0;
}

void flow_repin(struct kiosk *k)
{
    json_t *rec = json_pack("{s:s,s:s,s:s}", "t", "pin", "key", k->s.cash_key,
                            "pin", k->s.pin);

    memset(k->s.pin, 0, sizeof(k->s.pin));
    if (!rec || journal_append(k->cfg.data_dir, rec) < 0) {
        json_decref(rec);
        kiosk_fail(k, S_ERR_SERVER, S_ERR_NETWORK_HINT, "journal_write",
                   &kiosk_screen_collector);
        return;
    }
    json_decref(rec);
    k->s.pin_error = PIN_OK;
    k->sync_next_ms = SDL_GetTicks();
    kiosk_goto(k, &kiosk_screen_cash_done);
}

static void on_my_total(struct kiosk *k, const struct net_result *res,
                        void *ctx)
{
    const json_t *c = json_object_get(res->json, "collector");
    int n;
    int64_t amount;

    (void)ctx;
    if (res->transport_ok && res->status == 200 &&
        totals_pair(c, "cash", &n, &amount) == 0) {
        k->s.my_cash = amount;
        k->s.my_cash_known = 1;
        fprintf(stderr, "chopay-kiosk: collector total cash=%d:%lld\n", n,
                (long long)amount);
        kiosk_dirty(k);
    }
}

/* The collector's own cash of the day (GET /v1/kiosk/totals?collector=). */
static void fetch_my_total(struct kiosk *k, const char *name)
{
    char path[256];
    char *esc = curl_easy_escape(NULL, name, 0);
    struct net_opts o = {
        .method = "GET", .path = path, .max_attempts = 2, .background = 1};

    if (!esc)
        return;
    snprintf(path, sizeof(path), "/v1/kiosk/totals?collector=%s", esc);
    curl_free(esc);
    net_request(k->net, &o, on_my_total, NULL);
}

/* ---- background ------------------------------------------------------ */

static void on_directory(struct kiosk *k, const struct net_result *res,
                         void *ctx)
{
    (void)ctx;
    if (res->transport_ok && res->status == 200) {
        if (offline_dir_parse(res->body, res->len, &k->dir) == 0) {
            offline_write_atomic(k->cfg.data_dir, "directory.json", res->body,
                                 res->len);
            offline_write_atomic(k->cfg.data_dir, "directory.etag", res->etag,
                                 strlen(res->etag));
            kiosk_dirty(k);
        } else {
            fprintf(stderr, "chopay-kiosk: directory reply not usable\n");
        }
    }
    k->dir_next_ms = SDL_GetTicks() + (res->transport_ok && res->status < 400
                                           ? DIR_REFRESH_MS
                                           : DIR_RETRY_MS);
    if (!k->dir_next_ms)
        k->dir_next_ms = 1;
}

static void on_codes(struct kiosk *k, const struct net_result *res, void *ctx)
{
    (void)ctx;
    k->codes_busy = 0;
    if (res->transport_ok && (res->status == 404 || res->status == 405)) {
        if (!k->codes_unsupported)
            fprintf(stderr, "chopay-kiosk: the server cannot reserve "
                            "payment codes (POST /v1/kiosk/codes); "
                            "no offline QR\n");
        k->codes_unsupported = 1;
    } else if (res->transport_ok && res->status < 300 && res->json) {
        json_t *c = json_object_get(res->json, "codes");
        if (json_is_array(c))
            codes_add(k->cfg.data_dir, c);
    }
}

/* A replayed journal record came back. */
static void on_sync(struct kiosk *k, const struct net_result *res, void *ctx)
{
    (void)ctx;
    json_t *rec = k->sync_rec, *mark = NULL;
    const char *key = json_string_value(json_object_get(rec, "key"));
    const char *t = json_string_value(json_object_get(rec, "t"));
    uint32_t now = SDL_GetTicks();

    k->sync_busy = 0;
    if (res->transport_ok && res->status >= 200 && res->status < 300) {
        char id[48], receipt[48];
        get_id(json_object_get(res->json, "id"), id, sizeof(id));
        /* a cash reply names its receipt (older servers: the payment) */
        get_str(res->json, "receipt", receipt, sizeof(receipt));
        if (!receipt[0])
            get_id(json_object_get(res->json, "payment"), receipt,
                   sizeof(receipt));
        mark = json_pack("{s:s,s:s,s:I,s:s,s:s}", "t", "sent", "key", key,
                         "status", (json_int_t)res->status, "id", id, "receipt",
                         receipt);
        if (!strcmp(t, "cash"))
            refresh_directory_soon(k);
        if (!strcmp(t, "cash") && !strcmp(k->s.cash_key, key)) {
            const char *who =
                json_string_value(json_object_get(res->json, "collector"));
            snprintf(k->s.receipt, sizeof(k->s.receipt), "%s", receipt);
            if (k->dir.collector_pins && who && *who)
                fetch_my_total(k, who);
            kiosk_dirty(k);
        }
        if (!strcmp(t, "cash") && (k->screen == &kiosk_screen_collector ||
                                   k->screen == &kiosk_screen_cash_done)) {
            char amt[MONEY_FORMAT_MAX];
            money_format(json_integer_value(json_object_get(rec, "amount")),
                         amt, sizeof(amt));
            snprintf(k->s.note, sizeof(k->s.note), "%s: %s, %s",
                     kiosk_tr(k, S_CASH_RECORDED),
                     json_string_value(json_object_get(rec, "payer")), amt);
            flow_fetch_totals(k);
            kiosk_dirty(k);
        }
        if (!strcmp(t, "intent") && k->s.intent.offline &&
            !strcmp(k->s.intent.offline_key, key)) {
            struct kiosk_intent in;
            if (parse_intent(res->json,
                             res->server_date ? res->server_date : kiosk_now(k),
                             &in) == 0) {
                /* Keep the QR the payer may be scanning; learn the id. */
                snprintf(k->s.intent.id, sizeof(k->s.intent.id), "%s", in.id);
                k->s.intent.offline = 0;
                k->s.intent.expires_tick = in.expires_tick;
                if (k->screen == &kiosk_screen_qr ||
                    k->screen == &kiosk_screen_waiting)
                    flow_poll(k);
                kiosk_dirty(k);
            }
        }
        k->sync_next_ms = now;
    } else if (res->transport_ok &&
               (res->status == 401 || res->status == 403) &&
               !strcmp(t, "cash") && !strcmp(res->err_code, "bad_pin")) {
        /* The collector's PIN refused: the cash was taken all the same;
           kept until the collector types the PIN again, never dropped. */
        const json_t *left = json_object_get(
            json_object_get(res->json, "error"), "attempts_left");
        mark = json_pack(
            "{s:s,s:s,s:I,s:s,s:I}", "t", "needs_pin", "key", key, "status",
            (json_int_t)res->status, "error", res->err_code, "attempts_left",
            (json_int_t)(json_is_integer(left) ? json_integer_value(left)
                                               : -1));
        fprintf(stderr, "chopay-kiosk: cash %s waits for its collector's PIN\n",
                key);
        /* its collector still here (not typing a PIN for other cash) */
        if (!strcmp(k->s.cash_key, key) &&
            (k->screen == &kiosk_screen_cash_done ||
             (k->screen == &kiosk_screen_cash_pin && k->s.repin))) {
            pin_refused(k, res->status, json_object_get(res->json, "error"));
            k->s.repin = 1;
            kiosk_goto(k, &kiosk_screen_cash_pin);
        }
        k->sync_next_ms = now;
    } else if (res->transport_ok && res->status >= 400 && res->status < 500 &&
               res->status != 429) {
        /* Refused for good (e.g. 409): never resend, keep the reason. */
        mark = json_pack("{s:s,s:s,s:I,s:s}", "t", "rejected", "key", key,
                         "status", (json_int_t)res->status, "error",
                         res->err_code);
        fprintf(stderr, "chopay-kiosk: %s %s refused: %s %s\n", t, key,
                res->err_code, res->err_msg);
        k->sync_next_ms = now;
    } else {
        k->sync_next_ms = now + 5000;
    }
    if (mark) {
        if (journal_append(k->cfg.data_dir, mark) < 0)
            fprintf(stderr, "chopay-kiosk: cannot write the journal\n");
        json_decref(mark);
    }
    json_decref(rec);
    k->sync_rec = NULL;
    if (!k->sync_next_ms)
        k->sync_next_ms = 1;
}

/* Reserve more payment codes for offline use when few are left. */
static void codes_refill(struct kiosk *k)
{
    char key[33];
    char body[32];
    struct net_opts o = {.method = "POST",
                         .path = "/v1/kiosk/codes",
                         .body = body,
                         .idem_key = key,
                         .max_attempts = 1,
                         .background = 1};

    if (k->codes_busy || k->codes_unsupported || !k->online ||
        codes_count(k->cfg.data_dir) >= CODES_LOW)
        return;
    new_key(key);
    snprintf(body, sizeof(body), "{\"count\":%d}", CODES_BATCH);
    if (net_request(k->net, &o, on_codes, NULL) == 0)
        k->codes_busy = 1;
}

static void sync_step(struct kiosk *k, uint32_t now)
{
    json_t *rec = NULL;
    const char *t, *key, *body;
    char *with_pin = NULL;
    int rc;
    struct net_opts o = {.method = "POST", .max_attempts = 1, .background = 1};

    if (journal_next_pending(k->cfg.data_dir, &rec) < 0) {
        k->sync_next_ms = now + SYNC_IDLE_MS;
        codes_refill(k);
        return;
    }
    t = json_string_value(json_object_get(rec, "t"));
    key = json_string_value(json_object_get(rec, "key"));
    body = json_string_value(json_object_get(rec, "body"));
    if (!key || !body) {
        json_decref(rec);
        k->sync_next_ms = now + SYNC_IDLE_MS;
        return;
    }
    o.path = !strcmp(t, "cash") ? "/v1/cash" : "/v1/intents";
    o.body = body;
    o.idem_key = key;
    if (json_string_value(json_object_get(rec, "pin"))) {
        /* the body as journaled with the collector's PIN in it */
        json_t *b = json_loads(body, 0, NULL);
        if (json_is_object(b))
            json_object_set(b, "pin", json_object_get(rec, "pin"));
        with_pin = json_is_object(b)
                       ? json_dumps(b, JSON_COMPACT | JSON_SORT_KEYS)
                       : NULL;
        json_decref(b);
        if (with_pin)
            o.body = with_pin;
    }
    rc = net_request(k->net, &o, on_sync, NULL);
    if (with_pin) {
        memset(with_pin, 0, strlen(with_pin));
        free(with_pin);
    }
    if (rc < 0) {
        json_decref(rec);
        k->sync_next_ms = now + 5000;
        return;
    }
    k->sync_rec = rec;
    k->sync_busy = 1;
    k->sync_next_ms = 0;
}

void flow_background(struct kiosk *k, uint32_t now)
{
    if (k->dir_next_ms && (int32_t)(now - k->dir_next_ms) >= 0) {
        struct net_opts o = {.method = "GET",
                             .path = "/v1/kiosk/directory",
                             .max_attempts = 1,
                             .background = 1,
                             .timeout_ms = 20000,
                             /* every payer's open invoices: a school of
                                thousands is a few MiB */
                             .max_reply = DIR_REPLY_MAX};
        char *etag = NULL;
        size_t len;
        if (k->dir.loaded &&
            offline_read(k->cfg.data_dir, "directory.etag", &etag, &len) == 0)
            o.etag = etag;
        k->dir_next_ms = 0;
        if (net_request(k->net, &o, on_directory, NULL) < 0)
            k->dir_next_ms = now + DIR_RETRY_MS;
        free(etag);
    }
    if (!k->sync_busy && k->sync_next_ms &&
        (int32_t)(now - k->sync_next_ms) >= 0)
        sync_step(k, now);
}

uint32_t flow_next_ms(const struct kiosk *k)
{
    uint32_t a = k->dir_next_ms, b = k->sync_busy ? 0 : k->sync_next_ms;

    if (!a)
        return b;
    if (!b)
        return a;
    return (int32_t)(a - b) < 0 ? a : b;
}

int flow_totals(struct kiosk *k, struct journal_sums *out, char day[11])
{
    int64_t now = kiosk_now(k), t0 = offline_day_start(now);

    offline_day(now, day);
    return journal_sums(k->cfg.data_dir, t0, t0 + 86400, out);
}

/* Money in a totals reply: {"count": N, "amount": A} at `name`. */
static int totals_pair(const json_t *o, const char *name, int *count,
                       int64_t *amount)
{
    const json_t *p = json_object_get(o, name);
    json_int_t c = json_integer_value(json_object_get(p, "count"));
    int64_t a = get_money(p, "amount", NULL);

    if (!json_is_object(p) || c < 0 || c > 100000000 || a < 0)
        return -1;
    *count = (int)c;
    *amount = a;
    return 0;
}

static void on_totals(struct kiosk *k, const struct net_result *res, void *ctx)
{
    struct kiosk_totals t;
    const char *date;
    const json_t *me;
    struct journal_sums js;
    char day[11];

    (void)ctx;
    k->totals.busy = 0;
    kiosk_dirty(k);
    if (k->totals.again) {
        /* asked for while this one ran (a cash record went since) */
        k->totals.again = 0;
        flow_fetch_totals(k);
        return;
    }
    memset(&t, 0, sizeof(t));
    t.refresh_ms = k->totals.refresh_ms;
    t.busy = k->totals.busy;
    date = json_string_value(json_object_get(res->json, "date"));
    me = json_object_get(res->json, "kiosk");
    if (!res->transport_ok || res->status != 200 || !date ||
        strlen(date) != 10 ||
        totals_pair(res->json, "transfer", &t.n_transfer, &t.transfer) < 0 ||
        totals_pair(res->json, "cash", &t.n_cash, &t.cash) < 0) {
        k->totals.have = 0;
        if (flow_totals(k, &js, day) == 0)
            fprintf(stderr,
                    "chopay-kiosk: totals source=local date=%s "
                    "transfer=%d:%lld cash=%d:%lld pending=%d (%s)\n",
                    day, js.n_transfer, (long long)js.transfer, js.n_cash,
                    (long long)js.cash, js.pending, res->err_code);
        return;
    }
    if (json_is_object(me) &&
        (totals_pair(me, "transfer", &t.my_n_transfer, &t.my_transfer) < 0 ||
         totals_pair(me, "cash", &t.my_n_cash, &t.my_cash) < 0)) {
        t.my_transfer = t.my_cash = 0;
        t.my_n_transfer = t.my_n_cash = 0;
    }
    snprintf(t.date, sizeof(t.date), "%s", date);
    t.have = 1;
    k->totals = t;
    fprintf(stderr,
            "chopay-kiosk: totals source=server date=%s transfer=%d:%lld "
            "cash=%d:%lld\n",
            t.date, t.n_transfer, (long long)t.transfer, t.n_cash,
            (long long)t.cash);
}

void flow_fetch_totals(struct kiosk *k)
{
    struct net_opts o = {.method = "GET",
                         .path = "/v1/kiosk/totals",
                         .max_attempts = 2,
                         .background = 1};

    if (k->totals.busy) {
        k->totals.again = 1;
        return;
    }
    if (net_request(k->net, &o, on_totals, NULL) == 0)
        k->totals.busy = 1;
}
