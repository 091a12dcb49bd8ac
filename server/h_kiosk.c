/*
 * h_kiosk.c: the kiosk endpoints: dues, payment intents (create, long
 * poll, cancel), cash records and the offline directory. A kiosk key is
 * bound to one organisation; every lookup is scoped to it.
 */
#define _GNU_SOURCE
#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "api.h"
#include "api_json.h"
#include "crypto.h"
#include "payer_codes.h"
#include "payref.h"
#include "report.h"
#include "srv_report.h"

/* Upper-case a payer code in place and check it; 1 when usable. */
static int payer_code(char *s)
{
    char *p;

    for (p = s; *p; p++)
        *p = (char)toupper((unsigned char)*p);
    return api_code_ok(s, 1, 32);
}

/*
 * Upper-case in place a payer code as a kiosk sent it, typed as people
 * type it (letters, digits, dashes, dots, spaces); 1 when usable.
 */
static int typed_code(char *s)
{
    size_t n = strlen(s);

    for (char *p = s; *p; p++)
        *p = (char)toupper((unsigned char)*p);
    return n >= 1 && n <= 32 &&
           strspn(s, "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-. ") == n;
}

/* A positive decimal id (at most 18 digits); 0 when not one. */
static int64_t parse_id(const char *s)
{
    size_t n = strlen(s);

    if (n == 0 || n > 18 || strspn(s, "0123456789") != n || s[0] == '0')
        return 0;
    return strtoll(s, NULL, 10);
}

/* The Idempotency-Key header, checked; NULL with 400 queued in *res. */
static const char *idem_key(struct req *r, enum MHD_Result *res)
{
    const char *k = MHD_lookup_connection_value(r->conn, MHD_HEADER_KIND,
                                                "Idempotency-Key");
    size_t i, n;

    if (k == NULL) {
        *res = api_error(r, 400, "idempotency_key_required",
                         "send an Idempotency-Key header (a fresh random "
                         "value per payment)");
        return NULL;
    }
    n = strlen(k);
    for (i = 0; i < n; i++)
        if (k[i] < 0x21 || k[i] > 0x7e)
            break;
    if (n == 0 || n > 128 || i != n) {
        *res = api_error(r, 400, "invalid_idempotency_key",
                         "Idempotency-Key: 1 to 128 printable characters");
        return NULL;
    }
    return k;
}

enum MHD_Result h_dues(struct req *r)
{
    struct store_dues d = {0};
    enum MHD_Result res;
    int rc;

    if (api_query_check(r, NULL, &res) != 0)
        return res;
    if (!typed_code(r->arg[0]))
        return api_error(r, 400, "invalid_code", "not a payer code");
    rc = -STORE_E_NOT_FOUND;
    if (payer_code(r->arg[0]))
        rc = r->s->st->ops->dues(r->s->st, r->who.org_id, r->arg[0], &d);
    if (rc == -STORE_E_NOT_FOUND) {
        /* "a 12" or "A12" for A-12: the one payer it means */
        char code[40];
        if (!payer_codes_resolve(r, r->arg[0], code, sizeof(code), &res))
            return res;
        rc = r->s->st->ops->dues(r->s->st, r->who.org_id, code, &d);
    }
    if (rc != 0)
        return api_store_error(r, rc);
    {
        size_t len = 0;
        char *text = api_json_dues_text(&d, &len);

        store_dues_free(&d);
        return api_reply_json_text(r, 200, text, len);
    }
}

/*
 * Answer a replayed write with the body its idempotency record kept
 * (`text`, freed here): 201 and Idempotent-Replayed: true.
 */
static enum MHD_Result reply_replay(struct req *r, char *text)
{
    json_t *j = json_loads(text, 0, NULL);

    free(text);
    return api_reply_json_h(r, 201, j, "Idempotent-Replayed", "true");
}

static const struct api_field intent_fields[] = {
    {"payer", T_STR, 1, 32}, {"invoices", T_IDS, 0, 0},
    {"amount", T_INT, 0, 0}, {"code", T_STR, 0, PAYREF_MAX},
    {NULL, 0, 0, 0},
};

enum MHD_Result h_intent_create(struct req *r)
{
    struct store_intent_req ir = {0};
    struct store_idem idem;
    struct store_intent out;
    char hash[65], payer[40], *replay = NULL;
    enum MHD_Result res;
    json_t *body = NULL;
    int64_t *ids = NULL;
    int rc;

    if (api_query_check(r, NULL, &res) != 0)
        return res;
    idem.key = idem_key(r, &res);
    if (idem.key == NULL)
        return res;
    if (api_body(r, intent_fields, &body, &res) != 0)
        return res;
    snprintf(payer, sizeof(payer), "%s", api_str(body, "payer"));
    if (!typed_code(payer)) {
        res = api_error(r, 400, "invalid_field", "payer: not a payer code");
        goto out;
    }
    if (json_object_get(body, "amount") != NULL &&
        json_integer_value(json_object_get(body, "amount")) <= 0) {
        res = api_error(r, 400, "invalid_field", "amount must be > 0");
        goto out;
    }
    if (api_ids(r, json_object_get(body, "invoices"), &ids, &ir.n_invoices,
                &res) != 0)
        goto out;
    ir.payer = payer;
    ir.invoices = ids;
    ir.amount = json_integer_value(json_object_get(body, "amount"));
    ir.ttl = r->s->cfg.intent_ttl;
    ir.code = api_str(body, "code");
    if (ir.code != NULL && payref_check(ir.code) != 0) {
        res = api_error(r, 400, "invalid_field",
                        "code: not a valid payment code");
        goto out;
    }
    api_body_hash(r, hash);
    idem.body_hash = hash;
    idem.render = api_json_intent_text;
    rc = r->s->st->ops->intent_create(r->s->st, &r->who, &idem, &ir,
                                      (int64_t)time(NULL), &out, &replay);
    if (rc == -STORE_E_NOT_FOUND) {
        /* the payer as typed: again with the code it means */
        if (!payer_codes_resolve(r, payer, payer, sizeof(payer), &res))
            goto out;
        rc = r->s->st->ops->intent_create(r->s->st, &r->who, &idem, &ir,
                                          (int64_t)time(NULL), &out, &replay);
    }
    if (rc != 0) {
        res = api_store_error(r, rc);
        goto out;
    }
    if (replay != NULL) {
        res = reply_replay(r, replay);
        goto out;
    }
    api_log(6,
            "event=intent_created intent=%lld code=%s payer=%s "
            "amount=%lld who=%s",
            (long long)out.id, out.code, payer, (long long)out.amount,
            r->who.actor);
    res = api_reply_json(r, 201, api_json_intent(&out));
    store_intent_free(&out);
out:
    free(ids);
    json_decref(body);
    return res;
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

/* Answer with intent `t` (freed here) and `status`. */
static enum MHD_Result reply_intent(struct req *r, unsigned status,
                                    struct store_intent *t)
{
    json_t *j = api_json_intent(t);

    store_intent_free(t);
    return api_reply_json(r, status, j);
}

enum MHD_Result h_intent_get(struct req *r)
{
    static const char *const allowed[] = {"wait", NULL};
    struct store *st = r->s->st;
    struct notify_waiter *w;
    enum MHD_Result res;
    const char *ws;
    struct store_intent out;
    int64_t wait = 0, id, left;
    int rc;

    if (r->suspended || atomic_load(&r->resumed)) {
        /* woken by a state change, the wait's end or shutdown */
        r->suspended = 0;
        rc = st->ops->intent_get(st, r->who.org_id, r->poll_id,
                                 (int64_t)time(NULL), &out);
        return rc ? api_store_error(r, rc) : reply_intent(r, 200, &out);
    }
    if (api_query_check(r, allowed, &res) != 0)
        return res;
    id = parse_id(r->arg[0]);
    if (id == 0)
        return api_error(r, 404, "intent_not_found", "no such intent");
    ws = api_query(r, "wait");
    if (ws != NULL) {
        size_t n = strlen(ws);

        if (n == 0 || n > 3 || strspn(ws, "0123456789") != n ||
            (wait = strtoll(ws, NULL, 10)) > r->s->cfg.max_wait)
            return api_error(r, 400, "invalid_parameter",
                             "wait: whole seconds from 0 to %d",
                             r->s->cfg.max_wait);
    }
    w = NULL;
    if (wait > 0)
        w = notify_arm(r->s->nt, id, notify_now_ms() + wait * 1000, wake_conn,
                       r);
    rc = st->ops->intent_get(st, r->who.org_id, id, (int64_t)time(NULL), &out);
    if (rc != 0) {
        if (w)
            notify_disarm(r->s->nt, w);
        return api_store_error(r, rc);
    }
    left = out.expires_in;
    if (w == NULL || strcmp(out.status, "pending") != 0) {
        if (w)
            notify_disarm(r->s->nt, w);
        return reply_intent(r, 200, &out);
    }
    if (left * 1000 < wait * 1000) {
        /* wake at expiry rather than at the end of the wait */
        notify_disarm(r->s->nt, w);
        w = notify_arm(r->s->nt, id, notify_now_ms() + left * 1000 + 50,
                       wake_conn, r);
        if (w == NULL)
            return reply_intent(r, 200, &out);
    }
    r->poll_id = id;
    store_intent_free(&out);
    if (notify_suspend(r->s->nt, w, suspend_conn) != 0) {
        /* fired between arming and now: answer with the fresh state */
        rc = st->ops->intent_get(st, r->who.org_id, id, (int64_t)time(NULL),
                                 &out);
        return rc ? api_store_error(r, rc) : reply_intent(r, 200, &out);
    }
    return MHD_YES;
}

enum MHD_Result h_intent_cancel(struct req *r)
{
    static const struct api_field none[] = {{NULL, 0, 0, 0}};
    enum MHD_Result res;
    struct store_intent out;
    json_t *body = NULL;
    int64_t id;
    int rc;

    if (api_query_check(r, NULL, &res) != 0)
        return res;
    if (r->len > 0) {
        if (api_body(r, none, &body, &res) != 0)
            return res;
        json_decref(body);
    }
    id = parse_id(r->arg[0]);
    if (id == 0)
        return api_error(r, 404, "intent_not_found", "no such intent");
    rc = r->s->st->ops->intent_cancel(r->s->st, r->who.org_id, id, r->who.actor,
                                      (int64_t)time(NULL), &out);
    if (rc != 0)
        return api_store_error(r, rc);
    api_log(6, "event=intent_cancelled intent=%lld who=%s", (long long)id,
            r->who.actor);
    return reply_intent(r, 200, &out);
}

static const struct api_field cash_fields[] = {
    {"payer", T_STR, 1, 32}, {"invoices", T_IDS, 0, 0},
    {"amount", T_INT, 1, 0}, {"collector", T_STR, 0, 64},
    {"note", T_STR, 0, 200}, {"recorded_at", T_INT, 0, 0},
    {"date", T_STR, 0, 10},  {"pin", T_STR, 0, 16},
    {NULL, 0, 0, 0},
};

enum MHD_Result h_cash(struct req *r)
{
    struct store_cash_req cr = {0};
    struct store_idem idem;
    struct store_cash out;
    char hash[65], payer[40], who[65], *replay = NULL;
    enum MHD_Result res;
    json_t *body = NULL;
    int64_t *ids = NULL;
    int rc;

    if (api_query_check(r, NULL, &res) != 0)
        return res;
    idem.key = idem_key(r, &res);
    if (idem.key == NULL)
        return res;
    if (api_body(r, cash_fields, &body, &res) != 0)
        return res;
    snprintf(payer, sizeof(payer), "%s", api_str(body, "payer"));
    if (!typed_code(payer)) {
        res = api_error(r, 400, "invalid_field", "payer: not a payer code");
        goto out;
    }
    cr.amount = json_integer_value(json_object_get(body, "amount"));
    cr.collector = api_str(body, "collector");
    /* an organisation with collectors: the PIN says who took it */
    rc = collector_identify(r, cr.collector, api_str(body, "pin"), who,
                            sizeof(who), &res);
    if (rc < 0)
        goto out;
    if (rc == 1)
        cr.collector = who;
    if (cr.collector == NULL) {
        res =
            api_error(r, 400, "missing_field", "field 'collector' is required");
        goto out;
    }
    if (cr.amount <= 0 || cr.collector[0] == '\0') {
        res = api_error(r, 400, "invalid_field",
                        "amount must be > 0 and collector named");
        goto out;
    }
    if (api_ids(r, json_object_get(body, "invoices"), &ids, &cr.n_invoices,
                &res) != 0)
        goto out;
    cr.payer = payer;
    cr.invoices = ids;
    cr.note = api_str(body, "note");
    /* when the kiosk took it (its offline journal) and the day it says it
       is for: cash of a closed day is dated later */
    cr.recorded_at = json_integer_value(json_object_get(body, "recorded_at"));
    cr.date = api_str(body, "date");
    api_body_hash(r, hash);
    idem.body_hash = hash;
    idem.render = api_json_cash_text;
    rc = r->s->st->ops->cash_record(r->s->st, &r->who, &idem, &cr,
                                    (int64_t)time(NULL), &out, &replay);
    if (rc == -STORE_E_NOT_FOUND) {
        /* the payer as typed: again with the code it means */
        if (!payer_codes_resolve(r, payer, payer, sizeof(payer), &res))
            goto out;
        rc = r->s->st->ops->cash_record(r->s->st, &r->who, &idem, &cr,
                                        (int64_t)time(NULL), &out, &replay);
    }
    if (rc != 0) {
        res = api_store_error(r, rc);
        goto out;
    }
    if (replay != NULL) {
        res = reply_replay(r, replay);
        goto out;
    }
    api_log(5,
            "event=payment method=cash payment=%lld payer=%s "
            "amount=%lld collector=\"%s\" who=%s",
            (long long)out.payment, payer, (long long)cr.amount, cr.collector,
            r->who.actor);
    res = api_reply_json(r, 201, api_json_cash(&out));
    store_cash_free(&out);
out:
    free(ids);
    json_decref(body);
    return res;
}

enum MHD_Result h_directory(struct req *r)
{
    struct store_directory d = {0};
    enum MHD_Result res;
    json_t *out = NULL;
    char *text, etag[72], hex[65];
    uint8_t h[CRYPTO_SHA256_LEN];
    const char *inm;
    int rc;

    if (api_query_check(r, NULL, &res) != 0)
        return res;
    rc = r->s->st->ops->directory(r->s->st, r->who.org_id, &d);
    if (rc != 0)
        return api_store_error(r, rc);
    out = api_json_directory(&d);
    store_directory_free(&d);
    /* cash needs a collector's PIN (POST /v1/cash "pin") */
    rc = collector_any(r);
    if (rc < 0) {
        json_decref(out);
        return api_store_error(r, -STORE_E_IO);
    }
    json_object_set_new(out, "collector_pins", json_boolean(rc));
    text = json_dumps(out, JSON_COMPACT | JSON_SORT_KEYS);
    if (text == NULL) {
        json_decref(out);
        return MHD_NO;
    }
    crypto_sha256(text, strlen(text), h);
    free(text);
    crypto_hex(h, 16, hex);
    snprintf(etag, sizeof(etag), "\"%s\"", hex);
    json_object_set_new(out, "etag", json_string(etag));
    inm =
        MHD_lookup_connection_value(r->conn, MHD_HEADER_KIND, "If-None-Match");
    if (inm != NULL && (strstr(inm, etag) != NULL || strcmp(inm, "*") == 0)) {
        struct MHD_Response *resp;

        json_decref(out);
        resp = MHD_create_response_from_buffer(0, NULL, MHD_RESPMEM_PERSISTENT);
        if (resp == NULL)
            return MHD_NO;
        MHD_add_response_header(resp, "ETag", etag);
        r->status = 304;
        r->replied = 1;
        res = MHD_queue_response(r->conn, 304, resp);
        MHD_destroy_response(resp);
        return res;
    }
    return api_reply_json_h(r, 200, out, "ETag", etag);
}

enum MHD_Result h_codes(struct req *r)
{
    static const struct api_field fields[] = {
        {"count", T_INT, 1, 100},
        {NULL, 0, 0, 0},
    };
    struct store_idem idem;
    struct store_codes out;
    enum MHD_Result res;
    json_t *body = NULL;
    char hash[65], *replay = NULL;
    int rc, count;

    if (api_query_check(r, NULL, &res) != 0)
        return res;
    idem.key = idem_key(r, &res);
    if (idem.key == NULL)
        return res;
    if (api_body(r, fields, &body, &res) != 0)
        return res;
    count = (int)json_integer_value(json_object_get(body, "count"));
    json_decref(body);
    if (count < 1)
        return api_error(r, 400, "invalid_field", "count: 1 to 100");
    api_body_hash(r, hash);
    idem.body_hash = hash;
    idem.render = api_json_codes_text;
    rc = r->s->st->ops->codes_reserve(r->s->st, &r->who, &idem, count,
                                      (int64_t)time(NULL), &out, &replay);
    if (rc != 0)
        return api_store_error(r, rc);
    if (replay != NULL)
        return reply_replay(r, replay);
    body = api_json_codes(&out);
    store_codes_free(&out);
    return api_reply_json(r, 201, body);
}

/*
 * GET /v1/kiosk/totals?date=YYYY-MM-DD: the payments of the kiosk's
 * organisation dated that Vietnam day (default today, by the server's
 * clock) by method, this kiosk's share, every kiosk's and every
 * collector's: the daily report's takings, so a collector's hand-over
 * and the report agree, and the kiosk needs no clock of its own.
 * ?collector=NAME adds that collector's own cash of the day.
 */
enum MHD_Result h_kiosk_totals(struct req *r)
{
    static const char *const allowed[] = {"date", "collector", NULL};
    enum MHD_Result res;
    const char *date, *collector;
    char day[11];
    int32_t d;
    json_t *out = NULL;
    int rc;

    if (api_query_check(r, allowed, &res) != 0)
        return res;
    date = api_query(r, "date");
    if (date == NULL)
        d = srv_vn_day((int64_t)time(NULL));
    else if (report_day_parse(date, &d) != 0)
        return api_error(r, 400, "invalid_date", "date: YYYY-MM-DD");
    report_day_format(d, day);
    collector = api_query(r, "collector");
    if (collector != NULL && (collector[0] == '\0' || strlen(collector) > 64))
        return api_error(r, 400, "invalid_field", "collector: 1-64 bytes");
    rc = srv_kiosk_totals(r->s->st, r->who.org_id, r->who.id, collector, day,
                          &out);
    if (rc != 0)
        return api_store_error(r, rc);
    return api_reply_json(r, 200, out);
}
